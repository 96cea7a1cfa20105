//! What a `moov` box says, read by Mozilla's `mp4parse`: the movie timescale, and for the first
//! video track (`hdlr` `vide`) its `tkhd` (display size and matrix), `mdhd` (timescale and
//! duration), `stts` (frame rate) and `stsd` (codec).
//!
//! # Where our own code remains
//! - `mp4parse` keeps `mvhd`'s duration private. The movie's duration is taken as the longest
//!   track's `tkhd` duration in the movie timescale, which is what `mvhd`'s is by definition
//!   (ISO 14496-12 § 8.2.2.3 and § 8.3.2.3); the video track's `mdhd` duration when none is known.
//! - `mp4parse` 0.17 names H.264, MPEG-4 part 2, H.263, VP8, VP9 and AV1, and only when the sample
//!   entry holds its configuration box (`avcC`, `vpcC`, `av1C`, `esds`, `d263`). It has no HEVC at
//!   all (`hvc1`, `hev1` and their `hvcC` are skipped), nor ProRes; for such an entry it gives
//!   `SampleEntry::Unknown`. The codec then comes from the entry's fourcc, read by
//!   [`isobmff::sample_entry`].
//! - The audio track's codec (`mp4parse` reports AAC as `CodecType::AAC`) is not read:
//!   [`MediaInfo`] has no field for it.

use super::isobmff::{self, box_header, MP4};
use super::{malformed, truncated, ProbeError};
use crate::MediaInfo;
use mp4parse::{CodecType, SampleEntry, Track, TrackType};

/// The properties in a whole `moov` box (header included).
pub(super) fn from_moov(format: &str, moov: &[u8]) -> Result<MediaInfo, ProbeError> {
    let context = mp4parse::read_mp4(&mut std::io::Cursor::new(moov)).map_err(parse_error)?;
    let Some(movie_scale) = context.timescale else {
        return Err(malformed(MP4, "its moov box has no mvhd"));
    };
    let mut info = MediaInfo {
        format: Some(format.into()),
        ..MediaInfo::default()
    };
    info.duration_secs = context
        .tracks
        .iter()
        .filter_map(|t| t.tkhd.as_ref().map(|h| h.duration))
        .filter_map(|d| seconds(d, movie_scale.0))
        .reduce(f64::max);
    let Some(video) = context.tracks.iter().find(|t| t.track_type == TrackType::Video) else {
        return Ok(info);
    };
    let track_secs = match (video.duration, video.timescale) {
        (Some(d), Some(s)) => seconds(d.0, s.0),
        _ => None,
    };
    info.duration_secs = info.duration_secs.or(track_secs);
    info.frame_rate = frame_rate(video);
    if let Some(tkhd) = &video.tkhd {
        let (w, h) = (tkhd.width >> 16, tkhd.height >> 16);
        let quarter_turn = tkhd.matrix.a == 0 && tkhd.matrix.b != 0;
        let (w, h) = if quarter_turn { (h, w) } else { (w, h) };
        info.width = (w > 0).then_some(w);
        info.height = (h > 0).then_some(h);
    }
    let (codec, coded) = match video.stsd.as_ref().and_then(|s| s.descriptions.first()) {
        Some(SampleEntry::Video(entry)) => (codec_name(entry.codec_type), (entry.width, entry.height)),
        _ => (None, (0, 0)),
    };
    let (codec, (coded_w, coded_h)) = match codec {
        Some(name) => (Some(name), coded),
        None => own_sample_entry(moov, video.id)?,
    };
    info.video_codec = codec;
    if info.width.is_none() || info.height.is_none() {
        info.width = (coded_w > 0).then_some(u32::from(coded_w));
        info.height = (coded_h > 0).then_some(u32::from(coded_h));
    }
    Ok(info)
}

/// The codec and coded size from the sample entry's own bytes, for what `mp4parse` leaves unknown.
fn own_sample_entry(moov: &[u8], track: usize) -> Result<(Option<String>, (u16, u16)), ProbeError> {
    let header = box_header(moov)?.ok_or_else(|| truncated(MP4, "the moov box is cut short"))?;
    let payload = moov.get(header.header_len as usize..).unwrap_or_default();
    Ok(match isobmff::sample_entry(payload, track)? {
        Some((kind, w, h)) => (Some(isobmff::codec_name(&kind)), (w, h)),
        None => (None, (0, 0)),
    })
}

