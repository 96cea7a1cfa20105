//! The background writer of a snapshot, and the middleware that holds an answer until the change
//! it reports is written (see the module docs of [`super`]).

use super::DataDir;
use axum::extract::{Request, State};
use axum::http::{Method, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::Arc;
use tokio::sync::{watch, Notify};
use tokio::task::JoinHandle;

/// What a write ended with: the change it covered, and its error if it failed.
#[derive(Debug, Clone, Default)]
struct Written {
    generation: u64,
    error: Option<Arc<str>>,
}

struct Shared {
    /// Changes made (each [`Changes::mark`] adds one).
    made: AtomicU64,
    wake: Notify,
    written: watch::Sender<Written>,
    closing: AtomicBool,
}

/// A handle that says "the state changed" and waits for the write that includes it; cheap to clone.
#[derive(Clone)]
pub struct Changes {
    shared: Arc<Shared>,
}

impl Default for Changes {
    fn default() -> Self {
        Changes {
            shared: Arc::new(Shared {
                made: AtomicU64::new(0),
                wake: Notify::new(),
                written: watch::Sender::new(Written::default()),
                closing: AtomicBool::new(false),
            }),
        }
    }
}

impl Changes {
    /// Counts a change (made before this call) and wakes the writer; returns the change's number.
    pub fn mark(&self) -> u64 {
        let generation = self.shared.made.fetch_add(1, Ordering::SeqCst) + 1;
        self.shared.wake.notify_one();
        generation
    }

    /// Waits until a write that includes change `generation` has ended; its error if it failed.
    pub async fn written(&self, generation: u64) -> Result<(), String> {
        let mut rx = self.shared.written.subscribe();
        let written = rx
            .wait_for(|w| w.generation >= generation)
            .await
            .map_err(|_| "the sandbox's writer stopped".to_string())?
            .clone();
        match written.error {
            Some(error) => Err(error.to_string()),
            None => Ok(()),
        }
    }
}

/// Writes `<dir>/<name>.json` in the background after each change (coalesced), until closed.
pub struct Writer {
    changes: Changes,
    task: JoinHandle<()>,
}

impl Writer {
    /// Starts writing `snapshot()` (the state as its file's bytes, made by the stand-in with
    /// [`super::to_json`]) as `<dir>/<name>.json` after every change `changes` reports. A write
    /// whose bytes equal the last one's is skipped.
    pub fn spawn<F>(dir: DataDir, name: &'static str, changes: Changes, snapshot: F) -> Writer
    where
        F: Fn() -> anyhow::Result<Vec<u8>> + Send + Sync + 'static,
    {
        let snapshot = Arc::new(snapshot);
        let shared = changes.shared.clone();
        let task = tokio::spawn(async move {
            let mut done = 0;
            let mut last: Option<Vec<u8>> = None;
            loop {
                let target = shared.made.load(Ordering::SeqCst);
                if target > done {
                    let (snapshot, dir, previous) = (snapshot.clone(), dir.clone(), last.take());
                    let outcome = tokio::task::spawn_blocking(move || write_once(&dir, name, &*snapshot, previous))
                        .await
                        .unwrap_or_else(|e| (None, Err(format!("the sandbox's writer failed: {e}"))));
                    last = outcome.0;
                    let error = outcome.1.err().map(|e| {
                        tracing::error!(message = "The sandbox could not save its state.", error = %e);
                        Arc::<str>::from(e)
                    });
                    done = target;
                    shared.written.send_replace(Written {
                        generation: target,
                        error,
                    });
                    continue;
                }
                if shared.closing.load(Ordering::SeqCst) {
                    break;
                }
                shared.wake.notified().await;
            }
        });
        Writer { changes, task }
    }

    /// The handle that reports changes to this writer.
    pub fn changes(&self) -> &Changes {
        &self.changes
    }

    /// Writes what changed since the last write, then stops; the error of that last write.
    pub async fn close(self) -> anyhow::Result<()> {
        let generation = self.changes.mark();
        self.changes.shared.closing.store(true, Ordering::SeqCst);
        self.changes.shared.wake.notify_one();
        let written = self.changes.written(generation).await;
        let _ = self.task.await;
        written.map_err(anyhow::Error::msg)
    }
}

/// One write: the snapshot, unless it equals `previous`. Returns the bytes now on disk.
fn write_once(
    dir: &DataDir,
    name: &str,
    snapshot: &(dyn Fn() -> anyhow::Result<Vec<u8>> + Send + Sync),
    previous: Option<Vec<u8>>,
) -> (Option<Vec<u8>>, Result<(), String>) {
    let bytes = match snapshot() {
        Ok(bytes) => bytes,
        Err(e) => return (previous, Err(format!("{e:#}"))),
    };
    if previous.as_deref() == Some(bytes.as_slice()) {
        return (previous, Ok(()));
    }
    match dir.write_bytes(name, &bytes) {
        Ok(()) => (Some(bytes), Ok(())),
        Err(e) => (None, Err(format!("{e:#}"))),
    }
}

/// Middleware: counts every request as a change, and holds the answer of one that may change
/// state (any method but `GET`, `HEAD`, `OPTIONS`) until a write including it has ended. If that
/// write failed the answer is 500, naming the file: the client must not take it as done.
pub async fn durable(State(changes): State<Changes>, req: Request, next: Next) -> Response {
    let may_change = !matches!(*req.method(), Method::GET | Method::HEAD | Method::OPTIONS);
    let response = next.run(req).await;
    let generation = changes.mark();
    if !may_change {
        return response;
    }
    match changes.written(generation).await {
        Ok(()) => response,
        Err(error) => (
            StatusCode::INTERNAL_SERVER_ERROR,
            format!("The sandbox did this but could not save it: {error}"),
        )
            .into_response(),
    }
}

/// A stand-in's persistence while it runs: its writer when it has a data directory, nothing else.
#[derive(Default)]
pub struct Kept {
    writer: Option<Writer>,
}

impl Kept {
    /// Writes `<dir>/<name>.json` from `snapshot` once now (so a directory it cannot write to
    /// stops the start), then after each change.
    pub fn spawn<F>(dir: DataDir, name: &'static str, snapshot: F) -> anyhow::Result<Kept>
    where
        F: Fn() -> anyhow::Result<Vec<u8>> + Send + Sync + 'static,
    {
        dir.write_bytes(name, &snapshot()?)?;
        let writer = Writer::spawn(dir, name, Changes::default(), snapshot);
        Ok(Kept { writer: Some(writer) })
    }

    /// The handle that reports changes made outside requests (background work), if kept.
    pub fn changes(&self) -> Option<Changes> {
        self.writer.as_ref().map(|w| w.changes().clone())
    }

    /// `router` with [`durable`] around it, when kept.
    pub fn around(&self, router: axum::Router) -> axum::Router {
        match &self.writer {
            Some(w) => router.layer(axum::middleware::from_fn_with_state(w.changes().clone(), durable)),
            None => router,
        }
    }

    /// Writes the last changes and stops (after the server stopped); a failure is logged.
    pub async fn close(self, what: &str) {
        if let Some(writer) = self.writer {
            if let Err(error) = writer.close().await {
                tracing::error!(message = %format!("The sandbox {what} could not save its state at shutdown."), %error);
            }
        }
    }
}
