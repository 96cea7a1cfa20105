//! What X last said about the posting limits (`POST /2/tweets`: 100 per 15 minutes per user,
//! 10,000 per 24 hours per app), so that `publish` waits without calling X when the limit is used up.
//!
//! Kept per account (the account's Airtable record id), and once for the app (its 24-hour limit is
//! shared by every account). Wall time (`chrono::Utc`): X's resets are epoch seconds.

use super::errors::RateHeaders;
use chrono::{DateTime, Utc};
use std::collections::HashMap;
use std::sync::Mutex;

/// Why and until when posting must wait.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Hold {
    pub until: DateTime<Utc>,
    /// For people: which limit.
    pub reason: &'static str,
}

#[derive(Debug, Default)]
struct State {
    accounts: HashMap<String, Hold>,
    app: Option<Hold>,
}

/// The holds; one `Mutex`, never held across an `.await`.
#[derive(Debug, Default)]
pub struct RateMemory {
    state: Mutex<State>,
}

impl RateMemory {
    /// The hold on posting for `account` at `now`, if one is running.
    pub fn blocked(&self, account: &str, now: DateTime<Utc>) -> Option<Hold> {
        let state = self.lock();
        let mine = state.accounts.get(account).filter(|h| h.until > now);
        let app = state.app.as_ref().filter(|h| h.until > now);
        [mine, app].into_iter().flatten().max_by_key(|h| h.until).cloned()
    }

    /// Learns from the headers of an answer to `POST /2/tweets` for `account`.
    pub fn record(&self, account: &str, headers: &RateHeaders, now: DateTime<Utc>) {
        let mut state = self.lock();
        state.accounts.retain(|_, h| h.until > now);
        if let Some(until) = headers.reset.filter(|r| *r > now && headers.remaining == Some(0)) {
            hold(&mut state.accounts, account, until, "X's limit of posts per 15 minutes");
        }
        if let Some((0, until)) = headers.user_day.filter(|(_, r)| *r > now) {
            hold(
                &mut state.accounts,
                account,
                until,
                "X's limit of posts per 24 hours for this account",
            );
        }
        if let Some((0, until)) = headers.app_day.filter(|(_, r)| *r > now) {
            let longer = state.app.as_ref().is_none_or(|h| h.until < until);
            if longer {
                state.app = Some(Hold {
                    until,
                    reason: "X's limit of posts per 24 hours for this app",
                });
            }
        }
    }

    /// Holds `account` until `until` (after a 429, or a usage cap).
    pub fn hold(&self, account: &str, until: DateTime<Utc>, reason: &'static str) {
        hold(&mut self.lock().accounts, account, until, reason);
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
    }
}

/// Sets a hold, keeping a longer one that is already there.
fn hold(holds: &mut HashMap<String, Hold>, account: &str, until: DateTime<Utc>, reason: &'static str) {
    let entry = holds.entry(account.to_string()).or_insert(Hold { until, reason });
    if entry.until < until {
        *entry = Hold { until, reason };
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::Duration;

    fn at(secs: i64) -> DateTime<Utc> {
        DateTime::from_timestamp(1_700_000_000 + secs, 0).unwrap()
    }

    fn window(remaining: u32, reset: i64) -> RateHeaders {
        RateHeaders {
            limit: Some(100),
            remaining: Some(remaining),
            reset: Some(at(reset)),
            ..RateHeaders::default()
        }
    }

    #[test]
    fn a_used_up_window_holds_the_account_until_its_reset_and_no_longer() {
        let m = RateMemory::default();
        m.record("recA", &window(1, 900), at(0));
        assert_eq!(m.blocked("recA", at(1)), None, "one left");
        m.record("recA", &window(0, 900), at(2));
        assert_eq!(m.blocked("recA", at(3)).unwrap().until, at(900));
        assert_eq!(m.blocked("recB", at(3)), None, "other accounts are free");
        assert_eq!(m.blocked("recA", at(900)), None, "free at the reset");
    }

    #[test]
    fn a_reset_in_the_past_holds_nothing() {
        let m = RateMemory::default();
        m.record("recA", &window(0, 10), at(20));
        assert_eq!(m.blocked("recA", at(20)), None);
    }

    #[test]
    fn the_app_day_holds_every_account_and_the_longest_hold_wins() {
        let m = RateMemory::default();
        let headers = RateHeaders {
            app_day: Some((0, at(86_000))),
            ..window(0, 900)
        };
        m.record("recA", &headers, at(0));
        assert_eq!(m.blocked("recB", at(1000)).unwrap().until, at(86_000));
        assert_eq!(m.blocked("recA", at(1)).unwrap().until, at(86_000));
        m.hold("recC", at(0) + Duration::days(30), "cap");
        assert_eq!(m.blocked("recC", at(1)).unwrap().reason, "cap");
    }
}
