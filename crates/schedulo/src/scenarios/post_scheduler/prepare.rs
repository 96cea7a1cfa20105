//! Preparation: what a platform needs before the publish call (uploaded media, Instagram
//! containers), made ahead of the post's time where the platform allows it, and kept in the
//! journal for the content it was made for. At the post's time only the publish call remains; an
//! edit changes the post's fingerprint, and the post is prepared again.

use super::{catalog, PostScheduler, Ready};
use crate::error_class::ErrorClass;
use crate::journal::{KeptPrepared, PostRow};
use crate::platforms::{Account, Prepared, PublishError, Receipts};
use chrono::{DateTime, Utc};
use std::sync::Arc;

impl PostScheduler {
    /// The post's lock for preparing: preparation ahead and at the due time never run together
    /// for one post (that would make two containers).
    fn prep_lock(&self, record_id: &str) -> Arc<tokio::sync::Mutex<()>> {
        self.prep_locks
            .lock()
            .expect("prep locks")
            .entry(record_id.to_string())
            .or_default()
            .clone()
    }

    /// What was prepared for this post and can still be used: for its current content, not expired.
    async fn usable_prepared(&self, ready: &Ready) -> anyhow::Result<Option<Prepared>> {
        let Some(kept) = self.journal.prepared(&ready.post.record_id).await? else {
            return Ok(None);
        };
        if kept.fingerprint != fingerprint(ready) {
            tracing::info!(message = "The post was edited in Airtable after it was prepared; preparing it again, so it may go out late.", record = %kept.record_id);
            return Ok(None);
        }
        if kept.expires_at.is_none_or(|at| at <= self.clock.now()) {
            return Ok(None);
        }
        match serde_json::from_str::<Prepared>(&kept.data) {
            Ok(p) => Ok(Some(p)),
            Err(error) => {
                tracing::warn!(message = "What was prepared for a post cannot be read; preparing it again.", record = %kept.record_id, %error);
                Ok(None)
            }
        }
    }

    /// What was kept for this post, whatever its content now (reconciling asks about it).
    pub(crate) async fn kept_prepared(&self, record_id: &str) -> anyhow::Result<Option<Prepared>> {
        Ok(self
            .journal
            .prepared(record_id)
            .await?
            .and_then(|k| serde_json::from_str(&k.data).ok()))
    }

    /// The post's preparation: the one kept if it is still good, else a new one, kept at once.
    pub(crate) async fn prepared_for(
        &self,
        ready: &Ready,
        account: &Account,
    ) -> anyhow::Result<Result<Prepared, PublishError>> {
        let lock = self.prep_lock(&ready.post.record_id);
        let _held = lock.lock().await;
        if let Some(p) = self.usable_prepared(ready).await? {
            return Ok(Ok(p));
        }
        let platform = ready.account.platform;
        let prepared = match self.publishers.prepare(platform, account, &ready.content).await {
            Ok(p) => p,
            Err(e) => return Ok(Err(e)),
        };
        self.keep(ready, &prepared).await?;
        Ok(Ok(prepared))
    }

    async fn keep(&self, ready: &Ready, prepared: &Prepared) -> anyhow::Result<()> {
        let now = self.clock.now();
        self.journal
            .keep_prepared(&KeptPrepared {
                record_id: ready.post.record_id.clone(),
                fingerprint: fingerprint(ready),
                data: serde_json::to_string(prepared)?,
                prepared_at: now,
                // Kept without an expiry, it still serves reconciling; but it is used for a publish
                // only right after it was made (`usable_prepared` wants a later expiry).
                expires_at: Some(prepared.expires_at.unwrap_or(now + chrono::Duration::minutes(10))),
            })
            .await?;
        Ok(())
    }

    /// Receipts of the post's attempt, kept in the journal the moment a platform returns them.
    pub(crate) fn receipts(&self, row: &PostRow) -> Receipts {
        let journal = self.journal.clone();
        let record_id = row.record_id.clone();
        Receipts::new(move |receipt| {
            let journal = journal.clone();
            let record_id = record_id.clone();
            async move {
                journal
                    .record_receipt(&record_id, &receipt)
                    .await
                    .map_err(|e| e.to_string())
            }
        })
    }

