//! The server's shared state: one `Mutex` around everything that changes, never held across an
//! `.await`; and who a request's token is.

use super::errors::{FacebookFaults, GraphError};
use super::instagram::IgUser;
use super::usage::Usage;
use super::videos::Video;
use super::FacebookSandboxPage;
use crate::clock::Clock;
use crate::faults::Faults;
use axum::http::HeaderMap;
use chrono::{DateTime, Utc};
use serde::Serialize;
use std::collections::{BTreeMap, HashMap, VecDeque};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;
use tokio::time::Instant;

pub type SharedApp = Arc<App>;

/// What every handler reaches through axum's `State`.
pub struct App {
    pub inner: Mutex<Inner>,
    /// The Graph API version every path must start with, e.g. `v21.0`.
    pub version: String,
    /// `http://127.0.0.1:PORT`, for the permalinks of posts.
    pub url: String,
    /// Fetches loopback photo URLs, to refuse the ones that give no image.
    pub http: reqwest::Client,
    /// Wall time as the sandbox sees it: the wall clock at start plus tokio time since, so that
    /// tests with a paused clock move timestamps along with the windows.
    pub clock: Clock,
    /// Processing times and limits, fixed at start.
    pub settings: Settings,
}

/// What the options set for Instagram containers and Facebook videos.
#[derive(Debug, Clone)]
pub struct Settings {
    /// How long a container stays `IN_PROGRESS`.
    pub container_processing: Duration,
    /// How long a video or Reel stays `processing` after its upload.
    pub video_processing: Duration,
    /// How long a container lives unpublished (Meta: 24 h).
    pub container_lifetime: Duration,
    /// Posts an Instagram account may publish in `quota_duration`.
    pub quota_total: u32,
    pub quota_duration: Duration,
    /// Containers an Instagram account may create in 24 h (Meta: 400).
    pub max_containers_per_day: u32,
    /// Reels a Page may publish through the API in 24 h (Meta: 30).
    pub reels_per_day: u32,
}

/// Everything that changes while the server runs.
pub struct Inner {
    pub pages: Vec<PageState>,
    /// Instagram professional accounts.
    pub ig_users: Vec<IgUser>,
    /// The next numeric id (photos and posts), so ids look like Meta's and never repeat.
    pub next_id: u64,
    pub usage: Usage,
    pub faults: Faults<FacebookFaults>,
    pub counters: Counters,
    /// What was made on Pages and Instagram accounts of an earlier run that are not configured
    /// now (the state file holds no token): taken back when one with that id is added.
    pub parked: Parked,
}

/// Pages and Instagram accounts read from the state file, waiting for their token.
#[derive(Default)]
pub struct Parked {
    pub pages: Vec<PageState>,
    pub ig_users: Vec<IgUser>,
}

impl Parked {
    /// The parked Page `id`, taken out.
    pub fn take_page(&mut self, id: &str) -> Option<PageState> {
        let i = self.pages.iter().position(|p| p.page.id == id)?;
        Some(self.pages.remove(i))
    }

    /// The parked Instagram account `id`, taken out.
    pub fn take_ig(&mut self, id: &str) -> Option<IgUser> {
        let i = self.ig_users.iter().position(|u| u.user.id == id)?;
        Some(self.ig_users.remove(i))
    }
}

/// A Page and what was made on it.
pub struct PageState {
    pub page: FacebookSandboxPage,
    /// Photos by id.
    pub photos: HashMap<String, Photo>,
    /// Posts, oldest first.
    pub posts: Vec<Post>,
    /// Posts by visitors on the Page, oldest first: in `/feed`, not in `/published_posts`.
    pub visitor_posts: Vec<Post>,
    /// Videos and Reels, oldest first.
    pub videos: Vec<Video>,
    /// When each Reel was finished for publishing (tokio clock), for the 24 h limit.
    pub reel_finishes: VecDeque<Instant>,
}

pub struct Photo {
    pub url: String,
    /// The post the photo is in; unpublished photos have none.
    pub post_id: Option<String>,
}

pub struct Post {
    /// `{page-id}_{n}`, as Meta's.
    pub id: String,
    pub message: Option<String>,
    pub link: Option<String>,
    pub photo_ids: Vec<String>,
    /// The video or Reel the post shows.
    pub video_id: Option<String>,
    /// The sandbox's clock, for `created_time` and `since`.
    pub created: DateTime<Utc>,
    /// Tokio clock, for the duplicate window.
    pub at: Instant,
}

/// Requests per path and status, and what was created (`GET /_sandbox/counters`).
#[derive(Debug, Default, Clone, Serialize, serde::Deserialize, PartialEq)]
#[serde(default)]
pub struct Counters {
    /// Graph API requests (the admin path is not counted).
    pub requests: u64,
    /// `"POST /v21.0/{page}/feed"` -> status -> count.
    pub by_path: BTreeMap<String, BTreeMap<String, u64>>,
    /// Requests refused because usage had reached 100 %.
    pub throttled: u64,
    pub posts_created: u64,
    pub photos_created: u64,
    /// Instagram containers created (carousel items included).
    pub containers_created: u64,
    /// Instagram posts published (`media_publish` that succeeded).
    pub ig_media_published: u64,
    /// Facebook videos and Reels created (`/videos`, Reel upload sessions).
    pub videos_created: u64,
    /// Reels published (finish with `video_state=PUBLISHED`).
    pub reels_published: u64,
}

