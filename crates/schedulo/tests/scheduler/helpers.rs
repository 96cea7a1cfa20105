//! A world of sandboxes, a base with the schema, accounts with encrypted tokens, and the worker
//! built by `Application::build` from a config pointing at the sandboxes (its server on port 0).
//! Tests step the worker's parts (`scheduler`, `outbox`) or run them.

use schedulo::airtable::{Base, Fields, Record};
use schedulo::app::Application;
use schedulo::base::names::{accounts, media, posts};
use schedulo::clock::Clock;
use schedulo::config::Config;
use schedulo::journal::Journal;
use schedulo::scenarios::post_scheduler::outbox::Outbox;
use schedulo::scenarios::post_scheduler::{Outcome, PostScheduler};
use schedulo::vault::Vault;
use schedulo_sandbox::airtable::AirtableSandbox;
use schedulo_sandbox::facebook::{FacebookSandbox, FacebookSandboxOptions, FacebookSandboxPage, InstagramSandboxUser};
use schedulo_sandbox::tiktok::{TikTokSandbox, TikTokSandboxCreator, TikTokSandboxOptions};
use schedulo_sandbox::x::{XSandbox, XSandboxOptions, XSandboxUser};
use secrecy::{ExposeSecret, SecretString};
use serde_json::json;
use std::sync::Arc;

pub const AIRTABLE_TOKEN: &str = "patWorldAirtable.secret0001";
pub const X_TOKEN: &str = "x-user-token-secret-0002";
pub const FB_TOKEN: &str = "fb-page-token-secret-0003";
pub const X_USER: &str = "1500000000000000001";
pub const X_TOKEN2: &str = "x-user-token-secret-0006";
pub const X_USER2: &str = "1500000000000000002";
pub const FB_PAGE: &str = "100000000000001";
pub const IG_TOKEN: &str = "ig-user-token-secret-0005";
pub const IG_USER: &str = "17841400000000001";
pub const TT_TOKEN: &str = "act.tiktok-token-secret-0004";
pub const TT_OPEN_ID: &str = "-000AdaTikTok";
/// Bubble's bearer token in the worker's config (`SCHEDULO_WEBHOOK_TOKEN`).
pub const HOOK_TOKEN: &str = "hook-secret-0123456789abcdef0123456789";

pub struct World {
    pub airtable: AirtableSandbox,
    pub x: XSandbox,
    pub fb: FacebookSandbox,
    pub tiktok: TikTokSandbox,
    /// The base through the worker's own Airtable client (its calls count in the worker's counter).
    pub base: Base,
    /// The vault the accounts' tokens were sealed with; the worker's keys are the same.
    pub vault: Arc<Vault>,
    pub vault_spec: SecretString,
    pub clock: Clock,
    /// The worker's configuration: the sandboxes' URLs, its files in `data_dir`, port 0.
    pub config: Config,
    /// Kept so that the worker's files (journal, call counter) live as long as the world.
    #[allow(dead_code)]
    pub data_dir: tempfile::TempDir,
    /// The worker as built, until something runs it ([`World::serve`], `webhook::Worker`).
    pub app: Option<Application>,
    /// The worker's parts, kept when the worker runs.
    pub journal: Journal,
    pub scheduler: Arc<PostScheduler>,
    pub outbox: Outbox,
    pub x_account: String,
    /// A second X account (another user), for posts moved between accounts.
    pub x2_account: String,
    pub fb_account: String,
    pub tt_account: String,
    pub ig_account: String,
}

pub fn fields(v: serde_json::Value) -> Fields {
    v.as_object().expect("an object").clone()
}

impl World {
    pub async fn start() -> World {
        World::start_with(|o| o).await
    }

    /// A world whose Graph sandbox (Facebook and Instagram) is set up by `graph`.
    pub async fn start_with(graph: impl FnOnce(FacebookSandboxOptions) -> FacebookSandboxOptions) -> World {
        World::start_configured(graph, &[]).await
    }

    /// A world whose worker's config has `vars` besides the sandboxes' (like
    /// `AIRTABLE_WEBHOOK_MAC_SECRET`).
    pub async fn start_with_vars(vars: &[(&str, &str)]) -> World {
        World::start_configured(|o| o, vars).await
    }

