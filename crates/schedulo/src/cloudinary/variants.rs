//! The per-platform variants of a media file (the seed's "transformations" for each platform), each
//! with ONE canonical transformation string: Cloudinary bills every distinct string as its own
//! derived asset, so the eager list of the upload preset, the worker's own uploads, the named
//! transformations and the delivery URLs all use exactly these strings.
//!
//! Parameters within a step are sorted by name, as the SDKs write them. Sizes are the platforms'
//! recommended widths (Instagram 1080 px; X and Facebook 1200 px). Video variants are cropped and
//! re-encoded as H.264 (`vc_h264`), which every platform takes.

use crate::platforms::{Platform, PostFormat};

/// A resource type as Cloudinary names it in its paths.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Resource {
    Image,
    Video,
}

impl Resource {
    pub fn as_str(self) -> &'static str {
        match self {
            Resource::Image => "image",
            Resource::Video => "video",
        }
    }
}

/// One variant.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Variant {
    /// Our name for it; the named transformation is `schedulo_<name>` (`t_schedulo_<name>`).
    pub name: &'static str,
    pub platform: Platform,
    /// Where on the platform it is meant to go (decides which of the platform's rules apply).
    pub format: PostFormat,
    pub resource: Resource,
    /// Width and height of the aspect ratio, as people say it ("4:5").
    pub aspect: (f64, f64),
    /// The canonical transformation string.
    pub transformation: &'static str,
    /// The width it is cropped to, in pixels.
    pub width: u32,
}

impl Variant {
    /// `schedulo_<name>`: the named transformation `setup cloudinary` creates.
    pub fn transformation_name(&self) -> String {
        format!("schedulo_{}", self.name)
    }

    /// The height the crop gives: `width / aspect`, rounded as Cloudinary rounds.
    pub fn height(&self) -> u32 {
        (f64::from(self.width) * self.aspect.1 / self.aspect.0).round() as u32
    }
}

const fn image(
    name: &'static str,
    platform: Platform,
    format: PostFormat,
    aspect: (f64, f64),
    transformation: &'static str,
    width: u32,
) -> Variant {
    Variant {
        name,
        platform,
        format,
        resource: Resource::Image,
        aspect,
        transformation,
        width,
    }
}

/// Every variant, images first.
pub const VARIANTS: &[Variant] = &[
    image(
        "instagram_square",
        Platform::Instagram,
        PostFormat::Post,
        (1.0, 1.0),
        "ar_1:1,c_fill,g_auto,w_1080",
        1080,
    ),
    image(
        "instagram_portrait",
        Platform::Instagram,
        PostFormat::Post,
        (4.0, 5.0),
        "ar_4:5,c_fill,g_auto,w_1080",
        1080,
    ),
    image(
        "instagram_story",
        Platform::Instagram,
        PostFormat::Story,
        (9.0, 16.0),
        "ar_9:16,c_fill,g_auto,w_1080",
        1080,
    ),
    image(
        "x_landscape",
        Platform::Twitter,
        PostFormat::Post,
        (16.0, 9.0),
        "ar_16:9,c_fill,g_auto,w_1200",
        1200,
    ),
    image(
        "x_square",
        Platform::Twitter,
        PostFormat::Post,
        (1.0, 1.0),
        "ar_1:1,c_fill,g_auto,w_1200",
        1200,
    ),
    image(
        "facebook_landscape",
        Platform::Facebook,
        PostFormat::Post,
        (1.91, 1.0),
        "ar_1.91,c_fill,g_auto,w_1200",
        1200,
    ),
    image(
        "facebook_square",
        Platform::Facebook,
        PostFormat::Post,
        (1.0, 1.0),
        "ar_1:1,c_fill,g_auto,w_1200",
        1200,
    ),
    Variant {
        name: "tiktok_vertical",
        platform: Platform::TikTok,
        format: PostFormat::Post,
        resource: Resource::Video,
        aspect: (9.0, 16.0),
        transformation: "ar_9:16,c_fill,vc_h264,w_1080",
        width: 1080,
    },
];

/// The variants made for a resource type.
pub fn for_resource(resource: Resource) -> impl Iterator<Item = &'static Variant> {
    VARIANTS.iter().filter(move |v| v.resource == resource)
}

/// The eager list for a resource type: each distinct string once, joined with `|`.
pub fn eager(resource: Resource) -> String {
    let mut seen: Vec<&str> = Vec::new();
    for v in for_resource(resource) {
        if !seen.contains(&v.transformation) {
            seen.push(v.transformation);
        }
    }
    seen.join("|")
}

/// The variant by name.
pub fn by_name(name: &str) -> Option<&'static Variant> {
    VARIANTS.iter().find(|v| v.name == name)
}

