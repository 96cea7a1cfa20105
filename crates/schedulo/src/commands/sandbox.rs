//! `schedulo sandbox`: the sandbox Airtable on loopback until Ctrl-C.

use super::shutdown_signal;
use crate::cli::SandboxArgs;
use crate::config::Config;
use std::process::ExitCode;

pub async fn sandbox(args: SandboxArgs, config: Config) -> anyhow::Result<ExitCode> {
    let schema = super::schema::load_schema(None, &config)?;
    let data_dir = args.data_dir.unwrap_or_else(|| config.sandbox_dir());
    let latency = args.latency.unwrap_or(config.sandbox_latency);
    let launched = crate::demo::launch::launch(args.listen, &data_dir, &schema, latency, |url, token| {
        config.client_options(url, token)
    })
    .await?;
    for change in &launched.schema_changes {
        tracing::info!(message = "Schema applied to the sandbox base.", change = %change);
    }
    tracing::info!(message = "Sandbox Airtable running; Ctrl-C stops it.", url = %launched.env.api_url, data_dir = %data_dir.display(), %latency);
    print!("{}", launched.env.dotenv_lines());
    // A worker started with these variables keeps its own Airtable webhook on the sandbox base (the
    // sandbox pings loopback addresses), so rows added in the base reach it within a second.
    let mut worker = config.listen;
    if worker.ip().is_unspecified() {
        worker.set_ip(std::net::Ipv4Addr::LOCALHOST.into());
    }
    println!("SCHEDULO_PUBLIC_URL=http://{worker}");
    shutdown_signal().await;
    launched.shutdown().await;
    Ok(ExitCode::SUCCESS)
}
