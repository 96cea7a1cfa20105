//! Instagram (professional accounts, Instagram API with Facebook Login): image posts, carousels,
//! Reels and Stories, through media containers that Meta processes.
//!
//! # Calls (Meta's Content Publishing guide and IG User / IG Container references; Graph API at
//! the same URL and version as Facebook, e.g. `https://graph.facebook.com/v21.0`)
//! - [`Publisher::prepare`] creates the container(s) ([`containers`]): `POST /{ig-user-id}/media`
//!   (carousel: each item with `is_carousel_item=true`, every item waited for until `FINISHED`,
//!   then the `CAROUSEL` container), and polls `GET /{container}?fields=status_code,status` with
//!   [`PollBackoff`] for at most [`InstagramOptions::prepare_wait`]. [`Prepared`] holds the
//!   container, its items, whether it is `FINISHED`, and its expiry (containers live 24 h; a
//!   margin is kept). Prepared up to [`InstagramOptions::prepare_ahead`] (23 h) before the post's
//!   time, so that at its time only the publish call remains.
//! - [`Publisher::publish`]: a container not yet `FINISHED` is waited for (at most
//!   [`InstagramOptions::publish_wait`]); the publishing limit is read ([`quota`]); then
//!   `POST /{ig-user-id}/media_publish {creation_id}` -> `{id}` (the call that makes the post
//!   public) and `GET /{media-id}?fields=permalink` (on failure the profile's URL is returned;
//!   the publish does not fail for it).
//! - [`Publisher::reconcile`]: by the container's status ([`reconcile`]).
//! - The token goes in `Authorization: Bearer`, never in a URL.
//!
//! # Rules ([`InstagramRules`], checked before any call)
//! Media required; JPEG images up to 8 MB, 4:5 to 1.91:1; carousels of 2 to 10 images or videos;
//! Reels (a feed video is a Reel) MP4/MOV, H.264/HEVC, 3 s to 15 min; Stories one image or video
//! (video up to 60 s); captions up to 2,200 characters and 5 hashtags.
//!
//! # Limits
//! The account's publishing limit (`content_publishing_limit`: `quota_usage` of `quota_total`
//! over `quota_duration` seconds, 50 in 24 h today) is read before each publish; a post over it
//! is `RateLimited` until the oldest post of the window leaves it. Meta's refusal for it (code 9,
//! subcode 2207042) is handled the same way. 400 containers per account in 24 h (a refusal is
//! `RateLimited`). The Graph API usage headers and throttle codes hold calls as for Facebook
//! ([`crate::platforms::meta_graph::usage`]).
//!
//! # Error classes (Meta's Graph API codes, [`crate::platforms::meta_graph::errors`], and
//! Instagram's: developers.facebook.com/docs/instagram-platform/instagram-graph-api/reference/error-codes)
//! | Meta | class |
//! |---|---|
//! | 190, 102 | auth |
//! | 4, 17, 32, 613, 80002; 9 / 2207042 (publishing limit) | rate-limited |
//! | 1, 2, -1, -2 (2207001, 2207003, 2207020, 2207032, 2207053), 9007 / 2207027, 2207008 | transient |
//! | 100, 10, 200-299, 36000-36003 (media), 9004 / 2207052 (download failed), 4 / 2207051 (spam) | permanent |
//! | container `ERROR` | permanent, with Meta's `status` text |
//! | container `EXPIRED` | transient: prepared again |
//!
//! On `media_publish`, a timeout, a 5xx or a transient code is `OutcomeUnknown`; the container's
//! status then tells for certain whether the post went out.
//!
//! # Layout
//! [`rules`], [`containers`], `publish` (what `publish` waits for), [`quota`], [`reconcile`]; the
//! Graph API client, error codes and usage headers are [`crate::platforms::meta_graph`], shared
//! with Facebook.

pub mod containers;
mod publish;
pub mod quota;
pub mod reconcile;
pub mod rules;

pub use crate::platforms::meta_graph::PollBackoff;
pub use rules::InstagramRules;

