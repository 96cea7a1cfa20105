//! What an Instagram post may hold, checked before any call from what is known of its media.
//!
//! Sources for the defaults: Meta's IG User Media reference (developers.facebook.com/docs/
//! instagram-platform/instagram-graph-api/reference/ig-user/media: image specifications "JPEG, 8 MB
//! maximum, aspect ratio within a 4:5 to 1.91:1 range"; Reels specifications "MOV or MP4, HEVC or
//! H264, 23-60 FPS, maximum 1920 columns, aspect ratio between 0.01:1 and 10:1, 15 mins maximum, 3
//! seconds minimum, 1GB maximum"; video (carousel items, Stories) specifications "aspect 4:5 to
//! 16:9, 60 seconds maximum, 3 seconds minimum, 100MB maximum"; "Reels cannot appear in
//! carousels" while carousel items may be `media_type=VIDEO`; carousels of 2 to 10 items);
//! the caption reference (2,200 characters); `shared/reference/platforms.md` (5 hashtags a post
//! since December 2025, formerly 30). Story images are not held to the feed's aspect range
//! (Stories are 9:16; Meta fits other images).

use crate::platforms::meta_graph::wording::{allowed, duration, formats, is_web_url, label, megabytes, number, ratio};
use crate::platforms::{MediaKind, MediaRef, PostContent, PostFormat, RuleViolation};
use serde::{Deserialize, Serialize};

/// The rules, configurable because Meta changes them (`[instagram]` in the rules file);
/// `Default` holds the documented values.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct InstagramRules {
    /// Characters of a caption (Meta: 2,200).
    pub max_caption_chars: usize,
    /// Hashtags in a caption (Instagram: 5 since December 2025; it was 30).
    pub max_hashtags: usize,
    /// Fewest items of a carousel (Meta: 2).
    pub min_carousel_items: usize,
    /// Most items of a carousel (Meta: 10).
    pub max_carousel_items: usize,
    /// Whether a carousel may hold videos (Meta: yes, as `media_type=VIDEO` items; not Reels).
    pub carousel_videos: bool,
    /// Image formats (Meta: "JPEG is the only image format supported").
    pub image_formats: Vec<String>,
    /// Bytes of an image (Meta: 8 MB; its error says "less than 8 MiB").
    pub max_image_bytes: u64,
    /// Narrowest feed or carousel image, width/height (Meta: 4:5).
    pub min_image_aspect: f64,
    /// Widest feed or carousel image, width/height (Meta: 1.91:1).
    pub max_image_aspect: f64,
    /// Video containers (Meta: MOV or MP4).
    pub video_formats: Vec<String>,
    /// Video codecs (Meta: HEVC or H264).
    pub video_codecs: Vec<String>,
    /// Lowest video frame rate (Meta: 23 FPS).
    pub min_video_frame_rate: f64,
    /// Highest video frame rate (Meta: 60 FPS).
    pub max_video_frame_rate: f64,
    /// Widest video in pixels (Meta: "Maximum columns (horizontal pixels): 1920").
    pub max_video_width: u32,
    /// Shortest Reel (Meta: 3 seconds).
    pub min_reel_secs: f64,
    /// Longest Reel (Meta: 15 minutes).
    pub max_reel_secs: f64,
    /// Bytes of a Reel (Meta: 1 GB).
    pub max_reel_bytes: u64,
    /// Narrowest Reel, width/height (Meta: 0.01:1; 9:16 recommended).
    pub min_reel_aspect: f64,
    /// Widest Reel, width/height (Meta: 10:1).
    pub max_reel_aspect: f64,
    /// Shortest Story video (Meta: 3 seconds).
    pub min_story_video_secs: f64,
    /// Longest Story video (Meta: 60 seconds).
    pub max_story_video_secs: f64,
    /// Bytes of a Story video (Meta: 100 MB).
    pub max_story_video_bytes: u64,
    /// Shortest carousel video (Meta: 3 seconds).
    pub min_carousel_video_secs: f64,
    /// Longest carousel video (Meta: 60 seconds).
    pub max_carousel_video_secs: f64,
    /// Bytes of a carousel video (Meta: 100 MB).
    pub max_carousel_video_bytes: u64,
    /// Narrowest carousel video, width/height (Meta: 4:5).
    pub min_carousel_video_aspect: f64,
    /// Widest carousel video, width/height (Meta: 16:9).
    pub max_carousel_video_aspect: f64,
}

