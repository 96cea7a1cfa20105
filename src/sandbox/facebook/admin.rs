//! The admin path (`/_sandbox`, no token, not counted, never throttled): faults, counters, Pages,
//! usage, and the posts' permalinks (the files photos can be fetched from are [`crate::sandbox::files`]).

use super::app::{meta_time, PageState, SharedApp};
use super::errors::GraphError;
use super::usage::UsageFigures;
use super::FacebookSandboxPage;
use crate::sandbox::faults::FaultSpec;
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
    inner.pages.push(PageState {
        page,
        photos: Default::default(),
        posts: Vec::new(),
    });
    Ok(())
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
