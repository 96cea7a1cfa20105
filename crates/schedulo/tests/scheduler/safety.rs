//! Never post twice, lose nothing: crashes, timeouts, Airtable outages and 429 storms.

use crate::helpers::World;
use schedulo::base::names::posts;
use schedulo::platforms::Publisher;
use schedulo::scenarios::post_scheduler::Outcome;
use serde_json::json;

/// Killed after the intent was recorded, before the publish call: after restart the platform
/// shows nothing; once the platform has had time to settle (2 min after the intent), the post is
/// published once.
#[tokio::test(start_paused = true)]
async fn killed_after_the_intent_before_the_call_publishes_once_after_restart() {
    let mut w = World::start().await;
    w.claimed_by_dead_worker("intent only").await;
    w.restart().await;
    let early = w.scheduler.reconcile_unresolved().await.unwrap();
    assert!(
        matches!(&early[..], [(_, Outcome::Skipped)]),
        "not believed before it settles: {early:?}"
    );
    w.scheduler.publish_due().await.unwrap();
    assert!(w.tweets().is_empty());
    w.advance(121).await;
    let settled = w.scheduler.reconcile_unresolved().await.unwrap();
    assert!(matches!(&settled[..], [(_, Outcome::Retrying(_))]), "{settled:?}");
    w.scheduler.publish_due().await.unwrap();
    assert_eq!(w.tweets(), ["intent only"]);
}

/// Killed after the platform published but before the outcome was recorded: after restart the post
/// is found on the platform and marked Posted, not published again.
#[tokio::test(start_paused = true)]
async fn killed_after_the_call_before_the_outcome_does_not_publish_again() {
    let mut w = World::start().await;
    let id = w.claimed_by_dead_worker("published then killed").await;
    // The dead worker's call went through.
    let x = schedulo::platforms::x::XPublisher::new(schedulo::platforms::x::XOptions::new(w.x.url().parse().unwrap()))
        .unwrap();
    let account = schedulo::platforms::Account {
        record_id: w.x_account.clone(),
        external_id: crate::helpers::X_USER.into(),
        handle: Some("ada".into()),
        token: secrecy::SecretString::from(crate::helpers::X_TOKEN),
    };
    let content = schedulo::platforms::PostContent {
        format: Default::default(),
        record_id: id.clone(),
        text: "published then killed".into(),
        link: None,
        media: vec![],
    };
    x.publish(
        &account,
        &content,
        &Default::default(),
        &schedulo::platforms::Receipts::discard(),
    )
    .await
    .unwrap();
    w.restart().await;
    let outcomes = w.scheduler.reconcile_unresolved().await.unwrap();
    assert!(matches!(&outcomes[..], [(_, Outcome::Published(_))]), "{outcomes:?}");
    w.scheduler.publish_due().await.unwrap();
    w.outbox.flush().await.unwrap();
    assert_eq!(w.tweets().len(), 1);
    assert_eq!(w.post(&id).await.fields[posts::STATUS], json!("Posted"));
}

/// Killed after the outcome was recorded but before Airtable heard of it: the outbox delivers it
/// after restart, and nothing is published again.
#[tokio::test(start_paused = true)]
async fn killed_before_the_write_back_delivers_the_status_after_restart() {
    let mut w = World::start().await;
    let id = w.schedule(&w.x_account, "outbox survives", 5).await;
    w.scheduler.sync().await.unwrap();
    w.advance(5).await;
    w.scheduler.publish_due().await.unwrap();
    w.restart().await;
    w.scheduler.reconcile_unresolved().await.unwrap();
    w.scheduler.sync().await.unwrap();
    w.scheduler.publish_due().await.unwrap();
    w.outbox.flush().await.unwrap();
    assert_eq!(w.tweets().len(), 1);
    assert_eq!(w.post(&id).await.fields[posts::STATUS], json!("Posted"));
}

