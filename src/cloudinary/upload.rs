//! Signed uploads (Upload API): from a URL Cloudinary fetches, from a local file in one multipart
//! request, or, above the chunk threshold, in chunks streamed from disk; and the signed parameters
//! Bubble's uploader needs to upload straight to Cloudinary.
//!
//! Chunks (cloudinary.com/documentation/upload_images#chunked_asset_upload, pycloudinary
//! `upload_large`): each chunk is a multipart POST to the same upload URL with every parameter and
//! the same signature, `X-Unique-Upload-Id` the same on every chunk, `Content-Range: bytes a-b/total`,
//! first chunk first and last chunk last; the last chunk's answer is the upload's result.

use super::client::CloudinaryClient;
use super::error::{CallContext, CloudinaryError};
use super::types::Uploaded;
use super::variants::Resource;
use reqwest::multipart::{Form, Part};
use std::path::{Path, PathBuf};
use tokio::io::{AsyncReadExt, AsyncSeekExt};
use url::Url;

/// The resource type of an upload, as in the path `/v1_1/{cloud}/{image|video|auto}/upload`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum UploadResource {
    Image,
    Video,
    /// Cloudinary decides from the file.
    Auto,
}

impl UploadResource {
    /// The path segment.
    pub fn as_str(self) -> &'static str {
        match self {
            UploadResource::Image => "image",
            UploadResource::Video => "video",
            UploadResource::Auto => "auto",
        }
    }
}

impl From<Resource> for UploadResource {
    fn from(r: Resource) -> Self {
        match r {
            Resource::Image => UploadResource::Image,
            Resource::Video => UploadResource::Video,
        }
    }
}

/// What to upload.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum UploadSource {
    /// A remote `https://` URL (or data URI), sent as the form field `file`: Cloudinary fetches it.
    Url(String),
    /// A local file, sent as multipart (in chunks above the threshold).
    File(PathBuf),
}

/// The upload parameters this worker uses (all signed); the client adds `timestamp`.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct UploadParams {
    /// The asset's public_id; with `overwrite: Some(false)` it makes an upload safe to repeat.
    pub public_id: Option<String>,
    /// The asset folder (dynamic folder mode: accounts made after June 2024).
    pub asset_folder: Option<String>,
    /// The legacy fixed-folder parameter (prefixes the public_id).
    pub folder: Option<String>,
    /// A signed upload preset whose settings apply.
    pub upload_preset: Option<String>,
    /// Tags, sent joined by commas.
    pub tags: Vec<String>,
    /// Contextual metadata, sent as `k=v|k2=v2` (`=` and `|` in values escaped with `\`).
    pub context: Vec<(String, String)>,
    /// Eager transformations, separated by `|` (use `variants::eager`).
    pub eager: Option<String>,
    /// Make the eager transformations in the background (needed for videos over 40/300 MB).
    pub eager_async: bool,
    /// Where Cloudinary posts when the eager transformations are ready.
    pub eager_notification_url: Option<String>,
    /// Where Cloudinary posts when the upload is done.
    pub notification_url: Option<String>,
    /// Replace an asset with the same public_id (Cloudinary's default for signed uploads: true).
    pub overwrite: Option<bool>,
    /// Keep a backup copy of this upload.
    pub backup: Option<bool>,
}

impl UploadParams {
    /// The parameters as sent, without `timestamp`, `api_key` and `signature`.
    pub fn to_pairs(&self) -> Vec<(String, String)> {
        let mut out: Vec<(String, String)> = Vec::new();
        let mut put = |k: &str, v: Option<String>| {
            if let Some(v) = v.filter(|v| !v.is_empty()) {
                out.push((k.to_string(), v));
            }
        };
        let bool_text = |b: bool| if b { "true" } else { "false" }.to_string();
        put("public_id", self.public_id.clone());
        put("asset_folder", self.asset_folder.clone());
        put("folder", self.folder.clone());
        put("upload_preset", self.upload_preset.clone());
        put("tags", Some(self.tags.join(",")));
        put("context", Some(context_text(&self.context)));
        put("eager", self.eager.clone());
        put("eager_async", self.eager_async.then(|| "true".to_string()));
        put("eager_notification_url", self.eager_notification_url.clone());
        put("notification_url", self.notification_url.clone());
        put("overwrite", self.overwrite.map(bool_text));
        put("backup", self.backup.map(bool_text));
        out
    }

