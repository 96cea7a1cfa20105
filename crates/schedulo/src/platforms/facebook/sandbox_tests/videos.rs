//! Facebook video posts and Reels through the real publisher.

use super::*;
use crate::platforms::{Attempt, Found, PostFormat, Prepared, Receipts};
use serde_json::json;
use std::time::Duration;

fn video_post(text: &str, url: String, format: PostFormat) -> PostContent {
    PostContent {
        media: vec![MediaRef::new(url, MediaKind::Video)],
        format,
        ..text_post(text)
    }
}

fn file(env: &Env, name: &str) -> String {
    format!("{}/_sandbox/files/{name}", env.sandbox.url())
}

/// A video with Format Post: one `/videos` call publishes it, then its status is read until it is
/// ready; the permalink is the video's, and the Page's feed shows it with its description.
#[tokio::test(start_paused = true)]
async fn a_video_post_goes_out_and_is_waited_for_until_ready() {
    let env = start().await;
    let post = video_post(
        "Watch the dough rise",
        file(&env, "video-1280x720-20s.mp4"),
        PostFormat::Post,
    );
    let published = env.publish(&post).await.unwrap();
    assert_eq!(
        published.url,
        format!("{}/_sandbox/videos/{}", env.sandbox.url(), published.platform_id)
    );
    let videos = env.sandbox.videos(PAGE);
    assert_eq!(videos.len(), 1);
    assert_eq!(
        (
            videos[0].kind.as_str(),
            videos[0].video_status.as_str(),
            videos[0].published
        ),
        ("page", "ready", true)
    );
    assert_eq!(env.sandbox.posts(PAGE)[0].1, "Watch the dough rise");
    env.shutdown().await;
}

/// A video that is still processing when the wait ends is published all the same.
#[tokio::test(start_paused = true)]
async fn a_video_still_processing_is_published_with_its_permalink() {
    let env = start_with(|sandbox, publisher| {
        sandbox.video_processing_secs = 600.0;
        publisher.video_wait = Duration::from_secs(20);
    })
    .await;
    let post = video_post("Long bake", file(&env, "video-1280x720-20s.mp4"), PostFormat::Post);
    let published = env.publish(&post).await.unwrap();
    assert!(published.url.ends_with(&published.platform_id));
    assert_eq!(env.sandbox.videos(PAGE)[0].video_status, "processing");
    env.shutdown().await;
}

/// A Reel: `prepare` starts the upload session and has Meta fetch the file (on the upload host,
/// with `Authorization: OAuth` and `file_url`); `publish` finishes it with `PUBLISHED`.
#[tokio::test(start_paused = true)]
async fn a_reel_goes_out_through_start_upload_and_finish() {
    let env = start().await;
    let post = video_post(
        "Reel of the day",
        file(&env, "video-1080x1920-30s.mp4"),
        PostFormat::Reel,
    );
    let prepared = env.publisher.prepare(&env.account(), &post).await.unwrap();
    let video_id = prepared.container.clone().unwrap();
    assert!(!env.sandbox.videos(PAGE)[0].published);
    let attempt = Attempt {
        since: chrono::Utc::now(),
        prepared: Some(&prepared),
        receipt: None,
    };
    assert_eq!(
        env.publisher.reconcile(&env.account(), &post, attempt).await.unwrap(),
        Found::NotPublished { certain: true },
        "uploaded but not finished"
    );
    let published = env
        .publisher
        .publish(&env.account(), &post, &prepared, &Receipts::discard())
        .await
        .unwrap()
        .into_published()
        .unwrap();
    assert_eq!(published.platform_id, video_id);
    let videos = env.sandbox.videos(PAGE);
    assert_eq!((videos[0].kind.as_str(), videos[0].published), ("reel", true));
    assert_eq!(env.counters().await["reels_published"], 1);
    let upload = format!("POST /video-upload/v21.0/{video_id}");
    assert_eq!(env.counters().await["by_path"][upload]["200"], 1);
    let found = env.publisher.reconcile(&env.account(), &post, attempt).await.unwrap();
    assert_eq!(found.into_published().map(|p| p.platform_id), Some(video_id));
    env.shutdown().await;
}

