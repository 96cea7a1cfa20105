//! Reading a media file's properties from its own bytes: [`probe`] (the first bytes of a file),
//! [`probe_url`] (HTTP Range requests, without downloading a video's `mdat`) and [`probe_file`]
//! (a file on disk, same walk).
//!
//! # What is read
//! - JPEG: the first SOF marker (width, height); the EXIF orientation (5 to 8 swap them).
//! - PNG: IHDR. WEBP: `VP8 `, `VP8L` or `VP8X` (and the `ANMF` frames' durations when animated).
//! - GIF: the logical screen; the frames and their delays (duration and frame rate when animated).
//! - MP4 and MOV (ISO base media): the top-level boxes; `moov/mvhd` (duration), the first video
//!   track (`hdlr` `vide`): `tkhd` (display size, rotated by its matrix), `mdhd` (timescale),
//!   `stsd` (codec: `avc1`/`avc3` h264, `hvc1`/`hev1` hevc, `vp09` vp9, `av01` av1, else the
//!   fourcc), `stts` (frame rate). The `ftyp` major brand `qt  ` is `mov`, any other `mp4`.
//! - WebM (EBML magic): the format only.
//!
//! # Design constraints
//! Files come from anywhere: every read is bounds-checked, sizes are checked before they are
//! used, and walks are bounded, so a truncated or hostile file gives a [`ProbeError`], never a
//! panic or a loop. When only the head of a larger file is given (`total_len` says so), what lies
//! beyond it (a GIF's later frames, a `moov` after `mdat`) is left unknown rather than an error.

use super::MediaInfo;
use std::future::Future;
use std::time::Duration;

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
        Some(Kind::Jpeg) => jpeg(head)?,
        Some(Kind::Png) => png(head)?,
        Some(Kind::Gif) => gif(head, complete)?,
        Some(Kind::Webp) => webp(head, complete)?,
        Some(Kind::IsoBmff) => iso_bmff(head, complete)?,
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

// ---------------------------------------------------------------- JPEG

fn jpeg(head: &[u8]) -> Result<MediaInfo, ProbeError> {
    const F: &str = "JPEG";
    let b = Buf(head);
    let mut orientation = 1;
    let mut i = 2;
    loop {
        let marker_at = i;
        let Some(first) = b.u8(i) else {
            return Err(truncated(
                F,
                format!("no frame header in its first {} bytes", head.len()),
            ));
        };
        if first != 0xFF {
            return Err(malformed(F, format!("expected a marker at byte {marker_at}")));
        }
        // Fill bytes (0xFF) may precede a marker.
        let mut marker = 0xFF;
        while marker == 0xFF {
            i += 1;
            marker = b.u8(i).ok_or_else(|| truncated(F, "it ends inside a marker"))?;
        }
        i += 1;
        if matches!(marker, 0x01 | 0xD0..=0xD7) {
            continue; // markers without a length
        }
        if matches!(marker, 0xD9 | 0xDA) {
            return Err(malformed(F, "image data starts before any frame header"));
        }
        let len = usize::from(
            b.be16(i)
                .ok_or_else(|| truncated(F, "it ends inside a segment length"))?,
        );
        if len < 2 {
            return Err(malformed(F, format!("a segment length of {len} at byte {i}")));
        }
        let is_frame = matches!(marker, 0xC0..=0xCF) && !matches!(marker, 0xC4 | 0xC8 | 0xCC);
        if is_frame {
            let (Some(height), Some(width)) = (b.be16(i + 3), b.be16(i + 5)) else {
                return Err(truncated(F, "it ends inside the frame header"));
            };
            if width == 0 || height == 0 {
                return Err(malformed(F, format!("a frame of {width}x{height}")));
            }
            let (w, h) = (u32::from(width), u32::from(height));
            let (w, h) = if (5..=8).contains(&orientation) { (h, w) } else { (w, h) };
            return Ok(MediaInfo {
                width: Some(w),
                height: Some(h),
                format: Some("jpeg".into()),
                ..MediaInfo::default()
            });
        }
        if marker == 0xE1 {
            if let Some(segment) = b.slice(i + 2, len - 2) {
                orientation = exif_orientation(segment).unwrap_or(orientation);
            }
        }
        i += len;
    }
}

