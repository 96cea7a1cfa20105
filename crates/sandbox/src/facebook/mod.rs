//! The sandbox Graph API for Facebook Pages and Instagram accounts: a local server on loopback that
//! answers the calls the Facebook and Instagram publishers make, with Meta's paths, bodies, errors
//! and usage headers, so the real `FacebookPublisher` and `InstagramPublisher` run against it
//! unchanged (only their `graph_url` differs).
//!
//! # What it implements (under `/{version}/`, e.g. `/v21.0/`)
//! - `POST {page-id}/photos` (`url`, `published`): an unpublished photo -> `{id}`, or with
//!   `published` true a photo post -> `{id, post_id}`. Loopback photo URLs are fetched and must
//!   answer 200 with `image/*` (else `(#324) Missing or invalid image file`); others are trusted.
//! - `POST {page-id}/feed` (`message`, `link`, `attached_media`): `{id:"<page>_<n>"}`; the rules
//!   are in [`feed`] (photos of this Page only, at most 10, a duplicate of the last message
//!   within 5 minutes is code 506).
//! - `GET {post-id}?fields=` (incl. `permalink_url`, which points at `/_sandbox/posts/{id}`),
//!   `GET {page-id}?fields=id,name`, `GET {page-id}/feed` (the Page's posts and visitors') and
//!   `GET {page-id}/published_posts` (the Page's own), newest first with Graph's cursor paging
//!   (`limit` up to 100, `after`/`before`, `paging.cursors`, absolute `paging.next`/`previous`),
//!   `since`/`until` (unix or ISO 8601) and `fields` ([`paging`]).
//! - Videos and Reels: `POST {page-id}/videos`, `POST {page-id}/video_reels` (start, finish), the
//!   upload host `POST /video-upload/{version}/{video-id}`, `GET {video-id}?fields=status,...`
//!   ([`videos`]).
//! - Instagram: containers, `media_publish`, `content_publishing_limit`, the account's media, and
//!   reading containers and media ([`instagram`]).
//! - Parameters from the query, a form or a JSON body; the token from `Authorization: Bearer`
//!   (or `OAuth`) or `access_token`. An unknown token is 400 code 190 "Invalid OAuth access
//!   token - Cannot parse access token"; another Page's token 403 code 200; a missing one code 104.
//! - Errors in Meta's shape with `fbtrace_id` and `WWW-Authenticate` ([`errors`]).
//!
//! # Limits ([`usage`])
//! Every answer carries `X-App-Usage` (and, for a Page token, `X-Business-Use-Case-Usage`), rising
//! with the calls of the last hour (`calls_per_hour` is 100 %); at 100 % calls are refused with
//! code 80001 (Page token) or 4.
//!
//! # Admin path (`/_sandbox`, no token; the sandbox listens on loopback)
//! `POST/DELETE /_sandbox/faults` ([`crate::faults`], including `apply_then_delay_ms`:
//! the request is carried out, then its answer is held); `GET /_sandbox/counters` (requests per
//! path and status, posts and photos created) and `POST /_sandbox/counters/reset`; `POST/GET /_sandbox/pages`;
//! `POST /_sandbox/usage`; `GET /_sandbox/posts/{id}`; `POST /_sandbox/pages/{id}/visitor_posts`
//! (`{"message"}`: a visitor's post, in `/feed` only); `POST/GET /_sandbox/instagram/users`;
//! `GET /_sandbox/instagram/{ig-user-id}/media` (published media with their containers) and
//! `GET /_sandbox/instagram/{ig-user-id}/containers`; `GET /_sandbox/instagram/p/{media-id}` (an
//! Instagram permalink); `GET /_sandbox/videos/{id}` (a video's permalink); `GET /_sandbox/files/{name}`
//! ([`crate::files`]: `photo.png`, `notes.txt`, and media made to order by name).
//!
//! # What differs from Meta
//! No albums, scheduling, comments, reactions or insights; no resumable (chunked) Page video
//! upload; ids are sequential; messages Meta does not document are marked "(sandbox wording)".
//!
//! # State across restarts
//! Without a data directory everything is in memory and goes with the sandbox. With
//! [`FacebookSandboxOptions::data_dir`], Pages and their photos, posts, videos and Reels,
//! Instagram accounts with their containers and media, the publishing and Reels windows, the
//! usage and the counters are kept in `graph.json` there ([`persist`] gives the format): a post
//! made before a restart is in `GET /{page-id}/feed` after it, an Instagram post in
//! `GET /{ig-user-id}/media`, and `X-App-Usage` goes on from where it was.
//!
//! # Time
//! Usage windows, the duplicate window, container and video processing, expiry and the publishing
//! windows use `tokio::time::Instant` (tests can pause and advance it); `created_time`,
//! `timestamp` and `since` use the sandbox's clock, the wall clock at start plus tokio time since.

