//! `schedulo run`: the worker. With nothing configured it starts the sandbox in-process first.
//!
//! The Post Scheduler's publishing arrives with its own issue; today the worker checks the
//! base's schema, reads the schedule ahead (one paged read), reports malformed posts, and
//! re-reads on the scenario's interval.

use super::{configured_base, shutdown_signal};
use crate::airtable::{Base, Formula, ListQuery};
use crate::base::names::posts;
use crate::base::{read_all, ScheduledPost};
use crate::config::{AirtableTarget, Config};
use crate::scenarios::PostScheduler;
use crate::schema::{self, SortDirection};
use anyhow::Context;
use chrono::Utc;
use std::process::ExitCode;

pub async fn run(config: Config) -> anyhow::Result<ExitCode> {
    let schema = super::schema::load_schema(None, &config)?;
    let mut sandbox = None;
    let base = match &config.airtable {
        AirtableTarget::Sandbox => {
            let data_dir = config.data_dir.join("sandbox");
            let launched = crate::sandbox::launch::launch(config.sandbox_listen, &data_dir, &schema, |url, token| {
                config.client_options(url, token)
            })
            .await?;
            tracing::info!(message = "Nothing configured: running against the built-in sandbox.", url = %launched.env.api_url);
            print!("{}", launched.env.dotenv_lines());
            let base = launched.base.clone();
            sandbox = Some(launched);
            base
        }
        AirtableTarget::Remote { .. } => configured_base(&config)?,
    };
    if sandbox.is_none() {
        // (The sandbox's base was just brought to the schema by `launch`: no need to read it again.)
        let tables = base.tables().await.context("Failed to read the base's schema")?;
        let comparison = schema::compare(&schema, &tables);
        if comparison.breaks_worker() {
            eprint!("{}", super::schema::render_check(&comparison));
            return Ok(ExitCode::FAILURE);
        }
    }
    let scenario = PostScheduler::builtin();
    warn_if_over_budget(&config, &scenario);
    tracing::info!(
        message = "Worker running; Ctrl-C stops it.",
        base = base.id(),
        resync_every_s = scenario.trigger.resync_every_secs
    );
    let stop = shutdown_signal();
    tokio::pin!(stop);
    loop {
        if let Err(error) = read_schedule(&base, &scenario).await {
            tracing::error!(message = "Failed to read the schedule; will try again at the next re-sync.", %error, class = %error.class());
        }
        tokio::select! {
            _ = tokio::time::sleep(scenario.trigger.resync_every()) => {}
            _ = &mut stop => break,
        }
    }
    if let Some(launched) = sandbox {
        launched.server.shutdown().await;
    }
    Ok(ExitCode::SUCCESS)
}

/// Warns when re-reading the schedule alone would spend more than half the plan's monthly calls.
fn warn_if_over_budget(config: &Config, scenario: &PostScheduler) {
    let Some(quota) = config.plan.monthly_calls() else {
        return;
    };
    let per_month = 30 * 86_400 / scenario.trigger.resync_every_secs.max(1);
    if per_month * 2 > quota {
        tracing::warn!(
            message = "Re-reading the schedule this often would spend much of the plan's monthly Airtable calls.",
            plan = %config.plan,
            quota,
            calls_per_month = per_month,
            resync_every_s = scenario.trigger.resync_every_secs,
        );
    }
}

/// The posts due within the horizon: one paged read, sorted by time.
pub async fn read_schedule(
    base: &Base,
    scenario: &PostScheduler,
) -> Result<Vec<ScheduledPost>, crate::airtable::AirtableError> {
    let now = Utc::now();
    let until = now + chrono::Duration::from_std(scenario.trigger.horizon()).unwrap_or(chrono::Duration::days(1));
    let query = ListQuery {
        fields: ScheduledPost::READ_FIELDS.iter().map(|s| s.to_string()).collect(),
        sort: vec![(posts::SCHEDULED_TIME.to_string(), SortDirection::Asc)],
        // A scheduled post without a time is read too, so that it fails with its own error.
        filter: Some(Formula::and([
            Formula::field_is(posts::STATUS, "Scheduled"),
            Formula::or([
                Formula::field(posts::SCHEDULED_TIME).is_before(Formula::datetime(until)),
                Formula::field(posts::SCHEDULED_TIME).eq(Formula::blank()),
            ]),
        ])),
        ..ListQuery::default()
    };
    let records = base.list(posts::TABLE, &query).await?;
    let (due, malformed) = read_all(&records, ScheduledPost::from_record);
    for error in &malformed {
        tracing::warn!(message = "A scheduled post cannot be read.", %error);
    }
    tracing::info!(
        message = "Schedule read.",
        due = due.len(),
        malformed = malformed.len(),
        calls_this_month = base.client().usage().this_month(base.id())
    );
    for post in &due {
        let wait = (post.scheduled_time - now).num_seconds();
        tracing::info!(message = "Post scheduled.", post = post.post_id.as_deref().unwrap_or(&post.record_id), at = %post.scheduled_time, in_s = wait);
    }
    Ok(due)
}
