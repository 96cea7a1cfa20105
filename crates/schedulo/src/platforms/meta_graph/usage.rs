//! Meta's usage headers, and the hold the publisher puts on its own calls when they say so.
//!
//! Meta (developers.facebook.com/docs/graph-api/overview/rate-limiting) reports usage as
//! percentages on most answers:
//! - `X-App-Usage: {"call_count":28,"total_time":25,"total_cputime":25}`: the app's use of its
//!   platform limit (rolling hour); applies to every Page the app posts to.
//! - `X-Business-Use-Case-Usage: {"<business-object-id>":[{"type":"pages","call_count":97,
//!   "total_cputime":23,"total_time":23,"estimated_time_to_regain_access":0}]}`: Pages calls made
//!   with a Page token count against these Business Use Case limits;
//!   `estimated_time_to_regain_access` is in minutes.
//! - `X-Page-Usage` (older Pages answers), shaped like `X-App-Usage`.
//!
//! Meta's advice is to stop calling when a limit is reached, since calls made while throttled
//! lengthen the throttle. So when any percentage is above [`UsagePolicy::threshold_percent`], or
//! Meta gives a time to regain access, calls are held locally ([`Throttle`]) until that time, or
//! for [`UsagePolicy::cool_down`]: `prepare`, `publish` and `reconcile` then answer `RateLimited`
//! with `retry_at` without calling. `X-App-Usage` holds every Page; the other two hold the Page
//! whose token made the call. Holds live in memory: a restart forgets them, and the first answer
//! after it brings them back.
//!
//! Time is `tokio::time::Instant`, so tests with a paused clock control holds.

use reqwest::header::HeaderMap;
use serde_json::Value;
use std::collections::HashMap;
use std::sync::Mutex;
use std::time::Duration;
use tokio::time::Instant;

/// When to stop calling, and for how long; `Default` holds the documented values.
#[derive(Debug, Clone, PartialEq)]
pub struct UsagePolicy {
    /// Percentage of any usage figure above which calls are held (Meta: "slow down above 90 %").
    pub threshold_percent: f64,
    /// How long calls are held when Meta gives no time to regain access.
    pub cool_down: Duration,
}

impl Default for UsagePolicy {
    fn default() -> Self {
        UsagePolicy {
            threshold_percent: 90.0,
            cool_down: Duration::from_secs(10 * 60),
        }
    }
}

/// The highest figure of one header.
#[derive(Debug, Clone, PartialEq)]
pub struct UsageReading {
    /// `X-App-Usage`, `X-Business-Use-Case-Usage` or `X-Page-Usage`.
    pub header: &'static str,
    /// `call_count`, `total_cputime` or `total_time`.
    pub metric: &'static str,
    pub percent: f64,
    /// `estimated_time_to_regain_access`, when Meta gives one above zero.
    pub regain: Option<Duration>,
}

impl UsageReading {
    /// How long to hold calls, and why; `None` when the figures are fine.
    pub fn hold(&self, policy: &UsagePolicy) -> Option<(Duration, String)> {
        if let Some(regain) = self.regain {
            return Some((
                regain,
                format!(
                    "Meta says access returns in {} min ({} {} at {}%)",
                    regain.as_secs().div_ceil(60),
                    self.header,
                    self.metric,
                    self.percent
                ),
            ));
        }
        (self.percent > policy.threshold_percent).then(|| {
            (
                policy.cool_down,
                format!(
                    "{} {} is at {}% (above {}%)",
                    self.header, self.metric, self.percent, policy.threshold_percent
                ),
            )
        })
    }
}

/// The figures of the usage headers of one answer: the app's, and the Page's.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct UsageHeaders {
    pub app: Option<UsageReading>,
    pub page: Option<UsageReading>,
}

const METRICS: [&str; 3] = ["call_count", "total_cputime", "total_time"];

