//! What every API request and upload goes through around its handler: bearer authentication for
//! `/v2/...` (the creator is handed to the handler as an extension; the `upload_url` carries its
//! own token instead), the scopes each endpoint needs, the per-token rate limits, injected
//! faults, and the counters.

use super::app::{bearer, SharedApp};
use super::errors::TikTokError;
use super::rate::Endpoint;
use axum::extract::{Request, State};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use tokio::time::Instant;

/// The endpoint a path is limited as, if it is.
fn endpoint_of(path: &str) -> Option<Endpoint> {
    match path.trim_end_matches('/') {
        "/v2/post/publish/creator_info/query" => Some(Endpoint::CreatorInfo),
        "/v2/post/publish/video/init" | "/v2/post/publish/content/init" | "/v2/post/publish/inbox/video/init" => {
            Some(Endpoint::Init)
        }
        "/v2/post/publish/status/fetch" => Some(Endpoint::Status),
        "/v2/video/list" => Some(Endpoint::VideoList),
        "/v2/video/query" => Some(Endpoint::VideoQuery),
        _ => None,
    }
}

/// The scopes a path needs, any one of them (the scope each reference page names:
/// developers.tiktok.com `doc/content-posting-api-reference-query-creator-info`, `-direct-post`,
/// `-upload-video`, `-photo-post`, `-get-video-status`, `doc/tiktok-api-v2-video-list`,
/// `-video-query`). Photos need `video.publish` to post and `video.upload` for the inbox; the
/// gate reads no body, so either lets `content/init` through.
fn scopes_of(path: &str) -> &'static [&'static str] {
    match path.trim_end_matches('/') {
        "/v2/post/publish/creator_info/query" | "/v2/post/publish/video/init" => &["video.publish"],
        "/v2/post/publish/inbox/video/init" => &["video.upload"],
        "/v2/post/publish/content/init" | "/v2/post/publish/status/fetch" => &["video.publish", "video.upload"],
        "/v2/video/list" | "/v2/video/query" => &["video.list"],
        _ => &[],
    }
}

/// The middleware of the API and upload routes.
pub async fn gate(State(app): State<SharedApp>, mut req: Request, next: Next) -> Response {
    let method = req.method().as_str().to_string();
    let path = req.uri().path().to_string();
    let route = format!("{method} {path}");
    if path.starts_with("/v2/") {
        let token = bearer(req.headers()).map(str::to_string);
        let creator = token.as_deref().and_then(|t| app.lock().creator_by_token(t).cloned());
        let Some(creator) = creator else {
            tracing::debug!(message = "Refused: no valid token.", %route);
            app.lock().counters.record(&route, 401);
            return TikTokError::token_invalid().into_response();
        };
        let needs = scopes_of(&path);
        let granted = needs.is_empty() || needs.iter().any(|s| app.lock().granted(&creator.open_id, s));
        if !granted {
            app.lock().counters.record(&route, 401);
            return TikTokError::scope_not_authorized().into_response();
        }
        if let Some(endpoint) = endpoint_of(&path) {
            let limit = app.limits.per_minute(endpoint);
            let admitted = app.lock().windows.take(&creator.token, endpoint, Instant::now(), limit);
            if !admitted {
                app.lock().counters.record(&route, 429);
                return TikTokError::rate_limited().into_response();
            }
        }
        req.extensions_mut().insert(creator);
    }
    let query = req.uri().query().unwrap_or("").to_string();
    let fault = app.lock().faults.take(&method, &path, &path, &query);
    let (response, delay_after) = match fault {
        Some(hit) => {
            if !hit.delay.is_zero() {
                tokio::time::sleep(hit.delay).await;
            }
            let delay_after = hit.apply_then_delay.unwrap_or_default();
            match hit.answer {
                Some(answer) => (TikTokError::from(answer).into_response(), delay_after),
                None => (next.run(req).await, delay_after),
            }
        }
        None => (next.run(req).await, std::time::Duration::ZERO),
    };
    let status = response.status().as_u16();
    app.lock().counters.record(&route, status);
    tracing::debug!(message = "Answered.", %route, status);
    if !delay_after.is_zero() {
        tokio::time::sleep(delay_after).await;
    }
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_map_to_their_limits_with_or_without_the_trailing_slash() {
        assert_eq!(endpoint_of("/v2/post/publish/video/init/"), Some(Endpoint::Init));
        assert_eq!(endpoint_of("/v2/post/publish/content/init"), Some(Endpoint::Init));
        assert_eq!(endpoint_of("/v2/post/publish/status/fetch/"), Some(Endpoint::Status));
        assert_eq!(endpoint_of("/upload/video/"), None);
    }
}