    /// Whether sending the upload twice does no harm: a fixed public_id with `overwrite=false`
    /// makes Cloudinary answer a repeat with the asset already there (`existing: true`).
    pub fn idempotent(&self) -> bool {
        self.public_id.is_some() && self.overwrite == Some(false)
    }
}

/// `k=v|k2=v2`, escaping `=` and `|` in keys and values as the SDKs do.
fn context_text(pairs: &[(String, String)]) -> String {
    let esc = |s: &str| s.replace('=', "\\=").replace('|', "\\|");
    pairs
        .iter()
        .map(|(k, v)| format!("{}={}", esc(k), esc(v)))
        .collect::<Vec<_>>()
        .join("|")
}

impl CloudinaryClient {
    /// `{api_url}/v1_1/{cloud}/{image|video|auto}/upload`.
    pub fn upload_url(&self, resource: UploadResource) -> Url {
        self.endpoint(&[resource.as_str(), "upload"])
    }

    /// What a browser uploader (Bubble's) needs to upload straight to Cloudinary: the parameters,
    /// `timestamp`, `api_key` and `signature`. Never the secret.
    pub fn signed_params(&self, params: &UploadParams, timestamp: i64) -> Vec<(String, String)> {
        let mut pairs = params.to_pairs();
        pairs.push(("timestamp".into(), timestamp.to_string()));
        let signature = self.sign(&pairs);
        pairs.push(("api_key".into(), self.options().api_key.clone()));
        pairs.push(("signature".into(), signature));
        pairs
    }

    /// A signed upload. Retried in-process on transient failures only when safe (see
    /// [`UploadParams::idempotent`]); otherwise a failure after sending is `OutcomeUnknown`.
    pub async fn upload(
        &self,
        resource: UploadResource,
        source: UploadSource,
        params: &UploadParams,
    ) -> Result<Uploaded, CloudinaryError> {
        let subject = params.public_id.clone().unwrap_or_else(|| match &source {
            UploadSource::Url(u) => u.chars().take(120).collect(),
            UploadSource::File(p) => p.display().to_string(),
        });
        let context = CallContext::new(upload_action(resource), subject);
        let signed = self.signed_params(params, self.clock().now().timestamp());
        let idempotent = params.idempotent();
        let started = std::time::Instant::now();
        let result = match &source {
            UploadSource::Url(url) => {
                self.upload_url_source(&context, resource, url, &signed, idempotent)
                    .await
            }
            UploadSource::File(path) => {
                let size = tokio::fs::metadata(path)
                    .await
                    .map_err(|e| file_error(&context, path, e))?
                    .len();
                if size > self.options().chunk_threshold {
                    self.upload_chunked(&context, resource, path, size, &signed, idempotent)
                        .await
                } else {
                    self.upload_file_whole(&context, resource, path, size, &signed, idempotent)
                        .await
                }
            }
        };
        match &result {
            Ok(up) => tracing::info!(
                message = "Uploaded to Cloudinary.",
                public_id = %up.public_id,
                bytes = up.bytes,
                existing = up.existing,
                elapsed_ms = started.elapsed().as_millis() as u64
            ),
            Err(error) => tracing::warn!(message = "Cloudinary upload failed.", %error, class = %error.class()),
        }
        result
    }

    async fn upload_url_source(
        &self,
        context: &CallContext,
        resource: UploadResource,
        file: &str,
        signed: &[(String, String)],
        idempotent: bool,
    ) -> Result<Uploaded, CloudinaryError> {
        let mut form: Vec<(String, String)> = vec![("file".into(), file.to_string())];
        form.extend_from_slice(signed);
        let sig = signature_of(signed);
        let (form, sig) = (&form, sig.as_str());
        self.run(idempotent, move || async move {
            let request = self.http().post(self.upload_url(resource)).form(form);
            let body = self.exchange(context, false, request, &[sig]).await?;
            self.decode(context, &body)
        })
        .await
    }

