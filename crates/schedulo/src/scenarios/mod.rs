//! Scenario definitions, one TOML file each under `scenarios/`. The worker reads them from
//! `SCHEDULO_SCENARIO_DIR` (default `./scenarios`) when the file is there, else uses the copy built
//! into the binary; a file that does not parse is an error naming the file and the problem.

pub mod airtable_webhook;
pub mod media_processor;
pub mod post_scheduler;

use serde::Deserialize;
use std::time::Duration;

/// `scenarios/media-processor.toml`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MediaProcessor {
    pub processing: MediaProcessing,
    pub retry: RetrySchedule,
    pub upload: MediaUpload,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MediaProcessing {
    pub concurrency: usize,
    pub notification_wait_secs: u64,
    pub max_wait_secs: u64,
    pub direct_upload_wait_secs: u64,
    #[serde(default = "default_write_linger_secs")]
    pub write_linger_secs: u64,
}

fn default_write_linger_secs() -> u64 {
    2
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MediaUpload {
    pub folder: String,
    pub tags: Vec<String>,
}

/// `scenarios/post-scheduler.toml`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PostScheduler {
    pub trigger: Trigger,
    pub retry: RetrySchedule,
    pub deactivation: Deactivation,
    pub outbox: OutboxSpec,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Trigger {
    /// A fixed re-read interval; absent (the default): derived from the plan's quota and
    /// `AIRTABLE_READ_SHARE` (see `post_scheduler::cadence`).
    #[serde(default)]
    pub resync_every_secs: Option<u64>,
    /// The re-read interval while Airtable's webhook is live; absent: an hour. Never shorter than
    /// the polled interval nor than the share allows.
    #[serde(default)]
    pub safety_resync_every_secs: Option<u64>,
    pub horizon_secs: u64,
    pub staleness_limit_secs: u64,
    /// How long before its time a post is prepared, where its platform allows it (Instagram
    /// containers, which Meta takes a while to process): at its time only the publish call remains.
    #[serde(default = "default_prepare_lead_secs")]
    pub prepare_lead_secs: u64,
    /// How long before a post's time it is read again from Airtable to confirm it.
    #[serde(default = "default_confirm_lead_ms")]
    pub confirm_lead_ms: u64,
}

fn default_prepare_lead_secs() -> u64 {
    900
}

fn default_confirm_lead_ms() -> u64 {
    1000
}

/// A retry schedule: exponential backoff with jitter.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RetrySchedule {
    /// Attempts in all, the first included.
    pub attempts: u32,
    pub first_delay_secs: u64,
    pub factor: f64,
    pub max_delay_secs: u64,
    /// Fraction (0 to 1) by which a delay moves at random.
    pub jitter: f64,
}

impl RetrySchedule {
    /// The delay after attempt `attempt` (1 = after the first attempt), without jitter.
    pub fn base_delay(&self, attempt: u32) -> Duration {
        let exp = self.factor.max(1.0).powi(attempt.saturating_sub(1) as i32);
        let secs = (self.first_delay_secs as f64 * exp).min(self.max_delay_secs as f64);
        Duration::from_secs_f64(secs.max(0.0))
    }

