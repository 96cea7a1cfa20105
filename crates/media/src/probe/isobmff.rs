//! ISO base media (MP4, MOV), our own part: box headers, the top-level walk (the `ftyp` brand, and
//! where `moov` is, which [`super::remote`] needs for its Range reads), and a track's first sample
//! entry (its fourcc and coded size), for the codecs `mp4parse` does not name. What `moov` holds
//! is read by `mp4parse` in [`super::moov`].

use super::{malformed, truncated, Buf, ProbeError, MAX_TOP_BOXES};
use crate::MediaInfo;

pub(super) const MP4: &str = "MP4";

/// A box header: its type, where its payload starts (relative to the box) and its whole size
/// (`None`: it runs to the end of its parent).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct BoxHeader {
    pub(super) kind: [u8; 4],
    pub(super) header_len: u64,
    pub(super) size: Option<u64>,
}

/// The header of the box at the start of `bytes`; `None` when `bytes` is too short to hold it.
pub(super) fn box_header(bytes: &[u8]) -> Result<Option<BoxHeader>, ProbeError> {
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
pub(super) struct TopLevel<'a> {
    pub(super) brand: Option<[u8; 4]>,
    /// The whole `moov` box, header included.
    pub(super) moov: Option<&'a [u8]>,
}

pub(super) fn iso_bmff(head: &[u8], complete: bool) -> Result<MediaInfo, ProbeError> {
    let top = top_level(head, complete)?;
    let format = container_format(top.brand);
    match top.moov {
        Some(moov) => super::moov::from_moov(format, moov),
        None if complete => Err(malformed(MP4, "it has no moov box")),
        None => Ok(MediaInfo {
            format: Some(format.into()),
            ..MediaInfo::default()
        }),
    }
}

pub(super) fn container_format(brand: Option<[u8; 4]>) -> &'static str {
    if brand == Some(*b"qt  ") {
        "mov"
    } else {
        "mp4"
    }
}

/// Walks the top-level boxes in `head`: the `ftyp` brand and the `moov` box when it is whole.
pub(super) fn top_level(head: &[u8], complete: bool) -> Result<TopLevel<'_>, ProbeError> {
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
                return match usize::try_from(size).ok().and_then(|s| rest.get(..s)) {
                    Some(whole) => {
                        found.moov = Some(whole);
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

/// The first sample entry of the `index`-th `trak` of a `moov` payload: its fourcc and the coded
/// width and height it gives (0 when unknown).
pub(super) fn sample_entry(moov: &[u8], index: usize) -> Result<Option<([u8; 4], u16, u16)>, ProbeError> {
    let Some((_, trak)) = children(moov)?.into_iter().filter(|(k, _)| k == b"trak").nth(index) else {
        return Ok(None);
    };
    let mut payload = trak;
    for kind in [b"mdia", b"minf", b"stbl", b"stsd"] {
        match child(payload, kind)? {
            Some(p) => payload = p,
            None => return Ok(None),
        }
    }
    // stsd: version and flags (4), entry count (4), then the first sample entry (a box).
    let Some(entry) = payload.get(8..) else {
        return Ok(None);
    };
    let Some(header) = box_header(entry)? else {
        return Ok(None);
    };
    let e = Buf(entry);
    Ok(Some((header.kind, e.be16(32).unwrap_or(0), e.be16(34).unwrap_or(0))))
}

/// `h264`, `hevc`, `vp9`, `av1`, `mpeg4`, `prores`; other fourccs as they are, trimmed.
pub(super) fn codec_name(kind: &[u8; 4]) -> String {
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
