//! Starting the sandboxes for a person (`schedulo sandbox`, `schedulo run` with nothing configured):
//! Airtable, X, Facebook/Instagram, TikTok and Cloudinary on loopback, a stable identity kept in
//! the data directory (tokens, base id, vault key and the stand-ins' addresses, so that the printed
//! variables and the base's URLs stay valid across restarts), the schema applied through the real
//! client, and the demo base loaded into an empty base.
//!
//! Each stand-in keeps its state under the data directory (`bases/` for Airtable, then `x/`,
//! `facebook/`, `tiktok/`, `cloudinary/`), so what was published before a restart can be read,
//! reconciled and measured after it ([`schedulo_sandbox::persist`]); [`super::moved`] brings the
//! same ports back, or the base's URLs along when they change.

use super::moved::{self, port_of, start_preferring, Addresses};
use super::seed::{self as demo, DemoAccount};
use crate::airtable::{AirtableClient, Base, ClientOptions};
use crate::base::Platform;
use crate::schema::{self, Schema};
use crate::vault::Vault;
use anyhow::Context;
use rand::distr::{Alphanumeric, SampleString};
use schedulo_sandbox::airtable::{AirtableSandbox, SandboxLimits, SandboxOptions};
use schedulo_sandbox::cloudinary::{CloudinarySandbox, CloudinarySandboxOptions, SandboxCloud};
use schedulo_sandbox::facebook::{FacebookSandbox, FacebookSandboxOptions, FacebookSandboxPage, InstagramSandboxUser};
use schedulo_sandbox::latency::Profile;
use schedulo_sandbox::tiktok::{TikTokSandbox, TikTokSandboxCreator, TikTokSandboxOptions};
use schedulo_sandbox::x::{XSandbox, XSandboxOptions, XSandboxUser};
use secrecy::{ExposeSecret, SecretString};
use serde::{Deserialize, Serialize};
use std::net::SocketAddr;
use std::path::Path;
use url::Url;

/// The Graph API version the sandbox Facebook answers under.
pub const GRAPH_VERSION: &str = "v21.0";
/// The sandbox X user and Facebook Page of the demo.
const X_USER_ID: &str = "1500000000000000001";
const FB_PAGE_ID: &str = "100000000000001";
const IG_USER_ID: &str = "17841400000000001";
const TIKTOK_OPEN_ID: &str = "-000AdaOnTikTok0000000000000001";
/// The sandbox Cloudinary's product environment.
pub const CLOUD_NAME: &str = "schedulo-sandbox";

/// The variables that point a worker or a Bubble app at the sandboxes.
#[derive(Debug, Clone)]
pub struct SandboxEnv {
    pub api_url: Url,
    pub base_id: String,
    pub token: SecretString,
    pub x_url: Url,
    pub facebook_url: Url,
    pub tiktok_url: Url,
    pub vault_keys: SecretString,
    pub webhook_token: SecretString,
    /// `cloudinary://<api_key>:<api_secret>@<cloud_name>` of the sandbox Cloudinary.
    pub cloudinary_url: SecretString,
    /// Where the sandbox Cloudinary's Upload, Admin and delivery URLs are.
    pub cloudinary_api_url: Url,
}

impl SandboxEnv {
    /// One `NAME=value` line per variable, as in a `.env` file. The secrets are the sandbox's own,
    /// made on this machine; they open nothing else.
    pub fn dotenv_lines(&self) -> String {
        let url = |u: &Url| u.as_str().trim_end_matches('/').to_string();
        format!(
            "AIRTABLE_API_URL={}\nAIRTABLE_BASE_ID={}\nAIRTABLE_TOKEN={}\nX_API_URL={}\nFACEBOOK_GRAPH_URL={}\nTIKTOK_API_URL={}\nSCHEDULO_VAULT_KEYS={}\nSCHEDULO_WEBHOOK_TOKEN={}\nCLOUDINARY_URL={}\nCLOUDINARY_API_URL={}\nCLOUDINARY_DELIVERY_URL={}\n",
            url(&self.api_url),
            self.base_id,
            self.token.expose_secret(),
            url(&self.x_url),
            url(&self.facebook_url),
            url(&self.tiktok_url),
            self.vault_keys.expose_secret(),
            self.webhook_token.expose_secret(),
            self.cloudinary_url.expose_secret(),
            url(&self.cloudinary_api_url),
            url(&self.cloudinary_api_url),
        )
    }
}

