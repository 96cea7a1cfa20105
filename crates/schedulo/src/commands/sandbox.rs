//! `schedulo sandbox`: the sandbox Airtable on loopback until Ctrl-C.

use super::shutdown_signal;
use crate::cli::SandboxArgs;
use crate::config::Config;
use std::process::ExitCode;

pub async fn sandbox(args: SandboxArgs, config: Config) -> anyhow::Result<ExitCode> {
    check_listen(&args)?;
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

/// A sandbox listens on loopback unless the person asks for more with `--public`, and is then told
/// what that means.
fn check_listen(args: &SandboxArgs) -> anyhow::Result<()> {
    let ip = args.listen.ip();
    if ip.is_loopback() {
        return Ok(());
    }
    anyhow::ensure!(
        args.public,
        "--listen {} is not a loopback address: the sandboxes print their tokens and keys, and anyone who \
         reaches them could use them. Listen on 127.0.0.1, or add --public to serve them on {ip} anyway",
        args.listen
    );
    tracing::warn!(
        message = "The sandboxes listen beyond loopback (--public): the tokens and keys printed below open them to anyone who reaches this address.",
        listen = %args.listen
    );
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::Parser;

    fn args(line: &[&str]) -> SandboxArgs {
        match crate::cli::Cli::try_parse_from(line).unwrap().command {
            crate::cli::Command::Sandbox(args) => args,
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn a_sandbox_beyond_loopback_needs_public() {
        assert!(check_listen(&args(&["schedulo", "sandbox"])).is_ok());
        assert!(check_listen(&args(&["schedulo", "sandbox", "--listen", "[::1]:8790"])).is_ok());
        let err = check_listen(&args(&["schedulo", "sandbox", "--listen", "0.0.0.0:8790"])).unwrap_err();
        assert!(
            err.to_string().contains("not a loopback address") && err.to_string().contains("--public"),
            "{err}"
        );
        assert!(check_listen(&args(&["schedulo", "sandbox", "--listen", "0.0.0.0:8790", "--public"])).is_ok());
    }
}
