//! A world: the sandbox Airtable with the schema, the sandbox Cloudinary, a journal on disk, the
//! Media Processor and the worker's HTTP server (which Cloudinary's notifications reach).

use schedulo::airtable::{Base, Fields, Record};
use schedulo::base::names::{media, users};
use schedulo::clock::Clock;
use schedulo::cloudinary::{CloudinaryClient, CloudinaryOptions};
use schedulo::journal::{Journal, MediaJob, MediaJobState};
use schedulo::platforms::rules::PlatformRules;
use schedulo::platforms::{PlatformUrls, Publishers};
use schedulo::scenarios::media_processor::MediaProcessor;
use schedulo::scenarios::post_scheduler::outbox::Outbox;
use schedulo::scenarios::post_scheduler::PostScheduler;
use schedulo::scenarios::{MediaProcessor as MediaSpec, PostScheduler as Spec};
use schedulo::server::{self, ServerState};
use schedulo::vault::Vault;
use schedulo_sandbox::airtable::AirtableSandbox;
use schedulo_sandbox::cloudinary::{
    CloudinarySandbox, CloudinarySandboxLimits, CloudinarySandboxOptions, SandboxCloud,
};
use secrecy::SecretString;
use serde_json::json;
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::Notify;

pub const AIRTABLE_TOKEN: &str = "patMediaWorld.secret0001";
pub const CLOUD: &str = "schedulo-test";
pub const API_KEY: &str = "614335564976464";
pub const API_SECRET: &str = "cld-secret-DoNotLeak-0007";
pub const HOOK_TOKEN: &str = "hook-secret-0008";

pub struct World {
    /// Kept so that the sandbox runs as long as the world.
    #[allow(dead_code)]
    pub airtable: AirtableSandbox,
    pub cloudinary: CloudinarySandbox,
    pub base: Base,
    pub clock: Clock,
    /// Kept so that the journal's directory lives as long as the world.
    #[allow(dead_code)]
    pub journal_dir: tempfile::TempDir,
    pub journal: Journal,
    pub processor: Arc<MediaProcessor>,
    pub outbox: Outbox,
    /// The worker's HTTP server.
    pub url: String,
    pub user: String,
    pub http: reqwest::Client,
}

pub fn fields(v: serde_json::Value) -> Fields {
    v.as_object().expect("an object").clone()
}

pub fn client_options(cloudinary: &CloudinarySandbox, clock: Clock) -> CloudinaryOptions {
    let url: url::Url = cloudinary.url().parse().unwrap();
    CloudinaryOptions {
        api_url: url.clone(),
        delivery_url: url,
        clock,
        ..CloudinaryOptions::new(CLOUD, API_KEY, SecretString::from(API_SECRET))
    }
}

impl World {
    pub async fn start() -> World {
        World::start_with(CloudinarySandboxLimits::default()).await
    }

    pub async fn start_with(limits: CloudinarySandboxLimits) -> World {
        let (airtable, base) = crate::common::airtable_with_base(AIRTABLE_TOKEN, "media world").await;
        let cloudinary = CloudinarySandbox::start(CloudinarySandboxOptions {
            listen: "127.0.0.1:0".parse().unwrap(),
            clouds: vec![SandboxCloud::new(CLOUD, API_KEY, API_SECRET)],
            limits,
            notify_timeout: Duration::from_secs(10),
        })
        .await
        .unwrap();
        let user = base
            .create(
                users::TABLE,
                vec![fields(json!({users::USER_ID: "ada", users::NAME: "Ada"}))],
                false,
            )
            .await
            .unwrap()[0]
            .id
            .clone();
        let journal_dir = tempfile::tempdir().unwrap();
        let journal = Journal::open(&journal_dir.path().join("journal.sqlite")).await.unwrap();
        let clock = Clock::new();
        let mut world = World {
            airtable,
            base: base.clone(),
            clock,
            journal: journal.clone(),
            journal_dir,
            processor: Arc::new(processor(&base, &journal, &cloudinary, clock, None)),
            outbox: Outbox::new(
                base.clone(),
                journal.clone(),
                Spec::builtin().outbox,
                clock,
                Arc::new(Notify::new()),
            ),
            cloudinary,
            url: String::new(),
            user,
            http: reqwest::Client::new(),
        };
        world.serve().await;
        world
    }

    /// Starts the worker's HTTP server for the current processor (notifications come to it).
    pub async fn serve(&mut self) {
        // Bind first, so that the processor knows where Cloudinary's notifications go.
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        self.url = format!("http://{addr}");
        let public: url::Url = self.url.parse().unwrap();
        self.processor = Arc::new(processor(
            &self.base,
            &self.journal,
            &self.cloudinary,
            self.clock,
            Some(&public),
        ));
        let state = ServerState {
            airtable_webhook: None,
            media: Some(self.processor.clone()),
            journal: self.journal.clone(),
            scheduler: scheduler(&self.base, &self.journal, self.clock),
            webhook_token: SecretString::from(HOOK_TOKEN),
            airtable_mac_secret: None,
        };
        server::serve_listener(listener, state, std::future::pending()).unwrap();
    }

