//! One Graph API call: the local hold checked first, the token sent in the `Authorization` header
//! (never in a URL), the usage headers of the answer applied, and a failure classified. Nothing
//! here retries: the scheduler owns retries.
//!
//! Used by the Facebook and Instagram publishers (`pub(crate)`): both speak the Graph API at
//! the same URL; [`Vendor`] names the platform and the account in messages.

use super::errors::{describe, GraphErrorBody, MetaCode};
use super::usage::{Scope, Throttle, UsageHeaders, UsagePolicy};
use crate::error_class::ErrorClass;
use crate::platforms::{Account, PublishError};
use reqwest::header::{HeaderName, HeaderValue, AUTHORIZATION};
use reqwest::Method;
use secrecy::ExposeSecret;
use serde_json::Value;
use std::time::Duration;
use tokio::time::Instant;
use url::Url;

/// Who is called, for messages: "Facebook refused the post", "check the Page".
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Vendor {
    /// "Facebook", "Instagram".
    pub name: &'static str,
    /// What the token acts as: "Page", "account".
    pub account: &'static str,
}

impl Vendor {
    pub const FACEBOOK: Vendor = Vendor {
        name: "Facebook",
        account: "Page",
    };
    pub const INSTAGRAM: Vendor = Vendor {
        name: "Instagram",
        account: "account",
    };

    /// The post may or may not exist: the scheduler must reconcile, never publish again blindly.
    pub fn maybe_published(&self, detail: String) -> PublishError {
        PublishError {
            class: ErrorClass::OutcomeUnknown,
            message: format!(
                "{detail}; the post may have been published: check the {} before posting again",
                self.account
            ),
            retry_at: None,
        }
    }
}

/// The Graph API at one base URL and version, with the holds of its answers.
pub(crate) struct Graph {
    http: reqwest::Client,
    /// `https://graph.facebook.com`, or the sandbox's URL.
    base: Url,
    /// `v21.0`: Meta versions every path.
    version: String,
    timeout: Duration,
    pub vendor: Vendor,
    pub usage: UsagePolicy,
    pub throttle: Throttle,
}

/// How the token is presented: `Bearer` on the Graph API, `OAuth` on Meta's upload host
/// (`rupload.facebook.com`), which documents only that scheme.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Scheme {
    Bearer,
    OAuth,
}

/// One request, described for sending and for messages.
pub(crate) struct Call<'a> {
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
    /// An absolute URL Meta gave (a Reel's `upload_url`) instead of base, version and path;
    /// checked with [`Graph::trusts`] before the token is sent to it.
    pub at: Option<Url>,
    /// Extra headers (the upload host's `file_url`).
    pub headers: Vec<(&'static str, String)>,
    pub scheme: Scheme,
}

impl<'a> Call<'a> {
    /// `GET /{version}/{path}?{query}`.
    pub fn get(path: [&'a str; 2], query: Vec<(&'static str, String)>, what: impl Into<String>) -> Call<'a> {
        Call {
            method: Method::GET,
            path,
            query,
            body: None,
            what: what.into(),
            publishes: false,
            at: None,
            headers: Vec::new(),
            scheme: Scheme::Bearer,
        }
    }

    /// `POST /{version}/{path}` with a JSON body.
    pub fn post(path: [&'a str; 2], body: Value, what: impl Into<String>) -> Call<'a> {
        Call {
            method: Method::POST,
            body: Some(body),
            ..Call::get(path, Vec::new(), what)
        }
    }

    /// Marks the call that makes the post public.
    pub fn publishing(mut self) -> Call<'a> {
        self.publishes = true;
        self
    }
}

