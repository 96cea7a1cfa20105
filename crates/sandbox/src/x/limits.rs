//! X's limits as the sandbox enforces them, each with its source, written on the sandbox's side
//! (the worker's `XRules` are not read: a wrong number there must fail against the sandbox).
//!
//! | limit | value | source |
//! |---|---|---|
//! | weighted characters of a post | 280 | docs.x.com `fundamentals/counting-characters`; twitter-text `config/v3.json` `maxWeightedTweetLength` |
//! | weight of a URL (t.co wraps every link) | 23 | twitter-text `config/v3.json` `transformedURLLength` |
//! | weights, ranges, emoji, NFC | see [`super::text`] | twitter-text `config/v3.json`, `js/src/parseTweet.js` |
//! | media per post | 1 to 4 images, or 1 GIF, or 1 video | docs.x.com `x-api/media/quickstart/best-practices`; OpenAPI `TweetCreateRequest.media.media_ids` (1 to 4 items) |
//! | image | 5 MB (5,242,880 bytes); JPEG, PNG, GIF, WEBP | best-practices ("Image size <= 5 MB"; formats) |
//! | animated GIF | 15 MB | best-practices ("Animated GIF size: <= 15 MB") |
//! | video | 512 MB, 0.5 s to 140 s, MP4 or MOV, aspect ratio 1:3 to 3:1 | `shared/reference/platforms.md`; best-practices ("at least 0.5 seconds", "between 1:3 and 3:1"); X's v1.1 media guide (MP4, MOV) |
//! | chunked upload segment | 5 MB, `segment_index` 0 to 999 | docs.x.com `x-api/media/quickstart/media-upload-chunked` |
//! | `POST /2/tweets` | 100 per user per 15 minutes | docs.x.com `x-api/fundamentals/rate-limits` |
//!
//! X's current pages allow a default account's Post video 8 GB and 20 minutes (140 s is now their
//! DM video limit); the sandbox keeps the reference's 512 MB / 140 s, configurable in
//! [`super::XSandboxLimits`].

use std::time::Duration;

/// How long X typically takes to answer, network included: 250 ms for a read, 400 ms for a post
/// or an upload step. An assumption (X publishes no response times); third-party write-ups of
/// API v2 name 100-300 ms as the usual range for reads.
pub const TYPICAL_LATENCY: crate::latency::Latency = crate::latency::Latency {
    read: Duration::from_millis(250),
    write: Duration::from_millis(400),
};

/// Weighted characters a post may have.
pub const MAX_WEIGHTED_CHARS: usize = super::text::V3.max_weighted_length;

/// Images in one post; a GIF or a video goes alone.
pub const MAX_IMAGES: usize = 4;

/// Bytes of one image (5 MB).
pub const MAX_IMAGE_BYTES: usize = 5 * 1024 * 1024;

/// Bytes of one animated GIF (15 MB).
pub const MAX_GIF_BYTES: u64 = 15 * 1024 * 1024;

/// Bytes of one video (512 MB).
pub const MAX_VIDEO_BYTES: u64 = 512 * 1024 * 1024;

/// Shortest and longest video (0.5 s, 140 s).
pub const MIN_VIDEO_SECS: f64 = 0.5;
pub const MAX_VIDEO_SECS: f64 = 140.0;

/// Narrowest and widest video, width / height (1:3, 3:1).
pub const MIN_ASPECT: f64 = 1.0 / 3.0;
pub const MAX_ASPECT: f64 = 3.0;

/// Bytes of one appended segment (5 MB).
pub const MAX_SEGMENT_BYTES: u64 = 5 * 1024 * 1024;

/// `POST /2/tweets` requests per user per window, and the window.
pub const TWEETS_PER_WINDOW: u32 = 100;
pub const TWEET_WINDOW: Duration = Duration::from_secs(15 * 60);

/// The image type of `bytes`, read from its first bytes (the magic numbers of JPEG, PNG, GIF
/// 87a/89a and RIFF WEBP), if it is one X takes.
pub fn sniff_image(bytes: &[u8]) -> Option<&'static str> {
    let starts = |magic: &[u8]| bytes.starts_with(magic);
    if starts(&[0xFF, 0xD8, 0xFF]) {
        Some("image/jpeg")
    } else if starts(b"\x89PNG\r\n\x1a\n") {
        Some("image/png")
    } else if starts(b"GIF87a") || starts(b"GIF89a") {
        Some("image/gif")
    } else if bytes.len() >= 12 && starts(b"RIFF") && &bytes[8..12] == b"WEBP" {
        Some("image/webp")
    } else {
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn images_are_told_by_their_magic_numbers() {
        for (name, mime) in [("sample.jpg", "image/jpeg"), ("sample.png", "image/png")] {
            let (bytes, _) = crate::files::file(name).unwrap();
            assert_eq!(sniff_image(&bytes), Some(mime), "{name}");
        }
        assert_eq!(sniff_image(b"GIF89a...."), Some("image/gif"));
        assert_eq!(sniff_image(b"RIFF\0\0\0\0WEBPVP8 "), Some("image/webp"));
        assert_eq!(sniff_image(b"RIFF\0\0\0\0WAVE"), None);
        assert_eq!(sniff_image(b"GIF8"), None);
        assert_eq!(sniff_image(b"\x00\x00\x00\x18ftypmp42"), None);
    }
}
