//! Configuration: the environment (and an optional `.env`, loaded by `main`) into one typed,
//! validated [`Config`]. `.env.example` documents every variable with its default.
//!
//! Every variable is one row of [`vars`]: its name, the form of value it takes, its default and
//! whether it is secret. Only those names are read; each section parses its own, so a bad value
//! gives a message naming the variable, what is wrong and the form expected. Secrets are
//! `SecretString`: their `Debug` prints `[REDACTED]`, and [`ConfigError`] never shows the value of
//! a variable the table calls secret. A variable that looks like ours (`AIRTABLE_...`,
//! `SCHEDULO_...`, `CLOUDINARY_...`, `X_...`, `FACEBOOK_...`, `TIKTOK_...`) but is not in the
//! table is ignored with a warning naming the closest known one.
//!
//! # Layout
//! - `mod.rs`: [`Config`], and reading it from the process's variables.
//! - `vars.rs`: the table of variables, and the warning for an unknown one.
//! - `env.rs`: the table's variables as set, and the parsing the sections share.
//! - `error.rs`: [`ConfigError`].
//! - `airtable.rs`: the Airtable section ([`AirtableTarget`], [`Plan`], [`ReadShare`], limits, retries).
//! - `cloudinary.rs`: the Cloudinary section ([`CloudinaryConfig`]).
//! - `platforms.rs`: where the platforms' APIs are.
//! - `worker.rs`: where the worker listens, its public address, the vault's keys, Bubble's token.
//! - `paths.rs`: the data directory, journal, scenarios and schema file, and the files they imply.
//! - `dotenv.rs`: [`describe_dotenv_error`].
//! - `tests/`: the tests, one file per section, and `env_example.rs` holding `.env.example` to the table.

mod airtable;
mod cloudinary;
mod dotenv;
mod env;
mod error;
mod paths;
mod platforms;
pub mod vars;
mod worker;

#[cfg(test)]
mod tests;

pub use airtable::{AirtableTarget, Plan, ReadShare};
pub use cloudinary::CloudinaryConfig;
pub use dotenv::describe_dotenv_error;
pub use error::ConfigError;
pub use paths::USAGE_FILE;

use crate::airtable::{ClientOptions, Limits, RetryPolicy};
use base64::Engine;
use env::Env;
use secrecy::{ExposeSecret, SecretString};
use std::ffi::OsString;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::Duration;
use url::Url;

/// The worker's configuration, validated.
#[derive(Debug, Clone)]
pub struct Config {
    pub airtable: AirtableTarget,
    pub plan: Plan,
    /// The share of the plan's monthly calls for idle re-reads of the schedule.
    pub read_share: ReadShare,
    pub limits: Limits,
    pub retry: RetryPolicy,
    /// Timeout of one HTTP request to Airtable.
    pub timeout: Duration,
    /// Where the worker keeps its files (call counter, sandbox data, later the journal).
    pub data_dir: PathBuf,
    /// A schema file replacing the built-in `schema/base.toml`.
    pub schema_file: Option<PathBuf>,
    /// Where the built-in sandbox listens.
    pub sandbox_listen: SocketAddr,
    /// Hosts media may come from besides Cloudinary's delivery host (`SCHEDULO_MEDIA_HOSTS`).
    pub media_hosts: Vec<crate::fetch::MediaHost>,
    /// Cloudinary's delivery URL (`CLOUDINARY_DELIVERY_URL`), where media comes from, whether or
    /// not the worker uploads to Cloudinary itself.
    pub media_delivery: url::Url,
    /// How long the built-in sandboxes take to answer (`SCHEDULO_SANDBOX_LATENCY`).
    pub sandbox_latency: schedulo_sandbox::latency::Profile,
    /// Where the worker's own HTTP server (webhooks, /healthz, /status) listens.
    pub listen: SocketAddr,
    /// The bearer token Bubble's webhooks must carry; unset: Bubble's webhooks are refused.
    pub webhook_token: Option<SecretString>,
    /// Keys of the token vault (`id=base64key,...`); required to publish with a real base.
    pub vault_keys: Option<SecretString>,
    /// The journal's SQLite file.
    pub journal_path: PathBuf,
    /// Where the scenarios' TOML files are read from (the built-in ones when absent).
    pub scenario_dir: PathBuf,
    /// The secret of the Airtable webhook (`macSecretBase64`, checked to be base64); unset: not configured.
    pub airtable_webhook_secret: Option<SecretString>,
    /// Where X's API is.
    pub x_api_url: Url,
    /// Where Meta's Graph API is (Facebook Pages and Instagram accounts).
    pub facebook_graph_url: Url,
    /// Where TikTok's API is.
    pub tiktok_api_url: Url,
    /// The Cloudinary product environment; `None`: not configured (the built-in sandbox's own
    /// Cloudinary is used when Airtable is the sandbox too).
    pub cloudinary: Option<CloudinaryConfig>,
    /// The address at which Airtable's and Cloudinary's notifications (and Bubble) reach this
    /// worker; when set, the worker keeps an Airtable webhook pinging `<this>/webhooks/airtable`.
    /// Unset: no webhook, and Cloudinary is told `http://<SCHEDULO_LISTEN>`.
    pub public_url: Option<Url>,
}

