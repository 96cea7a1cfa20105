//! `schedulo run`: the worker. With nothing configured it starts the sandboxes in-process first,
//! prints their variables, and schedules demo posts a few seconds ahead.

use super::{configured_base, shutdown_signal};
use crate::clock::Clock;
use crate::cloudinary::{CloudinaryClient, CloudinaryOptions};
use crate::config::CloudinaryConfig;
use crate::config::{AirtableTarget, Config};
use crate::journal::Journal;
use crate::platforms::{PlatformUrls, Publishers};
use crate::scenarios::airtable_webhook::{AirtableWebhook, Timing, Watched};
use crate::scenarios::media_processor::MediaProcessor;
use crate::scenarios::post_scheduler::cadence::{self, ReadCadence};
use crate::scenarios::post_scheduler::outbox::Outbox;
use crate::scenarios::post_scheduler::PostScheduler;
use crate::scenarios::MediaProcessor as MediaSpec;
use crate::scenarios::PostScheduler as Spec;
use crate::schema;
use crate::server::{self, ServerState};
use crate::vault::Vault;
use anyhow::Context;
use secrecy::SecretString;
use std::process::ExitCode;
use std::sync::Arc;
use tokio::sync::{watch, Notify};

pub async fn run(config: Config) -> anyhow::Result<ExitCode> {
    let schema = super::schema::load_schema(None, &config)?;
    let clock = Clock::system();
    let mut sandbox = None;
    let (mut cloudinary, cloudinary_paid) = (
        config.cloudinary.as_ref().map(|c| cloudinary_options(c, clock)),
        config.cloudinary.as_ref().is_some_and(|c| c.paid),
    );
    let (base, urls, vault_keys, webhook_token, tables) = match &config.airtable {
        AirtableTarget::Sandbox => {
            let data_dir = config.sandbox_dir();
            let launched = crate::demo::launch::launch(config.sandbox_listen, &data_dir, &schema, |url, token| {
                config.client_options(url, token)
            })
            .await?;
            tracing::info!(message = "Nothing configured: running against the built-in sandboxes.", airtable = %launched.env.api_url, x = %launched.env.x_url, facebook = %launched.env.facebook_url, tiktok = %launched.env.tiktok_url, cloudinary = %launched.env.cloudinary_api_url);
            print!("{}", launched.env.dotenv_lines());
            let env = launched.env.clone();
            let first_in = chrono::Duration::seconds(if launched.demo_loaded { 60 } else { 5 });
            let ids = crate::demo::seed::schedule_more(&launched.base, &launched.demo, clock.now(), first_in).await?;
            tracing::info!(
                message = "Demo posts scheduled.",
                posts = ids.len(),
                first_in_s = first_in.num_seconds()
            );
            let base = launched.base.clone();
            let tables = base
                .tables()
                .await
                .context("Failed to read the sandbox base's schema")?;
            cloudinary = Some(sandbox_cloudinary(&env, clock)?);
            sandbox = Some(launched);
            let urls = PlatformUrls {
                x: env.x_url,
                facebook: env.facebook_url,
                tiktok: env.tiktok_url,
            };
            (base, urls, Some(env.vault_keys), Some(env.webhook_token), tables)
        }
        AirtableTarget::Remote { .. } => {
            let base = configured_base(&config)?;
            let tables = base.tables().await.context("Failed to read the base's schema")?;
            let comparison = schema::compare(&schema, &tables);
            if comparison.breaks_worker() {
                eprint!("{}", super::schema::render_check(&comparison));
                return Ok(ExitCode::FAILURE);
            }
            let urls = PlatformUrls {
                x: config.x_api_url.clone(),
                facebook: config.facebook_graph_url.clone(),
                tiktok: config.tiktok_api_url.clone(),
            };
            (
                base,
                urls,
                config.vault_keys.clone(),
                config.webhook_token.clone(),
                tables,
            )
        }
    };
    let vault_keys = vault_keys.context(
        "SCHEDULO_VAULT_KEYS is not set: account tokens cannot be decrypted. Make a key with `openssl rand -base64 32` \
         and set SCHEDULO_VAULT_KEYS=k1=<that key> (see .env.example)",
    )?;
    let vault = Arc::new(Vault::from_spec(&vault_keys)?);
    let journal_path = config.journal_file();
    if let Some(dir) = journal_path.parent() {
        std::fs::create_dir_all(dir).with_context(|| format!("Failed to create {}", dir.display()))?;
    }
    let journal = Journal::open(&journal_path)
        .await
        .with_context(|| format!("Failed to open the journal {}", journal_path.display()))?;
    let spec = Spec::load(&config.scenario_dir)?;
    let cadence = read_cadence(&config, &spec);
    log_cadence(&config, &cadence);
    let rules = crate::platforms::rules::PlatformRules::load(&config.scenario_dir)?;
    let publishers = Arc::new(Publishers::with_rules(&urls, &rules, clock)?);
    let wake = Arc::new(Notify::new());
    let outbox_wake = wake.clone();
    let outbox = Outbox::new(base.clone(), journal.clone(), spec.outbox.clone(), clock, wake.clone());
    let scheduler = Arc::new(
        PostScheduler::new(
            base.clone(),
            journal.clone(),
            vault.clone(),
            publishers,
            spec,
            clock,
            wake,
        )
        .with_cadence(cadence),
    );

    let (stop_tx, stop_rx) = watch::channel(false);
    let stopped = |mut rx: watch::Receiver<bool>| async move {
        let _ = rx.wait_for(|s| *s).await;
    };
    let webhook_token = webhook_token.unwrap_or_else(|| {
        tracing::warn!(message = "SCHEDULO_WEBHOOK_TOKEN is not set: Bubble's webhooks will be refused.");
        SecretString::from(format!("unset-{}", rand::random::<u64>()))
    });
    let media = match cloudinary {
        Some(options) => {
            let client = CloudinaryClient::new(options).context("Failed to set up the Cloudinary client")?;
            let public_url = config
                .public_url
                .clone()
                .or_else(|| url::Url::parse(&format!("http://{}", config.listen)).ok());
            let loopback = public_url
                .as_ref()
                .and_then(|u| u.host_str())
                .is_some_and(|h| h == "localhost" || h.parse::<std::net::IpAddr>().is_ok_and(|ip| ip.is_loopback()));
            if loopback && config.cloudinary.is_some() {
                tracing::warn!(
                    message = "SCHEDULO_PUBLIC_URL is not set (or is loopback): Cloudinary cannot reach this worker's notifications, so videos and direct uploads complete only when the worker asks Cloudinary after the wait. Set SCHEDULO_PUBLIC_URL to the worker's public address.",
                    public_url = ?public_url.as_ref().map(|u| u.as_str()),
                );
            }
            Some(Arc::new(MediaProcessor::new(
                base.clone(),
                journal.clone(),
                client,
                rules.clone(),
                MediaSpec::load(&config.scenario_dir)?,
                clock,
                outbox_wake.clone(),
                public_url.as_ref(),
                cloudinary_paid,
            )))
        }
        None => {
            tracing::warn!(message = "CLOUDINARY_URL is not set: media webhooks will be refused.");
            None
        }
    };
    let airtable_webhook = airtable_webhook(
        &config,
        sandbox.is_some(),
        &tables,
        &base,
        &journal,
        &vault,
        &scheduler,
        clock,
    )?;
    let state = ServerState {
        airtable_webhook: airtable_webhook.clone(),
        media: media.clone(),
        journal: journal.clone(),
        scheduler: scheduler.clone(),
        webhook_token,
        airtable_mac_secret: config.airtable_webhook_key(),
    };
    let (addr, server) = server::serve(config.listen, state, stopped(stop_rx.clone()))
        .await
        .with_context(|| format!("Failed to listen on {} (SCHEDULO_LISTEN)", config.listen))?;
    tracing::info!(message = "Worker running; Ctrl-C stops it.", base = base.id(), http = %addr);
    // The outbox stops after the scheduler, so that it flushes the statuses of the last publishes.
    let (outbox_stop_tx, outbox_stop_rx) = watch::channel(false);
    let outbox_task = tokio::spawn(outbox.run(stopped(outbox_stop_rx)));
    let scheduler_task = tokio::spawn(scheduler.clone().run(stopped(stop_rx.clone())));
    if let (Some(launched), Some(processor)) = (&sandbox, &media) {
        let record = crate::demo::seed::media_to_process(&launched.base, &launched.cloudinary.url()).await?;
        processor.request(&record, None).await?;
        tracing::info!(message = "Demo media queued for the Media Processor.", record = %record);
    }
    let media_task = media.map(|m| tokio::spawn(m.run(stopped(stop_rx.clone()))));
    let webhook_task = airtable_webhook.map(|w| tokio::spawn(w.run(stopped(stop_rx.clone()))));
    shutdown_signal().await;
    tracing::info!(message = "Stopping: finishing what is in flight and flushing the outbox.");
    let _ = stop_tx.send(true);
    let _ = scheduler_task.await;
    if let Some(task) = media_task {
        let _ = task.await;
    }
    if let Some(task) = webhook_task {
        let _ = task.await;
    }
    let _ = outbox_stop_tx.send(true);
    let _ = outbox_task.await;
    let _ = server.await;
    if let Some(launched) = sandbox {
        launched.shutdown().await;
    }
    Ok(ExitCode::SUCCESS)
}

