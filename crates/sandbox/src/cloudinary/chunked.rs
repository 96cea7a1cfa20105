//! Chunked uploads: every chunk is a multipart upload request with the same `X-Unique-Upload-Id`
//! and a `Content-Range: bytes a-b/total`. pycloudinary gives the total on every chunk;
//! cloudinary_npm's `upload_large` gives `-1` on every chunk but the last (it knows the total only
//! then), so a `-1` is taken on any chunk and the total from the first chunk that gives one; every
//! chunk that gives one must agree (else 400). Chunks are at least `chunk_min_bytes` but the last,
//! the first chunk comes first and the last last. Size limits are checked as bytes arrive (the end
//! of each chunk), not only against the total.
//!
//! Each chunk is copied into the upload's file on disk at its offset (nothing is held in memory).
//! The byte ranges received are kept: a chunk sent again (a client retrying a chunk whose answer
//! was lost) is accepted and answered as the first time; the upload completes when the last chunk
//! comes and the ranges cover `0..total` (a last chunk that comes with a gap is 400 and the upload
//! stays, so the missing chunk and then the last can be sent). Other chunks answer
//! `{"done":false,"upload_id","bytes"}` (`bytes`: how many distinct bytes are in).
//!
//! An unfinished upload is dropped, with its file, [`PENDING_FOR`] after its last chunk; finished
//! upload ids are kept for [`FINISHED_FOR`]. Both are swept on every request (tokio time), so no
//! timer runs. A chunk of a finished upload, the last one included, is 400 `Upload <id> already
//! completed as <public_id>`: Cloudinary does not document that a resent last chunk is answered
//! with the result again, so the sandbox does not pretend it is (a client should look the asset up).

use super::app::SharedApp;
use super::errors::CldError;
use super::form::FileParam;
use axum::http::HeaderMap;
use serde_json::{json, Value};
use std::collections::{BTreeMap, HashMap};
use std::io::{Seek, SeekFrom};
use std::time::Duration;
use tokio::time::Instant;

/// How long an unfinished upload waits for its next chunk (a day).
pub const PENDING_FOR: Duration = Duration::from_secs(24 * 3600);
/// How long a finished upload's id is remembered (an hour).
pub const FINISHED_FOR: Duration = Duration::from_secs(3600);

/// A chunk's headers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChunkHeader {
    pub upload_id: String,
    pub first: u64,
    pub last: u64,
    /// The file's size; `None` for `-1` (not known yet: cloudinary_npm's chunks but the last).
    pub total: Option<u64>,
}

