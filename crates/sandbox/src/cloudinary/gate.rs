//! What every API and delivery request goes through around its handler (not the admin path):
//! injected faults, the counters, and sweeping chunked uploads past their time.

use super::app::SharedApp;
use super::errors::CldError;
use axum::extract::{Request, State};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

pub async fn gate(State(app): State<SharedApp>, req: Request, next: Next) -> Response {
    let path = req.uri().path().to_string();
    if path.starts_with("/_sandbox/") {
        return next.run(req).await;
    }
    app.lock().chunks.sweep(tokio::time::Instant::now());
    let method = req.method().as_str().to_string();
    let route = format!("{method} {}", route_of(&path));
    let query = req.uri().query().unwrap_or("").to_string();
    let fault = app.lock().faults.take(&method, &path, &path, &query);
    let response = match fault {
        Some(hit) => {
            if !hit.delay.is_zero() {
                tokio::time::sleep(hit.delay).await;
            }
            match (hit.apply_then_delay, hit.answer) {
                (None, Some(answer)) => CldError::from(answer).into_response(),
                (None, None) => next.run(req).await,
                (Some(after), answer) => {
                    let carried = next.run(req).await;
                    tokio::time::sleep(after).await;
                    match answer {
                        Some(answer) => CldError::from(answer).into_response(),
                        None => carried,
                    }
                }
            }
        }
        None => next.run(req).await,
    };
    app.lock().counters.record(&route, response.status().as_u16());
    response
}

/// The route a path is counted as: `/v1_1/{cloud}/image/upload`, `/v1_1/{cloud}/upload_presets`
/// (names and ids left out), or `delivery`.
pub fn route_of(path: &str) -> String {
    let parts: Vec<&str> = path.trim_start_matches('/').split('/').collect();
    match parts.as_slice() {
        ["v1_1", _, first @ ("upload_presets" | "folders" | "transformations" | "resources" | "usage"), ..] => {
            format!("/v1_1/{{cloud}}/{first}")
        }
        ["v1_1", _, rt, action, ..] => format!("/v1_1/{{cloud}}/{rt}/{action}"),
        _ => "delivery".into(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn routes_leave_names_out() {
        assert_eq!(route_of("/v1_1/demo/image/upload"), "/v1_1/{cloud}/image/upload");
        assert_eq!(route_of("/v1_1/demo/upload_presets/p1"), "/v1_1/{cloud}/upload_presets");
        assert_eq!(route_of("/demo/image/upload/v1/x.jpg"), "delivery");
    }
}
