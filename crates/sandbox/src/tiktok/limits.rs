//! TikTok's media rules as the sandbox holds posts to them, each with its source, written on the
//! sandbox's side (the worker's `TikTokRules` are not read: a wrong number there must fail
//! against the sandbox). Sources: TikTok for Developers, Content Posting API, "Media Transfer
//! Guide" (developers.tiktok.com/doc/content-posting-api-media-transfer-guide) and the photo post
//! reference (`photo_images`); `shared/reference/platforms.md` ("TikTok", "Rules").
//!
//! | rule | value |
//! |---|---|
//! | video containers | MP4, WebM, MOV (H.264 recommended, not required) |
//! | video size | at most 4 GB |
//! | video picture | every side 360 to 4096 px |
//! | frame rate | 23 to 60 fps |
//! | video duration | at most the creator's `max_video_post_duration_sec` (`creator_info/query`) |
//! | photo formats | JPEG, WEBP (PNG refused) |
//! | photo size | at most 20 MB |
//! | photos per post | at most 35 |
//! | chunked `FILE_UPLOAD` | chunks 5 MB to 64 MB, the last up to 128 MB |

/// How long TikTok's Open API typically takes to answer, network included: 300 ms for a read,
/// 500 ms for an init, a status fetch (a `POST`) or an upload chunk. An assumption (TikTok
/// publishes no response times).
pub const TYPICAL_LATENCY: crate::latency::Latency = crate::latency::Latency {
    read: std::time::Duration::from_millis(300),
    write: std::time::Duration::from_millis(500),
};

/// The scopes a user can grant an app (`shared/reference/platforms.md`, "TikTok"; developers.tiktok.com
/// `doc/tiktok-api-scopes`): a creator of the sandbox grants them all unless a test says otherwise.
pub const SCOPES: &[&str] = &["user.info.basic", "video.list", "video.publish", "video.upload"];

/// Requests to `/v2/video/list/` and to `/v2/video/query/`, each, in a sliding minute (TikTok's
/// default: developers.tiktok.com `doc/tiktok-api-v2-rate-limit`).
pub const DISPLAY_PER_MINUTE: u32 = 600;

/// Videos a `video/list` page holds unless `max_count` says, and at most; video ids one
/// `video/query` takes (developers.tiktok.com `doc/tiktok-api-v2-video-list`, `-video-query`).
pub const DEFAULT_LIST_COUNT: usize = 10;
pub const MAX_LIST_COUNT: usize = 20;
pub const MAX_QUERY_IDS: usize = 20;

/// Video containers TikTok takes, as [`schedulo_media::MediaInfo::format`] names them.
pub const VIDEO_FORMATS: &[&str] = &["mp4", "webm", "mov"];

/// Bytes of one video (4 GB).
pub const MAX_VIDEO_BYTES: u64 = 4 * 1024 * 1024 * 1024;

/// Pixels of a video's shorter side, at least, and of its longer side, at most.
pub const MIN_VIDEO_SIDE_PX: u32 = 360;
pub const MAX_VIDEO_SIDE_PX: u32 = 4096;

/// Frames per second, at least and at most.
pub const MIN_FRAME_RATE: f64 = 23.0;
pub const MAX_FRAME_RATE: f64 = 60.0;

/// Photo formats TikTok takes.
pub const PHOTO_FORMATS: &[&str] = &["jpeg", "webp"];

/// Bytes of one photo (20 MB).
pub const MAX_PHOTO_BYTES: u64 = 20 * 1024 * 1024;

/// Photos in one post.
pub const MAX_PHOTOS: usize = 35;

/// 5 MB: the smallest chunk of a `FILE_UPLOAD`, and the size under which a video goes whole.
pub const MIN_CHUNK: u64 = 5 * 1024 * 1024;
/// 64 MB: the largest chunk but the last.
pub const MAX_CHUNK: u64 = 64 * 1024 * 1024;
/// 128 MB: the largest last chunk.
pub const MAX_LAST_CHUNK: u64 = 128 * 1024 * 1024;
