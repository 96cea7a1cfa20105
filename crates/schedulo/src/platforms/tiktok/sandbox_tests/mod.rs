//! The real [`TikTokPublisher`] against the sandbox TikTok over HTTP (a server on 127.0.0.1:0),
//! with a paused clock; and the sandbox's own answers checked with a plain HTTP client.

mod display;
mod limits;
mod photos;
mod shapes;
mod video;

use crate::clock::Clock;
use crate::platforms::tiktok::{TikTokOptions, TikTokPublisher, UploadMode};
use crate::platforms::{Account, Attempt, Found, MediaKind, MediaRef, PostContent, PostFormat, Prepared, Receipts};
use crate::platforms::{PublishError, Publisher, Sent};
use chrono::{DateTime, Utc};
use schedulo_sandbox::tiktok::{TikTokSandbox, TikTokSandboxCreator, TikTokSandboxLimits, TikTokSandboxOptions};
use secrecy::SecretString;
use serde_json::Value;
use std::sync::{Arc, Mutex};

pub const TOKEN: &str = "act.sandbox-token-of-alice-0001";
pub const OPEN_ID: &str = "open-id-alice";

pub fn alice() -> TikTokSandboxCreator {
    TikTokSandboxCreator::new(TOKEN, OPEN_ID, "alice")
}

pub async fn start_with(creator: TikTokSandboxCreator, limits: TikTokSandboxLimits) -> TikTokSandbox {
    TikTokSandbox::start(TikTokSandboxOptions {
        data_dir: None,
        listen: "127.0.0.1:0".parse().unwrap(),
        creators: vec![creator],
        limits,
    })
    .await
    .unwrap()
}

pub async fn start() -> TikTokSandbox {
    start_with(alice(), TikTokSandboxLimits::default()).await
}

/// A publisher pointed at the sandbox, and the clock it reads (which follows tokio's).
pub struct Tiktok {
    pub publisher: TikTokPublisher,
    pub clock: Clock,
}

/// A publisher with TikTok's defaults but `mode`, changed further by `tweak`.
pub fn publisher_with(sandbox: &TikTokSandbox, mode: UploadMode, tweak: impl FnOnce(&mut TikTokOptions)) -> Tiktok {
    let clock = Clock::new();
    let mut options = TikTokOptions::new(sandbox.url().parse().unwrap());
    options.upload_mode = mode;
    options.clock = clock;
    tweak(&mut options);
    Tiktok {
        publisher: TikTokPublisher::new(options).unwrap(),
        clock,
    }
}

pub fn publisher(sandbox: &TikTokSandbox, mode: UploadMode) -> Tiktok {
    publisher_with(sandbox, mode, |_| {})
}

pub fn account_with(token: &str) -> Account {
    Account {
        record_id: "recAlice".into(),
        external_id: OPEN_ID.into(),
        handle: Some("@alice".into()),
        token: SecretString::from(token),
    }
}

pub fn account() -> Account {
    account_with(TOKEN)
}

pub fn post(text: &str, media: Vec<MediaRef>) -> PostContent {
    PostContent {
        record_id: "recPost".into(),
        text: text.into(),
        link: None,
        media,
        format: PostFormat::Post,
    }
}

pub fn video(url: String) -> MediaRef {
    MediaRef::new(url, MediaKind::Video)
}

pub fn photo(url: String) -> MediaRef {
    MediaRef::new(url, MediaKind::Image)
}

/// Receipts that note each `publish_id` with the chunks the sandbox had received at that moment.
#[derive(Clone, Default)]
pub struct Noted(Arc<Mutex<Vec<(String, u64)>>>);

impl Noted {
    pub fn receipts(&self, sandbox: &TikTokSandbox) -> Receipts {
        let noted = self.0.clone();
        let counters = sandbox.counters_reader();
        Receipts::new(move |r| {
            let chunks = counters().chunks_received;
            noted.lock().unwrap().push((r, chunks));
            async { Ok(()) }
        })
    }

    pub fn all(&self) -> Vec<(String, u64)> {
        self.0.lock().unwrap().clone()
    }
}

/// What an attempt went through: prepare, publish, and the receipt.
pub struct Taken {
    pub since: DateTime<Utc>,
    pub prepared: Prepared,
    pub receipt: String,
}

impl Tiktok {
    /// Prepares and publishes `post`; the receipt of a post TikTok took.
    pub async fn send(&self, post: &PostContent, receipts: &Receipts) -> Result<Taken, PublishError> {
        let since = self.clock.now();
        let prepared = self.publisher.prepare(&account(), post).await?;
        match self.publisher.publish(&account(), post, &prepared, receipts).await? {
            Sent::Accepted { receipt } => Ok(Taken {
                since,
                prepared,
                receipt,
            }),
            Sent::Published(p) => panic!("TikTok publishes asynchronously, not at once: {p:?}"),
        }
    }

    /// Asks about the attempt until TikTok settles it, sleeping (on tokio's clock) until each
    /// `check_at`; the notes of the pending answers, and the end.
    pub async fn settle(&self, sent: &Taken) -> (Vec<String>, Found) {
        let mut notes = Vec::new();
        for _ in 0..100 {
            let attempt = Attempt {
                since: sent.since,
                prepared: Some(&sent.prepared),
                receipt: Some(&sent.receipt),
            };
            let found = self
                .publisher
                .reconcile(&account(), &post("", vec![]), attempt)
                .await
                .unwrap_or_else(|e| panic!("reconcile: {e}"));
            match found {
                Found::Pending { check_at, note } => {
                    notes.push(note);
                    let wait = (check_at - self.clock.now()).to_std().unwrap_or_default();
                    tokio::time::sleep(wait).await;
                }
                end => return (notes, end),
            }
        }
        panic!("TikTok never settled: {notes:?}");
    }
}

/// A plain HTTP client for the sandbox: every call returns (status, JSON body).
pub struct Http {
    http: reqwest::Client,
    url: String,
}

impl Http {
    pub fn new(sandbox: &TikTokSandbox) -> Http {
        Http {
            http: reqwest::Client::new(),
            url: sandbox.url(),
        }
    }

    pub async fn post(&self, path: &str, token: Option<&str>, body: Value) -> (u16, Value) {
        let mut req = self.http.post(format!("{}{path}", self.url)).json(&body);
        if let Some(t) = token {
            req = req.bearer_auth(t);
        }
        let res = req.send().await.unwrap();
        let status = res.status().as_u16();
        let text = res.text().await.unwrap();
        (status, serde_json::from_str(&text).unwrap_or(Value::String(text)))
    }

    pub async fn put(&self, url: &str, content_range: &str, body: Vec<u8>) -> (u16, Value) {
        let res = self
            .http
            .put(url)
            .header("content-type", "video/mp4")
            .header("content-range", content_range)
            .body(body)
            .send()
            .await
            .unwrap();
        let status = res.status().as_u16();
        let text = res.text().await.unwrap();
        (status, serde_json::from_str(&text).unwrap_or(Value::String(text)))
    }

    /// Adds a fault through the admin path.
    pub async fn fault(&self, spec: Value) {
        let (status, body) = self.post("/_sandbox/faults", None, spec).await;
        assert_eq!(status, 200, "{body}");
    }
}
