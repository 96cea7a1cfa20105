//! Publishing a due post, and settling the outcome of one whose publish call was not confirmed.

use super::{PostScheduler, Ready};
use crate::base::{PostStatus, ScheduledPost};
use crate::error_class::ErrorClass;
use crate::journal::PostRow;
use crate::platforms::{Account, Attempt, Found, PublishError, Published, Sent};
use chrono::{DateTime, Utc};
use tokio::task::JoinSet;

/// How many posts are published at the same time.
const CONCURRENCY: usize = 32;
/// How long after the intent the platform's listing is trusted to show a post that went out
/// (timelines and feeds can lag): before that, "not found" is checked again, not believed.
const SETTLE: chrono::Duration = chrono::Duration::minutes(2);
/// The shortest hold for a rate limit that is written to Airtable (shorter ones cost a write for
/// nothing: the post is out before anyone reads it).
const SHOWN_HOLD: chrono::Duration = chrono::Duration::seconds(60);
/// Journal counters of reconciliation (per record: how often it was published again).
const RECONCILE: &str = "reconcile";

/// A finished publish task; a task that panicked is logged (its post stays claimed and is
/// reconciled by the loop), never allowed to stop the others.
fn joined(done: Result<(String, Outcome), tokio::task::JoinError>) -> Option<(String, Outcome)> {
    match done {
        Ok(outcome) => Some(outcome),
        Err(error) => {
            tracing::error!(message = "A publish task stopped unexpectedly.", %error);
            None
        }
    }
}

/// What became of one due post.
#[derive(Debug, Clone, PartialEq)]
pub enum Outcome {
    Published(Published),
    /// Will be tried again (or waits for a rate limit) at that time.
    Retrying(DateTime<Utc>),
    Failed(String),
    /// The platform took the post and is processing it (TikTok): checked again at that time.
    Processing(DateTime<Utc>),
    /// The publish call was not confirmed and the platform could not tell: a person must look.
    Review(String),
    /// Not published now: no longer claimable, or the scenario is paused.
    Skipped,
}

impl PostScheduler {
    /// Publishes every post due now or within the confirm lead, up to 32 at a time: first one
    /// confirm read for all of them (100 posts a call), then each on its second, as Airtable
    /// showed it.
    pub async fn publish_due(self: &std::sync::Arc<Self>) -> anyhow::Result<Vec<(String, Outcome)>> {
        let lead = self.spec.trigger.confirm_lead();
        let rows = self.journal.due(self.clock.now() + lead, 1000).await?;
        if rows.is_empty() {
            return Ok(Vec::new());
        }
        let unconfirmed: Vec<String> = rows
            .iter()
            .filter(|r| !self.confirmed_for(&r.record_id, r.due_at))
            .map(|r| r.record_id.clone())
            .collect();
        if !unconfirmed.is_empty() {
            let report = self.confirm(&unconfirmed).await;
            tracing::debug!(
                message = "Due posts confirmed against Airtable.",
                asked = unconfirmed.len(),
                confirmed = report.confirmed,
                cancelled = report.cancelled
            );
        }
        let mut outcomes = Vec::with_capacity(rows.len());
        let mut tasks = JoinSet::new();
        for row in rows {
            // The confirm read may have moved, edited or cancelled it: the journal says what is due.
            let Some(row) = self.journal.get(&row.record_id).await? else {
                continue;
            };
            let waiting = matches!(
                row.state,
                crate::journal::PostState::Scheduled | crate::journal::PostState::Retrying
            );
            if !waiting || row.due_at > self.clock.now() + lead || !self.confirmed_for(&row.record_id, row.due_at) {
                outcomes.push((row.record_id.clone(), Outcome::Skipped));
                continue;
            }
            if tasks.len() >= CONCURRENCY {
                if let Some(done) = tasks.join_next().await {
                    outcomes.extend(joined(done));
                }
            }
            let this = self.clone();
            tasks.spawn(async move {
                let id = row.record_id.clone();
                // Confirmed a moment ahead: it goes out on its second.
                this.clock.sleep_until(row.due_at).await;
                let outcome = this.publish_one(row).await.unwrap_or_else(|error| {
                    tracing::error!(message = "Failed to publish a post.", record = %id, error = %format!("{error:#}"));
                    Outcome::Skipped
                });
                (id, outcome)
            });
        }
        while let Some(done) = tasks.join_next().await {
            outcomes.extend(joined(done));
        }
        Ok(outcomes)
    }

