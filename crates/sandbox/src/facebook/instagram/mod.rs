//! Instagram professional accounts on the sandbox Graph API (Instagram API with Facebook Login:
//! the same host and version as the Pages API).
//!
//! # What it implements (under `/{version}/`)
//! - `POST {ig-user-id}/media` ([`containers`]): an image, Reel, Story, carousel item or carousel
//!   container -> `{id}`. The media URL is fetched at once (loopback only; anything else, or a
//!   URL that does not answer with media, is Meta's `9004 / 2207052` "Media download has
//!   failed"); its properties are read with [`schedulo_media::probe`] and held to Instagram's
//!   rules ([`checks`]). A container is `IN_PROGRESS` for `container_processing_secs`, then
//!   `FINISHED`, or `ERROR` with Meta's `status` text when the media breaks a rule; `EXPIRED`
//!   24 h after its creation unless published; `PUBLISHED` after `media_publish`. At most 400
//!   containers per account in 24 h.
//! - `POST {ig-user-id}/media_publish {creation_id}` ([`publish`]) -> `{id}`: only a `FINISHED`
//!   container that is not a carousel item (`IN_PROGRESS`: `9007 / 2207027` "Media ID is not
//!   available"; `EXPIRED`: `-2 / 2207020`); at most `quota_total` posts per rolling
//!   `quota_duration` (over it: `9 / 2207042`).
//! - `GET {ig-user-id}/content_publishing_limit?fields=quota_usage,config`.
//! - `GET {ig-user-id}/media` (newest first, Stories apart) and `GET {ig-user-id}/stories`, with
//!   Graph's cursor paging, `since`/`until` and `fields` incl. `media_url`, `like_count`,
//!   `comments_count` ([`media`]).
//! - `GET {container-id}?fields=id,status_code,status`, `GET {media-id}?fields=` (those of
//!   [`media`]), `GET {ig-user-id}?fields=
//!   id,username,media_count`. Permalinks point at `/_sandbox/instagram/p/{media-id}`.
//! - The account's token (`Authorization: Bearer` or `access_token`); another account's token
//!   cannot see its objects (Meta's `100 / 33`).
//!
//! # Time
//! Container processing, expiry and the quota window run on tokio's clock (tests pause and
//! advance it); timestamps are the sandbox's clock (wall time at start plus tokio time since).

pub mod checks;
pub mod containers;
pub mod media;
pub mod publish;

use super::app::Inner;
use super::InstagramSandboxUser;
use chrono::{DateTime, Utc};
use schedulo_media::MediaInfo;
use serde::Serialize;
use std::collections::VecDeque;
use std::time::Duration;
use tokio::time::Instant;

/// An Instagram account and what was made on it.
pub struct IgUser {
    pub user: InstagramSandboxUser,
    /// Containers, oldest first.
    pub containers: Vec<Container>,
    /// Published media, oldest first.
    pub media: Vec<IgMedia>,
    /// When each `media_publish` succeeded (tokio clock), for the quota window.
    pub publishes: VecDeque<Instant>,
    /// When each container was created (tokio clock), for the 400-a-day cap.
    pub created: VecDeque<Instant>,
}

impl IgUser {
    pub fn new(user: InstagramSandboxUser) -> IgUser {
        IgUser {
            user,
            containers: Vec::new(),
            media: Vec::new(),
            publishes: VecDeque::new(),
            created: VecDeque::new(),
        }
    }

    /// Publishes within `window` before `now`.
    pub fn publishes_within(&mut self, now: Instant, window: Duration) -> usize {
        while self.publishes.front().is_some_and(|t| now.duration_since(*t) >= window) {
            self.publishes.pop_front();
        }
        self.publishes.len()
    }

    /// Containers created within `window` before `now`.
    pub fn created_within(&mut self, now: Instant, window: Duration) -> usize {
        while self.created.front().is_some_and(|t| now.duration_since(*t) >= window) {
            self.created.pop_front();
        }
        self.created.len()
    }
}

/// What a container holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, serde::Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum ContainerKind {
    Image,
    Reels,
    Stories,
    /// A carousel item that is a video (`media_type=VIDEO`).
    Video,
    Carousel,
}

/// A media container.
pub struct Container {
    pub id: String,
    pub kind: ContainerKind,
    /// `is_carousel_item=true`: only a carousel may use it.
    pub carousel_item: bool,
    pub caption: Option<String>,
    /// `image_url` or `video_url`; none for a carousel.
    pub url: Option<String>,
    pub children: Vec<String>,
    /// What the fetched media showed.
    pub info: Option<MediaInfo>,
    /// Why Meta's processing fails it: Meta's `status` text.
    pub error: Option<String>,
    /// Tokio clock, for processing and expiry.
    pub at: Instant,
    /// The media it became.
    pub published: Option<String>,
}

/// A container's `status_code`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum Status {
    InProgress,
    Finished,
    Error,
    Expired,
    Published,
}

impl Status {
    pub fn code(self) -> &'static str {
        match self {
            Status::InProgress => "IN_PROGRESS",
            Status::Finished => "FINISHED",
            Status::Error => "ERROR",
            Status::Expired => "EXPIRED",
            Status::Published => "PUBLISHED",
        }
    }
}

impl Container {
    /// Its status at `now`, given how long processing takes and how long a container lives.
    pub fn status(&self, now: Instant, processing: Duration, lifetime: Duration) -> Status {
        let age = now.saturating_duration_since(self.at);
        if self.published.is_some() {
            Status::Published
        } else if age >= lifetime {
            Status::Expired
        } else if age < processing {
            Status::InProgress
        } else if self.error.is_some() {
            Status::Error
        } else {
            Status::Finished
        }
    }

    /// Meta's `status` text for a status (the `Error: ...` text is the reason it failed).
    pub fn status_text(&self, status: Status) -> String {
        match status {
            Status::InProgress => "In Progress: Media is still being processed.".into(),
            Status::Finished => "Finished: Media has been uploaded and it is ready to be published.".into(),
            Status::Error => self.error.clone().unwrap_or_default(),
            Status::Expired => "Expired: Media was not published within 24 hours.".into(),
            Status::Published => "Published: Media has been successfully published.".into(),
        }
    }
}

/// A published Instagram post.
#[derive(Debug, Clone, Serialize)]
pub struct IgMedia {
    pub id: String,
    /// The container it came from.
    pub container: String,
    pub caption: Option<String>,
    /// `IMAGE`, `VIDEO` or `CAROUSEL_ALBUM`.
    pub media_type: &'static str,
    /// `FEED`, `REELS` or `STORY`.
    pub media_product_type: &'static str,
    /// The items of a carousel (their container ids).
    pub children: Vec<String>,
    /// A short code for the permalink, as Instagram's.
    pub shortcode: String,
    pub timestamp: DateTime<Utc>,
}

impl Inner {
    /// The account and index of a container id.
    pub fn find_container(&self, id: &str) -> Option<(usize, usize)> {
        self.ig_users
            .iter()
            .enumerate()
            .find_map(|(u, user)| user.containers.iter().position(|c| c.id == id).map(|i| (u, i)))
    }

    /// The account and index of a published media id.
    pub fn find_ig_media(&self, id: &str) -> Option<(usize, usize)> {
        self.ig_users
            .iter()
            .enumerate()
            .find_map(|(u, user)| user.media.iter().position(|m| m.id == id).map(|i| (u, i)))
    }
}
