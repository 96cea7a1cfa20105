//! The Cloudinary section: `CLOUDINARY_URL=cloudinary://<api_key>:<api_secret>@<cloud_name>` (the
//! form Cloudinary's console and SDKs use) and its companions. Messages never repeat the URL (it
//! holds the secret). The limits behind the ranges are in `crate::cloudinary::options`.

use super::env::Env;
use super::error::ConfigError;
use super::vars::*;
use crate::cloudinary::options as o;
use crate::cloudinary::signer::Algorithm;
use secrecy::SecretString;
use std::time::Duration;
use url::Url;

/// Which Cloudinary product environment, from `CLOUDINARY_URL` and its companions.
#[derive(Debug, Clone)]
pub struct CloudinaryConfig {
    pub cloud_name: String,
    pub api_key: String,
    pub api_secret: SecretString,
    /// Where the Upload and Admin APIs are (`CLOUDINARY_API_URL`).
    pub api_url: Url,
    /// Where delivery URLs point (`CLOUDINARY_DELIVERY_URL`).
    pub delivery_url: Url,
    pub algorithm: Algorithm,
    /// A paid plan: backups on upload, the higher Admin API limit.
    pub paid: bool,
    /// Timeout of one request without a file (`CLOUDINARY_TIMEOUT_SECS`); an upload gets more
    /// for its bytes, at `min_upload_bytes_per_sec`.
    pub timeout: Duration,
    /// Bytes per chunk of a chunked upload (`CLOUDINARY_CHUNK_BYTES`, at least 5 MiB).
    pub chunk_size: u64,
    /// Files larger than this go in chunks (`CLOUDINARY_CHUNK_THRESHOLD_BYTES`, at most 100 MB).
    pub chunk_threshold: u64,
    /// The slowest uplink an upload is given time for, in bytes per second
    /// (`CLOUDINARY_MIN_UPLOAD_RATE`).
    pub min_upload_bytes_per_sec: u64,
}

impl CloudinaryConfig {
    /// The section; `None` without `CLOUDINARY_URL`. Its companions are checked even then, so a
    /// bad value is never silently ignored.
    pub(super) fn from_env(env: &Env) -> Result<Option<CloudinaryConfig>, ConfigError> {
        let tuning = Tuning::from_env(env)?;
        let api_url = env.service_url(&CLOUDINARY_API_URL)?;
        let delivery_url = env.service_url(&CLOUDINARY_DELIVERY_URL)?;
        let algorithm = algorithm(env)?;
        let paid = paid(env)?;
        let Some(secret) = env.secret(&CLOUDINARY_URL) else {
            return Ok(None);
        };
        let (cloud_name, api_key, api_secret) =
            o::parse_url(secret).map_err(|problem| ConfigError::new(&CLOUDINARY_URL, None, format!("it {problem}")))?;
        Ok(Some(CloudinaryConfig {
            cloud_name,
            api_key,
            api_secret,
            api_url,
            delivery_url,
            algorithm,
            paid,
            timeout: tuning.timeout,
            chunk_size: tuning.chunk_size,
            chunk_threshold: tuning.chunk_threshold,
            min_upload_bytes_per_sec: tuning.min_upload_bytes_per_sec,
        }))
    }
}

/// The client's timeouts and chunking.
struct Tuning {
    timeout: Duration,
    chunk_size: u64,
    chunk_threshold: u64,
    min_upload_bytes_per_sec: u64,
}

impl Tuning {
    fn from_env(env: &Env) -> Result<Tuning, ConfigError> {
        let timeout = env.parse_or(&CLOUDINARY_TIMEOUT_SECS, |v| (1..=3600).contains(v))?;
        Ok(Tuning {
            timeout: Duration::from_secs(timeout),
            chunk_size: env.parse_or(&CLOUDINARY_CHUNK_BYTES, |v| {
                (o::MIN_CHUNK_SIZE..=o::DEFAULT_CHUNK_THRESHOLD).contains(v)
            })?,
            chunk_threshold: env.parse_or(&CLOUDINARY_CHUNK_THRESHOLD_BYTES, |v| {
                (1..=o::DEFAULT_CHUNK_THRESHOLD).contains(v)
            })?,
            min_upload_bytes_per_sec: env.parse_or(&CLOUDINARY_MIN_UPLOAD_RATE, |v| *v >= 1)?,
        })
    }
}

fn algorithm(env: &Env) -> Result<Algorithm, ConfigError> {
    let text = env.text_or_default(&CLOUDINARY_SIGNATURE_ALGORITHM);
    Algorithm::parse(text.trim()).ok_or_else(|| {
        ConfigError::new(
            &CLOUDINARY_SIGNATURE_ALGORITHM,
            Some(text),
            "it is not a known algorithm",
        )
    })
}

fn paid(env: &Env) -> Result<bool, ConfigError> {
    let text = env.text_or_default(&CLOUDINARY_PLAN);
    match text.trim().to_ascii_lowercase().as_str() {
        "free" => Ok(false),
        "paid" => Ok(true),
        _ => Err(ConfigError::new(&CLOUDINARY_PLAN, Some(text), "it is not a known plan")),
    }
}
