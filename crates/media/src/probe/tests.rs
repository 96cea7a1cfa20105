use super::*;
use crate::synth::{self, Codec, VideoSpec};
use std::sync::{Arc, Mutex};
use std::time::Duration;

fn info(bytes: &[u8]) -> MediaInfo {
    probe(bytes, None).unwrap_or_else(|e| panic!("{e}"))
}

#[test]
fn images_give_their_size_and_format() {
    let png = info(crate::synth::SAMPLE_PNG);
    assert_eq!(
        (png.width, png.height, png.format.as_deref()),
        (Some(32), Some(32), Some("png"))
    );
    let jpg = info(&synth::jpeg(4000, 3000));
    assert_eq!(
        (jpg.width, jpg.height, jpg.format.as_deref()),
        (Some(4000), Some(3000), Some("jpeg"))
    );
    assert_eq!(jpg.duration_secs, None);
    let still = info(&synth::gif(10, 20, 1, 0));
    assert_eq!(
        (still.width, still.height, still.duration_secs),
        (Some(10), Some(20), None)
    );
}

/// A JPEG with an EXIF orientation of 6 (a phone held upright) is shown turned a quarter.
#[test]
fn a_jpeg_rotated_by_exif_is_measured_as_shown() {
    let plain = synth::jpeg(4032, 3024);
    for (order, tag) in [
        (&b"MM"[..], [0x01, 0x12, 0, 3, 0, 0, 0, 1, 0, 6, 0, 0]),
        (b"II", [0x12, 0x01, 3, 0, 1, 0, 0, 0, 6, 0, 0, 0]),
    ] {
        let mut tiff = order.to_vec();
        if order == b"MM" {
            tiff.extend_from_slice(&[0, 42, 0, 0, 0, 8, 0, 1]);
        } else {
            tiff.extend_from_slice(&[42, 0, 8, 0, 0, 0, 1, 0]);
        }
        tiff.extend_from_slice(&tag);
        let mut app1 = b"Exif\0\0".to_vec();
        app1.extend_from_slice(&tiff);
        let mut rotated = plain[..2].to_vec();
        rotated.extend_from_slice(&[0xFF, 0xE1]);
        rotated.extend_from_slice(&u16::try_from(app1.len() + 2).unwrap().to_be_bytes());
        rotated.extend_from_slice(&app1);
        rotated.extend_from_slice(&plain[2..]);
        let shown = info(&rotated);
        assert_eq!((shown.width, shown.height), (Some(3024), Some(4032)));
    }
}

#[test]
fn an_animated_gif_gives_its_duration_and_frame_rate() {
    let g = info(&synth::gif(64, 48, 25, 4));
    assert_eq!(g.duration_secs, Some(1.0));
    assert_eq!(g.frame_rate, Some(25.0));
    assert_eq!(g.format.as_deref(), Some("gif"));
}

/// Only the head of a long GIF: its size is known, its duration is not (and that is no error).
#[test]
fn the_head_of_a_larger_gif_gives_its_size_but_no_duration() {
    let bytes = synth::gif(300, 300, 40, 5);
    let head = &bytes[..100];
    let g = probe(head, Some(bytes.len() as u64)).unwrap();
    assert_eq!(
        (g.width, g.duration_secs, g.bytes),
        (Some(300), None, Some(bytes.len() as u64))
    );
    let e = probe(head, None).unwrap_err();
    assert!(matches!(e, ProbeError::Truncated { format: "GIF", .. }), "{e}");
}

fn riff(chunks: &[(&[u8; 4], Vec<u8>)]) -> Vec<u8> {
    let mut body = b"WEBP".to_vec();
    for (fourcc, data) in chunks {
        body.extend_from_slice(*fourcc);
        body.extend_from_slice(&u32::try_from(data.len()).unwrap().to_le_bytes());
        body.extend_from_slice(data);
        if data.len() % 2 == 1 {
            body.push(0);
        }
    }
    let mut out = b"RIFF".to_vec();
    out.extend_from_slice(&u32::try_from(body.len()).unwrap().to_le_bytes());
    out.extend_from_slice(&body);
    out
}

