//! `schema apply`: what to create so that a base matches the schema file, and creating it.
//!
//! Order: missing tables first (with their fields that are not links, the first being the primary
//! field), then missing fields (links last, once every table they point to exists), then missing
//! select choices. Airtable's API cannot add choices to an existing field (updating a field changes
//! only its name and description), so choices are added the way Airtable does allow: a temporary
//! record written with `typecast`, deleted right after. Types cannot be changed, nor anything deleted:
//! those differences are left for a person, and `check` says so.

use super::diff::{compare, Difference};
use super::{FieldKind, FieldSpec, Schema};
use crate::airtable::{AirtableError, Base, Fields, TableMeta};
use serde_json::{json, Value};
use std::collections::HashMap;
use std::fmt;

/// One step of a plan.
#[derive(Debug, Clone, PartialEq)]
pub enum Action {
    CreateTable {
        table: String,
        description: Option<String>,
        fields: Vec<FieldSpec>,
    },
    CreateField {
        table: String,
        field: FieldSpec,
    },
    /// A field whose name differs from the schema's only in case (the metadata API can rename).
    RenameField {
        table: String,
        field_id: String,
        from: String,
        to: String,
    },
    /// Choices missing from select fields of one table (added together: they share temporary records).
    AddChoices {
        table: String,
        fields: Vec<MissingChoices>,
    },
}

impl fmt::Display for Action {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Action::CreateTable { table, fields, .. } => {
                let names: Vec<&str> = fields.iter().map(|x| x.name.as_str()).collect();
                write!(f, "create table {table} with fields {}", names.join(", "))
            }
            Action::CreateField { table, field } => match &field.links_to {
                Some(to) => write!(f, "create field {table}.{} (link to {to})", field.name),
                None => write!(f, "create field {table}.{} ({})", field.name, field.kind.api_name()),
            },
            Action::RenameField { table, from, to, .. } => write!(f, "rename field {table}.{from} to {to}"),
            Action::AddChoices { table, fields } => {
                let parts: Vec<String> = fields
                    .iter()
                    .map(|m| format!("{} to {table}.{}", m.choices.join(", "), m.field))
                    .collect();
                write!(
                    f,
                    "add choices {} (through temporary records, deleted at once)",
                    parts.join("; ")
                )
            }
        }
    }
}

/// What `apply` would do, and what it cannot.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Plan {
    pub actions: Vec<Action>,
    /// Differences only a person can mend (types, links).
    pub manual: Vec<Difference>,
    /// Ids of the base's tables by lower-cased name, as read when planning (links need them).
    pub table_ids: HashMap<String, String>,
}

impl Plan {
    pub fn is_empty(&self) -> bool {
        self.actions.is_empty()
    }
}

/// Plans the changes that make `base` (its tables as read) match `schema`.
pub fn plan(schema: &Schema, base: &[TableMeta]) -> Plan {
    let comparison = compare(schema, base);
    let mut tables = Vec::new();
    let mut fields = Vec::new();
    let mut links = Vec::new();
    let mut choices = Vec::new();
    let mut manual = Vec::new();
    for diff in comparison.differences {
        match diff {
            Difference::MissingTable { table } => {
                let Some(spec) = schema.table(&table) else { continue };
                let (plain, linked): (Vec<&FieldSpec>, Vec<&FieldSpec>) = spec
                    .fields
                    .iter()
                    .partition(|f| f.kind != FieldKind::MultipleRecordLinks);
                tables.push(Action::CreateTable {
                    table: table.clone(),
                    description: spec.description.clone(),
                    fields: plain.into_iter().cloned().collect(),
                });
                links.extend(linked.into_iter().map(|f| Action::CreateField {
                    table: table.clone(),
                    field: f.clone(),
                }));
            }
            Difference::MissingField { table, field, .. } => {
                let Some(spec) = schema
                    .table(&table)
                    .and_then(|t| t.fields.iter().find(|f| f.name == field))
                else {
                    continue;
                };
                let action = Action::CreateField {
                    table,
                    field: spec.clone(),
                };
                if spec.kind == FieldKind::MultipleRecordLinks {
                    links.push(action);
                } else {
                    fields.push(action);
                }
            }
            Difference::MissingChoices {
                table,
                field,
                choices: missing,
                ..
            } => {
                let multiple = schema
                    .table(&table)
                    .and_then(|t| t.fields.iter().find(|f| f.name == field))
                    .is_some_and(|f| f.kind == FieldKind::MultipleSelects);
                let entry = MissingChoices {
                    field,
                    multiple,
                    choices: missing,
                };
                match choices
                    .iter_mut()
                    .find(|a| matches!(a, Action::AddChoices { table: t, .. } if *t == table))
                {
                    Some(Action::AddChoices { fields, .. }) => fields.push(entry),
                    _ => choices.push(Action::AddChoices {
                        table,
                        fields: vec![entry],
                    }),
                }
            }
            Difference::NameCase {
                table,
                field,
                found,
                field_id,
                ..
            } => fields.push(Action::RenameField {
                table,
                field_id,
                from: found,
                to: field,
            }),
            d @ (Difference::WrongType { .. } | Difference::WrongLink { .. }) => manual.push(d),
            Difference::ExtraTable { .. } | Difference::ExtraField { .. } | Difference::ExtraChoices { .. } => {}
        }
    }
    let actions = tables.into_iter().chain(fields).chain(links).chain(choices).collect();
    let table_ids = base.iter().map(|t| (t.name.to_lowercase(), t.id.clone())).collect();
    Plan {
        actions,
        manual,
        table_ids,
    }
}

