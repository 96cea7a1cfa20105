//! What the handlers share: the JSON refusal (`{"error": "..."}`), Bubble's bearer-token check
//! (compared in constant time), and the shape of an Airtable record id.

use super::ServerState;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use secrecy::ExposeSecret;
use serde_json::json;

pub(super) fn refuse(status: StatusCode, message: impl Into<String>) -> Response {
    (status, Json(json!({ "error": message.into() }))).into_response()
}

/// Constant-time comparison of a presented secret with ours.
pub(super) fn same_secret(presented: &[u8], ours: &[u8]) -> bool {
    if presented.len() != ours.len() {
        return false;
    }
    presented.iter().zip(ours).fold(0u8, |acc, (a, b)| acc | (a ^ b)) == 0
}

/// Checks Bubble's `Authorization: Bearer <SCHEDULO_WEBHOOK_TOKEN>`; the refusal to answer with, if any.
pub(super) fn refuse_bearer(state: &ServerState, headers: &HeaderMap) -> Option<Response> {
    let Some(auth) = headers.get("authorization").and_then(|v| v.to_str().ok()) else {
        return Some(refuse(
            StatusCode::UNAUTHORIZED,
            "missing Authorization header: send `Authorization: Bearer <SCHEDULO_WEBHOOK_TOKEN>`",
        ));
    };
    let Some(presented) = auth.strip_prefix("Bearer ") else {
        return Some(refuse(
            StatusCode::UNAUTHORIZED,
            "the Authorization header is not `Bearer <token>`",
        ));
    };
    if !same_secret(
        presented.trim().as_bytes(),
        state.webhook_token.expose_secret().as_bytes(),
    ) {
        return Some(refuse(
            StatusCode::UNAUTHORIZED,
            "the bearer token is not this worker's SCHEDULO_WEBHOOK_TOKEN",
        ));
    }
    None
}

/// An Airtable record id (`rec` and 14 letters or digits).
pub(super) fn is_record_id(id: &str) -> bool {
    id.starts_with("rec") && id.len() == 17 && id.chars().all(|c| c.is_ascii_alphanumeric())
}
