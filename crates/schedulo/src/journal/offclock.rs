//! The journal's public calls, each run on a blocking thread (`spawn_blocking` + `Handle::block_on`).
//!
//! sqlx runs SQLite on threads of its own, so while a query is pending the tokio runtime looks
//! idle; under a paused clock (tests) tokio would then auto-advance time, firing timeouts and moving
//! the clock during every journal call. A blocking task holds auto-advance off while it runs, so the
//! paused clock waits for the database as a real clock would. In production it costs a thread hop.

use super::*;
use crate::airtable::Fields;
use chrono::{DateTime, Utc};
use std::future::Future;

/// Runs a journal future on a blocking thread of the current runtime.
pub(super) async fn off_clock<T: Send + 'static>(fut: impl Future<Output = T> + Send + 'static) -> T {
    let handle = tokio::runtime::Handle::current();
    match tokio::task::spawn_blocking(move || handle.block_on(fut)).await {
        Ok(value) => value,
        Err(e) => std::panic::resume_unwind(e.into_panic()),
    }
}

impl Journal {
    /// Opens (creates) the journal file and runs the migrations.
    pub async fn open(path: &std::path::Path) -> anyhow::Result<Journal> {
        let path = path.to_path_buf();
        off_clock(async move { Journal::open_direct(&path).await }).await
    }

    /// A journal in memory (tests): one connection, shared.
    pub async fn open_in_memory() -> anyhow::Result<Journal> {
        off_clock(Journal::open_in_memory_direct()).await
    }

    /// Intent/Unknown -> Published with the platform's id and URL. Recording the same id again
    /// is accepted (a reconciliation that repeats itself), another id is refused.
    pub async fn record_published(
        &self,
        record_id: &str,
        platform_post_id: &str,
        url: &str,
        at: DateTime<Utc>,
    ) -> Result<(), JournalError> {
        let journal = self.clone();
        let record_id = record_id.to_string();
        let platform_post_id = platform_post_id.to_string();
        let url = url.to_string();
        off_clock(async move {
            journal
                .record_published_direct(&record_id, &platform_post_id, &url, at)
                .await
        })
        .await
    }

    /// Intent/Unknown -> Unknown: the publish call's outcome is not known (timeout, 5xx, a body
    /// that could not be read). Never retried blindly: reconciliation decides.
    pub async fn record_unknown(&self, record_id: &str, detail: &str, at: DateTime<Utc>) -> Result<(), JournalError> {
        let journal = self.clone();
        let record_id = record_id.to_string();
        let detail = detail.to_string();
        off_clock(async move { journal.record_unknown_direct(&record_id, &detail, at).await }).await
    }

    /// Intent/Unknown -> Retrying, due again at the later of its scheduled time and `next_attempt_at`.
    /// Only for errors that prove nothing was published (raised before or without the publish
    /// call, or a refusal the platform documents as such).
    pub async fn record_retry(
        &self,
        record_id: &str,
        next_attempt_at: DateTime<Utc>,
        error: &str,
    ) -> Result<(), JournalError> {
        let journal = self.clone();
        let record_id = record_id.to_string();
        let error = error.to_string();
        off_clock(async move { journal.record_retry_direct(&record_id, next_attempt_at, &error).await }).await
    }

    /// Intent -> Retrying until `until`, for a platform's rate limit: the attempt is given back.
    pub async fn record_wait(&self, record_id: &str, until: DateTime<Utc>, reason: &str) -> Result<(), JournalError> {
        let journal = self.clone();
        let record_id = record_id.to_string();
        let reason = reason.to_string();
        off_clock(async move { journal.record_wait_direct(&record_id, until, &reason).await }).await
    }

    /// Scheduled/Retrying/Intent/Unknown -> Failed, for good (validation before the claim, a
    /// permanent refusal from the platform, or reconciliation that found the post refused).
    pub async fn record_failed(&self, record_id: &str, message: &str, at: DateTime<Utc>) -> Result<(), JournalError> {
        let journal = self.clone();
        let record_id = record_id.to_string();
        let message = message.to_string();
        off_clock(async move { journal.record_failed_direct(&record_id, &message, at).await }).await
    }

    /// Intent/Unknown -> Review: reconciliation could not tell whether the post is public (or the
    /// platform offers no way to ask). A person decides; the worker never retries it.
    pub async fn record_review(&self, record_id: &str, message: &str, at: DateTime<Utc>) -> Result<(), JournalError> {
        let journal = self.clone();
        let record_id = record_id.to_string();
        let message = message.to_string();
        off_clock(async move { journal.record_review_direct(&record_id, &message, at).await }).await
    }

