//! End-to-end checks of the sandbox over HTTP with reqwest: a real server on 127.0.0.1:0.

mod admin;
mod compat;
mod errors;
mod latency;
mod records;
mod shapes;
mod webhook_pings;
mod webhooks;

use super::model::TableSpec;
use super::{AirtableSandbox, SandboxLimits, SandboxOptions};
use reqwest::Method;
use serde_json::{json, Value};

pub const TOKEN: &str = "pat-sandbox-test-token";

/// Limits high enough that functional tests never meet them.
pub fn roomy() -> SandboxLimits {
    SandboxLimits {
        per_base_per_sec: 10_000,
        per_token_per_sec: 10_000,
        ..SandboxLimits::default()
    }
}

pub async fn start(limits: SandboxLimits, data_dir: Option<std::path::PathBuf>) -> AirtableSandbox {
    AirtableSandbox::start(SandboxOptions {
        listen: "127.0.0.1:0".parse().unwrap(),
        data_dir,
        tokens: vec![TOKEN.to_string()],
        tables: users_with_views(),
        limits,
    })
    .await
    .unwrap()
}

/// A `Users` table with four hand-made views (filters on `Status` and `Subscription Plan`), as
/// a person would have set up in Airtable's UI.
pub fn users_with_views() -> Vec<TableSpec> {
    serde_json::from_value(json!([{"name": "Users", "fields": [
        {"name": "UserID", "type": "singleLineText"},
        {"name": "Status", "type": "singleSelect", "options": {"choices": [{"name": "Active"}, {"name": "Trial"}]}},
        {"name": "Subscription Plan", "type": "singleSelect", "options": {"choices": [{"name": "Enterprise"}]}},
    ], "views": [
        {"name": "All Users"},
        {"name": "Active Users", "filter": "{Status} = 'Active'"},
        {"name": "Trial Users", "filter": "{Status} = 'Trial'"},
        {"name": "Enterprise Customers", "filter": "{Subscription Plan} = 'Enterprise'"},
    ]}]))
    .unwrap()
}

/// A tiny client: every call returns (status, JSON body).
pub struct Client {
    http: reqwest::Client,
    url: String,
    token: Option<String>,
}

impl Client {
    pub fn new(sandbox: &AirtableSandbox) -> Client {
        Client {
            http: reqwest::Client::new(),
            url: sandbox.url(),
            token: Some(TOKEN.to_string()),
        }
    }

    pub fn anonymous(sandbox: &AirtableSandbox) -> Client {
        Client {
            token: None,
            ..Client::new(sandbox)
        }
    }

    pub async fn raw(&self, method: Method, path: &str, body: Option<&str>) -> (u16, Value) {
        let mut req = self.http.request(method, format!("{}{path}", self.url));
        if let Some(t) = &self.token {
            req = req.bearer_auth(t);
        }
        if let Some(b) = body {
            req = req.header("content-type", "application/json").body(b.to_string());
        }
        let res = req.send().await.unwrap();
        let status = res.status().as_u16();
        let text = res.text().await.unwrap();
        (status, serde_json::from_str(&text).unwrap_or(Value::String(text)))
    }

    pub async fn call(&self, method: Method, path: &str, body: Option<Value>) -> (u16, Value) {
        let body = body.map(|b| b.to_string());
        self.raw(method, path, body.as_deref()).await
    }

    pub async fn get(&self, path: &str) -> (u16, Value) {
        self.call(Method::GET, path, None).await
    }

    pub async fn post(&self, path: &str, body: Value) -> (u16, Value) {
        self.call(Method::POST, path, Some(body)).await
    }

    pub async fn patch(&self, path: &str, body: Value) -> (u16, Value) {
        self.call(Method::PATCH, path, Some(body)).await
    }
}

/// A base with a `Posts` table: Name (primary), N (number), Status (select A/B), When (dateTime).
pub async fn posts_base(sandbox: &AirtableSandbox, c: &Client) -> (String, String) {
    let base = sandbox.create_base("Smoke");
    let (status, table) = c
        .post(
            &format!("/v0/meta/bases/{base}/tables"),
            json!({"name": "Posts", "description": "Smoke test posts", "fields": [
                {"name": "Name", "type": "singleLineText"},
                {"name": "N", "type": "number", "options": {"precision": 0}},
                {"name": "Status", "type": "singleSelect", "options": {"choices": [{"name": "A"}, {"name": "B"}]}},
                {"name": "When", "type": "dateTime", "options": {"timeZone": "utc",
                    "dateFormat": {"name": "iso"}, "timeFormat": {"name": "24hour"}}},
            ]}),
        )
        .await;
    assert_eq!(status, 200, "{table}");
    (base, table["id"].as_str().unwrap().to_string())
}

/// Creates `count` records named `P<i>` with N = i, ten at a time.
pub async fn insert_posts(c: &Client, base: &str, count: usize) -> Vec<String> {
    let mut ids = Vec::new();
    let all: Vec<usize> = (1..=count).collect();
    for chunk in all.chunks(10) {
        let records: Vec<Value> = chunk
            .iter()
            .map(|i| json!({"fields": {"Name": format!("P{i}"), "N": i, "Status": if i % 2 == 0 { "A" } else { "B" }}}))
            .collect();
        let (status, body) = c
            .post(&format!("/v0/{base}/Posts"), json!({ "records": records }))
            .await;
        assert_eq!(status, 200, "{body}");
        ids.extend(
            body["records"]
                .as_array()
                .unwrap()
                .iter()
                .map(|r| r["id"].as_str().unwrap().to_string()),
        );
    }
    ids
}

/// Whether the formula engine is the real one yet (its placeholder finds no field names), so
/// tests that need real filtering check it once it has landed.
pub fn formula_engine_is_real() -> bool {
    super::formula::Formula::parse("{A}")
        .map(|f| !f.field_names().is_empty())
        .unwrap_or(false)
}

pub fn fixture(name: &str) -> Value {
    let path = format!("{}/../../fixtures/airtable/{name}", env!("CARGO_MANIFEST_DIR"));
    serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}
