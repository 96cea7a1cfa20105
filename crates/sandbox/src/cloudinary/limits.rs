//! Cloudinary's limits and authentication rules as the sandbox enforces them, with their sources
//! (`shared/reference/cloudinary.md`, which cites cloudinary.com/documentation and the SDKs),
//! written on the sandbox's side: the worker's `cloudinary` module is not read.
//!
//! | rule | value | source |
//! |---|---|---|
//! | signed request `timestamp` | Unix seconds, stale after 1 hour ("Stale request") | authentication_signatures |
//! | request signature | SHA-1 or SHA-256 lower-case hex of the string to sign and the secret; an environment set to SHA-256 refuses SHA-1 ([`super::Accepted`]) | authentication_signatures, "Using the SHA-256 algorithm" |
//! | Upload API authentication | a signature, an unsigned preset, or HTTP Basic `api_key:api_secret` | upload API reference ("authentication") |
//! | Admin API authentication | HTTP Basic `api_key:api_secret` | admin API reference |
//! | notification signature | hex SHA-1 (or SHA-256) of `body + timestamp + secret` | notification_signatures |
//! | Admin API calls per hour | 500 free, 2,000 paid, then 420 | cloudinary.md, "Admin API" |
//! | file sizes | image 10 MB free / 20 MB paid, video 100 MB / 2 GB, raw 10 MB / 20 MB ([`super::Plan`]) | `GET /usage` `media_limits`; pricing page |
//! | synchronous video eager | 40 MB free / 300 MB paid | cloudinary.md, "Upload API" |
//! | one request | 100 MB (the sandbox reads up to [`MAX_BODY_BYTES`]); larger files in chunks of at least 5 MB but the last | cloudinary.md, "Upload API" |

/// How long Cloudinary typically takes to answer, network included: 150 ms for a read (Admin API,
/// and delivery, which a CDN serves), 500 ms for an upload or destroy call before the time the
/// bytes themselves take. An assumption (Cloudinary publishes no response times).
pub const TYPICAL_LATENCY: crate::latency::Latency = crate::latency::Latency {
    read: std::time::Duration::from_millis(150),
    write: std::time::Duration::from_millis(500),
};

/// How old a signed request's `timestamp` may be (an hour).
pub const MAX_AGE_SECS: i64 = 3600;

/// The largest request body the sandbox reads (110 MB): Cloudinary takes at most 100 MB in one
/// request.
pub const MAX_BODY_BYTES: usize = 110 * 1000 * 1000;

/// The smallest chunk of a chunked upload but the last (5 MiB).
pub const CHUNK_MIN_BYTES: u64 = 5 * 1024 * 1024;
