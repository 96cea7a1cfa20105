//! `schedulo bench freshness`: how soon the worker acts on a change made in Airtable's grid, and
//! what the confirm read costs. The sandboxes run in this process (Airtable at its real limits,
//! every request answered after the sandbox's latency, `--latency realistic` by default); the
//! worker is the real `schedulo run`, a child process. Figures:
//! - time from a change in the base (a post added, a caption edited) to the worker holding it in
//!   its journal, p50 and p99, polled (the re-read interval the plan allows) and, when the
//!   webhook mode runs, with Airtable's webhook;
//! - publish lag after `ScheduledTime` with the confirm read in place (target p99 <= 1 s);
//! - Airtable calls per published post.

use super::scheduler::{
    object, percentiles, spawn_worker, start_sandboxes, wait_published, wait_quiet, worker_calls, Sandboxes,
};
use crate::base::names::posts;
use crate::journal::Journal;
use chrono::{DateTime, Utc};
use schedulo_sandbox::latency::Profile;
use serde_json::json;
use std::time::Duration;

/// How the worker learns of changes in a run.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Mode {
    /// Re-reading the schedule on its interval, nothing else.
    Polled,
    /// Airtable's webhook, created by the worker on its `SCHEDULO_PUBLIC_URL`.
    Webhook,
}

pub async fn run(changes: usize, posts: usize, latency: Profile) -> anyhow::Result<bool> {
    println!("schedulo bench freshness: {changes} changes in the base, then {posts} posts; sandbox latency {latency}");
    let mut met = true;
    for mode in [Mode::Polled, Mode::Webhook] {
        met &= run_mode(mode, changes, posts, latency).await?;
    }
    Ok(met)
}

async fn run_mode(mode: Mode, changes: usize, posts: usize, latency: Profile) -> anyhow::Result<bool> {
    let sb = start_sandboxes().await?;
    sb.set_latency(latency);
    let dir = tempfile::tempdir()?;
    let listen = std::net::TcpListener::bind("127.0.0.1:0")?.local_addr()?;
    let public = format!("http://{listen}");
    let mut services = vec![("X_API_URL", sb.x.url()), ("FACEBOOK_GRAPH_URL", sb.facebook.url())];
    if mode == Mode::Webhook {
        services.push(("SCHEDULO_PUBLIC_URL", public));
    }
    let mut worker = spawn_worker(
        &sb.airtable,
        &sb.base,
        &sb.vault_spec,
        &services,
        "warn",
        dir.path(),
        Some(listen),
    )?;
    wait_quiet(&sb.airtable).await?;
    let journal = Journal::open(&dir.path().join("journal.sqlite")).await?;

    measure_changes(&sb, &journal, mode, changes).await?;

    // Publish lag with the confirm read: posts a few seconds apart, each read again before it goes.
    // The first is due after the worker has surely read them (a nudged re-read waits up to 30 s
    // after the last one, and the interval is about a minute), so that the lag is the confirm
    // read's, not the time it took to hear of the posts.
    wait_quiet(&sb.airtable).await?;
    let calls_before = worker_calls(&sb.airtable).await?;
    let start = Utc::now() + chrono::Duration::seconds(90);
    let rows: Vec<_> = (0..posts)
        .map(|i| {
            let at = start + chrono::Duration::milliseconds(i as i64 * 1500);
            object(json!({
                posts::POST_ID: format!("lag-{i}"),
                posts::ACCOUNT: [sb.accounts[(i * 2) % sb.accounts.len()]],
                posts::SCHEDULED_TIME: at.to_rfc3339_opts(chrono::SecondsFormat::Millis, true),
                posts::CAPTION: format!("lag post {i}"),
                posts::STATUS: "Scheduled",
            }))
        })
        .collect();
    for chunk in rows.chunks(10) {
        sb.base.create(posts::TABLE, chunk.to_vec(), false).await?;
    }
    super::scheduler::nudge(dir.path()).await?;
    let deadline = start + chrono::Duration::seconds(posts as i64 * 2 + 180);
    wait_published(&journal, posts as u64, deadline).await?;
    let mut lags = journal.publish_lags_ms().await?;
    lags.sort_unstable();
    let (p50, p99, max) = percentiles(&lags);
    let calls = worker_calls(&sb.airtable).await? - calls_before;
    println!(
        "  {mode:?}: publish lag with the confirm read, {} posts: p50 {p50} ms, p99 {p99} ms, max {max} ms (target p99 <= 1000); Airtable calls {calls} = {:.2} per post",
        lags.len(),
        calls as f64 / posts.max(1) as f64
    );
    let _ = worker.kill();
    let _ = worker.wait();
    shutdown(sb).await;
    Ok(p99 <= 1000)
}

/// Changes: each one a post added (due in an hour) or the caption of the last one edited, at
/// moments that do not line up with the worker's interval; prints how long the worker took to
/// hold each.
async fn measure_changes(sb: &Sandboxes, journal: &Journal, mode: Mode, changes: usize) -> anyhow::Result<()> {
    let mut seen_after = Vec::with_capacity(changes);
    let mut last: Option<String> = None;
    for i in 0..changes {
        tokio::time::sleep(Duration::from_millis(3_000 + rand::random::<u64>() % 7_000)).await;
        let (id, changed_at, before) = match (&last, i % 2) {
            (Some(id), 1) => {
                let before = journal.get(id).await?.map(|r| r.fingerprint);
                let fields = object(json!({ posts::CAPTION: format!("edited {i}") }));
                sb.base.update(posts::TABLE, vec![(id.clone(), fields)], false).await?;
                (id.clone(), Utc::now(), before)
            }
            _ => {
                let due = Utc::now() + chrono::Duration::hours(1);
                let row = object(json!({
                    posts::POST_ID: format!("fresh-{i}"),
                    posts::ACCOUNT: [sb.accounts[0]],
                    posts::SCHEDULED_TIME: due.to_rfc3339_opts(chrono::SecondsFormat::Millis, true),
                    posts::CAPTION: format!("added {i}"),
                    posts::STATUS: "Scheduled",
                }));
                let id = sb.base.create(posts::TABLE, vec![row], false).await?.remove(0).id;
                last = Some(id.clone());
                (id, Utc::now(), None)
            }
        };
        let seen = seen(
            journal,
            &id,
            before.as_deref(),
            changed_at + chrono::Duration::minutes(70),
        )
        .await?;
        seen_after.push((seen - changed_at).num_milliseconds().max(0));
    }
    seen_after.sort_unstable();
    let (p50, p99, max) = percentiles(&seen_after);
    println!(
        "  {mode:?}: change in the base to the worker holding it: p50 {p50} ms, p99 {p99} ms, max {max} ms over {changes} changes"
    );
    Ok(())
}

/// When the worker's journal first held the change: the post, or its new fingerprint.
async fn seen(
    journal: &Journal,
    id: &str,
    before: Option<&str>,
    deadline: DateTime<Utc>,
) -> anyhow::Result<DateTime<Utc>> {
    loop {
        if let Some(row) = journal.get(id).await? {
            if before.is_none_or(|b| b != row.fingerprint) {
                return Ok(if before.is_some() {
                    row.updated_at
                } else {
                    row.created_at
                });
            }
        }
        anyhow::ensure!(Utc::now() < deadline, "the worker never saw the change to {id}");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

async fn shutdown(sb: Sandboxes) {
    sb.airtable.shutdown().await;
    sb.x.shutdown().await;
    sb.facebook.shutdown().await;
}
