//! Configuration: the environment (and an optional `.env`, loaded by `main`) into one typed,
//! validated [`Config`]. `.env.example` documents every variable with its default.
//!
//! `envy` reads the variables into strings; each is then parsed here, so that a bad value gives a
//! message naming the variable, what is wrong and the form expected. Secrets are `SecretString`:
//! their `Debug` prints `[REDACTED]` and no error message ever repeats them.

use crate::airtable::{ClientOptions, Limits, RetryPolicy};
use base64::Engine;
use secrecy::{ExposeSecret, SecretString};
use serde::Deserialize;
use std::ffi::OsString;
use std::fmt;
use std::path::PathBuf;
use std::str::FromStr;
use std::time::Duration;
use url::Url;

/// A variable whose value cannot be used.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[error("{variable}{shown} is not valid: {problem}; expected {expected}")]
pub struct ConfigError {
    pub variable: &'static str,
    /// `="value"`, or empty for secrets and missing values.
    shown: String,
    pub problem: String,
    pub expected: &'static str,
}

impl ConfigError {
    fn new(variable: &'static str, value: Option<&str>, problem: impl Into<String>, expected: &'static str) -> Self {
        ConfigError {
            variable,
            shown: value.map(|v| format!("={v:?}")).unwrap_or_default(),
            problem: problem.into(),
            expected,
        }
    }
}

/// The variables as strings, exactly as set (envy matches names case-insensitively).
#[derive(Debug, Default, Deserialize)]
struct RawEnv {
    airtable_token: Option<SecretString>,
    airtable_base_id: Option<String>,
    airtable_api_url: Option<String>,
    airtable_plan: Option<String>,
    airtable_read_share: Option<String>,
    airtable_base_rps: Option<String>,
    airtable_token_rps: Option<String>,
    airtable_lockout_secs: Option<String>,
    airtable_retry_attempts: Option<String>,
    airtable_retry_min_delay_ms: Option<String>,
    airtable_retry_max_delay_ms: Option<String>,
    airtable_timeout_secs: Option<String>,
    schedulo_data_dir: Option<String>,
    schedulo_schema_file: Option<String>,
    schedulo_sandbox_listen: Option<String>,
    schedulo_listen: Option<String>,
    schedulo_webhook_token: Option<SecretString>,
    schedulo_vault_keys: Option<SecretString>,
    schedulo_journal: Option<String>,
    schedulo_scenario_dir: Option<String>,
    airtable_webhook_mac_secret: Option<SecretString>,
    x_api_url: Option<String>,
    facebook_graph_url: Option<String>,
    tiktok_api_url: Option<String>,
    cloudinary_url: Option<SecretString>,
    cloudinary_api_url: Option<String>,
    cloudinary_delivery_url: Option<String>,
    cloudinary_signature_algorithm: Option<String>,
    cloudinary_plan: Option<String>,
    cloudinary_timeout_secs: Option<String>,
    cloudinary_chunk_bytes: Option<String>,
    cloudinary_chunk_threshold_bytes: Option<String>,
    cloudinary_min_upload_rate: Option<String>,
    schedulo_public_url: Option<String>,
}

/// Airtable's plans, for the monthly call quota.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Plan {
    Free,
    Team,
    Business,
    Enterprise,
}

impl Plan {
    /// API calls a month per workspace (source: support.airtable.com "Managing API call limits");
    /// `None`: unlimited.
    pub fn monthly_calls(self) -> Option<u64> {
        match self {
            Plan::Free => Some(1_000),
            Plan::Team => Some(100_000),
            Plan::Business | Plan::Enterprise => None,
        }
    }
}

/// The percent of the plan's monthly calls the worker may spend on idle re-reads of the schedule
/// (`AIRTABLE_READ_SHARE`, 1 to 100, default 50); the rest is left for writes, nudged reads and the
/// base's other clients. See `scenarios::post_scheduler::cadence`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ReadShare(u8);

impl ReadShare {
    /// `percent` from 1 to 100.
    pub fn new(percent: u64) -> Option<ReadShare> {
        u8::try_from(percent)
            .ok()
            .filter(|p| (1..=100).contains(p))
            .map(ReadShare)
    }

    pub fn percent(self) -> u8 {
        self.0
    }
}

impl Default for ReadShare {
    fn default() -> ReadShare {
        ReadShare(50)
    }
}

impl fmt::Display for Plan {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Plan::Free => "free",
            Plan::Team => "team",
            Plan::Business => "business",
            Plan::Enterprise => "enterprise",
        })
    }
}

/// Which Airtable the worker talks to.
#[derive(Debug, Clone)]
pub enum AirtableTarget {
    /// Nothing configured: start the built-in sandbox and use it.
    Sandbox,
    /// A real (or separately running sandbox) base.
    Remote {
        api_url: Url,
        token: SecretString,
        base_id: String,
    },
}

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
    pub sandbox_listen: std::net::SocketAddr,
    /// Where the worker's own HTTP server (webhooks, /healthz, /status) listens.
    pub listen: std::net::SocketAddr,
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

