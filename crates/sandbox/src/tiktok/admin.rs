//! The admin path (`/_sandbox`; no token needed, not rate limited, not counted): faults, counters,
//! creators, and the posts taken.

use super::app::SharedApp;
use super::errors::TikTokError;
use super::TikTokSandboxCreator;
use crate::faults::FaultSpec;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::Json;
use serde::de::DeserializeOwned;
use serde_json::{json, Value};

type Answer = Result<(StatusCode, Json<Value>), TikTokError>;

fn parse<T: DeserializeOwned>(body: &[u8]) -> Result<T, TikTokError> {
    serde_json::from_slice(body).map_err(|e| TikTokError::invalid(format!("The request body could not be read: {e}")))
}

fn ok(value: Value) -> Answer {
    Ok((StatusCode::OK, Json(value)))
}

/// `POST /_sandbox/faults`.
pub async fn add_fault(State(app): State<SharedApp>, body: Bytes) -> Answer {
    let spec: FaultSpec = parse(&body)?;
    app.lock().faults.add(spec).map_err(TikTokError::invalid)?;
    ok(json!({}))
}

/// `DELETE /_sandbox/faults`.
pub async fn clear_faults(State(app): State<SharedApp>) -> Answer {
    app.lock().faults.clear();
    ok(json!({}))
}

/// `GET /_sandbox/counters`.
pub async fn counters(State(app): State<SharedApp>) -> Answer {
    ok(serde_json::to_value(&app.lock().counters).unwrap_or_default())
}

/// `POST /_sandbox/counters/reset`.
pub async fn reset_counters(State(app): State<SharedApp>) -> Answer {
    app.lock().counters = Default::default();
    ok(json!({}))
}

/// `POST /_sandbox/creators` `{"token","open_id","username","privacy_level_options"?,
/// "max_video_post_duration_sec"?, "comment_disabled"?, "duet_disabled"?, "stitch_disabled"?}`.
pub async fn add_creator(State(app): State<SharedApp>, body: Bytes) -> Answer {
    let creator: TikTokSandboxCreator = parse(&body)?;
    let data = json!({ "open_id": creator.open_id, "username": creator.username });
    app.lock().add_creator(creator).map_err(TikTokError::invalid)?;
    Ok((StatusCode::CREATED, Json(json!({ "data": data }))))
}

/// `GET /_sandbox/publishes`: every post taken, with its status now.
pub async fn publishes(State(app): State<SharedApp>) -> Answer {
    let list = super::views(&app);
    ok(json!({ "publishes": serde_json::to_value(list).unwrap_or_default() }))
}

/// `POST /_sandbox/creators/{open_id}/scopes` `{"scopes":["video.list", ...]}`: the scopes the
/// creator granted the app from now on (each one of TikTok's).
pub async fn set_scopes(State(app): State<SharedApp>, Path(open_id): Path<String>, body: Bytes) -> Answer {
    #[derive(serde::Deserialize)]
    #[serde(deny_unknown_fields)]
    struct Scopes {
        scopes: Vec<String>,
    }
    let asked: Scopes = parse(&body)?;
    grant(&app, &open_id, asked.scopes.clone())?;
    ok(json!({ "open_id": open_id, "scopes": asked.scopes }))
}

/// Sets the scopes `open_id` granted; refuses an unknown creator or scope.
pub fn grant(app: &SharedApp, open_id: &str, scopes: Vec<String>) -> Result<(), TikTokError> {
    if let Some(bad) = scopes.iter().find(|s| !super::limits::SCOPES.contains(&s.as_str())) {
        return Err(TikTokError::invalid(format!(
            "{bad} is not one of TikTok's scopes ({})",
            super::limits::SCOPES.join(", ")
        )));
    }
    let mut inner = app.lock();
    if !inner.creators.iter().any(|c| c.open_id == open_id) {
        return Err(TikTokError::invalid(format!("No creator {open_id}")));
    }
    inner.scopes.insert(open_id.to_string(), scopes);
    Ok(())
}
