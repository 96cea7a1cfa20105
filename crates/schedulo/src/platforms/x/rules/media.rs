//! X's rules for one video or animated GIF ([`check`]), from what is known of the file: before any
//! call from [`MediaInfo`] as the post carries it (a property that is unknown is not checked), and
//! again from the downloaded file itself, before it is uploaded. The numbers are [`XRules`].

use super::{megabytes, violation, XRules};
use crate::media::MediaInfo;
use crate::platforms::{MediaKind, RuleViolation};

/// Checks file `n` of a post (`name`, for messages) of `kind`; images are checked elsewhere.
pub fn check(kind: MediaKind, n: usize, name: &str, info: &MediaInfo, rules: &XRules) -> Result<(), RuleViolation> {
    match kind {
        MediaKind::Image => Ok(()),
        MediaKind::Gif => gif(n, name, info, rules),
        MediaKind::Video => video(n, name, info, rules),
    }
}

fn gif(n: usize, name: &str, info: &MediaInfo, rules: &XRules) -> Result<(), RuleViolation> {
    let which = format!("GIF {n} ({name})");
    if let Some(format) = info.format.as_deref().filter(|f| *f != "gif") {
        let hint = if matches!(format, "mp4" | "mov" | "webm") {
            ": set its media type to Video"
        } else {
            ""
        };
        return Err(violation(
            "x.gif_format",
            format!(
                "X takes animated GIFs as GIF files; {which} is {}{hint}",
                format.to_uppercase()
            ),
        ));
    }
    if let Some(bytes) = info.bytes.filter(|b| *b > rules.max_gif_bytes) {
        return Err(violation(
            "x.gif_bytes",
            format!(
                "X allows GIFs up to {}; {which} has {}",
                megabytes(rules.max_gif_bytes),
                megabytes(bytes)
            ),
        ));
    }
    Ok(())
}

fn video(n: usize, name: &str, info: &MediaInfo, rules: &XRules) -> Result<(), RuleViolation> {
    let which = format!("video {n} ({name})");
    if let Some(format) = info.format.as_deref() {
        if !rules.video_formats.is_empty() && !rules.video_formats.iter().any(|f| f.eq_ignore_ascii_case(format)) {
            return Err(violation(
                "x.video_format",
                format!(
                    "X takes videos as {}; {which} is {}",
                    listed(&rules.video_formats),
                    format.to_uppercase()
                ),
            ));
        }
    }
    if let Some(bytes) = info.bytes.filter(|b| *b > rules.max_video_bytes) {
        return Err(violation(
            "x.video_bytes",
            format!(
                "X allows videos up to {}; {which} has {}",
                megabytes(rules.max_video_bytes),
                megabytes(bytes)
            ),
        ));
    }
    if let Some(secs) = info
        .duration_secs
        .filter(|s| *s < rules.min_video_secs || *s > rules.max_video_secs)
    {
        return Err(violation(
            "x.video_duration",
            format!(
                "X allows videos from {} to {}; {which} lasts {}",
                show_secs(rules.min_video_secs),
                show_secs(rules.max_video_secs),
                show_secs(secs)
            ),
        ));
    }
    if let (Some(w), Some(h)) = (info.width, info.height) {
        if w < rules.min_video_width || h < rules.min_video_height {
            return Err(violation(
                "x.video_size",
                format!(
                    "X needs videos of at least {}x{} pixels; {which} is {w}x{h}",
                    rules.min_video_width, rules.min_video_height
                ),
            ));
        }
    }
    if let Some(ratio) = info
        .aspect_ratio()
        .filter(|r| *r < rules.min_aspect - 1e-9 || *r > rules.max_aspect + 1e-9)
    {
        return Err(violation(
            "x.video_aspect",
            format!(
                "X allows videos from {} to {} (width:height); {which} is {}x{} ({})",
                show_ratio(rules.min_aspect),
                show_ratio(rules.max_aspect),
                info.width.unwrap_or(0),
                info.height.unwrap_or(0),
                show_ratio(ratio)
            ),
        ));
    }
    if let Some(fps) = info.frame_rate.filter(|f| *f > rules.max_video_fps + 0.01) {
        return Err(violation(
            "x.video_frame_rate",
            format!(
                "X allows videos up to {} fps; {which} has {} fps",
                trimmed(rules.max_video_fps, 2),
                trimmed(fps, 2)
            ),
        ));
    }
    if let Some(codec) = info.video_codec.as_deref() {
        if !rules.video_codecs.is_empty() && !rules.video_codecs.iter().any(|c| c.eq_ignore_ascii_case(codec)) {
            return Err(violation(
                "x.video_codec",
                format!(
                    "X takes videos coded as {}; {which} is {}",
                    listed(&rules.video_codecs),
                    codec.to_uppercase()
                ),
            ));
        }
    }
    Ok(())
}

