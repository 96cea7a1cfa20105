//! The bodies Cloudinary answers with (fields this worker reads; every other field is ignored).
//! Examples of each are in `fixtures/cloudinary/`.

use crate::media::MediaInfo;
use serde::Deserialize;

/// A successful upload (Upload API answer).
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct Uploaded {
    pub public_id: String,
    pub version: u64,
    pub secure_url: String,
    #[serde(default)]
    pub url: String,
    pub resource_type: String,
    /// The format Cloudinary detected (`jpg`, `png`, `mp4`...); empty for raw files.
    #[serde(default)]
    pub format: String,
    #[serde(default)]
    pub width: Option<u32>,
    #[serde(default)]
    pub height: Option<u32>,
    #[serde(default)]
    pub bytes: u64,
    /// Seconds (video and audio).
    #[serde(default)]
    pub duration: Option<f64>,
    #[serde(default)]
    pub frame_rate: Option<f64>,
    /// `video.codec`, e.g. `h264`.
    #[serde(default, rename = "video", deserialize_with = "codec_of")]
    pub video_codec: Option<String>,
    #[serde(default)]
    pub asset_folder: Option<String>,
    /// True when an asset with this public_id was already there (and `overwrite` was false).
    #[serde(default)]
    pub existing: bool,
    /// The eager variants: made, or (eager_async) still processing.
    #[serde(default)]
    pub eager: Vec<Derived>,
}

fn codec_of<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Option<String>, D::Error> {
    #[derive(Deserialize)]
    struct Video {
        #[serde(default)]
        codec: Option<String>,
    }
    Ok(Option::<Video>::deserialize(d)?.and_then(|v| v.codec))
}

/// One derived (eager) asset. While it is being made (`eager_async`), only `status`
/// (`processing`), `batch_id` and the URLs are known.
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct Derived {
    /// The transformation string; when Cloudinary leaves it out, read from the URL.
    #[serde(default)]
    pub transformation: Option<String>,
    #[serde(default)]
    pub width: Option<u32>,
    #[serde(default)]
    pub height: Option<u32>,
    #[serde(default)]
    pub bytes: Option<u64>,
    #[serde(default)]
    pub format: Option<String>,
    #[serde(default)]
    pub secure_url: String,
    #[serde(default)]
    pub url: String,
    /// `processing` while an async eager transformation runs; absent once made.
    #[serde(default)]
    pub status: Option<String>,
    /// The batch an async eager transformation belongs to (its notification names it).
    #[serde(default)]
    pub batch_id: Option<String>,
}

impl Derived {
    /// Still being made (eager_async): its size and dimensions are not known yet.
    pub fn pending(&self) -> bool {
        matches!(self.status.as_deref(), Some(s) if s != "complete" && s != "completed")
    }

    /// The transformation string, from the field or else from the URL (`/upload/{t}/v{version}/`).
    pub fn transformation_string(&self) -> Option<String> {
        if let Some(t) = self.transformation.as_ref().filter(|t| !t.is_empty()) {
            return Some(t.clone());
        }
        let url = if self.secure_url.is_empty() {
            &self.url
        } else {
            &self.secure_url
        };
        let after = url.split_once("/upload/")?.1;
        let mut steps = Vec::new();
        for seg in after.split('/') {
            if seg.len() > 1 && seg.starts_with('v') && seg[1..].chars().all(|c| c.is_ascii_digit()) {
                break;
            }
            steps.push(seg);
        }
        (!steps.is_empty() && steps.len() < after.split('/').count()).then(|| steps.join("/"))
    }

    /// What is known of the variant; `original_duration`: the original's, which our variants keep.
    pub fn media_info(&self, original_duration: Option<f64>) -> MediaInfo {
        let codec = self
            .transformation_string()
            .and_then(|t| {
                t.split(['/', ','])
                    .find_map(|p| p.strip_prefix("vc_").map(str::to_string))
            })
            .filter(|c| c != "auto");
        MediaInfo {
            bytes: self.bytes,
            width: self.width,
            height: self.height,
            duration_secs: original_duration,
            format: self.format.as_deref().map(normal_format),
            video_codec: codec,
            frame_rate: None,
        }
    }
}

