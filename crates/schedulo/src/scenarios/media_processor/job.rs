//! One run of a media job: read its record, upload its sources (or take in Cloudinary's
//! notification), check the variants, write the outcome.
//!
//! Every path ends in a [`MediaStep`]: Done (the record says Ready or Error), Failed (the record
//! says Error; a later request runs it again), Await (Cloudinary is making variants, or a direct
//! upload is on its way) or Retry (a failure that may pass).

use super::assets::{ask_cloudinary, asset_from_resource, asset_of, has_every_variant, merge_notification};
use super::failures::upload_failed;
use super::validate::{self, Asset, Verdict};
use super::writeback::{fail, write};
use super::MediaProcessor;
use super::PAUSE_SECS;
use crate::airtable::{Formula, ListQuery, Record};
use crate::base::names::media;
use crate::base::{MediaItem, MediaStatus, MediaType, Platform};
use crate::cloudinary::types::Uploaded;
use crate::cloudinary::upload::{UploadParams, UploadResource, UploadSource};
use crate::cloudinary::variants::Resource;
use crate::journal::{MediaJob, MediaStep};
use serde_json::Value;
use sha2::{Digest, Sha256};
use std::collections::BTreeSet;
use std::sync::Arc;

/// Starts claimed jobs: their records in one read, then each job in a task of its own that waits
/// for one of `slots`, runs, and records its step (a run that panics is tried again later).
/// Returns the tasks; each wakes the processor when it is done.
pub(super) async fn start_batch(
    p: &Arc<MediaProcessor>,
    jobs: Vec<MediaJob>,
    slots: Arc<tokio::sync::Semaphore>,
) -> Vec<tokio::task::JoinHandle<()>> {
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
            let at = p.clock.now() + chrono::Duration::seconds(PAUSE_SECS);
            for job in jobs {
                let step = MediaStep::Retry {
                    at,
                    error: format!("Airtable: {error}"),
                    counted: false,
                };
                record_step(p, &job.record_id, step).await;
            }
            return Vec::new();
        }
    };
    jobs.into_iter()
        .map(|job| {
            let record = records.iter().find(|r| r.id == job.record_id).cloned();
            let (p, slots) = (p.clone(), slots.clone());
            tokio::spawn(async move {
                let _slot = slots.acquire_owned().await;
                let id = job.record_id.clone();
                let runner = p.clone();
                let step = match tokio::spawn(async move { run(&runner, job, record.as_ref()).await }).await {
                    Ok(step) => step,
                    Err(error) => {
                        tracing::error!(message = "A media job's run stopped; it will be tried again.", record = %id, %error);
                        MediaStep::Retry {
                            at: p.clock.now() + chrono::Duration::seconds(PAUSE_SECS),
                            error: format!("the run stopped: {error}"),
                            counted: true,
                        }
                    }
                };
                record_step(&p, &id, step).await;
                p.wake.notify_one();
            })
        })
        .collect()
}

async fn record_step(p: &MediaProcessor, record_id: &str, step: MediaStep) {
    if let Err(error) = p.journal.media_step(record_id, step, p.clock.now()).await {
        tracing::error!(message = "Failed to record a media job's step; another run takes the job after its lease.", record = record_id, %error);
    }
}

/// The platforms a job is for (names as in the base; "X" is taken for "Twitter").
fn platforms_of(job: &MediaJob) -> Vec<Platform> {
    match &job.platforms {
        None => Platform::ALL.to_vec(),
        Some(names) => Platform::ALL
            .into_iter()
            .filter(|p| names.iter().any(|n| Platform::named(n) == Some(*p)))
            .collect(),
    }
}

