//! The usage the sandbox reports in `X-App-Usage` and `X-Business-Use-Case-Usage`, so that the
//! publisher's reading of them is exercised for real.
//!
//! Meta's figures are percentages of a rolling hour's allowance
//! (developers.facebook.com/docs/graph-api/overview/rate-limiting). Here `call_count` is the
//! calls of the last hour as a share of `calls_per_hour`, plus whatever was set through
//! `POST /_sandbox/usage` (so tests can push it over 90 %); `total_cputime` and `total_time`
//! rise at half that pace. At 100 % of any figure requests are refused with Meta's throttle
//! error (80001 for Page tokens, 4 otherwise) until the hour has moved on. One set of figures
//! serves the whole sandbox: both headers report it.

use serde::{Deserialize, Serialize};
use serde_json::json;
use std::collections::VecDeque;
use std::time::Duration;
use tokio::time::Instant;

const WINDOW: Duration = Duration::from_secs(3600);

/// The figures of one answer, in percent; `estimated_time_to_regain_access` in minutes.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct UsageFigures {
    #[serde(default)]
    pub call_count: u32,
    #[serde(default)]
    pub total_cputime: u32,
    #[serde(default)]
    pub total_time: u32,
    #[serde(default)]
    pub estimated_time_to_regain_access: u32,
}

impl UsageFigures {
    /// Whether calls are refused.
    pub fn exhausted(&self) -> bool {
        self.call_count >= 100 || self.total_cputime >= 100 || self.total_time >= 100
    }

    /// `X-App-Usage`.
    pub fn app_header(&self) -> String {
        json!({
            "call_count": self.call_count,
            "total_cputime": self.total_cputime,
            "total_time": self.total_time,
        })
        .to_string()
    }

    /// `X-Business-Use-Case-Usage` for a Page (`kind` "pages") or an Instagram account ("instagram").
    pub fn business_header(&self, owner_id: &str, kind: &str) -> String {
        json!({ owner_id: [{
            "type": kind,
            "call_count": self.call_count,
            "total_cputime": self.total_cputime,
            "total_time": self.total_time,
            "estimated_time_to_regain_access": self.estimated_time_to_regain_access,
        }]})
        .to_string()
    }
}

#[derive(Debug)]
pub struct Usage {
    /// Times of the calls still in the hour's window.
    calls: VecDeque<Instant>,
    calls_per_hour: u32,
    /// Added to what the calls make (`POST /_sandbox/usage`).
    pub set: UsageFigures,
}

impl Usage {
    pub fn new(calls_per_hour: u32) -> Usage {
        Usage {
            calls: VecDeque::new(),
            calls_per_hour: calls_per_hour.max(1),
            set: UsageFigures::default(),
        }
    }

    /// The times of the calls in the window, oldest first (for saving, [`super::persist`]).
    pub fn calls(&self) -> Vec<Instant> {
        self.calls.iter().copied().collect()
    }

    /// Puts back the calls [`Usage::calls`] gave.
    pub fn restore_calls(&mut self, calls: Vec<Instant>) {
        self.calls = calls.into();
    }

    /// Counts one call at `now`.
    pub fn record(&mut self, now: Instant) {
        self.expire(now);
        self.calls.push_back(now);
    }

    fn expire(&mut self, now: Instant) {
        while self.calls.front().is_some_and(|t| now.duration_since(*t) >= WINDOW) {
            self.calls.pop_front();
        }
    }

    /// The figures at `now`.
    pub fn figures(&mut self, now: Instant) -> UsageFigures {
        self.expire(now);
        let made = (self.calls.len() as u64 * 100 / u64::from(self.calls_per_hour)).min(100) as u32;
        let mut f = UsageFigures {
            call_count: (self.set.call_count + made).min(100),
            total_cputime: (self.set.total_cputime + made / 2).min(100),
            total_time: (self.set.total_time + made / 2).min(100),
            estimated_time_to_regain_access: self.set.estimated_time_to_regain_access,
        };
        if f.exhausted() && f.estimated_time_to_regain_access == 0 {
            let oldest_leaves = self
                .calls
                .front()
                .map(|t| WINDOW.saturating_sub(now.duration_since(*t)))
                .unwrap_or(WINDOW);
            f.estimated_time_to_regain_access = oldest_leaves.as_secs().div_ceil(60).max(1) as u32;
        }
        f
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test(start_paused = true)]
    async fn calls_raise_the_figures_for_an_hour() {
        let mut u = Usage::new(10);
        let t0 = Instant::now();
        for _ in 0..3 {
            u.record(t0);
        }
        assert_eq!(
            u.figures(t0),
            UsageFigures {
                call_count: 30,
                total_cputime: 15,
                total_time: 15,
                estimated_time_to_regain_access: 0
            }
        );
        assert_eq!(u.figures(t0 + WINDOW).call_count, 0);
    }

    #[tokio::test(start_paused = true)]
    async fn at_one_hundred_percent_the_regain_time_is_when_the_oldest_call_leaves() {
        let mut u = Usage::new(2);
        let t0 = Instant::now();
        u.record(t0);
        u.record(t0 + Duration::from_secs(600));
        let f = u.figures(t0 + Duration::from_secs(600));
        assert!(f.exhausted());
        assert_eq!(f.estimated_time_to_regain_access, 50);
        u.set = UsageFigures {
            call_count: 95,
            ..UsageFigures::default()
        };
        assert_eq!(u.figures(t0 + WINDOW).call_count, 100, "95 set + 50 made, capped");
    }

    #[test]
    fn headers_are_meta_s_json() {
        let f = UsageFigures {
            call_count: 3,
            total_cputime: 1,
            total_time: 2,
            estimated_time_to_regain_access: 0,
        };
        assert_eq!(f.app_header(), r#"{"call_count":3,"total_cputime":1,"total_time":2}"#);
        let v: serde_json::Value = serde_json::from_str(&f.business_header("77", "pages")).unwrap();
        assert_eq!(v["77"][0]["type"], "pages");
    }
}