/// The variant a post on `platform` in `format` uses for a file of `resource` whose aspect ratio
/// (width / height) is `aspect`: of the platform's variants for that use, the one whose ratio is
/// closest (Instagram: 1:1 or 4:5 in the feed, 9:16 in stories; X: 16:9 or 1:1; Facebook: 1.91:1
/// or 1:1; TikTok: 9:16 video). `None`: the platform has no variant for it (the original is used).
pub fn pick(
    platform: Platform,
    format: PostFormat,
    resource: Resource,
    aspect: Option<f64>,
) -> Option<&'static Variant> {
    let wanted = match format {
        PostFormat::Story => PostFormat::Story,
        PostFormat::Post | PostFormat::Reel => PostFormat::Post,
    };
    let distance = |v: &Variant| match aspect {
        Some(a) if a > 0.0 => ((v.aspect.0 / v.aspect.1) / a).ln().abs(),
        _ => 0.0,
    };
    VARIANTS
        .iter()
        .filter(|v| v.platform == platform && v.resource == resource && v.format == wanted)
        .min_by(|a, b| distance(a).total_cmp(&distance(b)))
}

/// The delivery URL of `url`'s asset with `transformation`, when `url` is a Cloudinary delivery URL
/// of the original (`.../{image|video}/upload/v<version>/<public_id>.<ext>`); `None` for any other
/// URL, or one that already has a transformation.
pub fn with_transformation(url: &str, transformation: &str) -> Option<String> {
    for marker in ["/image/upload/", "/video/upload/"] {
        let Some(at) = url.find(marker) else { continue };
        let (head, rest) = url.split_at(at + marker.len());
        let first = rest.split('/').next().unwrap_or("");
        let versioned = first.len() > 1 && first.starts_with('v') && first[1..].chars().all(|c| c.is_ascii_digit());
        return versioned.then(|| format!("{head}{transformation}/{rest}"));
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_post_picks_the_variant_closest_to_its_file_and_its_url_names_the_transformation() {
        let pick_name = |p, f, r, a| pick(p, f, r, a).map(|v| v.name);
        assert_eq!(
            pick_name(Platform::Instagram, PostFormat::Post, Resource::Image, Some(0.75)),
            Some("instagram_portrait")
        );
        assert_eq!(
            pick_name(Platform::Instagram, PostFormat::Post, Resource::Image, Some(1.5)),
            Some("instagram_square")
        );
        assert_eq!(
            pick_name(Platform::Instagram, PostFormat::Story, Resource::Image, Some(1.5)),
            Some("instagram_story")
        );
        assert_eq!(
            pick_name(Platform::Twitter, PostFormat::Post, Resource::Image, Some(1.7)),
            Some("x_landscape")
        );
        assert_eq!(
            pick_name(Platform::Facebook, PostFormat::Post, Resource::Image, Some(1.1)),
            Some("facebook_square")
        );
        assert_eq!(
            pick_name(Platform::TikTok, PostFormat::Post, Resource::Video, None),
            Some("tiktok_vertical")
        );
        assert_eq!(
            pick_name(Platform::Twitter, PostFormat::Post, Resource::Video, Some(1.7)),
            None
        );
        let url = "https://res.cloudinary.com/demo/image/upload/v17/users/recU/recM_ab.jpg";
        assert_eq!(
            with_transformation(url, "ar_1:1,c_fill,g_auto,w_1080").as_deref(),
            Some("https://res.cloudinary.com/demo/image/upload/ar_1:1,c_fill,g_auto,w_1080/v17/users/recU/recM_ab.jpg")
        );
        let derived = "https://res.cloudinary.com/demo/image/upload/w_100/v17/a.jpg";
        assert_eq!(with_transformation(derived, "w_200"), None);
        assert_eq!(
            with_transformation("http://127.0.0.1:9/_sandbox/files/a.jpg", "w_200"),
            None
        );
    }

    #[test]
    fn every_variant_of_the_seed_is_there_with_a_canonical_string() {
        let names: Vec<_> = VARIANTS.iter().map(|v| v.name).collect();
        assert_eq!(names.len(), 8, "{names:?}");
        for v in VARIANTS {
            let params: Vec<&str> = v.transformation.split(',').collect();
            let mut sorted = params.clone();
            sorted.sort();
            assert_eq!(params, sorted, "{}: parameters sorted by name", v.name);
            assert!(v.transformation.contains(&format!("w_{}", v.width)), "{}", v.name);
        }
        assert_eq!(by_name("instagram_portrait").unwrap().height(), 1350);
        assert_eq!(by_name("facebook_landscape").unwrap().height(), 628);
        assert_eq!(by_name("x_landscape").unwrap().height(), 675);
        assert_eq!(by_name("tiktok_vertical").unwrap().height(), 1920);
    }

    #[test]
    fn the_eager_list_names_each_string_once() {
        let images = eager(Resource::Image);
        assert_eq!(
            images.split('|').count(),
            6,
            "x_square and facebook_square share one string: {images}"
        );
        assert_eq!(eager(Resource::Video), "ar_9:16,c_fill,vc_h264,w_1080");
    }
}
