//! The worker's one clock: wall time (UTC) read as a fixed wall instant plus the time elapsed on
//! tokio's clock. In production that is the real time; in tests `tokio::time::pause()` drives it,
//! so sleeping until a post's `ScheduledTime` and comparing against it use the same clock.

use chrono::{DateTime, Utc};
use std::time::Duration;
use tokio::time::Instant;

#[derive(Debug, Clone, Copy)]
pub struct Clock {
    wall_origin: DateTime<Utc>,
    origin: Instant,
}

impl Clock {
    /// A clock reading the real time now.
    pub fn new() -> Clock {
        Clock {
            wall_origin: Utc::now(),
            origin: Instant::now(),
        }
    }

    /// A clock that reads `at` now (tests start the world at a chosen time).
    pub fn starting_at(at: DateTime<Utc>) -> Clock {
        Clock {
            wall_origin: at,
            origin: Instant::now(),
        }
    }

    pub fn now(&self) -> DateTime<Utc> {
        let elapsed = chrono::Duration::from_std(self.origin.elapsed()).unwrap_or(chrono::Duration::zero());
        self.wall_origin + elapsed
    }

    /// The tokio instant at which the clock reads `at` (now, if `at` has passed).
    pub fn instant_at(&self, at: DateTime<Utc>) -> Instant {
        let ahead = (at - self.now()).to_std().unwrap_or(Duration::ZERO);
        Instant::now() + ahead
    }

    /// Sleeps until the clock reads `at`.
    pub async fn sleep_until(&self, at: DateTime<Utc>) {
        tokio::time::sleep_until(self.instant_at(at)).await
    }
}

impl Default for Clock {
    fn default() -> Self {
        Clock::new()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    #[tokio::test(start_paused = true)]
    async fn the_clock_follows_tokios_paused_time() {
        let t0 = Utc.with_ymd_and_hms(2026, 11, 25, 10, 0, 0).unwrap();
        let clock = Clock::starting_at(t0);
        clock.sleep_until(t0 + chrono::Duration::seconds(90)).await;
        assert_eq!(clock.now(), t0 + chrono::Duration::seconds(90));
    }
}
