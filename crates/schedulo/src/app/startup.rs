//! Starting while Airtable is down. A worker restarted during an Airtable outage (or by systemd in
//! a loop) must not exit: its journal holds every post it knows, the outbox keeps the status
//! writes, and the Post Scheduler publishes nothing it cannot confirm with a read, so the safe
//! thing is to run and wait. At start the schema read is tried once ([`super::parts::checked_base`]);
//! when Airtable does not answer, [`schema_when_airtable_answers`] tries again with backoff (1 s
//! doubling to 60 s, with jitter), logging each failure, and then checks the schema as the start
//! would have and hands the Airtable webhook its tables.
//!
//! What ends the process is what an operator must fix: a token Airtable refuses (401/403), a base
//! it does not know, a schema the worker cannot work with; each with a message saying what to do.

use crate::airtable::{AirtableError, Base, TableMeta};
use crate::error_class::ErrorClass;
use crate::scenarios::airtable_webhook::{AirtableWebhook, Watched};
use crate::schema::Schema;
use backon::BackoffBuilder;
use std::time::Duration;

/// Whether a failed schema read may pass by itself (Airtable down, slow, or locking the base out).
pub(super) fn passes(e: &AirtableError) -> bool {
    matches!(
        e.class(),
        ErrorClass::Transient | ErrorClass::RateLimited | ErrorClass::OutcomeUnknown
    )
}

/// The error that stops the worker for a schema read that will not pass, saying what to fix.
pub(super) fn fatal(base: &Base, e: AirtableError) -> anyhow::Error {
    match e.class() {
        ErrorClass::Auth => anyhow::anyhow!(
            "Airtable refuses AIRTABLE_TOKEN for base {}: {e}. Check that the token exists, has the scopes \
             data.records:read, data.records:write, schema.bases:read and webhook:manage, and has access to \
             AIRTABLE_BASE_ID",
            base.id()
        ),
        _ => anyhow::Error::new(e).context(format!(
            "Failed to read the schema of base {} (AIRTABLE_BASE_ID)",
            base.id()
        )),
    }
}

/// Reads the base's tables until Airtable answers, then checks them against `schema`. An error
/// only for what will not pass by waiting.
pub(super) async fn schema_when_airtable_answers(base: &Base, schema: &Schema) -> anyhow::Result<Vec<TableMeta>> {
    let mut waits = backon::ExponentialBuilder::default()
        .with_min_delay(Duration::from_secs(1))
        .with_max_delay(Duration::from_secs(60))
        .with_jitter()
        .without_max_times()
        .build();
    let mut attempt = 0u32;
    loop {
        attempt += 1;
        let wait = waits.next().unwrap_or(Duration::from_secs(60));
        tokio::time::sleep(wait).await;
        match base.tables().await {
            Ok(tables) => {
                super::parts::check_schema(schema, &tables)?;
                tracing::info!(
                    message = "Airtable answers again: the base's schema is read and fits.",
                    base = base.id(),
                    attempt
                );
                return Ok(tables);
            }
            Err(e) if passes(&e) => {
                tracing::warn!(message = "Airtable still does not answer; reading the base's schema again later.", base = base.id(), attempt, error = %e);
            }
            Err(e) => return Err(fatal(base, e)),
        }
    }
}

/// Reads and checks the schema once Airtable answers, then runs the Airtable webhook (if the worker
/// keeps one) until `stopped`. An error that will not pass goes to `fatal`, which stops the worker.
pub(super) async fn check_then_watch(
    base: Base,
    schema: Schema,
    webhook: Option<std::sync::Arc<AirtableWebhook>>,
    fatal: tokio::sync::mpsc::Sender<anyhow::Error>,
    stopped: impl std::future::Future<Output = ()>,
) {
    tokio::pin!(stopped);
    let tables = tokio::select! {
        read = schema_when_airtable_answers(&base, &schema) => read,
        _ = &mut stopped => return,
    };
    let watched = tables.and_then(|tables| match &webhook {
        Some(_) => Watched::from_tables(&tables)
            .map(Some)
            .map_err(|e| e.context("Failed to find the tables the webhook watches")),
        None => Ok(None),
    });
    match (watched, webhook) {
        (Ok(Some(watched)), Some(webhook)) => {
            webhook.set_watched(watched);
            webhook.run(stopped).await;
        }
        (Ok(_), _) => {}
        (Err(error), _) => {
            let _ = fatal.send(error).await;
        }
    }
}