impl UsageHeaders {
    /// Reads the headers; a header that is absent or not JSON counts as absent (absent is not
    /// zero: nothing is lifted by it).
    pub fn read(headers: &HeaderMap) -> UsageHeaders {
        let json = |name: &str| -> Option<Value> { serde_json::from_str(headers.get(name)?.to_str().ok()?).ok() };
        let app = json("x-app-usage").and_then(|v| highest("X-App-Usage", [&v]));
        let buc = json("x-business-use-case-usage").and_then(|v| {
            let entries: Vec<&Value> = v.as_object()?.values().filter_map(Value::as_array).flatten().collect();
            highest("X-Business-Use-Case-Usage", entries)
        });
        let page_header = json("x-page-usage").and_then(|v| highest("X-Page-Usage", [&v]));
        let page = match (buc, page_header) {
            (Some(a), Some(b)) => Some(worse(a, b)),
            (a, b) => a.or(b),
        };
        UsageHeaders { app, page }
    }
}

/// The highest percentage (and longest regain time) over some usage objects.
fn highest<'a>(header: &'static str, objects: impl IntoIterator<Item = &'a Value>) -> Option<UsageReading> {
    let mut best: Option<UsageReading> = None;
    for object in objects {
        let regain = number(object.get("estimated_time_to_regain_access"))
            .filter(|m| *m > 0.0)
            .map(|m| Duration::from_secs_f64((m * 60.0).min(7.0 * 24.0 * 3600.0)));
        for metric in METRICS {
            if let Some(percent) = number(object.get(metric)) {
                let reading = UsageReading {
                    header,
                    metric,
                    percent,
                    regain,
                };
                best = Some(match best {
                    Some(b) => worse(b, reading),
                    None => reading,
                });
            }
        }
    }
    best
}

fn worse(a: UsageReading, b: UsageReading) -> UsageReading {
    let regain = a.regain.max(b.regain);
    let mut out = if b.percent > a.percent { b } else { a };
    out.regain = regain;
    out
}

fn number(v: Option<&Value>) -> Option<f64> {
    v.and_then(Value::as_f64).filter(|n| n.is_finite() && *n >= 0.0)
}

/// Who a hold stops.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Scope {
    /// Every Page (the app's limit).
    App,
    /// One Page, by id.
    Page(String),
}

#[derive(Debug, Clone)]
struct Hold {
    until: Instant,
    reason: String,
}

/// The running holds, shared by every call of one publisher.
#[derive(Debug, Default)]
pub struct Throttle {
    holds: Mutex<HashMap<Scope, Hold>>,
}

impl Throttle {
    /// The hold on calls for `page` at `now`, if any: time left and why (the longest of the
    /// app's and the Page's).
    pub fn check(&self, page: &str, now: Instant) -> Option<(Duration, String)> {
        let mut holds = self.lock();
        holds.retain(|_, h| h.until > now);
        [Scope::App, Scope::Page(page.to_string())]
            .iter()
            .filter_map(|s| holds.get(s))
            .max_by_key(|h| h.until)
            .map(|h| (h.until - now, h.reason.clone()))
    }

    /// Holds calls in `scope` for `wait` from `now` (an existing longer hold stays).
    pub fn hold(&self, scope: Scope, now: Instant, wait: Duration, reason: String) {
        let until = now + wait;
        let mut holds = self.lock();
        let keep = holds.get(&scope).is_some_and(|h| h.until >= until);
        if !keep {
            tracing::warn!(message = "Holding Facebook calls.", ?scope, wait_s = wait.as_secs(), %reason);
            holds.insert(scope, Hold { until, reason });
        }
    }

