//! Starting the sandbox and a client for a test, and reaching the sandbox's admin path.

use schedulo::airtable::{AirtableClient, Base, ClientOptions, Fields, Limits};
use schedulo::schema::{self, Schema};
use schedulo_sandbox::airtable::{AirtableSandbox, SandboxLimits, SandboxOptions};
use secrecy::SecretString;
use serde_json::{json, Value};

pub const TOKEN: &str = "patTestToken.0123456789abcdef";

pub struct TestApp {
    pub sandbox: AirtableSandbox,
    pub base: Base,
}

/// A sandbox with Airtable's limits, an empty base, and the real client.
pub async fn spawn_empty() -> TestApp {
    start(SandboxLimits::default(), Limits::default()).await
}

async fn start(sandbox_limits: SandboxLimits, client_limits: Limits) -> TestApp {
    let sandbox = AirtableSandbox::start(SandboxOptions {
        listen: "127.0.0.1:0".parse().unwrap(),
        data_dir: None,
        tokens: vec![TOKEN.into()],
        tables: schedulo::demo::sandbox_tables(&Schema::builtin()),
        limits: sandbox_limits,
    })
    .await
    .expect("sandbox starts");
    let base_id = sandbox.create_base("test");
    let mut options = ClientOptions::new(sandbox.url().parse().unwrap(), SecretString::from(TOKEN));
    options.limits = client_limits;
    let client = AirtableClient::new(options).unwrap();
    TestApp {
        base: client.base(&base_id),
        sandbox,
    }
}

async fn with_schema(app: TestApp) -> TestApp {
    let plan = schema::plan(&Schema::builtin(), &app.base.tables().await.unwrap());
    schema::apply::execute(&app.base, &plan).await.unwrap();
    app
}

/// A sandbox with Airtable's limits, the schema applied, and the real client.
pub async fn spawn() -> TestApp {
    with_schema(spawn_empty().await).await
}

/// For tests on the real clock that run the binary beside the test's own client: limits are not
/// what they test, and two processes sharing a base's 5 requests/s would make them wait 30 s.
pub async fn spawn_unlimited() -> TestApp {
    let sandbox = SandboxLimits {
        per_base_per_sec: 10_000,
        per_token_per_sec: 10_000,
        ..SandboxLimits::default()
    };
    let client = Limits {
        per_base_per_sec: 5_000.0,
        per_token_per_sec: 5_000.0,
        ..Limits::default()
    };
    with_schema(start(sandbox, client).await).await
}

impl TestApp {
    pub fn calls(&self) -> u64 {
        self.base.client().usage().this_month(self.base.id())
    }

    pub async fn admin(&self, method: reqwest::Method, path: &str, body: Option<Value>) -> Value {
        let mut req = reqwest::Client::new()
            .request(method, format!("{}{path}", self.sandbox.url()))
            .bearer_auth(TOKEN);
        if let Some(b) = body {
            req = req.json(&b);
        }
        let resp = req.send().await.expect("admin call");
        let status = resp.status();
        let text = resp.text().await.unwrap();
        assert!(status.is_success(), "admin {path}: {status} {text}");
        serde_json::from_str(&text).unwrap_or(Value::Null)
    }

    /// The next `count` requests to `path_prefix` (under this base) answer `status` with `body`.
    pub async fn fail_next(&self, method: Option<&str>, table: &str, count: u32, status: u16, body: Value) {
        let mut fault = json!({
            "path_prefix": format!("/v0/{}/{}", self.base.id(), table),
            "count": count,
            "status": status,
            "body": body,
        });
        if let Some(m) = method {
            fault["method"] = json!(m);
        }
        self.admin(reqwest::Method::POST, "/_sandbox/faults", Some(fault)).await;
    }

    /// The sandbox's counters for this base.
    pub async fn counters(&self) -> Value {
        let all = self.admin(reqwest::Method::GET, "/_sandbox/counters", None).await;
        all["bases"][self.base.id()].clone()
    }

    pub async fn reset_counters(&self) {
        self.admin(reqwest::Method::POST, "/_sandbox/counters/reset", None)
            .await;
    }
}

pub fn fields(v: Value) -> Fields {
    v.as_object().expect("an object").clone()
}

pub fn error_rows(n: usize) -> Vec<Fields> {
    (0..n)
        .map(|i| fields(json!({"ErrorID": format!("E-{i:04}"), "Message": format!("row {i}")})))
        .collect()
}
