//! End-to-end checks: the sandbox on 127.0.0.1:0, driven by the real `FacebookPublisher`
//! (`publish.rs`, `failures.rs`, `videos.rs`) and by raw HTTP (`graph.rs`). Instagram's are in
//! `instagram/sandbox_tests`.

mod failures;
mod graph;
mod publish;
mod reconcile;
mod videos;

use crate::error_class::ErrorClass;
use crate::platforms::facebook::{FacebookOptions, FacebookPublisher};
use crate::platforms::{Account, MediaKind, MediaRef, PostContent, PublishError, Published, Publisher};
use reqwest::Method;
use schedulo_sandbox::facebook::{FacebookSandbox, FacebookSandboxOptions, FacebookSandboxPage};
use secrecy::SecretString;
use serde_json::Value;

pub const PAGE: &str = "112233445566778";
pub const TOKEN: &str = "EAAGsandboxPageToken1";
pub const OTHER_PAGE: &str = "998877665544";
pub const OTHER_TOKEN: &str = "EAAGsandboxPageToken2";

/// A sandbox with two Pages and a publisher pointed at it.
pub struct Env {
    pub sandbox: FacebookSandbox,
    pub publisher: FacebookPublisher,
    http: reqwest::Client,
}

pub async fn start() -> Env {
    start_with(|_, _| {}).await
}

pub async fn start_with(change: impl FnOnce(&mut FacebookSandboxOptions, &mut FacebookOptions)) -> Env {
    let page = |token: &str, id: &str, name: &str| FacebookSandboxPage {
        token: token.into(),
        id: id.into(),
        name: name.into(),
    };
    let mut opts = FacebookSandboxOptions::new(vec![
        page(TOKEN, PAGE, "Schedulo Bakery"),
        page(OTHER_TOKEN, OTHER_PAGE, "Another Page"),
    ]);
    let mut publisher_opts = FacebookOptions::new("http://127.0.0.1:1".parse().unwrap());
    change(&mut opts, &mut publisher_opts);
    let sandbox = FacebookSandbox::start(opts).await.unwrap();
    publisher_opts.graph_url = sandbox.url().parse().unwrap();
    Env {
        publisher: FacebookPublisher::new(publisher_opts).unwrap(),
        sandbox,
        http: reqwest::Client::new(),
    }
}

impl Env {
    pub fn account(&self) -> Account {
        account_with(TOKEN)
    }

    /// A photo the sandbox serves; `n` makes each URL distinct.
    pub fn photo_url(&self, n: usize) -> String {
        format!("{}/_sandbox/files/photo.png?n={n}", self.sandbox.url())
    }

    /// `check`, `prepare`, `publish`, as the scheduler calls them.
    pub async fn publish(&self, post: &PostContent) -> Result<Published, PublishError> {
        self.publisher.check(post).map_err(|v| PublishError {
            class: ErrorClass::Permanent,
            message: v.message,
            retry_at: None,
        })?;
        let prepared = self.publisher.prepare(&self.account(), post).await?;
        self.publisher
            .publish(&self.account(), post, &prepared, &crate::platforms::Receipts::discard())
            .await
            .map(|s| s.into_published().expect("published"))
    }

    /// (status, JSON body) of a request to the sandbox.
    pub async fn call(&self, method: Method, path: &str, body: Option<Value>) -> (u16, Value) {
        let mut req = self.http.request(method, format!("{}{path}", self.sandbox.url()));
        if let Some(b) = body {
            req = req.json(&b);
        }
        let res = req.send().await.unwrap();
        let status = res.status().as_u16();
        let text = res.text().await.unwrap();
        (status, serde_json::from_str(&text).unwrap_or(Value::String(text)))
    }

    pub async fn fault(&self, spec: Value) {
        let (status, body) = self.call(Method::POST, "/_sandbox/faults", Some(spec)).await;
        assert_eq!(status, 200, "{body}");
    }

    pub async fn counters(&self) -> Value {
        self.call(Method::GET, "/_sandbox/counters", None).await.1
    }

    /// Graph API requests the sandbox has answered.
    pub async fn requests(&self) -> u64 {
        self.counters().await["requests"].as_u64().unwrap()
    }

    pub async fn shutdown(self) {
        self.sandbox.shutdown().await;
    }
}

pub fn account_with(token: &str) -> Account {
    Account {
        record_id: "recAccount".into(),
        external_id: PAGE.into(),
        handle: None,
        token: SecretString::from(token.to_string()),
    }
}

pub fn text_post(text: &str) -> PostContent {
    PostContent {
        format: Default::default(),
        record_id: "recPost".into(),
        text: text.into(),
        link: None,
        media: Vec::new(),
    }
}

pub fn photo_post(text: &str, urls: Vec<String>) -> PostContent {
    PostContent {
        media: urls
            .into_iter()
            .map(|url| MediaRef {
                url,
                kind: MediaKind::Image,
                info: crate::media::MediaInfo {
                    bytes: Some(73),
                    width: Some(2),
                    height: Some(2),
                    ..Default::default()
                },
            })
            .collect(),
        ..text_post(text)
    }
}
