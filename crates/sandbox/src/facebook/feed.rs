//! A Page's feed: `POST /{version}/{page-id}/feed` (`message`, `link`, `attached_media`) ->
//! `{id:"<page>_<post>"}`; `GET /{version}/{page-id}/feed` (the Page's posts and visitors' posts
//! on it: developers.facebook.com/docs/graph-api/reference/page/feed) and
//! `GET /{version}/{page-id}/published_posts` ("All published posts by the page":
//! .../reference/page/published_posts), both newest first with Graph's cursor paging
//! ([`super::paging`]), `since`, `until` and `fields`.
//!
//! Rules enforced on a post: a message, a link or photos; at most 10 photos
//! (`shared/reference/platforms.md`); attached ids must be unpublished photos of this Page not yet
//! in a post; a link and photos together are refused (sandbox choice, matching the publisher's
//! rule); the same message as the Page's last post within 5 minutes is Meta's `(#506) Duplicate
//! status message` (Meta documents "duplicate posts cannot be published consecutively" and no
//! window; 5 minutes is the sandbox's).

use super::app::{meta_time, Post, SharedApp};
use super::errors::GraphError;
use super::graph::GraphRequest;
use super::paging::{self, Asked, Link};
use axum::Json;
use serde_json::{json, Map, Value};
use std::time::Duration;
use tokio::time::Instant;

use super::limits::MAX_PHOTOS;
const DUPLICATE_WINDOW: Duration = Duration::from_secs(5 * 60);
/// Fields a post can be read with.
pub const POST_FIELDS: [&str; 6] = ["id", "message", "created_time", "permalink_url", "link", "attachments"];

pub fn create(app: &SharedApp, page_id: &str, req: &GraphRequest) -> Result<Json<Value>, GraphError> {
    app.lock().authorize(req.token.as_deref(), page_id, "post")?;
    let message = req.params.text("message").filter(|m| !m.trim().is_empty());
    let link = req.params.text("link");
    let media = req.params.attached_media()?;
    if let Some(l) = &link {
        let ok = url::Url::parse(l).is_ok_and(|u| matches!(u.scheme(), "http" | "https"));
        if !ok {
            return Err(GraphError::param(
                "link URL is not properly formatted (sandbox wording)",
            ));
        }
    }
    let mut inner = app.lock();
    let p = inner.authorize(req.token.as_deref(), page_id, "post")?;
    if message.is_none() && link.is_none() && media.is_empty() {
        return Err(GraphError::param("Missing message or attachment"));
    }
    if media.len() > MAX_PHOTOS {
        return Err(GraphError::param(&format!(
            "A post can have at most {MAX_PHOTOS} photos; this one has {} (sandbox wording)",
            media.len()
        )));
    }
    if link.is_some() && !media.is_empty() {
        return Err(GraphError::param(
            "A post cannot have both a link and photos (sandbox wording)",
        ));
    }
    let page = &inner.pages[p];
    for id in &media {
        match page.photos.get(id) {
            None => return Err(GraphError::param(&format!("Invalid media_fbid {id} (sandbox wording)"))),
            Some(photo) if photo.post_id.is_some() => {
                return Err(GraphError::param("Invalid parameter")
                    .subcode(1366051)
                    .user("Photos already posted", "These photos were already posted."))
            }
            Some(_) => {}
        }
    }
    let now = Instant::now();
    if let (Some(m), Some(last)) = (&message, page.posts.last()) {
        if last.message.as_ref() == Some(m) && now.duration_since(last.at) < DUPLICATE_WINDOW {
            return Err(GraphError::duplicate());
        }
    }
    let id = format!("{page_id}_{}", inner.new_id());
    let page = &mut inner.pages[p];
    for photo_id in &media {
        if let Some(photo) = page.photos.get_mut(photo_id) {
            photo.post_id = Some(id.clone());
        }
    }
    page.posts.push(Post {
        id: id.clone(),
        message,
        link,
        photo_ids: media,
        video_id: None,
        created: app.clock.now(),
        at: now,
    });
    inner.counters.posts_created += 1;
    tracing::debug!(message = "Post created.", page = page_id, post = %id);
    Ok(Json(json!({ "id": id })))
}