/// Which Cloudinary product environment, from `CLOUDINARY_URL` and its companions.
#[derive(Debug, Clone)]
pub struct CloudinaryConfig {
    pub cloud_name: String,
    pub api_key: String,
    pub api_secret: SecretString,
    /// Where the Upload and Admin APIs are (`CLOUDINARY_API_URL`).
    pub api_url: Url,
    /// Where delivery URLs point (`CLOUDINARY_DELIVERY_URL`).
    pub delivery_url: Url,
    pub algorithm: crate::cloudinary::signer::Algorithm,
    /// A paid plan: backups on upload, the higher Admin API limit.
    pub paid: bool,
    /// Timeout of one request without a file (`CLOUDINARY_TIMEOUT_SECS`); an upload gets more
    /// for its bytes, at `min_upload_bytes_per_sec`.
    pub timeout: Duration,
    /// Bytes per chunk of a chunked upload (`CLOUDINARY_CHUNK_BYTES`, at least 5 MiB).
    pub chunk_size: u64,
    /// Files larger than this go in chunks (`CLOUDINARY_CHUNK_THRESHOLD_BYTES`, at most 100 MB).
    pub chunk_threshold: u64,
    /// The slowest uplink an upload is given time for, in bytes per second
    /// (`CLOUDINARY_MIN_UPLOAD_RATE`).
    pub min_upload_bytes_per_sec: u64,
}

/// The Cloudinary client's timeouts and chunking, from their variables (defaults: the client's).
struct CloudinaryTuning {
    timeout: Duration,
    chunk_size: u64,
    chunk_threshold: u64,
    min_upload_bytes_per_sec: u64,
}

fn cloudinary_tuning(raw: &RawEnv) -> Result<CloudinaryTuning, ConfigError> {
    use crate::cloudinary::options as o;
    let timeout = parse_or(
        "CLOUDINARY_TIMEOUT_SECS",
        raw.cloudinary_timeout_secs.as_deref(),
        o::DEFAULT_TIMEOUT.as_secs(),
        "whole seconds from 1 to 3600",
        |v| (1..=3600).contains(v),
    )?;
    let chunk_size = parse_or(
        "CLOUDINARY_CHUNK_BYTES",
        raw.cloudinary_chunk_bytes.as_deref(),
        o::DEFAULT_CHUNK_SIZE,
        "bytes from 5242880 (5 MiB, Cloudinary's smallest chunk) to 100000000 (its largest request)",
        |v| (o::MIN_CHUNK_SIZE..=o::DEFAULT_CHUNK_THRESHOLD).contains(v),
    )?;
    let chunk_threshold = parse_or(
        "CLOUDINARY_CHUNK_THRESHOLD_BYTES",
        raw.cloudinary_chunk_threshold_bytes.as_deref(),
        o::DEFAULT_CHUNK_THRESHOLD,
        "bytes from 1 to 100000000 (Cloudinary takes at most 100 MB in one request)",
        |v| (1..=o::DEFAULT_CHUNK_THRESHOLD).contains(v),
    )?;
    let min_upload_bytes_per_sec = parse_or(
        "CLOUDINARY_MIN_UPLOAD_RATE",
        raw.cloudinary_min_upload_rate.as_deref(),
        o::DEFAULT_MIN_UPLOAD_BYTES_PER_SEC,
        "bytes per second, at least 1 (262144 is 256 KiB/s)",
        |v| *v >= 1,
    )?;
    Ok(CloudinaryTuning {
        timeout: Duration::from_secs(timeout),
        chunk_size,
        chunk_threshold,
        min_upload_bytes_per_sec,
    })
}

impl Config {
    /// Reads the configuration from the process's variables (`std::env::vars_os()`): a variable of
    /// ours that is not Unicode is an error naming it; others are not our business.
    pub fn from_vars_os(vars: impl IntoIterator<Item = (OsString, OsString)>) -> Result<Config, ConfigError> {
        let mut ours = Vec::new();
        for (k, v) in vars {
            let Some(key) = k.to_str().filter(|k| is_ours(k)) else {
                continue;
            };
            let value = v
                .into_string()
                .map_err(|_| ConfigError::new(known_name(key), None, "it is not valid Unicode text", "plain text"))?;
            ours.push((key.to_string(), value));
        }
        Config::from_vars(ours)
    }

    /// Reads the configuration from variables.
    pub fn from_vars(vars: impl IntoIterator<Item = (String, String)>) -> Result<Config, ConfigError> {
        let vars = vars.into_iter().filter(|(k, _)| is_ours(k));
        let raw: RawEnv =
            envy::from_iter(vars).map_err(|e| ConfigError::new("environment", None, e.to_string(), "text values"))?;
        Config::from_raw(raw)
    }

