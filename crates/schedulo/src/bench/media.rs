//! `schedulo bench media`: the Cloudinary client and the Media Processor against the sandboxes.
//!
//! Figures:
//! - Chunked upload of a large file (300 MB by default) from disk to the sandbox Cloudinary: the
//!   process's resident memory before and at its peak during the upload (sampled every 10 ms from
//!   `/proc/self/status`), and the throughput. The sandbox runs in this process too and writes the
//!   chunks to disk as they arrive, so the growth measured bounds the client's from above. Target:
//!   growth <= 32 MB (the client streams each 20 MB chunk from disk).
//! - Images processed end to end: MediaLibrary records created, one request each (as Bubble's
//!   webhooks make), then the processor's run loop and the outbox until every record reads Ready in the
//!   sandbox Airtable (at Airtable's real limits): images per second, and Airtable calls per image.

use crate::airtable::{AirtableClient, ClientOptions, Fields};
use crate::base::names::{media, users};
use crate::clock::Clock;
use crate::cloudinary::upload::{UploadParams, UploadResource, UploadSource};
use crate::cloudinary::{CloudinaryClient, CloudinaryOptions};
use crate::journal::{Journal, MediaJobState};
use crate::platforms::rules::PlatformRules;
use crate::scenarios::media_processor::MediaProcessor;
use crate::scenarios::post_scheduler::outbox::Outbox;
use crate::schema::{self, Schema};
use anyhow::Context;
use schedulo_sandbox::airtable::{AirtableSandbox, SandboxLimits, SandboxOptions};
use schedulo_sandbox::cloudinary::{CloudinarySandbox, CloudinarySandboxOptions, Plan, SandboxCloud};
use secrecy::SecretString;
use serde_json::json;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

const CLOUD: &str = "bench";
const KEY: &str = "123456789012345";
const SECRET: &str = "bench-secret-not-for-anything";
const TOKEN: &str = "patBench.media0001";
/// Growth of resident memory allowed during the large upload.
const MAX_GROWTH_MB: f64 = 32.0;

/// Runs both parts; true when the memory target is met and every image was processed.
pub async fn run(upload_mb: u64, images: usize) -> anyhow::Result<bool> {
    let cloudinary = CloudinarySandbox::start(CloudinarySandboxOptions {
        data_dir: None,
        listen: "127.0.0.1:0".parse()?,
        clouds: vec![SandboxCloud {
            plan: Plan::Paid,
            ..SandboxCloud::new(CLOUD, KEY, SECRET)
        }],
        limits: Default::default(),
        notify_timeout: Duration::from_secs(10),
    })
    .await?;
    let url: url::Url = cloudinary.url().parse()?;
    let client = CloudinaryClient::new(CloudinaryOptions {
        api_url: url.clone(),
        delivery_url: url,
        timeout: Duration::from_secs(300),
        ..CloudinaryOptions::new(CLOUD, KEY, SecretString::from(SECRET))
    })?;
    println!(
        "schedulo bench media: a {upload_mb} MB chunked upload, then {images} images end to end; sandbox latency off"
    );
    let memory_ok = large_upload(&cloudinary, &client, upload_mb).await?;
    let images_ok = images_end_to_end(&cloudinary, &client, images).await?;
    cloudinary.shutdown().await;
    Ok(memory_ok && images_ok)
}

fn rss_kb(field: &str) -> u64 {
    super::scheduler::rss_kb(std::process::id(), field)
}

async fn large_upload(cloudinary: &CloudinarySandbox, client: &CloudinaryClient, mb: u64) -> anyhow::Result<bool> {
    let dir = tempfile::tempdir()?;
    let path = dir.path().join("large.mp4");
    // A real MP4 header padded to the size (the sandbox reads the file's properties).
    let name = format!("video-1920x1080-60s-{}mb.mp4", (mb * 1000 * 1000).div_ceil(1024 * 1024));
    let mut response = reqwest::get(cloudinary.file_url(&name)).await?.error_for_status()?;
    let mut file = tokio::fs::File::create(&path).await?;
    while let Some(chunk) = response.chunk().await? {
        tokio::io::AsyncWriteExt::write_all(&mut file, &chunk).await?;
    }
    tokio::io::AsyncWriteExt::flush(&mut file).await?;
    drop(file);
    let bytes = std::fs::metadata(&path)?.len();
    let before = rss_kb("VmRSS:");
    let peak = Arc::new(AtomicU64::new(before));
    let done = Arc::new(AtomicBool::new(false));
    let sampler = {
        let (peak, done) = (peak.clone(), done.clone());
        std::thread::spawn(move || {
            while !done.load(Ordering::Relaxed) {
                peak.fetch_max(rss_kb("VmRSS:"), Ordering::Relaxed);
                std::thread::sleep(Duration::from_millis(10));
            }
        })
    };
    let started = Instant::now();
    let params = UploadParams {
        public_id: Some("bench-large".into()),
        overwrite: Some(false),
        ..Default::default()
    };
    let uploaded = client
        .upload(UploadResource::Video, UploadSource::File(path.clone()), &params)
        .await
        .context("the large upload failed")?;
    let secs = started.elapsed().as_secs_f64();
    done.store(true, Ordering::Relaxed);
    let _ = sampler.join();
    let peak = peak.load(Ordering::Relaxed);
    let growth_mb = peak.saturating_sub(before) as f64 / 1024.0;
    let chunks = cloudinary.counters().cloud(CLOUD).chunks;
    let how = if chunks == 0 {
        "one request".to_string()
    } else {
        format!("{chunks} chunks")
    };
    println!(
        "  upload of {:.0} MB from disk in {how}: {secs:.1} s, {:.0} MB/s; Cloudinary stored {} bytes",
        bytes as f64 / 1e6,
        bytes as f64 / 1e6 / secs,
        uploaded.bytes
    );
    println!(
        "  resident memory (worker and sandbox together): before {:.1} MB, peak {:.1} MB, growth {growth_mb:.1} MB (target <= {MAX_GROWTH_MB:.0})",
        before as f64 / 1024.0,
        peak as f64 / 1024.0
    );
    Ok(growth_mb <= MAX_GROWTH_MB && uploaded.bytes == bytes)
}