/// The codecs `mp4parse` names; `None` for the rest (their fourcc is read instead).
fn codec_name(codec: CodecType) -> Option<String> {
    let name = match codec {
        CodecType::H264 => "h264",
        CodecType::VP9 => "vp9",
        CodecType::AV1 => "av1",
        CodecType::VP8 => "vp8",
        CodecType::MP4V => "mpeg4",
        CodecType::H263 => "h263",
        _ => return None,
    };
    Some(name.into())
}

/// Frames per second: the `stts` samples divided by their total duration in the `mdhd` timescale.
fn frame_rate(track: &Track) -> Option<f64> {
    let (stts, scale) = (track.stts.as_ref()?, track.timescale?.0);
    let (mut samples, mut ticks) = (0u64, 0u64);
    for s in stts.samples.iter() {
        samples = samples.saturating_add(u64::from(s.sample_count));
        ticks = ticks.saturating_add(u64::from(s.sample_count).saturating_mul(u64::from(s.sample_delta)));
    }
    (samples > 0 && ticks > 0 && scale > 0).then(|| samples as f64 * scale as f64 / ticks as f64)
}

/// A duration in seconds; 0 and all-ones mean unknown (fragmented files, live streams).
fn seconds(duration: u64, timescale: u64) -> Option<f64> {
    (timescale > 0 && duration > 0 && duration != u64::from(u32::MAX) && duration != u64::MAX)
        .then(|| duration as f64 / timescale as f64)
}

/// `mp4parse`'s error, said as ours: what is wrong, inside the `moov` box.
fn parse_error(error: mp4parse::Error) -> ProbeError {
    match error {
        mp4parse::Error::UnexpectedEOF => truncated(MP4, "a box inside the moov box is cut short"),
        mp4parse::Error::InvalidData(status) => malformed(MP4, format!("in its moov box: {}", <&str>::from(status))),
        mp4parse::Error::Unsupported(what) => malformed(MP4, format!("in its moov box, unsupported: {what}")),
        mp4parse::Error::Io(e) => malformed(MP4, format!("in its moov box: {e}")),
        mp4parse::Error::MoovMissing => malformed(MP4, "it has no moov box"),
        mp4parse::Error::OutOfMemory => ProbeError::TooLarge("its moov box asks for more memory than there is".into()),
    }
}

#[cfg(test)]
mod tests {
    use crate::synth::{self, Codec, VideoSpec};
    use mp4parse::{CodecType, SampleEntry};

    /// The codec `mp4parse` itself names for a synthetic file's first sample entry (`None`: it
    /// gives `SampleEntry::Unknown`).
    fn parsed_codec(codec: Codec) -> Option<CodecType> {
        let bytes = synth::mp4(&VideoSpec {
            codec,
            ..VideoSpec::default()
        });
        let context = mp4parse::read_mp4(&mut std::io::Cursor::new(&bytes)).unwrap();
        match context.tracks[0].stsd.as_ref()?.descriptions.first()? {
            SampleEntry::Video(entry) => Some(entry.codec_type),
            _ => None,
        }
    }

    /// H.264, VP9 and AV1 are named by mp4parse; HEVC is not (our fourcc fallback names it), and
    /// the probe gives all four.
    #[test]
    fn mp4parse_names_h264_vp9_and_av1_and_the_fallback_names_hevc() {
        assert_eq!(parsed_codec(Codec::H264), Some(CodecType::H264));
        assert_eq!(parsed_codec(Codec::Vp9), Some(CodecType::VP9));
        assert_eq!(parsed_codec(Codec::Av1), Some(CodecType::AV1));
        assert_eq!(parsed_codec(Codec::Hevc), None);
        let hevc = synth::mp4(&VideoSpec {
            codec: Codec::Hevc,
            ..VideoSpec::default()
        });
        let info = super::super::probe(&hevc, None).unwrap();
        assert_eq!(info.video_codec.as_deref(), Some("hevc"));
    }
}
