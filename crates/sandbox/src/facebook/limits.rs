//! The Graph API (Facebook Pages, Instagram) limits the sandbox enforces, with their sources,
//! written on the sandbox's side (the worker's `platforms::facebook` is not read). Sources:
//! Meta's developer docs as `shared/reference/platforms.md` cites them (pages-api, video-api
//! reels-publishing, instagram-platform content_publishing_limit and ig-user/media, graph-api
//! rate-limiting).
//!
//! | rule | value |
//! |---|---|
//! | Graph API version in every path | [`GRAPH_VERSION`] (`v21.0`; configurable) |
//! | photos in one Page post (`attached_media`) | 1 to [`MAX_PHOTOS`] (10) |
//! | API reels per Page per 24 h | [`REELS_PER_DAY`] (30) |
//! | Instagram publishing quota | [`QUOTA_TOTAL`] posts per [`QUOTA_DURATION_SECS`] (50 per 86,400 s; read from `content_publishing_limit`, Meta's pages say 50 or 100) |
//! | Instagram containers per 24 h | [`MAX_CONTAINERS_PER_DAY`] (400) |
//! | carousel children | [`CAROUSEL_CHILDREN`] (2 to 10) |
//! | Instagram media (JPEG 8 MB 4:5 to 1.91:1; Reels 3 s to 15 min ...) | `instagram/checks.rs` (Meta's IG User Media reference) |
//! | Instagram caption | at most [`CAPTION_MAX_CHARS`] (2,200) characters and [`MAX_HASHTAGS`] (5) hashtags (5 since December 2025; the old limit was 30) |
//! | container lifetime | 24 h, then `EXPIRED` |

use std::ops::RangeInclusive;

/// How long the Graph API typically takes to answer, network included: 300 ms for a read, 600 ms
/// for a publish, upload or container step. An assumption (Meta publishes no response times).
pub const TYPICAL_LATENCY: crate::latency::Latency = crate::latency::Latency {
    read: std::time::Duration::from_millis(300),
    write: std::time::Duration::from_millis(600),
};

/// The Graph API version the sandbox serves unless told otherwise.
pub const GRAPH_VERSION: &str = "v21.0";

/// Photos in one Page post.
pub const MAX_PHOTOS: usize = 10;

/// Reels a Page may publish through the API in 24 h.
pub const REELS_PER_DAY: u32 = 30;

/// Instagram posts per quota window, and the window.
pub const QUOTA_TOTAL: u32 = 50;
pub const QUOTA_DURATION_SECS: u64 = 86_400;

/// Containers an Instagram account may create in 24 h.
pub const MAX_CONTAINERS_PER_DAY: u32 = 400;

/// Children of a carousel.
pub const CAROUSEL_CHILDREN: RangeInclusive<usize> = 2..=10;

/// Characters in an Instagram caption.
pub const CAPTION_MAX_CHARS: usize = 2_200;

/// Hashtags in an Instagram caption (Meta lowered it from 30 to 5 in December 2025).
pub const MAX_HASHTAGS: usize = 5;

/// The hashtags of `caption` as Instagram counts them: a `#` that starts a word and is followed
/// by a letter, digit or underscore.
pub fn hashtags(caption: &str) -> usize {
    let chars: Vec<char> = caption.chars().collect();
    (0..chars.len())
        .filter(|&i| chars[i] == '#' && (i == 0 || !is_tag_char(chars[i - 1])))
        .filter(|&i| chars.get(i + 1).is_some_and(|c| is_tag_char(*c)))
        .count()
}

fn is_tag_char(c: char) -> bool {
    c.is_alphanumeric() || c == '_'
}
