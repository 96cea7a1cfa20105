//! `schedulo bench scheduler`: the Post Scheduler against the sandboxes, measured from outside.
//!
//! The sandboxes run in this process (Airtable at its real limits); the worker is the real
//! `schedulo run`, a child process pointed at them, so its memory is its own. Figures:
//! - publish lag after `ScheduledTime` (p50, p99, max) for N posts spread over S seconds (target p99 <= 1 s);
//! - N posts due in the same second: seconds from the due time until every status is in Airtable,
//!   beside the floor that 5 requests/s and 10 records a write set;
//! - Airtable calls per published post (target <= 1.2), counted by the sandbox for the worker's token;
//! - Airtable calls per idle hour (target <= 2), on a paused clock, in this process;
//! - the worker's resident memory idle and at peak (target <= 30 MB idle).

use crate::airtable::{AirtableClient, Base, ClientOptions, Fields};
use crate::base::names::{accounts, posts};
use crate::journal::{Journal, PostState};
use crate::schema::{self, Schema};
use crate::vault::Vault;
use anyhow::Context;
use chrono::{DateTime, Utc};
use schedulo_sandbox::airtable::{AirtableSandbox, SandboxLimits, SandboxOptions};
use schedulo_sandbox::facebook::{FacebookSandbox, FacebookSandboxOptions, FacebookSandboxPage};
use schedulo_sandbox::latency::Profile;
use schedulo_sandbox::x::{XSandbox, XSandboxOptions, XSandboxUser};
use secrecy::{ExposeSecret, SecretString};
use serde_json::{json, Value};
use std::path::Path;
use std::time::Duration;

/// The bench's own Airtable token (setup, counters).
pub(super) const BENCH_TOKEN: &str = "patBenchSetup.0000000000000001";
/// The worker's token: the sandbox counts its calls apart (`token2`).
pub(super) const WORKER_TOKEN: &str = "patBenchWorker.0000000000000002";
/// The bearer token of the worker's Bubble webhook (the worker takes none shorter than 32 characters).
const WEBHOOK_TOKEN: &str = "bench-webhook-0123456789abcdef0123456789";
/// Accounts per platform: X allows 100 posts per 15 min per user.
const ACCOUNTS: usize = 10;

pub(super) struct Sandboxes {
    pub(super) airtable: AirtableSandbox,
    pub(super) x: XSandbox,
    pub(super) facebook: FacebookSandbox,
    pub(super) base: Base,
    /// X and Facebook accounts, alternating (X first).
    pub(super) accounts: Vec<String>,
    pub(super) vault_spec: SecretString,
}

