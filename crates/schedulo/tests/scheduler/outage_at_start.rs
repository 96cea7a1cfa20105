//! A worker (re)started while Airtable answers 503: it starts, stays up with `/healthz` answering,
//! publishes nothing it cannot confirm, and once Airtable returns publishes every due post once
//! and writes every status back.

use crate::helpers::{World, AIRTABLE_TOKEN};
use schedulo::base::names::posts;
use serde_json::json;
use std::time::Duration;

#[tokio::test(start_paused = true)]
async fn a_worker_started_while_airtable_is_down_waits_then_publishes_each_post_once() {
    let mut w = World::start().await;
    let ids = [
        w.schedule(&w.x_account, "outage one", 30).await,
        w.schedule(&w.x_account, "outage two", 40).await,
        w.schedule(&w.x_account, "outage three", 50).await,
    ];
    // The journal knows the posts; then the process dies, and Airtable goes down for a minute.
    w.scheduler.sync().await.unwrap();
    let outage = json!({"path_prefix": "/v0/", "count": 1_000_000, "status": 503});
    crate::helpers::admin_post(&w.airtable.url(), "/_sandbox/faults", outage, AIRTABLE_TOKEN).await;
    let config = w.config.clone();
    w.rebuild(&config, None).await;
    let app = w.app.take().unwrap();
    let healthz = format!("http://{}/healthz", app.address());
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let running = tokio::spawn(app.run(async {
        let _ = stopped.await;
    }));

    w.advance(55).await;
    assert!(!running.is_finished(), "the worker stays up while Airtable is down");
    let health = reqwest::get(&healthz).await.unwrap();
    assert_eq!(health.status(), 200, "/healthz answers during the outage");
    assert!(
        w.tweets().iter().all(|t| !t.contains("outage")),
        "nothing is published that could not be confirmed: {:?}",
        w.tweets()
    );

    let cleared = reqwest::Client::new()
        .delete(format!("{}/_sandbox/faults", w.airtable.url()))
        .bearer_auth(AIRTABLE_TOKEN)
        .send()
        .await
        .unwrap();
    assert!(cleared.status().is_success());
    w.advance(180).await;
    let published: Vec<String> = w.tweets().into_iter().filter(|t| t.contains("outage")).collect();
    assert_eq!(published.len(), 3, "each due post once: {published:?}");
    for id in &ids {
        assert_eq!(w.post(id).await.fields[posts::STATUS], json!("Posted"), "{id}");
    }
    let _ = stop.send(());
    let ran = tokio::time::timeout(Duration::from_secs(60), running)
        .await
        .unwrap()
        .unwrap();
    assert!(ran.is_ok(), "{ran:?}");
}

/// What waiting cannot fix stops the start, saying what to do: a token Airtable refuses.
#[tokio::test(start_paused = true)]
async fn a_token_airtable_refuses_stops_the_start_with_what_to_fix() {
    let w = World::start().await;
    let mut config = w.config.clone();
    if let schedulo::config::AirtableTarget::Remote { token, .. } = &mut config.airtable {
        *token = secrecy::SecretString::from("patNotAToken.0000000000000000".to_string());
    }
    let err = schedulo::app::Application::build(&config, w.clock)
        .await
        .err()
        .expect("a refused token stops the start");
    let text = format!("{err:#}");
    assert!(text.contains("Airtable refuses AIRTABLE_TOKEN"), "{text}");
    assert!(!text.contains("patNotAToken"), "the token is never shown: {text}");
}
