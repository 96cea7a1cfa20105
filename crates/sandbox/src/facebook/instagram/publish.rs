//! Publishing a container, the publishing limit, and reading Instagram objects by id (the
//! account's list of posts is [`super::media`]).

use super::media::{fields, render_media};
use super::{Container, ContainerKind, IgMedia, Status};
use crate::facebook::app::SharedApp;
use crate::facebook::errors::GraphError;
use crate::facebook::graph::GraphRequest;
use axum::Json;
use serde_json::{json, Map, Value};
use tokio::time::Instant;

/// `POST /{ig-user-id}/media_publish {creation_id}` -> `{id}`.
pub fn publish(app: &SharedApp, ig_id: &str, req: &GraphRequest) -> Result<Json<Value>, GraphError> {
    let creation_id = req
        .params
        .text("creation_id")
        .ok_or_else(|| GraphError::required("creation_id"))?;
    let mut inner = app.lock();
    let u = inner.authorize_ig(req.token.as_deref(), ig_id, "post")?;
    let now = Instant::now();
    let s = app.settings.clone();
    let Some(c) = inner.ig_users[u].containers.iter().position(|c| c.id == creation_id) else {
        return Err(GraphError::param(&format!(
            "The container {creation_id} does not exist or is not this account's (sandbox wording)"
        )));
    };
    let container = &inner.ig_users[u].containers[c];
    if container.carousel_item {
        return Err(GraphError::param(
            "A carousel item cannot be published alone; publish its carousel (sandbox wording)",
        ));
    }
    match container.status(now, s.container_processing, s.container_lifetime) {
        Status::Finished => {}
        Status::InProgress => return Err(GraphError::media_not_ready()),
        Status::Expired => return Err(GraphError::container_expired()),
        Status::Error => {
            return Err(GraphError::param(&format!(
                "The container failed processing and cannot be published: {} (sandbox wording)",
                container.status_text(Status::Error)
            )))
        }
        Status::Published => {
            return Err(GraphError::param(
                "The container has been published already (sandbox wording)",
            ))
        }
    }
    if inner.ig_users[u].publishes_within(now, s.quota_duration) >= s.quota_total as usize {
        return Err(GraphError::publishing_limit());
    }
    let media_id = inner.new_id();
    let timestamp = app.clock.now();
    let user = &mut inner.ig_users[u];
    let media = media_of(&user.containers[c], &media_id, timestamp);
    let children = media.children.clone();
    user.containers[c].published = Some(media_id.clone());
    for child in user.containers.iter_mut().filter(|k| children.contains(&k.id)) {
        child.published = Some(media_id.clone());
    }
    user.media.push(media);
    user.publishes.push_back(now);
    inner.counters.ig_media_published += 1;
    tracing::debug!(message = "Instagram media published.", ig_user = ig_id, media = %media_id, container = %creation_id);
    Ok(Json(json!({ "id": media_id })))
}

fn media_of(c: &Container, id: &str, timestamp: chrono::DateTime<chrono::Utc>) -> IgMedia {
    let video = c.info.as_ref().and_then(|i| i.duration_secs).is_some()
        || c.info
            .as_ref()
            .and_then(|i| i.format.as_deref())
            .is_some_and(|f| f == "mp4" || f == "mov");
    let (media_type, product) = match c.kind {
        ContainerKind::Image => ("IMAGE", "FEED"),
        ContainerKind::Reels | ContainerKind::Video => ("VIDEO", "REELS"),
        ContainerKind::Stories => (if video { "VIDEO" } else { "IMAGE" }, "STORY"),
        ContainerKind::Carousel => ("CAROUSEL_ALBUM", "FEED"),
    };
    IgMedia {
        id: id.to_string(),
        container: c.id.clone(),
        caption: c.caption.clone(),
        media_type,
        media_product_type: product,
        children: c.children.clone(),
        shortcode: shortcode(id),
        timestamp,
    }
}

