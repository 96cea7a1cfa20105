//! The sandbox's own model of an Airtable base's shape: tables, their fields with Airtable's type
//! names and options, and the views a person made by hand. Nothing here comes from the code the
//! sandbox stands in for; it is written from Airtable's documentation
//! (airtable.com/developers/web/api: field-model, create-table, create-field, get-base-schema).
//!
//! A [`TableSpec`] is the body of Airtable's `POST /v0/meta/bases/{baseId}/tables`
//! (`{name, description?, fields: [{name, type, description?, options?}]}`), so tables can be
//! written as JSON the way a client sends them, plus `views`, which the API cannot create
//! (Airtable: "Views cannot be created through the API"): a person makes them in the UI, and the
//! sandbox answers `view=` with their filter and sort.
//!
//! The sandbox reads these in two places:
//! - [`super::SandboxOptions::tables`]: the views of every table of that name in any base (the
//!   tables themselves are created through the metadata API, as with a real base);
//! - [`super::AirtableSandbox::create_base_with`]: a base created with those tables, as if a
//!   client had created them one by one. There, and only there, a link's `linkedTableId` may name
//!   a table of the same seed instead of giving its id (ids are not known before the seed).

use serde::{Deserialize, Serialize};

/// One table as Airtable's create-table request describes it, plus its hand-made views.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct TableSpec {
    pub name: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// Fields; the first one becomes the primary field (as Airtable does for a new table).
    pub fields: Vec<FieldSpec>,
    /// Views besides "Grid view" (which every table has), with the filter and sort they apply.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub views: Vec<ViewSpec>,
}

/// One field as Airtable's create-field request describes it.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct FieldSpec {
    pub name: String,
    #[serde(rename = "type")]
    pub field_type: FieldType,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// The type's options; Airtable requires them for number, checkbox, date, dateTime, selects
    /// and links, and refuses them for text types.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub options: Option<FieldOptionsSpec>,
}

/// A field's `options` in a create request, every key optional (each type takes its own):
/// `precision` (number, 0 to 8), `choices` (selects), `linkedTableId` (links), `dateFormat`
/// (date, dateTime), `timeFormat` and `timeZone` (dateTime), `icon` and `color` (checkbox).
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Default)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct FieldOptionsSpec {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub precision: Option<u8>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub choices: Option<Vec<ChoiceSpec>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub linked_table_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub date_format: Option<FormatSpec>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub time_format: Option<FormatSpec>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub time_zone: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub icon: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub color: Option<String>,
}

/// A select choice: `{name, color?}`.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct ChoiceSpec {
    pub name: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub color: Option<String>,
}

/// A date or time format: `{name, format?}` (`{"name": "iso"}`; the format defaults to the one
/// Airtable pairs with the name).
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct FormatSpec {
    pub name: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub format: Option<String>,
}

/// A view made by hand: records for which `filter` (an Airtable formula) is truthy, in `sort`
/// order. No filter: every record; no sort: creation order.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct ViewSpec {
    pub name: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub filter: Option<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub sort: Vec<SortSpec>,
}

/// One sort key, as list records takes it (`{field, direction}`).
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct SortSpec {
    pub field: String,
    #[serde(default)]
    pub direction: SortDirection,
}

#[derive(Debug, Clone, Copy, Serialize, Deserialize, PartialEq, Eq, Default)]
#[serde(rename_all = "lowercase")]
pub enum SortDirection {
    #[default]
    Asc,
    Desc,
}

/// The field types the sandbox implements, by Airtable's names (field-model). Computed types
/// (formula, rollup, lookup, count, autoNumber, createdTime, ...) cannot be created through the
/// API, so they are not here.
#[derive(Debug, Clone, Copy, Serialize, Deserialize, PartialEq, Eq, Hash)]
#[serde(rename_all = "camelCase")]
pub enum FieldType {
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

const ALL_TYPES: [FieldType; 12] = [
    FieldType::SingleLineText,
    FieldType::Email,
    FieldType::Url,
    FieldType::MultilineText,
    FieldType::Number,
    FieldType::Checkbox,
    FieldType::Date,
    FieldType::DateTime,
    FieldType::SingleSelect,
    FieldType::MultipleSelects,
    FieldType::MultipleRecordLinks,
    FieldType::MultipleAttachments,
];

impl FieldType {
    /// Airtable's name of the type, as the metadata API writes it in `type`.
    pub fn api_name(self) -> &'static str {
        match self {
            FieldType::SingleLineText => "singleLineText",
            FieldType::Email => "email",
            FieldType::Url => "url",
            FieldType::MultilineText => "multilineText",
            FieldType::Number => "number",
            FieldType::Checkbox => "checkbox",
            FieldType::Date => "date",
            FieldType::DateTime => "dateTime",
            FieldType::SingleSelect => "singleSelect",
            FieldType::MultipleSelects => "multipleSelects",
            FieldType::MultipleRecordLinks => "multipleRecordLinks",
            FieldType::MultipleAttachments => "multipleAttachments",
        }
    }

    /// The type of an Airtable type name; `None` for a type the sandbox does not implement.
    pub fn from_api_name(name: &str) -> Option<FieldType> {
        ALL_TYPES.iter().copied().find(|t| t.api_name() == name)
    }

    pub fn has_choices(self) -> bool {
        matches!(self, FieldType::SingleSelect | FieldType::MultipleSelects)
    }
}

/// The hand-made views of the table named `table` (case-insensitively, as Airtable compares
/// names), or none.
pub fn views_of<'a>(tables: &'a [TableSpec], table: &str) -> &'a [ViewSpec] {
    let lower = table.to_lowercase();
    tables
        .iter()
        .find(|t| t.name.to_lowercase() == lower)
        .map(|t| t.views.as_slice())
        .unwrap_or(&[])
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn a_create_table_request_body_reads_as_a_table_spec() {
        let body = json!({"name": "Posts", "description": "d", "fields": [
            {"name": "Name", "type": "singleLineText"},
            {"name": "N", "type": "number", "options": {"precision": 2}},
            {"name": "Status", "type": "singleSelect", "options": {"choices": [{"name": "A", "color": "blueLight2"}]}},
            {"name": "When", "type": "dateTime", "options": {"timeZone": "utc",
                "dateFormat": {"name": "iso"}, "timeFormat": {"name": "24hour"}}},
        ]});
        let spec: TableSpec = serde_json::from_value(body.clone()).unwrap();
        assert_eq!(spec.fields[1].field_type, FieldType::Number);
        assert_eq!(spec.fields[1].options.as_ref().unwrap().precision, Some(2));
        assert_eq!(serde_json::to_value(&spec).unwrap(), body);
    }

    #[test]
    fn every_type_name_parses_back() {
        for t in ALL_TYPES {
            assert_eq!(FieldType::from_api_name(t.api_name()), Some(t));
            assert_eq!(serde_json::to_value(t).unwrap(), json!(t.api_name()));
        }
        assert_eq!(FieldType::from_api_name("formula"), None);
    }
}
