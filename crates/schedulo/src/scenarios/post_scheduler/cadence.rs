//! How often the Post Scheduler re-reads the schedule when nothing nudges it: the arithmetic of
//! the month's Airtable quota, kept pure so it can be tested plan by plan.
//!
//! Airtable's monthly API calls per workspace (support.airtable.com, "Managing API call limits";
//! `shared/reference/airtable.md`): Free 1,000, Team 100,000, Business and Enterprise unlimited.
//! The worker may spend `AIRTABLE_READ_SHARE` percent of that (default 50) on idle reading; the
//! rest is left for status writes, nudged reads, the Media Processor and the base's other clients.
//!
//! One idle read costs [`CALLS_PER_TEN_READS`]` / 10` calls for planning: one paged list of the
//! posts (one call, up to 100 posts); their accounts and media are taken from the last read when
//! the posts still link to the same ones, and read in full (one call each) every tenth read
//! ([`super::sync`]), so 1.2 calls a read when posts are in the horizon. A read that finds
//! nothing due costs 1.
//!
//! `interval = 30-day month seconds * 1.2 / (quota * share)`, rounded up (never over the
//! share), never under [`FLOOR`]; without a cap, [`UNCAPPED`]. A fixed `trigger.resync_every_secs`
//! in `scenarios/post-scheduler.toml` wins over the derived interval. While Airtable's webhook is
//! live the interval relaxes to the safety interval (`trigger.safety_resync_every_secs`, default
//! [`DEFAULT_SAFETY`]), which is never shorter than the polled interval nor than the share allows:
//! on Free at 50 % it is the derived 1 h 43 min, not the hour.

use crate::config::{Plan, ReadShare};
use std::fmt;
use std::time::Duration;

/// The month the quota is planned over (Airtable counts calendar months; 30 days is the average
/// one, rounded down, so a 31-day month spends at most 1/30 more).
pub const MONTH: Duration = Duration::from_secs(30 * 86_400);

/// Airtable calls ten idle reads cost, for planning: ten reads of the posts, and one full read of
/// their accounts and one of their media (every tenth read).
pub const CALLS_PER_TEN_READS: u64 = 12;

/// Calls a read as people say it ("1.2").
pub fn calls_a_read() -> String {
    format!("{}.{}", CALLS_PER_TEN_READS / 10, CALLS_PER_TEN_READS % 10)
}

/// Never re-read faster than this: 3 calls in 10 s is 6 % of the base's 5 requests a second,
/// shared with Bubble and every other client of the base.
pub const FLOOR: Duration = Duration::from_secs(10);

/// The interval on plans without a monthly cap (Business, Enterprise).
pub const UNCAPPED: Duration = Duration::from_secs(12);

/// The safety interval while Airtable's webhook is live, unless the file sets one.
pub const DEFAULT_SAFETY: Duration = Duration::from_secs(3600);

/// A polled interval longer than this gets a warning at start: changes made in the grid show late.
pub const SLOW: Duration = Duration::from_secs(15 * 60);

/// Where the polled interval came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Source {
    /// From the plan's quota and the share.
    Derived,
    /// `trigger.resync_every_secs` in `scenarios/post-scheduler.toml`.
    Fixed,
}

/// The re-read intervals, and what they cost.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ReadCadence {
    /// The plan whose quota the intervals are planned against.
    pub plan: Plan,
    /// The share of the quota for idle reading.
    pub share: ReadShare,
    /// Between two reads while nothing nudges the worker and the webhook is not live.
    pub polled: Duration,
    /// Between two reads while Airtable's webhook is live (it tells the worker of changes).
    pub safety: Duration,
    pub source: Source,
}

impl ReadCadence {
    /// The cadence for `plan` at `share`, with the file's `fixed` interval and `safety` interval
    /// when it sets them.
    pub fn derive(plan: Plan, share: ReadShare, fixed: Option<Duration>, safety: Option<Duration>) -> ReadCadence {
        let allowed = share_interval(plan, share);
        let (polled, source) = match fixed {
            Some(d) => (d.max(FLOOR), Source::Fixed),
            None => (allowed, Source::Derived),
        };
        let safety = safety.unwrap_or(DEFAULT_SAFETY).max(allowed).max(polled);
        ReadCadence {
            plan,
            share,
            polled,
            safety,
            source,
        }
    }

