//! The journal: the worker's durable store, one embedded SQLite file (through `sqlx`), holding
//! the publish state machine of every post, the outbox of Airtable writes, the webhook inbox,
//! scenario state and counters, and the lease on a base.
//!
//! # Storage
//! The file is opened in WAL mode with `synchronous = FULL`: a transaction is on disk when its
//! commit returns, which is what makes an intent durable before the publish call. Also
//! `busy_timeout` ([`BUSY_TIMEOUT`]: a writer waits for another rather than failing) and
//! `foreign_keys = ON`. Every statement is in `sql/*.sql` (one file per query, bound with `$1`,
//! `$2`... which SQLite and PostgreSQL both read); the schema is in `migrations/` at the crate
//! root, applied by [`Journal::open`] (sqlx's `_sqlx_migrations` table records which ran, so
//! opening again applies nothing twice). All times are UTC, stored as integer unix milliseconds.
//!
//! Times that a decision depends on (due, claim, retry, lease) are passed in by the caller, whose
//! clock tests control. Bookkeeping times that nothing decides on (`created_at`, `updated_at`,
//! `received_at`) come from the system clock.
//!
//! # Tables
//! - `posts`, one row per `ScheduledPosts` record, keyed by `record_id` (the Airtable id):
//!   `post_id` (the base's PostID), `platform`, `account_record_id`, `scheduled_at`,
//!   `fingerprint` (a hash of what will be published), `state` (below), `attempts` (claims since
//!   last scheduled or edited), `next_attempt_at` (Retrying: not before), `due_at` (the later of
//!   `scheduled_at` and `next_attempt_at`, kept by the journal so it can be indexed),
//!   `intent_at` and `intent_owner` (the claim; kept once past Intent, cleared by a retry),
//!   `platform_post_id`, `url`, `published_at`, `last_error` (error, unknown detail, review or
//!   cancel reason), `created_at`, `updated_at`. CHECK constraints: the state is one of the
//!   eight; Intent, Unknown, Published and Review have an `intent_at`; Published has a
//!   `platform_post_id`.
//! - `outbox`, one row per (`table_name`, `record_id`): `fields` (JSON object, every field put
//!   since the last acknowledged send, latest value per field), `version` (bumped by each put),
//!   `attempts`, `next_attempt_at` (0 = at once), `last_error`, `seq` (the queue's order, oldest
//!   first: one more than the largest pending when the row was queued; a put into a pending row
//!   keeps its place), `created_at`, `updated_at`.
//! - `inbox`, one row per webhook body: `id`, `source`, `dedup_key` (unique per source when
//!   present), `body` (JSON), `received_at`, `done_at` (NULL while pending).
//! - `scenario_state` (`scenario`, `key`) -> `value` (JSON), `updated_at`.
//! - `counters` (`scenario`, `name`) -> `value` (BIGINT), `updated_at`.
//! - `leases`, one row per `base_id`: `owner`, `acquired_at`, `expires_at`.
//! - `media_jobs`, one row per `MediaLibrary` record, and `media_assets` (Cloudinary public id ->
//!   record): the Media Processor's jobs; their states are in `media.rs`, their columns in
//!   `migrations/0003_media_jobs.sql`.
//! - `airtable_webhooks`, one row per `base_id`: the webhook the worker keeps on the base
//!   (`webhook_id`, `notification_url`, `mac_secret` sealed by the vault, `expires_at`) and the
//!   `cursor` of its next payload to read (only moves forward); see `webhooks.rs`.
//!
//! # The publish state machine
//! ```text
//!  Scheduled --claim_intent--> Intent --the call answers--> Published
//!   |  ^  ^                     |  |
//!   |  |  `--record_retry-------'  `--no answer--> Unknown --reconcile--> Published | Failed | Review
//!   |  |  (nothing was published)
//!   |  `--observe again--.
//!   `--cancel---------> Cancelled
//! ```
//! Every transition is one guarded `UPDATE ... WHERE state IN (...)`; any other is refused with
//! [`JournalError::IllegalTransition`] and changes nothing.
//!
//! | from | to | by |
//! |---|---|---|
//! | (none) | Scheduled | [`Journal::observe`] (`New`) |
//! | Scheduled, Retrying | Scheduled | [`Journal::observe`] (`Changed`: time, fingerprint, platform or account edited; attempts reset) |
//! | Cancelled; Failed with no intent ever, if edited | Scheduled | [`Journal::observe`] (`Revived`) |
//! | Scheduled, Retrying | Cancelled | [`Journal::cancel`], [`Journal::forget_missing`] |
//! | Scheduled, Retrying (once due) | Intent | [`Journal::claim_intent`] |
//! | Intent | Retrying | [`Journal::record_retry`] (an error that proves nothing was published) |
//! | Intent, Unknown | Published | [`Journal::record_published`] |
//! | Intent, Unknown | Unknown | [`Journal::record_unknown`] |
//! | Intent, Unknown | Review | [`Journal::record_review`] |
//! | Scheduled, Retrying, Intent, Unknown | Failed | [`Journal::record_failed`] |
//!
//! Published, Review and Failed after an intent are final for the worker (Review waits for a
//! person). Cancelled, and Failed before any intent, end there unless Airtable lists the post as
//! Scheduled again.
//!
//! # Invariants
//! 1. The intent is committed before the publish call: [`Journal::claim_intent`] returns only
//!    after its `UPDATE` committed with `synchronous = FULL`, and only the caller that got the
//!    row may call the platform. The claim is one `UPDATE ... RETURNING` (apalis-style), so of two
//!    claims (two tasks, or two workers on one file) exactly one gets the row.
//! 2. A post past Intent is never moved back to Scheduled or Retrying (Intent -> Retrying by
//!    [`Journal::record_retry`] is the one way back, for errors that prove nothing was
//!    published). Every statement that schedules again requires `intent_at IS NULL`; the claim
//!    sets `intent_at`, only a retry clears it, and CHECK constraints forbid Intent, Unknown,
//!    Published and Review without it.
//! 3. An outbox row is deleted only when the version acknowledged is the version stored; a put
//!    after the send leaves the row (with both the old and new fields) pending.
//! 4. A webhook body is committed before [`Journal::inbox_put`] returns, so before the 2xx.
//!
//! # Recovery after a crash
//! Nothing runs at open but the migrations. A post in Intent (the worker died around the call)
//! or Unknown is returned by [`Journal::unresolved_intents`]: the scheduler reconciles each with
//! the platform (-> Published or Failed) or gives it to a person (-> Review); it never claims it
//! again. Waiting posts are simply due again. The outbox resumes from its pending rows (a row
//! sent but not acknowledged is sent again: Airtable updates are idempotent), the inbox from its
//! rows not done. Leases expire on their own.
//!
//! # Concurrency
//! A pool of connections ([`FILE_CONNECTIONS`]); SQLite lets one writer at a time, the others wait
//! up to [`BUSY_TIMEOUT`]. A transaction of several statements begins with a write so that it holds
//! the write lock before it reads (a deferred transaction that reads, then writes, can fail with
//! `SQLITE_BUSY` without waiting).
//!
//! # PostgreSQL
//! The queries run unchanged on PostgreSQL but for: `inbox.id` (`INTEGER PRIMARY KEY
//! AUTOINCREMENT` here, `BIGINT GENERATED ALWAYS AS IDENTITY` there); `COUNT(*)` comes back as
//! BIGINT on both. Several workers on one PostgreSQL journal would rely on the same guarded
//! `UPDATE`s (row locks instead of SQLite's one writer) and on the lease; there, two rows queued
//! at once may share an `outbox.seq` (a tie in the order, nothing worse).
//!
//! # Adding a migration
//! Add `migrations/NNNN_what.sql`; never edit one that has shipped. `sqlx::migrate!` embeds the
//! files at build time, and Cargo does not notice a new file there by itself: touch this module
//! (or add a build script with `cargo:rerun-if-changed=migrations`) so that it is rebuilt.

