//! Facebook Pages (Graph API): text, link and photo posts published as the Page.
//!
//! # Calls (sources: developers.facebook.com/docs/pages-api/posts, graph-api/reference/page/feed,
//! graph-api/reference/page/photos; `shared/reference/platforms.md`)
//! - [`Publisher::prepare`]: each photo `POST /{version}/{page-id}/photos` `{url, published:false}`
//!   -> `{id}`. Meta downloads the photo from the URL itself, so it must be public. Unpublished
//!   photos are invisible, so this step is safe to repeat.
//! - [`Publisher::publish`]: `POST /{version}/{page-id}/feed` with a JSON body `{message, link?,
//!   attached_media:[{media_fbid}]}` -> `{id:"<page>_<post>"}`, then
//!   `GET /{version}/{post-id}?fields=permalink_url` (when that read fails the URL is
//!   `https://www.facebook.com/{post-id}`; the publish does not fail for it).
//! - [`Publisher::reconcile`]: `GET /{version}/{page-id}/feed?since=&fields=id,message,created_time,
//!   permalink_url&limit=100`, searched for the post's message ([`reconcile`]).
//! - The Page token goes in `Authorization: Bearer`, never in a URL. The version is configuration
//!   (`FacebookOptions::version`): Meta versions every path and retires old versions.
//!
//! # Rules ([`FacebookRules`], checked before any call)
//! Up to 10 photos a post, 63,206 characters, photos up to 4 MB when the size is known; a link
//! post cannot carry photos; video and Reels wait for issue 5.
//!
//! # Limits ([`usage`]; developers.facebook.com/docs/graph-api/overview/rate-limiting)
//! Page-token calls count against the Page's Business Use Case limit (reported in
//! `X-Business-Use-Case-Usage`, with `estimated_time_to_regain_access` in minutes), app calls
//! against the app's (`X-App-Usage`). Above 90 % of any figure, or while Meta gives a time to
//! regain access, calls are held locally until then (or for 10 minutes) and `prepare`, `publish`
//! and `reconcile` answer `RateLimited` with `retry_at`, without calling. A throttle error
//! (codes 4, 17, 32, 341, 368, 613, 80001) starts the same hold.
//!
//! # Error classes ([`errors`]; developers.facebook.com/docs/graph-api/guides/error-handling)
//! | Meta's code | class |
//! |---|---|
//! | 190, 102 (any subcode: 458, 459, 460, 463, 464, 467, 492) | auth: the Page must be reconnected |
//! | 4, 17, 32, 341, 613, 80001; 368 ("temporarily blocked", Meta: wait and retry) | rate-limited |
//! | 1, 2, or `is_transient` | transient |
//! | 3, 10, 200-299 (permissions), 100, 324, 506 (duplicate), 1609005 (link) | permanent |
//! | others | by HTTP status: 401 auth, 429 rate-limited, 5xx transient, else permanent |
//!
//! On the feed POST (the publish itself), a timeout, a 5xx, a transient code, or a 2xx that cannot
//! be read is `OutcomeUnknown`: the post may exist; the scheduler reconciles and never repeats it
//! blindly. Nothing here retries.
//!
//! # Layout
//! [`rules`], [`errors`], [`usage`], `client` (one call), [`reconcile`].

mod client;
pub mod errors;
pub mod reconcile;
pub mod rules;
pub mod usage;

pub use errors::{GraphErrorBody, MetaCode};
pub use rules::FacebookRules;
pub use usage::UsagePolicy;

use crate::error_class::ErrorClass;
use crate::platforms::{
    Account, Attempt, Found, PostContent, Prepared, PublishError, Published, Publisher, Receipts, Sent,
};
use client::{Call, Graph};
use reqwest::Method;
use serde_json::{json, Value};
use std::time::Duration;
use url::Url;

/// The Graph API version used unless configured.
pub const DEFAULT_VERSION: &str = "v21.0";

/// Timeout of one HTTP request unless configured.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(30);

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
}

impl FacebookOptions {
    pub fn new(graph_url: Url) -> FacebookOptions {
        FacebookOptions {
            graph_url,
            version: DEFAULT_VERSION.to_string(),
            timeout: DEFAULT_TIMEOUT,
            rules: FacebookRules::default(),
            usage: UsagePolicy::default(),
        }
    }
}

/// Publishes to Facebook Pages. One per process: its holds are shared by every Page.
pub struct FacebookPublisher {
    graph: Graph,
    rules: FacebookRules,
}

impl FacebookPublisher {
    pub fn new(options: FacebookOptions) -> anyhow::Result<FacebookPublisher> {
        let graph = Graph::new(options.graph_url, options.version, options.timeout, options.usage)?;
        Ok(FacebookPublisher {
            graph,
            rules: options.rules,
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
        let call = Call {
            method: Method::GET,
            path: [post_id, ""],
            query: vec![("fields", "permalink_url".into())],
            body: None,
            what: "the post's link".into(),
            publishes: false,
        };
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
        let mut media_ids = Vec::with_capacity(post.media.len());
        for media in &post.media {
            let call = Call {
                method: Method::POST,
                path: [account.external_id.as_str(), "photos"],
                query: Vec::new(),
                body: Some(json!({ "url": media.url, "published": false })),
                what: format!("the photo {}", media.url),
                publishes: false,
            };
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
        let call = Call {
            method: Method::POST,
            path: [account.external_id.as_str(), "feed"],
            query: Vec::new(),
            body: Some(Value::Object(body)),
            what: "the post".into(),
            publishes: true,
        };
        let answer = self.graph.call(account, call).await?;
        let Some(post_id) = id_of(&answer) else {
            return Err(client::maybe_published(
                "Facebook answered the post without its id".into(),
            ));
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
