//! TikTok's per-token limits, kept on this side so that the worker does not spend its calls on 429s:
//! `creator_info/query` 20 a minute, `video/init` and `content/init` 6 a minute (together: TikTok
//! counts both against the same publishing limit, and keeping them in one budget is the safe
//! reading), `status/fetch` 30 a minute (developers.tiktok.com, direct post and get post status
//! references); `video/list` 600 a minute (developers.tiktok.com `doc/tiktok-api-v2-rate-limit`),
//! kept at 300 with a burst of [`LIST_BURST`] (the pages of one search).
//!
//! Each limit is a GCRA (governor) keyed by account, spacing calls evenly (6 a minute: one every
//! 10 s), so that no rolling minute ever holds more than the limit whatever TikTok's window is.
//! A call that would wait up to [`CallLimits::max_local_wait`] waits; a longer wait is answered
//! `RateLimited` with `retry_at` at once, so that a worker task is never parked for long.
//!
//! Besides, holds set after TikTok refused: a 429 holds that endpoint for the account a minute; a
//! daily cap (`spam_risk_too_many_posts`...) holds posting (`creator_info` and `init`) for the
//! account for [`super::TikTokOptions::daily_cap_wait`].
//!
//! governor reads tokio's clock (like `crate::airtable::limiter`), so paused tests drive it.

use chrono::{DateTime, Utc};
use governor::middleware::NoOpMiddleware;
use governor::state::keyed::HashMapStateStore;
use governor::{Quota, RateLimiter};
use std::collections::HashMap;
use std::num::NonZeroU32;
use std::sync::Mutex;
use std::time::Duration;
use tokio::time::Instant;

/// governor's clock, read from tokio's (pausable) clock as the time elapsed since an origin.
#[derive(Debug, Clone)]
struct TokioClock {
    origin: Instant,
}

impl governor::clock::Clock for TokioClock {
    type Instant = Duration;
    fn now(&self) -> Duration {
        self.origin.elapsed()
    }
}

type Keyed = RateLimiter<String, HashMapStateStore<String>, TokioClock, NoOpMiddleware<Duration>>;

/// The endpoints that TikTok limits per token.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Endpoint {
    /// `POST /v2/post/publish/creator_info/query/`.
    CreatorInfo,
    /// `POST /v2/post/publish/video/init/` and `POST /v2/post/publish/content/init/`.
    Init,
    /// `POST /v2/post/publish/status/fetch/`.
    Status,
    /// `POST /v2/video/list/` (the Display API).
    VideoList,
}

impl Endpoint {
    pub fn path(self) -> &'static str {
        match self {
            Endpoint::CreatorInfo => "creator_info/query",
            Endpoint::Init => "init",
            Endpoint::Status => "status/fetch",
            Endpoint::VideoList => "video/list",
        }
    }

    /// Whether a daily cap holds it (status checks go on during a cap).
    fn posts(self) -> bool {
        matches!(self, Endpoint::CreatorInfo | Endpoint::Init)
    }
}

/// The limits to keep (TikTok's documented values by default).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CallLimits {
    /// `creator_info/query` calls a minute per token (TikTok: 20).
    pub creator_info_per_minute: u32,
    /// `init` calls a minute per token (TikTok: 6).
    pub init_per_minute: u32,
    /// `status/fetch` calls a minute per token (TikTok: 30).
    pub status_per_minute: u32,
    /// `video/list` calls a minute per token (300: half of TikTok's 600, so that the burst of a
    /// few pages read at once, [`LIST_BURST`], never takes a rolling minute over TikTok's limit).
    pub video_list_per_minute: u32,
    /// The longest a call waits for its turn before answering `RateLimited` instead (5 s).
    pub max_local_wait: Duration,
    /// How long an endpoint is held after TikTok's 429 (60 s: its limits are per minute and it
    /// sends no reset time).
    pub after_429: Duration,
}

impl Default for CallLimits {
    fn default() -> Self {
        CallLimits {
            creator_info_per_minute: 20,
            init_per_minute: 6,
            status_per_minute: 30,
            video_list_per_minute: 300,
            max_local_wait: Duration::from_secs(5),
            after_429: Duration::from_secs(60),
        }
    }
}

