//! Facebook's rules for a post with a video: a Page video (Format Post) or a Reel (Format Reel).
//! The values are [`FacebookRules`]'; a property that is unknown is left to Meta.

use super::rules::{check_link, violation, FacebookRules};
use crate::platforms::meta_graph::wording::{allowed, duration, formats, is_web_url, label, megabytes, number, ratio};
use crate::platforms::{MediaKind, MediaRef, PostContent, PostFormat, RuleViolation};

impl FacebookRules {
    /// A post holding `videos` (at least one) videos.
    pub(super) fn check_video_post(&self, post: &PostContent, videos: usize) -> Result<(), RuleViolation> {
        let photos = post.media.len() - videos;
        if photos > 0 {
            return Err(violation(
                "facebook.video_with_photos",
                format!(
                    "Facebook posts take either photos or one video; this post has {videos} video{} and {photos} \
                     photo{}",
                    if videos == 1 { "" } else { "s" },
                    if photos == 1 { "" } else { "s" }
                ),
            ));
        }
        if videos > 1 {
            return Err(violation(
                "facebook.videos",
                format!("Facebook posts take one video; this post has {videos}"),
            ));
        }
        if let Some(link) = &post.link {
            check_link(link, videos, "video")?;
        }
        let video = &post.media[0];
        if !is_web_url(&video.url) {
            return Err(violation(
                "facebook.video_url",
                format!(
                    "Facebook downloads videos from an http(s) URL; video 1 has \"{}\"",
                    video.url
                ),
            ));
        }
        match post.format {
            PostFormat::Reel => self.check_reel(video),
            PostFormat::Post | PostFormat::Story => self.check_page_video(video),
        }
    }

    /// A Page video sent by URL (`POST /{page-id}/videos {file_url}`).
    fn check_page_video(&self, video: &MediaRef) -> Result<(), RuleViolation> {
        let info = &video.info;
        let name = label(1, video);
        if let Some(format) = info.format.as_deref() {
            if !allowed(format, &self.video_formats) {
                return Err(violation(
                    "facebook.video_format",
                    format!(
                        "Facebook takes videos as {}; {name} is {}",
                        formats(&self.video_formats),
                        format.to_ascii_uppercase()
                    ),
                ));
            }
        }
        if let Some(bytes) = info.bytes.filter(|b| *b > self.max_video_bytes) {
            return Err(violation(
                "facebook.video_size",
                format!(
                    "Facebook takes videos sent by URL up to {}; {name} is {}",
                    megabytes(self.max_video_bytes),
                    megabytes(bytes)
                ),
            ));
        }
        if let Some(secs) = info.duration_secs.filter(|s| *s > self.max_video_secs) {
            return Err(violation(
                "facebook.video_duration",
                format!(
                    "Facebook takes videos sent by URL up to {}; {name} lasts {}",
                    duration(self.max_video_secs),
                    duration(secs)
                ),
            ));
        }
        if let Some(aspect) = info.aspect_ratio() {
            if aspect < self.min_video_aspect - 1e-9 || aspect > self.max_video_aspect + 1e-9 {
                return Err(violation(
                    "facebook.video_aspect",
                    format!(
                        "Facebook takes videos from {} to {} (width/height); {name} is {} ({})",
                        ratio(self.min_video_aspect),
                        ratio(self.max_video_aspect),
                        ratio(aspect),
                        pixels(video)
                    ),
                ));
            }
        }
        Ok(())
    }

    /// A Reel (`/{page-id}/video_reels`).
    fn check_reel(&self, video: &MediaRef) -> Result<(), RuleViolation> {
        let info = &video.info;
        let name = label(1, video);
        if let Some(format) = info.format.as_deref() {
            if !allowed(format, &self.reel_formats) {
                return Err(violation(
                    "facebook.reel_format",
                    format!(
                        "Facebook takes Reels as {}; {name} is {}",
                        formats(&self.reel_formats),
                        format.to_ascii_uppercase()
                    ),
                ));
            }
        }
        if let Some(codec) = info.video_codec.as_deref() {
            if !allowed(codec, &self.reel_video_codecs) {
                return Err(violation(
                    "facebook.reel_codec",
                    format!(
                        "Facebook takes Reels encoded as {}; {name} is {}",
                        formats(&self.reel_video_codecs),
                        codec.to_ascii_uppercase()
                    ),
                ));
            }
        }
        if let Some(secs) = info.duration_secs {
            if secs < self.min_reel_secs || secs > self.max_reel_secs {
                return Err(violation(
                    "facebook.reel_duration",
                    format!(
                        "Facebook allows Reels from {} to {}; {name} lasts {}",
                        duration(self.min_reel_secs),
                        duration(self.max_reel_secs),
                        duration(secs)
                    ),
                ));
            }
        }
        if let Some(aspect) = info.aspect_ratio() {
            if aspect < self.min_reel_aspect || aspect > self.max_reel_aspect {
                return Err(violation(
                    "facebook.reel_aspect",
                    format!(
                        "Facebook Reels must be vertical 9:16 (width/height {} to {}); {name} is {} ({})",
                        ratio(self.min_reel_aspect),
                        ratio(self.max_reel_aspect),
                        ratio(aspect),
                        pixels(video)
                    ),
                ));
            }
        }
        if let (Some(w), Some(h)) = (info.width, info.height) {
            if w < self.min_reel_width || h < self.min_reel_height {
                return Err(violation(
                    "facebook.reel_resolution",
                    format!(
                        "Facebook Reels need at least {}x{} pixels; {name} is {w}x{h}",
                        self.min_reel_width, self.min_reel_height
                    ),
                ));
            }
        }
        if let Some(fps) = info.frame_rate {
            if fps < self.min_reel_frame_rate || fps > self.max_reel_frame_rate {
                return Err(violation(
                    "facebook.reel_frame_rate",
                    format!(
                        "Facebook allows Reels from {} to {} frames per second; {name} has {}",
                        number(self.min_reel_frame_rate, 2),
                        number(self.max_reel_frame_rate, 2),
                        number(fps, 2)
                    ),
                ));
            }
        }
        Ok(())
    }
}

