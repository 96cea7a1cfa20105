//! The sandbox X's state on disk: with [`super::XSandboxOptions::data_dir`], the file `x.json` in
//! it ([`crate::persist`]: written after each change, an answer held until its change is written).
//!
//! # Format (`format` 1)
//! `saved_at` (the sandbox's time when written; a restarted sandbox's clock never starts before
//! it), `tweets` (oldest first: `id`, `author_id`, `text` as X shows it, `submitted` as
//! sent, `media_ids`, `created_at`), `media` (by media id: `owner_id`, `uploaded`, `media_key`
//! prefix, and for a video or GIF its `processing` with `started`, `done_at` and `failure`),
//! `uploads` (finalized chunked uploads, without bytes), `windows` (each user's posting window:
//! `user_id`, `start`, `used`, so the 100 posts per 15 minutes carry over a restart), `counters`,
//! and `last_id` (ids keep growing). Times are RFC 3339 wall times.
//!
//! # What is not kept
//! Users and their tokens: the file holds no token (like every snapshot, [`crate::persist`]);
//! users come from the options at each start, and one added through `POST /_sandbox/users` is
//! added again after a restart to act, finding its posts, media and window by its id.
//! A chunked upload not finalized yet (its segments are held in memory): after a restart its
//! `APPEND` or `FINALIZE` gets X's 400 for an unknown media id, and the client starts the upload
//! again. Injected faults are not kept.

use super::app::{Inner, Processing, StoredMedia, StoredTweet, UploadSession};
use super::counters::Counters;
use super::rate::Windows;
use super::XSandboxUser;
use crate::clock::Clock;
use crate::persist::DataDir;
use anyhow::Context;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// The file's name in the data directory (`x.json`).
pub const FILE: &str = "x";
/// The version of the format below.
pub const FORMAT: u32 = 1;

#[derive(Serialize, Deserialize)]
struct Saved {
    format: u32,
    saved_at: DateTime<Utc>,
    #[serde(default)]
    tweets: Vec<SavedTweet>,
    #[serde(default)]
    media: BTreeMap<String, SavedMedia>,
    #[serde(default)]
    uploads: BTreeMap<String, SavedUpload>,
    #[serde(default)]
    windows: Vec<SavedWindow>,
    #[serde(default)]
    counters: Counters,
    #[serde(default)]
    last_id: u64,
}

#[derive(Serialize, Deserialize)]
struct SavedTweet {
    id: String,
    author_id: String,
    text: String,
    submitted: String,
    #[serde(default)]
    media_ids: Vec<String>,
    created_at: DateTime<Utc>,
}

#[derive(Serialize, Deserialize)]
struct SavedMedia {
    owner_id: String,
    uploaded: DateTime<Utc>,
    key_prefix: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    processing: Option<SavedProcessing>,
}

#[derive(Serialize, Deserialize)]
struct SavedProcessing {
    started: DateTime<Utc>,
    done_at: DateTime<Utc>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    failure: Option<String>,
}

#[derive(Serialize, Deserialize)]
struct SavedUpload {
    owner_id: String,
    category: String,
    total_bytes: u64,
    created: DateTime<Utc>,
}

#[derive(Serialize, Deserialize)]
struct SavedWindow {
    user_id: String,
    start: DateTime<Utc>,
    used: u32,
}

/// The state in `dir` (empty when it has no file yet) and the clock to run it on.
pub fn load(dir: &DataDir) -> anyhow::Result<(Inner, Clock)> {
    let Some(saved) = dir.read::<Saved>(FILE, FORMAT)? else {
        return Ok((Inner::new(Vec::new()), Clock::start()));
    };
    let clock = Clock::resume(Some(saved.saved_at));
    let inner = restore(saved, &clock)
        .with_context(|| format!("The sandbox state file {} is not valid", dir.file(FILE).display()))?;
    Ok((inner, clock))
}

fn restore(saved: Saved, clock: &Clock) -> anyhow::Result<Inner> {
    let at = |t: DateTime<Utc>| clock.instant_of(t);
    let mut inner = Inner::new(Vec::new());
    inner.tweets = saved
        .tweets
        .into_iter()
        .map(|t| StoredTweet {
            id: t.id,
            author_id: t.author_id,
            text: t.text,
            submitted: t.submitted,
            media_ids: t.media_ids,
            created_at: t.created_at,
        })
        .collect();
    for (id, m) in saved.media {
        let key_prefix = match m.key_prefix.as_str() {
            "3_" => "3_",
            "7_" => "7_",
            "13_" => "13_",
            "16_" => "16_",
            other => anyhow::bail!("media {id}: {other:?} is not one of X's media_key prefixes"),
        };
        let processing = m.processing.map(|p| Processing {
            started: at(p.started),
            done_at: at(p.done_at),
            failure: p.failure,
        });
        let media = StoredMedia {
            owner_id: m.owner_id,
            uploaded: at(m.uploaded),
            key_prefix,
            processing,
        };
        inner.media.insert(id, media);
    }
    for (id, u) in saved.uploads {
        let session = UploadSession {
            owner_id: u.owner_id,
            category: u.category,
            total_bytes: u.total_bytes,
            segments: BTreeMap::new(),
            created: at(u.created),
            finalized: true,
        };
        inner.uploads.insert(id, session);
    }
    inner.windows = Windows::restore(saved.windows.into_iter().map(|w| (w.user_id, at(w.start), w.used)));
    inner.counters = saved.counters;
    inner.last_id = saved.last_id;
    Ok(inner)
}

/// Adds the options' users.
pub fn add_configured(inner: &mut Inner, users: Vec<XSandboxUser>) -> anyhow::Result<()> {
    for user in users {
        inner
            .add_user(user)
            .map_err(|e| anyhow::anyhow!("Failed to add a sandbox X user: {e}"))?;
    }
    Ok(())
}

/// The state as its file holds it (taken under the lock; serialized by the caller outside it).
pub fn snapshot(inner: &Inner, clock: &Clock) -> impl Serialize {
    let wall = |t| clock.wall_of(t);
    Saved {
        format: FORMAT,
        saved_at: clock.now(),
        tweets: inner
            .tweets
            .iter()
            .map(|t| SavedTweet {
                id: t.id.clone(),
                author_id: t.author_id.clone(),
                text: t.text.clone(),
                submitted: t.submitted.clone(),
                media_ids: t.media_ids.clone(),
                created_at: t.created_at,
            })
            .collect(),
        media: inner
            .media
            .iter()
            .map(|(id, m)| {
                let processing = m.processing.as_ref().map(|p| SavedProcessing {
                    started: wall(p.started),
                    done_at: wall(p.done_at),
                    failure: p.failure.clone(),
                });
                let saved = SavedMedia {
                    owner_id: m.owner_id.clone(),
                    uploaded: wall(m.uploaded),
                    key_prefix: m.key_prefix.to_string(),
                    processing,
                };
                (id.clone(), saved)
            })
            .collect(),
        uploads: inner
            .uploads
            .iter()
            .filter(|(_, u)| u.finalized)
            .map(|(id, u)| {
                let saved = SavedUpload {
                    owner_id: u.owner_id.clone(),
                    category: u.category.clone(),
                    total_bytes: u.total_bytes,
                    created: wall(u.created),
                };
                (id.clone(), saved)
            })
            .collect(),
        windows: inner
            .windows
            .entries()
            .into_iter()
            .map(|(user_id, start, used)| SavedWindow {
                user_id,
                start: wall(start),
                used,
            })
            .collect(),
        counters: inner.counters.clone(),
        last_id: inner.last_id,
    }
}
