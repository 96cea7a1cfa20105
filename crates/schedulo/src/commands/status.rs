//! `schedulo status`: prints what is scheduled, published, failed, and waiting in the outbox; the
//! report itself is [`crate::status::report`] (also served at `/status` on the operator's loopback listener).

use crate::config::Config;
use crate::journal::Journal;
use std::process::ExitCode;

pub async fn status(config: Config) -> anyhow::Result<ExitCode> {
    let path = config.journal_file();
    if !path.exists() {
        println!("No journal at {}: the worker has not run here yet.", path.display());
        return Ok(ExitCode::SUCCESS);
    }
    let journal = Journal::open(&path).await?;
    let report = crate::status::report(&journal).await?;
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
