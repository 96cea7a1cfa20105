//! Reading a media file's properties from its own bytes: [`probe`] (the first bytes of a file),
//! [`probe_url`] (HTTP Range requests, without downloading a video's `mdat`) and [`probe_file`]
//! (a file on disk, same walk).
//!
//! # What is read, and by what
//! - JPEG, PNG, GIF, WEBP: width and height by the `imagesize` crate (`image.rs`). Ours: the JPEG
//!   EXIF orientation (5 to 8 swap them); the GIF frames and their delays, and the animated WEBP's
//!   `ANMF` frames (duration and frame rate when animated).
//! - MP4 and MOV (ISO base media): ours, the top-level boxes (`isobmff.rs`): the `ftyp` major brand
//!   (`qt  ` is `mov`, any other `mp4`) and the whole `moov` box, then read by Mozilla's `mp4parse`
//!   (`moov.rs`): the duration, the first video track (`hdlr` `vide`): `tkhd` (display size, rotated
//!   by its matrix), `mdhd` (timescale), `stsd` (codec: `avc1`/`avc3` h264, `hvc1`/`hev1` hevc,
//!   `vp09` vp9, `av01` av1, else the fourcc; ours where mp4parse names none), `stts` (frame rate).
//! - WebM (EBML magic): the format only.
//!
//! # Design constraints
//! Files come from anywhere: every read is bounds-checked, sizes are checked before they are
//! used, and walks are bounded, so a truncated or hostile file gives a [`ProbeError`], never a
//! panic or a loop. When only the head of a larger file is given (`total_len` says so), what lies
//! beyond it (a GIF's later frames, a `moov` after `mdat`) is left unknown rather than an error.

mod image;
mod isobmff;
mod moov;
mod remote;

#[cfg(test)]
mod tests;

pub use remote::{probe_file, probe_url};

use super::MediaInfo;

/// How much [`probe_url`] and [`probe_file`] read first (64 KiB).
pub const HEAD_BYTES: u64 = 64 * 1024;

/// The largest `moov` box [`probe_url`] and [`probe_file`] read (16 MiB; a two-hour film's index is a few MB).
pub const MAX_MOOV_BYTES: u64 = 16 * 1024 * 1024;

/// The largest whole file [`probe_url`] reads from a server that ignores Range requests (16 MiB).
pub const MAX_WHOLE_BYTES: u64 = 16 * 1024 * 1024;

/// How many top-level boxes a walk looks at before giving up on finding `moov`.
const MAX_TOP_BOXES: usize = 64;

/// Why a file's properties could not be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ProbeError {
    #[error("the file is empty")]
    Empty,
    #[error("not a media file: it starts with {0}")]
    NotMedia(String),
    #[error("truncated {format}: {detail}")]
    Truncated { format: &'static str, detail: String },
    #[error("malformed {format}: {detail}")]
    Malformed { format: &'static str, detail: String },
    #[error("could not download it: {0}")]
    Download(String),
    #[error("too large to read: {0}")]
    TooLarge(String),
}

fn truncated(format: &'static str, detail: impl Into<String>) -> ProbeError {
    ProbeError::Truncated {
        format,
        detail: detail.into(),
    }
}

fn malformed(format: &'static str, detail: impl Into<String>) -> ProbeError {
    ProbeError::Malformed {
        format,
        detail: detail.into(),
    }
}

/// Bounds-checked big- and little-endian reads.
#[derive(Clone, Copy)]
struct Buf<'a>(&'a [u8]);

impl<'a> Buf<'a> {
    fn slice(&self, at: usize, len: usize) -> Option<&'a [u8]> {
        self.0.get(at..at.checked_add(len)?)
    }
    fn u8(&self, at: usize) -> Option<u8> {
        self.0.get(at).copied()
    }
    fn be16(&self, at: usize) -> Option<u16> {
        Some(u16::from_be_bytes(self.slice(at, 2)?.try_into().ok()?))
    }
    fn be32(&self, at: usize) -> Option<u32> {
        Some(u32::from_be_bytes(self.slice(at, 4)?.try_into().ok()?))
    }
    fn be64(&self, at: usize) -> Option<u64> {
        Some(u64::from_be_bytes(self.slice(at, 8)?.try_into().ok()?))
    }
    fn le16(&self, at: usize) -> Option<u16> {
        Some(u16::from_le_bytes(self.slice(at, 2)?.try_into().ok()?))
    }
    fn le24(&self, at: usize) -> Option<u32> {
        let b = self.slice(at, 3)?;
        Some(u32::from(b[0]) | u32::from(b[1]) << 8 | u32::from(b[2]) << 16)
    }
    fn le32(&self, at: usize) -> Option<u32> {
        Some(u32::from_le_bytes(self.slice(at, 4)?.try_into().ok()?))
    }
}

/// The properties of a file from its first bytes. `total_len` is the file's full size when known;
/// when it is larger than `head`, only the head is read and what lies beyond it stays unknown.
pub fn probe(head: &[u8], total_len: Option<u64>) -> Result<MediaInfo, ProbeError> {
    if head.is_empty() {
        return Err(ProbeError::Empty);
    }
    let complete = total_len.is_none_or(|t| head.len() as u64 >= t);
    let mut info = match Kind::of(head) {
        Some(Kind::Jpeg) => image::jpeg(head)?,
        Some(Kind::Png) => image::png(head)?,
        Some(Kind::Gif) => image::gif(head, complete)?,
        Some(Kind::Webp) => image::webp(head, complete)?,
        Some(Kind::IsoBmff) => isobmff::iso_bmff(head, complete)?,
        Some(Kind::Webm) => MediaInfo {
            format: Some("webm".into()),
            ..MediaInfo::default()
        },
        None => return Err(ProbeError::NotMedia(shown_start(head))),
    };
    info.bytes = total_len.or(Some(head.len() as u64));
    Ok(info)
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Jpeg,
    Png,
    Gif,
    Webp,
    IsoBmff,
    Webm,
}

impl Kind {
    fn of(head: &[u8]) -> Option<Kind> {
        match head {
            [0xFF, 0xD8, 0xFF, ..] => Some(Kind::Jpeg),
            [0x89, b'P', b'N', b'G', 0x0D, 0x0A, 0x1A, 0x0A, ..] => Some(Kind::Png),
            [b'G', b'I', b'F', b'8', b'7' | b'9', b'a', ..] => Some(Kind::Gif),
            [b'R', b'I', b'F', b'F', _, _, _, _, b'W', b'E', b'B', b'P', ..] => Some(Kind::Webp),
            [_, _, _, _, b'f', b't', b'y', b'p', ..] => Some(Kind::IsoBmff),
            [0x1A, 0x45, 0xDF, 0xA3, ..] => Some(Kind::Webm),
            _ => None,
        }
    }
}

/// The start of a file that is no media, for the message: its text when it reads as text
/// (`<html>`, `{"error"`), else its first bytes in hex.
fn shown_start(head: &[u8]) -> String {
    let text: String = String::from_utf8_lossy(&head[..head.len().min(64)])
        .trim_start()
        .chars()
        .take_while(|c| !c.is_control())
        .take(20)
        .collect();
    if text.chars().count() >= 2 && !text.contains('\u{FFFD}') {
        return text;
    }
    let hex: Vec<String> = head.iter().take(8).map(|b| format!("{b:02x}")).collect();
    format!("the bytes {}", hex.join(" "))
}
