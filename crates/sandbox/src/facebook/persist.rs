//! The sandbox Graph API's state on disk: with [`super::FacebookSandboxOptions::data_dir`], the
//! file `graph.json` in it ([`crate::persist`]: written after each change, an answer held until
//! its change is written).
//!
//! # Format (`format` 1)
//! `saved_at` (the sandbox's time when written; a restarted sandbox's clock never starts before
//! it); `pages`, each with its `page` (`id`, `name`), `photos` (by id: `url`,
//! `post_id`), `posts` (oldest first: `id`, `message`, `link`, `photo_ids`, `video_id`,
//! `created`, `at`), `visitor_posts` (the same, by visitors), `videos` (`id`, `kind`, `description`, `info`, `error`, `uploaded`,
//! `publish`, `post_id`, `created`) and `reel_finishes` (for the 30 Reels a day);
//! `instagram_users` ([`super::persist_ig`]: containers, media and the two 24-hour windows);
//! `usage` (`calls`: the times of the last hour's calls, and `set`: the figures
//! `POST /_sandbox/usage` set), so `X-App-Usage` goes on where it was; `counters`; `next_id`.
//! Times are RFC 3339 wall times; processing and expiry are worked out from them, so a container
//! or video processing at a restart moves on as if nothing happened.
//!
//! The file holds no token: Pages and Instagram accounts come from the options at each start, and
//! one whose id is saved takes back what was made on it (as does one added again through
//! `POST /_sandbox/pages` or `/_sandbox/instagram/users`); until then it waits, kept in the file. The usage's allowance
//! (`calls_per_hour`) and the processing times are the options'. Injected faults are not kept.

use super::app::{Inner, PageState, Photo, Post};
use super::persist_ig::{self as ig, SavedIgUser};
use super::usage::UsageFigures;
use super::videos::{Video, VideoKind};
use super::FacebookSandboxPage;
use crate::clock::Clock;
use crate::persist::DataDir;
use chrono::{DateTime, Utc};
use schedulo_media::MediaInfo;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// The file's name in the data directory (`graph.json`).
pub const FILE: &str = "graph";
/// The version of the format below.
pub const FORMAT: u32 = 1;

#[derive(Serialize, Deserialize)]
struct Saved {
    format: u32,
    saved_at: DateTime<Utc>,
    #[serde(default)]
    pages: Vec<SavedPage>,
    #[serde(default)]
    instagram_users: Vec<SavedIgUser>,
    #[serde(default)]
    usage: SavedUsage,
    #[serde(default)]
    counters: super::app::Counters,
    next_id: u64,
}

#[derive(Serialize, Deserialize)]
struct SavedPage {
    page: SavedAccount,
    #[serde(default)]
    photos: BTreeMap<String, SavedPhoto>,
    #[serde(default)]
    posts: Vec<SavedPost>,
    #[serde(default)]
    visitor_posts: Vec<SavedPost>,
    #[serde(default)]
    videos: Vec<SavedVideo>,
    #[serde(default)]
    reel_finishes: Vec<DateTime<Utc>>,
}

/// A Page (`name`) or an Instagram account (`username`), without its token.
#[derive(Serialize, Deserialize)]
pub(super) struct SavedAccount {
    pub id: String,
    pub name: String,
}

#[derive(Serialize, Deserialize)]
struct SavedPhoto {
    url: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    post_id: Option<String>,
}

#[derive(Serialize, Deserialize)]
struct SavedPost {
    id: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    message: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    link: Option<String>,
    #[serde(default)]
    photo_ids: Vec<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    video_id: Option<String>,
    created: DateTime<Utc>,
    /// For the duplicate window.
    at: DateTime<Utc>,
}

#[derive(Serialize, Deserialize)]
struct SavedVideo {
    id: String,
    kind: VideoKind,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    description: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    info: Option<MediaInfo>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    error: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    uploaded: Option<DateTime<Utc>>,
    publish: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    post_id: Option<String>,
    created: DateTime<Utc>,
}

#[derive(Serialize, Deserialize, Default)]
struct SavedUsage {
    #[serde(default)]
    calls: Vec<DateTime<Utc>>,
    #[serde(default)]
    set: UsageFigures,
}

