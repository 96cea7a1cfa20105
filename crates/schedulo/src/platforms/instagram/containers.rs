//! Instagram's media containers: what `prepare` creates and `publish` waits for.
//!
//! `POST /{ig-user-id}/media` with one of (Meta's IG User Media reference):
//! - `image_url` (+ `caption`): an image post;
//! - `video_url` + `media_type=REELS` (+ `caption`, `share_to_feed`): a Reel (feed video too);
//! - `media_type=STORIES` + `image_url` or `video_url`: a Story (no caption);
//! - carousel items: `image_url`, or `video_url` + `media_type=VIDEO`, with
//!   `is_carousel_item=true`; then `media_type=CAROUSEL` + `children=id1,id2` (+ `caption`).
//!
//! -> `{id}`. Meta downloads the media and processes it: `GET /{container-id}?fields=status_code,
//! status` gives `status_code` `IN_PROGRESS`, `FINISHED`, `ERROR` (with Meta's reason in
//! `status`), `EXPIRED` (not published within 24 h) or `PUBLISHED`.

use super::InstagramPublisher;
use crate::error_class::ErrorClass;
use crate::platforms::meta_graph::client::Call;
use crate::platforms::meta_graph::poll::{poll, Polled};
use crate::platforms::meta_graph::wording::label;
use crate::platforms::{Account, MediaKind, MediaRef, PostContent, PostFormat, PublishError};
use serde_json::{json, Map, Value};
use std::time::Duration;

/// A container's `status_code`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum StatusCode {
    InProgress,
    Finished,
    Error,
    Expired,
    Published,
    /// A value Meta may add; treated as still in progress.
    Other(String),
}

impl StatusCode {
    pub fn parse(s: &str) -> StatusCode {
        match s {
            "IN_PROGRESS" => StatusCode::InProgress,
            "FINISHED" => StatusCode::Finished,
            "ERROR" => StatusCode::Error,
            "EXPIRED" => StatusCode::Expired,
            "PUBLISHED" => StatusCode::Published,
            other => StatusCode::Other(other.to_string()),
        }
    }

    /// Whether waiting longer cannot change it.
    fn settled(&self) -> bool {
        !matches!(self, StatusCode::InProgress | StatusCode::Other(_))
    }
}

/// A container as its status read shows it.
#[derive(Debug, Clone, PartialEq)]
pub struct ContainerState {
    pub code: StatusCode,
    /// Meta's `status` text ("Error: ..."), when given.
    pub detail: Option<String>,
}

/// The containers one post needs, before they exist.
pub enum Plan<'a> {
    /// One container (image, Reel, Story).
    Single(&'a MediaRef),
    /// Carousel items, then the carousel.
    Carousel(&'a [MediaRef]),
}

pub fn plan(post: &PostContent) -> Plan<'_> {
    if post.media.len() > 1 && post.format == PostFormat::Post {
        Plan::Carousel(&post.media)
    } else {
        Plan::Single(&post.media[0])
    }
}

/// The body of `POST /{ig-user-id}/media` for one item.
pub fn single_body(post: &PostContent, media: &MediaRef) -> Value {
    let mut body = Map::new();
    let video = media.kind == MediaKind::Video;
    let url_key = if video { "video_url" } else { "image_url" };
    body.insert(url_key.into(), json!(media.url));
    match post.format {
        PostFormat::Story => {
            body.insert("media_type".into(), json!("STORIES"));
        }
        PostFormat::Reel | PostFormat::Post => {
            if video {
                body.insert("media_type".into(), json!("REELS"));
                if post.format == PostFormat::Post {
                    body.insert("share_to_feed".into(), json!(true));
                }
            }
            if !post.text.trim().is_empty() {
                body.insert("caption".into(), json!(post.text));
            }
        }
    }
    Value::Object(body)
}

/// The body for one carousel item.
pub fn item_body(media: &MediaRef) -> Value {
    match media.kind {
        MediaKind::Video => json!({ "video_url": media.url, "media_type": "VIDEO", "is_carousel_item": true }),
        MediaKind::Image | MediaKind::Gif => json!({ "image_url": media.url, "is_carousel_item": true }),
    }
}

/// The body of the carousel itself.
pub fn carousel_body(post: &PostContent, children: &[String]) -> Value {
    let mut body = json!({ "media_type": "CAROUSEL", "children": children.join(",") });
    if !post.text.trim().is_empty() {
        body["caption"] = json!(post.text);
    }
    body
}

/// What a container holds, for messages: "image 1 (a.jpg)", "the carousel".
pub fn what(post: &PostContent) -> String {
    match plan(post) {
        Plan::Single(media) => label(1, media),
        Plan::Carousel(_) => "the carousel".into(),
    }
}

