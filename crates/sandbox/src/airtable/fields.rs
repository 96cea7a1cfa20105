//! Fields as the metadata API knows them: type, options, and their JSON in Airtable's field model
//! (airtable.com/developers/web/api/field-model).
//!
//! Creatable types are the sandbox's model's ([`FieldType`]); computed types (formula, rollup,
//! lookup, count, autoNumber, createdTime, lastModifiedTime, ...) cannot be created through the
//! API, so they do not exist here.

use super::errors::ApiError;
use super::ids::{new_id, IdKind};
use super::model::FieldType;
use serde::{Deserialize, Serialize};
use serde_json::{json, Map, Value};

/// One field of a table.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct Field {
    pub id: String,
    pub name: String,
    pub kind: FieldType,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    pub options: FieldOptions,
}

/// A type's options, in the form Airtable returns them.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(tag = "of")]
pub enum FieldOptions {
    /// Text, email, url, long text and attachments have no options to keep.
    Plain,
    Number {
        precision: u8,
    },
    Select {
        choices: Vec<Choice>,
    },
    Link {
        linked_table_id: String,
        /// The field of the linked table that shows the backlink; `None` for a link to the same
        /// table, or when the inverse was deleted.
        inverse_link_field_id: Option<String>,
    },
    Date {
        date_format: NamedFormat,
    },
    DateTime {
        time_zone: String,
        date_format: NamedFormat,
        time_format: NamedFormat,
    },
    Checkbox {
        icon: String,
        color: String,
    },
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct Choice {
    pub id: String,
    pub name: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub color: Option<String>,
}

/// A date or time format: Airtable's `{"name":"iso","format":"YYYY-MM-DD"}`.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct NamedFormat {
    pub name: String,
    pub format: String,
}

/// Types Airtable has but the API cannot create (computed, or created by Airtable itself).
const NOT_CREATABLE: [&str; 12] = [
    "formula",
    "rollup",
    "multipleLookupValues",
    "lookup",
    "count",
    "autoNumber",
    "createdTime",
    "lastModifiedTime",
    "createdBy",
    "lastModifiedBy",
    "button",
    "externalSyncSource",
];

impl Field {
    /// The field in the metadata API's JSON.
    pub fn to_json(&self) -> Value {
        let mut out = Map::new();
        out.insert("id".into(), json!(self.id));
        out.insert("name".into(), json!(self.name));
        out.insert("type".into(), json!(self.kind.api_name()));
        if let Some(d) = &self.description {
            out.insert("description".into(), json!(d));
        }
        if let Some(options) = self.options_json() {
            out.insert("options".into(), options);
        }
        Value::Object(out)
    }

    fn options_json(&self) -> Option<Value> {
        match &self.options {
            FieldOptions::Plain if self.kind == FieldType::MultipleAttachments => Some(json!({"isReversed": false})),
            FieldOptions::Plain => None,
            FieldOptions::Number { precision } => Some(json!({ "precision": precision })),
            FieldOptions::Select { choices } => Some(json!({ "choices": choices })),
            FieldOptions::Link {
                linked_table_id,
                inverse_link_field_id,
            } => {
                let mut o = json!({
                    "linkedTableId": linked_table_id,
                    "isReversed": false,
                    "prefersSingleRecordLink": false,
                });
                if let Some(inverse) = inverse_link_field_id {
                    o["inverseLinkFieldId"] = json!(inverse);
                }
                Some(o)
            }
            FieldOptions::Date { date_format } => Some(json!({ "dateFormat": date_format })),
            FieldOptions::DateTime {
                time_zone,
                date_format,
                time_format,
            } => Some(json!({ "timeZone": time_zone, "dateFormat": date_format, "timeFormat": time_format })),
            FieldOptions::Checkbox { icon, color } => Some(json!({ "icon": icon, "color": color })),
        }
    }

    pub fn choices(&self) -> &[Choice] {
        match &self.options {
            FieldOptions::Select { choices } => choices,
            _ => &[],
        }
    }

    /// The linked table and the inverse field of a link field.
    pub fn link(&self) -> Option<(&str, Option<&str>)> {
        match &self.options {
            FieldOptions::Link {
                linked_table_id,
                inverse_link_field_id,
            } => Some((linked_table_id, inverse_link_field_id.as_deref())),
            _ => None,
        }
    }

