//! The sandbox X's own answers, checked with a plain HTTP client against a server on
//! 127.0.0.1:0 (the worker's publisher against it is tested on the worker's side).

mod chunked;
mod restart;
mod shapes;

use super::{XSandbox, XSandboxLimits, XSandboxOptions, XSandboxUser};
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
}
