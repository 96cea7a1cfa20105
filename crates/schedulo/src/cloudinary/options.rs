//! What the client needs: base URLs, credentials, timeouts, chunking and retry settings.
//! Built by the worker's config, by tests, or from the standard `CLOUDINARY_URL`.

use super::error::CloudinaryError;
use super::signer::Algorithm;
use crate::clock::Clock;
use secrecy::{ExposeSecret, SecretString};
use std::fmt;
use std::time::Duration;
use url::Url;

/// The SDKs' chunk size (pycloudinary and cloudinary_npm `UPLOAD_LARGE_CHUNK_SIZE`).
pub const DEFAULT_CHUNK_SIZE: u64 = 20_000_000;
/// Cloudinary's smallest chunk (every chunk but the last must be at least this big).
pub const MIN_CHUNK_SIZE: u64 = 5 * 1024 * 1024;
/// Above this a file goes in chunks: Cloudinary takes at most 100 MB in one request.
pub const DEFAULT_CHUNK_THRESHOLD: u64 = 100_000_000;
/// Timeout of one HTTP request unless configured; an upload gets more for its bytes (see
/// [`CloudinaryOptions::upload_timeout`]).
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(120);
/// The slowest uplink an upload is given time for unless configured: 256 KiB/s (a 20 MB chunk
/// gets 76 s more than the timeout, a 100 MB file 381 s).
pub const DEFAULT_MIN_UPLOAD_BYTES_PER_SEC: u64 = 262_144;

/// How the client retries inside one call (the durable retries are the worker's).
#[derive(Debug, Clone, PartialEq)]
pub struct RetryPolicy {
    /// Attempts in all, the first one included.
    pub attempts: usize,
    /// Delay before the first retry; doubles each time, with jitter.
    pub min_delay: Duration,
    /// The longest delay between two attempts.
    pub max_delay: Duration,
    /// The longest 420/429 reset this client waits out in-process; a later reset is returned as
    /// `RateLimited` at once (the Admin API's hourly window is for the worker to wait out).
    pub max_rate_limit_wait: Duration,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        RetryPolicy {
            attempts: 3,
            min_delay: Duration::from_millis(500),
            max_delay: Duration::from_secs(5),
            max_rate_limit_wait: Duration::from_secs(10),
        }
    }
}

/// Everything the client needs. `Debug` never shows the secret.
#[derive(Clone)]
pub struct CloudinaryOptions {
    /// `https://api.cloudinary.com`, or a sandbox `http://127.0.0.1:PORT`.
    pub api_url: Url,
    /// `https://res.cloudinary.com`, or the sandbox.
    pub delivery_url: Url,
    /// The product environment's cloud name (the first segment of every path).
    pub cloud_name: String,
    /// The API key (not secret: it is sent with every signed request).
    pub api_key: String,
    /// The API secret: signs requests and is the Admin API's Basic auth password.
    pub api_secret: SecretString,
    /// The product environment's signature algorithm.
    pub algorithm: Algorithm,
    /// Timeout of one HTTP request without a body to speak of (Admin calls, uploads from a URL);
    /// an upload of a file or chunk gets [`Self::upload_timeout`].
    pub timeout: Duration,
    /// The slowest upload rate (bytes per second) given time to finish: an upload of `n` bytes
    /// times out after `timeout + n / min_upload_bytes_per_sec`. At least 1.
    pub min_upload_bytes_per_sec: u64,
    /// Bytes per chunk of a chunked upload; at least [`MIN_CHUNK_SIZE`].
    pub chunk_size: u64,
    /// Files larger than this are uploaded in chunks.
    pub chunk_threshold: u64,
    /// In-process retries.
    pub retry: RetryPolicy,
    /// Upload timestamps and rate-limit resets are read on this clock.
    pub clock: Clock,
}

impl fmt::Debug for CloudinaryOptions {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("CloudinaryOptions")
            .field("api_url", &self.api_url.as_str())
            .field("delivery_url", &self.delivery_url.as_str())
            .field("cloud_name", &self.cloud_name)
            .field("api_key", &self.api_key)
            .field("api_secret", &"[REDACTED]")
            .field("algorithm", &self.algorithm)
            .field("timeout", &self.timeout)
            .field("min_upload_bytes_per_sec", &self.min_upload_bytes_per_sec)
            .field("chunk_size", &self.chunk_size)
            .field("chunk_threshold", &self.chunk_threshold)
            .field("retry", &self.retry)
            .finish()
    }
}

