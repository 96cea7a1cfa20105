//! X's rate limit on posting: `tweets_per_window` (100) `POST /2/tweets` requests per user in a
//! window of `window` (15 minutes) that starts at the first request; the request over the limit
//! gets 429 until the window ends. Every request that reaches the endpoint with a known token
//! counts, refused ones included (as X counts them).
//!
//! Time is `tokio::time::Instant`, so tests with a paused clock control the windows.

use super::XSandboxLimits;
use std::collections::HashMap;
use tokio::time::Instant;

#[derive(Debug, Clone, Copy)]
struct Window {
    start: Instant,
    used: u32,
}

/// What the limiter decided, and what the `x-rate-limit-*` headers say.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Verdict {
    pub admitted: bool,
    pub limit: u32,
    pub remaining: u32,
    pub reset: Instant,
}

/// The windows, per user id.
#[derive(Debug, Default)]
pub struct Windows {
    users: HashMap<String, Window>,
}

impl Windows {
    /// Counts one request of `user` at `now`.
    pub fn take(&mut self, user: &str, now: Instant, limits: &XSandboxLimits) -> Verdict {
        let window = self
            .users
            .entry(user.to_string())
            .or_insert(Window { start: now, used: 0 });
        if now.duration_since(window.start) >= limits.window {
            *window = Window { start: now, used: 0 };
        }
        let admitted = window.used < limits.tweets_per_window;
        if admitted {
            window.used += 1;
        }
        Verdict {
            admitted,
            limit: limits.tweets_per_window,
            remaining: limits.tweets_per_window.saturating_sub(window.used),
            reset: window.start + limits.window,
        }
    }

    /// (user id, start, requests counted) of every window, for saving ([`super::persist`]).
    pub fn entries(&self) -> Vec<(String, Instant, u32)> {
        let mut entries: Vec<_> = self.users.iter().map(|(u, w)| (u.clone(), w.start, w.used)).collect();
        entries.sort_by(|a, b| a.0.cmp(&b.0));
        entries
    }

    /// The windows [`Windows::entries`] gave.
    pub fn restore(entries: impl IntoIterator<Item = (String, Instant, u32)>) -> Windows {
        Windows {
            users: entries
                .into_iter()
                .map(|(user, start, used)| (user, Window { start, used }))
                .collect(),
        }
    }

    /// When the running window of `user` ends, if one runs at `now`.
    pub fn reset_of(&self, user: &str, now: Instant, limits: &XSandboxLimits) -> Option<Instant> {
        let window = self.users.get(user)?;
        let reset = window.start + limits.window;
        (reset > now).then_some(reset)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    #[test]
    fn the_hundred_and_first_request_in_fifteen_minutes_is_refused_until_the_window_ends() {
        let limits = XSandboxLimits::default();
        let mut w = Windows::default();
        let t0 = Instant::now();
        for i in 0..100 {
            let v = w.take("1", t0 + Duration::from_secs(i), &limits);
            assert!(v.admitted, "request {i}");
            assert_eq!(v.remaining, 99 - i as u32);
        }
        let refused = w.take("1", t0 + Duration::from_secs(600), &limits);
        assert!(!refused.admitted);
        assert_eq!((refused.remaining, refused.reset), (0, t0 + Duration::from_secs(900)));
        assert!(w.take("2", t0 + Duration::from_secs(600), &limits).admitted, "per user");
        assert!(
            w.take("1", t0 + Duration::from_secs(900), &limits).admitted,
            "a new window"
        );
    }
}
