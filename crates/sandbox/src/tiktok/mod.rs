//! The sandbox TikTok: a local server on loopback that speaks the Content Posting API endpoints the
//! worker uses, with TikTok's paths, bodies, rules, limits and error codes, so that the worker's
//! TikTok client (`TikTokPublisher`) works against it unchanged when given its URL.
//!
//! (`TikTokPublisher` is in the worker's `platforms::tiktok`; the sandbox does not use it. Its media
//! rules are [`limits`].)
//!
//! # What it implements (bodies: `{"data":{...},"error":{"code","message","log_id"}}`)
//! - `POST /v2/post/publish/creator_info/query/` -> the creator's `creator_username`,
//!   `privacy_level_options`, `comment_disabled`, `duet_disabled`, `stitch_disabled`,
//!   `max_video_post_duration_sec`.
//! - `POST /v2/post/publish/video/init/` (and `/v2/post/publish/inbox/video/init/`) ->
//!   `{publish_id, upload_url?}`: `post_info.privacy_level` among the creator's options (else 403
//!   `privacy_level_option_mismatch`), `title` up to 2,200 UTF-16 units; `FILE_UPLOAD` with
//!   TikTok's chunk rules (`video_size`, `chunk_size` 5-64 MB, `total_chunk_count` =
//!   `video_size / chunk_size` rounded down, a video under 5 MB whole; else 400 `invalid_params`
//!   naming the rule); `PULL_FROM_URL` with a loopback `video_url` (else 403
//!   `url_ownership_unverified`), fetched at once.
//! - `PUT /upload/video/?upload_id=&upload_token=`: the chunks, in order, with `Content-Range`
//!   (`upload.rs`); 206 per chunk, 201 for the last.
//! - `POST /v2/post/publish/content/init/` (`media_type: PHOTO`, `post_mode: DIRECT_POST` or
//!   `MEDIA_UPLOAD`, `source_info {source: PULL_FROM_URL, photo_images (1-35, loopback),
//!   photo_cover_index}`; `description` up to 4,000, `title` up to 90).
//! - `POST /v2/post/publish/status/fetch/ {publish_id}` -> `PROCESSING_DOWNLOAD` /
//!   `PROCESSING_UPLOAD` until `processing_secs` after the media arrived, then `FAILED` with
//!   `fail_reason` for media that break TikTok's rules (`media.rs`), else `PUBLISH_COMPLETE` (or
//!   `SEND_TO_USER_INBOX` for the inbox flow), `publicaly_available_post_id` filled
//!   `moderation_secs` later (never for `SELF_ONLY` posts, which are not publicly available).
//! - The Display API's `POST /v2/video/list/?fields=` (`{cursor, max_count <= 20}` ->
//!   `data.videos`, `data.cursor`, `data.has_more`) and `POST /v2/video/query/?fields=`
//!   (`{filters: {video_ids: [<= 20]}}`): the creator's public direct-post videos once
//!   `PUBLISH_COMPLETE`, newest first, with counts that grow with their age ([`display`]).
//! - Bearer auth: an unknown or missing token gets 401 `access_token_invalid`. Scopes: a creator
//!   grants all of TikTok's ([`limits::SCOPES`]) unless narrowed ([`TikTokSandbox::set_scopes`]);
//!   an endpoint whose scope is missing gets 401 `scope_not_authorized` (`video.publish` to post
//!   and ask creator info, `video.upload` for the inbox, `video.list` to read videos).
//!
//! # Limits ([`TikTokSandboxLimits`]; TikTok's values)
//! Per token in any rolling minute: `creator_info` 20, `init` 6 (video and photo together),
//! `status/fetch` 30, `video/list` and `video/query` 600 each, then 429 `rate_limit_exceeded`.
//! Per creator in any rolling 24 hours: `daily_posts` (15) posts taken, then 403
//! `spam_risk_too_many_posts`. An `upload_url` lasts `upload_url_secs` (an hour; an assumption).
//!
//! # What differs from TikTok
//! - Media are read with [`schedulo_media::probe`] (Range requests); nothing is transcoded, and a
//!   photo over 20 MB fails as `picture_size_check_failed` (TikTok documents no reason for it).
//! - The `upload_url` is on the same server; ids are sequential; no OAuth,
//!   unaudited-app rules or `spam_risk_text`; photo posts are not in `video/list`. Messages
//!   TikTok does not document are the sandbox's own words, in TikTok's shape.
//!
//! # State across restarts
//! Without a data directory everything is in memory and goes with the sandbox. With
//! [`TikTokSandboxOptions::data_dir`], publishes (and their uploads' bytes), the rate
//! windows, the daily cap and the counters are kept there ([`persist`] gives the format): a
//! `publish_id` taken before a restart is answered by `status/fetch` after it.
//!
//! # Admin path (`/_sandbox`; no token needed: the sandbox listens on loopback)
//! `POST /_sandbox/faults` and `DELETE /_sandbox/faults` ([`crate::faults`]; TikTok's
//! bodies by status: [`errors::TikTokFaults`]); `GET /_sandbox/counters`, `POST
//! /_sandbox/counters/reset`; `POST /_sandbox/creators` (a [`TikTokSandboxCreator`] as JSON);
//! `POST /_sandbox/creators/{open_id}/scopes` (`{"scopes":[...]}`);
//! `GET /_sandbox/publishes` (every post taken, with its status and when its `init` arrived);
//! `GET /_sandbox/files/{name}` (sample media: [`crate::files`]).
//!
//! # Time
//! Rate windows, processing and moderation use `tokio::time::Instant` (tests pause and advance it).

