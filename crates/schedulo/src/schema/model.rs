//! The schema file's shape: tables, fields, select choices, links and views of the base.
//!
//! The file (`schema/base.toml`) is the one place that says what the base must look like. `schedulo
//! schema apply` creates what is missing, `schedulo schema check` compares, and the sandbox reads its
//! views (which Airtable's API cannot create) to answer `view=` the way a real base would.

pub use crate::airtable::SortDirection;
use serde::{Deserialize, Serialize};
use std::collections::HashSet;
use std::path::Path;

/// The whole base as the worker expects it.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Schema {
    /// Tables in creation order: a table must come after those its links point to only for
    /// readability; `apply` creates every table first and links afterwards.
    #[serde(rename = "table")]
    pub tables: Vec<TableSpec>,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct TableSpec {
    pub name: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// Fields; the first one is the primary field (Airtable makes the first field of a new table primary).
    #[serde(rename = "field")]
    pub fields: Vec<FieldSpec>,
    /// Views a person creates by hand (the API cannot); the sandbox honours their filter and sort.
    #[serde(rename = "view", default, skip_serializing_if = "Vec::is_empty")]
    pub views: Vec<ViewSpec>,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct FieldSpec {
    pub name: String,
    #[serde(rename = "type")]
    pub kind: FieldKind,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// Choices of a `singleSelect` or `multipleSelects` field.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub choices: Vec<String>,
    /// Decimal places of a `number` field (0 to 8; 0 when unset).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub precision: Option<u8>,
    /// Table a `multipleRecordLinks` field points to.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub links_to: Option<String>,
    /// Whether the worker cannot run without this field (`check` exits non-zero when it is missing
    /// or of another type). Defaults to true.
    #[serde(default = "yes", skip_serializing_if = "is_true")]
    pub required_by_worker: bool,
}

fn yes() -> bool {
    true
}
fn is_true(b: &bool) -> bool {
    *b
}

/// Airtable's field types that the schema uses (the names are Airtable's own).
#[derive(Debug, Clone, Copy, Serialize, Deserialize, PartialEq, Eq, Hash)]
#[serde(rename_all = "camelCase")]
pub enum FieldKind {
    SingleLineText,
    Email,
    Url,
    MultilineText,
    Number,
    Checkbox,
    Date,
    DateTime,
    SingleSelect,
    MultipleSelects,
    MultipleRecordLinks,
    MultipleAttachments,
}

impl FieldKind {
    /// Airtable's name of the type, as in the metadata API.
    pub fn api_name(self) -> &'static str {
        match self {
            FieldKind::SingleLineText => "singleLineText",
            FieldKind::Email => "email",
            FieldKind::Url => "url",
            FieldKind::MultilineText => "multilineText",
            FieldKind::Number => "number",
            FieldKind::Checkbox => "checkbox",
            FieldKind::Date => "date",
            FieldKind::DateTime => "dateTime",
            FieldKind::SingleSelect => "singleSelect",
            FieldKind::MultipleSelects => "multipleSelects",
            FieldKind::MultipleRecordLinks => "multipleRecordLinks",
            FieldKind::MultipleAttachments => "multipleAttachments",
        }
    }

    pub fn from_api_name(name: &str) -> Option<FieldKind> {
        ALL_KINDS.iter().copied().find(|k| k.api_name() == name)
    }

    pub fn has_choices(self) -> bool {
        matches!(self, FieldKind::SingleSelect | FieldKind::MultipleSelects)
    }
}

const ALL_KINDS: [FieldKind; 12] = [
    FieldKind::SingleLineText,
    FieldKind::Email,
    FieldKind::Url,
    FieldKind::MultilineText,
    FieldKind::Number,
    FieldKind::Checkbox,
    FieldKind::Date,
    FieldKind::DateTime,
    FieldKind::SingleSelect,
    FieldKind::MultipleSelects,
    FieldKind::MultipleRecordLinks,
    FieldKind::MultipleAttachments,
];

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct ViewSpec {
    pub name: String,
    /// An Airtable formula; a record is in the view when it is truthy. Empty: every record.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub filter: Option<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub sort: Vec<SortSpec>,
    /// Grouping, shown to the person who creates the view; the API has no grouping.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub group_by: Option<String>,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct SortSpec {
    pub field: String,
    #[serde(default)]
    pub direction: SortDirection,
}

/// What is wrong with a schema file, with the table and field it concerns.
#[derive(Debug, thiserror::Error)]
pub enum SchemaFileError {
    #[error("cannot read schema file {path}: {source}")]
    Read { path: String, source: std::io::Error },
    #[error("schema file {path} is not valid: {message}")]
    Parse { path: String, message: String },
    #[error("schema file {path}: {message}")]
    Invalid { path: String, message: String },
}