/// Over the Page's Reels of the day, a Reel waits (rate-limited, with a time), it does not fail.
#[tokio::test(start_paused = true)]
async fn reels_over_the_daily_limit_wait() {
    let env = start_with(|sandbox, _| sandbox.reels_per_day = 1).await;
    let url = file(&env, "video-1080x1920-30s.mp4");
    env.publish(&video_post("First", url.clone(), PostFormat::Reel))
        .await
        .unwrap();
    let e = env
        .publish(&video_post("Second", url, PostFormat::Reel))
        .await
        .unwrap_err();
    assert_eq!(e.class, ErrorClass::RateLimited);
    assert!(e.retry_at.is_some());
    assert!(
        e.message.starts_with("Facebook refused the Reel (code 9): ")
            && e.message.contains("Meta allows 30 Reels a Page in 24 h"),
        "{}",
        e.message
    );
    env.shutdown().await;
}

/// A landscape video as a Reel, its size unknown before: Meta's processing fails it, and the
/// publish says why.
#[tokio::test(start_paused = true)]
async fn a_reel_meta_cannot_process_fails_with_meta_s_reason() {
    let env = start().await;
    let post = video_post("Sideways", file(&env, "video-1920x1080-30s.mp4"), PostFormat::Reel);
    let e = env.publish(&post).await.unwrap_err();
    assert_eq!(e.class, ErrorClass::Permanent);
    assert!(
        e.message.starts_with("Facebook could not process the video ")
            && e.message
                .ends_with("The video's aspect ratio 1.78 is not 9x16 (sandbox wording)"),
        "{}",
        e.message
    );
    env.shutdown().await;
}

/// An upload address that is not Meta's gets no token: the Reel fails before anything is sent.
#[tokio::test(start_paused = true)]
async fn the_token_is_not_sent_to_an_upload_address_that_is_not_meta_s() {
    let env = start().await;
    let reels = format!("/v21.0/{PAGE}/video_reels");
    let body = json!({"video_id": "123", "upload_url": "https://uploads.evil.example/video-upload/v21.0/123"});
    env.fault(json!({"method": "POST", "path_prefix": reels, "count": 1, "status": 200, "body": body}))
        .await;
    let post = video_post("Elsewhere", file(&env, "video-1080x1920-30s.mp4"), PostFormat::Reel);
    let e = env.publisher.prepare(&env.account(), &post).await.unwrap_err();
    assert_eq!(e.class, ErrorClass::Permanent);
    assert_eq!(
        e.message,
        "Facebook gave an address for the Reel's video ".to_string()
            + &post.media[0].url
            + " that is not Meta's (uploads.evil.example); the token was not sent"
    );
    assert!(!e.message.contains(TOKEN));
    env.shutdown().await;
}

/// A video URL Meta cannot fetch: its code 389, permanent, nothing posted; a Reel not prepared
/// cannot be published.
#[tokio::test(start_paused = true)]
async fn videos_that_cannot_be_fetched_or_were_not_uploaded_fail_clearly() {
    let env = start().await;
    let post = video_post("Lost", file(&env, "missing.mp4"), PostFormat::Post);
    let e = env.publish(&post).await.unwrap_err();
    assert_eq!(e.class, ErrorClass::Permanent);
    assert_eq!(
        e.message,
        "Facebook refused the video post (code 389): Unable to fetch video file from URL."
    );
    assert!(env.sandbox.posts(PAGE).is_empty());
    let reel = video_post("Not uploaded", file(&env, "video-1080x1920-30s.mp4"), PostFormat::Reel);
    let e = env
        .publisher
        .publish(&env.account(), &reel, &Prepared::default(), &Receipts::discard())
        .await
        .unwrap_err();
    assert_eq!(e.class, ErrorClass::Transient);
    env.shutdown().await;
}
