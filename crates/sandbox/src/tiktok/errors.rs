//! TikTok's answers as the sandbox sends them: every body is `{"data":{...},"error":{"code",
//! "message","log_id"}}`, with `code` `"ok"` on success (developers.tiktok.com
//! `doc/tiktok-api-v2-error-handling`). Examples of each are in `fixtures/tiktok/`.

use crate::faults::{FaultAnswer, FaultSpec, FaultVendor};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde_json::{json, Value};
use std::sync::atomic::{AtomicU64, Ordering};

/// A made-up `log_id` in TikTok's shape (a timestamp-like prefix and hex), unique per answer.
pub fn log_id() -> String {
    static NEXT: AtomicU64 = AtomicU64::new(1);
    let n = NEXT.fetch_add(1, Ordering::Relaxed);
    format!("20260101000000{n:020X}")
}

/// A success: `data` and `error.code` `"ok"`.
pub fn ok(data: Value) -> Response {
    axum::Json(json!({
        "data": data,
        "error": { "code": "ok", "message": "", "log_id": log_id() },
    }))
    .into_response()
}

/// An error answer.
#[derive(Debug, Clone, PartialEq)]
pub struct TikTokError {
    pub status: StatusCode,
    pub body: Value,
}

impl TikTokError {
    pub fn new(status: StatusCode, code: &str, message: impl Into<String>) -> TikTokError {
        TikTokError {
            status,
            body: json!({
                "data": {},
                "error": { "code": code, "message": message.into(), "log_id": log_id() },
            }),
        }
    }

    /// 401 `access_token_invalid`.
    pub fn token_invalid() -> TikTokError {
        TikTokError::new(
            StatusCode::UNAUTHORIZED,
            "access_token_invalid",
            "The access token is invalid or not found in the request.",
        )
    }

    /// 401 `scope_not_authorized`: the user did not grant the scope the endpoint needs.
    pub fn scope_not_authorized() -> TikTokError {
        TikTokError::new(
            StatusCode::UNAUTHORIZED,
            "scope_not_authorized",
            "The user did not authorize the scope required for completing this request.",
        )
    }

    /// 400 `invalid_params` with what is wrong.
    pub fn invalid(message: impl Into<String>) -> TikTokError {
        TikTokError::new(StatusCode::BAD_REQUEST, "invalid_params", message)
    }

    /// 429 `rate_limit_exceeded`.
    pub fn rate_limited() -> TikTokError {
        TikTokError::new(
            StatusCode::TOO_MANY_REQUESTS,
            "rate_limit_exceeded",
            "The API rate limit was exceeded. Please try again later.",
        )
    }

    /// 403 `spam_risk_too_many_posts`.
    pub fn too_many_posts() -> TikTokError {
        TikTokError::new(
            StatusCode::FORBIDDEN,
            "spam_risk_too_many_posts",
            "The daily post cap from the API is reached for the current user.",
        )
    }

    /// 403 `privacy_level_option_mismatch`.
    pub fn privacy_mismatch(level: &str, offered: &[String]) -> TikTokError {
        TikTokError::new(
            StatusCode::FORBIDDEN,
            "privacy_level_option_mismatch",
            format!(
                "privacy_level {level} is not one of the creator's options ({})",
                offered.join(", ")
            ),
        )
    }

    /// 403 `url_ownership_unverified`.
    pub fn url_unverified(url: &str) -> TikTokError {
        TikTokError::new(
            StatusCode::FORBIDDEN,
            "url_ownership_unverified",
            format!("The URL prefix of {url} is not verified for this app (the sandbox fetches loopback URLs only)"),
        )
    }

    /// An error for an injected fault's status, when the fault gives no body.
    pub fn for_status(status: StatusCode) -> TikTokError {
        match status.as_u16() {
            400 => TikTokError::invalid("Injected by the sandbox"),
            401 => TikTokError::token_invalid(),
            403 => TikTokError::too_many_posts(),
            429 => TikTokError::rate_limited(),
            _ => TikTokError::new(
                status,
                "internal_error",
                "Something went wrong. Please try again later.",
            ),
        }
    }
}

impl IntoResponse for TikTokError {
    fn into_response(self) -> Response {
        (self.status, axum::Json(self.body)).into_response()
    }
}

impl From<FaultAnswer> for TikTokError {
    fn from(answer: FaultAnswer) -> Self {
        TikTokError {
            status: answer.status,
            body: answer.body,
        }
    }
}

/// TikTok's side of the injected faults ([`crate::faults`]): its error bodies (400
/// `invalid_params`, 401 `access_token_invalid`, 403 `spam_risk_too_many_posts`, 429
/// `rate_limit_exceeded`, 5xx `internal_error`); a fault either answers or applies the request.
pub struct TikTokFaults;

impl FaultVendor for TikTokFaults {
    fn default_body(status: StatusCode) -> Value {
        TikTokError::for_status(status).body
    }

    fn check(spec: &FaultSpec) -> Result<(), String> {
        if spec.status.is_some() && spec.apply_then_delay_ms.unwrap_or(0) > 0 {
            return Err("a fault either answers with a status or applies the request, not both".into());
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fixture(name: &str) -> Value {
        let path = format!("{}/../../fixtures/tiktok/{name}.json", env!("CARGO_MANIFEST_DIR"));
        serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
    }

    /// The body without its `log_id` (made up per answer) and `message` (the sandbox's words).
    fn shape(mut v: Value) -> Value {
        v["error"]["log_id"] = Value::Null;
        v["error"]["message"] = Value::Null;
        v
    }

    #[test]
    fn the_sandbox_answers_tiktok_s_documented_shapes_and_codes() {
        let cases = [
            (TikTokError::token_invalid(), "error_access_token_invalid", 401),
            (TikTokError::invalid("x"), "error_invalid_params", 400),
            (TikTokError::scope_not_authorized(), "error_scope_not_authorized", 401),
            (TikTokError::rate_limited(), "error_rate_limit_exceeded", 429),
            (TikTokError::too_many_posts(), "error_spam_risk_too_many_posts", 403),
            (
                TikTokError::privacy_mismatch("PUBLIC_TO_EVERYONE", &["SELF_ONLY".into()]),
                "error_privacy_level_option_mismatch",
                403,
            ),
            (
                TikTokError::url_unverified("https://x"),
                "error_url_ownership_unverified",
                403,
            ),
            (
                TikTokError::for_status(StatusCode::INTERNAL_SERVER_ERROR),
                "error_internal_error",
                500,
            ),
        ];
        for (error, name, status) in cases {
            assert_eq!(error.status.as_u16(), status, "{name}");
            assert_eq!(shape(error.body), shape(fixture(name)), "{name}");
        }
        assert_eq!(
            TikTokError::token_invalid().body["error"]["message"],
            fixture("error_access_token_invalid")["error"]["message"]
        );
    }

    #[test]
    fn log_ids_differ() {
        assert_ne!(log_id(), log_id());
    }
}