pub async fn run(posts: usize, spread_secs: u64, latency: Profile) -> anyhow::Result<bool> {
    println!("schedulo bench scheduler: {posts} posts over {spread_secs} s, then {posts} posts due in one second; sandbox latency {latency}");
    let sb = start_sandboxes().await?;
    sb.set_latency(latency);
    let dir = tempfile::tempdir()?;
    let services = [("X_API_URL", sb.x.url()), ("FACEBOOK_GRAPH_URL", sb.facebook.url())];
    let mut worker = spawn_worker(
        &sb.airtable,
        &sb.base,
        &sb.vault_spec,
        &services,
        "warn",
        dir.path(),
        None,
    )?;
    let pid = worker.id();
    // The worker and this bench are two clients of one base: while one writes at full rate, the
    // other must be quiet, or together they pass 5 requests/s and both wait out a 429.
    wait_quiet(&sb.airtable).await?;
    let idle_rss = rss_kb(pid, "VmRSS");
    let journal = Journal::open(&dir.path().join("journal.sqlite")).await?;

    // Spread: posts over `spread_secs`, starting once they are all in Airtable.
    let start = Utc::now() + chrono::Duration::seconds(30 + posts as i64 / 30);
    let times: Vec<DateTime<Utc>> = (0..posts)
        .map(|i| start + chrono::Duration::milliseconds((i as u64 * spread_secs * 1000 / posts.max(1) as u64) as i64))
        .collect();
    let calls_before = worker_calls(&sb.airtable).await?;
    create_posts(&sb, &times, "spread").await?;
    nudge(dir.path()).await?;
    wait_published(
        &journal,
        posts as u64,
        start + chrono::Duration::seconds(spread_secs as i64 + 120),
    )
    .await?;
    let lags = lags_ms(&journal).await?;
    let (p50, p99, max) = percentiles(&lags);
    println!("  lag after ScheduledTime, {} posts over {spread_secs} s: p50 {p50} ms, p99 {p99} ms, max {max} ms (target p99 <= 1000)", lags.len());
    let mut met = p99 <= 1000;

    // Burst: every post due in the same second.
    wait_quiet(&sb.airtable).await?;
    let due = Utc::now() + chrono::Duration::seconds(30 + posts as i64 / 30);
    create_posts(&sb, &vec![due; posts], "burst").await?;
    nudge(dir.path()).await?;
    wait_published(&journal, 2 * posts as u64, due + chrono::Duration::seconds(600)).await?;
    wait_outbox_empty(&journal).await?;
    let took = (Utc::now() - due).num_milliseconds() as f64 / 1000.0;
    let floor = (posts.div_ceil(10)) as f64 / 5.0;
    println!("  {posts} posts due in one second: every status in Airtable after {took:.1} s (floor {floor:.1} s: {} writes at 5 requests/s)", posts.div_ceil(10));
    let calls = worker_calls(&sb.airtable).await? - calls_before;
    let per_post = calls as f64 / (2 * posts) as f64;
    println!(
        "  Airtable calls: {calls} for {} published posts = {per_post:.3} per post (target <= 1.2)",
        2 * posts
    );
    met &= per_post <= 1.2;
    let peak_rss = rss_kb(pid, "VmHWM");
    let _ = worker.kill();
    let _ = worker.wait();
    println!(
        "  worker resident memory: idle {:.1} MB, peak {:.1} MB (target <= 30 MB idle)",
        idle_rss as f64 / 1024.0,
        peak_rss as f64 / 1024.0
    );
    met &= idle_rss <= 30 * 1024;
    sb.airtable.shutdown().await;
    sb.x.shutdown().await;
    sb.facebook.shutdown().await;
    Ok(met)
}

impl Sandboxes {
    /// Gives every stand-in `latency` (the set-up ran without it).
    pub(super) fn set_latency(&self, latency: Profile) {
        self.airtable.set_latency(latency);
        self.x.set_latency(latency);
        self.facebook.set_latency(latency);
    }
}

pub(super) async fn start_sandboxes() -> anyhow::Result<Sandboxes> {
    let (airtable, base, vault_spec) = start_base().await?;
    let users = (0..ACCOUNTS)
        .map(|i| XSandboxUser {
            token: format!("x-bench-{i}"),
            id: format!("15000000000000{i:05}"),
            username: format!("bench{i}"),
        })
        .collect();
    let x = XSandbox::start(XSandboxOptions {
        data_dir: None,
        listen: "127.0.0.1:0".parse()?,
        users,
        limits: Default::default(),
    })
    .await?;
    let pages = (0..ACCOUNTS)
        .map(|i| FacebookSandboxPage {
            token: format!("fb-bench-{i}"),
            id: format!("1000000000{i:05}"),
            name: format!("Page {i}"),
        })
        .collect();
    let facebook = FacebookSandbox::start(FacebookSandboxOptions {
        calls_per_hour: 1_000_000,
        ..FacebookSandboxOptions::new(pages)
    })
    .await?;
    let vault = Vault::from_spec(&vault_spec)?;
    let mut rows = Vec::new();
    for i in 0..ACCOUNTS {
        rows.push(json!({ accounts::ACCOUNT_ID: format!("15000000000000{i:05}"), accounts::PLATFORM: "Twitter", accounts::ACCOUNT_NAME: format!("@bench{i}") }));
        rows.push(json!({ accounts::ACCOUNT_ID: format!("1000000000{i:05}"), accounts::PLATFORM: "Facebook", accounts::ACCOUNT_NAME: format!("Page {i}") }));
    }
    let created = base
        .create(accounts::TABLE, rows.into_iter().map(object).collect(), false)
        .await?;
    let mut tokens = Vec::new();
    for (n, record) in created.iter().enumerate() {
        let (i, platform) = (n / 2, if n % 2 == 0 { "x" } else { "fb" });
        let sealed = vault.encrypt(&record.id, &SecretString::from(format!("{platform}-bench-{i}")));
        tokens.push((record.id.clone(), object(json!({ accounts::ACCESS_TOKEN: sealed }))));
    }
    base.update(accounts::TABLE, tokens, false).await?;
    let accounts = created.into_iter().map(|r| r.id).collect();
    Ok(Sandboxes {
        airtable,
        x,
        facebook,
        base,
        accounts,
        vault_spec,
    })
}

