//! Media: `POST /2/media/upload` as X documents it (multipart: `media` as raw bytes, or JSON:
//! `media` base64-encoded; `media_category` required).

use super::app::{SharedApp, StoredMedia};
use super::limits::sniff_image as sniff;
use super::problems::{invalid, Problem};
use super::tweets::MEDIA_LIFETIME;
use super::XSandboxUser;
use axum::body::Bytes;
use axum::extract::{Extension, FromRequest, Multipart, Request, State};
use axum::http::header;
use axum::response::{IntoResponse, Response};
use axum::Json;
use base64::Engine;
use serde::Deserialize;
use serde_json::{json, Value};

/// X's limit on one image (5 MB; [`super::limits`]).
pub use super::limits::MAX_IMAGE_BYTES;

/// The largest request body the upload route reads (a base64 image of 5 MB, with room).
pub const MAX_UPLOAD_BODY: usize = 8 * 1024 * 1024;

/// X's media categories (OpenAPI `MediaUploadRequest`).
pub const CATEGORIES: &[&str] = &[
    "tweet_image",
    "tweet_video",
    "tweet_gif",
    "dm_image",
    "dm_video",
    "dm_gif",
    "subtitles",
];

/// The fields of an upload, from either body.
#[derive(Debug, Default)]
struct Upload {
    media_category: Option<String>,
    bytes: Vec<u8>,
}

/// The JSON body (X's OpenAPI `MediaUploadRequest`).
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct JsonUpload {
    media: Option<String>,
    media_category: Option<String>,
    #[serde(default, rename = "additional_owners")]
    _additional_owners: Option<Value>,
    #[serde(default, rename = "shared")]
    _shared: Option<Value>,
    #[serde(default, rename = "media_type")]
    _media_type: Option<Value>,
}

/// `POST /2/media/upload`.
pub async fn upload(State(app): State<SharedApp>, Extension(user): Extension<XSandboxUser>, req: Request) -> Response {
    let content_type = req
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_ascii_lowercase();
    let upload = if content_type.starts_with("multipart/form-data") {
        from_multipart(req).await
    } else if content_type.starts_with("application/json") {
        from_json(req).await
    } else {
        Err(invalid(None, "Upload media as multipart/form-data or application/json"))
    };
    match upload.and_then(|u| store(&app, &user, u)) {
        Ok(data) => Json(json!({ "data": data })).into_response(),
        Err(problem) => problem.into_response(),
    }
}

async fn from_multipart(req: Request) -> Result<Upload, Problem> {
    let unreadable = |detail: String| invalid(None, format!("The multipart body could not be read: {detail}"));
    let mut multipart = Multipart::from_request(req, &())
        .await
        .map_err(|e| unreadable(e.body_text()))?;
    let mut upload = Upload::default();
    while let Some(field) = multipart.next_field().await.map_err(|e| unreadable(e.body_text()))? {
        let name = field.name().unwrap_or("").to_string();
        let data = field.bytes().await.map_err(|e| unreadable(e.body_text()))?;
        match name.as_str() {
            "media" => upload.bytes = data.to_vec(),
            "media_category" => upload.media_category = Some(String::from_utf8_lossy(&data).trim().to_string()),
            "additional_owners" | "shared" | "media_type" => {}
            other => {
                return Err(invalid(
                    Some((other, "")),
                    format!("The field `{other}` is not allowed here"),
                ))
            }
        }
    }
    Ok(upload)
}

async fn from_json(req: Request) -> Result<Upload, Problem> {
    let body = Bytes::from_request(req, &())
        .await
        .map_err(|e| invalid(None, e.body_text()))?;
    let json: JsonUpload = serde_json::from_slice(&body)
        .map_err(|e| invalid(None, format!("Your request body could not be parsed: {e}")))?;
    let bytes = match json.media {
        Some(encoded) => base64::engine::general_purpose::STANDARD
            .decode(encoded.trim())
            .map_err(|_| invalid(Some(("media", "")), "`media` must be base64-encoded in a JSON body"))?,
        None => Vec::new(),
    };
    Ok(Upload {
        media_category: json.media_category,
        bytes,
    })
}

