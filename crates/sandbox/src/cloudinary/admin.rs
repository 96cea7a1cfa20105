//! The admin path (`/_sandbox`; no auth, not rate limited, not counted): faults, counters, the
//! stored assets and the notifications sent.

use super::app::SharedApp;
use super::errors::CldError;
use crate::faults::FaultSpec;
use axum::body::Bytes;
use axum::extract::State;
use axum::Json;
use serde_json::{json, Value};

type Answer = Result<Json<Value>, CldError>;

/// `POST /_sandbox/faults`.
pub async fn add_fault(State(app): State<SharedApp>, body: Bytes) -> Answer {
    let spec: FaultSpec = serde_json::from_slice(&body)
        .map_err(|e| CldError::bad_request(format!("The request body could not be read: {e}")))?;
    app.lock().faults.add(spec).map_err(CldError::bad_request)?;
    Ok(Json(json!({})))
}

/// `DELETE /_sandbox/faults`.
pub async fn clear_faults(State(app): State<SharedApp>) -> Answer {
    app.lock().faults.clear();
    Ok(Json(json!({})))
}

/// `GET /_sandbox/counters`.
pub async fn counters(State(app): State<SharedApp>) -> Answer {
    Ok(Json(serde_json::to_value(&app.lock().counters).unwrap_or_default()))
}

/// `POST /_sandbox/counters/reset`.
pub async fn reset_counters(State(app): State<SharedApp>) -> Answer {
    app.lock().counters = Default::default();
    Ok(Json(json!({})))
}

/// `GET /_sandbox/assets`: every stored asset with its derived files.
pub async fn assets(State(app): State<SharedApp>) -> Answer {
    let views = app.lock().asset_views(&app.url);
    Ok(Json(
        json!({ "assets": serde_json::to_value(views).unwrap_or_default() }),
    ))
}

/// `GET /_sandbox/notifications`: every notification sent or tried.
pub async fn notifications(State(app): State<SharedApp>) -> Answer {
    let list = app.lock().notifications.clone();
    Ok(Json(
        json!({ "notifications": serde_json::to_value(list).unwrap_or_default() }),
    ))
}