/// `MP4 or MOV`, `H264, HEVC or AV1`.
fn listed(names: &[String]) -> String {
    let upper: Vec<String> = names.iter().map(|n| n.to_uppercase()).collect();
    match upper.split_last() {
        Some((last, [])) => last.clone(),
        Some((last, rest)) => format!("{} or {last}", rest.join(", ")),
        None => String::new(),
    }
}

/// `0.5 s`, `45 s`, `2 min 20 s`, `17 min`, `1 h 5 min 3 s`.
pub fn show_secs(secs: f64) -> String {
    if !secs.is_finite() || secs < 0.0 {
        return format!("{secs} s");
    }
    if secs < 60.0 {
        return format!("{} s", trimmed(secs, 1));
    }
    let total = secs.round() as u64;
    let (h, m, s) = (total / 3600, total / 60 % 60, total % 60);
    let mut parts = Vec::new();
    if h > 0 {
        parts.push(format!("{h} h"));
    }
    if m > 0 {
        parts.push(format!("{m} min"));
    }
    if s > 0 {
        parts.push(format!("{s} s"));
    }
    parts.join(" ")
}

/// A width/height ratio as `3:1`, `1:3`, `16:9`-like decimals (`1.78:1`).
pub fn show_ratio(ratio: f64) -> String {
    if ratio >= 1.0 {
        format!("{}:1", trimmed(ratio, 2))
    } else {
        format!("1:{}", trimmed(1.0 / ratio, 2))
    }
}

