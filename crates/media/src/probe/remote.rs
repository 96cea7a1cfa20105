//! Reading a file from elsewhere by byte ranges: a URL ([`probe_url`], HTTP Range requests) or a
//! file on disk ([`probe_file`]); an MP4's `moov` is found by its top-level box headers.

use super::isobmff::{box_header, container_format, top_level, MP4};
use super::moov::from_moov;
use super::{
    malformed, probe, truncated, Kind, ProbeError, HEAD_BYTES, MAX_MOOV_BYTES, MAX_TOP_BOXES, MAX_WHOLE_BYTES,
};
use crate::MediaInfo;
use std::future::Future;
use std::time::Duration;

/// Where bytes of a file come from, by range: a URL (Range requests) or a file on disk.
trait RangeSource {
    /// `len` bytes from `start` (fewer only at the end of the file).
    fn read(&mut self, start: u64, len: u64) -> impl Future<Output = Result<Vec<u8>, ProbeError>> + Send;
}

/// Probes `head` (the file's first bytes, of `total` in all); when it is an MP4 whose `moov` lies
/// beyond the head, walks the top-level box headers with small reads and reads only `moov`.
async fn probe_source<S: RangeSource>(source: &mut S, head: &[u8], total: u64) -> Result<MediaInfo, ProbeError> {
    let complete = head.len() as u64 >= total;
    if complete || Kind::of(head) != Some(Kind::IsoBmff) {
        return probe(head, Some(total));
    }
    let top = top_level(head, false)?;
    let format = container_format(top.brand);
    if let Some(moov) = top.moov {
        let mut info = from_moov(format, moov)?;
        info.bytes = Some(total);
        return Ok(info);
    }
    let mut at = 0u64;
    for _ in 0..MAX_TOP_BOXES {
        if at + 8 > total {
            break;
        }
        let bytes = match usize::try_from(at)
            .ok()
            .and_then(|a| head.get(a..))
            .filter(|r| r.len() >= 16)
        {
            Some(in_head) => in_head[..16].to_vec(),
            None => source.read(at, 16.min(total - at)).await?,
        };
        let Some(header) = box_header(&bytes)? else {
            return Err(truncated(MP4, format!("it ends inside a box header at byte {at}")));
        };
        let size = header.size.unwrap_or(total - at);
        if &header.kind == b"moov" {
            if size > MAX_MOOV_BYTES {
                return Err(ProbeError::TooLarge(format!(
                    "its moov box has {size} bytes; at most {MAX_MOOV_BYTES} are read"
                )));
            }
            if at + size > total {
                return Err(truncated(
                    MP4,
                    format!("the moov box needs {size} bytes, {} remain", total - at),
                ));
            }
            let moov = source.read(at, size).await?;
            if moov.len() as u64 != size {
                return Err(truncated(MP4, "the moov box came back short"));
            }
            let mut info = from_moov(format, &moov)?;
            info.bytes = Some(total);
            return Ok(info);
        }
        at = at.saturating_add(size);
        if at >= total {
            break;
        }
    }
    Err(malformed(MP4, "it has no moov box"))
}

/// The properties of the file at `url`, read with HTTP Range requests: the first 64 KiB, then for
/// an MP4 whose `moov` comes after `mdat`, the top-level box headers and `moov` alone. A server
/// that ignores Range (200 with the whole body) is read whole up to [`MAX_WHOLE_BYTES`].
/// `timeout` bounds the whole probe. No credentials are sent.
pub async fn probe_url(http: &reqwest::Client, url: &str, timeout: Duration) -> Result<MediaInfo, ProbeError> {
    let url = reqwest::Url::parse(url).map_err(|e| ProbeError::Download(format!("the URL is invalid ({e})")))?;
    match tokio::time::timeout(timeout, probe_url_within(http, url)).await {
        Ok(result) => result,
        Err(_) => Err(ProbeError::Download(format!(
            "no answer within {} s",
            timeout.as_secs_f64()
        ))),
    }
}

async fn probe_url_within(http: &reqwest::Client, url: reqwest::Url) -> Result<MediaInfo, ProbeError> {
    let mut source = HttpSource {
        http: http.clone(),
        url,
    };
    let first = source.get(0, HEAD_BYTES, true).await?;
    match first {
        Fetched::Whole(body) => probe(&body, Some(body.len() as u64)),
        Fetched::Part { bytes, total } => {
            let total = total.unwrap_or(bytes.len() as u64);
            probe_source(&mut source, &bytes, total).await
        }
    }
}

struct HttpSource {
    http: reqwest::Client,
    url: reqwest::Url,
}

enum Fetched {
    /// The server ignored the Range header and sent the whole file.
    Whole(Vec<u8>),
    /// A 206: the bytes asked for, and the file's size when `Content-Range` gives it.
    Part { bytes: Vec<u8>, total: Option<u64> },
}