/// The parts of `cloudinary://<api_key>:<api_secret>@<cloud_name>`: cloud name, API key, secret.
/// `Err`: what is wrong, in words that never repeat the URL (it holds the secret).
pub fn parse_url(cloudinary_url: &SecretString) -> Result<(String, String, SecretString), String> {
    let text = cloudinary_url.expose_secret().trim();
    if !text.starts_with("cloudinary://") {
        return Err("does not start with cloudinary://".into());
    }
    let url = Url::parse(text).map_err(|e| format!("does not parse ({e})"))?;
    let cloud_name = url.host_str().unwrap_or("").to_string();
    if cloud_name.is_empty() {
        return Err("names no cloud after '@'".into());
    }
    if !cloud_name
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
    {
        return Err("names a cloud that is not letters, digits, - and _".into());
    }
    let api_key = percent_decode(url.username());
    if api_key.is_empty() {
        return Err("has no API key".into());
    }
    let secret = percent_decode(url.password().unwrap_or(""));
    if secret.is_empty() {
        return Err("has no API secret".into());
    }
    Ok((cloud_name, api_key, SecretString::from(secret)))
}

impl CloudinaryOptions {
    /// Options for Cloudinary's real endpoints with every default.
    pub fn new(cloud_name: &str, api_key: &str, api_secret: SecretString) -> CloudinaryOptions {
        CloudinaryOptions {
            api_url: Url::parse("https://api.cloudinary.com").expect("a valid URL"),
            delivery_url: Url::parse("https://res.cloudinary.com").expect("a valid URL"),
            cloud_name: cloud_name.to_string(),
            api_key: api_key.to_string(),
            api_secret,
            algorithm: Algorithm::Sha1,
            timeout: DEFAULT_TIMEOUT,
            min_upload_bytes_per_sec: DEFAULT_MIN_UPLOAD_BYTES_PER_SEC,
            chunk_size: DEFAULT_CHUNK_SIZE,
            chunk_threshold: DEFAULT_CHUNK_THRESHOLD,
            retry: RetryPolicy::default(),
            clock: Clock::new(),
        }
    }

    /// Reads the standard `CLOUDINARY_URL`, `cloudinary://<api_key>:<api_secret>@<cloud_name>`
    /// (a query such as `?secure=true` is ignored). Errors never repeat the URL or the secret.
    pub fn from_url(cloudinary_url: &SecretString) -> Result<CloudinaryOptions, CloudinaryError> {
        let (cloud_name, api_key, secret) = parse_url(cloudinary_url).map_err(|problem| CloudinaryError::Config {
            detail: format!("CLOUDINARY_URL {problem} (expected cloudinary://<api_key>:<api_secret>@<cloud_name>)"),
        })?;
        Ok(CloudinaryOptions::new(&cloud_name, &api_key, secret))
    }

    /// The timeout of a request that sends `bytes` of file: the timeout plus the time the bytes
    /// take at the slowest rate allowed, so a large chunk on a slow uplink is not cut off.
    pub fn upload_timeout(&self, bytes: u64) -> Duration {
        let rate = self.min_upload_bytes_per_sec.max(1);
        let sending = Duration::from_secs(bytes / rate)
            + Duration::from_nanos((bytes % rate).saturating_mul(1_000_000_000) / rate);
        self.timeout.saturating_add(sending)
    }

    /// Checks what `new` cannot work without.
    pub(crate) fn validate(&self) -> Result<(), CloudinaryError> {
        let bad = |detail: String| Err(CloudinaryError::Config { detail });
        let safe = |s: &str| !s.is_empty() && s.chars().all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_');
        if !safe(&self.cloud_name) {
            return bad(format!(
                "cloud name {:?} is not a Cloudinary cloud name",
                self.cloud_name
            ));
        }
        if self.api_key.is_empty() {
            return bad("the Cloudinary API key is empty".into());
        }
        if self.api_secret.expose_secret().is_empty() {
            return bad("the Cloudinary API secret is empty".into());
        }
        if self.chunk_size < MIN_CHUNK_SIZE {
            return bad(format!(
                "chunk size {} is below Cloudinary's minimum of {MIN_CHUNK_SIZE} bytes",
                self.chunk_size
            ));
        }
        if self.min_upload_bytes_per_sec == 0 {
            return bad("the minimum upload rate is 0 bytes per second (it must be at least 1)".into());
        }
        for (name, url) in [("API", &self.api_url), ("delivery", &self.delivery_url)] {
            if url.cannot_be_a_base() || !matches!(url.scheme(), "http" | "https") {
                return bad(format!("the Cloudinary {name} URL {url} is not an http(s) base URL"));
            }
        }
        Ok(())
    }
}

/// `%XX` decoding (user names and passwords in URLs are percent-encoded by the `url` crate).
fn percent_decode(s: &str) -> String {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let hex = |b: u8| (b as char).to_digit(16);
        if bytes[i] == b'%' && i + 2 < bytes.len() {
            if let (Some(h), Some(l)) = (hex(bytes[i + 1]), hex(bytes[i + 2])) {
                out.push((h * 16 + l) as u8);
                i += 3;
                continue;
            }
        }
        out.push(bytes[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}
