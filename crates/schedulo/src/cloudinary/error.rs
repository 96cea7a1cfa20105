//! Cloudinary's documented error classes, and how the worker treats each.
//!
//! Source: cloudinary.com/documentation/admin_api#error_handling and upload_images#error_handling,
//! summarised in `shared/reference/cloudinary.md`: every error body is
//! `{"error":{"message":"..."}}` (examples in `fixtures/cloudinary/`), and the status says the class:
//! 400 bad request, 401 authorization required, 403 not allowed, 404 not found, 409 already exists,
//! 420 (Admin API hourly limit) and 429 rate limited, 500/502/503/504 Cloudinary's side.

use crate::error_class::ErrorClass;
use chrono::{DateTime, Utc};
use serde::Deserialize;
use std::fmt;
use std::path::PathBuf;

/// What a call was about, so every error names the action and the asset, preset or folder.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CallContext {
    /// "upload image", "create upload preset", ...
    pub action: &'static str,
    /// The public_id, preset name, folder path or transformation name, if the call has one.
    pub subject: Option<String>,
}

impl CallContext {
    /// A context about `subject`.
    pub fn new(action: &'static str, subject: impl Into<String>) -> CallContext {
        CallContext {
            action,
            subject: Some(subject.into()),
        }
    }

    /// A context about nothing in particular (`usage`, `folders`).
    pub fn bare(action: &'static str) -> CallContext {
        CallContext { action, subject: None }
    }
}

impl fmt::Display for CallContext {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.action)?;
        if let Some(subject) = &self.subject {
            write!(f, " {subject:?}")?;
        }
        Ok(())
    }
}

/// A failed Cloudinary call. Never contains the API secret or a signature (both are scrubbed out of
/// any text that comes back), so it may be logged and shown as is.
#[derive(Debug, thiserror::Error)]
pub enum CloudinaryError {
    /// 400: a parameter is missing or wrong (including "Stale request").
    #[error("Cloudinary refused to {context}: bad request (400): {message}")]
    BadRequest { context: CallContext, message: String },
    /// 401: the API key or secret is wrong ("Invalid Signature" too).
    #[error("Cloudinary refused the credentials to {context} (401): {message}")]
    Unauthorized { context: CallContext, message: String },
    /// 403: the credentials may not do this (a disabled account, a feature off the plan).
    #[error("Cloudinary does not allow us to {context} (403): {message}")]
    Forbidden { context: CallContext, message: String },
    /// 404: the asset, preset, folder or transformation does not exist.
    #[error("Cloudinary could not {context}: not found (404): {message}")]
    NotFound { context: CallContext, message: String },
    /// 409, or a 400 saying "already exists".
    #[error("Cloudinary could not {context}: already exists ({status}): {message}")]
    AlreadyExists {
        context: CallContext,
        status: u16,
        message: String,
    },
    /// 420 or 429, or the Admin API's hourly calls used up (seen in the headers: no call was made).
    #[error("Cloudinary rate limit reached on {context}{}: {message}", reset_note(reset_at))]
    RateLimited {
        context: CallContext,
        /// `None` when this client refused to call because the last answer said `Remaining: 0`.
        status: Option<u16>,
        message: String,
        /// When calls may succeed again (X-FeatureRateLimit-Reset or Retry-After).
        reset_at: Option<DateTime<Utc>>,
    },
    /// 500, 502, 503, 504: Cloudinary's side; may pass.
    #[error("Cloudinary failed to {context} ({status}): {message}")]
    Server {
        context: CallContext,
        status: u16,
        message: String,
    },
    /// Any other status; classed by its range.
    #[error("Cloudinary answered {status} to {context}: {message}")]
    UnexpectedStatus {
        context: CallContext,
        status: u16,
        message: String,
    },
    /// No answer: refused, reset or timed out, on a call that is safe to repeat (else `OutcomeUnknown`).
    #[error("could not reach Cloudinary to {context}: {detail}")]
    Network {
        context: CallContext,
        detail: String,
        /// The request may have reached Cloudinary (a timeout or reset after sending).
        maybe_sent: bool,
    },
    /// A 2xx answer whose body could not be read or decoded.
    #[error("Cloudinary's answer to {context} is unreadable: {detail}")]
    Unreadable { context: CallContext, detail: String },
    /// A call that is not safe to repeat (an upload with no fixed public_id, or with overwrite)
    /// failed after it may have reached Cloudinary: check before doing it again.
    #[error("Cloudinary may or may not have done {context} (check before repeating it): {detail}")]
    OutcomeUnknown { context: CallContext, detail: String },
    /// The local file to upload could not be read.
    #[error("cannot {context}: reading {}: {detail}", path.display())]
    File {
        context: CallContext,
        path: PathBuf,
        detail: String,
    },
    /// The client's options are unusable (caught before any call).
    #[error("Cloudinary is misconfigured: {detail}")]
    Config { detail: String },
}

fn reset_note(reset_at: &Option<DateTime<Utc>>) -> String {
    match reset_at {
        Some(at) => format!(" (until {})", at.to_rfc3339_opts(chrono::SecondsFormat::Secs, true)),
        None => String::new(),
    }
}