/// The orientation tag (0x0112) of an APP1 `Exif` segment's first IFD, if present and sane.
fn exif_orientation(segment: &[u8]) -> Option<u16> {
    let tiff = Buf(segment.strip_prefix(b"Exif\0\0")?);
    let little = match tiff.slice(0, 2)? {
        b"II" => true,
        b"MM" => false,
        _ => return None,
    };
    let r16 = |at| if little { tiff.le16(at) } else { tiff.be16(at) };
    let r32 = |at| if little { tiff.le32(at) } else { tiff.be32(at) };
    let ifd = usize::try_from(r32(4)?).ok()?;
    let entries = usize::from(r16(ifd)?).min(512);
    (0..entries)
        .find_map(|n| {
            let entry = ifd.checked_add(2 + n * 12)?;
            (r16(entry)? == 0x0112).then(|| r16(entry + 8)).flatten()
        })
        .filter(|o| (1..=8).contains(o))
}

// ---------------------------------------------------------------- PNG

fn png(head: &[u8]) -> Result<MediaInfo, ProbeError> {
    let b = Buf(head);
    if head.len() < 24 {
        return Err(truncated("PNG", "it ends before its IHDR chunk"));
    }
    if b.slice(12, 4) != Some(b"IHDR") {
        return Err(malformed("PNG", "its first chunk is not IHDR"));
    }
    let (width, height) = (b.be32(16).unwrap_or(0), b.be32(20).unwrap_or(0));
    if width == 0 || height == 0 {
        return Err(malformed("PNG", format!("an image of {width}x{height}")));
    }
    Ok(MediaInfo {
        width: Some(width),
        height: Some(height),
        format: Some("png".into()),
        ..MediaInfo::default()
    })
}

// ---------------------------------------------------------------- GIF

fn gif(head: &[u8], complete: bool) -> Result<MediaInfo, ProbeError> {
    const F: &str = "GIF";
    let b = Buf(head);
    let (Some(width), Some(height), Some(packed)) = (b.le16(6), b.le16(8), b.u8(10)) else {
        return Err(truncated(F, "it ends inside the logical screen descriptor"));
    };
    let mut info = MediaInfo {
        width: Some(u32::from(width)),
        height: Some(u32::from(height)),
        format: Some("gif".into()),
        ..MediaInfo::default()
    };
    let mut i = 13 + color_table_len(packed);
    let mut frames: u64 = 0;
    let mut delay_cs: u64 = 0;
    let mut pending_delay: u64 = 0;
    loop {
        let Some(block) = b.u8(i) else {
            if complete {
                return Err(truncated(
                    F,
                    format!("it ends after {frames} frames, without a trailer"),
                ));
            }
            return Ok(info); // the rest of the file was not given: duration unknown
        };
        match block {
            0x3B => break,
            0x21 => {
                let label = b.u8(i + 1);
                if label == Some(0xF9) {
                    if let Some(delay) = b.le16(i + 4) {
                        pending_delay = u64::from(delay);
                    }
                }
                match skip_sub_blocks(head, i + 2) {
                    Some(next) => i = next,
                    None if complete => return Err(truncated(F, "it ends inside an extension")),
                    None => return Ok(info),
                }
            }
            0x2C => {
                let Some(packed) = b.u8(i + 9) else {
                    if complete {
                        return Err(truncated(F, "it ends inside an image descriptor"));
                    }
                    return Ok(info);
                };
                frames += 1;
                delay_cs += pending_delay;
                pending_delay = 0;
                // Descriptor (10), local color table, LZW minimum code size (1), data sub-blocks.
                match skip_sub_blocks(head, i + 10 + color_table_len(packed) + 1) {
                    Some(next) => i = next,
                    None if complete => return Err(truncated(F, format!("it ends inside frame {frames}"))),
                    None => return Ok(info),
                }
            }
            other => return Err(malformed(F, format!("an unknown block 0x{other:02x} at byte {i}"))),
        }
    }
    if frames == 0 {
        return Err(malformed(F, "it has no image"));
    }
    if frames > 1 {
        // The delays as written (browsers show delays under 2/100 s as 1/10 s; X's docs do not say).
        let secs = delay_cs as f64 / 100.0;
        info.duration_secs = Some(secs);
        info.frame_rate = (secs > 0.0).then(|| frames as f64 / secs);
    }
    Ok(info)
}

