//! The webhook inbox: dedup, pending, done, prune.

use super::{at, journal};
use crate::journal::{InboxPut, JournalError};
use serde_json::json;

#[tokio::test]
async fn a_body_with_a_known_dedup_key_is_a_duplicate() {
    let j = journal().await;
    let body = json!({"record": "recM1"});
    let InboxPut::Inserted(id) = j.inbox_put("bubble-media", Some("recM1"), &body).await.unwrap() else {
        panic!("first put must insert");
    };
    assert_eq!(
        j.inbox_put("bubble-media", Some("recM1"), &body).await.unwrap(),
        InboxPut::Duplicate(id)
    );
    j.inbox_done(id).await.unwrap();
    assert_eq!(
        j.inbox_put("bubble-media", Some("recM1"), &body).await.unwrap(),
        InboxPut::Duplicate(id)
    );
    let other = j.inbox_put("bubble-error", Some("recM1"), &body).await.unwrap();
    assert!(matches!(other, InboxPut::Inserted(_)), "{other:?}");
}

#[tokio::test]
async fn bodies_without_a_dedup_key_are_all_kept() {
    let j = journal().await;
    for _ in 0..2 {
        let put = j.inbox_put("bubble-error", None, &json!({"e": 1})).await.unwrap();
        assert!(matches!(put, InboxPut::Inserted(_)), "{put:?}");
    }
    assert_eq!(j.inbox_pending(10).await.unwrap().len(), 2);
}

#[tokio::test]
async fn pending_items_come_in_order_until_done() {
    let j = journal().await;
    j.inbox_put("s", Some("k1"), &json!({"n": 1})).await.unwrap();
    j.inbox_put("s", Some("k2"), &json!({"n": 2})).await.unwrap();
    let pending = j.inbox_pending(10).await.unwrap();
    assert_eq!(
        pending.iter().map(|i| i.body.clone()).collect::<Vec<_>>(),
        [json!({"n": 1}), json!({"n": 2})]
    );
    assert_eq!(pending[0].dedup_key.as_deref(), Some("k1"));
    j.inbox_done(pending[0].id).await.unwrap();
    j.inbox_done(pending[0].id).await.unwrap();
    let left = j.inbox_pending(10).await.unwrap();
    assert_eq!(left.iter().map(|i| i.id).collect::<Vec<_>>(), [pending[1].id]);
}

#[tokio::test]
async fn marking_an_unknown_item_done_says_so() {
    let j = journal().await;
    let err = j.inbox_done(42).await.unwrap_err();
    assert!(matches!(err, JournalError::NotFound { .. }), "{err:?}");
    assert_eq!(
        err.to_string(),
        "cannot mark done for inbox item 42: the journal has no such row"
    );
}

#[tokio::test]
async fn pruning_forgets_only_handled_items() {
    let j = journal().await;
    j.inbox_put("s", Some("k1"), &json!(1)).await.unwrap();
    j.inbox_put("s", Some("k2"), &json!(2)).await.unwrap();
    let first = j.inbox_pending(1).await.unwrap().remove(0);
    j.inbox_done(first.id).await.unwrap();
    let far_future = at(60 * 24 * 365 * 100);
    assert_eq!(j.inbox_prune(far_future).await.unwrap(), 1);
    assert_eq!(j.inbox_pending(10).await.unwrap().len(), 1);
    let again = j.inbox_put("s", Some("k1"), &json!(1)).await.unwrap();
    assert!(matches!(again, InboxPut::Inserted(id) if id > first.id), "{again:?}");
}
