//! The server's shared state: one `Mutex` around everything that changes, never held across an
//! `.await`; and who a request's token is.

use super::errors::{FacebookFaults, GraphError};
use super::usage::Usage;
use super::FacebookSandboxPage;
use crate::sandbox::faults::Faults;
use axum::http::HeaderMap;
use chrono::{DateTime, Utc};
use serde::Serialize;
use std::collections::{BTreeMap, HashMap};
use std::sync::{Arc, Mutex, MutexGuard};
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
}

/// Everything that changes while the server runs.
pub struct Inner {
    pub pages: Vec<PageState>,
    /// The next numeric id (photos and posts), so ids look like Meta's and never repeat.
    pub next_id: u64,
    pub usage: Usage,
    pub faults: Faults<FacebookFaults>,
    pub counters: Counters,
}

/// A Page and what was made on it.
pub struct PageState {
    pub page: FacebookSandboxPage,
    /// Photos by id.
    pub photos: HashMap<String, Photo>,
    /// Posts, oldest first.
    pub posts: Vec<Post>,
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
    /// Wall clock, for `created_time` and `since`.
    pub created: DateTime<Utc>,
    /// Tokio clock, for the duplicate window.
    pub at: Instant,
}

/// Requests per path and status, and what was created (`GET /_sandbox/counters`).
#[derive(Debug, Default, Clone, Serialize, PartialEq)]
pub struct Counters {
    /// Graph API requests (the admin path is not counted).
    pub requests: u64,
    /// `"POST /v21.0/{page}/feed"` -> status -> count.
    pub by_path: BTreeMap<String, BTreeMap<String, u64>>,
    /// Requests refused because usage had reached 100 %.
    pub throttled: u64,
    pub posts_created: u64,
    pub photos_created: u64,
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

    /// The Page a call on `page_id` acts on, if `token` may act on it.
    pub fn authorize(&self, token: Option<&str>, page_id: &str, verb: &str) -> Result<usize, GraphError> {
        let token = token.ok_or_else(GraphError::token_required)?;
        let by_token = self.page_of_token(token).ok_or_else(GraphError::invalid_token)?;
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