/// The size of a color table a packed byte announces (its high bit set), else 0.
fn color_table_len(packed: u8) -> usize {
    if packed & 0x80 == 0 {
        0
    } else {
        3 << ((packed & 0x07) + 1)
    }
}

/// Where the data sub-blocks starting at `at` end (after their zero-length terminator).
fn skip_sub_blocks(bytes: &[u8], mut at: usize) -> Option<usize> {
    loop {
        let len = usize::from(*bytes.get(at)?);
        at += 1;
        if len == 0 {
            return Some(at);
        }
        at += len;
    }
}

// ---------------------------------------------------------------- WEBP

fn webp(head: &[u8], complete: bool) -> Result<MediaInfo, ProbeError> {
    const F: &str = "WEBP";
    let b = Buf(head);
    let mut info = MediaInfo {
        format: Some("webp".into()),
        ..MediaInfo::default()
    };
    let Some(fourcc) = b.slice(12, 4) else {
        return Err(truncated(F, "it ends before its first chunk"));
    };
    let d = 20; // the first chunk's data
    let (width, height) = match fourcc {
        b"VP8 " => {
            if b.slice(d + 3, 3) != Some(&[0x9D, 0x01, 0x2A]) {
                return Err(if head.len() < d + 10 {
                    truncated(F, "it ends inside the VP8 frame header")
                } else {
                    malformed(F, "no VP8 start code")
                });
            }
            let (Some(w), Some(h)) = (b.le16(d + 6), b.le16(d + 8)) else {
                return Err(truncated(F, "it ends inside the VP8 frame header"));
            };
            (u32::from(w & 0x3FFF), u32::from(h & 0x3FFF))
        }
        b"VP8L" => {
            let (Some(signature), Some(bits)) = (b.u8(d), b.le32(d + 1)) else {
                return Err(truncated(F, "it ends inside the VP8L header"));
            };
            if signature != 0x2F {
                return Err(malformed(F, "no VP8L signature"));
            }
            ((bits & 0x3FFF) + 1, ((bits >> 14) & 0x3FFF) + 1)
        }
        b"VP8X" => {
            let (Some(flags), Some(w), Some(h)) = (b.u8(d), b.le24(d + 4), b.le24(d + 7)) else {
                return Err(truncated(F, "it ends inside the VP8X header"));
            };
            if flags & 0x02 != 0 {
                animation(head, complete, &mut info)?;
            }
            (w + 1, h + 1)
        }
        other => {
            return Err(malformed(
                F,
                format!("an unknown first chunk {:?}", String::from_utf8_lossy(other)),
            ))
        }
    };
    if width == 0 || height == 0 {
        return Err(malformed(F, format!("an image of {width}x{height}")));
    }
    info.width = Some(width);
    info.height = Some(height);
    Ok(info)
}

/// The duration and frame rate of an animated WEBP: the `ANMF` chunks' durations (milliseconds).
fn animation(head: &[u8], complete: bool, info: &mut MediaInfo) -> Result<(), ProbeError> {
    let b = Buf(head);
    let (mut at, mut frames, mut ms) = (12usize, 0u64, 0u64);
    while at < head.len() {
        let (Some(fourcc), Some(size)) = (b.slice(at, 4), b.le32(at + 4)) else {
            break;
        };
        if fourcc == b"ANMF" {
            match b.le24(at + 8 + 12) {
                Some(d) => {
                    frames += 1;
                    ms += u64::from(d);
                }
                None => break,
            }
        }
        // Chunks are padded to an even size.
        let Some(next) = usize::try_from(size).ok().and_then(|s| at.checked_add(8 + s + (s & 1))) else {
            return Err(malformed("WEBP", format!("a chunk size of {size}")));
        };
        at = next;
    }
    if at < head.len() || (at > head.len() && complete) {
        if complete {
            return Err(truncated("WEBP", "it ends inside an animation frame"));
        }
        return Ok(());
    }
    if complete && frames > 0 {
        let secs = ms as f64 / 1000.0;
        info.duration_secs = Some(secs);
        info.frame_rate = (secs > 0.0).then(|| frames as f64 / secs);
    }
    Ok(())
}

