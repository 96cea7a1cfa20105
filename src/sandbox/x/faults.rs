//! Injected failures (`POST /_sandbox/faults`), as in the sandbox Airtable: the next `count`
//! requests matching a method and a path prefix (after `skip` matching ones pass) are answered
//! with `status` and `body` (X's body for that status when absent) after `delay_ms`; without a
//! status they are only delayed, then carried out.
//!
//! `apply_then_delay_ms` carries the request out (the post IS created) and then holds the answer
//! that long: a client with a shorter timeout sees a timeout after X accepted the post.

use super::problems::{for_status, Problem};
use axum::http::StatusCode;
use serde::Deserialize;
use serde_json::Value;
use std::time::Duration;

/// A fault as the admin request describes it.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FaultSpec {
    /// HTTP method to match (any when absent).
    pub method: Option<String>,
    /// Prefix of the request path, e.g. `/2/tweets`.
    pub path_prefix: String,
    /// How many matching requests pass untouched before the fault starts.
    #[serde(default)]
    pub skip: u32,
    /// How many matching requests it affects.
    pub count: u32,
    /// Status to answer with; absent: the request is carried out.
    pub status: Option<u16>,
    /// Body to answer with; absent: X's body for that status.
    pub body: Option<Value>,
    /// Delay before the answer (or before carrying the request out).
    #[serde(default)]
    pub delay_ms: u64,
    /// Delay after carrying the request out, before answering.
    #[serde(default)]
    pub apply_then_delay_ms: u64,
}

/// What a matching request gets.
#[derive(Debug, Clone)]
pub struct FaultHit {
    pub delay: Duration,
    pub answer: Option<Problem>,
    pub delay_after: Duration,
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
            if spec.apply_then_delay_ms > 0 {
                return Err("a fault either answers with a status or applies the request, not both".into());
            }
        }
        if spec.count == 0 {
            return Err("count must be at least 1".into());
        }
        if !spec.path_prefix.starts_with('/') {
            return Err("path_prefix must start with /".into());
        }
        let count = spec.count;
        self.active.push((spec, count));
        Ok(())
    }

    pub fn clear(&mut self) {
        self.active.clear();
    }

    /// Uses up one match of the first fault matching this request, if any.
    pub fn take(&mut self, method: &str, path: &str) -> Option<FaultHit> {
        let index = self.active.iter().position(|(spec, _)| {
            spec.method.as_deref().is_none_or(|m| m.eq_ignore_ascii_case(method)) && path.starts_with(&spec.path_prefix)
        })?;
        let (spec, left) = &mut self.active[index];
        if spec.skip > 0 {
            spec.skip -= 1;
            return None;
        }
        *left -= 1;
        let hit = FaultHit {
            delay: Duration::from_millis(spec.delay_ms),
            answer: spec.status.map(|s| {
                let status = StatusCode::from_u16(s).unwrap_or(StatusCode::SERVICE_UNAVAILABLE);
                match spec.body.clone() {
                    Some(body) => Problem { status, body },
                    None => for_status(status),
                }
            }),
            delay_after: Duration::from_millis(spec.apply_then_delay_ms),
        };
        if *left == 0 {
            self.active.remove(index);
        }
        Some(hit)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn spec(v: Value) -> FaultSpec {
        serde_json::from_value(v).unwrap()
    }

    #[test]
    fn a_fault_skips_then_answers_its_count_then_goes() {
        let mut f = Faults::default();
        f.add(spec(
            json!({"method": "POST", "path_prefix": "/2/tweets", "skip": 1, "count": 2, "status": 503}),
        ))
        .unwrap();
        assert!(f.take("GET", "/2/tweets").is_none(), "other method");
        assert!(f.take("POST", "/2/tweets").is_none(), "skipped");
        assert_eq!(f.take("post", "/2/tweets").unwrap().answer.unwrap().status, 503);
        assert!(f.take("POST", "/2/tweets").is_some());
        assert!(f.take("POST", "/2/tweets").is_none(), "used up");
    }

    #[test]
    fn apply_then_delay_carries_the_request_out_and_holds_the_answer() {
        let mut f = Faults::default();
        f.add(spec(
            json!({"path_prefix": "/2/tweets", "count": 1, "apply_then_delay_ms": 60000}),
        ))
        .unwrap();
        let hit = f.take("POST", "/2/tweets").unwrap();
        assert!(hit.answer.is_none());
        assert_eq!(hit.delay_after, Duration::from_secs(60));
    }

    #[test]
    fn bad_specs_are_refused() {
        let mut f = Faults::default();
        for bad in [
            json!({"path_prefix": "/2", "count": 0, "status": 500}),
            json!({"path_prefix": "/2", "count": 1, "status": 1000}),
            json!({"path_prefix": "2", "count": 1}),
            json!({"path_prefix": "/2", "count": 1, "status": 503, "apply_then_delay_ms": 5}),
        ] {
            assert!(f.add(spec(bad.clone())).is_err(), "{bad}");
        }
    }
}
