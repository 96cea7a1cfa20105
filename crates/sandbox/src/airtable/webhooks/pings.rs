//! Notification pings (airtable.com/developers/web/api/webhooks-overview, "Webhook notification
//! delivery"): `POST notificationUrl` with `{"base":{"id"},"webhook":{"id"},"timestamp"}` and
//! `X-Airtable-Content-MAC: hmac-sha256=<hex HMAC-SHA256 of the body>`, the key being the
//! base64-decoded `macSecretBase64`. The receiver answers 200 or 204; anything else, or no answer
//! within [`TIMEOUT`], is a failure, retried after each of [`RETRY_DELAYS`].
//!
//! Coalescing: the first change after a quiet time starts a [`COALESCE`] wait, and one ping
//! follows it for every change made meanwhile. A change made while a ping is being delivered (or
//! retried) gets one more ping after that, again after a wait. So a burst gives one ping, a ping
//! is only ever sent after a change, and none is lost. The numbers are the sandbox's (Airtable
//! documents none).
//!
//! Every attempt's result is kept as the webhook's `lastNotificationResult` (`success`, `error`
//! `{message}`, `completionTimestamp`, `durationMs`, `retryNumber`, `willBeRetried`).
//!
//! Tasks: [`run`] receives "this webhook has news" from [`Pings::changed`] (called under the state
//! lock) and spawns one task per webhook with news; a task never holds the lock across an await,
//! and holds the app only weakly, so a stopped sandbox stops its pings.

use super::super::app::App;
use super::super::cells::format_date_time;
use base64::Engine;
use hmac::{Hmac, Mac};
use serde_json::{json, Value};
use sha2::Sha256;
use std::collections::HashMap;
use std::sync::Weak;
use std::time::Duration;
use tokio::sync::mpsc;

/// How long after a change its ping waits for more changes to join it.
pub const COALESCE: Duration = Duration::from_secs(1);
/// The waits before each retry of a failed ping.
pub const RETRY_DELAYS: [Duration; 3] = [Duration::from_secs(2), Duration::from_secs(8), Duration::from_secs(32)];
/// How long the receiver has to answer a ping.
pub const TIMEOUT: Duration = Duration::from_secs(5);

/// (base id, webhook id).
type Key = (String, String);

/// The webhooks with a ping on its way; lives in the state behind the lock.
#[derive(Debug)]
pub struct Pings {
    active: HashMap<Key, Active>,
    news: mpsc::UnboundedSender<Key>,
}

/// A webhook's ping task: waiting for changes to join, or delivering.
#[derive(Debug, Default)]
struct Active {
    delivering: bool,
    /// A change came while delivering: ping once more afterwards.
    again: bool,
}

impl Pings {
    /// The pings, and the receiver to give [`run`].
    pub fn new() -> (Pings, mpsc::UnboundedReceiver<Key>) {
        let (news, rx) = mpsc::unbounded_channel();
        let pings = Pings {
            active: HashMap::new(),
            news,
        };
        (pings, rx)
    }

    /// A webhook got a payload: makes sure a ping follows.
    pub fn changed(&mut self, base_id: &str, hook_id: &str) {
        let key = (base_id.to_string(), hook_id.to_string());
        match self.active.get_mut(&key) {
            Some(a) if a.delivering => a.again = true,
            Some(_) => {}
            None => {
                self.active.insert(key.clone(), Active::default());
                let _ = self.news.send(key);
            }
        }
    }

    /// A deleted webhook: its task stops at its next step.
    pub fn forget(&mut self, base_id: &str, hook_id: &str) {
        self.active.remove(&(base_id.to_string(), hook_id.to_string()));
    }
}

/// Spawns a ping task for each webhook with news, until the sandbox is gone.
pub async fn run(app: Weak<App>, mut news: mpsc::UnboundedReceiver<Key>) {
    let client = match reqwest::Client::builder().timeout(TIMEOUT).build() {
        Ok(c) => c,
        Err(error) => {
            tracing::error!(message = "Failed to build the webhook ping client; no pings will be sent.", %error);
            return;
        }
    };
    while let Some(key) = news.recv().await {
        tokio::spawn(ping_task(app.clone(), client.clone(), key));
    }
}

/// Where and how to ping, read under the lock.
struct Target {
    url: String,
    key: Vec<u8>,
}

async fn ping_task(app: Weak<App>, client: reqwest::Client, key: Key) {
    loop {
        tokio::time::sleep(COALESCE).await;
        let Some(target) = begin(&app, &key) else {
            return;
        };
        deliver(&app, &client, &key, &target).await;
        if !again(&app, &key) {
            return;
        }
    }
}