/// What the sandboxes keep between runs.
#[derive(Serialize, Deserialize)]
struct Identity {
    token: String,
    base_id: Option<String>,
    #[serde(default)]
    vault_keys: Option<String>,
    #[serde(default)]
    webhook_token: Option<String>,
    #[serde(default)]
    x_token: Option<String>,
    #[serde(default)]
    facebook_token: Option<String>,
    #[serde(default)]
    tiktok_token: Option<String>,
    #[serde(default)]
    instagram_token: Option<String>,
    #[serde(default)]
    cloudinary_key: Option<String>,
    #[serde(default)]
    cloudinary_secret: Option<String>,
    /// Where each stand-in listened last time (asked for again when `--listen` has port 0).
    #[serde(default)]
    addresses: Addresses,
}

fn random(prefix: &str, n: usize) -> String {
    format!("{prefix}{}", Alphanumeric.sample_string(&mut rand::rng(), n))
}

impl Identity {
    fn new() -> Identity {
        Identity {
            token: format!("{}.{}", random("patSandbox", 8), random("", 48)),
            base_id: None,
            vault_keys: None,
            webhook_token: None,
            x_token: None,
            facebook_token: None,
            tiktok_token: None,
            instagram_token: None,
            cloudinary_key: None,
            cloudinary_secret: None,
            addresses: Addresses::default(),
        }
    }

    /// Fills what older identity files lack; returns whether anything was added.
    fn complete(&mut self) -> bool {
        let before = (
            self.vault_keys.is_some(),
            self.webhook_token.is_some(),
            self.x_token.is_some(),
            self.facebook_token.is_some(),
            self.tiktok_token.is_some(),
            self.instagram_token.is_some(),
            self.cloudinary_key.is_some() && self.cloudinary_secret.is_some(),
        );
        self.vault_keys
            .get_or_insert_with(|| Vault::generate_spec("sandbox1").expose_secret().to_string());
        self.webhook_token.get_or_insert_with(|| random("whk_", 32));
        self.x_token.get_or_insert_with(|| random("xsbx_", 32));
        self.facebook_token.get_or_insert_with(|| random("EAAsbx", 40));
        self.tiktok_token.get_or_insert_with(|| random("act.sbx", 40));
        self.instagram_token.get_or_insert_with(|| random("IGsbx", 40));
        self.cloudinary_key.get_or_insert_with(|| {
            format!(
                "{}",
                100_000_000_000_000u64 + rand::random::<u64>() % 899_999_999_999_999
            )
        });
        self.cloudinary_secret.get_or_insert_with(|| random("", 27));
        before != (true, true, true, true, true, true, true)
    }
}

/// Running sandboxes and their variables.
pub struct Launched {
    pub server: AirtableSandbox,
    pub x: XSandbox,
    pub facebook: FacebookSandbox,
    pub tiktok: TikTokSandbox,
    pub cloudinary: CloudinarySandbox,
    pub env: SandboxEnv,
    /// The sandbox base, through the process's one Airtable client.
    pub base: Base,
    /// The changes `schema apply` made (empty when the base already matched).
    pub schema_changes: Vec<String>,
    /// Whether the demo base was loaded in this run.
    pub demo_loaded: bool,
    /// Records whose URLs were moved to stand-ins that came back on other ports ([`moved`]).
    pub urls_moved: usize,
    /// The demo's accounts with tokens and its media, for scheduling more demo posts.
    pub demo: demo::DemoLoaded,
}

impl Launched {
    pub async fn shutdown(self) {
        self.server.shutdown().await;
        self.x.shutdown().await;
        self.facebook.shutdown().await;
        self.tiktok.shutdown().await;
        self.cloudinary.shutdown().await;
    }
}

