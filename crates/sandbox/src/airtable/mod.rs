//! The sandbox Airtable: a local server on loopback that speaks Airtable's Web API, so that
//! Airtable's own clients (airtable.js, pyairtable) and this worker work against it unchanged when
//! pointed at its URL. Every integration test runs against it; newcomers and Bubble developers
//! use it instead of a real base.
//!
//! # What it implements
//! - Records (`/v0/{baseId}/{tableIdOrName}`): list (`GET`, and `POST .../listRecords` with the
//!   same parameters as JSON) with `pageSize`, `maxRecords`, `offset`, `view`, `sort[n][field]` /
//!   `sort[n][direction]`, `fields[]`, `filterByFormula` (the [`formula`] engine),
//!   `returnFieldsByFieldId`, `cellFormat=json`, `recordMetadata[]=commentCount` (always 0); get
//!   one; create (batch or single `{"fields":..}`); update with `PATCH` / `PUT` (batch or one
//!   record); upsert (`performUpsert.fieldsToMergeOn`, answering `createdRecords` and
//!   `updatedRecords`); delete (batch `?records[]=` or one).
//! - Cells are checked on write: unknown field names, values of the wrong type, unknown select
//!   choices (created with `typecast: true`), links to records that do not exist; `typecast`
//!   converts strings best-effort, and a link written as text links the record whose primary
//!   field has that text (creating one when none has, as Airtable does). Links are two-way.
//!   Empty values ("", [], false, null) are left out of `fields`. Table and field names match
//!   case-insensitively, ids exactly.
//! - Metadata: `GET/POST /v0/meta/bases/{baseId}/tables`, `POST .../tables/{tableId}/fields`,
//!   `PATCH .../tables/{tableId}` and `PATCH .../fields/{fieldId}` (name and description only),
//!   `GET /v0/meta/bases`, `GET /v0/meta/whoami`. Views are "Grid view" (every record, in creation
//!   order) plus the hand-made views of a table of the same name in [`SandboxOptions::tables`]
//!   (the sandbox's own [`model`] of a base), with their filter and sort.
//! - A base can start with tables in it ([`AirtableSandbox::create_base_with`], [`seed`]).
//! - Webhooks ([`webhooks`]): `POST/GET /v0/bases/{baseId}/webhooks`, `.../{id}/refresh`,
//!   `DELETE .../{id}`, `.../{id}/enableNotifications`, `GET .../{id}/payloads?cursor=&limit=`.
//!   Every request that creates, changes or deletes records (links' other sides and records a
//!   typecast link creates included) is one transaction and one payload (`changedTablesById`
//!   with `createdRecordsById`, `changedRecordsById`, `destroyedRecordIds`) for each live
//!   webhook whose specification matches (`dataTypes: tableData`, `recordChangeScope`,
//!   `watchDataInFieldIds`, `changeTypes`, `fromSources`, `includes`). A webhook with a
//!   `notificationUrl` is pinged after its changes (`X-Airtable-Content-MAC: hmac-sha256=<hex>`),
//!   one ping for the changes of about a second, retried with backoff, each result listed as
//!   `lastNotificationResult`. At most 10 per base; 7 days of life, extended by `refresh` and by
//!   listing payloads; payloads kept 7 days. Webhooks, with their secrets, cursors and payloads,
//!   are kept in the base's file.
//! - Modification times: each record keeps when each of its cells last changed, so
//!   `LAST_MODIFIED_TIME()` is its last change and `LAST_MODIFIED_TIME({A}, {B})` the latest of
//!   those fields' (blank when neither was ever written).
//! - Errors with Airtable's statuses and bodies ([`errors`]; examples in `fixtures/airtable/`).
//!
//! # Limits (Airtable's documented values; source: `shared/reference/airtable.md`,
//! airtable.com/developers/web/api/rate-limits)
//! - 5 requests per second per base and 50 per second per token, over any one-second window; the
//!   request over the limit gets 429 `RATE_LIMIT_REACHED`, and the base (or token) stays locked
//!   out for 30 s, every request in that time getting the same 429 (no `Retry-After`). Metadata
//!   calls count against their base. [`SandboxLimits`] sets the numbers.
//! - At most 10 records per create, update or delete (422 `INVALID_RECORDS`), `pageSize` at most
//!   100 (default 100).
//! - List iterators (`offset`) expire 5 minutes after their last use (Airtable documents no
//!   number), then give 422 `LIST_RECORDS_ITERATOR_NOT_AVAILABLE`.
//!
//! # What differs from the real service
//! - Field types are those of [`model::FieldType`] (text, email, url, long text, number, checkbox,
//!   date, dateTime, single and multiple select, links, attachments); computed fields do not
//!   exist. Attachments keep only `{id, url, filename}` (no upload, size or thumbnails).
//! - `cellFormat=string` is refused (422); `timeZone` and `userLocale` are accepted and ignored.
//! - Tokens have no scopes and see every base; there are no monthly call quotas, record limits,
//!   comments, or views beyond those of [`SandboxOptions::tables`].
//! - Webhooks report record changes only (`tableFields` and `tableMetadata` are accepted and
//!   report nothing), scope to tables, not views, and accept loopback `http` notification URLs.
//!   What could not be checked (the error for an 11th webhook, what an expired webhook answers,
//!   the ping timing, the statuses of `DELETE` and `enableNotifications`, the webhook format of
//!   link cells) is listed in [`webhooks`].
//! - Some error types and messages that could not be checked against the real service are marked
//!   as such where they are made (metadata errors, upsert with several matches, `pageSize` over
//!   100 refused rather than clamped).
//! - No CORS headers (clients run server-side); `Retry-After` is never sent.
//!
//! `tests/compat/` holds pyairtable and airtable.js scripts that drive the sandbox with those
//! clients unchanged (run by the ignored tests in `smoke_tests/compat.rs`).
//!
//! # Admin path (`/_sandbox`, needs one of the tokens, not rate limited)
//! `POST/GET /_sandbox/bases` (`{"name", "tables"?}`, tables as [`model::TableSpec`]s); `POST /_sandbox/faults` (`{"method"?, "path_prefix", "count",
//! "skip"?, "query_contains"?, "status"?, "body"?, "delay_ms"?}`, see [`crate::faults`]:
//! the next `count` matching requests get that answer after the delay; without `status` they are
//! only delayed) and `DELETE /_sandbox/faults`;
//! `GET /_sandbox/counters` and `POST /_sandbox/counters/reset`;
//! `POST /_sandbox/iterators/expire`; `DELETE /_sandbox/bases/{baseId}/tables/{table}/fields/{field}`;
//! `POST /_sandbox/bases/{baseId}/webhooks/{id}/expire` (the webhook expires now).
//! [`AirtableSandbox::webhooks`] reads a base's webhooks from Rust, as listed, without a request.
//!
//! # Persistence
//! With a `data_dir`, one JSON file per base, `<baseId>.json`, rewritten (temp file + rename) right
//! after each mutating request; see [`store`] for the format. Without one, everything is in memory.
//!
//! # Time
//! Rate windows, lock-outs, iterator expiry and pings use `tokio::time::Instant`; `createdTime`,
//! modification times, `NOW()`, webhook expiry and payload timestamps use the sandbox's clock (the
//! wall time at start plus tokio's elapsed time), so tests can pause and advance all of them.