    /// The delay after attempt `attempt`, moved by `unit` (a number in [-1, 1]) times the jitter.
    pub fn delay(&self, attempt: u32, unit: f64) -> Duration {
        let base = self.base_delay(attempt).as_secs_f64();
        Duration::from_secs_f64((base * (1.0 + self.jitter.clamp(0.0, 1.0) * unit.clamp(-1.0, 1.0))).max(0.0))
    }
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Deactivation {
    pub consecutive_failures: u32,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OutboxSpec {
    pub linger_ms: u64,
    pub first_delay_secs: u64,
    pub max_delay_secs: u64,
}

impl Trigger {
    /// The fixed re-read interval, when the file sets one.
    pub fn resync_every(&self) -> Option<Duration> {
        self.resync_every_secs.map(Duration::from_secs)
    }
    /// The safety interval, when the file sets one.
    pub fn safety_resync_every(&self) -> Option<Duration> {
        self.safety_resync_every_secs.map(Duration::from_secs)
    }
    pub fn horizon(&self) -> Duration {
        Duration::from_secs(self.horizon_secs)
    }
    pub fn prepare_lead(&self) -> Duration {
        Duration::from_secs(self.prepare_lead_secs)
    }

    pub fn confirm_lead(&self) -> chrono::Duration {
        chrono::Duration::milliseconds(self.confirm_lead_ms.min(60_000) as i64)
    }

    pub fn staleness_limit(&self) -> Duration {
        Duration::from_secs(self.staleness_limit_secs)
    }
}

const POST_SCHEDULER: &str = include_str!("../../../../scenarios/post-scheduler.toml");
const MEDIA_PROCESSOR: &str = include_str!("../../../../scenarios/media-processor.toml");

/// `dir/file` parsed when it is there, else `builtin`; then `check`ed, whose complaint is
/// reported with the file's path.
fn load_file<T: serde::de::DeserializeOwned>(
    dir: &std::path::Path,
    file: &str,
    builtin: impl FnOnce() -> T,
    check: impl FnOnce(&T) -> Result<(), &'static str>,
) -> anyhow::Result<T> {
    let path = dir.join(file);
    if !path.exists() {
        return Ok(builtin());
    }
    let text = std::fs::read_to_string(&path).map_err(|e| anyhow::anyhow!("cannot read {}: {e}", path.display()))?;
    let spec: T = toml::from_str(&text).map_err(|e| anyhow::anyhow!("{} is not valid: {e}", path.display()))?;
    check(&spec).map_err(|why| anyhow::anyhow!("{}: {why}", path.display()))?;
    Ok(spec)
}

impl PostScheduler {
    pub fn builtin() -> PostScheduler {
        toml::from_str(POST_SCHEDULER).expect("scenarios/post-scheduler.toml is valid")
    }

    /// `post-scheduler.toml` from `dir` when it is there, else the built-in one.
    pub fn load(dir: &std::path::Path) -> anyhow::Result<PostScheduler> {
        load_file(
            dir,
            "post-scheduler.toml",
            PostScheduler::builtin,
            |spec: &PostScheduler| {
                if spec.retry.attempts < 1 {
                    return Err("retry.attempts must be at least 1");
                }
                // 10 s is the cadence's floor: on Business and Enterprise (no monthly cap) the derived
                // interval is 12 s, and a fixed one may be as short.
                if spec.trigger.resync_every_secs.is_some_and(|s| s < 10) {
                    return Err("trigger.resync_every_secs must be at least 10");
                }
                if spec.trigger.safety_resync_every_secs.is_some_and(|s| s < 10) {
                    return Err("trigger.safety_resync_every_secs must be at least 10");
                }
                Ok(())
            },
        )
    }
}

impl MediaProcessor {
    pub fn builtin() -> MediaProcessor {
        toml::from_str(MEDIA_PROCESSOR).expect("scenarios/media-processor.toml is valid")
    }

    /// `media-processor.toml` from `dir` when it is there, else the built-in one.
    pub fn load(dir: &std::path::Path) -> anyhow::Result<MediaProcessor> {
        load_file(
            dir,
            "media-processor.toml",
            MediaProcessor::builtin,
            |spec: &MediaProcessor| {
                if spec.retry.attempts < 1 {
                    return Err("retry.attempts must be at least 1");
                }
                if spec.processing.concurrency < 1 {
                    return Err("processing.concurrency must be at least 1");
                }
                if spec.upload.folder.is_empty() || spec.upload.folder.starts_with('/') {
                    return Err("upload.folder must be a folder path without a leading /, like users");
                }
                Ok(())
            },
        )
    }
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    #[test]
    fn the_built_in_media_processor_parses_and_a_bad_folder_is_named() {
        let m = super::MediaProcessor::builtin();
        assert_eq!((m.upload.folder.as_str(), m.retry.attempts), ("users", 4));
        let dir = tempfile::tempdir().unwrap();
        let text = super::MEDIA_PROCESSOR.replace("folder = \"users\"", "folder = \"/users\"");
        std::fs::write(dir.path().join("media-processor.toml"), text).unwrap();
        let err = super::MediaProcessor::load(dir.path()).unwrap_err().to_string();
        assert!(err.contains("media-processor.toml: upload.folder"), "{err}");
    }

    #[test]
    fn the_built_in_post_scheduler_parses_and_fixes_no_interval() {
        let trigger = super::PostScheduler::builtin().trigger;
        assert_eq!((trigger.resync_every(), trigger.safety_resync_every()), (None, None));
    }

    #[test]
    fn a_scenario_file_on_disk_is_read_and_a_bad_one_named() {
        let dir = tempfile::tempdir().unwrap();
        let load = |dir: &std::path::Path| super::PostScheduler::load(dir).map(|s| s.trigger);
        assert_eq!(load(dir.path()).unwrap().resync_every_secs, None, "built in");
        let text = super::POST_SCHEDULER
            .replace("# resync_every_secs = 3600", "resync_every_secs = 12")
            .replace("# safety_resync_every_secs = 3600", "safety_resync_every_secs = 900");
        std::fs::write(dir.path().join("post-scheduler.toml"), text).unwrap();
        let trigger = load(dir.path()).unwrap();
        assert_eq!(
            (trigger.resync_every_secs, trigger.safety_resync_every_secs),
            (Some(12), Some(900))
        );
        let text = super::POST_SCHEDULER.replace("# resync_every_secs = 3600", "resync_every_secs = 5");
        std::fs::write(dir.path().join("post-scheduler.toml"), text).unwrap();
        let err = load(dir.path()).unwrap_err().to_string();
        assert!(err.contains("trigger.resync_every_secs must be at least 10"), "{err}");
        std::fs::write(
            dir.path().join("post-scheduler.toml"),
            "[trigger]\nresync_every_secs = \"often\"",
        )
        .unwrap();
        let err = super::PostScheduler::load(dir.path()).unwrap_err().to_string();
        assert!(err.contains("post-scheduler.toml is not valid"), "{err}");
    }

    #[test]
    fn the_seeds_retry_schedule_starts_at_5_minutes_and_doubles() {
        let r = super::PostScheduler::builtin().retry;
        let delays: Vec<u64> = (1..=4).map(|a| r.base_delay(a).as_secs()).collect();
        assert_eq!(delays, [300, 600, 1200, 2400]);
        assert_eq!(r.base_delay(9), Duration::from_secs(3600), "capped");
        assert_eq!(r.delay(1, 1.0), Duration::from_secs(330));
    }
}
