//! A sandbox with a Page and an Instagram account, and both publishers pointed at it.

use super::{PAGE, TOKEN};
use crate::error_class::ErrorClass;
use crate::platforms::instagram::{InstagramOptions, InstagramPublisher};
use crate::platforms::{
    Account, MediaKind, MediaRef, PostContent, PostFormat, Prepared, PublishError, Published, Publisher, Receipts,
};
use reqwest::Method;
use schedulo_sandbox::facebook::{FacebookSandbox, FacebookSandboxOptions, FacebookSandboxPage, InstagramSandboxUser};
use secrecy::SecretString;
use serde_json::Value;

pub const IG_USER: &str = "17841400000000001";
pub const IG_TOKEN: &str = "EAAGsandboxIgToken1";
pub const IG_HANDLE: &str = "schedulo_bakery";
pub const OTHER_IG_USER: &str = "17841400000000002";
pub const OTHER_IG_TOKEN: &str = "EAAGsandboxIgToken2";

pub struct IgEnv {
    pub sandbox: FacebookSandbox,
    pub publisher: InstagramPublisher,
    http: reqwest::Client,
}

pub async fn start_ig() -> IgEnv {
    start_ig_with(|_, _| {}).await
}

pub async fn start_ig_with(change: impl FnOnce(&mut FacebookSandboxOptions, &mut InstagramOptions)) -> IgEnv {
    let mut opts = FacebookSandboxOptions {
        instagram_users: vec![
            InstagramSandboxUser {
                token: IG_TOKEN.into(),
                id: IG_USER.into(),
                username: IG_HANDLE.into(),
            },
            InstagramSandboxUser {
                token: OTHER_IG_TOKEN.into(),
                id: OTHER_IG_USER.into(),
                username: "another_account".into(),
            },
        ],
        ..FacebookSandboxOptions::new(vec![FacebookSandboxPage {
            token: TOKEN.into(),
            id: PAGE.into(),
            name: "Schedulo Bakery".into(),
        }])
    };
    let mut publisher_opts = InstagramOptions::new("http://127.0.0.1:1".parse().unwrap());
    change(&mut opts, &mut publisher_opts);
    let sandbox = FacebookSandbox::start(opts).await.unwrap();
    publisher_opts.graph_url = sandbox.url().parse().unwrap();
    IgEnv {
        publisher: InstagramPublisher::new(publisher_opts).unwrap(),
        sandbox,
        http: reqwest::Client::new(),
    }
}

impl IgEnv {
    pub fn account(&self) -> Account {
        ig_account(IG_TOKEN)
    }

    /// A file the sandbox serves (`image-1080x1080.jpg`, `video-1080x1920-30s.mp4`, ...).
    pub fn file(&self, name: &str) -> String {
        format!("{}/_sandbox/files/{name}", self.sandbox.url())
    }

    /// `check`, then `prepare`.
    pub async fn prepare(&self, post: &PostContent) -> Result<Prepared, PublishError> {
        self.publisher.check(post).map_err(|v| PublishError {
            class: ErrorClass::Permanent,
            message: v.message,
            retry_at: None,
        })?;
        self.publisher.prepare(&self.account(), post).await
    }

    pub async fn publish_prepared(&self, post: &PostContent, prepared: &Prepared) -> Result<Published, PublishError> {
        self.publisher
            .publish(&self.account(), post, prepared, &Receipts::discard())
            .await
            .map(|s| s.into_published().expect("published"))
    }

    /// `check`, `prepare`, `publish`, as the scheduler calls them.
    pub async fn publish(&self, post: &PostContent) -> Result<Published, PublishError> {
        let prepared = self.prepare(post).await?;
        self.publish_prepared(post, &prepared).await
    }

    /// (status, JSON body) of a request to the sandbox.
    pub async fn call(&self, method: Method, path: &str, token: Option<&str>) -> (u16, Value) {
        let mut req = self.http.request(method, format!("{}{path}", self.sandbox.url()));
        if let Some(t) = token {
            req = req.bearer_auth(t);
        }
        let res = req.send().await.unwrap();
        let status = res.status().as_u16();
        let text = res.text().await.unwrap();
        (status, serde_json::from_str(&text).unwrap_or(Value::String(text)))
    }

    pub async fn fault(&self, spec: Value) {
        let res = self
            .http
            .post(format!("{}/_sandbox/faults", self.sandbox.url()))
            .json(&spec)
            .send()
            .await
            .unwrap();
        assert_eq!(res.status().as_u16(), 200);
    }

    pub async fn counters(&self) -> Value {
        self.call(Method::GET, "/_sandbox/counters", None).await.1
    }

    /// Requests the sandbox answered on a path ("POST /v21.0/{ig}/media_publish"), any status.
    pub async fn requests_to(&self, method_and_path: &str) -> u64 {
        let counters = self.counters().await;
        counters["by_path"][method_and_path]
            .as_object()
            .map_or(0, |by_status| by_status.values().filter_map(Value::as_u64).sum())
    }

    pub async fn shutdown(self) {
        self.sandbox.shutdown().await;
    }
}

pub fn ig_account(token: &str) -> Account {
    Account {
        record_id: "recIgAccount".into(),
        external_id: IG_USER.into(),
        handle: Some(IG_HANDLE.into()),
        token: SecretString::from(token.to_string()),
    }
}

/// A post of `format` with `text` and media of which only the URL and kind are known (the
/// sandbox then finds the rest, as Meta would).
pub fn ig_post(format: PostFormat, text: &str, media: &[(&str, MediaKind)]) -> PostContent {
    PostContent {
        record_id: "recIgPost".into(),
        text: text.into(),
        link: None,
        media: media.iter().map(|(url, kind)| MediaRef::new(*url, *kind)).collect(),
        format,
    }
}

pub fn publish_path() -> String {
    format!("POST /v21.0/{IG_USER}/media_publish")
}
