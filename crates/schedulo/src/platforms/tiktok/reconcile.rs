//! What became of a post TikTok took: `POST /v2/post/publish/status/fetch/ {publish_id}` ->
//! `{status, fail_reason, publicaly_available_post_id, uploaded_bytes, downloaded_bytes}`
//! (developers.tiktok.com `doc/content-posting-api-reference-get-video-status`; `publicaly` is
//! TikTok's spelling, and the ids come as a list of numbers).
//!
//! | status | found |
//! |---|---|
//! | `PROCESSING_UPLOAD`, `PROCESSING_DOWNLOAD`, `SEND_TO_USER_INBOX` | pending: ask again after a backoff |
//! | `PUBLISH_COMPLETE` with an id | published: `https://www.tiktok.com/@{handle}/video/{id}` |
//! | `PUBLISH_COMPLETE` without an id | the id from the account's video list ([`videos`]) if it is there; else pending (moderation) until the deadline, then published without its id |
//! | `FAILED` for a daily cap | not published (certain): publishing again meets the cap as a rate limit |
//! | `FAILED` otherwise | failed, with `fail_reason` explained |
//! | no `publish_id` kept (the `init` answer lost) | a video found in the account's list by its caption since the attempt: published; not found: not published (not certain); a photo post or no caption: a person must look |

use super::client::Call;
use super::creator;
use super::limits::Endpoint;
use super::rules::caption;
use super::videos;
use super::TikTokPublisher;
use crate::error_class::ErrorClass;
use crate::platforms::{Account, Attempt, Found, MediaKind, PostContent, PublishError, Published};
use serde::Deserialize;
use serde_json::{json, Value};

/// `data` of the status answer.
#[derive(Debug, Default, Deserialize)]
struct Status {
    #[serde(default)]
    status: String,
    #[serde(default)]
    fail_reason: Option<String>,
    #[serde(default)]
    publicaly_available_post_id: Option<Value>,
    #[serde(default)]
    uploaded_bytes: Option<u64>,
    #[serde(default)]
    downloaded_bytes: Option<u64>,
}

impl Status {
    /// The first post id, whether TikTok sends a list or one value, numbers or strings.
    fn post_id(&self) -> Option<String> {
        let one = |v: &Value| match v {
            Value::Number(n) => Some(n.to_string()),
            Value::String(s) if !s.trim().is_empty() => Some(s.trim().to_string()),
            _ => None,
        };
        match self.publicaly_available_post_id.as_ref()? {
            Value::Array(ids) => ids.iter().find_map(one),
            v => one(v),
        }
    }
}