/// `value` with at most `decimals` decimals, without trailing zeros.
fn trimmed(value: f64, decimals: usize) -> String {
    let s = format!("{value:.decimals$}");
    if s.contains('.') {
        s.trim_end_matches('0').trim_end_matches('.').to_string()
    } else {
        s
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn video_info(w: u32, h: u32, secs: f64) -> MediaInfo {
        MediaInfo {
            bytes: Some(3_000_000),
            width: Some(w),
            height: Some(h),
            duration_secs: Some(secs),
            format: Some("mp4".into()),
            video_codec: Some("h264".into()),
            frame_rate: Some(30.0),
        }
    }

    fn refusal(kind: MediaKind, info: &MediaInfo) -> (&'static str, String) {
        let e = check(kind, 1, "clip.mp4", info, &XRules::default()).unwrap_err();
        (e.rule, e.message)
    }

    #[test]
    fn a_video_within_the_rules_passes_and_unknown_properties_are_not_checked() {
        let rules = XRules::default();
        assert!(check(MediaKind::Video, 1, "a.mp4", &video_info(1280, 720, 30.0), &rules).is_ok());
        assert!(check(MediaKind::Video, 1, "a.mp4", &MediaInfo::default(), &rules).is_ok());
        assert!(check(MediaKind::Gif, 1, "a.gif", &MediaInfo::default(), &rules).is_ok());
    }

    #[test]
    fn each_broken_video_rule_is_named_with_its_value() {
        assert_eq!(
            refusal(MediaKind::Video, &video_info(1280, 720, 150.0)),
            (
                "x.video_duration",
                "X allows videos from 0.5 s to 2 min 20 s; video 1 (clip.mp4) lasts 2 min 30 s".into()
            )
        );
        assert_eq!(
            refusal(MediaKind::Video, &video_info(1280, 720, 0.3)).1,
            "X allows videos from 0.5 s to 2 min 20 s; video 1 (clip.mp4) lasts 0.3 s"
        );
        assert_eq!(
            refusal(MediaKind::Video, &video_info(1920, 400, 10.0)),
            (
                "x.video_aspect",
                "X allows videos from 1:3 to 3:1 (width:height); video 1 (clip.mp4) is 1920x400 (4.8:1)".into()
            )
        );
        let mut big = video_info(1280, 720, 10.0);
        big.bytes = Some(600 * 1024 * 1024);
        assert_eq!(
            refusal(MediaKind::Video, &big).1,
            "X allows videos up to 512 MB; video 1 (clip.mp4) has 600 MB"
        );
        let mut webm = video_info(1280, 720, 10.0);
        webm.format = Some("webm".into());
        assert_eq!(
            refusal(MediaKind::Video, &webm).1,
            "X takes videos as MP4 or MOV; video 1 (clip.mp4) is WEBM"
        );
        let mut fast = video_info(1280, 720, 10.0);
        fast.frame_rate = Some(120.0);
        assert_eq!(
            refusal(MediaKind::Video, &fast).1,
            "X allows videos up to 60 fps; video 1 (clip.mp4) has 120 fps"
        );
        assert_eq!(refusal(MediaKind::Video, &video_info(16, 16, 10.0)).0, "x.video_size");
    }

    #[test]
    fn a_codec_list_is_checked_only_when_configured() {
        let mut hevc = video_info(1280, 720, 10.0);
        hevc.video_codec = Some("hevc".into());
        assert!(check(MediaKind::Video, 1, "a.mov", &hevc, &XRules::default()).is_ok());
        let rules = XRules {
            video_codecs: vec!["h264".into()],
            ..XRules::default()
        };
        let e = check(MediaKind::Video, 1, "a.mov", &hevc, &rules).unwrap_err();
        assert_eq!(e.message, "X takes videos coded as H264; video 1 (a.mov) is HEVC");
    }

    #[test]
    fn gifs_must_be_gif_files_up_to_15_megabytes() {
        let gif = |bytes: u64, format: &str| MediaInfo {
            bytes: Some(bytes),
            format: Some(format.into()),
            ..MediaInfo::default()
        };
        assert!(check(
            MediaKind::Gif,
            1,
            "a.gif",
            &gif(15 * 1024 * 1024, "gif"),
            &XRules::default()
        )
        .is_ok());
        let e = check(MediaKind::Gif, 1, "a.gif", &gif(17_000_000, "gif"), &XRules::default()).unwrap_err();
        assert_eq!(
            (e.rule, e.message.as_str()),
            ("x.gif_bytes", "X allows GIFs up to 15 MB; GIF 1 (a.gif) has 16.2 MB")
        );
        let e = check(MediaKind::Gif, 1, "a.mp4", &gif(1000, "mp4"), &XRules::default()).unwrap_err();
        assert_eq!(
            e.message,
            "X takes animated GIFs as GIF files; GIF 1 (a.mp4) is MP4: set its media type to Video"
        );
    }

    #[test]
    fn durations_and_ratios_read_as_people_write_them() {
        assert_eq!(show_secs(0.5), "0.5 s");
        assert_eq!(show_secs(45.0), "45 s");
        assert_eq!(show_secs(140.0), "2 min 20 s");
        assert_eq!(show_secs(1024.2), "17 min 4 s");
        assert_eq!(show_secs(1200.0), "20 min");
        assert_eq!(show_secs(3903.0), "1 h 5 min 3 s");
        assert_eq!(show_ratio(1.0 / 3.0), "1:3");
        assert_eq!(show_ratio(16.0 / 9.0), "1.78:1");
    }
}
