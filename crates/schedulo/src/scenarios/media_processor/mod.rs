//! The Media Processor (the seed's scenario of that name): Bubble tells the worker about a new
//! `MediaLibrary` record (`{"event":"media.created","media":"rec..."}` on `/webhooks/bubble`), or
//! asks it to sign a direct upload (`/uploads/sign`); the worker uploads the file to Cloudinary
//! into the user's folder with the per-platform variants ([`crate::cloudinary::variants`]), checks
//! each variant against the platforms' rules ([`validate`]), and writes `Status` (Ready or Error),
//! `CloudinaryURL`, `ErrorMessage` and `ValidFor` back through the outbox.
//!
//! # Durability and repetition
//! A webhook is a job in the journal ([`crate::journal::MediaJob`]) before it is answered 202.
//! Every step of a job may be repeated after a crash: uploads carry a public id fixed by the record
//! and its sources, with `overwrite=false`, so a second upload of the same file is answered with the
//! existing asset (`existing: true`) and stores nothing new. A redelivered webhook for a record
//! whose sources were processed already finishes without uploading (its fingerprint matches).
//!
//! # Video
//! Cloudinary makes video variants asynchronously (`eager_async`): the job waits for Cloudinary's
//! signed notification on `/webhooks/cloudinary`, and when none comes within
//! `notification_wait_secs` asks the Admin API for the asset, until `max_wait_secs`; then the media
//! is Error with a message saying so. Meanwhile `Status` is Processing.
//!
//! # Airtable calls
//! One read per batch of due jobs (their records by id), and the outcome written through the
//! outbox (coalesced, 10 records a request). An image costs about 1.1 calls; nothing is polled.

mod assets;
mod failures;
pub mod job;
pub mod validate;
mod writeback;

use crate::airtable::Base;
use crate::clock::Clock;
use crate::cloudinary::upload::{UploadParams, UploadResource};
use crate::cloudinary::variants::Resource;
use crate::cloudinary::CloudinaryClient;
use crate::journal::{Journal, JournalError, MediaJobState};
use crate::platforms::rules::PlatformRules;
use crate::scenarios::MediaProcessor as Spec;
use std::future::Future;
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::Notify;

/// How long to wait after Airtable could not be read, or a run stopped, before trying again.
const PAUSE_SECS: i64 = 60;

/// The route Cloudinary's notifications come to.
pub const NOTIFICATION_PATH: &str = "/webhooks/cloudinary";

/// Jobs claimed in one go (their records are read in one Airtable call).
const BATCH: u32 = 10;

/// What the processor needs.
pub struct MediaProcessor {
    base: Base,
    journal: Journal,
    cloudinary: CloudinaryClient,
    rules: PlatformRules,
    spec: Spec,
    clock: Clock,
    /// Woken by webhooks and notifications.
    wake: Arc<Notify>,
    /// Woken when an outcome is queued in the outbox.
    outbox_wake: Arc<Notify>,
    /// Where Cloudinary's notifications reach this worker (`<public url>/webhooks/cloudinary`).
    notification_url: Option<String>,
    /// Whether uploads keep a backup (a paid feature).
    backup: bool,
}

/// The parameters Bubble's uploader sends straight to Cloudinary (`/uploads/sign`).
#[derive(Debug, Clone, serde::Serialize)]
pub struct SignedUpload {
    /// Where to POST the file (multipart, with `file` and every parameter).
    pub upload_url: String,
    pub cloud_name: String,
    pub public_id: String,
    /// Every parameter to send with the file, `api_key`, `timestamp` and `signature` included.
    pub params: serde_json::Map<String, serde_json::Value>,
}

impl MediaProcessor {
    #[allow(clippy::too_many_arguments)]
    pub fn new(
        base: Base,
        journal: Journal,
        cloudinary: CloudinaryClient,
        rules: PlatformRules,
        spec: Spec,
        clock: Clock,
        outbox_wake: Arc<Notify>,
        public_url: Option<&url::Url>,
        backup: bool,
    ) -> MediaProcessor {
        let notification_url = public_url.map(|u| format!("{}{NOTIFICATION_PATH}", u.as_str().trim_end_matches('/')));
        MediaProcessor {
            base,
            journal,
            cloudinary,
            rules,
            spec,
            clock,
            wake: Arc::new(Notify::new()),
            outbox_wake,
            notification_url,
            backup,
        }
    }

    /// The processor's clock's time (notifications are checked against it).
    pub fn now(&self) -> chrono::DateTime<chrono::Utc> {
        self.clock.now()
    }

    pub fn cloudinary(&self) -> &CloudinaryClient {
        &self.cloudinary
    }

    /// A webhook asked for `record_id` to be processed: the job is durable when this returns.
    pub async fn request(
        &self,
        record_id: &str,
        platforms: Option<Vec<String>>,
    ) -> Result<MediaJobState, JournalError> {
        let state = self
            .journal
            .media_request(record_id, platforms, self.clock.now(), None)
            .await?;
        self.wake.notify_one();
        Ok(state)
    }