/// The sandbox Airtable at its real limits (the bench's token and the worker's), a base with the
/// built-in schema applied, and a new vault spec for the accounts' tokens.
pub(super) async fn start_base() -> anyhow::Result<(AirtableSandbox, Base, SecretString)> {
    let airtable = AirtableSandbox::start(SandboxOptions {
        listen: "127.0.0.1:0".parse()?,
        data_dir: None,
        tokens: vec![BENCH_TOKEN.into(), WORKER_TOKEN.into()],
        tables: crate::demo::sandbox_tables(&Schema::builtin()),
        limits: SandboxLimits::default(),
    })
    .await?;
    let base_id = airtable.create_base("bench");
    let client = AirtableClient::new(ClientOptions::new(
        airtable.url().parse()?,
        SecretString::from(BENCH_TOKEN),
    ))?;
    let base = client.base(&base_id);
    let plan = schema::plan(&Schema::builtin(), &base.tables().await?);
    schema::apply::execute(&base, &plan).await?;
    Ok((airtable, base, Vault::generate_spec("bench")))
}

pub(super) fn object(v: Value) -> Fields {
    v.as_object().cloned().unwrap_or_default()
}

/// Starts the real `schedulo run` in `dir` (its journal, `listen` and `worker.log` go there),
/// pointed at the sandbox Airtable and at `services` (e.g. `("X_API_URL", url)`), logging at `log`,
/// listening on `listen` (a free loopback port when `None`).
pub(super) fn spawn_worker(
    airtable: &AirtableSandbox,
    base: &Base,
    vault_spec: &SecretString,
    services: &[(&str, String)],
    log: &str,
    dir: &Path,
    listen: Option<std::net::SocketAddr>,
) -> anyhow::Result<std::process::Child> {
    let listen = match listen {
        Some(addr) => addr,
        None => std::net::TcpListener::bind("127.0.0.1:0")?.local_addr()?,
    };
    std::fs::write(dir.join("listen"), listen.to_string())?;
    std::process::Command::new(std::env::current_exe()?)
        .arg("run")
        .current_dir(dir)
        .env_clear()
        .env("AIRTABLE_API_URL", airtable.url())
        .env("AIRTABLE_BASE_ID", base.id())
        .env("AIRTABLE_TOKEN", WORKER_TOKEN)
        .envs(services.iter().map(|(k, v)| (k, v)))
        .env("SCHEDULO_VAULT_KEYS", vault_spec.expose_secret())
        .env("SCHEDULO_WEBHOOK_TOKEN", WEBHOOK_TOKEN)
        .env("SCHEDULO_ADMIN_LISTEN", "off")
        .env("SCHEDULO_LISTEN", listen.to_string())
        .env("SCHEDULO_DATA_DIR", dir)
        .env("SCHEDULO_LOG", log)
        .stdout(std::process::Stdio::null())
        .stderr(std::fs::File::create(dir.join("worker.log"))?)
        .spawn()
        .context("Failed to start the worker")
}

