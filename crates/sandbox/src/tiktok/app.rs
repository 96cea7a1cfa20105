//! The server's shared state: one `Mutex` around everything that changes, never held across an
//! `.await`; the posts TikTok took (`publish_id`s) and how their status moves with time.

use super::counters::Counters;
use super::errors::TikTokFaults;
use super::rate::Windows;
use super::{TikTokSandboxCreator, TikTokSandboxLimits};
use crate::clock::Clock;
use crate::faults::Faults;
use std::collections::HashMap;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;
use tokio::time::Instant;

pub type SharedApp = Arc<App>;

/// What every handler reaches through axum's `State`.
pub struct App {
    pub inner: Mutex<Inner>,
    pub limits: TikTokSandboxLimits,
    /// Wall time as the sandbox sees it (wall clock at start plus tokio time since).
    pub clock: Clock,
    /// `http://127.0.0.1:PORT`, for the `upload_url`s it hands out.
    pub url: String,
    /// Fetches `PULL_FROM_URL` media (loopback only).
    pub http: reqwest::Client,
    /// Where `FILE_UPLOAD` bytes go when the state is kept (`<data_dir>/uploads`, files kept
    /// across restarts); else temporary files removed with the sandbox.
    pub uploads: Option<std::path::PathBuf>,
}

impl App {
    /// A new file for the bytes of a `FILE_UPLOAD`.
    pub fn upload_file(&self) -> std::io::Result<tempfile::NamedTempFile> {
        match &self.uploads {
            Some(dir) => {
                let mut file = tempfile::Builder::new().prefix("upload-").tempfile_in(dir)?;
                file.disable_cleanup(true);
                Ok(file)
            }
            None => tempfile::NamedTempFile::new(),
        }
    }

    /// The state; a handler that panicked while holding the lock does not take the server down.
    pub fn lock(&self) -> MutexGuard<'_, Inner> {
        self.inner.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
    }
}

/// Everything that changes while the server runs.
pub struct Inner {
    pub creators: Vec<TikTokSandboxCreator>,
    /// Oldest first.
    pub publishes: Vec<Publish>,
    pub windows: Windows,
    pub faults: Faults<TikTokFaults>,
    pub counters: Counters,
    /// Scopes granted per `open_id`, when a test narrowed them; absent: all of TikTok's.
    pub scopes: HashMap<String, Vec<String>>,
    /// The last number given (ids never repeat, across restarts too).
    pub(super) next: u64,
}

impl Inner {
    pub fn new() -> Inner {
        Inner {
            creators: Vec::new(),
            publishes: Vec::new(),
            windows: Windows::default(),
            faults: Faults::default(),
            counters: Counters::default(),
            scopes: HashMap::new(),
            next: 0,
        }
    }

    pub fn creator_by_token(&self, token: &str) -> Option<&TikTokSandboxCreator> {
        self.creators.iter().find(|c| c.token == token)
    }

    /// Adds a creator; tokens, open_ids and usernames are unique, privacy levels TikTok's.
    pub fn add_creator(&mut self, creator: TikTokSandboxCreator) -> Result<(), String> {
        if creator.token.trim().is_empty() || creator.open_id.trim().is_empty() || creator.username.trim().is_empty() {
            return Err("token, open_id and username must not be empty".into());
        }
        if let Some(bad) = creator
            .privacy_level_options
            .iter()
            .find(|l| !super::PRIVACY_LEVELS.contains(&l.as_str()))
        {
            return Err(format!("{bad} is not one of TikTok's privacy levels"));
        }
        if self.creators.iter().any(|c| c.token == creator.token) {
            return Err("that token is taken".into());
        }
        if self
            .creators
            .iter()
            .any(|c| c.open_id == creator.open_id || c.username.eq_ignore_ascii_case(&creator.username))
        {
            return Err(format!(
                "a creator with open_id {} or username {} exists",
                creator.open_id, creator.username
            ));
        }
        self.creators.push(creator);
        Ok(())
    }

    /// A new number, for ids.
    pub fn next_number(&mut self) -> u64 {
        self.next += 1;
        self.next
    }

    /// Whether `open_id` granted the app `scope`.
    pub fn granted(&self, open_id: &str, scope: &str) -> bool {
        self.scopes
            .get(open_id)
            .is_none_or(|granted| granted.iter().any(|s| s == scope))
    }

    pub fn publish_mut(&mut self, publish_id: &str) -> Option<&mut Publish> {
        self.publishes.iter_mut().find(|p| p.publish_id == publish_id)
    }
}

/// How the media reach the sandbox.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum Source {
    PullFromUrl,
    FileUpload,
}

impl Source {
    pub fn as_str(self) -> &'static str {
        match self {
            Source::PullFromUrl => "PULL_FROM_URL",
            Source::FileUpload => "FILE_UPLOAD",
        }
    }
}

/// A `FILE_UPLOAD` under way.
pub struct Upload {
    pub upload_id: String,
    pub upload_token: String,
    pub video_size: u64,
    pub chunk_size: u64,
    pub total_chunk_count: u64,
    /// Chunks taken so far.
    pub chunks: u64,
    /// Where the bytes go (removed with the sandbox).
    pub file: tempfile::NamedTempFile,
}

