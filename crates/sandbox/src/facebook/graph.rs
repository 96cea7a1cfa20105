//! The Graph API routes: `/{version}/{node}` and `/{version}/{node}/{edge}`, dispatched to the
//! handlers of the Page and Instagram account edges the sandbox serves.

use super::app::{token_of, SharedApp};
use super::errors::GraphError;
use super::instagram::{containers, media, publish};
use super::params::Params;
use super::{feed, node, photos, reels, videos};
use axum::body::Bytes;
use axum::extract::{Path, RawQuery, State};
use axum::http::{HeaderMap, Method};
use axum::response::{IntoResponse, Response};

/// A request, read: its parameters and token.
pub struct GraphRequest {
    pub params: Params,
    pub token: Option<String>,
}

fn read(
    version: &str,
    app: &SharedApp,
    query: Option<String>,
    headers: &HeaderMap,
    body: &[u8],
) -> Result<GraphRequest, GraphError> {
    if version != app.version {
        return Err(GraphError::unknown_path(&format!("/{version}")));
    }
    let params = Params::parse(query.as_deref(), headers, body)?;
    let token = token_of(headers, params.text("access_token"));
    Ok(GraphRequest { params, token })
}

pub async fn on_node(
    State(app): State<SharedApp>,
    method: Method,
    Path((version, id)): Path<(String, String)>,
    RawQuery(query): RawQuery,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let answer = match read(&version, &app, query, &headers, &body) {
        Ok(req) if method == Method::GET => node::get(&app, &id, &req),
        Ok(_) => Err(GraphError::no_such_object(&method.as_str().to_ascii_lowercase(), &id)),
        Err(e) => Err(e),
    };
    answer.into_response()
}

pub async fn on_edge(
    State(app): State<SharedApp>,
    method: Method,
    Path((version, id, edge)): Path<(String, String, String)>,
    RawQuery(query): RawQuery,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let req = match read(&version, &app, query, &headers, &body) {
        Ok(req) => req,
        Err(e) => return e.into_response(),
    };
    let instagram = app.lock().ig_index(&id).is_some();
    let answer = match (instagram, method.as_str(), edge.as_str()) {
        (false, "POST", "photos") => photos::create(&app, &id, &req).await,
        (false, "POST", "feed") => feed::create(&app, &id, &req),
        (false, "GET", "feed") => feed::list(&app, &id, &req, feed::Edge::Feed),
        (false, "GET", "published_posts") => feed::list(&app, &id, &req, feed::Edge::PublishedPosts),
        (false, "POST", "videos") => videos::create(&app, &id, &req).await,
        (false, "POST", "video_reels") => reels::reels(&app, &id, &req),
        (false, _, edge) => Err(GraphError::nonexisting_field(edge, "Page")),
        (true, "POST", "media") => containers::create(&app, &id, &req).await,
        (true, "POST", "media_publish") => publish::publish(&app, &id, &req),
        (true, "GET", "content_publishing_limit") => publish::limit(&app, &id, &req),
        (true, "GET", "media") => media::list(&app, &id, &req, false),
        (true, "GET", "stories") => media::list(&app, &id, &req, true),
        (true, _, edge) => Err(GraphError::nonexisting_field(edge, "IGUser")),
    };
    answer.into_response()
}

/// Anything else: Meta's answer to a path it does not know.
pub async fn unknown(uri: axum::http::Uri) -> GraphError {
    GraphError::unknown_path(uri.path())
}
