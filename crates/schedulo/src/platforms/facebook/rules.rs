//! What a Facebook Page post may hold, checked before any call: a text post, a link post, 1 to
//! 10 photos with an optional message, one video (a Page video), or one video as a Reel. Stories
//! are refused. The video and Reel checks are in `video_rules`.
//!
//! Sources for the defaults: `shared/reference/platforms.md` ("up to 10 photos a post");
//! developers.facebook.com/docs/graph-api/photo-uploads ("We recommend uploading photos under
//! 4MB"; Postiz reports Meta's refusal, subcode 1366046, as "Photos should be smaller than 4 MB");
//! 63,206 characters is the message length Postiz (`facebook.provider.ts`, `maxLength()`) and
//! other schedulers enforce for a Page post. Videos: developers.facebook.com/docs/graph-api/
//! video-uploads ("Non-Resumable upload supports video uploads that are up to 1GB and 20 minutes
//! long"; "The aspect ratio of the video must be between 9x16 and 16x9"; its list of formats).
//! Reels: developers.facebook.com/docs/video-api/guides/reels-publishing ("Aspect Ratio 9 x 16";
//! "1080 x 1920 pixels (recommended). Minimum is 540 x 960 pixels"; "24 to 60 frames per
//! second"; "3 to 90 seconds"; "Compression - H.264, H.265 (VP9, AV1 are also supported)").

use crate::platforms::meta_graph::wording::{is_web_url, megabytes};
use crate::platforms::{MediaKind, PostContent, PostFormat, RuleViolation};
use serde::{Deserialize, Serialize};

/// The rules, configurable because Meta changes them (`[facebook]` in the rules file); `Default`
/// holds the documented values.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct FacebookRules {
    /// Photos attached to one post (`shared/reference/platforms.md`: 10).
    pub max_photos: usize,
    /// Characters (Unicode scalar values) of the message (63,206, as Postiz enforces).
    pub max_message_chars: usize,
    /// Bytes of one photo, checked only when the size is known (Meta: "under 4MB").
    pub max_photo_bytes: u64,
    /// Bytes of a Page video sent by URL (graph-api/video-uploads: non-resumable, 1 GB).
    pub max_video_bytes: u64,
    /// Length of a Page video sent by URL (graph-api/video-uploads: 20 minutes).
    pub max_video_secs: f64,
    /// Narrowest Page video, width/height (graph-api/video-uploads: 9x16).
    pub min_video_aspect: f64,
    /// Widest Page video, width/height (graph-api/video-uploads: 16x9).
    pub max_video_aspect: f64,
    /// Container formats of a Page video (graph-api/video-uploads' list, as `MediaInfo` names them).
    pub video_formats: Vec<String>,
    /// Shortest Reel (reels-publishing: 3 seconds).
    pub min_reel_secs: f64,
    /// Longest Reel (reels-publishing: 90 seconds).
    pub max_reel_secs: f64,
    /// Narrowest Reel: 9:16 (0.5625) with 1 % allowed for rounding (reels-publishing: 9 x 16).
    pub min_reel_aspect: f64,
    /// Widest Reel: 9:16 with 1 % allowed for rounding.
    pub max_reel_aspect: f64,
    /// Narrowest Reel in pixels (reels-publishing: minimum 540 x 960).
    pub min_reel_width: u32,
    /// Shortest Reel in pixels (reels-publishing: minimum 540 x 960).
    pub min_reel_height: u32,
    /// Lowest Reel frame rate (reels-publishing: 24 fps; the older page said 23, which is kept so
    /// that 23.976 fps footage is left to Meta).
    pub min_reel_frame_rate: f64,
    /// Highest Reel frame rate (reels-publishing: 60 fps).
    pub max_reel_frame_rate: f64,
    /// Container formats of a Reel (reels-publishing recommends .mp4; MOV is the same family).
    pub reel_formats: Vec<String>,
    /// Video codecs of a Reel (reels-publishing: H.264, H.265, VP9, AV1).
    pub reel_video_codecs: Vec<String>,
}

