//! Cloudinary's error answers: `{"error":{"message":"..."}}` with 400 (bad request), 401 (auth),
//! 404, 409 (exists), 420 (rate limited) or 5xx, as its API reference and SDKs (pycloudinary's
//! `EXCEPTION_CODES`) describe them.

use crate::faults::{FaultAnswer, FaultSpec, FaultVendor};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde_json::{json, Value};

/// An error answer.
#[derive(Debug, Clone, PartialEq)]
pub struct CldError {
    pub status: StatusCode,
    pub body: Value,
}

impl CldError {
    pub fn new(status: StatusCode, message: impl Into<String>) -> CldError {
        CldError {
            status,
            body: json!({ "error": { "message": message.into() } }),
        }
    }

    pub fn bad_request(message: impl Into<String>) -> CldError {
        CldError::new(StatusCode::BAD_REQUEST, message)
    }

    pub fn unauthorized(message: impl Into<String>) -> CldError {
        CldError::new(StatusCode::UNAUTHORIZED, message)
    }

    pub fn not_found(message: impl Into<String>) -> CldError {
        CldError::new(StatusCode::NOT_FOUND, message)
    }

    pub fn conflict(message: impl Into<String>) -> CldError {
        CldError::new(StatusCode::CONFLICT, message)
    }

    /// 420 `Rate Limit Exceeded` (the Admin API's hourly limit).
    pub fn rate_limited() -> CldError {
        CldError::new(rate_limit_status(), "Rate Limit Exceeded")
    }

    pub fn internal(message: impl Into<String>) -> CldError {
        CldError::new(StatusCode::INTERNAL_SERVER_ERROR, message)
    }

    /// `Missing required parameter - {name}`.
    pub fn missing(name: &str) -> CldError {
        CldError::bad_request(format!("Missing required parameter - {name}"))
    }

    /// The message, for logs and tests.
    pub fn message(&self) -> &str {
        self.body["error"]["message"].as_str().unwrap_or("")
    }

    /// An error for an injected fault's status, when the fault gives no body.
    pub fn for_status(status: StatusCode) -> CldError {
        match status.as_u16() {
            400 => CldError::bad_request("Injected by the sandbox"),
            401 => CldError::unauthorized("Invalid Signature (injected by the sandbox)"),
            404 => CldError::not_found("Resource not found"),
            409 => CldError::conflict("Already exists"),
            420 | 429 => CldError::new(status, "Rate Limit Exceeded"),
            _ => CldError::new(status, "General Error"),
        }
    }
}

/// 420, Cloudinary's "rate limited" (not a standard status, so built from its number).
pub fn rate_limit_status() -> StatusCode {
    StatusCode::from_u16(420).unwrap_or(StatusCode::TOO_MANY_REQUESTS)
}

impl IntoResponse for CldError {
    fn into_response(self) -> Response {
        (self.status, axum::Json(self.body)).into_response()
    }
}

impl From<FaultAnswer> for CldError {
    fn from(answer: FaultAnswer) -> Self {
        CldError {
            status: answer.status,
            body: answer.body,
        }
    }
}

/// Cloudinary's side of the injected faults ([`crate::faults`]): its error body for each
/// status; a fault either answers, or applies the request and then waits (and may then answer).
pub struct CloudinaryFaults;

impl FaultVendor for CloudinaryFaults {
    fn default_body(status: StatusCode) -> Value {
        CldError::for_status(status).body
    }

    fn check(_spec: &FaultSpec) -> Result<(), String> {
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn errors_have_cloudinary_s_shape() {
        let e = CldError::rate_limited();
        assert_eq!(e.status.as_u16(), 420);
        assert_eq!(e.body, json!({"error": {"message": "Rate Limit Exceeded"}}));
        assert_eq!(CldError::missing("file").message(), "Missing required parameter - file");
        assert_eq!(
            CloudinaryFaults::default_body(StatusCode::SERVICE_UNAVAILABLE),
            json!({"error": {"message": "General Error"}})
        );
    }
}
