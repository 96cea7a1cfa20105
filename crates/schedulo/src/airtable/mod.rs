//! The Airtable Web API client: one per process, shared by every caller.
//!
//! Airtable's limits (source: airtable.com/developers/web/api/rate-limits and the pages listed in
//! `shared/reference/airtable.md`):
//! - 5 requests/s per base and 50 requests/s per token; over either, 429 `RATE_LIMIT_REACHED`
//!   and 30 s before requests succeed again. [`limiter`] paces every call and holds a base after a 429.
//! - Pages of at most 100 records ([`records`] follows `offset`, and restarts a listing whose
//!   iterator expired); writes of at most 10 records ([`records`] chunks them).
//! - URLs under 16,000 characters: listings whose URL would pass 15,000 go as `POST .../listRecords`.
//! - Every call counts against the workspace's monthly quota: [`usage`] counts them on disk.
//! - Webhooks ([`webhooks`]): at most 10 per base, 7 days of life unless refreshed, payloads read
//!   50 at a time with a cursor; a ping's signature is checked by [`verify_airtable_mac`].
//!
//! Error classes ([`error`]): auth (401, 403), rate-limited (429: wait, not an attempt), transient
//! (5xx, network: retried with exponential backoff and jitter, by `backon`), permanent (4xx), and
//! outcome-unknown (a create that may have been applied: never repeated blindly).

pub mod error;
pub mod formula;
pub mod limiter;
pub mod meta;
mod ping;
pub mod records;
pub mod usage;
pub mod webhooks;

pub use error::{AirtableError, ApiErrorType, CallContext};
pub use formula::Formula;
pub use limiter::Limits;
pub use meta::{FieldMeta, TableMeta, ViewMeta};
pub use ping::{presented_mac, verify_airtable_mac};
pub use records::{BatchError, Fields, ListQuery, Record, SortDirection, UpsertResult};
pub use usage::UsageCounter;
pub use webhooks::{CreatedWebhook, Payload, PayloadPage, Specification, WebhookInfo};

use crate::error_class::ErrorClass;
use backon::{ExponentialBuilder, Retryable};
use reqwest::header::{HeaderMap, HeaderValue, AUTHORIZATION};
use secrecy::{ExposeSecret, SecretString};
use serde::de::DeserializeOwned;
use std::sync::Arc;
use std::time::Duration;
use url::Url;

/// How often and how patiently to retry transient failures.
#[derive(Debug, Clone, PartialEq)]
pub struct RetryPolicy {
    /// Attempts in all, the first one included.
    pub attempts: usize,
    /// Delay before the first retry; doubles each time, with jitter.
    pub min_delay: Duration,
    pub max_delay: Duration,
    /// How many 429 lock-outs one call waits out before it gives up.
    pub max_rate_limit_waits: u32,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        RetryPolicy {
            attempts: 4,
            min_delay: Duration::from_millis(500),
            max_delay: Duration::from_secs(20),
            max_rate_limit_waits: 5,
        }
    }
}

/// Timeout of one HTTP request unless configured.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(30);

/// What the client needs; built from the worker's config or by tests.
#[derive(Debug, Clone)]
pub struct ClientOptions {
    /// `https://api.airtable.com`, or the sandbox's URL.
    pub api_url: Url,
    pub token: SecretString,
    pub limits: Limits,
    pub retry: RetryPolicy,
    /// Timeout of one HTTP request.
    pub timeout: Duration,
    /// Where the monthly call counter lives; `None`: in memory.
    pub usage_file: Option<std::path::PathBuf>,
}

impl ClientOptions {
    pub fn new(api_url: Url, token: SecretString) -> ClientOptions {
        ClientOptions {
            api_url,
            token,
            limits: Limits::default(),
            retry: RetryPolicy::default(),
            timeout: DEFAULT_TIMEOUT,
            usage_file: None,
        }
    }
}

/// The Airtable client. Cheap to clone; clones share limits, counters and connections.
#[derive(Clone)]
pub struct AirtableClient {
    inner: Arc<Inner>,
}

struct Inner {
    http: reqwest::Client,
    /// Kept only to scrub it out of any text that comes back from outside (an odd proxy may echo headers).
    token: SecretString,
    api_url: Url,
    limiter: limiter::Limiter,
    usage: UsageCounter,
    retry: RetryPolicy,
}

