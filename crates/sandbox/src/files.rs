//! Sample media every sandbox serves at `GET /_sandbox/files/{name}` (merge [`router`]), so that
//! tests and demos can point media URLs at loopback. Files are made on request ([`file()`]); the
//! query string is ignored (tests add `?n=1` to make URLs distinct).
//!
//! # Names
//! - `sample.jpg`, `sample.png` (32x32), `photo.png` (2x2): fixed images (`fixtures/`).
//! - `notes.txt`: a text file, for "not an image" tests.
//! - `image-{W}x{H}.jpg`: a baseline JPEG, solid grey ([`synth::jpeg`]).
//! - `video-{W}x{H}-{S}s.mp4` (`S` may have decimals: `0.4s`), with optional suffixes in any order:
//!   `-{F}fps` (default 30), `-hevc` / `-vp9` / `-av1` (default H.264), `-rot90` / `-rot180` /
//!   `-rot270` (a phone's rotation matrix; W x H is the displayed size), `-{N}mb` (padded to at
//!   least N MiB), `-moovlast` (index after the data); `.mov` for QuickTime ([`synth::mp4`]).
//! - `anim-{W}x{H}-{N}f.gif`, optional `-{D}cs` (frame delay, default 10): an animated GIF.
//!
//! Anything else is 404. Sizes are capped (16,384 px, 1 hour, 512 MiB) so a name cannot exhaust
//! the machine.
//!
//! # Range requests
//! One range (`bytes=a-b`, `bytes=a-`, `bytes=-n`) gets 206 with `Content-Range`; a range that
//! starts past the end gets 416 with `Content-Range: bytes */{len}`; several ranges, or a header
//! that does not parse, get the whole file (200), as RFC 9110 allows. `HEAD` works too.

use axum::extract::Path;
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Router;
use schedulo_media::synth::{self, Codec, VideoSpec};

/// The largest side of a made image or video.
const MAX_SIDE: u16 = 16_384;
/// The longest made video.
const MAX_VIDEO_SECS: f64 = 3600.0;
/// The largest padding of a made video.
const MAX_PAD_MIB: u64 = 512;

/// `GET /_sandbox/files/{name}`, to merge into a sandbox's router.
pub fn router<S: Clone + Send + Sync + 'static>() -> Router<S> {
    Router::new().route("/_sandbox/files/{name}", get(serve))
}

/// The bytes and `Content-Type` of a sample file, or `None` when no file has that name.
pub fn file(name: &str) -> Option<(Vec<u8>, &'static str)> {
    let name = name.split('?').next().unwrap_or(name);
    match name {
        "sample.jpg" => return Some((SAMPLE_JPG.to_vec(), "image/jpeg")),
        "sample.png" => return Some((SAMPLE_PNG.to_vec(), "image/png")),
        "photo.png" => return Some((PHOTO_PNG.to_vec(), "image/png")),
        "notes.txt" => return Some((b"not an image\n".to_vec(), "text/plain; charset=utf-8")),
        _ => {}
    }
    if let Some(size) = name.strip_prefix("image-").and_then(|r| r.strip_suffix(".jpg")) {
        let (w, h) = dimensions(size)?;
        return Some((synth::jpeg(w, h), "image/jpeg"));
    }
    if let Some(rest) = name.strip_prefix("anim-").and_then(|r| r.strip_suffix(".gif")) {
        return gif(rest).map(|bytes| (bytes, "image/gif"));
    }
    let rest = name.strip_prefix("video-")?;
    let (rest, quicktime) = match (rest.strip_suffix(".mp4"), rest.strip_suffix(".mov")) {
        (Some(r), _) => (r, false),
        (_, Some(r)) => (r, true),
        _ => return None,
    };
    let spec = video(rest)?;
    Some(if quicktime {
        (synth::mov(&spec), "video/quicktime")
    } else {
        (synth::mp4(&spec), "video/mp4")
    })
}

const SAMPLE_JPG: &[u8] = schedulo_media::synth::SAMPLE_JPG;
const SAMPLE_PNG: &[u8] = schedulo_media::synth::SAMPLE_PNG;
const PHOTO_PNG: &[u8] = include_bytes!("../../../fixtures/facebook/photo.png");

/// `640x480` -> (640, 480), each side 1 to [`MAX_SIDE`].
fn dimensions(s: &str) -> Option<(u16, u16)> {
    let (w, h) = s.split_once('x')?;
    let side = |v: &str| v.parse::<u16>().ok().filter(|n| (1..=MAX_SIDE).contains(n));
    Some((side(w)?, side(h)?))
}