mod error;
mod inbox;
mod lease;
mod media;
mod offclock;
mod outbox;
mod outcomes;
mod post;
mod posts;
mod prepared;
mod state;
#[cfg(test)]
mod tests;
mod webhooks;

pub use error::JournalError;
pub use inbox::{InboxItem, InboxPut, AIRTABLE_PINGS};
pub use lease::Lease;
pub use media::{MediaJob, MediaJobState, MediaStep};
pub use outbox::OutboxItem;
pub use post::{Observation, ObservedPost, PostRow, PostState};
pub use posts::FORGOTTEN_REASON;

use anyhow::Context;
use chrono::{DateTime, Utc};
pub use prepared::KeptPrepared;
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePool, SqlitePoolOptions, SqliteSynchronous};
use std::path::Path;
use std::time::Duration;
pub use webhooks::KeptWebhook;

/// How long a statement waits for another connection's write lock before failing.
pub const BUSY_TIMEOUT: Duration = Duration::from_secs(5);
/// Connections to a journal file (readers run in parallel; writers take turns).
pub const FILE_CONNECTIONS: u32 = 4;

/// The durable store. Cheap to clone (the pool is shared).
#[derive(Debug, Clone)]
pub struct Journal {
    pool: SqlitePool,
}

impl Journal {
    /// Opens (creating it if missing) the journal file at `path` and applies the migrations not
    /// yet applied.
    async fn open_direct(path: &Path) -> anyhow::Result<Journal> {
        let options = SqliteConnectOptions::new()
            .filename(path)
            .create_if_missing(true)
            .journal_mode(SqliteJournalMode::Wal)
            .synchronous(SqliteSynchronous::Full)
            .busy_timeout(BUSY_TIMEOUT)
            .foreign_keys(true);
        let pool = SqlitePoolOptions::new()
            .max_connections(FILE_CONNECTIONS)
            .connect_with(options)
            .await
            .with_context(|| format!("Failed to open the journal {}", path.display()))?;
        Journal::migrated(pool)
            .await
            .with_context(|| format!("Failed to migrate the journal {}", path.display()))
    }