    /// The post as last read; read again when this process has not seen it (an intent left by a
    /// crash, reconciled after a restart).
    async fn ready_for(&self, record_id: &str) -> anyhow::Result<Option<Ready>> {
        if let Some(r) = self.ready.lock().expect("ready lock").get(record_id).cloned() {
            return Ok(Some(r));
        }
        self.sync_one(record_id).await?;
        Ok(self.ready.lock().expect("ready lock").get(record_id).cloned())
    }

    /// Publishes one due post: checks it, claims it (intent), uploads media, publishes.
    pub(crate) async fn publish_one(&self, row: PostRow) -> anyhow::Result<Outcome> {
        if self.paused().await? {
            return Ok(Outcome::Skipped);
        }
        // Never on stale data: a post not confirmed against the base just now is read again first.
        if !self.confirmed_for(&row.record_id, row.due_at) {
            self.confirm(std::slice::from_ref(&row.record_id)).await;
            if !self.confirmed_for(&row.record_id, row.due_at) {
                return Ok(Outcome::Skipped);
            }
        }
        // The confirm read just put it in the cache; a post it did not put there was cancelled or
        // failed by that read, and reading it again would only spend calls.
        let Some(mut ready) = self.ready.lock().expect("ready lock").get(&row.record_id).cloned() else {
            return Ok(Outcome::Skipped);
        };
        let platform = ready.account.platform;
        if let Err(message) = self.preflight(&ready, &row) {
            self.fail_unclaimed(&row.record_id, &message).await?;
            return Ok(Outcome::Failed(message));
        }
        ready.content = match self.with_media_info(&ready.content).await {
            Ok(content) => self.with_variants(&content, platform),
            Err(message) => {
                self.fail_unclaimed(&row.record_id, &message).await?;
                return Ok(Outcome::Failed(message));
            }
        };
        if let Err(violation) = self.publishers.check(platform, &ready.content) {
            self.fail_unclaimed(&row.record_id, &violation.message).await?;
            return Ok(Outcome::Failed(violation.message));
        }
        let Some(claimed) = self
            .journal
            .claim_intent(&row.record_id, &self.owner, self.clock.now())
            .await?
        else {
            return Ok(Outcome::Skipped);
        };
        let account = match self.account(&ready) {
            Ok(a) => a,
            Err(message) => return self.fail_claimed(&claimed, &message).await,
        };
        let prepared = match self.prepared_for(&ready, &account).await? {
            Ok(p) => p,
            Err(e) => return self.after_error(&claimed, e, false).await,
        };
        let lag_ms = (self.clock.now() - ready.post.scheduled_time).num_milliseconds();
        let receipts = self.receipts(&claimed);
        let sent = self
            .publishers
            .publish(platform, &account, &ready.content, &prepared, &receipts)
            .await;
        if let Err(e) = &sent {
            if matches!(e.class, ErrorClass::Permanent | ErrorClass::Auth) {
                // Refused: what was prepared is not used again (an edit, or a new time, prepares anew).
                self.journal.drop_prepared(&row.record_id).await?;
            }
        }
        match sent {
            Ok(Sent::Published(published)) => {
                tracing::info!(message = "Post published.", record = %row.record_id, %platform, url = %published.url, lag_ms);
                self.record_published(&row.record_id, &published).await?;
                Ok(Outcome::Published(published))
            }
            Ok(Sent::Accepted { receipt }) => {
                tracing::info!(message = "The platform took the post and finishes it on its own.", record = %row.record_id, %platform, %receipt, lag_ms);
                self.journal.record_receipt(&row.record_id, &receipt).await?;
                let note = format!("{platform} took the post ({receipt}) and is processing it");
                let shown = format!(
                    "Sent to {platform} at {}; {platform} is processing it (publish id {receipt}).",
                    self.clock.now().format("%Y-%m-%d %H:%M:%S UTC")
                );
                self.write_status(&row.record_id, PostStatus::Scheduled, None, Some(&shown))
                    .await?;
                self.journal
                    .record_unknown(&row.record_id, &note, self.clock.now())
                    .await?;
                let row = self.journal.get(&row.record_id).await?.unwrap_or(claimed);
                self.reconcile(&row).await
            }
            Err(e) => self.after_error(&claimed, e, true).await,
        }
    }

