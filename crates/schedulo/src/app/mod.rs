//! The running worker, built in one place: [`Application::build`] turns a [`Config`] into the
//! whole worker (Airtable client, schema check, journal, publishers, scenarios, outbox, HTTP
//! server), and [`Application::run`] runs it until shutdown. `schedulo run` and the integration
//! tests go through the same `build`, so what the tests exercise is what runs.
//!
//! # What is injected
//! Everything comes from the `Config`, except two things a test must control, each explicit:
//! - the [`Clock`]: the system's in production, one on tokio's paused clock in tests;
//! - where the server listens: `config.listen` (tests give `127.0.0.1:0` and read
//!   [`Application::address`]), or a listener bound beforehand
//!   ([`Application::build_with_listener`]), when `SCHEDULO_PUBLIC_URL` must name the port.
//!
//! # Composition before build
//! With nothing configured, `commands::run` launches the sandboxes first and turns their
//! variables into a `Config` ([`crate::demo::worker_config`]); `build` knows nothing of the
//! sandboxes.
//!
//! # Stopping
//! [`Application::run`] stops the loops when `shutdown` resolves, and the outbox last, so that it
//! flushes the statuses of the last publishes.

mod parts;
mod startup;

pub use parts::{cloudinary_options, configured_base, configured_schema, read_cadence, SchemaBreaks};

use crate::airtable::Base;
use crate::clock::Clock;
use crate::config::Config;
use crate::journal::Journal;
use crate::platforms::rules::PlatformRules;
use crate::platforms::{PlatformUrls, Publishers};
use crate::scenarios::airtable_webhook::AirtableWebhook;
use crate::scenarios::media_processor::MediaProcessor;
use crate::scenarios::post_scheduler::outbox::Outbox;
use crate::scenarios::post_scheduler::PostScheduler;
use crate::scenarios::PostScheduler as Spec;
use crate::server::{self, ServerState};
use crate::vault::Vault;
use anyhow::Context;
use std::future::Future;
use std::net::SocketAddr;
use std::sync::Arc;
use tokio::net::TcpListener;
use tokio::sync::{watch, Notify};
use tokio::task::JoinHandle;

/// The worker, built and not yet running: its parts are reachable, so that a test can step one
/// (`scheduler().sync()`, `outbox().flush()`) instead of running the loops.
pub struct Application {
    /// The base the worker owns, through the process's one Airtable client (its limits, counter).
    base: Base,
    /// The durable store: publish states, outbox, inbox, media jobs.
    journal: Journal,
    /// Opens the accounts' tokens.
    vault: Arc<Vault>,
    /// The Post Scheduler.
    scheduler: Arc<PostScheduler>,
    /// Writes what the scenarios learned back to Airtable.
    outbox: Outbox,
    /// The Media Processor; `None`: Cloudinary is not configured.
    media: Option<Arc<MediaProcessor>>,
    /// The webhook the worker keeps on its base; `None`: made by hand, or no public URL.
    airtable_webhook: Option<Arc<AirtableWebhook>>,
    /// What the HTTP server serves.
    server: ServerState,
    /// The server's socket, bound at build so that its address is known before `run`.
    listener: TcpListener,
    /// `listener`'s address.
    address: SocketAddr,
    /// The schema to check once Airtable answers; `None`: checked at build (see [`startup`]).
    unchecked: Option<crate::schema::Schema>,
}

/// Binds `config.listen`.
async fn listen(config: &Config) -> anyhow::Result<TcpListener> {
    TcpListener::bind(config.listen)
        .await
        .with_context(|| format!("Failed to listen on {} (SCHEDULO_LISTEN)", config.listen))
}

impl Application {
    /// Builds the worker from `config`, listening on `config.listen` (port 0: any free port).
    ///
    /// A base whose schema the worker cannot work with is a [`SchemaBreaks`] error.
    pub async fn build(config: &Config, clock: Clock) -> anyhow::Result<Application> {
        let listener = listen(config).await?;
        Application::assemble(config, clock, listener, None).await
    }

    /// Builds the worker on `base`, a base of the process's one Airtable client that has already
    /// been used (the demo's launch applied the schema and loaded rows through it): the worker
    /// then keeps to the base's rate limit together with those calls, instead of starting a
    /// second client that does not know of them and meets Airtable's 30 s lock-out.
    pub async fn build_on(config: &Config, clock: Clock, base: Base) -> anyhow::Result<Application> {
        let listener = listen(config).await?;
        Application::assemble(config, clock, listener, Some(base)).await
    }

    /// Builds the worker serving on `listener` (bound by the caller, so that the worker's
    /// `SCHEDULO_PUBLIC_URL` in `config` can name its port); `config.listen` is not used.
    pub async fn build_with_listener(
        config: &Config,
        clock: Clock,
        listener: TcpListener,
    ) -> anyhow::Result<Application> {
        Application::assemble(config, clock, listener, None).await
    }

