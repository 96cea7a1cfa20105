//! Reconciling against the sandbox's Page: the publisher reads `published_posts` since the
//! intent and follows `paging.next`, so a busy Page does not hide the post, a visitor's post with
//! the same words is not taken for it, and a Page too busy to search is left to a person.

use super::*;
use crate::platforms::{Attempt, Found};
use chrono::Utc;
use serde_json::json;
use std::time::Duration;

/// A sandbox whose usage stays low however many posts a test makes.
async fn start_busy() -> Env {
    start_with(|sandbox, _| sandbox.calls_per_hour = 1_000_000).await
}

/// Posts `n` messages on the Page over plain HTTP, a second apart.
async fn post_many(env: &Env, n: usize, prefix: &str) {
    for i in 0..n {
        tokio::time::advance(Duration::from_secs(1)).await;
        let body = json!({ "message": format!("{prefix} {i}"), "access_token": TOKEN });
        let (status, answer) = env.call(Method::POST, &format!("/v21.0/{PAGE}/feed"), Some(body)).await;
        assert_eq!(status, 200, "{answer}");
    }
}

async fn list_calls(env: &Env) -> u64 {
    let counters = env.counters().await;
    let by_status = &counters["by_path"][format!("GET /v21.0/{PAGE}/published_posts")];
    by_status
        .as_object()
        .map_or(0, |m| m.values().filter_map(Value::as_u64).sum())
}

#[tokio::test(start_paused = true)]
async fn a_post_behind_250_newer_ones_is_found_by_following_paging_next() {
    let env = start_busy().await;
    let since = Utc::now();
    let post = text_post("The one we look for");
    let published = env.publish(&post).await.unwrap();
    post_many(&env, 250, "by hand").await;
    let found = env
        .publisher
        .reconcile(&env.account(), &post, Attempt::since(since))
        .await
        .unwrap();
    assert_eq!(
        found.into_published().map(|p| p.platform_id),
        Some(published.platform_id)
    );
    assert_eq!(list_calls(&env).await, 3, "pages of 100: the third holds it");
    env.shutdown().await;
}

#[tokio::test(start_paused = true)]
async fn a_visitor_s_post_with_the_same_words_is_not_taken_for_ours() {
    let env = start_busy().await;
    let since = Utc::now();
    let words = "Doors open at nine tomorrow";
    let (status, _) = env
        .call(
            Method::POST,
            &format!("/_sandbox/pages/{PAGE}/visitor_posts"),
            Some(json!({ "message": words })),
        )
        .await;
    assert_eq!(status, 200);
    let found = env
        .publisher
        .reconcile(&env.account(), &text_post(words), Attempt::since(since))
        .await
        .unwrap();
    assert_eq!(
        found,
        Found::NotPublished { certain: false },
        "the feed has it; the Page's own posts do not"
    );
    env.shutdown().await;
}

#[tokio::test(start_paused = true)]
async fn more_than_a_thousand_posts_since_the_attempt_without_it_is_left_to_a_person() {
    let env = start_busy().await;
    let since = Utc::now();
    post_many(&env, 1001, "busy").await;
    let e = env
        .publisher
        .reconcile(&env.account(), &text_post("Never posted"), Attempt::since(since))
        .await
        .unwrap_err();
    assert_eq!(e.class, ErrorClass::OutcomeUnknown, "{}", e.message);
    assert!(e.message.contains("more than 1000 posts"), "{}", e.message);
    assert_eq!(list_calls(&env).await, 10, "no more than the bound");
    env.shutdown().await;
}