    /// What must hold before a post is claimed: a connected account, ready media, not stale.
    fn preflight(&self, ready: &Ready, row: &PostRow) -> Result<(), String> {
        self.preflight_ok(ready)?;
        let late = self.clock.now() - ready.post.scheduled_time;
        let limit =
            chrono::Duration::from_std(self.spec.trigger.staleness_limit()).unwrap_or(chrono::Duration::hours(1));
        // Only a post never tried: one held for a rate limit (attempt given back) is not stale.
        if row.attempts == 0 && row.next_attempt_at.is_none() && late > limit {
            return Err(format!(
                "Not published: its ScheduledTime ({}) passed {} min ago, more than the staleness limit of {} min (the worker was not running). Set a new time to publish it.",
                ready.post.scheduled_time.format("%Y-%m-%d %H:%M UTC"),
                late.num_minutes(),
                limit.num_minutes()
            ));
        }
        Ok(())
    }

    /// A connected account and ready media.
    pub(crate) fn preflight_ok(&self, ready: &Ready) -> Result<(), String> {
        use crate::base::{AccountStatus, MediaStatus};
        let a = &ready.account;
        if matches!(a.status, Some(AccountStatus::Disconnected | AccountStatus::Error)) {
            let status = a.status.map(|s| s.to_string()).unwrap_or_default();
            return Err(format!(
                "The {} account {} is {status}: connect it again, then set a new time.",
                a.platform,
                a.account_name.as_deref().unwrap_or(&a.record_id)
            ));
        }
        if let Some(media) = &ready.media {
            if media.status != Some(MediaStatus::Ready) {
                let status = media.status.map_or("without a status".to_string(), |s| s.to_string());
                return Err(format!(
                    "Its media {} is {status}, not Ready: publish it once the media is Ready.",
                    media.media_id.as_deref().unwrap_or(&media.record_id)
                ));
            }
            if ready.content.media.is_empty() {
                return Err(format!(
                    "Its media {} has no CloudinaryURL.",
                    media.media_id.as_deref().unwrap_or(&media.record_id)
                ));
            }
        }
        Ok(())
    }

    /// The account's credentials, its token decrypted from the vault.
    pub(crate) fn account(&self, ready: &Ready) -> Result<Account, String> {
        let a = &ready.account;
        let stored = a
            .access_token
            .as_ref()
            .map(secrecy::ExposeSecret::expose_secret)
            .unwrap_or("");
        if stored.is_empty() {
            return Err(format!(
                "The {} account {} has no access token: connect it again.",
                a.platform, a.record_id
            ));
        }
        let token = self.vault.decrypt(&a.record_id, stored).map_err(|e| format!("{e}"))?;
        Ok(Account {
            record_id: a.record_id.clone(),
            external_id: a.account_id.clone().unwrap_or_default(),
            handle: a.account_name.as_deref().map(|h| h.trim_start_matches('@').to_string()),
            token,
        })
    }

    /// What to do after a platform error; `publish_call` tells whether it came from the publish call.
    async fn after_error(&self, row: &PostRow, e: PublishError, publish_call: bool) -> anyhow::Result<Outcome> {
        let now = self.clock.now();
        match e.class {
            ErrorClass::RateLimited => {
                let until = e.retry_at.unwrap_or(now + chrono::Duration::minutes(1)).max(now);
                tracing::info!(message = "Post waits for the platform's rate limit.", record = %row.record_id, until = %until);
                // Airtable shows why the post has not gone out yet (it stays Scheduled), unless the
                // wait is short enough that the post is out before anyone would read it.
                if until - now >= SHOWN_HOLD {
                    let note = format!("Held until {}: {}", until.format("%Y-%m-%d %H:%M:%S UTC"), e.message);
                    self.write_status(&row.record_id, PostStatus::Scheduled, None, Some(&note))
                        .await?;
                }
                self.journal.record_wait(&row.record_id, until, &e.message).await?;
                Ok(Outcome::Retrying(until))
            }
            ErrorClass::OutcomeUnknown => {
                tracing::warn!(message = "The platform did not confirm the post; checking whether it went out.", record = %row.record_id, error = %e);
                self.journal.record_unknown(&row.record_id, &e.message, now).await?;
                // Read again: a receipt may have been kept during the call.
                let row = self.journal.get(&row.record_id).await?.unwrap_or_else(|| row.clone());
                self.reconcile(&row).await
            }
            ErrorClass::Transient if row.attempts < self.spec.retry.attempts => {
                let unit = rand::random::<f64>() * 2.0 - 1.0;
                let delay = self.spec.retry.delay(row.attempts.max(1), unit);
                let next = now + chrono::Duration::from_std(delay).unwrap_or(chrono::Duration::minutes(5));
                tracing::warn!(message = "Publishing failed; will try again.", record = %row.record_id, attempt = row.attempts, next = %next, error = %e, publish_call);
                self.journal.record_retry(&row.record_id, next, &e.message).await?;
                Ok(Outcome::Retrying(next))
            }
            ErrorClass::Transient => {
                let message = format!("Gave up after {} attempts: {}", row.attempts, e.message);
                self.fail_claimed(row, &message).await
            }
            ErrorClass::Auth => {
                let message = format!("{} Connect the account again, then set a new time.", e.message);
                self.fail_claimed(row, &message).await
            }
            ErrorClass::Permanent => self.fail_claimed(row, &e.message).await,
        }
    }