    /// A `MediaLibrary` record of the world's user.
    pub async fn add_media(&self, media_type: &str, source: &str) -> String {
        let row = fields(json!({
            media::MEDIA_ID: format!("m-{}", source.len()),
            media::USER: [self.user.clone()],
            media::MEDIA_TYPE: media_type,
            media::SOURCE_URL: source,
        }));
        self.base.create(media::TABLE, vec![row], false).await.unwrap()[0]
            .id
            .clone()
    }

    /// Bubble's webhook, as Bubble sends it.
    pub async fn webhook(&self, body: serde_json::Value, key: Option<&str>) -> (u16, serde_json::Value) {
        let mut request = self
            .http
            .post(format!("{}/webhooks/bubble", self.url))
            .bearer_auth(HOOK_TOKEN)
            .json(&body);
        if let Some(k) = key {
            request = request.header("Idempotency-Key", k);
        }
        let response = request.send().await.unwrap();
        let status = response.status().as_u16();
        (status, response.json().await.unwrap_or(json!(null)))
    }

    /// Runs the processor until `record`'s job ends (done or failed), moving the paused clock a
    /// second at a time, then flushes the outbox; panics after `limit`.
    pub async fn settle(&self, record: &str, limit: Duration) -> MediaJob {
        let deadline = tokio::time::Instant::now() + limit;
        loop {
            self.processor.tick().await.unwrap();
            let job = self.journal.media_get(record).await.unwrap().expect("a job");
            if matches!(job.state, MediaJobState::Done | MediaJobState::Failed) {
                self.flush().await;
                return job;
            }
            assert!(
                tokio::time::Instant::now() < deadline,
                "job still {:?} after {limit:?}",
                job.state
            );
            tokio::time::sleep(Duration::from_secs(1)).await;
        }
    }

    /// Writes the outbox's pending statuses to Airtable once they are due (the processor lets an
    /// outcome wait `write_linger_secs` for others to share its request).
    pub async fn flush(&self) {
        let linger = MediaSpec::builtin().processing.write_linger_secs;
        tokio::time::sleep(Duration::from_secs(linger)).await;
        self.outbox.flush().await.unwrap();
    }

    pub async fn record(&self, id: &str) -> Record {
        self.base.get(media::TABLE, id).await.unwrap()
    }

    /// The sandbox Cloudinary's sample file.
    pub fn file(&self, name: &str) -> String {
        self.cloudinary.file_url(name)
    }

    /// A sample file's bytes.
    pub async fn bytes(&self, name: &str) -> Vec<u8> {
        let response = self.http.get(self.file(name)).send().await.unwrap();
        response.bytes().await.unwrap().to_vec()
    }

    /// Injects a fault into the sandbox Cloudinary (`sandbox::faults`).
    pub async fn fault(&self, spec: serde_json::Value) {
        let url = format!("{}/_sandbox/faults", self.cloudinary.url());
        let added = self.http.post(url).json(&spec).send().await.unwrap();
        assert!(added.status().is_success(), "{}", added.text().await.unwrap());
    }

    /// What Bubble's uploader does with signed parameters: the file and every parameter, as
    /// multipart, straight to Cloudinary.
    pub async fn upload_direct(
        &self,
        upload_url: &str,
        params: &serde_json::Map<String, serde_json::Value>,
        file: Vec<u8>,
    ) -> reqwest::Response {
        let mut form =
            reqwest::multipart::Form::new().part("file", reqwest::multipart::Part::bytes(file).file_name("photo.jpg"));
        for (k, v) in params {
            form = form.text(k.clone(), v.as_str().unwrap_or_default().to_string());
        }
        self.http.post(upload_url).multipart(form).send().await.unwrap()
    }
}

pub fn processor(
    base: &Base,
    journal: &Journal,
    cloudinary: &CloudinarySandbox,
    clock: Clock,
    public: Option<&url::Url>,
) -> MediaProcessor {
    MediaProcessor::new(
        base.clone(),
        journal.clone(),
        CloudinaryClient::new(client_options(cloudinary, clock)).unwrap(),
        PlatformRules::builtin(),
        MediaSpec::builtin(),
        clock,
        Arc::new(Notify::new()),
        public,
        false,
    )
}

/// A scheduler for the server's state (the media tests never publish).
fn scheduler(base: &Base, journal: &Journal, clock: Clock) -> Arc<PostScheduler> {
    let closed: url::Url = "http://127.0.0.1:9".parse().unwrap();
    let urls = PlatformUrls {
        x: closed.clone(),
        facebook: closed.clone(),
        tiktok: closed,
    };
    let publishers = Arc::new(Publishers::new(&urls, clock).unwrap());
    let vault = Arc::new(Vault::from_spec(&Vault::generate_spec("k1")).unwrap());
    Arc::new(PostScheduler::new(
        base.clone(),
        journal.clone(),
        vault,
        publishers,
        Spec::builtin(),
        clock,
        Arc::new(Notify::new()),
    ))
}

/// A field's text.
pub fn text(record: &Record, field: &str) -> String {
    record
        .fields
        .get(field)
        .and_then(|v| v.as_str())
        .unwrap_or("")
        .to_string()
}