    fn from_raw(raw: RawEnv) -> Result<Config, ConfigError> {
        let defaults = Limits::default();
        let per_base_per_sec = parse_or(
            "AIRTABLE_BASE_RPS",
            raw.airtable_base_rps.as_deref(),
            defaults.per_base_per_sec,
            "a number of requests per second above 0 and at most 5, like 4.9",
            |v: &f64| *v > 0.0 && *v <= 5.0,
        )?;
        let per_token_per_sec = parse_or(
            "AIRTABLE_TOKEN_RPS",
            raw.airtable_token_rps.as_deref(),
            defaults.per_token_per_sec,
            "a number of requests per second above 0 and at most 50, like 49",
            |v: &f64| *v > 0.0 && *v <= 50.0,
        )?;
        let lockout = parse_or(
            "AIRTABLE_LOCKOUT_SECS",
            raw.airtable_lockout_secs.as_deref(),
            defaults.lockout.as_secs(),
            "whole seconds from 30 (Airtable's lock-out) to 3600",
            |v| (30..=3600).contains(v),
        )?;
        let retry_defaults = RetryPolicy::default();
        let attempts = parse_or(
            "AIRTABLE_RETRY_ATTEMPTS",
            raw.airtable_retry_attempts.as_deref(),
            retry_defaults.attempts,
            "a whole number of attempts from 1 to 10",
            |v| (1..=10).contains(v),
        )?;
        let min_delay = parse_or(
            "AIRTABLE_RETRY_MIN_DELAY_MS",
            raw.airtable_retry_min_delay_ms.as_deref(),
            retry_defaults.min_delay.as_millis() as u64,
            "milliseconds from 1 to 60000",
            |v| (1..=60_000).contains(v),
        )?;
        let max_delay = parse_or(
            "AIRTABLE_RETRY_MAX_DELAY_MS",
            raw.airtable_retry_max_delay_ms.as_deref(),
            retry_defaults.max_delay.as_millis() as u64,
            "milliseconds from 1 to 600000",
            |v| (1..=600_000).contains(v),
        )?;
        if max_delay < min_delay {
            return Err(ConfigError::new(
                "AIRTABLE_RETRY_MAX_DELAY_MS",
                raw.airtable_retry_max_delay_ms.as_deref(),
                format!("it is below AIRTABLE_RETRY_MIN_DELAY_MS ({min_delay})"),
                "a delay at least the minimum delay",
            ));
        }
        let timeout = parse_or(
            "AIRTABLE_TIMEOUT_SECS",
            raw.airtable_timeout_secs.as_deref(),
            crate::airtable::DEFAULT_TIMEOUT.as_secs(),
            "whole seconds from 1 to 300",
            |v| (1..=300).contains(v),
        )?;
        let sandbox_listen = parse_or(
            "SCHEDULO_SANDBOX_LISTEN",
            raw.schedulo_sandbox_listen.as_deref(),
            std::net::SocketAddr::from(([127, 0, 0, 1], 0)),
            "a loopback address and port like 127.0.0.1:8790 (port 0: any free port)",
            |a: &std::net::SocketAddr| a.ip().is_loopback(),
        )?;
        let listen = parse_or(
            "SCHEDULO_LISTEN",
            raw.schedulo_listen.as_deref(),
            std::net::SocketAddr::from(([127, 0, 0, 1], 8787)),
            "an address and port like 127.0.0.1:8787 or 0.0.0.0:8787",
            |_| true,
        )?;
        let data_dir = non_empty(raw.schedulo_data_dir.clone())
            .map(PathBuf::from)
            .unwrap_or_else(|| PathBuf::from(".schedulo"));
        let journal_path = non_empty(raw.schedulo_journal.clone())
            .map(PathBuf::from)
            .unwrap_or_else(|| data_dir.join("journal.sqlite"));
        let airtable_webhook_secret = match &raw.airtable_webhook_mac_secret {
            Some(s) if !s.expose_secret().trim().is_empty() => {
                base64::engine::general_purpose::STANDARD
                    .decode(s.expose_secret().trim())
                    .map_err(|_| {
                        ConfigError::new(
                            "AIRTABLE_WEBHOOK_MAC_SECRET",
                            None,
                            "it is not base64",
                            "the webhook's macSecretBase64, as Airtable returned it",
                        )
                    })?;
                Some(s.clone())
            }
            _ => None,
        };
        if let Some(keys) = &raw.schedulo_vault_keys {
            if !keys.expose_secret().trim().is_empty() {
                crate::vault::Vault::from_spec(keys).map_err(|e| {
                    ConfigError::new(
                        "SCHEDULO_VAULT_KEYS",
                        None,
                        e.to_string(),
                        "id=base64key pairs of 32-byte keys, separated by commas",
                    )
                })?;
            }
        }
        Ok(Config {
            listen,
            webhook_token: raw
                .schedulo_webhook_token
                .clone()
                .filter(|t| !t.expose_secret().trim().is_empty()),
            vault_keys: raw
                .schedulo_vault_keys
                .clone()
                .filter(|t| !t.expose_secret().trim().is_empty()),
            journal_path,
            scenario_dir: non_empty(raw.schedulo_scenario_dir.clone())
                .map(PathBuf::from)
                .unwrap_or_else(|| PathBuf::from("scenarios")),
            airtable_webhook_secret,
            x_api_url: service_url("X_API_URL", raw.x_api_url.as_deref(), "https://api.x.com")?,
            facebook_graph_url: service_url(
                "FACEBOOK_GRAPH_URL",
                raw.facebook_graph_url.as_deref(),
                "https://graph.facebook.com",
            )?,
            tiktok_api_url: service_url(
                "TIKTOK_API_URL",
                raw.tiktok_api_url.as_deref(),
                "https://open.tiktokapis.com",
            )?,
            cloudinary: cloudinary(&raw)?,
            public_url: match non_empty(raw.schedulo_public_url.clone()) {
                None => None,
                Some(text) => Some(
                    Url::parse(text.trim())
                        .ok()
                        .filter(|u| matches!(u.scheme(), "http" | "https") && u.has_host())
                        .ok_or_else(|| {
                            ConfigError::new(
                                "SCHEDULO_PUBLIC_URL",
                                Some(&text),
                                "it is not an http(s) URL",
                                "the worker's address as Cloudinary and Bubble reach it, like https://worker.example.com",
                            )
                        })?,
                ),
            },
            airtable: airtable_target(&raw)?,
            plan: plan(raw.airtable_plan.as_deref())?,
            read_share: read_share(raw.airtable_read_share.as_deref())?,
            limits: Limits {
                per_base_per_sec,
                per_token_per_sec,
                lockout: Duration::from_secs(lockout),
            },
            retry: RetryPolicy {
                attempts,
                min_delay: Duration::from_millis(min_delay),
                max_delay: Duration::from_millis(max_delay),
                ..retry_defaults
            },
            timeout: Duration::from_secs(timeout),
            data_dir: non_empty(raw.schedulo_data_dir)
                .map(PathBuf::from)
                .unwrap_or_else(|| PathBuf::from(".schedulo")),
            schema_file: non_empty(raw.schedulo_schema_file).map(PathBuf::from),
            sandbox_listen,
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
}

/// Every variable the configuration reads (`.env.example` documents each, with `SCHEDULO_LOG`,
/// which the telemetry reads).
const NAMES: &[&str] = &[
    "AIRTABLE_TOKEN",
    "AIRTABLE_BASE_ID",
    "AIRTABLE_API_URL",
    "AIRTABLE_PLAN",
    "AIRTABLE_READ_SHARE",
    "AIRTABLE_BASE_RPS",
    "AIRTABLE_TOKEN_RPS",
    "AIRTABLE_LOCKOUT_SECS",
    "AIRTABLE_RETRY_ATTEMPTS",
    "AIRTABLE_RETRY_MIN_DELAY_MS",
    "AIRTABLE_RETRY_MAX_DELAY_MS",
    "AIRTABLE_TIMEOUT_SECS",
    "SCHEDULO_DATA_DIR",
    "SCHEDULO_SCHEMA_FILE",
    "SCHEDULO_SANDBOX_LISTEN",
    "SCHEDULO_LISTEN",
    "SCHEDULO_WEBHOOK_TOKEN",
    "SCHEDULO_VAULT_KEYS",
    "SCHEDULO_JOURNAL",
    "SCHEDULO_SCENARIO_DIR",
    "AIRTABLE_WEBHOOK_MAC_SECRET",
    "X_API_URL",
    "FACEBOOK_GRAPH_URL",
    "TIKTOK_API_URL",
    "CLOUDINARY_URL",
    "CLOUDINARY_API_URL",
    "CLOUDINARY_DELIVERY_URL",
    "CLOUDINARY_SIGNATURE_ALGORITHM",
    "CLOUDINARY_PLAN",
    "CLOUDINARY_TIMEOUT_SECS",
    "CLOUDINARY_CHUNK_BYTES",
    "CLOUDINARY_CHUNK_THRESHOLD_BYTES",
    "CLOUDINARY_MIN_UPLOAD_RATE",
    "SCHEDULO_PUBLIC_URL",
];

/// Our variable's name as a static string, for error messages.
fn known_name(key: &str) -> &'static str {
    NAMES
        .iter()
        .copied()
        .find(|n| n.eq_ignore_ascii_case(key))
        .unwrap_or("a SCHEDULO_ or AIRTABLE_ variable")
}

/// A `.env` that does not parse, said without quoting the line (it may hold a token).
pub fn describe_dotenv_error(e: &dotenvy::Error) -> String {
    match e {
        dotenvy::Error::LineParse(line, index) => {
            let name = line.split('=').next().unwrap_or("").trim();
            let name = if name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_') {
                name
            } else {
                "?"
            };
            format!(
                ".env cannot be read: the line setting {name} does not parse at character {index} (check its quotes)"
            )
        }
        dotenvy::Error::Io(io) => format!(".env cannot be read: {io}"),
        other => format!(
            ".env cannot be read: {}",
            other.to_string().chars().take(80).collect::<String>()
        ),
    }
}

impl Config {
    /// The Airtable webhook's secret, decoded (checked when the config was read).
    pub fn airtable_webhook_key(&self) -> Option<Vec<u8>> {
        let text = self.airtable_webhook_secret.as_ref()?;
        base64::engine::general_purpose::STANDARD
            .decode(text.expose_secret().trim())
            .ok()
    }