/// One request, described before it is sent (so it can be sent again).
pub(crate) struct Call {
    pub method: reqwest::Method,
    /// Path segments after the API URL, e.g. `["v0", base, table]`.
    pub segments: Vec<String>,
    pub query: Vec<(String, String)>,
    pub body: Option<serde_json::Value>,
    pub context: CallContext,
    /// Whether sending it twice does no harm (reads, PATCH, upserts, deletes). A create is not.
    pub idempotent: bool,
}

impl AirtableClient {
    pub fn new(options: ClientOptions) -> anyhow::Result<AirtableClient> {
        let mut auth = HeaderValue::from_str(&format!("Bearer {}", options.token.expose_secret()))
            .map_err(|_| anyhow::anyhow!("AIRTABLE_TOKEN holds characters that cannot go in an HTTP header"))?;
        auth.set_sensitive(true);
        let mut headers = HeaderMap::new();
        headers.insert(AUTHORIZATION, auth);
        let http = reqwest::Client::builder()
            .default_headers(headers)
            .user_agent(concat!("schedulo/", env!("CARGO_PKG_VERSION")))
            .timeout(options.timeout)
            .build()?;
        Ok(AirtableClient {
            inner: Arc::new(Inner {
                http,
                token: options.token,
                api_url: options.api_url,
                limiter: limiter::Limiter::new(&options.limits),
                usage: UsageCounter::open(options.usage_file)?,
                retry: options.retry,
            }),
        })
    }

    /// A handle on one base.
    pub fn base(&self, base_id: &str) -> Base {
        Base {
            client: self.clone(),
            id: base_id.to_string(),
        }
    }

    /// Calls made so far, per base and month.
    pub fn usage(&self) -> &UsageCounter {
        &self.inner.usage
    }

    pub fn api_url(&self) -> &Url {
        &self.inner.api_url
    }

    pub(crate) fn url_for(&self, segments: &[String], query: &[(String, String)]) -> Url {
        let mut url = self.inner.api_url.clone();
        {
            let mut path = url.path_segments_mut().expect("an http(s) URL has a path");
            path.pop_if_empty();
            path.extend(segments);
        }
        if !query.is_empty() {
            url.query_pairs_mut().extend_pairs(query);
        }
        url
    }

    /// Sends a call and decodes its JSON answer: paced, counted, waiting out 429 lock-outs,
    /// retrying transient failures (a 503's `Retry-After` is honoured, up to the longest delay).
    pub(crate) async fn execute<T: DeserializeOwned>(&self, call: &Call) -> Result<T, AirtableError> {
        let policy = &self.inner.retry;
        let backoff = ExponentialBuilder::default()
            .with_min_delay(policy.min_delay)
            .with_max_delay(policy.max_delay)
            .with_max_times(policy.attempts.saturating_sub(1))
            .with_jitter();
        let result = (|| self.attempt(call))
            .retry(backoff)
            .sleep(tokio::time::sleep)
            .when(|e: &AirtableError| retriable(e, call.idempotent))
            .adjust(|e: &AirtableError, delay| delay.map(|d| e.retry_after().map_or(d, |r| r.min(policy.max_delay))))
            .notify(|error: &AirtableError, delay: Duration| {
                tracing::warn!(message = "Airtable call failed; retrying.", %error, delay_ms = delay.as_millis() as u64);
            })
            .await;
        result.map_err(|e| outcome_of(e, call.idempotent))
    }

    /// One attempt, decoded: a 2xx answer that cannot be read is `MalformedResponse` (its body is
    /// not quoted: it may hold a record's data).
    async fn attempt<T: DeserializeOwned>(&self, call: &Call) -> Result<T, AirtableError> {
        let bytes = self.send_pacing(call).await?;
        // An empty 2xx (a delete may answer so) reads as `null`.
        let bytes: &[u8] = if bytes.trim_ascii().is_empty() { b"null" } else { &bytes };
        serde_json::from_slice(bytes).map_err(|e| AirtableError::MalformedResponse {
            context: call.context.clone(),
            detail: self.scrub(e.to_string()),
        })
    }

    /// Removes the token from text that came from outside.
    fn scrub(&self, text: String) -> String {
        let token = self.inner.token.expose_secret();
        if token.is_empty() || !text.contains(token) {
            return text;
        }
        text.replace(token, "[REDACTED]")
    }