impl CloudinaryError {
    /// What the worker does about it. Exhaustive on purpose: a new variant must be classified here.
    ///
    /// `Network` and `Unreadable` are transient because the client only returns them for calls that
    /// are safe to repeat: every Admin call here is (a repeated create answers 409, which setup
    /// reads as "already existed"; destroy answers "not found"), and so is an upload with a fixed
    /// public_id and `overwrite=false` (a repeat returns the asset already there, `existing: true`).
    /// Any other upload that failed after sending is turned into `OutcomeUnknown` by the client.
    pub fn class(&self) -> ErrorClass {
        match self {
            CloudinaryError::Unauthorized { .. } | CloudinaryError::Forbidden { .. } => ErrorClass::Auth,
            CloudinaryError::RateLimited { .. } => ErrorClass::RateLimited,
            CloudinaryError::Server { .. } | CloudinaryError::Network { .. } | CloudinaryError::Unreadable { .. } => {
                ErrorClass::Transient
            }
            CloudinaryError::BadRequest { .. }
            | CloudinaryError::NotFound { .. }
            | CloudinaryError::AlreadyExists { .. }
            | CloudinaryError::File { .. }
            | CloudinaryError::Config { .. } => ErrorClass::Permanent,
            CloudinaryError::OutcomeUnknown { .. } => ErrorClass::OutcomeUnknown,
            CloudinaryError::UnexpectedStatus { status, .. } => match status {
                401 | 403 => ErrorClass::Auth,
                420 | 429 => ErrorClass::RateLimited,
                500..=599 => ErrorClass::Transient,
                _ => ErrorClass::Permanent,
            },
        }
    }

    /// When a rate-limited call may succeed again, if Cloudinary said.
    pub fn reset_at(&self) -> Option<DateTime<Utc>> {
        match self {
            CloudinaryError::RateLimited { reset_at, .. } => *reset_at,
            _ => None,
        }
    }

    /// The HTTP status Cloudinary answered, if it answered.
    pub fn status(&self) -> Option<u16> {
        match self {
            CloudinaryError::BadRequest { .. } => Some(400),
            CloudinaryError::Unauthorized { .. } => Some(401),
            CloudinaryError::Forbidden { .. } => Some(403),
            CloudinaryError::NotFound { .. } => Some(404),
            CloudinaryError::AlreadyExists { status, .. }
            | CloudinaryError::Server { status, .. }
            | CloudinaryError::UnexpectedStatus { status, .. } => Some(*status),
            CloudinaryError::RateLimited { status, .. } => *status,
            CloudinaryError::Network { .. }
            | CloudinaryError::Unreadable { .. }
            | CloudinaryError::OutcomeUnknown { .. }
            | CloudinaryError::File { .. }
            | CloudinaryError::Config { .. } => None,
        }
    }

    /// The call the error is about (`None` for a configuration error).
    pub fn context(&self) -> Option<&CallContext> {
        match self {
            CloudinaryError::BadRequest { context, .. }
            | CloudinaryError::Unauthorized { context, .. }
            | CloudinaryError::Forbidden { context, .. }
            | CloudinaryError::NotFound { context, .. }
            | CloudinaryError::AlreadyExists { context, .. }
            | CloudinaryError::RateLimited { context, .. }
            | CloudinaryError::Server { context, .. }
            | CloudinaryError::UnexpectedStatus { context, .. }
            | CloudinaryError::Network { context, .. }
            | CloudinaryError::Unreadable { context, .. }
            | CloudinaryError::OutcomeUnknown { context, .. }
            | CloudinaryError::File { context, .. } => Some(context),
            CloudinaryError::Config { .. } => None,
        }
    }

    /// The error for an answer with status `status` and (scrubbed) message `message`.
    pub fn from_status(
        context: CallContext,
        status: u16,
        message: String,
        reset_at: Option<DateTime<Utc>>,
    ) -> CloudinaryError {
        if status == 409 || (status == 400 && message.to_ascii_lowercase().contains("already exists")) {
            return CloudinaryError::AlreadyExists {
                context,
                status,
                message,
            };
        }
        match status {
            400 => CloudinaryError::BadRequest { context, message },
            401 => CloudinaryError::Unauthorized { context, message },
            403 => CloudinaryError::Forbidden { context, message },
            404 => CloudinaryError::NotFound { context, message },
            420 | 429 => CloudinaryError::RateLimited {
                context,
                status: Some(status),
                message,
                reset_at,
            },
            500 | 502 | 503 | 504 => CloudinaryError::Server {
                context,
                status,
                message,
            },
            _ => CloudinaryError::UnexpectedStatus {
                context,
                status,
                message,
            },
        }
    }
}

#[derive(Deserialize)]
struct ErrorBody {
    error: ErrorPayload,
}

#[derive(Deserialize)]
#[serde(untagged)]
enum ErrorPayload {
    Full { message: String },
    Bare(String),
}

/// The message of an error answer, whatever its body holds (not yet scrubbed).
pub fn error_message(status: u16, body: &[u8]) -> String {
    match serde_json::from_slice::<ErrorBody>(body) {
        Ok(ErrorBody {
            error: ErrorPayload::Full { message } | ErrorPayload::Bare(message),
        }) => message,
        Err(_) => {
            let text = String::from_utf8_lossy(body);
            let snippet: String = text.chars().take(200).collect();
            if snippet.trim().is_empty() {
                format!("HTTP {status} with an empty body")
            } else {
                format!("HTTP {status}: {}", snippet.trim())
            }
        }
    }
}

/// Replaces each of `secrets` (the API secret, the signatures sent) in text that came from outside:
/// Cloudinary's "Invalid Signature" message quotes the signature it was sent.
pub fn scrub(text: String, secrets: &[&str]) -> String {
    let mut text = text;
    for s in secrets {
        if !s.is_empty() && text.contains(s) {
            text = text.replace(s, "[REDACTED]");
        }
    }
    text
}
