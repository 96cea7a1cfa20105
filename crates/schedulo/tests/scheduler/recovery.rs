//! What the review of the first version found: each case here once published twice, stopped the
//! schedule, or lost a status.

use crate::helpers::{fields, World};
use schedulo::base::names::{accounts, media, posts};
use schedulo::journal::PostState;
use schedulo::scenarios::post_scheduler::Outcome;
use serde_json::json;

/// A post linking to an unreadable media record fails with a message; the posts after it still publish.
#[tokio::test(start_paused = true)]
async fn a_broken_linked_record_fails_its_post_and_not_the_schedule() {
    let w = World::start().await;
    let row = fields(json!({ media::MEDIA_ID: "M-broken", media::STATUS: "Ready" }));
    let broken_media = w
        .base
        .create(media::TABLE, vec![row], false)
        .await
        .unwrap()
        .remove(0)
        .id;
    let first = w.schedule(&w.x_account, "links broken media", 5).await;
    w.base
        .update(
            posts::TABLE,
            vec![(first.clone(), fields(json!({ posts::MEDIA: [broken_media] })))],
            false,
        )
        .await
        .unwrap();
    let second = w.schedule(&w.x_account, "fine after it", 6).await;
    w.scheduler.sync().await.unwrap();
    w.advance(6).await;
    w.scheduler.publish_due().await.unwrap();
    w.outbox.flush().await.unwrap();
    let failed = w.post(&first).await;
    assert_eq!(failed.fields[posts::STATUS], json!("Failed"));
    assert!(
        failed.fields[posts::ERROR_MESSAGE]
            .as_str()
            .unwrap()
            .contains("field MediaType"),
        "{failed:?}"
    );
    assert_eq!(w.post(&second).await.fields[posts::STATUS], json!("Posted"));
}

/// Bubble says a post changed, and it was deleted: it is cancelled, not published at its time.
#[tokio::test(start_paused = true)]
async fn a_nudge_for_a_deleted_post_cancels_it() {
    let w = World::start().await;
    let id = w.schedule(&w.x_account, "deleted later", 60).await;
    w.scheduler.sync().await.unwrap();
    w.base.delete(posts::TABLE, std::slice::from_ref(&id)).await.unwrap();
    w.scheduler.sync_one(&id).await.unwrap();
    assert_eq!(w.journal.get(&id).await.unwrap().unwrap().state, PostState::Cancelled);
    w.advance(61).await;
    assert!(w.scheduler.publish_due().await.unwrap().is_empty());
    assert!(w.tweets().is_empty());
}

/// A publish call that fails with a 5xx twice, the platform showing nothing: published again once
/// after the platform settled, then put up for review, never a third time.
#[tokio::test(start_paused = true)]
async fn an_unconfirmed_post_is_published_again_at_most_once_then_reviewed() {
    let w = World::start().await;
    let id = w.schedule(&w.x_account, "flaky platform", 5).await;
    w.scheduler.sync().await.unwrap();
    let fault = json!({"method": "POST", "path_prefix": "/2/tweets", "count": 5, "status": 503});
    crate::helpers::admin_post(&w.x.url(), "/_sandbox/faults", fault, crate::helpers::X_TOKEN).await;
    w.advance(5).await;
    let first = w.scheduler.publish_due().await.unwrap();
    assert!(
        matches!(&first[..], [(_, Outcome::Skipped)]),
        "unknown, waiting to settle: {first:?}"
    );
    w.advance(121).await;
    let again = w.scheduler.reconcile_unresolved().await.unwrap();
    assert!(matches!(&again[..], [(_, Outcome::Retrying(_))]), "{again:?}");
    w.scheduler.publish_due().await.unwrap();
    w.advance(121).await;
    let last = w.scheduler.reconcile_unresolved().await.unwrap();
    assert!(matches!(&last[..], [(_, Outcome::Review(_))]), "{last:?}");
    w.outbox.flush().await.unwrap();
    let record = w.post(&id).await;
    assert_eq!(record.fields[posts::STATUS], json!("Failed"));
    assert!(record.fields[posts::ERROR_MESSAGE]
        .as_str()
        .unwrap()
        .starts_with("Needs review"));
    // `schedulo status` shows it waiting for a person, with the reason.
    let report = schedulo::status::report(&w.journal).await.unwrap();
    assert_eq!(report["waiting"][0]["state"], "Review", "{report}");
    assert!(
        report["waiting"][0]["reason"]
            .as_str()
            .unwrap()
            .starts_with("Needs review"),
        "{report}"
    );
}

/// The base refuses status writes (a person deleted the field): the statuses are kept, not dropped.
#[tokio::test(start_paused = true)]
async fn statuses_are_kept_while_the_base_refuses_them() {
    let w = World::start().await;
    let id = w.schedule(&w.x_account, "base broken", 5).await;
    w.scheduler.sync().await.unwrap();
    let path = format!("/_sandbox/bases/{}/tables/ScheduledPosts/fields/PostURL", w.base.id());
    let resp = reqwest::Client::new()
        .delete(format!("{}{path}", w.airtable.url()))
        .bearer_auth(crate::helpers::AIRTABLE_TOKEN)
        .send()
        .await
        .unwrap();
    assert!(resp.status().is_success());
    w.advance(5).await;
    w.scheduler.publish_due().await.unwrap();
    let report = w.outbox.flush().await.unwrap();
    assert_eq!((report.written, report.dropped), (0, 0), "{report:?}");
    assert_eq!(w.journal.outbox_len().await.unwrap(), 1);
    assert_eq!(w.tweets(), ["base broken"]);
    let _ = (id, accounts::TABLE);
}
