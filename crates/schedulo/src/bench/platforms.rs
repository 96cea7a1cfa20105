//! `schedulo bench platforms`: Instagram and TikTok posts through the real worker, measured from
//! outside.
//!
//! As in [`super::scheduler`], the sandboxes run in this process and the worker is the real
//! `schedulo run`, a child process pointed at them. Figures:
//! - Instagram: publish lag after `ScheduledTime` (p50, p99, max) for image posts whose containers
//!   take `container_secs` to process in the Graph sandbox. Target p99 <= 1 s: the worker makes
//!   the containers ahead (`prepare_lead_secs` in `scenarios/post-scheduler.toml`), so that at the
//!   due second only `media_publish` remains. Read from the worker's journal, and split there into
//!   the wait from `ScheduledTime` to the worker's claim (its loop) and from the claim to
//!   publication (the calls).
//! - TikTok: from the due time to TikTok's `init` call (p50, p99, max), as the sandbox TikTok saw
//!   the call arrive; matched to its post by the post's number in the caption. No target: nothing
//!   is prepared ahead for TikTok (`creator_info` and the video's download come first).
//! - The worker's resident memory at peak.
//!
//! # Accounts and limits
//! The sandboxes keep the vendors' limits. Instagram: one account per 25 posts (at least
//! [`IG_ACCOUNTS`]), under Meta's 50 posts a day. TikTok: one creator per
//! [`POSTS_PER_CREATOR`] posts, under TikTok's 6 `init` calls a minute per token and 15 posts a
//! day per creator, whatever the spread.
//!
//! The worker logs at `info` into a temporary directory, kept (and named) when the target is
//! missed or the run fails, so that the reason can be read.

use super::scheduler::{nudge, object, percentiles, rss_kb, spawn_worker, start_base, wait_published, wait_quiet};
use crate::airtable::Base;
use crate::base::names::{accounts, media, posts};
use crate::journal::Journal;
use crate::vault::Vault;
use chrono::{DateTime, Utc};
use schedulo_sandbox::facebook::{FacebookSandbox, FacebookSandboxOptions, InstagramSandboxUser};
use schedulo_sandbox::tiktok::{TikTokSandbox, TikTokSandboxCreator, TikTokSandboxOptions};
use schedulo_sandbox::x::{XSandbox, XSandboxOptions};
use secrecy::SecretString;
use serde_json::json;
use std::collections::HashMap;
use std::path::Path;

/// Instagram accounts at least (posts go round them).
const IG_ACCOUNTS: usize = 10;
/// Instagram posts per account at most (Meta allows 50 a day).
const POSTS_PER_IG_ACCOUNT: usize = 25;
/// TikTok posts per creator (TikTok: 6 `init` a minute per token, 15 posts a day per creator).
const POSTS_PER_CREATOR: usize = 2;
/// The Instagram posts' image and the TikTok posts' video (served by the sandbox X).
const IMAGE: &str = "image-1080x1080.jpg";
const VIDEO: &str = "video-1080x1920-12s.mp4";
/// Seconds after the last post is due by which every post must be settled.
const SETTLE_SECS: i64 = 300;

/// The sandboxes, the base, and the accounts' record ids.
struct Sandboxes {
    airtable: schedulo_sandbox::airtable::AirtableSandbox,
    x: XSandbox,
    graph: FacebookSandbox,
    tiktok: TikTokSandbox,
    base: Base,
    vault_spec: SecretString,
    /// Record ids of the Instagram accounts, then of the TikTok creators.
    instagram: Vec<String>,
    tiktok_accounts: Vec<String>,
    /// Instagram user ids, to count their containers.
    ig_user_ids: Vec<String>,
}

/// The worker child, killed when dropped (a bench that stops on an error leaves nothing running).
struct Worker(std::process::Child);

