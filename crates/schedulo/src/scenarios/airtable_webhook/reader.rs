//! Reading the webhook's payloads from the journal's cursor and handing what they name to the
//! scheduler. The cursor moves only after the hand-off, page by page: a crash in between reads
//! the page again (a post read twice costs a call; a change missed would cost a post).

use super::{changes, AirtableWebhook, Changes, INBOX_SOURCE};
use crate::airtable::webhooks::MAX_PAYLOADS_PER_PAGE;
use crate::airtable::{AirtableError, ApiErrorType};
use crate::error_class::ErrorClass;
use crate::journal::JournalError;
use chrono::{DateTime, Utc};

/// What one read did.
#[derive(Debug, Default)]
pub(super) struct ReadReport {
    pub payloads: usize,
    pub posts: usize,
    pub own_writes: usize,
    pub everything: bool,
    /// The oldest payload's time.
    pub oldest: Option<DateTime<Utc>>,
    /// Stopped at `max_pages` with more waiting.
    pub more: bool,
}

#[derive(Debug, thiserror::Error)]
pub(super) enum ReadError {
    #[error("no webhook is in use yet")]
    NotSetUp,
    #[error("Airtable no longer has the webhook")]
    Gone,
    #[error(transparent)]
    Airtable(#[from] AirtableError),
    #[error(transparent)]
    Journal(#[from] JournalError),
}

impl AirtableWebhook {
    /// Reads every payload waiting, hands their records to the scheduler, moves the cursor.
    pub(super) async fn read_payloads(&self) -> Result<ReadReport, ReadError> {
        let id = self.webhook_id().ok_or(ReadError::NotSetUp)?;
        let kept = self
            .journal
            .webhook(self.base.id())
            .await?
            .filter(|k| k.webhook_id == id)
            .ok_or(ReadError::NotSetUp)?;
        // The pings kept so far are answered by this read.
        let pings = self.journal.inbox_pending_from(INBOX_SOURCE, 1000).await?;
        let mut cursor = kept.cursor;
        let mut report = ReadReport::default();
        for page_number in 0..self.timing.max_pages.max(1) {
            let page = match self
                .base
                .webhook_payloads(&id, Some(cursor), MAX_PAYLOADS_PER_PAGE)
                .await
            {
                Ok(page) => page,
                Err(e) if matches!(e.api_type(), Some(ApiErrorType::NotFound)) => return Err(ReadError::Gone),
                Err(e) if e.class() == ErrorClass::Permanent && page_number == 0 => {
                    // The cursor is no longer served (payloads are kept 7 days): start from the
                    // next payload, and read the schedule for what was missed.
                    tracing::warn!(message = "Airtable refused the webhook's cursor; reading the whole schedule and going on from its latest payload.", error = %e, cursor);
                    self.skip_to_latest(&id).await?;
                    report.everything = true;
                    return Ok(report);
                }
                Err(e) => return Err(e.into()),
            };
            let found = match self.watched.get() {
                Some(watched) => changes(watched, &page.payloads),
                // Not known yet: whatever changed, the whole schedule is read.
                None => Changes {
                    everything: true,
                    ..Changes::default()
                },
            };
            for record_id in &found.posts {
                self.scheduler.nudge_post(record_id);
            }
            if found.everything {
                self.scheduler.nudge_all();
            }
            // Handed off: now the cursor may move.
            self.journal.webhook_advance(self.base.id(), &id, page.cursor).await?;
            cursor = page.cursor;
            report.payloads += page.payloads.len();
            report.posts += found.posts.len();
            report.own_writes += found.own_writes;
            report.everything |= found.everything;
            if let Some(first) = page.payloads.iter().map(|p| p.timestamp).min() {
                report.oldest = Some(report.oldest.map_or(first, |o| o.min(first)));
            }
            report.more = page.might_have_more;
            if !page.might_have_more {
                break;
            }
        }
        for ping in pings {
            self.journal.inbox_done(ping.id).await?;
        }
        if report.payloads > 0 {
            tracing::info!(
                message = "Airtable webhook payloads read.",
                payloads = report.payloads,
                posts = report.posts,
                own_writes_skipped = report.own_writes,
                whole_schedule = report.everything,
                cursor
            );
        }
        Ok(report)
    }

    /// Moves the cursor to the webhook's next payload, as Airtable lists it.
    async fn skip_to_latest(&self, id: &str) -> Result<(), ReadError> {
        let listed = self.base.list_webhooks().await?;
        let info = listed.iter().find(|w| w.id == id).ok_or(ReadError::Gone)?;
        self.journal
            .webhook_advance(self.base.id(), id, info.cursor_for_next_payload)
            .await?;
        self.scheduler.nudge_all();
        Ok(())
    }
}
