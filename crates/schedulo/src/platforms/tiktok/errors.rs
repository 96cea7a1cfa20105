//! TikTok's error answers, their kinds, and their classes.
//!
//! Every answer of the v2 API is `{"data":{...},"error":{"code","message","log_id"}}`; `code` is
//! `"ok"` on success, else a readable string (developers.tiktok.com `doc/tiktok-api-v2-error-handling`,
//! and the error tables of `doc/content-posting-api-reference-direct-post`). Examples of each body
//! are in `fixtures/tiktok/`.

use crate::error_class::ErrorClass;
use serde::Deserialize;

/// One of TikTok's kinds of error, read from `error.code` (and the HTTP status when the code says
/// nothing).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TikTokErrorKind {
    /// `access_token_invalid` (401): expired, revoked or unknown token.
    AccessTokenInvalid,
    /// `scope_not_authorized` (401): the user did not grant `video.publish` / `video.upload`.
    ScopeNotAuthorized,
    /// `scope_permission_missed`: the token lacks a scope some field needs.
    ScopePermissionMissed,
    /// `rate_limit_exceeded` (429): the per-token limit of the endpoint (init 6/min, status 30/min).
    RateLimitExceeded,
    /// `spam_risk_too_many_posts`: the creator's daily cap of posts through the API.
    TooManyPosts,
    /// `spam_risk_too_many_pending_share`: too many posts still pending in the creator's inbox.
    TooManyPendingShares,
    /// `reached_active_user_cap`: the app's daily cap of active users (unaudited apps: 5 a day).
    ActiveUserCap,
    /// `spam_risk_user_banned_from_posting`: the creator may not post at all for now.
    BannedFromPosting,
    /// `spam_risk_text`: TikTok flagged the caption as spam.
    SpamText,
    /// Any other `spam_risk*` code: a cap of TikTok's anti-spam rules.
    SpamRisk(String),
    /// `unaudited_client_can_only_post_to_private_accounts`: the app is not audited.
    UnauditedClient,
    /// `privacy_level_option_mismatch`: the privacy level is not one the creator offers.
    PrivacyLevelMismatch,
    /// `url_ownership_unverified`: the media URL's domain or prefix is not verified for the app.
    UrlOwnershipUnverified,
    /// `invalid_params` / `invalid_param` (400): a field is wrong (chunk sizes, title...).
    InvalidParams,
    /// `invalid_file_upload` (400): the uploaded file does not meet the specifications.
    InvalidFileUpload,
    /// `*_check_failed` (`file_format_`, `duration_`, `frame_rate_`, `picture_size_`...).
    CheckFailed(String),
    /// `video_pull_failed` / `photo_pull_failed`: TikTok could not download the media.
    PullFailed(String),
    /// `internal_error` (500), or a 5xx without a code.
    Internal,
    /// Any other code or status; classed by the HTTP status.
    Other { code: String, status: u16 },
}

impl TikTokErrorKind {
    /// Reads the kind from `error.code` and the HTTP status.
    pub fn of(status: u16, code: &str) -> TikTokErrorKind {
        match code {
            "access_token_invalid" => TikTokErrorKind::AccessTokenInvalid,
            "scope_not_authorized" => TikTokErrorKind::ScopeNotAuthorized,
            "scope_permission_missed" => TikTokErrorKind::ScopePermissionMissed,
            "rate_limit_exceeded" => TikTokErrorKind::RateLimitExceeded,
            "spam_risk_too_many_posts" => TikTokErrorKind::TooManyPosts,
            "spam_risk_too_many_pending_share" => TikTokErrorKind::TooManyPendingShares,
            "reached_active_user_cap" => TikTokErrorKind::ActiveUserCap,
            "spam_risk_user_banned_from_posting" => TikTokErrorKind::BannedFromPosting,
            "spam_risk_text" => TikTokErrorKind::SpamText,
            c if c.starts_with("spam_risk") => TikTokErrorKind::SpamRisk(c.to_string()),
            "unaudited_client_can_only_post_to_private_accounts" => TikTokErrorKind::UnauditedClient,
            "privacy_level_option_mismatch" => TikTokErrorKind::PrivacyLevelMismatch,
            "url_ownership_unverified" => TikTokErrorKind::UrlOwnershipUnverified,
            "invalid_params" | "invalid_param" => TikTokErrorKind::InvalidParams,
            "invalid_file_upload" => TikTokErrorKind::InvalidFileUpload,
            c if c.ends_with("_check_failed") => TikTokErrorKind::CheckFailed(c.to_string()),
            "video_pull_failed" | "photo_pull_failed" => TikTokErrorKind::PullFailed(code.to_string()),
            "internal_error" | "internal" => TikTokErrorKind::Internal,
            "" | "ok" if status >= 500 => TikTokErrorKind::Internal,
            "" | "ok" if status == 401 => TikTokErrorKind::AccessTokenInvalid,
            "" | "ok" if status == 429 => TikTokErrorKind::RateLimitExceeded,
            c => TikTokErrorKind::Other {
                code: c.to_string(),
                status,
            },
        }
    }