// ---------------------------------------------------------------- ISO base media (MP4, MOV)

const MP4: &str = "MP4";

/// A box header: its type, where its payload starts (relative to the box) and its whole size
/// (`None`: it runs to the end of its parent).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct BoxHeader {
    kind: [u8; 4],
    header_len: u64,
    size: Option<u64>,
}

/// The header of the box at the start of `bytes`; `None` when `bytes` is too short to hold it.
fn box_header(bytes: &[u8]) -> Result<Option<BoxHeader>, ProbeError> {
    let b = Buf(bytes);
    let (Some(size), Some(kind)) = (b.be32(0), b.slice(4, 4)) else {
        return Ok(None);
    };
    let kind: [u8; 4] = kind.try_into().unwrap_or(*b"    ");
    let (size, header_len) = match size {
        0 => (None, 8),
        1 => match b.be64(8) {
            Some(large) => (Some(large), 16),
            None => return Ok(None),
        },
        n => (Some(u64::from(n)), 8),
    };
    if size.is_some_and(|s| s < header_len) {
        return Err(malformed(
            MP4,
            format!("the box {} has a size of {}", fourcc(&kind), size.unwrap_or(0)),
        ));
    }
    Ok(Some(BoxHeader { kind, header_len, size }))
}

fn fourcc(kind: &[u8]) -> String {
    kind.iter()
        .map(|&c| {
            if c.is_ascii_graphic() || c == b' ' {
                c as char
            } else {
                '?'
            }
        })
        .collect()
}

/// A child box: its type and payload.
type Child<'a> = ([u8; 4], &'a [u8]);

/// The children of a box's payload.
fn children(payload: &[u8]) -> Result<Vec<Child<'_>>, ProbeError> {
    let mut out = Vec::new();
    let mut at = 0usize;
    while at < payload.len() {
        let rest = &payload[at..];
        let header = box_header(rest)?
            .ok_or_else(|| truncated(MP4, format!("a box header is cut short inside {} bytes", payload.len())))?;
        let size = match header.size {
            Some(s) => usize::try_from(s).map_err(|_| malformed(MP4, "a box larger than memory"))?,
            None => rest.len(),
        };
        let Some(whole) = rest.get(..size) else {
            return Err(truncated(
                MP4,
                format!(
                    "the box {} needs {size} bytes, {} remain",
                    fourcc(&header.kind),
                    rest.len()
                ),
            ));
        };
        out.push((header.kind, &whole[header.header_len as usize..]));
        at += size;
        if out.len() > 10_000 {
            return Err(malformed(MP4, "more than 10,000 boxes in one box"));
        }
    }
    Ok(out)
}

fn child<'a>(payload: &'a [u8], kind: &[u8; 4]) -> Result<Option<&'a [u8]>, ProbeError> {
    Ok(children(payload)?.into_iter().find(|(k, _)| k == kind).map(|(_, p)| p))
}

/// What the top-level walk found in the head of an ISO base media file.
struct TopLevel<'a> {
    brand: Option<[u8; 4]>,
    moov: Option<&'a [u8]>,
}

fn iso_bmff(head: &[u8], complete: bool) -> Result<MediaInfo, ProbeError> {
    let top = top_level(head, complete)?;
    let format = container_format(top.brand);
    match top.moov {
        Some(moov) => from_moov(format, moov),
        None if complete => Err(malformed(MP4, "it has no moov box")),
        None => Ok(MediaInfo {
            format: Some(format.into()),
            ..MediaInfo::default()
        }),
    }
}

fn container_format(brand: Option<[u8; 4]>) -> &'static str {
    if brand == Some(*b"qt  ") {
        "mov"
    } else {
        "mp4"
    }
}

