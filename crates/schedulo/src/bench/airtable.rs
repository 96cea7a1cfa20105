//! `schedulo bench airtable`: what the client spends and how close it runs to Airtable's limit.
//!
//! Against an in-process sandbox with Airtable's limits (5 requests/s per base, 30 s lock-out):
//! calls to read N records (floor: ceil(N/100)), calls to write N records and N changes (floor:
//! ceil(N/10)), and a sustained run of concurrent callers: the rate achieved as a fraction of
//! 5 requests/s, and the 429s the sandbox served (target: none).

use crate::airtable::{AirtableClient, ClientOptions, Fields, ListQuery};
use crate::base::names::error_log;
use crate::schema::{self, Schema};
use anyhow::Context;
use schedulo_sandbox::airtable::{AirtableSandbox, SandboxLimits, SandboxOptions};
use secrecy::SecretString;
use serde_json::{json, Value};
use std::time::{Duration, Instant};

const TOKEN: &str = "patBench.0000000000000000";
/// Concurrent callers in the sustained run: more than the limit allows, so pacing is what holds them.
const CALLERS: usize = 8;

/// Runs the benchmark; returns whether every target was met (calls at their floor, rate at least
/// 0.95 of the limit, no 429).
pub async fn run(records: usize, seconds: u64) -> anyhow::Result<bool> {
    let sandbox = AirtableSandbox::start(SandboxOptions {
        listen: "127.0.0.1:0".parse()?,
        data_dir: None,
        tokens: vec![TOKEN.into()],
        tables: crate::demo::sandbox_tables(&Schema::builtin()),
        limits: SandboxLimits::default(),
    })
    .await?;
    let base_id = sandbox.create_base("bench");
    let client = AirtableClient::new(ClientOptions::new(sandbox.url().parse()?, SecretString::from(TOKEN)))?;
    let base = client.base(&base_id);
    let plan = schema::plan(&Schema::builtin(), &base.tables().await?);
    schema::apply::execute(&base, &plan)
        .await
        .context("Failed to apply the schema to the bench base")?;
    let calls = || client.usage().this_month(&base_id);

    println!("schedulo bench airtable: {records} records, sustained run of {seconds} s, sandbox at Airtable's limits, latency off");
    let rows: Vec<Fields> = (0..records)
        .map(|i| {
            let mut f = Fields::new();
            f.insert(error_log::ERROR_ID.into(), json!(format!("E-{i:05}")));
            f.insert(error_log::MESSAGE.into(), json!(format!("bench row {i}")));
            f
        })
        .collect();
    let before = calls();
    let started = Instant::now();
    let created = base.create(error_log::TABLE, rows, false).await?;
    let mut met = report(
        "create",
        records,
        calls() - before,
        records.div_ceil(10),
        started.elapsed(),
    );

    let before = calls();
    let started = Instant::now();
    let read = base.list(error_log::TABLE, &ListQuery::default()).await?;
    anyhow::ensure!(read.len() == records, "read {} records, expected {records}", read.len());
    met &= report(
        "read",
        records,
        calls() - before,
        records.div_ceil(100),
        started.elapsed(),
    );

    let changes: Vec<(String, Fields)> = created
        .iter()
        .map(|r| {
            let mut f = Fields::new();
            f.insert(error_log::DETAILS.into(), json!("changed"));
            (r.id.clone(), f)
        })
        .collect();
    let before = calls();
    let started = Instant::now();
    base.update(error_log::TABLE, changes, false).await?;
    met &= report(
        "update",
        records,
        calls() - before,
        records.div_ceil(10),
        started.elapsed(),
    );

    met &= sustained(&sandbox, &base, seconds).await?;
    sandbox.shutdown().await;
    println!("{}", if met { "all targets met" } else { "TARGET MISSED" });
    Ok(met)
}

/// Prints one line of figures; returns whether the calls were at their floor.
fn report(what: &str, n: usize, calls: u64, floor: usize, took: Duration) -> bool {
    println!(
        "  {what:<7} {n:>6} records: {calls:>5} calls (floor {floor}), {:.1} s",
        took.as_secs_f64()
    );
    calls == floor as u64
}

/// The share of the 5 requests/s limit the sustained run must reach.
const RATE_TARGET: f64 = 0.95;

/// Runs concurrent callers for `seconds`; returns whether the rate reached the target with no 429.
async fn sustained(sandbox: &AirtableSandbox, base: &crate::airtable::Base, seconds: u64) -> anyhow::Result<bool> {
    let (requests_before, limited_before) = counters(sandbox, base.id()).await?;
    let deadline = tokio::time::Instant::now() + Duration::from_secs(seconds);
    let bar = indicatif::ProgressBar::new(seconds);
    bar.set_style(
        indicatif::ProgressStyle::with_template("  sustained run [{bar:30}] {pos}/{len} s")
            .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar()),
    );
    let ticker = {
        let bar = bar.clone();
        tokio::spawn(async move {
            let mut tick = tokio::time::interval(Duration::from_secs(1));
            loop {
                tick.tick().await;
                bar.inc(1);
            }
        })
    };
    let started = Instant::now();
    let mut tasks = Vec::new();
    for _ in 0..CALLERS {
        let base = base.clone();
        tasks.push(tokio::spawn(async move {
            let query = ListQuery {
                page_size: Some(1),
                max_records: Some(1),
                ..ListQuery::default()
            };
            let mut done = 0u64;
            while tokio::time::Instant::now() < deadline {
                if base.list_page(error_log::TABLE, &query, None).await.is_ok() {
                    done += 1;
                }
            }
            done
        }));
    }
    let mut completed = 0;
    for t in tasks {
        completed += t.await?;
    }
    let elapsed = started.elapsed().as_secs_f64();
    ticker.abort();
    bar.finish_and_clear();
    let (requests_after, limited_after) = counters(sandbox, base.id()).await?;
    let rate = completed as f64 / elapsed;
    println!(
        "  sustained: {CALLERS} callers, {completed} calls in {elapsed:.1} s = {rate:.2} requests/s = {:.3} of the 5 requests/s limit; \
         sandbox saw {} requests, served {} 429s",
        rate / 5.0,
        requests_after - requests_before,
        limited_after - limited_before
    );
    // A run of a few seconds cannot reach the rate: its first and last gaps weigh too much.
    let rate_met = seconds < 20 || rate / 5.0 >= RATE_TARGET;
    Ok(rate_met && limited_after == limited_before)
}

/// The sandbox's request and 429 counters for a base, read over its admin path.
async fn counters(sandbox: &AirtableSandbox, base_id: &str) -> anyhow::Result<(u64, u64)> {
    let body: Value = reqwest::Client::new()
        .get(format!("{}/_sandbox/counters", sandbox.url()))
        .bearer_auth(TOKEN)
        .send()
        .await?
        .error_for_status()?
        .json()
        .await?;
    let b = &body["bases"][base_id];
    Ok((
        b["requests"].as_u64().unwrap_or(0),
        b["rate_limited"].as_u64().unwrap_or(0),
    ))
}
