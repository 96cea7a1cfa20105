//! The operator's view, served only on the operator's listener (`SCHEDULO_ADMIN_LISTEN`, loopback):
//! `/status`, the journal's status as JSON (what `schedulo status` prints).

use super::checks::refuse;
use super::ServerState;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;

/// `GET /status`. A journal that cannot be read is logged with its detail; the answer says only that.
pub(super) async fn status(State(state): State<ServerState>) -> Response {
    match crate::status::report(&state.journal).await {
        Ok(report) => Json(report).into_response(),
        Err(error) => {
            tracing::error!(message = "Failed to read the journal for /status.", %error);
            refuse(
                StatusCode::SERVICE_UNAVAILABLE,
                "the status cannot be read now; see the worker's log",
            )
        }
    }
}
