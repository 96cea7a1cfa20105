//! The sandbox's answers as a TikTok client (an SDK, curl) sees them: TikTok's paths and bodies,
//! and its refusals with their codes.

use super::*;
use serde_json::json;

const VIDEO_INIT: &str = "/v2/post/publish/video/init/";
const MB: u64 = 1024 * 1024;

fn code(body: &Value) -> &str {
    body["error"]["code"].as_str().unwrap_or("")
}

fn file_upload(size: u64, chunk: u64, count: u64) -> Value {
    json!({
        "post_info": {"title": "t", "privacy_level": "SELF_ONLY"},
        "source_info": {"source": "FILE_UPLOAD", "video_size": size, "chunk_size": chunk, "total_chunk_count": count},
    })
}

#[tokio::test(start_paused = true)]
async fn creator_info_answers_in_tiktok_s_envelope_and_a_bad_token_gets_access_token_invalid() {
    let sandbox = start().await;
    let http = Http::new(&sandbox);
    let (status, body) = http
        .post("/v2/post/publish/creator_info/query/", Some(TOKEN), json!({}))
        .await;
    assert_eq!((status, code(&body)), (200, "ok"));
    assert_eq!(body["data"]["creator_username"], "alice");
    assert_eq!(body["data"]["max_video_post_duration_sec"], 600);
    assert_eq!(body["data"]["privacy_level_options"].as_array().unwrap().len(), 4);
    assert!(body["error"]["log_id"].as_str().is_some_and(|l| !l.is_empty()));
    let (status, body) = http
        .post("/v2/post/publish/creator_info/query/", Some("nope"), json!({}))
        .await;
    assert_eq!((status, code(&body)), (401, "access_token_invalid"));
    let (status, _) = http.post("/v2/post/publish/creator_info/query/", None, json!({})).await;
    assert_eq!(status, 401);
    sandbox.shutdown().await;
}

#[tokio::test(start_paused = true)]
async fn init_refuses_what_tiktok_refuses_with_its_codes() {
    let creator = TikTokSandboxCreator {
        privacy_level_options: vec!["SELF_ONLY".into(), "MUTUAL_FOLLOW_FRIENDS".into()],
        ..alice()
    };
    let sandbox = start_with(creator, TikTokSandboxLimits::default()).await;
    let http = Http::new(&sandbox);
    let cases = [
        (
            file_upload(50_000_123, 10_000_000, 6),
            400,
            "invalid_params",
            "rounded down (5)",
        ),
        (
            file_upload(3 * MB, MB, 3),
            400,
            "invalid_params",
            "a video under 5 MB goes whole",
        ),
        (
            json!({"post_info": {"privacy_level": "PUBLIC_TO_EVERYONE"}, "source_info": {"source": "PULL_FROM_URL", "video_url": "http://127.0.0.1:1/a.mp4"}}),
            403,
            "privacy_level_option_mismatch",
            "PUBLIC_TO_EVERYONE",
        ),
        (
            json!({"post_info": {"privacy_level": "SELF_ONLY"}, "source_info": {"source": "PULL_FROM_URL", "video_url": "https://res.cloudinary.com/demo/a.mp4"}}),
            403,
            "url_ownership_unverified",
            "res.cloudinary.com",
        ),
        (
            json!({"source_info": {"source": "FILE_UPLOAD"}}),
            400,
            "invalid_params",
            "privacy_level is required",
        ),
        (json!("not an object"), 400, "invalid_params", "not valid JSON"),
    ];
    for (i, (body, status, want, words)) in cases.into_iter().enumerate() {
        // One at a time under the limit of 6 inits a minute.
        tokio::time::sleep(std::time::Duration::from_secs(11)).await;
        let (got, answer) = http.post(VIDEO_INIT, Some(TOKEN), body).await;
        assert_eq!((got, code(&answer)), (status, want), "case {i}: {answer}");
        let message = answer["error"]["message"].as_str().unwrap();
        assert!(message.contains(words), "case {i}: {message}");
    }
    assert_eq!(sandbox.counters().posts_taken, 0);
    sandbox.shutdown().await;
}

#[tokio::test(start_paused = true)]
async fn chunks_must_come_in_order_with_their_announced_ranges() {
    let sandbox = start().await;
    let http = Http::new(&sandbox);
    let size = 11 * MB;
    let (status, body) = http.post(VIDEO_INIT, Some(TOKEN), file_upload(size, 5 * MB, 2)).await;
    assert_eq!(status, 200, "{body}");
    let upload_url = body["data"]["upload_url"].as_str().unwrap().to_string();
    assert!(upload_url.starts_with(&format!("{}/upload/video/?upload_id=", sandbox.url())));
    let publish_id = body["data"]["publish_id"].as_str().unwrap().to_string();

    let second = format!("bytes {}-{}/{size}", 5 * MB, size - 1);
    let (status, body) = http.put(&upload_url, &second, vec![0; (6 * MB) as usize]).await;
    assert_eq!((status, code(&body)), (416, "invalid_params"), "out of order");
    let (status, _) = http
        .put(&upload_url, &format!("bytes 0-{}/{size}", MB - 1), vec![0; MB as usize])
        .await;
    assert_eq!(status, 400, "not the announced chunk");
    let (status, _) = http
        .put(&upload_url, &format!("bytes 0-{}/{size}", 5 * MB - 1), vec![0; 10])
        .await;
    assert_eq!(status, 400, "a body shorter than its range");
    let (status, _) = http
        .put(
            &upload_url,
            &format!("bytes 0-{}/{size}", 5 * MB - 1),
            vec![0; (5 * MB) as usize],
        )
        .await;
    assert_eq!(status, 206);
    let (status, _) = http.put(&upload_url, &second, vec![0; (6 * MB) as usize]).await;
    assert_eq!(status, 201);
    let (status, _) = http.put(&format!("{upload_url}x"), &second, vec![0; 1]).await;
    assert_eq!(status, 404, "a wrong upload_token");

    // Zeros are no video: once processed, the post fails TikTok's format check.
    tokio::time::sleep(std::time::Duration::from_secs(5)).await;
    let (status, body) = http
        .post(
            "/v2/post/publish/status/fetch/",
            Some(TOKEN),
            json!({"publish_id": publish_id}),
        )
        .await;
    assert_eq!(status, 200);
    assert_eq!(
        (body["data"]["status"].as_str(), body["data"]["fail_reason"].as_str()),
        (Some("FAILED"), Some("file_format_check_failed"))
    );
    assert_eq!(body["data"]["uploaded_bytes"], size);
    assert_eq!(body["data"]["publicaly_available_post_id"], json!([]));
    sandbox.shutdown().await;
}

#[tokio::test(start_paused = true)]
async fn status_fetch_is_limited_to_thirty_a_minute_per_token() {
    let sandbox = start().await;
    let http = Http::new(&sandbox);
    for _ in 0..30 {
        let (status, body) = http
            .post(
                "/v2/post/publish/status/fetch/",
                Some(TOKEN),
                json!({"publish_id": "v_pub_url~none"}),
            )
            .await;
        assert_eq!((status, code(&body)), (400, "invalid_params"));
    }
    let (status, body) = http
        .post(
            "/v2/post/publish/status/fetch/",
            Some(TOKEN),
            json!({"publish_id": "v_pub_url~none"}),
        )
        .await;
    assert_eq!((status, code(&body)), (429, "rate_limit_exceeded"));
    sandbox.shutdown().await;
}