/// The schema shipped with the worker (`schema/base.toml`), built into the binary so that
/// `schedulo sandbox` and `schema apply` work from any directory.
pub const BUILTIN: &str = include_str!("../../../../schema/base.toml");

impl Schema {
    pub fn builtin() -> Schema {
        Schema::parse(BUILTIN, "schema/base.toml (built in)").expect("the built-in schema is valid")
    }

    pub fn load(path: &Path) -> Result<Schema, SchemaFileError> {
        let text = std::fs::read_to_string(path).map_err(|source| SchemaFileError::Read {
            path: path.display().to_string(),
            source,
        })?;
        Schema::parse(&text, &path.display().to_string())
    }

    pub fn parse(text: &str, origin: &str) -> Result<Schema, SchemaFileError> {
        let schema: Schema = toml::from_str(text).map_err(|e| SchemaFileError::Parse {
            path: origin.to_string(),
            message: e.to_string(),
        })?;
        schema.validate().map_err(|message| SchemaFileError::Invalid {
            path: origin.to_string(),
            message,
        })?;
        Ok(schema)
    }

    pub fn table(&self, name: &str) -> Option<&TableSpec> {
        self.tables.iter().find(|t| t.name == name)
    }

    /// Checks what serde cannot: unique names, choices only on selects, links to known tables.
    fn validate(&self) -> Result<(), String> {
        let mut tables = HashSet::new();
        for t in &self.tables {
            if !tables.insert(t.name.as_str()) {
                return Err(format!("table {:?} is defined twice", t.name));
            }
        }
        for t in &self.tables {
            let Some(primary) = t.fields.first() else {
                return Err(format!("table {:?} has no fields", t.name));
            };
            if matches!(
                primary.kind,
                FieldKind::MultipleRecordLinks | FieldKind::MultipleAttachments | FieldKind::Checkbox
            ) {
                return Err(format!(
                    "table {:?}: primary field {:?} cannot be of type {}",
                    t.name,
                    primary.name,
                    primary.kind.api_name()
                ));
            }
            let mut fields = HashSet::new();
            for f in &t.fields {
                let at = format!("table {:?}, field {:?}", t.name, f.name);
                if !fields.insert(f.name.to_lowercase()) {
                    return Err(format!("{at}: defined twice (names are case-insensitive)"));
                }
                if f.kind.has_choices() && f.choices.is_empty() {
                    return Err(format!("{at}: a {} needs choices", f.kind.api_name()));
                }
                if !f.kind.has_choices() && !f.choices.is_empty() {
                    return Err(format!("{at}: only select fields take choices"));
                }
                if f.precision.is_some() && f.kind != FieldKind::Number {
                    return Err(format!("{at}: only number fields take a precision"));
                }
                if f.precision.is_some_and(|p| p > 8) {
                    return Err(format!("{at}: a precision is 0 to 8 decimal places"));
                }
                match (f.kind, &f.links_to) {
                    (FieldKind::MultipleRecordLinks, None) => return Err(format!("{at}: a link field needs links_to")),
                    (FieldKind::MultipleRecordLinks, Some(to)) if !tables.contains(to.as_str()) => {
                        return Err(format!("{at}: links to unknown table {to:?}"))
                    }
                    (FieldKind::MultipleRecordLinks, Some(_)) => {}
                    (_, Some(_)) => return Err(format!("{at}: only link fields take links_to")),
                    (_, None) => {}
                }
            }
            for v in &t.views {
                for s in &v.sort {
                    if !fields.contains(&s.field.to_lowercase()) {
                        return Err(format!(
                            "table {:?}, view {:?}: sorts by unknown field {:?}",
                            t.name, v.name, s.field
                        ));
                    }
                }
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_builtin_schema_parses_and_has_the_six_tables() {
        let s = Schema::builtin();
        let names: Vec<_> = s.tables.iter().map(|t| t.name.as_str()).collect();
        assert_eq!(
            names,
            [
                "Users",
                "SocialAccounts",
                "MediaLibrary",
                "ScheduledPosts",
                "PostAnalytics",
                "ErrorLog"
            ]
        );
    }

    #[test]
    fn a_link_to_an_unknown_table_names_table_and_field() {
        let text = r#"
[[table]]
name = "A"
[[table.field]]
name = "Id"
type = "singleLineText"
[[table.field]]
name = "Other"
type = "multipleRecordLinks"
links_to = "Nope"
"#;
        let err = Schema::parse(text, "x.toml").unwrap_err().to_string();
        assert!(
            err.contains("table \"A\", field \"Other\": links to unknown table \"Nope\""),
            "{err}"
        );
    }
}