impl Drop for Worker {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

pub async fn run(posts: usize, spread_secs: u64, container_secs: f64) -> anyhow::Result<bool> {
    println!(
        "schedulo bench platforms: {posts} Instagram and {posts} TikTok posts over {spread_secs} s; \
         Instagram containers take {container_secs} s to process; sandbox latency off"
    );
    let sb = start_sandboxes(posts, container_secs).await?;
    let dir = tempfile::Builder::new().prefix("schedulo-bench-").tempdir()?;
    let outcome = measure(&sb, dir.path(), posts, spread_secs, container_secs).await;
    sb.airtable.shutdown().await;
    sb.x.shutdown().await;
    sb.graph.shutdown().await;
    sb.tiktok.shutdown().await;
    match outcome {
        Ok(true) => Ok(true),
        Ok(false) => {
            let kept = dir.keep();
            println!("  worker log kept: {}", kept.join("worker.log").display());
            Ok(false)
        }
        Err(e) => {
            let kept = dir.keep();
            Err(e.context(format!("the worker log is kept: {}", kept.join("worker.log").display())))
        }
    }
}

async fn measure(sb: &Sandboxes, dir: &Path, n: usize, spread_secs: u64, container_secs: f64) -> anyhow::Result<bool> {
    let services = [
        ("X_API_URL", sb.x.url()),
        ("FACEBOOK_GRAPH_URL", sb.graph.url()),
        ("TIKTOK_API_URL", sb.tiktok.url()),
    ];
    // The setup's writes have just used the base's 5 requests a second: a worker starting in the
    // same second would meet a 429 and hold the base for 30 s, as Airtable makes it.
    tokio::time::sleep(std::time::Duration::from_millis(1100)).await;
    let mut worker = Worker(spawn_worker(
        &sb.airtable,
        &sb.base,
        &sb.vault_spec,
        &services,
        "info",
        dir,
        None,
    )?);
    let pid = worker.0.id();
    wait_quiet(&sb.airtable).await?;
    let journal = Journal::open(&dir.join("journal.sqlite")).await?;

    // Far enough ahead that the worker reads the posts (a nudge within 30 s of its last read
    // waits for the 30 s to pass) and their containers are processed, with 30 s to spare.
    let lead = container_secs.ceil() as i64 + 90 + n as i64 / 30;
    let start = Utc::now() + chrono::Duration::seconds(lead);
    let step_ms = spread_secs as f64 * 1000.0 / n.max(1) as f64;
    let at = |i: usize, offset: f64| start + chrono::Duration::milliseconds(((i as f64 + offset) * step_ms) as i64);
    let ig_times: Vec<DateTime<Utc>> = (0..n).map(|i| at(i, 0.0)).collect();
    let tt_times: Vec<DateTime<Utc>> = (0..n).map(|i| at(i, 0.5)).collect();
    let ig_records = create_posts(sb, &ig_times, &tt_times).await?;
    nudge(dir).await?;
    let last = tt_times.last().copied().unwrap_or(start);
    wait_published(&journal, 2 * n as u64, last + chrono::Duration::seconds(SETTLE_SECS)).await?;

    let mut ig = journal.publish_lags_ms_on("Instagram").await?;
    ig.sort_unstable();
    let (p50, p99, max) = percentiles(&ig);
    println!(
        "  Instagram, lag after ScheduledTime, {} of {n} published: p50 {p50} ms, p99 {p99} ms, max {max} ms (target p99 <= 1000)",
        ig.len()
    );
    let (waited, call) = claim_split_ms(&journal, &ig_records).await?;
    let ((w50, w99, wmax), (c50, c99, cmax)) = (percentiles(&waited), percentiles(&call));
    println!(
        "    from ScheduledTime to the claim: p50 {w50} ms, p99 {w99} ms, max {wmax} ms; \
         from the claim to published: p50 {c50} ms, p99 {c99} ms, max {cmax} ms"
    );
    let containers: usize = sb.ig_user_ids.iter().map(|id| sb.graph.ig_containers(id).len()).sum();
    println!("  Instagram containers made: {containers} for {n} posts");
    let met = p99 <= 1000 && ig.len() == n;

    let inits = due_to_init_ms(&sb.tiktok, &tt_times);
    let (p50, p99, max) = percentiles(&inits);
    println!(
        "  TikTok, due time to init, {} of {n} posts: p50 {p50} ms, p99 {p99} ms, max {max} ms",
        inits.len()
    );
    let tt_published = journal.publish_lags_ms_on("TikTok").await?.len();
    println!("  TikTok posts published (PUBLISH_COMPLETE read back): {tt_published} of {n}");

    let peak = rss_kb(pid, "VmHWM");
    worker.0.kill()?;
    let _ = worker.0.wait();
    println!("  worker resident memory: peak {:.1} MB", peak as f64 / 1024.0);
    Ok(met)
}

/// For the published posts of `records`: milliseconds from the scheduled time to the worker's
/// claim (intent), and from the claim to publication, each sorted.
async fn claim_split_ms(journal: &Journal, records: &[String]) -> anyhow::Result<(Vec<i64>, Vec<i64>)> {
    let (mut waited, mut call) = (Vec::new(), Vec::new());
    for id in records {
        let Some(row) = journal.get(id).await? else { continue };
        if let (Some(claimed), Some(published)) = (row.intent_at, row.published_at) {
            waited.push((claimed - row.scheduled_at).num_milliseconds());
            call.push((published - claimed).num_milliseconds());
        }
    }
    waited.sort_unstable();
    call.sort_unstable();
    Ok((waited, call))
}

/// For each TikTok post, milliseconds from its due time to the first `init` that carried it
/// (its number is the caption's last word), sorted.
fn due_to_init_ms(tiktok: &TikTokSandbox, due: &[DateTime<Utc>]) -> Vec<i64> {
    let mut first: HashMap<usize, DateTime<Utc>> = HashMap::new();
    for p in tiktok.publishes() {
        let Some(i) = p
            .caption
            .split_whitespace()
            .last()
            .and_then(|w| w.parse::<usize>().ok())
        else {
            continue;
        };
        if i < due.len() {
            let at = first.entry(i).or_insert(p.init_at);
            *at = (*at).min(p.init_at);
        }
    }
    let mut lags: Vec<i64> = first.iter().map(|(i, at)| (*at - due[*i]).num_milliseconds()).collect();
    lags.sort_unstable();
    lags
}

async fn start_sandboxes(n: usize, container_secs: f64) -> anyhow::Result<Sandboxes> {
    let (airtable, base, vault_spec) = start_base().await?;
    let x = XSandbox::start(XSandboxOptions {
        data_dir: None,
        listen: "127.0.0.1:0".parse()?,
        users: Vec::new(),
        limits: Default::default(),
    })
    .await?;
    let ig_users: Vec<InstagramSandboxUser> = (0..n.div_ceil(POSTS_PER_IG_ACCOUNT).max(IG_ACCOUNTS))
        .map(|i| InstagramSandboxUser {
            token: format!("ig-bench-{i}"),
            id: format!("178414000{i:08}"),
            username: format!("bench_ig_{i}"),
        })
        .collect();
    let graph = FacebookSandbox::start(FacebookSandboxOptions {
        calls_per_hour: 1_000_000,
        instagram_users: ig_users.clone(),
        container_processing_secs: container_secs,
        ..FacebookSandboxOptions::new(Vec::new())
    })
    .await?;
    let creators: Vec<TikTokSandboxCreator> = (0..n.div_ceil(POSTS_PER_CREATOR).max(1))
        .map(|i| {
            TikTokSandboxCreator::new(
                &format!("tt-bench-{i}"),
                &format!("-000BenchTikTok{i:016}"),
                &format!("bench_tt_{i}"),
            )
        })
        .collect();
    let tiktok = TikTokSandbox::start(TikTokSandboxOptions {
        data_dir: None,
        listen: "127.0.0.1:0".parse()?,
        creators: creators.clone(),
        limits: Default::default(),
    })
    .await?;
    let vault = Vault::from_spec(&vault_spec)?;
    let ig_accounts: Vec<(String, String, String)> = ig_users
        .iter()
        .map(|u| (u.id.clone(), format!("@{}", u.username), u.token.clone()))
        .collect();
    let instagram = add_accounts(&base, &vault, "Instagram", &ig_accounts).await?;
    let tt_accounts: Vec<(String, String, String)> = creators
        .iter()
        .map(|c| (c.open_id.clone(), format!("@{}", c.username), c.token.clone()))
        .collect();
    let tiktok_accounts = add_accounts(&base, &vault, "TikTok", &tt_accounts).await?;
    Ok(Sandboxes {
        airtable,
        x,
        graph,
        tiktok,
        base,
        vault_spec,
        instagram,
        tiktok_accounts,
        ig_user_ids: ig_users.into_iter().map(|u| u.id).collect(),
    })
}

/// Adds connected accounts (`(AccountID, AccountName, token)`) on `platform`, their tokens sealed
/// by the vault for their record; returns their record ids in order.
async fn add_accounts(
    base: &Base,
    vault: &Vault,
    platform: &str,
    list: &[(String, String, String)],
) -> anyhow::Result<Vec<String>> {
    let rows = list
        .iter()
        .map(|(id, name, _)| {
            object(json!({
                accounts::ACCOUNT_ID: id,
                accounts::PLATFORM: platform,
                accounts::ACCOUNT_NAME: name,
                accounts::STATUS: "Connected",
            }))
        })
        .collect();
    let created = base.create(accounts::TABLE, rows, false).await?;
    let sealed = created
        .iter()
        .zip(list)
        .map(|(record, (_, _, token))| {
            let token = vault.encrypt(&record.id, &SecretString::from(token.clone()));
            (record.id.clone(), object(json!({ accounts::ACCESS_TOKEN: token })))
        })
        .collect();
    base.update(accounts::TABLE, sealed, false).await?;
    Ok(created.into_iter().map(|r| r.id).collect())
}

/// One media record per post (its own URL, as each post has its own file), then the posts:
/// Instagram image posts at `ig_times`, TikTok video posts at `tt_times`, round the accounts.
/// Returns the Instagram posts' record ids.
async fn create_posts(
    sb: &Sandboxes,
    ig_times: &[DateTime<Utc>],
    tt_times: &[DateTime<Utc>],
) -> anyhow::Result<Vec<String>> {
    let media_row = |label: &str, i: usize, kind: &str, file: &str| {
        object(json!({
            media::MEDIA_ID: format!("M-{label}-{i}"),
            media::MEDIA_TYPE: kind,
            media::CLOUDINARY_URL: format!("{}?n={i}", sb.x.file_url(file)),
            media::STATUS: "Ready",
        }))
    };
    let ig_media = sb
        .base
        .create(
            media::TABLE,
            (0..ig_times.len())
                .map(|i| media_row("ig", i, "Image", IMAGE))
                .collect(),
            false,
        )
        .await?;
    let tt_media = sb
        .base
        .create(
            media::TABLE,
            (0..tt_times.len())
                .map(|i| media_row("tt", i, "Video", VIDEO))
                .collect(),
            false,
        )
        .await?;
    let post_row = |label: &str, i: usize, account: &str, media: &str, time: &DateTime<Utc>, caption: String| {
        object(json!({
            posts::POST_ID: format!("{label}-{i}"),
            posts::ACCOUNT: [account],
            posts::MEDIA: [media],
            posts::SCHEDULED_TIME: time.to_rfc3339_opts(chrono::SecondsFormat::Millis, true),
            posts::CAPTION: caption,
            posts::STATUS: "Scheduled",
        }))
    };
    let mut rows = Vec::new();
    for (i, t) in ig_times.iter().enumerate() {
        let account = &sb.instagram[i % sb.instagram.len()];
        rows.push(post_row(
            "ig",
            i,
            account,
            &ig_media[i].id,
            t,
            format!("Instagram bench post {i}"),
        ));
    }
    for (i, t) in tt_times.iter().enumerate() {
        let account = &sb.tiktok_accounts[i % sb.tiktok_accounts.len()];
        rows.push(post_row(
            "tt",
            i,
            account,
            &tt_media[i].id,
            t,
            format!("TikTok bench post {i}"),
        ));
    }
    let created = sb.base.create(posts::TABLE, rows, false).await?;
    Ok(created.into_iter().take(ig_times.len()).map(|r| r.id).collect())
}
