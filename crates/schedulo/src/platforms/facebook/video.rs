//! Facebook video posts and Reels.
//!
//! - A Page video (Format Post): `POST /{page-id}/videos {file_url, description}` -> `{id}` is
//!   the publish call (Meta downloads the file itself); then `GET /{video-id}?fields=status,
//!   permalink_url` until `status.video_status` is `ready`, for a bounded time
//!   ([`super::FacebookOptions::video_wait`]). A video still processing is published all the
//!   same: its permalink is returned.
//! - A Reel (Format Reel), developers.facebook.com/docs/video-api/guides/reels-publishing:
//!   `prepare` starts an upload session (`POST /{page-id}/video_reels {upload_phase:start}` ->
//!   `{video_id, upload_url}`) and has Meta fetch the hosted file (`POST {upload_url}` with
//!   `Authorization: OAuth <token>` and `file_url: <url>` -> `{success:true}`); `publish` is
//!   `POST /{page-id}/video_reels {upload_phase:finish, video_id, video_state:PUBLISHED,
//!   description}` -> `{success:true}`, then the same bounded status wait
//!   (`status.publishing_phase.status` `complete`).
//! - Status (`GET /{video-id}?fields=status`): `{video_status: processing|ready|error,
//!   uploading_phase:{status}, processing_phase:{status, errors?}, publishing_phase:{status,
//!   publish_status, publish_time}}`.
//! - Meta allows 30 API-published Reels per Page in a moving 24 h; over it the finish call is
//!   refused and the Reel waits ([`super::FacebookOptions::reels_limit_wait`]).

use super::{id_of, FacebookPublisher};
use crate::error_class::ErrorClass;
use crate::platforms::meta_graph::client::{Call, Scheme};
use crate::platforms::meta_graph::poll::{poll, Polled};
use crate::platforms::{Account, Found, PostContent, Prepared, PublishError, Published};
use serde::Deserialize;
use serde_json::{json, Value};
use url::Url;

/// A video's `status` field, as far as the worker reads it.
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
pub struct VideoStatus {
    #[serde(default)]
    pub video_status: String,
    #[serde(default)]
    pub processing_phase: Option<Phase>,
    #[serde(default)]
    pub publishing_phase: Option<Phase>,
}

#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
pub struct Phase {
    #[serde(default)]
    pub status: String,
    #[serde(default)]
    pub errors: Vec<PhaseError>,
}

#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
pub struct PhaseError {
    #[serde(default)]
    pub code: Option<i64>,
    #[serde(default)]
    pub message: String,
}

/// A video as its status read shows it.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct VideoState {
    pub status: VideoStatus,
    pub permalink: Option<String>,
}

impl VideoStatus {
    /// Meta's reason when processing failed.
    pub fn failure(&self) -> Option<String> {
        let phase = self.processing_phase.as_ref();
        let failed = self.video_status == "error" || phase.is_some_and(|p| p.status == "error");
        failed.then(|| {
            phase
                .and_then(|p| p.errors.first())
                .map(|e| e.message.trim().to_string())
                .filter(|m| !m.is_empty())
                .unwrap_or_else(|| "Meta gave no reason".into())
        })
    }

    fn publishing(&self) -> &str {
        self.publishing_phase.as_ref().map_or("", |p| p.status.as_str())
    }
}

/// The address of a video: Meta's permalink (relative for videos: `/{page}/videos/{id}/`), or
/// the Page's video path.
fn video_url(page_id: &str, video_id: &str, permalink: Option<&str>) -> String {
    match permalink {
        Some(p) if p.starts_with("http") => p.to_string(),
        Some(p) if p.starts_with('/') => format!("https://www.facebook.com{p}"),
        _ => format!("https://www.facebook.com/{page_id}/videos/{video_id}/"),
    }
}

impl FacebookPublisher {
    /// Reads a video's status and permalink.
    async fn video_state(&self, account: &Account, video_id: &str) -> Result<VideoState, PublishError> {
        let call = Call::get(
            [video_id, ""],
            vec![("fields", "status,permalink_url".into())],
            "the video's status",
        );
        let answer = self.graph.call(account, call).await?;
        Ok(VideoState {
            status: serde_json::from_value(answer.get("status").cloned().unwrap_or(Value::Null)).unwrap_or_default(),
            permalink: answer.get("permalink_url").and_then(Value::as_str).map(str::to_string),
        })
    }

