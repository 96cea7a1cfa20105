//! The worker's HTTP surface (axum on hyper), on two listeners:
//!
//! - **public** (`SCHEDULO_LISTEN`): only what outsiders call. Bubble's `/webhooks/bubble` and
//!   `/uploads/sign` (bearer token; without a configured `SCHEDULO_WEBHOOK_TOKEN` they are not
//!   served: 404), Airtable's pings `/webhooks/airtable`, Cloudinary's notifications
//!   `/webhooks/cloudinary`, and `/healthz`.
//! - **the operator's** (`SCHEDULO_ADMIN_LISTEN`, loopback only, or off): `/status` and `/healthz`.
//!   It has no credential of its own: being reachable only from the machine is its credential.
//!
//! # Strangers are turned away before they cost anything
//! Each webhook route checks what it can from the headers first (`guards.rs`: the bearer token,
//! the signature headers, Cloudinary's timestamp), then its body limit (`limits.rs`, from the
//! `Content-Length` before reading), then the handler reads the body and verifies the rest
//! (MACs, signatures, Airtable's timestamp window). The server bounds connections, the time to
//! send headers and the time of a request (`serve.rs`, [`HttpLimits`]). Secrets are compared in
//! constant time and never echoed; an error body says what the caller got wrong, never the
//! journal's or a vendor's internals (those go to the log).
//!
//! A webhook is durable in the journal's inbox before it is answered 2xx; then the scheduler is
//! nudged. A webhook that cannot be accepted gets a 4xx whose JSON body says why:
//! `{"error": "..."}`.
//!
//! # Layout
//! - `mod.rs`: [`ServerState`], the two routers, [`serve`]; [`bind`] a listener for them.
//! - `guards.rs`: the header checks before the body; `limits.rs`: the body limits.
//! - `serve.rs`: the accept loop (connection cap, header-read timeout, graceful stop).
//! - `webhooks.rs`: Bubble's nudges, Airtable's pings; `media.rs`: the Media Processor's routes.
//! - `admin.rs`: `/status`; `checks.rs`: what the handlers share.

mod admin;
mod checks;
mod guards;
pub mod limits;
mod media;
mod serve;
mod webhooks;

pub use serve::{bind, ACCEPT_BACKLOG};
pub use webhooks::BubbleEvent;

use crate::config::HttpLimits;
use crate::journal::Journal;
use crate::scenarios::media_processor::MediaProcessor;
use crate::scenarios::post_scheduler::PostScheduler;
use axum::http::StatusCode;
use axum::middleware::from_fn_with_state;
use axum::response::Response;
use axum::routing::{get, post, MethodRouter};
use axum::Router;
use secrecy::SecretString;
use std::future::Future;
use std::sync::Arc;
use tokio::net::TcpListener;
use tokio::sync::watch;
use tokio::task::JoinHandle;
use tower_http::limit::RequestBodyLimitLayer;
use tower_http::timeout::TimeoutLayer;

/// What the server needs.
#[derive(Clone)]
pub struct ServerState {
    pub journal: Journal,
    pub scheduler: Arc<PostScheduler>,
    /// Bubble's routes must carry `Authorization: Bearer <this>`; `None`: they are not served.
    pub webhook_token: Option<SecretString>,
    /// The hand-made webhook's pings are signed with this (its `macSecretBase64`, decoded).
    pub airtable_mac_secret: Option<Vec<u8>>,
    /// A hand-made webhook's ping further than this from now is a replay (`AIRTABLE_PING_WINDOW_SECS`;
    /// the kept webhook has its own copy in its timing).
    pub airtable_ping_window: chrono::Duration,
    /// The webhook the worker keeps on its base (`SCHEDULO_PUBLIC_URL`, or the sandbox); its pings
    /// are checked and kept by it. `None`: only a hand-made webhook's pings (`airtable_mac_secret`).
    pub airtable_webhook: Option<Arc<crate::scenarios::airtable_webhook::AirtableWebhook>>,
    /// The Media Processor; `None`: Cloudinary is not configured, and media webhooks are refused.
    pub media: Option<Arc<MediaProcessor>>,
}

