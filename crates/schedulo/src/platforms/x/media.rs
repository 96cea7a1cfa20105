//! Media preparation (video and GIF: `video.rs`): each image is downloaded from its URL and uploaded to X
//! (`POST /2/media/upload`, multipart: `media` = the bytes, `media_category=tweet_image`), which
//! answers `{"data":{"id","media_key","size","expires_after_secs",...}}`. Safe to repeat: an
//! upload that is never used expires (after `expires_after_secs`, 24 h).
//!
//! X also takes the same fields as JSON with `media` base64-encoded (its OpenAPI document lists
//! both bodies); multipart is the long-documented form and sends the bytes as they are.

use super::client::{unreachable, Api};
use super::errors::{RateHeaders, XApiError};
use super::rules::{file_name, megabytes, XRules};
use super::video::{self, VideoOptions};
use crate::error_class::ErrorClass;
use crate::platforms::{Account, MediaRef, PostContent, Prepared, PublishError};
use serde::Deserialize;
use std::time::Duration;

/// An image ready to upload.
#[derive(Debug)]
pub struct Image {
    /// The URL's file name, for messages.
    pub name: String,
    pub bytes: Vec<u8>,
    pub mime: &'static str,
}

/// Uploads the post's video or GIF (`video.rs`), or every image of `post` in order, and
/// returns X's media ids.
pub async fn prepare(
    api: &Api,
    rules: &XRules,
    timeout: Duration,
    video_options: &VideoOptions,
    account: &Account,
    post: &PostContent,
) -> Result<Prepared, PublishError> {
    if let Some((n, media)) = video::moving(post) {
        return video::prepare(api, rules, video_options, account, post, n, media).await;
    }
    let mut media_ids = Vec::with_capacity(post.media.len());
    for media in &post.media {
        let image = download(api, rules, timeout, media, account).await?;
        let name = image.name.clone();
        let id = upload(api, timeout, account, image).await?;
        tracing::debug!(message = "Uploaded an image to X.", record = %post.record_id, file = %name, media_id = %id);
        media_ids.push(id);
    }
    Ok(Prepared {
        media_ids,
        ..Prepared::default()
    })
}

/// Downloads one image (no X token is sent to the media host), at most `max_image_bytes`.
pub async fn download(
    api: &Api,
    rules: &XRules,
    timeout: Duration,
    media: &MediaRef,
    account: &Account,
) -> Result<Image, PublishError> {
    let name = file_name(&media.url);
    let url = api
        .media
        .admit(&media.url)
        .await
        .map_err(|why| permanent(format!("X cannot use the media {name}: its URL is refused: {why}")))?;
    let doing = format!("Could not download {name} for X");
    let mut response = match api.media.get(&url).timeout(timeout).send().await {
        Ok(response) => response,
        Err(e) => {
            return Err(match crate::fetch::MediaFetcher::refusal(&e) {
                Some(why) => permanent(format!("X cannot use the media {name}: its URL is refused: {why}")),
                None => unreachable(ErrorClass::Transient, &doing, e, account),
            })
        }
    };
    let status = response.status();
    if !status.is_success() {
        let class = if status.is_server_error() || matches!(status.as_u16(), 408 | 429) {
            ErrorClass::Transient
        } else {
            ErrorClass::Permanent
        };
        return Err(PublishError {
            class,
            message: format!("{doing} ({status})"),
            retry_at: None,
        });
    }
    let too_big = || {
        permanent(format!(
            "X allows images up to {}; {name} is larger",
            megabytes(rules.max_image_bytes)
        ))
    };
    if response.content_length().is_some_and(|n| n > rules.max_image_bytes) {
        return Err(too_big());
    }
    let content_type = response
        .headers()
        .get(reqwest::header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("no content type")
        .to_string();
    let mut bytes = Vec::new();
    while let Some(chunk) = response
        .chunk()
        .await
        .map_err(|e| unreachable(ErrorClass::Transient, &doing, e, account))?
    {
        bytes.extend_from_slice(&chunk);
        if bytes.len() as u64 > rules.max_image_bytes {
            return Err(too_big());
        }
    }
    let Some(mime) = sniff(&bytes) else {
        return Err(permanent(format!(
            "{name} is not an image X takes (JPEG, PNG, GIF or WEBP); it came as {content_type}"
        )));
    };
    Ok(Image { name, bytes, mime })
}

/// The image type of `bytes` by their first bytes, if X takes it.
pub fn sniff(bytes: &[u8]) -> Option<&'static str> {
    match bytes {
        [0xFF, 0xD8, 0xFF, ..] => Some("image/jpeg"),
        [0x89, b'P', b'N', b'G', ..] => Some("image/png"),
        [b'G', b'I', b'F', b'8', ..] => Some("image/gif"),
        [b'R', b'I', b'F', b'F', _, _, _, _, b'W', b'E', b'B', b'P', ..] => Some("image/webp"),
        _ => None,
    }
}

#[derive(Deserialize)]
struct Uploaded {
    data: Option<UploadedData>,
}

#[derive(Deserialize)]
struct UploadedData {
    id: String,
}

/// Uploads one image; returns X's media id.
async fn upload(api: &Api, timeout: Duration, account: &Account, image: Image) -> Result<String, PublishError> {
    let Image { name, bytes, mime } = image;
    let doing = format!("Could not upload {name} to X");
    let part = reqwest::multipart::Part::bytes(bytes)
        .file_name(name.clone())
        .mime_str(mime)
        .map_err(|e| unreachable(ErrorClass::Permanent, &doing, e, account))?;
    let form = reqwest::multipart::Form::new()
        .part("media", part)
        .text("media_category", "tweet_image");
    let url = api.url(&["2", "media", "upload"]);
    let response = api
        .request(reqwest::Method::POST, url, account, timeout)
        .multipart(form)
        .send()
        .await
        .map_err(|e| unreachable(ErrorClass::Transient, &doing, e, account))?;
    let status = response.status().as_u16();
    let headers = RateHeaders::parse(response.headers());
    let body = response
        .bytes()
        .await
        .map_err(|e| unreachable(ErrorClass::Transient, &doing, e, account))?;
    let what = format!("the image {name}");
    if !(200..300).contains(&status) {
        return Err(api.refused(&what, &XApiError::from_response(status, &body), &headers, account));
    }
    if let Some(error) = XApiError::from_partial(status, &body) {
        return Err(api.refused(&what, &error, &headers, account));
    }
    match serde_json::from_slice::<Uploaded>(&body).ok().and_then(|u| u.data) {
        Some(data) if !data.id.trim().is_empty() => Ok(data.id),
        _ => Err(PublishError {
            class: ErrorClass::Transient,
            message: format!("X's answer to the upload of {name} holds no media id"),
            retry_at: None,
        }),
    }
}

fn permanent(message: String) -> PublishError {
    PublishError {
        class: ErrorClass::Permanent,
        message,
        retry_at: None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn images_are_told_by_their_first_bytes() {
        assert_eq!(sniff(crate::media::synth::SAMPLE_JPG), Some("image/jpeg"));
        assert_eq!(sniff(crate::media::synth::SAMPLE_PNG), Some("image/png"));
        assert_eq!(sniff(b"GIF89a...."), Some("image/gif"));
        assert_eq!(sniff(b"RIFF\0\0\0\0WEBPVP8 "), Some("image/webp"));
        assert_eq!(sniff(b"<html>"), None);
        assert_eq!(sniff(b""), None);
    }
}