/// An 11-character code from the id, like Instagram's.
fn shortcode(id: &str) -> String {
    use base64::Engine;
    let n: u64 = id.parse().unwrap_or(0);
    let text = base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(n.to_be_bytes());
    text.chars().take(11).collect()
}

/// `GET /{ig-user-id}/content_publishing_limit?fields=quota_usage,config`.
pub fn limit(app: &SharedApp, ig_id: &str, req: &GraphRequest) -> Result<Json<Value>, GraphError> {
    let mut inner = app.lock();
    let u = inner.authorize_ig(req.token.as_deref(), ig_id, "get")?;
    let s = &app.settings;
    let used = inner.ig_users[u].publishes_within(Instant::now(), s.quota_duration);
    let asked = req.params.text("fields").unwrap_or_else(|| "quota_usage".into());
    let mut entry = Map::new();
    for f in asked.split(',').map(str::trim).filter(|f| !f.is_empty()) {
        let v = match f {
            "quota_usage" => json!(used),
            "config" => json!({ "quota_total": s.quota_total, "quota_duration": s.quota_duration.as_secs() }),
            other => return Err(GraphError::nonexisting_field(other, "ContentPublishingLimitResponse")),
        };
        entry.insert(f.to_string(), v);
    }
    Ok(Json(json!({ "data": [Value::Object(entry)] })))
}

/// `GET /{id}` for a container, a published media or an account; `None` when `id` is none of them.
pub fn get(app: &SharedApp, id: &str, req: &GraphRequest) -> Option<Result<Json<Value>, GraphError>> {
    let inner = app.lock();
    let token = req.token.as_deref();
    if let Some((u, c)) = inner.find_container(id) {
        let ig_id = inner.ig_users[u].user.id.clone();
        return Some(inner.authorize_ig(token, &ig_id, "get").and_then(|_| {
            let container = &inner.ig_users[u].containers[c];
            let s = &app.settings;
            let status = container.status(
                tokio::time::Instant::now(),
                s.container_processing,
                s.container_lifetime,
            );
            let asked = req.params.text("fields").unwrap_or_else(|| "id".into());
            let mut out = Map::new();
            for f in asked.split(',').map(str::trim).filter(|f| !f.is_empty()) {
                let v = match f {
                    "id" => json!(container.id),
                    "status_code" => json!(status.code()),
                    "status" => json!(container.status_text(status)),
                    other => return Err(GraphError::nonexisting_field(other, "ShadowIGMediaBuilder")),
                };
                out.insert(f.to_string(), v);
            }
            out.insert("id".into(), json!(container.id));
            Ok(Json(Value::Object(out)))
        }));
    }
    if let Some((u, m)) = inner.find_ig_media(id) {
        let ig_id = inner.ig_users[u].user.id.clone();
        return Some(inner.authorize_ig(token, &ig_id, "get").and_then(|_| {
            let fields = fields(req, "id")?;
            let user = &inner.ig_users[u];
            Ok(Json(render_media(
                &user.media[m],
                user,
                &fields,
                &app.url,
                app.clock.now(),
            )))
        }));
    }
    let u = inner.ig_index(id)?;
    Some(inner.authorize_ig(token, id, "get").and_then(|_| {
        let user = &inner.ig_users[u];
        let asked = req.params.text("fields").unwrap_or_else(|| "id,username".into());
        let mut out = Map::new();
        for f in asked.split(',').map(str::trim).filter(|f| !f.is_empty()) {
            let v = match f {
                "id" => json!(user.user.id),
                "username" => json!(user.user.username),
                "media_count" => json!(user.media.iter().filter(|m| m.media_product_type != "STORY").count()),
                other => return Err(GraphError::nonexisting_field(other, "IGUser")),
            };
            out.insert(f.to_string(), v);
        }
        out.insert("id".into(), json!(user.user.id));
        Ok(Json(Value::Object(out)))
    }))
}