/// Checks an upload and keeps it; returns `data`.
fn store(app: &SharedApp, user: &XSandboxUser, upload: Upload) -> Result<Value, Problem> {
    let category = upload
        .media_category
        .ok_or_else(|| invalid(Some(("media_category", "")), "`media_category` is required"))?;
    if !CATEGORIES.contains(&category.as_str()) {
        return Err(invalid(
            Some(("media_category", &category)),
            format!("`media_category` must be one of [{}]", CATEGORIES.join(", ")),
        ));
    }
    if !matches!(category.as_str(), "tweet_image" | "dm_image") {
        return Err(invalid(
            Some(("media_category", &category)),
            "The sandbox takes images only in one request; video and GIF use the chunked upload",
        ));
    }
    if upload.bytes.is_empty() {
        return Err(invalid(Some(("media", "")), "`media` is required"));
    }
    if upload.bytes.len() > MAX_IMAGE_BYTES {
        return Err(invalid(None, format!("File size exceeds {MAX_IMAGE_BYTES} bytes.")));
    }
    let Some(mime) = sniff(&upload.bytes) else {
        return Err(invalid(None, "media type unrecognized."));
    };
    let mut inner = app.lock();
    let id = inner.next_id(app.clock.now());
    inner.media.insert(
        id.clone(),
        StoredMedia {
            owner_id: user.id.clone(),
            uploaded: tokio::time::Instant::now(),
            key_prefix: "3_",
            processing: None,
        },
    );
    inner.counters.media_uploaded += 1;
    let mut image = json!({ "image_type": mime });
    if let Some((w, h)) = dimensions(&upload.bytes) {
        image["w"] = w.into();
        image["h"] = h.into();
    }
    Ok(json!({
        "id": id,
        "media_key": format!("3_{id}"),
        "size": upload.bytes.len(),
        "expires_after_secs": MEDIA_LIFETIME.as_secs(),
        "image": image,
    }))
}

/// Width and height of a PNG or JPEG, read from its header.
pub fn dimensions(bytes: &[u8]) -> Option<(u32, u32)> {
    let be16 = |i: usize| Some(u32::from(u16::from_be_bytes([*bytes.get(i)?, *bytes.get(i + 1)?])));
    let be32 = |i: usize| Some(u32::from_be_bytes(bytes.get(i..i + 4)?.try_into().ok()?));
    if bytes.starts_with(b"\x89PNG") {
        return Some((be32(16)?, be32(20)?));
    }
    if !bytes.starts_with(&[0xFF, 0xD8]) {
        return None;
    }
    let mut i = 2;
    while i + 3 < bytes.len() {
        if bytes[i] != 0xFF {
            return None;
        }
        let marker = bytes[i + 1];
        if marker == 0xFF {
            i += 1;
            continue;
        }
        let is_frame = matches!(marker, 0xC0..=0xCF) && !matches!(marker, 0xC4 | 0xC8 | 0xCC);
        if is_frame {
            return Some((be16(i + 7)?, be16(i + 5)?));
        }
        i += 2 + usize::try_from(be16(i + 2)?).ok()?;
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_samples_are_images_whose_size_can_be_read() {
        for name in ["sample.jpg", "sample.png"] {
            let (bytes, mime) = crate::files::file(name).unwrap();
            assert_eq!(sniff(&bytes), Some(mime), "{name}");
            assert_eq!(dimensions(&bytes), Some((32, 32)), "{name}");
        }
        assert_eq!(dimensions(b"\xFF\xD8\xFF"), None);
        assert_eq!(dimensions(b"\xFF\xD8\xFF\xE0\x00"), None);
        assert_eq!(dimensions(b""), None);
    }
}