/// `320x240-12f` or `320x240-12f-5cs`.
fn gif(rest: &str) -> Option<Vec<u8>> {
    let mut parts = rest.split('-');
    let (w, h) = dimensions(parts.next()?)?;
    let frames: u32 = parts
        .next()?
        .strip_suffix('f')?
        .parse()
        .ok()
        .filter(|f| (1..=1000).contains(f))?;
    let mut delay = 10;
    for part in parts {
        delay = part.strip_suffix("cs")?.parse().ok()?;
    }
    Some(synth::gif(w, h, frames, delay))
}

/// `1280x720-10s` and its suffixes.
fn video(rest: &str) -> Option<VideoSpec> {
    let mut parts = rest.split('-');
    let (width, height) = dimensions(parts.next()?)?;
    let secs: f64 = parts.next()?.strip_suffix('s')?.parse().ok()?;
    if !(secs.is_finite() && secs > 0.0 && secs <= MAX_VIDEO_SECS) {
        return None;
    }
    let mut spec = VideoSpec::new(width, height, secs);
    for part in parts {
        match part {
            "hevc" => spec.codec = Codec::Hevc,
            "vp9" => spec.codec = Codec::Vp9,
            "av1" => spec.codec = Codec::Av1,
            "rot90" => spec.rotation = 90,
            "rot180" => spec.rotation = 180,
            "rot270" => spec.rotation = 270,
            "moovlast" => spec.moov_last = true,
            other => {
                if let Some(fps) = other.strip_suffix("fps") {
                    spec.fps = fps
                        .parse()
                        .ok()
                        .filter(|f: &f64| f.is_finite() && *f > 0.0 && *f <= 240.0)?;
                } else if let Some(mib) = other.strip_suffix("mb") {
                    let mib: u64 = mib.parse().ok().filter(|m| *m <= MAX_PAD_MIB)?;
                    spec.min_bytes = mib * 1024 * 1024;
                } else {
                    return None;
                }
            }
        }
    }
    Some(spec)
}

async fn serve(Path(name): Path<String>, headers: HeaderMap) -> Response {
    let Some((bytes, mime)) = file(&name) else {
        return (
            StatusCode::NOT_FOUND,
            [(header::CONTENT_TYPE, "text/plain; charset=utf-8")],
            format!("No such file in the sandbox: {name}"),
        )
            .into_response();
    };
    let len = bytes.len() as u64;
    let range = headers
        .get(header::RANGE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| parse_range(v, len));
    let mut response = match range {
        None => bytes.into_response(),
        Some(Err(())) => {
            let mut r = StatusCode::RANGE_NOT_SATISFIABLE.into_response();
            if let Ok(v) = HeaderValue::from_str(&format!("bytes */{len}")) {
                r.headers_mut().insert(header::CONTENT_RANGE, v);
            }
            return r;
        }
        Some(Ok((first, last))) => {
            let part = bytes[first as usize..=last as usize].to_vec();
            let mut r = (StatusCode::PARTIAL_CONTENT, part).into_response();
            if let Ok(v) = HeaderValue::from_str(&format!("bytes {first}-{last}/{len}")) {
                r.headers_mut().insert(header::CONTENT_RANGE, v);
            }
            r
        }
    };
    let h = response.headers_mut();
    h.insert(header::CONTENT_TYPE, HeaderValue::from_static(mime));
    h.insert(header::ACCEPT_RANGES, HeaderValue::from_static("bytes"));
    response
}

/// A `Range` header against a file of `len` bytes: `None` to serve the whole file (no single
/// byte range, or one that does not parse), `Some(Err)` for 416, `Some(Ok((first, last)))`.
pub(crate) fn parse_range(value: &str, len: u64) -> Option<Result<(u64, u64), ()>> {
    let spec = value.trim().strip_prefix("bytes=")?.trim();
    if spec.contains(',') {
        return None;
    }
    let (a, b) = spec.split_once('-')?;
    let (a, b) = (a.trim(), b.trim());
    if a.is_empty() {
        let suffix: u64 = b.parse().ok()?;
        if suffix == 0 || len == 0 {
            return Some(Err(()));
        }
        return Some(Ok((len - suffix.min(len), len - 1)));
    }
    let first: u64 = a.parse().ok()?;
    let last = if b.is_empty() {
        None
    } else {
        Some(b.parse::<u64>().ok()?)
    };
    if last.is_some_and(|l| l < first) {
        return None;
    }
    if first >= len {
        return Some(Err(()));
    }
    Some(Ok((first, last.unwrap_or(len - 1).min(len - 1))))
}

#[cfg(test)]
mod tests {
    use super::*;
    use schedulo_media::probe::probe;

