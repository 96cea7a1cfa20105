//! X's error bodies, as the sandbox answers them: RFC 7807 problems (`title`, `detail`, `type`,
//! `status`), `invalid-request` with its `errors[]`, and the v1.1-style 404 of an unknown route.
//! Examples of each are in `fixtures/x/`; the tests below check the sandbox makes exactly those.

use crate::faults::{FaultAnswer, FaultSpec, FaultVendor};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde_json::{json, Value};

/// The type URL of one of X's problem kinds.
pub fn problem_type(kind: &str) -> String {
    format!("https://api.x.com/2/problems/{kind}")
}

/// An answer that is not a success.
#[derive(Debug, Clone, PartialEq)]
pub struct Problem {
    pub status: StatusCode,
    pub body: Value,
}

impl IntoResponse for Problem {
    fn into_response(self) -> Response {
        (self.status, axum::Json(self.body)).into_response()
    }
}

impl From<FaultAnswer> for Problem {
    fn from(answer: FaultAnswer) -> Self {
        Problem {
            status: answer.status,
            body: answer.body,
        }
    }
}

/// An `about:blank` problem: the status says what happened.
pub fn blank(status: StatusCode, title: &str, detail: &str) -> Problem {
    Problem {
        status,
        body: json!({ "title": title, "type": "about:blank", "status": status.as_u16(), "detail": detail }),
    }
}

pub fn unauthorized() -> Problem {
    blank(StatusCode::UNAUTHORIZED, "Unauthorized", "Unauthorized")
}

pub fn forbidden(detail: &str) -> Problem {
    blank(StatusCode::FORBIDDEN, "Forbidden", detail)
}

pub fn duplicate_content() -> Problem {
    forbidden("You are not allowed to create a Tweet with duplicate content.")
}

pub fn too_many_requests() -> Problem {
    blank(StatusCode::TOO_MANY_REQUESTS, "Too Many Requests", "Too Many Requests")
}

/// X's 400 for a request it cannot take: each `(parameters, message)` one item of `errors[]`.
pub fn invalid_request(errors: &[(Value, String)]) -> Problem {
    let errors: Vec<Value> = errors
        .iter()
        .map(|(parameters, message)| json!({ "parameters": parameters, "message": message }))
        .collect();
    Problem {
        status: StatusCode::BAD_REQUEST,
        body: json!({
            "errors": errors,
            "title": "Invalid Request",
            "detail": "One or more parameters to your request was invalid.",
            "type": problem_type("invalid-request"),
        }),
    }
}

/// One invalid parameter.
pub fn invalid(parameter: Option<(&str, &str)>, message: impl Into<String>) -> Problem {
    let parameters = match parameter {
        Some((name, value)) => json!({ name: [value] }),
        None => json!({}),
    };
    invalid_request(&[(parameters, message.into())])
}

pub fn text_too_long() -> Problem {
    invalid(
        None,
        "Your Tweet text is too long. For more information on how Twitter determines text length see https://github.com/twitter/twitter-text.",
    )
}

/// The `errors[]` item of a 200 that names a user who does not exist.
pub fn user_not_found(id: &str) -> Value {
    json!({
        "value": id,
        "detail": format!("Could not find user with id: [{id}]."),
        "title": "Not Found Error",
        "resource_type": "user",
        "parameter": "id",
        "resource_id": id,
        "type": problem_type("resource-not-found"),
    })
}

/// The `errors[]` item of a 200 that names a post that does not exist; `parameter` is `ids` (the
/// lookup of many) or `id` (of one), as X words each.
pub fn post_not_found(id: &str, parameter: &str) -> Value {
    json!({
        "value": id,
        "detail": format!("Could not find tweet with {parameter}: [{id}]."),
        "title": "Not Found Error",
        "resource_type": "tweet",
        "parameter": parameter,
        "resource_id": id,
        "type": problem_type("resource-not-found"),
    })
}