/// Walks the top-level boxes in `head`: the `ftyp` brand and the `moov` payload when it is whole.
fn top_level(head: &[u8], complete: bool) -> Result<TopLevel<'_>, ProbeError> {
    let mut found = TopLevel {
        brand: None,
        moov: None,
    };
    let mut at = 0usize;
    for _ in 0..MAX_TOP_BOXES {
        let rest = &head[at..];
        let Some(header) = box_header(rest)? else {
            if complete && !rest.is_empty() {
                return Err(truncated(MP4, "it ends inside a box header"));
            }
            return Ok(found);
        };
        let size = header.size.map_or(rest.len() as u64, |s| s);
        let hl = header.header_len as usize;
        match &header.kind {
            b"ftyp" => found.brand = Buf(rest).slice(hl, 4).and_then(|b| b.try_into().ok()),
            b"moov" => {
                return match usize::try_from(size).ok().and_then(|s| rest.get(hl..s)) {
                    Some(payload) => {
                        found.moov = Some(payload);
                        Ok(found)
                    }
                    None if complete => Err(truncated(
                        MP4,
                        format!("the moov box needs {size} bytes, {} remain", rest.len()),
                    )),
                    None => Ok(found),
                };
            }
            _ => {}
        }
        match usize::try_from(size).ok().and_then(|s| at.checked_add(s)) {
            Some(next) if next < head.len() && header.size.is_some() => at = next,
            _ => return Ok(found),
        }
    }
    Err(malformed(
        MP4,
        format!("no moov box among its first {MAX_TOP_BOXES} boxes"),
    ))
}

/// The properties in a `moov` payload.
fn from_moov(format: &str, moov: &[u8]) -> Result<MediaInfo, ProbeError> {
    let mut info = MediaInfo {
        format: Some(format.into()),
        ..MediaInfo::default()
    };
    let boxes = children(moov)?;
    let Some((_, mvhd)) = boxes.iter().find(|(k, _)| k == b"mvhd") else {
        return Err(malformed(MP4, "its moov box has no mvhd"));
    };
    {
        let b = Buf(mvhd);
        let (timescale, duration) = match b.u8(0) {
            Some(1) => (b.be32(20), b.be64(24)),
            _ => (b.be32(12), b.be32(16).map(u64::from)),
        };
        let (Some(timescale), Some(duration)) = (timescale, duration) else {
            return Err(truncated(MP4, "the mvhd box is cut short"));
        };
        info.duration_secs = seconds(duration, timescale);
    }
    for (_, trak) in boxes.iter().filter(|(k, _)| k == b"trak") {
        if let Some(video) = video_track(trak)? {
            info.width = video.width;
            info.height = video.height;
            info.video_codec = video.codec;
            info.frame_rate = video.frame_rate;
            if info.duration_secs.is_none() {
                info.duration_secs = video.duration_secs;
            }
            break;
        }
    }
    Ok(info)
}

/// A duration in seconds; 0 and all-ones mean unknown (fragmented files, live streams).
fn seconds(duration: u64, timescale: u32) -> Option<f64> {
    (timescale > 0 && duration > 0 && duration != u64::from(u32::MAX) && duration != u64::MAX)
        .then(|| duration as f64 / f64::from(timescale))
}

#[derive(Debug, Default)]
struct VideoTrack {
    width: Option<u32>,
    height: Option<u32>,
    codec: Option<String>,
    frame_rate: Option<f64>,
    duration_secs: Option<f64>,
}

/// The track's properties when it is a video track (`hdlr` `vide`).
fn video_track(trak: &[u8]) -> Result<Option<VideoTrack>, ProbeError> {
    let Some(mdia) = child(trak, b"mdia")? else {
        return Ok(None);
    };
    let is_video = child(mdia, b"hdlr")?.and_then(|h| Buf(h).slice(8, 4)) == Some(b"vide");
    if !is_video {
        return Ok(None);
    }
    let mut track = VideoTrack::default();
    if let Some(tkhd) = child(trak, b"tkhd")? {
        let (w, h) = display_size(tkhd)?;
        track.width = (w > 0).then_some(w);
        track.height = (h > 0).then_some(h);
    }
    let mut timescale = None;
    if let Some(mdhd) = child(mdia, b"mdhd")? {
        let b = Buf(mdhd);
        let (scale, duration) = match b.u8(0) {
            Some(1) => (b.be32(20), b.be64(24)),
            _ => (b.be32(12), b.be32(16).map(u64::from)),
        };
        let (Some(scale), Some(duration)) = (scale, duration) else {
            return Err(truncated(MP4, "the mdhd box is cut short"));
        };
        timescale = Some(scale);
        track.duration_secs = seconds(duration, scale);
    }
    let Some(stbl) = child(mdia, b"minf")?.map(|m| child(m, b"stbl")).transpose()?.flatten() else {
        return Ok(Some(track));
    };
    if let Some(stsd) = child(stbl, b"stsd")? {
        // version+flags (4), entry count (4), then the first sample entry (a box).
        if let Some(entry) = stsd.get(8..) {
            if let Some(header) = box_header(entry)? {
                track.codec = Some(codec_name(&header.kind));
                let e = Buf(entry);
                if track.width.is_none() || track.height.is_none() {
                    let (w, h) = (e.be16(32), e.be16(34));
                    track.width = w.filter(|w| *w > 0).map(u32::from);
                    track.height = h.filter(|h| *h > 0).map(u32::from);
                }
            }
        }
    }
    if let (Some(stts), Some(scale)) = (child(stbl, b"stts")?, timescale) {
        track.frame_rate = frame_rate(stts, scale)?;
    }
    Ok(Some(track))
}