mod admin;
mod app;
pub mod counters;
mod creator;
mod display;
#[cfg(test)]
mod display_tests;
pub mod errors;
mod gate;
mod init;
pub mod limits;
mod media;
pub mod persist;
mod rate;
mod status;
mod upload;

#[cfg(test)]
mod limits_tests;
#[cfg(test)]
mod persist_tests;

use super::server::{Bound, Server};
use app::{App, Inner, SharedApp};
use axum::extract::DefaultBodyLimit;
use axum::routing::{get, post, put};
use axum::Router;
use serde::{Deserialize, Serialize};
use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use std::time::Duration;

pub use counters::Counters;

/// TikTok's privacy levels.
pub const PRIVACY_LEVELS: [&str; 4] = [
    "PUBLIC_TO_EVERYONE",
    "MUTUAL_FOLLOW_FRIENDS",
    "FOLLOWER_OF_CREATOR",
    "SELF_ONLY",
];

/// How to run a sandbox TikTok.
#[derive(Debug, Clone)]
pub struct TikTokSandboxOptions {
    /// Where to listen; `127.0.0.1:0` in tests.
    pub listen: SocketAddr,
    pub creators: Vec<TikTokSandboxCreator>,
    pub limits: TikTokSandboxLimits,
    /// Where the state is kept across restarts (`tiktok.json` and `uploads/`, [`persist`]);
    /// `None`: in memory only.
    pub data_dir: Option<PathBuf>,
}

/// A creator of the sandbox: the access token that acts for them, and what `creator_info` says.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TikTokSandboxCreator {
    pub token: String,
    /// The creator's id for the app (the account's `AccountID`).
    pub open_id: String,
    /// The handle, without `@`.
    pub username: String,
    /// Privacy levels the creator may post with (all four by default).
    #[serde(default = "all_levels")]
    pub privacy_level_options: Vec<String>,
    /// The longest video the creator may post (600 s by default).
    #[serde(default = "ten_minutes")]
    pub max_video_post_duration_sec: u32,
    #[serde(default)]
    pub comment_disabled: bool,
    #[serde(default)]
    pub duet_disabled: bool,
    #[serde(default)]
    pub stitch_disabled: bool,
}

