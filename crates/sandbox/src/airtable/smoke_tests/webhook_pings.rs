//! Webhook pings, caught by a small receiver on loopback; time is tokio's, paused.

use super::webhooks::{create_hook, table_data};
use super::*;
use axum::body::Bytes;
use axum::http::{HeaderMap, StatusCode};
use base64::Engine;
use hmac::{Hmac, Mac};
use sha2::Sha256;
use std::collections::VecDeque;
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::sync::mpsc;

/// One ping as received: its MAC header and body.
struct Ping {
    mac: Option<String>,
    body: Bytes,
}

/// A notification URL that hands each ping to the test and answers from a script (then 204).
struct Receiver {
    url: String,
    pings: mpsc::UnboundedReceiver<Ping>,
}

async fn receiver(script: Vec<u16>) -> Receiver {
    let (tx, pings) = mpsc::unbounded_channel();
    let script = Arc::new(Mutex::new(VecDeque::from(script)));
    let app = axum::Router::new().route(
        "/hook",
        axum::routing::post(move |headers: HeaderMap, body: Bytes| {
            let (tx, script) = (tx.clone(), script.clone());
            async move {
                let mac = headers
                    .get("x-airtable-content-mac")
                    .and_then(|v| v.to_str().ok())
                    .map(str::to_string);
                let _ = tx.send(Ping { mac, body });
                let status = script.lock().unwrap().pop_front().unwrap_or(204);
                StatusCode::from_u16(status).unwrap()
            }
        }),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}/hook", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    Receiver { url, pings }
}

impl Receiver {
    /// The next ping, letting tokio's paused clock run forward as far as needed.
    async fn next(&mut self) -> Ping {
        tokio::time::timeout(Duration::from_secs(600), self.pings.recv())
            .await
            .expect("a ping within 10 minutes")
            .unwrap()
    }

    /// Lets `secs` of tokio time pass and says whether a ping came meanwhile.
    async fn quiet_for(&mut self, secs: u64) -> bool {
        tokio::time::timeout(Duration::from_secs(secs), self.pings.recv())
            .await
            .is_err()
    }
}

/// The webhook's `lastNotificationResult` once it differs from `before` (the receiver sees a
/// ping before the sandbox has its answer), letting paused tokio time creep forward a little.
async fn result_after(sandbox: &AirtableSandbox, base: &str, before: &Value) -> Value {
    for _ in 0..100 {
        let now = sandbox.webhooks(base)[0]["lastNotificationResult"].clone();
        if &now != before {
            return now;
        }
        tokio::time::sleep(Duration::from_millis(1)).await;
    }
    panic!("the ping's result was never recorded");
}

/// Whether `mac` is `hmac-sha256=<hex>` of `body` with the base64-decoded secret.
fn verifies(secret_base64: &str, body: &[u8], mac: Option<&str>) -> bool {
    let key = base64::engine::general_purpose::STANDARD.decode(secret_base64).unwrap();
    let mut hmac = Hmac::<Sha256>::new_from_slice(&key).unwrap();
    hmac.update(body);
    let hex: String = hmac
        .finalize()
        .into_bytes()
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    mac == Some(format!("hmac-sha256={hex}").as_str())
}

#[tokio::test(start_paused = true)]
async fn a_ping_arrives_after_a_change_with_a_mac_that_verifies_with_the_secret() {
    let sandbox = start(roomy(), None).await;
    let c = Client::new(&sandbox);
    let (base, table) = posts_base(&sandbox, &c).await;
    let mut rx = receiver(vec![]).await;
    let (hook, secret) = create_hook(&c, &base, Some(&rx.url), table_data(&table)).await;
    assert!(rx.quiet_for(5).await, "no ping without a change");
    insert_posts(&c, &base, 1).await;
    let ping = rx.next().await;
    assert!(verifies(&secret, &ping.body, ping.mac.as_deref()), "{:?}", ping.mac);
    let body: Value = serde_json::from_slice(&ping.body).unwrap();
    assert_eq!(body["base"], json!({"id": base}));
    assert_eq!(body["webhook"], json!({"id": hook}));
    assert!(body["timestamp"].as_str().unwrap().ends_with('Z'));
    let documented = fixture("webhook_notification.json");
    let keys = |v: &Value| v.as_object().unwrap().keys().cloned().collect::<Vec<_>>();
    assert_eq!(keys(&body), keys(&documented), "the documented notification body");
    let result = result_after(&sandbox, &base, &Value::Null).await;
    assert_eq!(result["success"], true);
    assert!(rx.quiet_for(5).await);
    let listed = &sandbox.webhooks(&base)[0];
    assert_eq!(listed["lastNotificationResult"]["success"], true);
    assert_eq!(listed["lastNotificationResult"]["retryNumber"], 0);
    assert!(listed["lastSuccessfulNotificationTime"].is_string());
    sandbox.shutdown().await;
}

