//! Publishing to the platforms: one [`Publisher`] per platform (`x/`, `facebook/`; Instagram and
//! TikTok follow), each with its rules (`rules.rs`), its client, and its error classification.
//!
//! A publish is split into steps that can be repeated safely ([`Publisher::check`],
//! [`Publisher::prepare`]: validate, upload media) and the one step that cannot
//! ([`Publisher::publish`]: the call that makes the post public). The scheduler records its intent
//! in the journal before `publish`, and when the outcome is unknown (timeout, 5xx on that call, a
//! crash) it asks [`Publisher::reconcile`] whether the post went out, instead of publishing again.

pub mod facebook;
pub mod x;

use crate::error_class::ErrorClass;
use chrono::{DateTime, Utc};
use secrecy::SecretString;
use std::fmt;
use std::future::Future;

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
}

/// One media file to attach.
#[derive(Debug, Clone, PartialEq)]
pub struct MediaRef {
    /// A public URL the worker (X) or the platform (Facebook) downloads.
    pub url: String,
    pub kind: MediaKind,
    /// Size in bytes, when known (from Cloudinary or the download).
    pub bytes: Option<u64>,
    pub width: Option<u32>,
    pub height: Option<u32>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MediaKind {
    Image,
    Gif,
    Video,
}

/// The account to publish with, its token decrypted from the vault just for this call.
#[derive(Debug, Clone)]
pub struct Account {
    /// The Airtable record of the account.
    pub record_id: String,
    /// The platform's id of the account: X user id, Facebook Page id (the `AccountID` field).
    pub external_id: String,
    /// The handle, for URLs (`AccountName` without a leading `@`).
    pub handle: Option<String>,
    pub token: SecretString,
}

/// What media preparation produced: the platform's ids of uploaded media, opaque to the scheduler.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Prepared {
    pub media_ids: Vec<String>,
}

/// A post that went out.
#[derive(Debug, Clone, PartialEq)]
pub struct Published {
    /// The platform's id of the post.
    pub platform_id: String,
    pub url: String,
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
    /// Checks the post against the platform's rules (caption, media counts, sizes); no call.
    fn check(&self, post: &PostContent) -> Result<(), RuleViolation>;

    /// Uploads the media; safe to repeat (at worst it uploads again).
    fn prepare(
        &self,
        account: &Account,
        post: &PostContent,
    ) -> impl Future<Output = Result<Prepared, PublishError>> + Send;

    /// The call that makes the post public. Never repeated by the caller after a timeout or a 5xx:
    /// such errors must be classed `OutcomeUnknown`.
    fn publish(
        &self,
        account: &Account,
        post: &PostContent,
        prepared: &Prepared,
    ) -> impl Future<Output = Result<Published, PublishError>> + Send;

    /// Whether the post went out after all: looks for it among the account's posts since `since`.
    /// `Ok(None)`: it did not (as far as the platform shows).
    fn reconcile(
        &self,
        account: &Account,
        post: &PostContent,
        since: DateTime<Utc>,
    ) -> impl Future<Output = Result<Option<Published>, PublishError>> + Send;
}
