//! The Post Scheduler (seed: "Post Scheduler"): reads the schedule ahead, sleeps until the next
//! post is due, publishes it on the second, and writes the outcome back through the outbox.
//!
//! Each step can be called on its own (tests drive them one by one): [`PostScheduler::sync`] reads
//! the schedule into the journal, [`PostScheduler::publish_due`] publishes what is due,
//! [`PostScheduler::reconcile_unresolved`] settles posts whose outcome is unknown, and
//! [`outbox::Outbox::flush`] writes statuses to Airtable. [`PostScheduler::run`] loops over them.
//!
//! Never posting twice: a post is claimed in the journal (`Intent`, committed) before the call that
//! publishes it; a timeout or 5xx on that call, or a crash before its outcome was recorded, leaves it
//! `Unknown`/`Intent`, and it is reconciled with the platform (X: the account's recent posts;
//! Facebook: the Page's feed), never published again blindly.

pub mod cadence;
pub mod catalog;
mod confirm;
mod media;
pub mod outbox;
mod prepare;
mod publish;
mod sync;

use crate::airtable::Base;
use crate::base::{ScheduledPost, SocialAccount};
use crate::clock::Clock;
use crate::journal::Journal;
use crate::platforms::PostContent;
use crate::platforms::Publishers;
use crate::scenarios::PostScheduler as Spec;
use crate::vault::Vault;
pub use confirm::ConfirmReport;
pub use publish::Outcome;
use std::collections::HashMap;
use std::future::Future;
use std::sync::{Arc, Mutex};
pub use sync::SyncReport;
use tokio::sync::Notify;

/// How long a worker's hold on a base lasts without renewal (renewed every turn of the loop).
const LEASE_TTL: std::time::Duration = std::time::Duration::from_secs(20);

/// The least time between two reads of the schedule asked for by nudges.
const NUDGE_SPACING: chrono::Duration = chrono::Duration::seconds(30);

/// The scenario's name in the journal and in logs.
pub const SCENARIO: &str = "post-scheduler";

/// A post ready to publish, as last read from Airtable.
#[derive(Debug, Clone)]
pub(crate) struct Ready {
    pub post: ScheduledPost,
    pub account: SocialAccount,
    /// The media record, when the post has one.
    pub media: Option<crate::base::MediaItem>,
    pub content: PostContent,
}

/// The scheduler; cheap to share behind an `Arc`.
pub struct PostScheduler {
    pub(crate) base: Base,
    pub(crate) journal: Journal,
    pub(crate) vault: Arc<Vault>,
    pub(crate) publishers: Arc<Publishers>,
    pub(crate) spec: Spec,
    pub(crate) clock: Clock,
    /// Who claims intents in the journal (host and process), for the lease and for review.
    pub(crate) owner: String,
    /// Posts as last read, by record id.
    pub(crate) ready: Mutex<HashMap<String, Ready>>,
    /// Reads of the schedule made, to read accounts and media in full every tenth.
    pub(crate) reads: std::sync::atomic::AtomicU64,
    /// When each post's last confirm read started (see [`confirm`]).
    pub(crate) confirmed: Mutex<HashMap<String, chrono::DateTime<chrono::Utc>>>,
    /// Wakes the loop: a nudge from Bubble or Airtable.
    pub(crate) nudge: Notify,
    /// Posts named by nudges, to read on their own; empty with a nudge: re-read the schedule.
    pub(crate) nudged_posts: Mutex<Vec<String>>,
    /// Whether a full re-read was asked for.
    pub(crate) resync_asked: Mutex<bool>,
    /// Wakes the outbox when a status is waiting.
    pub(crate) outbox_wake: Arc<Notify>,
    /// Posts to reconcile again, and when (unresolved posts not listed are checked at once).
    pub(crate) checks: Mutex<HashMap<String, chrono::DateTime<chrono::Utc>>>,
    /// One lock per post for preparing it (ahead and at the due time never together).
    pub(crate) prep_locks: Mutex<HashMap<String, Arc<tokio::sync::Mutex<()>>>>,
    /// Posts being prepared ahead right now.
    pub(crate) preparing: Mutex<std::collections::HashSet<String>>,
    /// Posts whose preparation ahead failed, and when to try again.
    pub(crate) prep_retry: Mutex<HashMap<String, chrono::DateTime<chrono::Utc>>>,
    /// What is known of media files, by URL (read from the files).
    pub(crate) media_info: Mutex<HashMap<String, crate::media::MediaInfo>>,
    /// Whether Airtable's webhook is live and pinging (set by the webhook's keeper): the interval
    /// re-read then relaxes to the long safety interval.
    pub(crate) webhook_live: std::sync::atomic::AtomicBool,
    /// How often the schedule is re-read when nothing nudges the worker (set by `with_cadence`).
    pub(crate) cadence: cadence::ReadCadence,
}

