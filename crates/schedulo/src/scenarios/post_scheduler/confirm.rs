//! The confirm read: Airtable's grid is the source of truth, so right before a post is published
//! (and before anything is done for it ahead: Instagram containers, media uploads) the worker reads
//! it again by record id and publishes it only as Airtable shows it then.
//!
//! - One call reads up to 100 posts (`OR(RECORD_ID()='rec…', …)`); the posts due together share
//!   it. It starts `confirm_lead_ms` before their time, so that the answer is in by their second.
//! - A post that is gone is cancelled ("deleted in Airtable"); one whose `Status` is no longer
//!   `Scheduled` is cancelled; one moved later is rescheduled (the journal's `due_at` moves, and
//!   the claim, which wants `due_at <= now`, does not take it); an edit (caption, hashtags, media,
//!   format, account, time) changes its fingerprint, so it is published as edited and whatever was
//!   prepared for the old content is made again.
//! - The account and media records are taken from the last read when the post still links to the
//!   same ones (no extra call); a new link is read (one call for the accounts, one for the media).
//! - A read that fails (429 lock-out, 5xx, timeout) confirms nothing: the posts are not published
//!   on what was read before, and are tried again a few seconds later.
//!
//! A confirmation holds for a post due at `T` when its read started at `min(T, now) - lead` or
//! later ([`PostScheduler::confirmed_for`]).

use super::catalog::{self, Catalog, Known};
use super::PostScheduler;
use crate::base::{read_all, PostStatus, ScheduledPost};
use chrono::{DateTime, Utc};
use std::collections::HashSet;

/// Most posts one confirm read names (Airtable's page size).
pub(super) const CONFIRM_BATCH: usize = 100;

/// What a confirm read found.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct ConfirmReport {
    /// Still `Scheduled`, as read now.
    pub confirmed: usize,
    /// Deleted, or no longer `Scheduled`: cancelled.
    pub cancelled: usize,
    /// Not confirmed: their read failed.
    pub failed: usize,
}

impl PostScheduler {
    /// Whether the post's last confirm read is fresh enough to publish it, due at `due`, now.
    pub(super) fn confirmed_for(&self, record_id: &str, due: DateTime<Utc>) -> bool {
        let lead = self.spec.trigger.confirm_lead();
        let since = due.min(self.clock.now()) - lead;
        self.confirmed
            .lock()
            .expect("confirmed lock")
            .get(record_id)
            .is_some_and(|at| *at >= since)
    }

    /// Confirms the posts against the base: reads them by id (100 a call, the calls side by side,
    /// paced by the client) and absorbs what Airtable shows. Posts named by nudges are read the
    /// same way, so a flurry of nudges costs one read per 100 posts, not one each. A batch whose read failed confirms
    /// none of its posts; its error is logged and the others still count.
    pub async fn confirm(&self, ids: &[String]) -> ConfirmReport {
        let batches = ids.chunks(CONFIRM_BATCH).map(|batch| self.confirm_batch(batch));
        let mut report = ConfirmReport::default();
        for (batch, result) in ids
            .chunks(CONFIRM_BATCH)
            .zip(futures_util::future::join_all(batches).await)
        {
            match result {
                Ok(r) => {
                    report.confirmed += r.confirmed;
                    report.cancelled += r.cancelled;
                }
                Err(error) => {
                    report.failed += batch.len();
                    tracing::warn!(
                        message = "Failed to read posts again from Airtable; they are not published until a read succeeds.",
                        posts = batch.len(),
                        error = %format!("{error:#}")
                    )
                }
            }
        }
        report
    }

    /// One confirm read of at most [`CONFIRM_BATCH`] posts.
    async fn confirm_batch(&self, ids: &[String]) -> anyhow::Result<ConfirmReport> {
        let started = self.clock.now();
        let records = catalog::read_by_ids(&self.base, ids).await?;
        let mut report = ConfirmReport::default();
        let returned: HashSet<&str> = records.iter().map(|r| r.id.as_str()).collect();
        for id in ids.iter().filter(|id| !returned.contains(id.as_str())) {
            tracing::info!(message = "Post deleted in Airtable before its time; it will not be published.", record = %id);
            self.cancel_one(id, "deleted in Airtable").await?;
            report.cancelled += 1;
        }
        let (posts, malformed) = read_all(&records, ScheduledPost::from_record);
        let (scheduled, left): (Vec<ScheduledPost>, Vec<ScheduledPost>) =
            posts.into_iter().partition(|p| p.status == PostStatus::Scheduled);
        for post in &left {
            tracing::info!(message = "Post no longer Scheduled in Airtable; it will not be published.", record = %post.record_id, status = %post.status);
            self.cancel_one(&post.record_id, &format!("its Status is {} in Airtable", post.status))
                .await?;
            report.cancelled += 1;
        }
        let known = self.known_links();
        let mut catalog = Catalog {
            posts: scheduled,
            malformed,
            ..Catalog::default()
        };
        catalog::complete_from(&self.base, &mut catalog, &known).await?;
        let still: Vec<String> = catalog.posts.iter().map(|p| p.record_id.clone()).collect();
        self.absorb(catalog).await?;
        let mut confirmed = self.confirmed.lock().expect("confirmed lock");
        for id in still {
            confirmed.insert(id, started);
            report.confirmed += 1;
        }
        Ok(report)
    }

    /// The accounts and media of the posts as last read.
    pub(super) fn known_links(&self) -> Known {
        let mut known = Known::default();
        for r in self.ready.lock().expect("ready lock").values() {
            known
                .accounts
                .entry(r.account.record_id.clone())
                .or_insert_with(|| r.account.clone());
            if let Some(m) = &r.media {
                known.media.entry(m.record_id.clone()).or_insert_with(|| m.clone());
            }
        }
        known
    }

    /// Forgets the confirmation of a post (it was published, or left the schedule).
    pub(super) fn forget_confirmed(&self, record_id: &str) {
        self.confirmed.lock().expect("confirmed lock").remove(record_id);
    }
}