/// Why, and until when, a call must wait.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Wait {
    pub until: DateTime<Utc>,
    /// For people: which limit.
    pub reason: String,
}

/// What a hold applies to.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
enum Scope {
    /// One endpoint (after a 429).
    Endpoint(Endpoint),
    /// Posting (after a daily cap).
    Posting,
}

/// The limiters and holds of one publisher, shared by every account.
pub struct Limits {
    creator_info: Keyed,
    init: Keyed,
    status: Keyed,
    video_list: Keyed,
    clock: TokioClock,
    config: CallLimits,
    /// Holds per (account, scope); one `Mutex`, never held across an `.await`.
    holds: Mutex<HashMap<(String, Scope), Wait>>,
}

impl std::fmt::Debug for Limits {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Limits").field("config", &self.config).finish()
    }
}

/// `video/list` calls that may go one right after another (the pages of one search), before
/// the spacing of [`CallLimits::video_list_per_minute`] applies.
pub const LIST_BURST: u32 = 10;

fn quota(per_minute: u32) -> anyhow::Result<Quota> {
    quota_with_burst(per_minute, 1)
}

fn quota_with_burst(per_minute: u32, burst: u32) -> anyhow::Result<Quota> {
    let n = NonZeroU32::new(per_minute)
        .ok_or_else(|| anyhow::anyhow!("a TikTok call limit must be at least 1 a minute"))?;
    let period = Duration::from_secs(60) / n.get();
    Ok(Quota::with_period(period)
        .ok_or_else(|| anyhow::anyhow!("a TikTok call limit of {per_minute} a minute is too high"))?
        .allow_burst(NonZeroU32::new(burst).unwrap_or(NonZeroU32::MIN)))
}

impl Limits {
    pub fn new(config: CallLimits) -> anyhow::Result<Limits> {
        let clock = TokioClock { origin: Instant::now() };
        Ok(Limits {
            creator_info: RateLimiter::hashmap_with_clock(quota(config.creator_info_per_minute)?, clock.clone()),
            init: RateLimiter::hashmap_with_clock(quota(config.init_per_minute)?, clock.clone()),
            status: RateLimiter::hashmap_with_clock(quota(config.status_per_minute)?, clock.clone()),
            video_list: RateLimiter::hashmap_with_clock(
                quota_with_burst(config.video_list_per_minute, LIST_BURST)?,
                clock.clone(),
            ),
            clock,
            config,
            holds: Mutex::new(HashMap::new()),
        })
    }

    /// Waits (briefly) for `account`'s turn at `endpoint`; `Err` when it must wait longer, or while
    /// a hold runs. `now` is the publisher's wall clock.
    pub async fn admit(&self, account: &str, endpoint: Endpoint, now: DateTime<Utc>) -> Result<(), Wait> {
        if let Some(hold) = self.held(account, endpoint, now) {
            return Err(hold);
        }
        let (limiter, per_minute) = match endpoint {
            Endpoint::CreatorInfo => (&self.creator_info, self.config.creator_info_per_minute),
            Endpoint::Init => (&self.init, self.config.init_per_minute),
            Endpoint::Status => (&self.status, self.config.status_per_minute),
            Endpoint::VideoList => (&self.video_list, self.config.video_list_per_minute),
        };
        let key = account.to_string();
        loop {
            let Err(not_until) = limiter.check_key(&key) else {
                return Ok(());
            };
            let wait = not_until.wait_time_from(governor::clock::Clock::now(&self.clock));
            if wait > self.config.max_local_wait {
                let ahead = chrono::Duration::from_std(wait).unwrap_or(chrono::Duration::minutes(1));
                return Err(Wait {
                    until: now + ahead,
                    reason: format!(
                        "TikTok's limit of {per_minute} {} calls a minute for this account is used up",
                        endpoint.path()
                    ),
                });
            }
            tokio::time::sleep(wait).await;
        }
    }

