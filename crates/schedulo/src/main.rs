//! `schedulo`: parse the command line, set up logs, read the configuration, run the command.

use clap::Parser;
use schedulo::cli::Cli;
use schedulo::config::Config;
use std::process::ExitCode;

fn main() -> ExitCode {
    let cli = Cli::parse();
    schedulo::telemetry::init(cli.log_format);
    if let Err(e) = dotenvy::dotenv() {
        if !e.not_found() {
            eprintln!("error: {}", schedulo::config::describe_dotenv_error(&e));
            return ExitCode::FAILURE;
        }
    }
    let config = match Config::from_vars_os(std::env::vars_os()) {
        Ok(c) => c,
        Err(e) => {
            eprintln!("error: {e}");
            return ExitCode::from(2);
        }
    };
    let runtime = match tokio::runtime::Runtime::new() {
        Ok(r) => r,
        Err(e) => {
            eprintln!("error: cannot start the async runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    match runtime.block_on(schedulo::commands::dispatch(cli.command, config)) {
        Ok(code) => code,
        Err(e) => {
            eprintln!("error: {e:#}");
            ExitCode::FAILURE
        }
    }
}
