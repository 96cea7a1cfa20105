//! Image headers. Width, height and format come from the `imagesize` crate; what it does not
//! read stays ours: the JPEG EXIF orientation (5 to 8 swap width and height), the GIF frames and
//! their delays, the animated WEBP's `ANMF` frames (duration and frame rate).

use super::{malformed, truncated, Buf, ProbeError};
use crate::MediaInfo;

/// Width and height as `imagesize` reads them from `head`; a header it cannot finish is an error
/// that names the format and what is missing.
fn dims(format: &'static str, head: &[u8], what: &str) -> Result<(u32, u32), ProbeError> {
    let size = imagesize::blob_size(head).map_err(|e| match e {
        imagesize::ImageError::IoError(_) => truncated(
            format,
            format!("it ends before its {what}, in its first {} bytes", head.len()),
        ),
        imagesize::ImageError::CorruptedImage => malformed(format, format!("its bytes before the {what} are damaged")),
        imagesize::ImageError::NotSupported => malformed(format, format!("no {what} where one belongs")),
    })?;
    let side = |n: usize| u32::try_from(n).unwrap_or(u32::MAX);
    Ok((side(size.width), side(size.height)))
}

/// [`dims`], where a side of zero is an error too.
fn size(format: &'static str, head: &[u8], what: &str) -> Result<(u32, u32), ProbeError> {
    let (width, height) = dims(format, head, what)?;
    if width == 0 || height == 0 {
        return Err(malformed(format, format!("an image of {width}x{height}")));
    }
    Ok((width, height))
}

fn image(format: &str, (width, height): (u32, u32)) -> MediaInfo {
    MediaInfo {
        width: Some(width),
        height: Some(height),
        format: Some(format.into()),
        ..MediaInfo::default()
    }
}

// ---------------------------------------------------------------- JPEG

pub(super) fn jpeg(head: &[u8]) -> Result<MediaInfo, ProbeError> {
    let (w, h) = size("JPEG", head, "frame header (SOF)")?;
    let turned = (5..=8).contains(&orientation(head));
    Ok(image("jpeg", if turned { (h, w) } else { (w, h) }))
}

/// The EXIF orientation (1 to 8) of the first APP1 `Exif` segment before the frame header; 1
/// when there is none. `imagesize` reads no EXIF, so this walk of the segments is ours; it is
/// lenient (anything it cannot read is "no orientation"), as [`size`] has judged the file.
fn orientation(head: &[u8]) -> u16 {
    let b = Buf(head);
    let mut i = 2;
    for _ in 0..256 {
        let (Some(0xFF), Some(marker)) = (b.u8(i), b.u8(i + 1)) else {
            return 1;
        };
        if marker == 0xFF {
            i += 1; // a fill byte
            continue;
        }
        i += 2;
        if matches!(marker, 0x01 | 0xD0..=0xD7) {
            continue; // markers without a length
        }
        let Some(len) = b.be16(i).map(usize::from).filter(|l| *l >= 2) else {
            return 1;
        };
        if matches!(marker, 0xC0..=0xCF | 0xD9 | 0xDA) && !matches!(marker, 0xC4 | 0xC8 | 0xCC) {
            return 1; // the frame header or the image data: no EXIF before it
        }
        if marker == 0xE1 {
            if let Some(o) = b.slice(i + 2, len - 2).and_then(exif_orientation) {
                return o;
            }
        }
        i += len;
    }
    1
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
    if head.len() >= 16 && head.get(12..16) != Some(b"IHDR") {
        return Err(malformed("PNG", "its first chunk is not IHDR"));
    }
    Ok(image("png", size("PNG", head, "IHDR chunk")?))
}

// ---------------------------------------------------------------- GIF

pub(super) fn gif(head: &[u8], complete: bool) -> Result<MediaInfo, ProbeError> {
    const F: &str = "GIF";
    let b = Buf(head);
    let screen = dims(F, head, "logical screen descriptor")?;
    let Some(packed) = b.u8(10) else {
        return Err(truncated(F, "it ends inside the logical screen descriptor"));
    };
    let mut info = image("gif", screen);
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
    let Some(fourcc) = b.slice(12, 4) else {
        return Err(truncated(F, "it ends before its first chunk"));
    };
    let d = 20; // the first chunk's data
    let (signed, what) = match fourcc {
        b"VP8 " => (b.slice(d + 3, 3) == Some(&[0x9D, 0x01, 0x2A]), "VP8 frame header"),
        b"VP8L" => (b.u8(d) == Some(0x2F), "VP8L header"),
        b"VP8X" => (true, "VP8X header"),
        other => {
            return Err(malformed(
                F,
                format!("an unknown first chunk {:?}", String::from_utf8_lossy(other)),
            ))
        }
    };
    let (mut width, mut height) = dims(F, head, what)?;
    if !signed {
        return Err(malformed(F, format!("no signature in its {what}")));
    }
    if fourcc == b"VP8 " {
        // The top two bits of each VP8 side are its upscaling, which `imagesize` leaves in.
        (width, height) = (width & 0x3FFF, height & 0x3FFF);
    }
    if width == 0 || height == 0 {
        return Err(malformed(F, format!("an image of {width}x{height}")));
    }
    let mut info = image("webp", (width, height));
    if fourcc == b"VP8X" && b.u8(d).is_some_and(|flags| flags & 0x02 != 0) {
        animation(head, complete, &mut info)?;
    }
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
