//! The sandbox Cloudinary: a local server on loopback that speaks the Upload API, the delivery
//! URLs and the part of the Admin API the worker uses, with Cloudinary's paths, bodies, limits and
//! error messages, so that Cloudinary's official SDKs (pycloudinary, checked in
//! `tests/compat/pycloudinary_smoke.py`) and our own client work against it unchanged, given its URL.
//! The facts it follows are in `shared/reference/cloudinary.md`.
//!
//! # What it implements (errors: `{"error":{"message":"..."}}`)
//! - Upload API (`upload.rs`, `form.rs`, `chunked.rs`): `POST /v1_1/{cloud}/{image|video|raw|auto}/upload`
//!   as multipart (the file streamed to disk), urlencoded or JSON; `file` as bytes, a loopback URL
//!   (fetched; a URL that does not answer 2xx gets 400 `Resource not found - <url>`) or a data URI.
//!   Signed (`api_key`, `timestamp` in seconds, stale after an hour, `signature` SHA-1 or SHA-256
//!   as the cloud takes them ([`Accepted`]), checked with the sandbox's own `signature.rs`, written
//!   from the documented rules, not the client's signer), authenticated with HTTP Basic
//!   `api_key:api_secret` instead, or unsigned with an `unsigned` preset; a signed upload's
//!   `upload_preset` lends its parameters (the request's own win). Parameters: `public_id`,
//!   `asset_folder`, `folder`, `public_id_prefix`, `tags`, `context`, `eager`, `eager_async`,
//!   `eager_notification_url`, `notification_url`, `overwrite` (with `false`, an existing asset is
//!   answered with `"existing": true` and nothing is stored or counted), `backup`. The file is read
//!   with [`schedulo_media::probe`]; `auto` picks image, video or raw from it. Chunked uploads
//!   (`chunked.rs`: `X-Unique-Upload-Id` + `Content-Range: bytes a-b/total`, where `total` may be
//!   `-1` on every chunk but the last, as cloudinary_npm sends it; chunks of at least 5 MiB but
//!   the last, first chunk first and last chunk last; every total given must agree; size limits
//!   checked as bytes arrive) are written to disk as they arrive; other chunks answer
//!   `{"done":false,"bytes":N,"upload_id":...}`, the last one the full result. The byte ranges
//!   received are tracked, so a chunk sent again is answered as before and counted once. An
//!   unfinished upload is dropped with its file a day after its last chunk. A chunk of an upload
//!   that completed (within the hour), its last chunk included, is 400 `Upload <id> already
//!   completed as <public_id>`: Cloudinary does not document answering a resent last chunk with
//!   the result again, so the sandbox does not.
//! - `POST /v1_1/{cloud}/{rt}/destroy` (signed) -> `{"result":"ok"|"not found"}`.
//! - Eager transformations (`transform.rs`, `render.rs`, `eager.rs`): `ar_W:H`/`ar_1.91`, `c_fill`,
//!   `c_lfill`, `c_fit`, `c_limit`, `c_scale`, `c_crop`, `c_thumb`, `g_*`,
//!   `w_`, `h_`, `q_`, `f_`, `vc_`, `ac_`, `du_`, `so_`, `eo_`, `t_<name>`; steps chained with `/`,
//!   a trailing `/ext` names the format; anything else is 400 `Invalid transformation component - x`.
//!   Images are really transformed with the `image` crate. Video eager is asynchronous with
//!   `eager_async=true` (required over 40 MB free / 300 MB paid: 400 `Video is too large to process
//!   synchronously, please use an asynchronous call instead`): the upload answers each eager item
//!   as `{"status":"processing","batch_id",...}`, and `eager_secs` later the derived assets exist
//!   and a signed `eager` notification goes to `eager_notification_url` (else `notification_url`).
//!   `notification_url` also gets the `upload` notification. Notifications are signed
//!   (`X-Cld-Timestamp`, `X-Cld-Signature`), loopback only, retried, and all recorded.
//! - Delivery (`delivery.rs`): `GET /{cloud}/{image|video|raw}/upload/[{transformation}/][v{version}/]{public_id}.{ext}`
//!   serves the original or the derived file (images derived on demand when not eager), with
//!   Range requests; anything unknown is 404 with `X-Cld-Error`.
//! - Admin API (`admin_api.rs`; HTTP Basic `api_key:api_secret`, else 401): upload presets
//!   (create -> `{"message":"created","name"}`, 409 when the name exists; list, get, update,
//!   delete; `GET` answers `settings` as Cloudinary does ([`CloudinarySandboxLimits::parsed_preset_settings`]), parsed as cloudinary/api-schemas' `upload_preset_detail`
//!   (environment-config/schema.yml, `upload_serializable_parsed`) gives them: `eager` an array of
//!   transformations, each an array of step objects, `[[{"width":1080,"crop":"fill",
//!   "aspect_ratio":"1:1","gravity":"auto"}]]`, and `tags` an array), folders (create, list root and sub-folders), named transformations (create by
//!   `POST /transformations/{name}` or `POST /transformations` with `name`; get, update (`PUT`
//!   with `unsafe_update` and/or `allowed_for_strict`, form or JSON -> `{"message":"updated"}`) and
//!   delete (`{"message":"deleted"}`) by name or `?transformation=`; unknown: 404
//!   `Transformation <name> not found`), `GET /usage`, `GET /resources/{rt}/upload/{public_id}` (with `derived`).
//!   Every answer has `X-FeatureRateLimit-Limit`, `-Remaining`, `-Reset` (an HTTP date).
//!
//! # Limits ([`Plan`], [`CloudinarySandboxLimits`]; Cloudinary's values)
//! Admin API calls per cloud per hour (from the first call of the hour): 500 free, 2,000 paid,
//! then 420 `Rate Limit Exceeded`; the Upload API is not rate limited. File sizes: image 10 MB free
//! / 20 MB paid, video 100 MB / 2 GB, raw 10 MB / 20 MB (400 `File size too large. Got N. Maximum
//! is M.`). One request body at most 110 MB (larger files go in chunks).
//!
//! # What differs from Cloudinary
//! - Video is never transcoded: a derived video reports the size its crop gives, the duration
//!   `du_`/`so_`/`eo_` give and format mp4, and delivering it serves the original bytes.
//! - `g_auto` (and every gravity) crops around the centre; `f_auto` keeps the original format;
//!   `q_auto` is JPEG quality 80; resizing uses nearest-neighbour sampling (fast in debug builds);
//!   an animated GIF is transformed as its first frame.
//! - `url` and `secure_url` are both the sandbox's own `http://` URL. Ids, versions and
//!   `asset_id`s are made up. Messages Cloudinary does not document are the sandbox's own words.
//! - `GET /upload_presets` answers settings parsed as Cloudinary does (above); with
//!   `parsed_preset_settings: false` it answers them as they were given (`eager` as its string).
//! - Usage counts what this sandbox stored, served and derived; credits are 1 per GB stored, 1
//!   per GB served and 1 per 1,000 transformations.
//!
//! # State across restarts
//! Without a data directory the files live in a temporary directory removed with the sandbox,
//! and everything else in memory. With [`CloudinarySandboxOptions::data_dir`], assets (their
//! files and derived files), presets, folders, named transformations, the Admin API's hourly
//! window, the usage counters, notifications and chunked uploads under way are kept there
//! ([`persist`] gives the format and what is not kept): an asset uploaded before a restart is in
//! `GET /resources/...` after it, and its delivery URL (on the new port) serves the same bytes.
//!
//! # Admin path (`/_sandbox`; no auth: the sandbox listens on loopback)
//! `POST /_sandbox/faults` and `DELETE /_sandbox/faults` ([`crate::faults`], Cloudinary's
//! error body), `GET /_sandbox/counters`, `POST /_sandbox/counters/reset`, `GET /_sandbox/assets`,
//! `GET /_sandbox/notifications`, `GET /_sandbox/files/{name}` ([`crate::files`]).
//!
//! # Time
//! Timestamps, versions, the hourly window, async eager and notification retries use
//! [`crate::clock::Clock`] and `tokio::time` (tests pause and advance it).