impl Default for FacebookRules {
    fn default() -> Self {
        let strings = |list: &[&str]| list.iter().map(|s| s.to_string()).collect();
        FacebookRules {
            max_photos: 10,
            max_message_chars: 63_206,
            max_photo_bytes: 4 * 1024 * 1024,
            max_video_bytes: 1024 * 1024 * 1024,
            max_video_secs: 20.0 * 60.0,
            min_video_aspect: 9.0 / 16.0,
            max_video_aspect: 16.0 / 9.0,
            video_formats: strings(&[
                "mp4", "mov", "m4v", "3gp", "3g2", "avi", "mkv", "mpeg", "mpg", "wmv", "flv", "ts", "mts", "m2ts",
                "ogv",
            ]),
            min_reel_secs: 3.0,
            max_reel_secs: 90.0,
            min_reel_aspect: 0.5569,
            max_reel_aspect: 0.5681,
            min_reel_width: 540,
            min_reel_height: 960,
            min_reel_frame_rate: 23.0,
            max_reel_frame_rate: 60.0,
            reel_formats: strings(&["mp4", "mov"]),
            reel_video_codecs: strings(&["h264", "hevc", "vp9", "av1"]),
        }
    }
}

impl FacebookRules {
    /// Checks a post; the first rule it breaks is returned, naming the rule and the value.
    pub fn check(&self, post: &PostContent) -> Result<(), RuleViolation> {
        if post.format == PostFormat::Story {
            return Err(violation(
                "facebook.story",
                "This worker does not publish Facebook Page Stories: set Format to Post or Reel".into(),
            ));
        }
        let chars = post.text.chars().count();
        if chars > self.max_message_chars {
            return Err(violation(
                "facebook.message_length",
                format!(
                    "Facebook allows {} characters in a post; this post has {chars}",
                    self.max_message_chars
                ),
            ));
        }
        let videos = post.media.iter().filter(|m| m.kind == MediaKind::Video).count();
        if videos > 0 {
            return self.check_video_post(post, videos);
        }
        let photos = post.media.len();
        if post.format == PostFormat::Reel {
            return Err(violation(
                "facebook.reel_video",
                format!(
                    "Facebook Reels need one video; this post has {}",
                    match photos {
                        0 => "none".to_string(),
                        1 => "a photo".to_string(),
                        n => format!("{n} photos"),
                    }
                ),
            ));
        }
        if photos > self.max_photos {
            return Err(violation(
                "facebook.photos",
                format!(
                    "Facebook allows {} photos a post; this post has {photos}",
                    self.max_photos
                ),
            ));
        }
        if let Some(link) = &post.link {
            check_link(link, photos, "photo")?;
        }
        for (i, photo) in post.media.iter().enumerate() {
            self.check_photo(i + 1, &photo.url, photo.info.bytes)?;
        }
        if post.text.trim().is_empty() && post.link.is_none() && post.media.is_empty() {
            return Err(violation(
                "facebook.empty",
                "Facebook needs a message, a link or a photo; this post has none".into(),
            ));
        }
        Ok(())
    }

    fn check_photo(&self, n: usize, url: &str, bytes: Option<u64>) -> Result<(), RuleViolation> {
        if !is_web_url(url) {
            return Err(violation(
                "facebook.photo_url",
                format!("Facebook downloads photos from an http(s) URL; photo {n} has \"{url}\""),
            ));
        }
        match bytes {
            Some(b) if b > self.max_photo_bytes => Err(violation(
                "facebook.photo_size",
                format!(
                    "Facebook takes photos up to {}; photo {n} is {}",
                    megabytes(self.max_photo_bytes),
                    megabytes(b)
                ),
            )),
            _ => Ok(()),
        }
    }
}

/// A link post: an http(s) link, and no media beside it (`what`: "photo", "video").
pub(super) fn check_link(link: &str, media: usize, what: &str) -> Result<(), RuleViolation> {
    if !is_web_url(link) {
        return Err(violation(
            "facebook.link",
            format!("Facebook shares http(s) links; this post's link is \"{link}\""),
        ));
    }
    if media > 0 {
        return Err(violation(
            if what == "photo" {
                "facebook.link_with_photos"
            } else {
                "facebook.link_with_video"
            },
            format!(
                "Facebook shows either a link preview or {what}s; this post has a link and {media} {what}{} \
                 (put the link in the text instead)",
                if media == 1 { "" } else { "s" }
            ),
        ));
    }
    Ok(())
}

