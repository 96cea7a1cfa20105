//! Synthetic but valid media files, made on the spot for the sandboxes and tests: [`jpeg`] (a real
//! baseline JPEG that decoders show as solid grey), [`gif`] (frames of one colour, LZW-coded), and
//! [`mp4`] / [`mov`] (an ISO base media file with a full `moov` index and a tiny `mdat`: players
//! would find no picture in it, but every property [`super::probe`] reads is real).
//!
//! Also two fixed files, [`SAMPLE_JPG`] and [`SAMPLE_PNG`] (32x32; `fixtures/make_samples.py` wrote them).

/// A 32x32 baseline JPEG (`fixtures/sample.jpg`).
pub const SAMPLE_JPG: &[u8] = include_bytes!("../fixtures/sample.jpg");
/// A 32x32 RGB PNG with a gradient (`fixtures/sample.png`).
pub const SAMPLE_PNG: &[u8] = include_bytes!("../fixtures/sample.png");

/// A JPEG of `width` x `height` (each 1 to 65,535): baseline, one grey component, the standard
/// Huffman tables (ITU T.81 Annex K.3), every 8x8 block coded as "DC difference 0, end of block",
/// so every pixel is mid-grey (128).
pub fn jpeg(width: u16, height: u16) -> Vec<u8> {
    let (width, height) = (width.max(1), height.max(1));
    let mut out = vec![0xFF, 0xD8];
    segment(&mut out, 0xE0, b"JFIF\0\x01\x01\x00\x00\x01\x00\x01\x00\x00");
    let mut dqt = vec![0x00];
    dqt.extend_from_slice(&[1; 64]);
    segment(&mut out, 0xDB, &dqt);
    let mut sof = vec![8];
    sof.extend_from_slice(&height.to_be_bytes());
    sof.extend_from_slice(&width.to_be_bytes());
    sof.extend_from_slice(&[1, 1, 0x11, 0]);
    segment(&mut out, 0xC0, &sof);
    let mut dht = vec![0x00];
    dht.extend_from_slice(&DC_LUMINANCE_COUNTS);
    dht.extend(0u8..12);
    dht.push(0x10);
    dht.extend_from_slice(&AC_LUMINANCE_COUNTS);
    dht.extend_from_slice(&AC_LUMINANCE_VALUES);
    segment(&mut out, 0xC4, &dht);
    segment(&mut out, 0xDA, &[1, 1, 0x00, 0, 63, 0]);
    // DC category 0 is "00" in the standard DC table, end of block is "1010" in the AC one.
    let blocks = u64::from(width.div_ceil(8)) * u64::from(height.div_ceil(8));
    let mut bits = BitsMsb::default();
    for _ in 0..blocks {
        bits.put(0b00, 2);
        bits.put(0b1010, 4);
    }
    out.extend_from_slice(&bits.finish());
    out.extend_from_slice(&[0xFF, 0xD9]);
    out
}

/// The standard luminance DC table: how many codes of each length 1 to 16 (values 0 to 11).
const DC_LUMINANCE_COUNTS: [u8; 16] = [0, 1, 5, 1, 1, 1, 1, 1, 1, 0, 0, 0, 0, 0, 0, 0];