    async fn start_configured(
        graph: impl FnOnce(FacebookSandboxOptions) -> FacebookSandboxOptions,
        vars: &[(&str, &str)],
    ) -> World {
        let (airtable, base) = crate::common::airtable_with_base(AIRTABLE_TOKEN, "world").await;
        let x = XSandbox::start(XSandboxOptions {
            data_dir: None,
            listen: "127.0.0.1:0".parse().unwrap(),
            users: vec![
                XSandboxUser {
                    token: X_TOKEN.into(),
                    id: X_USER.into(),
                    username: "ada".into(),
                },
                XSandboxUser {
                    token: X_TOKEN2.into(),
                    id: X_USER2.into(),
                    username: "grace".into(),
                },
            ],
            limits: Default::default(),
        })
        .await
        .unwrap();
        let fb = FacebookSandbox::start(graph(FacebookSandboxOptions {
            listen: "127.0.0.1:0".parse().unwrap(),
            version: "v21.0".into(),
            instagram_users: vec![InstagramSandboxUser {
                token: IG_TOKEN.into(),
                id: IG_USER.into(),
                username: "ada".into(),
            }],
            ..FacebookSandboxOptions::new(vec![FacebookSandboxPage {
                token: FB_TOKEN.into(),
                id: FB_PAGE.into(),
                name: "Ada's Page".into(),
            }])
        }))
        .await
        .unwrap();
        let tiktok = TikTokSandbox::start(TikTokSandboxOptions {
            data_dir: None,
            listen: "127.0.0.1:0".parse().unwrap(),
            creators: vec![TikTokSandboxCreator::new(TT_TOKEN, TT_OPEN_ID, "ada")],
            limits: Default::default(),
        })
        .await
        .unwrap();
        let vault_spec = Vault::generate_spec("k1");
        let vault = Arc::new(Vault::from_spec(&vault_spec).unwrap());
        let x_account = add_account(&base, &vault, "Twitter", X_USER, "@ada", X_TOKEN).await;
        let x2_account = add_account(&base, &vault, "Twitter", X_USER2, "@grace", X_TOKEN2).await;
        let fb_account = add_account(&base, &vault, "Facebook", FB_PAGE, "Ada's Page", FB_TOKEN).await;
        let tt_account = add_account(&base, &vault, "TikTok", TT_OPEN_ID, "@ada", TT_TOKEN).await;
        let ig_account = add_account(&base, &vault, "Instagram", IG_USER, "@ada", IG_TOKEN).await;
        let data_dir = tempfile::tempdir().unwrap();
        let config = worker_config(
            &airtable,
            &base,
            [&x.url(), &fb.url(), &tiktok.url()],
            &vault_spec,
            &data_dir,
            vars,
        );
        let clock = Clock::new();
        let app = build(&config, clock, None).await;
        World {
            airtable,
            x,
            fb,
            tiktok,
            base: app.base().clone(),
            vault,
            vault_spec,
            clock,
            config,
            data_dir,
            journal: app.journal().clone(),
            scheduler: app.scheduler().clone(),
            outbox: app.outbox().clone(),
            app: Some(app),
            x_account,
            x2_account,
            fb_account,
            tt_account,
            ig_account,
        }
    }

    /// Replaces the worker by one built anew from `config` (on `listener` when given), as after
    /// the worker was killed and restarted; the previous one is dropped first, freeing its port.
    pub async fn rebuild(&mut self, config: &Config, listener: Option<tokio::net::TcpListener>) {
        self.app = None;
        let app = build(config, self.clock, listener).await;
        self.base = app.base().clone();
        self.journal = app.journal().clone();
        self.scheduler = app.scheduler().clone();
        self.outbox = app.outbox().clone();
        self.app = Some(app);
    }

    /// A new worker over the same journal file, as after the worker was killed and restarted.
    pub async fn restart(&mut self) {
        let config = self.config.clone();
        self.rebuild(&config, None).await;
    }

    /// Another worker built from the same config (over the same journal, its own owner name).
    pub async fn second_worker(&self) -> Application {
        build(&self.config, self.clock, None).await
    }

    /// Serves the worker's HTTP routes (and nothing else: the tests step the loops); its URL.
    pub fn serve(&mut self) -> String {
        let app = self.app.take().expect("the worker is not running yet");
        let url = format!("http://{}", app.address());
        app.serve(std::future::pending()).unwrap();
        url
    }