    /// One attempt: waits for its turn, and waits out rate limits without counting them as attempts.
    async fn send_pacing(&self, call: &Call) -> Result<bytes::Bytes, AirtableError> {
        let base = &call.context.base;
        let mut waits = 0;
        loop {
            self.inner.limiter.acquire(base).await;
            self.inner.usage.record(base);
            match self.send_once(call).await {
                Err(e) if e.class() == ErrorClass::RateLimited && waits < self.inner.retry.max_rate_limit_waits => {
                    waits += 1;
                    if self.inner.limiter.rate_limited(base) {
                        tracing::warn!(message = "Airtable rate limit reached; holding the base.", base = %base, wait_s = self.lockout_secs(base));
                    }
                }
                other => return other,
            }
        }
    }

    fn lockout_secs(&self, base: &str) -> u64 {
        self.inner
            .limiter
            .locked_until(base)
            .map(|t| t.saturating_duration_since(tokio::time::Instant::now()).as_secs())
            .unwrap_or(0)
    }

    async fn send_once(&self, call: &Call) -> Result<bytes::Bytes, AirtableError> {
        let url = self.url_for(&call.segments, &call.query);
        let mut request = self.inner.http.request(call.method.clone(), url);
        if let Some(body) = &call.body {
            request = request.json(body);
        }
        let network = |e: reqwest::Error| AirtableError::Network {
            context: call.context.clone(),
            maybe_sent: !e.is_connect() && !e.is_builder(),
            detail: self.scrub(describe(e)),
        };
        let response = request.send().await.map_err(network)?;
        let status = response.status().as_u16();
        let retry_after = retry_after(response.headers());
        let body = response.bytes().await.map_err(network)?;
        if (200..300).contains(&status) {
            return Ok(body);
        }
        let (kind, message) = error::parse_error_body(status, &body);
        Err(AirtableError::Api {
            context: call.context.clone(),
            status,
            kind,
            message: self.scrub(message),
            retry_after,
        })
    }
}

/// `Retry-After` in seconds (Airtable's 503 may carry it; dates are not used by Airtable).
fn retry_after(headers: &reqwest::header::HeaderMap) -> Option<Duration> {
    let value = headers.get(reqwest::header::RETRY_AFTER)?.to_str().ok()?;
    value.trim().parse::<u64>().ok().map(Duration::from_secs)
}

/// A reqwest error without its URL (the context says what was called; the URL may be long),
/// with its causes ("error sending request: connection refused").
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

/// Whether a failed attempt may be tried again.
fn retriable(e: &AirtableError, idempotent: bool) -> bool {
    match e {
        AirtableError::Api { kind, .. } => match kind {
            // Restarting a listing is the lister's job; the same offset would fail again.
            ApiErrorType::ListRecordsIteratorNotAvailable => false,
            // 503 is documented as safe to retry, even for a create.
            ApiErrorType::RetriableError => true,
            other => other.class() == ErrorClass::Transient && idempotent,
        },
        AirtableError::Network { maybe_sent, .. } => idempotent || !maybe_sent,
        AirtableError::MalformedResponse { .. } => idempotent,
        AirtableError::InvalidRequest { .. } | AirtableError::OutcomeUnknown { .. } => false,
    }
}

/// A create that failed after it may have been applied is outcome-unknown, not transient.
fn outcome_of(e: AirtableError, idempotent: bool) -> AirtableError {
    let unknown = !idempotent
        && match &e {
            // A 503 is documented as "not processed, safe to retry"; any other 5xx may have been applied.
            AirtableError::Api { kind, .. } => {
                kind.class() == ErrorClass::Transient && *kind != ApiErrorType::RetriableError
            }
            AirtableError::Network { maybe_sent, .. } => *maybe_sent,
            AirtableError::MalformedResponse { .. } => true,
            AirtableError::InvalidRequest { .. } | AirtableError::OutcomeUnknown { .. } => false,
        };
    if unknown {
        AirtableError::OutcomeUnknown {
            context: e.context().clone(),
            detail: e.to_string(),
        }
    } else {
        e
    }
}

/// One base, through the shared client.
#[derive(Clone)]
pub struct Base {
    client: AirtableClient,
    id: String,
}

impl Base {
    pub fn id(&self) -> &str {
        &self.id
    }

    pub fn client(&self) -> &AirtableClient {
        &self.client
    }

    pub(crate) fn context(&self, action: &'static str, table: Option<&str>) -> CallContext {
        CallContext {
            action,
            base: self.id.clone(),
            table: table.map(str::to_string),
            records: Vec::new(),
        }
    }
}
