//! One Graph API call: the local hold checked first, the Page token sent as
//! `Authorization: Bearer` (never in a URL), the usage headers of the answer applied, and a
//! failure classified. Nothing here retries: the scheduler owns retries.

use super::errors::{describe, GraphErrorBody, MetaCode};
use super::usage::{Scope, Throttle, UsageHeaders, UsagePolicy};
use crate::error_class::ErrorClass;
use crate::platforms::{Account, PublishError};
use reqwest::header::{HeaderValue, AUTHORIZATION};
use reqwest::Method;
use secrecy::ExposeSecret;
use serde_json::Value;
use std::time::Duration;
use tokio::time::Instant;
use url::Url;

/// The Graph API at one base URL and version, with the holds of its answers.
pub struct Graph {
    http: reqwest::Client,
    /// `https://graph.facebook.com`, or the sandbox's URL.
    base: Url,
    /// `v21.0`: Meta versions every path.
    version: String,
    timeout: Duration,
    pub usage: UsagePolicy,
    pub throttle: Throttle,
}

/// One request, described for sending and for messages.
pub struct Call<'a> {
    pub method: Method,
    /// Path segments after the version, e.g. `[page_id, "feed"]`.
    pub path: [&'a str; 2],
    pub query: Vec<(&'static str, String)>,
    pub body: Option<Value>,
    /// What is asked, for people: "the post", "the photo https://...".
    pub what: String,
    /// Whether this call makes the post public: then a timeout, a 5xx or an unreadable answer
    /// means the post may exist (`OutcomeUnknown`).
    pub publishes: bool,
}

impl Graph {
    pub fn new(base: Url, version: String, timeout: Duration, usage: UsagePolicy) -> anyhow::Result<Graph> {
        if base.cannot_be_a_base() || !matches!(base.scheme(), "http" | "https") {
            anyhow::bail!("The Graph API URL must be an http(s) URL, not {base}");
        }
        let http = reqwest::Client::builder()
            .user_agent(concat!("schedulo/", env!("CARGO_PKG_VERSION")))
            .timeout(timeout)
            .build()?;
        Ok(Graph {
            http,
            base,
            version,
            timeout,
            usage,
            throttle: Throttle::default(),
        })
    }

    /// Sends a call with the account's token and returns the JSON of a 2xx answer.
    pub async fn call(&self, account: &Account, call: Call<'_>) -> Result<Value, PublishError> {
        let page = account.external_id.as_str();
        if let Some((wait, reason)) = self.throttle.check(page, Instant::now()) {
            tracing::debug!(message = "Facebook call held locally.", what = %call.what, wait_s = wait.as_secs());
            return Err(rate_limited(
                format!("Facebook calls for this Page are held to respect Meta's rate limits: {reason}"),
                wait,
            ));
        }
        let token = account.token.expose_secret();
        let mut auth = HeaderValue::from_str(&format!("Bearer {token}")).map_err(|_| PublishError {
            class: ErrorClass::Auth,
            message: "The Facebook Page token holds characters that cannot go in an HTTP header; reconnect the Page"
                .into(),
            retry_at: None,
        })?;
        auth.set_sensitive(true);
        let mut request = self
            .http
            .request(call.method.clone(), self.url(&call))
            .header(AUTHORIZATION, auth);
        if let Some(body) = &call.body {
            request = request.json(body);
        }
        let response = request.send().await.map_err(|e| self.network(&call, e, token))?;
        let status = response.status().as_u16();
        let usage = UsageHeaders::read(response.headers());
        let applied = self.throttle.note(&usage, page, &self.usage, Instant::now());
        let bytes = response.bytes().await.map_err(|e| self.network(&call, e, token))?;
        if (200..300).contains(&status) {
            return serde_json::from_slice(&bytes).map_err(|_| unreadable(&call));
        }
        Err(self.refused(&call, page, status, &bytes, applied, token))
    }

    fn url(&self, call: &Call<'_>) -> Url {
        let mut url = self.base.clone();
        if let Ok(mut segments) = url.path_segments_mut() {
            segments
                .pop_if_empty()
                .push(&self.version)
                .extend(call.path.iter().filter(|s| !s.is_empty()));
        }
        if !call.query.is_empty() {
            url.query_pairs_mut().extend_pairs(&call.query);
        }
        url
    }

    /// A refusal: classified, logged (without the token), turned into a hold when it is a throttle.
    fn refused(
        &self,
        call: &Call<'_>,
        page: &str,
        status: u16,
        bytes: &[u8],
        applied: Option<Duration>,
        token: &str,
    ) -> PublishError {
        let body = GraphErrorBody::parse(bytes);
        let code = MetaCode::of(status, body.as_ref());
        let class = code.class();
        let message = scrub(describe(&call.what, status, body.as_ref()), token);
        tracing::warn!(
            message = "Facebook refused a call.",
            what = %call.what,
            status,
            code = ?code,
            fbtrace_id = body.as_ref().and_then(|b| b.fbtrace_id.as_deref()).unwrap_or(""),
        );
        match class {
            ErrorClass::RateLimited => {
                let wait = applied.unwrap_or(self.usage.cool_down);
                let scope = if code.app_wide() {
                    Scope::App
                } else {
                    Scope::Page(page.to_string())
                };
                self.throttle.hold(scope, Instant::now(), wait, message.clone());
                rate_limited(message, wait)
            }
            ErrorClass::Transient if call.publishes => maybe_published(message),
            _ if call.publishes && status >= 500 => maybe_published(message),
            class => PublishError {
                class,
                message,
                retry_at: None,
            },
        }
    }

    /// No answer: never sent (connect failure) is transient; after sending, a publish is unknown.
    fn network(&self, call: &Call<'_>, e: reqwest::Error, token: &str) -> PublishError {
        let what = &call.what;
        let never_sent = e.is_connect() || e.is_builder();
        let detail = if e.is_timeout() {
            format!("Facebook did not answer {what} within {} s", self.timeout.as_secs_f64())
        } else {
            scrub(
                format!("Could not reach Facebook for {what}: {}", chain(e.without_url())),
                token,
            )
        };
        tracing::warn!(message = "Facebook call failed.", what = %what, %detail, never_sent);
        if call.publishes && !never_sent {
            return maybe_published(detail);
        }
        PublishError {
            class: ErrorClass::Transient,
            message: detail,
            retry_at: None,
        }
    }
}

/// An error with its causes ("error sending request: connection refused").
fn chain(e: reqwest::Error) -> String {
    let mut text = e.to_string();
    let mut source = std::error::Error::source(&e);
    while let Some(cause) = source {
        text.push_str(": ");
        text.push_str(&cause.to_string());
        source = cause.source();
    }
    text
}

fn unreadable(call: &Call<'_>) -> PublishError {
    let message = format!("Facebook's answer to {} could not be read", call.what);
    if call.publishes {
        return maybe_published(message);
    }
    PublishError {
        class: ErrorClass::Transient,
        message,
        retry_at: None,
    }
}

/// The post may or may not exist: the scheduler must reconcile, never publish again blindly.
pub fn maybe_published(detail: String) -> PublishError {
    PublishError {
        class: ErrorClass::OutcomeUnknown,
        message: format!("{detail}; the post may have been published: check the Page before posting again"),
        retry_at: None,
    }
}

fn rate_limited(message: String, wait: Duration) -> PublishError {
    let retry_at = chrono::Duration::from_std(wait)
        .ok()
        .and_then(|d| chrono::Utc::now().checked_add_signed(d));
    PublishError {
        class: ErrorClass::RateLimited,
        message,
        retry_at,
    }
}

/// Removes the token from text that came from outside.
fn scrub(text: String, token: &str) -> String {
    if token.is_empty() || !text.contains(token) {
        return text;
    }
    text.replace(token, "[REDACTED]")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls_carry_the_version_and_escape_ids_and_never_the_token() {
        let g = Graph::new(
            Url::parse("http://127.0.0.1:9/").unwrap(),
            "v21.0".into(),
            Duration::from_secs(1),
            UsagePolicy::default(),
        )
        .unwrap();
        let call = Call {
            method: Method::GET,
            path: ["12/../x", ""],
            query: vec![("fields", "permalink_url".into())],
            body: None,
            what: "x".into(),
            publishes: false,
        };
        assert_eq!(
            g.url(&call).as_str(),
            "http://127.0.0.1:9/v21.0/12%2F..%2Fx?fields=permalink_url"
        );
    }

    #[test]
    fn a_base_that_is_not_http_is_refused() {
        let bad = Url::parse("mailto:x@example.com").unwrap();
        assert!(Graph::new(bad, "v21.0".into(), Duration::from_secs(1), UsagePolicy::default()).is_err());
    }

    #[test]
    fn the_token_is_scrubbed() {
        assert_eq!(scrub("bad token EAAB in".into(), "EAAB"), "bad token [REDACTED] in");
        assert_eq!(scrub("x".into(), ""), "x");
    }
}
