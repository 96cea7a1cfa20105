//! Request counters, for tests and demos (`GET /_sandbox/counters`): answers per route and status
//! (`"POST /v2/post/publish/video/init/": {"200": 3, "429": 1}`), posts taken, chunks received,
//! media fetched. Tokens are never shown. The admin path and sample files are not counted.

use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

#[derive(Debug, Default, Clone, Serialize, Deserialize, PartialEq)]
#[serde(default)]
pub struct Counters {
    /// `"METHOD /route"` -> status -> answers.
    pub requests: BTreeMap<String, BTreeMap<String, u64>>,
    /// Posts taken by an `init` (video or photo).
    pub posts_taken: u64,
    /// Chunks taken by `PUT {upload_url}`.
    pub chunks_received: u64,
    /// Media fetched for `PULL_FROM_URL`.
    pub media_fetched: u64,
}

impl Counters {
    pub fn record(&mut self, route: &str, status: u16) {
        *self
            .requests
            .entry(route.to_string())
            .or_default()
            .entry(status.to_string())
            .or_default() += 1;
    }

    /// Answers to `route`, whatever their status.
    pub fn total(&self, route: &str) -> u64 {
        self.requests.get(route).map_or(0, |by_status| by_status.values().sum())
    }

    /// Answers to `route` with `status`.
    pub fn count(&self, route: &str, status: u16) -> u64 {
        self.requests
            .get(route)
            .and_then(|by_status| by_status.get(&status.to_string()))
            .copied()
            .unwrap_or(0)
    }
}