impl InstagramPublisher {
    /// Creates one container; `what` names it in messages.
    pub(super) async fn create(&self, account: &Account, body: Value, what: &str) -> Result<String, PublishError> {
        let call = Call::post(
            [account.external_id.as_str(), "media"],
            body,
            format!("the container for {what}"),
        );
        let answer = self
            .graph
            .call(account, call)
            .await
            .map_err(|e| self.no_quota_time(e))?;
        match answer.get("id") {
            Some(Value::String(id)) if !id.trim().is_empty() => Ok(id.trim().to_string()),
            Some(Value::Number(n)) => Ok(n.to_string()),
            _ => Err(PublishError {
                class: ErrorClass::Transient,
                message: format!("Instagram's answer to the container for {what} has no id"),
                retry_at: None,
            }),
        }
    }

    /// Reads a container's status.
    pub(super) async fn state(&self, account: &Account, container: &str) -> Result<ContainerState, PublishError> {
        let call = Call::get(
            [container, ""],
            vec![("fields", "status_code,status".into())],
            "the container's status",
        );
        let answer = self.graph.call(account, call).await?;
        let code = answer.get("status_code").and_then(Value::as_str).unwrap_or("");
        Ok(ContainerState {
            code: StatusCode::parse(code),
            detail: answer
                .get("status")
                .and_then(Value::as_str)
                .map(|s| s.trim().to_string())
                .filter(|s| !s.is_empty()),
        })
    }

    /// Waits (with the backoff) until the container is no longer in progress, or `limit` passes.
    pub(super) async fn wait(
        &self,
        account: &Account,
        container: &str,
        limit: Duration,
    ) -> Result<ContainerState, PublishError> {
        let polled = poll(&self.poll, limit, || async {
            let state = self.state(account, container).await?;
            Ok((state.code.settled(), state))
        })
        .await?;
        Ok(match polled {
            Polled::Done(s) | Polled::Pending(s) => s,
        })
    }
}

/// Meta's processing failed: a permanent error with Meta's reason.
pub fn failed(what: &str, state: &ContainerState) -> PublishError {
    PublishError {
        class: ErrorClass::Permanent,
        message: format!(
            "Instagram could not process {what}: {}",
            state.detail.as_deref().unwrap_or("Meta gave no reason (status ERROR)")
        ),
        retry_at: None,
    }
}

/// The container expired before it was published: prepared again on the next attempt.
pub fn expired(what: &str) -> PublishError {
    PublishError {
        class: ErrorClass::Transient,
        message: format!(
            "Instagram's container for {what} expired before it was published (Meta keeps them 24 h); \
             it will be prepared again"
        ),
        retry_at: None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn post(format: PostFormat, media: Vec<MediaRef>) -> PostContent {
        PostContent {
            record_id: "r".into(),
            text: "Hi #x".into(),
            link: None,
            media,
            format,
        }
    }

    #[test]
    fn bodies_follow_meta_s_reference() {
        let img = MediaRef::new("https://c/a.jpg", MediaKind::Image);
        let vid = MediaRef::new("https://c/v.mp4", MediaKind::Video);
        let p = post(PostFormat::Post, vec![img.clone()]);
        assert_eq!(
            single_body(&p, &img),
            json!({"image_url": "https://c/a.jpg", "caption": "Hi #x"})
        );
        let p = post(PostFormat::Post, vec![vid.clone()]);
        assert_eq!(
            single_body(&p, &vid),
            json!({"video_url": "https://c/v.mp4", "media_type": "REELS", "share_to_feed": true, "caption": "Hi #x"})
        );
        let p = post(PostFormat::Story, vec![vid.clone()]);
        assert_eq!(
            single_body(&p, &vid),
            json!({"video_url": "https://c/v.mp4", "media_type": "STORIES"})
        );
        assert_eq!(
            item_body(&vid),
            json!({"video_url": "https://c/v.mp4", "media_type": "VIDEO", "is_carousel_item": true})
        );
        let p = post(PostFormat::Post, vec![img, vid]);
        assert_eq!(
            carousel_body(&p, &["1".into(), "2".into()]),
            json!({"media_type": "CAROUSEL", "children": "1,2", "caption": "Hi #x"})
        );
        assert_eq!(what(&p), "the carousel");
    }

    #[test]
    fn status_codes_parse_and_unknown_ones_keep_waiting() {
        assert_eq!(StatusCode::parse("FINISHED"), StatusCode::Finished);
        assert!(!StatusCode::parse("QUEUED").settled());
        assert!(StatusCode::parse("EXPIRED").settled());
    }
}
