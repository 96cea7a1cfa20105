//! The sandbox Cloudinary's state on disk: with [`super::CloudinarySandboxOptions::data_dir`],
//! the file `cloudinary.json` in it, and every original, derived and half-uploaded file in
//! `files/` beside it ([`crate::persist`]: written after each change, an answer held until its
//! change is written).
//!
//! # Format (`format` 1)
//! `saved_at` (the sandbox's time when written; a restarted sandbox's clock never starts before
//! it); `clouds` by cloud name, each with `assets` (every property of the upload result, `file`:
//! the original's name under the directory, and `derived`: `transformation`, `format`, `width`,
//! `height`, `bytes`, `duration`, `file` for an image (none for video, served from the
//! original), `id`), `presets` (by name: `unsigned`, `settings`), `folders`, `named`
//! transformations, `strict` and the Admin API `window` (`started`, `used`: the calls of the
//! hour, so the 500 an hour carry over); `counters` (which `GET /usage` reads: storage,
//! bandwidth, transformations); `notifications`; chunked uploads under way (`pending`: `cloud`,
//! `upload_id`, `file`, `total`, `received` ranges with their answers, `filename`, `expires`) and
//! recently `finished`; `eager_jobs` (the `eager_async` batches still waiting: `cloud`,
//! `resource_type`, `public_id`, `eager`, `notify_url`, `batch_id`, `due`), which a restarted
//! sandbox carries out at their time; and `next` (ids and file names never repeat).
//!
//! A cloud's name, key, secret and plan are the options', at each start: the file never holds an
//! API secret. A cloud in the file that the options do not name is kept in the file as it was,
//! untouched, until it is configured again. Files in `files/` that nothing names (a request cut
//! by the process's death) are removed at load.
//!
//! # What is not kept
//! A notification being sent or retried when the process stops is not sent again after it (its
//! derived files are kept, so the Admin API shows them).

use super::app::Inner;
use super::chunked::{Finished, Pending};
use super::counters::Counters;
use super::eager::EagerJob;
use super::notify::NotificationView;
use super::store::{Asset, CloudState, Derived, Preset, Rt, Window};
use crate::clock::Clock;
use crate::persist::{relative, resolve, DataDir};
use anyhow::Context;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

/// The file's name in the data directory (`cloudinary.json`).
pub const FILE: &str = "cloudinary";
/// The version of the format below.
pub const FORMAT: u32 = 1;
/// Where the files are, under the data directory.
pub const FILES: &str = "files";

#[derive(Serialize, Deserialize)]
struct Saved {
    format: u32,
    saved_at: DateTime<Utc>,
    #[serde(default)]
    clouds: BTreeMap<String, SavedCloud>,
    #[serde(default)]
    counters: Counters,
    #[serde(default)]
    notifications: Vec<NotificationView>,
    #[serde(default)]
    pending: Vec<SavedPending>,
    #[serde(default)]
    finished: Vec<SavedFinished>,
    #[serde(default)]
    eager_jobs: Vec<SavedEagerJob>,
    #[serde(default)]
    next: u64,
}

#[derive(Serialize, Deserialize)]
struct SavedEagerJob {
    cloud: String,
    resource_type: Rt,
    public_id: String,
    eager: Vec<String>,
    notify_url: Option<String>,
    batch_id: String,
    due: DateTime<Utc>,
}

/// What a cloud holds, as its file keeps it (clouds not configured now are kept as read).
#[derive(Serialize, Deserialize, Clone)]
pub struct SavedCloud {
    #[serde(default)]
    assets: Vec<SavedAsset>,
    #[serde(default)]
    presets: BTreeMap<String, SavedPreset>,
    #[serde(default)]
    folders: BTreeSet<String>,
    #[serde(default)]
    named: BTreeMap<String, String>,
    #[serde(default)]
    strict: BTreeSet<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    window: Option<SavedWindow>,
}

#[derive(Serialize, Deserialize, Clone)]
struct SavedAsset {
    public_id: String,
    resource_type: Rt,
    asset_id: String,
    version: i64,
    format: Option<String>,
    width: Option<u32>,
    height: Option<u32>,
    bytes: u64,
    duration: Option<f64>,
    frame_rate: Option<f64>,
    codec: Option<String>,
    created_at: DateTime<Utc>,
    asset_folder: String,
    #[serde(default)]
    tags: Vec<String>,
    context: Option<String>,
    backup: bool,
    original_filename: Option<String>,
    signature: String,
    file: String,
    #[serde(default)]
    derived: Vec<SavedDerived>,
}

#[derive(Serialize, Deserialize, Clone)]
struct SavedDerived {
    transformation: String,
    format: String,
    width: u32,
    height: u32,
    bytes: u64,
    duration: Option<f64>,
    file: Option<String>,
    id: String,
}

#[derive(Serialize, Deserialize, Clone)]
struct SavedPreset {
    unsigned: bool,
    settings: Map<String, Value>,
}

#[derive(Serialize, Deserialize, Clone)]
struct SavedWindow {
    started: DateTime<Utc>,
    used: u32,
}

