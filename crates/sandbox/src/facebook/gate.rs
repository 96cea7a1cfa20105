//! What every Graph API request goes through around its handler: the usage window (and the
//! throttle at 100 %), injected faults, the usage headers on the answer, and the counters.

use super::app::{token_of, Owner, SharedApp};
use super::errors::GraphError;
use crate::faults::FaultHit;
use axum::extract::{Request, State};
use axum::http::HeaderValue;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use tokio::time::Instant;

/// The middleware of the Graph API routes.
pub async fn gate(State(app): State<SharedApp>, req: Request, next: Next) -> Response {
    let method = req.method().as_str().to_string();
    let path = req.uri().path().to_string();
    let query_token = req.uri().query().and_then(|q| {
        form_urlencoded::parse(q.as_bytes())
            .find(|(k, _)| k == "access_token")
            .map(|(_, v)| v.into_owned())
    });
    let token = token_of(req.headers(), query_token);
    let (figures, page_id, fault) = {
        let mut inner = app.lock();
        let now = Instant::now();
        inner.usage.record(now);
        let figures = inner.usage.figures(now);
        let page_id = token.as_deref().and_then(|t| inner.owner_of_token(t));
        let fault = if figures.exhausted() {
            inner.counters.throttled += 1;
            None
        } else {
            inner
                .faults
                .take(&method, &path, &path, req.uri().query().unwrap_or(""))
        };
        (figures, page_id, fault)
    };
    let mut response = if figures.exhausted() {
        match page_id {
            Some((_, Owner::Page)) => GraphError::page_limit().into_response(),
            Some((_, Owner::Instagram)) => GraphError::ig_limit().into_response(),
            None => GraphError::app_limit().into_response(),
        }
    } else {
        match fault {
            None => next.run(req).await,
            // With `apply_then_delay_ms`, `delay_ms` is not waited (as before the faults were shared).
            Some(FaultHit {
                apply_then_delay: Some(delay),
                answer,
                ..
            }) => {
                let applied = next.run(req).await;
                tracing::debug!(message = "Request carried out; holding its answer.", %path, delay_ms = delay.as_millis() as u64);
                tokio::time::sleep(delay).await;
                answer.map_or(applied, |a| GraphError::from(a).into_response())
            }
            Some(FaultHit {
                delay,
                answer: Some(answer),
                ..
            }) => {
                tokio::time::sleep(delay).await;
                GraphError::from(answer).into_response()
            }
            Some(FaultHit {
                delay, answer: None, ..
            }) => {
                tokio::time::sleep(delay).await;
                next.run(req).await
            }
        }
    };
    let headers = response.headers_mut();
    if let Ok(v) = HeaderValue::from_str(&figures.app_header()) {
        headers.insert("x-app-usage", v);
    }
    if let Some((owner, kind)) = &page_id {
        let kind = match kind {
            Owner::Page => "pages",
            Owner::Instagram => "instagram",
        };
        if let Ok(v) = HeaderValue::from_str(&figures.business_header(owner, kind)) {
            headers.insert("x-business-use-case-usage", v);
        }
    }
    let status = response.status().as_u16();
    app.lock().counters.record(&method, &path, status);
    tracing::debug!(message = "Answered.", %method, %path, status);
    response
}
