//! What preparation produced, kept per post, and the receipt of an attempt.

use super::{at, journal, post};
use crate::journal::{JournalError, KeptPrepared};

fn kept(fingerprint: &str, data: &str) -> KeptPrepared {
    KeptPrepared {
        record_id: "recA".into(),
        fingerprint: fingerprint.into(),
        data: data.into(),
        prepared_at: at(0),
        expires_at: Some(at(60)),
    }
}

#[tokio::test]
async fn a_preparation_is_kept_replaced_and_dropped() {
    let j = journal().await;
    assert_eq!(j.prepared("recA").await.unwrap(), None);
    j.keep_prepared(&kept("fp1", r#"{"container":"c1"}"#)).await.unwrap();
    assert_eq!(
        j.prepared("recA").await.unwrap(),
        Some(kept("fp1", r#"{"container":"c1"}"#))
    );
    j.keep_prepared(&kept("fp2", r#"{"container":"c2"}"#)).await.unwrap();
    assert_eq!(j.prepared("recA").await.unwrap().unwrap().fingerprint, "fp2");
    j.drop_prepared("recA").await.unwrap();
    assert_eq!(j.prepared("recA").await.unwrap(), None);
}

#[tokio::test]
async fn a_receipt_is_kept_during_an_attempt_and_cleared_by_a_retry() {
    let j = journal().await;
    j.observe(&post("recA", 0)).await.unwrap();
    let refused = j.record_receipt("recA", "v_pub_1").await.unwrap_err();
    assert!(matches!(refused, JournalError::NotFound { .. }), "{refused}");
    j.claim_intent("recA", "w1", at(0)).await.unwrap().unwrap();
    j.record_receipt("recA", "v_pub_1").await.unwrap();
    assert_eq!(
        j.get("recA").await.unwrap().unwrap().receipt.as_deref(),
        Some("v_pub_1")
    );
    j.record_unknown("recA", "processing", at(1)).await.unwrap();
    assert_eq!(
        j.unresolved_intents().await.unwrap()[0].receipt.as_deref(),
        Some("v_pub_1")
    );
    j.record_retry("recA", at(5), "it did not go out").await.unwrap();
    assert_eq!(j.get("recA").await.unwrap().unwrap().receipt, None);
}
