//! Bases, tables and records in memory, and their files on disk.
//!
//! Persistence: with a data directory, each base is one file `<dir>/<baseId>.json` holding the
//! [`Base`] below (`format`, `id`, `name`, `tables` with their fields, views and records; cells
//! keyed by field id, in Airtable's REST format). Every mutating request rewrites its base's file
//! synchronously, before it is answered, through [`crate::persist::DataDir`] (write
//! `<baseId>.json.tmp`, then rename over the old file), so a crash leaves either the old or the new
//! version, never a torn one, and loses nothing that was answered.
//!
//! Later additions are optional in the file, so older files still load: `webhooks` (each with
//! its secret, cursor and payloads, see [`super::webhooks`]), `transactionNumber` (the base's
//! last transaction, numbering webhook payloads) and, per record, `field_modified` (when each
//! cell last changed, for `LAST_MODIFIED_TIME({Field})`).

use super::fields::Field;
use super::ids::{new_id, IdKind};
use super::model::{views_of, TableSpec};
use super::webhooks::Webhook;
use crate::persist::DataDir;
use anyhow::Context;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use std::collections::{BTreeMap, HashSet};
use std::path::{Path, PathBuf};

/// Version of the file format; bumped on incompatible changes.
pub const FORMAT_VERSION: u32 = 1;