    /// The hold on `endpoint` for `account` at `now`, if one runs.
    pub fn held(&self, account: &str, endpoint: Endpoint, now: DateTime<Utc>) -> Option<Wait> {
        let holds = self.lock();
        let own = holds.get(&(account.to_string(), Scope::Endpoint(endpoint)));
        let posting = endpoint
            .posts()
            .then(|| holds.get(&(account.to_string(), Scope::Posting)))
            .flatten();
        [own, posting]
            .into_iter()
            .flatten()
            .filter(|w| w.until > now)
            .max_by_key(|w| w.until)
            .cloned()
    }

    /// Holds `endpoint` for `account` after a 429; returns until when.
    pub fn hold_endpoint(&self, account: &str, endpoint: Endpoint, now: DateTime<Utc>) -> DateTime<Utc> {
        let until = now + chrono::Duration::from_std(self.config.after_429).unwrap_or(chrono::Duration::minutes(1));
        let reason = format!("TikTok answered 429 to {} for this account", endpoint.path());
        self.hold(account, Scope::Endpoint(endpoint), Wait { until, reason });
        until
    }

    /// Holds posting for `account` until `until` (a daily cap).
    pub fn hold_posting(&self, account: &str, until: DateTime<Utc>, reason: String) {
        self.hold(account, Scope::Posting, Wait { until, reason });
    }

    fn hold(&self, account: &str, scope: Scope, wait: Wait) {
        let mut holds = self.lock();
        let entry = holds
            .entry((account.to_string(), scope))
            .or_insert_with(|| wait.clone());
        if entry.until < wait.until {
            *entry = wait;
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<(String, Scope), Wait>> {
        self.holds.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t0() -> DateTime<Utc> {
        DateTime::from_timestamp(1_700_000_000, 0).unwrap()
    }

    #[tokio::test(start_paused = true)]
    async fn status_checks_are_spaced_by_waiting_and_init_answers_when_the_wait_is_long() {
        let limits = Limits::new(CallLimits::default()).unwrap();
        let start = Instant::now();
        limits.admit("recA", Endpoint::Status, t0()).await.unwrap();
        limits.admit("recA", Endpoint::Status, t0()).await.unwrap();
        assert_eq!(start.elapsed(), Duration::from_secs(2), "30 a minute: one every 2 s");
        limits.admit("recA", Endpoint::Init, t0()).await.unwrap();
        let wait = limits.admit("recA", Endpoint::Init, t0()).await.unwrap_err();
        assert_eq!(wait.until, t0() + chrono::Duration::seconds(10));
        assert_eq!(
            wait.reason,
            "TikTok's limit of 6 init calls a minute for this account is used up"
        );
        limits.admit("recB", Endpoint::Init, t0()).await.expect("per account");
    }

    #[tokio::test(start_paused = true)]
    async fn a_daily_cap_holds_posting_but_not_status_checks() {
        let limits = Limits::new(CallLimits::default()).unwrap();
        let until = t0() + chrono::Duration::hours(1);
        limits.hold_posting("recA", until, "cap".into());
        for endpoint in [Endpoint::CreatorInfo, Endpoint::Init] {
            assert_eq!(limits.admit("recA", endpoint, t0()).await.unwrap_err().until, until);
        }
        limits.admit("recA", Endpoint::Status, t0()).await.unwrap();
        assert!(limits.held("recA", Endpoint::Init, until).is_none(), "over at its end");
    }

    #[tokio::test(start_paused = true)]
    async fn a_429_holds_its_endpoint_a_minute() {
        let limits = Limits::new(CallLimits::default()).unwrap();
        let until = limits.hold_endpoint("recA", Endpoint::Status, t0());
        assert_eq!(until, t0() + chrono::Duration::seconds(60));
        assert!(limits.admit("recA", Endpoint::Status, t0()).await.is_err());
        assert!(limits.held("recA", Endpoint::Init, t0()).is_none());
    }

    #[test]
    fn a_limit_of_zero_is_refused() {
        let bad = CallLimits {
            init_per_minute: 0,
            ..CallLimits::default()
        };
        assert!(Limits::new(bad).is_err());
    }
}
