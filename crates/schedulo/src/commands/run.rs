//! `schedulo run`: the worker, built by [`Application::build`]. With nothing configured it starts
//! the sandboxes in-process first, prints their variables, schedules demo posts a few seconds
//! ahead, and runs the worker against them (composition before build: the sandboxes become a
//! `Config`).

use super::shutdown_signal;
use crate::app::{Application, SchemaBreaks};
use crate::clock::Clock;
use crate::config::{AirtableTarget, Config};
use crate::demo::launch::Launched;
use std::process::ExitCode;

pub async fn run(config: Config) -> anyhow::Result<ExitCode> {
    let clock = Clock::system();
    let (config, sandbox) = match &config.airtable {
        AirtableTarget::Sandbox => {
            let launched = launch_demo(&config, clock).await?;
            (crate::demo::worker_config(&config, &launched.env)?, Some(launched))
        }
        AirtableTarget::Remote { .. } => (config, None),
    };
    let built = match &sandbox {
        Some(launched) => Application::build_on(&config, clock, launched.base.clone()).await,
        None => Application::build(&config, clock).await,
    };
    let app = match built {
        Ok(app) => app,
        Err(e) => match e.downcast_ref::<SchemaBreaks>() {
            Some(SchemaBreaks(comparison)) => {
                eprint!("{}", super::schema::render_check(comparison));
                return Ok(ExitCode::FAILURE);
            }
            None => return Err(e),
        },
    };
    if let (Some(launched), Some(processor)) = (&sandbox, app.media()) {
        let record = crate::demo::seed::media_to_process(app.base(), &launched.cloudinary.url()).await?;
        processor.request(&record, None).await?;
        tracing::info!(message = "Demo media queued for the Media Processor.", record = %record);
    }
    let ran = app.run(shutdown_signal()).await;
    if let Some(launched) = sandbox {
        launched.shutdown().await;
    }
    match ran {
        Ok(()) => Ok(ExitCode::SUCCESS),
        Err(e) => match e.downcast_ref::<SchemaBreaks>() {
            Some(SchemaBreaks(comparison)) => {
                eprint!("{}", super::schema::render_check(comparison));
                Ok(ExitCode::FAILURE)
            }
            None => Err(e),
        },
    }
}

/// Starts the sandboxes with the schema applied, prints their variables, and schedules demo posts.
async fn launch_demo(config: &Config, clock: Clock) -> anyhow::Result<Launched> {
    let schema = crate::app::configured_schema(config)?;
    let data_dir = config.sandbox_dir();
    let launched = crate::demo::launch::launch(
        config.sandbox_listen,
        &data_dir,
        &schema,
        config.sandbox_latency,
        |url, token| config.client_options(url, token),
    )
    .await?;
    let env = &launched.env;
    tracing::info!(message = "Nothing configured: running against the built-in sandboxes.", latency = %config.sandbox_latency, airtable = %env.api_url, x = %env.x_url, facebook = %env.facebook_url, tiktok = %env.tiktok_url, cloudinary = %env.cloudinary_api_url);
    print!("{}", env.dotenv_lines());
    let first_in = chrono::Duration::seconds(if launched.demo_loaded { 60 } else { 5 });
    let ids = crate::demo::seed::schedule_more(&launched.base, &launched.demo, clock.now(), first_in).await?;
    tracing::info!(
        message = "Demo posts scheduled.",
        posts = ids.len(),
        first_in_s = first_in.num_seconds()
    );
    Ok(launched)
}
