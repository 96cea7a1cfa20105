//! Instagram posts that do not go out, or whose fate is unknown: each in its class, with a
//! message fit for people, never with the token; and reconcile after `media_publish`.

use super::env::*;
use crate::error_class::ErrorClass;
use crate::media::MediaInfo;
use crate::platforms::{Attempt, Found, MediaKind, PostFormat, Publisher};
use serde_json::json;
use std::time::Duration;

/// A PNG given as an image: Meta takes the container, then ends it in ERROR; the message names
/// the file and carries Meta's status text.
#[tokio::test(start_paused = true)]
async fn a_container_that_ends_in_error_gives_a_clear_message() {
    let env = start_ig().await;
    let png = env.file("sample.png");
    let post = ig_post(PostFormat::Post, "Not a JPEG", &[(&png, MediaKind::Image)]);
    let e = env.publish(&post).await.unwrap_err();
    assert_eq!(e.class, ErrorClass::Permanent);
    assert_eq!(
        e.message,
        "Instagram could not process image 1 (sample.png): Error: Media upload has failed with error code 2207005: \
         the image format PNG is not supported; Instagram takes JPEG only (sandbox wording)"
    );
    assert_eq!(env.sandbox.ig_containers(IG_USER)[0].status_code, "ERROR");
    assert_eq!(env.requests_to(&publish_path()).await, 0);
    env.shutdown().await;
}

/// The same ERROR found at publish time (the container was still processing when prepared).
#[tokio::test(start_paused = true)]
async fn an_error_found_at_publish_is_permanent_too() {
    let env = start_ig_with(|_, publisher| publisher.prepare_wait = Duration::ZERO).await;
    let video = env.file("video-1080x1920-20s-24fps-vp9.mp4");
    let post = ig_post(PostFormat::Reel, "VP9", &[(&video, MediaKind::Video)]);
    let prepared = env.prepare(&post).await.unwrap();
    let e = env.publish_prepared(&post, &prepared).await.unwrap_err();
    assert_eq!(e.class, ErrorClass::Permanent);
    assert!(
        e.message
            .starts_with("Instagram could not process video 1 (video-1080x1920-20s-24fps-vp9.mp4): Error:")
            && e.message.contains("the video codec vp9 is not supported"),
        "{}",
        e.message
    );
    env.shutdown().await;
}

/// A Reel too long: refused before any call when its length is known, with the value; and when
/// it is not known, Meta's processing refuses it.
#[tokio::test(start_paused = true)]
async fn a_video_too_long_for_reels_is_refused_with_the_value() {
    let env = start_ig().await;
    let url = env.file("video-1080x1920-1024s.mp4");
    let mut post = ig_post(PostFormat::Reel, "Too long", &[(&url, MediaKind::Video)]);
    post.media[0].info = MediaInfo {
        duration_secs: Some(1024.0),
        ..MediaInfo::default()
    };
    let v = env.publisher.check(&post).unwrap_err();
    assert_eq!(
        v.message,
        "Instagram allows Reels from 3 s to 15 min; video 1 (video-1080x1920-1024s.mp4) lasts 17 min 4 s"
    );
    let e = env.publisher.prepare(&env.account(), &post).await.unwrap_err();
    assert_eq!((e.class, e.message), (ErrorClass::Permanent, v.message));
    assert_eq!(env.counters().await["requests"], 0, "no call was made");
    post.media[0].info = MediaInfo::default();
    let e = env.publish(&post).await.unwrap_err();
    assert!(
        e.message
            .contains("the video lasts 1024.0 s; Reels must last 3 to 900 s"),
        "{}",
        e.message
    );
    env.shutdown().await;
}

/// A URL Meta cannot fetch: its 9004 / 2207052 answer at container creation, permanent.
#[tokio::test(start_paused = true)]
async fn media_that_cannot_be_fetched_is_permanent() {
    let env = start_ig().await;
    let post = ig_post(
        PostFormat::Post,
        "Elsewhere",
        &[("https://cdn.example.com/photo.jpg", MediaKind::Image)],
    );
    let e = env.publish(&post).await.unwrap_err();
    assert_eq!(e.class, ErrorClass::Permanent);
    assert_eq!(
        e.message,
        "Instagram refused the container for image 1 (photo.jpg) (code 9004, subcode 2207052): The media could \
         not be fetched from this uri: https://cdn.example.com/photo.jpg"
    );
    env.shutdown().await;
}

/// Meta publishes, then answers after the publisher's timeout: outcome unknown. Reconcile reads
/// the container, finds it PUBLISHED, finds the media by its caption, and nothing is published
/// again.
#[tokio::test(start_paused = true)]
async fn reconcile_after_media_publish_finds_the_post_and_does_not_publish_again() {
    let env = start_ig().await;
    let since = chrono::Utc::now();
    let url = env.file("image-1080x1080.jpg");
    let post = ig_post(PostFormat::Post, "Spring sale #bakery", &[(&url, MediaKind::Image)]);
    let prepared = env.prepare(&post).await.unwrap();
    env.fault(json!({"method": "POST", "path_prefix": format!("/v21.0/{IG_USER}/media_publish"), "count": 1, "apply_then_delay_ms": 120_000}))
        .await;
    let e = env.publish_prepared(&post, &prepared).await.unwrap_err();
    assert_eq!(e.class, ErrorClass::OutcomeUnknown);
    assert!(
        e.message.contains("did not answer the post within 30 s"),
        "{}",
        e.message
    );
    let attempt = Attempt {
        since,
        prepared: Some(&prepared),
        receipt: None,
    };
    let found = env.publisher.reconcile(&env.account(), &post, attempt).await.unwrap();
    let media = env.sandbox.ig_media(IG_USER);
    assert_eq!(media.len(), 1);
    let Found::Published(p) = found else {
        panic!("{found:?}")
    };
    assert_eq!(p.platform_id, media[0].id);
    assert!(p.url.ends_with(&format!("/_sandbox/instagram/p/{}", media[0].id)));
    assert_eq!(env.counters().await["ig_media_published"], 1, "published once");
    env.shutdown().await;
}

