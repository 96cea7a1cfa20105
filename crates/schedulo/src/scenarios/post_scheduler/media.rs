//! What is known of a post's media files before any platform call: read from each file itself
//! (`media::probe::probe_url`: a few small range requests, never the whole video), once per URL,
//! so that the platforms' rules on sizes, durations, dimensions and formats are checked before
//! anything is uploaded.

use super::PostScheduler;
use crate::media::probe::ProbeError;
use crate::platforms::PostContent;
use std::time::Duration;

/// How long reading one file's properties may take.
const PROBE_TIMEOUT: Duration = Duration::from_secs(30);
/// Files whose properties are remembered; past it the memory starts again.
const REMEMBERED: usize = 10_000;

impl PostScheduler {
    /// `content` with what is known of each file filled in. `Err`: a file that cannot be
    /// published (not media, truncated, malformed), with a message that names it. A file that
    /// cannot be downloaded now is left unknown: the platform checks it itself.
    pub(crate) async fn with_media_info(&self, content: &PostContent) -> Result<PostContent, String> {
        let mut content = content.clone();
        for (i, media) in content.media.iter_mut().enumerate() {
            // Every file's URL is judged before anything, even one whose properties are known.
            let fetcher = &self.publishers.media;
            let url = fetcher.admit(&media.url).await.map_err(|why| {
                format!(
                    "Its media file {} ({}) is not fetched: MediaLibrary.{} {why}.",
                    i + 1,
                    crate::media::file_name(&media.url),
                    crate::base::names::media::CLOUDINARY_URL,
                )
            })?;
            if media.info != Default::default() {
                continue; // known already (from Cloudinary)
            }
            let known = self.media_info.lock().expect("media info").get(&media.url).cloned();
            if let Some(info) = known {
                media.info = info;
                continue;
            }
            match fetcher.probe(&url, PROBE_TIMEOUT).await {
                Ok(info) => {
                    let mut memory = self.media_info.lock().expect("media info");
                    if memory.len() >= REMEMBERED {
                        memory.clear();
                    }
                    memory.insert(media.url.clone(), info.clone());
                    media.info = info;
                }
                Err(ProbeError::Download(reason)) => {
                    tracing::warn!(message = "Could not read a media file's properties; the platform will check it.", record = %content.record_id, url = %media.url, %reason);
                }
                Err(e) => {
                    return Err(format!(
                        "Its media file {} ({}) cannot be published: {e}.",
                        i + 1,
                        crate::media::file_name(&media.url)
                    ))
                }
            }
        }
        Ok(content)
    }
}

impl PostScheduler {
    /// `content` with each Cloudinary file replaced by the platform's variant of it (the Media
    /// Processor had Cloudinary make them; `crate::cloudinary::variants::pick` chooses by the
    /// file's aspect ratio), so that what is published is what was checked for the platform. The
    /// variant's size is what its transformation gives; other files are left as they are.
    pub(crate) fn with_variants(&self, content: &PostContent, platform: crate::base::Platform) -> PostContent {
        use crate::cloudinary::variants::{pick, with_transformation, Resource};
        use crate::platforms::MediaKind;
        let mut content = content.clone();
        for media in &mut content.media {
            let resource = match media.kind {
                MediaKind::Image => Resource::Image,
                MediaKind::Video => Resource::Video,
                MediaKind::Gif => continue,
            };
            let Some(variant) = pick(platform, content.format, resource, media.info.aspect_ratio()) else {
                continue;
            };
            let Some(url) = with_transformation(&media.url, variant.transformation) else {
                continue;
            };
            media.url = url;
            media.info.width = Some(variant.width);
            media.info.height = Some(variant.height());
            // The variant's bytes are not known before it is fetched; the platform checks them.
            media.info.bytes = None;
            if variant.transformation.contains("vc_h264") {
                media.info.video_codec = Some("h264".into());
            }
        }
        content
    }
}
