//! The Instagram side of the sandbox over raw HTTP: Meta's shapes and errors.

use super::env::*;
use serde_json::{json, Value};

async fn post_form(env: &IgEnv, path: &str, form: &[(&str, &str)]) -> (u16, Value) {
    let res = reqwest::Client::new()
        .post(format!("{}{path}", env.sandbox.url()))
        .bearer_auth(IG_TOKEN)
        .form(form)
        .send()
        .await
        .unwrap();
    (res.status().as_u16(), res.json().await.unwrap())
}

/// A container read while processing, then finished; `media_publish` before that is Meta's
/// 9007 / 2207027; an account's usage header says `instagram`.
#[tokio::test(start_paused = true)]
async fn containers_move_from_in_progress_to_finished_and_are_published_once() {
    let env = start_ig_with(|sandbox, _| sandbox.container_processing_secs = 5.0).await;
    let media = format!("/v21.0/{IG_USER}/media");
    let url = env.file("image-1080x1080.jpg");
    let (status, created) = post_form(&env, &media, &[("image_url", &url), ("caption", "Hi")]).await;
    assert_eq!(status, 200, "{created}");
    let id = created["id"].as_str().unwrap().to_string();
    let read = format!("/v21.0/{id}?fields=status_code,status");
    let (_, state) = env.call(reqwest::Method::GET, &read, Some(IG_TOKEN)).await;
    assert_eq!(state["status_code"], "IN_PROGRESS");
    let publish = format!("/v21.0/{IG_USER}/media_publish");
    let (status, refused) = post_form(&env, &publish, &[("creation_id", &id)]).await;
    assert_eq!(
        (status, &refused["error"]["code"], &refused["error"]["error_subcode"]),
        (400, &json!(9007), &json!(2207027))
    );
    tokio::time::advance(std::time::Duration::from_secs(5)).await;
    let (_, state) = env.call(reqwest::Method::GET, &read, Some(IG_TOKEN)).await;
    assert_eq!(state["status_code"], "FINISHED");
    let (status, published) = post_form(&env, &publish, &[("creation_id", &id)]).await;
    assert_eq!(status, 200);
    let (status, again) = post_form(&env, &publish, &[("creation_id", &id)]).await;
    assert_eq!((status, again["error"]["code"].as_i64()), (400, Some(100)));
    let media_id = published["id"].as_str().unwrap();
    let (_, shown) = env
        .call(
            reqwest::Method::GET,
            &format!("/v21.0/{media_id}?fields=permalink,caption,media_type,username"),
            Some(IG_TOKEN),
        )
        .await;
    assert_eq!(shown["caption"], "Hi");
    assert_eq!(shown["username"], IG_HANDLE);
    assert_eq!(shown["media_type"], "IMAGE");
    let res = reqwest::Client::new()
        .get(format!(
            "{}/v21.0/{IG_USER}?fields=id,username,media_count",
            env.sandbox.url()
        ))
        .bearer_auth(IG_TOKEN)
        .send()
        .await
        .unwrap();
    let buc: Value = serde_json::from_str(res.headers()["x-business-use-case-usage"].to_str().unwrap()).unwrap();
    assert_eq!(buc[IG_USER][0]["type"], "instagram");
    assert_eq!(res.json::<Value>().await.unwrap()["media_count"], 1);
    env.shutdown().await;
}

/// Bad requests get Meta's errors: a VIDEO outside a carousel, a carousel of one, another
/// account's token.
#[tokio::test(start_paused = true)]
async fn bad_container_requests_get_meta_s_errors() {
    let env = start_ig().await;
    let media = format!("/v21.0/{IG_USER}/media");
    let video = env.file("video-1080x1080-10s.mp4");
    let (status, body) = post_form(&env, &media, &[("video_url", &video), ("media_type", "VIDEO")]).await;
    assert_eq!((status, body["error"]["code"].as_i64()), (400, Some(100)));
    let (_, item) = post_form(
        &env,
        &media,
        &[
            ("image_url", &env.file("image-1080x1080.jpg")),
            ("is_carousel_item", "true"),
        ],
    )
    .await;
    tokio::time::advance(std::time::Duration::from_secs(3)).await;
    let id = item["id"].as_str().unwrap();
    let (status, body) = post_form(&env, &media, &[("media_type", "CAROUSEL"), ("children", id)]).await;
    assert_eq!(status, 400);
    assert!(
        body["error"]["message"].as_str().unwrap().contains("2 to 10 children"),
        "{body}"
    );
    let (status, body) = env
        .call(
            reqwest::Method::GET,
            &format!("/v21.0/{id}?fields=status_code"),
            Some(OTHER_IG_TOKEN),
        )
        .await;
    assert_eq!((status, body["error"]["error_subcode"].as_i64()), (400, Some(33)));
    env.shutdown().await;
}
