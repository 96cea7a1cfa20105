//! Chunked uploads, as the SDKs' `upload_large` sends them.

use super::*;

async fn chunk(
    sb: &CloudinarySandbox,
    id: &str,
    bytes: &[u8],
    first: usize,
    total: usize,
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
        .post(format!("{}/v1_1/{CLOUD}/video/upload", sb.url()))
        .header("X-Unique-Upload-Id", id)
        .header("Content-Range", format!("bytes {first}-{last}/{total}"))
        .multipart(form)
        .send()
        .await
        .unwrap();
    answer(r).await
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
