//! Request counters per base and per token, for tests and demos (`GET /_sandbox/counters`).
//!
//! Every request that reached a base counts, including those answered 429 and faulted ones.
//! Tokens are never shown: each is named by its position in the sandbox's token list (`token1`).

use serde::Serialize;
use std::collections::BTreeMap;

#[derive(Debug, Default, Clone, Serialize, PartialEq)]
pub struct Count {
    pub requests: u64,
    pub rate_limited: u64,
    pub by_status: BTreeMap<String, u64>,
}

impl Count {
    fn add(&mut self, status: u16, rate_limited: bool) {
        self.requests += 1;
        if rate_limited {
            self.rate_limited += 1;
        }
        *self.by_status.entry(status.to_string()).or_default() += 1;
    }
}

#[derive(Debug, Default, Clone, Serialize, PartialEq)]
pub struct Counters {
    pub bases: BTreeMap<String, Count>,
    pub tokens: BTreeMap<String, Count>,
}

impl Counters {
    /// Counts one answered request; `rate_limited` when the sandbox's limiter refused it.
    pub fn record(&mut self, base: Option<&str>, token_label: &str, status: u16, rate_limited: bool) {
        if let Some(b) = base {
            self.bases.entry(b.to_string()).or_default().add(status, rate_limited);
        }
        self.tokens
            .entry(token_label.to_string())
            .or_default()
            .add(status, rate_limited);
    }

    pub fn reset(&mut self) {
        *self = Counters::default();
    }
}
