//! The scheduler's loop and the worker's webhooks, over HTTP.

use crate::helpers::{World, HOOK_TOKEN};
use schedulo::base::names::posts;
use serde_json::json;
use std::time::Duration;

/// The loop publishes a post on its time without being told, and writes its status back.
#[tokio::test(start_paused = true)]
async fn the_loop_publishes_on_time_and_writes_back() {
    let w = World::start().await;
    let id = w.schedule(&w.x_account, "from the loop", 120).await;
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let scheduler = tokio::spawn(w.scheduler.clone().run(async {
        let _ = stopped.await;
    }));
    w.advance(121).await;
    w.outbox.flush().await.unwrap();
    assert_eq!(w.post(&id).await.fields[posts::STATUS], json!("Posted"));
    let lags = w.journal.publish_lags_ms().await.unwrap();
    assert!(lags.iter().all(|l| *l < 1000), "{lags:?}");
    let _ = stop.send(());
    scheduler.await.unwrap();
}

/// With nothing scheduled, the default cadence (Team at 50 %) stays within its share of the month's
/// calls: a read that finds nothing costs 1 call, the share is planned at 1.2.
#[tokio::test(start_paused = true)]
async fn an_idle_month_stays_within_the_read_share() {
    let w = World::start().await;
    let before = w.base.client().usage().this_month(w.base.id());
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let scheduler = tokio::spawn(w.scheduler.clone().run(async {
        let _ = stopped.await;
    }));
    tokio::time::sleep(Duration::from_secs(3 * 3600)).await;
    let _ = stop.send(());
    scheduler.await.unwrap();
    let calls = w.base.client().usage().this_month(w.base.id()) - before;
    let a_month = calls * 30 * 24 / 3;
    let budget = w.scheduler.cadence().budget().unwrap();
    println!("idle: {calls} Airtable calls in 3 hours, {a_month} a month, against {budget}");
    assert!(a_month <= budget, "{calls} calls in 3 idle hours");
}

/// Bubble's nudge: a wrong token is refused with a 401 that says why; a good one is kept and acted on.
#[tokio::test(start_paused = true)]
async fn bubbles_webhook_is_authenticated_durable_and_nudges_the_scheduler() {
    let mut w = World::start().await;
    let url = w.serve();
    let client = reqwest::Client::new();
    let refused = client
        .post(format!("{url}/webhooks/bubble"))
        .bearer_auth("wrong")
        .json(&json!({"event": "schedule.changed"}))
        .send()
        .await
        .unwrap();
    assert_eq!(refused.status(), 401);
    let body: serde_json::Value = refused.json().await.unwrap();
    assert_eq!(
        body["error"],
        "the bearer token is not this worker's SCHEDULO_WEBHOOK_TOKEN"
    );
    let bad = client
        .post(format!("{url}/webhooks/bubble"))
        .bearer_auth(HOOK_TOKEN)
        .json(&json!({"event": "post.changed", "post": "nope"}))
        .send()
        .await
        .unwrap();
    assert_eq!(bad.status(), 400);
    assert!(bad.text().await.unwrap().contains("record id"));

    let id = w.schedule(&w.x_account, "nudged in", 30).await;
    let ok = client
        .post(format!("{url}/webhooks/bubble"))
        .bearer_auth(HOOK_TOKEN)
        .json(&json!({"event": "post.changed", "post": id}))
        .send()
        .await
        .unwrap();
    assert_eq!(ok.status(), 202);
    assert_eq!(
        w.journal.inbox_pending(10).await.unwrap().len(),
        1,
        "kept before the answer"
    );
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let scheduler = tokio::spawn(w.scheduler.clone().run(async {
        let _ = stopped.await;
    }));
    w.advance(31).await;
    assert_eq!(w.tweets(), ["nudged in"]);
    let _ = stop.send(());
    scheduler.await.unwrap();
}

/// Airtable's change notification: a MAC that does not match is refused; a good one is accepted.
#[tokio::test(start_paused = true)]
async fn airtables_notification_is_verified_by_its_mac() {
    use hmac::{Hmac, Mac};
    let secret = b"airtable-mac-secret".to_vec();
    let encoded = base64::Engine::encode(&base64::engine::general_purpose::STANDARD, &secret);
    let mut w = World::start_with_vars(&[("AIRTABLE_WEBHOOK_MAC_SECRET", &encoded)]).await;
    let url = w.serve();
    let body = json!({"base": {"id": w.base.id()}, "webhook": {"id": "achX"}, "timestamp": w.clock.now().to_rfc3339()})
        .to_string();
    let mut mac = Hmac::<sha2::Sha256>::new_from_slice(&secret).unwrap();
    mac.update(body.as_bytes());
    let hex: String = mac.finalize().into_bytes().iter().map(|b| format!("{b:02x}")).collect();
    let client = reqwest::Client::new();
    let forged = client
        .post(format!("{url}/webhooks/airtable"))
        .header("X-Airtable-Content-MAC", "hmac-sha256=00")
        .body(body.clone())
        .send()
        .await
        .unwrap();
    assert_eq!(forged.status(), 401);
    let good = client
        .post(format!("{url}/webhooks/airtable"))
        .header("X-Airtable-Content-MAC", format!("hmac-sha256={hex}"))
        .body(body)
        .send()
        .await
        .unwrap();
    assert_eq!(good.status(), 204);
}

/// Two workers on one journal: only the one holding the base's lease publishes.
#[tokio::test(start_paused = true)]
async fn two_workers_on_one_journal_publish_each_post_once() {
    let w = World::start().await;
    let id = w.schedule(&w.x_account, "only once", 30).await;
    let other = w.second_worker().await.scheduler().clone();
    let (stop, stopped) = tokio::sync::watch::channel(false);
    let until = |mut rx: tokio::sync::watch::Receiver<bool>| async move {
        let _ = rx.wait_for(|s| *s).await;
    };
    let a = tokio::spawn(w.scheduler.clone().run(until(stopped.clone())));
    let b = tokio::spawn(other.run(until(stopped.clone())));
    w.advance(120).await;
    let _ = stop.send(true);
    a.await.unwrap();
    b.await.unwrap();
    assert_eq!(w.tweets(), ["only once"]);
    assert_eq!(
        w.journal.get(&id).await.unwrap().unwrap().state,
        schedulo::journal::PostState::Published
    );
}

/// Twenty "something changed" nudges in a few seconds (Airtable pings on every write) cost one or
/// two reads of the schedule, not twenty.
#[tokio::test(start_paused = true)]
async fn a_storm_of_nudges_costs_a_read_or_two() {
    let w = World::start().await;
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let scheduler = tokio::spawn(w.scheduler.clone().run(async {
        let _ = stopped.await;
    }));
    w.advance(1).await;
    let before = w.base.client().usage().this_month(w.base.id());
    for _ in 0..20 {
        w.scheduler.nudge_all();
        w.advance(1).await;
    }
    w.advance(60).await;
    let _ = stop.send(());
    scheduler.await.unwrap();
    let reads = w.base.client().usage().this_month(w.base.id()) - before;
    assert!((1..=2).contains(&reads), "{reads} reads for 20 nudges");
}
