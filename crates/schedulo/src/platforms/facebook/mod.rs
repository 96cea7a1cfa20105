//! Facebook Pages (Graph API): text, link, photo and video posts, and Reels, published as the Page.
//!
//! # Calls (sources: developers.facebook.com/docs/pages-api/posts, graph-api/reference/page/feed,
//! graph-api/reference/page/photos, graph-api/video-uploads, video-api/guides/reels-publishing;
//! `shared/reference/platforms.md`)
//! - [`Publisher::prepare`]: each photo `POST /{version}/{page-id}/photos` `{url, published:false}`
//!   -> `{id}`. Meta downloads the photo from the URL itself, so it must be public. Unpublished
//!   photos are invisible, so this step is safe to repeat. A Reel's upload session and upload
//!   ([`video`]); nothing for a Page video.
//! - [`Publisher::publish`]: `POST /{version}/{page-id}/feed` with a JSON body `{message, link?,
//!   attached_media:[{media_fbid}]}` -> `{id:"<page>_<post>"}`, then
//!   `GET /{version}/{post-id}?fields=permalink_url` (when that read fails the URL is
//!   `https://www.facebook.com/{post-id}`; the publish does not fail for it). A video: `POST
//!   /{page-id}/videos {file_url, description}`; a Reel: the `video_reels` finish call; then a
//!   bounded wait for processing ([`video`]).
//! - [`Publisher::reconcile`]: a Reel by its video's status; otherwise
//!   `GET /{version}/{page-id}/published_posts?since=&fields=id,message,created_time,permalink_url&limit=100`
//!   and its `paging.next` pages, searched for the post's message ([`reconcile`], which says why
//!   `published_posts` rather than `feed`).
//! - The Page token goes in `Authorization: Bearer` (`OAuth` on the upload host), never in a URL.
//!   The version is configuration (`FacebookOptions::version`): Meta versions every path and
//!   retires old versions. Meta documents `graph-video.facebook.com` for video uploads; the
//!   Graph API host takes them too, and this publisher uses `graph_url` for every call.
//!
//! # Rules ([`FacebookRules`], checked before any call)
//! Up to 10 photos a post, 63,206 characters, photos up to 4 MB when the size is known; a link
//! post cannot carry photos or a video; one video, never with photos; Page videos up to 1 GB and
//! 20 min, 9:16 to 16:9; Reels 3-90 s, 9:16, at least 540x960; no Stories.
//!
//! # Limits ([`meta_graph::usage`](crate::platforms::meta_graph::usage); developers.facebook.com/docs/graph-api/overview/rate-limiting)
//! Page-token calls count against the Page's Business Use Case limit (reported in
//! `X-Business-Use-Case-Usage`, with `estimated_time_to_regain_access` in minutes), app calls
//! against the app's (`X-App-Usage`). Above 90 % of any figure, or while Meta gives a time to
//! regain access, calls are held locally until then (or for 10 minutes) and `prepare`, `publish`
//! and `reconcile` answer `RateLimited` with `retry_at`, without calling. A throttle error
//! (codes 4, 17, 32, 341, 368, 613, 80001) starts the same hold. 30 API Reels per Page in 24 h:
//! over it a Reel waits ([`FacebookOptions::reels_limit_wait`]).
//!
//! # Error classes ([`meta_graph::errors`](crate::platforms::meta_graph::errors); developers.facebook.com/docs/graph-api/guides/error-handling)
//! | Meta's code | class |
//! |---|---|
//! | 190, 102 (any subcode: 458, 459, 460, 463, 464, 467, 492) | auth: the Page must be reconnected |
//! | 4, 17, 32, 341, 613, 80001, 80002, 9; 368 ("temporarily blocked", Meta: wait and retry) | rate-limited |
//! | 1, 2, -1, -2, 9007, or `is_transient` | transient |
//! | 3, 10, 200-299 (permissions), 100, 324, 506 (duplicate), 1609005 (link) | permanent |
//! | others | by HTTP status: 401 auth, 429 rate-limited, 5xx transient, else permanent |
//!
//! On the call that publishes (feed POST, `/videos`, Reel finish), a timeout, a 5xx, a transient
//! code, or a 2xx that cannot be read is `OutcomeUnknown`: the post may exist; the scheduler
//! reconciles and never repeats it blindly. Nothing here retries.
//!
//! # Layout
//! [`rules`] (and `video_rules`), [`video`], [`reconcile`]. The Graph API client, Meta's error
//! codes, usage headers, the wait for processing and the wording of messages are shared with
//! Instagram: [`crate::platforms::meta_graph`].