/// The standard luminance AC table: code counts per length, then the 162 run/size values.
const AC_LUMINANCE_COUNTS: [u8; 16] = [0, 2, 1, 3, 3, 2, 4, 3, 5, 5, 4, 4, 0, 0, 1, 0x7D];
const AC_LUMINANCE_VALUES: [u8; 162] = [
    0x01, 0x02, 0x03, 0x00, 0x04, 0x11, 0x05, 0x12, 0x21, 0x31, 0x41, 0x06, 0x13, 0x51, 0x61, 0x07, 0x22, 0x71, 0x14,
    0x32, 0x81, 0x91, 0xA1, 0x08, 0x23, 0x42, 0xB1, 0xC1, 0x15, 0x52, 0xD1, 0xF0, 0x24, 0x33, 0x62, 0x72, 0x82, 0x09,
    0x0A, 0x16, 0x17, 0x18, 0x19, 0x1A, 0x25, 0x26, 0x27, 0x28, 0x29, 0x2A, 0x34, 0x35, 0x36, 0x37, 0x38, 0x39, 0x3A,
    0x43, 0x44, 0x45, 0x46, 0x47, 0x48, 0x49, 0x4A, 0x53, 0x54, 0x55, 0x56, 0x57, 0x58, 0x59, 0x5A, 0x63, 0x64, 0x65,
    0x66, 0x67, 0x68, 0x69, 0x6A, 0x73, 0x74, 0x75, 0x76, 0x77, 0x78, 0x79, 0x7A, 0x83, 0x84, 0x85, 0x86, 0x87, 0x88,
    0x89, 0x8A, 0x92, 0x93, 0x94, 0x95, 0x96, 0x97, 0x98, 0x99, 0x9A, 0xA2, 0xA3, 0xA4, 0xA5, 0xA6, 0xA7, 0xA8, 0xA9,
    0xAA, 0xB2, 0xB3, 0xB4, 0xB5, 0xB6, 0xB7, 0xB8, 0xB9, 0xBA, 0xC2, 0xC3, 0xC4, 0xC5, 0xC6, 0xC7, 0xC8, 0xC9, 0xCA,
    0xD2, 0xD3, 0xD4, 0xD5, 0xD6, 0xD7, 0xD8, 0xD9, 0xDA, 0xE1, 0xE2, 0xE3, 0xE4, 0xE5, 0xE6, 0xE7, 0xE8, 0xE9, 0xEA,
    0xF1, 0xF2, 0xF3, 0xF4, 0xF5, 0xF6, 0xF7, 0xF8, 0xF9, 0xFA,
];

fn segment(out: &mut Vec<u8>, marker: u8, payload: &[u8]) {
    out.extend_from_slice(&[0xFF, marker]);
    out.extend_from_slice(&u16::try_from(payload.len() + 2).unwrap_or(u16::MAX).to_be_bytes());
    out.extend_from_slice(payload);
}

/// JPEG entropy-coded bits: most significant first, a 0x00 stuffed after each 0xFF, padded with ones.
#[derive(Default)]
struct BitsMsb {
    out: Vec<u8>,
    acc: u8,
    n: u8,
}

impl BitsMsb {
    fn put(&mut self, value: u32, len: u8) {
        for i in (0..len).rev() {
            self.acc = (self.acc << 1) | ((value >> i) & 1) as u8;
            self.n += 1;
            if self.n == 8 {
                self.out.push(self.acc);
                if self.acc == 0xFF {
                    self.out.push(0x00);
                }
                (self.acc, self.n) = (0, 0);
            }
        }
    }

    fn finish(mut self) -> Vec<u8> {
        while self.n != 0 {
            self.put(1, 1);
        }
        self.out
    }
}

/// An animated GIF89a of `frames` frames (at least 1) of `width` x `height`, each shown
/// `delay_cs` hundredths of a second, looping forever; frame `n` is filled with colour `n % 2`
/// (grey, black).
pub fn gif(width: u16, height: u16, frames: u32, delay_cs: u16) -> Vec<u8> {
    let (width, height, frames) = (width.max(1), height.max(1), frames.max(1));
    let mut out = b"GIF89a".to_vec();
    out.extend_from_slice(&width.to_le_bytes());
    out.extend_from_slice(&height.to_le_bytes());
    // A global colour table of 2 entries, background 0, no aspect ratio.
    out.extend_from_slice(&[0x80, 0, 0, 0x80, 0x80, 0x80, 0, 0, 0]);
    if frames > 1 {
        out.extend_from_slice(b"\x21\xFF\x0BNETSCAPE2.0\x03\x01\x00\x00\x00");
    }
    let pixels = usize::from(width) * usize::from(height);
    for n in 0..frames {
        out.extend_from_slice(&[0x21, 0xF9, 4, 0]);
        out.extend_from_slice(&delay_cs.to_le_bytes());
        out.extend_from_slice(&[0, 0]);
        out.push(0x2C);
        out.extend_from_slice(&[0, 0, 0, 0]);
        out.extend_from_slice(&width.to_le_bytes());
        out.extend_from_slice(&height.to_le_bytes());
        out.push(0);
        out.push(GIF_MIN_CODE_SIZE);
        let data = lzw(std::iter::repeat_n((n % 2) as u8, pixels));
        for block in data.chunks(255) {
            out.push(block.len() as u8);
            out.extend_from_slice(block);
        }
        out.push(0);
    }
    out.push(0x3B);
    out
}