/// The listeners the worker serves on, bound beforehand so that their addresses are known.
pub struct Listeners {
    /// `SCHEDULO_LISTEN`: the webhooks, `/uploads/sign`, `/healthz`.
    pub public: TcpListener,
    /// `SCHEDULO_ADMIN_LISTEN`: `/status`, `/healthz`; `None`: off.
    pub admin: Option<TcpListener>,
}

/// A POST route behind `guard` (headers, before the body) and a body limit of `limit` bytes.
fn guarded<G, Fut>(
    state: &ServerState,
    handler: MethodRouter<ServerState>,
    guard: G,
    limit: usize,
) -> MethodRouter<ServerState>
where
    G: Fn(axum::extract::State<ServerState>, axum::extract::Request, axum::middleware::Next) -> Fut
        + Clone
        + Send
        + Sync
        + 'static,
    Fut: Future<Output = Response> + Send + 'static,
{
    handler
        .layer(RequestBodyLimitLayer::new(limit))
        .route_layer(from_fn_with_state(state.clone(), guard))
}

/// The public listener's routes: webhooks, `/uploads/sign`, `/healthz`; nothing else.
pub fn public_router(state: ServerState, limits: HttpLimits) -> Router {
    let mut router = Router::new()
        .route("/healthz", get(healthz))
        .route(
            crate::scenarios::airtable_webhook::PATH,
            guarded(
                &state,
                post(webhooks::airtable),
                guards::airtable,
                limits::AIRTABLE_BODY_LIMIT,
            ),
        )
        .route(
            crate::scenarios::media_processor::NOTIFICATION_PATH,
            guarded(
                &state,
                post(media::cloudinary),
                guards::cloudinary,
                limits::CLOUDINARY_BODY_LIMIT,
            ),
        );
    if state.webhook_token.is_some() {
        router = router
            .route(
                "/webhooks/bubble",
                guarded(
                    &state,
                    post(webhooks::bubble),
                    guards::bearer,
                    limits::BUBBLE_BODY_LIMIT,
                ),
            )
            .route(
                "/uploads/sign",
                guarded(&state, post(media::sign), guards::bearer, limits::BUBBLE_BODY_LIMIT),
            );
    }
    finish(router, state, limits)
}

/// The operator's listener's routes: `/status` and `/healthz`.
pub fn admin_router(state: ServerState, limits: HttpLimits) -> Router {
    let router = Router::new()
        .route("/healthz", get(healthz))
        .route("/status", get(admin::status));
    finish(router, state, limits)
}

/// What every router shares: a JSON 404 for what it does not serve, and the request timeout
/// (408 past it, the body's read included).
fn finish(router: Router<ServerState>, state: ServerState, limits: HttpLimits) -> Router {
    router
        .fallback(not_found)
        .layer(TimeoutLayer::with_status_code(
            StatusCode::REQUEST_TIMEOUT,
            limits.request_timeout,
        ))
        .with_state(state)
}

async fn healthz() -> &'static str {
    "ok"
}

async fn not_found() -> Response {
    checks::refuse(StatusCode::NOT_FOUND, "no such route")
}

/// Serves the public routes on `listeners.public` and the operator's on `listeners.admin` until
/// `shutdown` resolves; then stops accepting and lets the connections finish. The task ends when
/// both have.
pub fn serve(
    listeners: Listeners,
    state: ServerState,
    limits: HttpLimits,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> JoinHandle<()> {
    let (stop_tx, stop_rx) = watch::channel(false);
    let public = serve::spawn(
        listeners.public,
        public_router(state.clone(), limits),
        limits,
        stop_rx.clone(),
    );
    let admin = listeners
        .admin
        .map(|listener| serve::spawn(listener, admin_router(state, limits), limits, stop_rx));
    tokio::spawn(async move {
        shutdown.await;
        let _ = stop_tx.send(true);
        let _ = public.await;
        if let Some(admin) = admin {
            let _ = admin.await;
        }
    })
}