/// An unknown route.
pub fn no_such_page() -> Problem {
    Problem {
        status: StatusCode::NOT_FOUND,
        body: json!({ "errors": [{ "message": "Sorry, that page does not exist", "code": 34 }] }),
    }
}

/// A problem for an injected fault's status, when the fault gives no body.
pub fn for_status(status: StatusCode) -> Problem {
    match status.as_u16() {
        401 => unauthorized(),
        403 => forbidden("You are not permitted to perform this action."),
        429 => too_many_requests(),
        400 => invalid(None, "Injected by the sandbox"),
        _ => {
            let reason = status.canonical_reason().unwrap_or("Error");
            blank(status, reason, reason)
        }
    }
}

/// X's side of the injected faults ([`crate::faults`]): its bodies; a fault either
/// answers with a status or applies the request (`apply_then_delay_ms` above 0), not both.
pub struct XFaults;

impl FaultVendor for XFaults {
    fn default_body(status: StatusCode) -> Value {
        for_status(status).body
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

    mod faults {
        use super::*;
        use crate::faults::Faults;
        use std::time::Duration;

        fn spec(v: Value) -> FaultSpec {
            serde_json::from_value(v).unwrap()
        }

        fn take(f: &mut Faults<XFaults>, method: &str, path: &str) -> Option<crate::faults::FaultHit> {
            f.take(method, path, path, "")
        }

        #[test]
        fn a_fault_skips_then_answers_its_count_then_goes() {
            let mut f = Faults::<XFaults>::default();
            f.add(spec(
                json!({"method": "POST", "path_prefix": "/2/tweets", "skip": 1, "count": 2, "status": 503}),
            ))
            .unwrap();
            assert!(take(&mut f, "GET", "/2/tweets").is_none(), "other method");
            assert!(take(&mut f, "POST", "/2/tweets").is_none(), "skipped");
            assert_eq!(take(&mut f, "post", "/2/tweets").unwrap().answer.unwrap().status, 503);
            assert!(take(&mut f, "POST", "/2/tweets").is_some());
            assert!(take(&mut f, "POST", "/2/tweets").is_none(), "used up");
        }

        #[test]
        fn apply_then_delay_carries_the_request_out_and_holds_the_answer() {
            let mut f = Faults::<XFaults>::default();
            f.add(spec(
                json!({"path_prefix": "/2/tweets", "count": 1, "apply_then_delay_ms": 60000}),
            ))
            .unwrap();
            let hit = take(&mut f, "POST", "/2/tweets").unwrap();
            assert!(hit.answer.is_none());
            assert_eq!(hit.apply_then_delay, Some(Duration::from_secs(60)));
        }

        #[test]
        fn bad_specs_are_refused() {
            let mut f = Faults::<XFaults>::default();
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

    fn fixture(name: &str) -> Value {
        let path = format!("{}/../../fixtures/x/{name}.json", env!("CARGO_MANIFEST_DIR"));
        serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
    }

    #[test]
    fn the_sandbox_answers_x_s_documented_bodies() {
        assert_eq!(unauthorized().body, fixture("error_unauthorized"));
        assert_eq!(duplicate_content().body, fixture("error_duplicate_content"));
        assert_eq!(too_many_requests().body, fixture("error_too_many_requests"));
        assert_eq!(
            for_status(StatusCode::SERVICE_UNAVAILABLE).body,
            fixture("error_service_unavailable")
        );
        assert_eq!(
            for_status(StatusCode::FORBIDDEN).body,
            fixture("error_forbidden_not_permitted")
        );
        let mut long = fixture("error_invalid_request_text_too_long");
        long["type"] = problem_type("invalid-request").into();
        assert_eq!(text_too_long().body, long);
        assert_eq!(
            invalid(
                Some(("max_results", "1000")),
                "The `max_results` query parameter value [1000] is not between 5 and 100"
            )
            .body,
            fixture("error_invalid_request_max_results")
        );
        let partial = fixture("error_user_not_found_partial");
        assert_eq!(json!({ "errors": [user_not_found("2244994946")] }), partial);
    }
}
