//! One call to TikTok's v2 API: the local limits checked first, the account's token sent as
//! `Authorization: Bearer` (never in a URL, never in a message), the answer's envelope read, and a
//! refusal classified and turned into a hold when it is a rate limit or a daily cap. Nothing here
//! retries: the scheduler owns retries.

use super::errors::{scrub, Envelope, TikTokApiError};
use super::limits::{Endpoint, Limits, Wait};
use crate::clock::Clock;
use crate::error_class::ErrorClass;
use crate::platforms::{Account, PublishError};
use chrono::{DateTime, Utc};
use reqwest::header::{HeaderValue, AUTHORIZATION, CONTENT_TYPE};
use secrecy::ExposeSecret;
use serde_json::Value;
use std::time::Duration;
use url::Url;

/// What every call needs: one HTTP client (connections are pooled), the API's base URL, the
/// limits, and the clock that says what time it is.
#[derive(Debug)]
pub struct Api {
    pub http: reqwest::Client,
    /// `https://open.tiktokapis.com`, or the sandbox's URL.
    pub api_url: Url,
    /// Timeout of one API call.
    pub timeout: Duration,
    pub limits: Limits,
    pub clock: Clock,
    /// How long posting waits after a daily cap.
    pub daily_cap_wait: Duration,
}

/// One request, described for sending and for messages.
pub struct Call<'a> {
    pub endpoint: Endpoint,
    /// Path segments under the API URL, e.g. `["v2", "post", "publish", "video", "init"]`; the
    /// trailing slash TikTok's paths have is added.
    pub path: &'a [&'a str],
    /// The `fields` query parameter (the Display API's), if any.
    pub fields: Option<&'a str>,
    pub body: Value,
    /// What is asked, for people: "the video post", "the post's status".
    pub what: &'a str,
    /// Whether this call is the one that makes the post (init): then a timeout, a 5xx or an
    /// unreadable answer means TikTok may have it (`OutcomeUnknown`).
    pub publishes: bool,
}

impl Api {
    pub fn now(&self) -> DateTime<Utc> {
        self.clock.now()
    }

    /// The API URL with `segments` and a trailing slash appended.
    pub fn url(&self, segments: &[&str]) -> Url {
        let mut url = self.api_url.clone();
        if let Ok(mut path) = url.path_segments_mut() {
            path.pop_if_empty().extend(segments).push("");
        }
        url
    }

    /// Sends `call` with the account's token; the `data` of an `ok` answer.
    pub async fn call(&self, account: &Account, call: Call<'_>) -> Result<Value, PublishError> {
        let key = account.record_id.as_str();
        if let Err(wait) = self.limits.admit(key, call.endpoint, self.now()).await {
            return Err(held(&wait, call.endpoint));
        }
        let token = account.token.expose_secret();
        let mut auth = HeaderValue::from_str(&format!("Bearer {token}")).map_err(|_| PublishError {
            class: ErrorClass::Auth,
            message: "The TikTok token holds characters that cannot go in an HTTP header; connect the account again"
                .into(),
            retry_at: None,
        })?;
        auth.set_sensitive(true);
        let mut url = self.url(call.path);
        if let Some(fields) = call.fields {
            url.query_pairs_mut().append_pair("fields", fields);
        }
        let sent = self
            .http
            .post(url)
            .header(AUTHORIZATION, auth)
            .header(CONTENT_TYPE, "application/json; charset=UTF-8")
            .body(call.body.to_string())
            .timeout(self.timeout)
            .send()
            .await;
        let response = match sent {
            Ok(r) => r,
            Err(e) => return Err(self.network(&call, e, token)),
        };
        let status = response.status().as_u16();
        let bytes = match response.bytes().await {
            Ok(b) => b,
            Err(e) => return Err(self.network(&call, e, token)),
        };
        let envelope = Envelope::parse(&bytes);
        let ok = envelope.as_ref().is_some_and(Envelope::is_ok);
        if (200..300).contains(&status) && ok {
            return match envelope.and_then(|e| e.data).filter(|d| d.is_object()) {
                Some(data) => Ok(data),
                None => Err(unreadable(&call)),
            };
        }
        if (200..300).contains(&status) && envelope.is_none() {
            return Err(unreadable(&call));
        }
        let error = TikTokApiError::from_response(status, &bytes);
        Err(self.refused(&call, key, &error, token))
    }

