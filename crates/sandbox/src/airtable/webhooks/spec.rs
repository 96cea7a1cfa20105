//! A webhook's `specification` (airtable.com/developers/web/api/model/webhooks-specification):
//! its shape, the checks made when it is created (422 with what is wrong), and the questions a
//! change asks of it.

use super::super::errors::ApiError;
use super::super::store::Base;
use super::Source;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use std::collections::BTreeSet;

const DATA_TYPES: [&str; 3] = ["tableData", "tableFields", "tableMetadata"];
const CHANGE_TYPES: [&str; 3] = ["add", "remove", "update"];
const SOURCES: [&str; 9] = [
    "client",
    "publicApi",
    "formSubmission",
    "formPageSubmission",
    "automation",
    "system",
    "sync",
    "anonymousUser",
    "unknown",
];

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Specification {
    pub options: Options,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Options {
    pub filters: Filters,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub includes: Option<Includes>,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Filters {
    pub data_types: Vec<String>,
    /// A table id: only that table's changes.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub record_change_scope: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub change_types: Option<Vec<String>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub from_sources: Option<Vec<String>>,
    /// Kept and listed; not used (the sandbox has no forms).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source_options: Option<Value>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub watch_data_in_field_ids: Option<Vec<String>>,
    /// Kept and listed; not used (schema changes make no payloads).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub watch_schemas_of_field_ids: Option<Vec<String>>,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Includes {
    /// `"all"` or a list of field ids.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub include_cell_values_in_field_ids: Option<Value>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub include_previous_cell_values: Option<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub include_previous_field_definitions: Option<bool>,
}

fn refuse(detail: impl AsRef<str>) -> ApiError {
    ApiError::invalid_request(detail)
}

fn check_names(given: &[String], allowed: &[&str], what: &str) -> Result<(), ApiError> {
    match given.iter().find(|g| !allowed.contains(&g.as_str())) {
        Some(bad) => Err(refuse(format!("{what}: {bad:?} is not one of {}", allowed.join(", ")))),
        None => Ok(()),
    }
}

impl Specification {
    /// Checks the specification against the base it is for.
    pub fn validate(&self, base: &Base) -> Result<(), ApiError> {
        let f = &self.options.filters;
        if f.data_types.is_empty() {
            return Err(refuse("specification.options.filters.dataTypes must not be empty"));
        }
        check_names(&f.data_types, &DATA_TYPES, "dataTypes")?;
        check_names(f.change_types.as_deref().unwrap_or(&[]), &CHANGE_TYPES, "changeTypes")?;
        check_names(f.from_sources.as_deref().unwrap_or(&[]), &SOURCES, "fromSources")?;
        let scope = match &f.record_change_scope {
            None => None,
            Some(id) => match base.table_by_id(id) {
                Some(t) => Some(t),
                None if base.tables.iter().any(|t| t.views.iter().any(|v| &v.id == id)) => {
                    return Err(refuse(
                        "recordChangeScope: a view is not supported by the sandbox; give a table id",
                    ))
                }
                None => return Err(refuse(format!("recordChangeScope: no table {id:?} in this base"))),
            },
        };
        let field_lists = [
            ("watchDataInFieldIds", f.watch_data_in_field_ids.as_deref()),
            ("watchSchemasOfFieldIds", f.watch_schemas_of_field_ids.as_deref()),
        ];
        for (what, ids) in field_lists {
            let Some(ids) = ids else { continue };
            let Some(table) = scope else {
                return Err(refuse(format!("{what} needs recordChangeScope (a table id)")));
            };
            if let Some(bad) = ids.iter().find(|id| !table.fields.iter().any(|fl| &fl.id == *id)) {
                return Err(refuse(format!("{what}: no field {bad:?} in table {}", table.id)));
            }
        }
        if let Some(values) = self.include_cell_values() {
            let ids = match values {
                Value::String(s) if s == "all" => return Ok(()),
                Value::Array(items) => items.iter().map(Value::as_str).collect::<Option<Vec<_>>>(),
                _ => None,
            }
            .ok_or_else(|| refuse("includeCellValuesInFieldIds must be \"all\" or a list of field ids"))?;
            let known = |id: &str| match scope {
                Some(t) => t.fields.iter().any(|fl| fl.id == id),
                None => base.tables.iter().any(|t| t.fields.iter().any(|fl| fl.id == id)),
            };
            if let Some(bad) = ids.iter().find(|id| !known(id)) {
                return Err(refuse(format!("includeCellValuesInFieldIds: no field {bad:?}")));
            }
        }
        Ok(())
    }

    fn include_cell_values(&self) -> Option<&Value> {
        self.options
            .includes
            .as_ref()?
            .include_cell_values_in_field_ids
            .as_ref()
    }

    /// Whether record changes of `table_id` made by `source` concern this webhook at all.
    pub fn wants_records_of(&self, table_id: &str, source: Source) -> bool {
        let f = &self.options.filters;
        f.data_types.iter().any(|d| d == "tableData")
            && f.record_change_scope.as_deref().is_none_or(|s| s == table_id)
            && f.from_sources
                .as_ref()
                .is_none_or(|s| s.is_empty() || s.iter().any(|x| x == source.api_name()))
    }

    /// Whether changes of this kind (`add`, `remove`, `update`) are reported.
    pub fn wants_change(&self, kind: &str) -> bool {
        let types = self.options.filters.change_types.as_ref();
        types.is_none_or(|t| t.is_empty() || t.iter().any(|x| x == kind))
    }

    /// Whether an update of these fields is reported (`watchDataInFieldIds`).
    pub fn watches_any(&self, fields: &BTreeSet<String>) -> bool {
        match &self.options.filters.watch_data_in_field_ids {
            None => true,
            Some(watched) => watched.iter().any(|w| fields.contains(w)),
        }
    }

    /// Whether an unchanged cell of this field is shown beside a change (`includeCellValuesInFieldIds`).
    pub fn includes_value_of(&self, field_id: &str) -> bool {
        match self.include_cell_values() {
            Some(Value::String(s)) => s == "all",
            Some(Value::Array(items)) => items.iter().any(|i| i.as_str() == Some(field_id)),
            _ => false,
        }
    }

    pub fn includes_previous_values(&self) -> bool {
        let includes = self.options.includes.as_ref();
        includes.and_then(|i| i.include_previous_cell_values).unwrap_or(false)
    }
}
