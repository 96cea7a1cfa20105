//! A post goes out at its time; edits, deletions and malformed records are honoured; statuses reach Airtable.

use crate::helpers::{fields, World};
use schedulo::base::names::posts;
use schedulo::scenarios::post_scheduler::Outcome;
use serde_json::json;

/// Published on its second, with its status and URL written back.
#[tokio::test(start_paused = true)]
async fn a_post_is_published_at_its_time_and_its_status_and_url_written_back() {
    let w = World::start().await;
    let id = w.schedule(&w.x_account, "Hello from schedulo", 60).await;
    w.scheduler.sync().await.unwrap();
    assert!(w.scheduler.publish_due().await.unwrap().is_empty(), "not due yet");
    let (_, due) = w.journal.next_due().await.unwrap().unwrap();
    w.clock.sleep_until(due).await;
    let outcomes = w.scheduler.publish_due().await.unwrap();
    assert!(
        matches!(&outcomes[..], [(r, Outcome::Published(_))] if *r == id),
        "{outcomes:?}"
    );
    assert!(
        (w.clock.now() - due).num_milliseconds() < 1000,
        "published within a second of its time"
    );
    w.outbox.flush().await.unwrap();
    let record = w.post(&id).await;
    assert_eq!(record.fields[posts::STATUS], json!("Posted"));
    let url = record.fields[posts::POST_URL].as_str().unwrap();
    assert!(url.starts_with("https://x.com/ada/status/"), "{url}");
    assert_eq!(w.tweets(), ["Hello from schedulo"]);
}

/// Facebook Pages publish too.
#[tokio::test(start_paused = true)]
async fn a_facebook_post_is_published_and_written_back() {
    let w = World::start().await;
    let id = w.schedule(&w.fb_account, "Hello, Page", 5).await;
    w.scheduler.sync().await.unwrap();
    w.advance(5).await;
    let outcomes = w.scheduler.publish_due().await.unwrap();
    assert!(matches!(&outcomes[..], [(_, Outcome::Published(_))]), "{outcomes:?}");
    w.outbox.flush().await.unwrap();
    assert_eq!(w.post(&id).await.fields[posts::STATUS], json!("Posted"));
    assert_eq!(w.fb.posts(crate::helpers::FB_PAGE).len(), 1);
}

/// An edit before the due time is what gets published; a deleted post is not published.
#[tokio::test(start_paused = true)]
async fn edits_and_deletions_before_the_due_time_are_honoured() {
    let w = World::start().await;
    let edited = w.schedule(&w.x_account, "first draft", 600).await;
    let deleted = w.schedule(&w.x_account, "to be deleted", 600).await;
    let rescheduled = w.schedule(&w.x_account, "moved later", 600).await;
    w.scheduler.sync().await.unwrap();
    w.base
        .update(
            posts::TABLE,
            vec![(edited.clone(), fields(json!({ posts::CAPTION: "final text" })))],
            false,
        )
        .await
        .unwrap();
    w.base
        .delete(posts::TABLE, std::slice::from_ref(&deleted))
        .await
        .unwrap();
    let later = (w.clock.now() + chrono::Duration::hours(2)).to_rfc3339_opts(chrono::SecondsFormat::Millis, true);
    w.base
        .update(
            posts::TABLE,
            vec![(rescheduled.clone(), fields(json!({ posts::SCHEDULED_TIME: later })))],
            false,
        )
        .await
        .unwrap();
    w.scheduler.nudge_all();
    w.scheduler.sync().await.unwrap();
    w.advance(601).await;
    let outcomes = w.scheduler.publish_due().await.unwrap();
    assert_eq!(outcomes.len(), 1, "{outcomes:?}");
    assert_eq!(outcomes[0].0, edited);
    assert_eq!(w.tweets(), ["final text"]);
}

/// A malformed post fails with a clear ErrorMessage; the others publish.
#[tokio::test(start_paused = true)]
async fn a_malformed_post_fails_with_a_clear_message_and_the_others_publish() {
    let w = World::start().await;
    let good = w.schedule(&w.x_account, "good post", 5).await;
    let row = fields(
        json!({ posts::POST_ID: "no-account", posts::SCHEDULED_TIME: "2026-01-01T00:00:00.000Z", posts::STATUS: "Scheduled" }),
    );
    let bad = w
        .base
        .create(posts::TABLE, vec![row], false)
        .await
        .unwrap()
        .remove(0)
        .id;
    w.scheduler.sync().await.unwrap();
    w.advance(5).await;
    w.scheduler.publish_due().await.unwrap();
    w.outbox.flush().await.unwrap();
    assert_eq!(w.post(&good).await.fields[posts::STATUS], json!("Posted"));
    let bad = w.post(&bad).await;
    assert_eq!(bad.fields[posts::STATUS], json!("Failed"));
    let message = bad.fields[posts::ERROR_MESSAGE].as_str().unwrap();
    assert!(message.contains("field SocialAccountID: links to nothing"), "{message}");
}

/// A post that breaks the platform's rules fails before any call, with the rule and the value.
#[tokio::test(start_paused = true)]
async fn a_post_over_xs_length_fails_with_the_rule_and_the_value() {
    let w = World::start().await;
    let id = w.schedule(&w.x_account, &"a".repeat(300), 5).await;
    w.scheduler.sync().await.unwrap();
    w.advance(5).await;
    w.scheduler.publish_due().await.unwrap();
    w.outbox.flush().await.unwrap();
    let record = w.post(&id).await;
    assert_eq!(record.fields[posts::STATUS], json!("Failed"));
    let message = record.fields[posts::ERROR_MESSAGE].as_str().unwrap();
    assert!(message.contains("280") && message.contains("300"), "{message}");
    assert!(w.tweets().is_empty());
}

/// A post whose time passed long before the worker saw it fails, saying so.
#[tokio::test(start_paused = true)]
async fn a_post_older_than_the_staleness_limit_fails_with_a_message() {
    let w = World::start().await;
    let id = w.schedule(&w.x_account, "very late", -3 * 3600).await;
    let recent = w.schedule(&w.x_account, "a little late", -60).await;
    w.scheduler.sync().await.unwrap();
    w.scheduler.publish_due().await.unwrap();
    w.outbox.flush().await.unwrap();
    let stale = w.post(&id).await;
    assert_eq!(stale.fields[posts::STATUS], json!("Failed"));
    assert!(stale.fields[posts::ERROR_MESSAGE]
        .as_str()
        .unwrap()
        .contains("staleness limit"));
    assert_eq!(w.post(&recent).await.fields[posts::STATUS], json!("Posted"));
}

/// A Facebook post without media whose caption holds a URL goes out as a link post.
#[tokio::test(start_paused = true)]
async fn a_facebook_caption_with_a_url_is_published_as_a_link_post() {
    let w = World::start().await;
    let id = w
        .schedule(&w.fb_account, "Our new article: https://example.com/launch. Enjoy", 5)
        .await;
    w.scheduler.sync().await.unwrap();
    w.advance(5).await;
    let outcomes = w.scheduler.publish_due().await.unwrap();
    assert!(
        matches!(&outcomes[..], [(r, Outcome::Published(_))] if *r == id),
        "{outcomes:?}"
    );
    assert_eq!(
        w.fb.post_links(crate::helpers::FB_PAGE),
        [Some("https://example.com/launch".to_string())]
    );
}
