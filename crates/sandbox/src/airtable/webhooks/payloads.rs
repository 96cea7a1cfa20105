//! Payloads (airtable.com/developers/web/api/model/webhooks-payload): what one transaction looks
//! like to one webhook, and pages of them for `GET .../payloads`.
//!
//! A payload: `{timestamp, baseTransactionNumber, actionMetadata:{source, sourceMetadata:{user}},
//! payloadFormat:"v0", changedTablesById:{tblX:{createdRecordsById:{rec:{createdTime,
//! cellValuesByFieldId}}, changedRecordsById:{rec:{current:{cellValuesByFieldId}, previous?,
//! unchanged?}}, destroyedRecordIds:[..]}}}`. In `changedRecordsById`, `current` holds the changed
//! cells (`null` for a cleared one), `previous` their old values (with
//! `includePreviousCellValues`), `unchanged` the other cells named by
//! `includeCellValuesInFieldIds`. Empty parts are left out.

use super::super::cells::{format_date_time, is_empty};
use super::super::fields::Field;
use super::super::model::FieldType;
use super::super::store::{Base, Record, Table};
use super::{StoredPayload, Transaction, Webhook, MAX_PAYLOADS_PER_PAGE};
use serde_json::{json, Map, Value};

/// The user the sandbox's changes are made by (the token owner of `GET /v0/meta/whoami`).
fn user() -> Value {
    json!({
        "id": "usrSandboxUser001",
        "email": "sandbox@example.com",
        "permissionLevel": "create",
        "name": "Sandbox User",
    })
}

/// The payload of `tx` for `hook`, or `None` when nothing in it concerns the webhook.
pub fn build(base: &Base, hook: &Webhook, tx: &Transaction, number: u64) -> Option<Value> {
    let spec = &hook.specification;
    let mut tables = Map::new();
    for change in tx.changes {
        if !spec.wants_records_of(&change.table_id, tx.source) {
            continue;
        }
        let Some(table) = base.table_by_id(&change.table_id) else {
            continue;
        };
        let old_table = tx.old.table_by_id(&change.table_id);
        let mut out = Map::new();
        if spec.wants_change("add") && !change.created.is_empty() {
            let created: Map<String, Value> = change
                .created
                .iter()
                .filter_map(|id| table.record(id))
                .map(|r| {
                    let cells = cells_of(base, table, r, |_| true, false);
                    let body = json!({ "createdTime": format_date_time(r.created_time), "cellValuesByFieldId": cells });
                    (r.id.clone(), body)
                })
                .collect();
            out.insert("createdRecordsById".into(), Value::Object(created));
        }
        if spec.wants_change("update") {
            let mut changed = Map::new();
            for (id, fields) in change.changed.iter().filter(|(_, f)| spec.watches_any(f)) {
                let (Some(now), Some(before)) = (table.record(id), old_table.and_then(|t| t.record(id))) else {
                    continue;
                };
                let mut body = json!({ "current": {
                    "cellValuesByFieldId": cells_of(base, table, now, |f| fields.contains(f), true) } });
                if spec.includes_previous_values() {
                    let previous = cells_of(tx.old, table, before, |f| fields.contains(f), true);
                    body["previous"] = json!({ "cellValuesByFieldId": previous });
                }
                let unchanged = cells_of(
                    base,
                    table,
                    now,
                    |f| !fields.contains(f) && spec.includes_value_of(f),
                    false,
                );
                if !unchanged.is_empty() {
                    body["unchanged"] = json!({ "cellValuesByFieldId": unchanged });
                }
                changed.insert(id.clone(), body);
            }
            if !changed.is_empty() {
                out.insert("changedRecordsById".into(), Value::Object(changed));
            }
        }
        if spec.wants_change("remove") && !change.destroyed.is_empty() {
            out.insert("destroyedRecordIds".into(), json!(change.destroyed));
        }
        if !out.is_empty() {
            tables.insert(change.table_id.clone(), Value::Object(out));
        }
    }
    if tables.is_empty() {
        return None;
    }
    Some(json!({
        "timestamp": format_date_time(tx.now),
        "baseTransactionNumber": number,
        "actionMetadata": { "source": tx.source.api_name(), "sourceMetadata": { "user": user() } },
        "payloadFormat": "v0",
        "changedTablesById": tables,
    }))
}

