//! Video and animated GIF preparation: the file is downloaded from its URL into a temporary file
//! (streamed, never whole in memory; no X token goes to the media host), read
//! ([`crate::media::probe::probe_file`]) and checked against X's rules again, then uploaded with
//! the chunked upload ([`super::chunked`]) as `tweet_video` or `tweet_gif`, and X's processing is
//! waited for (up to [`VideoOptions::processing_deadline`]).
//!
//! A media id lives `expires_after_secs` (24 h after finalize): [`Prepared::expires_at`] says
//! until when, and the publisher's `prepare_ahead` stays under it.

use super::chunked::{Processed, Upload};
use super::client::{unreachable, Api};
use super::rules::{file_name, media as media_rules, megabytes, XRules};
use crate::error_class::ErrorClass;
use crate::media::probe::probe_file;
use crate::media::MediaInfo;
use crate::platforms::{Account, MediaKind, MediaRef, PostContent, Prepared, PublishError};
use chrono::Utc;
use std::time::Duration;
use tokio::io::AsyncWriteExt;

/// How video and GIF uploads run.
#[derive(Debug, Clone)]
pub struct VideoOptions {
    /// Bytes per appended segment (4 MiB: X allows 5 MB a segment, and a multipart body adds a
    /// little; X's own examples use 1 MiB).
    pub chunk_bytes: u64,
    /// How long to wait for X's processing before giving up for now (10 min).
    pub processing_deadline: Duration,
    /// Timeout of the whole download of one video (10 min).
    pub download_timeout: Duration,
    /// Timeout of one upload call (initialize, one segment, finalize, STATUS).
    pub call_timeout: Duration,
}

/// A downloaded file, read and checked.
pub struct Downloaded {
    /// Deleted when dropped (an unnamed temporary file).
    pub file: tokio::fs::File,
    pub info: MediaInfo,
    pub bytes: u64,
}

/// Whether the post carries a video or a GIF (which go alone, by X's rules).
pub fn moving(post: &PostContent) -> Option<(usize, &MediaRef)> {
    post.media
        .iter()
        .enumerate()
        .find(|(_, m)| matches!(m.kind, MediaKind::Video | MediaKind::Gif))
        .map(|(i, m)| (i + 1, m))
}

/// "video 1 (clip.mp4)", "GIF 1 (party.gif)".
pub fn describe(n: usize, media: &MediaRef) -> String {
    format!("{} {n} ({})", media.kind, file_name(&media.url))
}

/// Downloads, checks and uploads the video or GIF `media` (file `n` of `post`).
pub async fn prepare(
    api: &Api,
    rules: &XRules,
    options: &VideoOptions,
    account: &Account,
    post: &PostContent,
    n: usize,
    media: &MediaRef,
) -> Result<Prepared, PublishError> {
    let what = describe(n, media);
    let mut downloaded = download(api, rules, options, account, n, media).await?;
    let media_type = media_type(&downloaded.info).ok_or_else(|| {
        permanent(format!(
            "X cannot use {what}: it is {}",
            downloaded.info.format.as_deref().unwrap_or("of an unknown type")
        ))
    })?;
    let category = if media.kind == MediaKind::Gif {
        "tweet_gif"
    } else {
        "tweet_video"
    };
    let upload = Upload {
        api,
        account,
        timeout: options.call_timeout,
        what: what.clone(),
    };
    let started = upload.initialize(media_type, downloaded.bytes, category).await?;
    let id = started.id.clone();
    let segments = upload
        .append_all(&id, &mut downloaded.file, downloaded.bytes, options.chunk_bytes)
        .await?;
    drop(downloaded);
    let finalized = upload.finalize(&id).await?;
    let deadline = tokio::time::Instant::now() + options.processing_deadline;
    let (processed, latest) = upload.wait(finalized, deadline).await?;
    let lifetime = latest.expires_after_secs.or(started.expires_after_secs);
    tracing::debug!(
        message = "Uploaded a video to X.",
        record = %post.record_id,
        media_id = %id,
        segments,
        ready = processed == Processed::Ready
    );
    Ok(Prepared {
        media_ids: vec![id],
        container: None,
        ready: processed == Processed::Ready,
        expires_at: lifetime
            .and_then(|s| chrono::Duration::try_seconds(i64::try_from(s).ok()?).map(|d| Utc::now() + d)),
    })
}

