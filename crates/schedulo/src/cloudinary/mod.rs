//! Our own Cloudinary client: signed uploads (from a URL, a file, or a large file in streamed
//! chunks), the Admin API calls setup needs, delivery URLs, notification checks, and
//! [`setup::setup`], which makes the product environment what the worker expects.
//!
//! # Cloudinary's limits (sources: `shared/reference/cloudinary.md`, from Cloudinary's OpenAPI
//! files in github.com/cloudinary/api-schemas, the SDKs pycloudinary and cloudinary_npm, and
//! cloudinary.com/documentation: upload_images, admin_api, authentication_signatures,
//! notification_signatures, folder_modes)
//! - Upload API: `POST {api}/v1_1/{cloud}/{image|video|raw|auto}/upload`, signed with `api_key`,
//!   `timestamp` (Unix seconds, valid one hour, then "Stale request") and `signature` ([`signer`]).
//!   Not rate limited.
//! - One request carries at most 100 MB: larger files go in chunks of at least 5 MB (the SDKs:
//!   20,000,000 bytes) with one `X-Unique-Upload-Id` and `Content-Range: bytes a-b/total` ([`upload`]).
//! - Videos are transformed synchronously only up to 40 MB (free) / 300 MB (paid): use `eager_async`.
//! - Every distinct transformation string is a separately billed derived asset: [`variants`] holds
//!   the one canonical string of each variant.
//! - Admin API: Basic auth `api_key:api_secret`, 500 calls an hour (free) or 2,000 (paid), told in
//!   `X-FeatureRateLimit-Limit/-Remaining/-Reset`; over it, 420. When `Remaining` is 0 this client
//!   refuses to call until the reset ([`CloudinaryError::RateLimited`] with no status).
//! - Notifications: `X-Cld-Timestamp` and `X-Cld-Signature`, refused after 7,200 s.
//!
//! # Error classes ([`error`])
//! Bodies `{"error":{"message":"..."}}`. 401 and 403: auth. 420 and 429: rate-limited, with the
//! reset from `X-FeatureRateLimit-Reset` or `Retry-After`; waited out in-process when it is within
//! [`RetryPolicy::max_rate_limit_wait`], else returned. 500/502/503/504, network errors, timeouts
//! and unreadable bodies: transient, retried in-process with `backon`'s exponential backoff, but
//! only for calls safe to repeat (every Admin call; an upload with a fixed public_id and
//! `overwrite=false`); any other upload that failed after sending is outcome-unknown. 400, 404,
//! 409 and other 4xx: permanent (409 on a create is read as "already existed"; destroy's
//! "not found" is not an error).
//!
//! # Why not the `cloudinary` crate (0.8.3)
//! It hard-codes `https://api.cloudinary.com/.../image/upload` (no video, no base URL for tests or
//! the sandbox), has no `upload_preset`, no Admin API, no chunked upload, and sends timestamps in
//! milliseconds, which Cloudinary refuses.
//!
//! # Layout
//! [`options`] (what the client needs, `CLOUDINARY_URL`), [`client`] (HTTP, retries, rate),
//! [`upload`], [`admin`], [`types`] (answer bodies), [`error`], [`signer`], [`variants`],
//! [`transformation_text`], [`setup`].

pub mod admin;
pub mod client;
pub mod error;
pub mod options;
pub mod setup;
pub mod signer;
pub mod transformation_text;
pub mod types;
pub mod upload;
pub mod variants;

#[cfg(test)]
mod sandbox_tests;
#[cfg(test)]
mod tests;

pub use admin::{UploadPreset, UploadPresetInfo};
pub use client::{AdminRate, CloudinaryClient, NOTIFICATION_MAX_AGE_SECS};
pub use error::{CallContext, CloudinaryError};
pub use options::{CloudinaryOptions, RetryPolicy};
pub use setup::{setup, SetupPlan, SetupReport};
pub use types::{Created, Derived, DerivedInfo, Destroyed, MediaLimits, ResourceInfo, Uploaded, Usage, UsageSection};
pub use upload::{UploadParams, UploadResource, UploadSource};