    /// Adds a select choice (typecast creates missing ones).
    pub fn add_choice(&mut self, name: &str) {
        if let FieldOptions::Select { choices } = &mut self.options {
            choices.push(Choice {
                id: new_id(IdKind::Choice),
                name: name.to_string(),
                color: None,
            });
        }
    }
}

/// A field as a create request describes it (`{name, type, description?, options?}`).
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FieldRequest {
    pub name: String,
    #[serde(rename = "type")]
    pub kind: String,
    #[serde(default)]
    pub description: Option<String>,
    #[serde(default)]
    pub options: Option<Value>,
}

/// Checks a field create request's type and options; the caller checks the name and that a
/// linked table exists.
pub fn build_field(req: &FieldRequest) -> Result<Field, ApiError> {
    let kind = parse_kind(&req.kind)?;
    let options = parse_options(kind, req.options.as_ref().unwrap_or(&Value::Null))?;
    Ok(Field {
        id: new_id(IdKind::Field),
        name: req.name.trim().to_string(),
        kind,
        description: req.description.clone().filter(|d| !d.is_empty()),
        options,
    })
}

/// Error types for a type or options Airtable refuses are unverified (the status, 422, is not).
fn parse_kind(name: &str) -> Result<FieldType, ApiError> {
    if let Some(kind) = FieldType::from_api_name(name) {
        return Ok(kind);
    }
    if NOT_CREATABLE.contains(&name) {
        return Err(ApiError::meta(
            "UNSUPPORTED_FIELD_TYPE_FOR_CREATE",
            format!("Field type {name} cannot be created through the API"),
        ));
    }
    Err(ApiError::meta(
        "INVALID_FIELD_TYPE",
        format!("Field type {name:?} is not supported (the sandbox knows the types of its model)"),
    ))
}

fn bad_options(kind: FieldType, why: &str) -> ApiError {
    ApiError::meta(
        "INVALID_FIELD_TYPE_OPTIONS",
        format!("Invalid options for field of type {}: {why}", kind.api_name()),
    )
}

fn parse_options(kind: FieldType, options: &Value) -> Result<FieldOptions, ApiError> {
    let empty = options.is_null() || options.as_object().is_some_and(Map::is_empty);
    let o = |key: &str| options.get(key).filter(|v| !v.is_null());
    match kind {
        FieldType::SingleLineText
        | FieldType::Email
        | FieldType::Url
        | FieldType::MultilineText
        | FieldType::MultipleAttachments => {
            if empty || kind == FieldType::MultipleAttachments {
                Ok(FieldOptions::Plain)
            } else {
                Err(bad_options(kind, "this type takes no options"))
            }
        }
        FieldType::Number => {
            let precision = o("precision").and_then(Value::as_u64).filter(|p| *p <= 8);
            let precision = precision.ok_or_else(|| bad_options(kind, "precision (0 to 8) is required"))?;
            Ok(FieldOptions::Number {
                precision: precision as u8,
            })
        }
        FieldType::SingleSelect | FieldType::MultipleSelects => parse_choices(kind, o("choices")),
        FieldType::MultipleRecordLinks => {
            let linked = o("linkedTableId").and_then(Value::as_str);
            let linked = linked.ok_or_else(|| bad_options(kind, "linkedTableId is required"))?;
            Ok(FieldOptions::Link {
                linked_table_id: linked.to_string(),
                inverse_link_field_id: None,
            })
        }
        FieldType::Date => Ok(FieldOptions::Date {
            date_format: parse_format(kind, o("dateFormat"), date_format_of)?,
        }),
        FieldType::DateTime => {
            let time_zone = o("timeZone").and_then(Value::as_str).filter(|z| !z.is_empty());
            let time_zone = time_zone.ok_or_else(|| bad_options(kind, "timeZone is required"))?;
            Ok(FieldOptions::DateTime {
                time_zone: time_zone.to_string(),
                date_format: parse_format(kind, o("dateFormat"), date_format_of)?,
                time_format: parse_format(kind, o("timeFormat"), time_format_of)?,
            })
        }
        FieldType::Checkbox => {
            let icon = o("icon").and_then(Value::as_str);
            let color = o("color").and_then(Value::as_str);
            match (icon, color) {
                (Some(icon), Some(color)) => Ok(FieldOptions::Checkbox {
                    icon: icon.to_string(),
                    color: color.to_string(),
                }),
                _ => Err(bad_options(kind, "icon and color are required")),
            }
        }
    }
}