impl Default for InstagramRules {
    fn default() -> Self {
        let strings = |list: &[&str]| list.iter().map(|s| s.to_string()).collect();
        const MB: u64 = 1024 * 1024;
        InstagramRules {
            max_caption_chars: 2200,
            max_hashtags: 5,
            min_carousel_items: 2,
            max_carousel_items: 10,
            carousel_videos: true,
            image_formats: strings(&["jpeg"]),
            max_image_bytes: 8 * MB,
            min_image_aspect: 0.8,
            max_image_aspect: 1.91,
            video_formats: strings(&["mp4", "mov"]),
            video_codecs: strings(&["h264", "hevc"]),
            min_video_frame_rate: 23.0,
            max_video_frame_rate: 60.0,
            max_video_width: 1920,
            min_reel_secs: 3.0,
            max_reel_secs: 15.0 * 60.0,
            max_reel_bytes: 1024 * MB,
            min_reel_aspect: 0.01,
            max_reel_aspect: 10.0,
            min_story_video_secs: 3.0,
            max_story_video_secs: 60.0,
            max_story_video_bytes: 100 * MB,
            min_carousel_video_secs: 3.0,
            max_carousel_video_secs: 60.0,
            max_carousel_video_bytes: 100 * MB,
            min_carousel_video_aspect: 0.8,
            max_carousel_video_aspect: 16.0 / 9.0,
        }
    }
}

/// Where a video goes, for its limits and its messages.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum VideoUse {
    Reel,
    Story,
    CarouselItem,
}

/// The limits of one use of a video.
struct VideoLimits {
    what: &'static str,
    min_secs: f64,
    max_secs: f64,
    max_bytes: u64,
    aspect: Option<(f64, f64)>,
}

impl InstagramRules {
    /// Checks a post; the first rule it breaks is returned, naming the rule and the value.
    pub fn check(&self, post: &PostContent) -> Result<(), RuleViolation> {
        let items = post.media.len();
        if items == 0 {
            return Err(violation(
                "instagram.media",
                "Instagram needs an image or a video; this post has none".into(),
            ));
        }
        let chars = post.text.chars().count();
        if chars > self.max_caption_chars {
            return Err(violation(
                "instagram.caption_length",
                format!(
                    "Instagram allows {} characters in a caption; this post has {chars}",
                    self.max_caption_chars
                ),
            ));
        }
        let tags = hashtags(&post.text);
        if tags > self.max_hashtags {
            return Err(violation(
                "instagram.hashtags",
                format!(
                    "Instagram allows {} hashtags a post (since December 2025); this post has {tags}",
                    self.max_hashtags
                ),
            ));
        }
        for (i, media) in post.media.iter().enumerate() {
            if media.kind == MediaKind::Gif {
                return Err(violation(
                    "instagram.gif",
                    format!(
                        "Instagram does not take GIFs; {} is one: convert it to an MP4 video or a JPEG",
                        label(i + 1, media)
                    ),
                ));
            }
            if !is_web_url(&media.url) {
                return Err(violation(
                    "instagram.media_url",
                    format!(
                        "Instagram downloads media from a public http(s) URL; {} has \"{}\"",
                        label(i + 1, media),
                        media.url
                    ),
                ));
            }
        }
        match post.format {
            PostFormat::Story => self.check_story(post),
            PostFormat::Reel => self.check_reel_post(post),
            PostFormat::Post if items == 1 => match post.media[0].kind {
                MediaKind::Video => self.check_video(1, &post.media[0], VideoUse::Reel),
                MediaKind::Image | MediaKind::Gif => self.check_image(1, &post.media[0], true),
            },
            PostFormat::Post => self.check_carousel(post),
        }
    }