impl Uploaded {
    /// What the platforms' rules check, as Cloudinary measured it.
    pub fn media_info(&self) -> MediaInfo {
        MediaInfo {
            bytes: Some(self.bytes),
            width: self.width,
            height: self.height,
            duration_secs: self.duration,
            format: (!self.format.is_empty()).then(|| normal_format(&self.format)),
            video_codec: self.video_codec.as_deref().map(str::to_ascii_lowercase),
            frame_rate: self.frame_rate,
        }
    }
}

/// Cloudinary's `jpg` is `MediaInfo`'s `jpeg`; other names are the same, lower case.
pub fn normal_format(f: &str) -> String {
    match f.to_ascii_lowercase().as_str() {
        "jpg" | "jpe" => "jpeg".into(),
        other => other.into(),
    }
}

/// Whether a create made something or found it there.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Created {
    New,
    /// 409, or "already exists".
    Existed,
}

/// What `destroy` did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Destroyed {
    /// `{"result":"ok"}`.
    Ok,
    /// `{"result":"not found"}`: nothing to delete (not an error).
    NotFound,
}

/// One section of `GET /usage` (`storage`, `bandwidth`...): any field may be missing.
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
pub struct UsageSection {
    #[serde(default)]
    pub usage: Option<f64>,
    #[serde(default)]
    pub limit: Option<f64>,
    #[serde(default)]
    pub used_percent: Option<f64>,
    #[serde(default)]
    pub credits_usage: Option<f64>,
}

/// The plan's size limits (`media_limits`).
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
pub struct MediaLimits {
    #[serde(default)]
    pub image_max_size_bytes: Option<u64>,
    #[serde(default)]
    pub video_max_size_bytes: Option<u64>,
    #[serde(default)]
    pub raw_max_size_bytes: Option<u64>,
    #[serde(default)]
    pub image_max_px: Option<u64>,
    #[serde(default)]
    pub asset_max_total_px: Option<u64>,
}

/// `GET /usage`; every section is optional (plans differ: credits-based plans have `credits`).
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
pub struct Usage {
    #[serde(default)]
    pub plan: Option<String>,
    #[serde(default)]
    pub last_updated: Option<String>,
    #[serde(default)]
    pub storage: Option<UsageSection>,
    #[serde(default)]
    pub bandwidth: Option<UsageSection>,
    #[serde(default)]
    pub objects: Option<UsageSection>,
    #[serde(default)]
    pub transformations: Option<UsageSection>,
    #[serde(default)]
    pub credits: Option<UsageSection>,
    #[serde(default)]
    pub requests: Option<u64>,
    #[serde(default)]
    pub resources: Option<u64>,
    #[serde(default)]
    pub derived_resources: Option<u64>,
    #[serde(default)]
    pub media_limits: Option<MediaLimits>,
}

/// One derived asset of `GET /resources/...`.
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct DerivedInfo {
    #[serde(default)]
    pub transformation: String,
    #[serde(default)]
    pub format: Option<String>,
    #[serde(default)]
    pub bytes: Option<u64>,
    #[serde(default)]
    pub id: Option<String>,
    #[serde(default)]
    pub url: String,
    #[serde(default)]
    pub secure_url: String,
}

/// `GET /resources/{rt}/upload/{public_id}`.
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct ResourceInfo {
    pub public_id: String,
    #[serde(default)]
    pub version: u64,
    #[serde(default)]
    pub format: String,
    #[serde(default)]
    pub resource_type: String,
    #[serde(default)]
    pub bytes: u64,
    #[serde(default)]
    pub width: Option<u32>,
    #[serde(default)]
    pub height: Option<u32>,
    #[serde(default)]
    pub duration: Option<f64>,
    #[serde(default)]
    pub secure_url: String,
    #[serde(default)]
    pub url: String,
    #[serde(default)]
    pub derived: Vec<DerivedInfo>,
}
