//! Pacing of Airtable calls, shared by every task of the process.
//!
//! Airtable allows 5 requests/s per base and 50 requests/s per token; over that it answers 429
//! and refuses the base for 30 s. We pace each request with two GCRA limiters (governor), one per
//! base and one for the token, and after a 429 we hold *the whole base* until its lock-out ends:
//! one wait for every caller, not one each.
//!
//! Time comes from tokio's clock, so `tokio::time::pause()` drives it in tests.

use governor::clock::Clock;
use governor::middleware::NoOpMiddleware;
use governor::state::keyed::HashMapStateStore;
use governor::state::{InMemoryState, NotKeyed};
use governor::{Quota, RateLimiter};
use std::collections::HashMap;
use std::num::NonZeroU32;
use std::sync::Mutex;
use std::time::Duration;
use tokio::time::Instant;

/// governor's clock, read from tokio's (pausable) clock as time elapsed since an origin.
#[derive(Debug, Clone)]
pub struct TokioClock {
    origin: Instant,
}

impl TokioClock {
    fn new() -> Self {
        TokioClock { origin: Instant::now() }
    }
}

impl Clock for TokioClock {
    type Instant = Duration;
    fn now(&self) -> Duration {
        self.origin.elapsed()
    }
}

type KeyedLimiter = RateLimiter<String, HashMapStateStore<String>, TokioClock, NoOpMiddleware<Duration>>;
type DirectLimiter = RateLimiter<NotKeyed, InMemoryState, TokioClock, NoOpMiddleware<Duration>>;

/// The limits to keep; see `.env.example` for their defaults and why.
#[derive(Debug, Clone, PartialEq)]
pub struct Limits {
    /// Requests per second to one base (Airtable: 5; we keep a little under, because Airtable
    /// counts arrivals and our clock counts departures).
    pub per_base_per_sec: f64,
    /// Requests per second for the token across bases (Airtable: 50).
    pub per_token_per_sec: f64,
    /// How long a base refuses requests after a 429 (Airtable: 30 s).
    pub lockout: Duration,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            per_base_per_sec: 4.9,
            per_token_per_sec: 49.0,
            lockout: Duration::from_secs(30),
        }
    }
}

/// Paces calls per base and per token; holds a base after a 429.
pub struct Limiter {
    /// GCRA state per base id.
    bases: KeyedLimiter,
    /// GCRA state for the one token this client uses.
    token: DirectLimiter,
    /// For each base locked out by a 429, when the lock-out ends.
    locked_until: Mutex<HashMap<String, Instant>>,
    clock: TokioClock,
    lockout: Duration,
}

fn quota(per_sec: f64) -> Quota {
    let period = Duration::from_secs_f64(1.0 / per_sec.max(0.001));
    Quota::with_period(period)
        .expect("a positive period")
        .allow_burst(NonZeroU32::MIN)
}

impl Limiter {
    pub fn new(limits: &Limits) -> Limiter {
        let clock = TokioClock::new();
        Limiter {
            bases: RateLimiter::hashmap_with_clock(quota(limits.per_base_per_sec), clock.clone()),
            token: RateLimiter::direct_with_clock(quota(limits.per_token_per_sec), clock.clone()),
            locked_until: Mutex::new(HashMap::new()),
            clock,
            lockout: limits.lockout,
        }
    }

    /// Waits until a request to `base` may be sent: after any lock-out, within both rates.
    pub async fn acquire(&self, base: &str) {
        let key = base.to_string();
        loop {
            if let Some(until) = self.locked_until(base) {
                tokio::time::sleep_until(until).await;
                continue;
            }
            if let Err(not_until) = self.bases.check_key(&key) {
                tokio::time::sleep(not_until.wait_time_from(self.clock.now())).await;
                continue;
            }
            // The base slot is taken; now the token's. Waiting here keeps the base slot, which
            // only spaces this base's next request a little more.
            while let Err(not_until) = self.token.check() {
                tokio::time::sleep(not_until.wait_time_from(self.clock.now())).await;
            }
            // A 429 may have come back while this caller waited: then it waits for the lock-out too.
            if self.locked_until(base).is_none() {
                return;
            }
        }
    }

    /// Records a 429 from `base`: the base is held for the lock-out, counted from now, unless it is
    /// already held (the other callers' 429s, sent before the first one came back, do not extend it).
    /// Returns whether this call started the lock-out.
    pub fn rate_limited(&self, base: &str) -> bool {
        let now = Instant::now();
        let mut locked = self.locked_until.lock().expect("limiter lock");
        match locked.get(base) {
            Some(until) if *until > now => false,
            _ => {
                locked.insert(base.to_string(), now + self.lockout);
                true
            }
        }
    }

    /// When the base's lock-out ends, if it is locked out now.
    pub fn locked_until(&self, base: &str) -> Option<Instant> {
        let now = Instant::now();
        let locked = self.locked_until.lock().expect("limiter lock");
        locked.get(base).copied().filter(|until| *until > now)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test(start_paused = true)]
    async fn ten_requests_to_one_base_take_about_two_seconds() {
        let limiter = Limiter::new(&Limits {
            per_base_per_sec: 5.0,
            ..Limits::default()
        });
        let start = Instant::now();
        for _ in 0..10 {
            limiter.acquire("appA").await;
        }
        let took = start.elapsed();
        assert!(
            took >= Duration::from_millis(1800) && took < Duration::from_millis(1900),
            "{took:?}"
        );
    }

    #[tokio::test(start_paused = true)]
    async fn bases_are_paced_independently() {
        let limiter = Limiter::new(&Limits::default());
        let start = Instant::now();
        limiter.acquire("appA").await;
        limiter.acquire("appB").await;
        assert!(start.elapsed() < Duration::from_millis(50));
    }

    #[tokio::test(start_paused = true)]
    async fn a_429_holds_the_base_once_for_every_caller() {
        let limiter = Limiter::new(&Limits::default());
        assert!(limiter.rate_limited("appA"));
        assert!(!limiter.rate_limited("appA"), "a second 429 must not extend the wait");
        let start = Instant::now();
        limiter.acquire("appA").await;
        assert!(start.elapsed() >= Duration::from_secs(30));
        assert!(start.elapsed() < Duration::from_millis(30_300));
    }
}
