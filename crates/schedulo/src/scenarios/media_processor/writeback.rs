//! Writing a run's outcome back to its `MediaLibrary` record: queued in the outbox ([`write`]),
//! and a run that ends in Error ([`fail`]). Used by [`super::job`] and [`super::failures`].

use super::MediaProcessor;
use crate::base::names::media;
use crate::base::{MediaItem, MediaStatus, Platform};
use crate::journal::{MediaJob, MediaStep};
use serde_json::Value;

/// Ends the run: the record says Error with `message`.
pub(super) async fn fail(p: &MediaProcessor, job: &MediaJob, message: String, uploads: Option<Value>) -> MediaStep {
    write(p, &job.record_id, MediaStatus::Error, None, Some(&message), &[]).await;
    tracing::warn!(message = "Media failed.", record = %job.record_id, reason = %message);
    MediaStep::Failed { uploads, message }
}

/// Queues the record's outcome in the outbox and wakes it.
pub(super) async fn write(
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
    // Not due before `write_linger_secs`: outcomes finishing meanwhile share the request.
    let linger = chrono::Duration::seconds(p.spec.processing.write_linger_secs as i64);
    match p
        .journal
        .outbox_put_after(media::TABLE, record_id, &fields, p.clock.now() + linger)
        .await
    {
        Ok(()) => p.outbox_wake.notify_one(),
        Err(error) => tracing::error!(message = "Failed to queue a media record's status.", record = record_id, %error),
    }
}