    /// What the worker does about it. Exhaustive on purpose: a new kind must be classified here.
    /// The `init` call turns `Transient` into `OutcomeUnknown` (see `client.rs`).
    pub fn class(&self) -> ErrorClass {
        match self {
            TikTokErrorKind::AccessTokenInvalid
            | TikTokErrorKind::ScopeNotAuthorized
            | TikTokErrorKind::ScopePermissionMissed => ErrorClass::Auth,
            TikTokErrorKind::RateLimitExceeded
            | TikTokErrorKind::TooManyPosts
            | TikTokErrorKind::TooManyPendingShares
            | TikTokErrorKind::ActiveUserCap
            | TikTokErrorKind::SpamRisk(_) => ErrorClass::RateLimited,
            TikTokErrorKind::Internal => ErrorClass::Transient,
            // A ban and a caption flagged as spam are not caps that reopen: waiting a day and
            // trying the same post again would fail the same way, so a person must act.
            TikTokErrorKind::BannedFromPosting
            | TikTokErrorKind::SpamText
            | TikTokErrorKind::UnauditedClient
            | TikTokErrorKind::PrivacyLevelMismatch
            | TikTokErrorKind::UrlOwnershipUnverified
            | TikTokErrorKind::InvalidParams
            | TikTokErrorKind::InvalidFileUpload
            | TikTokErrorKind::CheckFailed(_)
            | TikTokErrorKind::PullFailed(_) => ErrorClass::Permanent,
            TikTokErrorKind::Other { status, .. } => match status {
                401 => ErrorClass::Auth,
                429 => ErrorClass::RateLimited,
                500..=599 => ErrorClass::Transient,
                _ => ErrorClass::Permanent,
            },
        }
    }

    /// Whether it is one of TikTok's daily caps (no reset time given): posting waits
    /// [`super::TikTokOptions::daily_cap_wait`], not a minute.
    pub fn is_daily_cap(&self) -> bool {
        matches!(
            self,
            TikTokErrorKind::TooManyPosts
                | TikTokErrorKind::TooManyPendingShares
                | TikTokErrorKind::ActiveUserCap
                | TikTokErrorKind::SpamRisk(_)
        )
    }
}

/// The `error` object, every field optional so that any JSON reads.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
pub struct ErrorObject {
    #[serde(default)]
    pub code: String,
    #[serde(default)]
    pub message: String,
    #[serde(default)]
    pub log_id: String,
}

/// An answer of the v2 API: `data` as JSON, `error` read.
#[derive(Debug, Default, Deserialize)]
pub struct Envelope {
    #[serde(default)]
    pub data: Option<serde_json::Value>,
    #[serde(default)]
    pub error: Option<ErrorObject>,
}

impl Envelope {
    /// Reads a body; `None` when it is not TikTok's JSON (an HTML page from a proxy).
    pub fn parse(body: &[u8]) -> Option<Envelope> {
        serde_json::from_slice(body).ok()
    }

    /// Whether the answer says `ok` (or carries no error at all).
    pub fn is_ok(&self) -> bool {
        self.error.as_ref().is_none_or(|e| e.code.is_empty() || e.code == "ok")
    }
}

/// An error TikTok answered, read and classified.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TikTokApiError {
    pub kind: TikTokErrorKind,
    pub status: u16,
    /// `error.code` as sent (empty when the body was not TikTok's JSON).
    pub code: String,
    /// TikTok's own words, else the status's reason.
    pub message: String,
    /// For TikTok's support; shown in messages.
    pub log_id: String,
}

impl TikTokApiError {
    /// Reads an error answer (a status >= 400, or a 2xx whose `error.code` is not `ok`).
    pub fn from_response(status: u16, body: &[u8]) -> TikTokApiError {
        let error = Envelope::parse(body).and_then(|e| e.error).unwrap_or_default();
        let message = if error.message.trim().is_empty() {
            reqwest::StatusCode::from_u16(status)
                .ok()
                .and_then(|s| s.canonical_reason())
                .unwrap_or("no explanation given")
                .to_string()
        } else {
            error.message.trim().chars().take(500).collect()
        };
        TikTokApiError {
            kind: TikTokErrorKind::of(status, error.code.trim()),
            status,
            code: error.code.trim().to_string(),
            message,
            log_id: error.log_id,
        }
    }

    pub fn class(&self) -> ErrorClass {
        self.kind.class()
    }

