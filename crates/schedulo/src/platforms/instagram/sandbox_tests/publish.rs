//! Instagram posts that go out: an image, a carousel, a Reel, a Story; a container still
//! processing at the due time is waited for.

use super::env::*;
use crate::platforms::{MediaKind, PostFormat};
use std::time::Duration;
use tokio::time::Instant;

/// An image: one container, FINISHED within the prepare wait, so that publishing is the quota
/// read, `media_publish` and the permalink read.
#[tokio::test(start_paused = true)]
async fn an_image_post_goes_out_with_its_permalink() {
    let env = start_ig().await;
    let url = env.file("image-1080x1350.jpg");
    let post = ig_post(
        PostFormat::Post,
        "Fresh bread at 7! #bakery",
        &[(&url, MediaKind::Image)],
    );
    let prepared = env.prepare(&post).await.unwrap();
    assert!(prepared.ready, "2 s of processing is within the prepare wait");
    assert!(prepared.container.is_some() && prepared.media_ids.is_empty());
    let expires = prepared.expires_at.unwrap() - chrono::Utc::now();
    assert!(
        expires > chrono::Duration::hours(23) && expires < chrono::Duration::hours(24),
        "{expires}"
    );
    let published = env.publish_prepared(&post, &prepared).await.unwrap();
    assert_eq!(
        published.url,
        format!("{}/_sandbox/instagram/p/{}", env.sandbox.url(), published.platform_id)
    );
    let media = env.sandbox.ig_media(IG_USER);
    assert_eq!(media.len(), 1);
    assert_eq!(
        (
            media[0].id.as_str(),
            media[0].caption.as_deref(),
            media[0].media_type.as_str()
        ),
        (
            published.platform_id.as_str(),
            Some("Fresh bread at 7! #bakery"),
            "IMAGE"
        )
    );
    assert_eq!(Some(&media[0].container), prepared.container.as_ref());
    let (status, shown) = env
        .call(
            reqwest::Method::GET,
            &format!("/_sandbox/instagram/p/{}", published.platform_id),
            None,
        )
        .await;
    assert_eq!((status, shown["account"]["username"].as_str()), (200, Some(IG_HANDLE)));
    env.shutdown().await;
}

/// A carousel of an image and a video: two items with `is_carousel_item`, each waited for, then
/// the carousel; it goes out as one post holding both.
#[tokio::test(start_paused = true)]
async fn a_carousel_of_an_image_and_a_video_goes_out_as_one_post() {
    let env = start_ig().await;
    let image = env.file("image-1080x1080.jpg");
    let video = env.file("video-1080x1080-10s.mp4");
    let post = ig_post(
        PostFormat::Post,
        "Two ways to see it",
        &[(&image, MediaKind::Image), (&video, MediaKind::Video)],
    );
    let prepared = env.prepare(&post).await.unwrap();
    assert_eq!(prepared.media_ids.len(), 2);
    assert!(prepared.ready);
    let published = env.publish_prepared(&post, &prepared).await.unwrap();
    let media = env.sandbox.ig_media(IG_USER);
    assert_eq!(media.len(), 1);
    assert_eq!(media[0].media_type, "CAROUSEL_ALBUM");
    assert_eq!(media[0].children, prepared.media_ids);
    assert_eq!(media[0].id, published.platform_id);
    let containers = env.sandbox.ig_containers(IG_USER);
    let kinds: Vec<(&str, bool)> = containers.iter().map(|c| (c.kind.as_str(), c.carousel_item)).collect();
    assert_eq!(kinds, [("IMAGE", true), ("VIDEO", true), ("CAROUSEL", false)]);
    env.shutdown().await;
}

/// A Reel (Format Reel) and a feed video (Format Post) both go out as `REELS`.
#[tokio::test(start_paused = true)]
async fn a_reel_and_a_feed_video_go_out_as_reels() {
    let env = start_ig().await;
    let video = env.file("video-1080x1920-30s.mp4");
    let reel = ig_post(PostFormat::Reel, "Behind the oven", &[(&video, MediaKind::Video)]);
    let first = env.publish(&reel).await.unwrap();
    let feed = ig_post(PostFormat::Post, "Also in the feed", &[(&video, MediaKind::Video)]);
    env.publish(&feed).await.unwrap();
    let media = env.sandbox.ig_media(IG_USER);
    assert_eq!(media[0].id, first.platform_id);
    assert!(media
        .iter()
        .all(|m| m.media_type == "VIDEO" && m.media_product_type == "REELS"));
    env.shutdown().await;
}

