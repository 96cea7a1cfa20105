//! Reels: `POST {page-id}/video_reels` (`start`, `finish`) and the upload host
//! `POST /video-upload/{version}/{video-id}` (see [`super::videos`] for the whole flow).

use super::app::{token_of, Post, SharedApp};
use super::errors::GraphError;
use super::graph::GraphRequest;
use super::videos::{fetch, is_video, problem, Video, VideoKind};
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use schedulo_media::probe::probe;
use serde_json::{json, Value};
use std::time::Duration;
use tokio::time::Instant;

const DAY: Duration = Duration::from_secs(24 * 3600);

/// `POST /{page-id}/video_reels`: `start` or `finish`.
pub fn reels(app: &SharedApp, page_id: &str, req: &GraphRequest) -> Result<Json<Value>, GraphError> {
    let phase = req
        .params
        .text("upload_phase")
        .ok_or_else(|| GraphError::required("upload_phase"))?;
    let mut inner = app.lock();
    let p = inner.authorize(req.token.as_deref(), page_id, "post")?;
    match phase.as_str() {
        "start" => {
            let id = inner.new_id();
            inner.pages[p].videos.push(Video {
                id: id.clone(),
                kind: VideoKind::Reel,
                description: None,
                info: None,
                error: None,
                uploaded: None,
                publish: false,
                post_id: None,
                created: app.clock.now(),
            });
            inner.counters.videos_created += 1;
            let upload_url = format!("{}/video-upload/{}/{id}", app.url, app.version);
            Ok(Json(json!({ "video_id": id, "upload_url": upload_url })))
        }
        "finish" => {
            let video_id = req
                .params
                .text("video_id")
                .ok_or_else(|| GraphError::required("video_id"))?;
            let state = req.params.text("video_state").unwrap_or_else(|| "DRAFT".into());
            let description = req.params.text("description").filter(|d| !d.trim().is_empty());
            let cap = app.settings.reels_per_day;
            let now = Instant::now();
            let finishes = {
                let page = &mut inner.pages[p];
                while page
                    .reel_finishes
                    .front()
                    .is_some_and(|t| now.duration_since(*t) >= DAY)
                {
                    page.reel_finishes.pop_front();
                }
                page.reel_finishes.len()
            };
            let Some(v) = inner.pages[p]
                .videos
                .iter()
                .position(|v| v.id == video_id && v.kind == VideoKind::Reel)
            else {
                return Err(GraphError::no_such_object("post", &video_id));
            };
            if inner.pages[p].videos[v].uploaded.is_none() {
                return Err(GraphError::param(
                    "The Reel's video has not been uploaded (sandbox wording)",
                ));
            }
            if state != "PUBLISHED" || inner.pages[p].videos[v].publish {
                inner.pages[p].videos[v].description = description.or(inner.pages[p].videos[v].description.take());
                return Ok(Json(json!({ "success": true })));
            }
            if finishes >= cap as usize {
                return Err(GraphError::reels_limit(cap));
            }
            let post_id = format!("{page_id}_{}", inner.new_id());
            let created = app.clock.now();
            let page = &mut inner.pages[p];
            page.reel_finishes.push_back(now);
            let video = &mut page.videos[v];
            video.publish = true;
            video.description = description.clone();
            video.post_id = Some(post_id.clone());
            page.posts.push(Post {
                id: post_id,
                message: description,
                link: None,
                photo_ids: Vec::new(),
                video_id: Some(video_id.clone()),
                created,
                at: now,
            });
            inner.counters.reels_published += 1;
            inner.counters.posts_created += 1;
            tracing::debug!(message = "Reel finished.", page = page_id, video = %video_id);
            Ok(Json(json!({ "success": true })))
        }
        other => Err(GraphError::param(&format!(
            "upload_phase must be start or finish, not {other} (sandbox wording)"
        ))),
    }
}

/// An error of the upload host, in its shape.
fn upload_error(status: StatusCode, kind: &str, message: &str) -> Response {
    (
        status,
        Json(json!({ "debug_info": { "retriable": false, "type": kind, "message": message } })),
    )
        .into_response()
}

/// `POST /video-upload/{version}/{video-id}`: the upload host.
pub async fn upload(
    State(app): State<SharedApp>,
    Path((version, video_id)): Path<(String, String)>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    if version != app.version {
        return upload_error(StatusCode::BAD_REQUEST, "ProcessingFailedError", "Unknown API version");
    }
    let token = token_of(&headers, None);
    let page_index = {
        let inner = app.lock();
        let found = inner
            .pages
            .iter()
            .position(|p| p.videos.iter().any(|v| v.id == video_id && v.kind == VideoKind::Reel));
        match (found, token.as_deref()) {
            (_, None) => return GraphError::token_required().into_response(),
            (Some(p), Some(t)) if inner.pages[p].page.token == t => p,
            (_, Some(t)) if !inner.knows_token(t) => return GraphError::invalid_token().into_response(),
            _ => return GraphError::no_such_object("post", &video_id).into_response(),
        }
    };
    let header = |name: &str| headers.get(name).and_then(|v| v.to_str().ok()).map(str::to_string);
    let info = match header("file_url") {
        Some(url) => match fetch(&app, &url).await {
            Some(info) => info,
            None => {
                return upload_error(
                    StatusCode::BAD_REQUEST,
                    "ProcessingFailedError",
                    "Unable to fetch the video file from file_url (sandbox wording)",
                )
            }
        },
        None => {
            let declared = header("file_size").and_then(|s| s.parse::<u64>().ok());
            if body.is_empty() || declared.is_some_and(|d| d != body.len() as u64) {
                return upload_error(
                    StatusCode::BAD_REQUEST,
                    "ProcessingFailedError",
                    "The body is empty or does not match file_size; send the whole file, or a file_url header (sandbox wording)",
                );
            }
            match probe(&body, Some(body.len() as u64)) {
                Ok(info) => info,
                Err(e) => return upload_error(StatusCode::BAD_REQUEST, "ProcessingFailedError", &e.to_string()),
            }
        }
    };
    if !is_video(&info) {
        return upload_error(
            StatusCode::BAD_REQUEST,
            "ProcessingFailedError",
            "The file is not a video (sandbox wording)",
        );
    }
    let mut inner = app.lock();
    if let Some(video) = inner.pages[page_index].videos.iter_mut().find(|v| v.id == video_id) {
        video.error = problem(VideoKind::Reel, &info);
        video.info = Some(info);
        video.uploaded = Some(Instant::now());
    }
    tracing::debug!(message = "Reel uploaded.", video = %video_id);
    Json(json!({ "success": true })).into_response()
}
