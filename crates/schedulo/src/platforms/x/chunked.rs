//! X's chunked upload, for video and animated GIF (docs.x.com `x-api/media/quickstart/media-upload-chunked`):
//! 1. `POST /2/media/upload/initialize` `{"media_type","total_bytes","media_category"}` ->
//!    `{"data":{"id","media_key","expires_after_secs"}}`;
//! 2. `POST /2/media/upload/{id}/append`, multipart `media` (at most 5 MB a segment, X's limit) and
//!    `segment_index` (0 to 999), in order -> `{"data":{"expires_at"}}`;
//! 3. `POST /2/media/upload/{id}/finalize` -> `{"data":{"id","size","expires_after_secs",
//!    "processing_info"?:{"state","check_after_secs"}}}`;
//! 4. while `processing_info.state` is `pending` or `in_progress`: wait `check_after_secs`, then
//!    `GET /2/media/upload?command=STATUS&media_id={id}` (same shape), until `succeeded` or
//!    `failed` (`processing_info.error.message` says why).
//!
//! The file is read one segment at a time, so memory does not grow with the video.

use super::client::{unreachable, Api};
use super::errors::{RateHeaders, XApiError};
use crate::error_class::ErrorClass;
use crate::platforms::{Account, PublishError};
use serde::de::DeserializeOwned;
use serde::Deserialize;
use serde_json::json;
use std::time::Duration;
use tokio::io::{AsyncReadExt, AsyncSeekExt};

/// X's answer to initialize, finalize and STATUS: `data`.
#[derive(Debug, Clone, Deserialize)]
pub struct UploadData {
    pub id: String,
    /// How long the media id can be used from now.
    #[serde(default)]
    pub expires_after_secs: Option<u64>,
    #[serde(default)]
    pub processing_info: Option<ProcessingInfo>,
}

#[derive(Debug, Clone, Deserialize)]
pub struct ProcessingInfo {
    /// `pending`, `in_progress`, `succeeded` or `failed`.
    pub state: String,
    #[serde(default)]
    pub check_after_secs: Option<u64>,
    #[serde(default)]
    pub error: Option<ProcessingError>,
}

#[derive(Debug, Clone, Deserialize)]
pub struct ProcessingError {
    #[serde(default)]
    pub name: Option<String>,
    #[serde(default)]
    pub message: Option<String>,
}

#[derive(Deserialize)]
struct Envelope<T> {
    data: Option<T>,
}

/// One upload: what every call of it shares.
pub struct Upload<'a> {
    pub api: &'a Api,
    pub account: &'a Account,
    /// Timeout of one call.
    pub timeout: Duration,
    /// "video 1 (clip.mp4)", for messages.
    pub what: String,
}

/// What processing came to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Processed {
    /// The media id can be used in a post.
    Ready,
    /// Still processing when the deadline came.
    Pending,
}

