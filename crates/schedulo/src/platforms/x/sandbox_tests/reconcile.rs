//! Reconciling against the sandbox's timeline: the publisher pages `GET /2/users/{id}/tweets`
//! by `next_token` until it finds the post, so a busy account does not hide it.

use super::*;
use crate::platforms::{Attempt, Found, Publisher, Receipts};
use schedulo_sandbox::x::Counters;
use serde_json::json;
use std::time::Duration;

async fn start_busy() -> XSandbox {
    XSandbox::start(XSandboxOptions {
        data_dir: None,
        listen: "127.0.0.1:0".parse().unwrap(),
        users: vec![alice()],
        limits: XSandboxLimits {
            tweets_per_window: 10_000,
            ..XSandboxLimits::default()
        },
    })
    .await
    .unwrap()
}

fn list_calls(counters: &Counters) -> u64 {
    counters
        .requests
        .get("GET /2/users/{id}/tweets")
        .map_or(0, |by_status| by_status.values().sum())
}

/// A post, then 250 more from elsewhere (a person on X's app): the post is on the third page.
#[tokio::test(start_paused = true)]
async fn a_post_behind_250_newer_ones_is_found_by_following_next_token() {
    let sandbox = start_busy().await;
    let x = publisher(&sandbox);
    let since = chrono::Utc::now() - chrono::Duration::minutes(1);
    let p = post("The one we look for", &[]);
    let prepared = x.prepare(&account(), &p).await.unwrap();
    let sent = x
        .publish(&account(), &p, &prepared, &Receipts::discard())
        .await
        .unwrap();
    let id = sent.into_published().unwrap().platform_id;
    let http = Http::new(&sandbox);
    for i in 0..250 {
        tokio::time::advance(Duration::from_secs(1)).await;
        let body = json!({ "text": format!("posted by hand {i}") });
        let (status, _, answer) = http
            .call(reqwest::Method::POST, "/2/tweets", Some(TOKEN), Some(body))
            .await;
        assert_eq!(status, 201, "{answer}");
    }
    let before = list_calls(&sandbox.counters());
    let found = x.reconcile(&account(), &p, Attempt::since(since)).await.unwrap();
    assert_eq!(found.into_published().map(|f| f.platform_id), Some(id));
    assert_eq!(
        list_calls(&sandbox.counters()) - before,
        3,
        "pages of 100: the third holds it"
    );
    let missing = post("Never posted", &[]);
    let found = x.reconcile(&account(), &missing, Attempt::since(since)).await.unwrap();
    assert_eq!(found, Found::NotPublished { certain: false });
    sandbox.shutdown().await;
}
