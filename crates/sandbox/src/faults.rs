//! Injected failures, shared by the sandboxes (`POST /_sandbox/faults`, `DELETE /_sandbox/faults`):
//! the next `count` requests matching a method, a path prefix and optionally a piece of the query
//! (after `skip` matching ones pass untouched) get, after `delay_ms`, one of:
//! - `status` and `body` (the vendor's body for that status when absent), without being carried out;
//! - nothing more (no `status`): the request then proceeds (client timeout tests);
//! - `apply_then_delay_ms`: the request IS carried out, then its answer is held that long ("the
//!   vendor accepted the post, then timed out before answering"); where the vendor allows it, a
//!   `status` then replaces the answer.
//!
//! What stays with each vendor ([`FaultVendor`]): its error body for a status, the features it
//! refuses, and how its gate turns a [`FaultHit`] into a response.

use axum::http::StatusCode;
use serde::Deserialize;
use serde_json::Value;
use std::marker::PhantomData;
use std::time::Duration;

/// A fault as the admin request describes it.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FaultSpec {
    /// HTTP method to match (any when absent).
    #[serde(default)]
    pub method: Option<String>,
    /// Prefix of the request path, e.g. `/v0/appX/Posts` or `/2/tweets` (matched against the path
    /// as sent and percent-decoded).
    pub path_prefix: String,
    /// Text the raw query string must contain (e.g. `offset=`, to fail only the pages after the
    /// first); any query when absent.
    #[serde(default)]
    pub query_contains: Option<String>,
    /// How many matching requests pass untouched before the fault starts (e.g. 2: the third fails).
    #[serde(default)]
    pub skip: u32,
    /// How many matching requests get the fault.
    pub count: u32,
    /// Status to answer with; absent: the request is carried out.
    #[serde(default)]
    pub status: Option<u16>,
    /// Body to answer with; absent: the vendor's body for the status.
    #[serde(default)]
    pub body: Option<Value>,
    /// Delay before the answer (or before the request is carried out).
    #[serde(default)]
    pub delay_ms: u64,
    /// Carry the request out, then wait this long before answering.
    #[serde(default)]
    pub apply_then_delay_ms: Option<u64>,
}

/// What is vendor-specific about faults.
pub trait FaultVendor {
    /// The vendor's error body for a status, for a fault that gives none.
    fn default_body(status: StatusCode) -> Value;

    /// Checks of the vendor's own, after the shared ones (e.g. a feature it does not offer).
    fn check(_spec: &FaultSpec) -> Result<(), String> {
        Ok(())
    }
}

/// An injected answer: a status and its body.
#[derive(Debug, Clone, PartialEq)]
pub struct FaultAnswer {
    pub status: StatusCode,
    pub body: Value,
}

/// What a matching request gets.
#[derive(Debug, Clone, PartialEq)]
pub struct FaultHit {
    /// Wait before answering (or before carrying the request out).
    pub delay: Duration,
    /// Carry the request out, then wait this long before answering (with `answer` if any).
    pub apply_then_delay: Option<Duration>,
    /// The answer to give; without `apply_then_delay`, instead of carrying the request out.
    pub answer: Option<FaultAnswer>,
}

/// The active faults of one sandbox.
#[derive(Debug)]
pub struct Faults<V> {
    active: Vec<(FaultSpec, u32)>,
    vendor: PhantomData<fn() -> V>,
}

impl<V> Default for Faults<V> {
    fn default() -> Self {
        Self {
            active: Vec::new(),
            vendor: PhantomData,
        }
    }
}