/// Asks TikTok about the attempt named by `attempt.receipt`; without one, looks for the post
/// among the account's videos ([`videos`]).
pub async fn reconcile(
    tiktok: &TikTokPublisher,
    account: &Account,
    post: &PostContent,
    attempt: Attempt<'_>,
) -> Result<Found, PublishError> {
    let Some(publish_id) = attempt.receipt.map(str::trim).filter(|r| !r.is_empty()) else {
        return without_receipt(tiktok, account, post, attempt).await;
    };
    let data = tiktok
        .api
        .call(
            account,
            Call {
                endpoint: Endpoint::Status,
                path: &["v2", "post", "publish", "status", "fetch"],
                fields: None,
                body: json!({ "publish_id": publish_id }),
                what: "the post's status",
                publishes: false,
            },
        )
        .await?;
    let status: Status = serde_json::from_value(data).map_err(|e| PublishError {
        class: ErrorClass::Transient,
        message: format!("TikTok's status of {publish_id} could not be read: {e}"),
        retry_at: None,
    })?;
    let now = tiktok.api.now();
    match status.status.as_str() {
        "PUBLISH_COMPLETE" => {
            let handle = handle(tiktok, account).await?;
            if let Some(id) = status.post_id() {
                tiktok.forget(publish_id);
                return Ok(Found::Published(Published {
                    url: format!("https://www.tiktok.com/@{handle}/video/{id}"),
                    platform_id: id,
                }));
            }
            if let Some(found) = listed(tiktok, account, post, attempt).await {
                tracing::info!(message = "TikTok gave no post id; found the video in the account's list.", %publish_id, id = %found);
                tiktok.forget(publish_id);
                return Ok(Found::Published(Published {
                    url: format!("https://www.tiktok.com/@{handle}/video/{found}"),
                    platform_id: found,
                }));
            }
            let deadline = attempt.since
                + chrono::Duration::from_std(tiktok.moderation_deadline).unwrap_or(chrono::Duration::hours(1));
            if now < deadline {
                return Ok(pending(
                    tiktok,
                    publish_id,
                    "TikTok published the post; its id comes once moderation is over".into(),
                ));
            }
            tiktok.forget(publish_id);
            Ok(Found::Published(complete_without_id(&handle, publish_id)))
        }
        "FAILED" => {
            tiktok.forget(publish_id);
            let reason = status.fail_reason.as_deref().unwrap_or("").trim().to_string();
            if is_cap(&reason) {
                let until =
                    now + chrono::Duration::from_std(tiktok.api.daily_cap_wait).unwrap_or(chrono::Duration::hours(1));
                tiktok.api.limits.hold_posting(
                    &account.record_id,
                    until,
                    format!("TikTok's daily cap for this account was reached ({reason})"),
                );
                tracing::warn!(message = "TikTok refused the post for a daily cap; it will be published again.", %publish_id, %reason);
                return Ok(Found::NotPublished { certain: true });
            }
            Ok(Found::Failed(format!(
                "TikTok did not publish the post: {} (fail_reason {}, publish_id {publish_id})",
                explain(&reason),
                if reason.is_empty() { "not given" } else { &reason }
            )))
        }
        other => {
            let progress = match (status.uploaded_bytes, status.downloaded_bytes) {
                (Some(b), _) | (None, Some(b)) if b > 0 => format!(", {} received", super::rules::size(b)),
                _ => String::new(),
            };
            let note = match other {
                "SEND_TO_USER_INBOX" => "TikTok sent the post to the creator's inbox, to finish in the app".to_string(),
                "PROCESSING_UPLOAD" | "PROCESSING_DOWNLOAD" => {
                    format!("TikTok is processing the post ({other}{progress})")
                }
                "" => "TikTok gave no status yet".to_string(),
                unknown => format!("TikTok reports the status {unknown}"),
            };
            Ok(pending(tiktok, publish_id, note))
        }
    }
}

/// No `publish_id` was kept (the `init` answer was lost): a video is looked for among the
/// account's videos since the attempt, by its caption. Found: published. Not found: not certain
/// (TikTok may still be processing it, or never had it: with `FILE_UPLOAD` nothing was uploaded).
/// A photo post or a video without caption cannot be found that way: a person must look.
async fn without_receipt(
    tiktok: &TikTokPublisher,
    account: &Account,
    post: &PostContent,
    attempt: Attempt<'_>,
) -> Result<Found, PublishError> {
    let text = caption(post);
    if !is_video(post) || text.trim().is_empty() {
        return Err(PublishError {
            class: ErrorClass::Permanent,
            message: "TikTok cannot be asked about a post whose publish_id was not kept, and a photo post or a \
                      video without caption cannot be found among the account's videos: look at the TikTok \
                      account to see whether it went out"
                .into(),
            retry_at: None,
        });
    }
    match videos::find(&tiktok.api, account, &text, attempt.since).await? {
        Some(id) => {
            let handle = handle(tiktok, account).await?;
            tracing::info!(message = "Found the TikTok video without its publish_id.", record = %post.record_id, %id);
            Ok(Found::Published(Published {
                url: format!("https://www.tiktok.com/@{handle}/video/{id}"),
                platform_id: id,
            }))
        }
        None => Ok(Found::NotPublished { certain: false }),
    }
}

/// The post's id from the account's videos, for a completed post whose status gives none; `None`
/// when it cannot be looked up (a photo, no caption) or is not listed (yet).
async fn listed(
    tiktok: &TikTokPublisher,
    account: &Account,
    post: &PostContent,
    attempt: Attempt<'_>,
) -> Option<String> {
    let text = caption(post);
    if !is_video(post) || text.trim().is_empty() {
        return None;
    }
    match videos::find(&tiktok.api, account, &text, attempt.since).await {
        Ok(found) => found,
        Err(error) => {
            tracing::warn!(message = "Could not look for the TikTok video in the account's list.", %error);
            None
        }
    }
}

fn is_video(post: &PostContent) -> bool {
    post.media.iter().any(|m| m.kind == MediaKind::Video)
}