impl PostScheduler {
    #[allow(clippy::too_many_arguments)]
    pub fn new(
        base: Base,
        journal: Journal,
        vault: Arc<Vault>,
        publishers: Arc<Publishers>,
        spec: Spec,
        clock: Clock,
        outbox_wake: Arc<Notify>,
    ) -> PostScheduler {
        let owner = format!("schedulo-{}-{:08x}", std::process::id(), rand::random::<u32>());
        PostScheduler {
            base,
            journal,
            vault,
            publishers,
            clock,
            owner,
            ready: Mutex::new(HashMap::new()),
            confirmed: Mutex::new(HashMap::new()),
            reads: std::sync::atomic::AtomicU64::new(0),
            nudge: Notify::new(),
            nudged_posts: Mutex::new(Vec::new()),
            resync_asked: Mutex::new(false),
            outbox_wake,
            checks: Mutex::new(HashMap::new()),
            prep_locks: Mutex::new(HashMap::new()),
            preparing: Mutex::new(std::collections::HashSet::new()),
            prep_retry: Mutex::new(HashMap::new()),
            media_info: Mutex::new(HashMap::new()),
            webhook_live: std::sync::atomic::AtomicBool::new(false),
            cadence: cadence::ReadCadence::derive(
                crate::config::Plan::Team,
                crate::config::ReadShare::default(),
                spec.trigger.resync_every(),
                spec.trigger.safety_resync_every(),
            ),
            spec,
        }
    }

    /// Re-reads the schedule on `cadence` (by default: Team at 50 %, with the file's intervals).
    pub fn with_cadence(mut self, cadence: cadence::ReadCadence) -> PostScheduler {
        self.cadence = cadence;
        self
    }

    /// The re-read intervals in use.
    pub fn cadence(&self) -> &cadence::ReadCadence {
        &self.cadence
    }

    /// Tells the scheduler whether Airtable's webhook is live (pings arrive): while it is, the
    /// schedule is re-read only on the long safety interval.
    pub fn set_webhook_live(&self, live: bool) {
        let was = self.webhook_live.swap(live, std::sync::atomic::Ordering::Relaxed);
        if was != live {
            self.nudge.notify_one();
        }
    }

    /// Whether Airtable's webhook is live.
    pub fn webhook_live(&self) -> bool {
        self.webhook_live.load(std::sync::atomic::Ordering::Relaxed)
    }

    /// The time between two reads of the schedule when nothing nudges the worker.
    pub fn resync_interval(&self) -> chrono::Duration {
        let interval = self.cadence.interval(self.webhook_live());
        chrono::Duration::from_std(interval).unwrap_or(chrono::Duration::hours(1))
    }

    /// Names this worker in the journal (lease and intents); by default `schedulo-<pid>-<random>`.
    pub fn with_owner(mut self, owner: impl Into<String>) -> PostScheduler {
        self.owner = owner.into();
        self
    }