pub mod reconcile;
pub mod rules;
pub mod video;
mod video_rules;

pub use crate::platforms::meta_graph::{PollBackoff, UsagePolicy};
pub use rules::FacebookRules;

use crate::clock::Clock;
use crate::error_class::ErrorClass;
use crate::platforms::meta_graph::client::{Call, Graph, Vendor};
use crate::platforms::meta_graph::{DEFAULT_TIMEOUT, DEFAULT_VERSION};
use crate::platforms::{
    Account, Attempt, Found, PostContent, PostFormat, Prepared, PublishError, Published, Publisher, Receipts, Sent,
};
use serde_json::{json, Value};
use std::time::Duration;
use url::Url;

/// What the publisher needs; built from the worker's config or by tests.
#[derive(Debug, Clone)]
pub struct FacebookOptions {
    /// `https://graph.facebook.com`, or the sandbox's URL.
    pub graph_url: Url,
    /// The Graph API version in every path, e.g. `v21.0`.
    pub version: String,
    /// Timeout of one HTTP request.
    pub timeout: Duration,
    pub rules: FacebookRules,
    /// When to hold calls because of Meta's usage headers.
    pub usage: UsagePolicy,
    /// Pauses between status reads of a video or Reel being processed.
    pub poll: PollBackoff,
    /// How long `publish` waits for a video or Reel to finish processing before returning it as
    /// published with its permalink (it goes public when Meta is done).
    pub video_wait: Duration,
    /// How long a Reel waits when Meta refuses it for the Page's 30 API Reels in 24 h (Meta gives
    /// no time, and Reels cannot be listed to find when the oldest leaves the window).
    pub reels_limit_wait: Duration,
    /// The worker's clock (for `retry_at` and `check_at`).
    pub clock: Clock,
}

impl FacebookOptions {
    pub fn new(graph_url: Url) -> FacebookOptions {
        FacebookOptions {
            graph_url,
            version: DEFAULT_VERSION.to_string(),
            timeout: DEFAULT_TIMEOUT,
            rules: FacebookRules::default(),
            usage: UsagePolicy::default(),
            poll: PollBackoff::default(),
            video_wait: Duration::from_secs(60),
            reels_limit_wait: Duration::from_secs(3600),
            clock: Clock::new(),
        }
    }
}

/// Publishes to Facebook Pages. One per process: its holds are shared by every Page.
pub struct FacebookPublisher {
    graph: Graph,
    rules: FacebookRules,
    poll: PollBackoff,
    video_wait: Duration,
    reels_limit_wait: Duration,
    clock: Clock,
}

impl FacebookPublisher {
    pub fn new(options: FacebookOptions) -> anyhow::Result<FacebookPublisher> {
        let graph = Graph::new(
            options.graph_url,
            options.version,
            options.timeout,
            options.usage,
            Vendor::FACEBOOK,
        )?;
        Ok(FacebookPublisher {
            graph,
            rules: options.rules,
            poll: options.poll,
            video_wait: options.video_wait,
            reels_limit_wait: options.reels_limit_wait,
            clock: options.clock,
        })
    }

    /// The rules again, as a `Permanent` error: a caller that skipped `check` gets no call made.
    fn recheck(&self, post: &PostContent) -> Result<(), PublishError> {
        self.rules.check(post).map_err(|v| PublishError {
            class: ErrorClass::Permanent,
            message: v.message,
            retry_at: None,
        })
    }

    /// The post's permalink, or the fallback URL when it cannot be read (logged, not an error).
    async fn permalink(&self, account: &Account, post_id: &str) -> String {
        let call = Call::get(
            [post_id, ""],
            vec![("fields", "permalink_url".into())],
            "the post's link",
        );
        match self.graph.call(account, call).await {
            Ok(v) => match v.get("permalink_url").and_then(Value::as_str) {
                Some(url) if url.starts_with("http") => url.to_string(),
                _ => reconcile::fallback_url(post_id),
            },
            Err(error) => {
                tracing::warn!(message = "Could not read the post's permalink; using its id.", post_id, %error);
                reconcile::fallback_url(post_id)
            }
        }
    }
}

