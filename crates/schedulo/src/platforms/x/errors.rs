//! X's error answers, their kinds, and their classes.
//!
//! X answers errors as RFC 7807 problems, `{"title","detail","type","status"}`, where `type` is
//! `https://api.x.com/2/problems/<kind>` (older answers: `api.twitter.com`) or `about:blank` with
//! the status saying what happened; invalid requests list `errors[].message`; a 200 may carry
//! `errors[]` beside (or instead of) `data`. Sources: docs.x.com `x-api/fundamentals/response-codes-and-errors`,
//! X's OpenAPI document (`Problem` types), and bodies quoted from the real service (see
//! `fixtures/x/README.md`).

use crate::error_class::ErrorClass;
use chrono::{DateTime, Utc};
use reqwest::header::HeaderMap;
use serde::Deserialize;

/// One of X's kinds of error.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum XErrorKind {
    /// 401: the token is invalid, expired or revoked.
    Unauthorized,
    /// 403 `unsupported-authentication`: an app-only token where a user token is needed.
    UnsupportedAuthentication,
    /// 403 "You are not allowed to create a Tweet with duplicate content."
    DuplicateContent,
    /// 403 `about:blank`: not permitted (missing write access, suspended, restricted reply...).
    Forbidden,
    /// 403 `client-forbidden`: the app is not enrolled for this endpoint.
    ClientForbidden,
    /// `not-authorized-for-resource`: a protected or private resource.
    NotAuthorizedForResource,
    /// 400 `invalid-request`: a parameter is wrong (text too long, unknown media id...).
    InvalidRequest,
    /// 404 or `resource-not-found`.
    ResourceNotFound,
    /// `resource-unavailable`: e.g. a suspended user.
    ResourceUnavailable,
    /// `disallowed-resource`.
    DisallowedResource,
    /// 429 (or `rate-limit-exceeded`): wait for `x-rate-limit-reset`.
    RateLimitExceeded,
    /// `usage-capped`: the app's monthly cap; no use retrying within minutes.
    UsageCapped,
    /// 5xx.
    ServerError,
    /// Any other status or problem type.
    Unexpected,
}

impl XErrorKind {
    /// What the worker does about it. Exhaustive on purpose: a new kind must be classified here.
    /// The publish call turns `Transient` into `OutcomeUnknown` (see `publish.rs`).
    pub fn class(self) -> ErrorClass {
        match self {
            XErrorKind::Unauthorized | XErrorKind::UnsupportedAuthentication => ErrorClass::Auth,
            XErrorKind::RateLimitExceeded | XErrorKind::UsageCapped => ErrorClass::RateLimited,
            XErrorKind::ServerError => ErrorClass::Transient,
            XErrorKind::DuplicateContent
            | XErrorKind::Forbidden
            | XErrorKind::ClientForbidden
            | XErrorKind::NotAuthorizedForResource
            | XErrorKind::InvalidRequest
            | XErrorKind::ResourceNotFound
            | XErrorKind::ResourceUnavailable
            | XErrorKind::DisallowedResource
            | XErrorKind::Unexpected => ErrorClass::Permanent,
        }
    }

    /// Reads the kind from the status, the problem type's last segment and the detail.
    fn of(status: u16, problem: Option<&str>, detail: &str) -> XErrorKind {
        match (status, problem) {
            (_, Some("usage-capped")) => XErrorKind::UsageCapped,
            (_, Some("rate-limit-exceeded")) | (429, _) => XErrorKind::RateLimitExceeded,
            (_, Some("unsupported-authentication")) => XErrorKind::UnsupportedAuthentication,
            (401, _) => XErrorKind::Unauthorized,
            (_, Some("client-forbidden")) => XErrorKind::ClientForbidden,
            (_, Some("not-authorized-for-resource")) => XErrorKind::NotAuthorizedForResource,
            (_, Some("invalid-request")) => XErrorKind::InvalidRequest,
            (_, Some("resource-not-found")) => XErrorKind::ResourceNotFound,
            (_, Some("resource-unavailable")) => XErrorKind::ResourceUnavailable,
            (_, Some("disallowed-resource")) => XErrorKind::DisallowedResource,
            (403, _) if detail.to_ascii_lowercase().contains("duplicate content") => XErrorKind::DuplicateContent,
            (403, _) => XErrorKind::Forbidden,
            (400, _) => XErrorKind::InvalidRequest,
            (404, _) => XErrorKind::ResourceNotFound,
            (500..=599, _) => XErrorKind::ServerError,
            _ => XErrorKind::Unexpected,
        }
    }
}