    /// The interval now: the safety interval while the webhook is live.
    pub fn interval(&self, webhook_live: bool) -> Duration {
        if webhook_live {
            self.safety
        } else {
            self.polled
        }
    }

    /// The calls the plan allows for idle reading a month; `None`: no cap.
    pub fn budget(&self) -> Option<u64> {
        budget(self.plan, self.share)
    }

    /// Idle calls a month at the polled interval.
    pub fn polled_calls_a_month(&self) -> u64 {
        calls_a_month(self.polled)
    }

    /// Idle calls a month at the safety interval.
    pub fn safety_calls_a_month(&self) -> u64 {
        calls_a_month(self.safety)
    }

    /// A fixed interval that spends more than the share (a derived one never does).
    pub fn over_budget(&self) -> bool {
        self.budget().is_some_and(|b| self.polled_calls_a_month() > b)
    }

    /// Whether changes in the grid take long to be seen without a nudge.
    pub fn slow(&self) -> bool {
        self.polled > SLOW
    }

    /// Where the polled interval came from, in words.
    pub fn origin(&self) -> String {
        match (self.source, self.plan.monthly_calls()) {
            (Source::Fixed, _) => "fixed by trigger.resync_every_secs in post-scheduler.toml".to_string(),
            (Source::Derived, None) => format!("derived from AIRTABLE_PLAN={} (no monthly cap)", self.plan),
            (Source::Derived, Some(quota)) => format!(
                "derived from AIRTABLE_PLAN={} ({} calls a month) at AIRTABLE_READ_SHARE={} %",
                self.plan,
                thousands(quota),
                self.share.percent()
            ),
        }
    }
}

impl Default for ReadCadence {
    /// Team at the default share, nothing fixed: what a scheduler built without a cadence uses.
    fn default() -> ReadCadence {
        ReadCadence::derive(Plan::Team, ReadShare::default(), None, None)
    }
}

impl fmt::Display for ReadCadence {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "every {} ({}; {} idle calls a month at {} calls a read), every {} while Airtable's webhook is live ({} a month)",
            human(self.polled),
            self.origin(),
            thousands(self.polled_calls_a_month()),
            calls_a_read(),
            human(self.safety),
            thousands(self.safety_calls_a_month()),
        )
    }
}

/// Calls a month for idle reading on `plan` at `share`; `None`: no cap.
pub fn budget(plan: Plan, share: ReadShare) -> Option<u64> {
    plan.monthly_calls()
        .map(|quota| (quota * u64::from(share.percent()) / 100).max(1))
}

/// The shortest interval whose idle reads fit the share.
fn share_interval(plan: Plan, share: ReadShare) -> Duration {
    match budget(plan, share) {
        None => UNCAPPED,
        Some(calls) => Duration::from_secs((MONTH.as_secs() * CALLS_PER_TEN_READS).div_ceil(calls * 10)).max(FLOOR),
    }
}

/// Idle calls a month when reading every `interval`.
pub fn calls_a_month(interval: Duration) -> u64 {
    MONTH.as_secs() * CALLS_PER_TEN_READS / (10 * interval.as_secs().max(1))
}

/// A duration as people say it: "12 s", "2 min 36 s", "4 h 19 min".
pub fn human(d: Duration) -> String {
    let s = d.as_secs();
    match s {
        0..=59 => format!("{s} s"),
        60..=3599 if s.is_multiple_of(60) => format!("{} min", s / 60),
        60..=3599 => format!("{} min {} s", s / 60, s % 60),
        _ if s % 3600 < 60 => format!("{} h", s / 3600),
        _ => format!("{} h {} min", s / 3600, s % 3600 / 60),
    }
}

