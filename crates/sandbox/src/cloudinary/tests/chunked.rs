//! Chunked uploads, as the SDKs' `upload_large` sends them.

use super::*;
use serde_json::json;

/// One chunk of upload `id` to `{rt}/upload`; `total` as the header gives it (`-1` when unknown).
async fn chunk_to(
    sb: &CloudinarySandbox,
    rt: &str,
    id: &str,
    bytes: &[u8],
    first: usize,
    total: &str,
    fields: Vec<(String, String)>,
) -> (u16, Value) {
    let mut form = reqwest::multipart::Form::new();
    for (k, v) in fields {
        form = form.text(k, v);
    }
    let last = first + bytes.len() - 1;
    form = form.part(
        "file",
        reqwest::multipart::Part::bytes(bytes.to_vec()).file_name("big.mp4"),
    );
    let r = reqwest::Client::new()
        .post(format!("{}/v1_1/{CLOUD}/{rt}/upload", sb.url()))
        .header("X-Unique-Upload-Id", id)
        .header("Content-Range", format!("bytes {first}-{last}/{total}"))
        .multipart(form)
        .send()
        .await
        .unwrap();
    answer(r).await
}

async fn chunk(
    sb: &CloudinarySandbox,
    id: &str,
    bytes: &[u8],
    first: usize,
    total: usize,
    fields: Vec<(String, String)>,
) -> (u16, Value) {
    chunk_to(sb, "video", id, bytes, first, &total.to_string(), fields).await
}

/// A 12 MiB video in three chunks: the first two answer `done: false`, the last the whole result.
#[tokio::test]
async fn a_video_in_several_chunks_is_assembled_on_disk() {
    let sb = start().await;
    let video = sample("video-640x360-12s-12mb.mp4");
    let size = 5 * 1024 * 1024;
    let parts: Vec<&[u8]> = video.chunks(size).collect();
    assert_eq!(parts.len(), 3);
    let mut at = 0;
    let mut last = Value::Null;
    for (i, part) in parts.iter().enumerate() {
        let (status, body) = chunk(&sb, "up1", part, at, video.len(), signed(&sb, &[("public_id", "big")])).await;
        assert_eq!(status, 200, "{body}");
        if i + 1 < parts.len() {
            assert_eq!(body["done"], false);
        }
        at += part.len();
        last = body;
    }
    assert_eq!(last["public_id"], "big");
    assert_eq!(last["bytes"].as_u64(), Some(video.len() as u64));
    assert_eq!(
        (last["width"].as_u64(), last["duration"].as_f64()),
        (Some(640), Some(12.0))
    );
    assert_eq!(last["video"]["codec"], "h264");
    assert_eq!(sb.counters().cloud(CLOUD).chunks, 3);
    let served = reqwest::get(last["url"].as_str().unwrap()).await.unwrap();
    assert_eq!(served.bytes().await.unwrap().len(), video.len());
}

/// A small chunk that is not the last, and a chunk of an unknown upload that is not the first, are 400.
#[tokio::test]
async fn chunks_break_no_rule() {
    let sb = start().await;
    let video = sample("video-640x360-2s-12mb.mp4");
    let (status, _) = chunk(&sb, "u", &video[..1000], 0, video.len(), signed(&sb, &[])).await;
    assert_eq!(status, 400);
    let (status, _) = chunk(&sb, "v", &video[6_000_000..], 6_000_000, video.len(), signed(&sb, &[])).await;
    assert_eq!(status, 400);
}

const MIB: usize = 1024 * 1024;

/// cloudinary_npm's `upload_large`: `-1` as the total on every chunk but the last.
#[tokio::test]
async fn chunks_with_an_unknown_total_complete_when_the_last_gives_it() {
    let sb = start().await;
    let video = sample("video-640x360-12s-12mb.mp4");
    let n = video.len();
    let fields = || signed(&sb, &[("public_id", "npm")]);
    let (s1, b1) = chunk_to(&sb, "video", "n1", &video[..5 * MIB], 0, "-1", fields()).await;
    assert_eq!(
        (s1, b1["done"].clone(), b1["bytes"].as_u64()),
        (200, json!(false), Some(5 * MIB as u64))
    );
    let (s2, _) = chunk_to(&sb, "video", "n1", &video[5 * MIB..10 * MIB], 5 * MIB, "-1", fields()).await;
    assert_eq!(s2, 200);
    let (s3, last) = chunk_to(
        &sb,
        "video",
        "n1",
        &video[10 * MIB..],
        10 * MIB,
        &n.to_string(),
        fields(),
    )
    .await;
    assert_eq!(s3, 200, "{last}");
    assert_eq!(
        (last["public_id"].as_str(), last["bytes"].as_u64()),
        (Some("npm"), Some(n as u64))
    );
}

