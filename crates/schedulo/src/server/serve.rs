//! Serving a router on a bound listener, with what a stranger may hold of it bounded
//! ([`HttpLimits`]):
//!
//! - **connections**: at most `max_connections` at once. At the cap the listener is not polled:
//!   new connections wait in the kernel's accept queue, costing the worker nothing, and are
//!   taken in their turn as others close. (tower's `ConcurrencyLimitLayer` counts requests, not
//!   connections, so it cannot stop idle connections piling up; a semaphore in the accept loop
//!   does.)
//! - **time to send headers**: hyper's header-read timer (`header_timeout`) closes a connection
//!   whose request headers are not all in by then, however slowly they trickle, and an idle
//!   keep-alive connection after as long.
//! - **time for a request**: the router's `TimeoutLayer` (see [`super::public_router`]).
//!
//! HTTP/1.1 only: Bubble, Airtable and Cloudinary all send it. The timers are tokio's, so a test
//! on a paused clock drives them.

use crate::config::HttpLimits;
use axum::Router;
use hyper_util::rt::{TokioIo, TokioTimer};
use hyper_util::service::TowerToHyperService;
use std::sync::Arc;
use std::time::Duration;
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::{watch, OwnedSemaphorePermit, Semaphore};
use tokio::task::JoinHandle;

/// The most bytes of request head hyper buffers (its floor is 8 KiB): the senders' headers are
/// well under 2 KiB; longer is answered 431.
const MAX_HEAD_BYTES: usize = 16 * 1024;

/// After a failed `accept` (most often: out of file descriptors), the pause before the next, so
/// that the loop does not spin while the condition lasts.
const ACCEPT_ERROR_PAUSE: Duration = Duration::from_millis(100);

/// Connections the kernel keeps waiting while the server is at its cap (Linux caps it at
/// `net.core.somaxconn`, 4096 by default); past it the kernel drops new connection attempts, and
/// clients try again. std's own `bind` asks for 128.
pub const ACCEPT_BACKLOG: u32 = 1024;

/// Binds `addr` for serving, with [`ACCEPT_BACKLOG`] (and `SO_REUSEADDR`, as std's `bind` sets it,
/// so that a restarted worker gets its port back at once).
pub fn bind(addr: std::net::SocketAddr) -> std::io::Result<TcpListener> {
    let socket = if addr.is_ipv4() {
        tokio::net::TcpSocket::new_v4()?
    } else {
        tokio::net::TcpSocket::new_v6()?
    };
    socket.set_reuseaddr(true)?;
    socket.bind(addr)?;
    socket.listen(ACCEPT_BACKLOG)
}

/// Serves `router` on `listener` until `stop` turns true; then stops accepting, lets the
/// connections finish what they are doing, and ends.
pub(super) fn spawn(
    listener: TcpListener,
    router: Router,
    limits: HttpLimits,
    stop: watch::Receiver<bool>,
) -> JoinHandle<()> {
    tokio::spawn(accept_loop(listener, router, limits, stop))
}

async fn accept_loop(listener: TcpListener, router: Router, limits: HttpLimits, mut stop: watch::Receiver<bool>) {
    let slots = Arc::new(Semaphore::new(limits.max_connections));
    loop {
        let slot = tokio::select! {
            slot = slots.clone().acquire_owned() => slot.expect("the semaphore is never closed"),
            () = stopped(&mut stop) => break,
        };
        let stream = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok((stream, _)) => stream,
                Err(error) => {
                    tracing::warn!(message = "Failed to accept a connection; pausing before the next.", %error);
                    tokio::time::sleep(ACCEPT_ERROR_PAUSE).await;
                    continue;
                }
            },
            () = stopped(&mut stop) => break,
        };
        tokio::spawn(connection(stream, router.clone(), limits, stop.clone(), slot));
    }
    drop(listener);
    // Each connection holds a slot until it ends: all of them back means all ended.
    let all = u32::try_from(limits.max_connections).unwrap_or(u32::MAX);
    let _ = slots.acquire_many(all).await;
}

/// One connection, holding its `slot` until it closes.
async fn connection(
    stream: TcpStream,
    router: Router,
    limits: HttpLimits,
    mut stop: watch::Receiver<bool>,
    slot: OwnedSemaphorePermit,
) {
    let mut builder = hyper::server::conn::http1::Builder::new();
    builder
        .timer(TokioTimer::new())
        .header_read_timeout(limits.header_timeout)
        .max_buf_size(MAX_HEAD_BYTES);
    let conn = builder.serve_connection(TokioIo::new(stream), TowerToHyperService::new(router));
    tokio::pin!(conn);
    let result = tokio::select! {
        result = conn.as_mut() => result,
        () = stopped(&mut stop) => {
            conn.as_mut().graceful_shutdown();
            conn.await
        }
    };
    if let Err(error) = result {
        // A client that went away, sent garbage, or was too slow with its headers.
        tracing::debug!(message = "A connection ended with an error.", %error);
    }
    drop(slot);
}

/// Resolves once `stop` is true (the guard `wait_for` returns is not held across an await).
async fn stopped(stop: &mut watch::Receiver<bool>) {
    let _ = stop.wait_for(|s| *s).await;
}