#[test]
fn webp_lossy_lossless_and_animated_headers_are_read() {
    let vp8 = riff(&[(
        b"VP8 ",
        vec![0x50, 0x01, 0x00, 0x9D, 0x01, 0x2A, 0x80, 0x02, 0xE0, 0x01, 0, 0],
    )]);
    let i = info(&vp8);
    assert_eq!(
        (i.width, i.height, i.format.as_deref()),
        (Some(640), Some(480), Some("webp"))
    );
    // VP8L: width-1 and height-1 in 14 bits each, little-endian: 99 x 49.
    let bits: u32 = 98 | (48 << 14);
    let mut vp8l = vec![0x2F];
    vp8l.extend_from_slice(&bits.to_le_bytes());
    let i = info(&riff(&[(b"VP8L", vp8l)]));
    assert_eq!((i.width, i.height), (Some(99), Some(49)));
    let mut vp8x = vec![0x02, 0, 0, 0];
    vp8x.extend_from_slice(&[0xFF, 0x04, 0x00, 0x37, 0x02, 0x00]); // 1280 x 568
    let anmf = |ms: u32| {
        let mut d = vec![0; 12];
        d.extend_from_slice(&ms.to_le_bytes()[..3]);
        d.push(0);
        d
    };
    let i = info(&riff(&[
        (b"VP8X", vp8x),
        (b"ANIM", vec![0; 6]),
        (b"ANMF", anmf(250)),
        (b"ANMF", anmf(250)),
    ]));
    assert_eq!((i.width, i.height), (Some(1280), Some(568)));
    assert_eq!((i.duration_secs, i.frame_rate), (Some(0.5), Some(4.0)));
}

#[test]
fn videos_give_duration_display_size_codec_and_frame_rate() {
    for (codec, name) in [
        (Codec::H264, "h264"),
        (Codec::Hevc, "hevc"),
        (Codec::Vp9, "vp9"),
        (Codec::Av1, "av1"),
    ] {
        let spec = VideoSpec {
            codec,
            fps: 24.0,
            ..VideoSpec::new(1920, 1080, 61.25)
        };
        let v = info(&synth::mp4(&spec));
        assert_eq!(v.video_codec.as_deref(), Some(name));
        assert_eq!(
            (v.width, v.height, v.duration_secs),
            (Some(1920), Some(1080), Some(61.25))
        );
        assert_eq!(v.frame_rate, Some(24.0));
    }
    let rotated = info(&synth::mp4(&VideoSpec {
        rotation: 90,
        ..VideoSpec::new(1080, 1920, 5.0)
    }));
    assert_eq!((rotated.width, rotated.height), (Some(1080), Some(1920)));
    assert_eq!(info(&synth::mov(&VideoSpec::default())).format.as_deref(), Some("mov"));
}

#[test]
fn a_webm_is_known_by_its_format_alone() {
    let w = info(&[0x1A, 0x45, 0xDF, 0xA3, 0x9F, 0x42, 0x86, 0x81, 0x01]);
    assert_eq!(w.format.as_deref(), Some("webm"));
    assert_eq!((w.width, w.duration_secs), (None, None));
}

#[test]
fn what_is_not_media_is_named_by_how_it_starts() {
    let html = probe(b"  <html><body>Not found</body></html>", None).unwrap_err();
    assert_eq!(
        html.to_string(),
        "not a media file: it starts with <html><body>Not foun"
    );
    let binary = probe(&[0, 1, 2, 0xFE, 4, 5, 6, 7, 8, 9], None).unwrap_err();
    assert_eq!(
        binary.to_string(),
        "not a media file: it starts with the bytes 00 01 02 fe 04 05 06 07"
    );
    assert_eq!(probe(b"", None).unwrap_err(), ProbeError::Empty);
}

#[test]
fn a_cut_mp4_is_truncated_and_says_where() {
    let bytes = synth::mp4(&VideoSpec::default());
    let e = probe(&bytes[..200], None).unwrap_err();
    assert_eq!(
        e.to_string(),
        format!(
            "truncated MP4: the moov box needs {} bytes, {} remain",
            moov_len(&bytes),
            200 - 32
        )
    );
    // The head of a larger file whose moov is not in it: the format alone.
    let head = probe(&bytes[..200], Some(bytes.len() as u64)).unwrap();
    assert_eq!((head.format.as_deref(), head.duration_secs), (Some("mp4"), None));
}