    /// Applies the usage headers of an answer to `page`; returns the longest hold they asked for.
    /// A time to regain access, when Meta gives one in either header, is the length of every hold
    /// the answer starts (it is Meta's word; the cool-down is only a guess).
    pub fn note(&self, usage: &UsageHeaders, page: &str, policy: &UsagePolicy, now: Instant) -> Option<Duration> {
        let mut longest = None;
        let regain = [&usage.app, &usage.page]
            .into_iter()
            .flatten()
            .filter_map(|r| r.regain)
            .max();
        let scoped = [(Scope::App, &usage.app), (Scope::Page(page.to_string()), &usage.page)];
        for (scope, reading) in scoped {
            if let Some((wait, reason)) = reading.as_ref().and_then(|r| r.hold(policy)) {
                let wait = regain.unwrap_or(wait);
                self.hold(scope, now, wait, reason);
                longest = longest.max(Some(wait));
            }
        }
        longest
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<Scope, Hold>> {
        self.holds.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use reqwest::header::HeaderValue;

    fn headers(pairs: &[(&'static str, &str)]) -> HeaderMap {
        let mut h = HeaderMap::new();
        for (k, v) in pairs {
            h.insert(*k, HeaderValue::from_str(v).unwrap());
        }
        h
    }

    #[test]
    fn the_app_header_gives_its_highest_figure() {
        let u = UsageHeaders::read(&headers(&[(
            "x-app-usage",
            r#"{"call_count":28,"total_time":95,"total_cputime":25}"#,
        )]));
        let app = u.app.unwrap();
        assert_eq!((app.metric, app.percent, app.regain), ("total_time", 95.0, None));
        assert!(u.page.is_none());
    }

    #[test]
    fn the_business_header_is_read_across_ids_with_its_regain_time() {
        let u = UsageHeaders::read(&headers(&[(
            "x-business-use-case-usage",
            r#"{"112233":[{"type":"pages","call_count":97,"total_cputime":23,"total_time":23,"estimated_time_to_regain_access":0}],"445566":[{"type":"pages","call_count":40,"total_cputime":10,"total_time":10,"estimated_time_to_regain_access":19}]}"#,
        )]));
        let page = u.page.unwrap();
        assert_eq!(page.percent, 97.0);
        assert_eq!(page.regain, Some(Duration::from_secs(19 * 60)));
    }

    #[test]
    fn broken_or_absent_headers_are_ignored() {
        let u = UsageHeaders::read(&headers(&[
            ("x-app-usage", "not json"),
            ("x-business-use-case-usage", r#"{"1":"nope"}"#),
            ("x-page-usage", r#"{"call_count":-5,"total_time":"x"}"#),
        ]));
        assert_eq!(u, UsageHeaders::default());
    }

    #[test]
    fn ninety_percent_is_fine_and_above_it_holds_for_the_cool_down() {
        let policy = UsagePolicy::default();
        let at = |p: f64| UsageReading {
            header: "X-App-Usage",
            metric: "call_count",
            percent: p,
            regain: None,
        };
        assert!(at(90.0).hold(&policy).is_none());
        let (wait, reason) = at(91.0).hold(&policy).unwrap();
        assert_eq!(wait, Duration::from_secs(600));
        assert_eq!(reason, "X-App-Usage call_count is at 91% (above 90%)");
        let regain = UsageReading {
            regain: Some(Duration::from_secs(120)),
            ..at(10.0)
        };
        assert_eq!(regain.hold(&policy).unwrap().0, Duration::from_secs(120));
    }

    #[tokio::test(start_paused = true)]
    async fn holds_cover_the_app_or_one_page_and_end_on_time() {
        let t = Throttle::default();
        let policy = UsagePolicy::default();
        let now = Instant::now();
        let page_high = UsageHeaders {
            page: Some(UsageReading {
                header: "X-Business-Use-Case-Usage",
                metric: "call_count",
                percent: 95.0,
                regain: None,
            }),
            ..UsageHeaders::default()
        };
        assert_eq!(t.note(&page_high, "P1", &policy, now), Some(Duration::from_secs(600)));
        assert!(t.check("P1", now).is_some());
        assert!(t.check("P2", now).is_none());
        t.hold(Scope::App, now, Duration::from_secs(60), "app".into());
        assert_eq!(t.check("P2", now).unwrap().1, "app");
        assert_eq!(t.check("P1", now).unwrap().0, Duration::from_secs(600));
        tokio::time::advance(Duration::from_secs(600)).await;
        assert!(t.check("P1", Instant::now()).is_none());
    }

    #[tokio::test(start_paused = true)]
    async fn meta_s_regain_time_replaces_the_cool_down_for_every_hold_of_the_answer() {
        let t = Throttle::default();
        let reading = |header, percent, regain| UsageReading {
            header,
            metric: "call_count",
            percent,
            regain,
        };
        let both = UsageHeaders {
            app: Some(reading("X-App-Usage", 100.0, None)),
            page: Some(reading(
                "X-Business-Use-Case-Usage",
                100.0,
                Some(Duration::from_secs(180)),
            )),
        };
        let now = Instant::now();
        assert_eq!(
            t.note(&both, "P1", &UsagePolicy::default(), now),
            Some(Duration::from_secs(180))
        );
        assert_eq!(
            t.check("P2", now).unwrap().0,
            Duration::from_secs(180),
            "the app hold too"
        );
    }
}