fn all_levels() -> Vec<String> {
    PRIVACY_LEVELS.iter().map(|s| s.to_string()).collect()
}

fn ten_minutes() -> u32 {
    600
}

impl TikTokSandboxCreator {
    /// A public creator: every privacy level, videos up to 10 minutes, interactions on.
    pub fn new(token: &str, open_id: &str, username: &str) -> TikTokSandboxCreator {
        TikTokSandboxCreator {
            token: token.into(),
            open_id: open_id.into(),
            username: username.into(),
            privacy_level_options: all_levels(),
            max_video_post_duration_sec: ten_minutes(),
            comment_disabled: false,
            duet_disabled: false,
            stitch_disabled: false,
        }
    }
}

/// The limits and timings; the defaults are TikTok's limits and short, test-friendly timings.
#[derive(Debug, Clone, PartialEq)]
pub struct TikTokSandboxLimits {
    /// `creator_info/query` requests per token per rolling minute (20).
    pub creator_info_per_minute: u32,
    /// `init` requests (video and photo) per token per rolling minute (6).
    pub init_per_minute: u32,
    /// `status/fetch` requests per token per rolling minute (30).
    pub status_per_minute: u32,
    /// Posts a creator may make in any rolling 24 hours (15).
    pub daily_posts: u32,
    /// From the media's arrival to `PUBLISH_COMPLETE` or `FAILED` (5 s; TikTok: under half a
    /// minute for 512 MB).
    pub processing_secs: f64,
    /// From `PUBLISH_COMPLETE` to the post id (30 s; TikTok: "usually within one minute").
    pub moderation_secs: f64,
    /// How long an `upload_url` is valid (3,600 s: the sandbox's assumption; TikTok's pages we
    /// read do not give the lifetime).
    pub upload_url_secs: f64,
}

impl Default for TikTokSandboxLimits {
    fn default() -> Self {
        TikTokSandboxLimits {
            creator_info_per_minute: 20,
            init_per_minute: 6,
            status_per_minute: 30,
            daily_posts: 15,
            processing_secs: 5.0,
            moderation_secs: 30.0,
            upload_url_secs: 3600.0,
        }
    }
}

impl TikTokSandboxLimits {
    fn per_minute(&self, endpoint: rate::Endpoint) -> u32 {
        match endpoint {
            rate::Endpoint::CreatorInfo => self.creator_info_per_minute,
            rate::Endpoint::Init => self.init_per_minute,
            rate::Endpoint::Status => self.status_per_minute,
            rate::Endpoint::VideoList | rate::Endpoint::VideoQuery => limits::DISPLAY_PER_MINUTE,
        }
    }

    fn processing(&self) -> Duration {
        secs(self.processing_secs)
    }

    fn moderation(&self) -> Duration {
        secs(self.moderation_secs)
    }

    fn upload_url_lifetime(&self) -> Duration {
        secs(self.upload_url_secs)
    }
}

fn secs(s: f64) -> Duration {
    Duration::try_from_secs_f64(s.max(0.0)).unwrap_or(Duration::MAX)
}

/// A post the sandbox took, as tests and `GET /_sandbox/publishes` see it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PublishView {
    pub publish_id: String,
    pub open_id: String,
    /// `video` or `photo`.
    pub kind: String,
    /// `FILE_UPLOAD` or `PULL_FROM_URL`.
    pub source: String,
    pub caption: String,
    pub privacy_level: String,
    /// Photos of a photo post.
    pub photos: usize,
    /// When its `init` request arrived, on the sandbox's clock (wall time at start plus tokio
    /// time since).
    pub init_at: chrono::DateTime<chrono::Utc>,
    /// Chunks received (`FILE_UPLOAD`), and the chunks `init` announced.
    pub chunks: u64,
    pub total_chunk_count: u64,
    /// Bytes downloaded or uploaded.
    pub bytes: u64,
    /// The status now.
    pub status: String,
    pub fail_reason: Option<String>,
    /// The post id, once given.
    pub post_id: Option<String>,
}

