//! The server's shared state: one `Mutex` around everything that changes, never held across an
//! `.await`.

use super::counters::Counters;
use super::errors::{AirtableFaults, ApiError};
use super::limits::Limiter;
use super::listing::Iterators;
use super::model::TableSpec;
use super::store::{Base, Store};
use super::webhooks::{self, changes, pings::Pings, Source};
use super::SandboxLimits;
use crate::faults::Faults;
use axum::http::StatusCode;
use chrono::{DateTime, Utc};
use serde::de::DeserializeOwned;
use serde_json::Value;
use std::sync::{Arc, Mutex, MutexGuard};

pub type SharedApp = Arc<App>;

/// What every handler reaches through axum's `State`.
pub struct App {
    pub inner: Mutex<Inner>,
    /// Bearer tokens accepted for every base.
    pub tokens: Vec<String>,
    /// The tables the sandbox was started with, for their hand-made views.
    pub tables: Vec<TableSpec>,
    pub limits: SandboxLimits,
}

/// Everything that changes while the server runs.
pub struct Inner {
    pub store: Store,
    pub limiter: Limiter,
    pub faults: Faults<AirtableFaults>,
    pub counters: Counters,
    pub iterators: Iterators,
    /// Webhooks waiting for, or in the middle of, a ping.
    pub pings: Pings,
    pub clock: Clock,
}

pub use crate::clock::Clock;

impl App {
    /// The state; a handler that panicked while holding the lock does not take the server down.
    pub fn lock(&self) -> MutexGuard<'_, Inner> {
        self.inner.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// The sandbox's time now ([`Clock`]).
    pub fn now(&self) -> DateTime<Utc> {
        self.lock().clock.now()
    }

    /// The label a token is shown under (its position in the list), never the token itself.
    pub fn token_label(&self, token: &str) -> Option<String> {
        self.tokens
            .iter()
            .position(|t| t == token)
            .map(|i| format!("token{}", i + 1))
    }
}

/// The bearer token of a request, if it has one.
pub fn bearer(headers: &axum::http::HeaderMap) -> Option<&str> {
    let value = headers.get(axum::http::header::AUTHORIZATION)?.to_str().ok()?;
    let (scheme, token) = value.split_once(' ')?;
    scheme.eq_ignore_ascii_case("bearer").then(|| token.trim())
}

/// A request body as JSON: 400 when it is not JSON at all, 422 when its shape is wrong.
pub fn parse_body<T: DeserializeOwned>(bytes: &[u8]) -> Result<T, ApiError> {
    let value: Value = serde_json::from_slice(bytes).map_err(|_| ApiError::bad_json())?;
    serde_json::from_value(value).map_err(|e| ApiError::invalid_request(e.to_string()))
}

/// A 500 for a failure of the sandbox itself (a base file it could not write).
pub fn server_error(error: anyhow::Error) -> ApiError {
    tracing::error!(message = "Sandbox failure.", error = %format!("{error:#}"));
    ApiError::typed(
        StatusCode::INTERNAL_SERVER_ERROR,
        "SERVER_ERROR",
        "The sandbox could not save the base",
    )
}

impl Inner {
    pub fn base(&self, base_id: &str) -> Result<&Base, ApiError> {
        self.store.base(base_id).ok_or_else(ApiError::model_not_found)
    }

    /// Runs `change` on a copy of the base and keeps the copy only when it succeeds (then writes
    /// the base's file). A change made through the public API.
    pub fn change_base<R>(
        &mut self,
        base_id: &str,
        change: impl FnOnce(&mut Base) -> Result<R, ApiError>,
    ) -> Result<R, ApiError> {
        self.change_base_as(base_id, Source::PublicApi, change)
    }

    /// [`Inner::change_base`] for a change made by `source`. The records it changed get their
    /// modification times, and it is one transaction: one payload for each webhook it matches,
    /// and a ping scheduled for each of those.
    pub fn change_base_as<R>(
        &mut self,
        base_id: &str,
        source: Source,
        change: impl FnOnce(&mut Base) -> Result<R, ApiError>,
    ) -> Result<R, ApiError> {
        let old = self.store.base(base_id).ok_or_else(ApiError::model_not_found)?;
        let mut copy = old.clone();
        let out = change(&mut copy)?;
        let changed = changes::diff(old, &copy);
        let mut to_ping = Vec::new();
        if !changed.is_empty() {
            changes::stamp(&mut copy, &changed, self.clock.now());
            let tx = webhooks::Transaction {
                old,
                changes: &changed,
                source,
                now: self.clock.now(),
            };
            to_ping = webhooks::record(&mut copy, &tx);
        }
        self.store.replace(copy).map_err(server_error)?;
        for hook in to_ping {
            self.pings.changed(base_id, &hook);
        }
        Ok(out)
    }
}

/// The index of a table of a base, or Airtable's 404.
pub fn table_index(base: &Base, table: &str) -> Result<usize, ApiError> {
    base.table_index(table)
        .ok_or_else(|| ApiError::table_not_found(table, &base.id))
}
