//! `FILE_UPLOAD`: the video is downloaded to a temporary file (never held whole in memory), then
//! sent to the `upload_url` that `init` returned, one chunk per `PUT` with
//! `Content-Range: bytes {first}-{last}/{total}`, in order.
//!
//! TikTok's chunk rules (developers.tiktok.com `doc/content-posting-api-media-transfer-guide`,
//! "Chunk restrictions"), which [`ChunkPlan`] follows:
//! - `total_chunk_count` = `video_size` / `chunk_size`, rounded down;
//! - each chunk 5 MB to 64 MB, except the last, which takes the trailing bytes (up to 128 MB);
//! - a video under 5 MB goes whole, `chunk_size` = `video_size`; over 64 MB it must be chunked;
//! - 1 to 1,000 chunks, sent in order.
//!
//! One chunk at a time is in memory (the last is the largest: under twice the chunk size).

use super::client::cause;
use super::errors::TikTokApiError;
use super::rules::{file_name, size};
use crate::error_class::ErrorClass;
use crate::platforms::PublishError;
use reqwest::header::{CONTENT_RANGE, CONTENT_TYPE};
use std::time::Duration;
use tokio::io::{AsyncReadExt, AsyncSeekExt, AsyncWriteExt};

/// 5 MB: the smallest chunk, and the size under which a video goes whole.
pub const MIN_CHUNK: u64 = 5 * 1024 * 1024;
/// 64 MB: the largest chunk but the last.
pub const MAX_CHUNK: u64 = 64 * 1024 * 1024;
/// The most chunks a video may have.
pub const MAX_CHUNKS: u64 = 1000;

/// How a video is cut, as `init` announces it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ChunkPlan {
    pub video_size: u64,
    pub chunk_size: u64,
    pub total_chunk_count: u64,
}

impl ChunkPlan {
    /// The plan for a video of `video_size` bytes in chunks of about `wanted` bytes (5 to 64 MB).
    pub fn new(video_size: u64, wanted: u64) -> Result<ChunkPlan, String> {
        if video_size == 0 {
            return Err("the video is empty".into());
        }
        let wanted = wanted.clamp(MIN_CHUNK, MAX_CHUNK);
        if video_size < MIN_CHUNK || video_size <= wanted {
            return Ok(ChunkPlan {
                video_size,
                chunk_size: video_size,
                total_chunk_count: 1,
            });
        }
        let chunk_size = wanted.max(video_size.div_ceil(MAX_CHUNKS));
        if chunk_size > MAX_CHUNK {
            return Err(format!("{} is too large to upload in 1,000 chunks", size(video_size)));
        }
        Ok(ChunkPlan {
            video_size,
            chunk_size,
            total_chunk_count: video_size / chunk_size,
        })
    }

    /// The first and last byte (inclusive) of chunk `i`; the last chunk takes the trailing bytes.
    pub fn range(&self, i: u64) -> (u64, u64) {
        let first = i * self.chunk_size;
        let last = if i + 1 == self.total_chunk_count {
            self.video_size - 1
        } else {
            first + self.chunk_size - 1
        };
        (first, last)
    }
}

/// A downloaded video, in a temporary file removed when this is dropped.
pub struct Downloaded {
    file: tempfile::NamedTempFile,
    pub bytes: u64,
    /// The MIME type to upload it with.
    pub mime: String,
}

/// Downloads `url` to a temporary file; refuses more than `max_bytes`.
pub async fn download(
    fetcher: &crate::fetch::MediaFetcher,
    url: &str,
    format: Option<&str>,
    max_bytes: u64,
    timeout: Duration,
) -> Result<Downloaded, PublishError> {
    let name = file_name(url);
    let failed = |class, detail: String| PublishError {
        class,
        message: format!("Could not download {name} for TikTok: {detail}; the post did not go out"),
        retry_at: None,
    };
    let checked = fetcher
        .admit(url)
        .await
        .map_err(|why| failed(ErrorClass::Permanent, format!("its URL is refused: {why}")))?;
    let mut response = fetcher.get(&checked).timeout(timeout).send().await.map_err(|e| {
        match crate::fetch::MediaFetcher::refusal(&e) {
            Some(why) => failed(ErrorClass::Permanent, format!("its URL is refused: {why}")),
            None => failed(ErrorClass::Transient, cause(e)),
        }
    })?;
    let status = response.status();
    if !status.is_success() {
        let class = if status.is_server_error() || status.as_u16() == 429 {
            ErrorClass::Transient
        } else {
            ErrorClass::Permanent
        };
        return Err(failed(class, status.to_string()));
    }
    let mime = mime_of(response.headers().get(CONTENT_TYPE), format, &name);
    let temp = tempfile::NamedTempFile::new().map_err(|e| failed(ErrorClass::Transient, e.to_string()))?;
    let std_file = temp
        .reopen()
        .map_err(|e| failed(ErrorClass::Transient, e.to_string()))?;
    let mut file = tokio::fs::File::from_std(std_file);
    let mut bytes = 0u64;
    while let Some(chunk) = response
        .chunk()
        .await
        .map_err(|e| failed(ErrorClass::Transient, cause(e)))?
    {
        bytes += chunk.len() as u64;
        if bytes > max_bytes {
            return Err(failed(
                ErrorClass::Permanent,
                format!("it is larger than TikTok's {}", size(max_bytes)),
            ));
        }
        file.write_all(&chunk)
            .await
            .map_err(|e| failed(ErrorClass::Transient, e.to_string()))?;
    }
    file.flush()
        .await
        .map_err(|e| failed(ErrorClass::Transient, e.to_string()))?;
    Ok(Downloaded {
        file: temp,
        bytes,
        mime,
    })
}