    /// A journal in memory, for tests: one connection, shared by every caller, kept open for the
    /// journal's life (the database goes with it).
    async fn open_in_memory_direct() -> anyhow::Result<Journal> {
        let options = SqliteConnectOptions::new()
            .in_memory(true)
            .busy_timeout(BUSY_TIMEOUT)
            .foreign_keys(true);
        let pool = SqlitePoolOptions::new()
            .max_connections(1)
            .min_connections(1)
            .idle_timeout(None)
            .max_lifetime(None)
            .connect_with(options)
            .await
            .context("Failed to open an in-memory journal")?;
        Journal::migrated(pool)
            .await
            .context("Failed to migrate an in-memory journal")
    }

    async fn migrated(pool: SqlitePool) -> anyhow::Result<Journal> {
        sqlx::migrate!("./migrations").run(&pool).await?;
        Ok(Journal { pool })
    }

    /// Closes every connection, waiting for those in use (the file is then free to reopen or
    /// copy).
    pub async fn close(self) {
        self.pool.close().await;
    }
}

/// A time as stored: unix milliseconds.
fn to_ms(t: DateTime<Utc>) -> i64 {
    t.timestamp_millis()
}

/// A stored time, if it is one chrono can represent.
fn from_ms(ms: i64) -> Option<DateTime<Utc>> {
    DateTime::from_timestamp_millis(ms)
}

/// The system clock, for bookkeeping times only (see "Storage").
fn system_now_ms() -> i64 {
    to_ms(Utc::now())
}
