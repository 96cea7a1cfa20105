//! The Media Processor's routes: Bubble's `media.created` event (on `/webhooks/bubble`), its
//! signed direct uploads (`POST /uploads/sign`), and Cloudinary's notifications
//! (`POST /webhooks/cloudinary`, signed with `X-Cld-Signature`).

use super::checks::{is_record_id, refuse};
use super::ServerState;
use crate::cloudinary::variants::Resource;
use crate::platforms::Platform;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde::Deserialize;
use serde_json::json;

pub(super) const NOT_CONFIGURED: &str =
    "media processing is not configured on this worker (set CLOUDINARY_URL; see .env.example)";

/// `{"event":"media.created","media":"rec...","platforms":["Instagram",...]}`: a job, durable
/// before the 202.
pub(super) async fn media_event(
    state: &ServerState,
    headers: &HeaderMap,
    media: &str,
    platforms: Option<Vec<String>>,
) -> Response {
    let Some(processor) = &state.media else {
        return refuse(StatusCode::SERVICE_UNAVAILABLE, NOT_CONFIGURED);
    };
    if !is_record_id(media) {
        return refuse(
            StatusCode::BAD_REQUEST,
            format!("\"media\" must be an Airtable record id of MediaLibrary like recAbC123dEf456gH, not {media:?}"),
        );
    }
    if let Some(names) = &platforms {
        if let Some(bad) = names.iter().find(|n| Platform::named(n).is_none()) {
            return refuse(
                StatusCode::BAD_REQUEST,
                format!(
                    "\"platforms\" holds {bad:?}; the platforms are Instagram, Facebook, Twitter (or X) and TikTok"
                ),
            );
        }
        if names.is_empty() {
            return refuse(
                StatusCode::BAD_REQUEST,
                "\"platforms\" is empty; leave it out for every platform",
            );
        }
    }
    // The job first: a delivery answered 202 always has its job. With an Idempotency-Key, a
    // delivery seen before only counts as one more request on the job, which finds its sources
    // processed and uploads nothing.
    let job = match processor.request(media, platforms.clone()).await {
        Ok(job) => job,
        Err(error) => {
            tracing::error!(message = "Failed to keep a media job.", %error);
            return refuse(
                StatusCode::SERVICE_UNAVAILABLE,
                "the worker cannot store the event now; try again",
            );
        }
    };
    let mut duplicate = false;
    if let Some(key) = headers.get("idempotency-key").and_then(|v| v.to_str().ok()) {
        let body = json!({"event": "media.created", "media": media, "platforms": platforms});
        match state.journal.inbox_put("bubble-media", Some(key), &body).await {
            Ok(crate::journal::InboxPut::Duplicate(_)) => duplicate = true,
            Ok(crate::journal::InboxPut::Inserted(id)) => {
                // Kept for the dedup key only: the job is the work.
                let _ = state.journal.inbox_done(id).await;
            }
            Err(error) => {
                tracing::warn!(message = "Could not note a media webhook's Idempotency-Key; the job is kept.", %error)
            }
        }
    }
    (
        StatusCode::ACCEPTED,
        Json(json!({"accepted": true, "duplicate": duplicate, "job": job.as_str()})),
    )
        .into_response()
}

/// What Bubble asks to upload.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct SignRequest {
    /// The `MediaLibrary` record the file is for.
    media: String,
    /// The user's `Users` record: the file goes to `users/<user>`.
    user: String,
    /// `image` (default) or `video`.
    #[serde(default)]
    resource_type: Option<String>,
}

/// `POST /uploads/sign`: the parameters for Bubble's uploader to send a file straight to
/// Cloudinary (the API secret never leaves the worker), scoped to the user's folder.
/// Behind the bearer guard (`guards::bearer`).
pub(super) async fn sign(State(state): State<ServerState>, body: Bytes) -> Response {
    let Some(processor) = &state.media else {
        return refuse(StatusCode::SERVICE_UNAVAILABLE, NOT_CONFIGURED);
    };
    let request: SignRequest = match serde_json::from_slice(&body) {
        Ok(r) => r,
        Err(e) => {
            return refuse(
                StatusCode::BAD_REQUEST,
                format!("the body is not a sign request ({e}); send {{\"media\":\"rec...\",\"user\":\"rec...\",\"resource_type\":\"image\"}}"),
            )
        }
    };
    for (name, id) in [("media", &request.media), ("user", &request.user)] {
        if !is_record_id(id) {
            return refuse(
                StatusCode::BAD_REQUEST,
                format!("\"{name}\" must be an Airtable record id like recAbC123dEf456gH, not {id:?}"),
            );
        }
    }
    let resource = match request.resource_type.as_deref().unwrap_or("image") {
        "image" => Resource::Image,
        "video" => Resource::Video,
        other => {
            return refuse(
                StatusCode::BAD_REQUEST,
                format!("\"resource_type\" is {other:?}; it is image or video"),
            )
        }
    };
    match processor
        .sign_upload(&request.media, Some(&request.user), resource)
        .await
    {
        Ok(signed) => Json(signed).into_response(),
        Err(error) => {
            tracing::error!(message = "Failed to keep a direct upload's job.", %error);
            refuse(StatusCode::SERVICE_UNAVAILABLE, "the worker cannot sign now; try again")
        }
    }
}

/// `POST /webhooks/cloudinary`: Cloudinary's notification, verified, kept on its job; behind the
/// headers' guard (`guards::cloudinary`).
pub(super) async fn cloudinary(State(state): State<ServerState>, headers: HeaderMap, body: Bytes) -> Response {
    let Some(processor) = &state.media else {
        return refuse(StatusCode::NOT_FOUND, NOT_CONFIGURED);
    };
    let now = processor.now().timestamp();
    if let Err(why) = processor.cloudinary().verify_notification(&body, &headers, now) {
        tracing::warn!(message = "Refused a Cloudinary notification.", reason = %why);
        return refuse(StatusCode::UNAUTHORIZED, why.to_string());
    }
    let value: serde_json::Value = match serde_json::from_slice(&body) {
        Ok(v) => v,
        Err(e) => return refuse(StatusCode::BAD_REQUEST, format!("the body is not JSON: {e}")),
    };
    match processor.notified(&value).await {
        Ok(true) => StatusCode::NO_CONTENT.into_response(),
        Ok(false) => {
            tracing::info!(message = "A Cloudinary notification for an asset no job made; ignored.", public_id = ?value.get("public_id"));
            (StatusCode::OK, Json(json!({"ignored": "no media job made this asset"}))).into_response()
        }
        Err(error) => {
            tracing::error!(message = "Failed to keep a Cloudinary notification.", %error);
            refuse(
                StatusCode::SERVICE_UNAVAILABLE,
                "the worker cannot store the notification now",
            )
        }
    }
}