/// Bits per pixel index of the LZW data (2 is the smallest GIF allows).
const GIF_MIN_CODE_SIZE: u8 = 2;

/// GIF's variable-length LZW: codes from `min + 1` bits up to 12, least significant bit first; a
/// clear code when the table is full.
fn lzw(pixels: impl Iterator<Item = u8>) -> Vec<u8> {
    use std::collections::HashMap;
    let clear: u16 = 1 << GIF_MIN_CODE_SIZE;
    let end = clear + 1;
    let mut bits = BitsLsb::default();
    let mut table: HashMap<(u16, u8), u16> = HashMap::new();
    let mut size = GIF_MIN_CODE_SIZE + 1;
    let mut next = end + 1;
    bits.put(clear, size);
    let mut prefix: Option<u16> = None;
    for pixel in pixels {
        let Some(p) = prefix else {
            prefix = Some(u16::from(pixel));
            continue;
        };
        if let Some(&code) = table.get(&(p, pixel)) {
            prefix = Some(code);
            continue;
        }
        bits.put(p, size);
        if next < 4096 {
            table.insert((p, pixel), next);
            if next == 1 << size && size < 12 {
                size += 1;
            }
            next += 1;
        } else {
            bits.put(clear, size);
            table.clear();
            size = GIF_MIN_CODE_SIZE + 1;
            next = end + 1;
        }
        prefix = Some(u16::from(pixel));
    }
    if let Some(p) = prefix {
        bits.put(p, size);
    }
    bits.put(end, size);
    bits.finish()
}

/// GIF's bit order: least significant first.
#[derive(Default)]
struct BitsLsb {
    out: Vec<u8>,
    acc: u32,
    n: u8,
}

impl BitsLsb {
    fn put(&mut self, code: u16, len: u8) {
        self.acc |= u32::from(code) << self.n;
        self.n += len;
        while self.n >= 8 {
            self.out.push(self.acc as u8);
            self.acc >>= 8;
            self.n -= 8;
        }
    }

    fn finish(mut self) -> Vec<u8> {
        if self.n > 0 {
            self.out.push(self.acc as u8);
        }
        self.out
    }
}

/// A video codec, as the sample entry of an MP4 names it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Codec {
    #[default]
    H264,
    Hevc,
    Vp9,
    Av1,
}

