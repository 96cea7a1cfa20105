//! The sandbox's chunked upload as a plain HTTP client sees it: X's paths, shapes and refusals.

use super::*;
use base64::Engine;
use reqwest::Method;
use schedulo_media::synth::{self, VideoSpec};
use serde_json::json;
use std::time::Duration;

fn b64(bytes: &[u8]) -> String {
    base64::engine::general_purpose::STANDARD.encode(bytes)
}

async fn initialize(http: &Http, media_type: &str, total: usize, category: &str) -> (u16, Value) {
    let body = json!({"media_type": media_type, "total_bytes": total, "media_category": category});
    let (status, _, body) = http
        .call(Method::POST, "/2/media/upload/initialize", Some(TOKEN), Some(body))
        .await;
    (status, body)
}

async fn append(http: &Http, id: &str, index: Value, bytes: &[u8]) -> (u16, Value) {
    let body = json!({"media": b64(bytes), "segment_index": index});
    let path = format!("/2/media/upload/{id}/append");
    let (status, _, body) = http.call(Method::POST, &path, Some(TOKEN), Some(body)).await;
    (status, body)
}

async fn finalize(http: &Http, id: &str) -> (u16, Value) {
    let path = format!("/2/media/upload/{id}/finalize");
    let (status, _, body) = http.call(Method::POST, &path, Some(TOKEN), None).await;
    (status, body)
}

async fn status_of(http: &Http, id: &str) -> (u16, Value) {
    let path = format!("/2/media/upload?command=STATUS&media_id={id}");
    let (status, _, body) = http.call(Method::GET, &path, Some(TOKEN), None).await;
    (status, body)
}

fn message(body: &Value) -> &str {
    body["errors"][0]["message"].as_str().unwrap_or("")
}

/// Segments may come in any order; finalize assembles them, STATUS reports `in_progress` then
/// `succeeded`, and only then may a post use the media id.
#[tokio::test(start_paused = true)]
async fn an_upload_in_two_segments_processes_and_is_then_usable() {
    let sandbox = start().await;
    let http = Http::new(&sandbox);
    let video = synth::mp4(&VideoSpec::new(1280, 720, 12.0));
    let (first, second) = video.split_at(1000);
    let (status, body) = initialize(&http, "video/mp4", video.len(), "tweet_video").await;
    assert_eq!(status, 200, "{body}");
    let id = body["data"]["id"].as_str().unwrap().to_string();
    assert_eq!(body["data"]["media_key"], json!(format!("7_{id}")));
    assert!(body["data"]["expires_after_secs"].as_u64().unwrap() > 0);
    let (status, body) = append(&http, &id, json!(1), second).await;
    assert_eq!(status, 200, "{body}");
    assert!(body["data"]["expires_at"].as_i64().unwrap() > chrono::Utc::now().timestamp());
    assert_eq!(append(&http, &id, json!("0"), first).await.0, 200);
    let (status, body) = finalize(&http, &id).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["data"]["size"], json!(video.len()));
    assert_eq!(
        body["data"]["processing_info"],
        json!({"state": "pending", "check_after_secs": 1})
    );
    let (_, body) = status_of(&http, &id).await;
    assert_eq!(body["data"]["processing_info"]["state"], "in_progress");
    let tweet = json!({"text": "early", "media": {"media_ids": [id]}});
    let (status, _, body) = http
        .call(Method::POST, "/2/tweets", Some(TOKEN), Some(tweet.clone()))
        .await;
    assert_eq!((status, message(&body)), (400, "Your media IDs are invalid."));
    tokio::time::advance(Duration::from_secs(5)).await;
    let (_, body) = status_of(&http, &id).await;
    assert_eq!(body["data"]["processing_info"]["state"], "succeeded");
    let (status, _, body) = http.call(Method::POST, "/2/tweets", Some(TOKEN), Some(tweet)).await;
    assert_eq!(status, 201, "{body}");
    assert_eq!(finalize(&http, &id).await.0, 400, "finalized once only");
    sandbox.shutdown().await;
}

#[tokio::test(start_paused = true)]
async fn sizes_indices_and_totals_are_checked_as_x_does() {
    let sandbox = start().await;
    let http = Http::new(&sandbox);
    let (status, body) = initialize(&http, "video/mp4", 600 * 1024 * 1024, "tweet_video").await;
    assert_eq!((status, message(&body)), (400, "File size exceeds 536870912 bytes."));
    let (status, _) = initialize(&http, "video/mp4", 10, "tweet_gif").await;
    assert_eq!(status, 400, "a GIF category takes image/gif only");
    let (status, _) = initialize(&http, "video/avi", 10, "tweet_video").await;
    assert_eq!(status, 400);

    let (_, body) = initialize(&http, "video/mp4", 10, "tweet_video").await;
    let id = body["data"]["id"].as_str().unwrap().to_string();
    assert_eq!(append(&http, &id, json!(1000), b"abc").await.0, 400);
    assert_eq!(append(&http, &id, json!(1), b"abcd").await.0, 200);
    let (status, body) = finalize(&http, &id).await;
    assert_eq!(
        (status, message(&body)),
        (400, "Segment 0 is missing (sandbox wording)")
    );
    assert_eq!(append(&http, &id, json!(0), b"abc").await.0, 200);
    let (status, body) = finalize(&http, &id).await;
    assert_eq!(
        (status, message(&body)),
        (400, "Segments do not add up to provided total file size.")
    );
    let (status, _) = append(&http, &id, json!(2), b"more than ten").await;
    assert_eq!(status, 400, "more bytes than total_bytes");
    assert_eq!(
        append(&http, &"9".repeat(18), json!(0), b"a").await.0,
        400,
        "unknown id"
    );
    sandbox.shutdown().await;
}

/// A file that is no video, or a GIF that is not one, fails processing with X's error shape.
#[tokio::test(start_paused = true)]
async fn a_file_that_breaks_x_s_rules_fails_processing_with_a_message() {
    let sandbox = start().await;
    let http = Http::new(&sandbox);
    let junk = b"<html>not a video</html>";
    let (_, body) = initialize(&http, "video/mp4", junk.len(), "tweet_video").await;
    let id = body["data"]["id"].as_str().unwrap().to_string();
    append(&http, &id, json!(0), junk).await;
    assert_eq!(finalize(&http, &id).await.0, 200);
    tokio::time::advance(Duration::from_secs(5)).await;
    let (_, body) = status_of(&http, &id).await;
    assert_eq!(
        body["data"]["processing_info"],
        json!({"state": "failed", "progress_percent": 100,
               "error": {"code": 1, "name": "InvalidMedia", "message": "Unsupported video format"}})
    );
    let (status, _, body) = http
        .call(
            Method::GET,
            &format!("/2/media/upload?media_id={id}"),
            Some(TOKEN),
            None,
        )
        .await;
    assert_eq!((status, message(&body)), (400, "`command` must be STATUS"));
    sandbox.shutdown().await;
}