mod admin;
mod admin_api;
mod app;
mod chunked;
pub mod counters;
mod delivery;
mod eager;
pub mod errors;
mod form;
mod gate;
pub mod limits;
#[cfg(test)]
mod limits_tests;
mod notify;
pub mod persist;
mod render;
mod signature;
mod store;
pub mod transform;
mod upload;

#[cfg(test)]
mod smoke_tests;
#[cfg(test)]
mod tests;

use super::server::{Bound, Server};
use app::{App, Inner, SharedApp};
use axum::extract::DefaultBodyLimit;
use axum::routing::{get, post};
use axum::Router;
use secrecy::SecretString;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use std::time::Duration;

pub use counters::{CloudCounters, Counters};
pub use notify::NotificationView;
pub use signature::Algorithm;
pub use store::{AssetView, DerivedView};

/// The largest request body ([`limits::MAX_BODY_BYTES`]).
pub use limits::MAX_BODY_BYTES;

/// How to run a sandbox Cloudinary.
#[derive(Debug, Clone)]
pub struct CloudinarySandboxOptions {
    /// Where to listen; `127.0.0.1:0` in tests.
    pub listen: SocketAddr,
    /// The product environments it serves (the cloud name in every path must be one of them).
    pub clouds: Vec<SandboxCloud>,
    pub limits: CloudinarySandboxLimits,
    /// How long one notification attempt may take before it counts as failed.
    pub notify_timeout: Duration,
    /// Where the state and files are kept across restarts (`cloudinary.json` and `files/`,
    /// [`persist`]); `None`: in memory, files in a temporary directory.
    pub data_dir: Option<PathBuf>,
}

