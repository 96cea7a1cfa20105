//! Airtable's webhook, kept by the worker: how the worker learns at once of what people change in
//! the base, without re-reading the schedule.
//!
//! # How it works
//! - At start ([`AirtableWebhook::run`]) the keeper lists the base's webhooks (one call), finds
//!   the one kept in the journal and checks it is there, pinging this worker's URL; otherwise it
//!   deletes ours that ping another URL (or strays pinging ours) and creates one (one call) for
//!   the whole base's records (`dataTypes: ["tableData"]`). Its MAC secret is sealed by the vault
//!   before it is stored; only the opened key is kept in memory.
//! - A ping ([`AirtableWebhook::accept_ping`]) is checked (MAC, webhook id, base, a timestamp
//!   within [`Timing::max_ping_age`]) and kept in the journal's inbox before it is answered. The
//!   reader then (not in the request) waits [`Timing::coalesce`] so that a burst of pings is one
//!   read, reads the payloads from the journal's cursor (50 a page, following `mightHaveMore`),
//!   hands the records they name to the scheduler ([`changes`]), and only then moves the cursor.
//! - Each day ([`Timing::check_every`]) the keeper lists the webhooks again: a webhook gone is made
//!   again, notifications turned off are turned back on, an expiry less than
//!   [`Timing::refresh_below`] away is pushed back; then it reads the payloads, which finds
//!   changes whose pings never came.
//!
//! # Liveness
//! The scheduler is told the webhook is live after a payload read that works or a verified ping,
//! and not live when the webhook cannot be made or kept, is gone, Airtable turned its pings off or
//! reports its last ping failed, or payloads were waiting whose ping never came. While it is not
//! live the scheduler re-reads the schedule on its interval.
//!
//! # Why one webhook for the whole base
//! A webhook's `recordChangeScope` is one table, so watching three tables apart would take three
//! webhooks: three refreshes, and a change touching a post and its media (Bubble makes both) two
//! pings and two payload reads. `watchDataInFieldIds` needs a scope and cannot leave out the
//! worker's own `Status` writes anyway (a person's `Status` edit must be seen). One base-wide
//! webhook costs one read per burst of changes, whatever tables they touch; the worker's own
//! outcome writes are recognised in the payloads and cost no read of the records.

mod changes;
mod keeper;
mod reader;
#[cfg(test)]
mod tests;

pub use changes::{changes, Changes, Watched};
pub use keeper::remove;

use crate::airtable::Base;
use crate::clock::Clock;
use crate::journal::{InboxPut, Journal};
use crate::vault::Vault;
use chrono::{DateTime, Utc};
use secrecy::{ExposeSecret, SecretSlice};
use serde::Deserialize;
use std::future::Future;
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::sync::Notify;
use url::Url;

/// The inbox source of the pings this module handles.
pub use crate::journal::AIRTABLE_PINGS as INBOX_SOURCE;

/// The route Airtable pings.
pub const PATH: &str = "/webhooks/airtable";

/// The keeper's timing (defaults documented on each field).
#[derive(Debug, Clone)]
pub struct Timing {
    /// How often the webhook is listed and its payloads read without a ping: 1 day.
    pub check_every: chrono::Duration,
    /// The first check after a webhook is made (does Airtable reach us?): 1 hour.
    pub first_check: chrono::Duration,
    /// Refresh when less than this remains of the webhook's 7 days: 3 days.
    pub refresh_below: chrono::Duration,
    /// A ping whose timestamp is further than this from now is refused (a replay): 10 minutes.
    pub max_ping_age: chrono::Duration,
    /// Pings within this window after the first are read together: 2 s.
    pub coalesce: Duration,
    /// After a failure (create, list, read), when to try again: 5 minutes.
    pub retry_after: chrono::Duration,
    /// Pages of payloads read in one go (50 each) before letting others use the base: 20.
    pub max_pages: usize,
}

impl Default for Timing {
    fn default() -> Self {
        Timing {
            check_every: chrono::Duration::days(1),
            first_check: chrono::Duration::hours(1),
            refresh_below: chrono::Duration::days(3),
            max_ping_age: chrono::Duration::minutes(10),
            coalesce: Duration::from_secs(2),
            retry_after: chrono::Duration::minutes(5),
            max_pages: 20,
        }
    }
}

/// What the webhook tells the scheduler. The scheduler is the one implementation at run time
/// (in [`crate::scenarios::post_scheduler`], which depends on this module, not the other way);
/// tests record the calls.
pub trait Nudges: Send + Sync {
    fn nudge_post(&self, record_id: &str);
    fn nudge_all(&self);
    fn set_webhook_live(&self, live: bool);
    fn webhook_live(&self) -> bool;
    /// For the log line of the fallback: how often the schedule is re-read without the webhook.
    fn resync_secs(&self) -> i64;
}

