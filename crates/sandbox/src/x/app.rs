//! The server's shared state: one `Mutex` around everything that changes, never held across an
//! `.await`; and the sandbox's clock.

use super::counters::Counters;
use super::problems::XFaults;
use super::rate::Windows;
use super::{XSandboxLimits, XSandboxUser};
use crate::faults::Faults;
use chrono::{DateTime, Utc};
use std::collections::HashMap;
use std::sync::{Arc, Mutex, MutexGuard};
use tokio::time::Instant;

pub type SharedApp = Arc<App>;

/// What every handler reaches through axum's `State`.
pub struct App {
    pub inner: Mutex<Inner>,
    pub limits: XSandboxLimits,
    pub clock: Clock,
}

pub use crate::clock::Clock;

/// A post as stored.
#[derive(Debug, Clone)]
pub struct StoredTweet {
    pub id: String,
    pub author_id: String,
    /// The text as X shows it (t.co links, escapes, the media link at the end).
    pub text: String,
    /// The text as sent, for the duplicate check.
    pub submitted: String,
    pub media_ids: Vec<String>,
    pub created_at: DateTime<Utc>,
}

/// An uploaded image, video or GIF (ids count from their upload, or their finalize).
#[derive(Debug, Clone)]
pub struct StoredMedia {
    pub owner_id: String,
    pub uploaded: Instant,
    /// `3_` (image), `7_` (video), `13_` (amplify video), `16_` (animated GIF): the `media_key` prefix.
    pub key_prefix: &'static str,
    /// X's processing of a video or GIF; images need none.
    pub processing: Option<Processing>,
}

/// The processing of a finalized video or GIF: `in_progress` until `done_at`, then `succeeded`,
/// or `failed` with X's message when the file breaks X's rules.
#[derive(Debug, Clone)]
pub struct Processing {
    pub started: Instant,
    pub done_at: Instant,
    pub failure: Option<String>,
}

impl StoredMedia {
    /// Whether a post may use it at `now`: processed successfully, and not expired.
    pub fn usable(&self, now: Instant, lifetime: std::time::Duration) -> bool {
        let processed = self
            .processing
            .as_ref()
            .is_none_or(|p| now >= p.done_at && p.failure.is_none());
        processed && now.saturating_duration_since(self.uploaded) < lifetime
    }

    /// A video or GIF (which must be alone in a post).
    pub fn is_moving(&self) -> bool {
        self.key_prefix != "3_"
    }
}

/// A chunked upload between initialize and finalize.
#[derive(Debug)]
pub struct UploadSession {
    pub owner_id: String,
    pub category: String,
    pub total_bytes: u64,
    /// Received segments by `segment_index` (a segment sent again replaces the first).
    pub segments: std::collections::BTreeMap<u32, Vec<u8>>,
    pub created: Instant,
    pub finalized: bool,
}

/// Everything that changes while the server runs.
pub struct Inner {
    pub users: Vec<XSandboxUser>,
    /// Oldest first.
    pub tweets: Vec<StoredTweet>,
    pub media: HashMap<String, StoredMedia>,
    /// Chunked uploads by media id.
    pub uploads: HashMap<String, UploadSession>,
    pub windows: Windows,
    pub faults: Faults<XFaults>,
    pub counters: Counters,
    /// The last id given (ids only grow, across restarts too).
    pub(super) last_id: u64,
}

/// X's epoch for ids (snowflakes): 2010-11-04T01:42:54.657Z.
const SNOWFLAKE_EPOCH_MS: i64 = 1_288_834_974_657;

impl Inner {
    pub fn new(users: Vec<XSandboxUser>) -> Inner {
        Inner {
            users,
            tweets: Vec::new(),
            media: HashMap::new(),
            uploads: HashMap::new(),
            windows: Windows::default(),
            faults: Faults::default(),
            counters: Counters::default(),
            last_id: 0,
        }
    }

    pub fn user_by_token(&self, token: &str) -> Option<&XSandboxUser> {
        self.users.iter().find(|u| u.token == token)
    }

    pub fn user_by_id(&self, id: &str) -> Option<&XSandboxUser> {
        self.users.iter().find(|u| u.id == id)
    }

    /// Adds a user; ids are digits, and tokens, ids and usernames are unique.
    pub fn add_user(&mut self, user: XSandboxUser) -> Result<(), String> {
        if user.id.is_empty() || user.id.len() > 19 || !user.id.chars().all(|c| c.is_ascii_digit()) {
            return Err(format!("user id {:?} is not 1 to 19 digits", user.id));
        }
        if user.token.trim().is_empty() || user.username.trim().is_empty() {
            return Err("token and username must not be empty".into());
        }
        if self.users.iter().any(|u| u.token == user.token) {
            return Err("that token is taken".into());
        }
        if self
            .users
            .iter()
            .any(|u| u.id == user.id || u.username.eq_ignore_ascii_case(&user.username))
        {
            return Err(format!(
                "a user with id {} or username {} exists",
                user.id, user.username
            ));
        }
        self.users.push(user);
        Ok(())
    }

    /// A new id, as X makes them: milliseconds since X's epoch shifted left 22 bits, always increasing.
    pub fn next_id(&mut self, now: DateTime<Utc>) -> String {
        let ms = u64::try_from(now.timestamp_millis() - SNOWFLAKE_EPOCH_MS).unwrap_or(0);
        self.last_id = (ms << 22).max(self.last_id + 1);
        self.last_id.to_string()
    }
}

impl App {
    /// The state; a handler that panicked while holding the lock does not take the server down.
    pub fn lock(&self) -> MutexGuard<'_, Inner> {
        self.inner.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
    }
}

/// The bearer token of a request, if it has one.
pub fn bearer(headers: &axum::http::HeaderMap) -> Option<&str> {
    let value = headers.get(axum::http::header::AUTHORIZATION)?.to_str().ok()?;
    let (scheme, token) = value.split_once(' ')?;
    scheme.eq_ignore_ascii_case("bearer").then(|| token.trim())
}