    /// Records that Airtable lists `post` as Scheduled: inserts it as Scheduled if new, updates
    /// it (attempts reset) if it waits and its time, fingerprint, platform or account changed,
    /// revives it if it was Cancelled (or Failed before any intent, and edited since), and
    /// otherwise leaves it alone: a post past the intent is never touched.
    pub async fn observe(&self, post: &ObservedPost) -> Result<Observation, JournalError> {
        let journal = self.clone();
        let post = post.clone();
        off_clock(async move { journal.observe_direct(&post).await }).await
    }

    /// Cancels the waiting posts scheduled in `[window_start, window_end)` whose ids are not in
    /// `seen_record_ids`, the complete list of Scheduled posts Airtable gave for that window.
    /// Returns the ids cancelled. The window must be exactly the one that was read.
    pub async fn forget_missing(
        &self,
        seen_record_ids: &[String],
        window_start: DateTime<Utc>,
        window_end: DateTime<Utc>,
    ) -> Result<Vec<String>, JournalError> {
        let journal = self.clone();
        let seen_record_ids = seen_record_ids.to_vec();
        off_clock(async move {
            journal
                .forget_missing_direct(&seen_record_ids, window_start, window_end)
                .await
        })
        .await
    }

    /// Cancels a waiting (Scheduled/Retrying) post; false if it is past that (or unknown).
    pub async fn cancel(&self, record_id: &str, reason: &str) -> Result<bool, JournalError> {
        let journal = self.clone();
        let record_id = record_id.to_string();
        let reason = reason.to_string();
        off_clock(async move { journal.cancel_direct(&record_id, &reason).await }).await
    }

    /// The waiting post due first, and when: what the scheduler sleeps until.
    pub async fn next_due(&self) -> Result<Option<(String, DateTime<Utc>)>, JournalError> {
        let journal = self.clone();

        off_clock(async move { journal.next_due_direct().await }).await
    }

    /// Waiting posts due at `now`, earliest first, at most `limit`.
    pub async fn due(&self, now: DateTime<Utc>, limit: u32) -> Result<Vec<PostRow>, JournalError> {
        let journal = self.clone();

        off_clock(async move { journal.due_direct(now, limit).await }).await
    }

    /// Claims the right to publish: a waiting post that is due moves to Intent (`intent_at` =
    /// `now`, `owner`, attempts + 1) in one statement, committed (and, with `synchronous = FULL`,
    /// on disk) before this returns. `None` if another claim won, or the post is not waiting, not
    /// due or not journaled. Only the caller that gets `Some` may make the publish call.
    pub async fn claim_intent(
        &self,
        record_id: &str,
        owner: &str,
        now: DateTime<Utc>,
    ) -> Result<Option<PostRow>, JournalError> {
        let journal = self.clone();
        let record_id = record_id.to_string();
        let owner = owner.to_string();
        off_clock(async move { journal.claim_intent_direct(&record_id, &owner, now).await }).await
    }

    /// Intents without an outcome (Intent: the worker died during the call; Unknown), oldest
    /// first. Called at start, before any new claim, to reconcile each.
    pub async fn unresolved_intents(&self) -> Result<Vec<PostRow>, JournalError> {
        let journal = self.clone();

        off_clock(async move { journal.unresolved_intents_direct().await }).await
    }

    /// One post, if journaled.
    pub async fn get(&self, record_id: &str) -> Result<Option<PostRow>, JournalError> {
        let journal = self.clone();
        let record_id = record_id.to_string();
        off_clock(async move { journal.get_direct(&record_id).await }).await
    }

    /// How many posts are in each state: every state, in the machine's order, zeros included.
    pub async fn counts_by_state(&self) -> Result<Vec<(PostState, u64)>, JournalError> {
        let journal = self.clone();

        off_clock(async move { journal.counts_by_state_direct().await }).await
    }

    /// The value stored under (`scenario`, `key`), if any.
    pub async fn state_get(&self, scenario: &str, key: &str) -> Result<Option<serde_json::Value>, JournalError> {
        let journal = self.clone();
        let scenario = scenario.to_string();
        let key = key.to_string();
        off_clock(async move { journal.state_get_direct(&scenario, &key).await }).await
    }

    /// Stores `value` under (`scenario`, `key`), replacing what was there.
    pub async fn state_set(&self, scenario: &str, key: &str, value: &serde_json::Value) -> Result<(), JournalError> {
        let journal = self.clone();
        let scenario = scenario.to_string();
        let key = key.to_string();
        let value = value.clone();
        off_clock(async move { journal.state_set_direct(&scenario, &key, &value).await }).await
    }

    /// Adds `by` (which may be negative) to a counter that starts at 0; returns the new value.
    /// An overflow past `i64` is an error, and the counter is left as it was.
    pub async fn counter_add(&self, scenario: &str, name: &str, by: i64) -> Result<i64, JournalError> {
        let journal = self.clone();
        let scenario = scenario.to_string();
        let name = name.to_string();
        off_clock(async move { journal.counter_add_direct(&scenario, &name, by).await }).await
    }

