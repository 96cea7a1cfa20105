//! The operator's view is the operator's: `/status` only on the loopback listener.

use crate::helpers::{assert_no_secret, World};

/// The public listener serves no `/status` (a JSON 404 like any unknown route, with nothing of
/// the journal in it); the operator's listener, on loopback, serves it and `/healthz`.
#[tokio::test(start_paused = true)]
async fn status_is_not_on_the_public_listener_but_on_the_operators() {
    let w = World::start(&[]).await;
    for path in ["/status", "/status/", "/admin", "/metrics"] {
        let public = w.http.get(w.url(path)).send().await.unwrap();
        assert_eq!(public.status().as_u16(), 404, "{path}");
        let text = public.text().await.unwrap();
        assert_eq!(text, r#"{"error":"no such route"}"#, "{path}");
    }
    let health = w.http.get(w.url("/healthz")).send().await.unwrap();
    assert_eq!(health.text().await.unwrap(), "ok");
    let admin = w.admin.expect("the operator's listener is on");
    assert!(admin.ip().is_loopback() && admin != w.addr);
    let status = w.http.get(format!("http://{admin}/status")).send().await.unwrap();
    assert_eq!(status.status().as_u16(), 200);
    let report: serde_json::Value = status.json().await.unwrap();
    assert!(
        report.get("posts").is_some() && report.get("outbox").is_some(),
        "{report}"
    );
    assert_no_secret(&report.to_string());
    let webhook = w
        .http
        .post(format!("http://{admin}/webhooks/bubble"))
        .send()
        .await
        .unwrap();
    assert_eq!(
        webhook.status().as_u16(),
        404,
        "the webhooks are not on the operator's listener"
    );
}

/// `SCHEDULO_ADMIN_LISTEN=off` binds nothing; `/status` is then served nowhere.
#[tokio::test(start_paused = true)]
async fn the_operators_listener_can_be_turned_off() {
    let w = World::start(&[("SCHEDULO_ADMIN_LISTEN", "off")]).await;
    assert_eq!(w.admin, None);
    let public = w.http.get(w.url("/status")).send().await.unwrap();
    assert_eq!(public.status().as_u16(), 404);
}
