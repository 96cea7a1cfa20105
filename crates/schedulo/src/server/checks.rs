//! What the handlers share: the JSON refusal (`{"error": "..."}`), Bubble's bearer-token check
//! (compared in constant time by `subtle`), and the shape of an Airtable record id.

use super::ServerState;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use secrecy::ExposeSecret;
use serde_json::json;
use subtle::ConstantTimeEq;

pub(super) fn refuse(status: StatusCode, message: impl Into<String>) -> Response {
    (status, Json(json!({ "error": message.into() }))).into_response()
}

/// Whether a presented secret is ours, in constant time over the bytes (`subtle`); only the length
/// may show, and a token's length is no secret (the table says at least 32).
pub(super) fn same_secret(presented: &[u8], ours: &[u8]) -> bool {
    bool::from(presented.ct_eq(ours))
}

/// Checks Bubble's `Authorization: Bearer <SCHEDULO_WEBHOOK_TOKEN>` (the scheme in any case, the
/// token trimmed as the configured one was); the refusal to answer with, if any. Without a
/// configured token every request is refused (the router serves no Bubble route then anyway).
pub(super) fn refuse_bearer(state: &ServerState, headers: &HeaderMap) -> Option<Response> {
    let Some(auth) = headers.get("authorization").and_then(|v| v.to_str().ok()) else {
        return Some(refuse(
            StatusCode::UNAUTHORIZED,
            "missing Authorization header: send `Authorization: Bearer <SCHEDULO_WEBHOOK_TOKEN>`",
        ));
    };
    let presented = match auth.split_once(' ') {
        Some((scheme, token)) if scheme.eq_ignore_ascii_case("bearer") => token.trim(),
        _ => {
            return Some(refuse(
                StatusCode::UNAUTHORIZED,
                "the Authorization header is not `Bearer <token>`",
            ))
        }
    };
    let ours = state.webhook_token.as_ref().map(|t| t.expose_secret().as_bytes());
    if !ours.is_some_and(|ours| same_secret(presented.as_bytes(), ours)) {
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

#[cfg(test)]
mod tests {
    use super::same_secret;

    #[test]
    fn only_the_same_bytes_are_the_same_secret() {
        assert!(same_secret(
            b"0123456789abcdef0123456789abcdef",
            b"0123456789abcdef0123456789abcdef"
        ));
        assert!(!same_secret(
            b"0123456789abcdef0123456789abcdeX",
            b"0123456789abcdef0123456789abcdef"
        ));
        assert!(!same_secret(b"0123456789abcdef", b"0123456789abcdef0123456789abcdef"));
        assert!(!same_secret(b"", b"0123456789abcdef0123456789abcdef"));
    }
}