/// The size a track is shown at: `tkhd` width and height (16.16 fixed point), swapped when its
/// matrix turns the picture a quarter turn.
fn display_size(tkhd: &[u8]) -> Result<(u32, u32), ProbeError> {
    let b = Buf(tkhd);
    let matrix = if b.u8(0) == Some(1) { 52 } else { 40 };
    let (Some(a), Some(bm), Some(w), Some(h)) = (
        b.be32(matrix),
        b.be32(matrix + 4),
        b.be32(matrix + 36),
        b.be32(matrix + 40),
    ) else {
        return Err(truncated(MP4, "the tkhd box is cut short"));
    };
    let (w, h) = (w >> 16, h >> 16);
    let quarter_turn = a == 0 && bm != 0;
    Ok(if quarter_turn { (h, w) } else { (w, h) })
}

/// Frames per second from `stts`: samples divided by their total duration.
fn frame_rate(stts: &[u8], timescale: u32) -> Result<Option<f64>, ProbeError> {
    let b = Buf(stts);
    let Some(count) = b.be32(4) else {
        return Err(truncated(MP4, "the stts box is cut short"));
    };
    let (mut samples, mut ticks) = (0u64, 0u64);
    for n in 0..count as usize {
        let at = 8 + n * 8;
        let (Some(c), Some(delta)) = (b.be32(at), b.be32(at + 4)) else {
            return Err(truncated(
                MP4,
                format!("the stts box holds fewer than its {count} entries"),
            ));
        };
        samples = samples.saturating_add(u64::from(c));
        ticks = ticks.saturating_add(u64::from(c).saturating_mul(u64::from(delta)));
    }
    Ok((samples > 0 && ticks > 0 && timescale > 0).then(|| samples as f64 * f64::from(timescale) / ticks as f64))
}

/// `h264`, `hevc`, `vp9`, `av1`, `mpeg4`, `prores`; other fourccs as they are, trimmed.
fn codec_name(kind: &[u8; 4]) -> String {
    match kind {
        b"avc1" | b"avc3" => "h264".into(),
        b"hvc1" | b"hev1" => "hevc".into(),
        b"vp09" => "vp9".into(),
        b"av01" => "av1".into(),
        b"mp4v" => "mpeg4".into(),
        b"apcn" | b"apch" | b"apcs" | b"apco" | b"ap4h" => "prores".into(),
        other => fourcc(other).trim().to_ascii_lowercase(),
    }
}

// ---------------------------------------------------------------- reading from elsewhere

/// Where bytes of a file come from, by range: a URL (Range requests) or a file on disk.
trait RangeSource {
    /// `len` bytes from `start` (fewer only at the end of the file).
    fn read(&mut self, start: u64, len: u64) -> impl Future<Output = Result<Vec<u8>, ProbeError>> + Send;
}

