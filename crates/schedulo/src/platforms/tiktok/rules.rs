//! TikTok's rules for a post, checked before any call ([`check`]). The numbers are
//! [`TikTokRules`], whose defaults are TikTok's documented values; the creator's own limit on video
//! length is known only from `creator_info` and is checked in `prepare` ([`super::creator`]).
//!
//! Sources: developers.tiktok.com `doc/content-posting-api-media-transfer-guide` (video and image
//! restrictions), `doc/content-posting-api-reference-direct-post` (title of 2,200 UTF-16 units),
//! `doc/content-posting-api-reference-photo-post` (up to 35 photos), `shared/reference/platforms.md`.

use crate::platforms::{MediaKind, MediaRef, PostContent, PostFormat, RuleViolation};
use serde::{Deserialize, Serialize};

/// TikTok's limits for one post. Loaded from the `[tiktok]` section of the rules file; a field left
/// out keeps its default.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct TikTokRules {
    /// Characters of the caption (a video's `title`, a photo post's `description`), counted as
    /// TikTok counts them, in UTF-16 units: 2,200 (direct post reference, `post_info.title`).
    pub max_caption_chars: usize,
    /// Video containers TikTok takes: MP4, WebM, MOV (media transfer guide).
    pub video_formats: Vec<String>,
    /// Pixels of a video's shorter side, at least: 360 (media transfer guide, "picture size").
    pub min_video_side_px: u32,
    /// Pixels of a video's longer side, at most: 4096 (media transfer guide).
    pub max_video_side_px: u32,
    /// Bytes of one video: 4 GB (media transfer guide).
    pub max_video_bytes: u64,
    /// Frames per second, at least: 23 (media transfer guide).
    pub min_frame_rate: f64,
    /// Frames per second, at most: 60 (media transfer guide).
    pub max_frame_rate: f64,
    /// Photo formats TikTok takes: JPEG and WEBP; PNG is refused (media transfer guide).
    pub photo_formats: Vec<String>,
    /// Bytes of one photo: 20 MB (media transfer guide).
    pub max_photo_bytes: u64,
    /// Photos in one post: 35 (photo post reference, `photo_images`).
    pub max_photos: usize,
}

impl Default for TikTokRules {
    fn default() -> Self {
        TikTokRules {
            max_caption_chars: 2200,
            video_formats: vec!["mp4".into(), "webm".into(), "mov".into()],
            min_video_side_px: 360,
            max_video_side_px: 4096,
            max_video_bytes: 4 * 1024 * 1024 * 1024,
            min_frame_rate: 23.0,
            max_frame_rate: 60.0,
            photo_formats: vec!["jpeg".into(), "webp".into()],
            max_photo_bytes: 20 * 1024 * 1024,
            max_photos: 35,
        }
    }
}

/// The caption TikTok receives: the post's text, and its link on a new line when the text does not
/// hold it already (TikTok has no link field; links in captions are not clickable).
pub fn caption(post: &PostContent) -> String {
    match post.link.as_deref().map(str::trim).filter(|l| !l.is_empty()) {
        Some(link) if !post.text.contains(link) => {
            if post.text.trim().is_empty() {
                link.to_string()
            } else {
                format!("{}\n{link}", post.text)
            }
        }
        _ => post.text.clone(),
    }
}

/// What a post publishes as on TikTok.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Shape {
    /// One video: `POST /v2/post/publish/video/init/`.
    Video,
    /// 1 to 35 photos: `POST /v2/post/publish/content/init/` with `media_type: PHOTO`.
    Photos,
}

impl TikTokRules {
    /// Checks a post against these rules ([`check`]), in the shape every platform's rules share.
    pub fn check(&self, post: &PostContent) -> Result<(), RuleViolation> {
        check(post, self).map(|_| ())
    }
}