/// The cells of `record` for the fields `pick` keeps, in the webhook format; with `nulls`, a
/// picked empty cell is `null` (a cleared value), otherwise it is left out. `base` resolves
/// links (the base the record belongs to).
fn cells_of(
    base: &Base,
    table: &Table,
    record: &Record,
    pick: impl Fn(&str) -> bool,
    nulls: bool,
) -> Map<String, Value> {
    let mut out = Map::new();
    for field in table.fields.iter().filter(|f| pick(&f.id)) {
        match record.cells.get(&field.id).filter(|v| !is_empty(v)) {
            Some(v) => {
                out.insert(field.id.clone(), webhook_value(base, field, v));
            }
            None if nulls => {
                out.insert(field.id.clone(), Value::Null);
            }
            None => {}
        }
    }
    out
}

/// A stored (REST) cell in the webhook format: selects as `{id, name, color?}`, links as
/// `[{id, name}]`; other types as they are.
fn webhook_value(base: &Base, field: &Field, value: &Value) -> Value {
    let choice = |name: &Value| -> Value {
        let name = name.as_str().unwrap_or_default();
        match field.choices().iter().find(|c| c.name == name) {
            Some(c) => serde_json::to_value(c).unwrap_or(Value::Null),
            None => json!({ "name": name }),
        }
    };
    match field.kind {
        FieldType::SingleSelect => choice(value),
        FieldType::MultipleSelects => Value::Array(value.as_array().into_iter().flatten().map(choice).collect()),
        FieldType::MultipleRecordLinks => {
            let linked = field.link().and_then(|(t, _)| base.table_by_id(t));
            let items = value
                .as_array()
                .into_iter()
                .flatten()
                .filter_map(Value::as_str)
                .map(|id| {
                    let name = linked
                        .and_then(|t| t.record(id).map(|r| super::super::render::primary_text(t, r)))
                        .unwrap_or_default();
                    json!({ "id": id, "name": name })
                });
            Value::Array(items.collect())
        }
        _ => value.clone(),
    }
}

/// One page of `GET .../payloads`.
#[derive(Debug, PartialEq)]
pub struct Page {
    pub payloads: Vec<Value>,
    /// The cursor to ask for next.
    pub cursor: u64,
    pub might_have_more: bool,
}

/// The payloads from `cursor` on (the oldest kept when `cursor` is older), at most `limit`.
/// With none to give, the cursor to ask for next is the webhook's `cursorForNextPayload`
/// (`next_payload`).
pub fn page(payloads: &[StoredPayload], cursor: u64, limit: usize, next_payload: u64) -> Page {
    let limit = limit.clamp(1, MAX_PAYLOADS_PER_PAGE);
    let from: Vec<&StoredPayload> = payloads.iter().filter(|p| p.cursor >= cursor).collect();
    let taken: Vec<&StoredPayload> = from.iter().take(limit).copied().collect();
    let next = taken.last().map_or(next_payload, |last| last.cursor + 1);
    Page {
        payloads: taken.iter().map(|p| p.body.clone()).collect(),
        cursor: next,
        might_have_more: from.len() > taken.len(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn stored(cursors: std::ops::RangeInclusive<u64>) -> Vec<StoredPayload> {
        cursors
            .map(|c| StoredPayload {
                cursor: c,
                timestamp: chrono::Utc::now(),
                body: json!({ "n": c }),
            })
            .collect()
    }

    #[test]
    fn a_page_gives_the_next_cursor_and_says_when_more_wait() {
        let all = stored(1..=5);
        let first = page(&all, 1, 2, 6);
        assert_eq!(first.payloads, vec![json!({"n": 1}), json!({"n": 2})]);
        assert_eq!((first.cursor, first.might_have_more), (3, true));
        let last = page(&all, 5, 2, 6);
        assert_eq!((last.payloads.len(), last.cursor, last.might_have_more), (1, 6, false));
        let none = page(&all, 6, 2, 6);
        assert_eq!((none.payloads.len(), none.cursor, none.might_have_more), (0, 6, false));
    }

    #[test]
    fn a_cursor_older_than_what_is_kept_starts_at_the_oldest_kept() {
        let kept = stored(4..=5);
        let p = page(&kept, 1, 50, 6);
        assert_eq!((p.payloads.len(), p.cursor), (2, 6));
        assert_eq!(page(&[], 1, 50, 6).cursor, 6, "all past their 7 days");
        assert_eq!(page(&[], 1, 50, 1).cursor, 1, "none yet");
    }
}