/// Probes `head` (the file's first bytes, of `total` in all); when it is an MP4 whose `moov` lies
/// beyond the head, walks the top-level box headers with small reads and reads only `moov`.
async fn probe_source<S: RangeSource>(source: &mut S, head: &[u8], total: u64) -> Result<MediaInfo, ProbeError> {
    let complete = head.len() as u64 >= total;
    if complete || Kind::of(head) != Some(Kind::IsoBmff) {
        return probe(head, Some(total));
    }
    let top = top_level(head, false)?;
    let format = container_format(top.brand);
    if let Some(moov) = top.moov {
        let mut info = from_moov(format, moov)?;
        info.bytes = Some(total);
        return Ok(info);
    }
    let mut at = 0u64;
    for _ in 0..MAX_TOP_BOXES {
        if at + 8 > total {
            break;
        }
        let bytes = match usize::try_from(at)
            .ok()
            .and_then(|a| head.get(a..))
            .filter(|r| r.len() >= 16)
        {
            Some(in_head) => in_head[..16].to_vec(),
            None => source.read(at, 16.min(total - at)).await?,
        };
        let Some(header) = box_header(&bytes)? else {
            return Err(truncated(MP4, format!("it ends inside a box header at byte {at}")));
        };
        let size = header.size.unwrap_or(total - at);
        if &header.kind == b"moov" {
            if size > MAX_MOOV_BYTES {
                return Err(ProbeError::TooLarge(format!(
                    "its moov box has {size} bytes; at most {MAX_MOOV_BYTES} are read"
                )));
            }
            if at + size > total {
                return Err(truncated(
                    MP4,
                    format!("the moov box needs {size} bytes, {} remain", total - at),
                ));
            }
            let moov = source.read(at, size).await?;
            let payload = usize::try_from(header.header_len)
                .ok()
                .and_then(|hl| moov.get(hl..))
                .filter(|_| moov.len() as u64 == size)
                .ok_or_else(|| truncated(MP4, "the moov box came back short"))?;
            let mut info = from_moov(format, payload)?;
            info.bytes = Some(total);
            return Ok(info);
        }
        at = at.saturating_add(size);
        if at >= total {
            break;
        }
    }
    Err(malformed(MP4, "it has no moov box"))
}

/// The properties of the file at `url`, read with HTTP Range requests: the first 64 KiB, then for
/// an MP4 whose `moov` comes after `mdat`, the top-level box headers and `moov` alone. A server
/// that ignores Range (200 with the whole body) is read whole up to [`MAX_WHOLE_BYTES`].
/// `timeout` bounds the whole probe. No credentials are sent.
pub async fn probe_url(http: &reqwest::Client, url: &str, timeout: Duration) -> Result<MediaInfo, ProbeError> {
    let url = reqwest::Url::parse(url).map_err(|e| ProbeError::Download(format!("the URL is invalid ({e})")))?;
    match tokio::time::timeout(timeout, probe_url_within(http, url)).await {
        Ok(result) => result,
        Err(_) => Err(ProbeError::Download(format!(
            "no answer within {} s",
            timeout.as_secs_f64()
        ))),
    }
}

async fn probe_url_within(http: &reqwest::Client, url: reqwest::Url) -> Result<MediaInfo, ProbeError> {
    let mut source = HttpSource {
        http: http.clone(),
        url,
    };
    let first = source.get(0, HEAD_BYTES, true).await?;
    match first {
        Fetched::Whole(body) => probe(&body, Some(body.len() as u64)),
        Fetched::Part { bytes, total } => {
            let total = total.unwrap_or(bytes.len() as u64);
            probe_source(&mut source, &bytes, total).await
        }
    }
}

struct HttpSource {
    http: reqwest::Client,
    url: reqwest::Url,
}

enum Fetched {
    /// The server ignored the Range header and sent the whole file.
    Whole(Vec<u8>),
    /// A 206: the bytes asked for, and the file's size when `Content-Range` gives it.
    Part { bytes: Vec<u8>, total: Option<u64> },
}