/// Waits until the worker has made its start-up calls and then none for 3 s.
pub(super) async fn wait_quiet(airtable: &AirtableSandbox) -> anyhow::Result<()> {
    let mut last = worker_calls(airtable).await?;
    let mut quiet = 0;
    while quiet < 6 || last < 2 {
        tokio::time::sleep(Duration::from_millis(500)).await;
        let now = worker_calls(airtable).await?;
        quiet = if now == last { quiet + 1 } else { 0 };
        last = now;
    }
    Ok(())
}

/// Tells the worker, through its Bubble webhook, that the schedule changed.
pub(super) async fn nudge(dir: &Path) -> anyhow::Result<()> {
    let listen = std::fs::read_to_string(dir.join("listen"))?;
    for _ in 0..50 {
        let sent = reqwest::Client::new()
            .post(format!("http://{listen}/webhooks/bubble"))
            .bearer_auth(WEBHOOK_TOKEN)
            .json(&json!({"event": "schedule.changed"}))
            .send()
            .await;
        if matches!(&sent, Ok(r) if r.status().is_success()) {
            return Ok(());
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    anyhow::bail!("the worker does not answer its webhook")
}

async fn create_posts(sb: &Sandboxes, times: &[DateTime<Utc>], label: &str) -> anyhow::Result<()> {
    let rows = times
        .iter()
        .enumerate()
        .map(|(i, t)| {
            object(json!({
                posts::POST_ID: format!("{label}-{i}"),
                posts::ACCOUNT: [sb.accounts[i % sb.accounts.len()]],
                posts::SCHEDULED_TIME: t.to_rfc3339_opts(chrono::SecondsFormat::Millis, true),
                posts::CAPTION: format!("{label} post {i}"),
                posts::STATUS: "Scheduled",
            }))
        })
        .collect();
    sb.base.create(posts::TABLE, rows, false).await?;
    Ok(())
}

/// Waits until `n` posts of the journal are settled (published, failed or in review).
pub(super) async fn wait_published(journal: &Journal, n: u64, deadline: DateTime<Utc>) -> anyhow::Result<()> {
    loop {
        let counts = journal.counts_by_state().await?;
        let settled: u64 = counts
            .iter()
            .filter(|(s, _)| matches!(s, PostState::Published | PostState::Failed | PostState::Review))
            .map(|(_, n)| n)
            .sum();
        if settled >= n {
            return Ok(());
        }
        anyhow::ensure!(
            Utc::now() < deadline,
            "only {settled} of {n} posts settled in time: {counts:?}"
        );
        tokio::time::sleep(Duration::from_millis(250)).await;
    }
}

async fn wait_outbox_empty(journal: &Journal) -> anyhow::Result<()> {
    while journal.outbox_len().await? > 0 {
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    Ok(())
}

async fn lags_ms(journal: &Journal) -> anyhow::Result<Vec<i64>> {
    let mut lags = journal.publish_lags_ms().await?;
    lags.sort_unstable();
    Ok(lags)
}

/// p50, p99 and max of sorted figures (0 for none).
pub(super) fn percentiles(sorted: &[i64]) -> (i64, i64, i64) {
    let at = |q: f64| {
        sorted
            .get(((sorted.len() as f64 - 1.0) * q).round() as usize)
            .copied()
            .unwrap_or(0)
    };
    (at(0.5), at(0.99), sorted.last().copied().unwrap_or(0))
}

/// Airtable calls the worker's token has made, as the sandbox counts them.
pub(super) async fn worker_calls(airtable: &AirtableSandbox) -> anyhow::Result<u64> {
    let body: Value = reqwest::Client::new()
        .get(format!("{}/_sandbox/counters", airtable.url()))
        .bearer_auth(BENCH_TOKEN)
        .send()
        .await?
        .json()
        .await?;
    Ok(body["tokens"]["token2"]["requests"].as_u64().unwrap_or(0))
}

/// A figure from `/proc/<pid>/status`, in kB (0 where there is no /proc).
pub(super) fn rss_kb(pid: u32, field: &str) -> u64 {
    std::fs::read_to_string(format!("/proc/{pid}/status"))
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with(field))
                .and_then(|l| l.split_whitespace().nth(1)?.parse().ok())
        })
        .unwrap_or(0)
}