    /// Waits (bounded) until `done` says so, or processing fails (a `Permanent` error). A read
    /// that fails ends the wait without failing: the video is Meta's already.
    async fn wait_video(
        &self,
        account: &Account,
        video_id: &str,
        done: fn(&VideoStatus) -> bool,
    ) -> Result<Option<VideoState>, PublishError> {
        let looked = poll(&self.poll, self.video_wait, || async {
            let state = self.video_state(account, video_id).await?;
            let finished = done(&state.status) || state.status.failure().is_some();
            Ok((finished, state))
        })
        .await;
        let state = match looked {
            Ok(Polled::Done(s)) | Ok(Polled::Pending(s)) => s,
            Err(error) => {
                tracing::warn!(message = "Could not read the video's status; it is published all the same.", video_id, %error);
                return Ok(None);
            }
        };
        if let Some(reason) = state.status.failure() {
            return Err(PublishError {
                class: ErrorClass::Permanent,
                message: format!("Facebook could not process the video {video_id}: {reason}"),
                retry_at: None,
            });
        }
        Ok(Some(state))
    }

    /// A Page video: the `/videos` call publishes it.
    pub(super) async fn publish_video(&self, account: &Account, post: &PostContent) -> Result<Published, PublishError> {
        let page = account.external_id.as_str();
        let media = &post.media[0];
        let call = Call::post(
            [page, "videos"],
            json!({ "file_url": media.url, "description": post.text }),
            "the video post",
        )
        .publishing();
        let answer = self.graph.call(account, call).await?;
        let Some(video_id) = id_of(&answer) else {
            return Err(self
                .graph
                .vendor
                .maybe_published("Facebook answered the video post without its id".into()));
        };
        tracing::info!(message = "Video published to Facebook.", record = %post.record_id, %video_id);
        let state = self
            .wait_video(account, &video_id, |s| s.video_status == "ready")
            .await?;
        let permalink = state.as_ref().and_then(|s| s.permalink.as_deref());
        Ok(Published {
            url: video_url(page, &video_id, permalink),
            platform_id: video_id,
        })
    }

    /// A Reel's upload: a session, then Meta fetches the hosted file.
    pub(super) async fn prepare_reel(&self, account: &Account, post: &PostContent) -> Result<Prepared, PublishError> {
        let page = account.external_id.as_str();
        let media = &post.media[0];
        let start = Call::post(
            [page, "video_reels"],
            json!({ "upload_phase": "start" }),
            "the Reel's upload session",
        );
        let answer = self.graph.call(account, start).await?;
        let video_id = answer.get("video_id").and_then(|v| match v {
            Value::String(s) if !s.is_empty() => Some(s.clone()),
            Value::Number(n) => Some(n.to_string()),
            _ => None,
        });
        let upload_url = answer
            .get("upload_url")
            .and_then(Value::as_str)
            .and_then(|u| Url::parse(u).ok());
        let (Some(video_id), Some(upload_url)) = (video_id, upload_url) else {
            return Err(transient(
                "Facebook's answer to the Reel's upload session has no video_id or upload_url",
            ));
        };
        let mut upload = Call::post(["", ""], Value::Null, format!("the Reel's video {}", media.url));
        upload.body = None;
        upload.at = Some(upload_url);
        upload.scheme = Scheme::OAuth;
        upload.headers = vec![("file_url", media.url.clone())];
        let answer = self.graph.call(account, upload).await?;
        if answer.get("success").and_then(Value::as_bool) != Some(true) {
            return Err(transient(&format!(
                "Facebook did not confirm the upload of the Reel's video {}",
                media.url
            )));
        }
        tracing::debug!(message = "Reel uploaded to Facebook.", record = %post.record_id, %video_id);
        Ok(Prepared {
            container: Some(video_id),
            ..Prepared::default()
        })
    }

