//! The worker's own section: where it listens, how it is reached from outside, and its secrets
//! (the token vault's keys, the bearer token of Bubble's webhooks).

use super::env::{is_http, Env};
use super::error::ConfigError;
use super::vars::*;
use crate::fetch::MediaHost;
use schedulo_sandbox::latency::Profile;
use secrecy::SecretString;
use std::net::SocketAddr;
use url::Url;

/// The worker's own variables, validated.
#[derive(Debug)]
pub(super) struct Worker {
    pub listen: SocketAddr,
    pub sandbox_listen: SocketAddr,
    pub sandbox_latency: Profile,
    pub webhook_token: Option<SecretString>,
    pub vault_keys: Option<SecretString>,
    pub public_url: Option<Url>,
    pub media_hosts: Vec<MediaHost>,
    pub media_delivery: Url,
}

impl Worker {
    pub fn from_env(env: &Env) -> Result<Worker, ConfigError> {
        Ok(Worker {
            sandbox_listen: env.parse_or(&SCHEDULO_SANDBOX_LISTEN, |a: &SocketAddr| a.ip().is_loopback())?,
            sandbox_latency: env.parse_or(&SCHEDULO_SANDBOX_LATENCY, |_| true)?,
            listen: env.parse_or(&SCHEDULO_LISTEN, |_| true)?,
            webhook_token: env.secret(&SCHEDULO_WEBHOOK_TOKEN).cloned(),
            vault_keys: vault_keys(env)?,
            public_url: public_url(env)?,
            media_hosts: media_hosts(env)?,
            media_delivery: env.service_url(&CLOUDINARY_DELIVERY_URL)?,
        })
    }
}

/// `SCHEDULO_VAULT_KEYS`, checked to make a vault (the error says why not, never a key).
fn vault_keys(env: &Env) -> Result<Option<SecretString>, ConfigError> {
    let Some(keys) = env.secret(&SCHEDULO_VAULT_KEYS) else {
        return Ok(None);
    };
    crate::vault::Vault::from_spec(keys).map_err(|e| ConfigError::new(&SCHEDULO_VAULT_KEYS, None, e.to_string()))?;
    Ok(Some(keys.clone()))
}

/// `SCHEDULO_MEDIA_HOSTS`: `host`, `host:port` or `https://host`, separated by commas.
fn media_hosts(env: &Env) -> Result<Vec<MediaHost>, ConfigError> {
    let Some(text) = env.text(&SCHEDULO_MEDIA_HOSTS) else {
        return Ok(Vec::new());
    };
    text.split(',')
        .filter(|entry| !entry.trim().is_empty())
        .map(|entry| MediaHost::parse(entry).map_err(|why| ConfigError::new(&SCHEDULO_MEDIA_HOSTS, Some(text), why)))
        .collect()
}

fn public_url(env: &Env) -> Result<Option<Url>, ConfigError> {
    let Some(text) = env.text(&SCHEDULO_PUBLIC_URL) else {
        return Ok(None);
    };
    Url::parse(text.trim())
        .ok()
        .filter(is_http)
        .map(Some)
        .ok_or_else(|| ConfigError::new(&SCHEDULO_PUBLIC_URL, Some(text), "it is not an http(s) URL"))
}