    async fn assemble(
        config: &Config,
        clock: Clock,
        listener: TcpListener,
        base: Option<Base>,
    ) -> anyhow::Result<Application> {
        let address = listener.local_addr().context("Failed to read the server's address")?;
        let (base, schema, tables) = parts::checked_base(config, base).await?;
        let vault = Arc::new(parts::vault(config)?);
        let journal = parts::open_journal(&config.journal_file()).await?;
        let spec = Spec::load(&config.scenario_dir)?;
        let cadence = read_cadence(config, &spec);
        parts::log_cadence(config, &cadence);
        let rules = PlatformRules::load(&config.scenario_dir)?;
        let urls = PlatformUrls {
            x: config.x_api_url.clone(),
            facebook: config.facebook_graph_url.clone(),
            tiktok: config.tiktok_api_url.clone(),
        };
        let publishers = Arc::new(Publishers::with_rules(
            &urls,
            &rules,
            clock,
            parts::media_fetcher(config)?,
        )?);
        let wake = Arc::new(Notify::new());
        let outbox = Outbox::new(base.clone(), journal.clone(), spec.outbox.clone(), clock, wake.clone());
        let scheduler = PostScheduler::new(
            base.clone(),
            journal.clone(),
            vault.clone(),
            publishers,
            spec,
            clock,
            wake.clone(),
        );
        let scheduler = Arc::new(scheduler.with_cadence(cadence));
        let media = parts::media_processor(config, &base, &journal, &rules, clock, &wake, address)?;
        let airtable_webhook =
            parts::airtable_webhook(config, tables.as_deref(), &base, &journal, &vault, &scheduler, clock)?;
        let server = ServerState {
            airtable_webhook: airtable_webhook.clone(),
            media: media.clone(),
            journal: journal.clone(),
            scheduler: scheduler.clone(),
            webhook_token: parts::webhook_token(config),
            airtable_mac_secret: config.airtable_webhook_key(),
        };
        Ok(Application {
            base,
            journal,
            vault,
            scheduler,
            outbox,
            media,
            airtable_webhook,
            server,
            listener,
            address,
            unchecked: tables.is_none().then_some(schema),
        })
    }

    /// Where the HTTP server listens (the port chosen when `config.listen` said 0).
    pub fn address(&self) -> SocketAddr {
        self.address
    }

    /// The base, through the worker's own Airtable client (its calls count in its counter).
    pub fn base(&self) -> &Base {
        &self.base
    }

    pub fn journal(&self) -> &Journal {
        &self.journal
    }

    pub fn vault(&self) -> &Arc<Vault> {
        &self.vault
    }

    pub fn scheduler(&self) -> &Arc<PostScheduler> {
        &self.scheduler
    }

    pub fn outbox(&self) -> &Outbox {
        &self.outbox
    }

    /// The Media Processor; `None` when Cloudinary is not configured.
    pub fn media(&self) -> Option<&Arc<MediaProcessor>> {
        self.media.as_ref()
    }

    /// The Airtable webhook the worker keeps; `None` when it keeps none.
    pub fn airtable_webhook(&self) -> Option<&Arc<AirtableWebhook>> {
        self.airtable_webhook.as_ref()
    }

    /// Serves HTTP until `shutdown` resolves, and nothing else: the scenarios' loops are left to
    /// the caller (the integration tests step them). Returns the server's task.
    pub fn serve(self, shutdown: impl Future<Output = ()> + Send + 'static) -> anyhow::Result<JoinHandle<()>> {
        let (_, task) = server::serve_listener(self.listener, self.server, shutdown)?;
        Ok(task)
    }

    /// Runs the whole worker (server, Post Scheduler, Media Processor, Airtable webhook, outbox)
    /// until `shutdown` resolves; then lets what is in flight finish and flushes the outbox.
    /// Ends early, with the error, for what an operator must fix that shows only once Airtable
    /// answers (the worker started while it was down, see [`startup`]).
    pub async fn run(self, shutdown: impl Future<Output = ()> + Send + 'static) -> anyhow::Result<()> {
        let (stop_tx, stop_rx) = watch::channel(false);
        let stopped = |mut rx: watch::Receiver<bool>| async move {
            let _ = rx.wait_for(|s| *s).await;
        };
        let (_, server) = server::serve_listener(self.listener, self.server, stopped(stop_rx.clone()))?;
        tracing::info!(message = "Worker running; Ctrl-C stops it.", base = self.base.id(), http = %self.address);
        // The outbox stops after the scheduler, so that it flushes the statuses of the last publishes.
        let (outbox_stop_tx, outbox_stop_rx) = watch::channel(false);
        let outbox = tokio::spawn(self.outbox.run(stopped(outbox_stop_rx)));
        let mut loops = vec![tokio::spawn(self.scheduler.run(stopped(stop_rx.clone())))];
        loops.extend(self.media.map(|m| tokio::spawn(m.run(stopped(stop_rx.clone())))));
        let (fatal_tx, mut fatal_rx) = tokio::sync::mpsc::channel::<anyhow::Error>(1);
        match self.unchecked {
            None => loops.extend(
                self.airtable_webhook
                    .map(|w| tokio::spawn(w.run(stopped(stop_rx.clone())))),
            ),
            Some(schema) => loops.push(tokio::spawn(startup::check_then_watch(
                self.base.clone(),
                schema,
                self.airtable_webhook,
                fatal_tx,
                stopped(stop_rx.clone()),
            ))),
        }
        let outcome = tokio::select! {
            _ = shutdown => Ok(()),
            Some(error) = fatal_rx.recv() => Err(error),
        };
        tracing::info!(message = "Stopping: finishing what is in flight and flushing the outbox.");
        let _ = stop_tx.send(true);
        for task in loops {
            let _ = task.await;
        }
        let _ = outbox_stop_tx.send(true);
        let _ = outbox.await;
        let _ = server.await;
        outcome
    }
}