/// The webhook in use: its id and opened MAC key (never stored plain).
struct Active {
    id: String,
    key: SecretSlice<u8>,
}

/// Why a ping was refused: the status and a message that says what is wrong (no secret in it).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Refusal {
    pub status: u16,
    pub message: String,
}

impl Refusal {
    fn new(status: u16, message: impl Into<String>) -> Refusal {
        Refusal {
            status,
            message: message.into(),
        }
    }
}

/// Airtable's ping.
#[derive(Debug, Deserialize)]
struct Ping {
    base: IdOnly,
    webhook: IdOnly,
    timestamp: DateTime<Utc>,
}

#[derive(Debug, Deserialize)]
struct IdOnly {
    id: String,
}

/// The worker's webhook on one base.
pub struct AirtableWebhook {
    base: Base,
    journal: Journal,
    vault: Arc<Vault>,
    scheduler: Arc<dyn Nudges>,
    clock: Clock,
    /// Where Airtable pings this worker (`<public URL>/webhooks/airtable`).
    url: Url,
    /// Table and field ids, to read payloads; unset until the base's schema has been read (a
    /// worker started while Airtable was down reads it later, see `app::startup`).
    watched: std::sync::OnceLock<Watched>,
    timing: Timing,
    /// The webhook in use; `None` until one is kept or made.
    active: Mutex<Option<Active>>,
    /// Wakes the reader: a ping was kept.
    pinged: Notify,
    /// When the last verified ping arrived.
    last_ping: Mutex<Option<DateTime<Utc>>>,
}

impl AirtableWebhook {
    #[allow(clippy::too_many_arguments)]
    pub fn new(
        base: Base,
        journal: Journal,
        vault: Arc<Vault>,
        scheduler: Arc<dyn Nudges>,
        clock: Clock,
        url: Url,
        watched: Option<Watched>,
        timing: Timing,
    ) -> AirtableWebhook {
        let known = std::sync::OnceLock::new();
        if let Some(watched) = watched {
            let _ = known.set(watched);
        }
        AirtableWebhook {
            base,
            journal,
            vault,
            scheduler,
            clock,
            url,
            watched: known,
            timing,
            active: Mutex::new(None),
            pinged: Notify::new(),
            last_ping: Mutex::new(None),
        }
    }

    /// Gives the webhook the tables and fields it watches, once the base's schema is read; the
    /// first one given stays.
    pub fn set_watched(&self, watched: Watched) {
        let _ = self.watched.set(watched);
    }

    /// Whether the tables it watches are known (the webhook runs only then).
    pub fn knows_its_tables(&self) -> bool {
        self.watched.get().is_some()
    }

    /// The notification URL for a worker reachable at `public` (its path is replaced).
    pub fn url_for(public: &Url) -> Url {
        let mut url = public.clone();
        let path = format!("{}{PATH}", public.path().trim_end_matches('/'));
        url.set_path(&path);
        url.set_query(None);
        url
    }

    pub fn notification_url(&self) -> &Url {
        &self.url
    }

    /// The id of the webhook in use, once kept or made.
    pub fn webhook_id(&self) -> Option<String> {
        self.active.lock().expect("webhook lock").as_ref().map(|a| a.id.clone())
    }