impl Publisher for FacebookPublisher {
    fn check(&self, post: &PostContent) -> Result<(), crate::platforms::RuleViolation> {
        self.rules.check(post)
    }

    async fn prepare(&self, account: &Account, post: &PostContent) -> Result<Prepared, PublishError> {
        self.recheck(post)?;
        if video_rules::is_video(post) {
            return match post.format {
                PostFormat::Reel => self.prepare_reel(account, post).await,
                // A Page video is sent with the publish call itself.
                PostFormat::Post | PostFormat::Story => Ok(Prepared::default()),
            };
        }
        let mut media_ids = Vec::with_capacity(post.media.len());
        for media in &post.media {
            let call = Call::post(
                [account.external_id.as_str(), "photos"],
                json!({ "url": media.url, "published": false }),
                format!("the photo {}", media.url),
            );
            let answer = self.graph.call(account, call).await?;
            let id = id_of(&answer).ok_or_else(|| PublishError {
                class: ErrorClass::Transient,
                message: format!("Facebook's answer to the photo {} has no id", media.url),
                retry_at: None,
            })?;
            media_ids.push(id);
        }
        tracing::debug!(message = "Facebook photos uploaded.", record = %post.record_id, count = media_ids.len());
        Ok(Prepared {
            media_ids,
            ..Prepared::default()
        })
    }

    async fn publish(
        &self,
        account: &Account,
        post: &PostContent,
        prepared: &Prepared,
        _receipts: &Receipts,
    ) -> Result<Sent, PublishError> {
        self.recheck(post)?;
        if video_rules::is_video(post) {
            let published = match post.format {
                PostFormat::Reel => self.publish_reel(account, post, prepared).await?,
                PostFormat::Post | PostFormat::Story => self.publish_video(account, post).await?,
            };
            return Ok(Sent::Published(published));
        }
        if prepared.media_ids.len() != post.media.len() {
            return Err(PublishError {
                class: ErrorClass::Permanent,
                message: format!(
                    "This post has {} photos but {} were uploaded to Facebook; prepare it again",
                    post.media.len(),
                    prepared.media_ids.len()
                ),
                retry_at: None,
            });
        }
        let mut body = serde_json::Map::new();
        if !post.text.trim().is_empty() {
            body.insert("message".into(), json!(post.text));
        }
        if let Some(link) = &post.link {
            body.insert("link".into(), json!(link));
        }
        if !prepared.media_ids.is_empty() {
            let media: Vec<Value> = prepared
                .media_ids
                .iter()
                .map(|id| json!({ "media_fbid": id }))
                .collect();
            body.insert("attached_media".into(), Value::Array(media));
        }
        let call = Call::post([account.external_id.as_str(), "feed"], Value::Object(body), "the post").publishing();
        let answer = self.graph.call(account, call).await?;
        let Some(post_id) = id_of(&answer) else {
            return Err(self
                .graph
                .vendor
                .maybe_published("Facebook answered the post without its id".into()));
        };
        tracing::info!(message = "Published to Facebook.", record = %post.record_id, %post_id);
        let url = self.permalink(account, &post_id).await;
        Ok(Sent::Published(Published {
            platform_id: post_id,
            url,
        }))
    }

    async fn reconcile(
        &self,
        account: &Account,
        post: &PostContent,
        attempt: Attempt<'_>,
    ) -> Result<Found, PublishError> {
        let reel = attempt
            .prepared
            .and_then(|p| p.container.as_deref())
            .filter(|_| post.format == PostFormat::Reel && video_rules::is_video(post));
        if let Some(video_id) = reel {
            return self.reconcile_reel(account, video_id).await;
        }
        let found = reconcile::find(&self.graph, account, post, attempt.since).await?;
        Ok(found.map_or(Found::NotPublished { certain: false }, Found::Published))
    }
}

/// The `id` of an answer, as Meta sends it (a string; a number is accepted too).
fn id_of(answer: &Value) -> Option<String> {
    match answer.get("id")? {
        Value::String(s) if !s.trim().is_empty() => Some(s.trim().to_string()),
        Value::Number(n) => Some(n.to_string()),
        _ => None,
    }
}

#[cfg(test)]
mod sandbox_tests;