#[tokio::test(start_paused = true)]
async fn a_burst_of_twenty_writes_within_a_second_gives_one_ping_not_twenty() {
    let sandbox = start(roomy(), None).await;
    let c = Client::new(&sandbox);
    let (base, table) = posts_base(&sandbox, &c).await;
    let ids = insert_posts(&c, &base, 1).await;
    let mut rx = receiver(vec![]).await;
    create_hook(&c, &base, Some(&rx.url), table_data(&table)).await;
    for n in 0..20 {
        c.patch(
            &format!("/v0/{base}/Posts"),
            json!({"records": [{"id": ids[0], "fields": {"N": n}}]}),
        )
        .await;
    }
    rx.next().await;
    assert!(rx.quiet_for(60).await, "one ping for the burst");
    assert_eq!(sandbox.webhooks(&base)[0]["cursorForNextPayload"], 21);
    c.patch(
        &format!("/v0/{base}/Posts"),
        json!({"records": [{"id": ids[0], "fields": {"N": 99}}]}),
    )
    .await;
    rx.next().await;
    sandbox.shutdown().await;
}

#[tokio::test(start_paused = true)]
async fn a_failed_ping_is_retried_with_backoff_and_its_result_listed() {
    let sandbox = start(roomy(), None).await;
    let c = Client::new(&sandbox);
    let (base, table) = posts_base(&sandbox, &c).await;
    let mut rx = receiver(vec![500, 503]).await;
    create_hook(&c, &base, Some(&rx.url), table_data(&table)).await;
    insert_posts(&c, &base, 1).await;
    rx.next().await;
    let failed = result_after(&sandbox, &base, &Value::Null).await;
    assert_eq!(failed["success"], false, "{failed}");
    assert_eq!(failed["willBeRetried"], true);
    assert!(failed["error"]["message"].as_str().unwrap().contains("500"), "{failed}");
    let first_retry = tokio::time::Instant::now();
    rx.next().await;
    let second = result_after(&sandbox, &base, &failed).await;
    assert_eq!(
        (second["success"].clone(), second["retryNumber"].clone()),
        (json!(false), json!(1))
    );
    rx.next().await;
    assert!(
        first_retry.elapsed() >= Duration::from_secs(9),
        "retried after 2 s, then 8 s"
    );
    let ok = result_after(&sandbox, &base, &second).await;
    assert_eq!(
        (ok["success"].clone(), ok["retryNumber"].clone()),
        (json!(true), json!(2)),
        "{ok}"
    );
    assert!(rx.quiet_for(120).await);
    sandbox.shutdown().await;
}

#[tokio::test(start_paused = true)]
async fn an_expired_or_muted_webhook_is_not_pinged() {
    let sandbox = start(roomy(), None).await;
    let c = Client::new(&sandbox);
    let (base, table) = posts_base(&sandbox, &c).await;
    let mut rx = receiver(vec![]).await;
    let (hook, _) = create_hook(&c, &base, Some(&rx.url), table_data(&table)).await;
    c.post(
        &format!("/v0/bases/{base}/webhooks/{hook}/enableNotifications"),
        json!({"enable": false}),
    )
    .await;
    insert_posts(&c, &base, 1).await;
    assert!(rx.quiet_for(30).await, "muted");
    c.post(
        &format!("/v0/bases/{base}/webhooks/{hook}/enableNotifications"),
        json!({"enable": true}),
    )
    .await;
    tokio::time::advance(crate::airtable::webhooks::LIFETIME).await;
    insert_posts(&c, &base, 1).await;
    assert!(rx.quiet_for(30).await, "expired");
    sandbox.shutdown().await;
}

#[tokio::test(start_paused = true)]
async fn after_a_restart_pings_still_verify_with_the_secret_given_at_creation() {
    let dir = tempfile::tempdir().unwrap();
    let sandbox = start(roomy(), Some(dir.path().to_path_buf())).await;
    let c = Client::new(&sandbox);
    let (base, table) = posts_base(&sandbox, &c).await;
    let mut rx = receiver(vec![]).await;
    let (_, secret) = create_hook(&c, &base, Some(&rx.url), table_data(&table)).await;
    sandbox.shutdown().await;
    let sandbox = start(roomy(), Some(dir.path().to_path_buf())).await;
    let c = Client::new(&sandbox);
    insert_posts(&c, &base, 1).await;
    let ping = rx.next().await;
    assert!(verifies(&secret, &ping.body, ping.mac.as_deref()));
    sandbox.shutdown().await;
}