/// Checks a post against TikTok's rules; no call is made. Returns what it publishes as.
pub fn check(post: &PostContent, rules: &TikTokRules) -> Result<Shape, RuleViolation> {
    if post.format == PostFormat::Story {
        return Err(violation(
            "tiktok.story",
            "TikTok has no Stories through its API: set Format to Post (or Reel for a video)".into(),
        ));
    }
    let count = |kind| post.media.iter().filter(|m| m.kind == kind).count();
    let (images, gifs, videos) = (count(MediaKind::Image), count(MediaKind::Gif), count(MediaKind::Video));
    if post.media.is_empty() {
        return Err(violation(
            "tiktok.media_required",
            "TikTok needs a video or photos; this post has neither".into(),
        ));
    }
    if gifs > 0 {
        return Err(violation(
            "tiktok.gif",
            format!("TikTok takes no GIFs: use a video or JPEG/WEBP photos; this post has {gifs} GIF(s)"),
        ));
    }
    if videos > 0 && images > 0 {
        return Err(violation(
            "tiktok.media_mix",
            format!(
                "TikTok posts are one video or photos, not both; this post has {videos} video(s) and {images} photo(s)"
            ),
        ));
    }
    if videos > 1 {
        return Err(violation(
            "tiktok.videos",
            format!("TikTok allows 1 video a post; this post has {videos}"),
        ));
    }
    if post.format == PostFormat::Reel && videos == 0 {
        return Err(violation(
            "tiktok.reel",
            format!(
                "A Reel on TikTok is a video post; this post has {images} photo(s) and no video: set Format to Post"
            ),
        ));
    }
    if images > rules.max_photos {
        return Err(violation(
            "tiktok.photos",
            format!(
                "TikTok allows {} photos a post; this post has {images}",
                rules.max_photos
            ),
        ));
    }
    let length = caption(post).encode_utf16().count();
    if length > rules.max_caption_chars {
        return Err(violation(
            "tiktok.caption_length",
            format!(
                "TikTok allows captions of {} characters; this post has {length}",
                rules.max_caption_chars
            ),
        ));
    }
    for (i, media) in post.media.iter().enumerate() {
        if !is_web_url(&media.url) {
            return Err(violation(
                "tiktok.media_url",
                format!(
                    "TikTok media come from an http(s) URL; item {} has \"{}\"",
                    i + 1,
                    media.url
                ),
            ));
        }
        match media.kind {
            MediaKind::Video => check_video(media, rules)?,
            _ => check_photo(i + 1, media, rules)?,
        }
    }
    Ok(if videos == 1 { Shape::Video } else { Shape::Photos })
}

fn check_video(video: &MediaRef, rules: &TikTokRules) -> Result<(), RuleViolation> {
    let info = &video.info;
    let name = file_name(&video.url);
    if let Some(format) = info.format.as_deref().map(str::to_ascii_lowercase) {
        if !rules.video_formats.iter().any(|f| f.eq_ignore_ascii_case(&format)) {
            return Err(violation(
                "tiktok.video_format",
                format!(
                    "TikTok takes videos in {}; the video ({name}) is {format}",
                    list(&rules.video_formats)
                ),
            ));
        }
    }
    if let Some(bytes) = info.bytes.filter(|b| *b > rules.max_video_bytes) {
        return Err(violation(
            "tiktok.video_bytes",
            format!(
                "TikTok takes videos up to {}; the video ({name}) has {}",
                size(rules.max_video_bytes),
                size(bytes)
            ),
        ));
    }
    if let (Some(w), Some(h)) = (info.width, info.height) {
        let (short, long) = (w.min(h), w.max(h));
        if short < rules.min_video_side_px || long > rules.max_video_side_px {
            return Err(violation(
                "tiktok.video_size",
                format!(
                    "TikTok takes videos of {} to {} px a side; the video ({name}) is {w}x{h}",
                    rules.min_video_side_px, rules.max_video_side_px
                ),
            ));
        }
    }
    if let Some(fps) = info.frame_rate {
        if fps < rules.min_frame_rate || fps > rules.max_frame_rate {
            return Err(violation(
                "tiktok.frame_rate",
                format!(
                    "TikTok takes videos of {} to {} frames a second; the video ({name}) has {}",
                    number(rules.min_frame_rate),
                    number(rules.max_frame_rate),
                    number(fps)
                ),
            ));
        }
    }
    Ok(())
}

fn check_photo(n: usize, photo: &MediaRef, rules: &TikTokRules) -> Result<(), RuleViolation> {
    let name = file_name(&photo.url);
    if let Some(format) = photo.info.format.as_deref().map(str::to_ascii_lowercase) {
        let format = if format == "jpg" { "jpeg".to_string() } else { format };
        if !rules.photo_formats.iter().any(|f| f.eq_ignore_ascii_case(&format)) {
            return Err(violation(
                "tiktok.photo_format",
                format!(
                    "TikTok takes photos in {}; photo {n} ({name}) is {format}",
                    list(&rules.photo_formats)
                ),
            ));
        }
    }
    if let Some(bytes) = photo.info.bytes.filter(|b| *b > rules.max_photo_bytes) {
        return Err(violation(
            "tiktok.photo_bytes",
            format!(
                "TikTok takes photos up to {}; photo {n} ({name}) has {}",
                size(rules.max_photo_bytes),
                size(bytes)
            ),
        ));
    }
    Ok(())
}