    /// Cloudinary's notification, verified by the caller: kept on the job of its asset, which is
    /// woken. `Ok(false)`: no job of ours made that asset.
    pub async fn notified(&self, body: &serde_json::Value) -> Result<bool, JournalError> {
        let Some(public_id) = body.get("public_id").and_then(|v| v.as_str()) else {
            return Ok(false);
        };
        let found = self.journal.media_notified(public_id, body, self.clock.now()).await?;
        if found.is_some() {
            self.wake.notify_one();
        }
        Ok(found.is_some())
    }

    /// Signs a direct upload from Bubble for the record `record_id` of the user `user`, scoped
    /// to the user's folder, and makes a job that waits for Cloudinary's notification of it.
    pub async fn sign_upload(
        &self,
        record_id: &str,
        user: Option<&str>,
        resource: Resource,
    ) -> Result<SignedUpload, JournalError> {
        let now = self.clock.now();
        let public_id = format!("{record_id}_u{}", now.timestamp());
        let params = UploadParams {
            public_id: Some(public_id.clone()),
            notification_url: self.notification_url.clone(),
            ..self.upload_params(record_id, user, resource)
        };
        let wait = chrono::Duration::seconds(self.spec.processing.direct_upload_wait_secs as i64);
        self.journal.media_asset_put(&public_id, record_id).await?;
        self.journal
            .media_request(record_id, None, now, Some(now + wait))
            .await?;
        let signed = self.cloudinary.signed_params(&params, now.timestamp());
        Ok(SignedUpload {
            upload_url: self.cloudinary.upload_url(UploadResource::from(resource)).to_string(),
            cloud_name: self.cloudinary.cloud_name().to_string(),
            public_id,
            params: signed
                .into_iter()
                .map(|(k, v)| (k, serde_json::Value::String(v)))
                .collect(),
        })
    }

    /// The parameters of every upload for a record: the user's folder, tags, the variants.
    fn upload_params(&self, record_id: &str, user: Option<&str>, resource: Resource) -> UploadParams {
        let video = resource == Resource::Video;
        let mut tags = self.spec.upload.tags.clone();
        tags.push(format!("media_{record_id}"));
        UploadParams {
            asset_folder: Some(format!(
                "{}/{}",
                self.spec.upload.folder.trim_end_matches('/'),
                user.unwrap_or("unassigned")
            )),
            tags,
            context: vec![("media_record".into(), record_id.into())],
            eager: Some(crate::cloudinary::variants::eager(resource)),
            eager_async: video,
            eager_notification_url: if video { self.notification_url.clone() } else { None },
            overwrite: Some(false),
            backup: self.backup.then_some(true),
            ..UploadParams::default()
        }
    }

    /// Runs until `shutdown`: jobs a dead worker held are queued again, then due jobs are
    /// started as they fall due or as webhooks wake the processor, `concurrency` at a time (a long
    /// video upload holds one slot, not the others). On shutdown, running jobs finish.
    pub async fn run(self: Arc<Self>, shutdown: impl Future<Output = ()>) {
        match self.journal.media_recover(self.clock.now()).await {
            Ok(0) => {}
            Ok(n) => tracing::info!(
                message = "Media jobs left at work by an earlier run are queued again.",
                jobs = n
            ),
            Err(error) => tracing::error!(message = "Failed to recover media jobs.", %error),
        }
        let concurrency = self.spec.processing.concurrency.max(1);
        let slots = Arc::new(tokio::sync::Semaphore::new(concurrency));
        tokio::pin!(shutdown);
        loop {
            // Claimed 10 at a time whenever a slot is free (one read of their records), the jobs
            // then wait for their slots.
            let started = if slots.available_permits() == 0 {
                0
            } else {
                match self.journal.media_claim(self.clock.now(), BATCH).await {
                    Ok(jobs) => {
                        let n = jobs.len();
                        if n > 0 {
                            job::start_batch(&self, jobs, slots.clone()).await;
                        }
                        n
                    }
                    Err(error) => {
                        tracing::error!(message = "The Media Processor could not read its jobs.", %error);
                        0
                    }
                }
            };
            if started > 0 {
                // Let the started jobs take their slots before looking at the free ones again.
                tokio::task::yield_now().await;
                if slots.available_permits() > 0 {
                    continue;
                }
            }
            let wait = match self.journal.media_next_due().await {
                Ok(Some(at)) => (at - self.clock.now()).to_std().unwrap_or(Duration::ZERO),
                Ok(None) => Duration::from_secs(3600),
                Err(_) => Duration::from_secs(5),
            }
            .max(Duration::from_millis(50));
            tokio::select! {
                _ = &mut shutdown => break,
                _ = self.wake.notified() => {}
                _ = tokio::time::sleep(wait) => {}
            }
        }
        let _ = slots.acquire_many(concurrency as u32).await;
    }

    /// Claims the jobs due now and processes them to their next step; returns how many (tests and
    /// benchmarks drive the processor with it).
    pub async fn tick(self: &Arc<Self>) -> anyhow::Result<usize> {
        let jobs = self.journal.media_claim(self.clock.now(), BATCH).await?;
        if jobs.is_empty() {
            return Ok(0);
        }
        let n = jobs.len();
        let slots = Arc::new(tokio::sync::Semaphore::new(self.spec.processing.concurrency.max(1)));
        for task in job::start_batch(self, jobs, slots).await {
            let _ = task.await;
        }
        Ok(n)
    }
}
