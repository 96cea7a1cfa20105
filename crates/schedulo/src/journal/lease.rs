//! The lease: one worker owns a base at a time (Airtable has no compare-and-set, so two workers
//! writing one base would undo each other). A lease is held until `expires_at`; its owner renews
//! it well before then, and anyone may take it once it has expired.

use super::{from_ms, to_ms, Journal, JournalError};
use chrono::{DateTime, Utc};
use std::time::Duration;

const ACQUIRE: &str = include_str!("sql/lease_acquire.sql");
const RELEASE: &str = include_str!("sql/lease_release.sql");
const GET: &str = include_str!("sql/lease_get.sql");

/// Who holds a base's lease.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Lease {
    pub owner: String,
    /// When this owner took it (kept across renewals).
    pub acquired_at: DateTime<Utc>,
    pub expires_at: DateTime<Utc>,
}

impl Journal {
    pub(super) async fn acquire_lease_direct(
        &self,
        base_id: &str,
        owner: &str,
        now: DateTime<Utc>,
        ttl: Duration,
    ) -> Result<bool, JournalError> {
        let now_ms = to_ms(now);
        let ttl_ms = i64::try_from(ttl.as_millis()).unwrap_or(i64::MAX);
        let holder: Option<String> = sqlx::query_scalar(ACQUIRE)
            .bind(base_id)
            .bind(owner)
            .bind(now_ms)
            .bind(now_ms.saturating_add(ttl_ms))
            .fetch_optional(&self.pool)
            .await
            .map_err(JournalError::db("acquire", format!("the lease of base {base_id}")))?;
        Ok(holder.is_some())
    }

    pub(super) async fn release_lease_direct(&self, base_id: &str, owner: &str) -> Result<(), JournalError> {
        sqlx::query(RELEASE)
            .bind(base_id)
            .bind(owner)
            .execute(&self.pool)
            .await
            .map_err(JournalError::db("release", format!("the lease of base {base_id}")))?;
        Ok(())
    }

    pub(super) async fn lease_direct(&self, base_id: &str) -> Result<Option<Lease>, JournalError> {
        let subject = format!("the lease of base {base_id}");
        let row: Option<(String, i64, i64)> = sqlx::query_as(GET)
            .bind(base_id)
            .fetch_optional(&self.pool)
            .await
            .map_err(JournalError::db("read", &subject))?;
        let Some((owner, acquired, expires)) = row else {
            return Ok(None);
        };
        let time = |ms: i64| {
            from_ms(ms).ok_or_else(|| JournalError::Corrupt {
                subject: subject.clone(),
                detail: format!("{ms} is not a time"),
            })
        };
        Ok(Some(Lease {
            owner,
            acquired_at: time(acquired)?,
            expires_at: time(expires)?,
        }))
    }
}