    /// Prepares, in the background, the posts whose time is within their lead and that have no
    /// usable preparation; returns when the next one comes within its lead.
    pub async fn prepare_ahead(self: &Arc<Self>) -> Option<DateTime<Utc>> {
        let now = self.clock.now();
        let lead = chrono::Duration::from_std(self.spec.trigger.prepare_lead()).unwrap_or_default();
        let ready: Vec<Ready> = self.ready.lock().expect("ready lock").values().cloned().collect();
        let mut next: Option<DateTime<Utc>> = None;
        let mut due = Vec::new();
        for r in ready {
            let platform = r.account.platform;
            let Some(most) = self.publishers.prepare_ahead(platform, &r.content) else {
                continue;
            };
            let lead = lead.min(chrono::Duration::from_std(most).unwrap_or(lead));
            let from = r.post.scheduled_time - lead;
            if r.post.scheduled_time <= now {
                continue; // due: publishing prepares it
            }
            let retry_at = self
                .prep_retry
                .lock()
                .expect("prep retry")
                .get(&r.post.record_id)
                .copied();
            let from = retry_at.map_or(from, |t| t.max(from));
            if from > now {
                next = Some(next.map_or(from, |n| n.min(from)));
                continue;
            }
            if self.preparing.lock().expect("preparing").contains(&r.post.record_id) {
                continue;
            }
            match self.usable_prepared(&r).await {
                Ok(Some(_)) => continue,
                Ok(None) => {}
                Err(error) => {
                    tracing::warn!(message = "Failed to read what was prepared for a post.", record = %r.post.record_id, error = %format!("{error:#}"));
                    continue;
                }
            }
            if self.preflight_ok(&r).is_err() {
                continue; // the due time fails it, with the reason
            }
            self.preparing
                .lock()
                .expect("preparing")
                .insert(r.post.record_id.clone());
            due.push(r.post.record_id.clone());
        }
        if !due.is_empty() {
            let this = self.clone();
            tokio::spawn(async move { this.confirm_and_prepare(due).await });
        }
        next
    }

    /// Confirms the posts against the base (one read for up to 100), then prepares those that
    /// are still scheduled within their lead, as Airtable shows them now.
    async fn confirm_and_prepare(self: Arc<Self>, ids: Vec<String>) {
        let started = self.clock.now();
        self.confirm(&ids).await;
        let lead = chrono::Duration::from_std(self.spec.trigger.prepare_lead()).unwrap_or_default();
        let mut tasks = tokio::task::JoinSet::new();
        for id in ids {
            let confirmed = self
                .confirmed
                .lock()
                .expect("confirmed lock")
                .get(&id)
                .is_some_and(|at| *at >= started);
            let ready = self.ready.lock().expect("ready lock").get(&id).cloned();
            match ready {
                Some(r) if confirmed && r.post.scheduled_time - lead <= self.clock.now() => {
                    let this = self.clone();
                    tasks.spawn(async move {
                        this.prepare_one_ahead(&r).await;
                        this.preparing.lock().expect("preparing").remove(&r.post.record_id);
                    });
                }
                _ => {
                    if !confirmed {
                        // The read failed (or the post left the schedule): nothing is made for it now.
                        self.prep_retry_at(&id, self.clock.now() + chrono::Duration::minutes(1));
                    }
                    self.preparing.lock().expect("preparing").remove(&id);
                }
            }
        }
        while tasks.join_next().await.is_some() {}
    }

    async fn prepare_one_ahead(&self, r: &Ready) {
        let id = &r.post.record_id;
        let mut r = r.clone();
        let checked = match self.with_media_info(&r.content).await {
            Ok(content) => {
                r.content = self.with_variants(&content, r.account.platform);
                self.publishers.check(r.account.platform, &r.content).is_ok()
            }
            Err(_) => false,
        };
        let (true, Ok(account)) = (checked, self.account(&r)) else {
            // The due time fails it, with the reason.
            self.prep_retry_at(id, r.post.scheduled_time);
            return;
        };
        let r = &r;
        let started = self.clock.now();
        let outcome = match self.prepared_for(r, &account).await {
            Ok(outcome) => outcome,
            Err(error) => {
                tracing::warn!(message = "Failed to keep a post's preparation.", record = %id, error = %format!("{error:#}"));
                self.prep_retry_at(id, self.clock.now() + chrono::Duration::minutes(1));
                return;
            }
        };
        match outcome {
            Ok(p) => {
                self.prep_retry.lock().expect("prep retry").remove(id);
                tracing::info!(message = "Post prepared ahead of its time.", record = %id, platform = %r.account.platform, ready = p.ready, took_ms = (self.clock.now() - started).num_milliseconds());
            }
            Err(e) => {
                let at = match e.class {
                    ErrorClass::RateLimited => e.retry_at.unwrap_or(self.clock.now() + chrono::Duration::minutes(5)),
                    ErrorClass::Transient => self.clock.now() + chrono::Duration::minutes(1),
                    // Refused: the due time prepares it again and fails it with the platform's message.
                    ErrorClass::Permanent | ErrorClass::Auth | ErrorClass::OutcomeUnknown => r.post.scheduled_time,
                };
                tracing::warn!(message = "Preparing a post ahead failed.", record = %id, error = %e, retry_at = %at);
                self.prep_retry_at(id, at);
            }
        }
    }

    fn prep_retry_at(&self, record_id: &str, at: DateTime<Utc>) {
        self.prep_retry
            .lock()
            .expect("prep retry")
            .insert(record_id.to_string(), at);
    }
}

fn fingerprint(ready: &Ready) -> String {
    catalog::fingerprint(&ready.post, &ready.account, &ready.content)
}
