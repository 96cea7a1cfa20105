//! The parts [`super::Application::build`] puts together, one function each: the checked base, the
//! vault, the journal, the read cadence, the Media Processor, the Airtable webhook.

use crate::airtable::{AirtableClient, Base, TableMeta};
use crate::clock::Clock;
use crate::cloudinary::{CloudinaryClient, CloudinaryOptions};
use crate::config::{AirtableTarget, CloudinaryConfig, Config};
use crate::journal::Journal;
use crate::platforms::rules::PlatformRules;
use crate::scenarios::airtable_webhook::{AirtableWebhook, Timing, Watched};
use crate::scenarios::media_processor::MediaProcessor;
use crate::scenarios::post_scheduler::cadence::{self, ReadCadence};
use crate::scenarios::post_scheduler::PostScheduler;
use crate::scenarios::{MediaProcessor as MediaSpec, PostScheduler as Spec};
use crate::schema::{self, Comparison, Schema};
use crate::vault::Vault;
use anyhow::Context;
use secrecy::SecretString;
use std::net::SocketAddr;
use std::sync::Arc;
use tokio::sync::Notify;

/// The base's schema lacks what the worker needs; `commands::render_check` says what.
#[derive(Debug)]
pub struct SchemaBreaks(pub Comparison);

impl std::fmt::Display for SchemaBreaks {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("the base's schema lacks what the worker needs (see `schedulo schema check`)")
    }
}

impl std::error::Error for SchemaBreaks {}

/// The schema the worker expects: `SCHEDULO_SCHEMA_FILE`, else the built-in `schema/base.toml`.
pub fn configured_schema(config: &Config) -> anyhow::Result<Schema> {
    match &config.schema_file {
        Some(path) => Ok(Schema::load(path)?),
        None => Ok(Schema::builtin()),
    }
}

/// The configured base, through a client set up from config.
pub fn configured_base(config: &Config) -> anyhow::Result<Base> {
    match &config.airtable {
        AirtableTarget::Remote {
            api_url,
            token,
            base_id,
        } => {
            let client = AirtableClient::new(config.client_options(api_url.clone(), token.clone()))?;
            Ok(client.base(base_id))
        }
        AirtableTarget::Sandbox => anyhow::bail!(
            "no Airtable base is configured: set AIRTABLE_TOKEN and AIRTABLE_BASE_ID (see .env.example), \
             or run `schedulo sandbox` and use the variables it prints"
        ),
    }
}

/// The configured base and its tables, refused ([`SchemaBreaks`]) when they lack what the
/// worker needs. Airtable unavailable (5xx, network, its lock-out) is not fatal: the tables are
/// then `None`, and [`super::startup`] reads and checks them once Airtable answers. A token
/// Airtable refuses, or a base it does not know, is: an operator must fix it.
pub(super) async fn checked_base(
    config: &Config,
    given: Option<Base>,
) -> anyhow::Result<(Base, Schema, Option<Vec<TableMeta>>)> {
    let schema = configured_schema(config)?;
    let base = match given {
        Some(base) => base,
        None => configured_base(config)?,
    };
    let tables = match base.tables().await {
        Ok(tables) => tables,
        Err(e) if super::startup::passes(&e) => {
            tracing::warn!(
                message = "Airtable does not answer at start; the worker runs on its journal, publishes nothing it cannot confirm, and reads the base's schema again with backoff.",
                base = base.id(),
                error = %e,
            );
            return Ok((base, schema, None));
        }
        Err(e) => return Err(super::startup::fatal(&base, e)),
    };
    check_schema(&schema, &tables)?;
    Ok((base, schema, Some(tables)))
}

/// Refuses tables that lack what the worker needs.
pub(super) fn check_schema(schema: &Schema, tables: &[TableMeta]) -> anyhow::Result<()> {
    let comparison = schema::compare(schema, tables);
    if comparison.breaks_worker() {
        return Err(SchemaBreaks(comparison).into());
    }
    Ok(())
}