mod admin;
mod app;
mod cell_read;
mod cells;
mod counters;
pub mod errors;
mod fields;
pub mod formula;
mod gate;
mod ids;
pub mod limits;
mod links;
mod listing;
mod meta;
pub mod model;
mod query;
mod records;
mod render;
pub mod seed;
pub mod store;
pub mod webhooks;
mod writes;

#[cfg(test)]
mod smoke_tests;

use super::server::{Bound, Server};
use app::{App, Clock, Inner, SharedApp};
use axum::routing::{delete, get, patch, post};
use axum::Router;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// How to run a sandbox.
#[derive(Debug, Clone)]
pub struct SandboxOptions {
    /// Where to listen; `127.0.0.1:0` in tests.
    pub listen: SocketAddr,
    /// Where bases are kept; `None`: in memory only.
    pub data_dir: Option<PathBuf>,
    /// Bearer tokens accepted (for every base).
    pub tokens: Vec<String>,
    /// Tables as a person set them up; only their views are used (matched by table name), since
    /// Airtable's API cannot create views. Empty: every table has only "Grid view".
    pub tables: Vec<model::TableSpec>,
    pub limits: SandboxLimits,
}

/// Rate limits; the default is Airtable's.
#[derive(Debug, Clone, PartialEq)]
pub struct SandboxLimits {
    pub per_base_per_sec: u32,
    pub per_token_per_sec: u32,
    pub lockout: Duration,
}