impl HttpSource {
    async fn get(&self, start: u64, len: u64, whole_allowed: bool) -> Result<Fetched, ProbeError> {
        let last = start + len.max(1) - 1;
        let mut response = self
            .http
            .get(self.url.clone())
            .header(reqwest::header::RANGE, format!("bytes={start}-{last}"))
            .send()
            .await
            .map_err(|e| ProbeError::Download(cause(e)))?;
        let status = response.status().as_u16();
        match status {
            206 => {}
            200 if whole_allowed => {}
            200 => {
                return Err(ProbeError::Download(
                    "the server stopped honouring Range requests".into(),
                ))
            }
            416 => return Err(ProbeError::Empty),
            other => return Err(ProbeError::Download(format!("HTTP {other}"))),
        }
        let total = if status == 206 {
            let (first, total) = content_range(response.headers());
            if first.is_some_and(|f| f != start) {
                return Err(ProbeError::Download(format!(
                    "asked for the bytes from {start}, the server sent others"
                )));
            }
            total
        } else {
            response.content_length()
        };
        let cap = if status == 206 { len } else { MAX_WHOLE_BYTES };
        if status == 200 && total.is_some_and(|t| t > cap) {
            return Err(ProbeError::TooLarge(format!(
                "the server ignores Range requests and the file has {} bytes; at most {cap} are read whole",
                total.unwrap_or(0)
            )));
        }
        let mut bytes = Vec::new();
        while let Some(chunk) = response.chunk().await.map_err(|e| ProbeError::Download(cause(e)))? {
            bytes.extend_from_slice(&chunk);
            if bytes.len() as u64 > cap {
                if status == 206 {
                    bytes.truncate(cap as usize);
                    break;
                }
                return Err(ProbeError::TooLarge(format!(
                    "the server ignores Range requests and the file is larger than {cap} bytes"
                )));
            }
        }
        Ok(if status == 200 {
            Fetched::Whole(bytes)
        } else {
            Fetched::Part { bytes, total }
        })
    }
}

impl RangeSource for HttpSource {
    async fn read(&mut self, start: u64, len: u64) -> Result<Vec<u8>, ProbeError> {
        match self.get(start, len, false).await? {
            Fetched::Part { bytes, .. } => Ok(bytes),
            Fetched::Whole(_) => Err(ProbeError::Download(
                "the server stopped honouring Range requests".into(),
            )),
        }
    }
}

/// The first byte and the size of `Content-Range: bytes 0-65535/1234567` (`*`: size unknown).
fn content_range(headers: &reqwest::header::HeaderMap) -> (Option<u64>, Option<u64>) {
    let Some(value) = headers
        .get(reqwest::header::CONTENT_RANGE)
        .and_then(|v| v.to_str().ok())
    else {
        return (None, None);
    };
    let Some((range, total)) = value.trim().trim_start_matches("bytes").trim().split_once('/') else {
        return (None, None);
    };
    let first = range.split_once('-').and_then(|(a, _)| a.trim().parse().ok());
    (first, total.trim().parse().ok())
}

/// A download failure without the URL (it may carry a signed query).
fn cause(error: reqwest::Error) -> String {
    if error.is_timeout() {
        return "no answer in time".into();
    }
    let error = error.without_url();
    let mut cause = error.to_string();
    let mut source = std::error::Error::source(&error);
    while let Some(s) = source {
        cause = s.to_string();
        source = s.source();
    }
    cause
}

/// The properties of a file on disk: its head and size, and for an MP4 whose `moov` lies beyond
/// the head, `moov` found by its top-level box headers.
pub async fn probe_file(file: &mut tokio::fs::File) -> Result<MediaInfo, ProbeError> {
    let total = file
        .metadata()
        .await
        .map_err(|e| ProbeError::Download(format!("could not read the file: {e}")))?
        .len();
    let mut source = FileSource { file };
    let head = source.read(0, HEAD_BYTES.min(total)).await?;
    probe_source(&mut source, &head, total).await
}

struct FileSource<'a> {
    file: &'a mut tokio::fs::File,
}

impl RangeSource for FileSource<'_> {
    async fn read(&mut self, start: u64, len: u64) -> Result<Vec<u8>, ProbeError> {
        use tokio::io::{AsyncReadExt, AsyncSeekExt};
        let failed = |e: std::io::Error| ProbeError::Download(format!("could not read the file: {e}"));
        self.file.seek(std::io::SeekFrom::Start(start)).await.map_err(failed)?;
        let mut bytes = Vec::new();
        (&mut *self.file)
            .take(len)
            .read_to_end(&mut bytes)
            .await
            .map_err(failed)?;
        Ok(bytes)
    }
}
