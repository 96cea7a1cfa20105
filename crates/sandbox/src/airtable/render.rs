//! Records as clients see them: the REST JSON (`{"id","createdTime","fields"}`, empty values left
//! out) and the view the formula engine gets ([`RecordRef`], a [`RecordContext`]).

use super::cell_read::{display_text, to_cell};
use super::cells::{format_date_time, is_empty};
use super::fields::Field;
use super::formula::{Cell, RecordContext};
use super::store::{Base, Record, Table};
use chrono::{DateTime, Utc};
use serde_json::{json, Map, Value};

/// How to render records: which fields, keyed by name or id, with comment counts or not.
#[derive(Debug, Clone, Default)]
pub struct Shape {
    /// Indexes of the fields to return; `None`: every field.
    pub fields: Option<Vec<usize>>,
    pub by_field_id: bool,
    pub comment_count: bool,
}

/// One record in the REST format.
pub fn record_json(table: &Table, record: &Record, shape: &Shape) -> Value {
    let mut fields = Map::new();
    let mut put = |f: &Field| {
        if let Some(v) = record.cells.get(&f.id).filter(|v| !is_empty(v)) {
            let key = if shape.by_field_id { &f.id } else { &f.name };
            fields.insert(key.clone(), v.clone());
        }
    };
    match &shape.fields {
        Some(indexes) => indexes.iter().filter_map(|i| table.fields.get(*i)).for_each(&mut put),
        None => table.fields.iter().for_each(&mut put),
    }
    let mut out = json!({
        "id": record.id,
        "createdTime": format_date_time(record.created_time),
        "fields": fields,
    });
    if shape.comment_count {
        out["commentCount"] = json!(0);
    }
    out
}

/// The text of a record's primary field (how links are shown and compared).
pub fn primary_text(table: &Table, record: &Record) -> String {
    record
        .cells
        .get(&table.primary_field_id)
        .map(display_text)
        .unwrap_or_default()
}

/// A record of a table of a base, for the formula engine.
pub struct RecordRef<'a> {
    pub base: &'a Base,
    pub table: &'a Table,
    pub record: &'a Record,
}

impl RecordRef<'_> {
    /// The cell of a field, with links turned into the linked records' primary texts.
    pub fn cell(&self, field: &Field) -> Cell {
        let linked = field.link().and_then(|(table_id, _)| self.base.table_by_id(table_id));
        let link_text = |id: &str| -> String {
            linked
                .and_then(|t| t.record(id).map(|r| primary_text(t, r)))
                .unwrap_or_default()
        };
        to_cell(field, self.record.cells.get(&field.id), &link_text)
    }
}

impl RecordContext for RecordRef<'_> {
    fn field(&self, name: &str) -> Option<Cell> {
        let index = self
            .table
            .field_index_by_name(name)
            .or_else(|| self.table.field_index(name))?;
        Some(self.cell(&self.table.fields[index]))
    }

    fn record_id(&self) -> &str {
        &self.record.id
    }

    fn created_time(&self) -> DateTime<Utc> {
        self.record.created_time
    }

    fn last_modified_time(&self) -> DateTime<Utc> {
        self.record.last_modified_time
    }

    fn fields_modified_time(&self, names: &[&str]) -> Option<DateTime<Utc>> {
        names
            .iter()
            .filter_map(|n| self.table.field_index_by_name(n).or_else(|| self.table.field_index(n)))
            .filter_map(|i| self.record.field_modified.get(&self.table.fields[i].id))
            .max()
            .copied()
    }
}
