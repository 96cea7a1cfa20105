//! The worker's status, read from the journal: posts by state, media jobs by state, what waits
//! (and why), the outbox's length, the next post due and the unresolved intents.
//!
//! One JSON shape with two readers: `schedulo status` ([`crate::commands`]) prints it and the server
//! serves it at `/status` ([`crate::server`]). It sits beside [`crate::journal`] (its only source)
//! and below both readers, so neither imports the other for it; the journal itself stays a store
//! with no presentation in it.

use crate::journal::{Journal, PostState};
use serde_json::{json, Value};

/// The status as JSON: what `schedulo status` prints and `/status` serves.
pub async fn report(journal: &Journal) -> anyhow::Result<Value> {
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
                "next_attempt": if r.state == PostState::Retrying { Some(r.due_at) } else { None },
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