impl Codec {
    /// The configuration box its sample entry carries (ISO 14496-15 `avcC` and `hvcC`, the VP
    /// codec binding's `vpcC`, AV1's `av1C`), with no parameter sets: parsers such as `mp4parse`
    /// read the sample entry only when it is there.
    fn config(self) -> Vec<u8> {
        match self {
            // Version 1, High profile, level 4.0, 4-byte lengths, no SPS, no PPS.
            Codec::H264 => boxed(b"avcC", &[1, 0x64, 0, 0x28, 0xFF, 0xE0, 0]),
            // Version 1, Main profile, level 4.0 (120), 4-byte lengths, no arrays.
            Codec::Hevc => {
                let mut c = vec![1, 0x01, 0x60, 0, 0, 0, 0x90, 0, 0, 0, 0, 0, 120];
                c.extend_from_slice(&[0xF0, 0x00, 0xFC, 0xFD, 0xF8, 0xF8, 0, 0, 0x0F, 0]);
                boxed(b"hvcC", &c)
            }
            // Version 1: profile 0, level 3.1, 8 bits 4:2:0, BT.709, no initialisation data.
            Codec::Vp9 => full_box_v1(b"vpcC", &[0, 31, 0x82, 1, 1, 1, 0, 0]),
            // Marker and version 1, main profile level 4.0, 8 bits 4:2:0, no OBUs.
            Codec::Av1 => boxed(b"av1C", &[0x81, 0x08, 0x0C, 0]),
        }
    }

    fn fourcc(self) -> &'static [u8; 4] {
        match self {
            Codec::H264 => b"avc1",
            Codec::Hevc => b"hvc1",
            Codec::Vp9 => b"vp09",
            Codec::Av1 => b"av01",
        }
    }
}

/// What [`mp4`] makes.
#[derive(Debug, Clone, PartialEq)]
pub struct VideoSpec {
    /// Display size, in pixels (after `rotation`).
    pub width: u16,
    pub height: u16,
    pub duration_secs: f64,
    /// Frames per second (the samples: `duration_secs * fps`, rounded, at least 1).
    pub fps: f64,
    pub codec: Codec,
    /// 0, 90, 180 or 270: the track's matrix turns the coded picture so that it shows as
    /// `width` x `height` (phones record this way).
    pub rotation: u16,
    /// The least size of the file: `mdat` is padded with zeros up to it (upload tests); 0: tiny.
    pub min_bytes: u64,
    /// `moov` after `mdat`, as cameras write it (not "fast start").
    pub moov_last: bool,
}

impl Default for VideoSpec {
    /// 1280x720, 10 s, 30 fps, H.264, fast start, tiny.
    fn default() -> Self {
        VideoSpec {
            width: 1280,
            height: 720,
            duration_secs: 10.0,
            fps: 30.0,
            codec: Codec::H264,
            rotation: 0,
            min_bytes: 0,
            moov_last: false,
        }
    }
}

impl VideoSpec {
    /// A `width` x `height` video of `duration_secs` with the other defaults.
    pub fn new(width: u16, height: u16, duration_secs: f64) -> VideoSpec {
        VideoSpec {
            width,
            height,
            duration_secs,
            ..VideoSpec::default()
        }
    }
}

/// An MP4 (`ftyp` `isom`) as `spec` says.
pub fn mp4(spec: &VideoSpec) -> Vec<u8> {
    iso_file(spec, b"isom", &[b"isom", b"iso2", b"avc1", b"mp41"])
}

/// A QuickTime file (`ftyp` `qt  `) as `spec` says.
pub fn mov(spec: &VideoSpec) -> Vec<u8> {
    iso_file(spec, b"qt  ", &[b"qt  "])
}

/// Bytes of each sample in `mdat`.
const SAMPLE_BYTES: u32 = 4;
/// `mvhd`'s timescale (milliseconds).
const MOVIE_TIMESCALE: u32 = 1000;

