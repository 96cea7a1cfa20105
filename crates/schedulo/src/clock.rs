//! The worker's one clock.
//!
//! Two kinds, one type:
//! - [`Clock::system`], for the running worker: the wall time is the system's (`Utc::now()`),
//!   so it follows NTP's corrections and stays right after the machine was suspended or a VM was
//!   paused (a monotonic clock does not count those). Sleeps are taken in slices of at most
//!   [`WALL_SLICE`] and the wall time is looked at again after each, so a post due during a
//!   suspend goes out within a slice of the machine waking.
//! - [`Clock::new`] and [`Clock::starting_at`], for tests and the sandboxes: a fixed wall instant
//!   plus the time elapsed on tokio's clock, so `tokio::time::pause()` drives it.
//!
//! Sleeping until a post's `ScheduledTime` and comparing against it use the same clock.

use chrono::{DateTime, Utc};
use std::time::Duration;
use tokio::time::Instant;

/// The longest single sleep of a system clock before it reads the wall time again.
pub const WALL_SLICE: Duration = Duration::from_secs(5);

#[derive(Debug, Clone, Copy)]
pub struct Clock {
    wall_origin: DateTime<Utc>,
    origin: Instant,
    /// Where the wall time comes from; `None`: the origin plus tokio's elapsed time.
    wall: Option<fn() -> DateTime<Utc>>,
}

impl Clock {
    /// The running worker's clock: the system's wall time (see the module docs).
    pub fn system() -> Clock {
        Clock::with_wall(Utc::now)
    }

    /// A clock reading its wall time from `wall` (tests give one they move by hand, to play a
    /// suspend or an NTP step).
    pub fn with_wall(wall: fn() -> DateTime<Utc>) -> Clock {
        Clock {
            wall_origin: wall(),
            origin: Instant::now(),
            wall: Some(wall),
        }
    }

    /// A clock reading the real time now and then tokio's time (tests pause it).
    pub fn new() -> Clock {
        Clock {
            wall_origin: Utc::now(),
            origin: Instant::now(),
            wall: None,
        }
    }

    /// A clock that reads `at` now and then moves with tokio's time (tests start the world at a
    /// chosen time).
    pub fn starting_at(at: DateTime<Utc>) -> Clock {
        Clock {
            wall_origin: at,
            origin: Instant::now(),
            wall: None,
        }
    }

    pub fn now(&self) -> DateTime<Utc> {
        if let Some(wall) = self.wall {
            return wall();
        }
        let elapsed = chrono::Duration::from_std(self.origin.elapsed()).unwrap_or(chrono::Duration::zero());
        self.wall_origin + elapsed
    }

    /// The tokio instant at which the clock should read `at` (now, if `at` has passed), as far
    /// as it can tell now.
    pub fn instant_at(&self, at: DateTime<Utc>) -> Instant {
        let ahead = (at - self.now()).to_std().unwrap_or(Duration::ZERO);
        Instant::now() + ahead
    }

    /// Sleeps until the clock reads `at`.
    pub async fn sleep_until(&self, at: DateTime<Utc>) {
        if self.wall.is_none() {
            return tokio::time::sleep_until(self.instant_at(at)).await;
        }
        loop {
            let Ok(ahead) = (at - self.now()).to_std() else {
                return;
            };
            if ahead.is_zero() {
                return;
            }
            tokio::time::sleep(ahead.min(WALL_SLICE)).await;
        }
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
    use std::sync::atomic::{AtomicI64, Ordering};

    #[tokio::test(start_paused = true)]
    async fn the_clock_follows_tokios_paused_time() {
        let t0 = Utc.with_ymd_and_hms(2026, 11, 25, 10, 0, 0).unwrap();
        let clock = Clock::starting_at(t0);
        clock.sleep_until(t0 + chrono::Duration::seconds(90)).await;
        assert_eq!(clock.now(), t0 + chrono::Duration::seconds(90));
    }

    /// A wall time the test sets: seconds since the epoch.
    static WALL: AtomicI64 = AtomicI64::new(1_800_000_000);

    fn wall() -> DateTime<Utc> {
        Utc.timestamp_opt(WALL.load(Ordering::SeqCst), 0).unwrap()
    }

    /// The machine sleeps for an hour while the worker waits for a post due in ten minutes: on
    /// waking, the wall time is past the post's, and the wait ends within a slice.
    #[tokio::test(start_paused = true)]
    async fn a_system_clock_wakes_within_a_slice_after_a_suspend() {
        let clock = Clock::with_wall(wall);
        let due = clock.now() + chrono::Duration::minutes(10);
        let started = Instant::now();
        let waiting = tokio::spawn(async move { clock.sleep_until(due).await });
        tokio::time::sleep(Duration::from_secs(1)).await;
        // The suspend: the wall time jumps an hour, tokio's (monotonic) time does not.
        WALL.fetch_add(3600, Ordering::SeqCst);
        waiting.await.unwrap();
        assert!(
            started.elapsed() <= Duration::from_secs(1) + WALL_SLICE,
            "{:?}",
            started.elapsed()
        );
        assert!(clock.now() >= due);
    }
}
