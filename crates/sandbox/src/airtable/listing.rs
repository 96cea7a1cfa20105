//! "List records": view, filter, sort, field selection, pages and iterators.
//!
//! The first request of a listing computes the full ordered list of matching record ids; when it
//! needs more than one page, that list is kept as an iterator and the response's `offset` is
//! `itr<iterator id>/rec<first record of the next page>`. Later pages read the kept list (records
//! deleted meanwhile are skipped; changed ones are returned as they are now). An iterator expires
//! [`ITERATOR_TTL`] after its last use (or at `POST /_sandbox/iterators/expire`); using it then
//! gives 422 `LIST_RECORDS_ITERATOR_NOT_AVAILABLE`, as Airtable does when an iteration times out.

use super::cell_read::SortKey;
use super::errors::ApiError;
use super::formula::Formula;
use super::ids::{new_id, IdKind};
use super::model::{views_of, SortDirection, TableSpec};
use super::query::{ListParams, SortParam};
use super::render::{record_json, RecordRef, Shape};
use super::store::{Base, Table};
use chrono::{DateTime, Utc};
use serde_json::{json, Value};
use std::collections::HashMap;
use std::time::Duration;
use tokio::time::Instant;

/// How long an unused iterator stays available (Airtable documents no number; a few minutes).
pub const ITERATOR_TTL: Duration = Duration::from_secs(5 * 60);

/// Iterators kept at most; the least recently used go first.
const MAX_ITERATORS: usize = 1000;

/// A listing in progress.
#[derive(Debug)]
struct Snapshot {
    base_id: String,
    table_id: String,
    ids: Vec<String>,
    last_used: Instant,
}

#[derive(Debug, Default)]
pub struct Iterators {
    map: HashMap<String, Snapshot>,
}

impl Iterators {
    pub fn expire_all(&mut self) {
        self.map.clear();
    }

    fn keep(&mut self, base_id: &str, table_id: &str, ids: Vec<String>, now: Instant) -> String {
        self.map.retain(|_, s| now.duration_since(s.last_used) < ITERATOR_TTL);
        if self.map.len() >= MAX_ITERATORS {
            if let Some(oldest) = self.map.iter().min_by_key(|(_, s)| s.last_used).map(|(k, _)| k.clone()) {
                self.map.remove(&oldest);
            }
        }
        let id = new_id(IdKind::Iterator);
        let snapshot = Snapshot {
            base_id: base_id.to_string(),
            table_id: table_id.to_string(),
            ids,
            last_used: now,
        };
        self.map.insert(id.clone(), snapshot);
        id
    }

    /// The kept ids and the position of the offset's record, if the iterator is still there.
    fn resume(
        &mut self,
        offset: &str,
        base_id: &str,
        table_id: &str,
        now: Instant,
    ) -> Result<(&[String], usize), ApiError> {
        let (itr, rec) = offset.split_once('/').ok_or_else(ApiError::iterator_not_available)?;
        let usable = self.map.get(itr).is_some_and(|s| {
            now.duration_since(s.last_used) < ITERATOR_TTL && s.base_id == base_id && s.table_id == table_id
        });
        if !usable {
            self.map.remove(itr);
            return Err(ApiError::iterator_not_available());
        }
        let snapshot = self.map.get_mut(itr).ok_or_else(ApiError::iterator_not_available)?;
        snapshot.last_used = now;
        let position = snapshot
            .ids
            .iter()
            .position(|id| id == rec)
            .ok_or_else(ApiError::iterator_not_available)?;
        Ok((&snapshot.ids, position))
    }
}

/// Everything a listing needs besides the base.
pub struct ListContext<'a> {
    /// The tables the sandbox was started with, for their views' filter and sort.
    pub tables: &'a [TableSpec],
    pub iterators: &'a mut Iterators,
    pub now: Instant,
    pub wall: DateTime<Utc>,
}

/// Answers one list request: `{"records":[...],"offset"?}`.
pub fn list(base: &Base, table: &Table, params: &ListParams, ctx: ListContext<'_>) -> Result<Value, ApiError> {
    let shape = shape(table, params)?;
    let (ids, start) = match &params.offset {
        Some(offset) => {
            let (ids, start) = ctx.iterators.resume(offset, &base.id, &table.id, ctx.now)?;
            (ids.to_vec(), start)
        }
        None => (matching_ids(base, table, params, ctx.tables, ctx.wall)?, 0),
    };
    let end = (start + params.page_size).min(ids.len());
    let records: Vec<Value> = ids[start..end]
        .iter()
        .filter_map(|id| table.record(id))
        .map(|r| record_json(table, r, &shape))
        .collect();
    let mut out = json!({ "records": records });
    if end < ids.len() {
        let next = ids[end].clone();
        let itr = match &params.offset {
            Some(offset) => offset.split_once('/').map(|(i, _)| i.to_string()).unwrap_or_default(),
            None => ctx.iterators.keep(&base.id, &table.id, ids, ctx.now),
        };
        out["offset"] = json!(format!("{itr}/{next}"));
    }
    Ok(out)
}

