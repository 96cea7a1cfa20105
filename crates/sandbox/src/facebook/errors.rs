//! Meta's error answers: `{"error":{"message","type","code","error_subcode"?,"error_user_title"?,
//! "error_user_msg"?,"is_transient"?,"fbtrace_id"}}` with a `WWW-Authenticate: OAuth "Facebook
//! Platform" ...` header, as the Graph API sends them
//! (developers.facebook.com/docs/graph-api/guides/error-handling; examples in `fixtures/facebook/`).
//!
//! Messages are Meta's where they are documented or widely reported; the few the sandbox had to
//! choose are marked "(sandbox wording)".

use crate::faults::{FaultAnswer, FaultVendor};
use axum::http::{HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use rand::distr::Alphanumeric;
use rand::Rng;
use serde_json::{json, Value};

/// An answer that is not a success: the HTTP status and Meta's JSON body.
#[derive(Debug, Clone, PartialEq)]
pub struct GraphError {
    pub status: StatusCode,
    pub body: Value,
}

/// Meta's message for a node it cannot find or the token cannot see.
fn no_such_object_message(verb: &str, id: &str) -> String {
    format!(
        "Unsupported {verb} request. Object with ID '{id}' does not exist, cannot be loaded due to missing \
         permissions, or does not support this operation. Please read the Graph API documentation at \
         https://developers.facebook.com/docs/graph-api"
    )
}

impl GraphError {
    /// An error of `kind` (`OAuthException`, `GraphMethodException`) with a fresh `fbtrace_id`.
    pub fn new(status: StatusCode, kind: &str, code: i64, message: impl Into<String>) -> GraphError {
        GraphError {
            status,
            body: json!({ "error": {
                "message": message.into(),
                "type": kind,
                "code": code,
                "fbtrace_id": fbtrace_id(),
            }}),
        }
    }

    fn set(mut self, key: &str, value: Value) -> GraphError {
        if let Some(error) = self.body.get_mut("error").and_then(Value::as_object_mut) {
            error.insert(key.to_string(), value);
        }
        self
    }

    pub fn subcode(self, subcode: i64) -> GraphError {
        self.set("error_subcode", json!(subcode))
    }

    pub fn user(self, title: &str, message: &str) -> GraphError {
        self.set("error_user_title", json!(title))
            .set("error_user_msg", json!(message))
    }

    pub fn transient(self) -> GraphError {
        self.set("is_transient", json!(true))
    }

    /// Meta's code of this error.
    pub fn code(&self) -> i64 {
        self.body["error"]["code"].as_i64().unwrap_or(0)
    }

    /// An unknown or malformed token.
    pub fn invalid_token() -> GraphError {
        Self::new(
            StatusCode::BAD_REQUEST,
            "OAuthException",
            190,
            "Invalid OAuth access token - Cannot parse access token",
        )
    }

    /// No token at all.
    pub fn token_required() -> GraphError {
        Self::new(
            StatusCode::BAD_REQUEST,
            "OAuthException",
            104,
            "An access token is required to request this resource.",
        )
    }

    /// A token of another Page.
    pub fn not_page_admin() -> GraphError {
        Self::new(
            StatusCode::FORBIDDEN,
            "OAuthException",
            200,
            "(#200) If posting to a page, requires both pages_read_engagement and pages_manage_posts as an admin \
             with sufficient administrative permission",
        )
    }

    /// A node that does not exist (or that the token cannot see); `verb` is `get` or `post`.
    pub fn no_such_object(verb: &str, id: &str) -> GraphError {
        Self::new(
            StatusCode::BAD_REQUEST,
            "GraphMethodException",
            100,
            no_such_object_message(verb, id),
        )
        .subcode(33)
    }

    /// Code 100 with Meta's `(#100) ...` message.
    pub fn param(message: &str) -> GraphError {
        Self::new(
            StatusCode::BAD_REQUEST,
            "OAuthException",
            100,
            format!("(#100) {message}"),
        )
    }

    pub fn nonexisting_field(field: &str, node_type: &str) -> GraphError {
        Self::param(&format!(
            "Tried accessing nonexisting field ({field}) on node type ({node_type})"
        ))
    }

    /// A photo URL that does not give an image.
    pub fn missing_image() -> GraphError {
        Self::new(
            StatusCode::BAD_REQUEST,
            "OAuthException",
            324,
            "(#324) Missing or invalid image file",
        )
    }

    /// A photo request with neither `url` nor a file.
    pub fn requires_upload() -> GraphError {
        Self::new(
            StatusCode::BAD_REQUEST,
            "OAuthException",
            324,
            "(#324) Requires upload file",
        )
    }

    /// The same message as the Page's last post (a body captured from the real API).
    pub fn duplicate() -> GraphError {
        Self::new(
            StatusCode::BAD_REQUEST,
            "OAuthException",
            506,
            "(#506) Duplicate status message",
        )
    }

    /// The app's rate limit (code 4).
    pub fn app_limit() -> GraphError {
        Self::new(
            StatusCode::BAD_REQUEST,
            "OAuthException",
            4,
            "(#4) Application request limit reached",
        )
        .transient()
    }

    /// A Page's Business Use Case limit (code 80001), for Page-token calls.
    pub fn page_limit() -> GraphError {
        Self::new(
            StatusCode::BAD_REQUEST,
            "OAuthException",
            80001,
            "(#80001) There have been too many calls to this Page account. Wait a bit and try again. For more \
             info, please refer to https://developers.facebook.com/docs/graph-api/overview/rate-limiting.",
        )
    }

    /// An Instagram account's Business Use Case limit (code 80002), for Instagram tokens.
    pub fn ig_limit() -> GraphError {
        Self::new(
            StatusCode::BAD_REQUEST,
            "OAuthException",
            80002,
            "(#80002) There have been too many calls to this Instagram account. Wait a bit and try again. For \
             more info, please refer to https://developers.facebook.com/docs/graph-api/overview/rate-limiting.",
        )
    }

    /// A required parameter is missing.
    pub fn required(name: &str) -> GraphError {
        Self::param(&format!("The parameter {name} is required"))
    }

    /// `media_publish` (or a carousel) on a container still processing: Meta's 9007 / 2207027.
    pub fn media_not_ready() -> GraphError {
        Self::new(
            StatusCode::BAD_REQUEST,
            "OAuthException",
            9007,
            "Media ID is not available",
        )
        .subcode(2207027)
        .user(
            "Media not ready for publishing",
            "The media is not ready for publishing, please wait for a moment",
        )
    }

    /// The account's publishing limit is used up: Meta's 9 / 2207042.
    pub fn publishing_limit() -> GraphError {
        Self::new(
            StatusCode::BAD_REQUEST,
            "OAuthException",
            9,
            "Application request limit reached",
        )
        .subcode(2207042)
        .user(
            "Maximum number of posts reached",
            "You reached maximum number of posts that is allowed to be published by Content Publishing API.",
        )
    }

    /// A container past its 24 h: Meta's -2 / 2207020.
    pub fn container_expired() -> GraphError {
        Self::new(
            StatusCode::BAD_REQUEST,
            "OAuthException",
            -2,
            "The media you are trying to access has expired. Please try to upload again.",
        )
        .subcode(2207020)
        .user(
            "Media expired",
            "The media you are trying to access has expired. Please try to upload again.",
        )
    }

    /// Meta could not fetch a container's media: 9004 / 2207052.
    pub fn download_failed(url: &str) -> GraphError {
        Self::new(
            StatusCode::BAD_REQUEST,
            "OAuthException",
            9004,
            "Only photo or video can be accepted as media type.",
        )
        .subcode(2207052)
        .user(
            "Media download has failed.",
            &format!("The media could not be fetched from this uri: {url}"),
        )
    }

    /// The 400 containers an account may create in 24 h (Meta documents the cap, not the answer).
    pub fn container_cap(cap: u32) -> GraphError {
        Self::new(
            StatusCode::BAD_REQUEST,
            "OAuthException",
            9,
            format!(
                "(#9) This Instagram account has created {cap} containers in 24 hours, the most allowed \
                 (sandbox wording)"
            ),
        )
    }

    /// The Page's API Reels of 24 h are used up (Meta documents the limit, not the answer).
    pub fn reels_limit(cap: u32) -> GraphError {
        Self::new(
            StatusCode::BAD_REQUEST,
            "OAuthException",
            9,
            format!(
                "(#9) This Page has published {cap} Reels through the API in 24 hours, the most allowed \
                 (sandbox wording)"
            ),
        )
    }

    /// A video URL Meta could not fetch (code 389).
    pub fn video_fetch_failed() -> GraphError {
        Self::new(
            StatusCode::BAD_REQUEST,
            "OAuthException",
            389,
            "(#389) Unable to fetch video file from URL.",
        )
    }

    /// A file that is not a video Meta takes (code 352).
    pub fn video_format() -> GraphError {
        Self::new(
            StatusCode::BAD_REQUEST,
            "OAuthException",
            352,
            "(#352) Sorry, the video file you selected is in a format that we don't support.",
        )
    }

    /// Code 1, Meta's answer to an internal failure.
    pub fn unknown() -> GraphError {
        Self::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            "OAuthException",
            1,
            "An unknown error has occurred.",
        )
        .transient()
    }

    /// Code 2, downtime.
    pub fn service() -> GraphError {
        Self::new(
            StatusCode::SERVICE_UNAVAILABLE,
            "OAuthException",
            2,
            "An unexpected error has occurred. Please retry your request later.",
        )
        .transient()
    }

    /// A path the sandbox does not serve (sandbox wording).
    pub fn unknown_path(path: &str) -> GraphError {
        Self::new(
            StatusCode::BAD_REQUEST,
            "OAuthException",
            2500,
            format!("Unknown path components: {path}"),
        )
    }

    /// Meta's body for an injected status without a body.
    pub fn for_status(status: StatusCode) -> GraphError {
        let e = match status.as_u16() {
            401 => Self::invalid_token(),
            400 => Self::param("Invalid parameter"),
            403 => Self::not_page_admin(),
            429 => Self::app_limit(),
            503 => Self::service(),
            _ => Self::unknown(),
        };
        GraphError { status, ..e }
    }
}

