//! One run of a media job: read its record, upload its sources (or take in Cloudinary's
//! notification), check the variants, write the outcome.

use super::validate::{self, Asset, Derived, Verdict};
use super::MediaProcessor;
use crate::airtable::{Formula, ListQuery, Record};
use crate::base::names::media;
use crate::base::{MediaItem, MediaStatus, MediaType, Platform};
use crate::cloudinary::types::Uploaded;
use crate::cloudinary::upload::{UploadParams, UploadResource, UploadSource};
use crate::cloudinary::variants::Resource;
use crate::cloudinary::CloudinaryError;
use crate::error_class::ErrorClass;
use crate::journal::{MediaJob, MediaStep};
use serde_json::Value;
use sha2::{Digest, Sha256};
use std::collections::BTreeSet;
use std::sync::Arc;

const ALL_PLATFORMS: [Platform; 4] = [
    Platform::Instagram,
    Platform::Facebook,
    Platform::Twitter,
    Platform::TikTok,
];

/// Processes claimed jobs: their records in one read, then each job, `concurrency` at a time.
pub(super) async fn process_batch(p: &Arc<MediaProcessor>, jobs: Vec<MediaJob>) {
    let ids: BTreeSet<&str> = jobs.iter().map(|j| j.record_id.as_str()).collect();
    let records = match p
        .base
        .list(
            media::TABLE,
            &ListQuery::filtered(Formula::record_id_in(ids.iter().copied())),
        )
        .await
    {
        Ok(records) => records,
        Err(error) => {
            tracing::warn!(message = "Could not read the media records; the jobs wait.", %error);
            let at = p.clock.now() + chrono::Duration::seconds(30);
            for job in jobs {
                let step = MediaStep::Retry {
                    at,
                    error: format!("Airtable: {error}"),
                };
                record_step(p, &job.record_id, step).await;
            }
            return;
        }
    };
    let limit = Arc::new(tokio::sync::Semaphore::new(p.spec.processing.concurrency.max(1)));
    let mut tasks = tokio::task::JoinSet::new();
    for job in jobs {
        let record = records.iter().find(|r| r.id == job.record_id).cloned();
        let (p, limit) = (p.clone(), limit.clone());
        tasks.spawn(async move {
            let _turn = limit.acquire().await;
            let id = job.record_id.clone();
            let step = run(&p, job, record.as_ref()).await;
            record_step(&p, &id, step).await;
        });
    }
    while tasks.join_next().await.is_some() {}
}

async fn record_step(p: &MediaProcessor, record_id: &str, step: MediaStep) {
    if let Err(error) = p.journal.media_step(record_id, step, p.clock.now()).await {
        tracing::error!(message = "Failed to record a media job's step.", record = record_id, %error);
    }
}

/// The platforms a job is for (names as in the base; "X" is taken for "Twitter").
fn platforms_of(job: &MediaJob) -> Vec<Platform> {
    match &job.platforms {
        None => ALL_PLATFORMS.to_vec(),
        Some(names) => ALL_PLATFORMS
            .into_iter()
            .filter(|p| names.iter().any(|n| platform_named(n) == Some(*p)))
            .collect(),
    }
}

/// A platform by name, as Bubble may send it.
pub fn platform_named(name: &str) -> Option<Platform> {
    match name.trim().to_ascii_lowercase().as_str() {
        "instagram" => Some(Platform::Instagram),
        "facebook" => Some(Platform::Facebook),
        "twitter" | "x" => Some(Platform::Twitter),
        "tiktok" => Some(Platform::TikTok),
        _ => None,
    }
}