impl Config {
    /// Reads the configuration from the process's variables (`std::env::vars_os()`): a variable of
    /// ours that is not Unicode is an error naming it; others are not our business.
    pub fn from_vars_os(vars: impl IntoIterator<Item = (OsString, OsString)>) -> Result<Config, ConfigError> {
        let mut ours = Vec::new();
        for (key, value) in vars {
            let Some(key) = key.to_str().filter(|k| vars::looks_ours(k)) else {
                continue;
            };
            let value = match (value.into_string(), vars::find(key)) {
                (Ok(value), _) => value,
                (Err(_), Some(var)) => {
                    return Err(ConfigError::expecting(
                        var,
                        None,
                        "it is not valid Unicode text",
                        "plain text",
                    ))
                }
                // Not one we read: it is only warned about.
                (Err(_), None) => String::new(),
            };
            ours.push((key.to_string(), value));
        }
        Config::from_vars(ours)
    }

    /// Reads the configuration from variables (names in any case); logs a warning for each one
    /// that looks like ours but is not.
    pub fn from_vars(vars: impl IntoIterator<Item = (String, String)>) -> Result<Config, ConfigError> {
        let (env, warnings) = Env::read(vars)?;
        for warning in warnings {
            tracing::warn!("{warning}");
        }
        Config::from_env(&env)
    }

    /// Each section validated, then laid out as `Config`'s fields.
    fn from_env(env: &Env) -> Result<Config, ConfigError> {
        let airtable = airtable::AirtableSection::from_env(env)?;
        let worker = worker::Worker::from_env(env)?;
        let platforms = platforms::Platforms::from_env(env)?;
        let cloudinary = CloudinaryConfig::from_env(env)?;
        let paths = paths::Paths::from_env(env);
        Ok(Config {
            airtable: airtable.target,
            plan: airtable.plan,
            read_share: airtable.read_share,
            limits: airtable.limits,
            retry: airtable.retry,
            timeout: airtable.timeout,
            airtable_webhook_secret: airtable.webhook_secret,
            data_dir: paths.data_dir,
            schema_file: paths.schema_file,
            journal_path: paths.journal_path,
            scenario_dir: paths.scenario_dir,
            sandbox_listen: worker.sandbox_listen,
            sandbox_latency: worker.sandbox_latency,
            media_hosts: worker.media_hosts,
            media_delivery: worker.media_delivery,
            listen: worker.listen,
            webhook_token: worker.webhook_token,
            vault_keys: worker.vault_keys,
            public_url: worker.public_url,
            x_api_url: platforms.x_api_url,
            facebook_graph_url: platforms.facebook_graph_url,
            tiktok_api_url: platforms.tiktok_api_url,
            cloudinary,
        })
    }

    /// Options for the Airtable client, given where it is and the token.
    pub fn client_options(&self, api_url: Url, token: SecretString) -> ClientOptions {
        ClientOptions {
            api_url,
            token,
            limits: self.limits.clone(),
            retry: self.retry.clone(),
            timeout: self.timeout,
            usage_file: Some(self.usage_file()),
        }
    }

    /// The Airtable webhook's secret, decoded (checked when the config was read).
    pub fn airtable_webhook_key(&self) -> Option<Vec<u8>> {
        let text = self.airtable_webhook_secret.as_ref()?;
        base64::engine::general_purpose::STANDARD
            .decode(text.expose_secret().trim())
            .ok()
    }
}
