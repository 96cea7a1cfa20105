//! The client itself: one `reqwest::Client`, the paths, the Admin API's Basic auth and hourly
//! limit, and the in-process retries shared by every call.

use super::error::{error_message, scrub, CallContext, CloudinaryError};
use super::options::CloudinaryOptions;
use super::signer;
use super::variants::Resource;
use crate::clock::Clock;
use backon::{ExponentialBuilder, Retryable};
use chrono::{DateTime, Utc};
use reqwest::header::HeaderMap;
use secrecy::ExposeSecret;
use serde::de::DeserializeOwned;
use std::future::Future;
use std::sync::{Arc, Mutex};
use std::time::Duration;
use url::Url;

/// The oldest notification [`CloudinaryClient::verify_notification`] accepts (the SDKs' default).
pub const NOTIFICATION_MAX_AGE_SECS: i64 = 7200;

/// The Admin API's hourly allowance as its last answer told it (`X-FeatureRateLimit-*`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AdminRate {
    /// Calls allowed per hour (500 free, 2,000 paid).
    pub limit: u64,
    /// Calls left this hour.
    pub remaining: u64,
    /// When the allowance starts again.
    pub reset_at: Option<DateTime<Utc>>,
}

/// The Cloudinary client. Cheap to clone; clones share the connection pool and the rate seen.
#[derive(Clone)]
pub struct CloudinaryClient {
    inner: Arc<Inner>,
}

struct Inner {
    http: reqwest::Client,
    options: CloudinaryOptions,
    /// The last `X-FeatureRateLimit-*` headers seen, to fail fast when the hour is used up.
    rate: Mutex<Option<AdminRate>>,
}

impl CloudinaryClient {
    /// A client for `options`; fails on unusable options (bad cloud name, chunks under 5 MB).
    pub fn new(options: CloudinaryOptions) -> Result<CloudinaryClient, CloudinaryError> {
        options.validate()?;
        let http = reqwest::Client::builder()
            .user_agent(concat!("schedulo/", env!("CARGO_PKG_VERSION")))
            .timeout(options.timeout)
            .build()
            .map_err(|e| CloudinaryError::Config {
                detail: format!("cannot build the HTTP client: {e}"),
            })?;
        Ok(CloudinaryClient {
            inner: Arc::new(Inner {
                http,
                options,
                rate: Mutex::new(None),
            }),
        })
    }

    /// The product environment's cloud name.
    pub fn cloud_name(&self) -> &str {
        &self.inner.options.cloud_name
    }

    /// The options the client was built with.
    pub fn options(&self) -> &CloudinaryOptions {
        &self.inner.options
    }

    pub(crate) fn clock(&self) -> &Clock {
        &self.inner.options.clock
    }

    pub(crate) fn http(&self) -> &reqwest::Client {
        &self.inner.http
    }

    /// The Admin API's allowance as its last answer said, if any answer carried the headers.
    pub fn admin_rate(&self) -> Option<AdminRate> {
        *self.inner.rate.lock().expect("rate lock")
    }

    /// `{api_url}/v1_1/{cloud}/{segments...}`; each segment is percent-encoded as a path segment.
    pub(crate) fn endpoint<S: AsRef<str>>(&self, segments: &[S]) -> Url {
        let mut url = self.inner.options.api_url.clone();
        {
            let mut path = url.path_segments_mut().expect("validated: an http(s) base URL");
            path.pop_if_empty();
            path.push("v1_1").push(&self.inner.options.cloud_name);
            for s in segments {
                path.push(s.as_ref());
            }
        }
        url
    }

    /// An Admin API request (Basic auth `api_key:api_secret`).
    pub(crate) fn admin_request<S: AsRef<str>>(
        &self,
        method: reqwest::Method,
        segments: &[S],
    ) -> reqwest::RequestBuilder {
        let o = &self.inner.options;
        self.inner
            .http
            .request(method, self.endpoint(segments))
            .basic_auth(&o.api_key, Some(o.api_secret.expose_secret()))
    }

    /// The signature of `params` with the API secret.
    pub(crate) fn sign(&self, params: &[(String, String)]) -> String {
        signer::sign(params, &self.inner.options.api_secret, self.inner.options.algorithm)
    }

