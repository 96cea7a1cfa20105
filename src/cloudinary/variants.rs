//! The per-platform variants of a media file (the seed's "transformations" for each platform), each
//! with ONE canonical transformation string: Cloudinary bills every distinct string as its own
//! derived asset, so the eager list of the upload preset, the worker's own uploads, the named
//! transformations and the delivery URLs all use exactly these strings.
//!
//! Parameters within a step are sorted by name, as the SDKs write them. Sizes are the platforms'
//! recommended widths (Instagram 1080 px; X and Facebook 1200 px). Video variants are cropped and
//! re-encoded as H.264 (`vc_h264`), which every platform takes.

use crate::base::Platform;
use crate::platforms::PostFormat;

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

#[cfg(test)]
mod tests {
    use super::*;

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