/// Before publishing what `prepare` left processing: waits for it (up to the deadline).
pub async fn wait_ready(
    api: &Api,
    options: &VideoOptions,
    account: &Account,
    n: usize,
    media: &MediaRef,
    media_id: &str,
) -> Result<(), PublishError> {
    let upload = Upload {
        api,
        account,
        timeout: options.call_timeout,
        what: describe(n, media),
    };
    let data = upload.status(media_id).await?;
    let deadline = tokio::time::Instant::now() + options.processing_deadline;
    match upload.wait(data, deadline).await? {
        (Processed::Ready, _) => Ok(()),
        (Processed::Pending, _) => Err(PublishError {
            class: ErrorClass::Transient,
            message: format!(
                "X was still processing {} after {} s; the post waits",
                upload.what,
                options.processing_deadline.as_secs()
            ),
            retry_at: None,
        }),
    }
}

/// The `media_type` X's initialize takes for a file, by its format.
fn media_type(info: &MediaInfo) -> Option<&'static str> {
    match info.format.as_deref()? {
        "mp4" => Some("video/mp4"),
        "mov" => Some("video/quicktime"),
        "webm" => Some("video/webm"),
        "gif" => Some("image/gif"),
        _ => None,
    }
}

/// Streams `media` into a temporary file (at most X's size limit for its kind), reads it and
/// checks it against X's rules.
pub async fn download(
    api: &Api,
    rules: &XRules,
    options: &VideoOptions,
    account: &Account,
    n: usize,
    media: &MediaRef,
) -> Result<Downloaded, PublishError> {
    let what = describe(n, media);
    let url = api
        .media
        .admit(&media.url)
        .await
        .map_err(|why| permanent(format!("X cannot use {what}: its URL is refused: {why}")))?;
    let doing = format!("Could not download {what} for X");
    let mut response = match api.media.get(&url).timeout(options.download_timeout).send().await {
        Ok(response) => response,
        Err(e) => {
            return Err(match crate::fetch::MediaFetcher::refusal(&e) {
                Some(why) => permanent(format!("X cannot use {what}: its URL is refused: {why}")),
                None => unreachable(ErrorClass::Transient, &doing, e, account),
            })
        }
    };
    let status = response.status();
    if !status.is_success() {
        let class = if status.is_server_error() || matches!(status.as_u16(), 408 | 429) {
            ErrorClass::Transient
        } else {
            ErrorClass::Permanent
        };
        return Err(PublishError {
            class,
            message: format!("{doing} ({status})"),
            retry_at: None,
        });
    }
    let (cap, rule_name) = match media.kind {
        MediaKind::Gif => (rules.max_gif_bytes, "GIFs"),
        _ => (rules.max_video_bytes, "videos"),
    };
    let too_big = || {
        permanent(format!(
            "X allows {rule_name} up to {}; {what} is larger",
            megabytes(cap)
        ))
    };
    if response.content_length().is_some_and(|len| len > cap) {
        return Err(too_big());
    }
    let local = |e: std::io::Error| PublishError {
        class: ErrorClass::Transient,
        message: format!("{doing}: could not write a temporary file ({e})"),
        retry_at: None,
    };
    let std_file = tempfile::tempfile().map_err(local)?;
    let mut file = tokio::fs::File::from_std(std_file);
    let mut bytes = 0u64;
    while let Some(chunk) = response
        .chunk()
        .await
        .map_err(|e| unreachable(ErrorClass::Transient, &doing, e, account))?
    {
        bytes += chunk.len() as u64;
        if bytes > cap {
            return Err(too_big());
        }
        file.write_all(&chunk).await.map_err(local)?;
    }
    file.flush().await.map_err(local)?;
    let mut info = probe_file(&mut file)
        .await
        .map_err(|e| permanent(format!("X cannot use {what}: {e}")))?;
    info.bytes = Some(bytes);
    media_rules::check(media.kind, n, &file_name(&media.url), &info, rules).map_err(|v| permanent(v.message))?;
    Ok(Downloaded { file, info, bytes })
}

fn permanent(message: String) -> PublishError {
    PublishError {
        class: ErrorClass::Permanent,
        message,
        retry_at: None,
    }
}