    /// Schedules a post on `account`, due `in_secs` from now.
    pub async fn schedule(&self, account: &str, caption: &str, in_secs: i64) -> String {
        let at = self.clock.now() + chrono::Duration::seconds(in_secs);
        let row = fields(json!({
            posts::POST_ID: format!("P-{caption:.12}"),
            posts::ACCOUNT: [account],
            posts::SCHEDULED_TIME: at.to_rfc3339_opts(chrono::SecondsFormat::Millis, true),
            posts::CAPTION: caption,
            posts::STATUS: "Scheduled",
        }));
        self.base
            .create(posts::TABLE, vec![row], false)
            .await
            .unwrap()
            .remove(0)
            .id
    }

    /// A `MediaLibrary` record (Ready) of `kind` ("Image", "Video", "Carousel") whose files are
    /// those the sandbox X serves under `names` (see `sandbox::files`).
    pub async fn media(&self, kind: &str, names: &[&str]) -> String {
        let urls: Vec<String> = names.iter().map(|n| self.file_url(n)).collect();
        let row = fields(json!({
            media::MEDIA_ID: format!("M-{}", names.join("+")),
            media::MEDIA_TYPE: kind,
            media::CLOUDINARY_URL: urls.join(" "),
            media::STATUS: "Ready",
        }));
        self.base
            .create(media::TABLE, vec![row], false)
            .await
            .unwrap()
            .remove(0)
            .id
    }

    /// A file the sandbox X serves (`sandbox::files`).
    pub fn file_url(&self, name: &str) -> String {
        format!("{}/_sandbox/files/{name}", self.x.url())
    }

    /// Schedules a post with media and a `Format` ("Post", "Reel", "Story"; None: empty).
    pub async fn schedule_media(
        &self,
        account: &str,
        caption: &str,
        in_secs: i64,
        media: Option<&str>,
        format: Option<&str>,
    ) -> String {
        let id = self.schedule(account, caption, in_secs).await;
        let mut f = serde_json::Map::new();
        if let Some(m) = media {
            f.insert(posts::MEDIA.into(), json!([m]));
        }
        if let Some(fmt) = format {
            f.insert(posts::FORMAT.into(), json!(fmt));
        }
        if !f.is_empty() {
            self.base
                .update(posts::TABLE, vec![(id.clone(), f)], false)
                .await
                .unwrap();
        }
        id
    }

    /// Settles unconfirmed posts every `step` seconds until none is left or `secs` have passed.
    pub async fn reconcile_for(&self, secs: u64, step: u64) -> Vec<(String, Outcome)> {
        let mut all = Vec::new();
        let mut waited = 0;
        loop {
            let outcomes = self.scheduler.reconcile_unresolved().await.unwrap();
            all.extend(
                outcomes
                    .into_iter()
                    .filter(|(_, o)| !matches!(o, Outcome::Skipped | Outcome::Processing(_))),
            );
            let left = self.journal.unresolved_intents().await.unwrap();
            if left.is_empty() || waited >= secs {
                return all;
            }
            self.advance(step).await;
            waited += step;
        }
    }

    /// An X post, due in 5 s, read, waited for, and claimed by a worker that then died (its
    /// intent is in the journal, nothing else happened yet).
    pub async fn claimed_by_dead_worker(&self, caption: &str) -> String {
        let id = self.schedule(&self.x_account, caption, 5).await;
        self.scheduler.sync().await.unwrap();
        self.advance(5).await;
        self.journal
            .claim_intent(&id, "the-dead-worker", self.clock.now())
            .await
            .unwrap()
            .unwrap();
        id
    }

    pub async fn post(&self, record_id: &str) -> Record {
        self.base.get(posts::TABLE, record_id).await.unwrap()
    }

    /// Advances the paused clock to `t` (if it is ahead).
    pub async fn advance_to(&self, t: chrono::DateTime<chrono::Utc>) {
        if let Ok(d) = (t - self.clock.now()).to_std() {
            tokio::time::sleep(d).await;
        }
    }

    /// Advances the paused clock by `secs`.
    pub async fn advance(&self, secs: u64) {
        tokio::time::sleep(std::time::Duration::from_secs(secs)).await;
    }

    /// The posts of an X user as X's own read API shows them (`GET /2/users/{id}/tweets`), oldest
    /// first: their text, and whether they carry media.
    pub async fn timeline(&self, user: &str) -> Vec<(String, bool)> {
        let token = if user == X_USER2 { X_TOKEN2 } else { X_TOKEN };
        let page: serde_json::Value = reqwest::Client::new()
            .get(format!("{}/2/users/{user}/tweets", self.x.url()))
            .query(&[("max_results", "100"), ("tweet.fields", "attachments,created_at")])
            .bearer_auth(token)
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        let mut posts: Vec<(String, bool)> = page["data"]
            .as_array()
            .map(|d| {
                d.iter()
                    .map(|t| {
                        (
                            t["text"].as_str().unwrap_or("").to_string(),
                            t.get("attachments").is_some(),
                        )
                    })
                    .collect()
            })
            .unwrap_or_default();
        posts.reverse();
        posts
    }