/// Which list of a Page's posts is read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Edge {
    /// `/feed`: the Page's posts and visitors' posts on it.
    Feed,
    /// `/published_posts`: the Page's own published posts only.
    PublishedPosts,
}

/// `GET /{page-id}/feed` or `/published_posts`: newest first, with Graph's cursor paging
/// ([`paging`]), `since`/`until`, `fields`.
pub fn list(app: &SharedApp, page_id: &str, req: &GraphRequest, edge: Edge) -> Result<Json<Value>, GraphError> {
    let asked = Asked::read(req)?;
    let fields = fields(req, "created_time,message,id")?;
    let inner = app.lock();
    let p = inner.authorize(req.token.as_deref(), page_id, "get")?;
    let page = &inner.pages[p];
    let mut posts: Vec<&Post> = page.posts.iter().rev().collect();
    if edge == Edge::Feed {
        posts.extend(page.visitor_posts.iter().rev());
    }
    posts.retain(|post| asked.within(post.created.timestamp()));
    // Newest first (a stable sort: posts made at the same time stay newest first).
    posts.sort_by(|a, b| b.created.cmp(&a.created).then(b.at.cmp(&a.at)));
    let name = match edge {
        Edge::Feed => "feed",
        Edge::PublishedPosts => "published_posts",
    };
    let link = Link {
        base_url: &app.url,
        path: format!("/{}/{page_id}/{name}", app.version),
    };
    let (chosen, paging) = paging::page(&posts, |post| post.id.as_str(), &asked, req, &link)?;
    let data: Vec<Value> = chosen.iter().map(|post| render(post, &fields, &app.url)).collect();
    let mut body = json!({ "data": data });
    if let Some(paging) = paging {
        body["paging"] = paging;
    }
    Ok(Json(body))
}

/// The `fields` of a read, checked against what a post has.
pub fn fields(req: &GraphRequest, default: &str) -> Result<Vec<String>, GraphError> {
    let asked = req.params.text("fields").unwrap_or_else(|| default.to_string());
    let mut out: Vec<String> = Vec::new();
    for f in asked.split(',').map(str::trim).filter(|f| !f.is_empty()) {
        if !POST_FIELDS.contains(&f) {
            return Err(GraphError::nonexisting_field(f, "PagePost"));
        }
        if !out.iter().any(|o| o == f) {
            out.push(f.to_string());
        }
    }
    if !out.iter().any(|f| f == "id") {
        out.push("id".into());
    }
    Ok(out)
}

/// A post with the fields asked for; absent values are left out, as Meta does.
pub fn render(post: &Post, fields: &[String], base_url: &str) -> Value {
    let mut out = Map::new();
    for f in fields {
        let v = match f.as_str() {
            "id" => json!(post.id),
            "message" => post.message.as_ref().map_or(Value::Null, |m| json!(m)),
            "created_time" => json!(meta_time(post.created)),
            "permalink_url" => json!(format!("{base_url}/_sandbox/posts/{}", post.id)),
            "link" => post.link.as_ref().map_or(Value::Null, |l| json!(l)),
            "attachments" => attachments(post),
            _ => Value::Null,
        };
        if !v.is_null() {
            out.insert(f.clone(), v);
        }
    }
    Value::Object(out)
}

fn attachments(post: &Post) -> Value {
    if post.photo_ids.is_empty() && post.video_id.is_none() {
        return Value::Null;
    }
    let items: Vec<Value> = post
        .photo_ids
        .iter()
        .map(|id| json!({ "type": "photo", "target": { "id": id } }))
        .chain(
            post.video_id
                .iter()
                .map(|id| json!({ "type": "video_inline", "target": { "id": id } })),
        )
        .collect();
    json!({ "data": items })
}
