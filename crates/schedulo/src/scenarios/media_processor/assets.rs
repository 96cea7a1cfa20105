//! Assets as the Media Processor keeps them: from Cloudinary's upload answers, notifications and
//! Admin API descriptions, and whether their variants are all there.

use super::validate::{Asset, Derived};
use super::MediaProcessor;
use crate::cloudinary::types::{normal_format, ResourceInfo, Uploaded};
use crate::cloudinary::variants::{self, Resource};
use crate::media::MediaInfo;
use serde_json::Value;

/// Whether an asset has each variant of its resource type.
pub(super) fn has_every_variant(asset: &Asset) -> bool {
    let resource = if asset.resource == "video" {
        Resource::Video
    } else {
        Resource::Image
    };
    variants::for_resource(resource).all(|v| asset.derived.iter().any(|d| d.transformation == v.transformation))
}

/// Asks Cloudinary's Admin API for the variants of `assets` (those pending, or without any), and
/// takes them in when every variant is there.
pub(super) async fn ask_cloudinary(p: &MediaProcessor, record_id: &str, assets: &mut [Asset]) {
    for asset in assets.iter_mut().filter(|a| a.pending || a.derived.is_empty()) {
        let resource = if asset.resource == "video" {
            Resource::Video
        } else {
            Resource::Image
        };
        match p.cloudinary.resource(resource, &asset.public_id).await {
            Ok(Some(info)) => {
                let found = asset_from_resource(&info);
                let candidate = Asset {
                    derived: found.derived,
                    ..asset.clone()
                };
                if has_every_variant(&candidate) {
                    *asset = Asset {
                        pending: false,
                        ..candidate
                    };
                }
            }
            Ok(None) => {}
            Err(error) => {
                tracing::warn!(message = "Could not ask Cloudinary about an asset's variants.", record = record_id, %error)
            }
        }
    }
}

/// An asset as the Admin API describes it; its variants' sizes follow from their transformations
/// (the Admin API does not report them).
pub(super) fn asset_from_resource(info: &ResourceInfo) -> Asset {
    let original = MediaInfo {
        bytes: Some(info.bytes),
        width: info.width,
        height: info.height,
        duration_secs: info.duration,
        format: (!info.format.is_empty()).then(|| normal_format(&info.format)),
        video_codec: None,
        frame_rate: None,
    };
    let derived = info
        .derived
        .iter()
        .filter(|d| !d.secure_url.is_empty() || !d.url.is_empty())
        .filter_map(|d| {
            let variant = variants::VARIANTS
                .iter()
                .find(|v| v.transformation == d.transformation)?;
            Some(Derived {
                transformation: d.transformation.clone(),
                secure_url: if d.secure_url.is_empty() {
                    d.url.clone()
                } else {
                    d.secure_url.clone()
                },
                info: MediaInfo {
                    bytes: d.bytes,
                    width: Some(variant.width),
                    height: Some(variant.height()),
                    duration_secs: original.duration_secs,
                    format: d.format.as_deref().map(normal_format),
                    video_codec: variant.transformation.contains("vc_h264").then(|| "h264".into()),
                    frame_rate: None,
                },
            })
        })
        .collect();
    Asset {
        public_id: info.public_id.clone(),
        resource: info.resource_type.clone(),
        version: info.version,
        secure_url: if info.secure_url.is_empty() {
            info.url.clone()
        } else {
            info.secure_url.clone()
        },
        info: original,
        derived,
        pending: false,
    }
}

/// Cloudinary's eager notification into the asset it names: its variants, and whether any is
/// still being made.
pub(super) fn merge_notification(assets: &mut [Asset], n: &Value) {
    let public_id = n.get("public_id").and_then(Value::as_str).unwrap_or("");
    let Some(asset) = assets.iter_mut().find(|a| a.public_id == public_id) else {
        return;
    };
    let eager: Vec<crate::cloudinary::types::Derived> = n
        .get("eager")
        .cloned()
        .and_then(|e| serde_json::from_value(e).ok())
        .unwrap_or_default();
    if eager.is_empty() {
        return;
    }
    asset.derived = eager.iter().filter_map(|d| derived_of(d, &asset.info)).collect();
    asset.pending = eager.iter().any(|d| d.pending()) || !has_every_variant(asset);
}

pub(super) fn derived_of(d: &crate::cloudinary::types::Derived, original: &MediaInfo) -> Option<Derived> {
    if d.pending() {
        return None;
    }
    Some(Derived {
        transformation: d.transformation_string()?,
        secure_url: if d.secure_url.is_empty() {
            d.url.clone()
        } else {
            d.secure_url.clone()
        },
        info: MediaInfo {
            frame_rate: original.frame_rate,
            ..d.media_info(original.duration_secs)
        },
    })
}

pub(super) fn asset_of(u: &Uploaded) -> Asset {
    let info = u.media_info();
    let derived: Vec<Derived> = u.eager.iter().filter_map(|d| derived_of(d, &info)).collect();
    let pending = u.eager.iter().any(|d| d.pending()) || (u.resource_type == "video" && derived.is_empty());
    Asset {
        public_id: u.public_id.clone(),
        resource: u.resource_type.clone(),
        version: u.version,
        secure_url: u.secure_url.clone(),
        info,
        derived,
        pending,
    }
}
