//! State across restarts: with a data directory, what X answered before a restart is there after
//! it, on another port, and the posting window goes on counting.

use super::{alice, Http, TOKEN, USER_ID};
use crate::x::{XSandbox, XSandboxLimits, XSandboxOptions};
use base64::Engine;
use reqwest::Method;
use serde_json::json;
use std::path::Path;
use std::time::Duration;

async fn start_on(dir: &Path, tweets_per_window: u32) -> anyhow::Result<XSandbox> {
    XSandbox::start(XSandboxOptions {
        listen: "127.0.0.1:0".parse().unwrap(),
        users: vec![alice()],
        limits: XSandboxLimits {
            tweets_per_window,
            ..XSandboxLimits::default()
        },
        data_dir: Some(dir.to_path_buf()),
    })
    .await
}

async fn post(http: &Http, body: serde_json::Value) -> (u16, reqwest::header::HeaderMap, serde_json::Value) {
    http.call(Method::POST, "/2/tweets", Some(TOKEN), Some(body)).await
}

/// Posts (one with an image) made before a restart are listed after it, on another port, and a
/// window of 3 posts used up before the restart still refuses the 4th until it ends.
#[tokio::test(start_paused = true)]
async fn posts_media_and_the_posting_window_survive_a_restart_on_another_port() {
    let dir = tempfile::tempdir().unwrap();
    let first = start_on(dir.path(), 3).await.unwrap();
    let http = Http::new(&first);
    let media = base64::engine::general_purpose::STANDARD.encode(schedulo_media::synth::SAMPLE_JPG);
    let body = json!({"media": media, "media_category": "tweet_image"});
    let (status, _, uploaded) = http
        .call(Method::POST, "/2/media/upload", Some(TOKEN), Some(body))
        .await;
    assert_eq!(status, 200, "{uploaded}");
    let media_id = uploaded["data"]["id"].as_str().unwrap().to_string();
    let mut ids = Vec::new();
    for text in ["one", "two"] {
        let (status, _, answer) = post(&http, json!({ "text": text })).await;
        assert_eq!(status, 201, "{answer}");
        ids.push(answer["data"]["id"].as_str().unwrap().to_string());
    }
    let (status, headers, _) = post(&http, json!({"text": "three", "media": {"media_ids": [media_id]}})).await;
    assert_eq!(status, 201);
    let reset = headers["x-rate-limit-reset"].to_str().unwrap().to_string();
    let old_url = first.url();
    first.shutdown().await;
    let file = std::fs::read_to_string(dir.path().join("x.json")).unwrap();
    assert!(!file.contains(TOKEN), "no token in the file");

    let second = start_on(dir.path(), 3).await.unwrap();
    assert_ne!(second.url(), old_url, "another port");
    let http = Http::new(&second);
    let (status, _, listed) = http
        .call(Method::GET, &format!("/2/users/{USER_ID}/tweets"), Some(TOKEN), None)
        .await;
    assert_eq!(status, 200, "{listed}");
    let texts: Vec<&str> = listed["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["text"].as_str().unwrap())
        .collect();
    assert_eq!(texts.len(), 3, "{listed}");
    assert!(
        texts[0].starts_with("three ") && texts[1..] == ["two", "one"],
        "{texts:?}"
    );
    assert_eq!(second.tweets(USER_ID)[2].2, vec![media_id.clone()]);

    let (status, headers, _) = post(&http, json!({ "text": "four" })).await;
    assert_eq!(status, 429, "the window of 3 carried over");
    assert_eq!(
        headers["x-rate-limit-reset"].to_str().unwrap(),
        reset,
        "same window end"
    );
    tokio::time::advance(Duration::from_secs(15 * 60)).await;
    let (status, _, answer) = post(&http, json!({ "text": "four" })).await;
    assert_eq!(status, 201, "{answer}");
    let id: u64 = answer["data"]["id"].as_str().unwrap().parse().unwrap();
    assert!(
        ids.iter().all(|old| old.parse::<u64>().unwrap() < id),
        "ids keep growing"
    );
    second.shutdown().await;
}

/// A post answered 201 is on disk before the answer: a sandbox that never shut down (as after
/// `kill -9`) leaves it for the next one.
#[tokio::test(start_paused = true)]
async fn a_post_answered_is_on_disk_even_without_a_shutdown() {
    let dir = tempfile::tempdir().unwrap();
    let first = start_on(dir.path(), 100).await.unwrap();
    let (status, _, answer) = post(&Http::new(&first), json!({ "text": "kept" })).await;
    assert_eq!(status, 201, "{answer}");
    let again = start_on(dir.path(), 100).await.unwrap();
    assert_eq!(
        again.tweets(USER_ID).len(),
        1,
        "read from the file, the first never stopped"
    );
    assert_eq!(again.counters().tweets_created, 1);
}

/// A corrupt state file stops the start with its path; the sandbox never starts empty over it.
#[tokio::test(start_paused = true)]
async fn a_corrupt_state_file_refuses_to_start_and_names_the_file() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("x.json"), b"{\"format\":1,\"tweets\":[{]").unwrap();
    let err = format!("{:#}", start_on(dir.path(), 100).await.err().expect("refused"));
    assert!(err.contains(&dir.path().join("x.json").display().to_string()), "{err}");
    assert_eq!(
        std::fs::read(dir.path().join("x.json")).unwrap(),
        b"{\"format\":1,\"tweets\":[{]",
        "left as it was"
    );
}
