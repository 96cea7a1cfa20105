//! What a batch of webhook payloads means for the scheduler: which posts to read again, and
//! whether anything else changed that needs a read of the whole schedule.
//!
//! - `ScheduledPosts`: each record created, changed or destroyed is named (the scheduler reads
//!   them by id and cancels those gone), except the worker's own outcome writes: a change made
//!   through the API that touched only `Status` (to Posted or Failed), `PostURL` and
//!   `ErrorMessage`. A person's edit in Airtable (`client`) is never skipped, even of those fields.
//! - `SocialAccounts`, `MediaLibrary`: any change asks for a read of the schedule (a post's
//!   account or media is read with it).
//! - Other tables (analytics, error log, users): nothing.
//! - An error payload (Airtable could not say what changed), or a watched table destroyed: a read
//!   of the schedule.

use crate::airtable::webhooks::{ChangedRecord, Payload};
use crate::airtable::TableMeta;
use crate::base::names::{accounts, media, posts};
use crate::base::PostStatus;
use serde_json::Value;
use std::collections::{BTreeSet, HashSet};

/// The ids of the tables and fields that payloads are read against (from the metadata API).
#[derive(Debug, Clone, PartialEq)]
pub struct Watched {
    pub posts_table: String,
    pub accounts_table: String,
    pub media_table: String,
    /// `ScheduledPosts.Status`.
    pub status_field: String,
    /// `Status`, `PostURL`, `ErrorMessage`: what the worker writes after publishing.
    pub outcome_fields: HashSet<String>,
}

impl Watched {
    /// Finds the ids in the base's schema; an error names what is missing.
    pub fn from_tables(tables: &[TableMeta]) -> anyhow::Result<Watched> {
        let table = |name: &str| {
            tables
                .iter()
                .find(|t| t.name.eq_ignore_ascii_case(name))
                .ok_or_else(|| anyhow::anyhow!("the base has no table {name}"))
        };
        let scheduled = table(posts::TABLE)?;
        let field = |name: &str| {
            scheduled
                .field(name)
                .map(|f| f.id.clone())
                .ok_or_else(|| anyhow::anyhow!("table {} has no field {name}", posts::TABLE))
        };
        let status_field = field(posts::STATUS)?;
        let outcome_fields = [
            field(posts::POST_URL)?,
            field(posts::ERROR_MESSAGE)?,
            status_field.clone(),
        ]
        .into_iter()
        .collect();
        Ok(Watched {
            posts_table: scheduled.id.clone(),
            accounts_table: table(accounts::TABLE)?.id.clone(),
            media_table: table(media::TABLE)?.id.clone(),
            status_field,
            outcome_fields,
        })
    }
}

/// What the payloads ask of the scheduler.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Changes {
    /// Posts to read again by id.
    pub posts: BTreeSet<String>,
    /// Read the whole schedule.
    pub everything: bool,
    /// Changes that were the worker's own outcome writes, left alone.
    pub own_writes: usize,
}

impl Changes {
    pub fn is_empty(&self) -> bool {
        self.posts.is_empty() && !self.everything
    }
}

/// Reads payloads (in order) into what to ask of the scheduler.
pub fn changes(watched: &Watched, payloads: &[Payload]) -> Changes {
    let mut out = Changes::default();
    for payload in payloads {
        if payload.error {
            out.everything = true;
            continue;
        }
        let watched_tables = [&watched.posts_table, &watched.accounts_table, &watched.media_table];
        if payload.destroyed_table_ids.iter().any(|t| watched_tables.contains(&t)) {
            out.everything = true;
        }
        let from_api = payload
            .action_metadata
            .as_ref()
            .is_some_and(|m| m.source == "publicApi");
        for (table, change) in &payload.changed_tables_by_id {
            if *table == watched.posts_table {
                out.posts.extend(change.created_records_by_id.keys().cloned());
                out.posts.extend(change.destroyed_record_ids.iter().cloned());
                for (record, changed) in &change.changed_records_by_id {
                    if from_api && is_outcome_write(watched, changed) {
                        out.own_writes += 1;
                    } else {
                        out.posts.insert(record.clone());
                    }
                }
            } else if *table == watched.accounts_table || *table == watched.media_table {
                let touched = !change.created_records_by_id.is_empty()
                    || !change.changed_records_by_id.is_empty()
                    || !change.destroyed_record_ids.is_empty();
                out.everything |= touched;
            }
        }
    }
    out
}

/// Whether a change touched only outcome fields, with `Status` (if changed) now Posted or Failed.
fn is_outcome_write(watched: &Watched, changed: &ChangedRecord) -> bool {
    let cells = &changed.current.cell_values_by_field_id;
    if cells.is_empty() || !cells.keys().all(|f| watched.outcome_fields.contains(f)) {
        return false;
    }
    match cells.get(&watched.status_field) {
        None => true,
        Some(value) => {
            let name = choice_name(value);
            [PostStatus::Posted, PostStatus::Failed]
                .iter()
                .any(|s| Some(s.to_string().as_str()) == name)
        }
    }
}

/// A single select's choice name: webhook payloads give `{"id","name","color"}`, the REST API a string.
fn choice_name(value: &Value) -> Option<&str> {
    value.as_str().or_else(|| value.get("name")?.as_str())
}

#[cfg(test)]
#[path = "changes_tests.rs"]
mod tests;
