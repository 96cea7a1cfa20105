//! State across restarts: with a data directory, an asset uploaded before a restart is in the
//! Admin API after it, its delivery URLs (on the new port) serve the same bytes, presets stay, and
//! the Admin API's hourly window keeps counting.

use super::{admin, answer, sample, signed, upload, CLOUD, KEY, SECRET};
use crate::cloudinary::{CloudinarySandbox, CloudinarySandboxLimits, CloudinarySandboxOptions, SandboxCloud};
use reqwest::Method;
use serde_json::json;
use std::path::Path;
use std::time::Duration;

async fn start_on(dir: &Path) -> anyhow::Result<CloudinarySandbox> {
    CloudinarySandbox::start(CloudinarySandboxOptions {
        listen: "127.0.0.1:0".parse().unwrap(),
        clouds: vec![SandboxCloud::new(CLOUD, KEY, SECRET)],
        limits: CloudinarySandboxLimits {
            admin_per_hour_free: 5,
            ..CloudinarySandboxLimits::default()
        },
        notify_timeout: Duration::from_secs(10),
        data_dir: Some(dir.to_path_buf()),
    })
    .await
}

async fn bytes_at(url: &str) -> (u16, Vec<u8>) {
    let r = reqwest::get(url).await.unwrap();
    (r.status().as_u16(), r.bytes().await.unwrap().to_vec())
}

#[tokio::test(start_paused = true)]
async fn assets_their_variants_presets_and_the_hourly_window_survive_a_restart_on_another_port() {
    let dir = tempfile::tempdir().unwrap();
    let first = start_on(dir.path()).await.unwrap();
    let eager = "ar_1:1,c_fill,w_50";
    let params = signed(&first, &[("public_id", "pic"), ("eager", eager)]);
    let (status, up) = upload(&first, "image", sample("image-200x100.jpg"), "a.jpg", params).await;
    assert_eq!(status, 200, "{up}");
    let (original_url, variant_url) = (
        up["secure_url"].as_str().unwrap(),
        up["eager"][0]["url"].as_str().unwrap(),
    );
    let (_, original) = bytes_at(original_url).await;
    let (status, variant) = bytes_at(variant_url).await;
    assert_eq!(status, 200);
    let preset = json!({"name": "kept", "unsigned": true, "settings": {"folder": "x"}});
    assert_eq!(
        admin(&first, Method::POST, "upload_presets", Some(preset))
            .await
            .status(),
        200
    );
    assert_eq!(admin(&first, Method::GET, "usage", None).await.status(), 200);
    let old = first.url();
    first.shutdown().await;

    let second = start_on(dir.path()).await.unwrap();
    assert_ne!(second.url(), old);
    let r = admin(&second, Method::GET, "resources/image/upload/pic", None).await;
    assert_eq!(
        r.headers()["x-featureratelimit-remaining"],
        "2",
        "3 of the hour's 5 calls used"
    );
    let (status, v) = answer(r).await;
    assert_eq!(
        (status, &v["version"], &v["bytes"]),
        (200, &up["version"], &up["bytes"]),
        "{v}"
    );
    assert_eq!(v["derived"][0]["transformation"], eager, "{v}");
    let moved = |url: &str| url.replace(&old, &second.url());
    assert_eq!(
        v["secure_url"].as_str(),
        Some(moved(original_url).as_str()),
        "URLs on the new address"
    );
    assert_eq!(bytes_at(&moved(original_url)).await, (200, original));
    assert_eq!(bytes_at(&moved(variant_url)).await, (200, variant));
    let (status, v) = answer(admin(&second, Method::GET, "upload_presets/kept", None).await).await;
    assert_eq!((status, &v["unsigned"]), (200, &json!(true)), "{v}");
    let (_, v) = answer(admin(&second, Method::GET, "usage", None).await).await;
    assert_eq!(v["objects"]["usage"], 1.0, "{v}");
    assert_eq!(
        admin(&second, Method::GET, "folders", None).await.status(),
        420,
        "the sixth call of the hour"
    );
    second.shutdown().await;
}

/// An upload answered is on disk with its file before the answer: a sandbox that never shut down
/// (as after `kill -9`) leaves it for the next one, which serves its bytes.
#[tokio::test(start_paused = true)]
async fn an_upload_answered_is_kept_even_without_a_shutdown() {
    let dir = tempfile::tempdir().unwrap();
    let first = start_on(dir.path()).await.unwrap();
    let params = signed(&first, &[("public_id", "kept")]);
    let (status, up) = upload(&first, "image", sample("sample.jpg"), "a.jpg", params).await;
    assert_eq!(status, 200, "{up}");
    let again = start_on(dir.path()).await.unwrap();
    let url = up["secure_url"].as_str().unwrap().replace(&first.url(), &again.url());
    assert_eq!(bytes_at(&url).await, (200, sample("sample.jpg")));
}

/// A corrupt state file stops the start with its path.
#[tokio::test(start_paused = true)]
async fn a_corrupt_state_file_refuses_to_start_and_names_the_file() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("cloudinary.json"),
        b"{\"format\":1,\"clouds\":{\"demo\":{\"assets\":[{}]}}}",
    )
    .unwrap();
    let err = format!("{:#}", start_on(dir.path()).await.err().expect("refused"));
    assert!(
        err.contains(&dir.path().join("cloudinary.json").display().to_string()),
        "{err}"
    );
}

/// An `eager_async` batch still waiting when the sandbox stops is carried out at its time by the
/// next one: its derived file appears and is served.
#[tokio::test(start_paused = true)]
async fn an_eager_async_batch_waiting_at_a_restart_is_made_after_it() {
    let dir = tempfile::tempdir().unwrap();
    let first = start_on(dir.path()).await.unwrap();
    let params = signed(
        &first,
        &[("public_id", "later"), ("eager", "w_50"), ("eager_async", "true")],
    );
    let (status, up) = upload(&first, "image", sample("image-200x100.jpg"), "a.jpg", params).await;
    assert_eq!((status, &up["eager"][0]["status"]), (200, &json!("processing")), "{up}");
    first.shutdown().await;

    let second = start_on(dir.path()).await.unwrap();
    assert!(second.asset(CLOUD, "later").unwrap().derived.is_empty());
    tokio::time::advance(Duration::from_secs(6)).await;
    for _ in 0..100 {
        if !second.asset(CLOUD, "later").unwrap().derived.is_empty() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    let derived = second.asset(CLOUD, "later").unwrap().derived;
    assert_eq!(derived.len(), 1, "made after the restart");
    assert_eq!(bytes_at(&derived[0].url).await.0, 200);
}