    /// Asks for a re-read of the schedule ("something changed").
    pub fn nudge_all(&self) {
        *self.resync_asked.lock().expect("nudge lock") = true;
        self.nudge.notify_one();
    }

    /// Asks for one post to be read again (it was created or edited).
    pub fn nudge_post(&self, record_id: &str) {
        self.nudged_posts
            .lock()
            .expect("nudge lock")
            .push(record_id.to_string());
        self.nudge.notify_one();
    }

    /// Runs until `shutdown` resolves: holds the base's lease, settles unconfirmed posts, reads
    /// the schedule, sleeps until the next post is due, publishes it.
    pub async fn run(self: Arc<Self>, shutdown: impl Future<Output = ()>) {
        tokio::pin!(shutdown);
        if let Err(error) = self.journal.counter_reset(SCENARIO, "consecutive_failures").await {
            tracing::error!(message = "Failed to reset the failure count.", %error);
        }
        let mut next_sync = self.clock.now();
        let mut last_sync = next_sync - NUDGE_SPACING;
        let mut held = false;
        loop {
            let turn = self.clock.now();
            // One worker owns a base at a time: a lease in the journal, renewed every turn.
            if let Some(wait) = self.renew_lease(turn, &mut held).await {
                tokio::select! {
                    _ = tokio::time::sleep(wait) => continue,
                    _ = &mut shutdown => break,
                }
            }
            // A nudge to re-read waits until the last read is NUDGE_SPACING old: a storm of
            // pings (Airtable notifies our own status writes too) costs one read, not one each.
            let asked = std::mem::take(&mut *self.resync_asked.lock().expect("nudge lock"));
            // When Airtable's webhook stops (the interval shortens), the next read comes sooner.
            next_sync = next_sync.min(last_sync + self.resync_interval());
            if asked && turn < last_sync + NUDGE_SPACING {
                next_sync = next_sync.min(last_sync + NUDGE_SPACING);
            }
            let mut read = false;
            if turn >= next_sync || (asked && turn >= last_sync + NUDGE_SPACING) {
                read = true;
                last_sync = self.clock.now();
                next_sync = match self.sync().await {
                    Ok(report) => {
                        tracing::info!(message = "Schedule read.", %report);
                        self.clock.now() + self.resync_interval()
                    }
                    Err(error) => {
                        tracing::error!(message = "Failed to read the schedule; trying again in a minute.", error = %format!("{error:#}"));
                        self.clock.now() + chrono::Duration::minutes(1)
                    }
                };
            }
            let mut posts: Vec<String> = std::mem::take(&mut *self.nudged_posts.lock().expect("nudge lock"));
            posts.sort_unstable();
            posts.dedup();
            read |= !posts.is_empty();
            if !posts.is_empty() && self.confirm(&posts).await.failed > 0 {
                tracing::warn!(message = "Failed to read nudged posts; the next read of the schedule covers them.");
                next_sync = next_sync.min(self.clock.now() + chrono::Duration::minutes(1));
            }
            if read {
                self.settle_inbox().await;
            }
            // Only the lease holder settles posts left unconfirmed (by a crash, or a timeout); after
            // the read, whose posts include them (Airtable still shows them Scheduled), so that
            // they need no read of their own.
            if let Err(error) = self.reconcile_unresolved().await {
                tracing::error!(message = "Failed to reconcile unconfirmed posts.", error = %format!("{error:#}"));
            }
            let progress = match self.publish_due().await {
                Ok(outcomes) => outcomes.iter().any(|(_, o)| !matches!(o, Outcome::Skipped)),
                Err(error) => {
                    tracing::error!(message = "Failed to publish due posts.", error = %format!("{error:#}"));
                    false
                }
            };
            let wake = self.next_wake(progress, next_sync).await;
            tokio::select! {
                _ = self.clock.sleep_until(wake) => {}
                _ = self.nudge.notified() => {}
                _ = &mut shutdown => break,
            }
        }
        if let Err(error) = self.journal.release_lease(self.base.id(), &self.owner).await {
            tracing::warn!(message = "Failed to release the lease.", %error);
        }
    }