/// A post TikTok completed but whose id it has not given within the deadline (moderation that
/// lasts, or a `SELF_ONLY` post, which has no public id): it is public (or private) on the
/// creator's profile, so it is reported published, with the profile's URL and the `publish_id`
/// as its platform id: the only id there is.
fn complete_without_id(handle: &str, publish_id: &str) -> Published {
    Published {
        platform_id: publish_id.to_string(),
        url: format!("https://www.tiktok.com/@{handle}"),
    }
}

/// Asks again after the next step of the backoff.
fn pending(tiktok: &TikTokPublisher, publish_id: &str, note: String) -> Found {
    let wait = tiktok.next_poll(publish_id);
    let check_at = tiktok.api.now() + chrono::Duration::from_std(wait).unwrap_or(chrono::Duration::minutes(1));
    Found::Pending { check_at, note }
}

/// The account's handle: `AccountName`, else TikTok's `creator_username`.
async fn handle(tiktok: &TikTokPublisher, account: &Account) -> Result<String, PublishError> {
    let own = account
        .handle
        .as_deref()
        .map(|h| h.trim().trim_start_matches('@'))
        .filter(|h| !h.is_empty() && h.chars().all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '.'));
    if let Some(h) = own {
        return Ok(h.to_string());
    }
    let info = creator::query(&tiktok.api, account).await?;
    info.creator_username
        .filter(|u| !u.trim().is_empty())
        .map(|u| u.trim().to_string())
        .ok_or_else(|| PublishError {
            class: ErrorClass::Transient,
            message: "TikTok gave no username for the account, to make the post's URL".into(),
            retry_at: None,
        })
}

/// Whether a `fail_reason` is one of the daily caps, after which the post may go out later.
fn is_cap(reason: &str) -> bool {
    matches!(
        reason,
        "spam_risk_too_many_posts" | "spam_risk_too_many_pending_share" | "reached_active_user_cap"
    )
}

/// A `fail_reason` in words.
fn explain(reason: &str) -> &'static str {
    match reason {
        "file_format_check_failed" => "TikTok could not read the media's format",
        "duration_check_failed" => "the video's length is outside what TikTok allows this creator",
        "frame_rate_check_failed" => "the video's frame rate is outside what TikTok takes (23 to 60 frames a second)",
        "picture_size_check_failed" => "the media's picture size is outside what TikTok takes",
        "video_pull_failed" | "photo_pull_failed" => "TikTok could not download the media from its URL",
        "internal" | "internal_error" => "TikTok had an internal error",
        "publish_cancelled" => "the post was cancelled",
        "auth_removed" => "the creator removed the app's access",
        "spam_risk_user_banned_from_posting" => "TikTok has banned the account from posting",
        "spam_risk_text" => "TikTok flagged the caption as spam",
        r if r.starts_with("spam_risk") => "TikTok's anti-spam checks refused the post",
        _ => "TikTok gave up on it",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn data(name: &str) -> Status {
        let path = format!("{}/../../fixtures/tiktok/{name}.json", env!("CARGO_MANIFEST_DIR"));
        let v: Value = serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
        serde_json::from_value(v["data"].clone()).unwrap()
    }

    #[test]
    fn the_documented_status_bodies_read() {
        let complete = data("status_publish_complete");
        assert_eq!(complete.status, "PUBLISH_COMPLETE");
        assert_eq!(complete.post_id().as_deref(), Some("7360100000000000123"));
        let failed = data("status_failed");
        assert_eq!(failed.fail_reason.as_deref(), Some("picture_size_check_failed"));
        assert_eq!(failed.post_id(), None);
        assert_eq!(data("status_processing_upload").uploaded_bytes, Some(10_000_000));
    }

    #[test]
    fn post_ids_read_as_a_list_one_value_numbers_or_strings() {
        let id = |v: Value| {
            Status {
                publicaly_available_post_id: Some(v),
                ..Status::default()
            }
            .post_id()
        };
        assert_eq!(id(json!(["7", 8])).as_deref(), Some("7"));
        assert_eq!(id(json!(9)).as_deref(), Some("9"));
        assert_eq!(id(json!([])), None);
        assert_eq!(id(json!(null)), None);
    }

    #[test]
    fn caps_are_told_apart_from_failures() {
        assert!(is_cap("spam_risk_too_many_posts"));
        assert!(!is_cap("spam_risk_text"));
        assert_eq!(
            explain("frame_rate_check_failed"),
            "the video's frame rate is outside what TikTok takes (23 to 60 frames a second)"
        );
        assert_eq!(
            complete_without_id("alice", "v_pub_url~1").url,
            "https://www.tiktok.com/@alice"
        );
    }
}
