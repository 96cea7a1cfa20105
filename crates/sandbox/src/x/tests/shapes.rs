//! The sandbox's answers, as X shapes them.

use super::*;
use base64::Engine;
use reqwest::Method;
use serde_json::json;

fn fixture(name: &str) -> Value {
    let path = format!("{}/../../fixtures/x/{name}.json", env!("CARGO_MANIFEST_DIR"));
    serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

#[tokio::test]
async fn an_unknown_token_gets_x_s_401_and_no_token_is_ever_counted_or_shown() {
    let sandbox = start().await;
    let http = Http::new(&sandbox);
    let (status, _, body) = http.call(Method::GET, "/2/users/me", Some("wrong"), None).await;
    assert_eq!((status, body), (401, fixture("error_unauthorized")));
    let (status, _, body) = http.call(Method::GET, "/2/users/me", None, None).await;
    assert_eq!((status, body), (401, fixture("error_unauthorized")));
    let (status, _, me) = http.call(Method::GET, "/2/users/me", Some(TOKEN), None).await;
    assert_eq!(
        (status, me),
        (
            200,
            json!({"data": {"id": USER_ID, "name": "alice", "username": "alice"}})
        )
    );
    let (_, _, counters) = http.call(Method::GET, "/_sandbox/counters", None, None).await;
    assert_eq!(counters["requests"]["GET /2/users/me"], json!({"200": 1, "401": 2}));
    assert!(!counters.to_string().contains(TOKEN));
    sandbox.shutdown().await;
}

#[tokio::test]
async fn a_json_upload_with_base64_media_answers_x_s_media_shape() {
    let sandbox = start().await;
    let http = Http::new(&sandbox);
    let jpeg = schedulo_media::synth::SAMPLE_JPG;
    let media = base64::engine::general_purpose::STANDARD.encode(jpeg);
    let body = json!({"media": media, "media_category": "tweet_image"});
    let (status, _, answer) = http
        .call(Method::POST, "/2/media/upload", Some(TOKEN), Some(body))
        .await;
    assert_eq!(status, 200, "{answer}");
    let data = &answer["data"];
    let id = data["id"].as_str().unwrap();
    assert!(id.len() >= 18 && id.chars().all(|c| c.is_ascii_digit()), "{id}");
    assert_eq!(data["media_key"], json!(format!("3_{id}")));
    assert_eq!(
        (&data["size"], &data["expires_after_secs"], &data["image"]),
        (
            &json!(jpeg.len()),
            &json!(86400),
            &json!({"image_type": "image/jpeg", "w": 32, "h": 32})
        )
    );
    let (status, _, answer) = http
        .call(
            Method::POST,
            "/2/media/upload",
            Some(TOKEN),
            Some(json!({"media": "aGVsbG8="})),
        )
        .await;
    assert_eq!(
        (status, &answer["type"]),
        (400, &json!("https://api.x.com/2/problems/invalid-request"))
    );
    sandbox.shutdown().await;
}

#[tokio::test]
async fn every_answer_of_the_post_endpoint_carries_the_rate_limit_headers() {
    let sandbox = start().await;
    let http = Http::new(&sandbox);
    for (body, expected) in [
        (json!({"text": "one"}), 201),
        (json!({"text": ""}), 400),
        (json!({"nope": 1}), 400),
    ] {
        let (status, headers, answer) = http.call(Method::POST, "/2/tweets", Some(TOKEN), Some(body)).await;
        assert_eq!(status, expected, "{answer}");
        assert_eq!(headers["x-rate-limit-limit"], "100");
        assert!(
            headers["x-rate-limit-reset"].to_str().unwrap().parse::<i64>().unwrap() > chrono::Utc::now().timestamp()
        );
    }
    let (_, headers, _) = http
        .call(Method::POST, "/2/tweets", Some(TOKEN), Some(json!({"text": "two"})))
        .await;
    assert_eq!(headers["x-rate-limit-remaining"], "96");
    sandbox.shutdown().await;
}

#[tokio::test]
async fn the_timeline_pages_newest_first_and_refuses_what_x_refuses() {
    let sandbox = start().await;
    let http = Http::new(&sandbox);
    for i in 0..7 {
        let (status, _, _) = http
            .call(
                Method::POST,
                "/2/tweets",
                Some(TOKEN),
                Some(json!({"text": format!("n{i}")})),
            )
            .await;
        assert_eq!(status, 201);
    }
    let path = format!("/2/users/{USER_ID}/tweets?max_results=5&tweet.fields=created_at");
    let (status, _, first) = http.call(Method::GET, &path, Some(TOKEN), None).await;
    assert_eq!(status, 200);
    let texts: Vec<&str> = first["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["text"].as_str().unwrap())
        .collect();
    assert_eq!(texts, ["n6", "n5", "n4", "n3", "n2"]);
    assert!(first["data"][0]["created_at"].as_str().unwrap().ends_with('Z'));
    assert_eq!(first["meta"]["result_count"], 5);
    let token = first["meta"]["next_token"].as_str().unwrap();
    let (_, _, second) = http
        .call(
            Method::GET,
            &format!("{path}&pagination_token={token}"),
            Some(TOKEN),
            None,
        )
        .await;
    assert_eq!(second["meta"]["result_count"], 2);
    assert!(second["meta"].get("next_token").is_none());

    let (status, _, body) = http
        .call(
            Method::GET,
            &format!("/2/users/{USER_ID}/tweets?max_results=1000"),
            Some(TOKEN),
            None,
        )
        .await;
    assert_eq!((status, body), (400, fixture("error_invalid_request_max_results")));
    let (status, _, body) = http
        .call(Method::GET, "/2/users/2244994946/tweets", Some(TOKEN), None)
        .await;
    assert_eq!((status, body), (200, fixture("error_user_not_found_partial")));
    let (status, _, body) = http
        .call(
            Method::GET,
            &format!("/2/users/{USER_ID}/tweets?start_time=2026-11-25T00:00:00Z&limit=3"),
            Some(TOKEN),
            None,
        )
        .await;
    assert_eq!(status, 400);
    assert!(body["errors"][0]["message"]
        .as_str()
        .unwrap()
        .starts_with("The query parameter [limit] is not one of"));
    sandbox.shutdown().await;
}

#[tokio::test]
async fn users_can_be_added_through_the_admin_path_and_unknown_routes_get_x_s_404() {
    let sandbox = start().await;
    let http = Http::new(&sandbox);
    let bob = json!({"token": "bob-token-123", "id": "1000000000000000002", "username": "bob"});
    let (status, _, _) = http
        .call(Method::POST, "/_sandbox/users", None, Some(bob.clone()))
        .await;
    assert_eq!(status, 201);
    let (status, _, _) = http.call(Method::POST, "/_sandbox/users", None, Some(bob)).await;
    assert_eq!(status, 400, "the same user twice");
    let (status, _, me) = http.call(Method::GET, "/2/users/me", Some("bob-token-123"), None).await;
    assert_eq!((status, &me["data"]["username"]), (200, &json!("bob")));
    let (status, _, body) = http.call(Method::GET, "/2/nothing", Some(TOKEN), None).await;
    assert_eq!(
        (status, body),
        (
            404,
            json!({"errors": [{"message": "Sorry, that page does not exist", "code": 34}]})
        )
    );
    let (status, _, _) = http.call(Method::GET, "/_sandbox/files/nope.jpg", None, None).await;
    assert_eq!(status, 404);
    sandbox.shutdown().await;
}
