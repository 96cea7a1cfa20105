//! The sandbox X: a local server on loopback that speaks the X API v2 endpoints the worker uses,
//! with X's rules, limits and error bodies, so that the worker's X client (`XPublisher`) works against it
//! unchanged when given its URL.
//!
//! (`XPublisher` is the worker's X client, `platforms::x`; the sandbox does not use it.)
//!
//! # What it implements
//! - `POST /2/media/upload`: multipart (`media` raw bytes, `media_category`) or JSON (`media`
//!   base64); images (JPEG, PNG, GIF, WEBP) up to 5 MB with `tweet_image` / `dm_image` ->
//!   `{"data":{"id","media_key":"3_<id>","size","expires_after_secs":86400,"image":{...}}}`.
//! - The chunked upload for video and GIF (`chunked.rs`): `POST /2/media/upload/initialize`,
//!   `POST /2/media/upload/{id}/append`, `POST /2/media/upload/{id}/finalize`,
//!   `GET /2/media/upload?command=STATUS&media_id=`: segments in order and adding up to
//!   `total_bytes`, processing `in_progress` for [`XSandboxLimits::processing_time`], then
//!   `succeeded`, or `failed` with a message when the file breaks X's rules (too long, too wide,
//!   not MP4/MOV, not a GIF).
//! - `POST /2/tweets`: `text` of at most 280 weighted characters (the sandbox's own count,
//!   [`text`], twitter-text's v3 rules), `media.media_ids` (1 to 4 images, or 1 video or GIF whose
//!   processing succeeded, uploaded by the same user in the last 24 h), no text equal to the user's previous post (403 duplicate content) -> 201
//!   `{"data":{"id","text","edit_history_tweet_ids"}}`. The stored text is what X shows: URLs
//!   as t.co links, `&`, `<`, `>` escaped, a t.co link to the media at the end.
//! - `GET /2/users/{id}/tweets` ([`timeline`]): newest first, `max_results` 5 to 100,
//!   `pagination_token` with `meta.next_token` / `previous_token` / `result_count` / `newest_id` /
//!   `oldest_id`, `start_time`, `end_time`, `since_id`, `until_id`, the 3,200 most recent posts.
//! - `GET /2/tweets?ids=` (1 to 100) and `GET /2/tweets/{id}` ([`lookup`]): found posts in `data`,
//!   missing ones in `errors` as X's "Not Found Error".
//! - `tweet.fields` on every read ([`reads`]), `public_metrics` included: figures that grow with
//!   the post's age on the sandbox clock ([`crate::engagement`]). `GET /2/users/me`.
//! - Ids are snowflakes (milliseconds since X's epoch, shifted 22 bits).
//! - Errors are X's bodies ([`problems`], examples in `fixtures/x/`): an unknown token gets 401
//!   `{"title":"Unauthorized","type":"about:blank","status":401,"detail":"Unauthorized"}`.
//!
//! # Limits (X's documented values; docs.x.com `x-api/fundamentals/rate-limits`)
//! - `POST /2/tweets`: [`XSandboxLimits`], 100 per user per 15-minute window; the request over
//!   gets 429 until the window ends. Every answer of that endpoint for a known user carries
//!   `x-rate-limit-limit`, `x-rate-limit-remaining`, `x-rate-limit-reset` (epoch seconds).
//!
//! # What differs from the real service
//! - No app-wide 24-hour limit, monthly usage caps, upload rate limit, or `x-*-24hour-*` headers;
//!   the read endpoints have no rate limit; `non_public_metrics` and `organic_metrics` are not filled.
//! - Duplicate detection compares with the user's previous post only (X looks further back).
//! - Uploads are kept in memory until finalized (a 512 MB video takes 512 MB); processing only reads the file's
//!   header (duration, size, format), it does not decode it. Processing failure messages other
//!   than "Unsupported video format" are the sandbox's wording.
//! - Messages X's documentation does not give (a body that is not JSON, an unknown property, a
//!   post with neither text nor media) are the sandbox's own wording, in X's `invalid-request` shape.
//! - Tokens are opaque strings with every scope; there is no OAuth.
//!
//! # State across restarts
//! Without a data directory everything is in memory and goes with the sandbox. With
//! [`XSandboxOptions::data_dir`], posts, finalized media and their processing, the posting
//! windows and the counters are kept in `x.json` there ([`persist`] gives the format and what is
//! not kept): a post answered before a restart is listed by `GET /2/users/{id}/tweets` after it,
//! and a user's 15-minute window goes on counting.
//!
//! # Admin path (`/_sandbox`; no token needed: the sandbox listens on loopback)
//! `POST /_sandbox/faults` (`{"method"?, "path_prefix", "count", "skip"?, "query_contains"?,
//! "status"?, "body"?, "delay_ms"?, "apply_then_delay_ms"?}`: see [`crate::faults`]) and `DELETE /_sandbox/faults`;
//! `GET /_sandbox/counters`, `POST /_sandbox/counters/reset`; `POST /_sandbox/users`
//! (`{"token","id","username"}`); `GET /_sandbox/files/{name}`: sample media for tests and demos
//! ([`crate::files`]: fixed images, and JPEGs, GIFs and videos made to order by name).
//!
//! # Time
//! Rate windows and media expiry use `tokio::time::Instant` (tests pause and advance it);
//! `created_at`, ids and `x-rate-limit-reset` use the wall clock at start plus tokio time since.