    /// Delivery URL: `{delivery_url}/{cloud}/{image|video}/upload/{transformation/}v{version}/{public_id}.{format}`,
    /// the public_id percent-encoded as the SDKs do (see [`escape_public_id`]).
    pub fn delivery_url(
        &self,
        resource: Resource,
        transformation: Option<&str>,
        version: u64,
        public_id: &str,
        format: &str,
    ) -> String {
        let o = &self.inner.options;
        let base = o.delivery_url.as_str().trim_end_matches('/');
        let step = match transformation.map(|t| t.trim_matches('/')) {
            Some(t) if !t.is_empty() => format!("{t}/"),
            _ => String::new(),
        };
        let ext = match format.trim_start_matches('.') {
            "" => String::new(),
            f => format!(".{f}"),
        };
        format!(
            "{base}/{}/{}/upload/{step}v{version}/{}{ext}",
            o.cloud_name,
            resource.as_str(),
            escape_public_id(public_id)
        )
    }

    /// Checks a notification Cloudinary sent (`X-Cld-Timestamp`, `X-Cld-Signature`), at most
    /// [`NOTIFICATION_MAX_AGE_SECS`] old at `now_unix`.
    pub fn verify_notification(
        &self,
        body: &[u8],
        headers: &HeaderMap,
        now_unix: i64,
    ) -> Result<(), signer::NotificationError> {
        let header = |name: &str| headers.get(name).and_then(|v| v.to_str().ok());
        signer::verify_notification(
            body,
            header("x-cld-timestamp"),
            header("x-cld-signature"),
            &self.inner.options.api_secret,
            self.inner.options.algorithm,
            now_unix,
            NOTIFICATION_MAX_AGE_SECS,
        )
    }

    /// The checks of a notification's headers alone ([`signer::check_notification_headers`]),
    /// for the server to refuse a stranger before reading the body.
    pub fn check_notification_headers(
        &self,
        headers: &HeaderMap,
        now_unix: i64,
    ) -> Result<(), signer::NotificationError> {
        let header = |name: &str| headers.get(name).and_then(|v| v.to_str().ok());
        signer::check_notification_headers(
            header("x-cld-timestamp"),
            header("x-cld-signature"),
            now_unix,
            NOTIFICATION_MAX_AGE_SECS,
        )
        .map(|_| ())
    }

    /// Runs `attempt` with the in-process retries: transient failures with exponential backoff
    /// and jitter; 420/429 after their reset when it is near enough. A call that is not
    /// `idempotent` is retried only when it surely did not reach Cloudinary, and fails as
    /// `OutcomeUnknown` when it may have been applied (a 5xx included: Cloudinary does not say
    /// that a 503 was not applied).
    pub(crate) async fn run<T, F, Fut>(&self, idempotent: bool, attempt: F) -> Result<T, CloudinaryError>
    where
        F: FnMut() -> Fut,
        Fut: Future<Output = Result<T, CloudinaryError>>,
    {
        self.retrying(idempotent, attempt)
            .await
            .map_err(|e| outcome_of(e, idempotent))
    }

    /// [`Self::run`] without turning the last error into `OutcomeUnknown`, for a caller that
    /// recovers otherwise (a chunked upload restarts from its first chunk).
    pub(crate) async fn retrying<T, F, Fut>(&self, idempotent: bool, attempt: F) -> Result<T, CloudinaryError>
    where
        F: FnMut() -> Fut,
        Fut: Future<Output = Result<T, CloudinaryError>>,
    {
        let policy = &self.inner.options.retry;
        let clock = *self.clock();
        let backoff = self.backoff().with_max_times(policy.attempts.saturating_sub(1));
        let wait_of = move |e: &CloudinaryError| {
            e.reset_at()
                .map(|at| (at - clock.now()).to_std().unwrap_or(Duration::ZERO))
        };
        let result = attempt
            .retry(backoff)
            .sleep(tokio::time::sleep)
            .when(|e: &CloudinaryError| retriable(e, idempotent, wait_of(e), policy.max_rate_limit_wait))
            .adjust(|e: &CloudinaryError, delay| match wait_of(e) {
                Some(wait) => Some(wait),
                None => delay,
            })
            .notify(|error: &CloudinaryError, delay: Duration| {
                tracing::warn!(message = "Cloudinary call failed; retrying.", %error, delay_ms = delay.as_millis() as u64);
            })
            .await;
        result
    }

