//! The admin path (`/_sandbox`, no token, not counted, never throttled): faults, counters, Pages,
//! Instagram accounts, usage, and the permalinks of posts, Instagram media and videos (the files photos can be fetched from are [`crate::files`]).

use super::app::{meta_time, PageState, SharedApp};
use super::errors::GraphError;
use super::instagram::IgUser;
use super::usage::UsageFigures;
use super::{FacebookSandboxPage, InstagramSandboxUser};
use crate::faults::FaultSpec;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde::de::DeserializeOwned;
use serde_json::{json, Value};

type Answer = Result<Json<Value>, GraphError>;

fn parse<T: DeserializeOwned>(body: &[u8]) -> Result<T, GraphError> {
    serde_json::from_slice(body).map_err(|e| GraphError::param(&format!("Bad admin request: {e} (sandbox wording)")))
}

pub async fn add_fault(State(app): State<SharedApp>, body: Bytes) -> Answer {
    let spec: FaultSpec = parse(&body)?;
    app.lock()
        .faults
        .add(spec)
        .map_err(|e| GraphError::param(&format!("Bad fault: {e} (sandbox wording)")))?;
    Ok(Json(json!({})))
}

pub async fn clear_faults(State(app): State<SharedApp>) -> Json<Value> {
    app.lock().faults.clear();
    Json(json!({}))
}

pub async fn counters(State(app): State<SharedApp>) -> Json<Value> {
    Json(serde_json::to_value(&app.lock().counters).unwrap_or_default())
}

pub async fn reset_counters(State(app): State<SharedApp>) -> Json<Value> {
    app.lock().counters = Default::default();
    Json(json!({}))
}

/// Adds a Page: `{"token","id","name"}`.
pub async fn add_page(State(app): State<SharedApp>, body: Bytes) -> Answer {
    let page: FacebookSandboxPage = parse(&body)?;
    let id = page.id.clone();
    add(&app, page)?;
    Ok(Json(json!({ "id": id })))
}

/// Adds a Page unless its id or token is taken or empty.
pub fn add(app: &SharedApp, page: FacebookSandboxPage) -> Result<(), GraphError> {
    let mut inner = app.lock();
    if page.id.trim().is_empty() || page.token.trim().is_empty() || page.id.contains(['/', '_', '?', '#']) {
        return Err(GraphError::param(
            "A Page needs an id (without / _ ? #) and a token (sandbox wording)",
        ));
    }
    if inner.page_index(&page.id).is_some() || inner.page_of_token(&page.token).is_some() {
        return Err(GraphError::param(&format!(
            "Page {} or its token already exists (sandbox wording)",
            page.id
        )));
    }
    let state = match inner.parked.take_page(&page.id) {
        Some(kept) => PageState { page, ..kept },
        None => PageState {
            page,
            photos: Default::default(),
            posts: Vec::new(),
            visitor_posts: Vec::new(),
            videos: Vec::new(),
            reel_finishes: Default::default(),
        },
    };
    inner.pages.push(state);
    Ok(())
}

/// Adds a visitor's post on a Page (`{"message"}`): it shows in the Page's `/feed`, not in its
/// `/published_posts`. Answers `{"id"}`.
pub async fn add_visitor_post(State(app): State<SharedApp>, Path(page_id): Path<String>, body: Bytes) -> Answer {
    #[derive(serde::Deserialize)]
    #[serde(deny_unknown_fields)]
    struct Visitor {
        message: String,
    }
    let visitor: Visitor = parse(&body)?;
    let mut inner = app.lock();
    let p = inner
        .page_index(&page_id)
        .ok_or_else(|| GraphError::param(&format!("No Page {page_id} (sandbox wording)")))?;
    let id = format!("{page_id}_{}", inner.new_id());
    inner.pages[p].visitor_posts.push(super::app::Post {
        id: id.clone(),
        message: Some(visitor.message),
        link: None,
        photo_ids: Vec::new(),
        video_id: None,
        created: app.clock.now(),
        at: tokio::time::Instant::now(),
    });
    Ok(Json(json!({ "id": id })))
}

/// The Pages, without their tokens.
pub async fn list_pages(State(app): State<SharedApp>) -> Json<Value> {
    let pages: Vec<Value> = app
        .lock()
        .pages
        .iter()
        .map(|p| json!({ "id": p.page.id, "name": p.page.name, "posts": p.posts.len() }))
        .collect();
    Json(json!({ "pages": pages }))
}

/// Sets the usage the calls add to: `{"call_count","total_cputime","total_time",
/// "estimated_time_to_regain_access"}` (each optional, 0 when absent).
pub async fn set_usage(State(app): State<SharedApp>, body: Bytes) -> Answer {
    let figures: UsageFigures = parse(&body)?;
    app.lock().usage.set = figures;
    Ok(Json(serde_json::to_value(figures).unwrap_or_default()))
}

