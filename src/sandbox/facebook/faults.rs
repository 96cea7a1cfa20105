//! Injected failures (`POST /_sandbox/faults`): the next N requests that match a method and a path
//! prefix (after `skip` matching ones pass) get one of:
//! - a status and body (Meta's body for the status when none is given), after `delay_ms`, without
//!   being carried out;
//! - only a delay (`delay_ms`, no `status`): the request then proceeds (client timeout tests);
//! - `apply_then_delay_ms`: the request IS carried out (a post is created), then the answer waits
//!   that long, and is replaced by `status`/`body` when given: "Meta accepted the post, then timed
//!   out or failed before answering".

use super::errors::GraphError;
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
    /// Prefix of the request path, e.g. `/v21.0/112233/feed`.
    pub path_prefix: String,
    /// How many matching requests pass untouched before the fault starts.
    #[serde(default)]
    pub skip: u32,
    /// How many matching requests get the fault.
    pub count: u32,
    pub status: Option<u16>,
    /// Body to answer with; absent: Meta's body for the status.
    pub body: Option<Value>,
    /// Delay before the answer (or before the request proceeds, without `status`).
    #[serde(default)]
    pub delay_ms: u64,
    /// Carry the request out, then wait this long before answering.
    pub apply_then_delay_ms: Option<u64>,
}

/// What a matching request gets.
#[derive(Debug, Clone, PartialEq)]
pub enum FaultHit {
    /// Wait, then answer this without carrying the request out.
    Answer { delay: Duration, error: GraphError },
    /// Wait, then carry the request out.
    Delay(Duration),
    /// Carry the request out, wait, then answer with its answer or `replace`.
    ApplyThenDelay {
        delay: Duration,
        replace: Option<GraphError>,
    },
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
        if spec.body.is_some() && spec.status.is_none() {
            return Err("a body needs a status".into());
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
        let answer = spec.status.map(|s| answer(s, spec.body.clone()));
        let hit = match (spec.apply_then_delay_ms, answer) {
            (Some(ms), replace) => FaultHit::ApplyThenDelay {
                delay: Duration::from_millis(ms),
                replace,
            },
            (None, Some(error)) => FaultHit::Answer {
                delay: Duration::from_millis(spec.delay_ms),
                error,
            },
            (None, None) => FaultHit::Delay(Duration::from_millis(spec.delay_ms)),
        };
        if *left == 0 {
            self.active.remove(index);
        }
        Some(hit)
    }
}

fn answer(status: u16, body: Option<Value>) -> GraphError {
    let status = StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    match body {
        Some(body) => GraphError { status, body },
        None => GraphError::for_status(status),
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
            json!({"method": "POST", "path_prefix": "/v21.0/1/feed", "count": 1, "skip": 1, "status": 500}),
        ))
        .unwrap();
        assert!(f.take("GET", "/v21.0/1/feed").is_none());
        assert!(f.take("POST", "/v21.0/1/feed").is_none(), "skipped");
        match f.take("POST", "/v21.0/1/feed") {
            Some(FaultHit::Answer { error, .. }) => assert_eq!((error.status.as_u16(), error.code()), (500, 1)),
            other => panic!("{other:?}"),
        }
        assert!(f.take("POST", "/v21.0/1/feed").is_none());
    }

    #[test]
    fn apply_then_delay_and_plain_delays_are_told_apart() {
        let mut f = Faults::default();
        f.add(spec(
            json!({"path_prefix": "/v", "count": 1, "apply_then_delay_ms": 5000}),
        ))
        .unwrap();
        f.add(spec(json!({"path_prefix": "/v", "count": 1, "delay_ms": 10})))
            .unwrap();
        assert_eq!(
            f.take("POST", "/v21.0/1/feed"),
            Some(FaultHit::ApplyThenDelay {
                delay: Duration::from_secs(5),
                replace: None
            })
        );
        assert_eq!(
            f.take("GET", "/v21.0/1"),
            Some(FaultHit::Delay(Duration::from_millis(10)))
        );
    }

    #[test]
    fn bad_specs_are_refused() {
        let mut f = Faults::default();
        assert!(f
            .add(spec(json!({"path_prefix": "/", "count": 0, "status": 500})))
            .is_err());
        assert!(f
            .add(spec(json!({"path_prefix": "/", "count": 1, "status": 99})))
            .is_err());
        assert!(f
            .add(spec(json!({"path_prefix": "/", "count": 1, "body": {}})))
            .is_err());
        assert!(serde_json::from_value::<FaultSpec>(json!({"path_prefix": "/", "count": 1, "oops": 1})).is_err());
    }
}