fn parse_choices(kind: FieldType, choices: Option<&Value>) -> Result<FieldOptions, ApiError> {
    let list = choices
        .and_then(Value::as_array)
        .ok_or_else(|| bad_options(kind, "choices (an array of {name}) is required"))?;
    let mut out: Vec<Choice> = Vec::new();
    for c in list {
        let name = c.get("name").and_then(Value::as_str).filter(|n| !n.is_empty());
        let name = name.ok_or_else(|| bad_options(kind, "every choice needs a name"))?;
        if out.iter().any(|x| x.name == name) {
            return Err(bad_options(kind, &format!("choice {name:?} is given twice")));
        }
        out.push(Choice {
            id: new_id(IdKind::Choice),
            name: name.to_string(),
            color: c.get("color").and_then(Value::as_str).map(str::to_string),
        });
    }
    Ok(FieldOptions::Select { choices: out })
}

/// Reads `{"name": ..., "format"?: ...}`; the format defaults to the one Airtable pairs with the name.
fn parse_format(
    kind: FieldType,
    value: Option<&Value>,
    default_of: fn(&str) -> Option<&'static str>,
) -> Result<NamedFormat, ApiError> {
    let name = value.and_then(|v| v.get("name")).and_then(Value::as_str);
    let name = name.ok_or_else(|| bad_options(kind, "dateFormat/timeFormat with a name is required"))?;
    let default = default_of(name).ok_or_else(|| bad_options(kind, &format!("unknown format name {name:?}")))?;
    let format = value
        .and_then(|v| v.get("format"))
        .and_then(Value::as_str)
        .unwrap_or(default);
    Ok(NamedFormat {
        name: name.to_string(),
        format: format.to_string(),
    })
}

fn date_format_of(name: &str) -> Option<&'static str> {
    match name {
        "local" => Some("l"),
        "friendly" => Some("LL"),
        "us" => Some("M/D/YYYY"),
        "european" => Some("D/M/YYYY"),
        "iso" => Some("YYYY-MM-DD"),
        _ => None,
    }
}

fn time_format_of(name: &str) -> Option<&'static str> {
    match name {
        "12hour" => Some("h:mma"),
        "24hour" => Some("HH:mm"),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn req(v: Value) -> FieldRequest {
        serde_json::from_value(v).unwrap()
    }

    #[test]
    fn a_number_field_needs_a_precision() {
        let err = build_field(&req(json!({"name": "N", "type": "number"}))).err().unwrap();
        assert_eq!(err.kind(), "INVALID_FIELD_TYPE_OPTIONS");
        let ok = build_field(&req(
            json!({"name": "N", "type": "number", "options": {"precision": 2}}),
        ))
        .ok()
        .unwrap();
        assert_eq!(ok.to_json()["options"], json!({"precision": 2}));
    }

    #[test]
    fn formula_fields_cannot_be_created() {
        let err = build_field(&req(json!({"name": "F", "type": "formula"})))
            .err()
            .unwrap();
        assert_eq!(err.kind(), "UNSUPPORTED_FIELD_TYPE_FOR_CREATE");
    }

    #[test]
    fn select_choices_get_ids_and_date_formats_get_their_pattern() {
        let f = build_field(&req(
            json!({"name": "S", "type": "singleSelect", "options": {"choices": [{"name": "A"}]}}),
        ))
        .ok()
        .unwrap();
        let choice = &f.to_json()["options"]["choices"][0];
        assert_eq!(choice["name"], "A");
        assert!(choice["id"].as_str().unwrap().starts_with("sel"));
        let d = build_field(&req(
            json!({"name": "D", "type": "date", "options": {"dateFormat": {"name": "iso"}}}),
        ))
        .ok()
        .unwrap();
        assert_eq!(
            d.to_json()["options"],
            json!({"dateFormat": {"name": "iso", "format": "YYYY-MM-DD"}})
        );
    }
}