/// The video's MIME type: the host's, when it is a video type; else from the known format or
/// the file's extension; else MP4.
fn mime_of(header: Option<&reqwest::header::HeaderValue>, format: Option<&str>, name: &str) -> String {
    if let Some(t) = header.and_then(|v| v.to_str().ok()) {
        let t = t.split(';').next().unwrap_or("").trim().to_ascii_lowercase();
        if matches!(t.as_str(), "video/mp4" | "video/quicktime" | "video/webm") {
            return t;
        }
    }
    let ext = name.rsplit_once('.').map(|(_, e)| e.to_ascii_lowercase());
    match format.map(str::to_ascii_lowercase).or(ext).as_deref() {
        Some("mov" | "qt" | "quicktime") => "video/quicktime".into(),
        Some("webm") => "video/webm".into(),
        _ => "video/mp4".into(),
    }
}

/// Sends the video to `upload_url`, chunk by chunk. An error means TikTok did not get the whole
/// video, so the post did not go out.
pub async fn send(
    http: &reqwest::Client,
    upload_url: &str,
    video: &Downloaded,
    plan: &ChunkPlan,
    name: &str,
    timeout: Duration,
) -> Result<(), PublishError> {
    let mut file = tokio::fs::File::from_std(
        video
            .file
            .reopen()
            .map_err(|e| not_sent(ErrorClass::Transient, name, 1, plan, e.to_string()))?,
    );
    for i in 0..plan.total_chunk_count {
        let (first, last) = plan.range(i);
        let n = i + 1;
        let mut chunk = vec![0u8; (last - first + 1) as usize];
        file.seek(std::io::SeekFrom::Start(first))
            .await
            .map_err(|e| not_sent(ErrorClass::Transient, name, n, plan, e.to_string()))?;
        file.read_exact(&mut chunk)
            .await
            .map_err(|e| not_sent(ErrorClass::Transient, name, n, plan, e.to_string()))?;
        let response = http
            .put(upload_url)
            .header(CONTENT_TYPE, &video.mime)
            .header(CONTENT_RANGE, format!("bytes {first}-{last}/{}", plan.video_size))
            .body(chunk)
            .timeout(timeout)
            .send()
            .await
            .map_err(|e| not_sent(ErrorClass::Transient, name, n, plan, cause(e)))?;
        let status = response.status().as_u16();
        if !(200..300).contains(&status) {
            let body = response.bytes().await.unwrap_or_default();
            let error = TikTokApiError::from_response(status, &body);
            // 403: most likely the upload URL expired; a new init gets a new one.
            let class = match status {
                403 | 408 | 429 | 500..=599 => ErrorClass::Transient,
                _ => ErrorClass::Permanent,
            };
            return Err(not_sent(class, name, n, plan, error.describe()));
        }
        tracing::debug!(
            message = "Chunk sent to TikTok.",
            chunk = n,
            of = plan.total_chunk_count,
            status
        );
    }
    Ok(())
}

fn not_sent(class: ErrorClass, name: &str, n: u64, plan: &ChunkPlan, detail: String) -> PublishError {
    PublishError {
        class,
        message: format!(
            "TikTok did not take chunk {n} of {} of {name} ({detail}); the video did not reach TikTok, so the post did not go out",
            plan.total_chunk_count
        ),
        retry_at: None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const MB: u64 = 1024 * 1024;

    #[test]
    fn tiktok_s_example_of_fifty_million_bytes_in_ten_million_byte_chunks() {
        let plan = ChunkPlan::new(50_000_123, 10_000_000).unwrap();
        assert_eq!((plan.chunk_size, plan.total_chunk_count), (10_000_000, 5));
        assert_eq!(plan.range(0), (0, 9_999_999));
        assert_eq!(
            plan.range(4),
            (40_000_000, 50_000_122),
            "the last takes the trailing 123 bytes"
        );
    }

    #[test]
    fn small_videos_go_whole_and_big_ones_stay_within_the_limits() {
        assert_eq!(ChunkPlan::new(3 * MB, 10 * MB).unwrap().total_chunk_count, 1);
        let whole = ChunkPlan::new(8 * MB, 10 * MB).unwrap();
        assert_eq!((whole.chunk_size, whole.total_chunk_count), (8 * MB, 1));
        let clamped = ChunkPlan::new(16 * MB, MB).unwrap();
        assert_eq!((clamped.chunk_size, clamped.total_chunk_count), (5 * MB, 3));
        assert_eq!(clamped.range(2), (10 * MB, 16 * MB - 1), "the last is 6 MB");
        let huge = ChunkPlan::new(4 * 1024 * MB, 64 * MB).unwrap();
        assert_eq!(huge.total_chunk_count, 64);
        let (first, last) = huge.range(63);
        assert!(last - first < 128 * MB);
        assert!(ChunkPlan::new(0, MB).is_err());
        assert!(
            ChunkPlan::new(70 * 1024 * MB, 64 * MB).is_err(),
            "over 1,000 chunks of 64 MB"
        );
    }

    #[test]
    fn the_upload_type_comes_from_the_host_the_format_or_the_name() {
        let header = reqwest::header::HeaderValue::from_static("video/webm; codecs=vp9");
        assert_eq!(mime_of(Some(&header), None, "a.mp4"), "video/webm");
        let octets = reqwest::header::HeaderValue::from_static("application/octet-stream");
        assert_eq!(mime_of(Some(&octets), Some("mov"), "a"), "video/quicktime");
        assert_eq!(mime_of(None, None, "clip.webm"), "video/webm");
        assert_eq!(mime_of(None, None, "clip"), "video/mp4");
    }
}
