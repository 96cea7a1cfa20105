//! The admin path (`/_sandbox`; no token needed, not rate limited, not counted): faults, counters,
//! and users.

use super::app::SharedApp;
use super::problems::{self, Problem};
use super::XSandboxUser;
use crate::faults::FaultSpec;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::StatusCode;
use axum::Json;
use serde::de::DeserializeOwned;
use serde_json::{json, Value};

type Answer = Result<(StatusCode, Json<Value>), Problem>;

fn parse<T: DeserializeOwned>(body: &[u8]) -> Result<T, Problem> {
    serde_json::from_slice(body)
        .map_err(|e| problems::invalid(None, format!("Your request body could not be parsed: {e}")))
}

fn ok(value: Value) -> Answer {
    Ok((StatusCode::OK, Json(value)))
}

/// `POST /_sandbox/faults`.
pub async fn add_fault(State(app): State<SharedApp>, body: Bytes) -> Answer {
    let spec: FaultSpec = parse(&body)?;
    app.lock().faults.add(spec).map_err(|e| problems::invalid(None, e))?;
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

/// `POST /_sandbox/users` `{"token","id","username"}`.
pub async fn add_user(State(app): State<SharedApp>, body: Bytes) -> Answer {
    let user: XSandboxUser = parse(&body)?;
    let data = json!({ "id": user.id, "username": user.username });
    app.lock().add_user(user).map_err(|e| problems::invalid(None, e))?;
    Ok((StatusCode::CREATED, Json(json!({ "data": data }))))
}
