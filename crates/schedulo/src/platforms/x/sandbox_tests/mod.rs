//! The real [`XPublisher`] against the sandbox X over HTTP (a server on 127.0.0.1:0): what the
//! worker sends, how it reads X's answers, and how it meets X's limits and faults.

mod publish;
mod rate_limits;
mod reconcile;
mod video;

use crate::platforms::x::{XOptions, XPublisher};
use crate::platforms::{Account, MediaKind, MediaRef, PostContent};
use schedulo_sandbox::x::{XSandbox, XSandboxLimits, XSandboxOptions, XSandboxUser};
use secrecy::SecretString;
use serde_json::Value;

pub const TOKEN: &str = "x-sandbox-token-of-alice";
pub const USER_ID: &str = "1000000000000000001";

pub fn alice() -> XSandboxUser {
    XSandboxUser {
        token: TOKEN.into(),
        id: USER_ID.into(),
        username: "alice".into(),
    }
}

pub async fn start() -> XSandbox {
    XSandbox::start(XSandboxOptions {
        data_dir: None,
        listen: "127.0.0.1:0".parse().unwrap(),
        users: vec![alice()],
        limits: XSandboxLimits::default(),
    })
    .await
    .unwrap()
}

/// A publisher pointed at the sandbox, with X's default options (30 s timeout).
pub fn publisher(sandbox: &XSandbox) -> XPublisher {
    XPublisher::new(XOptions::new(sandbox.url().parse().unwrap())).unwrap()
}

pub fn account_with(token: &str) -> Account {
    Account {
        record_id: "recAlice".into(),
        external_id: USER_ID.into(),
        handle: Some("@alice".into()),
        token: SecretString::from(token),
    }
}

pub fn account() -> Account {
    account_with(TOKEN)
}

pub fn post(text: &str, images: &[String]) -> PostContent {
    PostContent {
        format: Default::default(),
        record_id: "recPost".into(),
        text: text.into(),
        link: None,
        media: images
            .iter()
            .map(|url| MediaRef {
                url: url.clone(),
                kind: MediaKind::Image,
                info: Default::default(),
            })
            .collect(),
    }
}

/// A plain HTTP client for the sandbox: every call returns (status, headers, JSON body).
pub struct Http {
    http: reqwest::Client,
    url: String,
}

impl Http {
    pub fn new(sandbox: &XSandbox) -> Http {
        Http {
            http: reqwest::Client::new(),
            url: sandbox.url(),
        }
    }

    pub async fn call(
        &self,
        method: reqwest::Method,
        path: &str,
        token: Option<&str>,
        body: Option<Value>,
    ) -> (u16, reqwest::header::HeaderMap, Value) {
        let mut req = self.http.request(method, format!("{}{path}", self.url));
        if let Some(t) = token {
            req = req.bearer_auth(t);
        }
        if let Some(b) = body {
            req = req.json(&b);
        }
        let res = req.send().await.unwrap();
        let status = res.status().as_u16();
        let headers = res.headers().clone();
        let text = res.text().await.unwrap();
        (
            status,
            headers,
            serde_json::from_str(&text).unwrap_or(Value::String(text)),
        )
    }

    /// Adds a fault through the admin path.
    pub async fn fault(&self, spec: Value) {
        let (status, _, body) = self
            .call(reqwest::Method::POST, "/_sandbox/faults", None, Some(spec))
            .await;
        assert_eq!(status, 200, "{body}");
    }
}