/// Which fields to return, refusing unknown names.
fn shape(table: &Table, params: &ListParams) -> Result<Shape, ApiError> {
    let fields = match &params.fields {
        Some(names) => Some(
            names
                .iter()
                .map(|n| table.field_index(n).ok_or_else(|| ApiError::unknown_field(n)))
                .collect::<Result<Vec<_>, _>>()?,
        ),
        None => None,
    };
    Ok(Shape {
        fields,
        by_field_id: params.by_field_id,
        comment_count: params.comment_count,
    })
}

/// Ids of the records in the view that pass the filter, in order, cut at `maxRecords`.
fn matching_ids(
    base: &Base,
    table: &Table,
    params: &ListParams,
    tables: &[TableSpec],
    wall: DateTime<Utc>,
) -> Result<Vec<String>, ApiError> {
    let (view_filter, view_sort) = view_rules(table, params.view.as_deref(), tables)?;
    let mut filters = Vec::new();
    if let Some(f) = view_filter {
        filters.push(compile(table, &f)?);
    }
    if let Some(f) = &params.filter {
        filters.push(compile(table, f)?);
    }
    let sort = if params.sort.is_empty() {
        view_sort
    } else {
        params.sort.clone()
    };
    let sort = sort
        .iter()
        .map(|s| {
            table
                .field_index(&s.field)
                .map(|i| (i, s.desc))
                .ok_or_else(|| ApiError::unknown_field(&s.field))
        })
        .collect::<Result<Vec<_>, _>>()?;

    let mut rows: Vec<(Vec<SortKey>, &str)> = Vec::new();
    for record in &table.records {
        let r = RecordRef { base, table, record };
        if filters.iter().all(|f| passes(f, &r, wall)) {
            let keys = sort
                .iter()
                .map(|(i, _)| SortKey::of(&r.cell(&table.fields[*i])))
                .collect();
            rows.push((keys, &record.id));
        }
    }
    rows.sort_by(|(a, _), (b, _)| {
        sort.iter()
            .zip(a.iter().zip(b))
            .map(|((_, desc), (x, y))| if *desc { y.compare(x) } else { x.compare(y) })
            .find(|o| o.is_ne())
            .unwrap_or(std::cmp::Ordering::Equal)
    });
    let limit = params.max_records.filter(|n| *n > 0).unwrap_or(usize::MAX);
    Ok(rows.into_iter().take(limit).map(|(_, id)| id.to_string()).collect())
}

/// A record is in when the formula is truthy; an evaluation error counts as out (Airtable shows
/// `#ERROR!` and the record does not match).
fn passes(formula: &Formula, record: &RecordRef<'_>, wall: DateTime<Utc>) -> bool {
    match formula.matches(record, wall) {
        Ok(b) => b,
        Err(e) => {
            tracing::debug!(message = "Formula failed on a record.", record = %record.record.id, error = %e);
            false
        }
    }
}

/// Parses a filter and checks that the fields it names exist.
fn compile(table: &Table, source: &str) -> Result<Formula, ApiError> {
    let formula = Formula::parse(source).map_err(|e| ApiError::invalid_filter(&e.to_string()))?;
    let unknown: Vec<String> = formula
        .field_names()
        .into_iter()
        .filter(|n| table.field_index_by_name(n).is_none())
        .collect();
    if !unknown.is_empty() {
        return Err(ApiError::invalid_filter(&format!(
            "Unknown field names: {}",
            unknown.join(", ")
        )));
    }
    Ok(formula)
}

/// The filter and sort of the requested view: none for "Grid view", the hand-made view's for the others.
fn view_rules(
    table: &Table,
    view: Option<&str>,
    tables: &[TableSpec],
) -> Result<(Option<String>, Vec<SortParam>), ApiError> {
    let Some(requested) = view else {
        return Ok((None, Vec::new()));
    };
    let view = table
        .view(requested)
        .ok_or_else(|| ApiError::view_not_found(requested))?;
    let spec = views_of(tables, &table.name).iter().find(|v| v.name == view.name);
    let Some(spec) = spec else {
        return Ok((None, Vec::new()));
    };
    let sort = spec
        .sort
        .iter()
        .map(|s| SortParam {
            field: s.field.clone(),
            desc: s.direction == SortDirection::Desc,
        })
        .collect();
    Ok((spec.filter.clone().filter(|f| !f.trim().is_empty()), sort))
}