impl Counters {
    pub fn record(&mut self, method: &str, path: &str, status: u16) {
        self.requests += 1;
        *self
            .by_path
            .entry(format!("{method} {path}"))
            .or_default()
            .entry(status.to_string())
            .or_default() += 1;
    }
}

impl App {
    /// The state; a handler that panicked while holding the lock does not take the server down.
    pub fn lock(&self) -> MutexGuard<'_, Inner> {
        self.inner.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
    }
}

impl Inner {
    pub fn new_id(&mut self) -> String {
        self.next_id += 1;
        self.next_id.to_string()
    }

    pub fn page_index(&self, page_id: &str) -> Option<usize> {
        self.pages.iter().position(|p| p.page.id == page_id)
    }

    /// The Page whose token this is.
    pub fn page_of_token(&self, token: &str) -> Option<usize> {
        self.pages.iter().position(|p| p.page.token == token)
    }

    /// The Instagram account whose token this is.
    pub fn ig_of_token(&self, token: &str) -> Option<usize> {
        self.ig_users.iter().position(|u| u.user.token == token)
    }

    pub fn ig_index(&self, ig_id: &str) -> Option<usize> {
        self.ig_users.iter().position(|u| u.user.id == ig_id)
    }

    /// The id of the Page or Instagram account whose token this is (for the usage headers).
    pub fn owner_of_token(&self, token: &str) -> Option<(String, Owner)> {
        if let Some(p) = self.page_of_token(token) {
            return Some((self.pages[p].page.id.clone(), Owner::Page));
        }
        self.ig_of_token(token)
            .map(|i| (self.ig_users[i].user.id.clone(), Owner::Instagram))
    }

    /// Whether the token is known at all (a Page's or an Instagram account's).
    pub fn knows_token(&self, token: &str) -> bool {
        self.owner_of_token(token).is_some()
    }

    /// The Instagram account a call on `ig_id` acts on, if `token` may act on it.
    pub fn authorize_ig(&self, token: Option<&str>, ig_id: &str, verb: &str) -> Result<usize, GraphError> {
        let token = token.ok_or_else(GraphError::token_required)?;
        if !self.knows_token(token) {
            return Err(GraphError::invalid_token());
        }
        let target = self
            .ig_index(ig_id)
            .ok_or_else(|| GraphError::no_such_object(verb, ig_id))?;
        if self.ig_users[target].user.token != token {
            return Err(GraphError::no_such_object(verb, ig_id));
        }
        Ok(target)
    }

    /// Checks the token first, as Meta does, then says the object does not exist.
    pub fn unknown_object(&self, token: Option<&str>, verb: &str, id: &str) -> GraphError {
        match token {
            None => GraphError::token_required(),
            Some(t) if !self.knows_token(t) => GraphError::invalid_token(),
            Some(_) => GraphError::no_such_object(verb, id),
        }
    }

    /// The Page a call on `page_id` acts on, if `token` may act on it.
    pub fn authorize(&self, token: Option<&str>, page_id: &str, verb: &str) -> Result<usize, GraphError> {
        let token = token.ok_or_else(GraphError::token_required)?;
        let Some(by_token) = self.page_of_token(token) else {
            return Err(if self.ig_of_token(token).is_some() {
                GraphError::not_page_admin()
            } else {
                GraphError::invalid_token()
            });
        };
        let target = self
            .page_index(page_id)
            .ok_or_else(|| GraphError::no_such_object(verb, page_id))?;
        if by_token != target {
            return Err(GraphError::not_page_admin());
        }
        Ok(target)
    }

    /// The Page and index of a post id.
    pub fn find_post(&self, post_id: &str) -> Option<(usize, usize)> {
        self.pages
            .iter()
            .enumerate()
            .find_map(|(p, page)| page.posts.iter().position(|post| post.id == post_id).map(|i| (p, i)))
    }
}

/// Whose token a request carries.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Owner {
    Page,
    Instagram,
}

/// The token of a request: `Authorization: Bearer|OAuth <token>` or the `access_token` parameter.
pub fn token_of(headers: &HeaderMap, param: Option<String>) -> Option<String> {
    let header = headers
        .get(axum::http::header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split_once(' '))
        .filter(|(scheme, _)| scheme.eq_ignore_ascii_case("bearer") || scheme.eq_ignore_ascii_case("oauth"))
        .map(|(_, t)| t.trim().to_string());
    header.or(param).filter(|t| !t.is_empty())
}

/// Meta's `created_time` format: `2025-04-02T09:00:01+0000`.
pub fn meta_time(t: DateTime<Utc>) -> String {
    t.format("%Y-%m-%dT%H:%M:%S+0000").to_string()
}
