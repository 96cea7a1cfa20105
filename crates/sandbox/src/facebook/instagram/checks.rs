//! Instagram's media rules as Meta's processing applies them to a fetched file: a container whose
//! media breaks one ends in `ERROR`, with Meta's `status` text ("Error: Media upload has failed
//! with error code 2207026") followed by the reason in sandbox wording.
//!
//! Values (Meta's IG User Media reference): images JPEG, 8 MB, 4:5 to 1.91:1 (not Stories);
//! Reels MP4/MOV, H.264/HEVC, 3 s to 15 min, 1 GB, 0.01:1 to 10:1, at most 1920 px wide, 23-60
//! fps; carousel videos 3-60 s, 100 MB, 4:5 to 16:9; Story videos 3-60 s, 100 MB.

use super::ContainerKind;
use schedulo_media::MediaInfo;

const MB: u64 = 1024 * 1024;

/// Limits of one use of a video.
struct Video {
    what: &'static str,
    secs: (f64, f64),
    max_bytes: u64,
    aspect: Option<(f64, f64)>,
}

/// Meta's `status` text when the media breaks a rule; `None` when it passes. `video`: the
/// container was given a `video_url` (else an `image_url`).
pub fn problem(kind: ContainerKind, video: bool, info: &MediaInfo) -> Option<String> {
    let format = info.format.as_deref().unwrap_or("unknown");
    let is_video = matches!(format, "mp4" | "mov" | "webm");
    if !video {
        if is_video || format != "jpeg" {
            return Some(failed(
                2207005,
                &format!(
                    "the image format {} is not supported; Instagram takes JPEG only",
                    format.to_ascii_uppercase()
                ),
            ));
        }
        return image(kind, info);
    }
    if !matches!(format, "mp4" | "mov") {
        return Some(failed(
            2207026,
            &format!(
                "the video format {} is not supported; Instagram takes MP4 or MOV",
                format.to_ascii_uppercase()
            ),
        ));
    }
    let limits = match kind {
        ContainerKind::Reels => Video {
            what: "Reels",
            secs: (3.0, 900.0),
            max_bytes: 1024 * MB,
            aspect: Some((0.01, 10.0)),
        },
        ContainerKind::Video => Video {
            what: "carousel videos",
            secs: (3.0, 60.0),
            max_bytes: 100 * MB,
            aspect: Some((0.8, 16.0 / 9.0)),
        },
        ContainerKind::Stories | ContainerKind::Image | ContainerKind::Carousel => Video {
            what: "Story videos",
            secs: (3.0, 60.0),
            max_bytes: 100 * MB,
            aspect: None,
        },
    };
    video_problem(&limits, info)
}

fn image(kind: ContainerKind, info: &MediaInfo) -> Option<String> {
    if let Some(bytes) = info.bytes.filter(|b| *b > 8 * MB) {
        return Some(failed(
            2207004,
            &format!("the image is {bytes} bytes; it should be less than 8 MiB"),
        ));
    }
    match (kind, info.aspect_ratio()) {
        (ContainerKind::Stories, _) | (_, None) => None,
        (_, Some(r)) if !(0.8 - 1e-9..=1.91 + 1e-9).contains(&r) => Some(failed(
            2207009,
            &format!("the aspect ratio {r:.2} is not supported; images must be from 4:5 to 1.91:1"),
        )),
        _ => None,
    }
}

fn video_problem(limits: &Video, info: &MediaInfo) -> Option<String> {
    let what = limits.what;
    if let Some(codec) = info.video_codec.as_deref().filter(|c| !matches!(*c, "h264" | "hevc")) {
        return Some(failed(
            2207026,
            &format!("the video codec {codec} is not supported; use H.264 or HEVC"),
        ));
    }
    if let Some(secs) = info.duration_secs.filter(|s| *s < limits.secs.0 || *s > limits.secs.1) {
        return Some(failed(
            2207026,
            &format!(
                "the video lasts {secs:.1} s; {what} must last {} to {} s",
                limits.secs.0, limits.secs.1
            ),
        ));
    }
    if let Some(bytes) = info.bytes.filter(|b| *b > limits.max_bytes) {
        return Some(failed(
            2207026,
            &format!("the video is {bytes} bytes; {what} may be {} bytes", limits.max_bytes),
        ));
    }
    if let (Some((min, max)), Some(r)) = (limits.aspect, info.aspect_ratio()) {
        if r < min - 1e-9 || r > max + 1e-9 {
            return Some(failed(
                2207026,
                &format!("the aspect ratio {r:.2} is not supported for {what} ({min:.2} to {max:.2})"),
            ));
        }
    }
    if let Some(w) = info.width.filter(|w| *w > 1920) {
        return Some(failed(2207026, &format!("the video is {w} pixels wide; at most 1920")));
    }
    if let Some(fps) = info.frame_rate.filter(|f| !(23.0..=60.0).contains(f)) {
        return Some(failed(
            2207026,
            &format!("the frame rate {fps:.2} is not supported (23 to 60 FPS)"),
        ));
    }
    None
}

/// Meta's text, and the reason.
fn failed(subcode: u32, reason: &str) -> String {
    format!("Error: Media upload has failed with error code {subcode}: {reason} (sandbox wording)")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn info(format: &str, w: u32, h: u32, secs: Option<f64>) -> MediaInfo {
        MediaInfo {
            format: Some(format.into()),
            width: Some(w),
            height: Some(h),
            duration_secs: secs,
            ..MediaInfo::default()
        }
    }

    #[test]
    fn a_png_or_a_tall_image_fails_but_a_tall_story_passes() {
        let png = problem(ContainerKind::Image, false, &info("png", 100, 100, None)).unwrap();
        assert!(
            png.starts_with("Error: Media upload has failed with error code 2207005"),
            "{png}"
        );
        assert!(problem(ContainerKind::Image, false, &info("jpeg", 1080, 1920, None)).is_some());
        assert!(problem(ContainerKind::Stories, false, &info("jpeg", 1080, 1920, None)).is_none());
        assert!(problem(ContainerKind::Image, false, &info("jpeg", 1080, 1080, None)).is_none());
    }

    #[test]
    fn video_limits_depend_on_the_use() {
        let long = info("mp4", 1080, 1920, Some(120.0));
        assert!(problem(ContainerKind::Reels, true, &long).is_none());
        assert!(problem(ContainerKind::Stories, true, &long).is_some());
        let too_long = info("mp4", 1080, 1920, Some(1024.0));
        let text = problem(ContainerKind::Reels, true, &too_long).unwrap();
        assert!(
            text.contains("the video lasts 1024.0 s; Reels must last 3 to 900 s"),
            "{text}"
        );
        assert!(problem(ContainerKind::Reels, true, &info("jpeg", 10, 10, None)).is_some());
    }
}