/// 100000 as "100,000".
pub fn thousands(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn share(p: u64) -> ReadShare {
        ReadShare::new(p).unwrap()
    }

    fn derived(plan: Plan, p: u64) -> ReadCadence {
        ReadCadence::derive(plan, share(p), None, None)
    }

    #[test]
    fn team_at_half_its_quota_reads_about_once_a_minute() {
        let c = derived(Plan::Team, 50);
        assert_eq!(c.polled, Duration::from_secs(63));
        assert_eq!(c.polled_calls_a_month(), 49_371);
        assert!(c.polled_calls_a_month() <= c.budget().unwrap());
        assert_eq!(c.safety, DEFAULT_SAFETY);
        assert_eq!(c.safety_calls_a_month(), 864);
        assert_eq!(c.source, Source::Derived);
        assert_eq!(c, ReadCadence::default());
    }

    #[test]
    fn team_at_the_whole_quota_reads_every_32_s() {
        let c = derived(Plan::Team, 100);
        assert_eq!(c.polled, Duration::from_secs(32));
        assert_eq!(c.polled_calls_a_month(), 97_200);
    }

    #[test]
    fn free_reads_every_1_h_44_min_and_even_its_safety_interval_keeps_to_the_share() {
        let c = derived(Plan::Free, 50);
        assert_eq!(c.polled, Duration::from_secs(6_221));
        assert_eq!(human(c.polled), "1 h 43 min");
        assert_eq!(c.polled_calls_a_month(), 499);
        assert_eq!(c.safety, c.polled, "never faster than the share allows");
        assert!(c.slow());
        assert!(!derived(Plan::Team, 50).slow());
    }

    #[test]
    fn business_and_enterprise_read_every_12_s() {
        for plan in [Plan::Business, Plan::Enterprise] {
            let c = derived(plan, 50);
            assert_eq!((c.polled, c.safety), (UNCAPPED, DEFAULT_SAFETY));
            assert_eq!(c.budget(), None);
            assert!(!c.over_budget());
            assert_eq!(c.polled_calls_a_month(), 259_200);
        }
    }

    #[test]
    fn the_share_bounds_give_the_slowest_and_fastest_intervals() {
        assert_eq!(derived(Plan::Free, 1).polled, Duration::from_secs(311_040), "3.6 days");
        assert_eq!(derived(Plan::Free, 100).polled, Duration::from_secs(3_111));
        assert_eq!(derived(Plan::Team, 1).polled, Duration::from_secs(3_111));
        assert_eq!(ReadShare::new(0), None);
        assert_eq!(ReadShare::new(101), None);
    }

    #[test]
    fn a_fixed_interval_wins_and_is_said_to_be_over_budget_when_it_is() {
        let fixed = |plan, secs| ReadCadence::derive(plan, share(50), Some(Duration::from_secs(secs)), None);
        let c = fixed(Plan::Team, 3600);
        assert_eq!((c.polled, c.source), (Duration::from_secs(3600), Source::Fixed));
        assert!(!c.over_budget());
        assert!(c.origin().contains("fixed"), "{}", c.origin());
        let c = fixed(Plan::Free, 600);
        assert_eq!(c.polled, Duration::from_secs(600));
        assert!(c.over_budget(), "5,184 calls against a share of 500");
        assert_eq!(
            c.safety,
            Duration::from_secs(6_221),
            "the safety interval still keeps to the share"
        );
        assert_eq!(
            fixed(Plan::Team, 7200).safety,
            Duration::from_secs(7200),
            "relaxing never speeds up"
        );
    }

    #[test]
    fn nothing_is_ever_read_faster_than_the_floor() {
        let c = ReadCadence::derive(Plan::Business, share(100), Some(Duration::from_secs(1)), None);
        assert_eq!(c.polled, FLOOR);
        let c = ReadCadence::derive(Plan::Business, share(100), None, Some(Duration::from_secs(1)));
        assert_eq!(c.safety, UNCAPPED);
    }

    #[test]
    fn the_safety_interval_can_be_set() {
        let c = ReadCadence::derive(Plan::Team, share(50), None, Some(Duration::from_secs(900)));
        assert_eq!(c.safety, Duration::from_secs(900));
        assert_eq!(c.interval(true), Duration::from_secs(900));
        assert_eq!(c.interval(false), Duration::from_secs(63));
    }

    #[test]
    fn the_cadence_says_what_it_is_where_it_came_from_and_what_it_costs() {
        let text = derived(Plan::Team, 50).to_string();
        assert_eq!(
            text,
            "every 1 min 3 s (derived from AIRTABLE_PLAN=team (100,000 calls a month) at AIRTABLE_READ_SHARE=50 %; \
             49,371 idle calls a month at 1.2 calls a read), every 1 h while Airtable's webhook is live (864 a month)"
        );
        assert_eq!(human(Duration::from_secs(12)), "12 s");
        assert_eq!(human(Duration::from_secs(120)), "2 min");
        assert_eq!(thousands(648_000), "648,000");
        assert_eq!(thousands(500), "500");
    }
}
