//! The worker's configuration against launched sandboxes: what a person would get by setting the
//! variables `schedulo sandbox` prints, so that [`crate::app::Application::build`] treats the
//! sandboxes as any other base, Cloudinary and platforms.

use super::launch::SandboxEnv;
use crate::cloudinary::CloudinaryOptions;
use crate::config::{AirtableTarget, CloudinaryConfig, Config};
use anyhow::Context;

/// `config` pointed at the sandboxes of `env`. The worker's files stay under the sandbox's
/// directory (journal, call counter), so a later run against a real base never meets them; the
/// worker's public address is its own on loopback, where the sandboxes reach it.
pub fn worker_config(config: &Config, env: &SandboxEnv) -> anyhow::Result<Config> {
    let sandbox_dir = config.sandbox_dir();
    let cloudinary = CloudinaryOptions::from_url(&env.cloudinary_url).context("the sandbox Cloudinary's URL")?;
    let mut listen = config.listen;
    if listen.ip().is_unspecified() {
        listen.set_ip(std::net::Ipv4Addr::LOCALHOST.into());
    }
    let public_url =
        url::Url::parse(&format!("http://{listen}")).context("the worker's own address (SCHEDULO_LISTEN)")?;
    Ok(Config {
        airtable: AirtableTarget::Remote {
            api_url: env.api_url.clone(),
            token: env.token.clone(),
            base_id: env.base_id.clone(),
        },
        journal_path: config.journal_file(),
        data_dir: sandbox_dir,
        x_api_url: env.x_url.clone(),
        facebook_graph_url: env.facebook_url.clone(),
        tiktok_api_url: env.tiktok_url.clone(),
        vault_keys: Some(env.vault_keys.clone()),
        webhook_token: Some(env.webhook_token.clone()),
        cloudinary: Some(CloudinaryConfig {
            cloud_name: cloudinary.cloud_name,
            api_key: cloudinary.api_key,
            api_secret: cloudinary.api_secret,
            api_url: env.cloudinary_api_url.clone(),
            delivery_url: env.cloudinary_api_url.clone(),
            algorithm: cloudinary.algorithm,
            paid: config.cloudinary.as_ref().is_some_and(|c| c.paid),
            timeout: cloudinary.timeout,
            chunk_size: cloudinary.chunk_size,
            chunk_threshold: cloudinary.chunk_threshold,
            min_upload_bytes_per_sec: cloudinary.min_upload_bytes_per_sec,
        }),
        public_url: Some(public_url),
        ..config.clone()
    })
}