/// "1920x1080", or "size unknown".
fn pixels(media: &MediaRef) -> String {
    match (media.info.width, media.info.height) {
        (Some(w), Some(h)) => format!("{w}x{h}"),
        _ => "size unknown".into(),
    }
}

/// Whether a post is a video (then published through `/videos` or `/video_reels`).
pub(super) fn is_video(post: &PostContent) -> bool {
    post.media.iter().any(|m| m.kind == MediaKind::Video)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::media::MediaInfo;

    fn video_post(format: PostFormat, info: MediaInfo) -> PostContent {
        PostContent {
            record_id: "rec1".into(),
            text: "Watch".into(),
            link: None,
            media: vec![MediaRef {
                url: "https://cdn.example/clip.mp4".into(),
                kind: MediaKind::Video,
                info,
            }],
            format,
        }
    }

    fn vertical(secs: f64) -> MediaInfo {
        MediaInfo {
            width: Some(1080),
            height: Some(1920),
            duration_secs: Some(secs),
            format: Some("mp4".into()),
            video_codec: Some("h264".into()),
            frame_rate: Some(30.0),
            bytes: Some(20 * 1024 * 1024),
        }
    }

    fn check(p: &PostContent) -> Result<(), (&'static str, String)> {
        FacebookRules::default().check(p).map_err(|v| (v.rule, v.message))
    }

    #[test]
    fn a_vertical_half_minute_video_passes_as_post_and_as_reel() {
        assert!(check(&video_post(PostFormat::Post, vertical(30.0))).is_ok());
        assert!(check(&video_post(PostFormat::Reel, vertical(30.0))).is_ok());
        assert!(
            check(&video_post(PostFormat::Reel, MediaInfo::default())).is_ok(),
            "unknown is left to Meta"
        );
    }

    #[test]
    fn a_reel_longer_than_ninety_seconds_is_refused_with_its_length() {
        assert_eq!(
            check(&video_post(PostFormat::Reel, vertical(125.0))),
            Err((
                "facebook.reel_duration",
                "Facebook allows Reels from 3 s to 90 s; video 1 (clip.mp4) lasts 2 min 5 s".into()
            ))
        );
        assert!(
            check(&video_post(PostFormat::Post, vertical(125.0))).is_ok(),
            "a Page video may"
        );
    }

    #[test]
    fn a_landscape_or_small_reel_is_refused() {
        let wide = MediaInfo {
            width: Some(1920),
            height: Some(1080),
            ..vertical(10.0)
        };
        let (rule, message) = check(&video_post(PostFormat::Reel, wide)).unwrap_err();
        assert_eq!(rule, "facebook.reel_aspect");
        assert!(message.ends_with("video 1 (clip.mp4) is 1.78 (1920x1080)"), "{message}");
        let small = MediaInfo {
            width: Some(360),
            height: Some(640),
            ..vertical(10.0)
        };
        assert_eq!(
            check(&video_post(PostFormat::Reel, small)).unwrap_err().1,
            "Facebook Reels need at least 540x960 pixels; video 1 (clip.mp4) is 360x640"
        );
    }

    #[test]
    fn page_videos_have_their_own_limits() {
        let long = vertical(21.0 * 60.0);
        assert_eq!(
            check(&video_post(PostFormat::Post, long)).unwrap_err().1,
            "Facebook takes videos sent by URL up to 20 min; video 1 (clip.mp4) lasts 21 min"
        );
        let webm = MediaInfo {
            format: Some("webm".into()),
            ..vertical(10.0)
        };
        assert_eq!(
            check(&video_post(PostFormat::Post, webm)).unwrap_err().0,
            "facebook.video_format"
        );
        let panorama = MediaInfo {
            width: Some(3000),
            height: Some(1000),
            ..vertical(10.0)
        };
        assert_eq!(
            check(&video_post(PostFormat::Post, panorama)).unwrap_err().0,
            "facebook.video_aspect"
        );
    }

    #[test]
    fn a_video_with_photos_or_two_videos_is_refused() {
        let mut p = video_post(PostFormat::Post, vertical(10.0));
        p.media
            .push(MediaRef::new("https://cdn.example/a.jpg", MediaKind::Image));
        assert_eq!(
            check(&p).unwrap_err().1,
            "Facebook posts take either photos or one video; this post has 1 video and 1 photo"
        );
        p.media[1].kind = MediaKind::Video;
        assert_eq!(check(&p).unwrap_err().0, "facebook.videos");
    }
}