/// A post TikTok took: what `init` said, what arrived, and what the sandbox decided of it.
pub struct Publish {
    pub publish_id: String,
    pub open_id: String,
    /// `"video"` or `"photo"`.
    pub kind: &'static str,
    pub source: Source,
    /// Sent to the creator's inbox (`MEDIA_UPLOAD`) rather than posted.
    pub inbox: bool,
    /// The video's `title`, or the photos' `description`.
    pub caption: String,
    pub privacy_level: String,
    pub photos: usize,
    pub created: Instant,
    /// When the `init` request arrived, on the sandbox's clock (benchmarks measure from it).
    pub init_at: chrono::DateTime<chrono::Utc>,
    /// When the media had all arrived (downloaded at init, or the last chunk).
    pub received_at: Option<Instant>,
    /// Bytes downloaded or uploaded.
    pub bytes: u64,
    /// `Err(fail_reason)` when the media break TikTok's rules.
    pub verdict: Option<Result<(), String>>,
    /// The post's id, given once moderation is over.
    pub post_id: u64,
    /// What the video's file showed once it arrived (length, size), for the Display API.
    pub info: Option<schedulo_media::MediaInfo>,
    pub upload: Option<Upload>,
}

/// A publish's status at some time, as `status/fetch` tells it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct State {
    pub status: &'static str,
    pub fail_reason: Option<String>,
    pub post_id: Option<u64>,
}

impl Publish {
    /// The status at `now`: processing until `processing` after the media arrived, then `FAILED`
    /// for bad media, else `PUBLISH_COMPLETE` (or `SEND_TO_USER_INBOX`), with the post id once
    /// `moderation` is over too. `SELF_ONLY` posts never get a public id.
    pub fn state(&self, now: Instant, processing: Duration, moderation: Duration) -> State {
        let processing_status = match self.source {
            Source::PullFromUrl => "PROCESSING_DOWNLOAD",
            Source::FileUpload => "PROCESSING_UPLOAD",
        };
        let state = |status| State {
            status,
            fail_reason: None,
            post_id: None,
        };
        let Some(done) = self.received_at.map(|at| at + processing) else {
            return state(processing_status);
        };
        if now < done {
            return state(processing_status);
        }
        if let Some(Err(reason)) = &self.verdict {
            return State {
                status: "FAILED",
                fail_reason: Some(reason.clone()),
                post_id: None,
            };
        }
        if self.inbox {
            return state("SEND_TO_USER_INBOX");
        }
        let public = self.privacy_level != "SELF_ONLY";
        State {
            status: "PUBLISH_COMPLETE",
            fail_reason: None,
            post_id: (public && now >= done + moderation).then_some(self.post_id),
        }
    }
}

/// The bearer token of a request, if it has one.
pub fn bearer(headers: &axum::http::HeaderMap) -> Option<&str> {
    let value = headers.get(axum::http::header::AUTHORIZATION)?.to_str().ok()?;
    let (scheme, token) = value.split_once(' ')?;
    scheme.eq_ignore_ascii_case("bearer").then(|| token.trim())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn publish(source: Source, privacy: &str) -> Publish {
        Publish {
            publish_id: "v_1".into(),
            open_id: "o".into(),
            kind: "video",
            source,
            inbox: false,
            caption: String::new(),
            privacy_level: privacy.into(),
            photos: 0,
            created: Instant::now(),
            init_at: chrono::DateTime::UNIX_EPOCH,
            received_at: None,
            bytes: 0,
            verdict: None,
            post_id: 7,
            info: None,
            upload: None,
        }
    }

    #[tokio::test(start_paused = true)]
    async fn the_status_moves_through_processing_completion_and_moderation() {
        let (p5, m10) = (Duration::from_secs(5), Duration::from_secs(10));
        let mut p = publish(Source::FileUpload, "PUBLIC_TO_EVERYONE");
        let t0 = Instant::now();
        assert_eq!(p.state(t0, p5, m10).status, "PROCESSING_UPLOAD");
        p.received_at = Some(t0);
        p.verdict = Some(Ok(()));
        assert_eq!(
            p.state(t0 + Duration::from_secs(4), p5, m10).status,
            "PROCESSING_UPLOAD"
        );
        let complete = p.state(t0 + Duration::from_secs(5), p5, m10);
        assert_eq!((complete.status, complete.post_id), ("PUBLISH_COMPLETE", None));
        assert_eq!(p.state(t0 + Duration::from_secs(15), p5, m10).post_id, Some(7));
        p.privacy_level = "SELF_ONLY".into();
        assert_eq!(p.state(t0 + Duration::from_secs(99), p5, m10).post_id, None);
        p.verdict = Some(Err("duration_check_failed".into()));
        let failed = p.state(t0 + Duration::from_secs(5), p5, m10);
        assert_eq!(
            (failed.status, failed.fail_reason.as_deref()),
            ("FAILED", Some("duration_check_failed"))
        );
        let pulled = publish(Source::PullFromUrl, "SELF_ONLY");
        assert_eq!(pulled.state(t0, p5, m10).status, "PROCESSING_DOWNLOAD");
    }
}
