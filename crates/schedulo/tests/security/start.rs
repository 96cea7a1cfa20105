//! The token's length at start: a short one stops the worker; the sandbox makes a long one.

use crate::helpers::{logs, World};
use schedulo::app::Application;
use schedulo::config::{Config, MIN_WEBHOOK_TOKEN_CHARS};
use secrecy::{ExposeSecret, SecretString};

const SHORT: &str = "short-DoNotLeak-0001";

/// `schedulo run` with a 20-character `SCHEDULO_WEBHOOK_TOKEN` exits at once with a message that
/// names the variable, the rule and a way to make one, and never the token.
#[test]
fn a_token_shorter_than_32_characters_stops_the_worker_at_start() {
    let dir = tempfile::tempdir().unwrap();
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_schedulo"))
        .arg("run")
        .current_dir(dir.path())
        .env_clear()
        .env("SCHEDULO_DATA_DIR", dir.path().join("data"))
        .env("AIRTABLE_TOKEN", "patNowhere.0001")
        .env("AIRTABLE_BASE_ID", "appAbC123dEf456gH")
        .env("AIRTABLE_API_URL", "http://127.0.0.1:9")
        .env("SCHEDULO_WEBHOOK_TOKEN", SHORT)
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(
        stderr.contains("SCHEDULO_WEBHOOK_TOKEN is not valid: it is 20 characters long, shorter than 32"),
        "{stderr}"
    );
    assert!(stderr.contains("openssl rand -hex 32"), "{stderr}");
    assert!(!stderr.contains(SHORT) && !stdout.contains(SHORT), "{stderr}");
}

/// A `Config` made in code (as the demo makes one) with a short token is refused by
/// `Application::build` too, without repeating it.
#[tokio::test(start_paused = true)]
async fn a_short_token_in_a_config_made_in_code_is_refused_by_build() {
    let w = World::start(&[]).await;
    let mut config = w.config.clone();
    config.webhook_token = Some(SecretString::from(SHORT.to_string()));
    let err = match Application::build(&config, w.clock).await {
        Ok(_) => panic!("built with a short token"),
        Err(e) => format!("{e:#}"),
    };
    assert!(err.contains("shorter than 32"), "{err}");
    assert!(!err.contains(SHORT) && !logs().text().contains(SHORT), "{err}");
}

/// The variables the sandbox prints (`schedulo sandbox`, `schedulo run` with nothing configured)
/// are a configuration the worker starts with: its webhook token is long enough.
#[tokio::test(start_paused = true)]
async fn the_sandbox_makes_a_webhook_token_the_worker_starts_with() {
    let dir = tempfile::tempdir().unwrap();
    let launched = schedulo::demo::launch::launch(
        "127.0.0.1:0".parse().unwrap(),
        dir.path(),
        &schedulo::schema::Schema::builtin(),
        schedulo_sandbox::latency::Profile::Off,
        schedulo::airtable::ClientOptions::new,
    )
    .await
    .unwrap();
    let lines = launched.env.dotenv_lines();
    let vars = lines
        .lines()
        .filter_map(|l| l.split_once('='))
        .map(|(k, v)| (k.to_string(), v.to_string()));
    let config = Config::from_vars(vars).expect("the sandbox's variables are a valid configuration");
    let token = config.webhook_token.expect("the sandbox makes a token");
    assert!(token.expose_secret().chars().count() >= MIN_WEBHOOK_TOKEN_CHARS);
    launched.shutdown().await;
}
