//! Facebook Page videos and Reels.
//!
//! - `POST {page-id}/videos {file_url, description, title?}` -> `{id}`: Meta fetches the file
//!   (loopback only here; otherwise, or when it does not answer, Meta's `(#389) Unable to fetch
//!   video file from URL.`; a file that is not a video: `(#352)`), posts it on the Page's feed at
//!   once (its message is the description) and processes it for `video_processing_secs`.
//! - Reels (`reels`): `POST {page-id}/video_reels {upload_phase:start}` -> `{video_id, upload_url}`; the upload
//!   host is this server's `POST /video-upload/{version}/{video-id}` (Meta's is
//!   `rupload.facebook.com/video-upload/{version}/{video-id}`), with `Authorization: OAuth
//!   <token>` and either a `file_url` header (a hosted file) or the bytes as the body (with
//!   `offset` and `file_size` headers) -> `{success:true}`; its errors have the upload host's
//!   shape `{"debug_info":{"retriable","type","message"}}`.
//!   `POST {page-id}/video_reels {upload_phase:finish, video_id, video_state, description}` ->
//!   `{success:true}`; with `video_state=PUBLISHED` the Reel goes out once processed (and shows
//!   on the feed). At most `reels_per_day` (Meta: 30) finishes per Page in 24 h (over it: code 9,
//!   sandbox wording).
//! - `GET {video-id}?fields=id,status,permalink_url,description,created_time,length`: `status`
//!   is `{video_status: processing|ready|error, uploading_phase, processing_phase (with errors),
//!   publishing_phase {status, publish_status, publish_time}}`; `permalink_url` points at
//!   `/_sandbox/videos/{id}` (Meta's is relative: `/{page}/videos/{id}/`).
//! - Processing fails (status `error`, the reason in `processing_phase.errors`) for a Page video
//!   over 20 min or outside 9:16 to 16:9, and for a Reel outside 3-90 s, not 9:16 (1 %), or under
//!   540x960 (developers.facebook.com/docs/video-api/guides/reels-publishing).

use super::app::{meta_time, Post, SharedApp};
use super::errors::GraphError;
use super::graph::GraphRequest;
use super::photos::is_loopback;
use axum::Json;
use chrono::{DateTime, Utc};
use schedulo_media::probe::probe_url;
use schedulo_media::MediaInfo;
use serde::Serialize;
use serde_json::{json, Map, Value};
use std::time::Duration;
use tokio::time::Instant;

const FETCH_TIMEOUT: Duration = Duration::from_secs(60);
const VIDEO_FIELDS: [&str; 6] = ["id", "status", "permalink_url", "description", "created_time", "length"];

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum VideoKind {
    /// `POST /{page}/videos`.
    Page,
    /// `/{page}/video_reels`.
    Reel,
}

/// A video or Reel of a Page.
pub struct Video {
    pub id: String,
    pub kind: VideoKind,
    pub description: Option<String>,
    pub info: Option<MediaInfo>,
    /// Why processing fails, in Meta's words where known.
    pub error: Option<String>,
    /// When the file arrived (tokio clock): processing runs from then.
    pub uploaded: Option<Instant>,
    /// Whether it is to go public once processed (a Page video always; a Reel after finish).
    pub publish: bool,
    /// The feed post that shows it.
    pub post_id: Option<String>,
    pub created: DateTime<Utc>,
}

/// Phases of a video at one moment.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Phase {
    NotStarted,
    InProgress,
    Complete,
    Error,
}

impl Phase {
    fn text(self) -> &'static str {
        match self {
            Phase::NotStarted => "not_started",
            Phase::InProgress => "in_progress",
            Phase::Complete => "complete",
            Phase::Error => "error",
        }
    }
}

impl Video {
    pub fn processing(&self, now: Instant, takes: Duration) -> Phase {
        match self.uploaded {
            None => Phase::NotStarted,
            Some(at) if now.saturating_duration_since(at) < takes => Phase::InProgress,
            Some(_) if self.error.is_some() => Phase::Error,
            Some(_) => Phase::Complete,
        }
    }

    pub fn publishing(&self, now: Instant, takes: Duration) -> Phase {
        match (self.publish, self.processing(now, takes)) {
            (false, _) | (true, Phase::Error) => Phase::NotStarted,
            (true, Phase::Complete) => Phase::Complete,
            (true, _) => Phase::InProgress,
        }
    }

    /// The `status` field.
    pub fn status(&self, now: Instant, takes: Duration) -> Value {
        let processing = self.processing(now, takes);
        let publishing = self.publishing(now, takes);
        let video_status = match processing {
            Phase::Error => "error",
            Phase::Complete => "ready",
            Phase::NotStarted | Phase::InProgress => "processing",
        };
        let mut processing_phase = json!({ "status": processing.text() });
        if let (Phase::Error, Some(e)) = (processing, &self.error) {
            processing_phase["errors"] = json!([{ "code": 1363008, "message": e }]);
        }
        let mut publishing_phase = json!({ "status": publishing.text() });
        if publishing == Phase::Complete {
            publishing_phase["publish_status"] = json!("published");
            let at = self.uploaded.map_or(0, |_| self.created.timestamp());
            publishing_phase["publish_time"] = json!(at);
        }
        json!({
            "video_status": video_status,
            "uploading_phase": { "status": if self.uploaded.is_some() { "complete" } else { "not_started" } },
            "processing_phase": processing_phase,
            "publishing_phase": publishing_phase,
        })
    }
}