fn moov_len(mp4: &[u8]) -> u32 {
    u32::from_be_bytes(mp4[32..36].try_into().unwrap())
}

/// Every prefix of every kind of file, and files with bytes overwritten, give an answer or an
/// error: never a panic. A GIF, MP4 or animated WEBP cut in half is an error.
#[test]
fn truncated_and_garbled_files_never_panic() {
    let files = [
        synth::jpeg(33, 17),
        synth::gif(20, 10, 3, 5),
        synth::mp4(&VideoSpec::new(64, 48, 0.5)),
        synth::mov(&VideoSpec {
            moov_last: true,
            ..VideoSpec::new(64, 48, 0.5)
        }),
        crate::synth::SAMPLE_PNG.to_vec(),
        riff(&[(b"VP8X", vec![0x02, 0, 0, 0, 9, 0, 0, 9, 0, 0]), (b"ANMF", vec![0; 16])]),
    ];
    for file in &files {
        for cut in 0..file.len() {
            let _ = probe(&file[..cut], None);
            let _ = probe(&file[..cut], Some(file.len() as u64));
        }
        // PNG and JPEG are read only up to their size; the others to their end.
        let read_to_end = !file.starts_with(b"\x89PNG") && !file.starts_with(b"\xFF\xD8");
        assert!(!read_to_end || probe(&file[..file.len() / 2], None).is_err());
        // Deterministic "random" overwrites (a small linear congruential generator).
        let mut seed: u64 = 0x2545_F491_4F6C_DD1D;
        for _ in 0..2000 {
            let mut garbled = file.clone();
            for _ in 0..4 {
                seed = seed
                    .wrapping_mul(6_364_136_223_846_793_005)
                    .wrapping_add(1_442_695_040_888_963_407);
                let at = (seed >> 33) as usize % garbled.len();
                garbled[at] = (seed >> 24) as u8;
            }
            let _ = probe(&garbled, None);
        }
    }
    // Hostile sizes: a box claiming 2^64 - 1 bytes, a zero-size box, a size below its header.
    let mut huge = b"\0\0\0\x01ftyp\xff\xff\xff\xff\xff\xff\xff\xffisom".to_vec();
    huge.extend_from_slice(&[0; 16]);
    let _ = probe(&huge, None);
    assert!(probe(b"\0\0\0\x04ftypisom", None).is_err());
    assert!(probe(b"\0\0\0\x10ftypisom\0\0\0\0\0\0\0\0moov", None).is_err());
}

// ---------------------------------------------------------------- probe_url

/// A file server that records the `Range` headers it gets; `honour_ranges` false answers every
/// request with the whole file (200).
struct Served {
    url: String,
    ranges: Arc<Mutex<Vec<String>>>,
    sent: Arc<Mutex<u64>>,
}

async fn serve(bytes: Vec<u8>, honour_ranges: bool) -> Served {
    use axum::http::{header, HeaderMap, StatusCode};
    use axum::response::IntoResponse;
    let ranges = Arc::new(Mutex::new(Vec::new()));
    let sent = Arc::new(Mutex::new(0u64));
    let (r, s) = (ranges.clone(), sent.clone());
    let bytes = Arc::new(bytes);
    let handler = move |headers: HeaderMap| {
        let (r, s, bytes) = (r.clone(), s.clone(), bytes.clone());
        async move {
            let range = headers
                .get(header::RANGE)
                .and_then(|v| v.to_str().ok())
                .unwrap_or("")
                .to_string();
            r.lock().unwrap().push(range.clone());
            let len = bytes.len() as u64;
            let parsed = range
                .strip_prefix("bytes=")
                .and_then(|x| x.split_once('-'))
                .and_then(|(a, b)| Some((a.parse::<u64>().ok()?, b.parse::<u64>().ok()?)));
            match parsed {
                Some((a, b)) if honour_ranges && a < len => {
                    let b = b.min(len - 1);
                    *s.lock().unwrap() += b - a + 1;
                    (
                        StatusCode::PARTIAL_CONTENT,
                        [(header::CONTENT_RANGE, format!("bytes {a}-{b}/{len}"))],
                        bytes[a as usize..=b as usize].to_vec(),
                    )
                        .into_response()
                }
                _ => {
                    *s.lock().unwrap() += len;
                    bytes.to_vec().into_response()
                }
            }
        }
    };
    let app = axum::Router::new().route("/media/{name}", axum::routing::get(handler));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}/media/clip.mp4", listener.local_addr().unwrap());
    tokio::spawn(async move {
        let _ = axum::serve(listener, app).await;
    });
    Served { url, ranges, sent }
}