impl Graph {
    pub fn new(
        base: Url,
        version: String,
        timeout: Duration,
        usage: UsagePolicy,
        vendor: Vendor,
    ) -> anyhow::Result<Graph> {
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
            vendor,
            usage,
            throttle: Throttle::default(),
        })
    }

    /// Whether the token may be sent to `url`, an address Meta's answer gave: Meta's own hosts
    /// over https, or the Graph API's own origin (the sandbox).
    pub fn trusts(&self, url: &Url) -> bool {
        let meta = url.scheme() == "https"
            && url
                .host_str()
                .is_some_and(|h| h == "facebook.com" || h.ends_with(".facebook.com"));
        let same_origin = url.origin() == self.base.origin();
        meta || same_origin
    }

    /// Sends a call with the account's token and returns the JSON of a 2xx answer.
    pub async fn call(&self, account: &Account, call: Call<'_>) -> Result<Value, PublishError> {
        let owner = account.external_id.as_str();
        let vendor = self.vendor;
        if let Some((wait, reason)) = self.throttle.check(owner, Instant::now()) {
            tracing::debug!(message = "Graph API call held locally.", vendor = vendor.name, what = %call.what, wait_s = wait.as_secs());
            return Err(rate_limited(
                format!(
                    "{} calls for this {} are held to respect Meta's rate limits: {reason}",
                    vendor.name, vendor.account
                ),
                wait,
            ));
        }
        if let Some(at) = &call.at {
            if !self.trusts(at) {
                return Err(PublishError {
                    class: ErrorClass::Permanent,
                    message: format!(
                        "{} gave an address for {} that is not Meta's ({}); the token was not sent",
                        vendor.name,
                        call.what,
                        at.host_str().unwrap_or("no host")
                    ),
                    retry_at: None,
                });
            }
        }
        let token = account.token.expose_secret();
        let scheme = match call.scheme {
            Scheme::Bearer => "Bearer",
            Scheme::OAuth => "OAuth",
        };
        let mut auth = HeaderValue::from_str(&format!("{scheme} {token}")).map_err(|_| PublishError {
            class: ErrorClass::Auth,
            message: format!(
                "The {} {} token holds characters that cannot go in an HTTP header; reconnect the {}",
                vendor.name, vendor.account, vendor.account
            ),
            retry_at: None,
        })?;
        auth.set_sensitive(true);
        let mut request = self
            .http
            .request(call.method.clone(), self.url(&call))
            .header(AUTHORIZATION, auth);
        for (name, value) in &call.headers {
            let value = HeaderValue::from_str(value).map_err(|_| PublishError {
                class: ErrorClass::Permanent,
                message: format!("The {name} of {} cannot go in an HTTP header", call.what),
                retry_at: None,
            })?;
            request = request.header(HeaderName::from_static(name), value);
        }
        if let Some(body) = &call.body {
            request = request.json(body);
        }
        let response = request.send().await.map_err(|e| self.network(&call, e, token))?;
        let status = response.status().as_u16();
        let usage = UsageHeaders::read(response.headers());
        let applied = self.throttle.note(&usage, owner, &self.usage, Instant::now());
        let bytes = response.bytes().await.map_err(|e| self.network(&call, e, token))?;
        if (200..300).contains(&status) {
            return serde_json::from_slice(&bytes).map_err(|_| self.unreadable(&call));
        }
        Err(self.refused(&call, owner, status, &bytes, applied, token))
    }

    fn url(&self, call: &Call<'_>) -> Url {
        let mut url = match &call.at {
            Some(at) => at.clone(),
            None => {
                let mut url = self.base.clone();
                if let Ok(mut segments) = url.path_segments_mut() {
                    segments
                        .pop_if_empty()
                        .push(&self.version)
                        .extend(call.path.iter().filter(|s| !s.is_empty()));
                }
                url
            }
        };
        if !call.query.is_empty() {
            url.query_pairs_mut().extend_pairs(&call.query);
        }
        url
    }

    /// A refusal: classified, logged (without the token), turned into a hold when it is a throttle.
    fn refused(
        &self,
        call: &Call<'_>,
        owner: &str,
        status: u16,
        bytes: &[u8],
        applied: Option<Duration>,
        token: &str,
    ) -> PublishError {
        let body = GraphErrorBody::parse(bytes);
        let code = MetaCode::of(status, body.as_ref());
        let class = code.class();
        let message = scrub(describe(self.vendor.name, &call.what, status, body.as_ref()), token);
        tracing::warn!(
            message = "Meta refused a call.",
            vendor = self.vendor.name,
            what = %call.what,
            status,
            code = ?code,
            fbtrace_id = body.as_ref().and_then(|b| b.fbtrace_id.as_deref()).unwrap_or(""),
        );
        match class {
            // A publishing quota: its end comes from the platform's window, which the publisher
            // reads; other calls (status, listing) must stay possible, so nothing is held here.
            ErrorClass::RateLimited if !code.holds_calls() => PublishError {
                class,
                message,
                retry_at: None,
            },
            ErrorClass::RateLimited => {
                let wait = applied.unwrap_or(self.usage.cool_down);
                let scope = if code.app_wide() {
                    Scope::App
                } else {
                    Scope::Page(owner.to_string())
                };
                self.throttle.hold(scope, Instant::now(), wait, message.clone());
                rate_limited(message, wait)
            }
            ErrorClass::Transient if call.publishes => self.vendor.maybe_published(message),
            _ if call.publishes && status >= 500 => self.vendor.maybe_published(message),
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
        let name = self.vendor.name;
        let never_sent = e.is_connect() || e.is_builder();
        let detail = if e.is_timeout() {
            format!("{name} did not answer {what} within {} s", self.timeout.as_secs_f64())
        } else {
            scrub(
                format!("Could not reach {name} for {what}: {}", chain(e.without_url())),
                token,
            )
        };
        tracing::warn!(message = "Graph API call failed.", vendor = name, what = %what, %detail, never_sent);
        if call.publishes && !never_sent {
            return self.vendor.maybe_published(detail);
        }
        PublishError {
            class: ErrorClass::Transient,
            message: detail,
            retry_at: None,
        }
    }

    fn unreadable(&self, call: &Call<'_>) -> PublishError {
        let message = format!("{}'s answer to {} could not be read", self.vendor.name, call.what);
        if call.publishes {
            return self.vendor.maybe_published(message);
        }
        PublishError {
            class: ErrorClass::Transient,
            message,
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

    fn graph() -> Graph {
        Graph::new(
            Url::parse("http://127.0.0.1:9/").unwrap(),
            "v21.0".into(),
            Duration::from_secs(1),
            UsagePolicy::default(),
            Vendor::FACEBOOK,
        )
        .unwrap()
    }

    #[test]
    fn urls_carry_the_version_and_escape_ids_and_never_the_token() {
        let call = Call::get(["12/../x", ""], vec![("fields", "permalink_url".into())], "x");
        assert_eq!(
            graph().url(&call).as_str(),
            "http://127.0.0.1:9/v21.0/12%2F..%2Fx?fields=permalink_url"
        );
    }

    #[test]
    fn an_absolute_address_replaces_the_path() {
        let mut call = Call::post(["ignored", ""], Value::Null, "x");
        call.at = Some(Url::parse("https://rupload.facebook.com/video-upload/v21.0/7").unwrap());
        assert_eq!(
            graph().url(&call).as_str(),
            "https://rupload.facebook.com/video-upload/v21.0/7"
        );
    }

    #[test]
    fn the_token_goes_only_to_meta_or_to_the_graph_api_s_own_origin() {
        let g = graph();
        let trusted = |u: &str| g.trusts(&Url::parse(u).unwrap());
        assert!(trusted("https://rupload.facebook.com/video-upload/v21.0/7"));
        assert!(trusted("http://127.0.0.1:9/video-upload/v21.0/7"));
        assert!(!trusted("http://rupload.facebook.com/x"), "not https");
        assert!(!trusted("https://facebook.com.evil.example/x"));
        assert!(!trusted("http://127.0.0.1:10/x"), "another port");
    }

    #[test]
    fn a_base_that_is_not_http_is_refused() {
        let bad = Url::parse("mailto:x@example.com").unwrap();
        assert!(Graph::new(
            bad,
            "v21.0".into(),
            Duration::from_secs(1),
            UsagePolicy::default(),
            Vendor::FACEBOOK
        )
        .is_err());
    }

    #[test]
    fn the_token_is_scrubbed() {
        assert_eq!(scrub("bad token EAAB in".into(), "EAAB"), "bad token [REDACTED] in");
        assert_eq!(scrub("x".into(), ""), "x");
    }
}
