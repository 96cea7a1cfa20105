//! `PUT {upload_url}` (`/upload/video/?upload_id=&upload_token=`): the chunks of a `FILE_UPLOAD`,
//! in order, each with `Content-Range: bytes {first}-{last}/{total}` and a video `Content-Type`
//! (media transfer guide). Each chunk must be the one `init` announced: `chunk_size` bytes, the
//! last taking the trailing bytes. Answers 206 for a chunk, 201 once the video is whole, 416 for a
//! chunk out of order, 400 for a chunk of the wrong size or range, 403 once the URL has expired
//! (`upload_url_secs` after `init`), 404 for an unknown upload. The bytes go to a temporary file; the whole
//! video is read with [`schedulo_media::probe`] once it has arrived.

use super::app::SharedApp;
use super::errors::TikTokError;
use super::media;
use axum::body::Bytes;
use axum::extract::{Query, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use tokio::io::AsyncWriteExt;
use tokio::time::Instant;

/// The largest body the route reads: a last chunk of 128 MB, with room.
pub const MAX_CHUNK_BODY: usize = 130 * 1024 * 1024;

#[derive(Debug, Deserialize)]
pub struct UploadQuery {
    upload_id: Option<String>,
    upload_token: Option<String>,
}

/// `bytes 0-99/1000` -> (0, 99, 1000).
fn content_range(headers: &HeaderMap) -> Option<(u64, u64, u64)> {
    let value = headers.get(header::CONTENT_RANGE)?.to_str().ok()?.trim();
    let rest = value.strip_prefix("bytes ")?;
    let (range, total) = rest.split_once('/')?;
    let (first, last) = range.split_once('-')?;
    let (first, last, total) = (
        first.trim().parse().ok()?,
        last.trim().parse().ok()?,
        total.trim().parse().ok()?,
    );
    (first <= last && last < total).then_some((first, last, total))
}

fn refused(status: StatusCode, message: String) -> TikTokError {
    TikTokError::new(status, "invalid_params", message)
}

/// What a chunk is checked against, read under the lock.
struct Expected {
    path: std::path::PathBuf,
    index: u64,
    first: u64,
    last: u64,
    total: u64,
}

/// `PUT /upload/video/`.
pub async fn put(
    State(app): State<SharedApp>,
    Query(q): Query<UploadQuery>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Response, TikTokError> {
    let expected = expected(&app, &q, &headers)?;
    let upload_id = q.upload_id.clone().unwrap_or_default();
    let Some((first, last, total)) = content_range(&headers) else {
        return Err(refused(
            StatusCode::BAD_REQUEST,
            "Content-Range must be `bytes {first}-{last}/{total}`".into(),
        ));
    };
    let announced = format!("bytes {}-{}/{}", expected.first, expected.last, expected.total);
    if total != expected.total {
        return Err(refused(
            StatusCode::BAD_REQUEST,
            format!(
                "the total in Content-Range ({total}) is not the video_size of init ({})",
                expected.total
            ),
        ));
    }
    if first != expected.first {
        return Err(refused(
            StatusCode::RANGE_NOT_SATISFIABLE,
            format!("chunks go in order: chunk {} is {announced}", expected.index + 1),
        ));
    }
    if last != expected.last {
        return Err(refused(
            StatusCode::BAD_REQUEST,
            format!("chunk {} must be {announced}, as chunk_size says", expected.index + 1),
        ));
    }
    if body.len() as u64 != last - first + 1 {
        return Err(refused(
            StatusCode::BAD_REQUEST,
            format!(
                "the body has {} bytes; Content-Range says {}",
                body.len(),
                last - first + 1
            ),
        ));
    }
    if let Err(e) = append(&expected.path, &body).await {
        return Err(TikTokError::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            "internal_error",
            e.to_string(),
        ));
    }
    let (complete, publish_id, max_secs) = {
        let mut inner = app.lock();
        let creators = inner.creators.clone();
        let Some(p) = inner
            .publishes
            .iter_mut()
            .find(|p| p.upload.as_ref().is_some_and(|u| u.upload_id == upload_id))
        else {
            return Err(refused(StatusCode::NOT_FOUND, "the upload is gone".into()));
        };
        let upload = p.upload.as_mut().expect("found by its upload");
        if upload.chunks != expected.index {
            return Err(refused(
                StatusCode::RANGE_NOT_SATISFIABLE,
                "another chunk arrived meanwhile".into(),
            ));
        }
        upload.chunks += 1;
        p.bytes += body.len() as u64;
        let complete = upload.chunks == upload.total_chunk_count;
        let max_secs = creators
            .iter()
            .find(|c| c.open_id == p.open_id)
            .map_or(u32::MAX, |c| c.max_video_post_duration_sec);
        let publish_id = p.publish_id.clone();
        inner.counters.chunks_received += 1;
        (complete, publish_id, max_secs)
    };
    if !complete {
        return Ok(StatusCode::PARTIAL_CONTENT.into_response());
    }
    let read = media::read_file(&expected.path).await;
    let info = read.as_ref().ok().cloned();
    let verdict = read.and_then(|info| media::judge_video(&info, max_secs));
    tracing::debug!(message = "Upload complete.", %publish_id, ok = verdict.is_ok());
    if let Some(p) = app.lock().publish_mut(&publish_id) {
        p.verdict = Some(verdict);
        p.info = info;
        p.received_at = Some(Instant::now());
    }
    Ok(StatusCode::CREATED.into_response())
}

/// Finds the upload and says which chunk comes next; refuses what cannot be a chunk of it.
fn expected(app: &SharedApp, q: &UploadQuery, headers: &HeaderMap) -> Result<Expected, TikTokError> {
    let content_type = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .map(|t| t.split(';').next().unwrap_or("").trim().to_ascii_lowercase())
        .unwrap_or_default();
    let inner = app.lock();
    let found = inner.publishes.iter().find(|p| {
        p.upload.as_ref().is_some_and(|u| {
            Some(&u.upload_id) == q.upload_id.as_ref() && Some(&u.upload_token) == q.upload_token.as_ref()
        })
    });
    let Some(p) = found else {
        return Err(refused(
            StatusCode::NOT_FOUND,
            "no upload has that upload_id and upload_token".into(),
        ));
    };
    let upload = p.upload.as_ref().expect("found by its upload");
    if Instant::now().duration_since(p.created) > app.limits.upload_url_lifetime() {
        return Err(refused(StatusCode::FORBIDDEN, "the upload_url has expired".into()));
    }
    if upload.chunks == upload.total_chunk_count {
        return Err(refused(
            StatusCode::BAD_REQUEST,
            "every chunk has arrived already".into(),
        ));
    }
    if !matches!(content_type.as_str(), "video/mp4" | "video/quicktime" | "video/webm") {
        return Err(refused(
            StatusCode::BAD_REQUEST,
            format!("Content-Type must be video/mp4, video/quicktime or video/webm, not {content_type:?}"),
        ));
    }
    let index = upload.chunks;
    let first = index * upload.chunk_size;
    let last = if index + 1 == upload.total_chunk_count {
        upload.video_size - 1
    } else {
        first + upload.chunk_size - 1
    };
    Ok(Expected {
        path: upload.file.path().to_path_buf(),
        index,
        first,
        last,
        total: upload.video_size,
    })
}

async fn append(path: &std::path::Path, bytes: &[u8]) -> std::io::Result<()> {
    let mut file = tokio::fs::OpenOptions::new().append(true).open(path).await?;
    file.write_all(bytes).await?;
    file.flush().await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn content_ranges_read_and_bad_ones_do_not() {
        let mut h = HeaderMap::new();
        h.insert(header::CONTENT_RANGE, "bytes 0-9999999/50000123".parse().unwrap());
        assert_eq!(content_range(&h), Some((0, 9_999_999, 50_000_123)));
        for bad in ["bytes 5-4/10", "bytes 0-10/10", "0-9/10", "bytes */10"] {
            h.insert(header::CONTENT_RANGE, bad.parse().unwrap());
            assert_eq!(content_range(&h), None, "{bad}");
        }
    }
}
