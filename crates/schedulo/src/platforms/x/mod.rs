//! X (API v2): the [`XPublisher`].
//!
//! # Calls
//! - [`Publisher::prepare`]: each image is downloaded from its URL and uploaded with
//!   `POST /2/media/upload` (multipart `media` + `media_category=tweet_image`) -> a media id. A
//!   video or GIF is streamed into a temporary file, read and checked again, and sent with the
//!   chunked upload (`/2/media/upload/initialize`, `/{id}/append`, `/{id}/finalize`, then
//!   `GET /2/media/upload?command=STATUS` until X has processed it: `video.rs`, `chunked.rs`).
//! - [`Publisher::prepare_ahead`]: a video or GIF may be prepared up to
//!   [`XOptions::prepare_ahead`] before its time (X keeps a media id 24 h); images right before.
//! - [`Publisher::publish`]: `POST /2/tweets {"text", "media":{"media_ids"}}` -> 201
//!   `{"data":{"id","text"}}`; the post's URL is `https://x.com/{handle}/status/{id}`.
//! - [`Publisher::reconcile`]: `GET /2/users/{id}/tweets?start_time=` and a text comparison.
//!
//! Every call carries `Authorization: Bearer <the account's OAuth 2.0 user token>`; media hosts get
//! no token. Nothing is retried here: the scheduler owns retries.
//!
//! # X's limits (defaults of [`XRules`] and [`XOptions`])
//! - Text: 280 weighted characters (twitter-text v3: URLs 23, emoji and CJK 2; [`text`]).
//! - Media: up to 4 images, or 1 GIF, or 1 video; images up to 5 MB (JPEG, PNG, GIF, WEBP); GIFs
//!   up to 15 MB; video MP4 or MOV, up to 512 MB, 0.5 s to 140 s, 1:3 to 3:1, at most 60 fps
//!   ([`rules::media`]). No Stories or Reels: such a post is refused by [`Publisher::check`].
//! - Chunked upload: segments of at most 5 MB, `segment_index` 0 to 999; a media id expires
//!   (`expires_after_secs`, 24 h after finalize).
//! - `POST /2/tweets`: 100 per 15 minutes per user, 10,000 per 24 hours per app; answers carry
//!   `x-rate-limit-limit`, `x-rate-limit-remaining`, `x-rate-limit-reset` (epoch seconds; no
//!   `Retry-After`). [`limits`] remembers them per account, and `publish` waits without calling
//!   while the limit is used up. `POST /2/media/upload`: 500 per 15 minutes per user.
//!
//! # Error classes ([`errors`]: one exhaustive `match` over [`XErrorKind`])
//! | X says | class |
//! |---|---|
//! | 401; 403 `unsupported-authentication` | auth |
//! | 429 (`retry_at` from `x-rate-limit-reset`, or the 24-hour headers when those are used up); 429 `usage-capped` (monthly cap: [`XOptions::usage_cap_wait`]) | rate-limited |
//! | 5xx; no connection | transient |
//! | 5xx, timeout or a lost connection on `POST /2/tweets` | outcome-unknown |
//! | 400 `invalid-request`, 403 (duplicate content and the rest), 404, other 4xx | permanent |
//!
//! Sources: `shared/reference/platforms.md` (X), docs.x.com (`x-api/fundamentals/rate-limits`,
//! `x-api/fundamentals/response-codes-and-errors`, `fundamentals/counting-characters`,
//! `x-api/media/quickstart/best-practices`), X's OpenAPI document (api.x.com/2/openapi.json, 2.167),
//! twitter-text's `config/v3.json`, and error bodies quoted from the real service
//! (`fixtures/x/README.md`).

mod chunked;
mod client;
pub mod errors;
pub mod limits;
pub mod media;
mod publish;
mod reconcile;
pub mod rules;
#[cfg(test)]
mod sandbox_tests;
pub mod text;
#[cfg(test)]
mod text_conformance;
mod video;

pub use errors::{RateHeaders, XApiError, XErrorKind};
pub use rules::XRules;

use crate::platforms::{
    Account, Attempt, Found, PostContent, Prepared, PublishError, Publisher, Receipts, RuleViolation, Sent,
};
use anyhow::Context;
use std::time::Duration;
use url::Url;

/// X's API URL.
pub const DEFAULT_API_URL: &str = "https://api.x.com";

/// X's limit on one appended segment (5 MB; docs.x.com `x-api/media/append-media-upload`).
pub const MAX_CHUNK_BYTES: u64 = 5 * 1024 * 1024;

