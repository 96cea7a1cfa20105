//! Meta's Graph API errors and their classes.
//!
//! Body (developers.facebook.com/docs/graph-api/guides/error-handling):
//! `{"error":{"message","type","code","error_subcode","error_user_title","error_user_msg","fbtrace_id"}}`,
//! sometimes with `is_transient`. Codes: that page's table, the throttle codes of
//! developers.facebook.com/docs/graph-api/overview/rate-limiting, and `shared/reference/platforms.md`.
//! Examples of each body are in `fixtures/facebook/`.

use crate::error_class::ErrorClass;
use serde::Deserialize;

/// The `error` object of a Graph API answer; every field optional, as Meta leaves some out.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
pub struct GraphErrorBody {
    #[serde(default)]
    pub message: String,
    #[serde(rename = "type")]
    pub kind: Option<String>,
    pub code: Option<i64>,
    pub error_subcode: Option<i64>,
    pub error_user_title: Option<String>,
    pub error_user_msg: Option<String>,
    pub fbtrace_id: Option<String>,
    pub is_transient: Option<bool>,
}

#[derive(Deserialize)]
struct Envelope {
    error: GraphErrorBody,
}

impl GraphErrorBody {
    /// Reads an error answer; `None` when the body is not Meta's JSON (an HTML 502 from a proxy).
    pub fn parse(body: &[u8]) -> Option<GraphErrorBody> {
        serde_json::from_slice::<Envelope>(body).ok().map(|e| e.error)
    }

    /// The text for people: Meta's user message when there is one, else its message without the
    /// `(#506) ` prefix Meta puts in front.
    pub fn text(&self) -> String {
        if let Some(m) = self.error_user_msg.as_deref().filter(|m| !m.trim().is_empty()) {
            return m.trim().to_string();
        }
        strip_code_prefix(self.message.trim()).to_string()
    }
}

fn strip_code_prefix(message: &str) -> &str {
    let Some(rest) = message.strip_prefix("(#") else {
        return message;
    };
    match rest.split_once(')') {
        Some((digits, tail)) if !digits.is_empty() && digits.bytes().all(|b| b.is_ascii_digit()) => tail.trim_start(),
        _ => message,
    }
}

/// Meta's error codes that the worker tells apart.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MetaCode {
    /// 190: the token is invalid, expired or revoked (subcodes 458, 459, 460, 463, 464, 467, 492).
    AccessTokenExpired { subcode: Option<i64> },
    /// 102: "API Session": the login or token expired (same subcodes).
    ApiSession { subcode: Option<i64> },
    /// 1: "API Unknown", possibly downtime: wait and retry.
    ApiUnknown,
    /// 2: "API Service", downtime: wait and retry.
    ApiService,
    /// 3: "API Method": the app lacks a capability or permission.
    ApiMethod,
    /// 4: the app's rate limit.
    AppTooManyCalls,
    /// 17: the user's rate limit.
    UserTooManyCalls,
    /// 32: a Pages API rate limit (user or app token).
    PageRequestLimit,
    /// 341: "Application limit reached".
    ApplicationLimit,
    /// 613: a custom rate limit.
    CustomRateLimit,
    /// 80001: the Page's Business Use Case limit (Page or system-user token).
    PageBucLimit,
    /// 80002: the Instagram account's Business Use Case limit.
    InstagramBucLimit,
    /// 9 (Instagram subcode 2207042: "You reached maximum number of posts that is allowed to be
    /// published by Content Publishing API"): a publishing quota over a rolling window. Other
    /// calls still work, so no local hold: the publisher reads when the window frees a slot.
    PublishingLimit { subcode: Option<i64> },
    /// Instagram's server-side failures that Meta says to retry: codes -1 and -2 (subcodes
    /// 2207001 server error, 2207003 download timeout, 2207020 container expired, 2207032 create
    /// failed, 2207053 upload error), 9007 / 2207027 "media not ready", and subcode 2207008
    /// "temporary error publishing a container".
    InstagramRetry { code: i64, subcode: Option<i64> },
    /// 4 with subcode 2207051: Instagram suspects spam and restricts the action; a person must
    /// act (Meta: "Tell us if you think we made a mistake"), waiting does not help.
    RestrictedAsSpam,
    /// 368: "Temporarily blocked for policies violations": Meta says wait and retry.
    TemporarilyBlocked,
    /// 10: permission denied (not granted or removed).
    PermissionDenied,
    /// 200-299: a permission is missing (the code names which).
    Permission(i64),
    /// 100: invalid parameter (also "object does not exist", subcode 33).
    InvalidParameter,
    /// 324: the photo is missing or not an image Meta can read.
    MissingImage,
    /// 506: the same message as the Page's last post.
    DuplicatePost,
    /// 1609005: Meta could not read the link.
    LinkError,
    /// A code not listed above; classed by `is_transient`, then by HTTP status.
    Other { code: i64, status: u16, transient: bool },
    /// A body that is not Meta's error JSON; classed by HTTP status.
    NotGraph { status: u16 },
}