fn violation(rule: &'static str, message: String) -> RuleViolation {
    RuleViolation { rule, message }
}

fn is_web_url(s: &str) -> bool {
    url::Url::parse(s).is_ok_and(|u| matches!(u.scheme(), "http" | "https") && u.host().is_some())
}

/// "MP4, WEBM or MOV".
fn list(items: &[String]) -> String {
    let upper: Vec<String> = items.iter().map(|s| s.to_ascii_uppercase()).collect();
    match upper.split_last() {
        Some((last, rest)) if !rest.is_empty() => format!("{} or {last}", rest.join(", ")),
        Some((last, _)) => last.clone(),
        None => "no format".into(),
    }
}

/// `20 MB`, `4 GB`, `6.3 MB`.
pub fn size(bytes: u64) -> String {
    let (value, unit) = if bytes >= 1024 * 1024 * 1024 {
        (bytes as f64 / (1024.0 * 1024.0 * 1024.0), "GB")
    } else {
        (bytes as f64 / (1024.0 * 1024.0), "MB")
    };
    format!("{} {unit}", number(value))
}

/// `30`, `29.97`: a number without trailing zeros.
fn number(x: f64) -> String {
    let text = format!("{x:.2}");
    text.trim_end_matches('0').trim_end_matches('.').to_string()
}

/// `4 min 10 s`, `45 s`, `1 h 2 min`.
pub fn duration(secs: f64) -> String {
    let total = secs.round() as u64;
    let (h, m, s) = (total / 3600, (total % 3600) / 60, total % 60);
    match (h, m, s) {
        (0, 0, s) => format!("{s} s"),
        (0, m, 0) => format!("{m} min"),
        (0, m, s) => format!("{m} min {s} s"),
        (h, 0, _) => format!("{h} h"),
        (h, m, _) => format!("{h} h {m} min"),
    }
}

