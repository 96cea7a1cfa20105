//! Upload failures: retried when they may pass (without counting what is not the record's fault),
//! else the record says why, in Cloudinary's own words.

use super::writeback::fail;
use super::{MediaProcessor, PAUSE_SECS};
use crate::cloudinary::CloudinaryError;
use crate::error_class::ErrorClass;
use crate::journal::{MediaJob, MediaStep};
use crate::media::file_name;

/// `message` with `source`'s query string left out (a presigned URL's signature is not for
/// records or logs).
pub(super) fn without_query(message: &str, source: &str) -> String {
    match source.split_once('?') {
        Some((bare, _)) => message.replace(source, &format!("{bare}?...")),
        None => message.to_string(),
    }
}

/// An upload that failed: retried when the failure may pass, else the record says why.
pub(super) async fn upload_failed(
    p: &MediaProcessor,
    job: &MediaJob,
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
    let reason = without_query(&cloudinary_message(error), source);
    let now = p.clock.now();
    let backoff = |attempt: i64| {
        let delay = p
            .spec
            .retry
            .delay(attempt.max(1) as u32, rand::random::<f64>() * 2.0 - 1.0);
        now + chrono::Duration::from_std(delay).unwrap_or(chrono::Duration::seconds(PAUSE_SECS))
    };
    let retry_left = job.attempts < i64::from(p.spec.retry.attempts);
    match error.class() {
        ErrorClass::Auth => {
            // The worker's own credentials: no record is at fault. Keep the job and say so loudly.
            let at = now + chrono::Duration::seconds(p.spec.retry.max_delay_secs as i64);
            tracing::error!(message = "Cloudinary refused the worker's credentials; media jobs wait. Check CLOUDINARY_URL.", record = %job.record_id, %error, retry_at = %at);
            MediaStep::Retry {
                at,
                error: reason,
                counted: false,
            }
        }
        ErrorClass::RateLimited => {
            let at = error
                .reset_at()
                .filter(|r| *r > now)
                .unwrap_or_else(|| backoff(job.attempts));
            tracing::warn!(message = "Cloudinary's rate limit; the upload waits.", record = %job.record_id, retry_at = %at);
            MediaStep::Retry {
                at,
                error: reason,
                counted: false,
            }
        }
        ErrorClass::Transient | ErrorClass::OutcomeUnknown if retry_left => {
            let at = backoff(job.attempts);
            tracing::warn!(message = "Upload to Cloudinary failed; it will be tried again.", record = %job.record_id, %error, retry_at = %at);
            MediaStep::Retry {
                at,
                error: reason,
                counted: true,
            }
        }
        ErrorClass::Transient | ErrorClass::OutcomeUnknown => {
            let message = format!(
                "Could not upload {which} to Cloudinary after {} attempts: {reason}",
                job.attempts
            );
            fail(p, job, message, None).await
        }
        ErrorClass::Permanent => fail(p, job, format!("Cloudinary refused {which}: {reason}"), None).await,
    }
}

/// Cloudinary's own words and status, for a person (the call itself is named by the caller).
pub(super) fn cloudinary_message(error: &CloudinaryError) -> String {
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_presigned_querys_signature_stays_out_of_messages() {
        let source = "https://bucket.s3/x.jpg?X-Amz-Signature=abc123";
        let message = format!("Resource not found - {source} (400)");
        assert_eq!(
            without_query(&message, source),
            "Resource not found - https://bucket.s3/x.jpg?... (400)"
        );
    }
}
