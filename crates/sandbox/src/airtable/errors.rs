//! Airtable's error bodies: `{"error":{"type":"...","message":"..."}}`, and the bare
//! `{"error":"NOT_FOUND"}` Airtable sends for an unknown route or record.
//!
//! Types and messages follow Airtable's documentation (airtable.com/developers/web/api/errors) and
//! bodies seen from the real service; `fixtures/airtable/` keeps examples, and the tests below
//! check that the sandbox produces exactly those shapes.

use crate::faults::{FaultAnswer, FaultSpec, FaultVendor};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde_json::{json, Value};

/// An answer that is not a success: the HTTP status and Airtable's JSON body.
#[derive(Debug, Clone, PartialEq)]
pub struct ApiError {
    pub status: StatusCode,
    pub body: Value,
}

/// The message Airtable gives for a 403 on an unknown base (or one the token cannot see).
pub const MODEL_NOT_FOUND_MESSAGE: &str = "Invalid permissions, or the requested model was not found. Check that \
both your user and your token have the required permissions, and that the model names and/or ids are correct.";

/// The message of Airtable's generic 422 for a request it cannot validate.
pub const PARAMETER_VALIDATION_MESSAGE: &str = "Invalid request: parameter validation failed. Check your request data.";

impl ApiError {
    /// A typed error: `{"error":{"type":kind,"message":message}}`.
    pub fn typed(status: StatusCode, kind: &str, message: impl Into<String>) -> ApiError {
        ApiError {
            status,
            body: json!({ "error": { "type": kind, "message": message.into() } }),
        }
    }

    pub fn authentication_required() -> ApiError {
        Self::typed(
            StatusCode::UNAUTHORIZED,
            "AUTHENTICATION_REQUIRED",
            "Authentication required",
        )
    }

    pub fn model_not_found() -> ApiError {
        Self::typed(
            StatusCode::FORBIDDEN,
            "INVALID_PERMISSIONS_OR_MODEL_NOT_FOUND",
            MODEL_NOT_FOUND_MESSAGE,
        )
    }

    /// An unknown route, record or field id: the bare form Airtable sends.
    pub fn not_found() -> ApiError {
        ApiError {
            status: StatusCode::NOT_FOUND,
            body: json!({ "error": "NOT_FOUND" }),
        }
    }

    pub fn table_not_found(table: &str, base_id: &str) -> ApiError {
        Self::typed(
            StatusCode::NOT_FOUND,
            "TABLE_NOT_FOUND",
            format!("Could not find table {table} in application {base_id}"),
        )
    }

    pub fn bad_json() -> ApiError {
        Self::typed(
            StatusCode::BAD_REQUEST,
            "INVALID_REQUEST_BODY",
            "Could not parse request body",
        )
    }

    /// Airtable's catch-all 422 for a request whose shape is wrong; `detail` says what.
    pub fn invalid_request(detail: impl AsRef<str>) -> ApiError {
        let detail = detail.as_ref();
        let message = if detail.is_empty() {
            PARAMETER_VALIDATION_MESSAGE.to_string()
        } else {
            format!("{PARAMETER_VALIDATION_MESSAGE} ({detail})")
        };
        Self::typed(StatusCode::UNPROCESSABLE_ENTITY, "INVALID_REQUEST_UNKNOWN", message)
    }

    pub fn unknown_field(name: &str) -> ApiError {
        Self::typed(
            StatusCode::UNPROCESSABLE_ENTITY,
            "UNKNOWN_FIELD_NAME",
            format!("Unknown field name: \"{name}\""),
        )
    }

    /// A value that does not fit its field: `Field "X" cannot accept the provided value` (plus why).
    pub fn invalid_value(field: &str, why: &str) -> ApiError {
        let message = if why.is_empty() {
            format!("Field \"{field}\" cannot accept the provided value")
        } else {
            format!("Field \"{field}\" cannot accept the provided value: {why}")
        };
        Self::typed(StatusCode::UNPROCESSABLE_ENTITY, "INVALID_VALUE_FOR_COLUMN", message)
    }

    pub fn invalid_choice(choice: &str) -> ApiError {
        Self::typed(
            StatusCode::UNPROCESSABLE_ENTITY,
            "INVALID_MULTIPLE_CHOICE_OPTIONS",
            format!("Insufficient permissions to create new select option \"\"{choice}\"\""),
        )
    }

    pub fn invalid_filter(detail: &str) -> ApiError {
        Self::typed(
            StatusCode::UNPROCESSABLE_ENTITY,
            "INVALID_FILTER_BY_FORMULA",
            format!("The formula for filtering records is invalid: {detail}"),
        )
    }

    pub fn iterator_not_available() -> ApiError {
        Self::typed(
            StatusCode::UNPROCESSABLE_ENTITY,
            "LIST_RECORDS_ITERATOR_NOT_AVAILABLE",
            "The iterator for this list of records is no longer available; start the listing again",
        )
    }

    pub fn invalid_records(message: impl Into<String>) -> ApiError {
        Self::typed(StatusCode::UNPROCESSABLE_ENTITY, "INVALID_RECORDS", message)
    }

    pub fn row_does_not_exist(record_id: &str) -> ApiError {
        Self::typed(
            StatusCode::UNPROCESSABLE_ENTITY,
            "ROW_DOES_NOT_EXIST",
            format!("Record ID {record_id} does not exist in this table"),
        )
    }

    pub fn view_not_found(view: &str) -> ApiError {
        Self::typed(
            StatusCode::UNPROCESSABLE_ENTITY,
            "VIEW_NAME_NOT_FOUND",
            format!("Could not find view {view}"),
        )
    }