    /// The in-process retry schedule: exponential from `min_delay` to `max_delay`, with jitter.
    pub(crate) fn backoff(&self) -> ExponentialBuilder {
        let policy = &self.inner.options.retry;
        ExponentialBuilder::default()
            .with_min_delay(policy.min_delay)
            .with_max_delay(policy.max_delay)
            .with_jitter()
    }

    /// Sends one request and returns the body of a 2xx answer. `admin`: an Admin API call (fails
    /// fast when the hour's calls are used up, and records the rate headers). `redact`: signatures
    /// sent with it, scrubbed out of anything that comes back, as is the API secret.
    pub(crate) async fn exchange(
        &self,
        context: &CallContext,
        admin: bool,
        request: reqwest::RequestBuilder,
        redact: &[&str],
    ) -> Result<bytes::Bytes, CloudinaryError> {
        if admin {
            self.refuse_if_used_up(context)?;
        }
        let secret = self.inner.options.api_secret.expose_secret();
        let mut secrets = vec![secret];
        secrets.extend_from_slice(redact);
        let network = |e: reqwest::Error| CloudinaryError::Network {
            context: context.clone(),
            maybe_sent: !e.is_connect() && !e.is_builder(),
            detail: scrub(describe(e), &secrets),
        };
        let response = request.send().await.map_err(network)?;
        let status = response.status().as_u16();
        let headers = response.headers().clone();
        if admin {
            self.record_rate(&headers);
        }
        let body = response.bytes().await.map_err(|e| CloudinaryError::Unreadable {
            context: context.clone(),
            detail: scrub(describe(e), &secrets),
        })?;
        if (200..300).contains(&status) {
            return Ok(body);
        }
        let message = scrub(error_message(status, &body), &secrets);
        let reset_at = self.reset_of(&headers);
        tracing::debug!(message = "Cloudinary refused a call.", action = context.action, status, reason = %message);
        Err(CloudinaryError::from_status(context.clone(), status, message, reset_at))
    }

    /// Decodes a JSON answer.
    pub(crate) fn decode<T: DeserializeOwned>(&self, context: &CallContext, body: &[u8]) -> Result<T, CloudinaryError> {
        serde_json::from_slice(body).map_err(|e| CloudinaryError::Unreadable {
            context: context.clone(),
            detail: scrub(e.to_string(), &[self.inner.options.api_secret.expose_secret()]),
        })
    }

    fn refuse_if_used_up(&self, context: &CallContext) -> Result<(), CloudinaryError> {
        let Some(rate) = self.admin_rate() else {
            return Ok(());
        };
        match rate.reset_at {
            Some(at) if rate.remaining == 0 && at > self.clock().now() => Err(CloudinaryError::RateLimited {
                context: context.clone(),
                status: None,
                message: format!(
                    "the Admin API's {} calls of this hour are used up (not called)",
                    rate.limit
                ),
                reset_at: Some(at),
            }),
            _ => Ok(()),
        }
    }

    fn record_rate(&self, headers: &HeaderMap) {
        let number = |name: &str| header(headers, name).and_then(|v| v.trim().parse::<u64>().ok());
        let (Some(limit), Some(remaining)) = (
            number("x-featureratelimit-limit"),
            number("x-featureratelimit-remaining"),
        ) else {
            return;
        };
        let reset_at = header(headers, "x-featureratelimit-reset").and_then(parse_time);
        if remaining == 0 {
            tracing::warn!(message = "Cloudinary Admin API calls used up for this hour.", limit, reset_at = ?reset_at);
        }
        *self.inner.rate.lock().expect("rate lock") = Some(AdminRate {
            limit,
            remaining,
            reset_at,
        });
    }

    /// When a refused call may be tried again: `X-FeatureRateLimit-Reset`, else `Retry-After`.
    fn reset_of(&self, headers: &HeaderMap) -> Option<DateTime<Utc>> {
        if let Some(at) = header(headers, "x-featureratelimit-reset").and_then(parse_time) {
            return Some(at);
        }
        let value = header(headers, "retry-after")?.trim();
        match value.parse::<u64>() {
            Ok(secs) => Some(self.clock().now() + chrono::Duration::seconds(secs.min(86_400) as i64)),
            Err(_) => parse_time(value),
        }
    }
}

fn header<'h>(headers: &'h HeaderMap, name: &str) -> Option<&'h str> {
    headers.get(name).and_then(|v| v.to_str().ok())
}