/// A product environment ("cloud") and its credentials.
#[derive(Debug, Clone)]
pub struct SandboxCloud {
    pub cloud_name: String,
    pub api_key: String,
    pub api_secret: SecretString,
    pub plan: Plan,
    /// Which request signatures it takes (both SHA-1 and SHA-256 unless the environment was set
    /// to SHA-256 only).
    pub signatures: Accepted,
    /// How the notifications it sends, and the `signature` of an upload's answer, are hashed
    /// (SHA-1 unless the environment was changed).
    pub notification_algorithm: Algorithm,
}

/// The request signatures a product environment takes. Cloudinary: a signature may be SHA-1 or
/// SHA-256 (the hex length tells them apart); an environment set to SHA-256 refuses SHA-1
/// (cloudinary.com/documentation/authentication_signatures, "Using the SHA-256 algorithm").
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Accepted {
    /// SHA-1 and SHA-256 (the default).
    #[default]
    Both,
    /// SHA-256 only.
    Sha256Only,
}

impl Accepted {
    /// Whether a signature made with `algorithm` is taken.
    pub fn takes(self, algorithm: Algorithm) -> bool {
        match self {
            Accepted::Both => true,
            Accepted::Sha256Only => algorithm == Algorithm::Sha256,
        }
    }
}

impl SandboxCloud {
    /// A free-plan cloud that takes SHA-1 and SHA-256 signatures and signs notifications with SHA-1.
    pub fn new(cloud_name: &str, api_key: &str, api_secret: &str) -> SandboxCloud {
        SandboxCloud {
            cloud_name: cloud_name.into(),
            api_key: api_key.into(),
            api_secret: SecretString::from(api_secret.to_string()),
            plan: Plan::Free,
            signatures: Accepted::Both,
            notification_algorithm: Algorithm::Sha1,
        }
    }
}

/// The plan of a cloud, which sets its limits.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Plan {
    Free,
    /// Plus and above.
    Paid,
}

const MB: u64 = 1000 * 1000;

impl Plan {
    pub fn as_str(self) -> &'static str {
        match self {
            Plan::Free => "Free",
            Plan::Paid => "Plus",
        }
    }

    /// The largest image (10 MB free, 20 MB paid).
    pub fn image_max_bytes(self) -> u64 {
        match self {
            Plan::Free => 10 * MB,
            Plan::Paid => 20 * MB,
        }
    }

    /// The largest video (100 MB free, 2 GB paid).
    pub fn video_max_bytes(self) -> u64 {
        match self {
            Plan::Free => 100 * MB,
            Plan::Paid => 2000 * MB,
        }
    }

    /// The largest raw file (10 MB free, 20 MB paid).
    pub fn raw_max_bytes(self) -> u64 {
        self.image_max_bytes()
    }

    /// The largest video transformed synchronously (40 MB free, 300 MB paid).
    pub fn sync_video_max_bytes(self) -> u64 {
        match self {
            Plan::Free => 40 * MB,
            Plan::Paid => 300 * MB,
        }
    }

    /// Monthly credits (25 free, 225 Plus).
    pub fn credits(self) -> f64 {
        match self {
            Plan::Free => 25.0,
            Plan::Paid => 225.0,
        }
    }
}