impl MetaCode {
    /// The code of an error answer.
    pub fn of(status: u16, body: Option<&GraphErrorBody>) -> MetaCode {
        let Some(body) = body else {
            return MetaCode::NotGraph { status };
        };
        let Some(code) = body.code else {
            return MetaCode::NotGraph { status };
        };
        let subcode = body.error_subcode;
        match (code, subcode) {
            (4, Some(2207051)) => return MetaCode::RestrictedAsSpam,
            (_, Some(2207008)) | (-2..=-1 | 9007, _) => return MetaCode::InstagramRetry { code, subcode },
            _ => {}
        }
        match code {
            190 => MetaCode::AccessTokenExpired { subcode },
            102 => MetaCode::ApiSession { subcode },
            1 => MetaCode::ApiUnknown,
            2 => MetaCode::ApiService,
            3 => MetaCode::ApiMethod,
            4 => MetaCode::AppTooManyCalls,
            17 => MetaCode::UserTooManyCalls,
            32 => MetaCode::PageRequestLimit,
            341 => MetaCode::ApplicationLimit,
            613 => MetaCode::CustomRateLimit,
            80001 => MetaCode::PageBucLimit,
            80002 => MetaCode::InstagramBucLimit,
            9 => MetaCode::PublishingLimit { subcode },
            368 => MetaCode::TemporarilyBlocked,
            10 => MetaCode::PermissionDenied,
            200..=299 => MetaCode::Permission(code),
            100 => MetaCode::InvalidParameter,
            324 => MetaCode::MissingImage,
            506 => MetaCode::DuplicatePost,
            1609005 => MetaCode::LinkError,
            code => MetaCode::Other {
                code,
                status,
                transient: body.is_transient.unwrap_or(false),
            },
        }
    }

    /// What the worker does about it. Exhaustive on purpose: a new code must be classified here.
    pub fn class(&self) -> ErrorClass {
        match self {
            MetaCode::AccessTokenExpired { .. } | MetaCode::ApiSession { .. } => ErrorClass::Auth,
            MetaCode::ApiUnknown | MetaCode::ApiService | MetaCode::InstagramRetry { .. } => ErrorClass::Transient,
            MetaCode::AppTooManyCalls
            | MetaCode::UserTooManyCalls
            | MetaCode::PageRequestLimit
            | MetaCode::ApplicationLimit
            | MetaCode::CustomRateLimit
            | MetaCode::PageBucLimit
            | MetaCode::InstagramBucLimit
            | MetaCode::PublishingLimit { .. }
            | MetaCode::TemporarilyBlocked => ErrorClass::RateLimited,
            MetaCode::ApiMethod
            | MetaCode::PermissionDenied
            | MetaCode::Permission(_)
            | MetaCode::InvalidParameter
            | MetaCode::MissingImage
            | MetaCode::DuplicatePost
            | MetaCode::RestrictedAsSpam
            | MetaCode::LinkError => ErrorClass::Permanent,
            MetaCode::Other { transient: true, .. } => ErrorClass::Transient,
            MetaCode::Other {
                status,
                transient: false,
                ..
            } => class_of_status(*status),
            MetaCode::NotGraph { status } => class_of_status(*status),
        }
    }