/// Starts the sandboxes (Airtable on `listen`, X, Facebook/Instagram, TikTok and Cloudinary on
/// the next four ports; with port 0, on the ports of the last run when free), makes the
/// process's Airtable client with `client_options`, applies `schema`, loads the demo, and then
/// gives every stand-in `latency` (the set-up stands for what a person does in Airtable's grid,
/// so it runs without it).
pub async fn launch(
    listen: SocketAddr,
    data_dir: &Path,
    schema: &Schema,
    latency: Profile,
    client_options: impl FnOnce(Url, SecretString) -> ClientOptions,
) -> anyhow::Result<Launched> {
    std::fs::create_dir_all(data_dir)
        .with_context(|| format!("Failed to create the sandbox directory {}", data_dir.display()))?;
    let identity_path = data_dir.join("identity.json");
    let mut identity = load_identity(&identity_path)?;
    if identity.complete() {
        save_identity(&identity_path, &identity)?;
    }
    let tables = crate::demo::sandbox_tables(schema);
    let previous = identity.addresses.clone();
    let server = start_preferring(listen, 0, port_of(previous.airtable.as_ref()), |listen| {
        AirtableSandbox::start(SandboxOptions {
            listen,
            data_dir: Some(data_dir.join("bases")),
            tokens: vec![identity.token.clone()],
            tables: tables.clone(),
            limits: SandboxLimits::default(),
        })
    })
    .await
    .with_context(|| format!("Failed to start the sandbox Airtable on {listen}"))?;
    let platforms = start_platforms(listen, &identity, data_dir).await?;
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
    let env = sandbox_env(&identity, base_id, &server, &platforms)?;
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
    let now = platforms.addresses(&server);
    let urls_moved = moved::rewrite_urls(&base, &now.moves_since(&previous)).await?;
    if now != previous {
        identity.addresses = now;
        save_identity(&identity_path, &identity)?;
    }
    let vault = Vault::from_spec(&env.vault_keys)?;
    let accounts = demo_accounts(&identity);
    let demo = demo::load(&base, &vault, &accounts, &platforms.x.url())
        .await
        .context("Failed to load the demo base")?;
    let Platforms {
        x,
        facebook,
        tiktok,
        cloudinary,
    } = platforms;
    server.set_latency(latency);
    x.set_latency(latency);
    facebook.set_latency(latency);
    tiktok.set_latency(latency);
    cloudinary.set_latency(latency);
    Ok(Launched {
        server,
        x,
        facebook,
        tiktok,
        cloudinary,
        env,
        base,
        schema_changes,
        demo_loaded: demo.loaded,
        urls_moved,
        demo,
    })
}

/// The variables that point a worker or a Bubble app at the running sandboxes.
fn sandbox_env(
    identity: &Identity,
    base_id: String,
    server: &AirtableSandbox,
    p: &Platforms,
) -> anyhow::Result<SandboxEnv> {
    let (cloudinary_key, cloudinary_secret) = (
        identity.cloudinary_key.clone().unwrap_or_default(),
        identity.cloudinary_secret.clone().unwrap_or_default(),
    );
    Ok(SandboxEnv {
        api_url: Url::parse(&server.url()).context("the sandbox's URL")?,
        base_id,
        token: SecretString::from(identity.token.clone()),
        x_url: Url::parse(&p.x.url()).context("the sandbox X's URL")?,
        facebook_url: Url::parse(&p.facebook.url()).context("the sandbox Facebook's URL")?,
        tiktok_url: Url::parse(&p.tiktok.url()).context("the sandbox TikTok's URL")?,
        vault_keys: SecretString::from(identity.vault_keys.clone().unwrap_or_default()),
        webhook_token: SecretString::from(identity.webhook_token.clone().unwrap_or_default()),
        cloudinary_url: SecretString::from(format!(
            "cloudinary://{cloudinary_key}:{cloudinary_secret}@{CLOUD_NAME}"
        )),
        cloudinary_api_url: Url::parse(&p.cloudinary.url()).context("the sandbox Cloudinary's URL")?,
    })
}

/// The stand-ins of the platforms and Cloudinary, started for the demo.
struct Platforms {
    x: XSandbox,
    facebook: FacebookSandbox,
    tiktok: TikTokSandbox,
    cloudinary: CloudinarySandbox,
}

impl Platforms {
    /// Where every stand-in listens now (Airtable's `server` with them).
    fn addresses(&self, server: &AirtableSandbox) -> Addresses {
        Addresses {
            airtable: Some(server.url()),
            x: Some(self.x.url()),
            facebook: Some(self.facebook.url()),
            tiktok: Some(self.tiktok.url()),
            cloudinary: Some(self.cloudinary.url()),
        }
    }
}