/// A Story (a 9:16 image, which the feed would refuse) goes out as a `STORY`, without caption,
/// and is not listed with the feed.
#[tokio::test(start_paused = true)]
async fn a_story_goes_out_and_is_kept_apart_from_the_feed() {
    let env = start_ig().await;
    let image = env.file("image-1080x1920.jpg");
    let story = ig_post(PostFormat::Story, "ignored by Instagram", &[(&image, MediaKind::Image)]);
    let published = env.publish(&story).await.unwrap();
    let media = env.sandbox.ig_media(IG_USER);
    assert_eq!(
        (media[0].media_product_type.as_str(), media[0].caption.as_deref()),
        ("STORY", None)
    );
    assert!(published.url.ends_with(&published.platform_id));
    let path = format!("/v21.0/{IG_USER}/media?fields=id");
    let (_, listed) = env.call(reqwest::Method::GET, &path, Some(IG_TOKEN)).await;
    assert_eq!(listed["data"], serde_json::json!([]));
    let path = format!("/v21.0/{IG_USER}/stories?fields=id,media_product_type");
    let (_, stories) = env.call(reqwest::Method::GET, &path, Some(IG_TOKEN)).await;
    assert_eq!(stories["data"][0]["id"], published.platform_id.as_str());
    env.shutdown().await;
}

/// A container that takes 30 s, prepared without waiting: at the due time `publish` waits for it
/// (polling 1 s, 2 s, 4 s, ... up to 10 s apart) and then publishes, once.
#[tokio::test(start_paused = true)]
async fn a_container_still_in_progress_at_publish_is_waited_for() {
    let env = start_ig_with(|sandbox, publisher| {
        sandbox.container_processing_secs = 30.0;
        publisher.prepare_wait = Duration::ZERO;
    })
    .await;
    let video = env.file("video-1080x1920-20s.mp4");
    let post = ig_post(PostFormat::Reel, "Slow to process", &[(&video, MediaKind::Video)]);
    let prepared = env.prepare(&post).await.unwrap();
    assert!(!prepared.ready);
    let container = prepared.container.clone().unwrap();
    assert_eq!(env.sandbox.ig_containers(IG_USER)[0].status_code, "IN_PROGRESS");
    let started = Instant::now();
    let published = env.publish_prepared(&post, &prepared).await.unwrap();
    let waited = started.elapsed();
    assert!(
        waited >= Duration::from_secs(30) && waited <= Duration::from_secs(41),
        "{waited:?}"
    );
    assert_eq!(env.sandbox.ig_media(IG_USER)[0].id, published.platform_id);
    assert_eq!(env.sandbox.ig_containers(IG_USER)[0].status_code, "PUBLISHED");
    let status_reads = env.requests_to(&format!("GET /v21.0/{container}")).await;
    assert!((5..=8).contains(&status_reads), "{status_reads} status reads");
    assert_eq!(env.requests_to(&publish_path()).await, 1);
    env.shutdown().await;
}

/// A container whose prepare found it IN_PROGRESS, still processing past the publish wait: a
/// transient error that says so, and nothing published.
#[tokio::test(start_paused = true)]
async fn a_container_processing_past_the_publish_wait_is_transient() {
    let env = start_ig_with(|sandbox, publisher| {
        sandbox.container_processing_secs = 600.0;
        publisher.prepare_wait = Duration::ZERO;
        publisher.publish_wait = Duration::from_secs(60);
    })
    .await;
    let video = env.file("video-1080x1920-20s.mp4");
    let post = ig_post(PostFormat::Reel, "Very slow", &[(&video, MediaKind::Video)]);
    let prepared = env.prepare(&post).await.unwrap();
    let e = env.publish_prepared(&post, &prepared).await.unwrap_err();
    assert_eq!(e.class, crate::error_class::ErrorClass::Transient);
    assert_eq!(
        e.message,
        "Instagram is still processing video 1 (video-1080x1920-20s.mp4) after 60 s; publishing will be tried again"
    );
    assert_eq!(env.requests_to(&publish_path()).await, 0);
    env.shutdown().await;
}
