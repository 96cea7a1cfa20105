//! Creating, updating, upserting and deleting records in a base.
//!
//! The functions work on a copy of the base that the caller swaps in only when the whole request
//! succeeded, so a request that fails on its tenth record changes nothing (as with Airtable).

use super::cells::{self, Checked};
use super::errors::ApiError;
use super::links;
use super::model::FieldType;
use super::store::Base;
use chrono::{DateTime, Utc};
use serde_json::{json, Map, Value};
use std::collections::BTreeSet;

/// Airtable's batch size for create, update and delete.
pub const MAX_BATCH: usize = 10;

/// Options of a write request.
#[derive(Debug, Clone, Copy)]
pub struct WriteOptions {
    pub typecast: bool,
    pub now: DateTime<Utc>,
}

/// One record of an upsert: an id (update that record) or fields to match on.
#[derive(Debug, Clone)]
pub struct UpsertInput {
    pub id: Option<String>,
    pub fields: Map<String, Value>,
}

/// Ids of an upsert's records (in request order) and which were created or updated.
#[derive(Debug, Default)]
pub struct UpsertOutcome {
    pub ids: Vec<String>,
    pub created: Vec<String>,
    pub updated: Vec<String>,
}

/// Types Airtable can merge upserts on.
const MERGEABLE: [FieldType; 9] = [
    FieldType::SingleLineText,
    FieldType::MultilineText,
    FieldType::Email,
    FieldType::Url,
    FieldType::Number,
    FieldType::SingleSelect,
    FieldType::MultipleSelects,
    FieldType::Date,
    FieldType::DateTime,
];

pub fn check_batch(count: usize, verb: &str) -> Result<(), ApiError> {
    if count > MAX_BATCH {
        return Err(ApiError::invalid_records(format!(
            "A maximum of {MAX_BATCH} records can be {verb} per request but you have provided {count}."
        )));
    }
    Ok(())
}

pub fn create(
    base: &mut Base,
    table: usize,
    inputs: &[Map<String, Value>],
    opts: WriteOptions,
) -> Result<Vec<String>, ApiError> {
    let mut ids = Vec::with_capacity(inputs.len());
    for fields in inputs {
        let index = base.tables[table].push_record(opts.now);
        let id = base.tables[table].records[index].id.clone();
        set_fields(base, table, &id, fields, false, opts)?;
        ids.push(id);
    }
    Ok(ids)
}

/// Updates records by id; `replace` (PUT) clears the fields not given.
pub fn update(
    base: &mut Base,
    table: usize,
    inputs: &[(String, Map<String, Value>)],
    replace: bool,
    opts: WriteOptions,
) -> Result<Vec<String>, ApiError> {
    for (id, _) in inputs {
        if base.tables[table].record(id).is_none() {
            return Err(ApiError::row_does_not_exist(id));
        }
    }
    for (id, fields) in inputs {
        set_fields(base, table, id, fields, replace, opts)?;
    }
    Ok(inputs.iter().map(|(id, _)| id.clone()).collect())
}

/// Deletes records; an id not in the table is a 404 (Airtable's "resource doesn't exist").
pub fn delete(base: &mut Base, table: usize, ids: &[String]) -> Result<(), ApiError> {
    if let Some(missing) = ids.iter().find(|id| base.tables[table].record(id).is_none()) {
        tracing::debug!(message = "Delete of a missing record.", record = %missing);
        return Err(ApiError::not_found());
    }
    let gone: BTreeSet<String> = ids.iter().cloned().collect();
    base.tables[table].records.retain(|r| !gone.contains(&r.id));
    let table_id = base.tables[table].id.clone();
    links::forget_records(base, &table_id, &gone);
    Ok(())
}

/// Writes `fields` (names or ids as keys) into one record, checking every value first.
fn set_fields(
    base: &mut Base,
    table: usize,
    record_id: &str,
    fields: &Map<String, Value>,
    replace: bool,
    opts: WriteOptions,
) -> Result<(), ApiError> {
    let mut checked = Vec::with_capacity(fields.len());
    for (key, raw) in fields {
        let t = &base.tables[table];
        let fi = t.field_index(key).ok_or_else(|| ApiError::unknown_field(key))?;
        checked.push((fi, cells::check(&t.fields[fi], raw, opts.typecast)?));
    }
    let mut values: Vec<(usize, Option<Value>)> = Vec::with_capacity(checked.len());
    for (fi, c) in checked {
        let value = match c {
            Checked::Clear => None,
            Checked::Set(v) => Some(v),
            Checked::SetWithNewChoices(v, names) => {
                let field = &mut base.tables[table].fields[fi];
                for n in names {
                    if !field.choices().iter().any(|c| c.name == n) {
                        field.add_choice(&n);
                    }
                }
                Some(v)
            }
            Checked::LinkRefs(refs) => {
                let ids = links::resolve(base, table, fi, refs, opts.typecast, opts.now)?;
                Some(json!(ids)).filter(|v| !cells::is_empty(v))
            }
        };
        values.push((fi, value));
    }
    if replace {
        let given: BTreeSet<usize> = values.iter().map(|(fi, _)| *fi).collect();
        let all = base.tables[table].fields.len();
        values.extend((0..all).filter(|fi| !given.contains(fi)).map(|fi| (fi, None)));
    }
    apply(base, table, record_id, values);
    Ok(())
}

