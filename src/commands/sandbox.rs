//! `schedulo sandbox`: the sandbox Airtable on loopback until Ctrl-C.

use super::shutdown_signal;
use crate::cli::SandboxArgs;
use crate::config::Config;
use std::process::ExitCode;

pub async fn sandbox(args: SandboxArgs, config: Config) -> anyhow::Result<ExitCode> {
    let schema = super::schema::load_schema(None, &config)?;
    let data_dir = args.data_dir.unwrap_or_else(|| config.sandbox_dir());
    let launched = crate::sandbox::launch::launch(args.listen, &data_dir, &schema, |url, token| {
        config.client_options(url, token)
    })
    .await?;
    for change in &launched.schema_changes {
        tracing::info!(message = "Schema applied to the sandbox base.", change = %change);
    }
    tracing::info!(message = "Sandbox Airtable running; Ctrl-C stops it.", url = %launched.env.api_url, data_dir = %data_dir.display());
    print!("{}", launched.env.dotenv_lines());
    shutdown_signal().await;
    launched.shutdown().await;
    Ok(ExitCode::SUCCESS)
}