/// An error body as X sends it; every field optional, so that any JSON reads.
#[derive(Debug, Default, Deserialize)]
struct Body {
    title: Option<String>,
    detail: Option<String>,
    #[serde(rename = "type")]
    problem_type: Option<String>,
    #[serde(default)]
    errors: Vec<Item>,
    data: Option<serde_json::Value>,
}

/// One of `errors[]`: a problem (`title`, `detail`, `type`) or a v1.1-style `{code, message}`.
#[derive(Debug, Default, Deserialize)]
struct Item {
    message: Option<String>,
    title: Option<String>,
    detail: Option<String>,
    #[serde(rename = "type")]
    problem_type: Option<String>,
    status: Option<u16>,
}

/// An error X answered, read and classified.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct XApiError {
    pub kind: XErrorKind,
    /// The HTTP status (200 for errors[] in a 200).
    pub status: u16,
    /// X's own words: the `errors[]` messages, else `detail`, else `title`, else the status's reason.
    pub words: String,
}

impl XApiError {
    /// Reads an error answer (status >= 400).
    pub fn from_response(status: u16, body: &[u8]) -> XApiError {
        let parsed: Body = serde_json::from_slice(body).unwrap_or_default();
        let detail = parsed.detail.clone().unwrap_or_default();
        let kind = XErrorKind::of(status, slug(parsed.problem_type.as_deref()), &detail);
        XApiError {
            kind,
            status,
            words: words(&parsed, status),
        }
    }

    /// The error of a 2xx answer that carries `errors[]` and no `data`, if it is one.
    pub fn from_partial(status: u16, body: &[u8]) -> Option<XApiError> {
        let parsed: Body = serde_json::from_slice(body).ok()?;
        if parsed.data.as_ref().is_some_and(|d| !d.is_null()) {
            return None;
        }
        let first = parsed.errors.first()?;
        let detail = first.detail.clone().or(first.message.clone()).unwrap_or_default();
        let own_status = first.status.unwrap_or(status);
        Some(XApiError {
            kind: XErrorKind::of(own_status, slug(first.problem_type.as_deref()), &detail),
            status,
            words: words(&parsed, status),
        })
    }

    pub fn class(&self) -> ErrorClass {
        self.kind.class()
    }
}

/// The last segment of a `.../2/problems/<kind>` type.
fn slug(problem_type: Option<&str>) -> Option<&str> {
    problem_type?.rsplit_once("/2/problems/").map(|(_, kind)| kind)
}

fn words(body: &Body, status: u16) -> String {
    let messages: Vec<&str> = body
        .errors
        .iter()
        .filter_map(|e| e.message.as_deref().or(e.detail.as_deref()).or(e.title.as_deref()))
        .filter(|m| !m.trim().is_empty())
        .take(3)
        .collect();
    let text = if !messages.is_empty() {
        messages.join("; ")
    } else if let Some(d) = body.detail.as_deref().filter(|d| !d.trim().is_empty()) {
        d.to_string()
    } else if let Some(t) = body.title.as_deref().filter(|t| !t.trim().is_empty()) {
        t.to_string()
    } else {
        reqwest::StatusCode::from_u16(status)
            .ok()
            .and_then(|s| s.canonical_reason())
            .unwrap_or("no explanation given")
            .to_string()
    };
    text.chars().take(500).collect()
}

