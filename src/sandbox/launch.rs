//! Starting the sandbox Airtable for a person (`schedulo sandbox`, `schedulo run` with nothing
//! configured): a stable token and base id kept in the data directory, the schema applied through
//! the real client, and the demo base loaded into an empty base.

use super::airtable::{AirtableSandbox, SandboxLimits, SandboxOptions};
use super::demo;
use crate::airtable::{AirtableClient, Base, ClientOptions};
use crate::schema::{self, Schema};
use anyhow::Context;
use rand::distr::{Alphanumeric, SampleString};
use secrecy::{ExposeSecret, SecretString};
use serde::{Deserialize, Serialize};
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use url::Url;

/// The variables that point a worker or a Bubble app at the sandbox.
#[derive(Debug, Clone)]
pub struct SandboxEnv {
    pub api_url: Url,
    pub base_id: String,
    pub token: SecretString,
}

impl SandboxEnv {
    /// One `NAME=value` line per variable, as in a `.env` file. The token is the sandbox's own,
    /// made on this machine; it opens nothing else.
    pub fn dotenv_lines(&self) -> String {
        format!(
            "AIRTABLE_API_URL={}\nAIRTABLE_BASE_ID={}\nAIRTABLE_TOKEN={}\n",
            self.api_url.as_str().trim_end_matches('/'),
            self.base_id,
            self.token.expose_secret()
        )
    }
}

/// What the sandbox keeps between runs so that its URL, token and base id stay the same.
#[derive(Serialize, Deserialize)]
struct Identity {
    token: String,
    base_id: Option<String>,
}

/// A running sandbox and its variables.
pub struct Launched {
    pub server: AirtableSandbox,
    pub env: SandboxEnv,
    /// The sandbox base, through the process's one Airtable client (callers use it rather than
    /// making a second client, whose limiter would not know of this one's calls).
    pub base: Base,
    /// The changes `schema apply` made (empty when the base already matched).
    pub schema_changes: Vec<String>,
    /// Whether the demo base was loaded in this run.
    pub demo_loaded: bool,
}

/// Starts the sandbox on `listen` with its data in `data_dir`, makes the process's Airtable client
/// with `client_options` (given the sandbox's URL and token), applies `schema`, loads the demo.
pub async fn launch(
    listen: SocketAddr,
    data_dir: &Path,
    schema: &Schema,
    client_options: impl FnOnce(Url, SecretString) -> ClientOptions,
) -> anyhow::Result<Launched> {
    std::fs::create_dir_all(data_dir)
        .with_context(|| format!("Failed to create the sandbox directory {}", data_dir.display()))?;
    let identity_path = data_dir.join("identity.json");
    let mut identity = load_identity(&identity_path)?;
    let server = AirtableSandbox::start(SandboxOptions {
        listen,
        data_dir: Some(data_dir.join("bases")),
        tokens: vec![identity.token.clone()],
        schema: schema.clone(),
        limits: SandboxLimits::default(),
    })
    .await
    .with_context(|| format!("Failed to start the sandbox Airtable on {listen}"))?;
    let base_id = match identity
        .base_id
        .clone()
        .filter(|id| server.bases().iter().any(|(b, _)| b == id))
    {
        Some(id) => id,
        None => {
            let id = server.create_base("Schedulo Pro DB");
            identity.base_id = Some(id.clone());
            save_identity(&identity_path, &identity)?;
            id
        }
    };
    let env = SandboxEnv {
        api_url: Url::parse(&server.url()).context("the sandbox's URL")?,
        base_id,
        token: SecretString::from(identity.token.clone()),
    };
    let client = AirtableClient::new(client_options(env.api_url.clone(), env.token.clone()))?;
    let base = client.base(&env.base_id);
    let tables = base
        .tables()
        .await
        .context("Failed to read the sandbox base's schema")?;
    let plan = schema::plan(schema, &tables);
    let schema_changes = schema::apply::execute(&base, &plan)
        .await
        .context("Failed to apply the schema to the sandbox base")?;
    let demo_loaded = demo::load_if_empty(&base)
        .await
        .context("Failed to load the demo base")?;
    Ok(Launched {
        server,
        env,
        base,
        schema_changes,
        demo_loaded,
    })
}

fn load_identity(path: &PathBuf) -> anyhow::Result<Identity> {
    if path.exists() {
        let text = std::fs::read_to_string(path).with_context(|| format!("Failed to read {}", path.display()))?;
        return serde_json::from_str(&text).with_context(|| {
            format!(
                "{} is not valid; delete it to start a new sandbox identity",
                path.display()
            )
        });
    }
    let identity = Identity {
        token: format!(
            "patSandbox{}.{}",
            Alphanumeric.sample_string(&mut rand::rng(), 8),
            Alphanumeric.sample_string(&mut rand::rng(), 48)
        ),
        base_id: None,
    };
    save_identity(path, &identity)?;
    Ok(identity)
}

fn save_identity(path: &Path, identity: &Identity) -> anyhow::Result<()> {
    let tmp = path.with_extension("json.tmp");
    std::fs::write(&tmp, serde_json::to_vec_pretty(identity)?)
        .with_context(|| format!("Failed to write {}", tmp.display()))?;
    std::fs::rename(&tmp, path).with_context(|| format!("Failed to write {}", path.display()))?;
    Ok(())
}
