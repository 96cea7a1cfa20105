//! The types of the publish state machine: states, what the scheduler observed, what the journal
//! holds, and reading a `posts` row back.

use super::{from_ms, JournalError};
use chrono::{DateTime, Utc};
use sqlx::sqlite::SqliteRow;
use sqlx::Row;
use std::fmt;

/// Where a post is in the publish state machine (see the module docs for the transitions).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum PostState {
    /// Waiting for its scheduled time; no attempt yet.
    Scheduled,
    /// Waiting for `next_attempt_at` after an attempt that provably published nothing.
    Retrying,
    /// Claimed: the publish call is about to be made or under way.
    Intent,
    /// The platform answered with the post's id.
    Published,
    /// The publish call's outcome is not known (timeout, 5xx, crash): to reconcile.
    Unknown,
    /// Reconciliation could not tell: a person must look. Never retried by the worker.
    Review,
    /// Refused for good (validation, a permanent platform error).
    Failed,
    /// Removed before any intent (deleted or unscheduled in Airtable, or cancelled).
    Cancelled,
}

impl PostState {
    /// Every state, in the order of the machine.
    pub const ALL: [PostState; 8] = [
        PostState::Scheduled,
        PostState::Retrying,
        PostState::Intent,
        PostState::Published,
        PostState::Unknown,
        PostState::Review,
        PostState::Failed,
        PostState::Cancelled,
    ];

    /// The value stored in `posts.state`.
    pub fn as_str(self) -> &'static str {
        match self {
            PostState::Scheduled => "scheduled",
            PostState::Retrying => "retrying",
            PostState::Intent => "intent",
            PostState::Published => "published",
            PostState::Unknown => "unknown",
            PostState::Review => "review",
            PostState::Failed => "failed",
            PostState::Cancelled => "cancelled",
        }
    }

    /// The state stored as `s`, if it is one.
    pub fn from_stored(s: &str) -> Option<PostState> {
        PostState::ALL.into_iter().find(|state| state.as_str() == s)
    }

    /// Waiting to be claimed (Scheduled or Retrying).
    pub fn is_waiting(self) -> bool {
        matches!(self, PostState::Scheduled | PostState::Retrying)
    }
}

impl fmt::Display for PostState {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let name = match self {
            PostState::Scheduled => "Scheduled",
            PostState::Retrying => "Retrying",
            PostState::Intent => "Intent",
            PostState::Published => "Published",
            PostState::Unknown => "Unknown",
            PostState::Review => "Review",
            PostState::Failed => "Failed",
            PostState::Cancelled => "Cancelled",
        };
        f.write_str(name)
    }
}

/// A `ScheduledPosts` record as the scheduler read it, with Status Scheduled in Airtable.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ObservedPost {
    /// The Airtable record id: the post's key in the journal.
    pub record_id: String,
    /// The base's own `PostID`, for people reading the journal.
    pub post_id: Option<String>,
    pub platform: String,
    /// The `SocialAccounts` record to publish with.
    pub account_record_id: String,
    pub scheduled_at: DateTime<Utc>,
    /// A hash of what will be published (caption, hashtags, media, account): an edit changes it.
    pub fingerprint: String,
}

/// What `observe` did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Observation {
    /// First seen: journaled as Scheduled.
    New,
    /// Scheduled/Retrying and its time, content, platform or account changed: updated, back to
    /// Scheduled, attempts reset.
    Changed,
    /// Scheduled/Retrying and nothing that matters changed.
    Unchanged,
    /// Cancelled (or Failed before any intent, and edited since) and Scheduled again in
    /// Airtable: back to Scheduled, attempts reset.
    Revived,
    /// Past the point where Airtable edits count (Intent, Unknown, Published, Review, or Failed
    /// and not edited): the journal's state stands.
    AlreadyFinal(PostState),
}

