//! State across restarts: with a data directory, a `publish_id` taken before a restart is
//! answered by `status/fetch` after it (on another port), an upload goes on where it stopped, and
//! the daily cap keeps counting.

use super::{TikTokSandbox, TikTokSandboxCreator, TikTokSandboxLimits, TikTokSandboxOptions};
use serde_json::{json, Value};
use std::path::Path;
use std::time::Duration;

const TOKEN: &str = "tiktok-restart-token";
const OPEN_ID: &str = "open-restart";
const MB: u64 = 1024 * 1024;

async fn start_on(dir: &Path) -> anyhow::Result<TikTokSandbox> {
    TikTokSandbox::start(TikTokSandboxOptions {
        listen: "127.0.0.1:0".parse().unwrap(),
        creators: vec![TikTokSandboxCreator::new(TOKEN, OPEN_ID, "restart")],
        limits: TikTokSandboxLimits {
            daily_posts: 2,
            ..TikTokSandboxLimits::default()
        },
        data_dir: Some(dir.to_path_buf()),
    })
    .await
}

async fn call(url: &str, body: Value) -> (u16, Value) {
    let response = reqwest::Client::new()
        .post(url)
        .bearer_auth(TOKEN)
        .json(&body)
        .send()
        .await
        .unwrap();
    let status = response.status().as_u16();
    (status, response.json().await.unwrap())
}

async fn status(sandbox: &TikTokSandbox, publish_id: &str) -> Value {
    let url = format!("{}/v2/post/publish/status/fetch/", sandbox.url());
    let (code, body) = call(&url, json!({ "publish_id": publish_id })).await;
    assert_eq!(code, 200, "{body}");
    body["data"].clone()
}

async fn put_chunk(upload_url: &str, bytes: Vec<u8>, first: u64, total: u64) -> u16 {
    let last = first + bytes.len() as u64 - 1;
    reqwest::Client::new()
        .put(upload_url)
        .header("Content-Type", "video/mp4")
        .header("Content-Range", format!("bytes {first}-{last}/{total}"))
        .body(bytes)
        .send()
        .await
        .unwrap()
        .status()
        .as_u16()
}

/// A pulled video published before the restart is `PUBLISH_COMPLETE` with its post id after it;
/// an upload of 2 chunks cut by the restart takes its second chunk at the new address; the cap of
/// 2 posts a day, both used before the restart, refuses a third after it.
#[tokio::test(start_paused = true)]
async fn publishes_uploads_and_the_daily_cap_survive_a_restart_on_another_port() {
    let dir = tempfile::tempdir().unwrap();
    let first = start_on(dir.path()).await.unwrap();
    let init = format!("{}/v2/post/publish/video/init/", first.url());
    let pulled = json!({
        "post_info": { "title": "pulled", "privacy_level": "PUBLIC_TO_EVERYONE" },
        "source_info": { "source": "PULL_FROM_URL", "video_url": first.file_url("video-1080x1920-15s.mp4") },
    });
    let (code, body) = call(&init, pulled.clone()).await;
    assert_eq!(code, 200, "{body}");
    let pulled_id = body["data"]["publish_id"].as_str().unwrap().to_string();
    let total = 10 * MB + 1;
    let uploaded = json!({
        "post_info": { "title": "uploaded", "privacy_level": "SELF_ONLY" },
        "source_info": { "source": "FILE_UPLOAD", "video_size": total, "chunk_size": 5 * MB, "total_chunk_count": 2 },
    });
    let (code, body) = call(&init, uploaded).await;
    assert_eq!(code, 200, "{body}");
    let upload_id = body["data"]["publish_id"].as_str().unwrap().to_string();
    let upload_url = body["data"]["upload_url"].as_str().unwrap().to_string();
    assert_eq!(put_chunk(&upload_url, vec![7; 5 * MB as usize], 0, total).await, 206);
    let old_url = first.url();
    first.shutdown().await;
    let file = std::fs::read_to_string(dir.path().join("tiktok.json")).unwrap();
    assert!(!file.contains(TOKEN), "no token in the file");

    let second = start_on(dir.path()).await.unwrap();
    assert_ne!(second.url(), old_url);
    tokio::time::advance(Duration::from_secs(60)).await;
    let data = status(&second, &pulled_id).await;
    assert_eq!(data["status"], "PUBLISH_COMPLETE", "{data}");
    assert_eq!(
        data["publicaly_available_post_id"].as_array().map(Vec::len),
        Some(1),
        "{data}"
    );
    let moved = upload_url.replace(&old_url, &second.url());
    assert_eq!(
        put_chunk(&moved, vec![7; 5 * MB as usize + 1], 5 * MB, total).await,
        201
    );
    assert_eq!(status(&second, &upload_id).await["uploaded_bytes"], json!(total));
    let init = format!("{}/v2/post/publish/video/init/", second.url());
    let (code, body) = call(&init, pulled).await;
    assert_eq!(
        (code, &body["error"]["code"]),
        (403, &json!("spam_risk_too_many_posts")),
        "{body}"
    );
    second.shutdown().await;
}

/// A corrupt state file stops the start with its path.
#[tokio::test(start_paused = true)]
async fn a_corrupt_state_file_refuses_to_start_and_names_the_file() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("tiktok.json"), b"{\"format\":1,\"publishes\":7}").unwrap();
    let err = format!("{:#}", start_on(dir.path()).await.err().expect("refused"));
    assert!(
        err.contains(&dir.path().join("tiktok.json").display().to_string()),
        "{err}"
    );
}
