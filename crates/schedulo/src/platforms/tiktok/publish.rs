//! The call that makes the post: `init`, whose `publish_id` is handed to the receipts before
//! anything else, then (for `FILE_UPLOAD`) the video's chunks.
//!
//! - Video: `POST /v2/post/publish/video/init/` `{post_info:{title, privacy_level, disable_comment,
//!   disable_duet, disable_stitch, brand_content_toggle, brand_organic_toggle}, source_info:{source:
//!   "PULL_FROM_URL", video_url} | {source:"FILE_UPLOAD", video_size, chunk_size, total_chunk_count}}`
//!   -> `{publish_id, upload_url}`.
//! - Photos: `POST /v2/post/publish/content/init/` `{post_info:{description, privacy_level,
//!   disable_comment, ...}, source_info:{source:"PULL_FROM_URL", photo_images, photo_cover_index},
//!   post_mode:"DIRECT_POST", media_type:"PHOTO"}` -> `{publish_id}` (TikTok takes photos only
//!   from URLs).
//!
//! A timeout or a 5xx on `init` is `OutcomeUnknown` (`client.rs`). Once the `publish_id` is kept,
//! a failed upload is classified as such: TikTok never got the whole video, so the post did not go
//! out, and the scheduler may publish again.

use super::client::Call;
use super::creator::{self, Settings};
use super::limits::Endpoint;
use super::rules::{caption, file_name, Shape};
use super::upload::{self, ChunkPlan};
use super::{TikTokPublisher, UploadMode};
use crate::error_class::ErrorClass;
use crate::platforms::{Account, MediaKind, PostContent, Prepared, PublishError, Receipts, Sent};
use serde_json::{json, Value};

/// Publishes `post`: init, keep the receipt, upload if need be.
pub async fn publish(
    tiktok: &TikTokPublisher,
    account: &Account,
    post: &PostContent,
    prepared: &Prepared,
    receipts: &Receipts,
) -> Result<Sent, PublishError> {
    let shape = tiktok.recheck(post)?;
    let settings = match Settings::from_prepared(prepared) {
        Some(s) => s,
        None => {
            let info = creator::query(&tiktok.api, account).await?;
            creator::decide(&info, post, shape, tiktok.privacy, tiktok.interactions)?
        }
    };
    match (shape, tiktok.upload_mode) {
        (Shape::Photos, _) => photos(tiktok, account, post, &settings, receipts).await,
        (Shape::Video, UploadMode::PullFromUrl) => pulled_video(tiktok, account, post, &settings, receipts).await,
        (Shape::Video, UploadMode::FileUpload) => uploaded_video(tiktok, account, post, &settings, receipts).await,
    }
}

/// `post_info` of a video.
fn video_info(post: &PostContent, s: &Settings) -> Value {
    json!({
        "title": caption(post),
        "privacy_level": s.privacy_level,
        "disable_comment": s.disable_comment,
        "disable_duet": s.disable_duet,
        "disable_stitch": s.disable_stitch,
        "brand_content_toggle": false,
        "brand_organic_toggle": false,
    })
}

fn the_video(post: &PostContent) -> &crate::platforms::MediaRef {
    post.media
        .iter()
        .find(|m| m.kind == MediaKind::Video)
        .expect("checked: a video post has a video")
}

async fn pulled_video(
    tiktok: &TikTokPublisher,
    account: &Account,
    post: &PostContent,
    settings: &Settings,
    receipts: &Receipts,
) -> Result<Sent, PublishError> {
    let video = the_video(post);
    let body = json!({
        "post_info": video_info(post, settings),
        "source_info": { "source": "PULL_FROM_URL", "video_url": video.url },
    });
    let (publish_id, _) = init(tiktok, account, &["video", "init"], body, "the video post").await?;
    receipts.keep(&publish_id).await?;
    accepted(post, publish_id)
}

