//! The sandboxes' clock: the wall time when a sandbox started plus the time elapsed since on
//! tokio's clock, so that a test's `tokio::time::pause()` and `advance` move every stand-in's
//! notion of "now" (timestamps, rate-limit resets, expiries) without sleeping.
//!
//! A stand-in that keeps its state on disk ([`crate::persist`]) writes tokio instants as the wall
//! times they stand for ([`Clock::wall_of`]) and reads them back as instants of the new run
//! ([`Clock::instant_of`]); it starts its clock with [`Clock::resume`], so that its time never runs
//! back across a restart (a test whose paused clock ran ahead keeps its lead).

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

    /// A clock that counts on from the wall time now, or from `last` (the time a previous run
    /// saw last) when that is later: time never runs back across a restart.
    pub fn resume(last: Option<DateTime<Utc>>) -> Clock {
        let mut clock = Clock::start();
        clock.wall = clock.wall.max(last.unwrap_or(clock.wall));
        clock
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

    /// The wall time of the tokio instant `t`, before the start too (for saving it).
    pub fn wall_of(&self, t: Instant) -> DateTime<Utc> {
        let delta = |d: std::time::Duration| chrono::Duration::from_std(d).unwrap_or(chrono::Duration::MAX);
        match t.checked_duration_since(self.start) {
            Some(after) => self.wall + delta(after),
            None => self.wall - delta(self.start.saturating_duration_since(t)),
        }
    }

    /// The tokio instant of the wall time `at` (for reading back what [`Clock::wall_of`] gave).
    /// A time from before the machine's monotonic clock began (before a reboot) becomes the
    /// earliest instant there is: it then looks younger than it is, so a window it counts in
    /// ends late rather than early.
    pub fn instant_of(&self, at: DateTime<Utc>) -> Instant {
        let gap = at - self.wall;
        match gap.to_std() {
            Ok(ahead) => self.start + ahead,
            Err(_) => {
                let back = (-gap).to_std().unwrap_or(std::time::Duration::MAX);
                self.start
                    .checked_sub(back)
                    .unwrap_or_else(|| earliest_before(self.start, back))
            }
        }
    }
}

/// The earliest instant `from - d'` with `d' <= back` that exists (found by halving).
fn earliest_before(from: Instant, back: std::time::Duration) -> Instant {
    let (mut at, mut step) = (from, back);
    while !step.is_zero() {
        if let Some(earlier) = at.checked_sub(step) {
            at = earlier;
        }
        step /= 2;
    }
    at
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

    #[tokio::test(start_paused = true)]
    async fn instants_saved_as_wall_times_come_back_in_a_later_run() {
        let first = Clock::start();
        let posted = Instant::now();
        tokio::time::advance(Duration::from_secs(600)).await;
        let saved = first.wall_of(posted);
        let last = first.now();
        let second = Clock::resume(Some(last));
        assert!(second.now() >= last, "time does not run back");
        let back = second.instant_of(saved);
        assert_eq!(Instant::now() - back, Duration::from_secs(600));
        assert_eq!(second.wall_of(back), saved);
        assert_eq!(
            second.wall_of(second.instant_of(last + chrono::Duration::seconds(5))),
            last + chrono::Duration::seconds(5)
        );
    }
}