async fn run(p: &MediaProcessor, job: MediaJob, record: Option<&Record>) -> MediaStep {
    let Some(record) = record else {
        tracing::info!(message = "A media record is gone; its job ends.", record = %job.record_id);
        return MediaStep::Failed {
            source_fp: job.source_fp.clone(),
            uploads: job.uploads.clone(),
            message: "the MediaLibrary record was deleted".into(),
        };
    };
    let item = match MediaItem::from_record(record) {
        Ok(item) => item,
        Err(e) => {
            let message = format!("This record cannot be processed: {e}.");
            write(p, &job.record_id, MediaStatus::Error, None, Some(&message), &[]).await;
            return MediaStep::Failed {
                source_fp: None,
                uploads: None,
                message,
            };
        }
    };
    let platforms = platforms_of(&job);
    if job.waiting_since.is_some() {
        return after_wait(p, &job, &item, &platforms).await;
    }
    let sources: Vec<String> = item
        .source_url
        .as_deref()
        .unwrap_or("")
        .split(|c: char| c.is_whitespace() || c == ',')
        .filter(|s| !s.is_empty())
        .map(str::to_string)
        .collect();
    if sources.is_empty() {
        if job.source_fp.is_some() {
            return unchanged(&job);
        }
        let message = "This record has no SourceURL: set it to the file's address (a carousel's addresses separated by spaces), or upload through /uploads/sign.".to_string();
        write(p, &job.record_id, MediaStatus::Error, None, Some(&message), &[]).await;
        return MediaStep::Failed {
            source_fp: None,
            uploads: None,
            message,
        };
    }
    let fp = fingerprint(&sources, item.media_type, &platforms);
    if job.source_fp.as_deref() == Some(fp.as_str()) {
        tracing::info!(message = "Media already processed from these sources; nothing uploaded.", record = %job.record_id);
        return unchanged(&job);
    }
    if let Some(problem) = shape_problem(item.media_type, sources.len()) {
        write(p, &job.record_id, MediaStatus::Error, None, Some(&problem), &[]).await;
        return MediaStep::Failed {
            source_fp: Some(fp),
            uploads: None,
            message: problem,
        };
    }
    let resource = validate::resource_of(item.media_type);
    let mut assets = Vec::new();
    for (i, source) in sources.iter().enumerate() {
        let public_id = if sources.len() == 1 {
            format!("{}_{}", job.record_id, &fp[..8])
        } else {
            format!("{}_{}_{}", job.record_id, &fp[..8], i + 1)
        };
        if let Err(error) = p.journal.media_asset_put(&public_id, &job.record_id).await {
            return MediaStep::Retry {
                at: p.clock.now() + chrono::Duration::seconds(30),
                error: error.to_string(),
            };
        }
        let params = UploadParams {
            public_id: Some(public_id),
            ..p.upload_params(&job.record_id, item.user.as_deref(), resource == Resource::Video)
        };
        match p
            .cloudinary
            .upload(
                UploadResource::from(resource),
                UploadSource::Url(source.clone()),
                &params,
            )
            .await
        {
            Ok(uploaded) => assets.push(asset_of(&uploaded, source)),
            Err(error) => return upload_failed(p, &job, &fp, i, sources.len(), source, &error).await,
        }
    }
    settle(p, &job, &item, &platforms, fp, assets).await
}

/// Nothing new to do: the job ends as it last ended, and nothing is written.
fn unchanged(job: &MediaJob) -> MediaStep {
    MediaStep::Done {
        source_fp: job.source_fp.clone().unwrap_or_default(),
        uploads: job.uploads.clone().unwrap_or(Value::Array(Vec::new())),
        note: job.last_error.clone(),
    }
}

/// With every asset uploaded: wait for variants still being made, else check and write.
async fn settle(
    p: &MediaProcessor,
    job: &MediaJob,
    item: &MediaItem,
    platforms: &[Platform],
    fp: String,
    assets: Vec<Asset>,
) -> MediaStep {
    let uploads = serde_json::json!({ "source_fp": fp, "assets": assets });
    if assets.iter().any(|a| a.pending) {
        if job.waiting_since.is_none() {
            write(p, &job.record_id, MediaStatus::Processing, None, None, &[]).await;
        }
        let wait = chrono::Duration::seconds(p.spec.processing.notification_wait_secs as i64);
        return MediaStep::Await {
            until: p.clock.now() + wait,
            uploads,
        };
    }
    let verdict = validate::validate(item.media_type, &assets, platforms, &p.rules);
    let urls: Vec<&str> = assets.iter().map(|a| a.secure_url.as_str()).collect();
    let url = urls.join(" ");
    let (status, message) = outcome(&verdict);
    write(
        p,
        &job.record_id,
        status,
        Some(&url),
        message.as_deref(),
        &verdict.valid_for,
    )
    .await;
    tracing::info!(message = "Media processed.", record = %job.record_id, status = %status, valid_for = ?verdict.valid_for);
    MediaStep::Done {
        source_fp: fp,
        uploads,
        note: message,
    }
}