async fn uploaded_video(
    tiktok: &TikTokPublisher,
    account: &Account,
    post: &PostContent,
    settings: &Settings,
    receipts: &Receipts,
) -> Result<Sent, PublishError> {
    let video = the_video(post);
    let name = file_name(&video.url);
    let file = upload::download(
        &tiktok.media,
        &video.url,
        video.info.format.as_deref(),
        tiktok.rules.max_video_bytes,
        tiktok.upload_timeout,
    )
    .await?;
    let plan = ChunkPlan::new(file.bytes, tiktok.chunk_size).map_err(|e| PublishError {
        class: ErrorClass::Permanent,
        message: format!("Cannot upload {name} to TikTok: {e}"),
        retry_at: None,
    })?;
    let body = json!({
        "post_info": video_info(post, settings),
        "source_info": {
            "source": "FILE_UPLOAD",
            "video_size": plan.video_size,
            "chunk_size": plan.chunk_size,
            "total_chunk_count": plan.total_chunk_count,
        },
    });
    let (publish_id, upload_url) = init(tiktok, account, &["video", "init"], body, "the video post").await?;
    if let Err(e) = receipts.keep(&publish_id).await {
        // Nothing is sent without the receipt kept: TikTok then never gets the video, and the post
        // certainly did not go out.
        return Err(PublishError {
            class: ErrorClass::Transient,
            message: format!("{}; the video was not sent, so the post did not go out", e.message),
            retry_at: None,
        });
    }
    let Some(upload_url) = upload_url else {
        return Err(PublishError {
            class: ErrorClass::Transient,
            message: format!(
                "TikTok answered the video post's init ({publish_id}) without an upload_url; the video was not sent, so the post did not go out"
            ),
            retry_at: None,
        });
    };
    upload::send(
        &tiktok.api.http,
        &upload_url,
        &file,
        &plan,
        &name,
        tiktok.upload_timeout,
    )
    .await?;
    tracing::info!(message = "Video sent to TikTok.", record = %post.record_id, %publish_id, chunks = plan.total_chunk_count);
    accepted(post, publish_id)
}

async fn photos(
    tiktok: &TikTokPublisher,
    account: &Account,
    post: &PostContent,
    settings: &Settings,
    receipts: &Receipts,
) -> Result<Sent, PublishError> {
    let urls: Vec<&str> = post.media.iter().map(|m| m.url.as_str()).collect();
    let body = json!({
        "post_info": {
            "description": caption(post),
            "privacy_level": settings.privacy_level,
            "disable_comment": settings.disable_comment,
            "brand_content_toggle": false,
            "brand_organic_toggle": false,
        },
        "source_info": { "source": "PULL_FROM_URL", "photo_images": urls, "photo_cover_index": 0 },
        "post_mode": "DIRECT_POST",
        "media_type": "PHOTO",
    });
    let (publish_id, _) = init(tiktok, account, &["content", "init"], body, "the photo post").await?;
    receipts.keep(&publish_id).await?;
    accepted(post, publish_id)
}

/// Calls an init endpoint (`/v2/post/publish/{kind}/init/`): the `publish_id` and `upload_url`.
async fn init(
    tiktok: &TikTokPublisher,
    account: &Account,
    kind: &[&str; 2],
    body: Value,
    what: &str,
) -> Result<(String, Option<String>), PublishError> {
    let data = tiktok
        .api
        .call(
            account,
            Call {
                endpoint: Endpoint::Init,
                path: &["v2", "post", "publish", kind[0], kind[1]],
                fields: None,
                body,
                what,
                publishes: true,
            },
        )
        .await?;
    let text = |key: &str| {
        data.get(key)
            .and_then(Value::as_str)
            .map(str::trim)
            .filter(|s| !s.is_empty())
    };
    match text("publish_id") {
        Some(id) => Ok((id.to_string(), text("upload_url").map(str::to_string))),
        None => Err(PublishError {
            class: ErrorClass::OutcomeUnknown,
            message: format!(
                "TikTok answered {what} without a publish_id; it may have taken the post: check the account before posting again"
            ),
            retry_at: None,
        }),
    }
}

fn accepted(post: &PostContent, publish_id: String) -> Result<Sent, PublishError> {
    tracing::info!(message = "TikTok took the post.", record = %post.record_id, %publish_id);
    Ok(Sent::Accepted { receipt: publish_id })
}
