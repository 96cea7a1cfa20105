//! The sandbox TikTok's state on disk: with [`super::TikTokSandboxOptions::data_dir`], the file
//! `tiktok.json` in it, and the bytes of `FILE_UPLOAD`s in `uploads/` beside it
//! ([`crate::persist`]: written after each change, an answer held until its change is written).
//!
//! # Format (`format` 1)
//! `saved_at` (the sandbox's time when written; a restarted sandbox's clock never starts before
//! it), `publishes`
//! (oldest first: `publish_id`, `open_id`, `kind`, `source`, `inbox`, `caption`,
//! `privacy_level`, `photos`, `created`, `init_at`, `received_at`, `bytes`, `verdict` (`"ok"`
//! or `{"failed": reason}`), `post_id`, `info` (what the video's file showed), and for a `FILE_UPLOAD` its `upload` with `upload_id`,
//! `upload_token`, `video_size`, `chunk_size`, `total_chunk_count`, `chunks` and `file`, the
//! name of its bytes under the directory), `calls` (per creator's open_id and endpoint, the
//! times of the last minute's requests; TikTok counts them per token, which the file does not
//! hold) and `posts` (per open_id, the times of the last 24 hours' posts), so
//! neither the per-minute limits nor the daily cap start again at a restart; `scopes` (per
//! open_id, when narrowed); `counters`; `next`.
//! Creators and their tokens are not in the file: they come from the options at each start (one
//! added through `POST /_sandbox/creators` is added again after a restart, and finds its posts by
//! its open_id); the minute windows of a token no configured creator holds are dropped.
//! A publish's status is worked out from these times, so one processing or in moderation at a
//! restart moves on as if nothing happened.
//!
//! An upload file holds exactly the chunks counted: a chunk written but not yet answered when
//! the process died is cut off again at load (the client, unanswered, sends it again). Files in
//! `uploads/` that no publish names (an `init` that was never answered) are removed at load.

use super::app::{Inner, Publish, Source, Upload};
use super::counters::Counters;
use super::rate::{Endpoint, Windows};
use super::TikTokSandboxCreator;
use crate::clock::Clock;
use crate::persist::{relative, resolve, DataDir};
use anyhow::Context;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::path::Path;

/// The file's name in the data directory (`tiktok.json`).
pub const FILE: &str = "tiktok";
/// The version of the format below.
pub const FORMAT: u32 = 1;
/// Where the uploads' bytes are, under the data directory.
pub const UPLOADS: &str = "uploads";

#[derive(Serialize, Deserialize)]
struct Saved {
    format: u32,
    saved_at: DateTime<Utc>,
    #[serde(default)]
    publishes: Vec<SavedPublish>,
    #[serde(default)]
    calls: Vec<SavedCalls>,
    #[serde(default)]
    posts: Vec<SavedPosts>,
    #[serde(default)]
    scopes: BTreeMap<String, Vec<String>>,
    #[serde(default)]
    counters: Counters,
    #[serde(default)]
    next: u64,
}

#[derive(Serialize, Deserialize)]
struct SavedPublish {
    publish_id: String,
    open_id: String,
    kind: String,
    source: Source,
    inbox: bool,
    caption: String,
    privacy_level: String,
    photos: usize,
    created: DateTime<Utc>,
    init_at: DateTime<Utc>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    received_at: Option<DateTime<Utc>>,
    bytes: u64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    verdict: Option<Verdict>,
    post_id: u64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    info: Option<schedulo_media::MediaInfo>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    upload: Option<SavedUpload>,
}

#[derive(Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
enum Verdict {
    Ok,
    Failed(String),
}

#[derive(Serialize, Deserialize)]
struct SavedUpload {
    upload_id: String,
    upload_token: String,
    video_size: u64,
    chunk_size: u64,
    total_chunk_count: u64,
    chunks: u64,
    /// The bytes' file, relative to the data directory.
    file: String,
}

#[derive(Serialize, Deserialize)]
struct SavedCalls {
    open_id: String,
    endpoint: Endpoint,
    times: Vec<DateTime<Utc>>,
}

#[derive(Serialize, Deserialize)]
struct SavedPosts {
    open_id: String,
    times: Vec<DateTime<Utc>>,
}

/// The options' `creators` with the state in `dir` (none when it has no file yet), and the clock
/// to run it on.
pub fn load(dir: &DataDir, creators: Vec<TikTokSandboxCreator>) -> anyhow::Result<(Inner, Clock)> {
    let uploads = dir.sub_dir(UPLOADS)?;
    let mut inner = Inner::new();
    add_configured(&mut inner, creators)?;
    let Some(saved) = dir.read::<Saved>(FILE, FORMAT)? else {
        remove_unnamed(&uploads, &[]);
        return Ok((inner, Clock::start()));
    };
    let clock = Clock::resume(Some(saved.saved_at));
    let inner = restore(inner, saved, &clock, dir.path())
        .with_context(|| format!("The sandbox state file {} is not valid", dir.file(FILE).display()))?;
    let named: Vec<_> = inner
        .publishes
        .iter()
        .filter_map(|p| p.upload.as_ref().map(|u| u.file.path().to_path_buf()))
        .collect();
    remove_unnamed(&uploads, &named);
    Ok((inner, clock))
}

/// Removes the files of `uploads` that no publish names (left by an `init` never answered).
fn remove_unnamed(uploads: &Path, named: &[std::path::PathBuf]) {
    let Ok(entries) = std::fs::read_dir(uploads) else {
        return;
    };
    for path in entries.flatten().map(|e| e.path()) {
        if path.is_file() && !named.contains(&path) {
            let _ = std::fs::remove_file(&path);
        }
    }
}

