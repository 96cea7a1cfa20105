//! Instagram's publishing limit, read rather than assumed (Meta's pages have said 25, 50 and 100
//! posts a day): `GET /{ig-user-id}/content_publishing_limit?fields=quota_usage,config` ->
//! `{"data":[{"quota_usage":2,"config":{"quota_total":50,"quota_duration":86400}}]}`.
//!
//! The window moves: a slot frees when the oldest post of the last `quota_duration` seconds
//! leaves it. That time is read from the account's posts (`GET /{ig-user-id}/media?fields=id,
//! timestamp&since=`); when they cannot tell (none listed), the post waits
//! [`super::InstagramOptions::quota_fallback_wait`].

use super::InstagramPublisher;
use crate::error_class::ErrorClass;
use crate::platforms::meta_graph::client::Call;
use crate::platforms::meta_graph::wording::duration;
use crate::platforms::{Account, PublishError};
use chrono::{DateTime, Utc};
use serde::Deserialize;
use serde_json::Value;

/// The account's use of its publishing limit.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Quota {
    pub usage: u64,
    pub total: u64,
    /// The window, in seconds.
    pub duration_secs: u64,
}

#[derive(Deserialize)]
struct LimitPage {
    #[serde(default)]
    data: Vec<LimitEntry>,
}

#[derive(Deserialize)]
struct LimitEntry {
    #[serde(default)]
    quota_usage: Option<u64>,
    #[serde(default)]
    config: Option<LimitConfig>,
}

#[derive(Deserialize)]
struct LimitConfig {
    quota_total: Option<u64>,
    quota_duration: Option<u64>,
}

impl Quota {
    /// Reads Meta's answer; `None` when it does not give both the usage and the total.
    pub fn parse(answer: &Value) -> Option<Quota> {
        let page: LimitPage = serde_json::from_value(answer.clone()).ok()?;
        let entry = page.data.into_iter().next()?;
        let config = entry.config?;
        Some(Quota {
            usage: entry.quota_usage?,
            total: config.quota_total?,
            duration_secs: config.quota_duration.unwrap_or(86_400),
        })
    }

    pub fn used_up(&self) -> bool {
        self.usage >= self.total
    }

    /// "24 h", "90 min".
    fn window(&self) -> String {
        if self.duration_secs.is_multiple_of(3600) {
            format!("{} h", self.duration_secs / 3600)
        } else {
            duration(self.duration_secs as f64)
        }
    }
}

/// Meta's time format (`2025-04-02T09:00:01+0000`), or RFC 3339.
pub fn parse_time(s: &str) -> Option<DateTime<Utc>> {
    DateTime::parse_from_str(s, "%Y-%m-%dT%H:%M:%S%z")
        .or_else(|_| DateTime::parse_from_rfc3339(s))
        .ok()
        .map(|t| t.with_timezone(&Utc))
}

/// When a slot frees: the oldest post of the window leaves it.
pub fn slot_frees(timestamps: &[DateTime<Utc>], now: DateTime<Utc>, window_secs: u64) -> Option<DateTime<Utc>> {
    let window = chrono::Duration::seconds(window_secs as i64);
    timestamps
        .iter()
        .filter(|t| **t > now - window)
        .min()
        .map(|t| *t + window + chrono::Duration::seconds(1))
}

impl InstagramPublisher {
    /// The account's quota, or `None` when Meta does not say.
    pub(super) async fn quota(&self, account: &Account) -> Result<Option<Quota>, PublishError> {
        let call = Call::get(
            [account.external_id.as_str(), "content_publishing_limit"],
            vec![("fields", "quota_usage,config".into())],
            "the account's publishing limit",
        );
        let answer = self.graph.call(account, call).await?;
        Ok(Quota::parse(&answer))
    }

    /// The post waits until a slot frees (`quota` when known, else as Meta's refusal said).
    pub(super) async fn over_quota(&self, account: &Account, quota: Option<Quota>) -> PublishError {
        let window_secs = quota.map_or(86_400, |q| q.duration_secs);
        let now = self.clock.now();
        let at = match self.post_times(account, now, window_secs).await {
            Ok(times) => slot_frees(&times, now, window_secs),
            Err(error) => {
                tracing::warn!(message = "Could not list the account's posts to time the quota.", %error);
                None
            }
        };
        let at = at.unwrap_or_else(|| now + chrono::Duration::from_std(self.quota_fallback_wait).unwrap_or_default());
        let limit = match quota {
            Some(q) => format!("({} posts in {})", q.total, q.window()),
            None => "(Meta refused the post for it)".into(),
        };
        PublishError {
            class: ErrorClass::RateLimited,
            message: format!(
                "Instagram's publishing limit is used up {limit}; this post waits until {}",
                at.format("%H:%M UTC")
            ),
            retry_at: Some(at),
        }
    }

    /// The times of the account's posts of the last window.
    async fn post_times(
        &self,
        account: &Account,
        now: DateTime<Utc>,
        window_secs: u64,
    ) -> Result<Vec<DateTime<Utc>>, PublishError> {
        let since = now.timestamp() - window_secs as i64;
        let call = Call::get(
            [account.external_id.as_str(), "media"],
            vec![
                ("fields", "id,timestamp".into()),
                ("since", since.max(0).to_string()),
                ("limit", "100".into()),
            ],
            "the list of the account's posts",
        );
        let answer = self.graph.call(account, call).await?;
        Ok(answer
            .get("data")
            .and_then(Value::as_array)
            .map(|items| {
                items
                    .iter()
                    .filter_map(|m| m.get("timestamp").and_then(Value::as_str).and_then(parse_time))
                    .collect()
            })
            .unwrap_or_default())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn fixture(name: &str) -> Value {
        let path = format!("{}/../../fixtures/instagram/{name}.json", env!("CARGO_MANIFEST_DIR"));
        serde_json::from_slice(&std::fs::read(path).unwrap()).unwrap()
    }

    #[test]
    fn meta_s_limit_body_is_read() {
        let q = Quota::parse(&fixture("content_publishing_limit")).unwrap();
        assert_eq!(
            q,
            Quota {
                usage: 2,
                total: 50,
                duration_secs: 86_400
            }
        );
        assert!(!q.used_up());
        assert_eq!(q.window(), "24 h");
        assert_eq!(Quota::parse(&serde_json::json!({"data": [{"quota_usage": 3}]})), None);
    }

    #[test]
    fn a_slot_frees_when_the_oldest_post_of_the_window_leaves_it() {
        let at = |h, m| Utc.with_ymd_and_hms(2026, 3, 2, h, m, 0).unwrap();
        let now = at(15, 0) + chrono::Duration::days(1);
        let times = [at(14, 5), at(16, 0), at(9, 0)];
        assert_eq!(
            slot_frees(&times, now, 86_400),
            Some(at(16, 0) + chrono::Duration::days(1) + chrono::Duration::seconds(1)),
            "14:05 and 09:00 are out of the window already"
        );
        assert_eq!(slot_frees(&[], now, 86_400), None);
        assert_eq!(parse_time("2026-03-02T14:05:00+0000"), Some(at(14, 5)));
    }
}
