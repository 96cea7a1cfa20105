//! The server's shared state: one `Mutex` around everything that changes, never held across an
//! `.await`.

use super::counters::Counters;
use super::errors::{CldError, CloudinaryFaults};
use super::notify::NotificationView;
use super::store::CloudState;
use super::{CloudinarySandboxLimits, SandboxCloud};
use crate::clock::Clock;
use crate::faults::Faults;
use std::collections::BTreeMap;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

pub type SharedApp = Arc<App>;

/// What every handler reaches through axum's `State`.
pub struct App {
    pub inner: Mutex<Inner>,
    pub limits: CloudinarySandboxLimits,
    /// Wall time as the sandbox sees it (wall clock at start plus tokio time since).
    pub clock: Clock,
    /// `http://127.0.0.1:PORT`, for the delivery URLs it hands out.
    pub url: String,
    /// Fetches remote files and sends notifications (loopback only).
    pub http: reqwest::Client,
    /// How long one notification attempt may take.
    pub notify_timeout: Duration,
    /// Where uploads, chunks and derived files live: `<data_dir>/files` when the state is kept,
    /// else a temporary directory removed with the sandbox.
    pub dir: FilesDir,
    /// Reports changes made outside requests (eager work, notifications) when the state is kept.
    pub changes: std::sync::OnceLock<crate::persist::Changes>,
}

/// The directory of the files, and the temporary directory it is when nothing is kept.
pub struct FilesDir {
    path: std::path::PathBuf,
    _temp: Option<tempfile::TempDir>,
}

impl FilesDir {
    /// `path`, kept after the sandbox.
    pub fn kept(path: std::path::PathBuf) -> FilesDir {
        FilesDir { path, _temp: None }
    }

    /// A new temporary directory, removed with the sandbox.
    pub fn temporary() -> std::io::Result<FilesDir> {
        let temp = tempfile::Builder::new().prefix("schedulo-cloudinary-").tempdir()?;
        Ok(FilesDir {
            path: temp.path().to_path_buf(),
            _temp: Some(temp),
        })
    }

    pub fn path(&self) -> &std::path::Path {
        &self.path
    }
}

impl App {
    /// Says the state changed outside a request (nothing when it is not kept).
    pub fn changed(&self) {
        if let Some(changes) = self.changes.get() {
            changes.mark();
        }
    }

    /// The state; a handler that panicked while holding the lock does not take the server down.
    pub fn lock(&self) -> MutexGuard<'_, Inner> {
        self.inner.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// Unix seconds now, on the sandbox's clock.
    pub fn now_secs(&self) -> i64 {
        self.clock.now().timestamp()
    }

    /// A new temporary file in the sandbox's directory (so it can be renamed into place).
    pub fn temp_file(&self) -> Result<tempfile::NamedTempFile, CldError> {
        tempfile::NamedTempFile::new_in(self.dir.path())
            .map_err(|e| CldError::internal(format!("The sandbox could not make a file: {e}")))
    }

    /// The cloud's configuration, or 401 `Invalid cloud_name {name}`.
    pub fn cloud_config(&self, cloud: &str) -> Result<SandboxCloud, CldError> {
        self.lock()
            .clouds
            .get(cloud)
            .map(|c| c.config.clone())
            .ok_or_else(|| CldError::unauthorized(format!("Invalid cloud_name {cloud}")))
    }
}

/// Everything that changes while the server runs.
#[derive(Default)]
pub struct Inner {
    /// Cloud name -> its assets, presets, folders, ...
    pub clouds: BTreeMap<String, CloudState>,
    pub faults: Faults<CloudinaryFaults>,
    pub counters: Counters,
    /// Every notification sent or tried, oldest first.
    pub notifications: Vec<NotificationView>,
    /// Chunked uploads under way and recently finished.
    pub chunks: super::chunked::Chunks,
    /// `eager_async` batches waiting for their time.
    pub eager_jobs: Vec<super::eager::EagerJob>,
    /// The last number given (ids and file names never repeat, across restarts too).
    pub(super) next: u64,
}

impl Inner {
    pub fn add_cloud(&mut self, cloud: SandboxCloud) -> Result<(), String> {
        let name = cloud.cloud_name.clone();
        if name.is_empty() || name.contains('/') || name == "_sandbox" || name == "v1_1" {
            return Err(format!("{name:?} cannot be a cloud name"));
        }
        if self.clouds.contains_key(&name) {
            return Err(format!("the cloud {name} exists"));
        }
        self.clouds.insert(name, CloudState::new(cloud));
        Ok(())
    }

    /// A new number, for ids and file names.
    pub fn next_number(&mut self) -> u64 {
        self.next += 1;
        self.next
    }

    pub fn cloud_mut(&mut self, cloud: &str) -> Result<&mut CloudState, CldError> {
        self.clouds
            .get_mut(cloud)
            .ok_or_else(|| CldError::unauthorized(format!("Invalid cloud_name {cloud}")))
    }
}
