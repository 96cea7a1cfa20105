//! State kept across restarts: the "JSON snapshot in a directory" every stand-in with a data
//! directory uses (Airtable's bases, and the snapshots of X, the Graph API, TikTok and Cloudinary).
//!
//! # Format
//! A stand-in's state is one JSON file in its directory (`<dir>/<name>.json`, pretty-printed so a
//! person can read it), an object whose `format` field is the version of that stand-in's file
//! format; its module docs describe the rest. Large media bytes are never in the JSON: they are
//! files beside it (Cloudinary's `files/`, TikTok's `uploads/`), which the JSON names relative to
//! the directory. Instants of tokio's clock are written as the wall times they stand for
//! ([`crate::clock::Clock::wall_of`]), so a window that started 10 minutes before a restart still
//! ends 5 minutes after it, and time spent stopped counts.
//!
//! The files hold no token or secret: accounts (X users, Pages, Instagram accounts, TikTok
//! creators) and Cloudinary's clouds come from the options at each start, and find what was made
//! on them by their ids (the demo keeps its tokens in `identity.json` only). They are still written
//! readable by their owner only, as they hold what the accounts posted.
//!
//! # Crash safety
//! A write goes to `<name>.json.tmp`, then is renamed over `<name>.json`: a crash leaves the old
//! or the new version, never a torn one (a stale `.tmp` is ignored). A file that cannot be read,
//! is not JSON, does not match the format, or is of another `format` stops the stand-in from
//! starting, with an error naming the file; it never starts empty over it. One process uses a
//! directory at a time.
//!
//! # When it is written, and what a `kill -9` can lose
//! [`Writer`] writes the whole snapshot in the background whenever something changed, one write
//! at a time: whatever changes while a write runs goes into the next one, so under load the number
//! of writes follows the disk, not the request rate (a snapshot of many MB is not rewritten once
//! per request). [`durable`] holds the answer of every request that may change state (any method
//! but `GET`, `HEAD` and `OPTIONS`) until a write that includes its change has finished, so **an
//! answer a client received is on disk**: a `kill -9` loses nothing that was answered. What it can
//! lose: the effects of reads answered in the last moment (the Graph API's usage count, request
//! counters, an image variant Cloudinary derived on delivery, which is derived again), and work a
//! stand-in does on its own clock that had not been written yet (see each stand-in's docs).
//! Files are not `fsync`ed: a power cut, unlike a killed process, may lose the last writes.
//! [`Writer::close`] writes once more at shutdown.

mod writer;

pub use writer::{durable, Changes, Kept, Writer};

use anyhow::Context;
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use std::path::{Path, PathBuf};

/// A stand-in's data directory.
#[derive(Debug, Clone)]
pub struct DataDir {
    path: PathBuf,
}

/// The `format` every snapshot file starts with.
#[derive(Deserialize)]
struct Head {
    format: u32,
}

impl DataDir {
    /// The directory `path` of the stand-in `what` (e.g. "X"), created if missing.
    pub fn open(path: impl Into<PathBuf>, what: &str) -> anyhow::Result<DataDir> {
        let path = path.into();
        std::fs::create_dir_all(&path).with_context(|| {
            format!(
                "Failed to create the sandbox {what}'s data directory {}",
                path.display()
            )
        })?;
        Ok(DataDir { path })
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// `<dir>/<name>.json`.
    pub fn file(&self, name: &str) -> PathBuf {
        self.path.join(format!("{name}.json"))
    }

    /// A sub-directory (for media files), created if missing.
    pub fn sub_dir(&self, name: &str) -> anyhow::Result<PathBuf> {
        let path = self.path.join(name);
        std::fs::create_dir_all(&path).with_context(|| format!("Failed to create {}", path.display()))?;
        Ok(path)
    }

    /// The snapshot `<name>.json` if there is one, of the `format` this build reads.
    pub fn read<T: DeserializeOwned>(&self, name: &str, format: u32) -> anyhow::Result<Option<T>> {
        let path = self.file(name);
        if !path.exists() {
            return Ok(None);
        }
        read_file(&path, format).map(Some)
    }

    /// Writes `<name>.json` (temp file, then rename).
    pub fn write<T: Serialize>(&self, name: &str, value: &T) -> anyhow::Result<()> {
        let bytes = to_json(value).with_context(|| format!("Failed to write {}", self.file(name).display()))?;
        self.write_bytes(name, &bytes)
    }

    /// Writes bytes (a snapshot made with [`to_json`]) as `<name>.json` (temp file, then rename).
    pub fn write_bytes(&self, name: &str, bytes: &[u8]) -> anyhow::Result<()> {
        let path = self.file(name);
        let tmp = self.path.join(format!("{name}.json.tmp"));
        write_private(&tmp, bytes).with_context(|| format!("Failed to write {}", tmp.display()))?;
        std::fs::rename(&tmp, &path).with_context(|| format!("Failed to rename onto {}", path.display()))
    }
}

/// A snapshot as its file holds it (pretty-printed JSON).
pub fn to_json<T: Serialize>(value: &T) -> anyhow::Result<Vec<u8>> {
    serde_json::to_vec_pretty(value).context("Failed to serialize the sandbox's state")
}

/// Reads a snapshot file of the given `format`; every failure names the file.
pub fn read_file<T: DeserializeOwned>(path: &Path, format: u32) -> anyhow::Result<T> {
    let bytes =
        std::fs::read(path).with_context(|| format!("Failed to read the sandbox state file {}", path.display()))?;
    let refuse = || {
        format!(
            "The sandbox state file {} is not valid; move it away to start empty",
            path.display()
        )
    };
    let head: Head = serde_json::from_slice(&bytes).with_context(refuse)?;
    anyhow::ensure!(
        head.format == format,
        "The sandbox state file {} has format {}; this version reads format {format}",
        path.display(),
        head.format
    );
    serde_json::from_slice(&bytes).with_context(refuse)
}

/// Writes a file readable by its owner only.
fn write_private(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create(true).truncate(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    std::io::Write::write_all(&mut options.open(path)?, bytes)
}

/// A path under `dir` as a snapshot names it (relative, `/`-separated), if it is under it.
pub fn relative(dir: &Path, path: &Path) -> Option<String> {
    let rel = path.strip_prefix(dir).ok()?;
    let parts: Option<Vec<&str>> = rel.components().map(|c| c.as_os_str().to_str()).collect();
    parts.map(|p| p.join("/"))
}

/// The path a snapshot names relative to `dir`; a name that would leave `dir` is refused.
pub fn resolve(dir: &Path, name: &str) -> anyhow::Result<PathBuf> {
    let bad =
        name.is_empty() || name.starts_with('/') || name.split(['/', '\\']).any(|part| part == ".." || part.is_empty());
    anyhow::ensure!(!bad, "{name:?} is not a file name inside {}", dir.display());
    Ok(dir.join(name))
}

#[cfg(test)]
mod tests;