/// Limits and timings; the defaults are Cloudinary's limits and short, test-friendly timings.
#[derive(Debug, Clone, PartialEq)]
pub struct CloudinarySandboxLimits {
    /// Admin API calls per cloud per hour on the free plan (500).
    pub admin_per_hour_free: u32,
    /// Admin API calls per cloud per hour on a paid plan (2,000).
    pub admin_per_hour_paid: u32,
    /// From an upload to its asynchronous eager transformations being done (5 s).
    pub eager_secs: f64,
    /// Further attempts after a notification fails (3).
    pub notify_retries: u32,
    /// The wait before the n-th retry is n times this (2 s).
    pub notify_retry_secs: f64,
    /// The smallest chunk of a chunked upload but the last (5 MiB).
    pub chunk_min_bytes: u64,
    /// Whether `GET /upload_presets` answers settings parsed as Cloudinary does (`eager` as step
    /// objects, `tags` an array; api-schemas' `upload_preset_detail`; the default) rather than as
    /// given.
    pub parsed_preset_settings: bool,
}

impl Default for CloudinarySandboxLimits {
    fn default() -> Self {
        CloudinarySandboxLimits {
            admin_per_hour_free: 500,
            admin_per_hour_paid: 2000,
            eager_secs: 5.0,
            notify_retries: 3,
            notify_retry_secs: 2.0,
            chunk_min_bytes: limits::CHUNK_MIN_BYTES,
            parsed_preset_settings: true,
        }
    }
}

impl CloudinarySandboxLimits {
    fn admin_per_hour(&self, plan: Plan) -> u32 {
        match plan {
            Plan::Free => self.admin_per_hour_free,
            Plan::Paid => self.admin_per_hour_paid,
        }
    }
}

fn secs(s: f64) -> Duration {
    Duration::try_from_secs_f64(s.max(0.0)).unwrap_or(Duration::MAX)
}

/// A running sandbox Cloudinary.
pub struct CloudinarySandbox {
    server: Server,
    app: SharedApp,
    kept: crate::persist::Kept,
}

