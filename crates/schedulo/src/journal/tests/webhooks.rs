//! The kept Airtable webhook: stored per base, replaced by a new one, cursor only forward.

use super::{at, journal};
use crate::journal::KeptWebhook;

fn kept(id: &str) -> KeptWebhook {
    KeptWebhook {
        base_id: "appBase".into(),
        webhook_id: id.into(),
        notification_url: "https://worker.example.com/webhooks/airtable".into(),
        sealed_secret: "sv1:k1:sealed".into(),
        expires_at: Some(at(7 * 24 * 60)),
        cursor: 1,
    }
}

#[tokio::test]
async fn a_webhook_is_kept_per_base_and_a_new_one_replaces_it_cursor_and_all() {
    let j = journal().await;
    assert_eq!(j.webhook("appBase").await.unwrap(), None);
    j.webhook_put(&kept("achOne")).await.unwrap();
    assert!(j.webhook_advance("appBase", "achOne", 9).await.unwrap());
    assert_eq!(j.webhook("appBase").await.unwrap().unwrap().cursor, 9);
    j.webhook_put(&kept("achTwo")).await.unwrap();
    let now = j.webhook("appBase").await.unwrap().unwrap();
    assert_eq!((now.webhook_id.as_str(), now.cursor), ("achTwo", 1));
    assert!(
        !format!("{now:?}").contains("sealed"),
        "the sealed secret is not in Debug"
    );
}

#[tokio::test]
async fn the_cursor_only_moves_forward_and_only_for_the_webhook_kept() {
    let j = journal().await;
    j.webhook_put(&kept("achOne")).await.unwrap();
    assert!(j.webhook_advance("appBase", "achOne", 5).await.unwrap());
    assert!(!j.webhook_advance("appBase", "achOne", 3).await.unwrap());
    assert!(!j.webhook_advance("appBase", "achOther", 8).await.unwrap());
    assert_eq!(j.webhook("appBase").await.unwrap().unwrap().cursor, 5);
}

#[tokio::test]
async fn expiry_is_recorded_and_a_forgotten_webhook_is_gone() {
    let j = journal().await;
    j.webhook_put(&kept("achOne")).await.unwrap();
    assert!(j.webhook_expires("appBase", "achOne", Some(at(99))).await.unwrap());
    assert_eq!(j.webhook("appBase").await.unwrap().unwrap().expires_at, Some(at(99)));
    assert!(!j.webhook_forget("appBase", "achOther").await.unwrap());
    assert!(j.webhook_forget("appBase", "achOne").await.unwrap());
    assert_eq!(j.webhook("appBase").await.unwrap(), None);
}

#[tokio::test]
async fn pending_inbox_items_are_listed_per_source() {
    let j = journal().await;
    j.inbox_put("bubble", None, &serde_json::json!({"a": 1})).await.unwrap();
    j.inbox_put("airtable-webhook", None, &serde_json::json!({"b": 2}))
        .await
        .unwrap();
    let ours = j.inbox_pending_from("airtable-webhook", 10).await.unwrap();
    assert_eq!(ours.len(), 1);
    assert_eq!(ours[0].body["b"], 2);
}
