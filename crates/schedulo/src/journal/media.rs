//! The Media Processor's jobs: one row per `MediaLibrary` record in `media_jobs`, and in
//! `media_assets` the Cloudinary public ids each job made (a notification names the asset).
//!
//! # States
//! ```text
//!  (webhook) --> queued --claim--> working --finish--> done | failed
//!                  ^  ^              |  |
//!                  |  `--wait(retry)-'  `--wait(notification)--> awaiting --notified or timed out--> queued/claimed
//!                  `-- a webhook during the run (requests > seen_requests) runs the job again
//! ```
//! A job at work when the worker died is queued again at start ([`Journal::media_recover`]):
//! every step of a run may be repeated (uploads use a fixed public id with `overwrite=false`, so
//! Cloudinary answers the existing asset instead of storing a second).
//!
//! A webhook for a done job queues it again; the run then compares the record's sources with
//! `source_fp` and, when they are the same, finishes without uploading.

use super::{from_ms, system_now_ms, to_ms, Journal, JournalError};
use chrono::{DateTime, Utc};
use sqlx::sqlite::SqliteRow;
use sqlx::Row;

const REQUEST: &str = include_str!("sql/media_request.sql");
const CLAIM: &str = include_str!("sql/media_claim.sql");
const FINISH: &str = include_str!("sql/media_finish.sql");
const WAIT: &str = include_str!("sql/media_wait.sql");
const NOTIFIED: &str = include_str!("sql/media_notified.sql");
const RECOVER: &str = include_str!("sql/media_recover.sql");
const NEXT_DUE: &str = include_str!("sql/media_next_due.sql");
const GET: &str = include_str!("sql/media_get.sql");
const ASSET_PUT: &str = include_str!("sql/media_asset_put.sql");
const ASSET_FIND: &str = include_str!("sql/media_asset_find.sql");
const COUNTS: &str = include_str!("sql/media_counts.sql");
const ASSET_LATEST: &str = include_str!("sql/media_asset_latest.sql");
/// How long a run may hold a job before another run may take it (a task that died without
/// recording its step).
const LEASE_MS: i64 = 3_600_000;

/// A job's state.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MediaJobState {
    Queued,
    Working,
    /// Waiting for Cloudinary's notification (video variants, a direct upload from Bubble).
    Awaiting,
    Done,
    Failed,
}

impl MediaJobState {
    pub fn as_str(self) -> &'static str {
        match self {
            MediaJobState::Queued => "queued",
            MediaJobState::Working => "working",
            MediaJobState::Awaiting => "awaiting",
            MediaJobState::Done => "done",
            MediaJobState::Failed => "failed",
        }
    }

    fn parse(s: &str) -> Option<MediaJobState> {
        Some(match s {
            "queued" => MediaJobState::Queued,
            "working" => MediaJobState::Working,
            "awaiting" => MediaJobState::Awaiting,
            "done" => MediaJobState::Done,
            "failed" => MediaJobState::Failed,
            _ => return None,
        })
    }
}

/// A job as stored.
#[derive(Debug, Clone, PartialEq)]
pub struct MediaJob {
    pub record_id: String,
    /// The state when read (a claimed job reads `Working`).
    pub state: MediaJobState,
    /// The platforms the media is meant for (`None`: every platform).
    pub platforms: Option<Vec<String>>,
    pub requests: i64,
    pub seen_requests: i64,
    /// The fingerprint of the sources the last finished run processed.
    pub source_fp: Option<String>,
    /// What Cloudinary answered for the run's uploads (JSON, the processor's own shape).
    pub uploads: Option<serde_json::Value>,
    /// Cloudinary's notification for the job, not yet handled.
    pub notification: Option<serde_json::Value>,
    /// Runs since the last request (the claim counts one).
    pub attempts: i64,
    pub next_attempt_at: DateTime<Utc>,
    pub last_error: Option<String>,
    /// Since when the job waits for Cloudinary (set: the claimed job is a wait that ended, by a
    /// notification or by its time running out).
    pub waiting_since: Option<DateTime<Utc>>,
}

