//! The publish state machine after the claim: recording what the publish call (or
//! reconciliation) found. Each transition is one guarded `UPDATE ... WHERE state IN (...)`, so two
//! tasks cannot both move a post; a refused transition leaves the row as it was and says why.

use super::post::PostState;
use super::{system_now_ms, to_ms, Journal, JournalError};
use chrono::{DateTime, Utc};
use sqlx::sqlite::SqliteArguments;
use sqlx::Sqlite;

type Query<'q> = sqlx::query::Query<'q, Sqlite, SqliteArguments<'q>>;

/// One transition: its statement, and how a refusal reads. `from` must list the states the
/// statement's `WHERE state IN (...)` allows.
struct Transition {
    sql: &'static str,
    name: &'static str,
    from: &'static str,
}

const PUBLISHED: Transition = Transition {
    sql: include_str!("sql/post_published.sql"),
    name: "record it published",
    from: "Intent or Unknown",
};
const UNKNOWN: Transition = Transition {
    sql: include_str!("sql/post_unknown.sql"),
    name: "record its outcome unknown",
    from: "Intent or Unknown",
};
const RETRY: Transition = Transition {
    sql: include_str!("sql/post_retry.sql"),
    name: "record a retry",
    from: "Intent or Unknown",
};
const WAIT: Transition = Transition {
    sql: include_str!("sql/post_wait.sql"),
    name: "record a wait for a rate limit",
    from: "Intent",
};
const FAILED: Transition = Transition {
    sql: include_str!("sql/post_failed.sql"),
    name: "record it failed",
    from: "Scheduled, Retrying, Intent or Unknown",
};
const REVIEW: Transition = Transition {
    sql: include_str!("sql/post_review.sql"),
    name: "record it for review",
    from: "Intent or Unknown",
};

impl Journal {
    pub(super) async fn record_published_direct(
        &self,
        record_id: &str,
        platform_post_id: &str,
        url: &str,
        at: DateTime<Utc>,
    ) -> Result<(), JournalError> {
        let query = sqlx::query(PUBLISHED.sql)
            .bind(record_id)
            .bind(platform_post_id)
            .bind(url)
            .bind(to_ms(at));
        match self.apply(record_id, &PUBLISHED, query).await {
            Err(JournalError::IllegalTransition {
                state: PostState::Published,
                ..
            }) if self.published_as(record_id, platform_post_id).await? => Ok(()),
            other => other,
        }
    }

    pub(super) async fn record_unknown_direct(
        &self,
        record_id: &str,
        detail: &str,
        at: DateTime<Utc>,
    ) -> Result<(), JournalError> {
        let query = sqlx::query(UNKNOWN.sql).bind(record_id).bind(detail).bind(to_ms(at));
        self.apply(record_id, &UNKNOWN, query).await
    }

    pub(super) async fn record_retry_direct(
        &self,
        record_id: &str,
        next_attempt_at: DateTime<Utc>,
        error: &str,
    ) -> Result<(), JournalError> {
        let query = sqlx::query(RETRY.sql)
            .bind(record_id)
            .bind(to_ms(next_attempt_at))
            .bind(error)
            .bind(system_now_ms());
        self.apply(record_id, &RETRY, query).await
    }

    pub(super) async fn record_wait_direct(
        &self,
        record_id: &str,
        until: DateTime<Utc>,
        reason: &str,
    ) -> Result<(), JournalError> {
        let query = sqlx::query(WAIT.sql)
            .bind(record_id)
            .bind(to_ms(until))
            .bind(reason)
            .bind(system_now_ms());
        self.apply(record_id, &WAIT, query).await
    }

    pub(super) async fn record_failed_direct(
        &self,
        record_id: &str,
        message: &str,
        at: DateTime<Utc>,
    ) -> Result<(), JournalError> {
        let query = sqlx::query(FAILED.sql).bind(record_id).bind(message).bind(to_ms(at));
        self.apply(record_id, &FAILED, query).await
    }

    pub(super) async fn record_review_direct(
        &self,
        record_id: &str,
        message: &str,
        at: DateTime<Utc>,
    ) -> Result<(), JournalError> {
        let query = sqlx::query(REVIEW.sql).bind(record_id).bind(message).bind(to_ms(at));
        self.apply(record_id, &REVIEW, query).await
    }

    /// Runs a transition's statement; if it moved no row, says why.
    async fn apply(&self, record_id: &str, t: &Transition, query: Query<'_>) -> Result<(), JournalError> {
        let done = query
            .execute(&self.pool)
            .await
            .map_err(JournalError::db(t.name, format!("post {record_id}")))?;
        if done.rows_affected() == 1 {
            return Ok(());
        }
        Err(self.refusal(record_id, t).await?)
    }

    /// The error for a transition that moved no row: the post is missing or in another state.
    async fn refusal(&self, record_id: &str, t: &Transition) -> Result<JournalError, JournalError> {
        Ok(match self.get(record_id).await? {
            None => JournalError::NotFound {
                op: t.name,
                subject: format!("post {record_id}"),
            },
            Some(row) => JournalError::IllegalTransition {
                record_id: record_id.to_string(),
                transition: t.name,
                state: row.state,
                expected: t.from,
            },
        })
    }

    /// Whether the post is Published with this platform id.
    async fn published_as(&self, record_id: &str, platform_post_id: &str) -> Result<bool, JournalError> {
        let row = self.get(record_id).await?;
        Ok(row.is_some_and(|r| {
            r.state == PostState::Published && r.platform_post_id.as_deref() == Some(platform_post_id)
        }))
    }
}
