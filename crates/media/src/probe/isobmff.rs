//! ISO base media (MP4, MOV): the top-level boxes, then `moov` (`mvhd`, and the first video
//! track's `tkhd`, `mdhd`, `hdlr`, `stsd`, `stts`).

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
    pub(super) moov: Option<&'a [u8]>,
}

pub(super) fn iso_bmff(head: &[u8], complete: bool) -> Result<MediaInfo, ProbeError> {
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

pub(super) fn container_format(brand: Option<[u8; 4]>) -> &'static str {
    if brand == Some(*b"qt  ") {
        "mov"
    } else {
        "mp4"
    }
}

/// Walks the top-level boxes in `head`: the `ftyp` brand and the `moov` payload when it is whole.
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
pub(super) fn from_moov(format: &str, moov: &[u8]) -> Result<MediaInfo, ProbeError> {
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