/// Ready when at least one platform it is meant for takes it; the refusals go to `ErrorMessage`.
fn outcome(verdict: &Verdict) -> (MediaStatus, Option<String>) {
    let message = verdict.message();
    if verdict.valid_for.is_empty() {
        (
            MediaStatus::Error,
            message.or_else(|| Some("No platform was asked for.".into())),
        )
    } else {
        (MediaStatus::Ready, message)
    }
}

/// A wait ended: by Cloudinary's notification, or by its time running out.
async fn after_wait(p: &MediaProcessor, job: &MediaJob, item: &MediaItem, platforms: &[Platform]) -> MediaStep {
    let kept: Option<(String, Vec<Asset>)> = job.uploads.as_ref().and_then(|u| {
        let fp = u.get("source_fp")?.as_str()?.to_string();
        let assets = serde_json::from_value(u.get("assets")?.clone()).ok()?;
        Some((fp, assets))
    });
    let now = p.clock.now();
    match (&job.notification, kept) {
        (notification, Some((fp, mut assets))) => {
            if let Some(n) = notification {
                merge_notification(&mut assets, n);
            }
            if assets.iter().any(|a| a.pending) {
                // No notification in time (or one that did not finish the variants): ask Cloudinary.
                ask_cloudinary(p, &job.record_id, &mut assets).await;
            }
            let since = job.waiting_since.unwrap_or(now);
            let max = chrono::Duration::seconds(p.spec.processing.max_wait_secs as i64);
            if assets.iter().any(|a| a.pending) && now - since >= max {
                let message = format!(
                    "Cloudinary has not finished this video's variants within {} minutes; upload it again, or check the asset in Cloudinary's console.",
                    max.num_minutes()
                );
                write(p, &job.record_id, MediaStatus::Error, None, Some(&message), &[]).await;
                return MediaStep::Failed {
                    source_fp: Some(fp),
                    uploads: job.uploads.clone(),
                    message,
                };
            }
            settle(p, job, item, platforms, fp, assets).await
        }
        (Some(n), None) => {
            // A direct upload from Bubble: the notification is the upload's answer.
            let Ok(uploaded) = serde_json::from_value::<Uploaded>(n.clone()) else {
                let message = "Cloudinary's notification of the upload could not be read.".to_string();
                write(p, &job.record_id, MediaStatus::Error, None, Some(&message), &[]).await;
                return MediaStep::Failed {
                    source_fp: None,
                    uploads: None,
                    message,
                };
            };
            let fp = format!("direct:{}", uploaded.public_id);
            let asset = asset_of(&uploaded, &uploaded.secure_url);
            settle(p, job, item, platforms, fp, vec![asset]).await
        }
        (None, None) => {
            let message = format!(
                "The upload signed for this record did not reach Cloudinary within {} minutes; ask /uploads/sign again.",
                p.spec.processing.direct_upload_wait_secs / 60
            );
            write(p, &job.record_id, MediaStatus::Error, None, Some(&message), &[]).await;
            MediaStep::Failed {
                source_fp: None,
                uploads: None,
                message,
            }
        }
    }
}

