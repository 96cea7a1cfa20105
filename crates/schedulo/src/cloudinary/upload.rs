//! Signed uploads (Upload API): from a URL Cloudinary fetches, from a local file in one multipart
//! request, or, above the chunk threshold, in chunks streamed from disk; and the signed parameters
//! Bubble's uploader needs to upload straight to Cloudinary.
//!
//! Chunks (cloudinary.com/documentation/upload_images#chunked_asset_upload, pycloudinary
//! `upload_large`): each chunk is a multipart POST to the same upload URL with every parameter,
//! signed afresh for each chunk with the time it is sent (as pycloudinary and cloudinary_npm do:
//! a signature is valid one hour, a large upload may take longer), `X-Unique-Upload-Id` the same
//! on every chunk, `Content-Range: bytes a-b/total`, first chunk first and last chunk last; the
//! last chunk's answer is the upload's result.
//!
//! A request carrying a file or chunk of `n` bytes times out after `timeout + n /
//! min_upload_bytes_per_sec` ([`super::options::CloudinaryOptions::upload_timeout`]).

use super::client::{maybe_applied, outcome_of, CloudinaryClient};
use super::error::{CallContext, CloudinaryError};
use super::types::Uploaded;
use super::variants::Resource;
use backon::BackoffBuilder;
use reqwest::multipart::{Form, Part};
use std::path::{Path, PathBuf};
use std::pin::Pin;
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll};
use tokio::io::{AsyncRead, AsyncReadExt, AsyncSeekExt, ReadBuf};
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
    /// Every request (each chunk, each retry) is signed afresh with the clock's time, since
    /// Cloudinary refuses a timestamp older than an hour ("Stale request").
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
        let started = std::time::Instant::now();
        let result = match &source {
            UploadSource::Url(url) => self.upload_url_source(&context, resource, url, params).await,
            UploadSource::File(path) => {
                let size = tokio::fs::metadata(path)
                    .await
                    .map_err(|e| file_error(&context, path, e.to_string()))?
                    .len();
                if size > self.options().chunk_threshold {
                    self.upload_chunked(&context, resource, path, size, params).await
                } else {
                    self.upload_file_whole(&context, resource, path, size, params).await
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

    /// The parameters signed now, and the signature (to scrub out of what comes back).
    fn sign_now(&self, params: &UploadParams) -> (Vec<(String, String)>, String) {
        let signed = self.signed_params(params, self.clock().now().timestamp());
        let signature = signature_of(&signed);
        (signed, signature)
    }

    async fn upload_url_source(
        &self,
        context: &CallContext,
        resource: UploadResource,
        file: &str,
        params: &UploadParams,
    ) -> Result<Uploaded, CloudinaryError> {
        self.run(params.idempotent(), move || async move {
            let (signed, sig) = self.sign_now(params);
            let mut form: Vec<(String, String)> = vec![("file".into(), file.to_string())];
            form.extend(signed);
            let request = self.http().post(self.upload_url(resource)).form(&form);
            let body = self.exchange(context, false, request, &[&sig]).await?;
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
        params: &UploadParams,
    ) -> Result<Uploaded, CloudinaryError> {
        self.run(params.idempotent(), move || async move {
            let (signed, sig) = self.sign_now(params);
            let (part, read_failure) = file_part(context, path, 0, size).await?;
            let request = self
                .http()
                .post(self.upload_url(resource))
                .timeout(self.options().upload_timeout(size))
                .multipart(form_of(&signed, part));
            let body = self
                .exchange(context, false, request, &[&sig])
                .await
                .map_err(|e| read_failure.or(context, path, e))?;
            self.decode(context, &body)
        })
        .await
    }

    /// A chunked upload. When the answer to the last chunk is lost (a timeout, a 5xx) and the
    /// upload is safe to repeat, the whole upload starts again under a new `X-Unique-Upload-Id`
    /// (Cloudinary answers a repeat `existing: true`), at most `retry.attempts` times in all:
    /// resending only the last chunk would reuse an upload id that may already be finished.
    async fn upload_chunked(
        &self,
        context: &CallContext,
        resource: UploadResource,
        path: &Path,
        size: u64,
        params: &UploadParams,
    ) -> Result<Uploaded, CloudinaryError> {
        let idempotent = params.idempotent();
        let runs = if idempotent {
            self.options().retry.attempts.max(1)
        } else {
            1
        };
        let mut delays = self.backoff().build();
        let mut run = 1;
        loop {
            match self.upload_chunks(context, resource, path, size, params).await {
                Ok(up) => return Ok(up),
                Err(ChunkFailure { last: true, error }) if run < runs && maybe_applied(&error) => {
                    let delay = delays.next().unwrap_or(self.options().retry.max_delay);
                    tracing::warn!(
                        message = "The last chunk's answer was lost; restarting the upload under a new upload id.",
                        %error,
                        run,
                        delay_ms = delay.as_millis() as u64
                    );
                    tokio::time::sleep(delay).await;
                    run += 1;
                }
                Err(ChunkFailure { error, .. }) => return Err(outcome_of(error, idempotent)),
            }
        }
    }

    /// Sends the file in chunks of `chunk_size` under one new upload id, each read from disk as
    /// it is sent (memory does not grow with the file). A chunk before the last is retried on its
    /// own (same id and range); the last is retried only when it surely was not sent, and its
    /// answer is the result.
    async fn upload_chunks(
        &self,
        context: &CallContext,
        resource: UploadResource,
        path: &Path,
        size: u64,
        params: &UploadParams,
    ) -> Result<Uploaded, ChunkFailure> {
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
            let range = range.as_str();
            let attempt = move || async move {
                let (signed, sig) = self.sign_now(params);
                let (part, read_failure) = file_part(context, path, start, len).await?;
                let request = self
                    .http()
                    .post(self.upload_url(resource))
                    .timeout(self.options().upload_timeout(len))
                    .header("X-Unique-Upload-Id", upload_id)
                    .header(reqwest::header::CONTENT_RANGE, range)
                    .multipart(form_of(&signed, part));
                self.exchange(context, false, request, &[&sig])
                    .await
                    .map_err(|e| read_failure.or(context, path, e))
            };
            // Middle chunks may be resent (same id and range); the last one makes the asset.
            let sent = if last {
                self.retrying(false, attempt).await
            } else {
                self.run(true, attempt).await
            };
            let body = sent.map_err(|error| ChunkFailure { last, error })?;
            if last {
                return self
                    .decode(context, &body)
                    .map_err(|error| ChunkFailure { last, error });
            }
            start = end + 1;
        }
    }
}

/// A chunked upload's failure, and whether it was the last chunk's.
struct ChunkFailure {
    last: bool,
    error: CloudinaryError,
}

/// `len` bytes of the file from `start`, as a part streamed from disk while it is sent, and the
/// slot where a failure to read it is kept.
async fn file_part(
    context: &CallContext,
    path: &Path,
    start: u64,
    len: u64,
) -> Result<(Part, ReadFailure), CloudinaryError> {
    let mut file = tokio::fs::File::open(path)
        .await
        .map_err(|e| file_error(context, path, e.to_string()))?;
    if start > 0 {
        file.seek(std::io::SeekFrom::Start(start))
            .await
            .map_err(|e| file_error(context, path, e.to_string()))?;
    }
    let failure = ReadFailure::default();
    let reader = WatchedRead {
        inner: file.take(len),
        left: len,
        failure: failure.clone(),
    };
    let stream = tokio_util::io::ReaderStream::new(reader);
    let part = Part::stream_with_length(reqwest::Body::wrap_stream(stream), len).file_name(file_name(path));
    Ok((part, failure))
}

/// Where a file read that failed while its bytes were being sent is told: the request then
/// failed for want of the file, and the part it did send is incomplete, so Cloudinary cannot have
/// applied it (a `File` error, not a network one).
#[derive(Clone, Default)]
struct ReadFailure(Arc<Mutex<Option<String>>>);

impl ReadFailure {
    fn set(&self, detail: String) {
        self.0.lock().expect("read failure lock").get_or_insert(detail);
    }

    /// `error`, or the `File` error that caused it.
    fn or(&self, context: &CallContext, path: &Path, error: CloudinaryError) -> CloudinaryError {
        match self.0.lock().expect("read failure lock").take() {
            Some(detail) => file_error(context, path, detail),
            None => error,
        }
    }
}

/// A reader of `left` bytes that records a read error, or the file ending before them, in its
/// [`ReadFailure`].
struct WatchedRead<R> {
    inner: R,
    left: u64,
    failure: ReadFailure,
}

impl<R: AsyncRead + Unpin> AsyncRead for WatchedRead<R> {
    fn poll_read(mut self: Pin<&mut Self>, cx: &mut Context<'_>, buf: &mut ReadBuf<'_>) -> Poll<std::io::Result<()>> {
        if self.left == 0 || buf.remaining() == 0 {
            return Poll::Ready(Ok(()));
        }
        let before = buf.filled().len();
        match Pin::new(&mut self.inner).poll_read(cx, buf) {
            Poll::Ready(Ok(())) => {
                let read = (buf.filled().len() - before) as u64;
                if read == 0 {
                    let detail = format!("the file ended {} bytes early (did it change?)", self.left);
                    self.failure.set(detail.clone());
                    return Poll::Ready(Err(std::io::Error::new(std::io::ErrorKind::UnexpectedEof, detail)));
                }
                self.left = self.left.saturating_sub(read);
                Poll::Ready(Ok(()))
            }
            Poll::Ready(Err(e)) => {
                self.failure.set(e.to_string());
                Poll::Ready(Err(e))
            }
            Poll::Pending => Poll::Pending,
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

fn file_error(context: &CallContext, path: &Path, detail: String) -> CloudinaryError {
    CloudinaryError::File {
        context: context.clone(),
        path: path.to_path_buf(),
        detail,
    }
}

/// A random id for `X-Unique-Upload-Id` (the SDKs use a random hex string).
fn unique_upload_id() -> String {
    let n: u128 = rand::random();
    format!("{n:032x}")
}