/// How a run ends or pauses.
#[derive(Debug, Clone, PartialEq)]
pub enum MediaStep {
    /// Finished: `Status` written (Ready, or Error for the media itself).
    Done {
        source_fp: String,
        uploads: serde_json::Value,
        note: Option<String>,
    },
    /// Gave up (the media could not be processed; `Status` says why). A later request runs it again.
    Failed {
        uploads: Option<serde_json::Value>,
        message: String,
    },
    /// Wait for Cloudinary's notification until `until`, then ask Cloudinary.
    Await {
        until: DateTime<Utc>,
        uploads: serde_json::Value,
    },
    /// Try again at `at` (a failure that may pass). `counted`: whether the run was an attempt
    /// (not when Airtable was down or Cloudinary refused the worker's own credentials).
    Retry {
        at: DateTime<Utc>,
        error: String,
        counted: bool,
    },
}

impl Journal {
    pub(super) async fn media_request_direct(
        &self,
        record_id: &str,
        platforms: Option<&[String]>,
        now: DateTime<Utc>,
        direct_until: Option<DateTime<Utc>>,
    ) -> Result<MediaJobState, JournalError> {
        let subject = format!("media job {record_id}");
        let platforms = platforms.map(|p| serde_json::to_string(p).unwrap_or_default());
        let row = sqlx::query(REQUEST)
            .bind(record_id)
            .bind(platforms)
            .bind(to_ms(direct_until.unwrap_or(now)))
            .bind(system_now_ms())
            .bind(i64::from(direct_until.is_some()))
            .bind(to_ms(now))
            .fetch_one(&self.pool)
            .await
            .map_err(JournalError::db("queue", &subject))?;
        let state: String = row
            .try_get("state")
            .map_err(|e| JournalError::corrupt(&subject, e.to_string()))?;
        MediaJobState::parse(&state).ok_or_else(|| JournalError::corrupt(&subject, format!("unknown state {state:?}")))
    }

    pub(super) async fn media_claim_direct(
        &self,
        now: DateTime<Utc>,
        limit: u32,
    ) -> Result<Vec<MediaJob>, JournalError> {
        let rows = sqlx::query(CLAIM)
            .bind(to_ms(now))
            .bind(system_now_ms())
            .bind(i64::from(limit))
            .bind(LEASE_MS)
            .fetch_all(&self.pool)
            .await
            .map_err(JournalError::db("claim", "due media jobs"))?;
        rows.iter().map(job_from_row).collect()
    }

    pub(super) async fn media_step_direct(
        &self,
        record_id: &str,
        step: &MediaStep,
        now: DateTime<Utc>,
    ) -> Result<(), JournalError> {
        let subject = format!("media job {record_id}");
        let json = |v: &serde_json::Value| v.to_string();
        let done = match step {
            MediaStep::Done {
                source_fp,
                uploads,
                note,
            } => sqlx::query(FINISH)
                .bind(record_id)
                .bind("done")
                .bind(to_ms(now))
                .bind(source_fp)
                .bind(json(uploads))
                .bind(note.as_deref())
                .bind(system_now_ms()),
            MediaStep::Failed { uploads, message } => sqlx::query(FINISH)
                .bind(record_id)
                .bind("failed")
                .bind(to_ms(now))
                .bind(None::<String>)
                .bind(uploads.as_ref().map(json))
                .bind(message.as_str())
                .bind(system_now_ms()),
            MediaStep::Await { until, uploads } => sqlx::query(WAIT)
                .bind(record_id)
                .bind(to_ms(*until))
                .bind(Some(json(uploads)))
                .bind(None::<String>)
                .bind("awaiting")
                .bind(system_now_ms())
                .bind(to_ms(now))
                .bind(0i64),
            MediaStep::Retry { at, error, counted } => sqlx::query(WAIT)
                .bind(record_id)
                .bind(to_ms(*at))
                .bind(None::<String>)
                .bind(Some(error.as_str()))
                .bind("queued")
                .bind(system_now_ms())
                .bind(to_ms(now))
                .bind(i64::from(!*counted)),
        }
        .execute(&self.pool)
        .await
        .map_err(JournalError::db("record a step of", &subject))?;
        if done.rows_affected() == 0 {
            return Err(JournalError::NotFound {
                op: "record a step (the job is not at work)",
                subject,
            });
        }
        Ok(())
    }