    fn check_story(&self, post: &PostContent) -> Result<(), RuleViolation> {
        if post.media.len() > 1 {
            return Err(violation(
                "instagram.story_items",
                format!(
                    "An Instagram Story holds one image or video; this post has {} (publish them as separate Stories)",
                    post.media.len()
                ),
            ));
        }
        let media = &post.media[0];
        match media.kind {
            MediaKind::Video => self.check_video(1, media, VideoUse::Story),
            MediaKind::Image | MediaKind::Gif => self.check_image(1, media, false),
        }
    }

    fn check_reel_post(&self, post: &PostContent) -> Result<(), RuleViolation> {
        let media = &post.media[0];
        if post.media.len() > 1 || media.kind != MediaKind::Video {
            let has = match (post.media.len(), media.kind) {
                (1, _) => "an image".to_string(),
                (n, _) => format!("{n} items"),
            };
            return Err(violation(
                "instagram.reel_video",
                format!("An Instagram Reel is one video; this post has {has} (set Format to Post for images)"),
            ));
        }
        self.check_video(1, media, VideoUse::Reel)
    }

    fn check_carousel(&self, post: &PostContent) -> Result<(), RuleViolation> {
        let items = post.media.len();
        if items < self.min_carousel_items || items > self.max_carousel_items {
            return Err(violation(
                "instagram.carousel_items",
                format!(
                    "Instagram carousels hold {} to {} items; this post has {items}",
                    self.min_carousel_items, self.max_carousel_items
                ),
            ));
        }
        for (i, media) in post.media.iter().enumerate() {
            match media.kind {
                MediaKind::Video if !self.carousel_videos => {
                    return Err(violation(
                        "instagram.carousel_video",
                        format!(
                            "Instagram carousels here hold images only; {} is a video",
                            label(i + 1, media)
                        ),
                    ))
                }
                MediaKind::Video => self.check_video(i + 1, media, VideoUse::CarouselItem)?,
                MediaKind::Image | MediaKind::Gif => self.check_image(i + 1, media, true)?,
            }
        }
        Ok(())
    }

    /// An image; `feed`: held to the feed's aspect range (not a Story).
    fn check_image(&self, n: usize, media: &MediaRef, feed: bool) -> Result<(), RuleViolation> {
        let info = &media.info;
        let name = label(n, media);
        if let Some(format) = info.format.as_deref() {
            if !allowed(format, &self.image_formats) {
                return Err(violation(
                    "instagram.image_format",
                    format!(
                        "Instagram takes images as {} only; {name} is {}",
                        formats(&self.image_formats),
                        format.to_ascii_uppercase()
                    ),
                ));
            }
        }
        if let Some(bytes) = info.bytes.filter(|b| *b > self.max_image_bytes) {
            return Err(violation(
                "instagram.image_size",
                format!(
                    "Instagram takes images up to {}; {name} is {}",
                    megabytes(self.max_image_bytes),
                    megabytes(bytes)
                ),
            ));
        }
        if let (true, Some(aspect)) = (feed, info.aspect_ratio()) {
            if aspect < self.min_image_aspect - 1e-9 || aspect > self.max_image_aspect + 1e-9 {
                return Err(violation(
                    "instagram.image_aspect",
                    format!(
                        "Instagram takes images from {} (4:5) to {} (1.91:1) width/height; {name} is {} ({})",
                        ratio(self.min_image_aspect),
                        ratio(self.max_image_aspect),
                        ratio(aspect),
                        pixels(media)
                    ),
                ));
            }
        }
        Ok(())
    }

    fn limits(&self, use_: VideoUse) -> VideoLimits {
        match use_ {
            VideoUse::Reel => VideoLimits {
                what: "Reels",
                min_secs: self.min_reel_secs,
                max_secs: self.max_reel_secs,
                max_bytes: self.max_reel_bytes,
                aspect: Some((self.min_reel_aspect, self.max_reel_aspect)),
            },
            VideoUse::Story => VideoLimits {
                what: "Story videos",
                min_secs: self.min_story_video_secs,
                max_secs: self.max_story_video_secs,
                max_bytes: self.max_story_video_bytes,
                aspect: None,
            },
            VideoUse::CarouselItem => VideoLimits {
                what: "carousel videos",
                min_secs: self.min_carousel_video_secs,
                max_secs: self.max_carousel_video_secs,
                max_bytes: self.max_carousel_video_bytes,
                aspect: Some((self.min_carousel_video_aspect, self.max_carousel_video_aspect)),
            },
        }
    }

