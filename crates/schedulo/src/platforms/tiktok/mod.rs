//! TikTok (Content Posting API, Direct Post): the [`TikTokPublisher`].
//!
//! # Calls
//! - [`Publisher::check`]: [`rules`], no call.
//! - [`Publisher::prepare`]: `POST /v2/post/publish/creator_info/query/` -> the creator's privacy
//!   levels, longest video, and interactions turned off ([`creator`]). A video longer than the
//!   creator's limit, or a privacy level the creator does not offer, is refused here, naming the
//!   value. The settings decided go to `publish` in [`Prepared`]. Nothing is prepared ahead
//!   (`prepare_ahead` is `None`): TikTok wants `creator_info` fresh, right before each post.
//! - [`Publisher::publish`] (`publish`): `POST /v2/post/publish/video/init/` (video) or
//!   `POST /v2/post/publish/content/init/` (photos) -> `publish_id`, handed to the receipts at
//!   once; then, for `FILE_UPLOAD`, `PUT {upload_url}` per chunk ([`upload`]). Answers
//!   [`Sent::Accepted`] with the `publish_id`: TikTok finishes the post on its own.
//! - [`Publisher::reconcile`] (`reconcile`): `POST /v2/post/publish/status/fetch/ {publish_id}`
//!   until `PUBLISH_COMPLETE` (and the post id, after moderation) or `FAILED`. Without a kept
//!   `publish_id`, or when the status gives no post id, the Display API's
//!   `POST /v2/video/list/` (scope `video.list`) is searched for the video by its caption since
//!   the attempt ([`videos`]).
//!
//! Every API call carries `Authorization: Bearer <the account's access token>`; the media host and
//! the `upload_url` (which carries its own token) get none. Nothing is retried here.
//!
//! # Upload mode ([`UploadMode`])
//! `FILE_UPLOAD` by default: `PULL_FROM_URL` makes TikTok download the video itself, but only from
//! a domain or URL prefix verified for the app in TikTok's developer portal, else
//! `url_ownership_unverified`; the media live on Cloudinary, whose domain we cannot verify. Photo
//! posts have no file upload: they are always pulled, so their URLs need a verified prefix.
//!
//! # TikTok's limits (defaults of [`TikTokRules`], [`TikTokOptions`], [`limits::CallLimits`])
//! - Video: MP4, WebM or MOV; 360 to 4096 px a side; up to 4 GB; 23 to 60 fps; no longer than the
//!   creator's `max_video_post_duration_sec`. Photos: JPEG or WEBP, up to 20 MB, up to 35.
//!   Caption: 2,200 UTF-16 units. No text-only posts, no Stories; a Reel is a video post.
//! - Per token: `creator_info` 20, `init` 6, `status/fetch` 30, `video/list` 600 (kept at 300) calls a minute, kept locally
//!   ([`limits`]); about 15 posts a creator a day (`spam_risk_too_many_posts`).
//!
//! # Error classes ([`errors`]: one exhaustive `match` over [`TikTokErrorKind`])
//! | TikTok says | class |
//! |---|---|
//! | `access_token_invalid`, `scope_not_authorized`, `scope_permission_missed` (401) | auth |
//! | 429 `rate_limit_exceeded` (`retry_at` a minute on) | rate-limited |
//! | `spam_risk_too_many_posts`, `spam_risk_too_many_pending_share`, `reached_active_user_cap`, other `spam_risk*` (`retry_at` = now + [`TikTokOptions::daily_cap_wait`]) | rate-limited |
//! | `internal_error`, 5xx, no connection | transient |
//! | timeout, 5xx or an unreadable answer on `init` | outcome-unknown |
//! | `invalid_params`, `privacy_level_option_mismatch`, `url_ownership_unverified`, `unaudited_client_can_only_post_to_private_accounts`, `*_check_failed`, `spam_risk_user_banned_from_posting`, `spam_risk_text`, other 4xx | permanent |
//!
//! Sources: `shared/reference/platforms.md` (TikTok); developers.tiktok.com:
//! `doc/content-posting-api-reference-direct-post`, `doc/content-posting-api-reference-photo-post`,
//! `doc/content-posting-api-media-transfer-guide`, `doc/content-posting-api-reference-get-video-status`,
//! `doc/tiktok-api-v2-error-handling`, `doc/content-sharing-guidelines`; bodies in `fixtures/tiktok/`.
//!
//! # Layout
//! [`rules`], [`errors`], [`limits`], `client` (one call), [`creator`], `publish`, [`upload`], `reconcile`,
//! [`videos`] (the search of the account's videos).

mod client;
pub mod creator;
pub mod errors;
pub mod limits;
mod publish;
mod reconcile;
pub mod rules;
pub mod upload;
pub mod videos;

pub use creator::{Interactions, PrivacyChoice, PrivacyLevel};
pub use errors::{TikTokApiError, TikTokErrorKind};
pub use limits::CallLimits;
pub use rules::TikTokRules;