/// The body Airtable's metadata API takes to create a field, with the options each type requires.
pub fn field_body(field: &FieldSpec, table_ids: &HashMap<String, String>) -> Value {
    let mut body = json!({"name": field.name, "type": field.kind.api_name()});
    if let Some(d) = &field.description {
        body["description"] = json!(d);
    }
    let options = match field.kind {
        FieldKind::Number => Some(json!({"precision": field.precision.unwrap_or(0)})),
        FieldKind::Checkbox => Some(json!({"icon": "check", "color": "greenBright"})),
        FieldKind::Date => Some(json!({"dateFormat": {"name": "iso"}})),
        FieldKind::DateTime => Some(json!({
            "timeZone": "utc",
            "dateFormat": {"name": "iso"},
            "timeFormat": {"name": "24hour"}
        })),
        FieldKind::SingleSelect | FieldKind::MultipleSelects => {
            Some(json!({"choices": field.choices.iter().map(|c| json!({"name": c})).collect::<Vec<_>>()}))
        }
        FieldKind::MultipleRecordLinks => field
            .links_to
            .as_ref()
            .and_then(|to| table_ids.get(&to.to_lowercase()))
            .map(|id| json!({"linkedTableId": id})),
        FieldKind::SingleLineText
        | FieldKind::Email
        | FieldKind::Url
        | FieldKind::MultilineText
        | FieldKind::MultipleAttachments => None,
    };
    if let Some(o) = options {
        body["options"] = o;
    }
    body
}

/// Carries out a plan against the base it was made for; returns what it did, one line per action.
/// An empty plan makes no call.
pub async fn execute(base: &Base, plan: &Plan) -> Result<Vec<String>, AirtableError> {
    let mut table_ids = plan.table_ids.clone();
    let mut done = Vec::new();
    for action in &plan.actions {
        match action {
            Action::CreateTable {
                table,
                description,
                fields,
            } => {
                let bodies = fields.iter().map(|f| field_body(f, &table_ids)).collect();
                let created = base.create_table(table, description.as_deref(), bodies).await?;
                table_ids.insert(table.to_lowercase(), created.id);
            }
            Action::CreateField { table, field } => {
                let Some(id) = table_ids.get(&table.to_lowercase()).cloned() else {
                    return Err(AirtableError::InvalidRequest {
                        context: base.context("create field", Some(table)),
                        detail: "the table's id is unknown: plan against the base's current tables".into(),
                    });
                };
                base.create_field(&id, table, field_body(field, &table_ids)).await?;
            }
            Action::RenameField {
                table, field_id, to, ..
            } => {
                let Some(id) = table_ids.get(&table.to_lowercase()).cloned() else {
                    return Err(AirtableError::InvalidRequest {
                        context: base.context("rename field", Some(table)),
                        detail: "the table's id is unknown: plan against the base's current tables".into(),
                    });
                };
                base.rename_field(&id, table, field_id, to).await?;
            }
            Action::AddChoices { table, fields } => add_choices(base, table, fields).await?,
        }
        tracing::info!(message = "Schema change applied.", change = %action);
        done.push(action.to_string());
    }
    Ok(done)
}

/// Choices one select field lacks.
#[derive(Debug, Clone, PartialEq)]
pub struct MissingChoices {
    pub field: String,
    /// A `multipleSelects` field (its value is a list).
    pub multiple: bool,
    pub choices: Vec<String>,
}

/// Adds select choices by writing them with `typecast` in temporary records (record i holds each
/// field's i-th missing choice), then deleting those records, whatever happened.
async fn add_choices(base: &Base, table: &str, fields: &[MissingChoices]) -> Result<(), AirtableError> {
    let rows = fields.iter().map(|m| m.choices.len()).max().unwrap_or(0);
    let records: Vec<Fields> = (0..rows)
        .map(|i| {
            let mut f = Fields::new();
            for m in fields {
                if let Some(c) = m.choices.get(i) {
                    f.insert(m.field.clone(), if m.multiple { json!([c]) } else { json!(c) });
                }
            }
            f
        })
        .collect();
    let (created, failure) = match base.create(table, records, true).await {
        Ok(created) => (created, None),
        Err(e) => (e.done, Some(e.error)),
    };
    let ids: Vec<String> = created.into_iter().map(|r| r.id).collect();
    if let Err(e) = base.delete(table, &ids).await {
        let left: Vec<&String> = ids.iter().filter(|id| !e.done.contains(id)).collect();
        tracing::error!(message = "Temporary records of schema apply are left in the base; delete them by hand.", table, records = ?left);
        return Err(e.error);
    }
    failure.map_or(Ok(()), Err)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_empty_base_gets_every_table_then_links_then_nothing_else() {
        let schema = Schema::builtin();
        let p = plan(&schema, &[]);
        let tables = p
            .actions
            .iter()
            .filter(|a| matches!(a, Action::CreateTable { .. }))
            .count();
        assert_eq!(tables, 6);
        let first_link = p
            .actions
            .iter()
            .position(|a| matches!(a, Action::CreateField { .. }))
            .unwrap();
        assert_eq!(first_link, 6, "links come after every table");
        assert!(p
            .actions
            .iter()
            .skip(6)
            .all(|a| matches!(a, Action::CreateField { field, .. } if field.links_to.is_some())));
        assert!(p.manual.is_empty());
    }

    #[test]
    fn a_created_table_starts_with_its_primary_field() {
        let p = plan(&Schema::builtin(), &[]);
        let Action::CreateTable { table, fields, .. } = &p.actions[3] else {
            panic!()
        };
        assert_eq!(table, "ScheduledPosts");
        assert_eq!(fields[0].name, "PostID");
    }
}