    /// Sets a counter back to 0.
    pub async fn counter_reset(&self, scenario: &str, name: &str) -> Result<(), JournalError> {
        let journal = self.clone();
        let scenario = scenario.to_string();
        let name = name.to_string();
        off_clock(async move { journal.counter_reset_direct(&scenario, &name).await }).await
    }

    /// Keeps what preparation produced for a post (replacing what was kept).
    pub async fn keep_prepared(&self, kept: &KeptPrepared) -> Result<(), JournalError> {
        let journal = self.clone();
        let kept = kept.clone();
        off_clock(async move { journal.keep_prepared_direct(&kept).await }).await
    }

    /// What preparation produced for a post, if anything is kept.
    pub async fn prepared(&self, record_id: &str) -> Result<Option<KeptPrepared>, JournalError> {
        let journal = self.clone();
        let record_id = record_id.to_string();
        off_clock(async move { journal.prepared_direct(&record_id).await }).await
    }

    /// Forgets what preparation produced for a post (it was used, refused, or went stale).
    pub async fn drop_prepared(&self, record_id: &str) -> Result<(), JournalError> {
        let journal = self.clone();
        let record_id = record_id.to_string();
        off_clock(async move { journal.drop_prepared_direct(&record_id).await }).await
    }

    /// Keeps the platform's receipt for the attempt under way (Intent or Unknown).
    pub async fn record_receipt(&self, record_id: &str, receipt: &str) -> Result<(), JournalError> {
        let journal = self.clone();
        let record_id = record_id.to_string();
        let receipt = receipt.to_string();
        off_clock(async move { journal.record_receipt_direct(&record_id, &receipt).await }).await
    }

    /// A counter's value (0 if never added to).
    pub async fn counter_get(&self, scenario: &str, name: &str) -> Result<i64, JournalError> {
        let journal = self.clone();
        let scenario = scenario.to_string();
        let name = name.to_string();
        off_clock(async move { journal.counter_get_direct(&scenario, &name).await }).await
    }

    /// For each published post, milliseconds from its scheduled time to its publication (benchmarks).
    pub async fn publish_lags_ms(&self) -> Result<Vec<i64>, JournalError> {
        let journal = self.clone();

        off_clock(async move { journal.publish_lags_ms_direct().await }).await
    }

    /// The same, for the posts of one platform (`"Instagram"`, `"TikTok"`...).
    pub async fn publish_lags_ms_on(&self, platform: &str) -> Result<Vec<i64>, JournalError> {
        let journal = self.clone();
        let platform = platform.to_string();
        off_clock(async move { journal.publish_lags_ms_on_direct(&platform).await }).await
    }

    /// Queues `fields` for `record_id` of `table`, merged into the pending row if there is one
    /// (a later value wins per field; a null value clears the field in Airtable and is kept).
    /// The row's version is bumped, so a send of an older version does not delete it. Putting
    /// no fields does nothing. A row waiting after a failed send keeps its `next_attempt_at`.
    pub async fn outbox_put(&self, table: &str, record_id: &str, fields: &Fields) -> Result<(), JournalError> {
        let journal = self.clone();
        let table = table.to_string();
        let record_id = record_id.to_string();
        let fields = fields.clone();
        off_clock(async move { journal.outbox_put_direct(&table, &record_id, &fields, 0).await }).await
    }

    /// [`Journal::outbox_put`] of a write that is not due before `not_before` (so that writes
    /// queued meanwhile share its request); a row already pending keeps its due time.
    pub async fn outbox_put_after(
        &self,
        table: &str,
        record_id: &str,
        fields: &Fields,
        not_before: DateTime<Utc>,
    ) -> Result<(), JournalError> {
        let journal = self.clone();
        let table = table.to_string();
        let record_id = record_id.to_string();
        let fields = fields.clone();
        let at = to_ms(not_before);
        off_clock(async move { journal.outbox_put_direct(&table, &record_id, &fields, at).await }).await
    }

    /// Pending rows of `table` due at `now`, oldest first, at most `limit`.
    pub async fn outbox_next(
        &self,
        table: &str,
        now: DateTime<Utc>,
        limit: u32,
    ) -> Result<Vec<OutboxItem>, JournalError> {
        let journal = self.clone();
        let table = table.to_string();
        off_clock(async move { journal.outbox_next_direct(&table, now, limit).await }).await
    }

    /// Acknowledges sent rows, given as (table, record id, version sent): each row is deleted
    /// only if its version is still the one sent; a row put since stays pending.
    pub async fn outbox_ack(&self, items: &[(String, String, i64)]) -> Result<(), JournalError> {
        let journal = self.clone();
        let items = items.to_vec();
        off_clock(async move { journal.outbox_ack_direct(&items).await }).await
    }

