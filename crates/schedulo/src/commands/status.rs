//! `schedulo status`: what is scheduled, published, failed, and waiting in the outbox, from the journal.

use crate::config::Config;
use crate::journal::Journal;
use serde_json::{json, Value};
use std::process::ExitCode;

/// The status as JSON (also served at `/status`).
pub async fn status_report(journal: &Journal) -> anyhow::Result<Value> {
    let mut posts = serde_json::Map::new();
    for (state, n) in journal.counts_by_state().await? {
        posts.insert(state.to_string(), json!(n));
    }
    let next = journal.next_due().await?;
    let unresolved: Vec<Value> = journal
        .unresolved_intents()
        .await?
        .into_iter()
        .map(|r| json!({"record": r.record_id, "state": r.state.to_string(), "since": r.updated_at}))
        .collect();
    let waiting: Vec<Value> = journal
        .waiting(50)
        .await?
        .into_iter()
        .map(|r| {
            json!({
                "record": r.record_id,
                "post": r.post_id,
                "platform": r.platform,
                "state": r.state.to_string(),
                "next_attempt": if r.state == crate::journal::PostState::Retrying { Some(r.due_at) } else { None },
                "attempts": r.attempts,
                "reason": r.last_error,
            })
        })
        .collect();
    let mut media = serde_json::Map::new();
    for (state, n) in journal.media_counts().await? {
        media.insert(state, json!(n));
    }
    Ok(json!({
        "posts": posts,
        "media_jobs": media,
        "waiting": waiting,
        "outbox": journal.outbox_len().await?,
        "next_due": next.map(|(id, at)| json!({"record": id, "at": at})),
        "unresolved": unresolved,
    }))
}

pub async fn status(config: Config) -> anyhow::Result<ExitCode> {
    let path = config.journal_file();
    if !path.exists() {
        println!("No journal at {}: the worker has not run here yet.", path.display());
        return Ok(ExitCode::SUCCESS);
    }
    let journal = Journal::open(&path).await?;
    let report = status_report(&journal).await?;
    println!("Journal {}:", path.display());
    println!("  posts by state:");
    if let Some(posts) = report["posts"].as_object() {
        for (state, n) in posts {
            println!("    {state:<10} {n}");
        }
    }
    if let Some(media) = report["media_jobs"].as_object().filter(|m| !m.is_empty()) {
        println!("  media jobs by state:");
        for (state, n) in media {
            println!("    {state:<10} {n}");
        }
    }
    println!("  waiting in the outbox: {} status write(s)", report["outbox"]);
    match report["next_due"].as_object() {
        Some(next) => println!(
            "  next due: {} at {}",
            next["record"].as_str().unwrap_or("?"),
            next["at"]
        ),
        None => println!("  next due: nothing scheduled"),
    }
    let waiting = report["waiting"].as_array().cloned().unwrap_or_default();
    if !waiting.is_empty() {
        println!("  waiting (newest first):");
        for w in waiting {
            let name = w["post"].as_str().or(w["record"].as_str()).unwrap_or("?");
            let when = w["next_attempt"]
                .as_str()
                .map(|t| format!(", next attempt {t}"))
                .unwrap_or_default();
            let reason = w["reason"].as_str().map(|r| format!(": {r}")).unwrap_or_default();
            println!(
                "    {name} on {} is {}{when} (attempts {}){reason}",
                w["platform"].as_str().unwrap_or("?"),
                w["state"].as_str().unwrap_or("?"),
                w["attempts"]
            );
        }
    }
    Ok(ExitCode::SUCCESS)
}
