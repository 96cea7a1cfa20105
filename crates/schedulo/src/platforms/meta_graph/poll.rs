//! Waiting for Meta's processing (Instagram containers, Facebook videos and Reels): ask, then
//! ask again after a growing pause, until done or a deadline. The pauses are
//! `tokio::time::sleep`, so tests with a paused clock drive them.

use crate::platforms::PublishError;
use std::future::Future;
use std::time::Duration;
use tokio::time::Instant;

/// The pauses between two status reads: `first`, then times `factor`, at most `max`.
#[derive(Debug, Clone, PartialEq)]
pub struct PollBackoff {
    /// The first pause (Meta's examples poll about once a second at first).
    pub first: Duration,
    /// What each pause is multiplied by.
    pub factor: f64,
    /// The longest pause (Meta suggests polling no more than once a minute for long videos; 10 s
    /// keeps a due post's lag short).
    pub max: Duration,
}

impl Default for PollBackoff {
    fn default() -> Self {
        PollBackoff {
            first: Duration::from_secs(1),
            factor: 2.0,
            max: Duration::from_secs(10),
        }
    }
}

impl PollBackoff {
    /// The pause after `pause`.
    fn next(&self, pause: Duration) -> Duration {
        pause.mul_f64(self.factor.max(1.0)).min(self.max)
    }
}

/// What the last look saw: done, or still pending when the deadline came.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Polled<T> {
    Done(T),
    Pending(T),
}

/// Calls `look` (which says whether it is done, and what it saw) until it is done or `limit`
/// has passed; the first look is at once. An error of `look` ends the wait.
pub(crate) async fn poll<T, F, Fut>(
    backoff: &PollBackoff,
    limit: Duration,
    mut look: F,
) -> Result<Polled<T>, PublishError>
where
    F: FnMut() -> Fut,
    Fut: Future<Output = Result<(bool, T), PublishError>>,
{
    let started = Instant::now();
    let mut pause = backoff.first.min(backoff.max);
    loop {
        let (done, seen) = look().await?;
        if done {
            return Ok(Polled::Done(seen));
        }
        let left = limit.saturating_sub(started.elapsed());
        if left.is_zero() {
            return Ok(Polled::Pending(seen));
        }
        tokio::time::sleep(pause.min(left)).await;
        pause = backoff.next(pause);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::{AtomicU32, Ordering};

    #[tokio::test(start_paused = true)]
    async fn pauses_grow_to_the_cap_and_the_deadline_is_kept() {
        let looks = AtomicU32::new(0);
        let start = Instant::now();
        let mut times = Vec::new();
        let out = poll(&PollBackoff::default(), Duration::from_secs(30), || {
            looks.fetch_add(1, Ordering::SeqCst);
            times.push(start.elapsed().as_secs());
            async { Ok((false, ())) }
        })
        .await
        .unwrap();
        assert_eq!(out, Polled::Pending(()));
        assert_eq!(times, [0, 1, 3, 7, 15, 25, 30]);
    }

    #[tokio::test(start_paused = true)]
    async fn done_ends_the_wait_and_a_zero_limit_looks_once() {
        let n = AtomicU32::new(0);
        let out = poll(&PollBackoff::default(), Duration::from_secs(60), || {
            let k = n.fetch_add(1, Ordering::SeqCst);
            async move { Ok((k == 2, k)) }
        })
        .await
        .unwrap();
        assert_eq!(out, Polled::Done(2));
        let out = poll(&PollBackoff::default(), Duration::ZERO, || async { Ok((false, 7)) })
            .await
            .unwrap();
        assert_eq!(out, Polled::Pending(7));
    }
}
