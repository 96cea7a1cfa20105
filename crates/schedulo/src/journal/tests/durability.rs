//! The file: settings, and state surviving a reopen.

use super::{at, post};
use crate::journal::{InboxPut, Journal, PostState};
use serde_json::json;
use sqlx::Row;

#[tokio::test]
async fn the_file_is_opened_in_wal_mode_with_full_sync() {
    let dir = tempfile::tempdir().unwrap();
    let j = Journal::open(&dir.path().join("journal.db")).await.unwrap();
    let mode: String = sqlx::query("PRAGMA journal_mode")
        .fetch_one(&j.pool)
        .await
        .unwrap()
        .get(0);
    let sync: i64 = sqlx::query("PRAGMA synchronous")
        .fetch_one(&j.pool)
        .await
        .unwrap()
        .get(0);
    let fk: i64 = sqlx::query("PRAGMA foreign_keys")
        .fetch_one(&j.pool)
        .await
        .unwrap()
        .get(0);
    assert_eq!((mode.as_str(), sync, fk), ("wal", 2, 1));
}

#[tokio::test]
async fn everything_survives_closing_and_reopening_the_file() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("journal.db");
    let j = Journal::open(&path).await.unwrap();
    j.observe(&post("recA", 0)).await.unwrap();
    j.claim_intent("recA", "w1", at(0)).await.unwrap().unwrap();
    j.outbox_put(
        "ScheduledPosts",
        "recB",
        &[("Status".to_string(), json!("Posted"))].into_iter().collect(),
    )
    .await
    .unwrap();
    j.inbox_put("bubble-media", Some("recM"), &json!({"r": 1}))
        .await
        .unwrap();
    j.counter_add("Post Scheduler", "operations", 7).await.unwrap();
    j.close().await;

    let j = Journal::open(&path).await.unwrap();
    let intents = j.unresolved_intents().await.unwrap();
    assert_eq!(
        intents
            .iter()
            .map(|r| (r.record_id.as_str(), r.state))
            .collect::<Vec<_>>(),
        [("recA", PostState::Intent)]
    );
    assert_eq!(j.outbox_len().await.unwrap(), 1);
    assert!(matches!(
        j.inbox_put("bubble-media", Some("recM"), &json!({})).await.unwrap(),
        InboxPut::Duplicate(_)
    ));
    assert_eq!(j.counter_get("Post Scheduler", "operations").await.unwrap(), 7);
}

#[tokio::test]
async fn reopening_after_a_drop_applies_no_migration_twice() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("journal.db");
    let j = Journal::open(&path).await.unwrap();
    j.observe(&post("recA", 0)).await.unwrap();
    drop(j);
    for _ in 0..2 {
        let j = Journal::open(&path).await.unwrap();
        assert_eq!(j.get("recA").await.unwrap().unwrap().state, PostState::Scheduled);
        let applied: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM _sqlx_migrations")
            .fetch_one(&j.pool)
            .await
            .unwrap();
        assert_eq!(applied, std::fs::read_dir("migrations").unwrap().count() as i64);
        j.close().await;
    }
}

#[tokio::test]
async fn a_damaged_row_is_an_error_not_a_panic() {
    let j = super::journal().await;
    j.observe(&post("recA", 0)).await.unwrap();
    sqlx::query("PRAGMA ignore_check_constraints = ON")
        .execute(&j.pool)
        .await
        .unwrap();
    sqlx::query("UPDATE posts SET state = 'odd', attempts = -1 WHERE record_id = 'recA'")
        .execute(&j.pool)
        .await
        .unwrap();
    let err = j.get("recA").await.unwrap_err();
    assert!(err.to_string().contains("posts.state of recA"), "{err}");
    assert!(j.counts_by_state().await.is_err());
}