impl CloudinarySandbox {
    /// Binds, loads the state kept in the data directory (refusing a file it cannot read), and
    /// serves on the current tokio runtime.
    pub async fn start(opts: CloudinarySandboxOptions) -> anyhow::Result<CloudinarySandbox> {
        let bound = Bound::bind(opts.listen, "Cloudinary").await?;
        let mut inner = Inner::default();
        for cloud in opts.clouds {
            inner
                .add_cloud(cloud)
                .map_err(|e| anyhow::anyhow!("Failed to add a sandbox cloud: {e}"))?;
        }
        let http = reqwest::Client::builder()
            .build()
            .map_err(|e| anyhow::anyhow!("Failed to build the sandbox Cloudinary's HTTP client: {e}"))?;
        let data = opts
            .data_dir
            .map(|d| crate::persist::DataDir::open(d, "Cloudinary"))
            .transpose()?;
        let (loaded, files) = match &data {
            Some(data) => (
                persist::load(data, inner)?,
                app::FilesDir::kept(data.path().join(persist::FILES)),
            ),
            None => {
                let files = app::FilesDir::temporary()
                    .map_err(|e| anyhow::anyhow!("Failed to make the sandbox Cloudinary's directory: {e}"))?;
                let clock = crate::clock::Clock::start();
                let parked = Default::default();
                (persist::Loaded { inner, clock, parked }, files)
            }
        };
        let app = Arc::new(App {
            inner: Mutex::new(loaded.inner),
            limits: opts.limits,
            clock: loaded.clock,
            url: super::server::url_of(bound.addr()),
            http,
            notify_timeout: opts.notify_timeout,
            dir: files,
            changes: Default::default(),
        });
        let kept = match data {
            Some(data) => {
                let (app, path, parked) = (app.clone(), data.path().to_path_buf(), loaded.parked);
                crate::persist::Kept::spawn(data, persist::FILE, move || {
                    let saved = persist::snapshot(&app.lock(), &app.clock, &path, &parked);
                    crate::persist::to_json(&saved)
                })?
            }
            None => crate::persist::Kept::default(),
        };
        if let Some(changes) = kept.changes() {
            let _ = app.changes.set(changes);
        }
        let waiting = app.lock().eager_jobs.clone();
        for job in waiting {
            eager::spawn_job(app.clone(), job);
        }
        let server = bound.serve(kept.around(router(app.clone())));
        Ok(CloudinarySandbox { server, app, kept })
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

    /// `http://127.0.0.1:PORT`: the SDKs' `upload_prefix`, and the delivery host.
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

    /// Every stored asset, by cloud and public id (also `GET /_sandbox/assets`).
    pub fn assets(&self) -> Vec<AssetView> {
        self.app.lock().asset_views(&self.app.url)
    }

    /// One asset, if stored.
    pub fn asset(&self, cloud: &str, public_id: &str) -> Option<AssetView> {
        self.assets()
            .into_iter()
            .find(|a| a.cloud == cloud && a.public_id == public_id)
    }

    /// The counters (also `GET /_sandbox/counters`).
    pub fn counters(&self) -> Counters {
        self.app.lock().counters.clone()
    }

    /// Every notification sent or tried, oldest first (also `GET /_sandbox/notifications`).
    pub fn notifications(&self) -> Vec<NotificationView> {
        self.app.lock().notifications.clone()
    }

    /// The wall time the sandbox reads now (wall clock at start plus tokio time since).
    pub fn now(&self) -> chrono::DateTime<chrono::Utc> {
        self.app.clock.now()
    }

    /// The files of the chunked uploads under way (tests check they are removed).
    #[cfg(test)]
    pub(crate) fn pending_files(&self) -> Vec<std::path::PathBuf> {
        let inner = self.app.lock();
        inner
            .chunks
            .pending
            .values()
            .map(|p| p.file.path().to_path_buf())
            .collect()
    }

    /// Stops accepting requests, lets running ones finish, and writes the state a last time;
    /// without a data directory the files go with the sandbox.
    pub async fn shutdown(self) {
        self.server.stop().await;
        let kept = self.app.changes.get().is_some();
        self.kept.close("Cloudinary").await;
        if kept {
            persist::keep_pending_files(&mut self.app.lock());
        }
    }
}

fn router(app: SharedApp) -> Router {
    let api = Router::new()
        .route("/v1_1/{cloud}/{rt}/upload", post(upload::upload))
        .route("/v1_1/{cloud}/{rt}/destroy", post(upload::destroy))
        .route(
            "/v1_1/{cloud}/upload_presets",
            get(admin_api::list_presets).post(admin_api::create_preset),
        )
        .route(
            "/v1_1/{cloud}/upload_presets/{name}",
            get(admin_api::get_preset)
                .put(admin_api::update_preset)
                .delete(admin_api::delete_preset),
        )
        .route("/v1_1/{cloud}/folders", get(admin_api::root_folders))
        .route(
            "/v1_1/{cloud}/folders/{*path}",
            get(admin_api::sub_folders).post(admin_api::create_folder),
        )
        .route(
            "/v1_1/{cloud}/transformations",
            get(admin_api::get_transformation_by_query)
                .post(admin_api::create_transformation)
                .put(admin_api::update_transformation_by_query)
                .delete(admin_api::delete_transformation_by_query),
        )
        .route(
            "/v1_1/{cloud}/transformations/{*name}",
            get(admin_api::get_transformation)
                .post(admin_api::create_named_transformation)
                .put(admin_api::update_named_transformation)
                .delete(admin_api::delete_named_transformation),
        )
        .route("/v1_1/{cloud}/usage", get(admin_api::usage))
        .route(
            "/v1_1/{cloud}/resources/{rt}/{kind}/{*public_id}",
            get(admin_api::resource),
        )
        .layer(DefaultBodyLimit::max(MAX_BODY_BYTES));
    let admin = Router::new()
        .route("/_sandbox/faults", post(admin::add_fault).delete(admin::clear_faults))
        .route("/_sandbox/counters", get(admin::counters))
        .route("/_sandbox/counters/reset", post(admin::reset_counters))
        .route("/_sandbox/assets", get(admin::assets))
        .route("/_sandbox/notifications", get(admin::notifications))
        .merge(crate::files::router());
    api.merge(admin)
        .fallback(delivery::deliver)
        .layer(axum::middleware::from_fn_with_state(app.clone(), gate::gate))
        .with_state(app)
}
