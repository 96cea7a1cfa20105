//! Counters, for tests and demos (`GET /_sandbox/counters`): answers per route and status, and per
//! cloud the uploads stored, chunks taken, Admin API calls, and derived files made; notifications
//! delivered and failed. The admin path and sample files are not counted.

use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

#[derive(Debug, Default, Clone, Serialize, Deserialize, PartialEq)]
#[serde(default)]
pub struct Counters {
    /// `"METHOD /route"` -> status -> answers.
    pub requests: BTreeMap<String, BTreeMap<String, u64>>,
    /// Cloud name -> its counters.
    pub clouds: BTreeMap<String, CloudCounters>,
    /// Notifications a receiver took (2xx).
    pub notifications_sent: u64,
    /// Notifications given up on after every attempt.
    pub notifications_failed: u64,
}

/// What happened in one cloud.
#[derive(Debug, Default, Clone, Serialize, Deserialize, PartialEq)]
#[serde(default)]
pub struct CloudCounters {
    /// Uploads stored (an `overwrite=false` upload of an existing public id is not one).
    pub uploads: u64,
    /// Chunks of chunked uploads taken.
    pub chunks: u64,
    /// Admin API calls authenticated (rate limited ones included).
    pub admin_calls: u64,
    /// Admin API calls refused with 420.
    pub rate_limited: u64,
    /// Derived files made (eager or on delivery).
    pub transformations: u64,
    /// Assets destroyed.
    pub destroyed: u64,
    /// Bytes delivered.
    pub bandwidth: u64,
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

    /// Answers to `route` with `status`.
    pub fn count(&self, route: &str, status: u16) -> u64 {
        self.requests
            .get(route)
            .and_then(|by_status| by_status.get(&status.to_string()))
            .copied()
            .unwrap_or(0)
    }

    /// The counters of a cloud (zero when nothing happened there).
    pub fn cloud(&self, cloud: &str) -> CloudCounters {
        self.clouds.get(cloud).cloned().unwrap_or_default()
    }

    pub fn cloud_mut(&mut self, cloud: &str) -> &mut CloudCounters {
        self.clouds.entry(cloud.to_string()).or_default()
    }
}