    pub fn rate_limited() -> ApiError {
        Self::typed(
            StatusCode::TOO_MANY_REQUESTS,
            "RATE_LIMIT_REACHED",
            "Rate limit exceeded. Please try again later",
        )
    }

    /// A 422 of the metadata API (duplicate names, bad types or options).
    pub fn meta(kind: &str, message: impl Into<String>) -> ApiError {
        Self::typed(StatusCode::UNPROCESSABLE_ENTITY, kind, message)
    }

    /// The error's type, or the bare string of `{"error":"NOT_FOUND"}`.
    pub fn kind(&self) -> &str {
        let error = &self.body["error"];
        error["type"].as_str().or_else(|| error.as_str()).unwrap_or("")
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        (self.status, axum::Json(self.body)).into_response()
    }
}

impl From<FaultAnswer> for ApiError {
    fn from(answer: FaultAnswer) -> Self {
        ApiError {
            status: answer.status,
            body: answer.body,
        }
    }
}

/// Airtable's side of the injected faults ([`crate::faults`]): its bodies, and no
/// `apply_then_delay_ms` (Airtable's gate answers or delays, it never holds an answer).
pub struct AirtableFaults;

impl FaultVendor for AirtableFaults {
    /// Airtable's body for a status (the documented type where there is one).
    fn default_body(status: StatusCode) -> Value {
        match status.as_u16() {
            429 => ApiError::rate_limited().body,
            503 => {
                json!({"error": {"type": "RETRIABLE_ERROR", "message": "The server could not process your request in time. Please retry."}})
            }
            401 => ApiError::authentication_required().body,
            404 => ApiError::not_found().body,
            _ => json!({"error": {"type": "SERVER_ERROR", "message": "Injected by the sandbox"}}),
        }
    }

    fn check(spec: &FaultSpec) -> Result<(), String> {
        match spec.apply_then_delay_ms {
            Some(_) => Err("unknown field `apply_then_delay_ms`: the Airtable sandbox does not hold answers".into()),
            None => Ok(()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fixture(name: &str) -> Value {
        let path = format!("{}/../../fixtures/airtable/{name}", env!("CARGO_MANIFEST_DIR"));
        let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"));
        serde_json::from_str(&text).unwrap_or_else(|e| panic!("{path}: {e}"))
    }

    #[test]
    fn error_bodies_match_the_documented_fixtures() {
        let cases = [
            ("error_rate_limited.json", ApiError::rate_limited()),
            (
                "error_authentication_required.json",
                ApiError::authentication_required(),
            ),
            ("error_model_not_found.json", ApiError::model_not_found()),
            ("error_not_found.json", ApiError::not_found()),
            (
                "error_table_not_found.json",
                ApiError::table_not_found("Posts", "appXXXXXXXXXXXXXX"),
            ),
            ("error_unknown_field_name.json", ApiError::unknown_field("Nope")),
            (
                "error_invalid_value_for_column.json",
                ApiError::invalid_value("Likes", ""),
            ),
            (
                "error_invalid_multiple_choice_options.json",
                ApiError::invalid_choice("Blue"),
            ),
            (
                "error_row_does_not_exist.json",
                ApiError::row_does_not_exist("recXXXXXXXXXXXXXX"),
            ),
            ("error_invalid_request_unknown.json", ApiError::invalid_request("")),
            (
                "error_invalid_records_too_many.json",
                ApiError::invalid_records(
                    "A maximum of 10 records can be created per request but you have provided 11.",
                ),
            ),
        ];
        for (name, error) in cases {
            assert_eq!(error.body, fixture(name), "{name}");
        }
    }

    mod faults {
        use super::*;
        use crate::faults::Faults;

        fn spec(v: Value) -> FaultSpec {
            serde_json::from_value(v).unwrap()
        }

        #[test]
        fn a_fault_answers_its_count_of_matching_requests_then_goes() {
            let mut f = Faults::<AirtableFaults>::default();
            f.add(spec(
                json!({"method": "GET", "path_prefix": "/v0/appX/Posts", "count": 2, "status": 503}),
            ))
            .unwrap();
            assert!(f.take("POST", "/v0/appX/Posts", "/v0/appX/Posts", "").is_none());
            assert!(f.take("GET", "/v0/appY/Posts", "/v0/appY/Posts", "").is_none());
            let hit = f.take("GET", "/v0/appX/Posts", "/v0/appX/Posts", "").unwrap();
            assert_eq!(ApiError::from(hit.answer.unwrap()).kind(), "RETRIABLE_ERROR");
            assert!(f
                .take("get", "/v0/appX/Posts/recA", "/v0/appX/Posts/recA", "")
                .is_some());
            assert!(f.take("GET", "/v0/appX/Posts", "/v0/appX/Posts", "").is_none());
        }

        #[test]
        fn bad_specs_are_refused() {
            let mut f = Faults::<AirtableFaults>::default();
            assert!(f
                .add(spec(json!({"path_prefix": "/", "count": 0, "status": 500})))
                .is_err());
            assert!(f
                .add(spec(json!({"path_prefix": "/", "count": 1, "status": 1000})))
                .is_err());
            assert!(f
                .add(spec(json!({"path_prefix": "/", "count": 1, "apply_then_delay_ms": 5})))
                .is_err());
        }
    }

    #[test]
    fn the_kind_reads_both_body_shapes() {
        assert_eq!(ApiError::not_found().kind(), "NOT_FOUND");
        assert_eq!(ApiError::rate_limited().kind(), "RATE_LIMIT_REACHED");
    }
}
