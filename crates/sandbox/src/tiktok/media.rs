//! What the sandbox does with the media of a post: it fetches `PULL_FROM_URL` media (loopback URLs
//! only; TikTok would refuse others with `url_ownership_unverified`), reads what arrived with
//! [`schedulo_media::probe`], and holds them to TikTok's rules ([`super::limits`], and the creator's
//! longest video). A breach is not an error of `init`: like TikTok, the sandbox takes
//! the post and reports it `FAILED` with the `fail_reason` later.
//!
//! | what is wrong | `fail_reason` |
//! |---|---|
//! | the URL does not answer 200 | `video_pull_failed` / `photo_pull_failed` |
//! | not a media file, or not MP4/MOV/WebM (video), JPEG/WEBP (photo) | `file_format_check_failed` |
//! | a video side outside 360-4096 px; a photo over 20 MB (sandbox's choice of reason) | `picture_size_check_failed` |
//! | a frame rate outside 23-60 | `frame_rate_check_failed` |
//! | longer than the creator's `max_video_post_duration_sec` | `duration_check_failed` |

use super::limits;
use schedulo_media::probe::{self, ProbeError};
use schedulo_media::MediaInfo;
use std::time::Duration;
use url::{Host, Url};

/// How long a fetch may take.
const FETCH_TIMEOUT: Duration = Duration::from_secs(60);

/// Whether the sandbox may fetch `url`: http(s) to `localhost`, `127.0.0.0/8` or `::1`.
pub fn is_loopback(url: &str) -> bool {
    let Ok(url) = Url::parse(url) else {
        return false;
    };
    if !matches!(url.scheme(), "http" | "https") {
        return false;
    }
    match url.host() {
        Some(Host::Domain(d)) => d.eq_ignore_ascii_case("localhost"),
        Some(Host::Ipv4(ip)) => ip.is_loopback(),
        Some(Host::Ipv6(ip)) => ip.is_loopback(),
        None => false,
    }
}

/// Fetches (with Range requests, as [`probe::probe_url`] does) and reads a loopback URL.
pub async fn fetch(http: &reqwest::Client, url: &str, pull_failed: &str) -> Result<MediaInfo, String> {
    probe::probe_url(http, url, FETCH_TIMEOUT)
        .await
        .map_err(|e| reason_of(&e, pull_failed))
}

/// Reads an uploaded file.
pub async fn read_file(path: &std::path::Path) -> Result<MediaInfo, String> {
    let mut file = tokio::fs::File::open(path).await.map_err(|_| "internal".to_string())?;
    probe::probe_file(&mut file)
        .await
        .map_err(|e| reason_of(&e, "file_format_check_failed"))
}

fn reason_of(e: &ProbeError, pull_failed: &str) -> String {
    tracing::debug!(message = "The sandbox could not read a media file.", error = %e);
    match e {
        ProbeError::Download(_) => pull_failed.to_string(),
        _ => "file_format_check_failed".to_string(),
    }
}

/// A video against TikTok's rules and the creator's longest video.
pub fn judge_video(info: &MediaInfo, max_secs: u32) -> Result<(), String> {
    let fail = |r: &str| Err(r.to_string());
    let format_ok = info
        .format
        .as_deref()
        .is_some_and(|f| limits::VIDEO_FORMATS.iter().any(|v| v.eq_ignore_ascii_case(f)));
    if !format_ok || info.bytes.is_some_and(|b| b > limits::MAX_VIDEO_BYTES) {
        return fail("file_format_check_failed");
    }
    if let (Some(w), Some(h)) = (info.width, info.height) {
        if w.min(h) < limits::MIN_VIDEO_SIDE_PX || w.max(h) > limits::MAX_VIDEO_SIDE_PX {
            return fail("picture_size_check_failed");
        }
    }
    if info
        .frame_rate
        .is_some_and(|f| !(limits::MIN_FRAME_RATE..=limits::MAX_FRAME_RATE).contains(&f))
    {
        return fail("frame_rate_check_failed");
    }
    if info.duration_secs.is_some_and(|d| d > f64::from(max_secs) + 0.5) {
        return fail("duration_check_failed");
    }
    Ok(())
}

/// A photo against TikTok's rules.
pub fn judge_photo(info: &MediaInfo) -> Result<(), String> {
    let format_ok = info
        .format
        .as_deref()
        .is_some_and(|f| limits::PHOTO_FORMATS.iter().any(|p| p.eq_ignore_ascii_case(f)));
    if !format_ok {
        return Err("file_format_check_failed".into());
    }
    if info.bytes.is_some_and(|b| b > limits::MAX_PHOTO_BYTES) {
        return Err("picture_size_check_failed".into());
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use schedulo_media::synth::{self, VideoSpec};

    #[test]
    fn only_loopback_urls_are_fetched() {
        assert!(is_loopback("http://127.0.0.1:8080/_sandbox/files/a.mp4"));
        assert!(is_loopback("http://localhost/a.jpg"));
        assert!(is_loopback("http://[::1]:9/a.jpg"));
        assert!(!is_loopback("https://res.cloudinary.com/a.mp4"));
        assert!(!is_loopback("file:///etc/passwd"));
    }

    #[test]
    fn videos_are_judged_as_tiktok_does() {
        let read = |spec: VideoSpec| probe::probe(&synth::mp4(&spec), None).unwrap();
        assert_eq!(judge_video(&read(VideoSpec::new(1080, 1920, 30.0)), 60), Ok(()));
        assert_eq!(
            judge_video(&read(VideoSpec::new(1080, 1920, 90.0)), 60),
            Err("duration_check_failed".into())
        );
        assert_eq!(
            judge_video(&read(VideoSpec::new(320, 240, 5.0)), 60),
            Err("picture_size_check_failed".into())
        );
        let slow = VideoSpec {
            fps: 15.0,
            ..VideoSpec::new(1080, 1920, 5.0)
        };
        assert_eq!(judge_video(&read(slow), 60), Err("frame_rate_check_failed".into()));
        let jpeg = probe::probe(&synth::jpeg(64, 64), None).unwrap();
        assert_eq!(judge_video(&jpeg, 60), Err("file_format_check_failed".into()));
        assert_eq!(judge_photo(&jpeg), Ok(()));
        let png = probe::probe(&crate::files::file("sample.png").unwrap().0, None).unwrap();
        assert_eq!(judge_photo(&png), Err("file_format_check_failed".into()));
    }
}