/// X's rate-limit headers on an answer.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RateHeaders {
    /// `x-rate-limit-limit`: requests allowed in the 15-minute window.
    pub limit: Option<u32>,
    /// `x-rate-limit-remaining`.
    pub remaining: Option<u32>,
    /// `x-rate-limit-reset` (epoch seconds): when the window starts afresh.
    pub reset: Option<DateTime<Utc>>,
    /// `x-user-limit-24hour-remaining` / `-reset`, when X sends them.
    pub user_day: Option<(u32, DateTime<Utc>)>,
    /// `x-app-limit-24hour-remaining` / `-reset`, when X sends them (shared by every account).
    pub app_day: Option<(u32, DateTime<Utc>)>,
}

impl RateHeaders {
    pub fn parse(headers: &HeaderMap) -> RateHeaders {
        let number = |name: &str| -> Option<i64> { headers.get(name)?.to_str().ok()?.trim().parse().ok() };
        let count = |name: &str| number(name).and_then(|n| u32::try_from(n).ok());
        let time = |name: &str| number(name).and_then(|s| DateTime::from_timestamp(s, 0));
        let pair = |prefix: &str| {
            Some((
                count(&format!("{prefix}-remaining"))?,
                time(&format!("{prefix}-reset"))?,
            ))
        };
        RateHeaders {
            limit: count("x-rate-limit-limit"),
            remaining: count("x-rate-limit-remaining"),
            reset: time("x-rate-limit-reset"),
            user_day: pair("x-user-limit-24hour"),
            app_day: pair("x-app-limit-24hour"),
        }
    }

    /// When calls may succeed again after a 429: the latest reset of the windows that are used up
    /// (a 24-hour one outlasts the 15-minute one), else the 15-minute window's reset.
    pub fn retry_at(&self) -> Option<DateTime<Utc>> {
        let window = self.reset.filter(|_| self.remaining.is_none_or(|r| r == 0));
        let days = [self.user_day, self.app_day]
            .into_iter()
            .flatten()
            .filter(|(remaining, _)| *remaining == 0)
            .map(|(_, reset)| reset);
        window.into_iter().chain(days).max().or(self.reset)
    }
}

