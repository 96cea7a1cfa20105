//! The publish state machine up to the claim: observing Airtable's list, cancelling, finding
//! what is due, claiming the intent; and reading posts back.

use super::post::{Observation, ObservedPost, PostRow, PostState};
use super::{from_ms, system_now_ms, to_ms, Journal, JournalError};
use chrono::{DateTime, Utc};
use sqlx::Row;
use std::collections::HashSet;

const GET: &str = include_str!("sql/post_get.sql");
const INSERT: &str = include_str!("sql/post_insert.sql");
const RESCHEDULE: &str = include_str!("sql/post_reschedule.sql");
const CANCEL: &str = include_str!("sql/post_cancel.sql");
const WAITING_IN_WINDOW: &str = include_str!("sql/posts_waiting_in_window.sql");
const FORGET: &str = include_str!("sql/post_forget.sql");
const NEXT_DUE: &str = include_str!("sql/post_next_due.sql");
const DUE: &str = include_str!("sql/posts_due.sql");
const CLAIM: &str = include_str!("sql/post_claim.sql");
const UNRESOLVED: &str = include_str!("sql/posts_unresolved.sql");
const COUNT_BY_STATE: &str = include_str!("sql/posts_count_by_state.sql");

/// How many times `observe` re-reads a post that changed under it before giving up.
const OBSERVE_ROUNDS: usize = 4;

/// The reason stored on posts that `forget_missing` cancels.
pub const FORGOTTEN_REASON: &str = "no longer scheduled in Airtable (deleted, or its status changed)";

impl Journal {
    pub(super) async fn observe_direct(&self, post: &ObservedPost) -> Result<Observation, JournalError> {
        for _ in 0..OBSERVE_ROUNDS {
            let outcome = match self.get(&post.record_id).await? {
                None => self.insert(post).await?.then_some(Observation::New),
                Some(row) => match decide(&row, post) {
                    Decision::Keep(observation) => Some(observation),
                    Decision::Reschedule(observation) => self.reschedule(post, row.state).await?.then_some(observation),
                },
            };
            if let Some(observation) = outcome {
                return Ok(observation);
            }
        }
        Err(JournalError::Conflict {
            op: "observe",
            subject: format!("post {}", post.record_id),
            detail: format!("it changed under {OBSERVE_ROUNDS} observations in a row"),
        })
    }

    /// Inserts a new post; false if another task journaled it first.
    async fn insert(&self, post: &ObservedPost) -> Result<bool, JournalError> {
        let done = bind_observed(sqlx::query(INSERT), post)
            .execute(&self.pool)
            .await
            .map_err(JournalError::db("journal", format!("post {}", post.record_id)))?;
        Ok(done.rows_affected() == 1)
    }

    /// Moves a post read in state `read` back to Scheduled with `post`'s values; false if its
    /// state changed since it was read.
    async fn reschedule(&self, post: &ObservedPost, read: PostState) -> Result<bool, JournalError> {
        let done = bind_observed(sqlx::query(RESCHEDULE), post)
            .bind(read.as_str())
            .execute(&self.pool)
            .await
            .map_err(JournalError::db("reschedule", format!("post {}", post.record_id)))?;
        Ok(done.rows_affected() == 1)
    }

    pub(super) async fn forget_missing_direct(
        &self,
        seen_record_ids: &[String],
        window_start: DateTime<Utc>,
        window_end: DateTime<Utc>,
    ) -> Result<Vec<String>, JournalError> {
        let (start, end) = (to_ms(window_start), to_ms(window_end));
        let waiting: Vec<String> = sqlx::query_scalar(WAITING_IN_WINDOW)
            .bind(start)
            .bind(end)
            .fetch_all(&self.pool)
            .await
            .map_err(JournalError::db("list", "waiting posts in the window"))?;
        let seen: HashSet<&str> = seen_record_ids.iter().map(String::as_str).collect();
        let mut cancelled = Vec::new();
        for record_id in waiting.into_iter().filter(|id| !seen.contains(id.as_str())) {
            let done = sqlx::query(FORGET)
                .bind(&record_id)
                .bind(FORGOTTEN_REASON)
                .bind(system_now_ms())
                .bind(start)
                .bind(end)
                .execute(&self.pool)
                .await
                .map_err(JournalError::db("cancel", format!("post {record_id}")))?;
            if done.rows_affected() == 1 {
                cancelled.push(record_id);
            }
        }
        Ok(cancelled)
    }

    pub(super) async fn cancel_direct(&self, record_id: &str, reason: &str) -> Result<bool, JournalError> {
        let done = sqlx::query(CANCEL)
            .bind(record_id)
            .bind(reason)
            .bind(system_now_ms())
            .execute(&self.pool)
            .await
            .map_err(JournalError::db("cancel", format!("post {record_id}")))?;
        Ok(done.rows_affected() == 1)
    }