/// An HTTP date (`Tue, 01 Aug 2023 14:00:00 GMT`, as Cloudinary sends), RFC 3339, or Unix seconds.
pub(crate) fn parse_time(text: &str) -> Option<DateTime<Utc>> {
    let text = text.trim();
    if let Ok(at) = DateTime::parse_from_rfc2822(text) {
        return Some(at.with_timezone(&Utc));
    }
    if let Ok(at) = DateTime::parse_from_rfc3339(text) {
        return Some(at.with_timezone(&Utc));
    }
    text.parse::<i64>().ok().and_then(|s| DateTime::from_timestamp(s, 0))
}

/// A reqwest error without its URL, with its causes.
fn describe(e: reqwest::Error) -> String {
    let timeout = e.is_timeout();
    let e = e.without_url();
    let mut text = e.to_string();
    let mut source = std::error::Error::source(&e);
    while let Some(cause) = source {
        text.push_str(": ");
        text.push_str(&cause.to_string());
        source = cause.source();
    }
    if timeout {
        text.insert_str(0, "timed out: ");
    }
    text
}

/// Whether an error may have come after Cloudinary applied the call (a chunked upload whose last
/// chunk failed so restarts when that is safe). Exhaustive on purpose.
pub(crate) fn maybe_applied(e: &CloudinaryError) -> bool {
    match e {
        CloudinaryError::Server { .. } | CloudinaryError::Unreadable { .. } => true,
        CloudinaryError::Network { maybe_sent, .. } => *maybe_sent,
        CloudinaryError::UnexpectedStatus { status, .. } => (500..600).contains(status),
        CloudinaryError::BadRequest { .. }
        | CloudinaryError::Unauthorized { .. }
        | CloudinaryError::Forbidden { .. }
        | CloudinaryError::NotFound { .. }
        | CloudinaryError::AlreadyExists { .. }
        | CloudinaryError::RateLimited { .. }
        | CloudinaryError::OutcomeUnknown { .. }
        | CloudinaryError::File { .. }
        | CloudinaryError::Config { .. } => false,
    }
}

/// A public_id as the SDKs put it in a delivery URL (pycloudinary `smart_escape`, cloudinary_npm
/// `smart_escape`): `A-Z a-z 0-9 _ . - / :` kept, every other byte of its UTF-8 as `%XX`
/// (a space is `%20`).
pub fn escape_public_id(public_id: &str) -> String {
    let mut out = String::with_capacity(public_id.len());
    for b in public_id.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'_' | b'.' | b'-' | b'/' | b':') {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// Whether a failed attempt may be tried again in-process.
fn retriable(e: &CloudinaryError, idempotent: bool, wait: Option<Duration>, max_wait: Duration) -> bool {
    match e {
        // A refusal by this client (Remaining: 0) is not retried: the hour is for the worker to wait out.
        CloudinaryError::RateLimited { status: None, .. } => false,
        CloudinaryError::RateLimited { .. } => wait.is_none_or(|w| w <= max_wait),
        // Any 5xx, 503 included, may have been applied: Cloudinary does not document otherwise.
        CloudinaryError::Server { .. } => idempotent,
        CloudinaryError::Network { maybe_sent, .. } => idempotent || !maybe_sent,
        CloudinaryError::Unreadable { .. } => idempotent,
        CloudinaryError::UnexpectedStatus { status, .. } => idempotent && (500..600).contains(status),
        CloudinaryError::BadRequest { .. }
        | CloudinaryError::Unauthorized { .. }
        | CloudinaryError::Forbidden { .. }
        | CloudinaryError::NotFound { .. }
        | CloudinaryError::AlreadyExists { .. }
        | CloudinaryError::OutcomeUnknown { .. }
        | CloudinaryError::File { .. }
        | CloudinaryError::Config { .. } => false,
    }
}

/// A call not safe to repeat that failed after it may have been applied is outcome-unknown.
pub(crate) fn outcome_of(e: CloudinaryError, idempotent: bool) -> CloudinaryError {
    if idempotent {
        return e;
    }
    match (maybe_applied(&e), e.context()) {
        (true, Some(context)) => CloudinaryError::OutcomeUnknown {
            context: context.clone(),
            detail: e.to_string(),
        },
        _ => e,
    }
}