mod admin;
mod app;
pub mod errors;
mod feed;
mod gate;
mod graph;
mod inspect;
pub mod instagram;
pub mod limits;
#[cfg(test)]
mod limits_tests;
mod node;
mod paging;
mod params;
pub mod persist;
mod persist_ig;
#[cfg(test)]
mod persist_tests;
mod photos;
#[cfg(test)]
mod reads_tests;
mod reels;
mod usage;
pub mod videos;

use super::server::{Bound, Server};
use anyhow::Context;
use app::{App, Inner, Settings, SharedApp};
use axum::routing::{any, get, post};
use axum::Router;
use serde::Deserialize;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use std::time::Duration;

pub use inspect::{SandboxContainer, SandboxIgMedia, SandboxVideo};
pub use usage::UsageFigures;

/// How to run a sandbox.
#[derive(Debug, Clone)]
pub struct FacebookSandboxOptions {
    /// Where to listen; `127.0.0.1:0` in tests.
    pub listen: SocketAddr,
    pub pages: Vec<FacebookSandboxPage>,
    /// The Graph API version in every path, e.g. `v21.0`.
    pub version: String,
    /// Calls in an hour that make 100 % of `call_count`.
    pub calls_per_hour: u32,
    /// Instagram professional accounts (none by default).
    pub instagram_users: Vec<InstagramSandboxUser>,
    /// How long a new Instagram container stays `IN_PROGRESS` before `FINISHED` (or `ERROR`).
    pub container_processing_secs: f64,
    /// How long a Facebook video or Reel is `processing` after its file arrives.
    pub video_processing_secs: f64,
    /// Posts an Instagram account may publish per `quota_duration_secs` (Meta: 50).
    pub quota_total: u32,
    /// The publishing window, rolling (Meta: 86,400 s).
    pub quota_duration_secs: u64,
    /// Containers an Instagram account may create in 24 h (Meta: 400).
    pub max_containers_per_day: u32,
    /// Reels a Page may publish through the API in 24 h (Meta: 30).
    pub reels_per_day: u32,
    /// Where the state is kept across restarts (`graph.json`, [`persist`]); `None`: in memory only.
    pub data_dir: Option<PathBuf>,
}

impl FacebookSandboxOptions {
    /// On `127.0.0.1:0`, with [`limits::GRAPH_VERSION`], 1,000 calls an hour, no Instagram
    /// account, containers and videos processed in 2 s, and Meta's limits.
    pub fn new(pages: Vec<FacebookSandboxPage>) -> FacebookSandboxOptions {
        FacebookSandboxOptions {
            listen: SocketAddr::from(([127, 0, 0, 1], 0)),
            pages,
            version: limits::GRAPH_VERSION.to_string(),
            calls_per_hour: 1000,
            instagram_users: Vec::new(),
            container_processing_secs: 2.0,
            video_processing_secs: 2.0,
            quota_total: limits::QUOTA_TOTAL,
            quota_duration_secs: limits::QUOTA_DURATION_SECS,
            max_containers_per_day: limits::MAX_CONTAINERS_PER_DAY,
            reels_per_day: limits::REELS_PER_DAY,
            data_dir: None,
        }
    }

