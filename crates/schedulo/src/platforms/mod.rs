//! Publishing to the platforms: one [`Publisher`] per platform (`x/`, `facebook/`, `instagram/`,
//! `tiktok/`), each with its rules (`rules.rs`), its client, and its error classification.
//! Facebook and Instagram share Meta's Graph API client, codes and usage headers ([`meta_graph`]).
//! [`Platform`] names the four (the one list of them); [`Publishers`] holds one publisher each and
//! dispatches to it with a `match`; [`rules::PlatformRules`] checks a post by platform without a client.
//!
//! A publish is split into steps that can be repeated safely ([`Publisher::check`],
//! [`Publisher::prepare`]: validate, upload media) and the one step that cannot
//! ([`Publisher::publish`]: the call that makes the post public). The scheduler records its intent
//! in the journal before `publish`, and when the outcome is unknown (timeout, 5xx on that call, a
//! crash) it asks [`Publisher::reconcile`] whether the post went out, instead of publishing again.

pub mod facebook;
pub mod instagram;
pub mod meta_graph;
mod platform;
pub mod publishers;
pub mod rules;
pub mod tiktok;
pub mod x;

use crate::error_class::ErrorClass;
pub use crate::media::MediaInfo;
use chrono::{DateTime, Utc};
pub use platform::Platform;
pub use publishers::{PlatformUrls, Publishers};
use secrecy::SecretString;
use serde::{Deserialize, Serialize};
use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::time::Duration;

/// What to publish, as the platform will show it.
#[derive(Debug, Clone, PartialEq)]
pub struct PostContent {
    /// The Airtable record of the post (for messages and logs).
    pub record_id: String,
    /// The text as posted: the caption, then the hashtags on a new line when there are any.
    pub text: String,
    /// A link to share (Facebook link posts); X puts links in the text.
    pub link: Option<String>,
    /// Media to attach, in order.
    pub media: Vec<MediaRef>,
    /// Where on the platform the post goes (the post's `Format`).
    pub format: PostFormat,
}

/// Where a post goes on its platform (the `Format` field of `ScheduledPosts`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum PostFormat {
    /// The feed (or timeline). On Instagram a video in the feed is a Reel: Meta publishes feed
    /// video only as `REELS`.
    #[default]
    Post,
    /// A short vertical video: Instagram Reels, Facebook Reels.
    Reel,
    /// A story (Instagram, 24 h).
    Story,
}

impl fmt::Display for PostFormat {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            PostFormat::Post => "Post",
            PostFormat::Reel => "Reel",
            PostFormat::Story => "Story",
        })
    }
}

/// One media file to attach.
#[derive(Debug, Clone, PartialEq)]
pub struct MediaRef {
    /// A public URL the worker (X) or the platform (Facebook, Instagram, TikTok) downloads.
    pub url: String,
    pub kind: MediaKind,
    /// What is known of the file (from Cloudinary, or read from the file).
    pub info: MediaInfo,
}

impl MediaRef {
    /// A file of which nothing is known yet but its URL and kind.
    pub fn new(url: impl Into<String>, kind: MediaKind) -> MediaRef {
        MediaRef {
            url: url.into(),
            kind,
            info: MediaInfo::default(),
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MediaKind {
    Image,
    Gif,
    Video,
}

impl fmt::Display for MediaKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            MediaKind::Image => "image",
            MediaKind::Gif => "GIF",
            MediaKind::Video => "video",
        })
    }
}

/// The account to publish with, its token decrypted from the vault just for this call.
#[derive(Debug, Clone)]
pub struct Account {
    /// The Airtable record of the account.
    pub record_id: String,
    /// The platform's id of the account: X user id, Facebook Page id, Instagram user id, TikTok
    /// open_id (the `AccountID` field).
    pub external_id: String,
    /// The handle, for URLs (`AccountName` without a leading `@`).
    pub handle: Option<String>,
    pub token: SecretString,
}

/// What media preparation produced, opaque to the scheduler, which keeps it in the journal (so
/// that it survives a restart, and so that reconciling can ask about it).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Prepared {
    /// The platform's ids of uploaded media (X media ids, Facebook photo ids, Instagram item
    /// containers of a carousel).
    #[serde(default)]
    pub media_ids: Vec<String>,
    /// The platform's id of the one object that publishing makes public, when it exists before
    /// publishing (Instagram: the container; Facebook Reels: the video).
    #[serde(default)]
    pub container: Option<String>,
    /// Whether the platform has finished processing it (no status check needed before publishing).
    #[serde(default)]
    pub ready: bool,
    /// Until when it may be used. `None`: only for the publish that follows at once.
    #[serde(default)]
    pub expires_at: Option<DateTime<Utc>>,
}

/// A post that went out.
#[derive(Debug, Clone, PartialEq)]
pub struct Published {
    /// The platform's id of the post.
    pub platform_id: String,
    pub url: String,
}

/// What the publish call achieved.
#[derive(Debug, Clone, PartialEq)]
pub enum Sent {
    /// The post is public.
    Published(Published),
    /// The platform took the post and finishes it on its own (TikTok: processing, moderation).
    /// `receipt` names it for [`Publisher::reconcile`] (TikTok's `publish_id`); the scheduler
    /// keeps it in the journal before anything else.
    Accepted { receipt: String },
}

type KeepFuture = Pin<Box<dyn Future<Output = Result<(), String>> + Send>>;

/// Where a publisher hands a receipt (what names the attempt at the platform, e.g. TikTok's
/// `publish_id`) the moment the platform returns it; the scheduler keeps it in the journal, so that
/// a crash after that moment is reconciled by the receipt instead of published again.
#[derive(Clone)]
pub struct Receipts {
    keep: Arc<dyn Fn(String) -> KeepFuture + Send + Sync>,
}

