//! The sandboxes' clock: the wall time when a sandbox started plus the time elapsed since on
//! tokio's clock, so that a test's `tokio::time::pause()` and `advance` move every stand-in's
//! notion of "now" (timestamps, rate-limit resets, expiries) without sleeping.

use chrono::{DateTime, Utc};
use tokio::time::Instant;

#[derive(Debug, Clone, Copy)]
pub struct Clock {
    wall: DateTime<Utc>,
    start: Instant,
}

impl Clock {
    /// A clock that reads the system's wall time now and counts on from it.
    pub fn start() -> Clock {
        Clock {
            wall: Utc::now(),
            start: Instant::now(),
        }
    }

    /// The sandbox's time now.
    pub fn now(&self) -> DateTime<Utc> {
        self.at(Instant::now())
    }

    /// The sandbox's time at the tokio instant `t` (the start's for an instant before it).
    pub fn at(&self, t: Instant) -> DateTime<Utc> {
        let since = t.saturating_duration_since(self.start);
        self.wall + chrono::Duration::from_std(since).unwrap_or(chrono::Duration::MAX)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    #[tokio::test(start_paused = true)]
    async fn time_moves_with_tokio_s_clock() {
        let clock = Clock::start();
        let t0 = clock.now();
        tokio::time::advance(Duration::from_secs(90)).await;
        assert_eq!(clock.now() - t0, chrono::Duration::seconds(90));
        assert_eq!(
            clock.at(Instant::now() - Duration::from_secs(3600)),
            clock.at(clock.start)
        );
    }
}