impl ChunkHeader {
    /// Whether this is the file's last chunk (only a chunk that gives the total can be).
    fn is_last(&self) -> bool {
        self.total == Some(self.last + 1)
    }
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

/// `bytes 0-99/1000` -> (0, 99, Some(1000)); `bytes 0-99/-1` -> (0, 99, None).
fn parse_range(v: &str) -> Option<(u64, u64, Option<u64>)> {
    let (range, total) = v.trim().strip_prefix("bytes")?.trim().split_once('/')?;
    let (a, b) = range.split_once('-')?;
    let (a, b): (u64, u64) = (a.trim().parse().ok()?, b.trim().parse().ok()?);
    let total = match total.trim() {
        "-1" => None,
        t => Some(t.parse::<u64>().ok()?),
    };
    (a <= b && total.is_none_or(|t| b < t)).then_some((a, b, total))
}

/// An upload whose chunks are arriving.
pub struct Pending {
    pub file: tempfile::NamedTempFile,
    /// The file's size, once a chunk gave it.
    pub total: Option<u64>,
    /// The chunks received: first byte -> (last byte, the answer it got).
    pub received: BTreeMap<u64, (u64, Value)>,
    pub filename: Option<String>,
    /// When it is dropped unless another chunk comes.
    pub expires: Instant,
}

impl Pending {
    /// How many distinct bytes the chunks received cover.
    fn covered(&self) -> u64 {
        let mut covered = 0;
        let mut end = 0; // one past the last byte counted
        for (&first, &(last, _)) in &self.received {
            let from = first.max(end);
            if last + 1 > from {
                covered += last + 1 - from;
                end = last + 1;
            }
        }
        covered
    }
}

/// A finished upload, remembered so that a resent chunk is told so.
pub struct Finished {
    pub public_id: String,
    pub until: Instant,
}

type Key = (String, String);

/// Chunked uploads under way and recently finished, by (cloud, upload id).
#[derive(Default)]
pub struct Chunks {
    pub pending: HashMap<Key, Pending>,
    pub finished: HashMap<Key, Finished>,
}

impl Chunks {
    /// Drops unfinished uploads past their time (their files with them) and old finished ids.
    pub fn sweep(&mut self, now: Instant) {
        self.pending.retain(|_, p| p.expires > now);
        self.finished.retain(|_, f| f.until > now);
    }
}

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

fn too_large(got: u64, max: u64) -> CldError {
    CldError::bad_request(format!("File size too large. Got {got}. Maximum is {max}."))
}

/// Takes one chunk (already authenticated). `max_bytes` is the cloud's limit for the resource type.
pub async fn take(
    app: &SharedApp,
    cloud: &str,
    chunk: &ChunkHeader,
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
    check_size(chunk, bytes, app.limits.chunk_min_bytes)?;
    let is_last = chunk.is_last();
    let key = (cloud.to_string(), chunk.upload_id.clone());
    let now = Instant::now();
    let target = {
        let mut inner = app.lock();
        inner.counters.cloud_mut(cloud).chunks += 1;
        let uploads = &mut inner.chunks;
        uploads.sweep(now);
        if let Some(done) = uploads.finished.get(&key) {
            return Err(CldError::bad_request(format!(
                "Upload {} already completed as {}",
                chunk.upload_id, done.public_id
            )));
        }
        let size = chunk.total.unwrap_or(chunk.last + 1);
        if size > max_bytes {
            uploads.pending.remove(&key);
            return Err(too_large(size, max_bytes));
        }
        if !uploads.pending.contains_key(&key) {
            if chunk.first != 0 {
                return Err(CldError::bad_request(format!(
                    "Upload {} is unknown: its first chunk must come first",
                    chunk.upload_id
                )));
            }
            let pending = Pending {
                file: app.temp_file()?,
                total: None,
                received: BTreeMap::new(),
                filename: filename.clone(),
                expires: now + PENDING_FOR,
            };
            uploads.pending.insert(key.clone(), pending);
        }
        let pending = uploads.pending.get_mut(&key).expect("inserted above");
        pending.expires = now + PENDING_FOR;
        check_total(pending.total, chunk)?;
        pending.total = pending.total.or(chunk.total);
        if !is_last {
            if let Some((last, answer)) = pending.received.get(&chunk.first) {
                if *last == chunk.last {
                    return Ok(Progress::Partial(answer.clone()));
                }
            }
        }
        pending.file.path().to_path_buf()
    };
    write_at(part.path().to_path_buf(), target, chunk.first).await?;
    drop(part);
    let mut inner = app.lock();
    let Some(pending) = inner.chunks.pending.get_mut(&key) else {
        return Err(CldError::bad_request("The upload was abandoned"));
    };
    pending.received.insert(chunk.first, (chunk.last, Value::Null));
    let covered = pending.covered();
    if !is_last {
        let mut answer = json!({ "done": false, "upload_id": chunk.upload_id, "bytes": covered });
        if let Some(id) = public_id {
            answer["public_id"] = json!(id);
        }
        pending.received.insert(chunk.first, (chunk.last, answer.clone()));
        return Ok(Progress::Partial(answer));
    }
    let total = chunk.last + 1;
    if covered != total {
        return Err(CldError::bad_request(format!(
            "The last chunk came with {covered} of {total} bytes received"
        )));
    }
    let pending = inner.chunks.pending.remove(&key).expect("looked up above");
    Ok(Progress::Complete {
        file: pending.file,
        filename: pending.filename.or(filename),
    })
}

/// A chunk's size against its `Content-Range`, and (but for the last) against the smallest chunk.
fn check_size(chunk: &ChunkHeader, bytes: u64, min_bytes: u64) -> Result<(), CldError> {
    if bytes != chunk.last - chunk.first + 1 {
        return Err(CldError::bad_request(format!(
            "The chunk has {bytes} bytes, but Content-Range says bytes {}-{}",
            chunk.first, chunk.last
        )));
    }
    if !chunk.is_last() && bytes < min_bytes {
        return Err(CldError::bad_request(format!(
            "Chunks must be at least {min_bytes} bytes, but the last (got {bytes})"
        )));
    }
    Ok(())
}

/// A chunk's `Content-Range` total against the total an earlier chunk gave (`known`).
fn check_total(known: Option<u64>, chunk: &ChunkHeader) -> Result<(), CldError> {
    if let (Some(given), Some(known)) = (chunk.total, known) {
        if given != known {
            return Err(CldError::bad_request(format!(
                "Content-Range total {given} differs from the total {known} an earlier chunk gave"
            )));
        }
    }
    if let Some(known) = known.or(chunk.total) {
        if chunk.last >= known {
            return Err(CldError::bad_request(format!(
                "Content-Range bytes {}-{} goes past the total {known}",
                chunk.first, chunk.last
            )));
        }
    }
    Ok(())
}

/// Copies the chunk's file `source` into the upload's file `target` at `offset`.
async fn write_at(source: std::path::PathBuf, target: std::path::PathBuf, offset: u64) -> Result<(), CldError> {
    let stored = |e: String| CldError::internal(format!("The chunk could not be stored: {e}"));
    tokio::task::spawn_blocking(move || -> std::io::Result<()> {
        let mut from = std::fs::File::open(source)?;
        let mut to = std::fs::OpenOptions::new().write(true).open(target)?;
        to.seek(SeekFrom::Start(offset))?;
        std::io::copy(&mut from, &mut to)?;
        Ok(())
    })
    .await
    .map_err(|e| stored(e.to_string()))?
    .map_err(|e| stored(e.to_string()))
}

/// Remembers that an upload finished as `public_id`, so that a chunk sent again is told so.
pub fn finished(app: &SharedApp, cloud: &str, upload_id: &str, public_id: &str) {
    let finished = Finished {
        public_id: public_id.to_string(),
        until: Instant::now() + FINISHED_FOR,
    };
    app.lock()
        .chunks
        .finished
        .insert((cloud.to_string(), upload_id.to_string()), finished);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn content_ranges_parse() {
        assert_eq!(parse_range("bytes 0-99/1000"), Some((0, 99, Some(1000))));
        assert_eq!(parse_range("bytes 900-999/1000"), Some((900, 999, Some(1000))));
        assert_eq!(parse_range("bytes 0-5242879/-1"), Some((0, 5_242_879, None)));
        assert_eq!(parse_range("bytes 9-1/1000"), None);
        assert_eq!(parse_range("bytes 9-1/-1"), None);
        assert_eq!(parse_range("bytes 0-1000/1000"), None);
        assert_eq!(parse_range("bytes 0-10/-2"), None);
        assert_eq!(parse_range("items 0-1/2"), None);
    }

    #[test]
    fn coverage_counts_each_byte_once() {
        let file = tempfile::NamedTempFile::new().unwrap();
        let mut p = Pending {
            file,
            total: Some(30),
            received: BTreeMap::new(),
            filename: None,
            expires: Instant::now(),
        };
        p.received.insert(0, (9, Value::Null));
        p.received.insert(10, (19, Value::Null));
        assert_eq!(p.covered(), 20);
        p.received.insert(5, (14, Value::Null));
        assert_eq!(p.covered(), 20);
        p.received.insert(25, (29, Value::Null));
        assert_eq!(p.covered(), 25);
    }
}
