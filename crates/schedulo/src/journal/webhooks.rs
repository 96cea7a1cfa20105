//! The Airtable webhook this worker keeps on its base (`airtable_webhooks`, one row per base): its
//! id, where it pings, its MAC secret **sealed by the vault** (the journal never sees it plain:
//! the caller seals and opens it), its expiry, and the cursor of the next payload to read.
//!
//! The cursor only moves forward ([`Journal::webhook_advance`]), and only after the changes the
//! payloads before it named were handed on: a crash before that reads them again.

use super::offclock::off_clock;
use super::{from_ms, system_now_ms, to_ms, InboxItem, Journal, JournalError};
use chrono::{DateTime, Utc};
use sqlx::Row;

const GET: &str = include_str!("sql/webhook_get.sql");
const PUT: &str = include_str!("sql/webhook_put.sql");
const EXPIRY: &str = include_str!("sql/webhook_expiry.sql");
const CURSOR: &str = include_str!("sql/webhook_cursor.sql");
const FORGET: &str = include_str!("sql/webhook_forget.sql");

/// A webhook of ours, as kept.
#[derive(Clone, PartialEq)]
pub struct KeptWebhook {
    pub base_id: String,
    pub webhook_id: String,
    pub notification_url: String,
    /// `macSecretBase64`, sealed by the vault (`sv1:...`).
    pub sealed_secret: String,
    pub expires_at: Option<DateTime<Utc>>,
    /// The next payload to read.
    pub cursor: u64,
}

impl std::fmt::Debug for KeptWebhook {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("KeptWebhook")
            .field("base_id", &self.base_id)
            .field("webhook_id", &self.webhook_id)
            .field("notification_url", &self.notification_url)
            .field("expires_at", &self.expires_at)
            .field("cursor", &self.cursor)
            .finish_non_exhaustive()
    }
}

fn cursor_i64(cursor: u64) -> i64 {
    i64::try_from(cursor).unwrap_or(i64::MAX)
}

impl Journal {
    async fn webhook_get_direct(&self, base_id: &str) -> Result<Option<KeptWebhook>, JournalError> {
        let subject = format!("the Airtable webhook of base {base_id}");
        let Some(row) = sqlx::query(GET)
            .bind(base_id)
            .fetch_optional(&self.pool)
            .await
            .map_err(JournalError::db("read", &subject))?
        else {
            return Ok(None);
        };
        let read = |e: sqlx::Error| JournalError::corrupt(&subject, e.to_string());
        let expires_ms: Option<i64> = row.try_get("expires_at").map_err(read)?;
        let cursor: i64 = row.try_get("cursor").map_err(read)?;
        Ok(Some(KeptWebhook {
            base_id: row.try_get("base_id").map_err(read)?,
            webhook_id: row.try_get("webhook_id").map_err(read)?,
            notification_url: row.try_get("notification_url").map_err(read)?,
            sealed_secret: row.try_get("mac_secret").map_err(read)?,
            expires_at: match expires_ms {
                None => None,
                Some(ms) => {
                    Some(from_ms(ms).ok_or_else(|| JournalError::corrupt(&subject, format!("{ms} is not a time")))?)
                }
            },
            cursor: u64::try_from(cursor)
                .map_err(|_| JournalError::corrupt(&subject, format!("cursor {cursor} is negative")))?,
        }))
    }

    async fn webhook_put_direct(&self, kept: &KeptWebhook) -> Result<(), JournalError> {
        sqlx::query(PUT)
            .bind(&kept.base_id)
            .bind(&kept.webhook_id)
            .bind(&kept.notification_url)
            .bind(&kept.sealed_secret)
            .bind(kept.expires_at.map(to_ms))
            .bind(cursor_i64(kept.cursor.max(1)))
            .bind(system_now_ms())
            .execute(&self.pool)
            .await
            .map_err(JournalError::db(
                "store",
                format!("the Airtable webhook of base {}", kept.base_id),
            ))?;
        Ok(())
    }

    async fn webhook_update_direct(
        &self,
        sql: &'static str,
        op: &'static str,
        base_id: &str,
        webhook_id: &str,
        value: Option<i64>,
    ) -> Result<bool, JournalError> {
        let done = sqlx::query(sql)
            .bind(base_id)
            .bind(webhook_id)
            .bind(value)
            .bind(system_now_ms())
            .execute(&self.pool)
            .await
            .map_err(JournalError::db(op, format!("Airtable webhook {webhook_id}")))?;
        Ok(done.rows_affected() > 0)
    }

    async fn webhook_forget_direct(&self, base_id: &str, webhook_id: &str) -> Result<bool, JournalError> {
        let done = sqlx::query(FORGET)
            .bind(base_id)
            .bind(webhook_id)
            .execute(&self.pool)
            .await
            .map_err(JournalError::db("forget", format!("Airtable webhook {webhook_id}")))?;
        Ok(done.rows_affected() > 0)
    }
}

impl Journal {
    /// The webhook kept for `base_id`, if any.
    pub async fn webhook(&self, base_id: &str) -> Result<Option<KeptWebhook>, JournalError> {
        let journal = self.clone();
        let base_id = base_id.to_string();
        off_clock(async move { journal.webhook_get_direct(&base_id).await }).await
    }

    /// Keeps `kept` as the base's webhook, replacing any other (cursor included).
    pub async fn webhook_put(&self, kept: &KeptWebhook) -> Result<(), JournalError> {
        let journal = self.clone();
        let kept = kept.clone();
        off_clock(async move { journal.webhook_put_direct(&kept).await }).await
    }

    /// Records a new expiry of webhook `webhook_id`; false if it is not the one kept.
    pub async fn webhook_expires(
        &self,
        base_id: &str,
        webhook_id: &str,
        at: Option<DateTime<Utc>>,
    ) -> Result<bool, JournalError> {
        let journal = self.clone();
        let (base_id, webhook_id) = (base_id.to_string(), webhook_id.to_string());
        off_clock(async move {
            journal
                .webhook_update_direct(EXPIRY, "record the expiry of", &base_id, &webhook_id, at.map(to_ms))
                .await
        })
        .await
    }

    /// Moves the cursor of webhook `webhook_id` forward to `cursor`; false if it was there or
    /// beyond already, or the webhook is not the one kept.
    pub async fn webhook_advance(&self, base_id: &str, webhook_id: &str, cursor: u64) -> Result<bool, JournalError> {
        let journal = self.clone();
        let (base_id, webhook_id) = (base_id.to_string(), webhook_id.to_string());
        off_clock(async move {
            journal
                .webhook_update_direct(
                    CURSOR,
                    "move the cursor of",
                    &base_id,
                    &webhook_id,
                    Some(cursor_i64(cursor)),
                )
                .await
        })
        .await
    }

    /// Forgets webhook `webhook_id` (deleted from the base); false if it was not kept.
    pub async fn webhook_forget(&self, base_id: &str, webhook_id: &str) -> Result<bool, JournalError> {
        let journal = self.clone();
        let (base_id, webhook_id) = (base_id.to_string(), webhook_id.to_string());
        off_clock(async move { journal.webhook_forget_direct(&base_id, &webhook_id).await }).await
    }

    /// Items not yet handled from one source, oldest first.
    pub async fn inbox_pending_from(&self, source: &str, limit: u32) -> Result<Vec<InboxItem>, JournalError> {
        let journal = self.clone();
        let source = source.to_string();
        off_clock(async move { journal.inbox_pending_from_direct(&source, limit).await }).await
    }
}