/// Asks Cloudinary's Admin API for the variants of the assets still pending, and takes them in
/// when every variant is there.
async fn ask_cloudinary(p: &MediaProcessor, record_id: &str, assets: &mut [Asset]) {
    for asset in assets.iter_mut().filter(|a| a.pending) {
        match p.cloudinary.resource(Resource::Video, &asset.public_id).await {
            Ok(Some(info)) => {
                let complete: Vec<Derived> = info
                    .derived
                    .iter()
                    .filter(|d| !d.secure_url.is_empty())
                    .map(|d| Derived {
                        transformation: d.transformation.clone(),
                        secure_url: d.secure_url.clone(),
                        info: crate::media::MediaInfo {
                            bytes: d.bytes,
                            duration_secs: asset.info.duration_secs,
                            format: d.format.clone(),
                            ..variant_info(&d.transformation, &asset.info)
                        },
                    })
                    .collect();
                let wanted = crate::cloudinary::variants::for_resource(Resource::Video).count();
                if complete.len() >= wanted {
                    asset.derived = complete;
                    asset.pending = false;
                }
            }
            Ok(None) => {}
            Err(error) => {
                tracing::warn!(message = "Could not ask Cloudinary about a video's variants.", record = record_id, %error)
            }
        }
    }
}

/// The width and height a variant's transformation gives the asset (for variants read back from
/// the Admin API, which does not report them).
fn variant_info(transformation: &str, original: &crate::media::MediaInfo) -> crate::media::MediaInfo {
    let variant = crate::cloudinary::variants::VARIANTS
        .iter()
        .find(|v| v.transformation == transformation);
    crate::media::MediaInfo {
        width: variant.map(|v| v.width).or(original.width),
        height: variant.map(|v| v.height()).or(original.height),
        video_codec: Some("h264".into()).filter(|_| transformation.contains("vc_h264")),
        frame_rate: original.frame_rate,
        ..Default::default()
    }
}

/// Cloudinary's eager notification into the assets it names.
fn merge_notification(assets: &mut [Asset], n: &Value) {
    let public_id = n.get("public_id").and_then(Value::as_str).unwrap_or("");
    let Some(asset) = assets.iter_mut().find(|a| a.public_id == public_id) else {
        return;
    };
    let eager: Vec<crate::cloudinary::types::Derived> = n
        .get("eager")
        .cloned()
        .and_then(|e| serde_json::from_value(e).ok())
        .unwrap_or_default();
    if eager.is_empty() {
        return;
    }
    asset.derived = eager.iter().filter_map(|d| derived_of(d, &asset.info)).collect();
    asset.pending = false;
}

fn derived_of(d: &crate::cloudinary::types::Derived, original: &crate::media::MediaInfo) -> Option<Derived> {
    if d.pending() {
        return None;
    }
    Some(Derived {
        transformation: d.transformation_string()?,
        secure_url: if d.secure_url.is_empty() {
            d.url.clone()
        } else {
            d.secure_url.clone()
        },
        info: crate::media::MediaInfo {
            frame_rate: original.frame_rate,
            ..d.media_info(original.duration_secs)
        },
    })
}

fn asset_of(u: &Uploaded, source: &str) -> Asset {
    let info = u.media_info();
    let derived: Vec<Derived> = u.eager.iter().filter_map(|d| derived_of(d, &info)).collect();
    let pending = u.eager.iter().any(|d| d.pending()) || (u.resource_type == "video" && derived.is_empty());
    Asset {
        public_id: u.public_id.clone(),
        resource: u.resource_type.clone(),
        version: u.version,
        secure_url: u.secure_url.clone(),
        name: file_name(source).to_string(),
        info,
        derived,
        pending,
    }
}

fn file_name(url: &str) -> &str {
    let path = url.split(['?', '#']).next().unwrap_or(url);
    path.rsplit('/').find(|s| !s.is_empty()).unwrap_or(url)
}

/// A media type and a number of files that do not go together.
fn shape_problem(media_type: MediaType, files: usize) -> Option<String> {
    match media_type {
        MediaType::Image | MediaType::Video if files > 1 => Some(format!(
            "This {} record has {files} addresses in SourceURL; an {} has one (use MediaType Carousel for several images).",
            media_type,
            media_type.to_string().to_lowercase()
        )),
        _ => None,
    }
}

/// A digest of what decides the processing: the sources, the type and the platforms.
fn fingerprint(sources: &[String], media_type: MediaType, platforms: &[Platform]) -> String {
    let mut h = Sha256::new();
    for s in sources {
        h.update(s.as_bytes());
        h.update([0]);
    }
    h.update(media_type.to_string().as_bytes());
    for p in platforms {
        h.update(p.to_string().as_bytes());
    }
    h.finalize().iter().take(12).map(|b| format!("{b:02x}")).collect()
}