    async fn upload_file_whole(
        &self,
        context: &CallContext,
        resource: UploadResource,
        path: &Path,
        size: u64,
        signed: &[(String, String)],
        idempotent: bool,
    ) -> Result<Uploaded, CloudinaryError> {
        let sig = signature_of(signed);
        let sig = sig.as_str();
        self.run(idempotent, move || async move {
            let file = tokio::fs::File::open(path)
                .await
                .map_err(|e| file_error(context, path, e))?;
            let part = Part::stream_with_length(reqwest::Body::from(file), size).file_name(file_name(path));
            let request = self
                .http()
                .post(self.upload_url(resource))
                .multipart(form_of(signed, part));
            let body = self.exchange(context, false, request, &[sig]).await?;
            self.decode(context, &body)
        })
        .await
    }

    /// Sends the file in chunks of `chunk_size`, each read from disk as it is sent (memory does
    /// not grow with the file). Each chunk is retried on its own; the last one's answer is the result.
    async fn upload_chunked(
        &self,
        context: &CallContext,
        resource: UploadResource,
        path: &Path,
        size: u64,
        signed: &[(String, String)],
        idempotent: bool,
    ) -> Result<Uploaded, CloudinaryError> {
        let sig = signature_of(signed);
        let sig = sig.as_str();
        let upload_id = unique_upload_id();
        let upload_id = upload_id.as_str();
        let chunk = self.options().chunk_size;
        let mut start = 0u64;
        loop {
            let len = chunk.min(size - start);
            let end = start + len - 1;
            let last = end + 1 >= size;
            let range = format!("bytes {start}-{end}/{size}");
            tracing::debug!(message = "Uploading a chunk to Cloudinary.", subject = ?context.subject, range = %range, upload_id = %upload_id);
            // Middle chunks may be resent (same id and range); the last one makes the asset.
            let chunk_idempotent = idempotent || !last;
            let range = range.as_str();
            let body = self
                .run(chunk_idempotent, move || async move {
                    let mut file = tokio::fs::File::open(path)
                        .await
                        .map_err(|e| file_error(context, path, e))?;
                    file.seek(std::io::SeekFrom::Start(start))
                        .await
                        .map_err(|e| file_error(context, path, e))?;
                    let stream = tokio_util::io::ReaderStream::new(file.take(len));
                    let part =
                        Part::stream_with_length(reqwest::Body::wrap_stream(stream), len).file_name(file_name(path));
                    let request = self
                        .http()
                        .post(self.upload_url(resource))
                        .header("X-Unique-Upload-Id", upload_id)
                        .header(reqwest::header::CONTENT_RANGE, range)
                        .multipart(form_of(signed, part));
                    self.exchange(context, false, request, &[sig]).await
                })
                .await?;
            if last {
                return self.decode(context, &body);
            }
            start = end + 1;
        }
    }
}

fn upload_action(resource: UploadResource) -> &'static str {
    match resource {
        UploadResource::Image => "upload image",
        UploadResource::Video => "upload video",
        UploadResource::Auto => "upload",
    }
}

fn signature_of(signed: &[(String, String)]) -> String {
    signed
        .iter()
        .find(|(k, _)| k == "signature")
        .map(|(_, v)| v.clone())
        .unwrap_or_default()
}

fn form_of(signed: &[(String, String)], file: Part) -> Form {
    signed
        .iter()
        .fold(Form::new(), |form, (k, v)| form.text(k.clone(), v.clone()))
        .part("file", file)
}

fn file_name(path: &Path) -> String {
    path.file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| "file".into())
}

fn file_error(context: &CallContext, path: &Path, e: std::io::Error) -> CloudinaryError {
    CloudinaryError::File {
        context: context.clone(),
        path: path.to_path_buf(),
        detail: e.to_string(),
    }
}

/// A random id for `X-Unique-Upload-Id` (the SDKs use a random hex string).
fn unique_upload_id() -> String {
    let n: u128 = rand::random();
    format!("{n:032x}")
}
