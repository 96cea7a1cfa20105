//! What every `/2` request goes through before its handler: bearer authentication (the user is
//! handed to the handler as an extension), injected faults, and the counters.

use super::app::{bearer, SharedApp};
use super::problems::{self, Problem};
use axum::extract::{Request, State};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

/// The middleware of the `/2` routes.
pub async fn gate(State(app): State<SharedApp>, mut req: Request, next: Next) -> Response {
    let method = req.method().as_str().to_string();
    let path = req.uri().path().to_string();
    let route = format!("{method} {}", route_of(&path));
    let user = bearer(req.headers()).and_then(|t| app.lock().user_by_token(t).cloned());
    let Some(user) = user else {
        tracing::debug!(message = "Refused: no valid token.", %route);
        app.lock().counters.record(&route, 401);
        return problems::unauthorized().into_response();
    };
    req.extensions_mut().insert(user);
    let query = req.uri().query().unwrap_or("").to_string();
    let fault = app.lock().faults.take(&method, &path, &path, &query);
    let (response, delay_after) = match fault {
        Some(hit) => {
            if !hit.delay.is_zero() {
                tokio::time::sleep(hit.delay).await;
            }
            let delay_after = hit.apply_then_delay.unwrap_or_default();
            match hit.answer {
                Some(answer) => (Problem::from(answer).into_response(), delay_after),
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

/// The route a path is counted under: ids in paths become `{id}`.
pub fn route_of(path: &str) -> String {
    let segments: Vec<&str> = path.trim_start_matches('/').split('/').collect();
    match segments.as_slice() {
        ["2", "users", id, "tweets"] if *id != "me" => "/2/users/{id}/tweets".to_string(),
        ["2", "tweets", _] => "/2/tweets/{id}".to_string(),
        ["2", "media", "upload", id, step @ ("append" | "finalize")] if *id != "initialize" => {
            format!("/2/media/upload/{{id}}/{step}")
        }
        _ => path.to_string(),
    }
}