#[derive(Serialize, Deserialize)]
struct SavedPending {
    cloud: String,
    upload_id: String,
    file: String,
    total: Option<u64>,
    received: Vec<SavedRange>,
    filename: Option<String>,
    expires: DateTime<Utc>,
}

#[derive(Serialize, Deserialize)]
struct SavedRange {
    first: u64,
    last: u64,
    answer: Value,
}

#[derive(Serialize, Deserialize)]
struct SavedFinished {
    cloud: String,
    upload_id: String,
    public_id: String,
    until: DateTime<Utc>,
}

/// What [`load`] read: the state, its clock, and the clouds the options do not name (written back as read).
pub struct Loaded {
    pub inner: Inner,
    pub clock: Clock,
    pub parked: BTreeMap<String, SavedCloud>,
}

/// Reads the state in `dir` into `inner` (which holds the configured clouds). Refuses a file it
/// cannot read; removes files of `files/` nothing names.
pub fn load(dir: &DataDir, mut inner: Inner) -> anyhow::Result<Loaded> {
    let files = dir.sub_dir(FILES)?;
    let Some(saved) = dir.read::<Saved>(FILE, FORMAT)? else {
        remove_unnamed(&files, &BTreeSet::new());
        return Ok(Loaded {
            inner,
            clock: Clock::start(),
            parked: BTreeMap::new(),
        });
    };
    let clock = Clock::resume(Some(saved.saved_at));
    let invalid = || format!("The sandbox state file {} is not valid", dir.file(FILE).display());
    let mut named = BTreeSet::new();
    let mut parked = BTreeMap::new();
    for (name, cloud) in saved.clouds {
        named.extend(cloud_files(dir.path(), &cloud).with_context(invalid)?);
        match inner.clouds.get_mut(&name) {
            Some(state) => restore_cloud(state, cloud, dir.path(), &clock).with_context(invalid)?,
            None => {
                parked.insert(name, cloud);
            }
        }
    }
    let at = |t: DateTime<Utc>| clock.instant_of(t);
    for p in saved.pending {
        let path = resolve(dir.path(), &p.file).with_context(invalid)?;
        let Some(file) = reopen(&path) else {
            tracing::warn!(message = "A chunked upload's file is gone; the upload is dropped.", file = %path.display());
            continue;
        };
        named.insert(path);
        let received = p.received.into_iter().map(|r| (r.first, (r.last, r.answer))).collect();
        let pending = Pending {
            file,
            total: p.total,
            received,
            filename: p.filename,
            expires: at(p.expires),
        };
        inner.chunks.pending.insert((p.cloud, p.upload_id), pending);
    }
    for f in saved.finished {
        let finished = Finished {
            public_id: f.public_id,
            until: at(f.until),
        };
        inner.chunks.finished.insert((f.cloud, f.upload_id), finished);
    }
    inner.eager_jobs = saved
        .eager_jobs
        .into_iter()
        .map(|j| EagerJob {
            cloud: j.cloud,
            rt: j.resource_type,
            public_id: j.public_id,
            eager: j.eager,
            notify_url: j.notify_url,
            batch_id: j.batch_id,
            due: at(j.due),
        })
        .collect();
    inner.counters = saved.counters;
    inner.notifications = saved.notifications;
    inner.next = saved.next;
    remove_unnamed(&files, &named);
    Ok(Loaded { inner, clock, parked })
}

/// The files a saved cloud names.
fn cloud_files(dir: &Path, cloud: &SavedCloud) -> anyhow::Result<Vec<PathBuf>> {
    let mut files = Vec::new();
    for a in &cloud.assets {
        files.push(resolve(dir, &a.file)?);
        for d in a.derived.iter().filter_map(|d| d.file.as_ref()) {
            files.push(resolve(dir, d)?);
        }
    }
    Ok(files)
}

/// A half-uploaded file, opened again and kept (not removed with the sandbox).
fn reopen(path: &Path) -> Option<tempfile::NamedTempFile> {
    let file = std::fs::OpenOptions::new().read(true).write(true).open(path).ok()?;
    let mut temp = tempfile::TempPath::try_from_path(path).ok()?;
    temp.disable_cleanup(true);
    Some(tempfile::NamedTempFile::from_parts(file, temp))
}

fn remove_unnamed(files: &Path, named: &BTreeSet<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(files) else {
        return;
    };
    for path in entries.flatten().map(|e| e.path()) {
        if path.is_file() && !named.contains(&path) {
            let _ = std::fs::remove_file(&path);
        }
    }
}

