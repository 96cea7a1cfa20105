//! Instagram's publishing limit, read from Meta: a post over it waits, without using up an
//! attempt, until the oldest post of the window leaves it; then it goes out.

use super::env::*;
use crate::error_class::ErrorClass;
use crate::platforms::{MediaKind, PostFormat};
use chrono::SubsecRound;
use serde_json::json;
use std::time::Duration;

/// With a quota of 2 a day: the third post is held, with the time its slot frees in the message
/// and in `retry_at` (the first post's time plus 24 h); `media_publish` is not called; once the
/// window has moved on, the post goes out with the container prepared before.
#[tokio::test(start_paused = true)]
async fn a_post_over_the_quota_waits_for_the_window_and_then_goes_out() {
    let clock = crate::clock::Clock::new();
    let env = start_ig_with(|sandbox, _| sandbox.quota_total = 2).await;
    let url = env.file("image-1080x1080.jpg");
    let post = |n: usize| ig_post(PostFormat::Post, &format!("Loaf {n}"), &[(&url, MediaKind::Image)]);
    env.publish(&post(1)).await.unwrap();
    let first_at = env.sandbox.ig_media(IG_USER)[0].timestamp.trunc_subsecs(0);
    tokio::time::advance(Duration::from_secs(3600)).await;
    env.publish(&post(2)).await.unwrap();
    let third = post(3);
    let prepared = env.prepare(&third).await.unwrap();
    let e = env.publish_prepared(&third, &prepared).await.unwrap_err();
    assert_eq!(e.class, ErrorClass::RateLimited);
    let retry_at = e.retry_at.unwrap();
    assert_eq!(
        retry_at,
        first_at + chrono::Duration::hours(24) + chrono::Duration::seconds(1)
    );
    assert_eq!(
        e.message,
        format!(
            "Instagram's publishing limit is used up (2 posts in 24 h); this post waits until {}",
            retry_at.format("%H:%M UTC")
        )
    );
    assert_eq!(
        env.requests_to(&publish_path()).await,
        2,
        "no media_publish over the quota"
    );
    let wait = (retry_at - clock.now()).to_std().unwrap();
    assert!(wait > Duration::from_secs(22 * 3600), "{wait:?}");
    tokio::time::advance(wait).await;
    let published = env.publish_prepared(&third, &prepared).await.unwrap();
    assert_eq!(env.sandbox.ig_media(IG_USER).last().unwrap().id, published.platform_id);
    env.shutdown().await;
}

/// When the limit read does not tell (Meta left `config` out), Meta's own refusal (9 / 2207042)
/// is a rate limit with the same computed time, not a failure.
#[tokio::test(start_paused = true)]
async fn meta_s_refusal_for_the_quota_is_a_rate_limit_with_retry_at() {
    let env = start_ig_with(|sandbox, _| sandbox.quota_total = 1).await;
    let url = env.file("image-1080x1080.jpg");
    let first = ig_post(PostFormat::Post, "One", &[(&url, MediaKind::Image)]);
    env.publish(&first).await.unwrap();
    let first_at = env.sandbox.ig_media(IG_USER)[0].timestamp.trunc_subsecs(0);
    let limit = format!("/v21.0/{IG_USER}/content_publishing_limit");
    env.fault(json!({"method": "GET", "path_prefix": limit, "count": 1, "status": 200, "body": {"data": [{"quota_usage": 1}]}}))
        .await;
    let second = ig_post(PostFormat::Post, "Two", &[(&url, MediaKind::Image)]);
    let e = env.publish(&second).await.unwrap_err();
    assert_eq!(e.class, ErrorClass::RateLimited);
    assert_eq!(
        e.retry_at,
        Some(first_at + chrono::Duration::hours(24) + chrono::Duration::seconds(1))
    );
    assert!(
        e.message
            .starts_with("Instagram refused the post (code 9, subcode 2207042): You reached maximum number of posts"),
        "{}",
        e.message
    );
    assert_eq!(env.sandbox.ig_media(IG_USER).len(), 1);
    let (status, body) = env
        .call(
            reqwest::Method::GET,
            &format!("{limit}?fields=quota_usage,config"),
            Some(IG_TOKEN),
        )
        .await;
    assert_eq!(status, 200);
    assert_eq!(
        body,
        json!({"data": [{"quota_usage": 1, "config": {"quota_total": 1, "quota_duration": 86400}}]})
    );
    env.shutdown().await;
}

/// The 400 containers a day: over it, container creation is a rate limit with a time.
#[tokio::test(start_paused = true)]
async fn the_daily_container_cap_is_a_rate_limit() {
    let env = start_ig_with(|sandbox, _| sandbox.max_containers_per_day = 1).await;
    let url = env.file("image-1080x1080.jpg");
    let post = ig_post(PostFormat::Post, "Once", &[(&url, MediaKind::Image)]);
    env.prepare(&post).await.unwrap();
    let e = env.prepare(&post).await.unwrap_err();
    assert_eq!(e.class, ErrorClass::RateLimited);
    assert!(e.retry_at.is_some());
    assert!(e.message.contains("(code 9)"), "{}", e.message);
    env.shutdown().await;
}