    /// Changes a post's fields in the base, as a person typing in the grid does.
    pub async fn edit(&self, record_id: &str, changes: serde_json::Value) {
        self.base
            .update(posts::TABLE, vec![(record_id.to_string(), fields(changes))], false)
            .await
            .unwrap();
    }

    pub fn tweets(&self) -> Vec<String> {
        self.x.tweets(X_USER).into_iter().map(|t| t.1).collect()
    }
}

/// The worker's config: the sandboxes' URLs (Airtable, then `[x, facebook, tiktok]`), the vault's
/// keys, its files in `data_dir`, the built-in scenarios, and its server on port 0.
fn worker_config(
    airtable: &AirtableSandbox,
    base: &Base,
    platforms: [&str; 3],
    vault_spec: &SecretString,
    data_dir: &tempfile::TempDir,
    extra: &[(&str, &str)],
) -> Config {
    let dir = data_dir.path();
    let mut vars: Vec<(String, String)> = [
        ("AIRTABLE_API_URL", airtable.url()),
        ("AIRTABLE_TOKEN", AIRTABLE_TOKEN.into()),
        ("AIRTABLE_BASE_ID", base.id().into()),
        ("X_API_URL", platforms[0].into()),
        ("FACEBOOK_GRAPH_URL", platforms[1].into()),
        ("TIKTOK_API_URL", platforms[2].into()),
        ("SCHEDULO_VAULT_KEYS", vault_spec.expose_secret().into()),
        ("SCHEDULO_WEBHOOK_TOKEN", HOOK_TOKEN.into()),
        ("SCHEDULO_LISTEN", "127.0.0.1:0".into()),
        // The operator's listener on any free port: tests run side by side.
        ("SCHEDULO_ADMIN_LISTEN", "127.0.0.1:0".into()),
        ("SCHEDULO_DATA_DIR", dir.display().to_string()),
        ("SCHEDULO_JOURNAL", dir.join("journal.sqlite").display().to_string()),
        // No scenario files there: the built-in ones.
        ("SCHEDULO_SCENARIO_DIR", dir.join("scenarios").display().to_string()),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_string(), v))
    .collect();
    vars.extend(extra.iter().map(|(k, v)| (k.to_string(), v.to_string())));
    Config::from_vars(vars).unwrap()
}

/// The worker, built as `schedulo run` builds it. A second of paused time first: the new worker's
/// Airtable client knows nothing of the calls the previous client just made (a new process would
/// not either), and the sandbox's one-second window forgets them.
pub async fn build(config: &Config, clock: Clock, listener: Option<tokio::net::TcpListener>) -> Application {
    tokio::time::sleep(std::time::Duration::from_secs(1)).await;
    match listener {
        Some(listener) => Application::build_with_listener(config, clock, listener).await,
        None => Application::build(config, clock).await,
    }
    .unwrap()
}

async fn add_account(base: &Base, vault: &Vault, platform: &str, external: &str, name: &str, token: &str) -> String {
    let row = fields(json!({
        accounts::ACCOUNT_ID: external,
        accounts::PLATFORM: platform,
        accounts::ACCOUNT_NAME: name,
        accounts::STATUS: "Connected",
    }));
    let id = base
        .create(accounts::TABLE, vec![row], false)
        .await
        .unwrap()
        .remove(0)
        .id;
    let sealed = vault.encrypt(&id, &SecretString::from(token.to_string()));
    base.update(
        accounts::TABLE,
        vec![(id.clone(), fields(json!({ accounts::ACCESS_TOKEN: sealed })))],
        false,
    )
    .await
    .unwrap();
    id
}

/// POSTs to a sandbox's admin path (`/_sandbox/...`), asserting success.
pub async fn admin_post(url: &str, path: &str, body: serde_json::Value, token: &str) {
    let resp = reqwest::Client::new()
        .post(format!("{url}{path}"))
        .bearer_auth(token)
        .json(&body)
        .send()
        .await
        .unwrap();
    assert!(resp.status().is_success(), "{path}: {}", resp.status());
}