    pub(super) async fn next_due_direct(&self) -> Result<Option<(String, DateTime<Utc>)>, JournalError> {
        let row = sqlx::query(NEXT_DUE)
            .fetch_optional(&self.pool)
            .await
            .map_err(JournalError::db("find", "the next due post"))?;
        let Some(row) = row else { return Ok(None) };
        let read = |e: sqlx::Error| JournalError::Corrupt {
            subject: "the next due post".into(),
            detail: e.to_string(),
        };
        let record_id: String = row.try_get("record_id").map_err(read)?;
        let due_ms: i64 = row.try_get("due_at").map_err(read)?;
        let due = from_ms(due_ms).ok_or_else(|| JournalError::Corrupt {
            subject: format!("posts.due_at of {record_id}"),
            detail: format!("{due_ms} is not a time"),
        })?;
        Ok(Some((record_id, due)))
    }

    pub(super) async fn due_direct(&self, now: DateTime<Utc>, limit: u32) -> Result<Vec<PostRow>, JournalError> {
        let rows = sqlx::query(DUE)
            .bind(to_ms(now))
            .bind(i64::from(limit))
            .fetch_all(&self.pool)
            .await
            .map_err(JournalError::db("list", "due posts"))?;
        rows.iter().map(PostRow::from_row).collect()
    }

    pub(super) async fn claim_intent_direct(
        &self,
        record_id: &str,
        owner: &str,
        now: DateTime<Utc>,
    ) -> Result<Option<PostRow>, JournalError> {
        let row = sqlx::query(CLAIM)
            .bind(record_id)
            .bind(to_ms(now))
            .bind(owner)
            .fetch_optional(&self.pool)
            .await
            .map_err(JournalError::db("claim the intent of", format!("post {record_id}")))?;
        row.as_ref().map(PostRow::from_row).transpose()
    }

    pub(super) async fn unresolved_intents_direct(&self) -> Result<Vec<PostRow>, JournalError> {
        let rows = sqlx::query(UNRESOLVED)
            .fetch_all(&self.pool)
            .await
            .map_err(JournalError::db("list", "unresolved intents"))?;
        rows.iter().map(PostRow::from_row).collect()
    }

    pub(super) async fn get_direct(&self, record_id: &str) -> Result<Option<PostRow>, JournalError> {
        let row = sqlx::query(GET)
            .bind(record_id)
            .fetch_optional(&self.pool)
            .await
            .map_err(JournalError::db("read", format!("post {record_id}")))?;
        row.as_ref().map(PostRow::from_row).transpose()
    }

    pub(super) async fn counts_by_state_direct(&self) -> Result<Vec<(PostState, u64)>, JournalError> {
        let rows: Vec<(String, i64)> = sqlx::query_as(COUNT_BY_STATE)
            .fetch_all(&self.pool)
            .await
            .map_err(JournalError::db("count", "posts by state"))?;
        let mut counts: Vec<(PostState, u64)> = PostState::ALL.iter().map(|s| (*s, 0)).collect();
        for (stored, n) in rows {
            let state = PostState::from_stored(&stored).ok_or_else(|| JournalError::Corrupt {
                subject: "posts.state".into(),
                detail: format!("{stored:?} is not a state"),
            })?;
            if let Some(slot) = counts.iter_mut().find(|(s, _)| *s == state) {
                slot.1 = u64::try_from(n).unwrap_or(0);
            }
        }
        Ok(counts)
    }
}

/// What `observe` does with a journaled post.
enum Decision {
    Keep(Observation),
    Reschedule(Observation),
}

fn decide(row: &PostRow, post: &ObservedPost) -> Decision {
    let changed = row.scheduled_at != post.scheduled_at
        || row.fingerprint != post.fingerprint
        || row.platform != post.platform
        || row.account_record_id != post.account_record_id;
    let before_intent = row.intent_at.is_none();
    match row.state {
        PostState::Scheduled | PostState::Retrying if changed => Decision::Reschedule(Observation::Changed),
        PostState::Scheduled | PostState::Retrying => Decision::Keep(Observation::Unchanged),
        PostState::Cancelled if before_intent => Decision::Reschedule(Observation::Revived),
        PostState::Failed if before_intent && changed => Decision::Reschedule(Observation::Revived),
        state @ (PostState::Intent
        | PostState::Published
        | PostState::Unknown
        | PostState::Review
        | PostState::Failed
        | PostState::Cancelled) => Decision::Keep(Observation::AlreadyFinal(state)),
    }
}

/// Binds `$1`..`$7` of `post_insert.sql` and `post_reschedule.sql`.
fn bind_observed<'q>(
    query: sqlx::query::Query<'q, sqlx::Sqlite, sqlx::sqlite::SqliteArguments<'q>>,
    post: &'q ObservedPost,
) -> sqlx::query::Query<'q, sqlx::Sqlite, sqlx::sqlite::SqliteArguments<'q>> {
    query
        .bind(&post.record_id)
        .bind(post.post_id.as_deref())
        .bind(&post.platform)
        .bind(&post.account_record_id)
        .bind(to_ms(post.scheduled_at))
        .bind(&post.fingerprint)
        .bind(system_now_ms())
}
