//! The outbox: statuses, URLs and error messages are written to Airtable from the journal,
//! coalesced per record (the journal merges writes to one record) and sent 10 a request, through
//! outages, 429 storms and restarts, until Airtable acknowledges them. A write is deleted from the
//! journal only when the version acknowledged is the version stored.

use crate::airtable::{ApiErrorType, Base, Fields};
use crate::clock::Clock;
use crate::error_class::ErrorClass;
use crate::journal::{Journal, OutboxItem};
use crate::scenarios::OutboxSpec;
use std::future::Future;
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::Notify;

/// Whether Airtable said the record itself does not exist (deleted by a person).
fn record_gone(e: &crate::airtable::AirtableError) -> bool {
    match e.api_type() {
        Some(ApiErrorType::NotFound) => true,
        Some(ApiErrorType::Other { kind, .. }) => kind == "ROW_DOES_NOT_EXIST",
        _ => false,
    }
}

/// At shutdown, writes due within this long are sent too.
const SHUTDOWN_REACH: chrono::Duration = chrono::Duration::minutes(1);

/// What one flush did.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct FlushReport {
    pub written: usize,
    pub requests: usize,
    /// Writes that will be tried again later.
    pub deferred: usize,
    /// Writes Airtable refused for good (the record is gone, a field is wrong): logged and dropped.
    pub dropped: usize,
}

/// Cheap to clone: clones share the base's client, the journal and the wake-up.
#[derive(Clone)]
pub struct Outbox {
    base: Base,
    journal: Journal,
    spec: OutboxSpec,
    clock: Clock,
    wake: Arc<Notify>,
}

impl Outbox {
    pub fn new(base: Base, journal: Journal, spec: OutboxSpec, clock: Clock, wake: Arc<Notify>) -> Outbox {
        Outbox {
            base,
            journal,
            spec,
            clock,
            wake,
        }
    }

    /// Writes everything that is due, 10 records a request, table by table.
    pub async fn flush(&self) -> anyhow::Result<FlushReport> {
        self.flush_due_by(self.clock.now()).await
    }

    /// Writes everything due by `by` (also writes put to linger a little for others to join).
    pub async fn flush_due_by(&self, by: chrono::DateTime<chrono::Utc>) -> anyhow::Result<FlushReport> {
        let mut report = FlushReport::default();
        for table in self.journal.outbox_tables().await? {
            loop {
                let items = self.journal.outbox_next(&table, by, 10).await?;
                if items.is_empty() {
                    break;
                }
                let before = report.deferred;
                self.send(&table, &items, &mut report).await?;
                if report.deferred > before {
                    break; // Airtable is not taking writes now; the rest waits for the retry.
                }
            }
        }
        Ok(report)
    }

    async fn send(&self, table: &str, items: &[OutboxItem], report: &mut FlushReport) -> anyhow::Result<()> {
        let changes: Vec<(String, Fields)> = items.iter().map(|i| (i.record_id.clone(), i.fields.clone())).collect();
        report.requests += 1;
        match self.base.update(table, changes, false).await {
            Ok(_) => {
                let acks: Vec<(String, String, i64)> = items
                    .iter()
                    .map(|i| (i.table.clone(), i.record_id.clone(), i.version))
                    .collect();
                self.journal.outbox_ack(&acks).await?;
                tracing::info!(message = "Statuses written to Airtable.", table, records = items.len());
                report.written += items.len();
            }
            Err(e) if record_gone(&e.error) && items.len() > 1 => {
                // One deleted record refuses the whole request: send them one by one to find it.
                for item in items {
                    Box::pin(self.send(table, std::slice::from_ref(item), report)).await?;
                }
            }
            Err(e) if record_gone(&e.error) => {
                // The record was deleted in Airtable: there is nobody to tell.
                let item = &items[0];
                tracing::warn!(message = "The record of a status write was deleted in Airtable; the write is dropped.", table, record = %item.record_id);
                self.journal
                    .outbox_ack(&[(item.table.clone(), item.record_id.clone(), item.version)])
                    .await?;
                report.dropped += 1;
            }
            Err(e) if e.class() == ErrorClass::Permanent || e.class() == ErrorClass::Auth => {
                // The base refuses the write itself (a field renamed, a choice removed, a token
                // without access): keep the statuses and say so, until a person mends the base.
                let next = self.clock.now() + chrono::Duration::seconds(self.spec.max_delay_secs as i64);
                tracing::error!(message = "Airtable refuses status writes; they are kept and tried again. Check the base (`schedulo schema check`).", table, records = items.len(), next = %next, error = %e);
                self.defer_table(table, next, &e.to_string()).await?;
                report.deferred += items.len();
            }
            Err(e) => {
                let attempts = items.iter().map(|i| i.attempts).max().unwrap_or(0);
                let delay = self.backoff(attempts);
                let next = self.clock.now() + chrono::Duration::from_std(delay).unwrap_or(chrono::Duration::minutes(1));
                tracing::warn!(message = "Status writes to Airtable failed; will try again.", table, records = items.len(), next = %next, error = %e);
                self.defer_table(table, next, &e.to_string()).await?;
                report.deferred += items.len();
            }
        }
        Ok(())
    }

    /// Puts off every pending write of `table` until `next`: when Airtable is not taking writes,
    /// the rest would fail the same way (one request each).
    async fn defer_table(&self, table: &str, next: chrono::DateTime<chrono::Utc>, error: &str) -> anyhow::Result<()> {
        let far = self.clock.now() + chrono::Duration::days(3650);
        let pending = self.journal.outbox_next(table, far, 100_000).await?;
        let keys: Vec<(String, String)> = pending.iter().map(|i| (i.table.clone(), i.record_id.clone())).collect();
        self.journal.outbox_retry(&keys, next, error).await?;
        Ok(())
    }

    fn backoff(&self, attempts: u32) -> Duration {
        let first = self.spec.first_delay_secs.max(1) as f64;
        let secs = (first * 2f64.powi(attempts.min(20) as i32)).min(self.spec.max_delay_secs as f64);
        Duration::from_secs_f64(secs)
    }

    /// Flushes whenever woken (a status waits), and when the earliest deferred write is due.
    pub async fn run(self, shutdown: impl Future<Output = ()>) {
        tokio::pin!(shutdown);
        loop {
            if let Err(error) = self.flush().await {
                tracing::error!(message = "Failed to flush the outbox.", error = %format!("{error:#}"));
            }
            let next = self.journal.outbox_next_attempt().await.ok().flatten();
            let idle = self.clock.now() + chrono::Duration::hours(1);
            let wake_at = next.map_or(idle, |n| n.min(idle));
            tokio::select! {
                _ = self.wake.notified() => {
                    // Let other writes join this request.
                    tokio::time::sleep(Duration::from_millis(self.spec.linger_ms)).await;
                }
                _ = self.clock.sleep_until(wake_at) => {}
                _ = &mut shutdown => {
                    // Writes lingering for others to join (media outcomes) go now, not at the next start.
                    let _ = self.flush_due_by(self.clock.now() + SHUTDOWN_REACH).await;
                    break;
                }
            }
        }
    }
}
