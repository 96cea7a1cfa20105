//! The chunked upload, as X documents it (docs.x.com `x-api/media/quickstart/media-upload-chunked`,
//! OpenAPI `MediaUploadConfigRequest`, `MediaUploadAppendRequest`, `MediaUploadResponse`):
//! - `POST /2/media/upload/initialize` (JSON `media_type`, `total_bytes`, `media_category`,
//!   `additional_owners`, `shared`) -> `{"data":{"id","media_key","expires_after_secs"}}`; a size
//!   over the category's limit is refused here ("File size exceeds N bytes.").
//! - `POST /2/media/upload/{id}/append` (multipart `media` + `segment_index`, or JSON with `media`
//!   base64) -> `{"data":{"expires_at"}}`; `segment_index` 0 to 999, a segment at most
//!   [`XSandboxLimits::max_segment_bytes`], never more bytes in all than `total_bytes`.
//! - `POST /2/media/upload/{id}/finalize`: segments 0..n all present and adding up to `total_bytes`
//!   ("Segments do not add up to provided total file size."); a video or GIF then processes for
//!   [`XSandboxLimits::processing_time`] -> `processing_info {state:"pending", check_after_secs}`.
//! - `GET /2/media/upload?command=STATUS&media_id=` -> `processing_info` `in_progress` (with
//!   `progress_percent`), then `succeeded`, or `failed` with `error {code, name, message}` when the
//!   assembled file breaks X's rules (read with [`schedulo_media::probe`]).

use super::app::{Processing, SharedApp, StoredMedia, UploadSession};
use super::problems::{invalid, Problem};
use super::tweets::MEDIA_LIFETIME;
use super::{XSandboxLimits, XSandboxUser};
use axum::body::Bytes;
use axum::extract::{Extension, FromRequest, Multipart, Path, Query, Request, State};
use axum::http::header;
use axum::response::{IntoResponse, Response};
use axum::Json;
use base64::Engine;
use schedulo_media::probe::probe;
use serde::Deserialize;
use serde_json::{json, Value};
use std::collections::HashMap;
use tokio::time::Instant;

/// How long an upload session may take, initialize to finalize (X: `expires_after_secs` of initialize).
const SESSION_LIFETIME: std::time::Duration = std::time::Duration::from_secs(86_400);

/// `media_type` values X takes (OpenAPI `MediaUploadConfigRequest`).
const MEDIA_TYPES: &[&str] = &[
    "video/mp4",
    "video/webm",
    "video/mp2t",
    "video/quicktime",
    "text/srt",
    "text/vtt",
    "image/jpeg",
    "image/gif",
    "image/bmp",
    "image/png",
    "image/webp",
    "image/pjpeg",
    "image/tiff",
    "model/gltf-binary",
    "model/vnd.usdz+zip",
];

/// Categories, as initialize takes them.
const CATEGORIES: &[&str] = &[
    "amplify_video",
    "tweet_gif",
    "tweet_image",
    "tweet_video",
    "dm_gif",
    "dm_image",
    "dm_video",
    "subtitles",
];

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Initialize {
    media_type: Option<String>,
    total_bytes: Option<u64>,
    media_category: Option<String>,
    #[serde(default, rename = "additional_owners")]
    _additional_owners: Option<Value>,
    #[serde(default, rename = "shared")]
    _shared: Option<bool>,
}

fn ok(data: Value) -> Response {
    Json(json!({ "data": data })).into_response()
}

fn answer(result: Result<Value, Problem>) -> Response {
    match result {
        Ok(data) => ok(data),
        Err(problem) => problem.into_response(),
    }
}

/// `POST /2/media/upload/initialize`.
pub async fn initialize(
    State(app): State<SharedApp>,
    Extension(user): Extension<XSandboxUser>,
    body: Bytes,
) -> Response {
    answer(start(&app, &user, &body))
}

