//! Media files as the platforms' rules see them: [`MediaInfo`], the properties of one file (as
//! Cloudinary reports them, or as read from the file itself).
//!
//! This crate knows what a file *is*, never what a platform allows: the worker's rules and the
//! sandboxes' stand-ins both read files through it and judge them by their own rules.
//!
//! # Layout
//! - [`probe`]: a file's properties from its first bytes (JPEG, PNG, GIF, WEBP, MP4/MOV), from
//!   memory, a file, or a URL read with HTTP Range requests.
//! - [`synth`]: synthetic but valid files (JPEG, MP4/MOV) for the sandboxes and tests.
//! - [`MediaInfo`], [`file_name`]: the properties, and a URL's file name for messages.
//!
//! # Crates, and our own code
//! - `imagesize` reads every image's width and height. Ours: the JPEG EXIF orientation, the GIF
//!   frames and delays, the animated WEBP frames (it reads none of these), and the checks that
//!   make a message say what is wrong and where.
//! - `mp4parse` (Mozilla's) reads the `moov` box: the tracks, `tkhd` (size and rotation matrix),
//!   `mdhd`, `stts` (frame rate), `stsd` (H.264, VP9, AV1, VP8, MPEG-4, H.263). Ours: the top-level
//!   walk (the `ftyp` brand, which mp4parse keeps private, and where `moov` lies, for the Range
//!   reads of [`probe::probe_url`]); the duration (mp4parse keeps `mvhd`'s private: the longest
//!   `tkhd` duration is taken, equal to it by definition); the codec from the sample entry's fourcc
//!   where mp4parse gives `Unknown` (HEVC, which it does not know; ProRes; any entry without its
//!   configuration box). AAC audio, which mp4parse reports, has no field in [`MediaInfo`].

pub mod probe;
pub mod synth;

use serde::{Deserialize, Serialize};

/// What is known of one media file. Every property is optional: a rule whose property is unknown
/// is not checked before the call (the platform then checks it itself).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct MediaInfo {
    /// Size in bytes.
    pub bytes: Option<u64>,
    /// Pixels, as displayed (after rotation).
    pub width: Option<u32>,
    pub height: Option<u32>,
    /// Video and animation length, in seconds.
    pub duration_secs: Option<f64>,
    /// The container or image format, lower case: `jpeg`, `png`, `gif`, `webp`, `mp4`, `mov`, `webm`.
    pub format: Option<String>,
    /// The video codec, lower case: `h264`, `hevc`, `vp9`, `av1`.
    pub video_codec: Option<String>,
    /// Frames per second.
    pub frame_rate: Option<f64>,
}

/// The last segment of a URL's path (without query or fragment), for messages that name a file.
pub fn file_name(url: &str) -> &str {
    let path = url.split(['?', '#']).next().unwrap_or(url);
    path.rsplit('/').find(|s| !s.is_empty()).unwrap_or(url)
}

impl MediaInfo {
    /// Width divided by height, when both are known.
    pub fn aspect_ratio(&self) -> Option<f64> {
        match (self.width, self.height) {
            (Some(w), Some(h)) if h > 0 => Some(f64::from(w) / f64::from(h)),
            _ => None,
        }
    }
}