/// The one way media is downloaded: from the Cloudinary delivery host, `SCHEDULO_MEDIA_HOSTS`,
/// and the sandboxes (the loopback ones among the vendor URLs).
pub(super) fn media_fetcher(config: &Config) -> anyhow::Result<crate::fetch::MediaFetcher> {
    let mut vendors = vec![&config.x_api_url, &config.facebook_graph_url, &config.tiktok_api_url];
    if let AirtableTarget::Remote { api_url, .. } = &config.airtable {
        vendors.push(api_url);
    }
    if let Some(cloudinary) = &config.cloudinary {
        vendors.push(&cloudinary.api_url);
    }
    let policy = crate::fetch::MediaPolicy::new(&config.media_delivery, config.media_hosts.clone(), &vendors);
    crate::fetch::MediaFetcher::new(policy).context("Failed to set up the media downloads")
}

/// The token vault; its keys are required.
pub(super) fn vault(config: &Config) -> anyhow::Result<Vault> {
    let keys = config.vault_keys.as_ref().context(
        "SCHEDULO_VAULT_KEYS is not set: account tokens cannot be decrypted. Make a key with `openssl rand -base64 32` \
         and set SCHEDULO_VAULT_KEYS=k1=<that key> (see .env.example)",
    )?;
    Ok(Vault::from_spec(keys)?)
}

/// Opens the journal at `path`, making its directory.
pub(super) async fn open_journal(path: &std::path::Path) -> anyhow::Result<Journal> {
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir).with_context(|| format!("Failed to create {}", dir.display()))?;
    }
    Journal::open(path)
        .await
        .with_context(|| format!("Failed to open the journal {}", path.display()))
}

/// Bubble's bearer token; unset: a random one nobody knows, so Bubble's webhooks are refused.
pub(super) fn webhook_token(config: &Config) -> SecretString {
    config.webhook_token.clone().unwrap_or_else(|| {
        tracing::warn!(message = "SCHEDULO_WEBHOOK_TOKEN is not set: Bubble's webhooks will be refused.");
        SecretString::from(format!("unset-{}", rand::random::<u64>()))
    })
}

/// The Media Processor when Cloudinary is configured. Cloudinary's notifications go to
/// `SCHEDULO_PUBLIC_URL`, else to the server's own address.
pub(super) fn media_processor(
    config: &Config,
    base: &Base,
    journal: &Journal,
    rules: &PlatformRules,
    clock: Clock,
    outbox_wake: &Arc<Notify>,
    address: SocketAddr,
) -> anyhow::Result<Option<Arc<MediaProcessor>>> {
    let Some(cloudinary) = &config.cloudinary else {
        tracing::warn!(message = "CLOUDINARY_URL is not set: media webhooks will be refused.");
        return Ok(None);
    };
    let client = CloudinaryClient::new(cloudinary_options(cloudinary, clock))
        .context("Failed to set up the Cloudinary client")?;
    let public_url = config
        .public_url
        .clone()
        .or_else(|| url::Url::parse(&format!("http://{address}")).ok());
    // A Cloudinary on this machine (the sandbox's) reaches a loopback worker; another cannot.
    if is_loopback(public_url.as_ref()) && !is_loopback(Some(&cloudinary.api_url)) {
        tracing::warn!(
            message = "SCHEDULO_PUBLIC_URL is not set (or is loopback): Cloudinary cannot reach this worker's notifications, so videos and direct uploads complete only when the worker asks Cloudinary after the wait. Set SCHEDULO_PUBLIC_URL to the worker's public address.",
            public_url = ?public_url.as_ref().map(|u| u.as_str()),
        );
    }
    Ok(Some(Arc::new(MediaProcessor::new(
        base.clone(),
        journal.clone(),
        client,
        rules.clone(),
        MediaSpec::load(&config.scenario_dir)?,
        clock,
        outbox_wake.clone(),
        public_url.as_ref(),
        cloudinary.paid,
    ))))
}

fn is_loopback(url: Option<&url::Url>) -> bool {
    url.and_then(|u| u.host_str())
        .is_some_and(|h| h == "localhost" || h.parse::<std::net::IpAddr>().is_ok_and(|ip| ip.is_loopback()))
}