async fn run(p: &MediaProcessor, job: MediaJob, record: Option<&Record>) -> MediaStep {
    let Some(record) = record else {
        tracing::info!(message = "A media record is gone; its job ends.", record = %job.record_id);
        return MediaStep::Failed {
            uploads: job.uploads.clone(),
            message: "the MediaLibrary record was deleted".into(),
        };
    };
    let item = match MediaItem::from_record(record) {
        Ok(item) => item,
        Err(e) => return fail(p, &job, format!("This record cannot be processed: {e}."), None).await,
    };
    let platforms = platforms_of(&job);
    if job.waiting_since.is_some() {
        return after_wait(p, &job, &item, &platforms).await;
    }
    let sources: Vec<String> = item.source_urls().into_iter().map(str::to_string).collect();
    if sources.is_empty() {
        if job.source_fp.is_some() {
            return unchanged(&job);
        }
        let message = "This record has no SourceURL: set it to the file's address (a carousel's addresses separated by spaces), or upload through /uploads/sign.";
        return fail(p, &job, message.into(), None).await;
    }
    let key = upload_key(&sources, item.media_type);
    let fp = source_fp(&key, &platforms);
    if job.source_fp.as_deref() == Some(fp.as_str()) {
        tracing::info!(message = "Media already processed from these sources; nothing uploaded.", record = %job.record_id);
        return unchanged(&job);
    }
    if let Some(problem) = shape_problem(item.media_type, sources.len()) {
        return fail(p, &job, problem, None).await;
    }
    let resource = validate::resource_of(item.media_type);
    let mut assets = Vec::new();
    for (i, source) in sources.iter().enumerate() {
        let public_id = if sources.len() == 1 {
            format!("{}_{}", job.record_id, &key[..8])
        } else {
            format!("{}_{}_{}", job.record_id, &key[..8], i + 1)
        };
        if let Err(error) = p.journal.media_asset_put(&public_id, &job.record_id).await {
            return MediaStep::Retry {
                at: p.clock.now() + chrono::Duration::seconds(PAUSE_SECS),
                error: error.to_string(),
                counted: false,
            };
        }
        let params = UploadParams {
            public_id: Some(public_id),
            ..p.upload_params(&job.record_id, item.user.as_deref(), resource)
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
            Ok(uploaded) => {
                let mut asset = asset_of(&uploaded);
                if uploaded.existing && asset.derived.is_empty() {
                    // Uploaded before (a run that died, a carousel retried): its variants were
                    // made then; Cloudinary answers an existing asset without them.
                    ask_cloudinary(p, &job.record_id, std::slice::from_mut(&mut asset)).await;
                    if resource == Resource::Image {
                        asset.pending = false;
                    }
                }
                assets.push(asset);
            }
            Err(error) => return upload_failed(p, &job, i, sources.len(), source, &error).await,
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
    let since = job.waiting_since.unwrap_or(now);
    let max = chrono::Duration::seconds(p.spec.processing.max_wait_secs as i64);
    match (&job.notification, kept) {
        (notification, Some((fp, mut assets))) => {
            if let Some(n) = notification {
                merge_notification(&mut assets, n);
            }
            if assets.iter().any(|a| a.pending) {
                // No notification in time, or one that did not finish the variants: ask Cloudinary.
                ask_cloudinary(p, &job.record_id, &mut assets).await;
            }
            if assets.iter().any(|a| a.pending) && now - since >= max {
                let message = format!(
                    "Cloudinary has not finished this video's variants within {} minutes; upload it again, or check the asset in Cloudinary's console.",
                    max.num_minutes()
                );
                return fail(p, job, message, job.uploads.clone()).await;
            }
            settle(p, job, item, platforms, fp, assets).await
        }
        (Some(n), None) => {
            // A direct upload from Bubble: the notification is the upload's answer.
            let Ok(uploaded) = serde_json::from_value::<Uploaded>(n.clone()) else {
                return fail(
                    p,
                    job,
                    "Cloudinary's notification of the upload could not be read.".into(),
                    None,
                )
                .await;
            };
            let fp = format!("direct:{}", uploaded.public_id);
            let asset = asset_of(&uploaded);
            settle(p, job, item, platforms, fp, vec![asset]).await
        }
        (None, None) => {
            // A direct upload whose notification never came (Cloudinary may not reach this
            // worker): ask Cloudinary for the asset that was signed.
            let resource = validate::resource_of(item.media_type);
            let signed = p.journal.media_asset_latest(&job.record_id).await.ok().flatten();
            let found = match &signed {
                Some(public_id) => match p.cloudinary.resource(resource, public_id).await {
                    Ok(found) => found,
                    Err(error) => {
                        tracing::warn!(message = "Could not ask Cloudinary about a direct upload.", record = %job.record_id, %error);
                        None
                    }
                },
                None => None,
            };
            match found {
                Some(info) => {
                    let fp = format!("direct:{}", info.public_id);
                    let mut asset = asset_from_resource(&info);
                    asset.pending = resource == Resource::Video && !has_every_variant(&asset);
                    settle(p, job, item, platforms, fp, vec![asset]).await
                }
                None => {
                    let message = format!(
                        "The upload signed for this record did not reach Cloudinary within {} minutes; ask /uploads/sign again.",
                        p.spec.processing.direct_upload_wait_secs / 60
                    );
                    fail(p, job, message, None).await
                }
            }
        }
    }
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

/// A digest of the files and their type: it names the uploads (their public ids), so the same
/// files are the same assets.
fn upload_key(sources: &[String], media_type: MediaType) -> String {
    let mut h = Sha256::new();
    for s in sources {
        h.update(s.as_bytes());
        h.update([0]);
    }
    h.update(media_type.to_string().as_bytes());
    h.finalize().iter().take(12).map(|b| format!("{b:02x}")).collect()
}

/// What decides a run's outcome: the files, their type and the platforms they are checked for.
fn source_fp(upload_key: &str, platforms: &[Platform]) -> String {
    let names: Vec<String> = platforms.iter().map(|p| p.to_string()).collect();
    format!("{upload_key}:{}", names.join(","))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_same_files_keep_their_public_ids_whatever_the_platforms() {
        let sources = vec!["https://files/a.jpg".to_string()];
        let key = upload_key(&sources, MediaType::Image);
        assert_eq!(key, upload_key(&sources, MediaType::Image));
        assert_ne!(key, upload_key(&sources, MediaType::Carousel));
        assert_ne!(source_fp(&key, &[Platform::TikTok]), source_fp(&key, &Platform::ALL));
    }
}
