//! Image headers: JPEG (SOF, EXIF orientation), PNG (IHDR), GIF (screen, frames, delays), WEBP
//! (`VP8 `, `VP8L`, `VP8X` and `ANMF` frames).

use super::{malformed, truncated, Buf, ProbeError};
use crate::MediaInfo;

// ---------------------------------------------------------------- JPEG

pub(super) fn jpeg(head: &[u8]) -> Result<MediaInfo, ProbeError> {
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

pub(super) fn png(head: &[u8]) -> Result<MediaInfo, ProbeError> {
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

pub(super) fn gif(head: &[u8], complete: bool) -> Result<MediaInfo, ProbeError> {
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

pub(super) fn webp(head: &[u8], complete: bool) -> Result<MediaInfo, ProbeError> {
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
