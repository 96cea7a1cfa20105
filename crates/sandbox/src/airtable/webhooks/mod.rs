//! Airtable's webhooks (airtable.com/developers/web/api/webhooks-overview, create-a-webhook,
//! list-webhooks, refresh-a-webhook, delete-a-webhook, enable-disable-webhook-notifications,
//! list-webhook-payloads; `shared/reference/airtable.md`, "Webhooks").
//!
//! # Routes (all under the `/v0` gate: token, the base's 5 requests/s, counters)
//! - `POST /v0/bases/{baseId}/webhooks` `{notificationUrl?, specification}` ->
//!   `{id, macSecretBase64, expirationTime}`; the secret is shown only here. At most
//!   [`MAX_PER_BASE`] webhooks per base.
//! - `GET /v0/bases/{baseId}/webhooks` -> `{webhooks:[{id, areNotificationsEnabled,
//!   cursorForNextPayload, isHookEnabled, lastSuccessfulNotificationTime, notificationUrl,
//!   expirationTime, lastNotificationResult, specification}]}`.
//! - `POST .../webhooks/{id}/refresh` -> `{expirationTime}` ([`LIFETIME`] from now).
//! - `DELETE .../webhooks/{id}` -> 204, no body.
//! - `POST .../webhooks/{id}/enableNotifications` `{enable: bool}` -> 204, no body.
//! - `GET .../webhooks/{id}/payloads?cursor=&limit=` -> `{cursor, mightHaveMore, payloads}`;
//!   `limit` 1 to [`MAX_PAYLOADS_PER_PAGE`] (the default); cursors start at 1. Listing also
//!   extends the webhook's life by [`LIFETIME`].
//!
//! # Payloads
//! Every request that creates, changes or deletes records (the public API, and the admin path
//! through `Inner::change_base_as` in `app.rs`) is one transaction: the base's
//! `baseTransactionNumber` goes up by one, and each live webhook whose specification matches gets
//! one payload (see [`payloads`]). Payloads are kept [`RETENTION`].
//!
//! # Pings
//! After a payload, the webhook's `notificationUrl` (if any, with notifications enabled) gets
//! `{"base":{"id"},"webhook":{"id"},"timestamp"}` with `X-Airtable-Content-MAC:
//! hmac-sha256=<hex>` ([`pings`]); changes within [`pings::COALESCE`] of the first share one ping.
//!
//! # What differs from Airtable, or could not be checked
//! - Only `tableData` produces payloads; `tableFields` and `tableMetadata` are accepted and
//!   produce nothing (schema changes are not reported). `recordChangeScope` must be a table id
//!   (a view id is refused), `fromSources`, `sourceOptions` and `watchSchemasOfFieldIds` are
//!   kept but only `fromSources` filters.
//! - *Unverified*: the error for an 11th webhook (`TOO_MANY_WEBHOOKS_IN_BASE`, the type clients
//!   look for, with 422); the 422 type for a bad specification (the generic
//!   `INVALID_REQUEST_UNKNOWN`); the status of `DELETE` and `enableNotifications` (204).
//! - *Unverified*: expiry. Airtable documents `expirationTime` as "the time when the webhook
//!   expires and is disabled". The sandbox keeps an expired webhook listed with
//!   `isHookEnabled: false`: it records no payloads and sends no pings, its old payloads stay
//!   readable (without extending anything), `refresh` refuses it with 422, and it still counts
//!   towards the ten until deleted. The worker should delete it and create a new one (and
//!   re-read the base, since changes were missed).
//! - *Unverified*: the ping timing (Airtable documents none): one per webhook at most every
//!   [`pings::COALESCE`], retried after [`pings::RETRY_DELAYS`] when the answer is not 200/204.
//! - `notificationUrl` may be any `http(s)` URL, loopback included (the sandbox is a loopback
//!   tool; Airtable wants a public URL).
//! - Cell values in payloads follow Airtable's webhook format where it differs from REST:
//!   selects as `{id, name, color?}`, links as `[{id, name}]` (the latter *unverified*).

pub mod changes;
pub mod payloads;
pub mod pings;
mod routes;
pub mod spec;

pub use routes::{create, delete, enable_notifications, list, list_payloads, listed, refresh};

use super::store::Base;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use spec::Specification;
use std::time::Duration;

