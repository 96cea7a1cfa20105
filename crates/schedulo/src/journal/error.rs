//! What can go wrong in the journal, said so that a log line alone tells which operation on
//! which record failed, and why.

use super::PostState;

#[derive(Debug, thiserror::Error)]
pub enum JournalError {
    /// The database refused or failed (I/O, a full disk, a lock held past `busy_timeout`...).
    /// The sqlx error's text is part of the message; the error itself is kept for inspection.
    #[error("journal: failed to {op} {subject}: {error}")]
    Database {
        /// What was being done, e.g. "claim the intent of".
        op: &'static str,
        /// Which record, key or item, e.g. "post recX" or "outbox row ScheduledPosts/recX".
        subject: String,
        error: sqlx::Error,
    },
    /// A transition the state machine does not allow from the post's current state; the
    /// database was not changed.
    #[error("cannot {transition} for {record_id}: it is {state}, not {expected}")]
    IllegalTransition {
        record_id: String,
        /// What was refused, e.g. "record an outcome".
        transition: &'static str,
        /// The state the post is in.
        state: PostState,
        /// The states the transition starts from, e.g. "Intent or Unknown".
        expected: &'static str,
    },
    /// The operation names a row the journal does not have.
    #[error("cannot {op} for {subject}: the journal has no such row")]
    NotFound { op: &'static str, subject: String },
    /// The operation cannot be done as asked (a counter would overflow, a post kept changing
    /// while it was observed); the database was not changed.
    #[error("cannot {op} {subject}: {detail}")]
    Conflict {
        op: &'static str,
        subject: String,
        detail: String,
    },
    /// A stored value could not be read back (a hand-edited or damaged file) or a value could
    /// not be stored (JSON that does not serialise).
    #[error("journal: {subject} holds an unreadable value: {detail}")]
    Corrupt { subject: String, detail: String },
}

impl JournalError {
    /// A stored value of `subject` that cannot be read back.
    pub(crate) fn corrupt(subject: &str, detail: String) -> JournalError {
        JournalError::Corrupt {
            subject: subject.to_string(),
            detail,
        }
    }

    /// A closure for `map_err` that wraps a sqlx error with what was being done to what.
    pub(crate) fn db(op: &'static str, subject: impl Into<String>) -> impl FnOnce(sqlx::Error) -> JournalError {
        let subject = subject.into();
        move |error| JournalError::Database { op, subject, error }
    }

    /// The underlying sqlx error, if the database failed.
    pub fn sqlx_error(&self) -> Option<&sqlx::Error> {
        match self {
            JournalError::Database { error, .. } => Some(error),
            JournalError::IllegalTransition { .. }
            | JournalError::NotFound { .. }
            | JournalError::Conflict { .. }
            | JournalError::Corrupt { .. } => None,
        }
    }
}
