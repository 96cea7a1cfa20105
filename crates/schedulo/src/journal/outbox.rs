//! The outbox: Airtable writes the worker owes, one pending row per (table, record), merged as
//! new values arrive and deleted only when Airtable acknowledged the very version stored.

use super::{system_now_ms, to_ms, Journal, JournalError};
use crate::airtable::Fields;
use chrono::{DateTime, Utc};
use sqlx::sqlite::SqliteRow;
use sqlx::Row;

const RESERVE: &str = include_str!("sql/outbox_reserve.sql");
const BUMP: &str = include_str!("sql/outbox_bump.sql");
const STORE: &str = include_str!("sql/outbox_store.sql");
const NEXT: &str = include_str!("sql/outbox_next.sql");
const ACK: &str = include_str!("sql/outbox_ack.sql");
const RETRY: &str = include_str!("sql/outbox_retry.sql");
const TABLES: &str = include_str!("sql/outbox_tables.sql");
const LEN: &str = include_str!("sql/outbox_len.sql");

/// A pending write: the fields to set on one record.
#[derive(Debug, Clone, PartialEq)]
pub struct OutboxItem {
    pub table: String,
    pub record_id: String,
    /// Every field put since the last acknowledged write, the latest value of each.
    pub fields: Fields,
    /// Bumped by every put; acknowledge with the version that was sent.
    pub version: i64,
    /// Failed sends so far.
    pub attempts: u32,
}

impl Journal {
    pub(super) async fn outbox_put_direct(
        &self,
        table: &str,
        record_id: &str,
        fields: &Fields,
        not_before_ms: i64,
    ) -> Result<(), JournalError> {
        if fields.is_empty() {
            return Ok(());
        }
        let subject = format!("outbox row {table}/{record_id}");
        let now = system_now_ms();
        let mut tx = self.pool.begin().await.map_err(JournalError::db("queue", &subject))?;
        // A write first, so that the transaction holds the write lock before it reads.
        sqlx::query(RESERVE)
            .bind(table)
            .bind(record_id)
            .bind(now)
            .bind(not_before_ms)
            .execute(&mut *tx)
            .await
            .map_err(JournalError::db("queue", &subject))?;
        let (stored, _version): (String, i64) = sqlx::query_as(BUMP)
            .bind(table)
            .bind(record_id)
            .bind(now)
            .fetch_one(&mut *tx)
            .await
            .map_err(JournalError::db("queue", &subject))?;
        let mut merged = parse_fields(&stored, &subject)?;
        merged.extend(fields.iter().map(|(k, v)| (k.clone(), v.clone())));
        let text = serde_json::to_string(&merged).map_err(|e| JournalError::Corrupt {
            subject: subject.clone(),
            detail: e.to_string(),
        })?;
        sqlx::query(STORE)
            .bind(table)
            .bind(record_id)
            .bind(text)
            .execute(&mut *tx)
            .await
            .map_err(JournalError::db("queue", &subject))?;
        tx.commit().await.map_err(JournalError::db("queue", &subject))
    }

    pub(super) async fn outbox_next_direct(
        &self,
        table: &str,
        now: DateTime<Utc>,
        limit: u32,
    ) -> Result<Vec<OutboxItem>, JournalError> {
        let rows = sqlx::query(NEXT)
            .bind(table)
            .bind(to_ms(now))
            .bind(i64::from(limit))
            .fetch_all(&self.pool)
            .await
            .map_err(JournalError::db("list", format!("outbox rows of {table}")))?;
        rows.iter().map(item_from_row).collect()
    }

    pub(super) async fn outbox_ack_direct(&self, items: &[(String, String, i64)]) -> Result<(), JournalError> {
        let mut tx = self
            .pool
            .begin()
            .await
            .map_err(JournalError::db("acknowledge", "outbox rows"))?;
        for (table, record_id, version) in items {
            sqlx::query(ACK)
                .bind(table)
                .bind(record_id)
                .bind(version)
                .execute(&mut *tx)
                .await
                .map_err(JournalError::db(
                    "acknowledge",
                    format!("outbox row {table}/{record_id}"),
                ))?;
        }
        tx.commit()
            .await
            .map_err(JournalError::db("acknowledge", "outbox rows"))
    }

    pub(super) async fn outbox_retry_direct(
        &self,
        keys: &[(String, String)],
        next_attempt_at: DateTime<Utc>,
        error: &str,
    ) -> Result<(), JournalError> {
        let (next, now) = (to_ms(next_attempt_at), system_now_ms());
        let mut tx = self
            .pool
            .begin()
            .await
            .map_err(JournalError::db("postpone", "outbox rows"))?;
        for (table, record_id) in keys {
            sqlx::query(RETRY)
                .bind(table)
                .bind(record_id)
                .bind(next)
                .bind(error)
                .bind(now)
                .execute(&mut *tx)
                .await
                .map_err(JournalError::db("postpone", format!("outbox row {table}/{record_id}")))?;
        }
        tx.commit().await.map_err(JournalError::db("postpone", "outbox rows"))
    }

    pub(super) async fn outbox_tables_direct(&self) -> Result<Vec<String>, JournalError> {
        sqlx::query_scalar(TABLES)
            .fetch_all(&self.pool)
            .await
            .map_err(JournalError::db("list", "outbox tables"))
    }

    pub(super) async fn outbox_len_direct(&self) -> Result<u64, JournalError> {
        let n: i64 = sqlx::query_scalar(LEN)
            .fetch_one(&self.pool)
            .await
            .map_err(JournalError::db("count", "outbox rows"))?;
        Ok(u64::try_from(n).unwrap_or(0))
    }
}

fn item_from_row(row: &SqliteRow) -> Result<OutboxItem, JournalError> {
    let corrupt = |detail: String| JournalError::Corrupt {
        subject: "an outbox row".into(),
        detail,
    };
    let get_text = |col: &str| row.try_get::<String, _>(col).map_err(|e| corrupt(e.to_string()));
    let (table, record_id) = (get_text("table_name")?, get_text("record_id")?);
    let subject = format!("outbox row {table}/{record_id}");
    let fields = parse_fields(&get_text("fields")?, &subject)?;
    let version: i64 = row.try_get("version").map_err(|e| corrupt(e.to_string()))?;
    let attempts: i64 = row.try_get("attempts").map_err(|e| corrupt(e.to_string()))?;
    let attempts = u32::try_from(attempts).map_err(|_| corrupt(format!("attempts {attempts} out of range")))?;
    Ok(OutboxItem {
        table,
        record_id,
        fields,
        version,
        attempts,
    })
}

fn parse_fields(text: &str, subject: &str) -> Result<Fields, JournalError> {
    serde_json::from_str(text).map_err(|e| JournalError::Corrupt {
        subject: subject.to_string(),
        detail: format!("fields are not a JSON object: {e}"),
    })
}

impl Journal {
    pub(super) async fn outbox_next_attempt_direct(&self) -> Result<Option<DateTime<Utc>>, JournalError> {
        let ms: Option<i64> = sqlx::query_scalar(include_str!("sql/outbox_next_attempt.sql"))
            .fetch_one(&self.pool)
            .await
            .map_err(JournalError::db("read", "the outbox"))?;
        Ok(ms.and_then(super::from_ms))
    }
}