const T: Duration = Duration::from_secs(30);

/// A 3 MB video whose index comes after its data: the head, two box headers and the index are
/// read, never the data.
#[tokio::test(start_paused = true)]
async fn probe_url_finds_a_trailing_moov_without_downloading_the_data() {
    let spec = VideoSpec {
        moov_last: true,
        min_bytes: 3 * 1024 * 1024,
        ..VideoSpec::new(1280, 720, 95.0)
    };
    let bytes = synth::mp4(&spec);
    let total = bytes.len() as u64;
    let served = serve(bytes, true).await;
    let v = probe_url(&reqwest::Client::new(), &served.url, T).await.unwrap();
    assert_eq!(
        (v.width, v.duration_secs, v.bytes),
        (Some(1280), Some(95.0), Some(total))
    );
    let ranges = served.ranges.lock().unwrap().clone();
    assert_eq!(ranges.len(), 3, "{ranges:?}");
    assert_eq!(ranges[0], "bytes=0-65535");
    assert!(*served.sent.lock().unwrap() < 100_000);
}

#[tokio::test(start_paused = true)]
async fn probe_url_reads_a_fast_start_video_in_one_request() {
    let served = serve(synth::mp4(&VideoSpec::new(640, 360, 7.0)), true).await;
    let v = probe_url(&reqwest::Client::new(), &served.url, T).await.unwrap();
    assert_eq!((v.height, v.duration_secs), (Some(360), Some(7.0)));
    assert_eq!(served.ranges.lock().unwrap().len(), 1);
}

#[tokio::test(start_paused = true)]
async fn a_server_that_ignores_ranges_still_works_for_small_files_and_is_capped_for_large_ones() {
    let small = serve(synth::jpeg(800, 600), false).await;
    let v = probe_url(&reqwest::Client::new(), &small.url, T).await.unwrap();
    assert_eq!(v.width, Some(800));
    let big = serve(
        synth::mp4(&VideoSpec {
            min_bytes: MAX_WHOLE_BYTES + 1,
            ..VideoSpec::default()
        }),
        false,
    )
    .await;
    let e = probe_url(&reqwest::Client::new(), &big.url, T).await.unwrap_err();
    assert!(matches!(e, ProbeError::TooLarge(_)), "{e}");
    assert!(e.to_string().contains("ignores Range requests"), "{e}");
}

#[tokio::test(start_paused = true)]
async fn a_missing_file_or_unreachable_host_is_a_download_error() {
    let served = serve(Vec::new(), true).await;
    let e = probe_url(&reqwest::Client::new(), &served.url, T).await.unwrap_err();
    assert!(matches!(e, ProbeError::Empty | ProbeError::Download(_)), "{e}");
    let nowhere = probe_url(&reqwest::Client::new(), "http://127.0.0.1:9/x.mp4", T)
        .await
        .unwrap_err();
    assert!(matches!(nowhere, ProbeError::Download(_)), "{nowhere}");
}

#[tokio::test(start_paused = true)]
async fn probe_file_finds_a_trailing_moov_on_disk() {
    use tokio::io::AsyncWriteExt;
    let spec = VideoSpec {
        moov_last: true,
        min_bytes: 200_000,
        ..VideoSpec::new(320, 240, 2.0)
    };
    let tmp = tempfile::NamedTempFile::new().unwrap();
    let mut file = tokio::fs::File::create(tmp.path()).await.unwrap();
    file.write_all(&synth::mp4(&spec)).await.unwrap();
    file.flush().await.unwrap();
    let mut file = tokio::fs::File::open(tmp.path()).await.unwrap();
    let v = probe_file(&mut file).await.unwrap();
    assert_eq!((v.width, v.duration_secs), (Some(320), Some(2.0)));
}
