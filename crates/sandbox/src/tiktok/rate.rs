//! TikTok's limits as the sandbox keeps them: per token, `creator_info/query` 20, `init` (video
//! and photo together) 6 and `status/fetch` 30 requests in any rolling minute, the request over
//! refused with 429 `rate_limit_exceeded`; per creator, `daily_posts` (15) posts taken in any
//! rolling 24 hours, the post over refused with 403 `spam_risk_too_many_posts`. Only admitted
//! requests count.
//!
//! Time is `tokio::time::Instant`, so tests with a paused clock control the windows.

use std::collections::{HashMap, VecDeque};
use std::time::Duration;
use tokio::time::Instant;

/// The endpoints limited per token.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Endpoint {
    CreatorInfo,
    Init,
    Status,
    /// `/v2/video/list/` and `/v2/video/query/` (600 a minute each).
    VideoList,
    VideoQuery,
}

const MINUTE: Duration = Duration::from_secs(60);
const DAY: Duration = Duration::from_secs(24 * 60 * 60);

/// The rolling windows.
#[derive(Debug, Default)]
pub struct Windows {
    /// Admitted requests of the last minute, per (token, endpoint).
    calls: HashMap<(String, Endpoint), VecDeque<Instant>>,
    /// Posts taken in the last 24 hours, per open_id.
    posts: HashMap<String, VecDeque<Instant>>,
}

/// Drops the times older than `window` and says whether fewer than `limit` remain.
fn room(times: &mut VecDeque<Instant>, now: Instant, window: Duration, limit: u32) -> bool {
    while times.front().is_some_and(|t| now.duration_since(*t) >= window) {
        times.pop_front();
    }
    times.len() < limit as usize
}

impl Windows {
    /// Counts one request of `token` to `endpoint` at `now`, unless `limit` are in the last minute.
    pub fn take(&mut self, token: &str, endpoint: Endpoint, now: Instant, limit: u32) -> bool {
        let times = self.calls.entry((token.to_string(), endpoint)).or_default();
        let admitted = room(times, now, MINUTE, limit);
        if admitted {
            times.push_back(now);
        }
        admitted
    }

    /// Whether `open_id` may post another time at `now`.
    pub fn may_post(&mut self, open_id: &str, now: Instant, daily_posts: u32) -> bool {
        room(
            self.posts.entry(open_id.to_string()).or_default(),
            now,
            DAY,
            daily_posts,
        )
    }

    /// Counts a post of `open_id`.
    pub fn posted(&mut self, open_id: &str, now: Instant) {
        self.posts.entry(open_id.to_string()).or_default().push_back(now);
    }

    /// Every window's times, for saving ([`super::persist`]): per (token, endpoint), and per open_id.
    #[allow(clippy::type_complexity)]
    pub fn entries(&self) -> (Vec<(String, Endpoint, Vec<Instant>)>, Vec<(String, Vec<Instant>)>) {
        let mut calls: Vec<_> = self
            .calls
            .iter()
            .map(|((token, endpoint), times)| (token.clone(), *endpoint, times.iter().copied().collect()))
            .collect();
        calls.sort_by(|a, b| (&a.0, a.1).cmp(&(&b.0, b.1)));
        let mut posts: Vec<_> = self
            .posts
            .iter()
            .map(|(open_id, times)| (open_id.clone(), times.iter().copied().collect()))
            .collect();
        posts.sort_by(|a, b| a.0.cmp(&b.0));
        (calls, posts)
    }

    /// The windows [`Windows::entries`] gave.
    pub fn restore(calls: Vec<(String, Endpoint, Vec<Instant>)>, posts: Vec<(String, Vec<Instant>)>) -> Windows {
        Windows {
            calls: calls
                .into_iter()
                .map(|(token, endpoint, times)| ((token, endpoint), times.into()))
                .collect(),
            posts: posts.into_iter().map(|(id, times)| (id, times.into())).collect(),
        }
    }

    /// When `open_id` may post again, if the cap is reached at `now`.
    pub fn cap_ends(&self, open_id: &str, now: Instant, daily_posts: u32) -> Option<Instant> {
        let times = self.posts.get(open_id)?;
        let live: Vec<&Instant> = times.iter().filter(|t| now.duration_since(**t) < DAY).collect();
        if live.len() < daily_posts as usize {
            return None;
        }
        live.first().map(|t| **t + DAY)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_seventh_init_in_a_minute_is_refused_until_the_first_leaves_the_window() {
        let mut w = Windows::default();
        let t0 = Instant::now();
        for i in 0..6 {
            assert!(
                w.take("tok", Endpoint::Init, t0 + Duration::from_secs(i), 6),
                "init {i}"
            );
        }
        assert!(!w.take("tok", Endpoint::Init, t0 + Duration::from_secs(30), 6));
        assert!(
            w.take("tok", Endpoint::Status, t0 + Duration::from_secs(30), 30),
            "per endpoint"
        );
        assert!(
            w.take("other", Endpoint::Init, t0 + Duration::from_secs(30), 6),
            "per token"
        );
        assert!(w.take("tok", Endpoint::Init, t0 + Duration::from_secs(60), 6));
    }

    #[test]
    fn the_daily_cap_is_a_rolling_day() {
        let mut w = Windows::default();
        let t0 = Instant::now();
        for i in 0..2 {
            assert!(w.may_post("o", t0 + Duration::from_secs(i), 2));
            w.posted("o", t0 + Duration::from_secs(i));
        }
        assert!(!w.may_post("o", t0 + Duration::from_secs(3600), 2));
        assert_eq!(w.cap_ends("o", t0 + Duration::from_secs(3600), 2), Some(t0 + DAY));
        assert!(w.may_post("o", t0 + DAY, 2));
    }
}