/// The webhook the worker keeps on its base: in sandbox mode at the worker's own (loopback)
/// address, else at `SCHEDULO_PUBLIC_URL`; none when a webhook was made by hand
/// (`AIRTABLE_WEBHOOK_MAC_SECRET`) or the worker has no public URL.
#[allow(clippy::too_many_arguments)]
fn airtable_webhook(
    config: &Config,
    sandboxed: bool,
    tables: &[crate::airtable::TableMeta],
    base: &crate::airtable::Base,
    journal: &Journal,
    vault: &Arc<Vault>,
    scheduler: &Arc<PostScheduler>,
    clock: Clock,
) -> anyhow::Result<Option<Arc<AirtableWebhook>>> {
    if config.airtable_webhook_secret.is_some() {
        tracing::info!(message = "AIRTABLE_WEBHOOK_MAC_SECRET is set: the worker uses the webhook made by hand (each ping re-reads the schedule) and makes none.");
        return Ok(None);
    }
    let public = if sandboxed {
        let mut listen = config.listen;
        if listen.ip().is_unspecified() {
            listen.set_ip(std::net::Ipv4Addr::LOCALHOST.into());
        }
        url::Url::parse(&format!("http://{listen}")).context("the worker's own address (SCHEDULO_LISTEN)")?
    } else if let Some(public) = &config.public_url {
        public.clone()
    } else {
        tracing::warn!(
            message = format!(
                "SCHEDULO_PUBLIC_URL is not set: Airtable cannot ping this worker, so it learns of changes in the base by re-reading the schedule every {} s.",
                scheduler.resync_interval().num_seconds()
            )
        );
        return Ok(None);
    };
    let watched = Watched::from_tables(tables).context("Failed to find the tables the webhook watches")?;
    Ok(Some(Arc::new(AirtableWebhook::new(
        base.clone(),
        journal.clone(),
        vault.clone(),
        scheduler.clone(),
        clock,
        AirtableWebhook::url_for(&public),
        watched,
        Timing::default(),
    ))))
}

/// The re-read cadence of the configured plan and share, with the scenario file's intervals.
pub(super) fn read_cadence(config: &Config, spec: &Spec) -> ReadCadence {
    ReadCadence::derive(
        config.plan,
        config.read_share,
        spec.trigger.resync_every(),
        spec.trigger.safety_resync_every(),
    )
}

/// Says at start how often the schedule is re-read, why, and what it costs a month; warns when
/// that is over the share, or so slow that changes in the grid show late.
fn log_cadence(config: &Config, cadence: &ReadCadence) {
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
pub(super) fn cloudinary_options(c: &CloudinaryConfig, clock: Clock) -> CloudinaryOptions {
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

/// The client's options for the sandbox Cloudinary that `launch` started.
fn sandbox_cloudinary(env: &crate::demo::launch::SandboxEnv, clock: Clock) -> anyhow::Result<CloudinaryOptions> {
    let options = CloudinaryOptions::from_url(&env.cloudinary_url).context("the sandbox Cloudinary's URL")?;
    Ok(CloudinaryOptions {
        api_url: env.cloudinary_api_url.clone(),
        delivery_url: env.cloudinary_api_url.clone(),
        clock,
        ..options
    })
}
