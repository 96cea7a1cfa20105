//! The platforms section: where each platform's API is (the sandbox's, in tests and the demo).

use super::env::Env;
use super::error::ConfigError;
use super::vars::*;
use url::Url;

/// The platforms' base URLs, each http(s) without a path.
#[derive(Debug)]
pub(super) struct Platforms {
    pub x_api_url: Url,
    pub facebook_graph_url: Url,
    pub tiktok_api_url: Url,
}

impl Platforms {
    pub fn from_env(env: &Env) -> Result<Platforms, ConfigError> {
        Ok(Platforms {
            x_api_url: env.service_url(&X_API_URL)?,
            facebook_graph_url: env.service_url(&FACEBOOK_GRAPH_URL)?,
            tiktok_api_url: env.service_url(&TIKTOK_API_URL)?,
        })
    }
}