    fn settings(&self) -> Settings {
        let secs = |s: f64| Duration::from_secs_f64(s.clamp(0.0, 7.0 * 86_400.0));
        Settings {
            container_processing: secs(self.container_processing_secs),
            video_processing: secs(self.video_processing_secs),
            container_lifetime: Duration::from_secs(24 * 3600),
            quota_total: self.quota_total,
            quota_duration: Duration::from_secs(self.quota_duration_secs.max(1)),
            max_containers_per_day: self.max_containers_per_day,
            reels_per_day: self.reels_per_day,
        }
    }
}

/// An Instagram professional account and the token that acts on it.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct InstagramSandboxUser {
    pub token: String,
    pub id: String,
    pub username: String,
}

/// A Page and the Page token that acts on it.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FacebookSandboxPage {
    pub token: String,
    pub id: String,
    pub name: String,
}

/// A running sandbox.
pub struct FacebookSandbox {
    server: Server,
    app: SharedApp,
    kept: crate::persist::Kept,
}

impl FacebookSandbox {
    /// Binds, loads the state kept in the data directory (refusing a file it cannot read), and
    /// serves on the current tokio runtime.
    pub async fn start(opts: FacebookSandboxOptions) -> anyhow::Result<FacebookSandbox> {
        let bound = Bound::bind(opts.listen, "Graph API").await?;
        let http = reqwest::Client::builder()
            .timeout(Duration::from_secs(10))
            .build()
            .context("Failed to build the sandbox's media fetcher")?;
        let settings = opts.settings();
        let fresh = Inner {
            pages: Vec::new(),
            ig_users: Vec::new(),
            next_id: 100_000_000_000_000,
            usage: usage::Usage::new(opts.calls_per_hour),
            faults: Default::default(),
            counters: Default::default(),
            parked: Default::default(),
        };
        let dir = opts
            .data_dir
            .map(|d| crate::persist::DataDir::open(d, "Graph API"))
            .transpose()?;
        let (inner, clock) = match &dir {
            Some(dir) => persist::load(dir, fresh)?,
            None => (fresh, crate::clock::Clock::start()),
        };
        let app = Arc::new(App {
            inner: Mutex::new(inner),
            version: opts.version,
            url: super::server::url_of(bound.addr()),
            http,
            clock,
            settings,
        });
        add_configured(&app, opts.pages, opts.instagram_users)?;
        let kept = match dir {
            Some(dir) => {
                let app = app.clone();
                crate::persist::Kept::spawn(dir, persist::FILE, move || {
                    let saved = persist::snapshot(&app.lock(), &app.clock);
                    crate::persist::to_json(&saved)
                })?
            }
            None => crate::persist::Kept::default(),
        };
        let server = bound.serve(kept.around(router(app.clone())));
        Ok(FacebookSandbox { server, app, kept })
    }

    /// How long each request waits before it is handled ([`crate::latency`]): `profile` with
    /// this vendor's typical figures ([`limits::TYPICAL_LATENCY`]). Off at start.
    pub fn set_latency(&self, profile: crate::latency::Profile) {
        self.server.latency().set(profile.latency(limits::TYPICAL_LATENCY));
    }

    /// The latency set now.
    pub fn latency(&self) -> crate::latency::Latency {
        self.server.latency().get()
    }

    /// `http://127.0.0.1:PORT`, the `graph_url` to give the publisher.
    pub fn url(&self) -> String {
        self.app.url.clone()
    }

    pub fn addr(&self) -> SocketAddr {
        self.server.addr()
    }