impl HttpSource {
    async fn get(&self, start: u64, len: u64, whole_allowed: bool) -> Result<Fetched, ProbeError> {
        let last = start + len.max(1) - 1;
        let mut response = self
            .http
            .get(self.url.clone())
            .header(reqwest::header::RANGE, format!("bytes={start}-{last}"))
            .send()
            .await
            .map_err(|e| ProbeError::Download(cause(e)))?;
        let status = response.status().as_u16();
        match status {
            206 => {}
            200 if whole_allowed => {}
            200 => {
                return Err(ProbeError::Download(
                    "the server stopped honouring Range requests".into(),
                ))
            }
            416 => return Err(ProbeError::Empty),
            other => return Err(ProbeError::Download(format!("HTTP {other}"))),
        }
        let total = if status == 206 {
            let (first, total) = content_range(response.headers());
            if first.is_some_and(|f| f != start) {
                return Err(ProbeError::Download(format!(
                    "asked for the bytes from {start}, the server sent others"
                )));
            }
            total
        } else {
            response.content_length()
        };
        let cap = if status == 206 { len } else { MAX_WHOLE_BYTES };
        if status == 200 && total.is_some_and(|t| t > cap) {
            return Err(ProbeError::TooLarge(format!(
                "the server ignores Range requests and the file has {} bytes; at most {cap} are read whole",
                total.unwrap_or(0)
            )));
        }
        let mut bytes = Vec::new();
        while let Some(chunk) = response.chunk().await.map_err(|e| ProbeError::Download(cause(e)))? {
            bytes.extend_from_slice(&chunk);
            if bytes.len() as u64 > cap {
                if status == 206 {
                    bytes.truncate(cap as usize);
                    break;
                }
                return Err(ProbeError::TooLarge(format!(
                    "the server ignores Range requests and the file is larger than {cap} bytes"
                )));
            }
        }
        Ok(if status == 200 {
            Fetched::Whole(bytes)
        } else {
            Fetched::Part { bytes, total }
        })
    }
}

impl RangeSource for HttpSource {
    async fn read(&mut self, start: u64, len: u64) -> Result<Vec<u8>, ProbeError> {
        match self.get(start, len, false).await? {
            Fetched::Part { bytes, .. } => Ok(bytes),
            Fetched::Whole(_) => Err(ProbeError::Download(
                "the server stopped honouring Range requests".into(),
            )),
        }
    }
}

/// The first byte and the size of `Content-Range: bytes 0-65535/1234567` (`*`: size unknown).
fn content_range(headers: &reqwest::header::HeaderMap) -> (Option<u64>, Option<u64>) {
    let Some(value) = headers
        .get(reqwest::header::CONTENT_RANGE)
        .and_then(|v| v.to_str().ok())
    else {
        return (None, None);
    };
    let Some((range, total)) = value.trim().trim_start_matches("bytes").trim().split_once('/') else {
        return (None, None);
    };
    let first = range.split_once('-').and_then(|(a, _)| a.trim().parse().ok());
    (first, total.trim().parse().ok())
}

/// A download failure without the URL (it may carry a signed query).
fn cause(error: reqwest::Error) -> String {
    if error.is_timeout() {
        return "no answer in time".into();
    }
    let error = error.without_url();
    let mut cause = error.to_string();
    let mut source = std::error::Error::source(&error);
    while let Some(s) = source {
        cause = s.to_string();
        source = s.source();
    }
    cause
}

/// The properties of a file on disk: its head and size, and for an MP4 whose `moov` lies beyond
/// the head, `moov` found by its top-level box headers.
pub async fn probe_file(file: &mut tokio::fs::File) -> Result<MediaInfo, ProbeError> {
    let total = file
        .metadata()
        .await
        .map_err(|e| ProbeError::Download(format!("could not read the file: {e}")))?
        .len();
    let mut source = FileSource { file };
    let head = source.read(0, HEAD_BYTES.min(total)).await?;
    probe_source(&mut source, &head, total).await
}

struct FileSource<'a> {
    file: &'a mut tokio::fs::File,
}

impl RangeSource for FileSource<'_> {
    async fn read(&mut self, start: u64, len: u64) -> Result<Vec<u8>, ProbeError> {
        use tokio::io::{AsyncReadExt, AsyncSeekExt};
        let failed = |e: std::io::Error| ProbeError::Download(format!("could not read the file: {e}"));
        self.file.seek(std::io::SeekFrom::Start(start)).await.map_err(failed)?;
        let mut bytes = Vec::new();
        (&mut *self.file)
            .take(len)
            .read_to_end(&mut bytes)
            .await
            .map_err(failed)?;
        Ok(bytes)
    }
}

#[cfg(test)]
#[path = "probe_tests.rs"]
mod tests;
