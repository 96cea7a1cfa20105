//! `POST /v2/post/publish/status/fetch/ {publish_id}` -> `{status, fail_reason?,
//! publicaly_available_post_id:[id], uploaded_bytes | downloaded_bytes}` (TikTok's spelling; the
//! ids are numbers). The status moves with time ([`super::app::Publish::state`]).

use super::app::{SharedApp, Source};
use super::errors::{ok, TikTokError};
use super::TikTokSandboxCreator;
use axum::body::Bytes;
use axum::extract::{Extension, State};
use axum::response::Response;
use serde::Deserialize;
use serde_json::json;
use tokio::time::Instant;

#[derive(Debug, Deserialize)]
struct Fetch {
    publish_id: Option<String>,
}

/// `POST /v2/post/publish/status/fetch/`.
pub async fn fetch(
    State(app): State<SharedApp>,
    Extension(creator): Extension<TikTokSandboxCreator>,
    body: Bytes,
) -> Result<Response, TikTokError> {
    let asked: Fetch = serde_json::from_slice(&body)
        .map_err(|e| TikTokError::invalid(format!("The request body is not valid JSON: {e}")))?;
    let publish_id = asked
        .publish_id
        .filter(|p| !p.trim().is_empty())
        .ok_or_else(|| TikTokError::invalid("publish_id is required"))?;
    let inner = app.lock();
    let publish = inner
        .publishes
        .iter()
        .find(|p| p.publish_id == publish_id && p.open_id == creator.open_id)
        .ok_or_else(|| TikTokError::invalid(format!("publish_id {publish_id} is not a post of this user")))?;
    let state = publish.state(Instant::now(), app.limits.processing(), app.limits.moderation());
    let mut data = json!({
        "status": state.status,
        "publicaly_available_post_id": state.post_id.into_iter().collect::<Vec<u64>>(),
    });
    let bytes_field = match publish.source {
        Source::FileUpload => "uploaded_bytes",
        Source::PullFromUrl => "downloaded_bytes",
    };
    data[bytes_field] = json!(publish.bytes);
    if let Some(reason) = state.fail_reason {
        data["fail_reason"] = json!(reason);
    }
    Ok(ok(data))
}
