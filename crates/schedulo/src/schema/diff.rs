//! Comparing the schema file with a base's metadata.

use super::{FieldKind, FieldSpec, Schema, TableSpec, ViewSpec};
use crate::airtable::{FieldMeta, TableMeta};
use std::fmt;

/// One way the base differs from the schema file.
#[derive(Debug, Clone, PartialEq)]
pub enum Difference {
    MissingTable {
        table: String,
    },
    MissingField {
        table: String,
        field: String,
        kind: FieldKind,
        required: bool,
    },
    WrongType {
        table: String,
        field: String,
        expected: FieldKind,
        found: String,
        required: bool,
    },
    WrongLink {
        table: String,
        field: String,
        expected: String,
        found: String,
        required: bool,
    },
    MissingChoices {
        table: String,
        field: String,
        choices: Vec<String>,
        required: bool,
    },
    /// The field exists with its name in another case: Airtable matches names in formulas without
    /// case, but records come back under the base's spelling, so the worker would find it empty.
    NameCase {
        table: String,
        field: String,
        found: String,
        field_id: String,
        required: bool,
    },
    ExtraTable {
        table: String,
    },
    ExtraField {
        table: String,
        field: String,
        kind: String,
    },
    ExtraChoices {
        table: String,
        field: String,
        choices: Vec<String>,
    },
}

impl Difference {
    /// Whether the worker cannot run with the base as it is.
    pub fn breaks_worker(&self) -> bool {
        match self {
            Difference::MissingTable { .. } => true,
            Difference::MissingField { required, .. }
            | Difference::WrongType { required, .. }
            | Difference::WrongLink { required, .. }
            | Difference::MissingChoices { required, .. }
            | Difference::NameCase { required, .. } => *required,
            Difference::ExtraTable { .. } | Difference::ExtraField { .. } | Difference::ExtraChoices { .. } => false,
        }
    }
}

impl fmt::Display for Difference {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Difference::MissingTable { table } => write!(f, "missing table {table}"),
            Difference::MissingField { table, field, kind, .. } => {
                write!(f, "{table}: missing field {field} ({})", kind.api_name())
            }
            Difference::WrongType { table, field, expected, found, .. } => write!(
                f,
                "{table}: field {field} is {found}, expected {} (Airtable's API cannot change a type: change it by hand)",
                expected.api_name()
            ),
            Difference::WrongLink { table, field, expected, found, .. } => {
                write!(f, "{table}: field {field} links to {found}, expected {expected}")
            }
            Difference::MissingChoices { table, field, choices, .. } => {
                write!(f, "{table}: field {field} lacks choices {}", choices.join(", "))
            }
            Difference::NameCase { table, field, found, .. } => {
                write!(f, "{table}: field {found} should be spelled {field}")
            }
            Difference::ExtraTable { table } => write!(f, "extra table {table} (left alone)"),
            Difference::ExtraField { table, field, kind } => {
                write!(f, "{table}: extra field {field} ({kind}) (left alone)")
            }
            Difference::ExtraChoices { table, field, choices } => {
                write!(f, "{table}: field {field} has extra choices {} (left alone)", choices.join(", "))
            }
        }
    }
}

/// A view of the schema file that the base lacks: a person must create it.
#[derive(Debug, Clone, PartialEq)]
pub struct MissingView {
    pub table: String,
    pub view: ViewSpec,
}

impl fmt::Display for MissingView {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "in table {}, create a grid view named {:?}",
            self.table, self.view.name
        )?;
        if let Some(filter) = &self.view.filter {
            write!(f, "; filter: {filter}")?;
        }
        if !self.view.sort.is_empty() {
            let sorts: Vec<String> = self
                .view
                .sort
                .iter()
                .map(|s| {
                    format!(
                        "{} {}",
                        s.field,
                        if s.direction == super::SortDirection::Asc {
                            "ascending"
                        } else {
                            "descending"
                        }
                    )
                })
                .collect();
            write!(f, "; sort: {}", sorts.join(", "))?;
        }
        if let Some(group) = &self.view.group_by {
            write!(f, "; group by: {group}")?;
        }
        Ok(())
    }
}

/// What `schema check` found.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Comparison {
    pub differences: Vec<Difference>,
    pub missing_views: Vec<MissingView>,
}

impl Comparison {
    pub fn breaks_worker(&self) -> bool {
        self.differences.iter().any(Difference::breaks_worker)
    }
}

fn find_table<'a>(tables: &'a [TableMeta], name: &str) -> Option<&'a TableMeta> {
    tables.iter().find(|t| t.name.eq_ignore_ascii_case(name))
}