/// The platform accepted the post, then the answer timed out: the post is reconciled, not repeated.
#[tokio::test(start_paused = true)]
async fn a_publish_call_that_timed_out_after_the_platform_accepted_it_is_reconciled() {
    let w = World::start().await;
    let id = w.schedule(&w.x_account, "slow answer", 5).await;
    w.scheduler.sync().await.unwrap();
    let fault = json!({"method": "POST", "path_prefix": "/2/tweets", "count": 1, "apply_then_delay_ms": 120_000});
    crate::helpers::admin_post(&w.x.url(), "/_sandbox/faults", fault, crate::helpers::X_TOKEN).await;
    w.advance(5).await;
    let outcomes = w.scheduler.publish_due().await.unwrap();
    assert!(
        matches!(&outcomes[..], [(r, Outcome::Published(_))] if *r == id),
        "{outcomes:?}"
    );
    assert_eq!(w.tweets().len(), 1);
}

/// Airtable down: statuses wait in the outbox and arrive when it is back.
#[tokio::test(start_paused = true)]
async fn an_airtable_outage_delays_the_write_back_but_loses_nothing() {
    let w = World::start().await;
    let ids = [
        w.schedule(&w.x_account, "one", 5).await,
        w.schedule(&w.x_account, "two", 5).await,
    ];
    w.scheduler.sync().await.unwrap();
    let outage = json!({"method": "PATCH", "path_prefix": format!("/v0/{}/", w.base.id()), "count": 50, "status": 503});
    crate::helpers::admin_post(
        &w.airtable.url(),
        "/_sandbox/faults",
        outage,
        crate::helpers::AIRTABLE_TOKEN,
    )
    .await;
    w.advance(5).await;
    w.scheduler.publish_due().await.unwrap();
    let report = w.outbox.flush().await.unwrap();
    assert_eq!(report.written, 0);
    assert_eq!(w.journal.outbox_len().await.unwrap(), 2);
    let clear = reqwest::Client::new()
        .delete(format!("{}/_sandbox/faults", w.airtable.url()))
        .bearer_auth(crate::helpers::AIRTABLE_TOKEN);
    assert!(clear.send().await.unwrap().status().is_success());
    w.advance(600).await;
    let report = w.outbox.flush().await.unwrap();
    assert_eq!(report.written, 2);
    for id in ids {
        assert_eq!(w.post(&id).await.fields[posts::STATUS], json!("Posted"));
    }
}

/// A storm of 429s: the client waits them out; the sandbox never sees a request over the limit.
#[tokio::test(start_paused = true)]
async fn a_429_storm_makes_no_call_exceed_the_limit() {
    let w = World::start().await;
    for i in 0..25 {
        w.schedule(&w.x_account, &format!("storm {i}"), 5).await;
    }
    w.scheduler.sync().await.unwrap();
    let reset = reqwest::Client::new()
        .post(format!("{}/_sandbox/counters/reset", w.airtable.url()))
        .bearer_auth(crate::helpers::AIRTABLE_TOKEN);
    reset.send().await.unwrap();
    let storm = json!({"path_prefix": format!("/v0/{}/", w.base.id()), "count": 3, "status": 429});
    crate::helpers::admin_post(
        &w.airtable.url(),
        "/_sandbox/faults",
        storm,
        crate::helpers::AIRTABLE_TOKEN,
    )
    .await;
    w.advance(5).await;
    w.scheduler.publish_due().await.unwrap();
    w.outbox.flush().await.unwrap();
    let counters: serde_json::Value = reqwest::Client::new()
        .get(format!("{}/_sandbox/counters", w.airtable.url()))
        .bearer_auth(crate::helpers::AIRTABLE_TOKEN)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let base = &counters["bases"][w.base.id()];
    assert_eq!(
        base["by_status"]["429"], 3,
        "only the injected 429s, none earned: {base}"
    );
    assert_eq!(w.journal.outbox_len().await.unwrap(), 0);
}