    /// Where the built-in sandboxes keep their bases, identity, journal and call counter.
    pub fn sandbox_dir(&self) -> PathBuf {
        self.data_dir.join("sandbox")
    }

    /// The journal of the worker's target: the built-in sandboxes keep their own (under
    /// `sandbox/`), so a later run against a real base never meets their posts.
    pub fn journal_file(&self) -> PathBuf {
        match self.airtable {
            AirtableTarget::Sandbox => self.sandbox_dir().join("journal.sqlite"),
            AirtableTarget::Remote { .. } => self.journal_path.clone(),
        }
    }

    /// Where the monthly Airtable call counter of the configured base lives. The built-in
    /// sandbox's calls are counted apart (`sandbox/`), so they never show against the real plan.
    pub fn usage_file(&self) -> PathBuf {
        match self.airtable {
            AirtableTarget::Sandbox => self.sandbox_dir().join(USAGE_FILE),
            AirtableTarget::Remote { .. } => self.data_dir.join(USAGE_FILE),
        }
    }
}

/// The call counter's file name.
pub const USAGE_FILE: &str = "airtable-usage.json";

fn is_ours(key: &str) -> bool {
    let k = key.to_ascii_uppercase();
    k.starts_with("AIRTABLE_")
        || k.starts_with("SCHEDULO_")
        || k.starts_with("CLOUDINARY_")
        || matches!(k.as_str(), "X_API_URL" | "FACEBOOK_GRAPH_URL" | "TIKTOK_API_URL")
}

fn non_empty(v: Option<String>) -> Option<String> {
    v.filter(|s| !s.trim().is_empty())
}

fn parse_or<T: FromStr + Clone>(
    variable: &'static str,
    value: Option<&str>,
    default: T,
    expected: &'static str,
    valid: impl Fn(&T) -> bool,
) -> Result<T, ConfigError> {
    let Some(text) = value.filter(|v| !v.trim().is_empty()) else {
        return Ok(default);
    };
    let parsed: T = text
        .trim()
        .parse()
        .map_err(|_| ConfigError::new(variable, Some(text), "it does not parse", expected))?;
    if !valid(&parsed) {
        return Err(ConfigError::new(variable, Some(text), "it is out of range", expected));
    }
    Ok(parsed)
}

/// A service's base URL: http(s), a host, no path.
fn service_url(variable: &'static str, value: Option<&str>, default: &str) -> Result<Url, ConfigError> {
    let text = value.map(str::trim).filter(|v| !v.is_empty()).unwrap_or(default);
    let url = Url::parse(text)
        .ok()
        .filter(|u| matches!(u.scheme(), "http" | "https") && u.has_host() && u.path() == "/" && u.query().is_none());
    url.ok_or_else(|| {
        ConfigError::new(
            variable,
            Some(text),
            "it is not an http(s) URL without a path",
            "a URL like https://api.example.com",
        )
    })
}

/// `CLOUDINARY_URL=cloudinary://<api_key>:<api_secret>@<cloud_name>` (the form Cloudinary's
/// console and SDKs use) and its companions. Messages never repeat the URL (it holds the secret).
fn cloudinary(raw: &RawEnv) -> Result<Option<CloudinaryConfig>, ConfigError> {
    const EXPECTED: &str = "cloudinary://<api_key>:<api_secret>@<cloud_name>, as the Cloudinary console shows it";
    // Checked even without CLOUDINARY_URL, so a bad value is never silently ignored.
    let tuning = cloudinary_tuning(raw)?;
    let Some(secret) = raw
        .cloudinary_url
        .as_ref()
        .filter(|s| !s.expose_secret().trim().is_empty())
    else {
        return Ok(None);
    };
    let (cloud_name, api_key, api_secret) = crate::cloudinary::options::parse_url(secret)
        .map_err(|problem| ConfigError::new("CLOUDINARY_URL", None, format!("it {problem}"), EXPECTED))?;
    let algorithm = match non_empty(raw.cloudinary_signature_algorithm.clone()) {
        None => crate::cloudinary::signer::Algorithm::Sha1,
        Some(text) => crate::cloudinary::signer::Algorithm::parse(text.trim()).ok_or_else(|| {
            ConfigError::new(
                "CLOUDINARY_SIGNATURE_ALGORITHM",
                Some(&text),
                "it is not a known algorithm",
                "sha1 (Cloudinary's default) or sha256, as set in the product environment",
            )
        })?,
    };
    let paid = match raw
        .cloudinary_plan
        .as_deref()
        .map(|v| v.trim().to_ascii_lowercase())
        .as_deref()
    {
        None | Some("") | Some("free") => false,
        Some("paid") => true,
        Some(_) => {
            return Err(ConfigError::new(
                "CLOUDINARY_PLAN",
                raw.cloudinary_plan.as_deref(),
                "it is not a known plan",
                "free or paid",
            ))
        }
    };
    Ok(Some(CloudinaryConfig {
        cloud_name,
        api_key,
        api_secret,
        api_url: service_url(
            "CLOUDINARY_API_URL",
            raw.cloudinary_api_url.as_deref(),
            "https://api.cloudinary.com",
        )?,
        delivery_url: service_url(
            "CLOUDINARY_DELIVERY_URL",
            raw.cloudinary_delivery_url.as_deref(),
            "https://res.cloudinary.com",
        )?,
        algorithm,
        paid,
        timeout: tuning.timeout,
        chunk_size: tuning.chunk_size,
        chunk_threshold: tuning.chunk_threshold,
        min_upload_bytes_per_sec: tuning.min_upload_bytes_per_sec,
    }))
}

fn plan(value: Option<&str>) -> Result<Plan, ConfigError> {
    match value.map(|v| v.trim().to_ascii_lowercase()).as_deref() {
        None | Some("") | Some("team") => Ok(Plan::Team),
        Some("free") => Ok(Plan::Free),
        Some("business") => Ok(Plan::Business),
        Some("enterprise") => Ok(Plan::Enterprise),
        Some(_) => Err(ConfigError::new(
            "AIRTABLE_PLAN",
            value,
            "it is not a plan Airtable sells",
            "one of free, team, business, enterprise",
        )),
    }
}

fn read_share(value: Option<&str>) -> Result<ReadShare, ConfigError> {
    const EXPECTED: &str =
        "a whole percent from 1 to 100 of the plan's monthly calls to spend re-reading the schedule, like 50";
    let percent = parse_or(
        "AIRTABLE_READ_SHARE",
        value,
        u64::from(ReadShare::default().percent()),
        EXPECTED,
        |p| ReadShare::new(*p).is_some(),
    )?;
    Ok(ReadShare::new(percent).expect("checked by parse_or"))
}

fn airtable_target(raw: &RawEnv) -> Result<AirtableTarget, ConfigError> {
    let token = raw
        .airtable_token
        .as_ref()
        .filter(|t| !t.expose_secret().trim().is_empty());
    let base = raw.airtable_base_id.as_deref().filter(|b| !b.trim().is_empty());
    let (token, base) = match (token, base) {
        (None, None) => return Ok(AirtableTarget::Sandbox),
        (Some(_), None) => {
            return Err(ConfigError::new(
                "AIRTABLE_BASE_ID",
                None,
                "it is missing while AIRTABLE_TOKEN is set",
                "the base id from the base's URL, like appAbC123dEf456gH (or unset both to use the sandbox)",
            ))
        }
        (None, Some(_)) => {
            return Err(ConfigError::new(
                "AIRTABLE_TOKEN",
                None,
                "it is missing while AIRTABLE_BASE_ID is set",
                "a personal access token, like patXXXX.XXXX (or unset both to use the sandbox)",
            ))
        }
        (Some(t), Some(b)) => (t, b.trim()),
    };
    let secret = token.expose_secret().trim();
    if secret.chars().any(|c| c.is_whitespace() || c.is_control()) {
        return Err(ConfigError::new(
            "AIRTABLE_TOKEN",
            None,
            "it contains spaces or control characters",
            "a personal access token, like patXXXX.XXXX",
        ));
    }
    if !(base.starts_with("app") && base.len() == 17 && base.chars().all(|c| c.is_ascii_alphanumeric())) {
        return Err(ConfigError::new(
            "AIRTABLE_BASE_ID",
            Some(base),
            "it is not a base id",
            "\"app\" and 14 letters or digits, like appAbC123dEf456gH",
        ));
    }
    let url_text = raw
        .airtable_api_url
        .as_deref()
        .filter(|u| !u.trim().is_empty())
        .unwrap_or("https://api.airtable.com");
    let api_url = Url::parse(url_text.trim())
        .ok()
        .filter(|u| matches!(u.scheme(), "http" | "https") && u.has_host())
        .ok_or_else(|| {
            ConfigError::new(
                "AIRTABLE_API_URL",
                Some(url_text),
                "it is not an http(s) URL",
                "a URL like https://api.airtable.com or http://127.0.0.1:8790",
            )
        })?;
    if api_url.path() != "/" || api_url.query().is_some() {
        return Err(ConfigError::new(
            "AIRTABLE_API_URL",
            Some(url_text),
            "it has a path or query (the worker adds /v0/... itself)",
            "the server's address alone, like https://api.airtable.com",
        ));
    }
    Ok(AirtableTarget::Remote {
        api_url,
        token: SecretString::from(secret.to_string()),
        base_id: base.to_string(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn vars(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
        pairs.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect()
    }

    #[test]
    fn nothing_configured_means_the_sandbox_with_defaults() {
        let c = Config::from_vars(vars(&[("PATH", "/bin")])).unwrap();
        assert!(matches!(c.airtable, AirtableTarget::Sandbox));
        assert_eq!(c.plan, Plan::Team);
        assert_eq!(c.limits, Limits::default());
    }

    #[test]
    fn the_read_share_defaults_to_half_and_a_bad_one_names_the_variable_and_the_value() {
        let c = Config::from_vars(vars(&[])).unwrap();
        assert_eq!(c.read_share.percent(), 50);
        for ok in ["1", "100", " 25 "] {
            let c = Config::from_vars(vars(&[("AIRTABLE_READ_SHARE", ok)])).unwrap();
            assert_eq!(u64::from(c.read_share.percent()), ok.trim().parse::<u64>().unwrap());
        }
        for (bad, problem) in [
            ("0", "is out of range"),
            ("101", "is out of range"),
            ("half", "does not parse"),
            ("-5", "does not parse"),
        ] {
            let err = Config::from_vars(vars(&[("AIRTABLE_READ_SHARE", bad)])).unwrap_err();
            assert_eq!(err.variable, "AIRTABLE_READ_SHARE");
            let text = err.to_string();
            assert!(
                text.starts_with(&format!(
                    "AIRTABLE_READ_SHARE={bad:?} is not valid: it {problem}; expected a whole percent from 1 to 100"
                )),
                "{text}"
            );
        }
    }

    #[test]
    fn every_variable_in_env_example_is_one_the_configuration_knows() {
        let example = include_str!("../../../.env.example");
        let documented: Vec<&str> = example
            .lines()
            .filter(|l| !l.starts_with('#'))
            .filter_map(|l| l.split_once('=').map(|(k, _)| k.trim()))
            .filter(|k| *k != "SCHEDULO_LOG")
            .collect();
        for name in &documented {
            assert!(NAMES.contains(name), "{name} is in .env.example but not in NAMES");
        }
        for name in NAMES {
            assert!(documented.contains(name), "{name} is not documented in .env.example");
        }
    }

    #[test]
    fn a_bad_number_names_the_variable_the_problem_and_the_form() {
        let err = Config::from_vars(vars(&[("AIRTABLE_BASE_RPS", "fast")])).unwrap_err();
        assert_eq!(
            err.to_string(),
            "AIRTABLE_BASE_RPS=\"fast\" is not valid: it does not parse; expected a number of requests per second above 0 and at most 5, like 4.9"
        );
        let err = Config::from_vars(vars(&[("AIRTABLE_BASE_RPS", "12")])).unwrap_err();
        assert!(err.to_string().contains("out of range"), "{err}");
    }

    #[test]
    fn a_bad_token_is_reported_without_its_value() {
        let err = Config::from_vars(vars(&[
            ("AIRTABLE_TOKEN", "pat secret"),
            ("AIRTABLE_BASE_ID", "appAbC123dEf456gH"),
        ]))
        .unwrap_err();
        let text = err.to_string();
        assert!(text.starts_with("AIRTABLE_TOKEN is not valid"), "{text}");
        assert!(!text.contains("secret"), "{text}");
    }

    #[test]
    fn the_token_never_shows_in_debug_output() {
        let c = Config::from_vars(vars(&[
            ("AIRTABLE_TOKEN", "patSuperSecret.123"),
            ("AIRTABLE_BASE_ID", "appAbC123dEf456gH"),
        ]))
        .unwrap();
        let debug = format!("{c:?}");
        assert!(!debug.contains("SuperSecret"), "{debug}");
        assert!(debug.contains("REDACTED"), "{debug}");
    }

    #[test]
    fn an_api_url_with_a_path_is_refused() {
        let err = Config::from_vars(vars(&[
            ("AIRTABLE_TOKEN", "pat1"),
            ("AIRTABLE_BASE_ID", "appAbC123dEf456gH"),
            ("AIRTABLE_API_URL", "https://api.airtable.com/v0"),
        ]))
        .unwrap_err();
        assert_eq!(err.variable, "AIRTABLE_API_URL");
    }

    #[test]
    fn the_sandbox_only_listens_on_loopback() {
        let err = Config::from_vars(vars(&[("SCHEDULO_SANDBOX_LISTEN", "0.0.0.0:8790")])).unwrap_err();
        assert!(err.to_string().contains("out of range"), "{err}");
    }

    #[test]
    fn a_dotenv_line_that_does_not_parse_is_reported_without_its_value() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join(".env");
        std::fs::write(&path, "AIRTABLE_TOKEN='patSECRET.123\n").unwrap();
        let err = dotenvy::from_path_iter(&path).unwrap().find_map(|r| r.err()).unwrap();
        let text = describe_dotenv_error(&err);
        assert!(text.contains("AIRTABLE_TOKEN") && !text.contains("SECRET"), "{text}");
    }

    #[test]
    fn a_base_without_a_token_says_which_is_missing() {
        let err = Config::from_vars(vars(&[("AIRTABLE_BASE_ID", "appAbC123dEf456gH")])).unwrap_err();
        assert_eq!(err.variable, "AIRTABLE_TOKEN");
        let err = Config::from_vars(vars(&[("AIRTABLE_TOKEN", "pat1"), ("AIRTABLE_BASE_ID", "base1")])).unwrap_err();
        assert_eq!(err.variable, "AIRTABLE_BASE_ID");
    }

    #[test]
    fn cloudinary_url_is_read_and_its_errors_never_show_the_secret() {
        let c = Config::from_vars(vars(&[(
            "CLOUDINARY_URL",
            "cloudinary://123456:s3cr3tV4lue@demo-cloud",
        )]))
        .unwrap();
        let cld = c.cloudinary.unwrap();
        assert_eq!(
            (cld.cloud_name.as_str(), cld.api_key.as_str()),
            ("demo-cloud", "123456")
        );
        assert_eq!(cld.api_url.as_str(), "https://api.cloudinary.com/");
        assert!(!format!("{cld:?}").contains("s3cr3t"));
        for bad in [
            "https://123456:s3cr3tV4lue@demo",
            "cloudinary://123456@demo",
            "cloudinary://123456:s3cr3tV4lue@",
            "not a url s3cr3tV4lue",
        ] {
            let err = Config::from_vars(vars(&[("CLOUDINARY_URL", bad)]))
                .unwrap_err()
                .to_string();
            assert!(err.starts_with("CLOUDINARY_URL is not valid"), "{err}");
            assert!(!err.contains("s3cr3t"), "{err}");
        }
        let err = Config::from_vars(vars(&[
            ("CLOUDINARY_URL", "cloudinary://1:2@c"),
            ("CLOUDINARY_SIGNATURE_ALGORITHM", "md5"),
        ]))
        .unwrap_err();
        assert_eq!(err.variable, "CLOUDINARY_SIGNATURE_ALGORITHM");
        let err = Config::from_vars(vars(&[("SCHEDULO_PUBLIC_URL", "worker")])).unwrap_err();
        assert_eq!(err.variable, "SCHEDULO_PUBLIC_URL");
    }

    #[test]
    fn cloudinary_timeout_and_chunking_default_to_the_clients_and_bad_values_name_the_variable() {
        let url = ("CLOUDINARY_URL", "cloudinary://1:2@c");
        let cld = Config::from_vars(vars(&[url])).unwrap().cloudinary.unwrap();
        assert_eq!(cld.timeout, crate::cloudinary::options::DEFAULT_TIMEOUT);
        assert_eq!(cld.chunk_size, 20_000_000);
        assert_eq!(cld.chunk_threshold, 100_000_000);
        assert_eq!(cld.min_upload_bytes_per_sec, 262_144);
        let cld = Config::from_vars(vars(&[
            url,
            ("CLOUDINARY_TIMEOUT_SECS", "300"),
            ("CLOUDINARY_CHUNK_BYTES", "6000000"),
            ("CLOUDINARY_CHUNK_THRESHOLD_BYTES", "50000000"),
            ("CLOUDINARY_MIN_UPLOAD_RATE", "65536"),
        ]))
        .unwrap()
        .cloudinary
        .unwrap();
        assert_eq!(cld.timeout, Duration::from_secs(300));
        assert_eq!(
            (cld.chunk_size, cld.chunk_threshold, cld.min_upload_bytes_per_sec),
            (6_000_000, 50_000_000, 65_536)
        );
        for (variable, bad, problem) in [
            ("CLOUDINARY_TIMEOUT_SECS", "2m", "does not parse"),
            ("CLOUDINARY_TIMEOUT_SECS", "0", "out of range"),
            ("CLOUDINARY_CHUNK_BYTES", "1000000", "out of range"),
            ("CLOUDINARY_CHUNK_THRESHOLD_BYTES", "200000000", "out of range"),
            ("CLOUDINARY_MIN_UPLOAD_RATE", "0", "out of range"),
            ("CLOUDINARY_MIN_UPLOAD_RATE", "fast", "does not parse"),
        ] {
            let err = Config::from_vars(vars(&[url, (variable, bad)])).unwrap_err();
            assert_eq!(err.variable, variable);
            let text = err.to_string();
            assert!(text.contains(problem) && text.contains("expected"), "{text}");
            let err = Config::from_vars(vars(&[(variable, bad)])).unwrap_err();
            assert_eq!(err.variable, variable, "checked without CLOUDINARY_URL too");
        }
    }
}
