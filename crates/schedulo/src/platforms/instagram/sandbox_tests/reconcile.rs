//! Reconciling by caption against the sandbox's account: the publisher follows the media list's
//! `paging.next`, so a post behind more than a page of newer ones is still found.

use super::env::*;
use crate::platforms::{Attempt, MediaKind, PostFormat, Publisher};
use reqwest::Method;
use std::time::Duration;

#[tokio::test(start_paused = true)]
async fn a_post_behind_150_newer_ones_is_found_by_following_paging_next() {
    let env = start_ig_with(|sandbox, _| {
        sandbox.calls_per_hour = 1_000_000;
        sandbox.container_processing_secs = 0.0;
        sandbox.quota_total = 1000;
        sandbox.max_containers_per_day = 1000;
    })
    .await;
    let since = chrono::Utc::now();
    let url = env.file("image-1080x1080.jpg");
    let ours = ig_post(PostFormat::Post, "The one we look for", &[(&url, MediaKind::Image)]);
    let published = env.publish(&ours).await.unwrap();
    let v = "v21.0";
    for i in 0..150 {
        tokio::time::advance(Duration::from_secs(1)).await;
        let query = format!("image_url={url}&caption=by%20hand%20{i}");
        let (status, container) = env
            .call(Method::POST, &format!("/{v}/{IG_USER}/media?{query}"), Some(IG_TOKEN))
            .await;
        assert_eq!(status, 200, "{container}");
        let creation = container["id"].as_str().unwrap();
        let path = format!("/{v}/{IG_USER}/media_publish?creation_id={creation}");
        let (status, media) = env.call(Method::POST, &path, Some(IG_TOKEN)).await;
        assert_eq!(status, 200, "{media}");
    }
    let found = env
        .publisher
        .reconcile(&env.account(), &ours, Attempt::since(since))
        .await
        .unwrap();
    assert_eq!(
        found.into_published().map(|p| p.platform_id),
        Some(published.platform_id)
    );
    assert_eq!(
        env.requests_to(&format!("GET /{v}/{IG_USER}/media")).await,
        2,
        "two pages of 100"
    );
    env.shutdown().await;
}
