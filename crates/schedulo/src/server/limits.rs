//! How large a body each route takes: sized to what its sender sends, so that a stranger's
//! gigabyte is refused (413) from its `Content-Length` before it is read, and a body sent without
//! one is cut at the limit (tower-http's `RequestBodyLimitLayer`). The limits are the senders'
//! facts, not settings; the time limits are settings (`config::HttpLimits`).

/// Bubble's events (`{"event":"media.created","media":"rec...","platforms":[...]}`, the largest,
/// is about 120 bytes; unknown fields are refused) and its sign requests (about 80 bytes): 8 KiB.
pub const BUBBLE_BODY_LIMIT: usize = 8 * 1024;

/// Airtable's ping, `{"base":{"id":"app..."},"webhook":{"id":"ach..."},"timestamp":"..."}`, about
/// 110 bytes (airtable.com/developers/web/api/webhooks-overview, "Webhook notification
/// delivery"): 4 KiB.
pub const AIRTABLE_BODY_LIMIT: usize = 4 * 1024;

/// Cloudinary's notifications carry "all the results pertinent to that particular action"
/// (cloudinary.com/documentation/notifications); Cloudinary documents no size. The worker asks
/// for upload and eager notifications only, which are an upload's result: about 0.4 KB per eager
/// variant (8 at most here) besides the asset's fields, a few KB in all; embedded metadata (EXIF
/// is at most 64 KB in a JPEG) and tags can add more. 256 KiB holds all of it. One refused here
/// is not lost: Cloudinary retries, and the Media Processor asks the Admin API after 15 minutes.
pub const CLOUDINARY_BODY_LIMIT: usize = 256 * 1024;
