//! The sandbox TikTok holds videos to TikTok's documented limits ([`super::limits`]), not the
//! worker's: checked over HTTP with a plain client that makes none of the worker's checks.

use super::limits::{MAX_CHUNK, MAX_VIDEO_BYTES};
use super::{TikTokSandbox, TikTokSandboxCreator, TikTokSandboxLimits, TikTokSandboxOptions};
use serde_json::{json, Value};

const TOKEN: &str = "tiktok-limits-token";

async fn start() -> TikTokSandbox {
    TikTokSandbox::start(TikTokSandboxOptions {
        data_dir: None,
        listen: "127.0.0.1:0".parse().unwrap(),
        creators: vec![TikTokSandboxCreator::new(TOKEN, "open-limits", "limits")],
        limits: TikTokSandboxLimits::default(),
    })
    .await
    .unwrap()
}

/// A `FILE_UPLOAD` init of `video_size` bytes in 64 MB chunks.
async fn init(sandbox: &TikTokSandbox, video_size: u64) -> (u16, Value) {
    let body = json!({
        "post_info": { "title": "limits", "privacy_level": "SELF_ONLY" },
        "source_info": {
            "source": "FILE_UPLOAD",
            "video_size": video_size,
            "chunk_size": MAX_CHUNK,
            "total_chunk_count": video_size / MAX_CHUNK,
        },
    });
    let response = reqwest::Client::new()
        .post(format!("{}/v2/post/publish/video/init/", sandbox.url()))
        .bearer_auth(TOKEN)
        .json(&body)
        .send()
        .await
        .unwrap();
    let status = response.status().as_u16();
    (status, response.json().await.unwrap())
}

/// TikTok's media transfer guide: a video of at most 4 GB. One byte more is refused at init with
/// `invalid_params`; exactly 4 GB is taken (no byte is sent: init only announces the size).
#[tokio::test]
async fn a_video_over_four_gigabytes_is_refused_at_init_and_four_gigabytes_are_taken() {
    let sandbox = start().await;
    let (status, body) = init(&sandbox, MAX_VIDEO_BYTES + 1).await;
    assert_eq!(status, 400, "{body}");
    assert_eq!(body["error"]["code"], "invalid_params");
    let (status, body) = init(&sandbox, MAX_VIDEO_BYTES).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["error"]["code"], "ok");
    assert!(body["data"]["upload_url"].is_string(), "{body}");
    sandbox.shutdown().await;
}

/// A file that arrived over 4 GB (as `PULL_FROM_URL` would report it) fails the format check.
#[test]
fn a_video_file_over_four_gigabytes_fails_the_file_check() {
    let info = |bytes| schedulo_media::MediaInfo {
        format: Some("mp4".into()),
        bytes: Some(bytes),
        ..Default::default()
    };
    assert_eq!(super::media::judge_video(&info(MAX_VIDEO_BYTES), 600), Ok(()));
    assert_eq!(
        super::media::judge_video(&info(MAX_VIDEO_BYTES + 1), 600),
        Err("file_format_check_failed".into())
    );
}