/// How the publisher talks to X.
#[derive(Debug, Clone)]
pub struct XOptions {
    /// `https://api.x.com`, or the sandbox's URL.
    pub api_url: Url,
    /// Timeout of one API call (30 s): past it, a publish call is outcome-unknown.
    pub timeout: Duration,
    /// Timeout of one media download and of one upload (120 s).
    pub upload_timeout: Duration,
    /// How long posting waits after a `usage-capped` answer (24 h: the cap is monthly, and a day
    /// keeps the worker from asking every few minutes while someone raises it).
    pub usage_cap_wait: Duration,
    /// X's rules for a post.
    pub rules: XRules,
    /// Bytes per appended segment of a video or GIF (4 MiB; X allows at most 5 MB).
    pub chunk_bytes: u64,
    /// How long preparing (or publishing) waits for X to process a video (10 min); past it the
    /// post waits and is tried again.
    pub processing_deadline: Duration,
    /// Timeout of the download of one video (10 min).
    pub video_download_timeout: Duration,
    /// How long before its time a video or GIF post may be prepared (23 h: X keeps a media id
    /// 24 h after finalize; the hour left covers processing and a late publish).
    pub prepare_ahead: Duration,
    /// How media is downloaded; `None`: from Cloudinary's delivery host and, when `api_url` is a
    /// sandbox on this machine, from it ([`crate::fetch::MediaFetcher::for_api`]).
    pub media: Option<crate::fetch::MediaFetcher>,
}

impl XOptions {
    pub fn new(api_url: Url) -> XOptions {
        XOptions {
            api_url,
            timeout: Duration::from_secs(30),
            upload_timeout: Duration::from_secs(120),
            usage_cap_wait: Duration::from_secs(24 * 60 * 60),
            rules: XRules::default(),
            chunk_bytes: 4 * 1024 * 1024,
            processing_deadline: Duration::from_secs(10 * 60),
            video_download_timeout: Duration::from_secs(10 * 60),
            prepare_ahead: Duration::from_secs(23 * 60 * 60),
            media: None,
        }
    }
}

/// Publishes to X. One per process: it keeps the connections and what X said about rate limits.
#[derive(Debug)]
pub struct XPublisher {
    api: client::Api,
    timeout: Duration,
    upload_timeout: Duration,
    rules: XRules,
    video: video::VideoOptions,
    prepare_ahead: Duration,
    rates: limits::RateMemory,
}

impl XPublisher {
    pub fn new(options: XOptions) -> anyhow::Result<XPublisher> {
        if !matches!(options.api_url.scheme(), "http" | "https") || options.api_url.cannot_be_a_base() {
            anyhow::bail!("The X API URL {} is not an http(s) URL", options.api_url);
        }
        if !(1..=MAX_CHUNK_BYTES).contains(&options.chunk_bytes) {
            anyhow::bail!(
                "The X upload segment size {} is not between 1 byte and X's {MAX_CHUNK_BYTES}",
                options.chunk_bytes
            );
        }
        let http = reqwest::Client::builder()
            .user_agent(concat!("schedulo/", env!("CARGO_PKG_VERSION")))
            .build()
            .context("Failed to build the HTTP client for X")?;
        let media = match options.media {
            Some(media) => media,
            None => crate::fetch::MediaFetcher::for_api(&options.api_url)?,
        };
        Ok(XPublisher {
            api: client::Api {
                http,
                media,
                api_url: options.api_url,
                usage_cap_wait: options.usage_cap_wait,
            },
            timeout: options.timeout,
            upload_timeout: options.upload_timeout,
            rules: options.rules,
            video: video::VideoOptions {
                chunk_bytes: options.chunk_bytes,
                processing_deadline: options.processing_deadline,
                download_timeout: options.video_download_timeout,
                call_timeout: options.upload_timeout,
            },
            prepare_ahead: options.prepare_ahead,
            rates: limits::RateMemory::default(),
        })
    }

    pub fn rules(&self) -> &XRules {
        &self.rules
    }
}

impl Publisher for XPublisher {
    fn check(&self, post: &PostContent) -> Result<(), RuleViolation> {
        self.rules.check(post)
    }

    fn prepare_ahead(&self, post: &PostContent) -> Option<Duration> {
        video::moving(post).map(|_| self.prepare_ahead)
    }

    async fn prepare(&self, account: &Account, post: &PostContent) -> Result<Prepared, PublishError> {
        if let Some(held) = publish::held(&self.rates, account, chrono::Utc::now()) {
            return Err(held);
        }
        media::prepare(&self.api, &self.rules, self.upload_timeout, &self.video, account, post).await
    }

    async fn publish(
        &self,
        account: &Account,
        post: &PostContent,
        prepared: &Prepared,
        _receipts: &Receipts,
    ) -> Result<Sent, PublishError> {
        if let (false, Some((n, media)), Some(id)) = (prepared.ready, video::moving(post), prepared.media_ids.first()) {
            if let Some(held) = publish::held(&self.rates, account, chrono::Utc::now()) {
                return Err(held);
            }
            video::wait_ready(&self.api, &self.video, account, n, media, id).await?;
        }
        publish::publish(&self.api, &self.rates, self.timeout, account, post, prepared)
            .await
            .map(Sent::Published)
    }

    async fn reconcile(
        &self,
        account: &Account,
        post: &PostContent,
        attempt: Attempt<'_>,
    ) -> Result<Found, PublishError> {
        let found = reconcile::reconcile(&self.api, self.timeout, account, post, attempt.since).await?;
        Ok(found.map_or(Found::NotPublished { certain: false }, Found::Published))
    }
}