impl IntoResponse for GraphError {
    fn into_response(self) -> Response {
        let error = &self.body["error"];
        let challenge = match error["code"].as_i64() {
            Some(190 | 102 | 104) => "invalid_token",
            Some(10 | 200..=299) => "insufficient_scope",
            _ => "invalid_request",
        };
        let message: String = error["message"]
            .as_str()
            .unwrap_or("")
            .chars()
            .filter(|c| c.is_ascii_graphic() && *c != '"' && *c != '\\' || *c == ' ')
            .take(200)
            .collect();
        let oauth = error["type"].as_str() == Some("OAuthException");
        let mut response = (self.status, Json(self.body)).into_response();
        if oauth {
            let header = format!("OAuth \"Facebook Platform\" \"{challenge}\" \"{message}\"");
            if let Ok(value) = HeaderValue::from_str(&header) {
                response.headers_mut().insert("www-authenticate", value);
            }
        }
        response
    }
}

/// An opaque support id, like Meta's (`AmFGcW_3hwDB7qFbl_QdebZ`).
fn fbtrace_id() -> String {
    let tail: String = rand::rng()
        .sample_iter(&Alphanumeric)
        .take(22)
        .map(char::from)
        .collect();
    format!("A{tail}")
}

impl From<FaultAnswer> for GraphError {
    fn from(answer: FaultAnswer) -> Self {
        GraphError {
            status: answer.status,
            body: answer.body,
        }
    }
}