use crate::clock::Clock;
use crate::error_class::ErrorClass;
use crate::platforms::{
    Account, Attempt, Found, PostContent, Prepared, PublishError, Publisher, Receipts, RuleViolation, Sent,
};
use anyhow::Context;
use std::collections::HashMap;
use std::sync::Mutex;
use std::time::Duration;
use url::Url;

/// TikTok's API URL.
pub const DEFAULT_API_URL: &str = "https://open.tiktokapis.com";

/// How a video reaches TikTok.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum UploadMode {
    /// TikTok downloads `video_url` itself; the URL's prefix must be verified for the app.
    PullFromUrl,
    /// The worker downloads the video and sends it in chunks (the default: see the module docs).
    #[default]
    FileUpload,
}

/// How the publisher talks to TikTok.
#[derive(Debug, Clone)]
pub struct TikTokOptions {
    /// `https://open.tiktokapis.com`, or the sandbox's URL.
    pub api_url: Url,
    /// Timeout of one API call (30 s): past it, an `init` is outcome-unknown.
    pub timeout: Duration,
    /// Timeout of the video's download and of each chunk's `PUT` (5 min).
    pub upload_timeout: Duration,
    /// The first wait between status checks (5 s); each next one doubles.
    pub status_first_wait: Duration,
    /// The longest wait between status checks (5 min).
    pub status_max_wait: Duration,
    /// How long after the attempt a completed post may wait for its id (moderation: "usually
    /// within a minute, sometimes a few hours", TikTok says) before it is reported published
    /// without it (1 h).
    pub moderation_deadline: Duration,
    /// The privacy level posts get (the most public the creator offers).
    pub privacy: PrivacyChoice,
    /// Whether posts allow comments, duets and stitches (all, unless the creator turned them off).
    pub interactions: Interactions,
    /// How videos reach TikTok (`FILE_UPLOAD`).
    pub upload_mode: UploadMode,
    /// Bytes of one chunk of a `FILE_UPLOAD` (10 MB; TikTok: 5 to 64 MB).
    pub chunk_size: u64,
    /// TikTok's rules for a post.
    pub rules: TikTokRules,
    /// How long posting for an account waits after a daily cap (1 h). TikTok gives no time when
    /// its cap (a rolling 24 hours) reopens: an hour is a guess that costs one refused call an hour
    /// while it lasts, and lets held posts out soon after it ends.
    pub daily_cap_wait: Duration,
    /// The per-token limits kept locally.
    pub limits: CallLimits,
    /// The clock for `retry_at` and deadlines (the worker's, which tests control).
    pub clock: Clock,
    /// How the video is downloaded for `FILE_UPLOAD`; `None`: from Cloudinary's delivery host and,
    /// when `api_url` is a sandbox on this machine, from it ([`crate::fetch::MediaFetcher::for_api`]).
    pub media: Option<crate::fetch::MediaFetcher>,
}

impl TikTokOptions {
    pub fn new(api_url: Url) -> TikTokOptions {
        TikTokOptions {
            api_url,
            timeout: Duration::from_secs(30),
            upload_timeout: Duration::from_secs(300),
            status_first_wait: Duration::from_secs(5),
            status_max_wait: Duration::from_secs(300),
            moderation_deadline: Duration::from_secs(3600),
            privacy: PrivacyChoice::default(),
            interactions: Interactions::default(),
            upload_mode: UploadMode::default(),
            chunk_size: 10 * 1024 * 1024,
            rules: TikTokRules::default(),
            daily_cap_wait: Duration::from_secs(3600),
            limits: CallLimits::default(),
            clock: Clock::new(),
            media: None,
        }
    }
}

/// Publishes to TikTok. One per process: it keeps the connections, the limits and the holds.
#[derive(Debug)]
pub struct TikTokPublisher {
    api: client::Api,
    /// Downloads the video for `FILE_UPLOAD` (only from allowed hosts, [`crate::fetch`]).
    media: crate::fetch::MediaFetcher,
    upload_timeout: Duration,
    status_first_wait: Duration,
    status_max_wait: Duration,
    moderation_deadline: Duration,
    privacy: PrivacyChoice,
    interactions: Interactions,
    upload_mode: UploadMode,
    chunk_size: u64,
    rules: TikTokRules,
    /// Status checks made per `publish_id`, for the backoff (lost on restart: it starts over).
    polls: Mutex<HashMap<String, u32>>,
}