impl Receipts {
    /// Receipts handed to `keep`, which stores them durably (or says why it could not).
    pub fn new<F, Fut>(keep: F) -> Receipts
    where
        F: Fn(String) -> Fut + Send + Sync + 'static,
        Fut: Future<Output = Result<(), String>> + Send + 'static,
    {
        Receipts {
            keep: Arc::new(move |r| Box::pin(keep(r))),
        }
    }

    /// Receipts that are not kept (tests, and calls outside the scheduler).
    pub fn discard() -> Receipts {
        Receipts::new(|_| async { Ok(()) })
    }

    /// Keeps `receipt`. A failure is an unknown outcome: the platform has the post, and the
    /// scheduler could not note how to ask about it.
    pub async fn keep(&self, receipt: &str) -> Result<(), PublishError> {
        (self.keep)(receipt.to_string()).await.map_err(|e| PublishError {
            class: ErrorClass::OutcomeUnknown,
            message: format!("The platform took the post as {receipt}, but it could not be noted: {e}"),
            retry_at: None,
        })
    }
}

impl fmt::Debug for Receipts {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Receipts")
    }
}

/// What the scheduler knows of an attempt whose outcome is to be found.
#[derive(Debug, Clone, Copy)]
pub struct Attempt<'a> {
    /// A little before the publish call was made.
    pub since: DateTime<Utc>,
    /// What preparation produced, when it was kept (Instagram: the container to ask about).
    pub prepared: Option<&'a Prepared>,
    /// What the publish call returned before the outcome was known ([`Sent::Accepted`]).
    pub receipt: Option<&'a str>,
}

/// What the platform says of an attempt.
#[derive(Debug, Clone, PartialEq)]
pub enum Found {
    /// It went out.
    Published(Published),
    /// It did not go out, as far as the platform shows. `certain`: the platform says so for this
    /// very attempt (an Instagram container that is not `PUBLISHED`), so publishing again cannot
    /// post twice; otherwise only a listing did not show it (X, Facebook), which may lag.
    NotPublished { certain: bool },
    /// The platform is still working on it (TikTok processing and moderation): ask again then.
    Pending { check_at: DateTime<Utc>, note: String },
    /// The platform gave up on it; it did not go out. The message is fit for `ErrorMessage`.
    Failed(String),
}

/// A rule of the platform that the post breaks, checked before any call: names the rule and the value.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RuleViolation {
    /// A short name of the rule, e.g. "x.images".
    pub rule: &'static str,
    /// For people: "X allows 4 images; this post has 5".
    pub message: String,
}

impl fmt::Display for RuleViolation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

/// A failed platform call, classified.
#[derive(Debug, Clone, PartialEq)]
pub struct PublishError {
    pub class: ErrorClass,
    /// Fit for `ErrorMessage`: the platform's own message with its code, never a token.
    pub message: String,
    /// For rate limits: when the platform says calls will succeed again.
    pub retry_at: Option<DateTime<Utc>>,
}

impl fmt::Display for PublishError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for PublishError {}

/// One platform's publishing.
pub trait Publisher {
    /// Checks the post against the platform's rules (caption, media counts, sizes, durations,
    /// formats, from what [`MediaInfo`] knows); no call.
    fn check(&self, post: &PostContent) -> Result<(), RuleViolation>;

    /// How long ahead of its time a post may be prepared, so that at its time only the publish
    /// call remains (Instagram: containers, which Meta processes, live 24 h). `None`: prepared
    /// right before publishing.
    fn prepare_ahead(&self, _post: &PostContent) -> Option<Duration> {
        None
    }

    /// Uploads the media, creates containers; safe to repeat (at worst it uploads again).
    fn prepare(
        &self,
        account: &Account,
        post: &PostContent,
    ) -> impl Future<Output = Result<Prepared, PublishError>> + Send;

    /// The call that makes the post public (after waiting, if need be, for what `prepare` made to
    /// finish processing). Never repeated by the caller after a timeout or a 5xx: such errors must
    /// be classed `OutcomeUnknown`.
    ///
    /// What the platform returns before the post is final (TikTok's `publish_id` from `init`, before
    /// the upload) goes to `receipts` the moment it arrives, before any further call.
    fn publish(
        &self,
        account: &Account,
        post: &PostContent,
        prepared: &Prepared,
        receipts: &Receipts,
    ) -> impl Future<Output = Result<Sent, PublishError>> + Send;

    /// Whether the attempt went out after all: by what it left (an Instagram container's status, a
    /// TikTok `publish_id`), or else by looking among the account's posts since `attempt.since`.
    fn reconcile(
        &self,
        account: &Account,
        post: &PostContent,
        attempt: Attempt<'_>,
    ) -> impl Future<Output = Result<Found, PublishError>> + Send;
}

impl Sent {
    /// The post, when it is public already.
    pub fn into_published(self) -> Option<Published> {
        match self {
            Sent::Published(p) => Some(p),
            Sent::Accepted { .. } => None,
        }
    }
}

impl Found {
    /// The post, when it went out.
    pub fn into_published(self) -> Option<Published> {
        match self {
            Found::Published(p) => Some(p),
            _ => None,
        }
    }
}

impl Attempt<'static> {
    /// An attempt known only by its time (nothing prepared kept, no receipt).
    pub fn since(since: DateTime<Utc>) -> Attempt<'static> {
        Attempt {
            since,
            prepared: None,
            receipt: None,
        }
    }
}
