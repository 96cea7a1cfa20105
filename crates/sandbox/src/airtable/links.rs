//! Linked records: resolving what a client writes into record ids, and keeping both sides of a
//! link in step (Airtable links are two-way: the inverse field on the other table lists the
//! records that link to each record).

use super::cell_read::display_text;
use super::cells::{check, is_empty, Checked};
use super::errors::ApiError;
use super::ids::{looks_like, IdKind};
use super::render::primary_text;
use super::store::Base;
use chrono::{DateTime, Utc};
use serde_json::{json, Value};
use std::collections::BTreeSet;

/// Turns written references into ids of records of the linked table. Ids must exist there; with
/// `typecast`, other strings match a record by its primary-field text, and a record is created
/// when none matches (as Airtable does).
pub fn resolve(
    base: &mut Base,
    table: usize,
    field: usize,
    refs: Vec<String>,
    typecast: bool,
    now: DateTime<Utc>,
) -> Result<Vec<String>, ApiError> {
    let f = &base.tables[table].fields[field];
    let name = f.name.clone();
    let linked_id = f.link().map(|(t, _)| t.to_string()).unwrap_or_default();
    let lt = base
        .tables
        .iter()
        .position(|t| t.id == linked_id)
        .ok_or_else(|| ApiError::invalid_value(&name, "the linked table no longer exists"))?;
    let mut out: Vec<String> = Vec::new();
    for r in refs {
        let id = if base.tables[lt].record(&r).is_some() {
            r
        } else if typecast {
            find_or_create(base, lt, &r, now)?
        } else if looks_like(&r, IdKind::Record) {
            return Err(missing_record(base, &r, &linked_id));
        } else {
            return Err(ApiError::invalid_value(&name, "Value is not an array of record IDs."));
        };
        if !out.contains(&id) {
            out.push(id);
        }
    }
    Ok(out)
}

/// A link to an id that is not in the linked table. (Airtable's types for these two cases are
/// taken from client reports; unverified against the documentation.)
fn missing_record(base: &Base, id: &str, linked_id: &str) -> ApiError {
    match base.tables.iter().find(|t| t.record(id).is_some()) {
        Some(other) => ApiError::meta(
            "ROW_TABLE_DOES_NOT_MATCH_LINKED_TABLE",
            format!(
                "Record ID {id} belongs to table {}, but the field links to table {linked_id}",
                other.id
            ),
        ),
        None => ApiError::row_does_not_exist(id),
    }
}

fn find_or_create(base: &mut Base, lt: usize, text: &str, now: DateTime<Utc>) -> Result<String, ApiError> {
    let table = &base.tables[lt];
    if let Some(r) = table.records.iter().find(|r| primary_text(table, r) == text) {
        return Ok(r.id.clone());
    }
    // The new record's primary value is the text, typecast to the primary field's type.
    let primary = table
        .primary_field()
        .map(|f| (f.id.clone(), check(f, &json!(text), true)));
    let value = match primary {
        Some((id, Ok(Checked::Set(v)))) => Some((id, v)),
        Some((_, Err(e))) => return Err(e),
        _ => None,
    };
    let table = &mut base.tables[lt];
    let index = table.push_record(now);
    let record = &mut table.records[index];
    if let Some((id, v)) = value {
        record.cells.insert(id, v);
    }
    Ok(record.id.clone())
}

fn ids_of(value: Option<&Value>) -> BTreeSet<String> {
    value
        .and_then(Value::as_array)
        .map(|a| a.iter().filter_map(Value::as_str).map(str::to_string).collect())
        .unwrap_or_default()
}

/// After a link cell of `record_id` changed from `old` to `new`, adds or removes `record_id` in
/// the inverse field of the linked records.
pub fn sync_inverse(
    base: &mut Base,
    table: usize,
    field: usize,
    record_id: &str,
    old: Option<&Value>,
    new: Option<&Value>,
) {
    let Some((linked_id, Some(inverse))) = base.tables[table].fields[field].link() else {
        return;
    };
    let (linked_id, inverse) = (linked_id.to_string(), inverse.to_string());
    let Some(lt) = base.tables.iter().position(|t| t.id == linked_id) else {
        return;
    };
    let (old, new) = (ids_of(old), ids_of(new));
    for other in old.difference(&new) {
        edit_cell(base, lt, other, &inverse, |ids| ids.retain(|x| x != record_id));
    }
    for other in new.difference(&old) {
        edit_cell(base, lt, other, &inverse, |ids| {
            if !ids.iter().any(|x| x == record_id) {
                ids.push(record_id.to_string());
            }
        });
    }
}

fn edit_cell(base: &mut Base, table: usize, record_id: &str, field_id: &str, edit: impl FnOnce(&mut Vec<String>)) {
    let Some(record) = base.tables[table].records.iter_mut().find(|r| r.id == record_id) else {
        return;
    };
    let mut ids: Vec<String> = record
        .cells
        .get(field_id)
        .and_then(Value::as_array)
        .map(|a| a.iter().map(display_text).collect())
        .unwrap_or_default();
    edit(&mut ids);
    let value = json!(ids);
    if is_empty(&value) {
        record.cells.remove(field_id);
    } else {
        record.cells.insert(field_id.to_string(), value);
    }
}

/// Removes deleted records from every link cell that points at them.
pub fn forget_records(base: &mut Base, table_id: &str, deleted: &BTreeSet<String>) {
    for table in &mut base.tables {
        let link_fields: Vec<String> = table
            .fields
            .iter()
            .filter(|f| f.link().is_some_and(|(t, _)| t == table_id))
            .map(|f| f.id.clone())
            .collect();
        for record in &mut table.records {
            for fid in &link_fields {
                let Some(Value::Array(items)) = record.cells.get_mut(fid) else {
                    continue;
                };
                items.retain(|v| v.as_str().is_none_or(|id| !deleted.contains(id)));
                if items.is_empty() {
                    record.cells.remove(fid);
                }
            }
        }
    }
}