/// The state in `dir` (or `fresh`, when it has no file yet) and the clock to run it on.
pub fn load(dir: &DataDir, mut fresh: Inner) -> anyhow::Result<(Inner, Clock)> {
    let Some(saved) = dir.read::<Saved>(FILE, FORMAT)? else {
        return Ok((fresh, Clock::start()));
    };
    let clock = Clock::resume(Some(saved.saved_at));
    let at = |t: DateTime<Utc>| clock.instant_of(t);
    fresh.parked.pages = saved.pages.into_iter().map(|p| restore_page(p, &clock)).collect();
    fresh.parked.ig_users = saved
        .instagram_users
        .into_iter()
        .map(|u| ig::restore(u, &clock))
        .collect::<anyhow::Result<_>>()
        .map_err(|e| {
            anyhow::anyhow!(
                "The sandbox state file {} is not valid: {e:#}",
                dir.file(FILE).display()
            )
        })?;
    fresh
        .usage
        .restore_calls(saved.usage.calls.into_iter().map(at).collect());
    fresh.usage.set = saved.usage.set;
    fresh.counters = saved.counters;
    fresh.next_id = fresh.next_id.max(saved.next_id);
    Ok((fresh, clock))
}

fn restore_page(p: SavedPage, clock: &Clock) -> PageState {
    let at = |t: DateTime<Utc>| clock.instant_of(t);
    PageState {
        page: FacebookSandboxPage {
            token: String::new(),
            id: p.page.id,
            name: p.page.name,
        },
        photos: p
            .photos
            .into_iter()
            .map(|(id, ph)| {
                let photo = Photo {
                    url: ph.url,
                    post_id: ph.post_id,
                };
                (id, photo)
            })
            .collect(),
        posts: p.posts.into_iter().map(|post| restore_post(post, clock)).collect(),
        visitor_posts: p
            .visitor_posts
            .into_iter()
            .map(|post| restore_post(post, clock))
            .collect(),
        videos: p
            .videos
            .into_iter()
            .map(|v| Video {
                id: v.id,
                kind: v.kind,
                description: v.description,
                info: v.info,
                error: v.error,
                uploaded: v.uploaded.map(at),
                publish: v.publish,
                post_id: v.post_id,
                created: v.created,
            })
            .collect(),
        reel_finishes: p.reel_finishes.into_iter().map(at).collect(),
    }
}

fn restore_post(post: SavedPost, clock: &Clock) -> Post {
    Post {
        id: post.id,
        message: post.message,
        link: post.link,
        photo_ids: post.photo_ids,
        video_id: post.video_id,
        created: post.created,
        at: clock.instant_of(post.at),
    }
}

fn save_post(post: &Post, clock: &Clock) -> SavedPost {
    SavedPost {
        id: post.id.clone(),
        message: post.message.clone(),
        link: post.link.clone(),
        photo_ids: post.photo_ids.clone(),
        video_id: post.video_id.clone(),
        created: post.created,
        at: clock.wall_of(post.at),
    }
}

/// The state as its file holds it (taken under the lock; serialized by the caller outside it).
pub fn snapshot(inner: &Inner, clock: &Clock) -> impl Serialize {
    Saved {
        format: FORMAT,
        saved_at: clock.now(),
        pages: inner
            .pages
            .iter()
            .chain(&inner.parked.pages)
            .map(|p| save_page(p, clock))
            .collect(),
        instagram_users: inner
            .ig_users
            .iter()
            .chain(&inner.parked.ig_users)
            .map(|u| ig::save(u, clock))
            .collect(),
        usage: SavedUsage {
            calls: inner.usage.calls().into_iter().map(|t| clock.wall_of(t)).collect(),
            set: inner.usage.set,
        },
        counters: inner.counters.clone(),
        next_id: inner.next_id,
    }
}

fn save_page(p: &PageState, clock: &Clock) -> SavedPage {
    let wall = |t| clock.wall_of(t);
    SavedPage {
        page: SavedAccount {
            id: p.page.id.clone(),
            name: p.page.name.clone(),
        },
        photos: p
            .photos
            .iter()
            .map(|(id, ph)| {
                let photo = SavedPhoto {
                    url: ph.url.clone(),
                    post_id: ph.post_id.clone(),
                };
                (id.clone(), photo)
            })
            .collect(),
        posts: p.posts.iter().map(|post| save_post(post, clock)).collect(),
        visitor_posts: p.visitor_posts.iter().map(|post| save_post(post, clock)).collect(),
        videos: p
            .videos
            .iter()
            .map(|v| SavedVideo {
                id: v.id.clone(),
                kind: v.kind,
                description: v.description.clone(),
                info: v.info.clone(),
                error: v.error.clone(),
                uploaded: v.uploaded.map(wall),
                publish: v.publish,
                post_id: v.post_id.clone(),
                created: v.created,
            })
            .collect(),
        reel_finishes: p.reel_finishes.iter().map(|t| wall(*t)).collect(),
    }
}
