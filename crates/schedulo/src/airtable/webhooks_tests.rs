//! The webhooks client against a tiny stand-in that records requests and answers from a script.

use super::*;
use crate::airtable::{AirtableClient, ApiErrorType, ClientOptions, RetryPolicy};
use crate::error_class::ErrorClass;
use axum::body::Bytes;
use axum::http::{Method as HttpMethod, StatusCode, Uri};
use secrecy::ExposeSecret;
use std::collections::VecDeque;
use std::sync::{Arc, Mutex};
use std::time::Duration;

#[derive(Default)]
struct Script {
    seen: Vec<(String, String, String)>,
    answers: VecDeque<(u16, String)>,
}

struct Stub {
    url: url::Url,
    script: Arc<Mutex<Script>>,
}

impl Stub {
    async fn start() -> Stub {
        let script = Arc::new(Mutex::new(Script::default()));
        let shared = script.clone();
        let app = axum::Router::new().fallback(move |method: HttpMethod, uri: Uri, body: Bytes| {
            let script = shared.clone();
            async move {
                let mut s = script.lock().unwrap();
                s.seen.push((
                    method.to_string(),
                    uri.to_string(),
                    String::from_utf8_lossy(&body).into_owned(),
                ));
                let (status, body) = s
                    .answers
                    .pop_front()
                    .unwrap_or((404, r#"{"error":"NOT_FOUND"}"#.into()));
                (StatusCode::from_u16(status).unwrap(), body)
            }
        });
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let url = format!("http://{}", listener.local_addr().unwrap()).parse().unwrap();
        tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
        Stub { url, script }
    }

    fn answer(&self, status: u16, body: &str) {
        self.script.lock().unwrap().answers.push_back((status, body.into()));
    }

    fn seen(&self) -> Vec<(String, String, String)> {
        self.script.lock().unwrap().seen.clone()
    }

    fn base(&self) -> Base {
        let options = ClientOptions {
            retry: RetryPolicy {
                min_delay: Duration::from_millis(1),
                max_delay: Duration::from_millis(2),
                ..RetryPolicy::default()
            },
            ..ClientOptions::new(self.url.clone(), SecretString::from("pat-test-token"))
        };
        AirtableClient::new(options).unwrap().base("appBase")
    }
}

fn fixture(name: &str) -> String {
    std::fs::read_to_string(format!("{}/../../fixtures/airtable/{name}", env!("CARGO_MANIFEST_DIR"))).unwrap()
}

#[test]
fn airtables_documented_bodies_are_read() {
    let created: CreatedWebhook = serde_json::from_str(&fixture("webhook_created.json")).unwrap();
    assert_eq!(created.id, "ach00000000000000");
    assert_eq!(
        created.mac_secret_base64.expose_secret(),
        "c29tZUJhc2U2NE1hY1NlY3JldA=="
    );
    assert!(created.expiration_time.is_some());
    assert!(!format!("{created:?}").contains("c29tZ"), "the secret is not in Debug");

    let listed: WebhooksBody = serde_json::from_str(&fixture("webhooks_list.json")).unwrap();
    assert_eq!(listed.webhooks.len(), 2);
    let failing = &listed.webhooks[1];
    assert!(!failing.are_notifications_enabled);
    assert_eq!(failing.cursor_for_next_payload, 5);
    assert!(!failing.last_notification_result.as_ref().unwrap().success);

    let page: PayloadPage = serde_json::from_str(&fixture("webhook_payloads.json")).unwrap();
    assert_eq!(page.cursor, 4);
    assert!(!page.might_have_more);
    let changed = &page.payloads[0].changed_tables_by_id["tbl00000000000000"];
    assert_eq!(
        changed.changed_records_by_id["rec00000000000000"]
            .current
            .cell_values_by_field_id
            .keys()
            .collect::<Vec<_>>(),
        ["fld00000000000000"]
    );
    assert_eq!(page.payloads[0].action_metadata.as_ref().unwrap().source, "client");
    let second = &page.payloads[1].changed_tables_by_id["tbl00000000000000"];
    assert!(second.created_records_by_id.contains_key("rec00000000000001"));
    assert_eq!(second.destroyed_record_ids, ["rec00000000000002"]);
    assert!(page.payloads[2].error);
    assert_eq!(page.payloads[2].code.as_deref(), Some("INVALID_FILTERS"));
}

#[tokio::test]
async fn a_create_posts_the_url_and_the_specification_and_is_counted() {
    let stub = Stub::start().await;
    stub.answer(200, &fixture("webhook_created.json"));
    let base = stub.base();
    let url: url::Url = "https://worker.example.com/webhooks/airtable".parse().unwrap();
    let created = base.create_webhook(&url, &Specification::base_records()).await.unwrap();
    assert_eq!(created.id, "ach00000000000000");
    let seen = stub.seen();
    assert_eq!(seen[0].0, "POST");
    assert_eq!(seen[0].1, "/v0/bases/appBase/webhooks");
    let body: Value = serde_json::from_str(&seen[0].2).unwrap();
    assert_eq!(
        body,
        json!({
            "notificationUrl": "https://worker.example.com/webhooks/airtable",
            "specification": {"options": {"filters": {"dataTypes": ["tableData"]}}}
        })
    );
    assert_eq!(base.client().usage().this_month("appBase"), 1);
}

#[tokio::test]
async fn a_create_that_fails_after_it_may_have_been_applied_is_not_repeated() {
    let stub = Stub::start().await;
    stub.answer(500, r#"{"error":{"type":"SERVER_ERROR","message":"oops"}}"#);
    let url: url::Url = "https://worker.example.com/webhooks/airtable".parse().unwrap();
    let error = stub
        .base()
        .create_webhook(&url, &Specification::base_records())
        .await
        .unwrap_err();
    assert_eq!(error.class(), ErrorClass::OutcomeUnknown);
    assert_eq!(stub.seen().len(), 1);
}

#[tokio::test]
async fn payloads_are_read_fifty_at_a_time_following_might_have_more() {
    let stub = Stub::start().await;
    stub.answer(200, r#"{"cursor":3,"mightHaveMore":true,"payloads":[]}"#);
    stub.answer(200, &fixture("webhook_payloads.json"));
    let (payloads, cursor) = stub.base().webhook_payloads_since("achHook", 1, 10).await.unwrap();
    assert_eq!(payloads.len(), 3);
    assert_eq!(cursor, 4);
    let paths: Vec<String> = stub.seen().into_iter().map(|(_, p, _)| p).collect();
    assert_eq!(
        paths,
        [
            "/v0/bases/appBase/webhooks/achHook/payloads?cursor=1&limit=50",
            "/v0/bases/appBase/webhooks/achHook/payloads?cursor=3&limit=50"
        ]
    );
}

#[tokio::test]
async fn refresh_list_delete_and_enable_use_their_documented_paths() {
    let stub = Stub::start().await;
    stub.answer(200, r#"{"expirationTime":"2026-12-14T00:00:00.000Z"}"#);
    stub.answer(200, &fixture("webhooks_list.json"));
    stub.answer(200, "");
    stub.answer(200, "{}");
    let base = stub.base();
    let expiry = base.refresh_webhook("achHook").await.unwrap();
    assert_eq!(expiry.unwrap().to_rfc3339(), "2026-12-14T00:00:00+00:00");
    assert_eq!(base.list_webhooks().await.unwrap().len(), 2);
    base.delete_webhook("achHook").await.unwrap();
    base.enable_webhook_notifications("achHook", true).await.unwrap();
    let seen = stub.seen();
    let calls: Vec<(&str, &str)> = seen.iter().map(|(m, p, _)| (m.as_str(), p.as_str())).collect();
    assert_eq!(
        calls,
        [
            ("POST", "/v0/bases/appBase/webhooks/achHook/refresh"),
            ("GET", "/v0/bases/appBase/webhooks"),
            ("DELETE", "/v0/bases/appBase/webhooks/achHook"),
            ("POST", "/v0/bases/appBase/webhooks/achHook/enableNotifications"),
        ]
    );
    assert_eq!(seen[3].2, r#"{"enable":true}"#);
}

#[tokio::test]
async fn a_webhook_that_is_gone_is_airtables_not_found() {
    let stub = Stub::start().await;
    let error = stub.base().refresh_webhook("achGone").await.unwrap_err();
    assert_eq!(error.api_type(), Some(&ApiErrorType::NotFound));
    assert!(!error.to_string().contains("pat-test-token"));
}
