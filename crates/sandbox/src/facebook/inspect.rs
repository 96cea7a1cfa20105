//! What tests and the admin path read of Instagram accounts and Page videos.

use super::app::Inner;
use super::instagram::{IgUser, Status};
use super::videos::{Phase, VideoKind};
use super::{FacebookSandbox, InstagramSandboxUser};
use chrono::{DateTime, Utc};
use serde::Serialize;
use tokio::time::Instant;

/// A published Instagram post.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SandboxIgMedia {
    pub id: String,
    /// The container it was published from.
    pub container: String,
    pub caption: Option<String>,
    /// `IMAGE`, `VIDEO`, `CAROUSEL_ALBUM`.
    pub media_type: String,
    /// `FEED`, `REELS`, `STORY`.
    pub media_product_type: String,
    /// Items of a carousel (their container ids).
    pub children: Vec<String>,
    pub timestamp: DateTime<Utc>,
}

/// An Instagram container as it stands.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SandboxContainer {
    pub id: String,
    /// `IMAGE`, `REELS`, `STORIES`, `VIDEO`, `CAROUSEL`.
    pub kind: String,
    pub carousel_item: bool,
    /// `IN_PROGRESS`, `FINISHED`, `ERROR`, `EXPIRED`, `PUBLISHED`.
    pub status_code: String,
    pub status: String,
    /// The `image_url` or `video_url` it was made from (none for a carousel).
    pub url: Option<String>,
    /// What the fetched media showed.
    pub info: Option<schedulo_media::MediaInfo>,
}

/// A Page video or Reel as it stands.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SandboxVideo {
    pub id: String,
    /// `page` or `reel`.
    pub kind: String,
    pub description: Option<String>,
    /// `processing`, `ready`, `error`.
    pub video_status: String,
    /// Whether it is public (published and processed).
    pub published: bool,
    /// Its feed post.
    pub post_id: Option<String>,
}

fn text<T: Serialize>(value: T) -> String {
    serde_json::to_value(value)
        .ok()
        .and_then(|v| v.as_str().map(str::to_string))
        .unwrap_or_default()
}

impl Inner {
    pub fn ig_media_of(&self, user: &IgUser) -> Vec<SandboxIgMedia> {
        user.media
            .iter()
            .map(|m| SandboxIgMedia {
                id: m.id.clone(),
                container: m.container.clone(),
                caption: m.caption.clone(),
                media_type: m.media_type.into(),
                media_product_type: m.media_product_type.into(),
                children: m.children.clone(),
                timestamp: m.timestamp,
            })
            .collect()
    }
}

pub fn containers_of(user: &IgUser, settings: &super::app::Settings) -> Vec<SandboxContainer> {
    let now = Instant::now();
    user.containers
        .iter()
        .map(|c| {
            let status: Status = c.status(now, settings.container_processing, settings.container_lifetime);
            SandboxContainer {
                id: c.id.clone(),
                kind: text(c.kind),
                carousel_item: c.carousel_item,
                status_code: status.code().into(),
                status: c.status_text(status),
                url: c.url.clone(),
                info: c.info.clone(),
            }
        })
        .collect()
}

impl FacebookSandbox {
    /// Adds an Instagram account (also `POST /_sandbox/instagram/users`); refused when its id or
    /// token is taken.
    pub fn add_instagram_user(&self, user: InstagramSandboxUser) -> anyhow::Result<()> {
        let id = user.id.clone();
        super::admin::add_ig(&self.app, user)
            .map_err(|e| anyhow::anyhow!("Instagram account {id}: {}", e.body["error"]["message"]))
    }

    /// The posts published on an Instagram account, oldest first.
    pub fn ig_media(&self, ig_user_id: &str) -> Vec<SandboxIgMedia> {
        let inner = self.app.lock();
        inner
            .ig_index(ig_user_id)
            .map(|u| inner.ig_media_of(&inner.ig_users[u]))
            .unwrap_or_default()
    }

    /// The containers of an Instagram account, oldest first, with their status now.
    pub fn ig_containers(&self, ig_user_id: &str) -> Vec<SandboxContainer> {
        let inner = self.app.lock();
        inner
            .ig_index(ig_user_id)
            .map(|u| containers_of(&inner.ig_users[u], &self.app.settings))
            .unwrap_or_default()
    }

    /// The videos and Reels of a Page, oldest first, with their status now.
    pub fn videos(&self, page_id: &str) -> Vec<SandboxVideo> {
        let inner = self.app.lock();
        let Some(p) = inner.page_index(page_id) else {
            return Vec::new();
        };
        let now = Instant::now();
        let takes = self.app.settings.video_processing;
        inner.pages[p]
            .videos
            .iter()
            .map(|v| {
                let status = v.status(now, takes);
                SandboxVideo {
                    id: v.id.clone(),
                    kind: match v.kind {
                        VideoKind::Page => "page".into(),
                        VideoKind::Reel => "reel".into(),
                    },
                    description: v.description.clone(),
                    video_status: status["video_status"].as_str().unwrap_or("").into(),
                    published: v.publishing(now, takes) == Phase::Complete,
                    post_id: v.post_id.clone(),
                }
            })
            .collect()
    }
}