    pub(super) async fn media_notified_direct(
        &self,
        public_id: &str,
        body: &serde_json::Value,
        now: DateTime<Utc>,
    ) -> Result<Option<String>, JournalError> {
        let subject = format!("the media job of asset {public_id}");
        let record: Option<String> = sqlx::query_scalar(ASSET_FIND)
            .bind(public_id)
            .fetch_optional(&self.pool)
            .await
            .map_err(JournalError::db("find", &subject))?;
        let Some(record) = record else {
            return Ok(None);
        };
        sqlx::query(NOTIFIED)
            .bind(&record)
            .bind(body.to_string())
            .bind(to_ms(now))
            .bind(system_now_ms())
            .execute(&self.pool)
            .await
            .map_err(JournalError::db("keep the notification of", &subject))?;
        Ok(Some(record))
    }

    pub(super) async fn media_asset_put_direct(&self, public_id: &str, record_id: &str) -> Result<(), JournalError> {
        sqlx::query(ASSET_PUT)
            .bind(public_id)
            .bind(record_id)
            .bind(system_now_ms())
            .execute(&self.pool)
            .await
            .map_err(JournalError::db("note", format!("asset {public_id} of {record_id}")))?;
        Ok(())
    }

    pub(super) async fn media_asset_latest_direct(&self, record_id: &str) -> Result<Option<String>, JournalError> {
        sqlx::query_scalar(ASSET_LATEST)
            .bind(record_id)
            .fetch_optional(&self.pool)
            .await
            .map_err(JournalError::db(
                "find the latest asset of",
                format!("media job {record_id}"),
            ))
    }

    pub(super) async fn media_recover_direct(&self, now: DateTime<Utc>) -> Result<u64, JournalError> {
        let done = sqlx::query(RECOVER)
            .bind(to_ms(now))
            .bind(system_now_ms())
            .execute(&self.pool)
            .await
            .map_err(JournalError::db("queue again", "media jobs at work"))?;
        Ok(done.rows_affected())
    }

    pub(super) async fn media_next_due_direct(&self) -> Result<Option<DateTime<Utc>>, JournalError> {
        let ms: Option<i64> = sqlx::query_scalar(NEXT_DUE)
            .fetch_one(&self.pool)
            .await
            .map_err(JournalError::db("read", "the next due media job"))?;
        Ok(ms.and_then(from_ms))
    }

    pub(super) async fn media_get_direct(&self, record_id: &str) -> Result<Option<MediaJob>, JournalError> {
        let row = sqlx::query(GET)
            .bind(record_id)
            .fetch_optional(&self.pool)
            .await
            .map_err(JournalError::db("read", format!("media job {record_id}")))?;
        row.as_ref().map(job_from_row).transpose()
    }

    pub(super) async fn media_counts_direct(&self) -> Result<Vec<(String, u64)>, JournalError> {
        let rows = sqlx::query(COUNTS)
            .fetch_all(&self.pool)
            .await
            .map_err(JournalError::db("count", "media jobs"))?;
        rows.iter()
            .map(|r| {
                let state: String = r
                    .try_get("state")
                    .map_err(|e| JournalError::corrupt("media job counts", e.to_string()))?;
                let n: i64 = r
                    .try_get("n")
                    .map_err(|e| JournalError::corrupt("media job counts", e.to_string()))?;
                Ok((state, n.max(0) as u64))
            })
            .collect()
    }
}

fn job_from_row(row: &SqliteRow) -> Result<MediaJob, JournalError> {
    let record_id: String = row
        .try_get("record_id")
        .map_err(|e| JournalError::corrupt("a media job", e.to_string()))?;
    let subject = format!("media job {record_id}");
    let read = |e: sqlx::Error| JournalError::corrupt(&subject, e.to_string());
    let state: String = row.try_get("state").map_err(read)?;
    let json = |column: &str| -> Result<Option<serde_json::Value>, JournalError> {
        let text: Option<String> = row
            .try_get(column)
            .map_err(|e| JournalError::corrupt(&subject, e.to_string()))?;
        text.map(|t| {
            serde_json::from_str(&t).map_err(|e| JournalError::corrupt(&subject, format!("{column} is not JSON: {e}")))
        })
        .transpose()
    };
    let platforms = json("platforms")?
        .map(serde_json::from_value::<Vec<String>>)
        .transpose()
        .map_err(|e| JournalError::corrupt(&subject, format!("platforms is not a list of names: {e}")))?;
    let next_ms: i64 = row.try_get("next_attempt_at").map_err(read)?;
    Ok(MediaJob {
        state: MediaJobState::parse(&state)
            .ok_or_else(|| JournalError::corrupt(&subject, format!("unknown state {state:?}")))?,
        platforms,
        requests: row.try_get("requests").map_err(read)?,
        seen_requests: row.try_get("seen_requests").map_err(read)?,
        source_fp: row.try_get("source_fp").map_err(read)?,
        uploads: json("uploads")?,
        notification: json("notification")?,
        attempts: row.try_get("attempts").map_err(read)?,
        next_attempt_at: from_ms(next_ms)
            .ok_or_else(|| JournalError::corrupt(&subject, format!("{next_ms} is not a time")))?,
        last_error: row.try_get("last_error").map_err(read)?,
        waiting_since: {
            let ms: Option<i64> = row.try_get("waiting_since").map_err(read)?;
            ms.and_then(from_ms)
        },
        record_id,
    })
}

