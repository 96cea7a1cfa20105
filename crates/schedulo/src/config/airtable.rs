//! The Airtable section: which base (or the built-in sandbox), the plan and its read share, the
//! client's limits, retries and timeout, and the secret of a webhook made by hand.

use super::env::{is_http, Env};
use super::error::ConfigError;
use super::vars::*;
use crate::airtable::{Limits, RetryPolicy};
use base64::Engine;
use secrecy::{ExposeSecret, SecretString};
use std::fmt;
use std::time::Duration;
use url::Url;

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

/// The Airtable variables, validated (they become `Config`'s fields of the same names).
#[derive(Debug)]
pub(super) struct AirtableSection {
    pub target: AirtableTarget,
    pub plan: Plan,
    pub read_share: ReadShare,
    pub limits: Limits,
    pub retry: RetryPolicy,
    /// Timeout of one HTTP request.
    pub timeout: Duration,
    /// `AIRTABLE_WEBHOOK_MAC_SECRET`, checked to be base64.
    pub webhook_secret: Option<SecretString>,
    /// A ping whose timestamp is further than this from now is a replay (`AIRTABLE_PING_WINDOW_SECS`).
    pub ping_window: Duration,
}

impl AirtableSection {
    pub fn from_env(env: &Env) -> Result<AirtableSection, ConfigError> {
        Ok(AirtableSection {
            limits: limits(env)?,
            retry: retry(env)?,
            timeout: Duration::from_secs(env.parse_or(&AIRTABLE_TIMEOUT_SECS, |v| (1..=300).contains(v))?),
            webhook_secret: webhook_secret(env)?,
            ping_window: Duration::from_secs(env.parse_or(&AIRTABLE_PING_WINDOW_SECS, |v| (10..=3600).contains(v))?),
            target: target(env)?,
            plan: plan(env)?,
            read_share: read_share(env)?,
        })
    }
}

fn limits(env: &Env) -> Result<Limits, ConfigError> {
    let per_base_per_sec = env.parse_or(&AIRTABLE_BASE_RPS, |v: &f64| *v > 0.0 && *v <= 5.0)?;
    let per_token_per_sec = env.parse_or(&AIRTABLE_TOKEN_RPS, |v: &f64| *v > 0.0 && *v <= 50.0)?;
    let lockout = env.parse_or(&AIRTABLE_LOCKOUT_SECS, |v| (30..=3600).contains(v))?;
    Ok(Limits {
        per_base_per_sec,
        per_token_per_sec,
        lockout: Duration::from_secs(lockout),
    })
}

fn retry(env: &Env) -> Result<RetryPolicy, ConfigError> {
    let attempts = env.parse_or(&AIRTABLE_RETRY_ATTEMPTS, |v| (1..=10).contains(v))?;
    let min_delay = env.parse_or(&AIRTABLE_RETRY_MIN_DELAY_MS, |v| (1..=60_000).contains(v))?;
    let max_delay = env.parse_or(&AIRTABLE_RETRY_MAX_DELAY_MS, |v| (1..=600_000).contains(v))?;
    if max_delay < min_delay {
        return Err(ConfigError::expecting(
            &AIRTABLE_RETRY_MAX_DELAY_MS,
            env.text(&AIRTABLE_RETRY_MAX_DELAY_MS),
            format!("it is below AIRTABLE_RETRY_MIN_DELAY_MS ({min_delay})"),
            "a delay at least the minimum delay",
        ));
    }
    Ok(RetryPolicy {
        attempts,
        min_delay: Duration::from_millis(min_delay),
        max_delay: Duration::from_millis(max_delay),
        ..RetryPolicy::default()
    })
}

fn webhook_secret(env: &Env) -> Result<Option<SecretString>, ConfigError> {
    let Some(secret) = env.secret(&AIRTABLE_WEBHOOK_MAC_SECRET) else {
        return Ok(None);
    };
    base64::engine::general_purpose::STANDARD
        .decode(secret.expose_secret().trim())
        .map_err(|_| ConfigError::new(&AIRTABLE_WEBHOOK_MAC_SECRET, None, "it is not base64"))?;
    Ok(Some(secret.clone()))
}

fn plan(env: &Env) -> Result<Plan, ConfigError> {
    let text = env.text_or_default(&AIRTABLE_PLAN);
    match text.trim().to_ascii_lowercase().as_str() {
        "team" => Ok(Plan::Team),
        "free" => Ok(Plan::Free),
        "business" => Ok(Plan::Business),
        "enterprise" => Ok(Plan::Enterprise),
        _ => Err(ConfigError::new(
            &AIRTABLE_PLAN,
            Some(text),
            "it is not a plan Airtable sells",
        )),
    }
}

fn read_share(env: &Env) -> Result<ReadShare, ConfigError> {
    let percent = env.parse_or(&AIRTABLE_READ_SHARE, |p| ReadShare::new(*p).is_some())?;
    Ok(ReadShare::new(percent).expect("checked by parse_or"))
}

/// The base and its token, both or neither (then the sandbox), and where Airtable's API is.
fn target(env: &Env) -> Result<AirtableTarget, ConfigError> {
    let (token, base) = match (env.secret(&AIRTABLE_TOKEN), env.text(&AIRTABLE_BASE_ID)) {
        (None, None) => return Ok(AirtableTarget::Sandbox),
        (Some(_), None) => {
            return Err(ConfigError::expecting(
                &AIRTABLE_BASE_ID,
                None,
                "it is missing while AIRTABLE_TOKEN is set",
                "the base id from the base's URL, like appAbC123dEf456gH (or unset both to use the sandbox)",
            ))
        }
        (None, Some(_)) => {
            return Err(ConfigError::expecting(
                &AIRTABLE_TOKEN,
                None,
                "it is missing while AIRTABLE_BASE_ID is set",
                "a personal access token, like patXXXX.XXXX (or unset both to use the sandbox)",
            ))
        }
        (Some(t), Some(b)) => (t.expose_secret().trim(), b.trim()),
    };
    if token.chars().any(|c| c.is_whitespace() || c.is_control()) {
        return Err(ConfigError::new(
            &AIRTABLE_TOKEN,
            None,
            "it contains spaces or control characters",
        ));
    }
    if !(base.starts_with("app") && base.len() == 17 && base.chars().all(|c| c.is_ascii_alphanumeric())) {
        return Err(ConfigError::new(&AIRTABLE_BASE_ID, Some(base), "it is not a base id"));
    }
    Ok(AirtableTarget::Remote {
        api_url: api_url(env)?,
        token: SecretString::from(token.to_string()),
        base_id: base.to_string(),
    })
}

/// `AIRTABLE_API_URL`: the server alone, since the client adds `/v0/...`.
fn api_url(env: &Env) -> Result<Url, ConfigError> {
    let text = env.text_or_default(&AIRTABLE_API_URL);
    let url = Url::parse(text.trim())
        .ok()
        .filter(is_http)
        .ok_or_else(|| ConfigError::new(&AIRTABLE_API_URL, Some(text), "it is not an http(s) URL"))?;
    if url.path() != "/" || url.query().is_some() {
        return Err(ConfigError::expecting(
            &AIRTABLE_API_URL,
            Some(text),
            "it has a path or query (the worker adds /v0/... itself)",
            "the server's address alone, like https://api.airtable.com",
        ));
    }
    Ok(url)
}