/// A `posts` row.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PostRow {
    pub record_id: String,
    pub post_id: Option<String>,
    pub platform: String,
    pub account_record_id: String,
    pub scheduled_at: DateTime<Utc>,
    pub fingerprint: String,
    pub state: PostState,
    /// Claims taken (intents recorded) since the post was last scheduled or edited.
    pub attempts: u32,
    /// When a Retrying post may be tried again.
    pub next_attempt_at: Option<DateTime<Utc>>,
    /// When the post may be claimed: the later of `scheduled_at` and `next_attempt_at`.
    pub due_at: DateTime<Utc>,
    /// When the current intent was taken (kept once past Intent; cleared by a retry).
    pub intent_at: Option<DateTime<Utc>>,
    /// Which worker took the intent.
    pub intent_owner: Option<String>,
    pub platform_post_id: Option<String>,
    pub url: Option<String>,
    pub published_at: Option<DateTime<Utc>>,
    /// The last error, unknown outcome's detail, review reason or cancel reason.
    pub last_error: Option<String>,
    /// What the platform returned for the attempt under way before it was final (TikTok's
    /// `publish_id`); cleared by a retry.
    pub receipt: Option<String>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl PostRow {
    /// Reads a row selected with `SELECT *` or `RETURNING *`.
    pub(crate) fn from_row(row: &SqliteRow) -> Result<PostRow, JournalError> {
        let record_id: String = get(row, "?", "record_id")?;
        let r = Cols {
            row,
            record_id: &record_id,
        };
        Ok(PostRow {
            post_id: r.get("post_id")?,
            platform: r.get("platform")?,
            account_record_id: r.get("account_record_id")?,
            scheduled_at: r.time("scheduled_at")?,
            fingerprint: r.get("fingerprint")?,
            state: r.state()?,
            attempts: r.attempts()?,
            next_attempt_at: r.opt_time("next_attempt_at")?,
            due_at: r.time("due_at")?,
            intent_at: r.opt_time("intent_at")?,
            intent_owner: r.get("intent_owner")?,
            platform_post_id: r.get("platform_post_id")?,
            url: r.get("url")?,
            published_at: r.opt_time("published_at")?,
            last_error: r.get("last_error")?,
            receipt: r.get("receipt")?,
            created_at: r.time("created_at")?,
            updated_at: r.time("updated_at")?,
            record_id,
        })
    }
}

/// Reads columns of one post's row, naming the post in errors.
struct Cols<'a> {
    row: &'a SqliteRow,
    record_id: &'a str,
}

impl Cols<'_> {
    fn get<T>(&self, col: &str) -> Result<T, JournalError>
    where
        T: for<'r> sqlx::Decode<'r, sqlx::Sqlite> + sqlx::Type<sqlx::Sqlite>,
    {
        get(self.row, self.record_id, col)
    }

    fn time(&self, col: &str) -> Result<DateTime<Utc>, JournalError> {
        let ms: i64 = self.get(col)?;
        from_ms(ms).ok_or_else(|| self.corrupt(col, format!("{ms} is not a time")))
    }

    fn opt_time(&self, col: &str) -> Result<Option<DateTime<Utc>>, JournalError> {
        match self.get::<Option<i64>>(col)? {
            None => Ok(None),
            Some(ms) => from_ms(ms)
                .map(Some)
                .ok_or_else(|| self.corrupt(col, format!("{ms} is not a time"))),
        }
    }

    fn state(&self) -> Result<PostState, JournalError> {
        let s: String = self.get("state")?;
        PostState::from_stored(&s).ok_or_else(|| self.corrupt("state", format!("{s:?} is not a state")))
    }

    fn attempts(&self) -> Result<u32, JournalError> {
        let n: i64 = self.get("attempts")?;
        u32::try_from(n).map_err(|_| self.corrupt("attempts", format!("{n} is out of range")))
    }

    fn corrupt(&self, col: &str, detail: String) -> JournalError {
        JournalError::Corrupt {
            subject: format!("posts.{col} of {}", self.record_id),
            detail,
        }
    }
}

fn get<T>(row: &SqliteRow, record_id: &str, col: &str) -> Result<T, JournalError>
where
    T: for<'r> sqlx::Decode<'r, sqlx::Sqlite> + sqlx::Type<sqlx::Sqlite>,
{
    row.try_get(col).map_err(|e| JournalError::Corrupt {
        subject: format!("posts.{col} of {record_id}"),
        detail: e.to_string(),
    })
}