fn iso_file(spec: &VideoSpec, brand: &[u8; 4], compatible: &[&[u8; 4]]) -> Vec<u8> {
    let fps = if spec.fps.is_finite() && spec.fps > 0.0 {
        spec.fps
    } else {
        30.0
    };
    let duration = if spec.duration_secs.is_finite() {
        spec.duration_secs.max(0.0)
    } else {
        0.0
    };
    let samples = ((duration * fps).round() as u32).max(1);
    let mut ftyp = brand.to_vec();
    ftyp.extend_from_slice(&0x200u32.to_be_bytes());
    for c in compatible {
        ftyp.extend_from_slice(*c);
    }
    let ftyp = boxed(b"ftyp", &ftyp);
    let data_len = u64::from(samples) * u64::from(SAMPLE_BYTES);
    // The moov's size does not depend on where mdat is, so build it once to learn its length.
    let moov_len = moov(spec, fps, duration, samples, 0).len() as u64;
    let overhead = ftyp.len() as u64 + moov_len + 16;
    let mdat_payload = data_len.max(spec.min_bytes.saturating_sub(overhead));
    let mdat_header = mdat_header(mdat_payload);
    let data_at = if spec.moov_last {
        ftyp.len() as u64 + mdat_header.len() as u64
    } else {
        ftyp.len() as u64 + moov_len + mdat_header.len() as u64
    };
    let moov = moov(spec, fps, duration, samples, data_at);
    let mut out = Vec::with_capacity((overhead + mdat_payload) as usize);
    out.extend_from_slice(&ftyp);
    if !spec.moov_last {
        out.extend_from_slice(&moov);
    }
    out.extend_from_slice(&mdat_header);
    out.resize(out.len() + mdat_payload as usize, 0);
    if spec.moov_last {
        out.extend_from_slice(&moov);
    }
    out
}

/// A 16-byte `mdat` header (64-bit size, so its length does not depend on the payload's).
fn mdat_header(payload: u64) -> Vec<u8> {
    let mut h = 1u32.to_be_bytes().to_vec();
    h.extend_from_slice(b"mdat");
    h.extend_from_slice(&(payload + 16).to_be_bytes());
    h
}

fn boxed(kind: &[u8; 4], payload: &[u8]) -> Vec<u8> {
    let mut out = u32::try_from(payload.len() + 8)
        .unwrap_or(u32::MAX)
        .to_be_bytes()
        .to_vec();
    out.extend_from_slice(kind);
    out.extend_from_slice(payload);
    out
}

/// A full box: version 0, flags, then `payload`.
fn full_box(kind: &[u8; 4], flags: u32, payload: &[u8]) -> Vec<u8> {
    let mut body = (flags & 0x00FF_FFFF).to_be_bytes().to_vec();
    body.extend_from_slice(payload);
    boxed(kind, &body)
}

/// A full box of version 1, flags 0.
fn full_box_v1(kind: &[u8; 4], payload: &[u8]) -> Vec<u8> {
    boxed(kind, &[&[1, 0, 0, 0][..], payload].concat())
}

fn be32s(values: &[u32]) -> Vec<u8> {
    values.iter().flat_map(|v| v.to_be_bytes()).collect()
}

/// The transformation matrix for a rotation (16.16 and 2.30 fixed point).
fn matrix(rotation: u16) -> [u32; 9] {
    const ONE: u32 = 0x0001_0000;
    const MINUS_ONE: u32 = 0xFFFF_0000;
    let (a, b, c, d) = match rotation % 360 {
        90 => (0, ONE, MINUS_ONE, 0),
        180 => (MINUS_ONE, 0, 0, MINUS_ONE),
        270 => (0, MINUS_ONE, ONE, 0),
        _ => (ONE, 0, 0, ONE),
    };
    [a, b, 0, c, d, 0, 0, 0, 0x4000_0000]
}