    /// A refusal: classified, logged (without the token), turned into a hold when it is a limit.
    pub fn refused(&self, call: &Call<'_>, key: &str, error: &TikTokApiError, token: &str) -> PublishError {
        let now = self.now();
        let mut message = scrub(&format!("TikTok refused {} ({})", call.what, error.describe()), token);
        let mut class = error.class();
        let mut retry_at = None;
        if class == ErrorClass::RateLimited {
            let until = if error.kind.is_daily_cap() {
                let until = now + chrono::Duration::from_std(self.daily_cap_wait).unwrap_or(chrono::Duration::hours(1));
                self.limits.hold_posting(
                    key,
                    until,
                    format!("TikTok's daily cap for this account was reached ({})", error.code),
                );
                message.push_str(&format!(
                    "; posting for this account waits until {} (TikTok gives no time when its daily cap reopens)",
                    show_time(until)
                ));
                until
            } else {
                self.limits.hold_endpoint(key, call.endpoint, now)
            };
            retry_at = Some(until);
        }
        if call.publishes && class == ErrorClass::Transient {
            class = ErrorClass::OutcomeUnknown;
            message.push_str(MAYBE_TAKEN);
        }
        tracing::warn!(
            message = "TikTok refused a call.",
            what = call.what,
            status = error.status,
            code = %error.code,
            log_id = %error.log_id,
            %class,
        );
        PublishError {
            class,
            message,
            retry_at,
        }
    }

    /// No answer: never sent (a connection refused) is transient; after sending, an init is unknown.
    fn network(&self, call: &Call<'_>, e: reqwest::Error, token: &str) -> PublishError {
        let never_sent = e.is_connect() || e.is_builder();
        let detail = if e.is_timeout() {
            format!(
                "TikTok did not answer {} within {} s",
                call.what,
                self.timeout.as_secs_f64()
            )
        } else {
            format!("Could not reach TikTok for {}: {}", call.what, cause(e))
        };
        tracing::warn!(message = "TikTok call failed.", what = call.what, %detail, never_sent);
        if call.publishes && !never_sent {
            return PublishError {
                class: ErrorClass::OutcomeUnknown,
                message: scrub(&format!("{detail}{MAYBE_TAKEN}"), token),
                retry_at: None,
            };
        }
        PublishError {
            class: ErrorClass::Transient,
            message: scrub(&detail, token),
            retry_at: None,
        }
    }
}

/// What an unknown outcome of an init adds to its message.
const MAYBE_TAKEN: &str =
    "; TikTok may have taken the post, but no publish_id came back to ask about it: check the account before posting again";

/// A 2xx answer that cannot be read.
fn unreadable(call: &Call<'_>) -> PublishError {
    let message = format!("TikTok's answer to {} could not be read", call.what);
    if call.publishes {
        return PublishError {
            class: ErrorClass::OutcomeUnknown,
            message: format!("{message}{MAYBE_TAKEN}"),
            retry_at: None,
        };
    }
    PublishError {
        class: ErrorClass::Transient,
        message,
        retry_at: None,
    }
}

/// The refusal to call while a limit or a hold runs: "The post waits until {time}: {why} (TikTok
/// was not called)".
pub fn held(wait: &Wait, endpoint: Endpoint) -> PublishError {
    let what = match endpoint {
        Endpoint::Status => "The check of the post's status",
        Endpoint::VideoList => "The search among the account's videos",
        Endpoint::CreatorInfo | Endpoint::Init => "The post",
    };
    PublishError {
        class: ErrorClass::RateLimited,
        message: format!(
            "{what} waits until {}: {} (TikTok was not called)",
            show_time(wait.until),
            wait.reason
        ),
        retry_at: Some(wait.until),
    }
}

/// The innermost cause of an error, without its URL (an upload URL carries a token).
pub fn cause(e: reqwest::Error) -> String {
    let e = e.without_url();
    let mut text = e.to_string();
    let mut source = std::error::Error::source(&e);
    while let Some(s) = source {
        text = s.to_string();
        source = s.source();
    }
    text
}

/// A time for messages.
pub fn show_time(t: DateTime<Utc>) -> String {
    t.to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
}

#[cfg(test)]
mod tests {
    use super::super::limits::CallLimits;
    use super::*;

    #[test]
    fn urls_keep_tiktok_s_trailing_slash_and_escape_segments() {
        let api = Api {
            http: reqwest::Client::new(),
            api_url: Url::parse("http://127.0.0.1:9/").unwrap(),
            timeout: Duration::from_secs(1),
            limits: Limits::new(CallLimits::default()).unwrap(),
            clock: Clock::new(),
            daily_cap_wait: Duration::from_secs(3600),
        };
        assert_eq!(
            api.url(&["v2", "post", "publish", "status", "fetch"]).as_str(),
            "http://127.0.0.1:9/v2/post/publish/status/fetch/"
        );
        assert_eq!(api.url(&["a/b"]).as_str(), "http://127.0.0.1:9/a%2Fb/");
    }
}