/// Writes the values (the record's modification times are set for the whole request by
/// `Inner::change_base`, which sees every cell that changed, links' other sides included).
fn apply(base: &mut Base, table: usize, record_id: &str, values: Vec<(usize, Option<Value>)>) {
    for (fi, value) in values {
        let field_id = base.tables[table].fields[fi].id.clone();
        let is_link = base.tables[table].fields[fi].link().is_some();
        let Some(record) = base.tables[table].records.iter_mut().find(|r| r.id == record_id) else {
            return;
        };
        let old = record.cells.get(&field_id).cloned();
        if old == value {
            continue;
        }
        match &value {
            Some(v) => record.cells.insert(field_id, v.clone()),
            None => record.cells.remove(&field_id),
        };
        if is_link {
            links::sync_inverse(base, table, fi, record_id, old.as_ref(), value.as_ref());
        }
    }
}

/// Checks `fieldsToMergeOn`: 1 to 3 existing fields of a mergeable type; returns their indexes.
fn merge_fields(base: &Base, table: usize, names: &[String]) -> Result<Vec<usize>, ApiError> {
    if names.is_empty() || names.len() > 3 {
        return Err(ApiError::invalid_request(
            "performUpsert.fieldsToMergeOn takes 1 to 3 fields",
        ));
    }
    let t = &base.tables[table];
    names
        .iter()
        .map(|n| {
            let fi = t.field_index(n).ok_or_else(|| ApiError::unknown_field(n))?;
            if !MERGEABLE.contains(&t.fields[fi].kind) {
                return Err(ApiError::invalid_request(format!(
                    "field {n:?} of type {} cannot be used in fieldsToMergeOn",
                    t.fields[fi].kind.api_name()
                )));
            }
            Ok(fi)
        })
        .collect()
}

/// Upserts: a record with an id updates it; otherwise the merge fields' values pick the one
/// record to update, or none (create); several matches fail the request with 422 (Airtable
/// documents the failure; its error type is unverified, so the sandbox answers its generic
/// `INVALID_REQUEST_UNKNOWN`). Values match exactly (after typecast).
pub fn upsert(
    base: &mut Base,
    table: usize,
    inputs: &[UpsertInput],
    merge_on: &[String],
    replace: bool,
    opts: WriteOptions,
) -> Result<UpsertOutcome, ApiError> {
    let merge = merge_fields(base, table, merge_on)?;
    let mut out = UpsertOutcome::default();
    for input in inputs {
        let target = match &input.id {
            Some(id) => Some(id.clone()),
            None => matching_record(base, table, &merge, &input.fields, opts.typecast)?,
        };
        match target {
            Some(id) => {
                update(base, table, &[(id.clone(), input.fields.clone())], replace, opts)?;
                out.updated.push(id.clone());
                out.ids.push(id);
            }
            None => {
                let id = create(base, table, std::slice::from_ref(&input.fields), opts)?.remove(0);
                out.created.push(id.clone());
                out.ids.push(id);
            }
        }
    }
    Ok(out)
}

fn matching_record(
    base: &Base,
    table: usize,
    merge: &[usize],
    fields: &Map<String, Value>,
    typecast: bool,
) -> Result<Option<String>, ApiError> {
    let t = &base.tables[table];
    let mut wanted = Vec::with_capacity(merge.len());
    for fi in merge {
        let field = &t.fields[*fi];
        let raw = fields
            .iter()
            .find(|(k, _)| t.field_index(k) == Some(*fi))
            .map(|(_, v)| v)
            .ok_or_else(|| {
                ApiError::invalid_request(format!(
                    "every record must have a value for {:?} (a field to merge on)",
                    field.name
                ))
            })?;
        let value = match cells::check(field, raw, typecast)? {
            Checked::Set(v) | Checked::SetWithNewChoices(v, _) => Some(v),
            Checked::Clear | Checked::LinkRefs(_) => None,
        };
        wanted.push((field.id.clone(), value));
    }
    let mut hits = t
        .records
        .iter()
        .filter(|r| wanted.iter().all(|(fid, v)| r.cells.get(fid) == v.as_ref()));
    let first = hits.next().map(|r| r.id.clone());
    if hits.next().is_some() {
        return Err(ApiError::invalid_request(
            "more than one record matches the values of fieldsToMergeOn; an upsert needs at most one match",
        ));
    }
    Ok(first)
}
