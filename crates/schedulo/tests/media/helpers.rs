//! A world: the sandbox Airtable with the schema, the sandbox Cloudinary, and the worker built by
//! `Application::build` from a config pointing at them (its journal on disk, its HTTP server on
//! port 0, which Cloudinary's notifications reach). The tests step the Media Processor.

use schedulo::airtable::{Base, Fields, Record};
use schedulo::app::Application;
use schedulo::base::names::{media, users};
use schedulo::clock::Clock;
use schedulo::cloudinary::{CloudinaryClient, CloudinaryOptions};
use schedulo::config::Config;
use schedulo::journal::{Journal, MediaJob, MediaJobState};
use schedulo::platforms::rules::PlatformRules;
use schedulo::scenarios::media_processor::MediaProcessor;
use schedulo::scenarios::post_scheduler::outbox::Outbox;
use schedulo::scenarios::MediaProcessor as MediaSpec;
use schedulo::vault::Vault;
use schedulo_sandbox::airtable::AirtableSandbox;
use schedulo_sandbox::cloudinary::{
    CloudinarySandbox, CloudinarySandboxLimits, CloudinarySandboxOptions, SandboxCloud,
};
use secrecy::{ExposeSecret, SecretString};
use serde_json::json;
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::Notify;

pub const AIRTABLE_TOKEN: &str = "patMediaWorld.secret0001";
pub const CLOUD: &str = "schedulo-test";
pub const API_KEY: &str = "614335564976464";
pub const API_SECRET: &str = "cld-secret-DoNotLeak-0007";
pub const HOOK_TOKEN: &str = "hook-secret-0008-0123456789abcdef0123";

pub struct World {
    /// Kept so that the sandbox runs as long as the world.
    #[allow(dead_code)]
    pub airtable: AirtableSandbox,
    pub cloudinary: CloudinarySandbox,
    /// The base through the worker's own Airtable client.
    pub base: Base,
    pub clock: Clock,
    /// Kept so that the worker's files (journal, call counter) live as long as the world.
    #[allow(dead_code)]
    pub data_dir: tempfile::TempDir,
    pub journal: Journal,
    /// The worker's Media Processor.
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
            data_dir: None,
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
        let data_dir = tempfile::tempdir().unwrap();
        let config = worker_config(&airtable, &base, &cloudinary, &data_dir);
        let clock = Clock::new();
        // A second of paused time: the worker's new Airtable client knows nothing of the calls
        // just made, and the sandbox's one-second window forgets them.
        tokio::time::sleep(Duration::from_secs(1)).await;
        let app = Application::build(&config, clock).await.unwrap();
        let world = World {
            airtable,
            base: app.base().clone(),
            clock,
            journal: app.journal().clone(),
            data_dir,
            processor: app.media().expect("Cloudinary is configured").clone(),
            outbox: app.outbox().clone(),
            cloudinary,
            url: format!("http://{}", app.address()),
            user,
            http: reqwest::Client::new(),
        };
        // The server alone: the tests step the processor and flush the outbox themselves.
        app.serve(std::future::pending()).unwrap();
        world
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

/// A Media Processor alone, wired by hand beside the world's worker, for the tests that need a
/// second processor: one Cloudinary cannot notify (`public` None), or one that dies mid-job.
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

/// The worker's config: the sandbox Airtable and Cloudinary, platforms nowhere (the media tests
/// never publish), its files in `data_dir`, the built-in scenarios, its server on port 0.
fn worker_config(
    airtable: &AirtableSandbox,
    base: &Base,
    cloudinary: &CloudinarySandbox,
    data_dir: &tempfile::TempDir,
) -> Config {
    let dir = data_dir.path();
    let closed = "http://127.0.0.1:9".to_string();
    let vars = [
        ("AIRTABLE_API_URL", airtable.url()),
        ("AIRTABLE_TOKEN", AIRTABLE_TOKEN.into()),
        ("AIRTABLE_BASE_ID", base.id().into()),
        ("X_API_URL", closed.clone()),
        ("FACEBOOK_GRAPH_URL", closed.clone()),
        ("TIKTOK_API_URL", closed),
        ("CLOUDINARY_URL", format!("cloudinary://{API_KEY}:{API_SECRET}@{CLOUD}")),
        ("CLOUDINARY_API_URL", cloudinary.url()),
        ("CLOUDINARY_DELIVERY_URL", cloudinary.url()),
        (
            "SCHEDULO_VAULT_KEYS",
            Vault::generate_spec("k1").expose_secret().to_string(),
        ),
        ("SCHEDULO_WEBHOOK_TOKEN", HOOK_TOKEN.into()),
        ("SCHEDULO_LISTEN", "127.0.0.1:0".into()),
        // The operator's listener on any free port: tests run side by side.
        ("SCHEDULO_ADMIN_LISTEN", "127.0.0.1:0".into()),
        ("SCHEDULO_DATA_DIR", dir.display().to_string()),
        ("SCHEDULO_JOURNAL", dir.join("journal.sqlite").display().to_string()),
        // No scenario files there: the built-in ones.
        ("SCHEDULO_SCENARIO_DIR", dir.join("scenarios").display().to_string()),
    ];
    Config::from_vars(vars.into_iter().map(|(k, v)| (k.to_string(), v))).unwrap()
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
