//! Serving a sandbox's router on loopback, and stopping it: the same for every sandbox.

use crate::latency::LatencyHandle;
use anyhow::Context;
use axum::Router;
use std::net::SocketAddr;
use tokio::net::TcpListener;
use tokio::sync::oneshot;
use tokio::task::JoinHandle;

/// A bound listener, not serving yet (a sandbox may need its address to build its state).
pub struct Bound {
    listener: TcpListener,
    addr: SocketAddr,
    name: &'static str,
}

/// A sandbox's server, running on the current tokio runtime.
pub struct Server {
    addr: SocketAddr,
    latency: LatencyHandle,
    stop: oneshot::Sender<()>,
    task: JoinHandle<()>,
}

/// `http://` and an address; an unspecified one (`0.0.0.0`) is reached on loopback.
pub(super) fn url_of(addr: SocketAddr) -> String {
    let mut shown = addr;
    if addr.ip().is_unspecified() {
        shown.set_ip(if addr.is_ipv4() {
            std::net::Ipv4Addr::LOCALHOST.into()
        } else {
            std::net::Ipv6Addr::LOCALHOST.into()
        });
    }
    format!("http://{shown}")
}

impl Bound {
    /// Binds `listen` for the sandbox called `name` (e.g. "Airtable", "X", "Graph API").
    pub async fn bind(listen: SocketAddr, name: &'static str) -> anyhow::Result<Bound> {
        let listener = TcpListener::bind(listen)
            .await
            .with_context(|| format!("Failed to bind the sandbox {name} to {listen}"))?;
        let addr = listener
            .local_addr()
            .with_context(|| format!("Failed to read the sandbox {name}'s address"))?;
        Ok(Bound { listener, addr, name })
    }

    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// Serves `router` until [`Server::stop`], each request waiting the server's latency (none
    /// until [`Server::latency`] is set).
    pub fn serve(self, router: Router) -> Server {
        let Bound { listener, addr, name } = self;
        let latency = LatencyHandle::default();
        let router = crate::latency::delayed(router, latency.clone());
        let (stop, stopped) = oneshot::channel::<()>();
        let task = tokio::spawn(async move {
            let serve = axum::serve(listener, router).with_graceful_shutdown(async {
                let _ = stopped.await;
            });
            if let Err(error) = serve.await {
                tracing::error!(message = %format!("The sandbox {name} stopped."), %error);
            }
        });
        tracing::debug!(message = %format!("Sandbox {name} listening."), %addr);
        Server {
            addr,
            latency,
            stop,
            task,
        }
    }
}

impl Server {
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// `http://127.0.0.1:PORT`.
    pub fn url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// How long each request waits before it is handled.
    pub fn latency(&self) -> &LatencyHandle {
        &self.latency
    }

    /// Stops accepting requests and lets running ones finish.
    pub async fn stop(self) {
        let _ = self.stop.send(());
        let _ = self.task.await;
    }
}