/// Marks the ping as delivering and reads its target; `None` (and the task ends) when the
/// webhook is gone, expired, muted or has no URL.
fn begin(app: &Weak<App>, key: &Key) -> Option<Target> {
    let app = app.upgrade()?;
    let mut inner = app.lock();
    let now = inner.clock.now();
    let target = inner.store.base(&key.0).and_then(|base| {
        let hook = base.webhooks.iter().find(|h| h.id == key.1)?;
        let usable = hook.is_live(now) && hook.are_notifications_enabled;
        let url = hook.notification_url.clone().filter(|_| usable)?;
        let key = base64::engine::general_purpose::STANDARD
            .decode(&hook.mac_secret_base64)
            .ok()?;
        Some(Target { url, key })
    });
    match (&target, inner.pings.active.get_mut(key)) {
        (Some(_), Some(active)) => {
            active.delivering = true;
            active.again = false;
        }
        _ => {
            inner.pings.active.remove(key);
            return None;
        }
    }
    target
}

/// Whether another ping must follow (a change came while delivering); otherwise the webhook
/// leaves the active set.
fn again(app: &Weak<App>, key: &Key) -> bool {
    let Some(app) = app.upgrade() else {
        return false;
    };
    let mut inner = app.lock();
    match inner.pings.active.get_mut(key) {
        Some(a) if a.again => {
            *a = Active::default();
            true
        }
        _ => {
            inner.pings.active.remove(key);
            false
        }
    }
}

/// `hmac-sha256=<hex>` of `body` with `key`.
pub fn content_mac(key: &[u8], body: &[u8]) -> String {
    let mut mac = Hmac::<Sha256>::new_from_slice(key).expect("HMAC takes a key of any length");
    mac.update(body);
    let hex: String = mac.finalize().into_bytes().iter().map(|b| format!("{b:02x}")).collect();
    format!("hmac-sha256={hex}")
}

/// Sends the ping, retrying on failure, and records each attempt's result.
async fn deliver(app: &Weak<App>, client: &reqwest::Client, key: &Key, target: &Target) {
    // Each attempt with the wait before the next one (none after the last).
    let attempts = RETRY_DELAYS.iter().copied().map(Some).chain([None]);
    for (retry, wait) in attempts.enumerate() {
        let Some(now) = app.upgrade().map(|a| a.lock().clock.now()) else {
            return;
        };
        let body = json!({ "base": { "id": key.0 }, "webhook": { "id": key.1 }, "timestamp": format_date_time(now) })
            .to_string();
        let started = tokio::time::Instant::now();
        let sent = client
            .post(&target.url)
            .header("content-type", "application/json")
            .header("X-Airtable-Content-MAC", content_mac(&target.key, body.as_bytes()))
            .body(body)
            .send()
            .await;
        let outcome = match sent {
            Ok(res) if matches!(res.status().as_u16(), 200 | 204) => Ok(()),
            Ok(res) => Err(format!("The notification URL answered HTTP {}", res.status().as_u16())),
            Err(error) => Err(format!(
                "The notification could not be delivered: {}",
                error.without_url()
            )),
        };
        let will_retry = outcome.is_err() && wait.is_some();
        let duration_ms = started.elapsed().as_secs_f64() * 1000.0;
        tracing::debug!(message = "Webhook ping.", base = %key.0, webhook = %key.1, ok = outcome.is_ok(), retry);
        let wanted = record(app, key, outcome, duration_ms, retry, will_retry);
        match wait {
            Some(wait) if wanted && will_retry => tokio::time::sleep(wait).await,
            _ => return,
        }
    }
}

/// Keeps an attempt's result on the webhook; false when the webhook (or sandbox) is gone, or
/// the webhook expired or was muted meanwhile (no more retries then).
fn record(
    app: &Weak<App>,
    key: &Key,
    outcome: Result<(), String>,
    duration_ms: f64,
    retry: usize,
    will_retry: bool,
) -> bool {
    let Some(app) = app.upgrade() else {
        return false;
    };
    let mut inner = app.lock();
    let now = inner.clock.now();
    let Some(hook) = inner
        .store
        .base_mut(&key.0)
        .and_then(|b| b.webhooks.iter_mut().find(|h| h.id == key.1))
    else {
        return false;
    };
    let mut result = json!({
        "success": outcome.is_ok(),
        "completionTimestamp": format_date_time(now),
        "durationMs": duration_ms,
        "retryNumber": retry,
    });
    match outcome {
        Ok(()) => hook.last_successful_notification_time = Some(now),
        Err(message) => {
            result["error"] = json!({ "message": message });
            result["willBeRetried"] = Value::Bool(will_retry);
        }
    }
    hook.last_notification_result = Some(result);
    let still_wanted = hook.is_live(now) && hook.are_notifications_enabled;
    if let Err(error) = inner.store.persist(&key.0) {
        tracing::error!(message = "Failed to save a webhook's ping result.", error = %format!("{error:#}"));
    }
    still_wanted
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_mac_is_hex_hmac_sha256_with_its_prefix() {
        // RFC 4231, test case 2.
        let mac = content_mac(b"Jefe", b"what do ya want for nothing?");
        assert_eq!(
            mac,
            "hmac-sha256=5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"
        );
    }
}
