//! Chunked uploads: every chunk is a multipart upload request with the same `X-Unique-Upload-Id`
//! and a `Content-Range: bytes a-b/total`; chunks are at least `chunk_min_bytes` but the last, the
//! first chunk comes first and the last last. Each chunk is copied into the upload's file on disk
//! at its offset (nothing is held in memory); the other chunks answer `{"done":false,...}`.

use super::app::SharedApp;
use super::errors::CldError;
use super::form::FileParam;
use axum::http::HeaderMap;
use serde_json::{json, Value};
use std::collections::HashMap;
use std::io::{Seek, SeekFrom};

/// A chunk's headers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChunkHeader {
    pub upload_id: String,
    pub first: u64,
    pub last: u64,
    pub total: u64,
}

/// The chunk headers of a request, if it is a chunk.
pub fn header(headers: &HeaderMap) -> Result<Option<ChunkHeader>, CldError> {
    let Some(id) = headers.get("x-unique-upload-id").and_then(|v| v.to_str().ok()) else {
        return Ok(None);
    };
    let range = headers
        .get("content-range")
        .and_then(|v| v.to_str().ok())
        .ok_or_else(|| CldError::bad_request("A chunk needs a Content-Range header"))?;
    parse_range(range)
        .map(|(first, last, total)| {
            Some(ChunkHeader {
                upload_id: id.to_string(),
                first,
                last,
                total,
            })
        })
        .ok_or_else(|| CldError::bad_request(format!("Invalid Content-Range header - {range}")))
}

/// `bytes 0-99/1000` -> (0, 99, 1000).
fn parse_range(v: &str) -> Option<(u64, u64, u64)> {
    let (range, total) = v.trim().strip_prefix("bytes")?.trim().split_once('/')?;
    let (a, b) = range.split_once('-')?;
    let (a, b, t): (u64, u64, u64) = (
        a.trim().parse().ok()?,
        b.trim().parse().ok()?,
        total.trim().parse().ok()?,
    );
    (a <= b && b < t).then_some((a, b, t))
}

/// An upload whose chunks are arriving.
pub struct Pending {
    pub file: tempfile::NamedTempFile,
    pub total: u64,
    pub received: u64,
    pub filename: Option<String>,
}

/// Uploads under way, by (cloud, upload id).
pub type PendingUploads = HashMap<(String, String), Pending>;

/// What a chunk leads to.
pub enum Progress {
    /// More chunks to come: the answer to give.
    Partial(Value),
    /// The last chunk: the whole file.
    Complete {
        file: tempfile::NamedTempFile,
        filename: Option<String>,
    },
}

/// Takes one chunk (already authenticated). `max_bytes` is the cloud's limit for the resource type.
pub async fn take(
    app: &SharedApp,
    cloud: &str,
    chunk: ChunkHeader,
    file: FileParam,
    public_id: Option<&str>,
    max_bytes: u64,
) -> Result<Progress, CldError> {
    let FileParam::Disk {
        file: part,
        filename,
        bytes,
    } = file
    else {
        return Err(CldError::missing("file"));
    };
    if bytes != chunk.last - chunk.first + 1 {
        return Err(CldError::bad_request(format!(
            "The chunk has {bytes} bytes, but Content-Range says bytes {}-{}",
            chunk.first, chunk.last
        )));
    }
    let is_last = chunk.last + 1 == chunk.total;
    if !is_last && bytes < app.limits.chunk_min_bytes {
        return Err(CldError::bad_request(format!(
            "Chunks must be at least {} bytes, but the last (got {bytes})",
            app.limits.chunk_min_bytes
        )));
    }
    if chunk.total > max_bytes {
        return Err(CldError::bad_request(format!(
            "File size too large. Got {}. Maximum is {max_bytes}.",
            chunk.total
        )));
    }
    let key = (cloud.to_string(), chunk.upload_id.clone());
    let target = {
        let mut inner = app.lock();
        inner.counters.cloud_mut(cloud).chunks += 1;
        match inner.pending.get(&key) {
            Some(p) => p.file.path().to_path_buf(),
            None if chunk.first == 0 => {
                let file = app.temp_file()?;
                let path = file.path().to_path_buf();
                inner.pending.insert(
                    key.clone(),
                    Pending {
                        file,
                        total: chunk.total,
                        received: 0,
                        filename: filename.clone(),
                    },
                );
                path
            }
            None => {
                return Err(CldError::bad_request(format!(
                    "Upload {} is unknown: its first chunk must come first",
                    chunk.upload_id
                )))
            }
        }
    };
    let offset = chunk.first;
    let source = part.path().to_path_buf();
    tokio::task::spawn_blocking(move || -> std::io::Result<()> {
        let mut from = std::fs::File::open(source)?;
        let mut to = std::fs::OpenOptions::new().write(true).open(target)?;
        to.seek(SeekFrom::Start(offset))?;
        std::io::copy(&mut from, &mut to)?;
        Ok(())
    })
    .await
    .map_err(|e| CldError::internal(format!("The chunk could not be stored: {e}")))?
    .map_err(|e| CldError::internal(format!("The chunk could not be stored: {e}")))?;
    drop(part);
    let mut inner = app.lock();
    let Some(pending) = inner.pending.get_mut(&key) else {
        return Err(CldError::bad_request("The upload was abandoned"));
    };
    pending.received += bytes;
    let received = pending.received;
    if !is_last {
        let mut answer = json!({ "done": false, "upload_id": chunk.upload_id, "bytes": received });
        if let Some(id) = public_id {
            answer["public_id"] = json!(id);
        }
        return Ok(Progress::Partial(answer));
    }
    let pending = inner.pending.remove(&key).expect("looked up above");
    if pending.received != pending.total {
        return Err(CldError::bad_request(format!(
            "The last chunk came with {} of {} bytes received",
            pending.received, pending.total
        )));
    }
    Ok(Progress::Complete {
        file: pending.file,
        filename: pending.filename.or(filename),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn content_ranges_parse() {
        assert_eq!(parse_range("bytes 0-99/1000"), Some((0, 99, 1000)));
        assert_eq!(parse_range("bytes 900-999/1000"), Some((900, 999, 1000)));
        assert_eq!(parse_range("bytes 9-1/1000"), None);
        assert_eq!(parse_range("bytes 0-1000/1000"), None);
        assert_eq!(parse_range("items 0-1/2"), None);
    }
}
