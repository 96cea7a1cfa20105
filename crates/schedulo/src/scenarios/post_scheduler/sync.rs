//! Reading the schedule into the journal: new and edited posts are observed, malformed ones fail
//! with their error, posts that left the schedule (deleted, or no longer `Scheduled`) are cancelled.

use super::catalog::{self, Catalog};
use super::{PostScheduler, Ready};
use crate::base::names::posts;
use crate::journal::{Observation, ObservedPost, PostState};
use std::fmt;

/// What a read of the schedule did.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct SyncReport {
    pub read: usize,
    pub new: usize,
    pub changed: usize,
    pub cancelled: usize,
    pub failed: usize,
}

impl fmt::Display for SyncReport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} read, {} new, {} changed, {} cancelled, {} failed",
            self.read, self.new, self.changed, self.cancelled, self.failed
        )
    }
}

/// Every how many reads of the schedule the accounts and media are read in full (the first read
/// is one): [`super::cadence::CALLS_PER_TEN_READS`] plans the month on it.
pub const FULL_READ_EVERY: u64 = 10;

impl PostScheduler {
    /// Reads every `Scheduled` post due within the horizon into the journal: one paged read of
    /// the posts; their accounts and media are taken from the last read where the posts still link
    /// to the same ones, and read in full (one call each) on every [`FULL_READ_EVERY`]th read, so
    /// that a token, status or file changed there is seen within that many intervals.
    pub async fn sync(&self) -> anyhow::Result<SyncReport> {
        let now = self.clock.now();
        let until = now + chrono::Duration::from_std(self.spec.trigger.horizon()).unwrap_or(chrono::Duration::days(1));
        let turn = self.reads.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        let known = if turn.is_multiple_of(FULL_READ_EVERY) {
            catalog::Known::default()
        } else {
            self.known_links()
        };
        let catalog = catalog::read_with(&self.base, until, &known).await?;
        let seen: Vec<String> = catalog.posts.iter().map(|p| p.record_id.clone()).collect();
        self.ready.lock().expect("ready lock").retain(|id, _| seen.contains(id));
        let mut report = self.absorb(catalog).await?;
        for record_id in self
            .journal
            .forget_missing(&seen, now - chrono::Duration::days(3650), until)
            .await?
        {
            tracing::info!(message = "Post left the schedule before it was published; it will not be.", record = %record_id);
            self.ready.lock().expect("ready lock").remove(&record_id);
            self.forget_confirmed(&record_id);
            report.cancelled += 1;
        }
        Ok(report)
    }

    /// Sends again the status of a post the journal holds as final.
    async fn requeue_final(&self, record_id: &str, state: PostState) -> anyhow::Result<()> {
        let Some(row) = self.journal.get(record_id).await? else {
            return Ok(());
        };
        match state {
            PostState::Published => {
                let url = row.url.unwrap_or_default();
                self.write_status(record_id, crate::base::PostStatus::Posted, Some(&url), None)
                    .await
            }
            PostState::Failed | PostState::Review => {
                let message = row.last_error.unwrap_or_else(|| "This post failed.".into());
                self.write_failed(record_id, &message).await
            }
            // In flight, or cancelled: nothing to tell Airtable yet.
            _ => Ok(()),
        }
    }

    /// Reads one post again (a nudge named it); a post that is gone is cancelled.
    pub async fn sync_one(&self, record_id: &str) -> anyhow::Result<SyncReport> {
        let mut catalog = match catalog::read_one(&self.base, record_id).await {
            Ok(c) => c,
            Err(e) if matches!(e.api_type(), Some(crate::airtable::ApiErrorType::NotFound)) => {
                return self.cancel_one(record_id, "deleted in Airtable").await;
            }
            Err(e) => return Err(e.into()),
        };
        let still_scheduled = catalog
            .posts
            .iter()
            .any(|p| p.status == crate::base::PostStatus::Scheduled);
        if !still_scheduled && catalog.malformed.is_empty() {
            return self.cancel_one(record_id, "its Status is no longer Scheduled").await;
        }
        catalog::complete(&self.base, &mut catalog).await?;
        self.absorb(catalog).await
    }