fn moov(spec: &VideoSpec, fps: f64, duration: f64, samples: u32, data_at: u64) -> Vec<u8> {
    let movie_duration = (duration * f64::from(MOVIE_TIMESCALE)).round() as u32;
    // Media time: fps * 1000 ticks a second, 1000 ticks a frame (29.97 fps is 29970 / 1000).
    let media_timescale = ((fps * 1000.0).round() as u32).max(1);
    let delta = 1000u32;
    let mut mvhd = be32s(&[0, 0, MOVIE_TIMESCALE, movie_duration, 0x0001_0000]);
    mvhd.extend_from_slice(&[0x01, 0x00, 0, 0]); // volume 1.0, reserved
    mvhd.extend_from_slice(&[0; 8]);
    mvhd.extend_from_slice(&be32s(&matrix(0)));
    mvhd.extend_from_slice(&[0; 24]); // pre-defined
    mvhd.extend_from_slice(&2u32.to_be_bytes()); // next track id
    let mvhd = full_box(b"mvhd", 0, &mvhd);

    let quarter = matches!(spec.rotation % 360, 90 | 270);
    let (coded_w, coded_h) = if quarter {
        (spec.height, spec.width)
    } else {
        (spec.width, spec.height)
    };
    let mut tkhd = be32s(&[0, 0, 1, 0, movie_duration]);
    tkhd.extend_from_slice(&[0; 8]);
    tkhd.extend_from_slice(&[0; 8]); // layer, alternate group, volume 0, reserved
    tkhd.extend_from_slice(&be32s(&matrix(spec.rotation)));
    // Width and height as presented before the matrix: the coded ones.
    tkhd.extend_from_slice(&be32s(&[u32::from(coded_w) << 16, u32::from(coded_h) << 16]));
    let tkhd = full_box(b"tkhd", 3, &tkhd);

    let mut mdhd = be32s(&[0, 0, media_timescale, samples * delta]);
    mdhd.extend_from_slice(&[0x55, 0xC4, 0, 0]); // language "und"
    let mdhd = full_box(b"mdhd", 0, &mdhd);
    let mut hdlr = be32s(&[0]);
    hdlr.extend_from_slice(b"vide");
    hdlr.extend_from_slice(&[0; 12]);
    hdlr.extend_from_slice(b"VideoHandler\0");
    let hdlr = full_box(b"hdlr", 0, &hdlr);

    let vmhd = full_box(b"vmhd", 1, &[0; 8]);
    let dref = full_box(
        b"dref",
        0,
        &[&1u32.to_be_bytes()[..], &full_box(b"url ", 1, &[])].concat(),
    );
    let dinf = boxed(b"dinf", &dref);

    let mut entry = vec![0; 6];
    entry.extend_from_slice(&1u16.to_be_bytes()); // data reference index
    entry.extend_from_slice(&[0; 16]);
    entry.extend_from_slice(&coded_w.to_be_bytes());
    entry.extend_from_slice(&coded_h.to_be_bytes());
    entry.extend_from_slice(&be32s(&[0x0048_0000, 0x0048_0000, 0]));
    entry.extend_from_slice(&1u16.to_be_bytes()); // frames per sample
    let mut name = [0u8; 32];
    name[0] = 9;
    name[1..10].copy_from_slice(b"schedulo ");
    entry.extend_from_slice(&name);
    entry.extend_from_slice(&[0x00, 0x18, 0xFF, 0xFF]); // depth 24, pre-defined -1
    entry.extend_from_slice(&spec.codec.config());
    let entry = boxed(spec.codec.fourcc(), &entry);
    let stsd = full_box(b"stsd", 0, &[&1u32.to_be_bytes()[..], &entry].concat());
    let stts = full_box(b"stts", 0, &be32s(&[1, samples, delta]));
    let stsc = full_box(b"stsc", 0, &be32s(&[1, 1, samples, 1]));
    let stsz = full_box(b"stsz", 0, &be32s(&[SAMPLE_BYTES, samples]));
    let stco = full_box(b"co64", 0, &[&1u32.to_be_bytes()[..], &data_at.to_be_bytes()].concat());
    let stbl = boxed(b"stbl", &[stsd, stts, stsc, stsz, stco].concat());
    let minf = boxed(b"minf", &[vmhd, dinf, stbl].concat());
    let mdia = boxed(b"mdia", &[mdhd, hdlr, minf].concat());
    let trak = boxed(b"trak", &[tkhd, mdia].concat());
    boxed(b"moov", &[mvhd, trak].concat())
}

#[cfg(test)]
#[path = "synth_tests.rs"]
mod tests;