fn views(app: &SharedApp) -> Vec<PublishView> {
    let now = tokio::time::Instant::now();
    app.lock()
        .publishes
        .iter()
        .map(|p| {
            let state = p.state(now, app.limits.processing(), app.limits.moderation());
            PublishView {
                publish_id: p.publish_id.clone(),
                open_id: p.open_id.clone(),
                kind: p.kind.to_string(),
                source: p.source.as_str().to_string(),
                caption: p.caption.clone(),
                privacy_level: p.privacy_level.clone(),
                photos: p.photos,
                init_at: p.init_at,
                chunks: p.upload.as_ref().map_or(0, |u| u.chunks),
                total_chunk_count: p.upload.as_ref().map_or(0, |u| u.total_chunk_count),
                bytes: p.bytes,
                status: state.status.to_string(),
                fail_reason: state.fail_reason,
                post_id: state.post_id.map(|id| id.to_string()),
            }
        })
        .collect()
}

/// A running sandbox TikTok.
pub struct TikTokSandbox {
    server: Server,
    app: SharedApp,
    kept: crate::persist::Kept,
}

impl TikTokSandbox {
    /// Binds, loads the state kept in the data directory (refusing a file it cannot read), and
    /// serves on the current tokio runtime.
    pub async fn start(opts: TikTokSandboxOptions) -> anyhow::Result<TikTokSandbox> {
        let bound = Bound::bind(opts.listen, "TikTok").await?;
        let dir = opts
            .data_dir
            .map(|d| crate::persist::DataDir::open(d, "TikTok"))
            .transpose()?;
        let (inner, clock) = match &dir {
            Some(dir) => persist::load(dir, opts.creators)?,
            None => {
                let mut inner = Inner::new();
                persist::add_configured(&mut inner, opts.creators)?;
                (inner, crate::clock::Clock::start())
            }
        };
        let http = reqwest::Client::builder()
            .build()
            .map_err(|e| anyhow::anyhow!("Failed to build the sandbox TikTok's media fetcher: {e}"))?;
        let app = Arc::new(App {
            inner: Mutex::new(inner),
            limits: opts.limits,
            clock,
            url: super::server::url_of(bound.addr()),
            http,
            uploads: dir.as_ref().map(|d| d.path().join(persist::UPLOADS)),
        });
        let kept = match dir {
            Some(dir) => {
                let (app, path) = (app.clone(), dir.path().to_path_buf());
                crate::persist::Kept::spawn(dir, persist::FILE, move || {
                    let saved = persist::snapshot(&app.lock(), &app.clock, &path);
                    crate::persist::to_json(&saved)
                })?
            }
            None => crate::persist::Kept::default(),
        };
        let server = bound.serve(kept.around(router(app.clone())));
        Ok(TikTokSandbox { server, app, kept })
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

    /// `http://127.0.0.1:PORT`, the API URL to give the publisher.
    pub fn url(&self) -> String {
        self.app.url.clone()
    }

    pub fn addr(&self) -> SocketAddr {
        self.server.addr()
    }

    /// The URL of a sample file ([`crate::files`]).
    pub fn file_url(&self, name: &str) -> String {
        format!("{}/_sandbox/files/{name}", self.url())
    }

    /// Adds a creator (also `POST /_sandbox/creators`).
    pub fn add_creator(&self, creator: TikTokSandboxCreator) -> anyhow::Result<()> {
        self.app
            .lock()
            .add_creator(creator)
            .map_err(|e| anyhow::anyhow!("Failed to add a sandbox TikTok creator: {e}"))
    }

    /// Every post taken, oldest first, with its status now (also `GET /_sandbox/publishes`).
    pub fn publishes(&self) -> Vec<PublishView> {
        views(&self.app)
    }

    /// The posts of `open_id` that are published (`PUBLISH_COMPLETE`) now.
    pub fn published(&self, open_id: &str) -> Vec<PublishView> {
        self.publishes()
            .into_iter()
            .filter(|p| p.open_id == open_id && p.status == "PUBLISH_COMPLETE")
            .collect()
    }

    /// Narrows the scopes `open_id` granted the app to `scopes` (all of TikTok's by default); a
    /// call that needs another is refused with 401 `scope_not_authorized`. Also
    /// `POST /_sandbox/creators/{open_id}/scopes {"scopes":[...]}`.
    pub fn set_scopes(&self, open_id: &str, scopes: &[&str]) -> anyhow::Result<()> {
        admin::grant(&self.app, open_id, scopes.iter().map(|s| s.to_string()).collect())
            .map_err(|e| anyhow::anyhow!("Failed to set the scopes of {open_id}: {}", e.body["error"]["message"]))
    }

    /// The counters (also `GET /_sandbox/counters`).
    pub fn counters(&self) -> Counters {
        self.app.lock().counters.clone()
    }

    /// Reads the counters when called, for a caller that looks at them later (from a callback).
    pub fn counters_reader(&self) -> impl Fn() -> Counters + Send + Sync + 'static {
        let app = self.app.clone();
        move || app.lock().counters.clone()
    }