/// Why Meta's processing would fail the file, for a Page video or a Reel.
pub(super) fn problem(kind: VideoKind, info: &MediaInfo) -> Option<String> {
    let secs = info.duration_secs;
    let aspect = info.aspect_ratio();
    match kind {
        VideoKind::Page => {
            if let Some(s) = secs.filter(|s| *s > 1200.0) {
                return Some(format!(
                    "The video lasts {s:.1} s; videos sent by URL may last 20 minutes (sandbox wording)"
                ));
            }
            aspect
                .filter(|r| !(9.0 / 16.0 - 1e-3..=16.0 / 9.0 + 1e-3).contains(r))
                .map(|r| format!("The video's aspect ratio {r:.2} is not between 9x16 and 16x9 (sandbox wording)"))
        }
        VideoKind::Reel => {
            if let Some(s) = secs.filter(|s| !(3.0..=90.0).contains(s)) {
                return Some(format!(
                    "The Reel lasts {s:.1} s; Reels last 3 to 90 seconds (sandbox wording)"
                ));
            }
            if let Some(r) = aspect.filter(|r| (r - 9.0 / 16.0).abs() > 0.01 * 9.0 / 16.0) {
                return Some(format!("The video's aspect ratio {r:.2} is not 9x16 (sandbox wording)"));
            }
            match (info.width, info.height) {
                (Some(w), Some(h)) if w < 540 || h < 960 => Some(format!(
                    "The video is {w}x{h}; Reels need at least 540x960 (sandbox wording)"
                )),
                _ => None,
            }
        }
    }
}

/// Fetches and reads a video as Meta would; `None` when it cannot be fetched.
pub(super) async fn fetch(app: &SharedApp, raw: &str) -> Option<MediaInfo> {
    let url = url::Url::parse(raw).ok().filter(is_loopback)?;
    probe_url(&app.http, url.as_str(), FETCH_TIMEOUT).await.ok()
}

pub(super) fn is_video(info: &MediaInfo) -> bool {
    matches!(info.format.as_deref(), Some("mp4" | "mov" | "webm"))
}

/// `POST /{page-id}/videos`.
pub async fn create(app: &SharedApp, page_id: &str, req: &GraphRequest) -> Result<Json<Value>, GraphError> {
    app.lock().authorize(req.token.as_deref(), page_id, "post")?;
    let file_url = req
        .params
        .text("file_url")
        .ok_or_else(|| GraphError::required("file_url"))?;
    let description = req.params.text("description").filter(|d| !d.trim().is_empty());
    let info = fetch(app, &file_url).await.ok_or_else(GraphError::video_fetch_failed)?;
    if !is_video(&info) {
        return Err(GraphError::video_format());
    }
    let mut inner = app.lock();
    let p = inner.authorize(req.token.as_deref(), page_id, "post")?;
    let id = inner.new_id();
    let post_id = format!("{page_id}_{}", inner.new_id());
    let created = app.clock.now();
    let page = &mut inner.pages[p];
    page.posts.push(Post {
        id: post_id.clone(),
        message: description.clone(),
        link: None,
        photo_ids: Vec::new(),
        video_id: Some(id.clone()),
        created,
        at: Instant::now(),
    });
    page.videos.push(Video {
        id: id.clone(),
        kind: VideoKind::Page,
        description,
        error: problem(VideoKind::Page, &info),
        info: Some(info),
        uploaded: Some(Instant::now()),
        publish: true,
        post_id: Some(post_id),
        created,
    });
    inner.counters.videos_created += 1;
    inner.counters.posts_created += 1;
    tracing::debug!(message = "Page video created.", page = page_id, video = %id);
    Ok(Json(json!({ "id": id })))
}

/// `GET /{video-id}?fields=`; `None` when `id` is no video.
pub fn get(app: &SharedApp, id: &str, req: &GraphRequest) -> Option<Result<Json<Value>, GraphError>> {
    let inner = app.lock();
    let (p, v) = inner
        .pages
        .iter()
        .enumerate()
        .find_map(|(p, page)| page.videos.iter().position(|v| v.id == id).map(|v| (p, v)))?;
    let page_id = inner.pages[p].page.id.clone();
    Some(inner.authorize(req.token.as_deref(), &page_id, "get").and_then(|_| {
        let video = &inner.pages[p].videos[v];
        let asked = req
            .params
            .text("fields")
            .unwrap_or_else(|| "id,description,created_time".into());
        let mut out = Map::new();
        for f in asked.split(',').map(str::trim).filter(|f| !f.is_empty()) {
            if !VIDEO_FIELDS.contains(&f) {
                return Err(GraphError::nonexisting_field(f, "Video"));
            }
            let value = match f {
                "id" => json!(video.id),
                "status" => video.status(Instant::now(), app.settings.video_processing),
                "permalink_url" => json!(format!("{}/_sandbox/videos/{}", app.url, video.id)),
                "description" => video.description.as_ref().map_or(Value::Null, |d| json!(d)),
                "created_time" => json!(meta_time(video.created)),
                "length" => video
                    .info
                    .as_ref()
                    .and_then(|i| i.duration_secs)
                    .map_or(Value::Null, |d| json!(d)),
                _ => Value::Null,
            };
            if !value.is_null() {
                out.insert(f.to_string(), value);
            }
        }
        out.insert("id".into(), json!(video.id));
        Ok(Json(Value::Object(out)))
    }))
}
