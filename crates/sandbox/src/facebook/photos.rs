//! `POST /{version}/{page-id}/photos` with `url`: an unpublished photo (`published=false`) ->
//! `{id}`, or a photo post (`published` true, the default) -> `{id, post_id}`.
//!
//! Meta downloads the photo itself. The sandbox cannot reach the internet, so it fetches only
//! loopback URLs (`localhost`, `127.0.0.0/8`, `::1`; the sandbox's own `/_sandbox/files/...`
//! included) and refuses those that do not answer 200 with an `image/*` type, with Meta's
//! `(#324) Missing or invalid image file`; other http(s) URLs are taken on trust.

use super::app::{Photo, Post, SharedApp};
use super::errors::GraphError;
use super::graph::GraphRequest;
use axum::Json;
use serde_json::{json, Value};
use url::{Host, Url};

pub async fn create(app: &SharedApp, page_id: &str, req: &GraphRequest) -> Result<Json<Value>, GraphError> {
    app.lock().authorize(req.token.as_deref(), page_id, "post")?;
    let raw = req.params.text("url").ok_or_else(GraphError::requires_upload)?;
    let url = Url::parse(&raw)
        .ok()
        .filter(|u| matches!(u.scheme(), "http" | "https") && u.host().is_some())
        .ok_or_else(|| GraphError::param("url should represent a valid URL"))?;
    let published = req.params.flag("published", true)?;
    let message = req.params.text("message").or_else(|| req.params.text("caption"));
    if is_loopback(&url) {
        check_image(app, &url).await?;
    }
    let mut inner = app.lock();
    let p = inner.authorize(req.token.as_deref(), page_id, "post")?;
    let photo_id = inner.new_id();
    inner.counters.photos_created += 1;
    let mut post_id = None;
    if published {
        let id = format!("{page_id}_{}", inner.new_id());
        inner.pages[p].posts.push(Post {
            id: id.clone(),
            message,
            link: None,
            photo_ids: vec![photo_id.clone()],
            video_id: None,
            created: app.clock.now(),
            at: tokio::time::Instant::now(),
        });
        inner.counters.posts_created += 1;
        post_id = Some(id);
    }
    inner.pages[p].photos.insert(
        photo_id.clone(),
        Photo {
            url: raw,
            post_id: post_id.clone(),
        },
    );
    tracing::debug!(message = "Photo created.", page = page_id, %photo_id, published);
    Ok(Json(match post_id {
        Some(post_id) => json!({ "id": photo_id, "post_id": post_id }),
        None => json!({ "id": photo_id }),
    }))
}

pub(super) fn is_loopback(url: &Url) -> bool {
    match url.host() {
        Some(Host::Domain(d)) => d.eq_ignore_ascii_case("localhost"),
        Some(Host::Ipv4(ip)) => ip.is_loopback(),
        Some(Host::Ipv6(ip)) => ip.is_loopback(),
        None => false,
    }
}

/// Fetches a loopback photo as Meta would: it must answer 200 with an image.
async fn check_image(app: &SharedApp, url: &Url) -> Result<(), GraphError> {
    let answer = app.http.get(url.clone()).send().await;
    let ok = match &answer {
        Ok(r) => {
            r.status().as_u16() == 200
                && r.headers()
                    .get(reqwest::header::CONTENT_TYPE)
                    .and_then(|v| v.to_str().ok())
                    .is_some_and(|t| t.trim().to_ascii_lowercase().starts_with("image/"))
        }
        Err(_) => false,
    };
    if !ok {
        let got = match answer {
            Ok(r) => format!("HTTP {}", r.status().as_u16()),
            Err(e) => e.without_url().to_string(),
        };
        tracing::debug!(message = "Photo URL gives no image.", %url, %got);
        return Err(GraphError::missing_image());
    }
    Ok(())
}