    /// When `open_id` may post again, if its daily cap is reached now.
    pub fn cap_ends(&self, open_id: &str) -> Option<chrono::DateTime<chrono::Utc>> {
        let now = tokio::time::Instant::now();
        let ends = self
            .app
            .lock()
            .windows
            .cap_ends(open_id, now, self.app.limits.daily_posts)?;
        let ahead = chrono::Duration::from_std(ends.duration_since(now)).unwrap_or(chrono::Duration::zero());
        Some(self.app.clock.now() + ahead)
    }

    /// The wall time the sandbox reads now (wall clock at start plus tokio time since).
    pub fn now(&self) -> chrono::DateTime<chrono::Utc> {
        self.app.clock.now()
    }

    /// Stops accepting requests, lets running ones finish, and writes the state a last time.
    pub async fn shutdown(self) {
        self.server.stop().await;
        self.kept.close("TikTok").await;
    }
}

fn router(app: SharedApp) -> Router {
    let api = Router::new()
        .route("/v2/post/publish/creator_info/query/", post(creator::query))
        .route("/v2/post/publish/video/init/", post(init::video))
        .route("/v2/post/publish/inbox/video/init/", post(init::inbox_video))
        .route("/v2/post/publish/content/init/", post(init::content))
        .route("/v2/post/publish/status/fetch/", post(status::fetch))
        .route("/v2/video/list/", post(display::list))
        .route("/v2/video/query/", post(display::query))
        .route(
            "/upload/video/",
            put(upload::put).layer(DefaultBodyLimit::max(upload::MAX_CHUNK_BODY)),
        )
        .route_layer(axum::middleware::from_fn_with_state(app.clone(), gate::gate));
    let admin = Router::new()
        .route("/_sandbox/faults", post(admin::add_fault).delete(admin::clear_faults))
        .route("/_sandbox/counters", get(admin::counters))
        .route("/_sandbox/counters/reset", post(admin::reset_counters))
        .route("/_sandbox/creators", post(admin::add_creator))
        .route("/_sandbox/creators/{open_id}/scopes", post(admin::set_scopes))
        .route("/_sandbox/publishes", get(admin::publishes))
        .merge(crate::files::router());
    api.merge(admin)
        .fallback(not_found)
        .method_not_allowed_fallback(not_found)
        .with_state(app)
}

/// An undefined route: TikTok's 404 shape.
async fn not_found() -> errors::TikTokError {
    errors::TikTokError::new(
        axum::http::StatusCode::NOT_FOUND,
        "invalid_params",
        "The path does not exist on this API (sandbox wording)",
    )
}