    /// Checks a ping and keeps it (before the caller answers 2xx); the reader picks it up.
    pub async fn accept_ping(&self, mac: Option<&str>, body: &[u8]) -> Result<(), Refusal> {
        let ours = {
            let active = self.active.lock().expect("webhook lock");
            let Some(active) = active.as_ref() else {
                return Err(Refusal::new(
                    503,
                    "this worker's Airtable webhook is not set up yet; try again",
                ));
            };
            crate::airtable::verify_airtable_mac(mac, active.key.expose_secret(), body)
                .map_err(|why| Refusal::new(401, why))?;
            active.id.clone()
        };
        let ping: Ping = serde_json::from_slice(body).map_err(|e| {
            Refusal::new(
                400,
                format!(
                    "the body is not Airtable's ping {{\"base\":{{\"id\"}},\"webhook\":{{\"id\"}},\"timestamp\"}}: {e}"
                ),
            )
        })?;
        if ping.base.id != self.base.id() {
            return Err(Refusal::new(
                400,
                format!("the ping is for base {}, not this worker's base", ping.base.id),
            ));
        }
        if ping.webhook.id != ours {
            return Err(Refusal::new(
                403,
                format!("the ping names webhook {}, which is not this worker's", ping.webhook.id),
            ));
        }
        let now = self.clock.now();
        let age = now - ping.timestamp;
        if age.abs() > self.timing.max_ping_age {
            return Err(Refusal::new(
                400,
                format!(
                    "the ping's timestamp {} is {} s from now, more than {} s: refused as a replay",
                    ping.timestamp.to_rfc3339(),
                    age.num_seconds(),
                    self.timing.max_ping_age.num_seconds()
                ),
            ));
        }
        let value: serde_json::Value = serde_json::from_slice(body).unwrap_or_default();
        let dedup = format!("{}:{}", ping.webhook.id, ping.timestamp.timestamp_millis());
        match self.journal.inbox_put(INBOX_SOURCE, Some(&dedup), &value).await {
            Ok(InboxPut::Inserted(_)) => {}
            // Airtable sent it again: it is kept already.
            Ok(InboxPut::Duplicate(_)) => return Ok(()),
            Err(error) => {
                tracing::error!(message = "Failed to keep an Airtable ping; answering 503 so that Airtable sends it again.", %error);
                return Err(Refusal::new(503, "the worker cannot store the ping now; try again"));
            }
        }
        *self.last_ping.lock().expect("ping lock") = Some(now);
        self.go_live("a ping arrived");
        self.pinged.notify_one();
        Ok(())
    }

    /// Keeps the webhook and reads its payloads until `shutdown` resolves (see the module docs).
    pub async fn run(self: Arc<Self>, shutdown: impl Future<Output = ()>) {
        tokio::pin!(shutdown);
        let mut next_check = self.clock.now();
        loop {
            tokio::select! {
                _ = self.clock.sleep_until(next_check) => {
                    next_check = self.check().await;
                }
                _ = self.pinged.notified() => {
                    tokio::select! {
                        _ = tokio::time::sleep(self.timing.coalesce) => {}
                        _ = &mut shutdown => break,
                    }
                    // The pings of the window are all read by the read below.
                    tokio::select! {
                        biased;
                        _ = self.pinged.notified() => {}
                        _ = std::future::ready(()) => {}
                    }
                    if let Some(retry) = self.read(false).await {
                        next_check = next_check.min(retry);
                    }
                }
                _ = &mut shutdown => break,
            }
        }
    }

    /// The keeper's periodic turn: keep the webhook, then read what is waiting. Returns when to
    /// come again.
    async fn check(&self) -> DateTime<Utc> {
        let kept = match self.keep().await {
            Ok(kept) => kept,
            Err(error) => {
                self.fall_back(&format!("{error:#}"));
                return self.clock.now() + self.timing.retry_after;
            }
        };
        if let Some(retry) = self.read(true).await {
            return retry;
        }
        if let Some(problem) = kept.problem {
            self.fall_back(&problem);
        }
        let wait = if kept.created {
            self.timing.first_check
        } else {
            self.timing.check_every
        };
        self.clock.now() + wait
    }

    /// Reads the waiting payloads; `None` when done, else when to try again.
    async fn read(&self, checking: bool) -> Option<DateTime<Utc>> {
        match self.read_payloads().await {
            Ok(report) => {
                if report.more {
                    self.pinged.notify_one();
                }
                let since_ping = *self.last_ping.lock().expect("ping lock");
                let unannounced = report.oldest.filter(|oldest| {
                    *oldest < self.clock.now() - self.timing.max_ping_age && since_ping.is_none_or(|p| p < *oldest)
                });
                if checking && unannounced.is_some() {
                    self.fall_back("changes were waiting in the webhook's payloads but no ping came for them");
                } else {
                    self.go_live("its payloads were read");
                }
                None
            }
            Err(reader::ReadError::Gone) => {
                self.fall_back("Airtable no longer has the webhook (expired or deleted); making a new one");
                *self.active.lock().expect("webhook lock") = None;
                Some(self.clock.now())
            }
            Err(error) => {
                tracing::warn!(message = "Failed to read the Airtable webhook's payloads; trying again later.", error = %error);
                Some(self.clock.now() + self.timing.retry_after)
            }
        }
    }

    fn go_live(&self, why: &str) {
        if !self.scheduler.webhook_live() {
            tracing::info!(
                message = "Airtable's webhook is live: changes in the base are read as they happen.",
                why
            );
            self.scheduler.set_webhook_live(true);
        }
    }

    fn fall_back(&self, why: &str) {
        self.scheduler.set_webhook_live(false);
        tracing::warn!(
            message = format!(
                "Airtable's webhook stopped pinging; re-reading the schedule every {} s.",
                self.scheduler.resync_secs()
            ),
            why
        );
    }
}
