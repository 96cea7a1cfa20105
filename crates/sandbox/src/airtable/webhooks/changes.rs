//! What one request changed in a base's records: the difference between the base before and
//! after it, table by table. Computed from the two versions rather than told by each handler, so
//! every path that changes records (links synced on the other side, records created by a
//! typecast link, the admin path) is seen the same way.
//!
//! Only fields that exist after the change are compared: a deleted field is a schema change,
//! not a change of every record's cell.

use super::super::store::{Base, Record, Table};
use chrono::{DateTime, Utc};
use std::collections::{BTreeSet, HashMap};

/// The record changes of one table.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct TableChanges {
    pub table_id: String,
    /// Ids of the records created, in creation order.
    pub created: Vec<String>,
    /// Records whose cells changed, with the ids of the fields that changed.
    pub changed: Vec<(String, BTreeSet<String>)>,
    /// Ids of the records deleted.
    pub destroyed: Vec<String>,
}

impl TableChanges {
    fn is_empty(&self) -> bool {
        self.created.is_empty() && self.changed.is_empty() && self.destroyed.is_empty()
    }
}

/// The record changes from `old` to `new`, for the tables that have any.
pub fn diff(old: &Base, new: &Base) -> Vec<TableChanges> {
    new.tables
        .iter()
        .map(|table| {
            let before = old.table_by_id(&table.id);
            table_diff(before, table)
        })
        .filter(|c| !c.is_empty())
        .collect()
}

fn table_diff(old: Option<&Table>, new: &Table) -> TableChanges {
    let before: HashMap<&str, &Record> = old
        .map(|t| t.records.iter().map(|r| (r.id.as_str(), r)).collect())
        .unwrap_or_default();
    let mut out = TableChanges {
        table_id: new.id.clone(),
        ..TableChanges::default()
    };
    let mut seen = BTreeSet::new();
    for record in &new.records {
        seen.insert(record.id.as_str());
        match before.get(record.id.as_str()) {
            None => out.created.push(record.id.clone()),
            Some(prev) => {
                let fields: BTreeSet<String> = new
                    .fields
                    .iter()
                    .filter(|f| prev.cells.get(&f.id) != record.cells.get(&f.id))
                    .map(|f| f.id.clone())
                    .collect();
                if !fields.is_empty() {
                    out.changed.push((record.id.clone(), fields));
                }
            }
        }
    }
    if let Some(old) = old {
        out.destroyed = old
            .records
            .iter()
            .filter(|r| !seen.contains(r.id.as_str()))
            .map(|r| r.id.clone())
            .collect();
    }
    out
}

/// Records the modification times of a change: a changed record's `last_modified_time` and its
/// changed fields' times become `now`; a created record's fields get its `createdTime`.
pub fn stamp(base: &mut Base, changes: &[TableChanges], now: DateTime<Utc>) {
    for change in changes {
        let Some(table) = base.tables.iter_mut().find(|t| t.id == change.table_id) else {
            continue;
        };
        let created: BTreeSet<&str> = change.created.iter().map(String::as_str).collect();
        let changed: HashMap<&str, &BTreeSet<String>> = change.changed.iter().map(|(id, f)| (id.as_str(), f)).collect();
        for record in &mut table.records {
            if created.contains(record.id.as_str()) {
                let at = record.created_time;
                let fields: Vec<String> = record.cells.keys().cloned().collect();
                record.field_modified.extend(fields.into_iter().map(|f| (f, at)));
            } else if let Some(fields) = changed.get(record.id.as_str()) {
                record.last_modified_time = now;
                record.field_modified.extend(fields.iter().map(|f| (f.clone(), now)));
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::super::fields::{Field, FieldOptions};
    use super::super::super::model::FieldType;
    use super::super::super::store::Store;
    use super::*;
    use serde_json::json;

    fn base() -> Base {
        let mut store = Store::open(None, &[]).unwrap();
        let id = store.add_base("Diff");
        let mut base = store.base(&id).unwrap().clone();
        let field = Field {
            id: "fldName".into(),
            name: "Name".into(),
            kind: FieldType::SingleLineText,
            description: None,
            options: FieldOptions::Plain,
        };
        base.tables.push(Table {
            id: "tblPosts".into(),
            name: "Posts".into(),
            description: None,
            primary_field_id: "fldName".into(),
            fields: vec![field],
            views: vec![],
            records: vec![],
        });
        base
    }

    #[test]
    fn a_created_a_changed_and_a_deleted_record_are_told_apart() {
        let mut old = base();
        let t0 = Utc::now();
        for _ in 0..2 {
            let i = old.tables[0].push_record(t0);
            old.tables[0].records[i].cells.insert("fldName".into(), json!("a"));
        }
        let mut new = old.clone();
        let (kept, gone) = (new.tables[0].records[0].id.clone(), new.tables[0].records[1].id.clone());
        new.tables[0].records[0].cells.insert("fldName".into(), json!("b"));
        new.tables[0].records.remove(1);
        let i = new.tables[0].push_record(t0);
        let created = new.tables[0].records[i].id.clone();
        let changes = diff(&old, &new);
        assert_eq!(changes.len(), 1);
        assert_eq!(changes[0].created, vec![created]);
        assert_eq!(
            changes[0].changed,
            vec![(kept.clone(), BTreeSet::from(["fldName".to_string()]))]
        );
        assert_eq!(changes[0].destroyed, vec![gone]);
        let later = t0 + chrono::Duration::seconds(5);
        stamp(&mut new, &changes, later);
        let record = new.tables[0].record(&kept).unwrap();
        assert_eq!(record.last_modified_time, later);
        assert_eq!(record.field_modified["fldName"], later);
    }

    #[test]
    fn an_untouched_base_has_no_changes() {
        let b = base();
        assert!(diff(&b, &b.clone()).is_empty());
    }
}