    /// Renews the base's lease; how long to wait before trying again when this worker does not
    /// hold it (another worker does, or the journal failed).
    async fn renew_lease(&self, turn: chrono::DateTime<chrono::Utc>, held: &mut bool) -> Option<std::time::Duration> {
        match self
            .journal
            .acquire_lease(self.base.id(), &self.owner, turn, LEASE_TTL)
            .await
        {
            Ok(true) => {
                if !*held {
                    tracing::info!(message = "This worker holds the base's lease.", base = self.base.id(), owner = %self.owner);
                }
                *held = true;
                None
            }
            Ok(false) => {
                if *held {
                    tracing::warn!(
                        message = "Another worker holds this base's lease; waiting.",
                        base = self.base.id()
                    );
                }
                *held = false;
                Some(LEASE_TTL / 2)
            }
            Err(error) => {
                tracing::error!(message = "Failed to renew the lease; waiting.", %error);
                Some(LEASE_TTL / 4)
            }
        }
    }

    /// When the loop wakes next, at the latest `next_sync`.
    async fn next_wake(
        self: &Arc<Self>,
        progress: bool,
        next_sync: chrono::DateTime<chrono::Utc>,
    ) -> chrono::DateTime<chrono::Utc> {
        // A post due now that could not be published this turn (paused, unreadable) must not
        // make the loop spin: it is tried again a little later. Only that post waits: a check
        // or a preparation that fell due during the turn does not delay the next post.
        // The loop wakes the confirm lead before a post's time, to read it again first.
        let now = self.clock.now();
        let lead = self.spec.trigger.confirm_lead();
        let mut wake = match self.journal.next_due().await {
            Ok(Some((_, due))) if !progress && due - lead <= now => (now + chrono::Duration::seconds(5)).min(next_sync),
            Ok(Some((_, due))) => (due - lead).min(next_sync),
            Ok(None) => next_sync,
            Err(error) => {
                tracing::error!(message = "Failed to read the journal.", %error);
                now + chrono::Duration::seconds(5)
            }
        };
        if let Some(check) = self.next_check() {
            wake = wake.min(check);
        }
        if let Some(prepare) = self.prepare_ahead().await {
            wake = wake.min(prepare);
        }
        // Wake before the lease runs out, to renew it.
        wake = wake.min(now + chrono::Duration::from_std(LEASE_TTL / 2).unwrap_or_default());
        wake
    }

    /// After a read: marks webhooks received as handled (the nudges they carried were acted on this
    /// turn, and a full read at start covers any left from before a restart); drops those older
    /// than a week.
    async fn settle_inbox(&self) {
        let Ok(pending) = self.journal.inbox_pending(1000).await else {
            return;
        };
        // The pings of the webhook the worker keeps are settled by its reader, once their payloads are read.
        for item in pending.iter().filter(|i| i.source != crate::journal::AIRTABLE_PINGS) {
            let _ = self.journal.inbox_done(item.id).await;
        }
        let _ = self
            .journal
            .inbox_prune(self.clock.now() - chrono::Duration::days(7))
            .await;
    }
}

/// The webhook nudges the scheduler through this (the one implementation at run time).
impl crate::scenarios::airtable_webhook::Nudges for PostScheduler {
    fn nudge_post(&self, record_id: &str) {
        PostScheduler::nudge_post(self, record_id)
    }
    fn nudge_all(&self) {
        PostScheduler::nudge_all(self)
    }
    fn set_webhook_live(&self, live: bool) {
        PostScheduler::set_webhook_live(self, live)
    }
    fn webhook_live(&self) -> bool {
        PostScheduler::webhook_live(self)
    }
    fn resync_secs(&self) -> i64 {
        self.resync_interval().num_seconds()
    }
}
