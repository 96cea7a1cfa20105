//! Injected failures (`POST /_sandbox/faults`): the next N requests that match a method and a path
//! prefix are answered with a given status and body, after an optional delay; a fault without a
//! status only delays the request, which then proceeds (for client timeout tests).

use super::errors::ApiError;
use axum::http::StatusCode;
use serde::Deserialize;
use serde_json::{json, Value};
use std::time::Duration;

/// A fault as the admin request describes it.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FaultSpec {
    /// HTTP method to match (any when absent).
    pub method: Option<String>,
    /// Prefix of the request path, e.g. `/v0/appX/Posts` (matched against the path as sent and
    /// percent-decoded).
    pub path_prefix: String,
    /// Text the raw query string must contain (e.g. `offset=`, to fail only the pages after the
    /// first); any query when absent.
    #[serde(default)]
    pub query_contains: Option<String>,
    /// How many matching requests pass untouched before the fault starts (e.g. 2: the third fails).
    #[serde(default)]
    pub skip: u32,
    /// How many matching requests fail.
    pub count: u32,
    /// Status to answer with; absent: the request is only delayed.
    pub status: Option<u16>,
    /// Body to answer with; absent: Airtable's body for that status.
    pub body: Option<Value>,
    #[serde(default)]
    pub delay_ms: u64,
}

/// What a matching request gets.
#[derive(Debug, Clone)]
pub struct FaultHit {
    pub delay: Duration,
    pub answer: Option<ApiError>,
}

#[derive(Debug, Default)]
pub struct Faults {
    active: Vec<(FaultSpec, u32)>,
}

impl Faults {
    /// Checks and adds a fault.
    pub fn add(&mut self, spec: FaultSpec) -> Result<(), String> {
        if let Some(s) = spec.status {
            if !(200..=599).contains(&s) {
                return Err(format!("status {s} is not an HTTP status from 200 to 599"));
            }
        }
        if spec.count == 0 {
            return Err("count must be at least 1".into());
        }
        let count = spec.count;
        self.active.push((spec, count));
        Ok(())
    }

    pub fn clear(&mut self) {
        self.active.clear();
    }

    /// Uses up one match of the first fault matching this request, if any.
    pub fn take(&mut self, method: &str, raw_path: &str, decoded_path: &str, query: &str) -> Option<FaultHit> {
        let index = self.active.iter().position(|(spec, _)| {
            spec.method.as_deref().is_none_or(|m| m.eq_ignore_ascii_case(method))
                && (raw_path.starts_with(&spec.path_prefix) || decoded_path.starts_with(&spec.path_prefix))
                && spec.query_contains.as_deref().is_none_or(|q| query.contains(q))
        })?;
        let (spec, left) = &mut self.active[index];
        if spec.skip > 0 {
            spec.skip -= 1;
            return None;
        }
        *left -= 1;
        let hit = FaultHit {
            delay: Duration::from_millis(spec.delay_ms),
            answer: spec.status.map(|s| answer(s, spec.body.clone())),
        };
        if *left == 0 {
            self.active.remove(index);
        }
        Some(hit)
    }
}

fn answer(status: u16, body: Option<Value>) -> ApiError {
    let status = StatusCode::from_u16(status).unwrap_or(StatusCode::SERVICE_UNAVAILABLE);
    let body = body.unwrap_or_else(|| default_body(status));
    ApiError { status, body }
}

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

#[cfg(test)]
mod tests {
    use super::*;

    fn spec(v: Value) -> FaultSpec {
        serde_json::from_value(v).unwrap()
    }

    #[test]
    fn a_fault_answers_its_count_of_matching_requests_then_goes() {
        let mut f = Faults::default();
        f.add(spec(
            json!({"method": "GET", "path_prefix": "/v0/appX/Posts", "count": 2, "status": 503}),
        ))
        .unwrap();
        assert!(f.take("POST", "/v0/appX/Posts", "/v0/appX/Posts", "").is_none());
        assert!(f.take("GET", "/v0/appY/Posts", "/v0/appY/Posts", "").is_none());
        let hit = f.take("GET", "/v0/appX/Posts", "/v0/appX/Posts", "").unwrap();
        assert_eq!(hit.answer.unwrap().kind(), "RETRIABLE_ERROR");
        assert!(f
            .take("get", "/v0/appX/Posts/recA", "/v0/appX/Posts/recA", "")
            .is_some());
        assert!(f.take("GET", "/v0/appX/Posts", "/v0/appX/Posts", "").is_none());
    }

    #[test]
    fn bad_specs_are_refused() {
        let mut f = Faults::default();
        assert!(f
            .add(spec(json!({"path_prefix": "/", "count": 0, "status": 500})))
            .is_err());
        assert!(f
            .add(spec(json!({"path_prefix": "/", "count": 1, "status": 1000})))
            .is_err());
    }
}
