//! An Instagram account's posts: `GET /{ig-user-id}/media` (feed and Reels) and `/stories`,
//! newest first with Graph's cursor paging ([`crate::facebook::paging`]: `limit`, `after`,
//! `before`, `since`, `until`, `paging.next`/`previous`), and how a post reads with `fields`.
//!
//! Fields (developers.facebook.com/docs/instagram-platform/reference/instagram-media): `id`,
//! `caption`, `media_type`, `media_product_type`, `media_url`, `permalink`, `timestamp`,
//! `username`, `shortcode`, `like_count`, `comments_count`. `media_url` is the URL the container
//! was made from (a carousel's: its first item's; Meta serves a copy on its CDN); `like_count`
//! and `comments_count` are the sandbox's figures, growing with the post's age
//! ([`crate::engagement`]).

use super::IgMedia;
use super::IgUser;
use crate::engagement::Engagement;
use crate::facebook::app::{meta_time, SharedApp};
use crate::facebook::errors::GraphError;
use crate::facebook::graph::GraphRequest;
use crate::facebook::paging::{self, Asked, Link};
use axum::Json;
use chrono::{DateTime, Utc};
use serde_json::{json, Map, Value};

/// Fields a published media can be read with.
const MEDIA_FIELDS: [&str; 11] = [
    "id",
    "caption",
    "media_type",
    "media_product_type",
    "media_url",
    "permalink",
    "timestamp",
    "username",
    "shortcode",
    "like_count",
    "comments_count",
];

/// `GET /{ig-user-id}/media` (feed and Reels) or `/stories`, newest first, a page at a time.
pub fn list(app: &SharedApp, ig_id: &str, req: &GraphRequest, stories: bool) -> Result<Json<Value>, GraphError> {
    let asked = Asked::read(req)?;
    let fields = fields(req, "id")?;
    let inner = app.lock();
    let u = inner.authorize_ig(req.token.as_deref(), ig_id, "get")?;
    let user = &inner.ig_users[u];
    let listed: Vec<&IgMedia> = user
        .media
        .iter()
        .rev()
        .filter(|m| (m.media_product_type == "STORY") == stories)
        .filter(|m| asked.within(m.timestamp.timestamp()))
        .collect();
    let link = Link {
        base_url: &app.url,
        path: format!("/{}/{ig_id}/{}", app.version, if stories { "stories" } else { "media" }),
    };
    let (chosen, paging) = paging::page(&listed, |m| m.id.as_str(), &asked, req, &link)?;
    let now = app.clock.now();
    let data: Vec<Value> = chosen
        .iter()
        .map(|m| render_media(m, user, &fields, &app.url, now))
        .collect();
    let mut body = json!({ "data": data });
    if let Some(paging) = paging {
        body["paging"] = paging;
    }
    Ok(Json(body))
}

/// The `fields` of a media read, checked.
pub fn fields(req: &GraphRequest, default: &str) -> Result<Vec<String>, GraphError> {
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

/// A post with the fields asked for; `now` is the sandbox's time, for the counts.
pub fn render_media(m: &IgMedia, user: &IgUser, fields: &[String], base_url: &str, now: DateTime<Utc>) -> Value {
    let counts = || Engagement::of(&m.id, (now - m.timestamp).to_std().unwrap_or_default());
    let mut out = Map::new();
    for f in fields {
        let v = match f.as_str() {
            "id" => json!(m.id),
            "caption" => m.caption.as_ref().map_or(Value::Null, |c| json!(c)),
            "media_type" => json!(m.media_type),
            "media_product_type" => json!(m.media_product_type),
            "media_url" => media_url(m, user).map_or(Value::Null, |u| json!(u)),
            "permalink" => json!(format!("{base_url}/_sandbox/instagram/p/{}", m.id)),
            "timestamp" => json!(meta_time(m.timestamp)),
            "username" => json!(user.user.username),
            "shortcode" => json!(m.shortcode),
            "like_count" => json!(counts().likes),
            "comments_count" => json!(counts().comments),
            _ => Value::Null,
        };
        if !v.is_null() {
            out.insert(f.clone(), v);
        }
    }
    Value::Object(out)
}

/// The URL the media came from: its container's, or a carousel's first item's.
fn media_url<'a>(m: &IgMedia, user: &'a IgUser) -> Option<&'a str> {
    let container = m.children.first().unwrap_or(&m.container);
    user.containers
        .iter()
        .find(|c| &c.id == container)
        .and_then(|c| c.url.as_deref())
}