use crate::clock::Clock;
use crate::error_class::ErrorClass;
use crate::platforms::meta_graph::client::{Call, Graph, Vendor};
use crate::platforms::meta_graph::wording::label;
use crate::platforms::meta_graph::UsagePolicy;
use crate::platforms::{
    Account, Attempt, Found, PostContent, Prepared, PublishError, Published, Publisher, Receipts, RuleViolation, Sent,
};
use containers::{Plan, StatusCode};
use serde_json::{json, Value};
use std::time::Duration;
use url::Url;

/// What the publisher needs; built from the worker's config or by tests.
#[derive(Debug, Clone)]
pub struct InstagramOptions {
    /// `https://graph.facebook.com` (the same as Facebook's), or the sandbox's URL.
    pub graph_url: Url,
    /// The Graph API version in every path, e.g. `v21.0`.
    pub version: String,
    /// Timeout of one HTTP request.
    pub timeout: Duration,
    /// Pauses between status reads of a container (1 s, doubling, at most 10 s).
    pub poll: PollBackoff,
    /// How long `prepare` waits for its container to be `FINISHED` before returning it as not
    /// ready (then `publish` waits for it).
    pub prepare_wait: Duration,
    /// How long `publish` waits for a container that is not `FINISHED` yet before giving up for
    /// this attempt (`Transient`).
    pub publish_wait: Duration,
    /// How long before its time a post may be prepared (containers live 24 h).
    pub prepare_ahead: Duration,
    /// How long Meta keeps a container (24 h).
    pub container_lifetime: Duration,
    /// Kept off the container's lifetime in `Prepared::expires_at`, so that it is not used at the
    /// edge of its expiry.
    pub expiry_margin: Duration,
    /// How long a post over the publishing limit waits when the account's posts do not tell when
    /// a slot frees.
    pub quota_fallback_wait: Duration,
    pub rules: InstagramRules,
    /// When to hold calls because of Meta's usage headers.
    pub usage: UsagePolicy,
    /// The worker's clock (container expiry, the quota window).
    pub clock: Clock,
}

impl InstagramOptions {
    pub fn new(graph_url: Url) -> InstagramOptions {
        InstagramOptions {
            graph_url,
            version: crate::platforms::meta_graph::DEFAULT_VERSION.to_string(),
            timeout: crate::platforms::meta_graph::DEFAULT_TIMEOUT,
            poll: PollBackoff::default(),
            prepare_wait: Duration::from_secs(30),
            publish_wait: Duration::from_secs(120),
            prepare_ahead: Duration::from_secs(23 * 3600),
            container_lifetime: Duration::from_secs(24 * 3600),
            expiry_margin: Duration::from_secs(30 * 60),
            quota_fallback_wait: Duration::from_secs(3600),
            rules: InstagramRules::default(),
            usage: UsagePolicy::default(),
            clock: Clock::new(),
        }
    }
}

/// Publishes to Instagram professional accounts. One per process: its holds are shared.
pub struct InstagramPublisher {
    graph: Graph,
    rules: InstagramRules,
    poll: PollBackoff,
    prepare_wait: Duration,
    publish_wait: Duration,
    prepare_ahead: Duration,
    container_lifetime: Duration,
    expiry_margin: Duration,
    quota_fallback_wait: Duration,
    clock: Clock,
}