mod admin;
mod app;
mod chunked;
pub mod counters;
mod gate;
pub mod limits;
mod media;
pub mod persist;
pub mod problems;
mod rate;
pub mod text;
mod tweets;

#[cfg(test)]
mod limits_tests;
mod lookup;
mod reads;
#[cfg(test)]
mod reads_tests;
#[cfg(test)]
mod tests;
mod timeline;

use super::server::{Bound, Server};
use app::{App, Clock, Inner, SharedApp};
use axum::extract::DefaultBodyLimit;
use axum::routing::{get, post};
use axum::Router;
use chrono::{DateTime, Utc};
use serde::Deserialize;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use std::time::Duration;

pub use counters::Counters;

/// How to run a sandbox X.
#[derive(Debug, Clone)]
pub struct XSandboxOptions {
    /// Where to listen; `127.0.0.1:0` in tests.
    pub listen: SocketAddr,
    pub users: Vec<XSandboxUser>,
    pub limits: XSandboxLimits,
    /// Where the state is kept across restarts (`x.json`, [`persist`]); `None`: in memory only.
    pub data_dir: Option<PathBuf>,
}

/// An account of the sandbox: its bearer token, its user id (digits) and its username.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct XSandboxUser {
    pub token: String,
    pub id: String,
    pub username: String,
}

/// The posting limit and the media rules the sandbox enforces; the defaults are X's ([`limits`],
/// with their sources).
#[derive(Debug, Clone, PartialEq)]
pub struct XSandboxLimits {
    /// `POST /2/tweets` requests per user per window (100).
    pub tweets_per_window: u32,
    /// The window (15 minutes).
    pub window: Duration,
    /// How long a finalized video or GIF stays `in_progress` (5 s).
    pub processing_time: Duration,
    /// What `processing_info.check_after_secs` says (1).
    pub check_after_secs: u64,
    /// The largest appended segment (5 MB).
    pub max_segment_bytes: u64,
    /// The largest video, refused at initialize (512 MB).
    pub max_video_bytes: u64,
    /// The largest animated GIF, refused at initialize (15 MB).
    pub max_gif_bytes: u64,
    /// The shortest and longest video processing accepts (0.5 s, 140 s).
    pub min_video_secs: f64,
    pub max_video_secs: f64,
}

impl Default for XSandboxLimits {
    fn default() -> Self {
        XSandboxLimits {
            tweets_per_window: limits::TWEETS_PER_WINDOW,
            window: limits::TWEET_WINDOW,
            processing_time: Duration::from_secs(5),
            check_after_secs: 1,
            max_segment_bytes: limits::MAX_SEGMENT_BYTES,
            max_video_bytes: limits::MAX_VIDEO_BYTES,
            max_gif_bytes: limits::MAX_GIF_BYTES,
            min_video_secs: limits::MIN_VIDEO_SECS,
            max_video_secs: limits::MAX_VIDEO_SECS,
        }
    }
}

/// A running sandbox X.
pub struct XSandbox {
    server: Server,
    app: SharedApp,
    kept: crate::persist::Kept,
}