fn restore(mut inner: Inner, saved: Saved, clock: &Clock, dir: &Path) -> anyhow::Result<Inner> {
    let at = |t: DateTime<Utc>| clock.instant_of(t);
    for p in saved.publishes {
        let kind = match p.kind.as_str() {
            "video" => "video",
            "photo" => "photo",
            other => anyhow::bail!("publish {}: kind {other:?} is not video or photo", p.publish_id),
        };
        let upload = p
            .upload
            .map(|u| reopen(dir, u, p.bytes))
            .transpose()
            .with_context(|| format!("publish {}", p.publish_id))?;
        inner.publishes.push(Publish {
            publish_id: p.publish_id,
            open_id: p.open_id,
            kind,
            source: p.source,
            inbox: p.inbox,
            caption: p.caption,
            privacy_level: p.privacy_level,
            photos: p.photos,
            created: at(p.created),
            init_at: p.init_at,
            received_at: p.received_at.map(at),
            bytes: p.bytes,
            verdict: p.verdict.map(|v| match v {
                Verdict::Ok => Ok(()),
                Verdict::Failed(reason) => Err(reason),
            }),
            post_id: p.post_id,
            info: p.info,
            upload,
        });
    }
    let times = |ts: Vec<DateTime<Utc>>| ts.into_iter().map(at).collect::<Vec<_>>();
    let token_of = |open_id: &str| {
        let creator = inner.creators.iter().find(|c| c.open_id == open_id)?;
        Some(creator.token.clone())
    };
    let calls = saved
        .calls
        .into_iter()
        .filter_map(|c| Some((token_of(&c.open_id)?, c.endpoint, times(c.times))))
        .collect();
    let posts = saved.posts.into_iter().map(|p| (p.open_id, times(p.times))).collect();
    inner.windows = Windows::restore(calls, posts);
    inner.scopes = saved.scopes.into_iter().collect();
    inner.counters = saved.counters;
    inner.next = saved.next;
    Ok(inner)
}

/// An upload's file, opened again and cut to the `bytes` its counted chunks hold.
fn reopen(dir: &Path, u: SavedUpload, bytes: u64) -> anyhow::Result<Upload> {
    let path = resolve(dir, &u.file)?;
    let file = std::fs::OpenOptions::new()
        .read(true)
        .write(true)
        .open(&path)
        .with_context(|| format!("Failed to open the upload file {}", path.display()))?;
    file.set_len(bytes)
        .with_context(|| format!("Failed to cut the upload file {} to its chunks", path.display()))?;
    let mut temp = tempfile::TempPath::try_from_path(&path)
        .with_context(|| format!("Failed to reopen the upload file {}", path.display()))?;
    temp.disable_cleanup(true);
    Ok(Upload {
        upload_id: u.upload_id,
        upload_token: u.upload_token,
        video_size: u.video_size,
        chunk_size: u.chunk_size,
        total_chunk_count: u.total_chunk_count,
        chunks: u.chunks,
        file: tempfile::NamedTempFile::from_parts(file, temp),
    })
}

/// Adds the options' creators.
pub fn add_configured(inner: &mut Inner, creators: Vec<TikTokSandboxCreator>) -> anyhow::Result<()> {
    for creator in creators {
        let open_id = creator.open_id.clone();
        inner
            .add_creator(creator)
            .map_err(|e| anyhow::anyhow!("Failed to add the sandbox TikTok creator {open_id}: {e}"))?;
    }
    Ok(())
}

/// The state as its file holds it (taken under the lock; serialized by the caller outside it).
pub fn snapshot(inner: &Inner, clock: &Clock, dir: &Path) -> impl Serialize {
    let wall = |t| clock.wall_of(t);
    let publishes = inner
        .publishes
        .iter()
        .map(|p| SavedPublish {
            publish_id: p.publish_id.clone(),
            open_id: p.open_id.clone(),
            kind: p.kind.to_string(),
            source: p.source,
            inbox: p.inbox,
            caption: p.caption.clone(),
            privacy_level: p.privacy_level.clone(),
            photos: p.photos,
            created: wall(p.created),
            init_at: p.init_at,
            received_at: p.received_at.map(wall),
            bytes: p.bytes,
            verdict: p.verdict.as_ref().map(|v| match v {
                Ok(()) => Verdict::Ok,
                Err(reason) => Verdict::Failed(reason.clone()),
            }),
            post_id: p.post_id,
            info: p.info.clone(),
            upload: p.upload.as_ref().map(|u| SavedUpload {
                upload_id: u.upload_id.clone(),
                upload_token: u.upload_token.clone(),
                video_size: u.video_size,
                chunk_size: u.chunk_size,
                total_chunk_count: u.total_chunk_count,
                chunks: u.chunks,
                file: relative(dir, u.file.path()).unwrap_or_default(),
            }),
        })
        .collect();
    let (calls, posts) = inner.windows.entries();
    let times = |ts: Vec<tokio::time::Instant>| ts.into_iter().map(wall).collect();
    Saved {
        format: FORMAT,
        saved_at: clock.now(),
        publishes,
        calls: calls
            .into_iter()
            .filter_map(|(token, endpoint, ts)| {
                let creator = inner.creators.iter().find(|c| c.token == token)?;
                Some(SavedCalls {
                    open_id: creator.open_id.clone(),
                    endpoint,
                    times: times(ts),
                })
            })
            .collect(),
        posts: posts
            .into_iter()
            .map(|(open_id, ts)| SavedPosts {
                open_id,
                times: times(ts),
            })
            .collect(),
        scopes: inner.scopes.iter().map(|(k, v)| (k.clone(), v.clone())).collect(),
        counters: inner.counters.clone(),
        next: inner.next,
    }
}