impl<V: FaultVendor> Faults<V> {
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
        if !spec.path_prefix.starts_with('/') {
            return Err("path_prefix must start with /".into());
        }
        if spec.body.is_some() && spec.status.is_none() {
            return Err("a body needs a status".into());
        }
        V::check(&spec)?;
        let count = spec.count;
        self.active.push((spec, count));
        Ok(())
    }

    pub fn clear(&mut self) {
        self.active.clear();
    }

    /// Uses up one match of the first fault matching this request, if any (a fault still skipping
    /// uses up one of its skips instead, and the request proceeds).
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
            apply_then_delay: spec.apply_then_delay_ms.map(Duration::from_millis),
            answer: spec.status.map(|s| {
                let status = StatusCode::from_u16(s).unwrap_or(StatusCode::SERVICE_UNAVAILABLE);
                FaultAnswer {
                    status,
                    body: spec.body.clone().unwrap_or_else(|| V::default_body(status)),
                }
            }),
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

    /// A vendor whose body is the status, and which refuses `skip` over 10.
    struct Plain;

    impl FaultVendor for Plain {
        fn default_body(status: StatusCode) -> Value {
            json!({ "status": status.as_u16() })
        }

        fn check(spec: &FaultSpec) -> Result<(), String> {
            if spec.skip > 10 {
                return Err("skip too large".into());
            }
            Ok(())
        }
    }

    fn spec(v: Value) -> FaultSpec {
        serde_json::from_value(v).unwrap()
    }

    #[test]
    fn a_fault_skips_then_answers_its_count_then_goes() {
        let mut f = Faults::<Plain>::default();
        f.add(spec(
            json!({"method": "POST", "path_prefix": "/2/tweets", "skip": 1, "count": 2, "status": 503}),
        ))
        .unwrap();
        assert!(f.take("GET", "/2/tweets", "/2/tweets", "").is_none(), "other method");
        assert!(f.take("POST", "/2/tweet", "/2/tweet", "").is_none(), "other path");
        assert!(f.take("POST", "/2/tweets", "/2/tweets", "").is_none(), "skipped");
        let hit = f.take("post", "/2/tweets/1", "/2/tweets/1", "").unwrap();
        assert_eq!(
            hit,
            FaultHit {
                delay: Duration::ZERO,
                apply_then_delay: None,
                answer: Some(FaultAnswer {
                    status: StatusCode::SERVICE_UNAVAILABLE,
                    body: json!({"status": 503})
                }),
            }
        );
        assert!(f.take("POST", "/2/tweets", "/2/tweets", "").is_some());
        assert!(f.take("POST", "/2/tweets", "/2/tweets", "").is_none(), "used up");
    }

    #[test]
    fn the_decoded_path_and_the_query_can_match() {
        let mut f = Faults::<Plain>::default();
        f.add(spec(
            json!({"path_prefix": "/v0/app/My Posts", "query_contains": "offset=", "count": 5, "status": 500, "body": {"x": 1}}),
        ))
        .unwrap();
        let (raw, decoded) = ("/v0/app/My%20Posts", "/v0/app/My Posts");
        assert!(f.take("GET", raw, decoded, "pageSize=10").is_none());
        let hit = f.take("GET", raw, decoded, "offset=itr1").unwrap();
        assert_eq!(hit.answer.unwrap().body, json!({"x": 1}));
    }

    #[test]
    fn delays_and_apply_then_delay_are_handed_over() {
        let mut f = Faults::<Plain>::default();
        f.add(spec(
            json!({"path_prefix": "/v", "count": 1, "apply_then_delay_ms": 5000}),
        ))
        .unwrap();
        f.add(spec(json!({"path_prefix": "/v", "count": 1, "delay_ms": 10})))
            .unwrap();
        let hit = f.take("POST", "/v21.0/1/feed", "/v21.0/1/feed", "").unwrap();
        assert_eq!((hit.apply_then_delay, hit.answer), (Some(Duration::from_secs(5)), None));
        let hit = f.take("GET", "/v21.0/1", "/v21.0/1", "").unwrap();
        assert_eq!(
            (hit.delay, hit.apply_then_delay, hit.answer),
            (Duration::from_millis(10), None, None)
        );
    }

    #[test]
    fn bad_specs_are_refused() {
        let mut f = Faults::<Plain>::default();
        for bad in [
            json!({"path_prefix": "/", "count": 0, "status": 500}),
            json!({"path_prefix": "/", "count": 1, "status": 1000}),
            json!({"path_prefix": "/", "count": 1, "status": 99}),
            json!({"path_prefix": "2", "count": 1}),
            json!({"path_prefix": "/", "count": 1, "body": {}}),
            json!({"path_prefix": "/", "count": 1, "skip": 11}),
        ] {
            assert!(f.add(spec(bad.clone())).is_err(), "{bad}");
        }
        assert!(serde_json::from_value::<FaultSpec>(json!({"path_prefix": "/", "count": 1, "oops": 1})).is_err());
        assert!(f.take("GET", "/", "/", "").is_none());
    }
}