    /// "403 spam_risk_too_many_posts: The daily post cap... (log_id 2023...)".
    pub fn describe(&self) -> String {
        let code = if self.code.is_empty() {
            String::new()
        } else {
            format!(" {}", self.code)
        };
        let log = if self.log_id.is_empty() {
            String::new()
        } else {
            format!(" (log_id {})", self.log_id)
        };
        format!("{}{code}: {}{log}", self.status, self.message)
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
        let path = format!("{}/../../fixtures/tiktok/{name}.json", env!("CARGO_MANIFEST_DIR"));
        std::fs::read(&path).unwrap_or_else(|e| panic!("{path}: {e}"))
    }

    #[test]
    fn each_documented_body_gets_its_kind_and_class() {
        let cases = [
            (
                401,
                "error_access_token_invalid",
                TikTokErrorKind::AccessTokenInvalid,
                ErrorClass::Auth,
            ),
            (
                401,
                "error_scope_not_authorized",
                TikTokErrorKind::ScopeNotAuthorized,
                ErrorClass::Auth,
            ),
            (
                400,
                "error_invalid_params",
                TikTokErrorKind::InvalidParams,
                ErrorClass::Permanent,
            ),
            (
                429,
                "error_rate_limit_exceeded",
                TikTokErrorKind::RateLimitExceeded,
                ErrorClass::RateLimited,
            ),
            (
                403,
                "error_spam_risk_too_many_posts",
                TikTokErrorKind::TooManyPosts,
                ErrorClass::RateLimited,
            ),
            (
                403,
                "error_privacy_level_option_mismatch",
                TikTokErrorKind::PrivacyLevelMismatch,
                ErrorClass::Permanent,
            ),
            (
                403,
                "error_url_ownership_unverified",
                TikTokErrorKind::UrlOwnershipUnverified,
                ErrorClass::Permanent,
            ),
            (
                500,
                "error_internal_error",
                TikTokErrorKind::Internal,
                ErrorClass::Transient,
            ),
        ];
        for (status, name, kind, class) in cases {
            let e = TikTokApiError::from_response(status, &fixture(name));
            assert_eq!((&e.kind, e.class()), (&kind, class), "{name}");
            assert!(!e.log_id.is_empty(), "{name}");
        }
    }

    #[test]
    fn the_description_names_status_code_words_and_log_id() {
        let e = TikTokApiError::from_response(403, &fixture("error_spam_risk_too_many_posts"));
        assert_eq!(
            e.describe(),
            "403 spam_risk_too_many_posts: The daily post cap from the API is reached for the current user. \
             (log_id 20230522165627010175195104030A2B05)"
        );
        assert!(e.kind.is_daily_cap());
    }

    #[test]
    fn other_spam_codes_checks_and_pulls_are_grouped() {
        assert_eq!(
            TikTokErrorKind::of(403, "spam_risk_too_many_pending_share").class(),
            ErrorClass::RateLimited
        );
        assert_eq!(TikTokErrorKind::of(403, "spam_risk").class(), ErrorClass::RateLimited);
        assert_eq!(
            TikTokErrorKind::of(403, "spam_risk_text").class(),
            ErrorClass::Permanent
        );
        assert_eq!(
            TikTokErrorKind::of(403, "spam_risk_user_banned_from_posting").class(),
            ErrorClass::Permanent
        );
        assert_eq!(
            TikTokErrorKind::of(400, "frame_rate_check_failed"),
            TikTokErrorKind::CheckFailed("frame_rate_check_failed".into())
        );
        assert_eq!(
            TikTokErrorKind::of(400, "video_pull_failed").class(),
            ErrorClass::Permanent
        );
        assert_eq!(
            TikTokErrorKind::of(400, "invalid_param"),
            TikTokErrorKind::InvalidParams
        );
    }

    #[test]
    fn bodies_that_are_not_tiktok_json_classify_by_status() {
        let e = TikTokApiError::from_response(502, b"<html>bad gateway</html>");
        assert_eq!(
            (e.kind.clone(), e.class()),
            (TikTokErrorKind::Internal, ErrorClass::Transient)
        );
        assert_eq!(e.describe(), "502: Bad Gateway");
        assert_eq!(TikTokApiError::from_response(401, b"").class(), ErrorClass::Auth);
        assert_eq!(
            TikTokApiError::from_response(429, b"{}").class(),
            ErrorClass::RateLimited
        );
        assert_eq!(TikTokApiError::from_response(418, b"{}").class(), ErrorClass::Permanent);
    }

    #[test]
    fn success_envelopes_read_as_ok() {
        assert!(Envelope::parse(&fixture("creator_info")).unwrap().is_ok());
        assert!(!Envelope::parse(&fixture("error_internal_error")).unwrap().is_ok());
    }

    #[test]
    fn the_token_is_scrubbed() {
        assert_eq!(scrub("echo act.12345678 here", "act.12345678"), "echo [token] here");
    }
}