/// The webhook the worker keeps on its base, at `SCHEDULO_PUBLIC_URL`; none when a webhook was
/// made by hand (`AIRTABLE_WEBHOOK_MAC_SECRET`) or the worker has no public URL.
pub(super) fn airtable_webhook(
    config: &Config,
    tables: Option<&[TableMeta]>,
    base: &Base,
    journal: &Journal,
    vault: &Arc<Vault>,
    scheduler: &Arc<PostScheduler>,
    clock: Clock,
) -> anyhow::Result<Option<Arc<AirtableWebhook>>> {
    if config.airtable_webhook_secret.is_some() {
        tracing::info!(message = "AIRTABLE_WEBHOOK_MAC_SECRET is set: the worker uses the webhook made by hand (each ping re-reads the schedule) and makes none.");
        return Ok(None);
    }
    let Some(public) = &config.public_url else {
        tracing::warn!(
            message = format!(
                "SCHEDULO_PUBLIC_URL is not set: Airtable cannot ping this worker, so it learns of changes in the base by re-reading the schedule every {} s.",
                scheduler.resync_interval().num_seconds()
            )
        );
        return Ok(None);
    };
    let watched = tables
        .map(|t| Watched::from_tables(t).context("Failed to find the tables the webhook watches"))
        .transpose()?;
    Ok(Some(Arc::new(AirtableWebhook::new(
        base.clone(),
        journal.clone(),
        vault.clone(),
        scheduler.clone(),
        clock,
        AirtableWebhook::url_for(public),
        watched,
        Timing::default(),
    ))))
}

/// The re-read cadence of the configured plan and share, with the scenario file's intervals.
pub fn read_cadence(config: &Config, spec: &Spec) -> ReadCadence {
    ReadCadence::derive(
        config.plan,
        config.read_share,
        spec.trigger.resync_every(),
        spec.trigger.safety_resync_every(),
    )
}

/// Says at start how often the schedule is re-read, why, and what it costs a month; warns when
/// that is over the share, or so slow that changes in the grid show late.
pub(super) fn log_cadence(config: &Config, cadence: &ReadCadence) {
    tracing::info!(
        message = "Re-reading the schedule when nothing nudges the worker.",
        every = %cadence::human(cadence.polled),
        from = %cadence.origin(),
        idle_calls_a_month = cadence.polled_calls_a_month(),
        calls_a_read = cadence::calls_a_read(),
        while_webhook_live = %cadence::human(cadence.safety),
        idle_calls_a_month_while_webhook_live = cadence.safety_calls_a_month(),
    );
    if let Some(budget) = cadence.budget().filter(|_| cadence.over_budget()) {
        tracing::warn!(
            message = "The fixed trigger.resync_every_secs spends more of the month's Airtable calls than AIRTABLE_READ_SHARE allows; remove it to let the worker derive the interval.",
            plan = %config.plan,
            share_percent = config.read_share.percent(),
            budget,
            idle_calls_a_month = cadence.polled_calls_a_month(),
        );
    }
    if cadence.slow() {
        let text = format!(
                "A post added or edited in Airtable's grid is seen up to {} later unless something nudges the worker (AIRTABLE_PLAN={}; the interval is {}). \
                 To see changes sooner: set SCHEDULO_PUBLIC_URL so that Airtable's webhook can notify the worker, let the Bubble app \
                 nudge it (POST /webhooks/bubble), raise AIRTABLE_READ_SHARE (now {} %), or move to a bigger Airtable plan.",
            cadence::human(cadence.polled),
            config.plan,
            cadence.origin(),
            config.read_share.percent(),
        );
        tracing::warn!(message = %text);
    }
}

/// The client's options from the configured product environment.
pub fn cloudinary_options(c: &CloudinaryConfig, clock: Clock) -> CloudinaryOptions {
    CloudinaryOptions {
        api_url: c.api_url.clone(),
        delivery_url: c.delivery_url.clone(),
        algorithm: c.algorithm,
        timeout: c.timeout,
        chunk_size: c.chunk_size,
        chunk_threshold: c.chunk_threshold,
        min_upload_bytes_per_sec: c.min_upload_bytes_per_sec,
        clock,
        ..CloudinaryOptions::new(&c.cloud_name, &c.api_key, c.api_secret.clone())
    }
}