impl Default for SandboxLimits {
    fn default() -> Self {
        SandboxLimits {
            per_base_per_sec: 5,
            per_token_per_sec: 50,
            lockout: Duration::from_secs(30),
        }
    }
}

/// A running sandbox.
pub struct AirtableSandbox {
    server: Server,
    app: SharedApp,
}

impl AirtableSandbox {
    /// Loads the bases of `data_dir`, binds, and serves on the current tokio runtime.
    pub async fn start(opts: SandboxOptions) -> anyhow::Result<AirtableSandbox> {
        let store = store::Store::open(opts.data_dir.clone(), &opts.tables)?;
        let (pings, news) = webhooks::pings::Pings::new();
        let app = Arc::new(App {
            inner: Mutex::new(Inner {
                store,
                limiter: limits::Limiter::default(),
                faults: Default::default(),
                counters: counters::Counters::default(),
                iterators: listing::Iterators::default(),
                pings,
                clock: Clock::start(),
            }),
            tokens: opts.tokens,
            tables: opts.tables,
            limits: opts.limits,
        });
        let bound = Bound::bind(opts.listen, "Airtable").await?;
        tokio::spawn(webhooks::pings::run(Arc::downgrade(&app), news));
        let server = bound.serve(router(app.clone()));
        Ok(AirtableSandbox { server, app })
    }

    /// How long each request waits before it is handled ([`crate::latency`]): `profile` with
    /// this vendor's typical figures ([`limits::TYPICAL_LATENCY`]). Off at start.
    pub fn set_latency(&self, profile: crate::latency::Profile) {
        self.server.latency().set(profile.latency(limits::TYPICAL_LATENCY));
    }

    /// The latency set now.
    pub fn latency(&self) -> crate::latency::Latency {
        self.server.latency().get()
    }

    /// `http://127.0.0.1:PORT`, the URL to give clients as their endpoint.
    pub fn url(&self) -> String {
        self.server.url()
    }

    pub fn addr(&self) -> SocketAddr {
        self.server.addr()
    }

    /// Creates an empty base and returns its id (`app...`); also `POST /_sandbox/bases`.
    pub fn create_base(&self, name: &str) -> String {
        let mut inner = self.app.lock();
        let id = inner.store.add_base(name);
        if let Err(error) = inner.store.persist(&id) {
            tracing::error!(message = "Failed to save a new base.", error = %format!("{error:#}"));
        }
        id
    }

    /// Creates a base holding `tables` (created as through the metadata API, see [`seed`]) and
    /// returns its id.
    pub fn create_base_with(&self, name: &str, tables: &[model::TableSpec]) -> anyhow::Result<String> {
        seed::create_seeded(&self.app, name, tables)
            .map_err(|e| anyhow::anyhow!("Failed to seed the base {name:?}: {} {}", e.status, e.body))
    }