async fn images_end_to_end(
    cloudinary: &CloudinarySandbox,
    client: &CloudinaryClient,
    n: usize,
) -> anyhow::Result<bool> {
    let airtable = AirtableSandbox::start(SandboxOptions {
        listen: "127.0.0.1:0".parse()?,
        data_dir: None,
        tokens: vec![TOKEN.into()],
        tables: crate::demo::sandbox_tables(&Schema::builtin()),
        limits: SandboxLimits::default(),
    })
    .await?;
    let base_id = airtable.create_base("bench media");
    let at = AirtableClient::new(ClientOptions::new(airtable.url().parse()?, SecretString::from(TOKEN)))?;
    let base = at.base(&base_id);
    let plan = schema::plan(&Schema::builtin(), &base.tables().await?);
    schema::apply::execute(&base, &plan).await?;
    let obj = |v: serde_json::Value| -> Fields { v.as_object().cloned().unwrap_or_default() };
    let user = base
        .create(users::TABLE, vec![obj(json!({users::USER_ID: "bench"}))], false)
        .await?[0]
        .id
        .clone();
    let rows: Vec<Fields> = (0..n)
        .map(|i| {
            obj(json!({
                media::MEDIA_ID: format!("bench-{i}"),
                media::USER: [user.clone()],
                media::MEDIA_TYPE: "Image",
                media::SOURCE_URL: cloudinary.file_url(&format!("image-1600x1200.jpg?n={i}")),
            }))
        })
        .collect();
    let ids: Vec<String> = base
        .create(media::TABLE, rows, false)
        .await?
        .into_iter()
        .map(|r| r.id)
        .collect();
    let dir = tempfile::tempdir()?;
    let journal = Journal::open(&dir.path().join("journal.sqlite")).await?;
    let clock = Clock::new();
    let wake = Arc::new(tokio::sync::Notify::new());
    let spec = crate::scenarios::PostScheduler::builtin();
    let outbox = Outbox::new(base.clone(), journal.clone(), spec.outbox, clock, wake.clone());
    let processor = Arc::new(MediaProcessor::new(
        base.clone(),
        journal.clone(),
        client.clone(),
        PlatformRules::builtin(),
        crate::scenarios::MediaProcessor::builtin(),
        clock,
        wake,
        None,
        false,
    ));
    let calls_before = base.client().usage().this_month(base.id());
    let started = Instant::now();
    for id in &ids {
        processor.request(id, None).await?;
    }
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let running = tokio::spawn(processor.clone().run(async {
        let _ = stopped.await;
    }));
    let mut remaining: Vec<String> = ids.clone();
    while !remaining.is_empty() && started.elapsed() < Duration::from_secs(600) {
        tokio::time::sleep(Duration::from_millis(50)).await;
        let mut still = Vec::new();
        for id in remaining {
            let job = journal.media_get(&id).await?;
            if !matches!(job.map(|j| j.state), Some(MediaJobState::Done | MediaJobState::Failed)) {
                still.push(id);
            }
        }
        remaining = still;
    }
    let _ = stop.send(());
    let _ = running.await;
    // Outcomes linger `write_linger_secs` for others to share their request.
    outbox.flush_due_by(clock.now() + chrono::Duration::minutes(1)).await?;
    let secs = started.elapsed().as_secs_f64();
    // The worker's calls, before the benchmark's own read of the outcome below.
    let calls = base.client().usage().this_month(base.id()) - calls_before;
    let records = base.list(media::TABLE, &Default::default()).await?;
    let ready = records
        .iter()
        .filter(|r| r.fields.get(media::STATUS).and_then(|v| v.as_str()) == Some("Ready"))
        .count();
    println!(
        "  images end to end: {ready} of {n} Ready in {secs:.1} s: {:.1} images/s, {} variants each ({} distinct transformations); {:.2} Airtable calls per image",
        n as f64 / secs,
        crate::cloudinary::variants::for_resource(crate::cloudinary::variants::Resource::Image).count(),
        crate::cloudinary::variants::eager(crate::cloudinary::variants::Resource::Image).split('|').count(),
        calls as f64 / n as f64
    );
    airtable.shutdown().await;
    Ok(ready == n)
}
