//! What each command of the CLI does. `main` parses, sets up logs and config, and calls [`dispatch`].

mod run;
mod sandbox;
mod schema;
mod setup;
mod status;
mod usage;

pub use schema::render_check;

pub(crate) use crate::app::configured_base;

use crate::cli::{BenchCommand, Command};
use crate::config::Config;
use std::process::ExitCode;

/// Runs one command to its end (or to Ctrl-C for long-running ones).
pub async fn dispatch(command: Command, config: Config) -> anyhow::Result<ExitCode> {
    match command {
        Command::Run => run::run(config).await,
        Command::Sandbox(args) => sandbox::sandbox(args, config).await,
        Command::Schema(cmd) => schema::schema(cmd, config).await,
        Command::Bench(BenchCommand::Airtable { records, seconds }) => {
            let met = crate::bench::airtable::run(records, seconds).await?;
            Ok(if met { ExitCode::SUCCESS } else { ExitCode::FAILURE })
        }
        Command::Bench(BenchCommand::Freshness {
            changes,
            posts,
            latency,
        }) => {
            let met = crate::bench::freshness::run(changes, posts, latency).await?;
            Ok(if met { ExitCode::SUCCESS } else { ExitCode::FAILURE })
        }
        Command::Bench(BenchCommand::Scheduler { posts, spread, latency }) => {
            let met = crate::bench::scheduler::run(posts, spread, latency).await?;
            Ok(if met { ExitCode::SUCCESS } else { ExitCode::FAILURE })
        }
        Command::Bench(BenchCommand::Platforms {
            posts,
            spread,
            container_secs,
        }) => {
            let met = crate::bench::platforms::run(posts, spread, container_secs).await?;
            Ok(if met { ExitCode::SUCCESS } else { ExitCode::FAILURE })
        }
        Command::Bench(BenchCommand::Media { upload_mb, images }) => {
            let met = crate::bench::media::run(upload_mb, images).await?;
            Ok(if met { ExitCode::SUCCESS } else { ExitCode::FAILURE })
        }
        Command::Usage => usage::usage(config),
        Command::Status => status::status(config).await,
        Command::Setup(crate::cli::SetupCommand::Airtable { remove }) => setup::airtable(config, remove).await,
        Command::Setup(crate::cli::SetupCommand::Cloudinary { fix, fixed_folders }) => {
            setup::cloudinary(config, fix, fixed_folders).await
        }
    }
}

/// Resolves when the process is asked to stop (Ctrl-C, or SIGTERM on Unix).
pub(crate) async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! {
        _ = ctrl_c => {}
        _ = term => {}
    }
}