    /// A Reel: the finish call publishes it.
    pub(super) async fn publish_reel(
        &self,
        account: &Account,
        post: &PostContent,
        prepared: &Prepared,
    ) -> Result<Published, PublishError> {
        let page = account.external_id.as_str();
        let Some(video_id) = prepared.container.as_deref() else {
            return Err(transient(
                "This Reel's video was not uploaded to Facebook; it will be prepared again",
            ));
        };
        let finish = Call::post(
            [page, "video_reels"],
            json!({
                "upload_phase": "finish",
                "video_id": video_id,
                "video_state": "PUBLISHED",
                "description": post.text,
            }),
            "the Reel",
        )
        .publishing();
        let answer = match self.graph.call(account, finish).await {
            Ok(answer) => answer,
            Err(e) if e.class == ErrorClass::RateLimited && e.retry_at.is_none() => return Err(self.reels_limit(e)),
            Err(e) => return Err(e),
        };
        if answer.get("success").and_then(Value::as_bool) != Some(true) {
            return Err(self
                .graph
                .vendor
                .maybe_published("Facebook did not confirm the Reel".into()));
        }
        tracing::info!(message = "Reel published to Facebook.", record = %post.record_id, %video_id);
        let state = self
            .wait_video(account, video_id, |s| s.publishing() == "complete")
            .await?;
        let permalink = state.as_ref().and_then(|s| s.permalink.as_deref());
        Ok(Published {
            url: video_url(page, video_id, permalink),
            platform_id: video_id.to_string(),
        })
    }

    /// Meta's daily Reels limit: the Reel waits, without using up an attempt.
    fn reels_limit(&self, e: PublishError) -> PublishError {
        let wait = chrono::Duration::from_std(self.reels_limit_wait).unwrap_or(chrono::Duration::hours(1));
        let at = self.clock.now() + wait;
        PublishError {
            class: ErrorClass::RateLimited,
            message: format!(
                "{} (Meta allows 30 Reels a Page in 24 h through the API); this Reel waits until {}",
                e.message,
                at.format("%H:%M UTC")
            ),
            retry_at: Some(at),
        }
    }

    /// Whether a Reel went out, by its video's status.
    pub(super) async fn reconcile_reel(&self, account: &Account, video_id: &str) -> Result<Found, PublishError> {
        let state = self.video_state(account, video_id).await?;
        if let Some(reason) = state.status.failure() {
            return Ok(Found::Failed(format!(
                "Facebook could not process the Reel's video {video_id}: {reason}"
            )));
        }
        Ok(match state.status.publishing() {
            "complete" => Found::Published(Published {
                url: video_url(&account.external_id, video_id, state.permalink.as_deref()),
                platform_id: video_id.to_string(),
            }),
            "in_progress" => Found::Pending {
                check_at: self.clock.now() + chrono::Duration::minutes(1),
                note: format!("Facebook is still publishing the Reel {video_id}"),
            },
            _ => Found::NotPublished { certain: true },
        })
    }
}

fn transient(message: &str) -> PublishError {
    PublishError {
        class: ErrorClass::Transient,
        message: message.to_string(),
        retry_at: None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fixture(name: &str) -> VideoStatus {
        let path = format!("{}/../../fixtures/facebook/{name}.json", env!("CARGO_MANIFEST_DIR"));
        let v: Value = serde_json::from_slice(&std::fs::read(&path).unwrap()).unwrap();
        serde_json::from_value(v["status"].clone()).unwrap()
    }

    #[test]
    fn meta_s_status_bodies_read_as_processing_ready_or_failed() {
        let processing = fixture("video_status_processing");
        assert_eq!(
            (processing.video_status.as_str(), processing.failure()),
            ("processing", None)
        );
        let published = fixture("video_status_reel_published");
        assert_eq!(published.publishing(), "complete");
        let failed = fixture("video_status_error");
        assert_eq!(
            failed.failure().as_deref(),
            Some("The video's aspect ratio is not supported for Reels")
        );
    }

    #[test]
    fn video_permalinks_are_made_absolute() {
        assert_eq!(
            video_url("1", "2", Some("/1/videos/2/")),
            "https://www.facebook.com/1/videos/2/"
        );
        assert_eq!(video_url("1", "2", Some("https://x.example/v")), "https://x.example/v");
        assert_eq!(video_url("1", "2", None), "https://www.facebook.com/1/videos/2/");
    }
}
