//! X's rules, checked before any call. The numbers are [`XRules`], whose defaults are X's
//! documented values (docs.x.com: `fundamentals/counting-characters`,
//! `x-api/media/quickstart/best-practices`, `shared/reference/platforms.md`).
//!
//! # Layout (one way: `post` uses `media`; both use this module's numbers and helpers)
//! - [`post`]: a whole post ([`check`]): format, text length, the mix of media, image sizes.
//! - [`media`]: one video or animated GIF, from what [`crate::media::MediaInfo`] knows before the
//!   call and again from the downloaded file.

pub mod media;
mod post;

pub use post::{check, post_text};

use super::text::{weighted_length, TextWeights};
use crate::platforms::RuleViolation;
use serde::{Deserialize, Serialize};

/// X's limits for one post: plain data, loaded from the `[x]` section of the rules file (a field
/// left out keeps its default).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct XRules {
    /// The most weighted characters a post may have (280; more for paid accounts, which we do not
    /// use). Source: docs.x.com `fundamentals/counting-characters`.
    pub max_weighted_chars: usize,
    /// What one URL counts: every link is wrapped by t.co (23). Source: twitter-text `config/v3.json`.
    pub url_weight: usize,
    /// What an emoji, a CJK character or any code point outside the light ranges counts (2).
    /// Source: twitter-text `config/v3.json`.
    pub heavy_char_weight: usize,
    /// Images per post (4); a GIF or a video must be alone. Source: best-practices ("up to 4
    /// photos, 1 animated GIF or 1 video in a Post").
    pub max_images: usize,
    /// Bytes per image (5 MB, 5,242,880 bytes). Source: best-practices.
    pub max_image_bytes: u64,
    /// Bytes per animated GIF (15 MB). Source: best-practices, "Animated GIF size: <= 15 MB".
    pub max_gif_bytes: u64,
    /// Bytes per video (512 MB). Source: `shared/reference/platforms.md`; X's current pages
    /// (best-practices, initialize-media-upload) allow 8 GB for a default account's Post video.
    pub max_video_bytes: u64,
    /// Shortest video (0.5 s). Source: best-practices, "must be at least 0.5 seconds".
    pub min_video_secs: f64,
    /// Longest video (140 s). Source: `shared/reference/platforms.md`; X's current pages allow
    /// 20 minutes for a default account's Post video (140 s is now their DM video limit).
    pub max_video_secs: f64,
    /// Narrowest video, width / height (1:3). Source: best-practices, "between 1:3 and 3:1".
    pub min_aspect: f64,
    /// Widest video, width / height (3:1). Source: best-practices.
    pub max_aspect: f64,
    /// Highest video frame rate (60 fps). Source: best-practices, "must be 60 FPS or less".
    pub max_video_fps: f64,
    /// Smallest video width and height (32 px). Source: best-practices, "between 32x32 and
    /// 1280x1024" (the upper bound is not checked: X also says subscribers' 1080p video plays in 1080p).
    pub min_video_width: u32,
    pub min_video_height: u32,
    /// Video containers X takes, as [`crate::media::MediaInfo::format`] names them (`mp4`, `mov`).
    /// Source: X's v1.1 media guide (MP4, MOV); empty: any.
    pub video_formats: Vec<String>,
    /// Video codecs X takes (`h264`, `hevc`...); empty: any (the default: X documents H.264 High
    /// Profile as a recommendation only).
    pub video_codecs: Vec<String>,
}

impl Default for XRules {
    fn default() -> Self {
        XRules {
            max_weighted_chars: 280,
            url_weight: 23,
            heavy_char_weight: 2,
            max_images: 4,
            max_image_bytes: 5 * 1024 * 1024,
            max_gif_bytes: 15 * 1024 * 1024,
            max_video_bytes: 512 * 1024 * 1024,
            min_video_secs: 0.5,
            max_video_secs: 140.0,
            min_aspect: 1.0 / 3.0,
            max_aspect: 3.0,
            max_video_fps: 60.0,
            min_video_width: 32,
            min_video_height: 32,
            video_formats: vec!["mp4".into(), "mov".into()],
            video_codecs: Vec::new(),
        }
    }
}

impl XRules {
    pub fn weights(&self) -> TextWeights {
        TextWeights {
            url_weight: self.url_weight,
            heavy_weight: self.heavy_char_weight,
        }
    }

    /// X's weighted length of `text` under these rules.
    pub fn text_length(&self, text: &str) -> usize {
        weighted_length(text, &self.weights())
    }

    /// Checks a post against these rules ([`check`]), in the shape every platform's rules share.
    pub fn check(&self, post: &crate::platforms::PostContent) -> Result<(), RuleViolation> {
        check(post, self)
    }
}

pub(crate) fn violation(rule: &'static str, message: String) -> RuleViolation {
    RuleViolation { rule, message }
}

/// `5 MB`, `6.3 MB`.
pub fn megabytes(bytes: u64) -> String {
    let mb = bytes as f64 / (1024.0 * 1024.0);
    if (mb - mb.round()).abs() < 0.05 {
        format!("{mb:.0} MB")
    } else {
        format!("{mb:.1} MB")
    }
}

/// The file a media URL names, for messages: its last path segment, else the URL itself.
pub fn file_name(url: &str) -> String {
    let name = url::Url::parse(url).ok().and_then(|u| {
        let last = u.path_segments()?.rev().find(|s| !s.is_empty())?.to_string();
        Some(percent_decoded(&last))
    });
    name.unwrap_or_else(|| url.chars().take(200).collect())
}

/// Decodes `%XX` escapes (broken ones are kept as they are).
fn percent_decoded(s: &str) -> String {
    let bytes = s.as_bytes();
    let hex = |i: usize| bytes.get(i).and_then(|b| (*b as char).to_digit(16));
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        match (bytes[i], hex(i + 1), hex(i + 2)) {
            (b'%', Some(h), Some(l)) => {
                out.push((h * 16 + l) as u8);
                i += 3;
            }
            (b, _, _) => {
                out.push(b);
                i += 1;
            }
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_rules_read_from_toml_with_defaults_for_what_is_left_out() {
        let rules: XRules = toml::from_str("max_video_secs = 1200.0\nvideo_codecs = [\"h264\"]").unwrap();
        assert_eq!(rules.max_video_secs, 1200.0);
        assert_eq!(rules.video_codecs, ["h264"]);
        assert_eq!(rules.max_images, 4);
        assert!(toml::from_str::<XRules>("max_video_minutes = 3").is_err());
    }

    #[test]
    fn file_names_come_from_the_last_path_segment() {
        assert_eq!(file_name("https://h.example/a/My%20Photo.jpg?x=1"), "My Photo.jpg");
        assert_eq!(file_name("https://h.example/a/dir/"), "dir");
        assert_eq!(file_name("not a url"), "not a url");
    }
}