fn start(app: &SharedApp, user: &XSandboxUser, body: &[u8]) -> Result<Value, Problem> {
    let request: Initialize = serde_json::from_slice(body)
        .map_err(|e| invalid(None, format!("Your request body could not be parsed: {e}")))?;
    let media_type = request
        .media_type
        .ok_or_else(|| invalid(Some(("media_type", "")), "`media_type` is required"))?;
    if !MEDIA_TYPES.contains(&media_type.as_str()) {
        return Err(invalid(
            Some(("media_type", &media_type)),
            format!("`media_type` must be one of [{}]", MEDIA_TYPES.join(", ")),
        ));
    }
    let total_bytes = request
        .total_bytes
        .filter(|n| *n > 0)
        .ok_or_else(|| invalid(Some(("total_bytes", "")), "`total_bytes` is required and above 0"))?;
    let category = request
        .media_category
        .unwrap_or_else(|| default_category(&media_type).into());
    if !CATEGORIES.contains(&category.as_str()) {
        return Err(invalid(
            Some(("media_category", &category)),
            format!("`media_category` must be one of [{}]", CATEGORIES.join(", ")),
        ));
    }
    if !fits(&category, &media_type) {
        return Err(invalid(
            Some(("media_category", &category)),
            format!("`media_category` {category} does not take {media_type} (sandbox wording)"),
        ));
    }
    let max = max_bytes(&category, &app.limits);
    if total_bytes > max {
        return Err(invalid(None, format!("File size exceeds {max} bytes.")));
    }
    let mut inner = app.lock();
    let id = inner.next_id(app.clock.now());
    inner.uploads.insert(
        id.clone(),
        UploadSession {
            owner_id: user.id.clone(),
            category: category.clone(),
            total_bytes,
            segments: Default::default(),
            created: Instant::now(),
            finalized: false,
        },
    );
    Ok(json!({
        "id": id,
        "media_key": format!("{}{id}", key_prefix(&category)),
        "expires_after_secs": SESSION_LIFETIME.as_secs(),
    }))
}

/// The category a Post's media gets when none is given (X's best-practices page).
fn default_category(media_type: &str) -> &'static str {
    match media_type {
        "image/gif" => "tweet_gif",
        t if t.starts_with("video/") => "tweet_video",
        t if t.starts_with("text/") => "subtitles",
        _ => "tweet_image",
    }
}

fn fits(category: &str, media_type: &str) -> bool {
    match category {
        "tweet_video" | "amplify_video" | "dm_video" => media_type.starts_with("video/"),
        "tweet_gif" | "dm_gif" => media_type == "image/gif",
        "tweet_image" | "dm_image" => media_type.starts_with("image/"),
        "subtitles" => media_type.starts_with("text/"),
        _ => false,
    }
}

fn max_bytes(category: &str, limits: &XSandboxLimits) -> u64 {
    match category {
        "tweet_video" | "amplify_video" | "dm_video" => limits.max_video_bytes,
        "tweet_gif" | "dm_gif" => limits.max_gif_bytes,
        _ => super::media::MAX_IMAGE_BYTES as u64,
    }
}

fn key_prefix(category: &str) -> &'static str {
    match category {
        "tweet_video" | "dm_video" => "7_",
        "amplify_video" => "13_",
        "tweet_gif" | "dm_gif" => "16_",
        _ => "3_",
    }
}

/// The session `id` of `user`, if it is open.
fn session<'a>(
    sessions: &'a mut HashMap<String, UploadSession>,
    id: &str,
    user: &XSandboxUser,
) -> Result<&'a mut UploadSession, Problem> {
    let unknown = || invalid(Some(("id", id)), "The media ID is invalid or expired (sandbox wording)");
    let session = sessions
        .get_mut(id)
        .filter(|s| s.owner_id == user.id)
        .ok_or_else(unknown)?;
    if session.created.elapsed() >= SESSION_LIFETIME {
        return Err(unknown());
    }
    if session.finalized {
        return Err(invalid(
            Some(("id", id)),
            "This media is already finalized (sandbox wording)",
        ));
    }
    Ok(session)
}

/// `POST /2/media/upload/{id}/append`.
pub async fn append(
    State(app): State<SharedApp>,
    Extension(user): Extension<XSandboxUser>,
    Path(id): Path<String>,
    req: Request,
) -> Response {
    let segment = match read_segment(req).await {
        Ok(s) => s,
        Err(problem) => return problem.into_response(),
    };
    answer(add_segment(&app, &user, &id, segment))
}

struct Segment {
    index: Option<String>,
    bytes: Vec<u8>,
}