pub(super) fn violation(rule: &'static str, message: String) -> RuleViolation {
    RuleViolation { rule, message }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::platforms::MediaRef;

    fn post(text: &str, photos: usize) -> PostContent {
        PostContent {
            format: Default::default(),
            record_id: "rec1".into(),
            text: text.into(),
            link: None,
            media: (0..photos)
                .map(|i| photo(&format!("https://cdn.example/{i}.jpg")))
                .collect(),
        }
    }

    fn photo(url: &str) -> MediaRef {
        MediaRef {
            url: url.into(),
            kind: MediaKind::Image,
            info: Default::default(),
        }
    }

    fn rule_of(p: &PostContent) -> Result<(), (&'static str, String)> {
        FacebookRules::default().check(p).map_err(|v| (v.rule, v.message))
    }

    #[test]
    fn text_link_and_up_to_ten_photos_pass() {
        assert!(rule_of(&post("Hello", 0)).is_ok());
        assert!(rule_of(&post("", 10)).is_ok());
        let mut link = post("", 0);
        link.link = Some("https://example.com/a".into());
        assert!(rule_of(&link).is_ok());
    }

    #[test]
    fn twelve_photos_are_refused_with_the_count() {
        assert_eq!(
            rule_of(&post("x", 12)),
            Err((
                "facebook.photos",
                "Facebook allows 10 photos a post; this post has 12".to_string()
            ))
        );
    }

    #[test]
    fn stories_and_reels_without_a_video_are_refused() {
        let mut p = post("x", 1);
        p.format = PostFormat::Story;
        assert_eq!(rule_of(&p).unwrap_err().0, "facebook.story");
        p.format = PostFormat::Reel;
        assert_eq!(
            rule_of(&p).unwrap_err().1,
            "Facebook Reels need one video; this post has a photo"
        );
    }

    #[test]
    fn the_rules_read_from_toml_with_defaults_and_refuse_unknown_fields() {
        let rules: FacebookRules = toml::from_str("max_photos = 4\nmax_reel_secs = 60.0").unwrap();
        assert_eq!(
            rules,
            FacebookRules {
                max_photos: 4,
                max_reel_secs: 60.0,
                ..FacebookRules::default()
            }
        );
        assert!(toml::from_str::<FacebookRules>("max_fotos = 4").is_err());
    }

    #[test]
    fn an_empty_post_is_refused() {
        assert_eq!(rule_of(&post("  \n", 0)).unwrap_err().0, "facebook.empty");
    }

    #[test]
    fn a_long_message_names_both_lengths() {
        let rules = FacebookRules {
            max_message_chars: 5,
            ..FacebookRules::default()
        };
        let v = rules.check(&post("héllo!", 0)).unwrap_err();
        assert_eq!(v.message, "Facebook allows 5 characters in a post; this post has 6");
    }

    #[test]
    fn bad_urls_links_with_photos_and_big_photos_are_refused() {
        let mut p = post("x", 1);
        p.media[0].url = "file:///etc/passwd".into();
        assert_eq!(rule_of(&p).unwrap_err().0, "facebook.photo_url");
        let mut p = post("x", 2);
        p.link = Some("https://example.com".into());
        let (rule, message) = rule_of(&p).unwrap_err();
        assert_eq!(rule, "facebook.link_with_photos");
        assert!(message.contains("a link and 2 photos"), "{message}");
        let mut p = post("x", 0);
        p.link = Some("javascript:alert(1)".into());
        assert_eq!(rule_of(&p).unwrap_err().0, "facebook.link");
        let mut p = post("x", 1);
        p.media[0].info.bytes = Some(5 * 1024 * 1024);
        assert_eq!(
            rule_of(&p).unwrap_err().1,
            "Facebook takes photos up to 4.0 MB; photo 1 is 5.0 MB"
        );
    }

    #[test]
    fn gifs_count_as_photos() {
        let mut p = post("x", 11);
        p.media[3].kind = MediaKind::Gif;
        assert_eq!(rule_of(&p).unwrap_err().0, "facebook.photos");
    }
}