/// A 500 on `media_publish` that Meta did not act on: unknown at first, then certainly not
/// published by the container's status, so publishing again cannot post twice.
#[tokio::test(start_paused = true)]
async fn a_500_on_media_publish_is_reconciled_as_certainly_not_published() {
    let env = start_ig().await;
    let url = env.file("image-1080x1080.jpg");
    let post = ig_post(PostFormat::Post, "Maybe", &[(&url, MediaKind::Image)]);
    let prepared = env.prepare(&post).await.unwrap();
    env.fault(
        json!({"method": "POST", "path_prefix": format!("/v21.0/{IG_USER}/media_publish"), "count": 1, "status": 500}),
    )
    .await;
    let e = env.publish_prepared(&post, &prepared).await.unwrap_err();
    assert_eq!(e.class, ErrorClass::OutcomeUnknown);
    let attempt = Attempt {
        since: chrono::Utc::now(),
        prepared: Some(&prepared),
        receipt: None,
    };
    assert_eq!(
        env.publisher.reconcile(&env.account(), &post, attempt).await.unwrap(),
        Found::NotPublished { certain: true }
    );
    env.publish_prepared(&post, &prepared).await.unwrap();
    assert_eq!(env.sandbox.ig_media(IG_USER).len(), 1);
    env.shutdown().await;
}

/// Without a container, reconcile looks for the caption: found, or not certainly absent.
#[tokio::test(start_paused = true)]
async fn reconcile_without_a_container_goes_by_the_caption() {
    let env = start_ig().await;
    let since = chrono::Utc::now();
    let url = env.file("image-1080x1080.jpg");
    let out = ig_post(PostFormat::Post, "Went out", &[(&url, MediaKind::Image)]);
    let published = env.publish(&out).await.unwrap();
    let found = env
        .publisher
        .reconcile(&env.account(), &out, Attempt::since(since))
        .await
        .unwrap();
    assert_eq!(
        found.into_published().map(|p| p.platform_id),
        Some(published.platform_id)
    );
    let other = ig_post(PostFormat::Post, "Never sent", &[(&url, MediaKind::Image)]);
    assert_eq!(
        env.publisher
            .reconcile(&env.account(), &other, Attempt::since(since))
            .await
            .unwrap(),
        Found::NotPublished { certain: false }
    );
    let story = ig_post(PostFormat::Story, "x", &[(&url, MediaKind::Image)]);
    let e = env
        .publisher
        .reconcile(&env.account(), &story, Attempt::since(since))
        .await
        .unwrap_err();
    assert_eq!(e.class, ErrorClass::OutcomeUnknown);
    env.shutdown().await;
}

/// A container that expired (24 h) before publishing: transient, to be prepared again.
#[tokio::test(start_paused = true)]
async fn an_expired_container_is_prepared_again() {
    let env = start_ig().await;
    let url = env.file("image-1080x1080.jpg");
    let post = ig_post(PostFormat::Post, "Late", &[(&url, MediaKind::Image)]);
    let prepared = env.prepare(&post).await.unwrap();
    tokio::time::advance(Duration::from_secs(24 * 3600)).await;
    let e = env.publish_prepared(&post, &prepared).await.unwrap_err();
    assert_eq!(e.class, ErrorClass::Transient);
    assert!(e.message.contains("expired before it was published"), "{}", e.message);
    assert!(env.publish(&post).await.is_ok());
    env.shutdown().await;
}

/// No error carries the token: a bad token (Meta's 190), and a body that echoes the token.
#[tokio::test(start_paused = true)]
async fn no_token_in_any_error() {
    let env = start_ig().await;
    let url = env.file("image-1080x1080.jpg");
    let post = ig_post(PostFormat::Post, "x", &[(&url, MediaKind::Image)]);
    let bad = ig_account("EAAGnotAnIgToken");
    let e = env.publisher.prepare(&bad, &post).await.unwrap_err();
    assert_eq!(e.class, ErrorClass::Auth);
    assert!(!e.message.contains("EAAGnotAnIgToken"));
    let echo = json!({"error": {"message": format!("Bad token {IG_TOKEN}"), "type": "OAuthException", "code": 190}});
    env.fault(json!({"path_prefix": "/v21.0/", "count": 1, "status": 400, "body": echo}))
        .await;
    let e = env.publish(&post).await.unwrap_err();
    assert_eq!(
        e.message,
        "Instagram refused the container for image 1 (image-1080x1080.jpg) (code 190): Bad token [REDACTED]"
    );
    let other = ig_account(OTHER_IG_TOKEN);
    let e = env.publisher.prepare(&other, &post).await.unwrap_err();
    assert!(
        !e.message.contains(OTHER_IG_TOKEN) && e.message.contains("(code 100, subcode 33)"),
        "{}",
        e.message
    );
    env.shutdown().await;
}
