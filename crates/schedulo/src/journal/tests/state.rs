//! Scenario state and counters.

use super::journal;
use serde_json::json;

#[tokio::test]
async fn state_values_are_stored_per_scenario_and_replaced() {
    let j = journal().await;
    assert_eq!(j.state_get("Backup", "last_run").await.unwrap(), None);
    j.state_set("Backup", "last_run", &json!("2025-03-30T00:00:00Z"))
        .await
        .unwrap();
    j.state_set("Backup", "last_run", &json!({"at": 1})).await.unwrap();
    j.state_set("Analytics Collector", "last_run", &json!(7)).await.unwrap();
    assert_eq!(j.state_get("Backup", "last_run").await.unwrap(), Some(json!({"at": 1})));
    assert_eq!(
        j.state_get("Analytics Collector", "last_run").await.unwrap(),
        Some(json!(7))
    );
}

#[tokio::test]
async fn counters_start_at_zero_and_add_up() {
    let j = journal().await;
    assert_eq!(j.counter_get("Post Scheduler", "operations").await.unwrap(), 0);
    assert_eq!(j.counter_add("Post Scheduler", "operations", 3).await.unwrap(), 3);
    assert_eq!(j.counter_add("Post Scheduler", "operations", -1).await.unwrap(), 2);
    assert_eq!(j.counter_add("Backup", "operations", 5).await.unwrap(), 5);
    assert_eq!(j.counter_get("Post Scheduler", "operations").await.unwrap(), 2);
}

#[tokio::test]
async fn a_counter_overflow_is_an_error_and_keeps_the_value() {
    let j = journal().await;
    j.counter_add("s", "n", i64::MAX).await.unwrap();
    let err = j.counter_add("s", "n", 1).await.unwrap_err();
    assert_eq!(err.to_string(), "cannot add to counter s/n: adding 1 would overflow it");
    assert_eq!(j.counter_get("s", "n").await.unwrap(), i64::MAX);
}

#[tokio::test]
async fn a_counter_reaches_both_ends_of_its_range() {
    let j = journal().await;
    assert_eq!(j.counter_add("s", "n", i64::MIN).await.unwrap(), i64::MIN);
    assert!(j.counter_add("s", "n", -1).await.is_err());
    assert_eq!(j.counter_add("s", "n", i64::MAX).await.unwrap(), -1);
    assert_eq!(j.counter_add("s", "n", i64::MAX).await.unwrap(), i64::MAX - 1);
    assert_eq!(j.counter_add("s", "n", 1).await.unwrap(), i64::MAX);
}

#[tokio::test]
async fn publish_lags_are_kept_per_platform() {
    use super::{at, post};
    let j = journal().await;
    let mut tiktok = post("recT", 0);
    tiktok.platform = "TikTok".into();
    for p in [post("recA", 0), post("recB", 1), tiktok] {
        j.observe(&p).await.unwrap();
        j.claim_intent(&p.record_id, "w1", p.scheduled_at)
            .await
            .unwrap()
            .unwrap();
    }
    j.record_published(
        "recA",
        "ig1",
        "https://ig/p/1",
        at(0) + chrono::Duration::milliseconds(300),
    )
    .await
    .unwrap();
    j.record_published("recT", "tt1", "https://tt/1", at(2)).await.unwrap();
    let ig = j.publish_lags_ms_on("Instagram").await.unwrap();
    assert_eq!(ig, vec![300], "recB is not published and recT is TikTok's");
    assert_eq!(j.publish_lags_ms_on("TikTok").await.unwrap(), vec![120_000]);
    assert!(j.publish_lags_ms_on("X").await.unwrap().is_empty());
}