    /// Cancels a post that left the schedule before it was published.
    pub(super) async fn cancel_one(&self, record_id: &str, reason: &str) -> anyhow::Result<SyncReport> {
        self.journal.cancel(record_id, reason).await?;
        self.ready.lock().expect("ready lock").remove(record_id);
        self.forget_confirmed(record_id);
        Ok(SyncReport {
            read: 1,
            cancelled: 1,
            ..SyncReport::default()
        })
    }

    /// Puts what was read into the journal and the cache of ready posts.
    pub(super) async fn absorb(&self, catalog: Catalog) -> anyhow::Result<SyncReport> {
        let now = self.clock.now();
        let mut report = SyncReport {
            read: catalog.posts.len() + catalog.malformed.len(),
            ..SyncReport::default()
        };
        for error in catalog.malformed.iter().filter(|e| e.table == posts::TABLE) {
            tracing::warn!(message = "A scheduled post cannot be read; it fails.", %error);
            self.journal.cancel(&error.record_id, "malformed").await?;
            self.write_failed(&error.record_id, &format!("This post cannot be published: {error}"))
                .await?;
            report.failed += 1;
        }
        for post in catalog.posts {
            let Some(account) = catalog.accounts.get(&post.account).cloned() else {
                let why = match catalog.malformed.iter().find(|e| e.record_id == post.account) {
                    Some(e) => format!("its account cannot be read: {e}"),
                    None => format!("its account {} does not exist", post.account),
                };
                self.fail_unclaimed(&post.record_id, &format!("This post cannot be published: {why}"))
                    .await?;
                report.failed += 1;
                continue;
            };
            let media = match &post.media {
                None => None,
                Some(id) => match catalog.media.get(id) {
                    Some(m) => Some(m),
                    None => {
                        let why = match catalog.malformed.iter().find(|e| &e.record_id == id) {
                            Some(e) => format!("its media cannot be read: {e}"),
                            None => format!("its media {id} does not exist"),
                        };
                        self.fail_unclaimed(&post.record_id, &format!("This post cannot be published: {why}"))
                            .await?;
                        report.failed += 1;
                        continue;
                    }
                },
            };
            let mut content = catalog::content(&post, media);
            if account.platform == crate::base::Platform::Facebook && content.media.is_empty() {
                content.link = catalog::first_url(&content.text);
            }
            let observed = ObservedPost {
                record_id: post.record_id.clone(),
                post_id: post.post_id.clone(),
                platform: account.platform.to_string(),
                account_record_id: account.record_id.clone(),
                scheduled_at: post.scheduled_time,
                fingerprint: catalog::fingerprint(&post, &account, &content),
            };
            let observation = self.journal.observe(&observed).await?;
            let stale_by = now - post.scheduled_time;
            let limit =
                chrono::Duration::from_std(self.spec.trigger.staleness_limit()).unwrap_or(chrono::Duration::hours(1));
            match observation {
                Observation::New if stale_by > limit => {
                    let message = format!(
                        "Not published: its ScheduledTime ({}) had passed by {} min when the worker first saw it, \
                         more than the staleness limit of {} min. Set a new time to publish it.",
                        post.scheduled_time.format("%Y-%m-%d %H:%M UTC"),
                        stale_by.num_minutes(),
                        limit.num_minutes()
                    );
                    self.fail_unclaimed(&post.record_id, &message).await?;
                    report.failed += 1;
                    continue;
                }
                Observation::New | Observation::Revived => report.new += 1,
                Observation::Changed => report.changed += 1,
                Observation::Unchanged => {}
                // In flight (claimed, or its outcome unknown): keep it at hand for reconciliation.
                Observation::AlreadyFinal(PostState::Intent | PostState::Unknown) => {}
                Observation::AlreadyFinal(state) => {
                    // Airtable still shows it Scheduled: the final status never reached it (a crash
                    // between the journal and the outbox). Send it again.
                    self.requeue_final(&post.record_id, state).await?;
                    continue;
                }
            }
            self.ready.lock().expect("ready lock").insert(
                post.record_id.clone(),
                Ready {
                    post,
                    account,
                    media: media.cloned(),
                    content,
                },
            );
        }
        Ok(report)
    }
}