/// The calls, each off tokio's clock (see `offclock.rs`).
impl Journal {
    /// A webhook asks for `record_id` to be processed (committed before this returns). A new job
    /// is queued at `now`; a finished one is queued again; a job at work or waiting counts the
    /// request and runs again when its run or wait ends. `direct_until`: Bubble is uploading the
    /// file straight to Cloudinary; the job waits until then for Cloudinary's notification.
    pub async fn media_request(
        &self,
        record_id: &str,
        platforms: Option<Vec<String>>,
        now: DateTime<Utc>,
        direct_until: Option<DateTime<Utc>>,
    ) -> Result<MediaJobState, JournalError> {
        let journal = self.clone();
        let record_id = record_id.to_string();
        super::offclock::off_clock(async move {
            journal
                .media_request_direct(&record_id, platforms.as_deref(), now, direct_until)
                .await
        })
        .await
    }

    /// The asset `record_id`'s job noted last (a direct upload's signed public id).
    pub async fn media_asset_latest(&self, record_id: &str) -> Result<Option<String>, JournalError> {
        let journal = self.clone();
        let record_id = record_id.to_string();
        super::offclock::off_clock(async move { journal.media_asset_latest_direct(&record_id).await }).await
    }

    /// Claims up to `limit` jobs due at `now` (queued ones, and awaited ones whose wait is over).
    pub async fn media_claim(&self, now: DateTime<Utc>, limit: u32) -> Result<Vec<MediaJob>, JournalError> {
        let journal = self.clone();
        super::offclock::off_clock(async move { journal.media_claim_direct(now, limit).await }).await
    }

    /// Records how a claimed job's run ended or paused.
    pub async fn media_step(&self, record_id: &str, step: MediaStep, now: DateTime<Utc>) -> Result<(), JournalError> {
        let journal = self.clone();
        let record_id = record_id.to_string();
        super::offclock::off_clock(async move { journal.media_step_direct(&record_id, &step, now).await }).await
    }

    /// Keeps Cloudinary's notification about `public_id` on its job and makes the job due at
    /// `now`. `None`: no job made that asset.
    pub async fn media_notified(
        &self,
        public_id: &str,
        body: &serde_json::Value,
        now: DateTime<Utc>,
    ) -> Result<Option<String>, JournalError> {
        let journal = self.clone();
        let public_id = public_id.to_string();
        let body = body.clone();
        super::offclock::off_clock(async move { journal.media_notified_direct(&public_id, &body, now).await }).await
    }

    /// Notes that `record_id`'s job made (or will make) the asset `public_id`.
    pub async fn media_asset_put(&self, public_id: &str, record_id: &str) -> Result<(), JournalError> {
        let journal = self.clone();
        let (public_id, record_id) = (public_id.to_string(), record_id.to_string());
        super::offclock::off_clock(async move { journal.media_asset_put_direct(&public_id, &record_id).await }).await
    }

    /// At start: queues again the jobs a dead worker held; returns how many.
    pub async fn media_recover(&self, now: DateTime<Utc>) -> Result<u64, JournalError> {
        let journal = self.clone();
        super::offclock::off_clock(async move { journal.media_recover_direct(now).await }).await
    }

    /// When the next job is due (queued, or the end of a wait).
    pub async fn media_next_due(&self) -> Result<Option<DateTime<Utc>>, JournalError> {
        let journal = self.clone();
        super::offclock::off_clock(async move { journal.media_next_due_direct().await }).await
    }

