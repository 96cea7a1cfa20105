//! The calls that make a post: `POST /v2/post/publish/video/init/` (and its inbox twin
//! `/v2/post/publish/inbox/video/init/`) and `POST /v2/post/publish/content/init/` (photos), with
//! TikTok's checks of the request: privacy level among the creator's options, caption lengths,
//! the chunk rules of `FILE_UPLOAD`, loopback `PULL_FROM_URL` URLs, the daily cap. Unknown fields
//! are ignored, as TikTok does (SDKs send `video_cover_timestamp_ms`, `is_aigc`...).

use super::app::{Publish, SharedApp, Source, Upload};
use super::errors::{ok, TikTokError};
use super::media;
use super::TikTokSandboxCreator;
use axum::body::Bytes;
use axum::extract::{Extension, State};
use axum::response::Response;
use serde::Deserialize;
use serde_json::json;
use tokio::time::Instant;

use super::limits::{MAX_CHUNK, MAX_LAST_CHUNK, MAX_VIDEO_BYTES as MAX_VIDEO, MIN_CHUNK};

#[derive(Debug, Default, Deserialize)]
struct PostInfo {
    title: Option<String>,
    description: Option<String>,
    privacy_level: Option<String>,
}

#[derive(Debug, Default, Deserialize)]
struct SourceInfo {
    source: Option<String>,
    video_size: Option<u64>,
    chunk_size: Option<u64>,
    total_chunk_count: Option<u64>,
    video_url: Option<String>,
    photo_images: Option<Vec<String>>,
    photo_cover_index: Option<i64>,
}

#[derive(Debug, Default, Deserialize)]
struct InitBody {
    post_info: Option<PostInfo>,
    source_info: Option<SourceInfo>,
    post_mode: Option<String>,
    media_type: Option<String>,
}

fn parse(body: &[u8]) -> Result<InitBody, TikTokError> {
    serde_json::from_slice(body).map_err(|e| TikTokError::invalid(format!("The request body is not valid JSON: {e}")))
}

/// Length as TikTok counts it, in UTF-16 units.
fn units(s: &str) -> usize {
    s.encode_utf16().count()
}

/// The privacy level of `post_info`, which must be one of the creator's options.
fn privacy(info: &PostInfo, creator: &TikTokSandboxCreator) -> Result<String, TikTokError> {
    let level = info
        .privacy_level
        .as_deref()
        .ok_or_else(|| TikTokError::invalid("post_info.privacy_level is required"))?;
    if !super::PRIVACY_LEVELS.contains(&level) {
        return Err(TikTokError::invalid(format!(
            "post_info.privacy_level {level} is not a privacy level"
        )));
    }
    if !creator.privacy_level_options.iter().any(|o| o == level) {
        return Err(TikTokError::privacy_mismatch(level, &creator.privacy_level_options));
    }
    Ok(level.to_string())
}

/// TikTok's chunk rules (media transfer guide, "Chunk restrictions").
pub fn check_chunks(video_size: u64, chunk_size: u64, total: u64) -> Result<(), String> {
    if video_size == 0 || chunk_size == 0 || total == 0 {
        return Err("video_size, chunk_size and total_chunk_count must be positive".into());
    }
    if video_size > MAX_VIDEO {
        return Err(format!("video_size {video_size} is over 4 GB"));
    }
    if video_size < MIN_CHUNK {
        if chunk_size != video_size || total != 1 {
            return Err(format!(
                "a video under 5 MB goes whole: chunk_size must be video_size ({video_size}) and total_chunk_count 1"
            ));
        }
        return Ok(());
    }
    if !(MIN_CHUNK..=MAX_CHUNK).contains(&chunk_size) || chunk_size > video_size {
        return Err(format!(
            "chunk_size {chunk_size} must be 5 MB to 64 MB and at most video_size"
        ));
    }
    if total != video_size / chunk_size {
        return Err(format!(
            "total_chunk_count must be video_size / chunk_size rounded down ({}), not {total}",
            video_size / chunk_size
        ));
    }
    if total > 1000 {
        return Err(format!("total_chunk_count {total} is over 1000"));
    }
    if video_size - (total - 1) * chunk_size > MAX_LAST_CHUNK {
        return Err("the last chunk would be over 128 MB".into());
    }
    Ok(())
}

/// `POST /v2/post/publish/video/init/`.
pub async fn video(
    State(app): State<SharedApp>,
    Extension(creator): Extension<TikTokSandboxCreator>,
    body: Bytes,
) -> Result<Response, TikTokError> {
    video_init(app, creator, body, false).await
}

/// `POST /v2/post/publish/inbox/video/init/`: the same, for the creator to finish in the app.
pub async fn inbox_video(
    State(app): State<SharedApp>,
    Extension(creator): Extension<TikTokSandboxCreator>,
    body: Bytes,
) -> Result<Response, TikTokError> {
    video_init(app, creator, body, true).await
}