async fn read_segment(req: Request) -> Result<Segment, Problem> {
    let content_type = req
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_ascii_lowercase();
    let unreadable = |detail: String| invalid(None, format!("The request body could not be read: {detail}"));
    let mut segment = Segment {
        index: None,
        bytes: Vec::new(),
    };
    if content_type.starts_with("multipart/form-data") {
        let mut multipart = Multipart::from_request(req, &())
            .await
            .map_err(|e| unreadable(e.body_text()))?;
        while let Some(field) = multipart.next_field().await.map_err(|e| unreadable(e.body_text()))? {
            let name = field.name().unwrap_or("").to_string();
            let data = field.bytes().await.map_err(|e| unreadable(e.body_text()))?;
            match name.as_str() {
                "media" => segment.bytes = data.to_vec(),
                "segment_index" => segment.index = Some(String::from_utf8_lossy(&data).trim().to_string()),
                other => {
                    return Err(invalid(
                        Some((other, "")),
                        format!("The field `{other}` is not allowed here"),
                    ))
                }
            }
        }
        return Ok(segment);
    }
    if content_type.starts_with("application/json") {
        let body = Bytes::from_request(req, &())
            .await
            .map_err(|e| unreadable(e.body_text()))?;
        let json: Value = serde_json::from_slice(&body).map_err(|e| unreadable(e.to_string()))?;
        segment.index = match &json["segment_index"] {
            Value::Number(n) => Some(n.to_string()),
            Value::String(s) => Some(s.clone()),
            _ => None,
        };
        if let Some(encoded) = json["media"].as_str() {
            segment.bytes = base64::engine::general_purpose::STANDARD
                .decode(encoded.trim())
                .map_err(|_| invalid(Some(("media", "")), "`media` must be base64-encoded in a JSON body"))?;
        }
        return Ok(segment);
    }
    Err(invalid(None, "Append media as multipart/form-data or application/json"))
}

fn add_segment(app: &SharedApp, user: &XSandboxUser, id: &str, segment: Segment) -> Result<Value, Problem> {
    let raw = segment.index.unwrap_or_default();
    let index: u32 = raw.parse().ok().filter(|i| *i <= 999).ok_or_else(|| {
        invalid(
            Some(("segment_index", &raw)),
            "`segment_index` must be a number from 0 to 999",
        )
    })?;
    if segment.bytes.is_empty() {
        return Err(invalid(Some(("media", "")), "`media` is required"));
    }
    let max = app.limits.max_segment_bytes;
    if segment.bytes.len() as u64 > max {
        return Err(invalid(None, format!("Segment size exceeds {max} bytes.")));
    }
    let mut guard = app.lock();
    let inner = &mut *guard;
    let session = session(&mut inner.uploads, id, user)?;
    let others: u64 = session
        .segments
        .iter()
        .filter(|(i, _)| **i != index)
        .map(|(_, b)| b.len() as u64)
        .sum();
    if others + segment.bytes.len() as u64 > session.total_bytes {
        return Err(invalid(
            None,
            format!(
                "Segments exceed the total_bytes given at initialize ({}) (sandbox wording)",
                session.total_bytes
            ),
        ));
    }
    session.segments.insert(index, segment.bytes);
    let expires = session.created + SESSION_LIFETIME;
    inner.counters.media_segments += 1;
    Ok(json!({ "expires_at": app.clock.at(expires).timestamp() }))
}

/// `POST /2/media/upload/{id}/finalize`.
pub async fn finalize(
    State(app): State<SharedApp>,
    Extension(user): Extension<XSandboxUser>,
    Path(id): Path<String>,
) -> Response {
    answer(finish(&app, &user, &id))
}

fn finish(app: &SharedApp, user: &XSandboxUser, id: &str) -> Result<Value, Problem> {
    let mut guard = app.lock();
    let inner = &mut *guard;
    let session = session(&mut inner.uploads, id, user)?;
    if let Some(missing) = (0..session.segments.len() as u32).find(|i| !session.segments.contains_key(i)) {
        return Err(invalid(None, format!("Segment {missing} is missing (sandbox wording)")));
    }
    let received: u64 = session.segments.values().map(|b| b.len() as u64).sum();
    if received != session.total_bytes {
        return Err(invalid(None, "Segments do not add up to provided total file size."));
    }
    let bytes: Vec<u8> = std::mem::take(&mut session.segments).into_values().flatten().collect();
    session.finalized = true;
    let category = session.category.clone();
    let prefix = key_prefix(&category);
    let now = Instant::now();
    let moving = prefix != "3_";
    let processing = moving.then(|| Processing {
        started: now,
        done_at: now + app.limits.processing_time,
        failure: judge(&category, &bytes, &app.limits),
    });
    if !moving && super::limits::sniff_image(&bytes).is_none() {
        return Err(invalid(None, "media type unrecognized."));
    }
    inner.media.insert(
        id.to_string(),
        StoredMedia {
            owner_id: user.id.clone(),
            uploaded: now,
            key_prefix: prefix,
            processing,
        },
    );
    inner.counters.media_finalized += 1;
    let mut data = json!({
        "id": id,
        "media_key": format!("{prefix}{id}"),
        "size": bytes.len(),
        "expires_after_secs": MEDIA_LIFETIME.as_secs(),
    });
    if moving {
        data["processing_info"] = json!({ "state": "pending", "check_after_secs": app.limits.check_after_secs });
    }
    Ok(data)
}