/// Compares the schema file with a base's tables.
pub fn compare(schema: &Schema, base: &[TableMeta]) -> Comparison {
    let mut out = Comparison::default();
    for spec in &schema.tables {
        let Some(table) = find_table(base, &spec.name) else {
            out.differences.push(Difference::MissingTable {
                table: spec.name.clone(),
            });
            out.missing_views.extend(spec.views.iter().map(|v| MissingView {
                table: spec.name.clone(),
                view: v.clone(),
            }));
            continue;
        };
        compare_table(schema, spec, table, base, &mut out);
    }
    for table in base {
        if schema.tables.iter().all(|t| !t.name.eq_ignore_ascii_case(&table.name)) {
            out.differences.push(Difference::ExtraTable {
                table: table.name.clone(),
            });
        }
    }
    out
}

fn compare_table(schema: &Schema, spec: &TableSpec, table: &TableMeta, base: &[TableMeta], out: &mut Comparison) {
    for field in &spec.fields {
        match table.field(&field.name) {
            None => out.differences.push(Difference::MissingField {
                table: spec.name.clone(),
                field: field.name.clone(),
                kind: field.kind,
                required: field.required_by_worker,
            }),
            Some(meta) => compare_field(&spec.name, field, meta, base, out),
        }
    }
    for meta in &table.fields {
        if spec.fields.iter().all(|f| !f.name.eq_ignore_ascii_case(&meta.name))
            && !is_inverse_of_ours(meta, schema, base)
        {
            out.differences.push(Difference::ExtraField {
                table: spec.name.clone(),
                field: meta.name.clone(),
                kind: meta.kind.clone(),
            });
        }
    }
    for view in &spec.views {
        if table.views.iter().all(|v| !v.name.eq_ignore_ascii_case(&view.name)) {
            out.missing_views.push(MissingView {
                table: spec.name.clone(),
                view: view.clone(),
            });
        }
    }
}

/// Whether a link field is the other side that Airtable made for one of the schema's links (creating a
/// link field creates its inverse in the linked table): not worth reporting.
fn is_inverse_of_ours(meta: &FieldMeta, schema: &Schema, base: &[TableMeta]) -> bool {
    let inverse_id = meta
        .options
        .as_ref()
        .and_then(|o| o.get("inverseLinkFieldId"))
        .and_then(|v| v.as_str());
    let (Some(inverse_id), Some(linked_id)) = (inverse_id, meta.linked_table_id()) else {
        return false;
    };
    let Some(linked) = base.iter().find(|t| t.id == linked_id) else {
        return false;
    };
    let Some(inverse) = linked.fields.iter().find(|f| f.id == inverse_id) else {
        return false;
    };
    schema.table(&linked.name).is_some_and(|t| {
        t.fields
            .iter()
            .any(|f| f.links_to.is_some() && f.name.eq_ignore_ascii_case(&inverse.name))
    })
}

fn compare_field(table: &str, spec: &FieldSpec, meta: &FieldMeta, base: &[TableMeta], out: &mut Comparison) {
    let (t, f, required) = (table.to_string(), spec.name.clone(), spec.required_by_worker);
    if meta.name != spec.name {
        out.differences.push(Difference::NameCase {
            table: t.clone(),
            field: f.clone(),
            found: meta.name.clone(),
            field_id: meta.id.clone(),
            required,
        });
    }
    if FieldKind::from_api_name(&meta.kind) != Some(spec.kind) {
        out.differences.push(Difference::WrongType {
            table: t,
            field: f,
            expected: spec.kind,
            found: meta.kind.clone(),
            required,
        });
        return;
    }
    if spec.kind.has_choices() {
        let have = meta.choices();
        let missing: Vec<String> = spec.choices.iter().filter(|c| !have.contains(c)).cloned().collect();
        let extra: Vec<String> = have.iter().filter(|c| !spec.choices.contains(c)).cloned().collect();
        if !missing.is_empty() {
            out.differences.push(Difference::MissingChoices {
                table: t.clone(),
                field: f.clone(),
                choices: missing,
                required,
            });
        }
        if !extra.is_empty() {
            out.differences.push(Difference::ExtraChoices {
                table: t,
                field: f,
                choices: extra,
            });
        }
        return;
    }
    if let (Some(expected), Some(linked_id)) = (&spec.links_to, meta.linked_table_id()) {
        let found = base
            .iter()
            .find(|x| x.id == linked_id)
            .map(|x| x.name.clone())
            .unwrap_or_else(|| linked_id.to_string());
        if !found.eq_ignore_ascii_case(expected) {
            out.differences.push(Difference::WrongLink {
                table: t,
                field: f,
                expected: expected.clone(),
                found,
                required,
            });
        }
    }
}