    fn check_video(&self, n: usize, media: &MediaRef, use_: VideoUse) -> Result<(), RuleViolation> {
        let info = &media.info;
        let name = label(n, media);
        let limits = self.limits(use_);
        let what = limits.what;
        if let Some(format) = info.format.as_deref() {
            if !allowed(format, &self.video_formats) {
                return Err(violation(
                    "instagram.video_format",
                    format!(
                        "Instagram takes videos as {}; {name} is {}",
                        formats(&self.video_formats),
                        format.to_ascii_uppercase()
                    ),
                ));
            }
        }
        if let Some(codec) = info.video_codec.as_deref() {
            if !allowed(codec, &self.video_codecs) {
                return Err(violation(
                    "instagram.video_codec",
                    format!(
                        "Instagram takes videos encoded as {}; {name} is {}",
                        formats(&self.video_codecs),
                        codec.to_ascii_uppercase()
                    ),
                ));
            }
        }
        if let Some(secs) = info.duration_secs {
            if secs < limits.min_secs || secs > limits.max_secs {
                return Err(violation(
                    "instagram.video_duration",
                    format!(
                        "Instagram allows {what} from {} to {}; {name} lasts {}",
                        duration(limits.min_secs),
                        duration(limits.max_secs),
                        duration(secs)
                    ),
                ));
            }
        }
        if let Some(bytes) = info.bytes.filter(|b| *b > limits.max_bytes) {
            return Err(violation(
                "instagram.video_size",
                format!(
                    "Instagram takes {what} up to {}; {name} is {}",
                    megabytes(limits.max_bytes),
                    megabytes(bytes)
                ),
            ));
        }
        if let (Some((min, max)), Some(aspect)) = (limits.aspect, info.aspect_ratio()) {
            if aspect < min - 1e-9 || aspect > max + 1e-9 {
                return Err(violation(
                    "instagram.video_aspect",
                    format!(
                        "Instagram takes {what} from {} to {} width/height; {name} is {} ({})",
                        ratio(min),
                        ratio(max),
                        ratio(aspect),
                        pixels(media)
                    ),
                ));
            }
        }
        if let Some(w) = info.width.filter(|w| *w > self.max_video_width) {
            return Err(violation(
                "instagram.video_width",
                format!(
                    "Instagram takes videos up to {} pixels wide; {name} is {w}",
                    self.max_video_width
                ),
            ));
        }
        if let Some(fps) = info.frame_rate {
            if fps < self.min_video_frame_rate || fps > self.max_video_frame_rate {
                return Err(violation(
                    "instagram.video_frame_rate",
                    format!(
                        "Instagram takes videos from {} to {} frames per second; {name} has {}",
                        number(self.min_video_frame_rate, 2),
                        number(self.max_video_frame_rate, 2),
                        number(fps, 2)
                    ),
                ));
            }
        }
        Ok(())
    }
}

/// The hashtags of a caption, as Instagram finds them: `#` then a letter, digit or `_`, not in
/// the middle of a word (`a#b` and `&#39;` are not hashtags).
pub fn hashtags(text: &str) -> usize {
    let chars: Vec<char> = text.chars().collect();
    let word = |c: char| c.is_alphanumeric() || c == '_';
    (0..chars.len())
        .filter(|&i| {
            chars[i] == '#'
                && chars.get(i + 1).is_some_and(|c| word(*c))
                && (i == 0 || !(word(chars[i - 1]) || chars[i - 1] == '&' || chars[i - 1] == '#'))
        })
        .count()
}

/// "1080x1920", or "size unknown".
fn pixels(media: &MediaRef) -> String {
    match (media.info.width, media.info.height) {
        (Some(w), Some(h)) => format!("{w}x{h}"),
        _ => "size unknown".into(),
    }
}

fn violation(rule: &'static str, message: String) -> RuleViolation {
    RuleViolation { rule, message }
}

#[cfg(test)]
mod tests;
