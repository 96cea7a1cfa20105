//! State across restarts: with a data directory, a Page post and an Instagram post made before a
//! restart are read back through the Graph API after it (on another port), and the usage and the
//! Instagram publishing window carry over.

use super::limits::GRAPH_VERSION as V;
use super::{FacebookSandbox, FacebookSandboxOptions, FacebookSandboxPage, InstagramSandboxUser};
use reqwest::header::HeaderMap;
use serde_json::Value;
use std::path::Path;
use std::time::Duration;

const PAGE: &str = "1000000000088";
const PAGE_TOKEN: &str = "EAAGrestartPage";
const IG: &str = "17841400000000088";
const IG_TOKEN: &str = "IGrestartToken88";

async fn start_on(dir: &Path) -> anyhow::Result<FacebookSandbox> {
    FacebookSandbox::start(FacebookSandboxOptions {
        instagram_users: vec![InstagramSandboxUser {
            token: IG_TOKEN.into(),
            id: IG.into(),
            username: "restart".into(),
        }],
        calls_per_hour: 100,
        quota_total: 1,
        data_dir: Some(dir.to_path_buf()),
        ..FacebookSandboxOptions::new(vec![FacebookSandboxPage {
            token: PAGE_TOKEN.into(),
            id: PAGE.into(),
            name: "Restart".into(),
        }])
    })
    .await
}

async fn call(
    sb: &FacebookSandbox,
    method: reqwest::Method,
    path: &str,
    form: &[(&str, &str)],
) -> (u16, HeaderMap, Value) {
    let res = reqwest::Client::new()
        .request(method, format!("{}/{V}/{path}", sb.url()))
        .form(form)
        .send()
        .await
        .unwrap();
    let (status, headers) = (res.status().as_u16(), res.headers().clone());
    (status, headers, res.json().await.unwrap())
}

fn call_count(headers: &HeaderMap) -> u64 {
    let usage: Value = serde_json::from_str(headers["x-app-usage"].to_str().unwrap()).unwrap();
    usage["call_count"].as_u64().unwrap()
}

/// A feed post and an Instagram post are listed after the restart; the calls of the hour still
/// count in `X-App-Usage`; the one post a day Instagram allowed here is still used up.
#[tokio::test(start_paused = true)]
async fn posts_instagram_media_usage_and_the_publishing_window_survive_a_restart() {
    let dir = tempfile::tempdir().unwrap();
    let first = start_on(dir.path()).await.unwrap();
    let post = reqwest::Method::POST;
    let feed = format!("{PAGE}/feed");
    let (status, _, body) = call(
        &first,
        post.clone(),
        &feed,
        &[("message", "before"), ("access_token", PAGE_TOKEN)],
    )
    .await;
    assert_eq!(status, 200, "{body}");
    let post_id = body["id"].as_str().unwrap().to_string();
    let image = format!("{}/_sandbox/files/image-1080x1080.jpg", first.url());
    let media = format!("{IG}/media");
    let form = [
        ("image_url", image.as_str()),
        ("caption", "kept"),
        ("access_token", IG_TOKEN),
    ];
    let (status, _, body) = call(&first, post.clone(), &media, &form).await;
    assert_eq!(status, 200, "{body}");
    let container = body["id"].as_str().unwrap().to_string();
    tokio::time::advance(Duration::from_secs(3)).await;
    let publish = format!("{IG}/media_publish");
    let form = [("creation_id", container.as_str()), ("access_token", IG_TOKEN)];
    let (status, headers, body) = call(&first, post.clone(), &publish, &form).await;
    assert_eq!(status, 200, "{body}");
    let ig_media = body["id"].as_str().unwrap().to_string();
    let used = call_count(&headers);
    assert!(used >= 3, "{used}");
    let old_url = first.url();
    first.shutdown().await;
    let file = std::fs::read_to_string(dir.path().join("graph.json")).unwrap();
    assert!(
        !file.contains(PAGE_TOKEN) && !file.contains(IG_TOKEN),
        "no token in the file"
    );

    let second = start_on(dir.path()).await.unwrap();
    assert_ne!(second.url(), old_url);
    let get = reqwest::Method::GET;
    let (status, headers, body) = call(&second, get.clone(), &format!("{feed}?access_token={PAGE_TOKEN}"), &[]).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["data"][0]["id"], post_id.as_str(), "{body}");
    assert!(call_count(&headers) > used, "the hour's calls still count");
    let (status, _, body) = call(
        &second,
        get,
        &format!("{media}?fields=id,caption&access_token={IG_TOKEN}"),
        &[],
    )
    .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(
        (&body["data"][0]["id"], &body["data"][0]["caption"]),
        (&Value::from(ig_media), &Value::from("kept")),
        "{body}"
    );
    let image = format!("{}/_sandbox/files/image-1080x1080.jpg", second.url());
    let form = [("image_url", image.as_str()), ("access_token", IG_TOKEN)];
    let (_, _, body) = call(&second, post.clone(), &media, &form).await;
    let another = body["id"].as_str().unwrap().to_string();
    tokio::time::advance(Duration::from_secs(3)).await;
    let form = [("creation_id", another.as_str()), ("access_token", IG_TOKEN)];
    let (status, _, body) = call(&second, post, &publish, &form).await;
    assert_eq!(
        (status, &body["error"]["error_subcode"]),
        (400, &Value::from(2207042)),
        "{body}"
    );
    second.shutdown().await;
}

/// A corrupt state file stops the start with its path.
#[tokio::test(start_paused = true)]
async fn a_corrupt_state_file_refuses_to_start_and_names_the_file() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("graph.json"), b"not json").unwrap();
    let err = format!("{:#}", start_on(dir.path()).await.err().expect("refused"));
    assert!(
        err.contains(&dir.path().join("graph.json").display().to_string()),
        "{err}"
    );
}
