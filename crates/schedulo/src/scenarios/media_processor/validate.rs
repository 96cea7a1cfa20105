//! Which platforms a processed media suits: each variant Cloudinary made (or, for a platform with
//! no variant of that type, the original) is checked against the platform's rules
//! (`platform-rules.toml`, the same checks the Post Scheduler makes before publishing), from the
//! properties Cloudinary reported. A platform suits the media when one of its variants passes;
//! otherwise its refusal names the rule and the value.

use crate::base::MediaType;
use crate::cloudinary::variants::{self, Resource};
use crate::media::MediaInfo;
use crate::platforms::rules::PlatformRules;
use crate::platforms::{MediaKind, MediaRef, Platform, PostContent, PostFormat, RuleViolation};
use serde::{Deserialize, Serialize};

/// One uploaded file, as Cloudinary described it (kept in the journal between steps).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Asset {
    pub public_id: String,
    /// `image` or `video`.
    pub resource: String,
    pub version: u64,
    pub secure_url: String,
    pub info: MediaInfo,
    /// The variants made, by transformation string.
    #[serde(default)]
    pub derived: Vec<Derived>,
    /// Variants are being made asynchronously (video): wait for Cloudinary's notification.
    #[serde(default)]
    pub pending: bool,
}

/// One variant of an asset.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Derived {
    pub transformation: String,
    pub secure_url: String,
    pub info: MediaInfo,
}

/// The outcome of the checks.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Verdict {
    /// The platforms (of those asked for) the media suits.
    pub valid_for: Vec<Platform>,
    /// The others, each with the first rule its best variant breaks.
    pub refused: Vec<(Platform, RuleViolation)>,
}

impl Verdict {
    /// For `ErrorMessage`: one line per refusing platform.
    pub fn message(&self) -> Option<String> {
        if self.refused.is_empty() {
            return None;
        }
        let lines: Vec<String> = self
            .refused
            .iter()
            .map(|(p, v)| format!("Not for {}: {}", p.display_name(), v.message))
            .collect();
        Some(lines.join("\n"))
    }
}

/// The resource type a media type is uploaded as.
pub fn resource_of(media_type: MediaType) -> Resource {
    match media_type {
        MediaType::Image | MediaType::Carousel => Resource::Image,
        MediaType::Video => Resource::Video,
    }
}

/// Checks `assets` (one for an image or a video, several for a carousel) for each of `platforms`.
pub fn validate(media_type: MediaType, assets: &[Asset], platforms: &[Platform], rules: &PlatformRules) -> Verdict {
    let resource = resource_of(media_type);
    let kind = match resource {
        Resource::Image => MediaKind::Image,
        Resource::Video => MediaKind::Video,
    };
    let mut verdict = Verdict::default();
    for &platform in platforms {
        let own: Vec<_> = variants::for_resource(resource)
            .filter(|v| v.platform == platform)
            .collect();
        // Candidates: the platform's own variants, else the original in the feed (Instagram takes
        // feed video as a Reel).
        let mut candidates: Vec<(PostFormat, Vec<MediaRef>)> = own
            .iter()
            .map(|v| {
                let refs = assets
                    .iter()
                    .map(
                        |a| match a.derived.iter().find(|d| d.transformation == v.transformation) {
                            Some(d) => media_ref(&d.secure_url, kind, &d.info),
                            None => media_ref(&a.secure_url, kind, &a.info),
                        },
                    )
                    .collect();
                (v.format, refs)
            })
            .collect();
        if candidates.is_empty() {
            let format = match (platform, resource) {
                (Platform::Instagram, Resource::Video) => PostFormat::Reel,
                _ => PostFormat::Post,
            };
            let refs = assets.iter().map(|a| media_ref(&a.secure_url, kind, &a.info)).collect();
            candidates.push((format, refs));
        }
        // The first candidate that passes, else the first refusal (there is always a candidate).
        let mut refusals = Vec::new();
        let suits = candidates.into_iter().any(|(format, media)| {
            let post = PostContent {
                record_id: String::new(),
                text: String::new(),
                link: None,
                media,
                format,
            };
            rules.check(platform, &post).map_err(|v| refusals.push(v)).is_ok()
        });
        match (suits, refusals.into_iter().next()) {
            (false, Some(v)) => verdict.refused.push((platform, v)),
            _ => verdict.valid_for.push(platform),
        }
    }
    verdict
}

fn media_ref(url: &str, kind: MediaKind, info: &MediaInfo) -> MediaRef {
    MediaRef {
        url: url.to_string(),
        kind,
        info: info.clone(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn info(w: u32, h: u32, bytes: u64, format: &str, duration: Option<f64>) -> MediaInfo {
        MediaInfo {
            bytes: Some(bytes),
            width: Some(w),
            height: Some(h),
            duration_secs: duration,
            format: Some(format.into()),
            video_codec: duration.map(|_| "h264".into()),
            frame_rate: duration.map(|_| 30.0),
        }
    }

    fn image_asset() -> Asset {
        let derived = variants::for_resource(Resource::Image)
            .map(|v| Derived {
                transformation: v.transformation.into(),
                secure_url: format!("https://res/{}/photo.jpg", v.name),
                info: info(v.width, v.height(), 300_000, "jpeg", None),
            })
            .collect();
        Asset {
            public_id: "recM_1".into(),
            resource: "image".into(),
            version: 1,
            secure_url: "https://res/photo.jpg".into(),
            info: info(1600, 1200, 900_000, "jpeg", None),
            derived,
            pending: false,
        }
    }

    #[test]
    fn an_image_with_its_variants_suits_every_platform() {
        let all = Platform::ALL;
        let v = validate(MediaType::Image, &[image_asset()], &all, &PlatformRules::default());
        assert_eq!(v.refused, vec![], "{:?}", v.message());
        assert_eq!(v.valid_for, all);
    }

    #[test]
    fn a_video_too_long_for_x_is_refused_there_with_the_limit_and_suits_the_others() {
        let video = Asset {
            public_id: "recV_1".into(),
            resource: "video".into(),
            version: 1,
            secure_url: "https://res/clip.mp4".into(),
            info: info(1080, 1920, 40_000_000, "mp4", Some(200.0)),
            derived: vec![Derived {
                transformation: "ar_9:16,c_fill,vc_h264,w_1080".into(),
                secure_url: "https://res/t/clip.mp4".into(),
                info: info(1080, 1920, 38_000_000, "mp4", Some(200.0)),
            }],
            pending: false,
        };
        let all = [Platform::Twitter, Platform::TikTok];
        let v = validate(MediaType::Video, &[video], &all, &PlatformRules::default());
        assert_eq!(v.valid_for, vec![Platform::TikTok]);
        let message = v.message().unwrap();
        assert!(message.starts_with("Not for X: X allows videos"), "{message}");
        assert!(message.contains("3 min 20 s"), "{message}");
    }
}