    /// Adds a Page (also `POST /_sandbox/pages`); refused when its id or token is taken.
    pub fn add_page(&self, page: FacebookSandboxPage) -> anyhow::Result<()> {
        let id = page.id.clone();
        admin::add(&self.app, page).map_err(|e| anyhow::anyhow!("Page {id}: {}", e.body["error"]["message"]))
    }

    /// What was posted on a Page, oldest first: (post id, message, photo ids).
    /// The link of each post of the Page, in order (for tests of link posts).
    pub fn post_links(&self, page_id: &str) -> Vec<Option<String>> {
        let inner = self.app.lock();
        let Some(p) = inner.page_index(page_id) else {
            return Vec::new();
        };
        inner.pages[p].posts.iter().map(|post| post.link.clone()).collect()
    }

    pub fn posts(&self, page_id: &str) -> Vec<(String, String, Vec<String>)> {
        let inner = self.app.lock();
        let Some(p) = inner.page_index(page_id) else {
            return Vec::new();
        };
        inner.pages[p]
            .posts
            .iter()
            .map(|post| {
                (
                    post.id.clone(),
                    post.message.clone().unwrap_or_default(),
                    post.photo_ids.clone(),
                )
            })
            .collect()
    }

    /// Sets the `call_count` the calls add to (0 to 100), e.g. 95 to test the publisher's hold.
    pub fn set_app_usage(&self, call_count_percent: u32) {
        self.app.lock().usage.set.call_count = call_count_percent.min(100);
    }

    /// Stops accepting requests, lets running ones finish, and writes the state a last time.
    pub async fn shutdown(self) {
        self.server.stop().await;
        self.kept.close("Graph API").await;
    }
}

/// Adds the options' Pages and Instagram accounts (one saved with the same id takes back what was
/// made on it); refused when an id or token is taken.
fn add_configured(
    app: &SharedApp,
    pages: Vec<FacebookSandboxPage>,
    users: Vec<InstagramSandboxUser>,
) -> anyhow::Result<()> {
    for page in pages {
        let id = page.id.clone();
        admin::add(app, page).map_err(|e| anyhow::anyhow!("Page {id}: {}", e.body["error"]["message"]))?;
    }
    for user in users {
        let id = user.id.clone();
        admin::add_ig(app, user)
            .map_err(|e| anyhow::anyhow!("Instagram account {id}: {}", e.body["error"]["message"]))?;
    }
    Ok(())
}

fn router(app: SharedApp) -> Router {
    let graph_routes = Router::new()
        .route("/{version}/{node}", any(graph::on_node))
        .route("/{version}/{node}/{edge}", any(graph::on_edge))
        .route("/video-upload/{version}/{video_id}", post(reels::upload))
        .route_layer(axum::middleware::from_fn_with_state(app.clone(), gate::gate));
    let admin = Router::new()
        .route("/_sandbox/faults", post(admin::add_fault).delete(admin::clear_faults))
        .route("/_sandbox/counters", get(admin::counters))
        .route("/_sandbox/counters/reset", post(admin::reset_counters))
        .route("/_sandbox/pages", post(admin::add_page).get(admin::list_pages))
        .route("/_sandbox/pages/{id}/visitor_posts", post(admin::add_visitor_post))
        .route("/_sandbox/usage", post(admin::set_usage))
        .route("/_sandbox/posts/{id}", get(admin::show_post))
        .route(
            "/_sandbox/instagram/users",
            post(admin::add_ig_user).get(admin::list_ig_users),
        )
        .route("/_sandbox/instagram/p/{id}", get(admin::show_ig_media))
        .route("/_sandbox/instagram/{user}/media", get(admin::ig_media))
        .route("/_sandbox/instagram/{user}/containers", get(admin::ig_containers))
        .route("/_sandbox/videos/{id}", get(admin::show_video))
        .merge(crate::files::router());
    graph_routes
        .merge(admin)
        .fallback(graph::unknown)
        .method_not_allowed_fallback(graph::unknown)
        .with_state(app)
}