    pub async fn media_get(&self, record_id: &str) -> Result<Option<MediaJob>, JournalError> {
        let journal = self.clone();
        let record_id = record_id.to_string();
        super::offclock::off_clock(async move { journal.media_get_direct(&record_id).await }).await
    }

    /// Jobs per state, for `status`.
    pub async fn media_counts(&self) -> Result<Vec<(String, u64)>, JournalError> {
        let journal = self.clone();
        super::offclock::off_clock(async move { journal.media_counts_direct().await }).await
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn t(s: i64) -> DateTime<Utc> {
        Utc.timestamp_opt(1_800_000_000 + s, 0).unwrap()
    }

    #[tokio::test]
    async fn a_job_runs_once_per_request_and_a_request_during_work_runs_it_again() {
        let j = Journal::open_in_memory().await.unwrap();
        assert_eq!(
            j.media_request("recM1", None, t(0), None).await.unwrap(),
            MediaJobState::Queued
        );
        assert_eq!(
            j.media_request("recM1", None, t(0), None).await.unwrap(),
            MediaJobState::Queued
        );
        let claimed = j.media_claim(t(1), 10).await.unwrap();
        assert_eq!(claimed.len(), 1);
        assert!(j.media_claim(t(1), 10).await.unwrap().is_empty(), "claimed once");
        // A request while at work: the job runs again after this run.
        j.media_request("recM1", Some(vec!["TikTok".into()]), t(2), None)
            .await
            .unwrap();
        let done = MediaStep::Done {
            source_fp: "fp1".into(),
            uploads: serde_json::json!([]),
            note: None,
        };
        j.media_step("recM1", done.clone(), t(3)).await.unwrap();
        let job = j.media_get("recM1").await.unwrap().unwrap();
        assert_eq!(job.state, MediaJobState::Queued);
        assert_eq!(job.platforms, Some(vec!["TikTok".to_string()]));
        let again = j.media_claim(t(3), 10).await.unwrap();
        assert_eq!(again[0].source_fp.as_deref(), Some("fp1"));
        j.media_step("recM1", done, t(4)).await.unwrap();
        assert_eq!(j.media_get("recM1").await.unwrap().unwrap().state, MediaJobState::Done);
        assert_eq!(j.media_next_due().await.unwrap(), None);
    }

    #[tokio::test]
    async fn a_notification_wakes_an_awaiting_job_and_a_dead_workers_job_is_queued_again() {
        let j = Journal::open_in_memory().await.unwrap();
        j.media_request("recV", None, t(0), None).await.unwrap();
        j.media_claim(t(0), 10).await.unwrap();
        j.media_asset_put("recV-abc", "recV").await.unwrap();
        let wait = MediaStep::Await {
            until: t(900),
            uploads: serde_json::json!([{"public_id": "recV-abc"}]),
        };
        j.media_step("recV", wait, t(1)).await.unwrap();
        assert!(j.media_claim(t(10), 10).await.unwrap().is_empty(), "waits");
        assert_eq!(j.media_next_due().await.unwrap(), Some(t(900)));
        let body = serde_json::json!({"notification_type": "eager", "public_id": "recV-abc"});
        assert_eq!(
            j.media_notified("recV-abc", &body, t(20)).await.unwrap().as_deref(),
            Some("recV")
        );
        assert_eq!(j.media_notified("nobody", &body, t(20)).await.unwrap(), None);
        let claimed = j.media_claim(t(20), 10).await.unwrap();
        assert_eq!(claimed[0].notification.as_ref(), Some(&body));
        assert_eq!(claimed[0].uploads.as_ref().unwrap()[0]["public_id"], "recV-abc");
        // The run waits again (the notification did not finish it): it waits its whole time...
        let wait = |until| MediaStep::Await {
            until,
            uploads: serde_json::json!([{"public_id": "recV-abc"}]),
        };
        j.media_step("recV", wait(t(900)), t(21)).await.unwrap();
        assert_eq!(
            j.media_next_due().await.unwrap(),
            Some(t(900)),
            "no busy loop on a handled notification"
        );
        j.media_claim(t(900), 10).await.unwrap();
        // ...but a notification that comes while a run is at work ends the wait it then records.
        j.media_notified("recV-abc", &body, t(901)).await.unwrap();
        j.media_step("recV", wait(t(1800)), t(902)).await.unwrap();
        assert_eq!(j.media_next_due().await.unwrap(), Some(t(902)), "due at once");
        let claimed = j.media_claim(t(902), 10).await.unwrap();
        assert_eq!(claimed[0].notification.as_ref(), Some(&body));
        // The worker dies here: at start the job is queued again.
        assert_eq!(j.media_recover(t(930)).await.unwrap(), 1);
        assert_eq!(j.media_claim(t(930), 10).await.unwrap().len(), 1);
        let step = MediaStep::Retry {
            at: t(960),
            error: "Cloudinary 503".into(),
            counted: true,
        };
        j.media_step("recV", step, t(931)).await.unwrap();
        let job = j.media_get("recV").await.unwrap().unwrap();
        assert_eq!(
            (job.state, job.last_error.as_deref()),
            (MediaJobState::Queued, Some("Cloudinary 503"))
        );
        assert!(
            j.media_step(
                "recV",
                MediaStep::Retry {
                    at: t(960),
                    error: String::new(),
                    counted: true,
                },
                t(932)
            )
            .await
            .is_err(),
            "not at work"
        );
    }

    #[tokio::test]
    async fn a_late_notification_opens_a_finished_job_and_a_new_direct_upload_forgets_the_old_one() {
        let j = Journal::open_in_memory().await.unwrap();
        let until = Some(t(3600));
        assert_eq!(
            j.media_request("recD", None, t(0), until).await.unwrap(),
            MediaJobState::Awaiting
        );
        // The wait runs out; the run fails.
        let claimed = j.media_claim(t(3600), 10).await.unwrap();
        assert_eq!(claimed[0].waiting_since, Some(t(0)));
        let failed = MediaStep::Failed {
            uploads: None,
            message: "no upload".into(),
        };
        j.media_step("recD", failed, t(3601)).await.unwrap();
        // Bubble's upload arrives late: the job opens again as a wait that ended.
        j.media_asset_put("recD_u1", "recD").await.unwrap();
        let body = serde_json::json!({"notification_type": "upload", "public_id": "recD_u1"});
        j.media_notified("recD_u1", &body, t(4000)).await.unwrap();
        let claimed = j.media_claim(t(4000), 10).await.unwrap();
        assert_eq!((claimed[0].waiting_since, claimed[0].attempts), (Some(t(4000)), 1));
        let done = MediaStep::Done {
            source_fp: "direct:recD_u1".into(),
            uploads: serde_json::json!({"assets": [1]}),
            note: None,
        };
        j.media_step("recD", done, t(4001)).await.unwrap();
        // A new direct upload forgets what the last run kept.
        j.media_request("recD", None, t(5000), Some(t(8600))).await.unwrap();
        let job = j.media_get("recD").await.unwrap().unwrap();
        assert_eq!(
            (job.state, job.uploads, job.notification),
            (MediaJobState::Awaiting, None, None)
        );
        assert_eq!(j.media_asset_latest("recD").await.unwrap().as_deref(), Some("recD_u1"));
    }

    #[tokio::test]
    async fn a_retry_during_a_wait_keeps_the_wait_and_an_uncounted_run_is_not_an_attempt() {
        let j = Journal::open_in_memory().await.unwrap();
        j.media_request("recW", None, t(0), None).await.unwrap();
        j.media_claim(t(0), 10).await.unwrap();
        let wait = MediaStep::Await {
            until: t(900),
            uploads: serde_json::json!({}),
        };
        j.media_step("recW", wait, t(1)).await.unwrap();
        // A request while waiting is not taken in by the run that ends the wait.
        j.media_request("recW", None, t(5), None).await.unwrap();
        let claimed = j.media_claim(t(900), 10).await.unwrap();
        assert_eq!((claimed[0].requests, claimed[0].seen_requests), (2, 1));
        let retry = MediaStep::Retry {
            at: t(960),
            error: "Airtable is down".into(),
            counted: false,
        };
        j.media_step("recW", retry, t(901)).await.unwrap();
        let job = j.media_get("recW").await.unwrap().unwrap();
        assert_eq!((job.waiting_since, job.attempts), (Some(t(1)), 1));
        // A run that died holding the job: after the lease another run takes it.
        j.media_claim(t(960), 10).await.unwrap();
        assert!(j.media_claim(t(961), 10).await.unwrap().is_empty());
        assert_eq!(j.media_claim(t(960 + 3601), 10).await.unwrap().len(), 1);
    }
}
