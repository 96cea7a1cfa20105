//! The HTTP plumbing the X calls share: URLs under the API URL, the bearer token per call, and
//! turning X's answers and failures into [`PublishError`]s whose messages never hold the token.

use super::errors::{scrub, RateHeaders, XApiError, XErrorKind};
use crate::error_class::ErrorClass;
use crate::platforms::{Account, PublishError};
use chrono::{DateTime, Utc};
use secrecy::ExposeSecret;
use std::time::Duration;
use url::Url;

/// What every call needs: one HTTP client (connections are pooled) and the API's base URL.
#[derive(Debug, Clone)]
pub struct Api {
    pub http: reqwest::Client,
    /// Downloads the posts' media (only from allowed hosts, [`crate::fetch`]).
    pub media: crate::fetch::MediaFetcher,
    /// `https://api.x.com`, or the sandbox's URL.
    pub api_url: Url,
    /// How long to hold posting after a `usage-capped` answer.
    pub usage_cap_wait: Duration,
}

/// How long to wait after a 429 that carries no `x-rate-limit-reset`: X's window.
const DEFAULT_RATE_WAIT: chrono::Duration = chrono::Duration::minutes(15);

impl Api {
    /// The API URL with `segments` appended (each one escaped, so an id cannot change the path).
    pub fn url(&self, segments: &[&str]) -> Url {
        let mut url = self.api_url.clone();
        if let Ok(mut path) = url.path_segments_mut() {
            path.pop_if_empty().extend(segments);
        }
        url
    }

    /// A request to X with the account's token.
    pub fn request(
        &self,
        method: reqwest::Method,
        url: Url,
        account: &Account,
        timeout: Duration,
    ) -> reqwest::RequestBuilder {
        self.http
            .request(method, url)
            .bearer_auth(account.token.expose_secret())
            .timeout(timeout)
    }

    /// An error answer (or a 2xx carrying only `errors[]`) as a [`PublishError`]: "X refused
    /// {what} ({status}): {X's words}", with the class of its kind and, for rate limits, when to
    /// try again.
    pub fn refused(&self, what: &str, error: &XApiError, headers: &RateHeaders, account: &Account) -> PublishError {
        let now = Utc::now();
        let retry_at = match error.kind {
            XErrorKind::RateLimitExceeded => Some(
                headers
                    .retry_at()
                    .filter(|t| *t > now)
                    .unwrap_or(now + DEFAULT_RATE_WAIT),
            ),
            XErrorKind::UsageCapped => {
                Some(now + chrono::Duration::from_std(self.usage_cap_wait).unwrap_or(chrono::Duration::days(1)))
            }
            _ => None,
        };
        let message = format!("X refused {what} ({}): {}", error.status, error.words);
        PublishError {
            class: error.class(),
            message: scrub(&message, account.token.expose_secret()),
            retry_at,
        }
    }
}

/// A failure before any answer, as a [`PublishError`] of `class`: "{doing}: {cause}" (the cause
/// without the URL, which may carry a signed query).
pub fn unreachable(class: ErrorClass, doing: &str, error: reqwest::Error, account: &Account) -> PublishError {
    let cause = if error.is_timeout() {
        "no answer in time".to_string()
    } else {
        let error = error.without_url();
        let mut cause = error.to_string();
        let mut source = std::error::Error::source(&error);
        while let Some(s) = source {
            cause = s.to_string();
            source = s.source();
        }
        cause
    };
    PublishError {
        class,
        message: scrub(&format!("{doing}: {cause}"), account.token.expose_secret()),
        retry_at: None,
    }
}

/// Whether a failed request never left this machine (so repeating it is harmless).
pub fn never_sent(error: &reqwest::Error) -> bool {
    error.is_connect() || error.is_builder()
}

/// An epoch-seconds reset as a time, for messages.
pub fn show_time(t: DateTime<Utc>) -> String {
    t.to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
}
