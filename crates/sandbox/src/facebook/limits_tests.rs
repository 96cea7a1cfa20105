//! Instagram's caption limits, held by the stand-in itself: a client that skips the worker's
//! checks (plain HTTP here) is refused as Instagram refuses it.

use super::limits::{hashtags, CAPTION_MAX_CHARS, MAX_HASHTAGS};
use super::{FacebookSandbox, FacebookSandboxOptions, FacebookSandboxPage, InstagramSandboxUser};
use serde_json::Value;

const IG: &str = "17841400000000077";
const TOKEN: &str = "IGsandboxToken77";

async fn start() -> FacebookSandbox {
    FacebookSandbox::start(FacebookSandboxOptions {
        listen: "127.0.0.1:0".parse().unwrap(),
        instagram_users: vec![InstagramSandboxUser {
            token: TOKEN.into(),
            id: IG.into(),
            username: "limits".into(),
        }],
        ..FacebookSandboxOptions::new(vec![FacebookSandboxPage {
            token: "EAAGlimitsPage".into(),
            id: "1000000000077".into(),
            name: "Limits".into(),
        }])
    })
    .await
    .unwrap()
}

/// `POST /{ig-user-id}/media` with a JPEG the sandbox serves and `caption`: (status, body).
async fn container(sb: &FacebookSandbox, caption: &str) -> (u16, Value) {
    let image = format!("{}/_sandbox/files/image-1080x1080.jpg", sb.url());
    let res = reqwest::Client::new()
        .post(format!("{}/{}/{IG}/media", sb.url(), super::limits::GRAPH_VERSION))
        .form(&[
            ("image_url", image.as_str()),
            ("caption", caption),
            ("access_token", TOKEN),
        ])
        .send()
        .await
        .unwrap();
    let status = res.status().as_u16();
    (status, res.json().await.unwrap())
}

#[test]
fn hashtags_are_counted_as_instagram_counts_them() {
    assert_eq!(hashtags("#a #b_c #9 x#notatag # #"), 3);
    assert_eq!(hashtags("émoji #café, #日本"), 2);
}

#[tokio::test]
async fn a_sixth_hashtag_or_a_longer_caption_is_refused() {
    let sb = start().await;
    let five = (1..=MAX_HASHTAGS)
        .map(|n| format!("#tag{n}"))
        .collect::<Vec<_>>()
        .join(" ");
    let (status, body) = container(&sb, &five).await;
    assert_eq!(status, 200, "{body}");
    let (status, body) = container(&sb, &format!("{five} #one_more")).await;
    assert_eq!(status, 400, "{body}");
    assert_eq!(body["error"]["code"], 100, "{body}");
    assert!(
        body["error"]["message"].as_str().unwrap().contains("6 hashtags"),
        "{body}"
    );
    let (status, _) = container(&sb, &"é".repeat(CAPTION_MAX_CHARS)).await;
    assert_eq!(status, 200);
    let (status, body) = container(&sb, &"é".repeat(CAPTION_MAX_CHARS + 1)).await;
    assert_eq!(status, 400, "{body}");
    assert!(
        body["error"]["message"].as_str().unwrap().contains("2201 characters"),
        "{body}"
    );
    sb.shutdown().await;
}