/// Starts X, Facebook/Instagram, TikTok and Cloudinary on the four ports after `listen` (with port
/// 0, the ports of the last run when free), with the identity's tokens and keys, each keeping its
/// state in its folder of `data_dir`.
async fn start_platforms(listen: SocketAddr, identity: &Identity, data_dir: &Path) -> anyhow::Result<Platforms> {
    let was = &identity.addresses;
    let x_token = identity.x_token.clone().unwrap_or_default();
    let x = start_preferring(listen, 1, port_of(was.x.as_ref()), |listen| {
        XSandbox::start(XSandboxOptions {
            listen,
            users: vec![XSandboxUser {
                token: x_token.clone(),
                id: X_USER_ID.into(),
                username: "ada_on_twitter".into(),
            }],
            limits: Default::default(),
            data_dir: Some(data_dir.join("x")),
        })
    })
    .await
    .context("Failed to start the sandbox X")?;
    let facebook = start_preferring(listen, 2, port_of(was.facebook.as_ref()), |listen| {
        FacebookSandbox::start(facebook_options(listen, identity, data_dir))
    })
    .await
    .context("Failed to start the sandbox Facebook")?;
    let tiktok_token = identity.tiktok_token.clone().unwrap_or_default();
    let tiktok = start_preferring(listen, 3, port_of(was.tiktok.as_ref()), |listen| {
        TikTokSandbox::start(TikTokSandboxOptions {
            listen,
            creators: vec![TikTokSandboxCreator::new(
                &tiktok_token,
                TIKTOK_OPEN_ID,
                "ada_on_tiktok",
            )],
            limits: Default::default(),
            data_dir: Some(data_dir.join("tiktok")),
        })
    })
    .await
    .context("Failed to start the sandbox TikTok")?;
    let (cloudinary_key, cloudinary_secret) = (
        identity.cloudinary_key.clone().unwrap_or_default(),
        identity.cloudinary_secret.clone().unwrap_or_default(),
    );
    let cloudinary = start_preferring(listen, 4, port_of(was.cloudinary.as_ref()), |listen| {
        CloudinarySandbox::start(CloudinarySandboxOptions {
            listen,
            clouds: vec![SandboxCloud::new(CLOUD_NAME, &cloudinary_key, &cloudinary_secret)],
            limits: Default::default(),
            notify_timeout: std::time::Duration::from_secs(10),
            data_dir: Some(data_dir.join("cloudinary")),
        })
    })
    .await
    .context("Failed to start the sandbox Cloudinary")?;
    Ok(Platforms {
        x,
        facebook,
        tiktok,
        cloudinary,
    })
}

/// The demo's Facebook Page and Instagram account on the sandbox Graph API.
fn facebook_options(listen: SocketAddr, identity: &Identity, data_dir: &Path) -> FacebookSandboxOptions {
    FacebookSandboxOptions {
        listen,
        version: GRAPH_VERSION.into(),
        instagram_users: vec![InstagramSandboxUser {
            token: identity.instagram_token.clone().unwrap_or_default(),
            id: IG_USER_ID.into(),
            username: "ada_on_instagram".into(),
        }],
        data_dir: Some(data_dir.join("facebook")),
        ..FacebookSandboxOptions::new(vec![FacebookSandboxPage {
            token: identity.facebook_token.clone().unwrap_or_default(),
            id: FB_PAGE_ID.into(),
            name: "Ada's Page".into(),
        }])
    }
}

/// The demo's four accounts, with the identity's tokens.
fn demo_accounts(identity: &Identity) -> [DemoAccount; 4] {
    [
        DemoAccount {
            platform: Platform::Twitter,
            external_id: X_USER_ID.into(),
            name: "@ada_on_twitter".into(),
            token: identity.x_token.clone(),
        },
        DemoAccount {
            platform: Platform::Facebook,
            external_id: FB_PAGE_ID.into(),
            name: "Ada's Page".into(),
            token: identity.facebook_token.clone(),
        },
        DemoAccount {
            platform: Platform::Instagram,
            external_id: IG_USER_ID.into(),
            name: "@ada_on_instagram".into(),
            token: identity.instagram_token.clone(),
        },
        DemoAccount {
            platform: Platform::TikTok,
            external_id: TIKTOK_OPEN_ID.into(),
            name: "@ada_on_tiktok".into(),
            token: identity.tiktok_token.clone(),
        },
    ]
}

fn load_identity(path: &Path) -> anyhow::Result<Identity> {
    if path.exists() {
        let text = std::fs::read_to_string(path).with_context(|| format!("Failed to read {}", path.display()))?;
        return serde_json::from_str(&text).with_context(|| {
            format!(
                "{} is not valid; delete it to start a new sandbox identity",
                path.display()
            )
        });
    }
    let identity = Identity::new();
    save_identity(path, &identity)?;
    Ok(identity)
}

/// Writes the identity, readable by its owner only (it holds the sandbox's secrets).
fn save_identity(path: &Path, identity: &Identity) -> anyhow::Result<()> {
    let tmp = path.with_extension("json.tmp");
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create(true).truncate(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    let write = |bytes: &[u8]| -> std::io::Result<()> { std::io::Write::write_all(&mut options.open(&tmp)?, bytes) };
    write(&serde_json::to_vec_pretty(identity)?).with_context(|| format!("Failed to write {}", tmp.display()))?;
    std::fs::rename(&tmp, path).with_context(|| format!("Failed to write {}", path.display()))?;
    Ok(())
}
