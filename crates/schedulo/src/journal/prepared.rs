//! What preparation produced, kept per post (`prepared` table), and the receipt of an attempt
//! (`posts.receipt`).

use super::{from_ms, system_now_ms, to_ms, Journal, JournalError};
use chrono::{DateTime, Utc};
use sqlx::Row;

/// Preparation kept for a post.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KeptPrepared {
    pub record_id: String,
    /// The post's fingerprint when it was prepared.
    pub fingerprint: String,
    /// JSON of `platforms::Prepared`.
    pub data: String,
    pub prepared_at: DateTime<Utc>,
    pub expires_at: Option<DateTime<Utc>>,
}

impl Journal {
    pub(super) async fn keep_prepared_direct(&self, kept: &KeptPrepared) -> Result<(), JournalError> {
        sqlx::query(include_str!("sql/prepared_put.sql"))
            .bind(&kept.record_id)
            .bind(&kept.fingerprint)
            .bind(&kept.data)
            .bind(to_ms(kept.prepared_at))
            .bind(kept.expires_at.map(to_ms))
            .execute(&self.pool)
            .await
            .map_err(JournalError::db(
                "keep",
                format!("what was prepared for {}", kept.record_id),
            ))?;
        Ok(())
    }

    pub(super) async fn prepared_direct(&self, record_id: &str) -> Result<Option<KeptPrepared>, JournalError> {
        let row = sqlx::query("SELECT * FROM prepared WHERE record_id = $1")
            .bind(record_id)
            .fetch_optional(&self.pool)
            .await
            .map_err(JournalError::db("read", format!("what was prepared for {record_id}")))?;
        let Some(row) = row else { return Ok(None) };
        let corrupt = |detail: String| JournalError::Corrupt {
            subject: format!("prepared of {record_id}"),
            detail,
        };
        let get_ms = |col: &str| -> Result<Option<i64>, JournalError> {
            row.try_get::<Option<i64>, _>(col).map_err(|e| corrupt(e.to_string()))
        };
        let prepared_at = get_ms("prepared_at")?
            .and_then(from_ms)
            .ok_or_else(|| corrupt("prepared_at is not a time".into()))?;
        let expires_at = match get_ms("expires_at")? {
            None => None,
            Some(ms) => Some(from_ms(ms).ok_or_else(|| corrupt(format!("expires_at {ms} is not a time")))?),
        };
        Ok(Some(KeptPrepared {
            record_id: record_id.to_string(),
            fingerprint: row.try_get("fingerprint").map_err(|e| corrupt(e.to_string()))?,
            data: row.try_get("data").map_err(|e| corrupt(e.to_string()))?,
            prepared_at,
            expires_at,
        }))
    }

    pub(super) async fn drop_prepared_direct(&self, record_id: &str) -> Result<(), JournalError> {
        sqlx::query("DELETE FROM prepared WHERE record_id = $1")
            .bind(record_id)
            .execute(&self.pool)
            .await
            .map_err(JournalError::db("drop", format!("what was prepared for {record_id}")))?;
        Ok(())
    }

    pub(super) async fn record_receipt_direct(&self, record_id: &str, receipt: &str) -> Result<(), JournalError> {
        let done = sqlx::query(include_str!("sql/post_receipt.sql"))
            .bind(record_id)
            .bind(receipt)
            .bind(system_now_ms())
            .execute(&self.pool)
            .await
            .map_err(JournalError::db("record", format!("the receipt of {record_id}")))?;
        if done.rows_affected() == 0 {
            return Err(JournalError::NotFound {
                op: "record the receipt of",
                subject: format!("post {record_id} under way"),
            });
        }
        Ok(())
    }
}