/// Name of the view every table has (all records, in creation order).
pub const GRID_VIEW: &str = "Grid view";

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Base {
    pub format: u32,
    pub id: String,
    pub name: String,
    pub tables: Vec<Table>,
    /// The base's webhooks, in creation order.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub webhooks: Vec<Webhook>,
    /// The number of the base's last transaction that changed records (Airtable's
    /// `baseTransactionNumber`).
    #[serde(default, rename = "transactionNumber")]
    pub transaction_number: u64,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Table {
    pub id: String,
    pub name: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    pub primary_field_id: String,
    pub fields: Vec<Field>,
    /// "Grid view" first, then the hand-made views of a table of this name (the sandbox's
    /// options); ids are kept
    /// across restarts.
    pub views: Vec<View>,
    /// Records in creation order.
    pub records: Vec<Record>,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct View {
    pub id: String,
    pub name: String,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Record {
    pub id: String,
    pub created_time: DateTime<Utc>,
    pub last_modified_time: DateTime<Utc>,
    /// Non-empty cells by field id, in the REST format (empty values are never stored).
    pub cells: BTreeMap<String, Value>,
    /// When each field's cell last changed (set, changed or cleared), by field id; a field
    /// never written has no entry.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub field_modified: BTreeMap<String, DateTime<Utc>>,
}

/// Whether two table or field names are the same to Airtable (case-insensitive).
pub fn same_name(a: &str, b: &str) -> bool {
    a.to_lowercase() == b.to_lowercase()
}

impl Base {
    /// A new base with no tables, under a new id (not yet in any store).
    pub fn empty(name: &str) -> Base {
        Base {
            format: FORMAT_VERSION,
            id: new_id(IdKind::Base),
            name: name.to_string(),
            tables: Vec::new(),
            webhooks: Vec::new(),
            transaction_number: 0,
        }
    }

    pub fn table_index(&self, id_or_name: &str) -> Option<usize> {
        self.tables
            .iter()
            .position(|t| t.id == id_or_name)
            .or_else(|| self.tables.iter().position(|t| same_name(&t.name, id_or_name)))
    }

    pub fn table_by_id(&self, id: &str) -> Option<&Table> {
        self.tables.iter().find(|t| t.id == id)
    }
}

impl Table {
    /// A field by id, or by name compared case-insensitively (as Airtable does).
    pub fn field_index(&self, id_or_name: &str) -> Option<usize> {
        self.fields
            .iter()
            .position(|f| f.id == id_or_name)
            .or_else(|| self.field_index_by_name(id_or_name))
    }

    pub fn field_index_by_name(&self, name: &str) -> Option<usize> {
        let lower = name.to_lowercase();
        self.fields.iter().position(|f| f.name.to_lowercase() == lower)
    }

    pub fn field(&self, id_or_name: &str) -> Option<&Field> {
        self.field_index(id_or_name).map(|i| &self.fields[i])
    }

    pub fn record_index(&self, id: &str) -> Option<usize> {
        self.records.iter().position(|r| r.id == id)
    }

    pub fn record(&self, id: &str) -> Option<&Record> {
        self.records.iter().find(|r| r.id == id)
    }

    pub fn primary_field(&self) -> Option<&Field> {
        self.fields.iter().find(|f| f.id == self.primary_field_id)
    }

    pub fn view(&self, id_or_name: &str) -> Option<&View> {
        self.views
            .iter()
            .find(|v| v.id == id_or_name)
            .or_else(|| self.views.iter().find(|v| v.name == id_or_name))
    }

    /// A new empty record, appended.
    pub fn push_record(&mut self, now: DateTime<Utc>) -> usize {
        self.records.push(Record {
            id: new_id(IdKind::Record),
            created_time: now,
            last_modified_time: now,
            cells: BTreeMap::new(),
            field_modified: BTreeMap::new(),
        });
        self.records.len() - 1
    }

    /// Makes the view list "Grid view" plus the hand-made views of this table in `tables`,
    /// keeping the ids of views that already exist.
    pub fn sync_views(&mut self, tables: &[TableSpec]) {
        let mut names = vec![GRID_VIEW.to_string()];
        let views = views_of(tables, &self.name);
        names.extend(views.iter().map(|v| v.name.clone()).filter(|n| n != GRID_VIEW));
        let old = std::mem::take(&mut self.views);
        self.views = names
            .into_iter()
            .map(|name| match old.iter().find(|v| v.name == name) {
                Some(v) => v.clone(),
                None => View {
                    id: new_id(IdKind::View),
                    name,
                },
            })
            .collect();
    }
}

/// Every base of the sandbox, and where they are kept.
#[derive(Debug)]
pub struct Store {
    bases: BTreeMap<String, Base>,
    data_dir: Option<DataDir>,
}

impl Store {
    /// An empty store, or the bases found in `data_dir` (created if missing).
    pub fn open(data_dir: Option<PathBuf>, tables: &[TableSpec]) -> anyhow::Result<Store> {
        let mut bases = BTreeMap::new();
        let data_dir = data_dir.map(|d| DataDir::open(d, "Airtable")).transpose()?;
        if let Some(dir) = &data_dir {
            for mut base in load_dir(dir.path())? {
                base.tables.iter_mut().for_each(|t| t.sync_views(tables));
                bases.insert(base.id.clone(), base);
            }
        }
        Ok(Store { bases, data_dir })
    }

    /// Adds an empty base in memory and returns its id; the caller persists it.
    pub fn add_base(&mut self, name: &str) -> String {
        let base = Base::empty(name);
        let id = base.id.clone();
        self.bases.insert(id.clone(), base);
        id
    }

    pub fn base(&self, id: &str) -> Option<&Base> {
        self.bases.get(id)
    }

    pub fn base_mut(&mut self, id: &str) -> Option<&mut Base> {
        self.bases.get_mut(id)
    }

    pub fn contains(&self, id: &str) -> bool {
        self.bases.contains_key(id)
    }

    /// Replaces a base with a changed copy (writes are made on a copy, so a failed request changes nothing).
    pub fn replace(&mut self, base: Base) -> anyhow::Result<()> {
        let id = base.id.clone();
        self.bases.insert(id.clone(), base);
        self.persist(&id)
    }

    /// (id, name) of every base, by id.
    pub fn list(&self) -> Vec<(String, String)> {
        self.bases.values().map(|b| (b.id.clone(), b.name.clone())).collect()
    }

    /// Writes one base's file (temp file, then rename); nothing without a data directory.
    pub fn persist(&self, id: &str) -> anyhow::Result<()> {
        let (Some(dir), Some(base)) = (&self.data_dir, self.bases.get(id)) else {
            return Ok(());
        };
        let bytes = serde_json::to_vec(base).context("Failed to serialize a base")?;
        dir.write_bytes(id, &bytes)
    }

    pub fn persist_all(&self) -> anyhow::Result<()> {
        self.bases.keys().try_for_each(|id| self.persist(id))
    }
}

fn load_dir(dir: &Path) -> anyhow::Result<Vec<Base>> {
    let mut out = Vec::new();
    let mut seen = HashSet::new();
    let entries = std::fs::read_dir(dir).with_context(|| format!("Failed to read {}", dir.display()))?;
    for entry in entries {
        let path = entry
            .with_context(|| format!("Failed to read {}", dir.display()))?
            .path();
        let is_base = path.extension().is_some_and(|e| e == "json")
            && path
                .file_name()
                .and_then(|n| n.to_str())
                .is_some_and(|n| n.starts_with("app"));
        if !is_base {
            continue;
        }
        let base: Base = crate::persist::read_file(&path, FORMAT_VERSION)?;
        if seen.insert(base.id.clone()) {
            out.push(base);
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bases_survive_a_reopen_of_the_data_dir() {
        let dir = tempfile::tempdir().unwrap();
        let mut store = Store::open(Some(dir.path().to_path_buf()), &[]).unwrap();
        let id = store.add_base("Demo");
        store.persist(&id).unwrap();
        assert!(dir.path().join(format!("{id}.json")).exists());
        assert!(!dir.path().join(format!("{id}.json.tmp")).exists());
        let again = Store::open(Some(dir.path().to_path_buf()), &[]).unwrap();
        assert_eq!(again.list(), vec![(id, "Demo".to_string())]);
    }

    #[test]
    fn a_base_file_from_before_webhooks_still_loads() {
        let dir = tempfile::tempdir().unwrap();
        let old = r#"{"format":1,"id":"appOld0000000000a","name":"Old","tables":[{"id":"tblT","name":"T",
            "primary_field_id":"fldA","fields":[],"views":[],"records":[{"id":"recR",
            "created_time":"2026-01-01T00:00:00Z","last_modified_time":"2026-01-02T00:00:00Z","cells":{}}]}]}"#;
        std::fs::write(dir.path().join("appOld0000000000a.json"), old).unwrap();
        let store = Store::open(Some(dir.path().to_path_buf()), &[]).unwrap();
        let base = store.base("appOld0000000000a").unwrap();
        assert!(base.webhooks.is_empty());
        assert_eq!(base.transaction_number, 0);
        assert!(base.tables[0].records[0].field_modified.is_empty());
    }

    #[test]
    fn a_corrupt_base_file_is_refused_with_its_path() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("appBroken0000000.json"), b"{nope").unwrap();
        let err = Store::open(Some(dir.path().to_path_buf()), &[]).unwrap_err();
        assert!(format!("{err:#}").contains("appBroken0000000.json"), "{err:#}");
    }
}
