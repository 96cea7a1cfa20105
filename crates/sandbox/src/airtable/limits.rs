//! Airtable's rate limits: at most N requests in any one-second window, per base and per token;
//! the request that goes over gets 429 and the base (or token) is then locked out for 30 s, every
//! request in that time getting the same 429 (airtable.com/developers/web/api/rate-limits).
//!
//! Time is `tokio::time::Instant`, so tests with a paused clock control windows and lock-outs.

use super::SandboxLimits;
use std::collections::{HashMap, VecDeque};
use std::time::Duration;
use tokio::time::Instant;

/// How long Airtable typically takes to answer, network included. Sequin measured GETs of
/// 100-record pages from AWS us-west-2 averaging just under 600 ms (p95 about 1.1 s), with writes
/// often slower ("Benchmarking Airtable API performance", blog.sequin.io/airtable-api, 2021).
/// We take 400 ms for a read and 500 ms for a write: a closer region and smaller requests than
/// theirs, an assumption inside their range. A client that waits for each answer before its next
/// request thus stays near 2 requests a second, as it does against Airtable.
pub const TYPICAL_LATENCY: crate::latency::Latency = crate::latency::Latency {
    read: Duration::from_millis(400),
    write: Duration::from_millis(500),
};

/// Length of the sliding window.
const WINDOW: Duration = Duration::from_secs(1);

/// Requests seen in the last second, and a lock-out if one is running.
#[derive(Debug, Default)]
pub struct RateWindow {
    /// Arrival times of admitted requests still inside the window.
    hits: VecDeque<Instant>,
    locked_until: Option<Instant>,
}

impl RateWindow {
    /// Whether a lock-out is running at `now` (an expired one is lifted and the window starts afresh).
    fn locked(&mut self, now: Instant) -> bool {
        match self.locked_until {
            Some(until) if now < until => true,
            Some(_) => {
                self.locked_until = None;
                self.hits.clear();
                false
            }
            None => false,
        }
    }

    /// Drops hits that are no longer in (now - 1 s, now] and says whether one more would exceed `limit`.
    fn full(&mut self, now: Instant, limit: u32) -> bool {
        while self.hits.front().is_some_and(|t| now.duration_since(*t) >= WINDOW) {
            self.hits.pop_front();
        }
        self.hits.len() >= limit as usize
    }

    fn lock(&mut self, now: Instant, lockout: Duration) {
        self.locked_until = Some(now + lockout);
    }

    fn admit(&mut self, now: Instant) {
        self.hits.push_back(now);
    }
}

/// Windows per base and per token.
#[derive(Debug, Default)]
pub struct Limiter {
    bases: HashMap<String, RateWindow>,
    tokens: HashMap<String, RateWindow>,
}

impl Limiter {
    /// Admits or refuses one request to `base` (when it names a known base) made with `token`.
    /// A refused request is not counted in the windows; the one that goes over starts the lock-out.
    pub fn check(&mut self, base: Option<&str>, token: &str, now: Instant, limits: &SandboxLimits) -> bool {
        let token_window = self.tokens.entry(token.to_string()).or_default();
        let mut base_window = base.map(|b| self.bases.entry(b.to_string()).or_default());
        if token_window.locked(now) || base_window.as_mut().is_some_and(|w| w.locked(now)) {
            return false;
        }
        if let Some(w) = base_window.as_mut() {
            if w.full(now, limits.per_base_per_sec) {
                w.lock(now, limits.lockout);
                return false;
            }
        }
        if token_window.full(now, limits.per_token_per_sec) {
            token_window.lock(now, limits.lockout);
            return false;
        }
        token_window.admit(now);
        if let Some(w) = base_window {
            w.admit(now);
        }
        true
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn limits() -> SandboxLimits {
        SandboxLimits::default()
    }

    #[test]
    fn the_sixth_request_within_a_second_is_refused_and_locks_the_base_for_thirty_seconds() {
        let mut l = Limiter::default();
        let t0 = Instant::now();
        for i in 0..5 {
            assert!(l.check(Some("appA"), "t", t0 + Duration::from_millis(i * 100), &limits()));
        }
        assert!(!l.check(Some("appA"), "t", t0 + Duration::from_millis(900), &limits()));
        // Locked out even though the window has moved on.
        assert!(!l.check(Some("appA"), "t", t0 + Duration::from_secs(10), &limits()));
        // Another base is not affected.
        assert!(l.check(Some("appB"), "t", t0 + Duration::from_secs(10), &limits()));
        assert!(l.check(
            Some("appA"),
            "t",
            t0 + Duration::from_millis(900) + Duration::from_secs(30),
            &limits()
        ));
    }

    #[test]
    fn the_window_slides_so_five_per_second_forever_is_fine() {
        let mut l = Limiter::default();
        let t0 = Instant::now();
        for i in 0..50 {
            assert!(
                l.check(Some("appA"), "t", t0 + Duration::from_millis(i * 200), &limits()),
                "request {i}"
            );
        }
    }

    #[test]
    fn a_request_exactly_one_second_later_is_outside_the_window() {
        let mut l = Limiter::default();
        let t0 = Instant::now();
        for _ in 0..5 {
            assert!(l.check(Some("appA"), "t", t0, &limits()));
        }
        assert!(l.check(Some("appA"), "t", t0 + WINDOW, &limits()));
    }

    #[test]
    fn the_token_limit_spans_bases() {
        let mut l = Limiter::default();
        let t0 = Instant::now();
        let limits = SandboxLimits {
            per_token_per_sec: 3,
            ..SandboxLimits::default()
        };
        assert!(l.check(Some("appA"), "t", t0, &limits));
        assert!(l.check(Some("appB"), "t", t0, &limits));
        assert!(l.check(None, "t", t0, &limits));
        assert!(!l.check(Some("appC"), "t", t0, &limits));
        assert!(l.check(Some("appC"), "other", t0, &limits));
    }
}
