//! The webhook inbox: a webhook's body is stored (and on disk) before the webhook answers 2xx,
//! then handled from here, so that an answered webhook is never lost.

/// The inbox source of Airtable's webhook pings (the Airtable webhook scenario writes them, the
/// Post Scheduler leaves them to it).
pub const AIRTABLE_PINGS: &str = "airtable-webhook";

use super::{from_ms, system_now_ms, to_ms, Journal, JournalError};
use chrono::{DateTime, Utc};
use sqlx::sqlite::SqliteRow;
use sqlx::Row;

const INSERT: &str = include_str!("sql/inbox_insert.sql");
const FIND: &str = include_str!("sql/inbox_find.sql");
const PENDING: &str = include_str!("sql/inbox_pending.sql");
const DONE: &str = include_str!("sql/inbox_done.sql");
const PRUNE: &str = include_str!("sql/inbox_prune.sql");

/// What `inbox_put` did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum InboxPut {
    /// Stored under this id.
    Inserted(i64),
    /// The same (source, dedup key) was stored before under this id (pending or done); nothing
    /// was stored. Answer the sender as if it were new.
    Duplicate(i64),
}

/// A stored webhook body.
#[derive(Debug, Clone, PartialEq)]
pub struct InboxItem {
    pub id: i64,
    /// Which webhook, e.g. "bubble-media".
    pub source: String,
    pub dedup_key: Option<String>,
    pub body: serde_json::Value,
    pub received_at: DateTime<Utc>,
}

impl Journal {
    pub(super) async fn inbox_put_direct(
        &self,
        source: &str,
        dedup_key: Option<&str>,
        body: &serde_json::Value,
    ) -> Result<InboxPut, JournalError> {
        let subject = format!("a webhook body from {source}");
        let inserted: Option<i64> = sqlx::query_scalar(INSERT)
            .bind(source)
            .bind(dedup_key)
            .bind(body.to_string())
            .bind(system_now_ms())
            .fetch_optional(&self.pool)
            .await
            .map_err(JournalError::db("store", &subject))?;
        if let Some(id) = inserted {
            return Ok(InboxPut::Inserted(id));
        }
        let existing: Option<i64> = sqlx::query_scalar(FIND)
            .bind(source)
            .bind(dedup_key)
            .fetch_optional(&self.pool)
            .await
            .map_err(JournalError::db("find the first copy of", &subject))?;
        // Only a conflict skips the insert, so the first copy exists (inbox rows are pruned only
        // once done, and a prune between the two statements is the one way to miss it).
        existing.map(InboxPut::Duplicate).ok_or(JournalError::NotFound {
            op: "find the first copy",
            subject,
        })
    }

    pub(super) async fn inbox_pending_direct(&self, limit: u32) -> Result<Vec<InboxItem>, JournalError> {
        let rows = sqlx::query(PENDING)
            .bind(i64::from(limit))
            .fetch_all(&self.pool)
            .await
            .map_err(JournalError::db("list", "pending inbox items"))?;
        rows.iter().map(item_from_row).collect()
    }

    pub(super) async fn inbox_pending_from_direct(
        &self,
        source: &str,
        limit: u32,
    ) -> Result<Vec<InboxItem>, JournalError> {
        let rows = sqlx::query(include_str!("sql/inbox_pending_from.sql"))
            .bind(source)
            .bind(i64::from(limit))
            .fetch_all(&self.pool)
            .await
            .map_err(JournalError::db("list", format!("pending inbox items from {source}")))?;
        rows.iter().map(item_from_row).collect()
    }

    pub(super) async fn inbox_done_direct(&self, id: i64) -> Result<(), JournalError> {
        let subject = format!("inbox item {id}");
        let done = sqlx::query(DONE)
            .bind(id)
            .bind(system_now_ms())
            .execute(&self.pool)
            .await
            .map_err(JournalError::db("mark done", &subject))?;
        if done.rows_affected() == 0 {
            return Err(JournalError::NotFound {
                op: "mark done",
                subject,
            });
        }
        Ok(())
    }

    pub(super) async fn inbox_prune_direct(&self, before: DateTime<Utc>) -> Result<u64, JournalError> {
        let done = sqlx::query(PRUNE)
            .bind(to_ms(before))
            .execute(&self.pool)
            .await
            .map_err(JournalError::db("prune", "handled inbox items"))?;
        Ok(done.rows_affected())
    }
}

fn item_from_row(row: &SqliteRow) -> Result<InboxItem, JournalError> {
    let id: i64 = row
        .try_get("id")
        .map_err(|e| JournalError::corrupt("an inbox item", e.to_string()))?;
    let subject = format!("inbox item {id}");
    let read = |e: sqlx::Error| JournalError::corrupt(&subject, e.to_string());
    let body: String = row.try_get("body").map_err(read)?;
    let received_ms: i64 = row.try_get("received_at").map_err(read)?;
    Ok(InboxItem {
        id,
        source: row.try_get("source").map_err(read)?,
        dedup_key: row.try_get("dedup_key").map_err(read)?,
        body: serde_json::from_str(&body)
            .map_err(|e| JournalError::corrupt(&subject, format!("body is not JSON: {e}")))?,
        received_at: from_ms(received_ms)
            .ok_or_else(|| JournalError::corrupt(&subject, format!("{received_ms} is not a time")))?,
    })
}