fn restore_cloud(state: &mut CloudState, saved: SavedCloud, dir: &Path, clock: &Clock) -> anyhow::Result<()> {
    for a in saved.assets {
        let derived = a
            .derived
            .into_iter()
            .map(|d| {
                Ok(Derived {
                    transformation: d.transformation,
                    format: d.format,
                    width: d.width,
                    height: d.height,
                    bytes: d.bytes,
                    duration: d.duration,
                    path: d.file.map(|f| resolve(dir, &f)).transpose()?,
                    id: d.id,
                })
            })
            .collect::<anyhow::Result<Vec<_>>>()?;
        let asset = Asset {
            public_id: a.public_id,
            rt: a.resource_type,
            asset_id: a.asset_id,
            version: a.version,
            format: a.format,
            width: a.width,
            height: a.height,
            bytes: a.bytes,
            duration: a.duration,
            frame_rate: a.frame_rate,
            codec: a.codec,
            created_at: a.created_at,
            asset_folder: a.asset_folder,
            tags: a.tags,
            context: a.context,
            backup: a.backup,
            original_filename: a.original_filename,
            signature: a.signature,
            path: resolve(dir, &a.file)?,
            derived,
        };
        state.assets.insert((asset.rt, asset.public_id.clone()), asset);
    }
    state.presets = saved
        .presets
        .into_iter()
        .map(|(name, p)| {
            let preset = Preset {
                unsigned: p.unsigned,
                settings: p.settings,
            };
            (name, preset)
        })
        .collect();
    state.folders = saved.folders;
    state.named = saved.named;
    state.strict = saved.strict;
    state.window = saved.window.map(|w| Window {
        started: clock.instant_of(w.started),
        used: w.used,
    });
    Ok(())
}

/// The state as its file holds it (taken under the lock; serialized by the caller outside it).
pub fn snapshot(inner: &Inner, clock: &Clock, dir: &Path, parked: &BTreeMap<String, SavedCloud>) -> impl Serialize {
    let wall = |t| clock.wall_of(t);
    let name = |p: &Path| relative(dir, p).unwrap_or_default();
    let mut clouds = parked.clone();
    for (cloud, state) in &inner.clouds {
        clouds.insert(cloud.clone(), save_cloud(state, clock, dir));
    }
    Saved {
        format: FORMAT,
        saved_at: clock.now(),
        clouds,
        counters: inner.counters.clone(),
        notifications: inner.notifications.clone(),
        pending: inner
            .chunks
            .pending
            .iter()
            .map(|((cloud, upload_id), p)| SavedPending {
                cloud: cloud.clone(),
                upload_id: upload_id.clone(),
                file: name(p.file.path()),
                total: p.total,
                received: p
                    .received
                    .iter()
                    .map(|(first, (last, answer))| SavedRange {
                        first: *first,
                        last: *last,
                        answer: answer.clone(),
                    })
                    .collect(),
                filename: p.filename.clone(),
                expires: wall(p.expires),
            })
            .collect(),
        finished: inner
            .chunks
            .finished
            .iter()
            .map(|((cloud, upload_id), f)| SavedFinished {
                cloud: cloud.clone(),
                upload_id: upload_id.clone(),
                public_id: f.public_id.clone(),
                until: wall(f.until),
            })
            .collect(),
        eager_jobs: inner
            .eager_jobs
            .iter()
            .map(|j| SavedEagerJob {
                cloud: j.cloud.clone(),
                resource_type: j.rt,
                public_id: j.public_id.clone(),
                eager: j.eager.clone(),
                notify_url: j.notify_url.clone(),
                batch_id: j.batch_id.clone(),
                due: wall(j.due),
            })
            .collect(),
        next: inner.next,
    }
}

fn save_cloud(state: &CloudState, clock: &Clock, dir: &Path) -> SavedCloud {
    let name = |p: &Path| relative(dir, p).unwrap_or_default();
    let assets = state
        .assets
        .values()
        .map(|a| SavedAsset {
            public_id: a.public_id.clone(),
            resource_type: a.rt,
            asset_id: a.asset_id.clone(),
            version: a.version,
            format: a.format.clone(),
            width: a.width,
            height: a.height,
            bytes: a.bytes,
            duration: a.duration,
            frame_rate: a.frame_rate,
            codec: a.codec.clone(),
            created_at: a.created_at,
            asset_folder: a.asset_folder.clone(),
            tags: a.tags.clone(),
            context: a.context.clone(),
            backup: a.backup,
            original_filename: a.original_filename.clone(),
            signature: a.signature.clone(),
            file: name(&a.path),
            derived: a
                .derived
                .iter()
                .map(|d| SavedDerived {
                    transformation: d.transformation.clone(),
                    format: d.format.clone(),
                    width: d.width,
                    height: d.height,
                    bytes: d.bytes,
                    duration: d.duration,
                    file: d.path.as_deref().map(name),
                    id: d.id.clone(),
                })
                .collect(),
        })
        .collect();
    SavedCloud {
        assets,
        presets: state
            .presets
            .iter()
            .map(|(n, p)| {
                let preset = SavedPreset {
                    unsigned: p.unsigned,
                    settings: p.settings.clone(),
                };
                (n.clone(), preset)
            })
            .collect(),
        folders: state.folders.clone(),
        named: state.named.clone(),
        strict: state.strict.clone(),
        window: state.window.map(|w| SavedWindow {
            started: clock.wall_of(w.started),
            used: w.used,
        }),
    }
}

/// Keeps the files of the chunked uploads under way when the sandbox goes (at shutdown, after
/// the last write), so the next start finds them.
pub fn keep_pending_files(inner: &mut Inner) {
    for pending in inner.chunks.pending.values_mut() {
        pending.file.disable_cleanup(true);
    }
}