    /// Settles every post whose publish call was not confirmed (timeouts, and intents left by a
    /// crash) and whose next check is due: published if the platform shows it, published again
    /// (once) if it does not after it settled, otherwise put up for review. One post's error does
    /// not stop the others.
    pub async fn reconcile_unresolved(&self) -> anyhow::Result<Vec<(String, Outcome)>> {
        let now = self.clock.now();
        let mut outcomes = Vec::new();
        for row in self.journal.unresolved_intents().await? {
            let due = self
                .checks
                .lock()
                .expect("checks lock")
                .get(&row.record_id)
                .is_none_or(|at| *at <= now);
            if !due {
                continue;
            }
            self.checks.lock().expect("checks lock").remove(&row.record_id);
            match self.reconcile(&row).await {
                Ok(outcome) => outcomes.push((row.record_id.clone(), outcome)),
                Err(error) => {
                    tracing::error!(message = "Failed to reconcile a post; will try again.", record = %row.record_id, error = %format!("{error:#}"));
                    self.recheck_at(&row.record_id, now + chrono::Duration::minutes(1));
                }
            }
        }
        Ok(outcomes)
    }

    /// Remembers to reconcile a post again at `at`.
    fn recheck_at(&self, record_id: &str, at: DateTime<Utc>) {
        self.checks
            .lock()
            .expect("checks lock")
            .insert(record_id.to_string(), at);
    }

    /// The earliest time a post is to be reconciled again.
    pub(crate) fn next_check(&self) -> Option<DateTime<Utc>> {
        self.checks.lock().expect("checks lock").values().min().copied()
    }

    /// Asks the platform whether the post went out.
    async fn reconcile(&self, row: &PostRow) -> anyhow::Result<Outcome> {
        let Some(ready) = self.ready_for(&row.record_id).await? else {
            let message = "Needs review: the worker stopped while publishing this post, and the post can no longer be read to check the platform.";
            return self.review(row, message).await;
        };
        let platform = ready.account.platform;
        let account = match self.account(&ready) {
            Ok(a) => a,
            Err(message) => {
                return self
                    .review(row, &format!("Needs review: could not check {platform}: {message}"))
                    .await
            }
        };
        let since = row.intent_at.unwrap_or(ready.post.scheduled_time) - chrono::Duration::minutes(10);
        let kept = self.kept_prepared(&row.record_id).await?;
        let attempt = Attempt {
            since,
            prepared: kept.as_ref(),
            receipt: row.receipt.as_deref(),
        };
        match self
            .publishers
            .reconcile(platform, &account, &ready.content, attempt)
            .await
        {
            Ok(Found::Published(published)) => {
                tracing::info!(message = "Reconciled: the post went out.", record = %row.record_id, url = %published.url);
                self.record_published(&row.record_id, &published).await?;
                Ok(Outcome::Published(published))
            }
            Ok(Found::Pending { check_at, note }) => {
                tracing::info!(message = "The platform is still working on the post.", record = %row.record_id, %note, check_at = %check_at);
                self.recheck_at(&row.record_id, check_at);
                Ok(Outcome::Processing(check_at))
            }
            Ok(Found::Failed(message)) => self.fail_claimed(row, &message).await,
            Ok(Found::NotPublished { certain: true }) => {
                let now = self.clock.now();
                let note = format!("{platform} says this attempt did not go out: publishing again");
                tracing::warn!(message = "Reconciled: the post did not go out; it will be published again.", record = %row.record_id);
                self.journal.record_retry(&row.record_id, now, &note).await?;
                Ok(Outcome::Retrying(now))
            }
            Ok(Found::NotPublished { certain: false }) => {
                let now = self.clock.now();
                let settled_at = row.intent_at.unwrap_or(now) + SETTLE;
                if now < settled_at {
                    // Too early to believe "not found": look again once the platform has settled.
                    self.recheck_at(&row.record_id, settled_at);
                    return Ok(Outcome::Skipped);
                }
                let key = format!("{}:republished", row.record_id);
                if self.journal.counter_get(RECONCILE, &key).await? > 0 {
                    let message = format!("Needs review: {platform} did not confirm this post twice, and does not show it. Look at the account before setting a new time.");
                    return self.review(row, &message).await;
                }
                self.journal.counter_add(RECONCILE, &key, 1).await?;
                let note = format!(
                    "{platform} shows no such post {} min after the attempt: publishing again (once)",
                    SETTLE.num_minutes()
                );
                tracing::warn!(message = "Reconciled: the post did not go out; it will be published again, once.", record = %row.record_id);
                self.journal.record_retry(&row.record_id, now, &note).await?;
                Ok(Outcome::Retrying(now))
            }
            Err(e) if matches!(e.class, ErrorClass::Transient | ErrorClass::RateLimited) => {
                let at = e.retry_at.unwrap_or(self.clock.now() + chrono::Duration::minutes(1));
                tracing::warn!(message = "Could not reconcile yet; will try again.", record = %row.record_id, at = %at, error = %e);
                self.recheck_at(&row.record_id, at);
                Ok(Outcome::Skipped)
            }
            Err(e) => {
                let message = format!("Needs review: {platform} did not confirm this post, and checking failed: {e}. Look at the account before setting a new time.");
                self.review(row, &message).await
            }
        }
    }