    #[test]
    fn ranges_parse_as_rfc_9110_says() {
        assert_eq!(parse_range("bytes=0-9", 100), Some(Ok((0, 9))));
        assert_eq!(parse_range("bytes=90-", 100), Some(Ok((90, 99))));
        assert_eq!(parse_range("bytes=95-200", 100), Some(Ok((95, 99))));
        assert_eq!(parse_range("bytes=-10", 100), Some(Ok((90, 99))));
        assert_eq!(parse_range("bytes=-500", 100), Some(Ok((0, 99))));
        assert_eq!(parse_range("bytes=100-", 100), Some(Err(())));
        assert_eq!(parse_range("bytes=-0", 100), Some(Err(())));
        assert_eq!(parse_range("bytes=0-1,5-6", 100), None);
        assert_eq!(parse_range("bytes=9-1", 100), None);
        assert_eq!(parse_range("items=0-1", 100), None);
    }

    #[test]
    fn every_named_file_is_what_its_name_says() {
        let info = |name: &str| {
            let (bytes, _) = file(name).unwrap_or_else(|| panic!("{name}"));
            probe(&bytes, None).unwrap_or_else(|e| panic!("{name}: {e}"))
        };
        assert_eq!(
            (info("sample.jpg").width, info("sample.png").height),
            (Some(32), Some(32))
        );
        assert_eq!(info("photo.png").width, Some(2));
        let jpg = info("image-1080x1350.jpg");
        assert_eq!(
            (jpg.width, jpg.height, jpg.format.as_deref()),
            (Some(1080), Some(1350), Some("jpeg"))
        );
        let v = info("video-720x1280-12.5s-60fps-hevc.mp4");
        assert_eq!(
            (v.width, v.height, v.duration_secs),
            (Some(720), Some(1280), Some(12.5))
        );
        assert_eq!((v.frame_rate, v.video_codec.as_deref()), (Some(60.0), Some("hevc")));
        let mov = info("video-1920x1080-3s-rot90-moovlast.mov");
        assert_eq!(
            (mov.format.as_deref(), mov.width, mov.height),
            (Some("mov"), Some(1920), Some(1080))
        );
        let big = file("video-64x64-1s-2mb.mp4").unwrap().0;
        assert!(big.len() >= 2 * 1024 * 1024 && big.len() < 2 * 1024 * 1024 + 4096);
        let gif = info("anim-320x240-12f-5cs.gif");
        assert_eq!((gif.width, gif.duration_secs), (Some(320), Some(0.6)));
        assert_eq!(file("notes.txt").map(|f| f.1), Some("text/plain; charset=utf-8"));
        assert_eq!(file("sample.jpg?n=3").map(|f| f.1), Some("image/jpeg"));
    }

    /// Over HTTP: 206 with `Content-Range`, 416 past the end, and `probe_url` reading a video whose
    /// index comes last without fetching its data.
    #[tokio::test(start_paused = true)]
    async fn ranges_are_served_and_probe_url_reads_a_video_from_them() {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let base = format!("http://{}/_sandbox/files", listener.local_addr().unwrap());
        tokio::spawn(async move {
            let _ = axum::serve(listener, router::<()>()).await;
        });
        let http = reqwest::Client::new();
        let name = "video-1280x720-30s-moovlast-2mb.mp4";
        let len = file(name).unwrap().0.len();
        let part = http
            .get(format!("{base}/{name}?n=1"))
            .header("Range", "bytes=0-9")
            .send()
            .await
            .unwrap();
        assert_eq!(part.status(), 206);
        assert_eq!(part.headers()["content-range"], format!("bytes 0-9/{len}").as_str());
        assert_eq!(part.headers()["content-type"], "video/mp4");
        assert_eq!(part.bytes().await.unwrap().len(), 10);
        let past = http
            .get(format!("{base}/{name}"))
            .header("Range", format!("bytes={len}-"))
            .send()
            .await
            .unwrap();
        assert_eq!(past.status(), 416);
        assert_eq!(past.headers()["content-range"], format!("bytes */{len}").as_str());
        assert_eq!(http.get(format!("{base}/nope.mp4")).send().await.unwrap().status(), 404);
        let url = format!("{base}/{name}");
        let info = schedulo_media::probe::probe_url(&http, &url, std::time::Duration::from_secs(30))
            .await
            .unwrap();
        assert_eq!((info.duration_secs, info.bytes), (Some(30.0), Some(len as u64)));
    }

    #[test]
    fn unknown_or_oversized_names_are_not_files() {
        for name in [
            "nope.jpg",
            "image-0x10.jpg",
            "image-20000x10.jpg",
            "image-10x10.png",
            "video-10x10-0s.mp4",
            "video-10x10-5s-9000mb.mp4",
            "video-10x10-5s-wobble.mp4",
            "video-10x10-5s.avi",
            "anim-10x10-0f.gif",
            "../sample.jpg",
        ] {
            assert!(file(name).is_none(), "{name}");
        }
    }
}