impl Upload<'_> {
    /// Initialize: the media id and how long it lives.
    pub async fn initialize(
        &self,
        media_type: &str,
        total_bytes: u64,
        category: &str,
    ) -> Result<UploadData, PublishError> {
        let url = self.api.url(&["2", "media", "upload", "initialize"]);
        let body = json!({ "media_type": media_type, "total_bytes": total_bytes, "media_category": category });
        let request = self.request(reqwest::Method::POST, url).json(&body);
        self.call(request, "initialize").await
    }

    /// Appends `file` (of `total_bytes`) in segments of `chunk_bytes`; returns how many were sent.
    pub async fn append_all(
        &self,
        id: &str,
        file: &mut tokio::fs::File,
        total_bytes: u64,
        chunk_bytes: u64,
    ) -> Result<u32, PublishError> {
        let chunk_bytes = chunk_bytes.max(1);
        file.seek(std::io::SeekFrom::Start(0))
            .await
            .map_err(|e| self.local(format!("could not read the downloaded file: {e}")))?;
        let mut sent = 0u64;
        let mut index = 0u32;
        while sent < total_bytes {
            let len = chunk_bytes.min(total_bytes - sent);
            let mut chunk = Vec::with_capacity(len as usize);
            (&mut *file)
                .take(len)
                .read_to_end(&mut chunk)
                .await
                .map_err(|e| self.local(format!("could not read the downloaded file: {e}")))?;
            if chunk.len() as u64 != len {
                return Err(self.local("the downloaded file is shorter than its size".into()));
            }
            let part = reqwest::multipart::Part::bytes(chunk)
                .file_name("chunk")
                .mime_str("application/octet-stream")
                .map_err(|e| unreachable(ErrorClass::Permanent, "Could not build an upload to X", e, self.account))?;
            let form = reqwest::multipart::Form::new()
                .part("media", part)
                .text("segment_index", index.to_string());
            let url = self.api.url(&["2", "media", "upload", id, "append"]);
            let request = self.request(reqwest::Method::POST, url).multipart(form);
            let _: serde_json::Value = self.call_raw(request, &format!("append (segment {index})")).await?;
            sent += len;
            index += 1;
        }
        Ok(index)
    }

    /// Finalize.
    pub async fn finalize(&self, id: &str) -> Result<UploadData, PublishError> {
        let url = self.api.url(&["2", "media", "upload", id, "finalize"]);
        self.call(self.request(reqwest::Method::POST, url), "finalize").await
    }

    /// STATUS.
    pub async fn status(&self, id: &str) -> Result<UploadData, PublishError> {
        let mut url = self.api.url(&["2", "media", "upload"]);
        url.query_pairs_mut()
            .append_pair("command", "STATUS")
            .append_pair("media_id", id);
        self.call(self.request(reqwest::Method::GET, url), "STATUS").await
    }

    /// Polls STATUS from `data` (finalize's answer) until processing ends or `deadline`, waiting
    /// what X asks between checks (1 s to 60 s). Returns the latest `data` too (for its expiry).
    pub async fn wait(
        &self,
        mut data: UploadData,
        deadline: tokio::time::Instant,
    ) -> Result<(Processed, UploadData), PublishError> {
        loop {
            let Some(info) = data.processing_info.clone() else {
                return Ok((Processed::Ready, data));
            };
            match info.state.as_str() {
                "succeeded" => return Ok((Processed::Ready, data)),
                "failed" => return Err(self.failed(info.error.as_ref())),
                _ => {}
            }
            let wait = Duration::from_secs(info.check_after_secs.unwrap_or(5).clamp(1, 60));
            let now = tokio::time::Instant::now();
            if now + wait > deadline {
                return Ok((Processed::Pending, data));
            }
            tokio::time::sleep(wait).await;
            data = self.status(&data.id).await?;
        }
    }

    fn failed(&self, error: Option<&ProcessingError>) -> PublishError {
        let words = error
            .and_then(|e| e.message.clone().or_else(|| e.name.clone()))
            .unwrap_or_else(|| "no reason given".into());
        PublishError {
            class: ErrorClass::Permanent,
            message: format!("X could not process {}: {words}", self.what),
            retry_at: None,
        }
    }

    fn request(&self, method: reqwest::Method, url: url::Url) -> reqwest::RequestBuilder {
        self.api.request(method, url, self.account, self.timeout)
    }

    /// A failure on this machine (reading the temp file): transient, the next try downloads again.
    fn local(&self, why: String) -> PublishError {
        PublishError {
            class: ErrorClass::Transient,
            message: format!("Could not upload {} to X: {why}", self.what),
            retry_at: None,
        }
    }

    async fn call(&self, request: reqwest::RequestBuilder, step: &str) -> Result<UploadData, PublishError> {
        let envelope: Envelope<UploadData> = self.call_raw(request, step).await?;
        match envelope.data {
            Some(data) if !data.id.trim().is_empty() => Ok(data),
            _ => Err(PublishError {
                class: ErrorClass::Transient,
                message: format!("X's answer to the {step} of {} holds no media id", self.what),
                retry_at: None,
            }),
        }
    }

    /// Sends one call of the upload; X's refusals are classified as every X error is (5xx transient).
    async fn call_raw<T: DeserializeOwned>(
        &self,
        request: reqwest::RequestBuilder,
        step: &str,
    ) -> Result<T, PublishError> {
        let doing = format!("Could not upload {} to X ({step})", self.what);
        let response = request
            .send()
            .await
            .map_err(|e| unreachable(ErrorClass::Transient, &doing, e, self.account))?;
        let status = response.status().as_u16();
        let headers = RateHeaders::parse(response.headers());
        let body = response
            .bytes()
            .await
            .map_err(|e| unreachable(ErrorClass::Transient, &doing, e, self.account))?;
        let what = format!("the {step} of {}", self.what);
        if !(200..300).contains(&status) {
            let error = XApiError::from_response(status, &body);
            return Err(self.api.refused(&what, &error, &headers, self.account));
        }
        if let Some(error) = XApiError::from_partial(status, &body) {
            return Err(self.api.refused(&what, &error, &headers, self.account));
        }
        let body: &[u8] = if body.is_empty() { b"{}" } else { &body };
        serde_json::from_slice(body).map_err(|_| PublishError {
            class: ErrorClass::Transient,
            message: format!("X's answer to the {step} of {} is not the JSON it documents", self.what),
            retry_at: None,
        })
    }
}