/// `text` without the token in it (a proxy or an odd answer might echo the request's headers).
pub fn scrub(text: &str, token: &str) -> String {
    if token.len() < 8 {
        return text.to_string();
    }
    text.replace(token, "[token]")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fixture(name: &str) -> Vec<u8> {
        let path = format!("{}/../../fixtures/x/{name}.json", env!("CARGO_MANIFEST_DIR"));
        std::fs::read(&path).unwrap_or_else(|e| panic!("{path}: {e}"))
    }

    fn read(status: u16, name: &str) -> XApiError {
        XApiError::from_response(status, &fixture(name))
    }

    #[test]
    fn each_documented_body_gets_its_kind_class_and_words() {
        let cases = [
            (
                401,
                "error_unauthorized",
                XErrorKind::Unauthorized,
                ErrorClass::Auth,
                "Unauthorized",
            ),
            (
                403,
                "error_duplicate_content",
                XErrorKind::DuplicateContent,
                ErrorClass::Permanent,
                "You are not allowed to create a Tweet with duplicate content.",
            ),
            (
                403,
                "error_forbidden_not_permitted",
                XErrorKind::Forbidden,
                ErrorClass::Permanent,
                "You are not permitted to perform this action.",
            ),
            (
                429,
                "error_too_many_requests",
                XErrorKind::RateLimitExceeded,
                ErrorClass::RateLimited,
                "Too Many Requests",
            ),
            (
                429,
                "error_usage_capped",
                XErrorKind::UsageCapped,
                ErrorClass::RateLimited,
                "Usage cap exceeded: Monthly product cap",
            ),
            (
                429,
                "error_rate_limit_v1",
                XErrorKind::RateLimitExceeded,
                ErrorClass::RateLimited,
                "Rate limit exceeded",
            ),
            (
                503,
                "error_service_unavailable",
                XErrorKind::ServerError,
                ErrorClass::Transient,
                "Service Unavailable",
            ),
        ];
        for (status, name, kind, class, words) in cases {
            let e = read(status, name);
            assert_eq!((e.kind, e.class(), e.words.as_str()), (kind, class, words), "{name}");
        }
    }

    #[test]
    fn an_invalid_request_speaks_through_its_error_messages() {
        let e = read(400, "error_invalid_request_text_too_long");
        assert_eq!(e.kind, XErrorKind::InvalidRequest);
        assert!(e.words.starts_with("Your Tweet text is too long."), "{}", e.words);
        let e = read(400, "error_invalid_request_max_results");
        assert_eq!(
            e.words,
            "The `max_results` query parameter value [1000] is not between 5 and 100"
        );
    }

    #[test]
    fn an_app_only_token_is_an_auth_problem() {
        let e = read(403, "error_unsupported_authentication");
        assert_eq!(
            (e.kind, e.class()),
            (XErrorKind::UnsupportedAuthentication, ErrorClass::Auth)
        );
    }

    #[test]
    fn errors_in_a_200_without_data_are_an_error_and_with_data_are_not() {
        let e = XApiError::from_partial(200, &fixture("error_user_not_found_partial")).unwrap();
        assert_eq!(
            (e.kind, e.class()),
            (XErrorKind::ResourceNotFound, ErrorClass::Permanent)
        );
        assert_eq!(e.words, "Could not find user with id: [2244994946].");
        assert!(XApiError::from_partial(200, &fixture("user_tweets_page")).is_none());
        assert!(XApiError::from_partial(201, &fixture("create_tweet_response")).is_none());
    }

    #[test]
    fn bodies_that_are_not_json_still_classify_by_status() {
        assert_eq!(
            XApiError::from_response(502, b"<html>bad gateway</html>").kind,
            XErrorKind::ServerError
        );
        assert_eq!(XApiError::from_response(502, b"").words, "Bad Gateway");
        assert_eq!(XApiError::from_response(418, b"{}").kind, XErrorKind::Unexpected);
        assert_eq!(
            XApiError::from_response(404, b"null").kind,
            XErrorKind::ResourceNotFound
        );
    }

    fn headers(pairs: &[(&'static str, &str)]) -> HeaderMap {
        let mut h = HeaderMap::new();
        for (k, v) in pairs {
            h.insert(*k, v.parse().unwrap());
        }
        h
    }

    #[test]
    fn rate_headers_are_read_as_numbers_and_epoch_seconds() {
        let r = RateHeaders::parse(&headers(&[
            ("x-rate-limit-limit", "100"),
            ("x-rate-limit-remaining", "0"),
            ("x-rate-limit-reset", "1705420800"),
        ]));
        assert_eq!((r.limit, r.remaining), (Some(100), Some(0)));
        assert_eq!(r.reset.unwrap().to_rfc3339(), "2024-01-16T16:00:00+00:00");
        assert_eq!(r.retry_at(), r.reset);
        let junk = RateHeaders::parse(&headers(&[
            ("x-rate-limit-remaining", "-1"),
            ("x-rate-limit-reset", "soon"),
        ]));
        assert_eq!(junk, RateHeaders::default());
    }

    #[test]
    fn a_used_up_day_outlasts_the_window() {
        let r = RateHeaders::parse(&headers(&[
            ("x-rate-limit-remaining", "40"),
            ("x-rate-limit-reset", "1700000100"),
            ("x-user-limit-24hour-remaining", "0"),
            ("x-user-limit-24hour-reset", "1700007200"),
            ("x-app-limit-24hour-remaining", "5"),
            ("x-app-limit-24hour-reset", "1700003600"),
        ]));
        assert_eq!(r.retry_at().unwrap().timestamp(), 1700007200);
    }

    #[test]
    fn the_token_is_scrubbed_from_outside_text() {
        assert_eq!(scrub("echo: Bearer abcdefgh123", "abcdefgh123"), "echo: Bearer [token]");
    }
}