    // Each outcome is queued in the outbox *before* the journal records it: a crash between the
    // two leaves the post in its earlier state, so the next pass records it again and queues the
    // same write (coalesced); the other order could record an outcome Airtable never hears of.

    async fn record_published(&self, record_id: &str, published: &Published) -> anyhow::Result<()> {
        self.forget_confirmed(record_id);
        self.journal.drop_prepared(record_id).await?;
        self.write_status(record_id, PostStatus::Posted, Some(&published.url), None)
            .await?;
        self.journal
            .record_published(record_id, &published.platform_id, &published.url, self.clock.now())
            .await?;
        self.journal
            .counter_reset(super::SCENARIO, "consecutive_failures")
            .await?;
        Ok(())
    }

    async fn review(&self, row: &PostRow, message: &str) -> anyhow::Result<Outcome> {
        self.write_failed(&row.record_id, message).await?;
        self.journal
            .record_review(&row.record_id, message, self.clock.now())
            .await?;
        Ok(Outcome::Review(message.to_string()))
    }

    /// Fails a claimed post after the platform refused it; these count toward deactivation.
    async fn fail_claimed(&self, row: &PostRow, message: &str) -> anyhow::Result<Outcome> {
        self.fail_unclaimed(&row.record_id, message).await?;
        let failures = self
            .journal
            .counter_add(super::SCENARIO, "consecutive_failures", 1)
            .await?;
        if failures == i64::from(self.spec.deactivation.consecutive_failures) {
            tracing::error!(
                message = "Too many posts failed in a row at the platforms: the Post Scheduler pauses publishing until the worker restarts.",
                failures
            );
        }
        Ok(Outcome::Failed(message.to_string()))
    }

    /// Fails a post that was not published: journal (if it is there yet) and status. Failures of
    /// the post itself (rules, staleness, bad records) do not count toward deactivation.
    pub(crate) async fn fail_unclaimed(&self, record_id: &str, message: &str) -> anyhow::Result<()> {
        tracing::warn!(message = "Post failed.", record = %record_id, reason = %message);
        self.write_failed(record_id, message).await?;
        match self.journal.record_failed(record_id, message, self.clock.now()).await {
            Ok(()) | Err(crate::journal::JournalError::NotFound { .. }) => Ok(()),
            Err(e) => Err(e.into()),
        }
    }

    /// Whether the scenario is deactivated by its error threshold.
    async fn paused(&self) -> anyhow::Result<bool> {
        let failures = self
            .journal
            .counter_get(super::SCENARIO, "consecutive_failures")
            .await?;
        Ok(failures >= i64::from(self.spec.deactivation.consecutive_failures))
    }

    pub(crate) async fn write_failed(&self, record_id: &str, message: &str) -> anyhow::Result<()> {
        self.write_status(record_id, PostStatus::Failed, None, Some(message))
            .await
    }

    pub(crate) async fn write_status(
        &self,
        record_id: &str,
        status: PostStatus,
        url: Option<&str>,
        error: Option<&str>,
    ) -> anyhow::Result<()> {
        let fields = ScheduledPost::outcome_fields(status, url, error);
        self.journal
            .outbox_put(crate::base::names::posts::TABLE, record_id, &fields)
            .await?;
        self.outbox_wake.notify_one();
        Ok(())
    }
}