/// Why X's processing fails a finalized file, if it does: the rules of its category, read from
/// the file. The messages beyond X's documented "Unsupported video format" are the sandbox's.
fn judge(category: &str, bytes: &[u8], limits: &XSandboxLimits) -> Option<String> {
    let info = match probe(bytes, None) {
        Ok(info) => info,
        Err(_) if category.ends_with("gif") => return Some("Unsupported media format (sandbox wording)".into()),
        Err(_) => return Some("Unsupported video format".into()),
    };
    let format = info.format.as_deref().unwrap_or("");
    if category.ends_with("gif") {
        return (format != "gif").then(|| format!("Unsupported media format: {format} is not a GIF (sandbox wording)"));
    }
    if !matches!(format, "mp4" | "mov") {
        return Some("Unsupported video format".into());
    }
    if let Some(secs) = info
        .duration_secs
        .filter(|s| *s < limits.min_video_secs || *s > limits.max_video_secs)
    {
        return Some(format!(
            "Invalid or Unsupported media, Reason: the video lasts {secs:.1} s; X takes {} s to {} s (sandbox wording)",
            limits.min_video_secs, limits.max_video_secs
        ));
    }
    if let Some(ratio) = info
        .aspect_ratio()
        .filter(|r| *r < super::limits::MIN_ASPECT - 1e-9 || *r > super::limits::MAX_ASPECT + 1e-9)
    {
        return Some(format!(
            "Invalid or Unsupported media, Reason: aspect ratio {ratio:.2} is outside 1:3 to 3:1 (sandbox wording)"
        ));
    }
    None
}

#[derive(Debug, Deserialize)]
pub struct StatusQuery {
    command: Option<String>,
    media_id: Option<String>,
}

/// `GET /2/media/upload?command=STATUS&media_id=`.
pub async fn status(
    State(app): State<SharedApp>,
    Extension(user): Extension<XSandboxUser>,
    Query(query): Query<StatusQuery>,
) -> Response {
    answer(report(&app, &user, query))
}

fn report(app: &SharedApp, user: &XSandboxUser, query: StatusQuery) -> Result<Value, Problem> {
    if query.command.as_deref() != Some("STATUS") {
        let given = query.command.unwrap_or_default();
        return Err(invalid(Some(("command", &given)), "`command` must be STATUS"));
    }
    let id = query
        .media_id
        .ok_or_else(|| invalid(Some(("media_id", "")), "`media_id` is required"))?;
    let inner = app.lock();
    let media = inner.media.get(&id).filter(|m| m.owner_id == user.id).ok_or_else(|| {
        invalid(
            Some(("media_id", &id)),
            "The media ID is invalid or expired (sandbox wording)",
        )
    })?;
    let now = Instant::now();
    let left = MEDIA_LIFETIME.saturating_sub(now.saturating_duration_since(media.uploaded));
    let mut data = json!({
        "id": id,
        "media_key": format!("{}{id}", media.key_prefix),
        "expires_after_secs": left.as_secs(),
    });
    if let Some(p) = &media.processing {
        data["processing_info"] = if now < p.done_at {
            let total = p.done_at.saturating_duration_since(p.started).as_secs_f64().max(0.001);
            let done = now.saturating_duration_since(p.started).as_secs_f64();
            json!({
                "state": "in_progress",
                "check_after_secs": app.limits.check_after_secs,
                "progress_percent": ((done / total) * 100.0).floor().min(99.0) as u32,
            })
        } else {
            match &p.failure {
                None => json!({ "state": "succeeded", "progress_percent": 100 }),
                Some(message) => json!({
                    "state": "failed",
                    "progress_percent": 100,
                    "error": { "code": 1, "name": "InvalidMedia", "message": message },
                }),
            }
        };
    }
    Ok(data)
}
