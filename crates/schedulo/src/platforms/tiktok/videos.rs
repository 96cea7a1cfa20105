//! Finding a post among the account's videos, for the attempts that `status/fetch` cannot settle:
//! the `publish_id` was never kept (the `init` answer was lost), or the status says
//! `PUBLISH_COMPLETE` without the post's id (clients report it often never comes).
//!
//! `POST /v2/video/list/?fields=id,create_time,title,video_description {max_count: 20, cursor}`
//! (developers.tiktok.com `doc/tiktok-api-v2-video-list`, scope `video.list`): the account's public
//! videos, newest first; `cursor` is a time in milliseconds, `has_more` says whether older ones
//! remain. The pages are read until a video older than the attempt (less the clock skew) shows,
//! the list ends, or [`MAX_PAGES`] were read. The oldest video since the attempt whose caption
//! (`title`, or `video_description`) is the one we sent is ours.
//!
//! Not covered: photo posts (the Display API lists videos), private (`SELF_ONLY`) posts, and a
//! video TikTok has not finished. A search that reads its bound without passing the attempt's
//! time is not "not found": it is left to a person.

use super::client::{Api, Call};
use super::limits::Endpoint;
use crate::error_class::ErrorClass;
use crate::platforms::{Account, PublishError};
use chrono::{DateTime, Utc};
use serde::Deserialize;
use serde_json::{json, Value};

/// Pages of 20 videos read at most (200 videos since the attempt; TikTok allows about 15 posts
/// a day).
pub const MAX_PAGES: usize = 10;

/// Clock skew allowed between the worker and TikTok.
const SKEW_SECS: i64 = 120;

#[derive(Debug, Default, Deserialize)]
struct ListData {
    #[serde(default)]
    videos: Vec<Video>,
    #[serde(default)]
    cursor: Option<i64>,
    #[serde(default)]
    has_more: bool,
}

#[derive(Debug, Deserialize)]
struct Video {
    id: Value,
    #[serde(default)]
    create_time: Option<i64>,
    #[serde(default)]
    title: Option<String>,
    #[serde(default)]
    video_description: Option<String>,
}

impl Video {
    /// The id, as TikTok sends it (a string; a number read without rounding).
    fn id(&self) -> Option<String> {
        match &self.id {
            Value::String(s) if !s.trim().is_empty() => Some(s.trim().to_string()),
            Value::Number(n) => Some(n.to_string()),
            _ => None,
        }
    }

    fn has_caption(&self, wanted: &str) -> bool {
        [&self.title, &self.video_description]
            .into_iter()
            .flatten()
            .any(|c| normalize(c) == wanted)
    }
}

/// What TikTok keeps of a caption: line ends as `\n`, no surrounding blanks.
fn normalize(text: &str) -> String {
    text.replace("\r\n", "\n").trim().to_string()
}

/// The id of the oldest of the account's videos since `since` whose caption is `caption`.
pub async fn find(
    api: &Api,
    account: &Account,
    caption: &str,
    since: DateTime<Utc>,
) -> Result<Option<String>, PublishError> {
    let wanted = normalize(caption);
    let oldest = since.timestamp() - SKEW_SECS;
    let mut found = None;
    let mut cursor: Option<i64> = None;
    for _ in 0..MAX_PAGES {
        let mut body = json!({ "max_count": 20 });
        if let Some(c) = cursor {
            body["cursor"] = json!(c);
        }
        let data = api
            .call(
                account,
                Call {
                    endpoint: Endpoint::VideoList,
                    path: &["v2", "video", "list"],
                    fields: Some("id,create_time,title,video_description"),
                    body,
                    what: "the list of the account's videos",
                    publishes: false,
                },
            )
            .await?;
        let page: ListData = serde_json::from_value(data).map_err(|e| PublishError {
            class: ErrorClass::Transient,
            message: format!("TikTok's list of the account's videos could not be read: {e}"),
            retry_at: None,
        })?;
        let mut passed = false;
        for video in &page.videos {
            if video.create_time.is_some_and(|t| t < oldest) {
                passed = true;
                break;
            }
            if video.has_caption(&wanted) {
                found = video.id().or(found);
            }
        }
        if passed || !page.has_more || page.videos.is_empty() {
            return Ok(found);
        }
        cursor = page.cursor.or(cursor);
    }
    if found.is_some() {
        return Ok(found);
    }
    Err(PublishError {
        class: ErrorClass::OutcomeUnknown,
        message: format!(
            "The TikTok account has more than {} videos since this post was attempted, and the newest \
             of them do not include it; check the account before posting again",
            MAX_PAGES * 20
        ),
        retry_at: None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_video_is_told_by_its_title_or_description_and_ids_keep_every_digit() {
        let v: Video = serde_json::from_str(
            r#"{"id": 7360200000000000123, "title": "Spring\r\n#garden ", "create_time": 1700000000}"#,
        )
        .unwrap();
        assert_eq!(v.id().as_deref(), Some("7360200000000000123"));
        assert!(v.has_caption(&normalize("Spring\n#garden")));
        let d: Video = serde_json::from_str(r#"{"id": "9", "video_description": "Hi"}"#).unwrap();
        assert!(d.has_caption("Hi") && !d.has_caption("Bye"));
    }
}