async fn video_init(
    app: SharedApp,
    creator: TikTokSandboxCreator,
    body: Bytes,
    inbox: bool,
) -> Result<Response, TikTokError> {
    let init_at = app.clock.now();
    let body = parse(&body)?;
    let info = body.post_info.unwrap_or_default();
    let privacy_level = if inbox {
        "SELF_ONLY".to_string()
    } else {
        privacy(&info, &creator)?
    };
    let caption = info.title.unwrap_or_default();
    if units(&caption) > 2200 {
        return Err(TikTokError::invalid("post_info.title is over 2200 characters"));
    }
    let source = body
        .source_info
        .ok_or_else(|| TikTokError::invalid("source_info is required"))?;
    let kind = match source.source.as_deref() {
        Some("FILE_UPLOAD") => Source::FileUpload,
        Some("PULL_FROM_URL") => Source::PullFromUrl,
        _ => {
            return Err(TikTokError::invalid(
                "source_info.source must be FILE_UPLOAD or PULL_FROM_URL",
            ))
        }
    };
    let mut publish = Publish {
        publish_id: String::new(),
        open_id: creator.open_id.clone(),
        kind: "video",
        source: kind,
        inbox,
        caption,
        privacy_level,
        photos: 0,
        created: Instant::now(),
        init_at,
        received_at: None,
        bytes: 0,
        verdict: None,
        post_id: 0,
        info: None,
        upload: None,
    };
    match kind {
        Source::FileUpload => {
            let (Some(size), Some(chunk), Some(total)) =
                (source.video_size, source.chunk_size, source.total_chunk_count)
            else {
                return Err(TikTokError::invalid(
                    "FILE_UPLOAD needs video_size, chunk_size and total_chunk_count",
                ));
            };
            check_chunks(size, chunk, total).map_err(TikTokError::invalid)?;
            let file = app.upload_file().map_err(|e| {
                TikTokError::new(
                    axum::http::StatusCode::INTERNAL_SERVER_ERROR,
                    "internal_error",
                    format!("The sandbox could not make a temporary file: {e}"),
                )
            })?;
            publish.upload = Some(Upload {
                upload_id: String::new(),
                upload_token: String::new(),
                video_size: size,
                chunk_size: chunk,
                total_chunk_count: total,
                chunks: 0,
                file,
            });
        }
        Source::PullFromUrl => {
            let url = source
                .video_url
                .ok_or_else(|| TikTokError::invalid("PULL_FROM_URL needs video_url"))?;
            if !media::is_loopback(&url) {
                return Err(TikTokError::url_unverified(&url));
            }
            refuse_over_cap(&app, &creator)?;
            let fetched = media::fetch(&app.http, &url, "video_pull_failed").await;
            publish.bytes = fetched.as_ref().ok().and_then(|i| i.bytes).unwrap_or(0);
            publish.info = fetched.as_ref().ok().cloned();
            publish.verdict = Some(fetched.and_then(|i| media::judge_video(&i, creator.max_video_post_duration_sec)));
            publish.received_at = Some(Instant::now());
            app.lock().counters.media_fetched += 1;
        }
    }
    let data = take(&app, &creator, publish)?;
    Ok(ok(data))
}

/// `POST /v2/post/publish/content/init/`: photos, pulled from their URLs.
pub async fn content(
    State(app): State<SharedApp>,
    Extension(creator): Extension<TikTokSandboxCreator>,
    body: Bytes,
) -> Result<Response, TikTokError> {
    let init_at = app.clock.now();
    let body = parse(&body)?;
    if body.media_type.as_deref() != Some("PHOTO") {
        return Err(TikTokError::invalid("media_type must be PHOTO"));
    }
    let inbox = match body.post_mode.as_deref() {
        Some("DIRECT_POST") => false,
        Some("MEDIA_UPLOAD") => true,
        _ => return Err(TikTokError::invalid("post_mode must be DIRECT_POST or MEDIA_UPLOAD")),
    };
    let info = body.post_info.unwrap_or_default();
    let privacy_level = if inbox {
        "SELF_ONLY".to_string()
    } else {
        privacy(&info, &creator)?
    };
    if info.title.as_deref().is_some_and(|t| units(t) > 90) {
        return Err(TikTokError::invalid("post_info.title is over 90 characters"));
    }
    let caption = info.description.unwrap_or_default();
    if units(&caption) > 4000 {
        return Err(TikTokError::invalid("post_info.description is over 4000 characters"));
    }
    let source = body
        .source_info
        .ok_or_else(|| TikTokError::invalid("source_info is required"))?;
    if source.source.as_deref() != Some("PULL_FROM_URL") {
        return Err(TikTokError::invalid("photos are taken with source PULL_FROM_URL only"));
    }
    let images = source.photo_images.unwrap_or_default();
    if images.is_empty() || images.len() > super::limits::MAX_PHOTOS {
        return Err(TikTokError::invalid(format!(
            "photo_images must hold 1 to 35 URLs, not {}",
            images.len()
        )));
    }
    let cover = source.photo_cover_index.unwrap_or(0);
    if cover < 0 || cover as usize >= images.len() {
        return Err(TikTokError::invalid(format!(
            "photo_cover_index {cover} is not an index of photo_images"
        )));
    }
    if let Some(url) = images.iter().find(|u| !media::is_loopback(u)) {
        return Err(TikTokError::url_unverified(url));
    }
    refuse_over_cap(&app, &creator)?;
    let mut verdict = Ok(());
    let mut bytes = 0;
    for url in &images {
        let judged = media::fetch(&app.http, url, "photo_pull_failed").await.and_then(|i| {
            bytes += i.bytes.unwrap_or(0);
            media::judge_photo(&i)
        });
        app.lock().counters.media_fetched += 1;
        if let Err(reason) = judged {
            verdict = Err(reason);
            break;
        }
    }
    let publish = Publish {
        publish_id: String::new(),
        open_id: creator.open_id.clone(),
        kind: "photo",
        source: Source::PullFromUrl,
        inbox,
        caption,
        privacy_level,
        photos: images.len(),
        created: Instant::now(),
        init_at,
        received_at: Some(Instant::now()),
        bytes,
        verdict: Some(verdict),
        post_id: 0,
        info: None,
        upload: None,
    };
    let data = take(&app, &creator, publish)?;
    Ok(ok(data))
}