/// What a permalink shows: the post as JSON.
pub async fn show_post(State(app): State<SharedApp>, Path(id): Path<String>) -> Response {
    let inner = app.lock();
    let Some((p, i)) = inner.find_post(&id) else {
        return (StatusCode::NOT_FOUND, "No such post in the sandbox").into_response();
    };
    let post = &inner.pages[p].posts[i];
    let photos: Vec<Value> = post
        .photo_ids
        .iter()
        .map(|id| json!({ "id": id, "url": inner.pages[p].photos.get(id).map(|ph| ph.url.as_str()) }))
        .collect();
    Json(json!({
        "id": post.id,
        "page": { "id": inner.pages[p].page.id, "name": inner.pages[p].page.name },
        "message": post.message,
        "link": post.link,
        "photos": photos,
        "created_time": meta_time(post.created),
    }))
    .into_response()
}

/// Adds an Instagram account: `{"token","id","username"}`.
pub async fn add_ig_user(State(app): State<SharedApp>, body: Bytes) -> Answer {
    let user: InstagramSandboxUser = parse(&body)?;
    let id = user.id.clone();
    add_ig(&app, user)?;
    Ok(Json(json!({ "id": id })))
}

/// Adds an Instagram account unless its id or token is taken (by a Page too) or empty.
pub fn add_ig(app: &SharedApp, user: InstagramSandboxUser) -> Result<(), GraphError> {
    let mut inner = app.lock();
    if user.id.trim().is_empty() || user.token.trim().is_empty() || user.id.contains(['/', '_', '?', '#']) {
        return Err(GraphError::param(
            "An Instagram account needs an id (without / _ ? #) and a token (sandbox wording)",
        ));
    }
    let taken =
        inner.ig_index(&user.id).is_some() || inner.page_index(&user.id).is_some() || inner.knows_token(&user.token);
    if taken {
        return Err(GraphError::param(&format!(
            "Instagram account {} or its token already exists (sandbox wording)",
            user.id
        )));
    }
    let state = match inner.parked.take_ig(&user.id) {
        Some(kept) => IgUser { user, ..kept },
        None => IgUser::new(user),
    };
    inner.ig_users.push(state);
    Ok(())
}

/// The Instagram accounts, without their tokens.
pub async fn list_ig_users(State(app): State<SharedApp>) -> Json<Value> {
    let users: Vec<Value> = app
        .lock()
        .ig_users
        .iter()
        .map(|u| json!({ "id": u.user.id, "username": u.user.username, "media": u.media.len() }))
        .collect();
    Json(json!({ "users": users }))
}

/// An account's published media.
pub async fn ig_media(State(app): State<SharedApp>, Path(user): Path<String>) -> Response {
    let inner = app.lock();
    match inner.ig_index(&user) {
        Some(u) => Json(json!({ "media": inner.ig_media_of(&inner.ig_users[u]) })).into_response(),
        None => (StatusCode::NOT_FOUND, "No such Instagram account in the sandbox").into_response(),
    }
}

/// An account's containers and their status now.
pub async fn ig_containers(State(app): State<SharedApp>, Path(user): Path<String>) -> Response {
    let inner = app.lock();
    match inner.ig_index(&user) {
        Some(u) => {
            let containers = super::inspect::containers_of(&inner.ig_users[u], &app.settings);
            Json(json!({ "containers": containers })).into_response()
        }
        None => (StatusCode::NOT_FOUND, "No such Instagram account in the sandbox").into_response(),
    }
}

/// What an Instagram permalink shows: the media as JSON.
pub async fn show_ig_media(State(app): State<SharedApp>, Path(id): Path<String>) -> Response {
    let inner = app.lock();
    let Some((u, m)) = inner.find_ig_media(&id) else {
        return (StatusCode::NOT_FOUND, "No such Instagram post in the sandbox").into_response();
    };
    let user = &inner.ig_users[u];
    let media = &user.media[m];
    Json(json!({
        "id": media.id,
        "account": { "id": user.user.id, "username": user.user.username },
        "caption": media.caption,
        "media_type": media.media_type,
        "media_product_type": media.media_product_type,
        "children": media.children,
        "timestamp": meta_time(media.timestamp),
    }))
    .into_response()
}

/// What a video's permalink shows: the video as JSON.
pub async fn show_video(State(app): State<SharedApp>, Path(id): Path<String>) -> Response {
    let inner = app.lock();
    let found = inner
        .pages
        .iter()
        .find_map(|p| p.videos.iter().find(|v| v.id == id).map(|v| (p, v)));
    let Some((page, video)) = found else {
        return (StatusCode::NOT_FOUND, "No such video in the sandbox").into_response();
    };
    Json(json!({
        "id": video.id,
        "page": { "id": page.page.id, "name": page.page.name },
        "kind": video.kind,
        "description": video.description,
        "status": video.status(tokio::time::Instant::now(), app.settings.video_processing),
        "created_time": meta_time(video.created),
    }))
    .into_response()
}
