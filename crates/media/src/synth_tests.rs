use super::*;
use crate::probe::probe;

/// Reads a JPEG's segments up to SOS: (marker, payload), checking every length.
fn segments(jpeg: &[u8]) -> Vec<(u8, Vec<u8>)> {
    assert_eq!(&jpeg[..2], &[0xFF, 0xD8]);
    let mut out = Vec::new();
    let mut i = 2;
    loop {
        assert_eq!(jpeg[i], 0xFF, "a marker at {i}");
        let marker = jpeg[i + 1];
        let len = usize::from(u16::from_be_bytes([jpeg[i + 2], jpeg[i + 3]]));
        out.push((marker, jpeg[i + 4..i + 2 + len].to_vec()));
        i += 2 + len;
        if marker == 0xDA {
            out.push((0, jpeg[i..].to_vec()));
            return out;
        }
    }
}

#[test]
fn the_jpeg_is_baseline_grey_with_the_standard_tables_and_one_code_pair_per_block() {
    let bytes = jpeg(20, 9);
    let info = probe(&bytes, None).unwrap();
    assert_eq!(
        (info.width, info.height, info.format.as_deref()),
        (Some(20), Some(9), Some("jpeg"))
    );
    let segs = segments(&bytes);
    let markers: Vec<u8> = segs.iter().map(|(m, _)| *m).collect();
    assert_eq!(markers, [0xE0, 0xDB, 0xC0, 0xC4, 0xDA, 0]);
    let sof = &segs[2].1;
    assert_eq!(sof, &[8, 0, 9, 0, 20, 1, 1, 0x11, 0]);
    let dht = &segs[3].1;
    // DC table: 16 counts + 12 values; AC table: 16 counts + 162 values (the counts add up).
    assert_eq!(dht.len(), 1 + 16 + 12 + 1 + 16 + 162);
    assert_eq!(dht[1..17].iter().map(|c| usize::from(*c)).sum::<usize>(), 12);
    assert_eq!(dht[30..46].iter().map(|c| usize::from(*c)).sum::<usize>(), 162);
    // 3 x 2 blocks of 6 bits ("00" + "1010") = 36 bits, padded with ones to 5 bytes, then EOI.
    let data = &segs[5].1;
    assert_eq!(data, &[0x28, 0xA2, 0x8A, 0x28, 0xAF, 0xFF, 0xD9]);
}

/// An LZW decoder of our own, to check [`gif`]'s encoder: the pixel indices of one frame.
fn unlzw(min: u8, data: &[u8]) -> Vec<u8> {
    let clear = 1u16 << min;
    let mut table: Vec<Vec<u8>> = Vec::new();
    let reset = |t: &mut Vec<Vec<u8>>| {
        t.clear();
        t.extend((0..clear).map(|i| vec![i as u8]));
        t.push(Vec::new());
        t.push(Vec::new());
    };
    reset(&mut table);
    let (mut size, mut bitpos, mut out) = (min + 1, 0usize, Vec::new());
    let mut prev: Option<Vec<u8>> = None;
    loop {
        let mut code = 0u16;
        for k in 0..size {
            let bit = (data[(bitpos + k as usize) / 8] >> ((bitpos + k as usize) % 8)) & 1;
            code |= u16::from(bit) << k;
        }
        bitpos += size as usize;
        if code == clear {
            reset(&mut table);
            size = min + 1;
            prev = None;
            continue;
        }
        if code == clear + 1 {
            return out;
        }
        let entry = match (table.get(usize::from(code)), &prev) {
            (Some(e), _) => e.clone(),
            (None, Some(p)) => [p.clone(), vec![p[0]]].concat(),
            (None, None) => panic!("code {code} first"),
        };
        if let Some(p) = prev {
            if table.len() < 4096 {
                table.push([p, vec![entry[0]]].concat());
                if table.len() == 1 << size && size < 12 {
                    size += 1;
                }
            }
        }
        out.extend_from_slice(&entry);
        prev = Some(entry);
    }
}

#[test]
fn the_gif_frames_decode_to_every_pixel_even_past_a_full_code_table() {
    let (w, h) = (300u16, 200u16); // 60,000 pixels: the 4,096-entry table fills and is cleared
    let bytes = gif(w, h, 2, 7);
    let info = probe(&bytes, None).unwrap();
    assert_eq!(
        (info.width, info.height, info.duration_secs),
        (Some(300), Some(200), Some(0.14))
    );
    // The first frame's data: after header (13), colour table (6), loop extension (19), GCE (8),
    // image descriptor (10), minimum code size (1).
    let mut at = 13 + 6 + 19 + 8 + 10;
    let min = bytes[at];
    at += 1;
    let mut data = Vec::new();
    while bytes[at] != 0 {
        let len = usize::from(bytes[at]);
        data.extend_from_slice(&bytes[at + 1..at + 1 + len]);
        at += 1 + len;
    }
    let pixels = unlzw(min, &data);
    assert_eq!(pixels.len(), usize::from(w) * usize::from(h));
    assert!(pixels.iter().all(|p| *p == 0));
    assert_eq!(*bytes.last().unwrap(), 0x3B);
}

#[test]
fn the_mp4_says_what_its_spec_says() {
    let spec = VideoSpec {
        fps: 29.97,
        codec: Codec::Av1,
        ..VideoSpec::new(1080, 1920, 42.5)
    };
    let bytes = mp4(&spec);
    assert!(bytes.len() < 30_000, "{}", bytes.len());
    let info = probe(&bytes, None).unwrap();
    assert_eq!(info.format.as_deref(), Some("mp4"));
    assert_eq!((info.width, info.height), (Some(1080), Some(1920)));
    assert_eq!(info.duration_secs, Some(42.5));
    assert_eq!(info.video_codec.as_deref(), Some("av1"));
    assert!((info.frame_rate.unwrap() - 29.97).abs() < 1e-9);
    assert_eq!(info.bytes, Some(bytes.len() as u64));
}

#[test]
fn padding_rotation_and_a_trailing_moov_keep_the_properties() {
    let spec = VideoSpec {
        rotation: 270,
        moov_last: true,
        min_bytes: 300_000,
        ..VideoSpec::new(720, 1280, 3.0)
    };
    let bytes = mov(&spec);
    assert!(bytes.len() >= 300_000 && bytes.len() < 301_000, "{}", bytes.len());
    assert_eq!(&bytes[4..12], b"ftypqt  ");
    let info = probe(&bytes, None).unwrap();
    assert_eq!(
        (info.format.as_deref(), info.width, info.height),
        (Some("mov"), Some(720), Some(1280))
    );
    assert_eq!(info.duration_secs, Some(3.0));
}