/// Refuses a post over the creator's daily cap.
fn refuse_over_cap(app: &SharedApp, creator: &TikTokSandboxCreator) -> Result<(), TikTokError> {
    let allowed = app
        .lock()
        .windows
        .may_post(&creator.open_id, Instant::now(), app.limits.daily_posts);
    if allowed {
        Ok(())
    } else {
        Err(TikTokError::too_many_posts())
    }
}

/// Takes the post (unless the daily cap was reached meanwhile): ids, the upload URL, the counters.
fn take(
    app: &SharedApp,
    creator: &TikTokSandboxCreator,
    mut publish: Publish,
) -> Result<serde_json::Value, TikTokError> {
    let now = Instant::now();
    let mut inner = app.lock();
    if !inner.windows.may_post(&creator.open_id, now, app.limits.daily_posts) {
        return Err(TikTokError::too_many_posts());
    }
    let n = inner.next_number();
    publish.publish_id = match (publish.kind, publish.source) {
        ("photo", _) => format!("p_pub_url~v2.{}", 7_360_100_000_000_000_000u64 + n),
        (_, Source::FileUpload) => format!("v_pub_file~v2-1.{}", 7_360_100_000_000_000_000u64 + n),
        _ => format!("v_pub_url~v2-1.{}", 7_360_100_000_000_000_000u64 + n),
    };
    publish.post_id = 7_360_200_000_000_000_000u64 + n;
    let mut data = json!({ "publish_id": publish.publish_id });
    if let Some(upload) = publish.upload.as_mut() {
        upload.upload_id = format!("{}", 67_890 + n);
        upload.upload_token = format!("{:016x}", rand::random::<u64>());
        data["upload_url"] = json!(format!(
            "{}/upload/video/?upload_id={}&upload_token={}",
            app.url, upload.upload_id, upload.upload_token
        ));
    }
    inner.windows.posted(&creator.open_id, now);
    inner.counters.posts_taken += 1;
    tracing::debug!(message = "Post taken.", publish_id = %publish.publish_id, source = publish.source.as_str());
    inner.publishes.push(publish);
    Ok(data)
}

#[cfg(test)]
mod tests {
    use super::*;

    const MB: u64 = 1024 * 1024;

    #[test]
    fn the_chunk_rules_are_tiktok_s() {
        assert_eq!(check_chunks(50_000_123, 10_000_000, 5), Ok(()));
        assert!(check_chunks(50_000_123, 10_000_000, 6)
            .unwrap_err()
            .contains("rounded down (5)"));
        assert_eq!(check_chunks(3 * MB, 3 * MB, 1), Ok(()));
        assert!(check_chunks(3 * MB, MB, 3).is_err(), "under 5 MB goes whole");
        assert!(check_chunks(16 * MB, 4 * MB, 4).is_err(), "chunks of at least 5 MB");
        assert!(check_chunks(200 * MB, 100 * MB, 2).is_err(), "chunks of at most 64 MB");
        assert!(
            check_chunks(100 * MB, 100 * MB, 1).is_err(),
            "over 64 MB must be chunked"
        );
        assert_eq!(check_chunks(8 * MB, 8 * MB, 1), Ok(()));
        assert!(check_chunks(5 * 1024 * MB, 64 * MB, 80).is_err(), "over 4 GB");
    }
}
