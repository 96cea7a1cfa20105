//! Delivery URLs: `GET /{cloud}/{image|video|raw}/upload/[{transformation}/][v{version}/]{public_id}[.{ext}]`
//! (the router's fallback, so it cannot shadow the API). The original, or a derived file (an image
//! rendered now when no eager made it; a video is described and served as its original bytes).
//! One byte range is honoured (206, `Content-Range`), as [`crate::files`] does. Anything
//! unknown is 404 with `X-Cld-Error`, as Cloudinary answers.

use super::app::SharedApp;
use super::eager;
use super::store::{Asset, Rt};
use crate::files::parse_range;
use axum::extract::State;
use axum::http::{header, HeaderMap, HeaderValue, Method, StatusCode, Uri};
use axum::response::{IntoResponse, Response};

/// A 404 (or other error) the way the CDN answers: an empty body and `X-Cld-Error`.
fn cld_error(status: StatusCode, message: &str) -> Response {
    let mut r = status.into_response();
    if let Ok(v) = HeaderValue::from_str(message) {
        r.headers_mut().insert("x-cld-error", v);
    }
    r
}

fn percent_decode(s: &str) -> String {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' && i + 2 < bytes.len() {
            if let Some(b) = std::str::from_utf8(&bytes[i + 1..i + 3])
                .ok()
                .and_then(|h| u8::from_str_radix(h, 16).ok())
            {
                out.push(b);
                i += 3;
                continue;
            }
        }
        out.push(bytes[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

pub fn mime(format: &str) -> &'static str {
    match format {
        "jpg" | "jpeg" => "image/jpeg",
        "png" => "image/png",
        "gif" => "image/gif",
        "webp" => "image/webp",
        "mp4" => "video/mp4",
        "mov" => "video/quicktime",
        "webm" => "video/webm",
        _ => "application/octet-stream",
    }
}

/// What a path asks for.
struct Wanted {
    cloud: String,
    asset: Asset,
    transformation: String,
    ext: Option<String>,
}

fn is_version(s: &str) -> bool {
    s.len() > 1 && s.starts_with('v') && s[1..].bytes().all(|b| b.is_ascii_digit())
}

/// Finds the asset a path names: the public id is the part after `v{version}`, or, without a
/// version, the longest tail of the path that names a stored asset.
fn resolve(app: &SharedApp, path: &str) -> Option<Wanted> {
    let decoded = percent_decode(path);
    let segments: Vec<&str> = decoded.trim_start_matches('/').split('/').collect();
    let [cloud, rt, "upload", rest @ ..] = segments.as_slice() else {
        return None;
    };
    let rt = Rt::parse(rt)?;
    let inner = app.lock();
    let state = inner.clouds.get(*cloud)?;
    let lookup = |parts: &[&str]| -> Option<(Asset, Option<String>)> {
        let joined = parts.join("/");
        if let Some(a) = state.assets.get(&(rt, joined.clone())) {
            return Some((a.clone(), None));
        }
        let (id, ext) = joined.rsplit_once('.')?;
        if ext.contains('/') {
            return None;
        }
        state
            .assets
            .get(&(rt, id.to_string()))
            .map(|a| (a.clone(), Some(ext.to_ascii_lowercase())))
    };
    let starts: Vec<usize> = match rest.iter().position(|s| is_version(s)) {
        Some(v) => vec![v + 1],
        None => (0..rest.len()).collect(),
    };
    for start in starts {
        if start >= rest.len() {
            continue;
        }
        if let Some((asset, ext)) = lookup(&rest[start..]) {
            let end = if start > 0 && is_version(rest[start - 1]) {
                start - 1
            } else {
                start
            };
            return Some(Wanted {
                cloud: cloud.to_string(),
                asset,
                transformation: rest[..end].join("/"),
                ext,
            });
        }
    }
    None
}

pub async fn deliver(State(app): State<SharedApp>, method: Method, uri: Uri, headers: HeaderMap) -> Response {
    if method != Method::GET && method != Method::HEAD {
        return cld_error(StatusCode::NOT_FOUND, "Resource not found");
    }
    let Some(w) = resolve(&app, uri.path()) else {
        return cld_error(StatusCode::NOT_FOUND, "Resource not found");
    };
    let original_format = w.asset.format.clone();
    let same_format = match (&w.ext, &original_format) {
        (None, _) => true,
        (Some(e), Some(f)) => e == f || (e == "jpeg" && f == "jpg"),
        (Some(_), None) => w.asset.rt == Rt::Raw,
    };
    let (path, format) = if w.transformation.is_empty() && (same_format || w.asset.rt != Rt::Image) {
        (
            w.asset.path.clone(),
            w.ext.clone().or(original_format).unwrap_or_default(),
        )
    } else {
        match derived_file(&app, &w).await {
            Ok(found) => found,
            Err(response) => return response,
        }
    };
    serve(&app, &w.cloud, &path, &format, &headers, method == Method::HEAD).await
}

/// The file of a derived asset, made now if needed.
async fn derived_file(app: &SharedApp, w: &Wanted) -> Result<(std::path::PathBuf, String), Response> {
    let t = w.transformation.as_str();
    let wanted_format = w.ext.clone();
    let found = w
        .asset
        .derived
        .iter()
        .find(|d| d.transformation == t && wanted_format.as_ref().is_none_or(|f| *f == d.format))
        .cloned();
    let derived = match found {
        Some(d) => d,
        None => {
            let config = app
                .cloud_config(&w.cloud)
                .map_err(|_| cld_error(StatusCode::NOT_FOUND, "Resource not found"))?;
            if w.asset.rt == Rt::Video && w.asset.bytes > config.plan.sync_video_max_bytes() {
                return Err(cld_error(
                    StatusCode::BAD_REQUEST,
                    "Video is too large to process synchronously, please use an eager transformation with eager_async=true to resolve",
                ));
            }
            eager::derive(app, &w.cloud, &w.asset, t, wanted_format.as_deref(), None)
                .await
                .map_err(|e| cld_error(StatusCode::BAD_REQUEST, e.message()))?
        }
    };
    let path = derived.path.clone().unwrap_or_else(|| w.asset.path.clone());
    Ok((path, derived.format))
}

async fn serve(
    app: &SharedApp,
    cloud: &str,
    path: &std::path::Path,
    format: &str,
    headers: &HeaderMap,
    head: bool,
) -> Response {
    use axum::body::Body;
    use tokio::io::{AsyncReadExt, AsyncSeekExt};
    let Ok(mut file) = tokio::fs::File::open(path).await else {
        return cld_error(StatusCode::NOT_FOUND, "Resource not found");
    };
    let len = file.metadata().await.map(|m| m.len()).unwrap_or(0);
    let range = headers
        .get(header::RANGE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| parse_range(v, len));
    let (status, first, last) = match range {
        None => (StatusCode::OK, 0, len.saturating_sub(1)),
        Some(Err(())) => {
            let mut r = StatusCode::RANGE_NOT_SATISFIABLE.into_response();
            if let Ok(v) = HeaderValue::from_str(&format!("bytes */{len}")) {
                r.headers_mut().insert(header::CONTENT_RANGE, v);
            }
            return r;
        }
        Some(Ok((a, b))) => (StatusCode::PARTIAL_CONTENT, a, b),
    };
    let size = if len == 0 { 0 } else { last - first + 1 };
    let wanted = !head && size > 0;
    let body = if wanted {
        if file.seek(std::io::SeekFrom::Start(first)).await.is_err() {
            return cld_error(StatusCode::INTERNAL_SERVER_ERROR, "The sandbox could not read the file");
        }
        app.lock().counters.cloud_mut(cloud).bandwidth += size;
        // Streamed from disk in small buffers: memory does not grow with the file.
        Body::from_stream(tokio_util::io::ReaderStream::with_capacity(file.take(size), 64 * 1024))
    } else {
        Body::empty()
    };
    let mut r = (status, body).into_response();
    let h = r.headers_mut();
    h.insert(header::CONTENT_TYPE, HeaderValue::from_static(mime(format)));
    h.insert(header::ACCEPT_RANGES, HeaderValue::from_static("bytes"));
    if let Ok(v) = HeaderValue::from_str(&size.to_string()) {
        h.insert(header::CONTENT_LENGTH, v);
    }
    if status == StatusCode::PARTIAL_CONTENT {
        if let Ok(v) = HeaderValue::from_str(&format!("bytes {first}-{last}/{len}")) {
            h.insert(header::CONTENT_RANGE, v);
        }
    }
    r
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_decode_and_ranges_parse() {
        assert_eq!(percent_decode("a%20b/c%2Fd"), "a b/c/d");
        assert_eq!(percent_decode("100%"), "100%");
        assert!(is_version("v1700000000") && !is_version("v") && !is_version("vx1"));
        assert_eq!(parse_range("bytes=0-9", 100), Some(Ok((0, 9))));
        assert_eq!(parse_range("bytes=-10", 100), Some(Ok((90, 99))));
        assert_eq!(parse_range("bytes=100-", 100), Some(Err(())));
        assert_eq!(parse_range("bytes=0-1,4-5", 100), None);
    }
}