impl XSandbox {
    /// Binds, loads the state kept in the data directory (refusing a file it cannot read), and
    /// serves on the current tokio runtime.
    pub async fn start(opts: XSandboxOptions) -> anyhow::Result<XSandbox> {
        let bound = Bound::bind(opts.listen, "X").await?;
        let dir = opts
            .data_dir
            .map(|d| crate::persist::DataDir::open(d, "X"))
            .transpose()?;
        let (mut inner, clock) = match &dir {
            Some(dir) => persist::load(dir)?,
            None => (Inner::new(Vec::new()), Clock::start()),
        };
        persist::add_configured(&mut inner, opts.users)?;
        let app = Arc::new(App {
            inner: Mutex::new(inner),
            limits: opts.limits,
            clock,
        });
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
        Ok(XSandbox { server, app, kept })
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
        self.server.url()
    }

    pub fn addr(&self) -> SocketAddr {
        self.server.addr()
    }

    /// The URL of a sample file ([`crate::files`]: `sample.jpg`, `video-1280x720-10s.mp4`...).
    pub fn file_url(&self, name: &str) -> String {
        format!("{}/_sandbox/files/{name}", self.url())
    }

    /// Adds a user (also `POST /_sandbox/users`).
    pub fn add_user(&self, user: XSandboxUser) -> anyhow::Result<()> {
        self.app
            .lock()
            .add_user(user)
            .map_err(|e| anyhow::anyhow!("Failed to add a sandbox X user: {e}"))
    }

    /// What `user_id` posted, oldest first: (id, text as X shows it, media ids).
    pub fn tweets(&self, user_id: &str) -> Vec<(String, String, Vec<String>)> {
        self.app
            .lock()
            .tweets
            .iter()
            .filter(|t| t.author_id == user_id)
            .map(|t| (t.id.clone(), t.text.clone(), t.media_ids.clone()))
            .collect()
    }

    /// The counters (also `GET /_sandbox/counters`).
    pub fn counters(&self) -> Counters {
        self.app.lock().counters.clone()
    }

    /// When `user_id`'s posting window ends, as `x-rate-limit-reset` says it, if one is running.
    pub fn rate_reset(&self, user_id: &str) -> Option<DateTime<Utc>> {
        let reset = self
            .app
            .lock()
            .windows
            .reset_of(user_id, tokio::time::Instant::now(), &self.app.limits)?;
        let at = self.app.clock.at(reset);
        DateTime::from_timestamp(at.timestamp() + i64::from(at.timestamp_subsec_nanos() > 0), 0)
    }

    /// Stops accepting requests, lets running ones finish, and writes the state a last time.
    pub async fn shutdown(self) {
        self.server.stop().await;
        self.kept.close("X").await;
    }
}

fn router(app: SharedApp) -> Router {
    // A segment, base64-encoded in a JSON body, with room for the rest of the body.
    let append_body = usize::try_from(app.limits.max_segment_bytes)
        .unwrap_or(usize::MAX / 2)
        .saturating_mul(2)
        .saturating_add(1024 * 1024);
    let api = Router::new()
        .route(
            "/2/media/upload",
            get(chunked::status)
                .post(media::upload)
                .layer(DefaultBodyLimit::max(media::MAX_UPLOAD_BODY)),
        )
        .route("/2/media/upload/initialize", post(chunked::initialize))
        .route(
            "/2/media/upload/{id}/append",
            post(chunked::append).layer(DefaultBodyLimit::max(append_body)),
        )
        .route("/2/media/upload/{id}/finalize", post(chunked::finalize))
        .route("/2/tweets", post(tweets::create).get(lookup::many))
        .route("/2/tweets/{id}", get(lookup::one))
        .route("/2/users/me", get(tweets::me))
        .route("/2/users/{id}/tweets", get(timeline::list))
        .route_layer(axum::middleware::from_fn_with_state(app.clone(), gate::gate));
    let admin = Router::new()
        .route("/_sandbox/faults", post(admin::add_fault).delete(admin::clear_faults))
        .route("/_sandbox/counters", get(admin::counters))
        .route("/_sandbox/counters/reset", post(admin::reset_counters))
        .route("/_sandbox/users", post(admin::add_user))
        .merge(crate::files::router());
    api.merge(admin)
        .fallback(not_found)
        .method_not_allowed_fallback(not_found)
        .with_state(app)
}

/// An undefined route: X's 404.
async fn not_found() -> problems::Problem {
    problems::no_such_page()
}