/// Airtable's limit of webhooks per base.
pub const MAX_PER_BASE: usize = 10;
/// How long a webhook lives after its creation or last refresh.
pub const LIFETIME: Duration = Duration::from_secs(7 * 24 * 3600);
/// How long payloads are kept.
pub const RETENTION: Duration = Duration::from_secs(7 * 24 * 3600);
/// The most payloads one listing returns, and the default.
pub const MAX_PAYLOADS_PER_PAGE: usize = 50;

/// Who made a change, as Airtable's `actionMetadata.source` names it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Source {
    /// A request to the Web API.
    PublicApi,
    /// A person in Airtable's UI (the sandbox's admin path).
    Client,
}

impl Source {
    pub fn api_name(self) -> &'static str {
        match self {
            Source::PublicApi => "publicApi",
            Source::Client => "client",
        }
    }
}

/// One webhook of a base, as kept in the base's file.
#[derive(Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Webhook {
    pub id: String,
    /// The MAC key, base64: shown once at creation, then only used to sign pings.
    pub mac_secret_base64: String,
    pub notification_url: Option<String>,
    pub specification: Specification,
    pub are_notifications_enabled: bool,
    pub created_time: DateTime<Utc>,
    /// After this the webhook is disabled (see the module doc).
    pub expiration_time: DateTime<Utc>,
    /// The cursor the next payload will get; the first payload's is 1.
    pub cursor_for_next_payload: u64,
    /// Payloads not yet past [`RETENTION`], by cursor.
    #[serde(default)]
    pub payloads: Vec<StoredPayload>,
    /// Airtable's `lastNotificationResult` object, as listed.
    #[serde(default)]
    pub last_notification_result: Option<Value>,
    #[serde(default)]
    pub last_successful_notification_time: Option<DateTime<Utc>>,
}

/// Never shows the secret.
impl std::fmt::Debug for Webhook {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Webhook")
            .field("id", &self.id)
            .field("notification_url", &self.notification_url)
            .field("expiration_time", &self.expiration_time)
            .field("cursor_for_next_payload", &self.cursor_for_next_payload)
            .field("payloads", &self.payloads.len())
            .finish_non_exhaustive()
    }
}

/// A payload and the cursor it was given.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct StoredPayload {
    pub cursor: u64,
    pub timestamp: DateTime<Utc>,
    /// The payload as listed.
    pub body: Value,
}

impl Webhook {
    /// Not expired: records payloads and may be pinged.
    pub fn is_live(&self, now: DateTime<Utc>) -> bool {
        now < self.expiration_time
    }

    /// Drops the payloads older than [`RETENTION`].
    pub fn prune(&mut self, now: DateTime<Utc>) {
        let oldest = now - chrono::Duration::from_std(RETENTION).unwrap_or(chrono::Duration::MAX);
        self.payloads.retain(|p| p.timestamp >= oldest);
    }
}

/// `now + LIFETIME`.
pub fn expiry_from(now: DateTime<Utc>) -> DateTime<Utc> {
    now + chrono::Duration::from_std(LIFETIME).unwrap_or(chrono::Duration::MAX)
}

/// A transaction that changed records, for [`record`].
pub struct Transaction<'a> {
    /// The base before the change.
    pub old: &'a Base,
    pub changes: &'a [changes::TableChanges],
    pub source: Source,
    pub now: DateTime<Utc>,
}

/// Numbers the transaction and appends its payload to each live webhook of `base` (the base
/// after the change) that it matches; returns the ids of the webhooks to ping.
pub fn record(base: &mut Base, tx: &Transaction) -> Vec<String> {
    base.transaction_number += 1;
    let number = base.transaction_number;
    let mut bodies = Vec::new();
    for (i, hook) in base.webhooks.iter().enumerate() {
        if !hook.is_live(tx.now) {
            continue;
        }
        if let Some(body) = payloads::build(base, hook, tx, number) {
            bodies.push((i, body));
        }
    }
    let mut to_ping = Vec::new();
    for (i, body) in bodies {
        let hook = &mut base.webhooks[i];
        hook.prune(tx.now);
        hook.payloads.push(StoredPayload {
            cursor: hook.cursor_for_next_payload,
            timestamp: tx.now,
            body,
        });
        hook.cursor_for_next_payload += 1;
        if hook.notification_url.is_some() && hook.are_notifications_enabled {
            to_ping.push(hook.id.clone());
        }
    }
    to_ping
}
