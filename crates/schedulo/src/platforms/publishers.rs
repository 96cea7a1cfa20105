//! The platforms' publishers, picked by the account's [`Platform`] with a `match`: the one
//! dispatch from a platform to its [`Publisher`].

use crate::clock::Clock;
use crate::fetch::{MediaFetcher, MediaPolicy};
use crate::platforms::facebook::{FacebookOptions, FacebookPublisher};
use crate::platforms::instagram::{InstagramOptions, InstagramPublisher};
use crate::platforms::rules::PlatformRules;
use crate::platforms::tiktok::limits::CallLimits;
use crate::platforms::tiktok::{TikTokOptions, TikTokPublisher};
use crate::platforms::x::{XOptions, XPublisher};
use crate::platforms::{
    Account, Attempt, Found, Platform, PostContent, Prepared, PublishError, Publisher, Receipts, RuleViolation, Sent,
};
use std::time::Duration;
use url::Url;

/// Every publisher the worker has.
pub struct Publishers {
    pub x: XPublisher,
    pub facebook: FacebookPublisher,
    pub instagram: InstagramPublisher,
    pub tiktok: TikTokPublisher,
    /// The one way media is downloaded (X's uploads, TikTok's `FILE_UPLOAD`, the scheduler's probe).
    pub media: MediaFetcher,
}

/// Where the platforms' APIs are (the real ones, or the sandbox's).
#[derive(Debug, Clone)]
pub struct PlatformUrls {
    pub x: Url,
    /// Meta's Graph API: Facebook Pages and Instagram accounts.
    pub facebook: Url,
    pub tiktok: Url,
}

impl Publishers {
    /// The publishers with the built-in rules, on `clock` (the worker's; tests pause it).
    /// Media comes from Cloudinary's delivery host and the sandboxes among `urls`.
    pub fn new(urls: &PlatformUrls, clock: Clock) -> anyhow::Result<Publishers> {
        let delivery = Url::parse("https://res.cloudinary.com")?;
        let media = MediaFetcher::new(MediaPolicy::new(
            &delivery,
            Vec::new(),
            &[&urls.x, &urls.facebook, &urls.tiktok],
        ))?;
        Publishers::with_rules(urls, &PlatformRules::builtin(), clock, media)
    }

    /// The publishers with `rules` (`scenarios/platform-rules.toml`).
    pub fn with_rules(
        urls: &PlatformUrls,
        rules: &PlatformRules,
        clock: Clock,
        media: MediaFetcher,
    ) -> anyhow::Result<Publishers> {
        Ok(Publishers {
            x: XPublisher::new(XOptions {
                rules: rules.x.clone(),
                media: Some(media.clone()),
                ..XOptions::new(urls.x.clone())
            })?,
            facebook: FacebookPublisher::new(FacebookOptions {
                rules: rules.facebook.clone(),
                clock,
                ..FacebookOptions::new(urls.facebook.clone())
            })?,
            instagram: InstagramPublisher::new(InstagramOptions {
                rules: rules.instagram.clone(),
                clock,
                ..InstagramOptions::new(urls.facebook.clone())
            })?,
            tiktok: TikTokPublisher::new(TikTokOptions {
                rules: rules.tiktok.clone(),
                clock,
                // Never wait for a turn inside a call: the scheduler holds the post instead, so one
                // account's per-minute limit cannot delay other posts due at the same time.
                limits: CallLimits {
                    max_local_wait: std::time::Duration::ZERO,
                    ..CallLimits::default()
                },
                media: Some(media.clone()),
                ..TikTokOptions::new(urls.tiktok.clone())
            })?,
            media,
        })
    }

    pub fn check(&self, platform: Platform, post: &PostContent) -> Result<(), RuleViolation> {
        match platform {
            Platform::Twitter => self.x.check(post),
            Platform::Facebook => self.facebook.check(post),
            Platform::TikTok => self.tiktok.check(post),
            Platform::Instagram => self.instagram.check(post),
        }
    }

    /// How long ahead of its time the post may be prepared (`None`: right before publishing).
    pub fn prepare_ahead(&self, platform: Platform, post: &PostContent) -> Option<Duration> {
        match platform {
            Platform::Twitter => self.x.prepare_ahead(post),
            Platform::Facebook => self.facebook.prepare_ahead(post),
            Platform::TikTok => self.tiktok.prepare_ahead(post),
            Platform::Instagram => self.instagram.prepare_ahead(post),
        }
    }

    pub async fn prepare(
        &self,
        platform: Platform,
        account: &Account,
        post: &PostContent,
    ) -> Result<Prepared, PublishError> {
        match platform {
            Platform::Twitter => self.x.prepare(account, post).await,
            Platform::Facebook => self.facebook.prepare(account, post).await,
            Platform::TikTok => self.tiktok.prepare(account, post).await,
            Platform::Instagram => self.instagram.prepare(account, post).await,
        }
    }

    pub async fn publish(
        &self,
        platform: Platform,
        account: &Account,
        post: &PostContent,
        prepared: &Prepared,
        receipts: &Receipts,
    ) -> Result<Sent, PublishError> {
        match platform {
            Platform::Twitter => self.x.publish(account, post, prepared, receipts).await,
            Platform::Facebook => self.facebook.publish(account, post, prepared, receipts).await,
            Platform::TikTok => self.tiktok.publish(account, post, prepared, receipts).await,
            Platform::Instagram => self.instagram.publish(account, post, prepared, receipts).await,
        }
    }

    pub async fn reconcile(
        &self,
        platform: Platform,
        account: &Account,
        post: &PostContent,
        attempt: Attempt<'_>,
    ) -> Result<Found, PublishError> {
        match platform {
            Platform::Twitter => self.x.reconcile(account, post, attempt).await,
            Platform::Facebook => self.facebook.reconcile(account, post, attempt).await,
            Platform::TikTok => self.tiktok.reconcile(account, post, attempt).await,
            Platform::Instagram => self.instagram.reconcile(account, post, attempt).await,
        }
    }
}