    /// Records a failed send of the rows (table, record id): attempts + 1, not due again before
    /// `next_attempt_at`.
    pub async fn outbox_retry(
        &self,
        keys: &[(String, String)],
        next_attempt_at: DateTime<Utc>,
        error: &str,
    ) -> Result<(), JournalError> {
        let journal = self.clone();
        let keys = keys.to_vec();
        let error = error.to_string();
        off_clock(async move { journal.outbox_retry_direct(&keys, next_attempt_at, &error).await }).await
    }

    /// The tables that have pending rows, by name.
    pub async fn outbox_tables(&self) -> Result<Vec<String>, JournalError> {
        let journal = self.clone();

        off_clock(async move { journal.outbox_tables_direct().await }).await
    }

    /// How many rows are pending, due or not.
    pub async fn outbox_len(&self) -> Result<u64, JournalError> {
        let journal = self.clone();

        off_clock(async move { journal.outbox_len_direct().await }).await
    }

    /// When the earliest pending write is due (`None`: the outbox is empty).
    pub async fn outbox_next_attempt(&self) -> Result<Option<DateTime<Utc>>, JournalError> {
        let journal = self.clone();

        off_clock(async move { journal.outbox_next_attempt_direct().await }).await
    }

    /// Stores a webhook body, committed before this returns. With a `dedup_key`, a second body
    /// with the same (source, key) is not stored; without one, every body is.
    pub async fn inbox_put(
        &self,
        source: &str,
        dedup_key: Option<&str>,
        body: &serde_json::Value,
    ) -> Result<InboxPut, JournalError> {
        let journal = self.clone();
        let source = source.to_string();
        let dedup_key = dedup_key.map(str::to_string);
        let body = body.clone();
        off_clock(async move { journal.inbox_put_direct(&source, dedup_key.as_deref(), &body).await }).await
    }

    /// Bodies not yet handled, in the order received, at most `limit`.
    pub async fn inbox_pending(&self, limit: u32) -> Result<Vec<InboxItem>, JournalError> {
        let journal = self.clone();

        off_clock(async move { journal.inbox_pending_direct(limit).await }).await
    }

    /// Marks item `id` handled (again is fine).
    pub async fn inbox_done(&self, id: i64) -> Result<(), JournalError> {
        let journal = self.clone();

        off_clock(async move { journal.inbox_done_direct(id).await }).await
    }

    /// Forgets items handled before `before`; returns how many. A duplicate of a forgotten item
    /// is stored again, so keep items longer than any sender retries.
    pub async fn inbox_prune(&self, before: DateTime<Utc>) -> Result<u64, JournalError> {
        let journal = self.clone();

        off_clock(async move { journal.inbox_prune_direct(before).await }).await
    }

    /// Takes the lease of `base_id` for `owner` until `now + ttl` if it is free or expired at
    /// `now`, or renews it if `owner` holds it. True if `owner` holds it now.
    pub async fn acquire_lease(
        &self,
        base_id: &str,
        owner: &str,
        now: DateTime<Utc>,
        ttl: Duration,
    ) -> Result<bool, JournalError> {
        let journal = self.clone();
        let base_id = base_id.to_string();
        let owner = owner.to_string();
        off_clock(async move { journal.acquire_lease_direct(&base_id, &owner, now, ttl).await }).await
    }

    /// Gives the lease up, if `owner` holds it (otherwise does nothing).
    pub async fn release_lease(&self, base_id: &str, owner: &str) -> Result<(), JournalError> {
        let journal = self.clone();
        let base_id = base_id.to_string();
        let owner = owner.to_string();
        off_clock(async move { journal.release_lease_direct(&base_id, &owner).await }).await
    }

    /// Who holds the lease of `base_id` (expired or not), for `status`.
    pub async fn lease(&self, base_id: &str) -> Result<Option<Lease>, JournalError> {
        let journal = self.clone();
        let base_id = base_id.to_string();
        off_clock(async move { journal.lease_direct(&base_id).await }).await
    }

    /// Posts that wait for something (Retrying, Intent, Unknown, Review), newest first (for `status`).
    pub async fn waiting(&self, limit: u32) -> Result<Vec<PostRow>, JournalError> {
        let journal = self.clone();
        off_clock(async move {
            let rows = sqlx::query(include_str!("sql/posts_waiting.sql"))
                .bind(i64::from(limit))
                .fetch_all(&journal.pool)
                .await
                .map_err(JournalError::db("list", "waiting posts"))?;
            rows.iter().map(PostRow::from_row).collect()
        })
        .await
    }
}