/// Meta's side of the injected faults ([`crate::faults`]): its bodies.
pub struct FacebookFaults;

impl FaultVendor for FacebookFaults {
    fn default_body(status: StatusCode) -> Value {
        GraphError::for_status(status).body
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    mod faults {
        use super::*;
        use crate::faults::{FaultHit, FaultSpec, Faults};
        use std::time::Duration;

        fn spec(v: Value) -> FaultSpec {
            serde_json::from_value(v).unwrap()
        }

        fn take(f: &mut Faults<FacebookFaults>, method: &str, path: &str) -> Option<FaultHit> {
            f.take(method, path, path, "")
        }

        #[test]
        fn a_fault_skips_then_answers_its_count_then_goes() {
            let mut f = Faults::<FacebookFaults>::default();
            f.add(spec(
                json!({"method": "POST", "path_prefix": "/v21.0/1/feed", "count": 1, "skip": 1, "status": 500}),
            ))
            .unwrap();
            assert!(take(&mut f, "GET", "/v21.0/1/feed").is_none());
            assert!(take(&mut f, "POST", "/v21.0/1/feed").is_none(), "skipped");
            match take(&mut f, "POST", "/v21.0/1/feed") {
                Some(FaultHit {
                    apply_then_delay: None,
                    answer: Some(answer),
                    ..
                }) => {
                    let error = GraphError::from(answer);
                    assert_eq!((error.status.as_u16(), error.code()), (500, 1))
                }
                other => panic!("{other:?}"),
            }
            assert!(take(&mut f, "POST", "/v21.0/1/feed").is_none());
        }

        #[test]
        fn apply_then_delay_and_plain_delays_are_told_apart() {
            let mut f = Faults::<FacebookFaults>::default();
            f.add(spec(
                json!({"path_prefix": "/v", "count": 1, "apply_then_delay_ms": 5000}),
            ))
            .unwrap();
            f.add(spec(json!({"path_prefix": "/v", "count": 1, "delay_ms": 10})))
                .unwrap();
            assert_eq!(
                take(&mut f, "POST", "/v21.0/1/feed"),
                Some(FaultHit {
                    delay: Duration::ZERO,
                    apply_then_delay: Some(Duration::from_secs(5)),
                    answer: None
                })
            );
            assert_eq!(
                take(&mut f, "GET", "/v21.0/1"),
                Some(FaultHit {
                    delay: Duration::from_millis(10),
                    apply_then_delay: None,
                    answer: None
                })
            );
        }

        #[test]
        fn bad_specs_are_refused() {
            let mut f = Faults::<FacebookFaults>::default();
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

    fn fixture(name: &str) -> Value {
        let path = format!("{}/../../fixtures/facebook/{name}.json", env!("CARGO_MANIFEST_DIR"));
        serde_json::from_slice(&std::fs::read(path).unwrap()).unwrap()
    }

    /// The sandbox's bodies are the fixtures' bodies, apart from the trace id.
    #[test]
    fn bodies_match_meta_s_documented_ones() {
        for (made, name) in [
            (GraphError::invalid_token(), "error_190_invalid_token"),
            (GraphError::duplicate(), "error_506_duplicate"),
            (GraphError::page_limit(), "error_80001_page_rate_limit"),
            (GraphError::app_limit(), "error_4_app_limit"),
            (GraphError::not_page_admin(), "error_200_pages_manage_posts"),
            (GraphError::missing_image(), "error_324_missing_image"),
            (GraphError::unknown(), "error_1_unknown"),
            (GraphError::service(), "error_2_service"),
            (
                GraphError::publishing_limit(),
                "../instagram/error_9_2207042_publishing_limit",
            ),
            (
                GraphError::media_not_ready(),
                "../instagram/error_9007_2207027_not_ready",
            ),
            (GraphError::container_expired(), "../instagram/error_-2_2207020_expired"),
            (
                GraphError::no_such_object("post", "1234567890"),
                "error_100_33_unsupported_post",
            ),
        ] {
            let mut made = made.body;
            let mut documented = fixture(name);
            assert!(made["error"]["fbtrace_id"].as_str().is_some_and(|t| t.len() == 23));
            made["error"]["fbtrace_id"] = json!("x");
            documented["error"]["fbtrace_id"] = json!("x");
            assert_eq!(made, documented, "{name}");
        }
    }

    #[test]
    fn oauth_errors_carry_a_challenge_header() {
        let r = GraphError::invalid_token().into_response();
        assert_eq!(
            r.headers()["www-authenticate"],
            "OAuth \"Facebook Platform\" \"invalid_token\" \"Invalid OAuth access token - Cannot parse access token\""
        );
        let r = GraphError::no_such_object("get", "1").into_response();
        assert!(r.headers().get("www-authenticate").is_none());
    }
}
