//! Publishing a container, the publishing limit, the account's posts, and reading Instagram
//! objects by id.

use super::{Container, ContainerKind, IgMedia, IgUser, Status};
use crate::facebook::app::{meta_time, SharedApp};
use crate::facebook::errors::GraphError;
use crate::facebook::graph::GraphRequest;
use axum::Json;
use serde_json::{json, Map, Value};
use tokio::time::Instant;

/// Fields a published media can be read with.
const MEDIA_FIELDS: [&str; 8] = [
    "id",
    "caption",
    "media_type",
    "media_product_type",
    "permalink",
    "timestamp",
    "username",
    "shortcode",
];

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

/// `GET /{ig-user-id}/media` (feed and Reels) or `/stories`, newest first.
pub fn list(app: &SharedApp, ig_id: &str, req: &GraphRequest, stories: bool) -> Result<Json<Value>, GraphError> {
    let time = |name: &str| -> Result<Option<i64>, GraphError> {
        req.params
            .text(name)
            .map(|s| {
                s.parse::<i64>().map_err(|_| {
                    GraphError::param(&format!(
                        "The parameter {name} must be a unix timestamp (sandbox wording)"
                    ))
                })
            })
            .transpose()
    };
    let since = time("since")?.unwrap_or(i64::MIN);
    let until = time("until")?.unwrap_or(i64::MAX);
    let limit = match req.params.text("limit") {
        None => 25,
        Some(s) => s
            .parse::<usize>()
            .map_err(|_| GraphError::param("Param limit must be a number"))?
            .clamp(1, 100),
    };
    let fields = fields(req, "id")?;
    let inner = app.lock();
    let u = inner.authorize_ig(req.token.as_deref(), ig_id, "get")?;
    let user = &inner.ig_users[u];
    let data: Vec<Value> = user
        .media
        .iter()
        .rev()
        .filter(|m| (m.media_product_type == "STORY") == stories)
        .filter(|m| (since..=until).contains(&m.timestamp.timestamp()))
        .take(limit)
        .map(|m| render_media(m, user, &fields, &app.url))
        .collect();
    Ok(Json(json!({ "data": data })))
}

/// The `fields` of a media read, checked.
fn fields(req: &GraphRequest, default: &str) -> Result<Vec<String>, GraphError> {
    let asked = req.params.text("fields").unwrap_or_else(|| default.to_string());
    let mut out: Vec<String> = vec!["id".into()];
    for f in asked.split(',').map(str::trim).filter(|f| !f.is_empty()) {
        if !MEDIA_FIELDS.contains(&f) {
            return Err(GraphError::nonexisting_field(f, "IGMedia"));
        }
        if !out.iter().any(|o| o == f) {
            out.push(f.to_string());
        }
    }
    Ok(out)
}

pub fn render_media(m: &IgMedia, user: &IgUser, fields: &[String], base_url: &str) -> Value {
    let mut out = Map::new();
    for f in fields {
        let v = match f.as_str() {
            "id" => json!(m.id),
            "caption" => m.caption.as_ref().map_or(Value::Null, |c| json!(c)),
            "media_type" => json!(m.media_type),
            "media_product_type" => json!(m.media_product_type),
            "permalink" => json!(format!("{base_url}/_sandbox/instagram/p/{}", m.id)),
            "timestamp" => json!(meta_time(m.timestamp)),
            "username" => json!(user.user.username),
            "shortcode" => json!(m.shortcode),
            _ => Value::Null,
        };
        if !v.is_null() {
            out.insert(f.clone(), v);
        }
    }
    Value::Object(out)
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
            Ok(Json(render_media(&user.media[m], user, &fields, &app.url)))
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
