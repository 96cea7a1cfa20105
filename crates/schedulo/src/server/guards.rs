//! The checks each webhook route makes from its headers alone, as middleware before the body
//! limit and the handler: a stranger is refused before a byte of the body is read.
//!
//! - Bubble's routes: the bearer token ([`super::checks::refuse_bearer`]).
//! - Cloudinary's notifications: `X-Cld-Signature` present and `X-Cld-Timestamp` within the
//!   2 hours Cloudinary's SDKs allow (the signature covers the body, so it is checked after).
//! - Airtable's pings: `X-Airtable-Content-MAC` present and well formed (the MAC covers the body;
//!   the ping's timestamp is in the body).
//!
//! A route whose sender is not configured answers 404 here, without reading the body either.

use super::checks::{refuse, refuse_bearer};
use super::media::NOT_CONFIGURED;
use super::ServerState;
use axum::extract::{Request, State};
use axum::http::StatusCode;
use axum::middleware::Next;
use axum::response::Response;

/// Bubble's routes: the bearer token, before anything else.
pub(super) async fn bearer(State(state): State<ServerState>, request: Request, next: Next) -> Response {
    if let Some(refused) = refuse_bearer(&state, request.headers()) {
        tracing::info!(message = "Refused a request without this worker's bearer token.", path = %request.uri().path());
        return refused;
    }
    next.run(request).await
}

/// Cloudinary's notifications: its headers, before the body.
pub(super) async fn cloudinary(State(state): State<ServerState>, request: Request, next: Next) -> Response {
    let Some(processor) = &state.media else {
        return refuse(StatusCode::NOT_FOUND, NOT_CONFIGURED);
    };
    let now = processor.now().timestamp();
    if let Err(why) = processor
        .cloudinary()
        .check_notification_headers(request.headers(), now)
    {
        tracing::warn!(message = "Refused a Cloudinary notification.", reason = %why);
        return refuse(StatusCode::UNAUTHORIZED, why.to_string());
    }
    next.run(request).await
}

/// What `/webhooks/airtable` answers when the worker keeps no webhook and none was made by hand.
pub(super) const AIRTABLE_NOT_CONFIGURED: &str = "Airtable change notifications are not configured \
     (SCHEDULO_PUBLIC_URL for a webhook the worker keeps, AIRTABLE_WEBHOOK_MAC_SECRET for one made by hand)";

/// Airtable's pings: the MAC header's presence and form, before the body.
pub(super) async fn airtable(State(state): State<ServerState>, request: Request, next: Next) -> Response {
    if state.airtable_webhook.is_none() && state.airtable_mac_secret.is_none() {
        return refuse(StatusCode::NOT_FOUND, AIRTABLE_NOT_CONFIGURED);
    }
    let header = request
        .headers()
        .get("x-airtable-content-mac")
        .and_then(|v| v.to_str().ok());
    if let Err(why) = crate::airtable::presented_mac(header) {
        tracing::info!(message = "Refused an Airtable ping.", reason = why);
        return refuse(StatusCode::UNAUTHORIZED, why);
    }
    next.run(request).await
}