/// An upload that failed: retried when the failure may pass, else the record says why.
async fn upload_failed(
    p: &MediaProcessor,
    job: &MediaJob,
    fp: &str,
    index: usize,
    files: usize,
    source: &str,
    error: &CloudinaryError,
) -> MediaStep {
    let which = if files == 1 {
        format!("the file {}", file_name(source))
    } else {
        format!("file {} ({})", index + 1, file_name(source))
    };
    let class = error.class();
    let retry_left = job.attempts < i64::from(p.spec.retry.attempts);
    let now = p.clock.now();
    match class {
        ErrorClass::RateLimited | ErrorClass::Transient | ErrorClass::OutcomeUnknown | ErrorClass::Auth
            if retry_left =>
        {
            let delay = p
                .spec
                .retry
                .delay(job.attempts.max(1) as u32, rand::random::<f64>() * 2.0 - 1.0);
            let at = match (class, error.reset_at()) {
                (ErrorClass::RateLimited, Some(reset)) if reset > now => reset,
                _ => now + chrono::Duration::from_std(delay).unwrap_or(chrono::Duration::seconds(60)),
            };
            tracing::warn!(message = "Upload to Cloudinary failed; it will be tried again.", record = %job.record_id, class = %class, %error, retry_at = %at);
            MediaStep::Retry {
                at,
                error: error.to_string(),
            }
        }
        ErrorClass::RateLimited
        | ErrorClass::Transient
        | ErrorClass::OutcomeUnknown
        | ErrorClass::Auth
        | ErrorClass::Permanent => {
            let message = match class {
                ErrorClass::Permanent => format!("Cloudinary refused {which}: {}", cloudinary_message(error)),
                _ => format!(
                    "Could not upload {which} to Cloudinary after {} attempts: {}",
                    job.attempts,
                    cloudinary_message(error)
                ),
            };
            write(p, &job.record_id, MediaStatus::Error, None, Some(&message), &[]).await;
            tracing::warn!(message = "Media failed.", record = %job.record_id, reason = %message);
            MediaStep::Failed {
                source_fp: Some(fp.to_string()),
                uploads: None,
                message,
            }
        }
    }
}

/// Cloudinary's own words and status, for a person (the call itself is named by the caller).
fn cloudinary_message(error: &CloudinaryError) -> String {
    match error {
        CloudinaryError::BadRequest { message, .. } => format!("{message} (400)"),
        CloudinaryError::Unauthorized { message, .. } => format!("{message} (401: check CLOUDINARY_URL)"),
        CloudinaryError::Forbidden { message, .. } => format!("{message} (403)"),
        CloudinaryError::NotFound { message, .. } => format!("{message} (404)"),
        CloudinaryError::AlreadyExists { message, status, .. }
        | CloudinaryError::Server { message, status, .. }
        | CloudinaryError::UnexpectedStatus { message, status, .. } => format!("{message} ({status})"),
        CloudinaryError::RateLimited { .. }
        | CloudinaryError::Network { .. }
        | CloudinaryError::Unreadable { .. }
        | CloudinaryError::OutcomeUnknown { .. }
        | CloudinaryError::File { .. }
        | CloudinaryError::Config { .. } => error.to_string(),
    }
}

/// Queues the record's outcome in the outbox and wakes it.
async fn write(
    p: &MediaProcessor,
    record_id: &str,
    status: MediaStatus,
    url: Option<&str>,
    message: Option<&str>,
    valid_for: &[Platform],
) {
    let fields = if status == MediaStatus::Processing {
        let mut f = crate::airtable::Fields::new();
        f.insert(media::STATUS.into(), serde_json::json!(status.to_string()));
        f
    } else {
        MediaItem::outcome_fields(status, url, message, valid_for)
    };
    match p.journal.outbox_put(media::TABLE, record_id, &fields).await {
        Ok(()) => p.outbox_wake.notify_one(),
        Err(error) => tracing::error!(message = "Failed to queue a media record's status.", record = record_id, %error),
    }
}