    /// Whether a rate limit should hold every call of the Page or app locally (not a publishing
    /// quota, which only stops publishing).
    pub fn holds_calls(&self) -> bool {
        !matches!(self, MetaCode::PublishingLimit { .. })
    }

    /// Whether the limit is the app's (every Page waits) rather than one Page's.
    pub fn app_wide(&self) -> bool {
        matches!(self, MetaCode::AppTooManyCalls | MetaCode::ApplicationLimit)
    }
}

/// The class of an answer Meta did not explain with a known code.
fn class_of_status(status: u16) -> ErrorClass {
    match status {
        401 => ErrorClass::Auth,
        429 => ErrorClass::RateLimited,
        500..=599 => ErrorClass::Transient,
        _ => ErrorClass::Permanent,
    }
}

/// "Facebook refused {what} (code 506): Duplicate status message", or, for a body that is not
/// Meta's, "Facebook answered HTTP 502 to {what}" (`vendor` is "Facebook" or "Instagram"). The
/// caller scrubs the token from it.
pub fn describe(vendor: &str, what: &str, status: u16, body: Option<&GraphErrorBody>) -> String {
    match body {
        Some(b) if b.code.is_some() || !b.message.is_empty() => {
            let code = match (b.code, b.error_subcode) {
                (Some(c), Some(s)) => format!(" (code {c}, subcode {s})"),
                (Some(c), None) => format!(" (code {c})"),
                (None, _) => format!(" (HTTP {status})"),
            };
            format!("{vendor} refused {what}{code}: {}", b.text())
        }
        _ => format!("{vendor} answered HTTP {status} to {what}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fixture(name: &str) -> GraphErrorBody {
        let path = format!("{}/../../fixtures/facebook/{name}.json", env!("CARGO_MANIFEST_DIR"));
        let bytes = std::fs::read(&path).unwrap_or_else(|e| panic!("{path}: {e}"));
        GraphErrorBody::parse(&bytes).unwrap_or_else(|| panic!("{path} is not a Graph error"))
    }

    fn class_of(name: &str, status: u16) -> ErrorClass {
        MetaCode::of(status, Some(&fixture(name))).class()
    }

    #[test]
    fn token_errors_are_auth() {
        for name in [
            "error_190_460_password_changed",
            "error_190_invalid_token",
            "error_190_463_expired",
            "error_102_session",
        ] {
            assert_eq!(class_of(name, 400), ErrorClass::Auth, "{name}");
        }
        assert_eq!(
            MetaCode::of(400, Some(&fixture("error_190_463_expired"))),
            MetaCode::AccessTokenExpired { subcode: Some(463) }
        );
    }

    #[test]
    fn downtime_is_transient_and_throttles_are_rate_limited() {
        assert_eq!(class_of("error_1_unknown", 500), ErrorClass::Transient);
        assert_eq!(class_of("error_2_service", 503), ErrorClass::Transient);
        for name in [
            "error_4_app_limit",
            "error_32_page_request_limit",
            "error_613_custom_rate_limit",
            "error_80001_page_rate_limit",
            "error_368_temporarily_blocked",
        ] {
            assert_eq!(class_of(name, 400), ErrorClass::RateLimited, "{name}");
        }
        assert!(MetaCode::of(400, Some(&fixture("error_4_app_limit"))).app_wide());
        assert!(!MetaCode::of(400, Some(&fixture("error_80001_page_rate_limit"))).app_wide());
    }

    #[test]
    fn permissions_bad_parameters_and_duplicates_are_permanent() {
        for (name, status) in [
            ("error_10_permission_denied", 403),
            ("error_200_pages_manage_posts", 403),
            ("error_100_invalid_parameter", 400),
            ("error_100_33_unsupported_post", 400),
            ("error_324_missing_image", 400),
            ("error_506_duplicate", 400),
            ("error_506_duplicate_user_msg", 400),
            ("error_1609005_link", 400),
        ] {
            assert_eq!(class_of(name, status), ErrorClass::Permanent, "{name}");
        }
    }

    fn instagram(name: &str) -> GraphErrorBody {
        fixture(&format!("../instagram/{name}"))
    }

    #[test]
    fn instagram_codes_are_classed_as_meta_says() {
        let limit = MetaCode::of(400, Some(&instagram("error_9_2207042_publishing_limit")));
        assert_eq!(limit, MetaCode::PublishingLimit { subcode: Some(2207042) });
        assert_eq!(limit.class(), ErrorClass::RateLimited);
        assert!(!limit.holds_calls(), "a publishing quota leaves other calls alone");
        for name in ["error_9007_2207027_not_ready", "error_-2_2207020_expired"] {
            assert_eq!(
                MetaCode::of(400, Some(&instagram(name))).class(),
                ErrorClass::Transient,
                "{name}"
            );
        }
        let download = MetaCode::of(400, Some(&instagram("error_9004_2207052_download_failed")));
        assert_eq!(download.class(), ErrorClass::Permanent);
        let spam = GraphErrorBody {
            code: Some(4),
            error_subcode: Some(2207051),
            ..GraphErrorBody::default()
        };
        assert_eq!(MetaCode::of(400, Some(&spam)), MetaCode::RestrictedAsSpam);
        assert_eq!(MetaCode::of(400, Some(&spam)).class(), ErrorClass::Permanent);
    }

    #[test]
    fn unknown_codes_and_foreign_bodies_go_by_status() {
        let body = |code: i64, transient: Option<bool>| GraphErrorBody {
            message: "x".into(),
            code: Some(code),
            is_transient: transient,
            ..GraphErrorBody::default()
        };
        assert_eq!(
            MetaCode::of(400, Some(&body(12345, None))).class(),
            ErrorClass::Permanent
        );
        assert_eq!(
            MetaCode::of(500, Some(&body(12345, None))).class(),
            ErrorClass::Transient
        );
        assert_eq!(
            MetaCode::of(400, Some(&body(12345, Some(true)))).class(),
            ErrorClass::Transient
        );
        assert_eq!(
            MetaCode::of(502, GraphErrorBody::parse(b"<html>").as_ref()).class(),
            ErrorClass::Transient
        );
        assert_eq!(MetaCode::of(429, None).class(), ErrorClass::RateLimited);
        assert_eq!(MetaCode::of(401, None).class(), ErrorClass::Auth);
    }

    #[test]
    fn messages_carry_the_code_and_meta_s_words_without_the_prefix() {
        let b = fixture("error_506_duplicate");
        assert_eq!(
            describe("Facebook", "the post", 400, Some(&b)),
            "Facebook refused the post (code 506): Duplicate status message"
        );
        let b = fixture("error_506_duplicate_user_msg");
        assert!(describe("Facebook", "the post", 400, Some(&b)).ends_with(
            "identical to the last one you posted. Try posting something different, or delete your previous update."
        ));
        let b = fixture("error_190_463_expired");
        assert!(describe("Facebook", "the post", 400, Some(&b))
            .starts_with("Facebook refused the post (code 190, subcode 463): Error validating"));
        assert_eq!(
            describe("Facebook", "the post", 502, None),
            "Facebook answered HTTP 502 to the post"
        );
    }

    #[test]
    fn the_prefix_is_only_stripped_when_it_is_a_code() {
        assert_eq!(strip_code_prefix("(#100) Invalid parameter"), "Invalid parameter");
        assert_eq!(strip_code_prefix("(#abc) x"), "(#abc) x");
        assert_eq!(strip_code_prefix("(# no close"), "(# no close");
        assert_eq!(strip_code_prefix("(#)"), "(#)");
    }
}