impl TikTokPublisher {
    pub fn new(options: TikTokOptions) -> anyhow::Result<TikTokPublisher> {
        if !matches!(options.api_url.scheme(), "http" | "https") || options.api_url.cannot_be_a_base() {
            anyhow::bail!("The TikTok API URL {} is not an http(s) URL", options.api_url);
        }
        if !(upload::MIN_CHUNK..=upload::MAX_CHUNK).contains(&options.chunk_size) {
            anyhow::bail!(
                "The TikTok chunk size {} is outside TikTok's 5 MB to 64 MB",
                options.chunk_size
            );
        }
        let http = reqwest::Client::builder()
            .user_agent(concat!("schedulo/", env!("CARGO_PKG_VERSION")))
            .build()
            .context("Failed to build the HTTP client for TikTok")?;
        let media = match options.media {
            Some(media) => media,
            None => crate::fetch::MediaFetcher::for_api(&options.api_url)?,
        };
        Ok(TikTokPublisher {
            media,
            api: client::Api {
                http,
                api_url: options.api_url,
                timeout: options.timeout,
                limits: limits::Limits::new(options.limits).context("Invalid TikTok call limits")?,
                clock: options.clock,
                daily_cap_wait: options.daily_cap_wait,
            },
            upload_timeout: options.upload_timeout,
            status_first_wait: options.status_first_wait,
            status_max_wait: options.status_max_wait,
            moderation_deadline: options.moderation_deadline,
            privacy: options.privacy,
            interactions: options.interactions,
            upload_mode: options.upload_mode,
            chunk_size: options.chunk_size,
            rules: options.rules,
            polls: Mutex::new(HashMap::new()),
        })
    }

    pub fn rules(&self) -> &TikTokRules {
        &self.rules
    }

    /// The rules again, as a `Permanent` error: a caller that skipped `check` gets no call made.
    fn recheck(&self, post: &PostContent) -> Result<rules::Shape, PublishError> {
        rules::check(post, &self.rules).map_err(|v| PublishError {
            class: ErrorClass::Permanent,
            message: v.message,
            retry_at: None,
        })
    }

    /// A running hold on posting for the account, as an error (checked before downloading media).
    fn posting_held(&self, account: &Account) -> Result<(), PublishError> {
        match self
            .api
            .limits
            .held(&account.record_id, limits::Endpoint::Init, self.api.now())
        {
            Some(wait) => Err(client::held(&wait, limits::Endpoint::Init)),
            None => Ok(()),
        }
    }

    /// The wait before the next status check of `publish_id`, doubling from the first.
    fn next_poll(&self, publish_id: &str) -> Duration {
        let mut polls = self.polls.lock().unwrap_or_else(|p| p.into_inner());
        let n = polls.entry(publish_id.to_string()).or_insert(0);
        let wait = self.status_first_wait.saturating_mul(1u32 << (*n).min(16));
        *n += 1;
        wait.min(self.status_max_wait)
    }

    /// Forgets the backoff of a post that reached its end.
    fn forget(&self, publish_id: &str) {
        self.polls.lock().unwrap_or_else(|p| p.into_inner()).remove(publish_id);
    }
}

impl Publisher for TikTokPublisher {
    fn check(&self, post: &PostContent) -> Result<(), RuleViolation> {
        self.rules.check(post)
    }

    async fn prepare(&self, account: &Account, post: &PostContent) -> Result<Prepared, PublishError> {
        let shape = self.recheck(post)?;
        let info = creator::query(&self.api, account).await?;
        let settings = creator::decide(&info, post, shape, self.privacy, self.interactions)?;
        tracing::debug!(message = "TikTok post prepared.", record = %post.record_id, privacy = %settings.privacy_level);
        Ok(settings.to_prepared())
    }

    async fn publish(
        &self,
        account: &Account,
        post: &PostContent,
        prepared: &Prepared,
        receipts: &Receipts,
    ) -> Result<Sent, PublishError> {
        self.posting_held(account)?;
        publish::publish(self, account, post, prepared, receipts).await
    }

    async fn reconcile(
        &self,
        account: &Account,
        post: &PostContent,
        attempt: Attempt<'_>,
    ) -> Result<Found, PublishError> {
        reconcile::reconcile(self, account, post, attempt).await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn options_outside_tiktok_s_limits_are_refused() {
        let url = Url::parse(DEFAULT_API_URL).unwrap();
        assert!(TikTokPublisher::new(TikTokOptions::new(url.clone())).is_ok());
        let small = TikTokOptions {
            chunk_size: 1024,
            ..TikTokOptions::new(url.clone())
        };
        assert!(TikTokPublisher::new(small).is_err());
        assert!(TikTokPublisher::new(TikTokOptions::new(Url::parse("mailto:a@b.c").unwrap())).is_err());
    }

    #[test]
    fn status_checks_back_off_to_the_longest_wait() {
        let p = TikTokPublisher::new(TikTokOptions::new(Url::parse(DEFAULT_API_URL).unwrap())).unwrap();
        let waits: Vec<u64> = (0..8).map(|_| p.next_poll("v_1").as_secs()).collect();
        assert_eq!(waits, [5, 10, 20, 40, 80, 160, 300, 300]);
        p.forget("v_1");
        assert_eq!(p.next_poll("v_1").as_secs(), 5);
    }
}

#[cfg(test)]
mod sandbox_tests;