/// The file a media URL names, for messages: its last path segment (`%20` and the like decoded),
/// else the URL itself.
pub fn file_name(url: &str) -> String {
    let last = url::Url::parse(url)
        .ok()
        .and_then(|u| Some(u.path_segments()?.rev().find(|s| !s.is_empty())?.to_string()));
    match last {
        Some(segment) => {
            let bytes: Vec<u8> = form_urlencoded::parse(format!("x={}", segment.replace('+', "%2B")).as_bytes())
                .next()
                .map(|(_, v)| v.into_owned().into_bytes())
                .unwrap_or_else(|| segment.into_bytes());
            String::from_utf8_lossy(&bytes).into_owned()
        }
        None => url.chars().take(200).collect(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::platforms::MediaInfo;

    fn media(kind: MediaKind, name: &str) -> MediaRef {
        MediaRef::new(format!("https://cdn.example.com/m/{name}"), kind)
    }

    fn post(text: &str, media: Vec<MediaRef>) -> PostContent {
        PostContent {
            record_id: "recP".into(),
            text: text.into(),
            link: None,
            media,
            format: PostFormat::Post,
        }
    }

    fn video(info: MediaInfo) -> PostContent {
        let mut m = media(MediaKind::Video, "clip.mp4");
        m.info = info;
        post("hi", vec![m])
    }

    fn refusal(p: &PostContent) -> String {
        check(p, &TikTokRules::default()).unwrap_err().message
    }

    #[test]
    fn a_video_or_photos_pass_and_say_what_they_publish_as() {
        let rules = TikTokRules::default();
        assert_eq!(check(&video(MediaInfo::default()), &rules), Ok(Shape::Video));
        let photos = post(
            "",
            (0..35).map(|i| media(MediaKind::Image, &format!("{i}.jpg"))).collect(),
        );
        assert_eq!(check(&photos, &rules), Ok(Shape::Photos));
        let mut reel = video(MediaInfo::default());
        reel.format = PostFormat::Reel;
        assert_eq!(check(&reel, &rules), Ok(Shape::Video));
    }

    #[test]
    fn text_only_stories_gifs_mixes_and_photo_reels_are_refused() {
        assert_eq!(
            refusal(&post("just words", vec![])),
            "TikTok needs a video or photos; this post has neither"
        );
        let mut story = video(MediaInfo::default());
        story.format = PostFormat::Story;
        assert!(refusal(&story).starts_with("TikTok has no Stories"));
        assert!(refusal(&post("g", vec![media(MediaKind::Gif, "a.gif")])).starts_with("TikTok takes no GIFs"));
        let mix = post(
            "m",
            vec![media(MediaKind::Video, "v.mp4"), media(MediaKind::Image, "a.jpg")],
        );
        assert_eq!(
            refusal(&mix),
            "TikTok posts are one video or photos, not both; this post has 1 video(s) and 1 photo(s)"
        );
        let mut reel = post("r", vec![media(MediaKind::Image, "a.jpg")]);
        reel.format = PostFormat::Reel;
        assert_eq!(check(&reel, &TikTokRules::default()).unwrap_err().rule, "tiktok.reel");
        let two = post(
            "2",
            vec![media(MediaKind::Video, "a.mp4"), media(MediaKind::Video, "b.mp4")],
        );
        assert_eq!(refusal(&two), "TikTok allows 1 video a post; this post has 2");
    }

    #[test]
    fn thirty_six_photos_and_long_captions_are_refused_with_the_counts() {
        let many = post(
            "",
            (0..36).map(|i| media(MediaKind::Image, &format!("{i}.jpg"))).collect(),
        );
        assert_eq!(refusal(&many), "TikTok allows 35 photos a post; this post has 36");
        // An emoji is two UTF-16 units, as TikTok counts.
        let long = video(MediaInfo::default());
        let long = PostContent {
            text: format!("{}😀", "a".repeat(2199)),
            ..long
        };
        assert_eq!(
            refusal(&long),
            "TikTok allows captions of 2200 characters; this post has 2201"
        );
    }

    #[test]
    fn video_properties_are_checked_when_known_and_named() {
        let info = |f: fn(&mut MediaInfo)| {
            let mut i = MediaInfo::default();
            f(&mut i);
            video(i)
        };
        assert_eq!(
            refusal(&info(|i| i.format = Some("avi".into()))),
            "TikTok takes videos in MP4, WEBM or MOV; the video (clip.mp4) is avi"
        );
        assert_eq!(
            refusal(&info(|i| {
                i.width = Some(320);
                i.height = Some(640)
            })),
            "TikTok takes videos of 360 to 4096 px a side; the video (clip.mp4) is 320x640"
        );
        assert_eq!(
            refusal(&info(|i| i.frame_rate = Some(15.0))),
            "TikTok takes videos of 23 to 60 frames a second; the video (clip.mp4) has 15"
        );
        assert_eq!(
            refusal(&info(|i| i.bytes = Some(5 * 1024 * 1024 * 1024))),
            "TikTok takes videos up to 4 GB; the video (clip.mp4) has 5 GB"
        );
        assert!(check(
            &info(|i| {
                i.format = Some("MOV".into());
                i.frame_rate = Some(29.97);
                i.width = Some(1080);
                i.height = Some(1920)
            }),
            &TikTokRules::default()
        )
        .is_ok());
    }

    #[test]
    fn png_and_big_photos_are_refused() {
        let mut p = post(
            "p",
            vec![media(MediaKind::Image, "a.jpg"), media(MediaKind::Image, "b.png")],
        );
        p.media[1].info.format = Some("png".into());
        assert_eq!(
            refusal(&p),
            "TikTok takes photos in JPEG or WEBP; photo 2 (b.png) is png"
        );
        p.media[1].info.format = Some("jpg".into());
        p.media[0].info.bytes = Some(21 * 1024 * 1024);
        assert_eq!(
            refusal(&p),
            "TikTok takes photos up to 20 MB; photo 1 (a.jpg) has 21 MB"
        );
    }

    #[test]
    fn file_names_come_from_the_last_path_segment() {
        assert_eq!(file_name("https://h.example/a/My%20Clip+1.mp4?x=1"), "My Clip+1.mp4");
        assert_eq!(file_name("not a url"), "not a url");
    }

    #[test]
    fn the_link_goes_into_the_caption_once() {
        let mut p = video(MediaInfo::default());
        p.link = Some("https://example.com/a".into());
        assert_eq!(caption(&p), "hi\nhttps://example.com/a");
    }

    #[test]
    fn durations_read_as_people_say_them() {
        assert_eq!(duration(45.2), "45 s");
        assert_eq!(duration(250.0), "4 min 10 s");
        assert_eq!(duration(600.0), "10 min");
        assert_eq!(duration(3720.0), "1 h 2 min");
    }

    #[test]
    fn the_rules_read_from_toml_with_defaults_and_refuse_unknown_fields() {
        let rules: TikTokRules = toml::from_str("max_photos = 10\nphoto_formats = [\"jpeg\"]").unwrap();
        assert_eq!((rules.max_photos, rules.max_caption_chars), (10, 2200));
        assert!(toml::from_str::<TikTokRules>("max_fotos = 10").is_err());
    }
}
