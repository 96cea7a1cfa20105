//! The worker's HTTP server (axum): webhooks from Bubble, Airtable and Cloudinary, Bubble's
//! signed direct uploads (`/uploads/sign`), `/healthz`, `/status`.
//!
//! A webhook is durable in the journal's inbox before it is answered 2xx; then the scheduler is
//! nudged. A webhook that cannot be accepted gets a 4xx whose JSON body says why:
//! `{"error": "..."}`. Secrets are compared in constant time and never echoed.

mod checks;
mod media;
mod webhooks;

pub use webhooks::BubbleEvent;

use crate::journal::Journal;
use crate::scenarios::media_processor::MediaProcessor;
use crate::scenarios::post_scheduler::PostScheduler;
use axum::routing::{get, post};
use axum::Router;
use secrecy::SecretString;
use std::net::SocketAddr;
use std::sync::Arc;

/// What the server needs.
#[derive(Clone)]
pub struct ServerState {
    pub journal: Journal,
    pub scheduler: Arc<PostScheduler>,
    /// Bubble's webhooks must carry `Authorization: Bearer <this>`.
    pub webhook_token: SecretString,
    /// The hand-made webhook's pings are signed with this (its `macSecretBase64`, decoded).
    pub airtable_mac_secret: Option<Vec<u8>>,
    /// The webhook the worker keeps on its base (`SCHEDULO_PUBLIC_URL`, or the sandbox); its pings
    /// are checked and kept by it. `None`: only a hand-made webhook's pings (`airtable_mac_secret`).
    pub airtable_webhook: Option<Arc<crate::scenarios::airtable_webhook::AirtableWebhook>>,
    /// The Media Processor; `None`: Cloudinary is not configured, and media webhooks are refused.
    pub media: Option<Arc<MediaProcessor>>,
}

pub fn router(state: ServerState) -> Router {
    Router::new()
        .route("/healthz", get(|| async { "ok" }))
        .route("/status", get(webhooks::status))
        .route("/webhooks/bubble", post(webhooks::bubble))
        .route("/webhooks/airtable", post(webhooks::airtable))
        .route(
            crate::scenarios::media_processor::NOTIFICATION_PATH,
            post(media::cloudinary),
        )
        .route("/uploads/sign", post(media::sign))
        .with_state(state)
}

/// Binds `listen` and serves until `shutdown` resolves; returns the bound address at once.
pub async fn serve(
    listen: SocketAddr,
    state: ServerState,
    shutdown: impl std::future::Future<Output = ()> + Send + 'static,
) -> anyhow::Result<(SocketAddr, tokio::task::JoinHandle<()>)> {
    let listener = tokio::net::TcpListener::bind(listen).await?;
    serve_listener(listener, state, shutdown)
}

/// Serves on a bound listener until `shutdown` resolves; returns its address at once.
pub fn serve_listener(
    listener: tokio::net::TcpListener,
    state: ServerState,
    shutdown: impl std::future::Future<Output = ()> + Send + 'static,
) -> anyhow::Result<(SocketAddr, tokio::task::JoinHandle<()>)> {
    let addr = listener.local_addr()?;
    let app = router(state);
    let handle = tokio::spawn(async move {
        if let Err(error) = axum::serve(listener, app).with_graceful_shutdown(shutdown).await {
            tracing::error!(message = "The HTTP server stopped.", %error);
        }
    });
    Ok((addr, handle))
}