    /// (id, name) of every base.
    pub fn bases(&self) -> Vec<(String, String)> {
        self.app.lock().store.list()
    }

    /// The webhooks of a base as `GET /v0/bases/{baseId}/webhooks` lists them (no secrets), for
    /// tests: without a request, so nothing is counted or rate limited. Empty for an unknown base.
    pub fn webhooks(&self, base_id: &str) -> Vec<serde_json::Value> {
        let inner = self.app.lock();
        let now = inner.clock.now();
        inner
            .store
            .base(base_id)
            .map(|b| b.webhooks.iter().map(|h| webhooks::listed(h, now)).collect())
            .unwrap_or_default()
    }

    /// Stops accepting requests, lets running ones finish, and writes every base.
    pub async fn shutdown(self) {
        self.server.stop().await;
        if let Err(error) = self.app.lock().store.persist_all() {
            tracing::error!(message = "Failed to save the sandbox's bases.", error = %format!("{error:#}"));
        }
    }
}

fn router(app: SharedApp) -> Router {
    let table_routes = || {
        get(records::list_get)
            .post(records::create)
            .patch(records::update)
            .put(records::replace)
            .delete(records::delete_many)
    };
    let v0 = Router::new()
        .route("/v0/meta/bases", get(meta::list_bases))
        .route("/v0/meta/whoami", get(meta::whoami))
        .route(
            "/v0/meta/bases/{base}/tables",
            get(meta::list_tables).post(meta::create_table),
        )
        .route("/v0/meta/bases/{base}/tables/{table}", patch(meta::update_table))
        .route("/v0/meta/bases/{base}/tables/{table}/fields", post(meta::create_field))
        .route(
            "/v0/meta/bases/{base}/tables/{table}/fields/{field}",
            patch(meta::update_field),
        )
        .route("/v0/bases/{base}/webhooks", get(webhooks::list).post(webhooks::create))
        .route("/v0/bases/{base}/webhooks/{hook}", delete(webhooks::delete))
        .route("/v0/bases/{base}/webhooks/{hook}/refresh", post(webhooks::refresh))
        .route(
            "/v0/bases/{base}/webhooks/{hook}/enableNotifications",
            post(webhooks::enable_notifications),
        )
        .route(
            "/v0/bases/{base}/webhooks/{hook}/payloads",
            get(webhooks::list_payloads),
        )
        .route("/v0/{base}/{table}", table_routes())
        .route("/v0/{base}/{table}/", table_routes())
        .route("/v0/{base}/{table}/listRecords", post(records::list_post))
        .route(
            "/v0/{base}/{table}/{record}",
            get(records::get_one)
                .patch(records::update_one)
                .put(records::replace_one)
                .delete(records::delete_one),
        )
        .route_layer(axum::middleware::from_fn_with_state(app.clone(), gate::gate));
    let admin = Router::new()
        .route("/_sandbox/bases", post(admin::create_base).get(admin::list_bases))
        .route("/_sandbox/faults", post(admin::add_fault).delete(admin::clear_faults))
        .route("/_sandbox/counters", get(admin::counters))
        .route("/_sandbox/counters/reset", post(admin::reset_counters))
        .route("/_sandbox/iterators/expire", post(admin::expire_iterators))
        .route(
            "/_sandbox/bases/{base}/tables/{table}/fields/{field}",
            axum::routing::delete(admin::delete_field),
        )
        .route(
            "/_sandbox/bases/{base}/webhooks/{hook}/expire",
            post(admin::expire_webhook),
        )
        .route_layer(axum::middleware::from_fn_with_state(app.clone(), admin::admin_gate));
    v0.merge(admin)
        .fallback(not_found)
        .method_not_allowed_fallback(not_found)
        .with_state(app)
}

/// An undefined route: Airtable's bare 404.
async fn not_found() -> errors::ApiError {
    errors::ApiError::not_found()
}