/// With the total unknown, the size limit is enforced as bytes arrive: an image (10 MB free)
/// whose second chunk ends past 10 MB is refused then, and the upload is dropped.
#[tokio::test]
async fn the_size_limit_holds_while_the_total_is_unknown() {
    let sb = start().await;
    let zeros = vec![0u8; 6 * MIB];
    let (status, _) = chunk_to(&sb, "image", "big", &zeros, 0, "-1", signed(&sb, &[])).await;
    assert_eq!(status, 200);
    let (status, body) = chunk_to(&sb, "image", "big", &zeros, 6 * MIB, "-1", signed(&sb, &[])).await;
    assert_eq!(status, 400);
    assert_eq!(
        message(&body),
        "File size too large. Got 12582912. Maximum is 10000000."
    );
    assert!(sb.pending_files().is_empty());
}

/// A middle chunk sent again (its answer was lost) is answered as the first time and counted
/// once: the last chunk then completes the upload.
#[tokio::test]
async fn a_resent_middle_chunk_is_counted_once() {
    let sb = start().await;
    let video = sample("video-640x360-12s-12mb.mp4");
    let n = video.len();
    let fields = || signed(&sb, &[("public_id", "again")]);
    chunk(&sb, "r1", &video[..5 * MIB], 0, n, fields()).await;
    let (_, first) = chunk(&sb, "r1", &video[5 * MIB..10 * MIB], 5 * MIB, n, fields()).await;
    let (status, again) = chunk(&sb, "r1", &video[5 * MIB..10 * MIB], 5 * MIB, n, fields()).await;
    assert_eq!((status, &again), (200, &first));
    assert_eq!(again["bytes"].as_u64(), Some(10 * MIB as u64));
    let (status, last) = chunk(&sb, "r1", &video[10 * MIB..], 10 * MIB, n, fields()).await;
    assert_eq!(status, 200, "{last}");
    assert_eq!(last["bytes"].as_u64(), Some(n as u64));
}

/// Chunks that give different totals are 400 in Cloudinary's error shape.
#[tokio::test]
async fn totals_must_agree_across_chunks() {
    let sb = start().await;
    let zeros = vec![0u8; 5 * MIB];
    let (status, _) = chunk_to(&sb, "video", "t1", &zeros, 0, "20000000", signed(&sb, &[])).await;
    assert_eq!(status, 200);
    let (status, body) = chunk_to(&sb, "video", "t1", &zeros, 5 * MIB, "30000000", signed(&sb, &[])).await;
    assert_eq!(status, 400);
    assert_eq!(
        body,
        json!({"error": {"message": "Content-Range total 30000000 differs from the total 20000000 an earlier chunk gave"}})
    );
}

/// The last chunk sent again after the upload completed is 400 naming the upload and its public
/// id (for an hour); after that the id is unknown.
#[tokio::test(start_paused = true)]
async fn a_resent_last_chunk_is_told_the_upload_completed() {
    let sb = start().await;
    let video = sample("video-640x360-2s-12mb.mp4");
    let n = video.len();
    let fields = || signed(&sb, &[("public_id", "done")]);
    let mut at = 0;
    for part in video.chunks(6 * MIB) {
        let (status, body) = chunk(&sb, "f1", part, at, n, fields()).await;
        assert_eq!(status, 200, "{body}");
        at += part.len();
    }
    let last_part = video.chunks(6 * MIB).last().unwrap();
    let from = n - last_part.len();
    let (status, body) = chunk(&sb, "f1", last_part, from, n, fields()).await;
    assert_eq!((status, message(&body)), (400, "Upload f1 already completed as done"));
    tokio::time::advance(Duration::from_secs(3601)).await;
    let (status, body) = chunk(&sb, "f1", last_part, from, n, fields()).await;
    assert_eq!(status, 400);
    assert!(message(&body).contains("is unknown"), "{body}");
}

/// An upload whose next chunk does not come within a day is dropped with its file.
#[tokio::test(start_paused = true)]
async fn an_unfinished_upload_expires_with_its_file() {
    let sb = start().await;
    let video = sample("video-640x360-12s-12mb.mp4");
    let n = video.len();
    let (status, _) = chunk(&sb, "e1", &video[..5 * MIB], 0, n, signed(&sb, &[])).await;
    assert_eq!(status, 200);
    let files = sb.pending_files();
    assert_eq!(files.len(), 1);
    assert!(files[0].exists());
    tokio::time::advance(Duration::from_secs(24 * 3600 + 1)).await;
    let (status, body) = chunk(&sb, "e1", &video[5 * MIB..10 * MIB], 5 * MIB, n, signed(&sb, &[])).await;
    assert_eq!(status, 400);
    assert!(message(&body).contains("is unknown"), "{body}");
    assert!(!files[0].exists());
    assert!(sb.pending_files().is_empty());
}