impl InstagramPublisher {
    pub fn new(options: InstagramOptions) -> anyhow::Result<InstagramPublisher> {
        let graph = Graph::new(
            options.graph_url,
            options.version,
            options.timeout,
            options.usage,
            Vendor::INSTAGRAM,
        )?;
        Ok(InstagramPublisher {
            graph,
            rules: options.rules,
            poll: options.poll,
            prepare_wait: options.prepare_wait,
            publish_wait: options.publish_wait,
            prepare_ahead: options.prepare_ahead,
            container_lifetime: options.container_lifetime,
            expiry_margin: options.expiry_margin,
            quota_fallback_wait: options.quota_fallback_wait,
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

    /// A rate limit without a time (the 400 containers a day, a publishing refusal when the
    /// listing cannot tell): the fallback wait.
    fn no_quota_time(&self, mut e: PublishError) -> PublishError {
        if e.class == ErrorClass::RateLimited && e.retry_at.is_none() {
            let wait = chrono::Duration::from_std(self.quota_fallback_wait).unwrap_or(chrono::Duration::hours(1));
            e.retry_at = Some(self.clock.now() + wait);
        }
        e
    }
}

impl Publisher for InstagramPublisher {
    fn check(&self, post: &PostContent) -> Result<(), RuleViolation> {
        self.rules.check(post)
    }

    fn prepare_ahead(&self, _post: &PostContent) -> Option<Duration> {
        Some(self.prepare_ahead)
    }

    async fn prepare(&self, account: &Account, post: &PostContent) -> Result<Prepared, PublishError> {
        self.recheck(post)?;
        let created = self.clock.now();
        let what = containers::what(post);
        let (container, media_ids) = match containers::plan(post) {
            Plan::Single(media) => {
                let body = containers::single_body(post, media);
                (Some(self.create(account, body, &what).await?), Vec::new())
            }
            Plan::Carousel(items) => {
                let mut children = Vec::with_capacity(items.len());
                for (i, media) in items.iter().enumerate() {
                    let label = label(i + 1, media);
                    children.push(self.create(account, containers::item_body(media), &label).await?);
                }
                let parent = self.carousel(account, post, &children, self.prepare_wait).await?;
                (parent, children)
            }
        };
        let lifetime = self.container_lifetime.saturating_sub(self.expiry_margin);
        let expires_at = Some(created + chrono::Duration::from_std(lifetime).unwrap_or_default());
        let Some(id) = container else {
            tracing::debug!(message = "Carousel items still processing; the carousel is made at publish.", record = %post.record_id);
            return Ok(Prepared {
                media_ids,
                container: None,
                ready: false,
                expires_at,
            });
        };
        let state = self.wait(account, &id, self.prepare_wait).await?;
        let ready = match state.code {
            StatusCode::Finished => true,
            StatusCode::Error => return Err(containers::failed(&what, &state)),
            StatusCode::Expired => return Err(containers::expired(&what)),
            StatusCode::InProgress | StatusCode::Other(_) | StatusCode::Published => false,
        };
        tracing::debug!(message = "Instagram container prepared.", record = %post.record_id, container = %id, ready);
        Ok(Prepared {
            media_ids,
            container: Some(id),
            ready,
            expires_at,
        })
    }

    async fn publish(
        &self,
        account: &Account,
        post: &PostContent,
        prepared: &Prepared,
        receipts: &Receipts,
    ) -> Result<Sent, PublishError> {
        self.recheck(post)?;
        let container = match self.finished_container(account, post, prepared, receipts).await? {
            Ok(container) => container,
            Err(published) => return Ok(Sent::Published(published)),
        };
        let quota = self.quota(account).await?;
        if let Some(q) = quota.filter(|q| q.used_up()) {
            return Err(self.over_quota(account, Some(q)).await);
        }
        let call = Call::post(
            [account.external_id.as_str(), "media_publish"],
            json!({ "creation_id": container }),
            "the post",
        )
        .publishing();
        let answer = match self.graph.call(account, call).await {
            Ok(answer) => answer,
            Err(e) if e.class == ErrorClass::RateLimited && e.retry_at.is_none() => {
                let mut limited = self.over_quota(account, quota).await;
                limited.message = format!("{}. {}", e.message, limited.message);
                return Err(limited);
            }
            Err(e) => return Err(e),
        };
        let media_id = match answer.get("id") {
            Some(Value::String(id)) if !id.trim().is_empty() => id.trim().to_string(),
            Some(Value::Number(n)) => n.to_string(),
            _ => {
                return Err(self
                    .graph
                    .vendor
                    .maybe_published("Instagram answered the post without its id".into()))
            }
        };
        tracing::info!(message = "Published to Instagram.", record = %post.record_id, %media_id, %container);
        let url = self.permalink(account, &media_id).await;
        Ok(Sent::Published(Published {
            platform_id: media_id,
            url,
        }))
    }

    async fn reconcile(
        &self,
        account: &Account,
        post: &PostContent,
        attempt: Attempt<'_>,
    ) -> Result<Found, PublishError> {
        self.find(account, post, attempt).await
    }
}

#[cfg(test)]
mod sandbox_tests;
