//! Cell values on write: checking and typecasting what a client writes (reading them is
//! [`super::cell_read`]).
//!
//! Stored values are already in Airtable's REST format: strings, numbers, `true`, arrays of names
//! or record ids, attachment objects, dates as `2026-11-25`, date-times as UTC
//! `2026-11-25T10:00:00.000Z`. Empty values ("", [], false, null) are never stored.

use super::errors::ApiError;
use super::fields::Field;
use super::ids::{new_id, IdKind};
use super::model::FieldType;
use chrono::{DateTime, NaiveDate, NaiveDateTime, SecondsFormat, TimeZone, Utc};
use serde_json::{json, Value};

/// What a written value becomes.
#[derive(Debug, Clone, PartialEq)]
pub enum Checked {
    /// The cell is emptied.
    Clear,
    Set(Value),
    /// A select value naming choices that do not exist yet (typecast creates them).
    SetWithNewChoices(Value, Vec<String>),
    /// A link cell: record ids, or (with typecast) primary-field texts to resolve.
    LinkRefs(Vec<String>),
}

/// Whether a JSON value counts as empty for Airtable ("", [], false, null).
pub fn is_empty(v: &Value) -> bool {
    match v {
        Value::Null => true,
        Value::Bool(b) => !b,
        Value::String(s) => s.is_empty(),
        Value::Array(a) => a.is_empty(),
        Value::Object(_) | Value::Number(_) => false,
    }
}

/// Checks one written value against its field; `typecast` converts strings best-effort.
pub fn check(field: &Field, raw: &Value, typecast: bool) -> Result<Checked, ApiError> {
    if raw.is_null() {
        return Ok(Checked::Clear);
    }
    let bad = |why: &str| ApiError::invalid_value(&field.name, why);
    let value = match field.kind {
        FieldType::SingleLineText | FieldType::Email | FieldType::Url | FieldType::MultilineText => {
            text(raw, typecast).ok_or_else(|| bad("expected a string"))?
        }
        FieldType::Number => number(raw, typecast).ok_or_else(|| bad("expected a number"))?,
        FieldType::Checkbox => checkbox(raw, typecast).ok_or_else(|| bad("expected true or false"))?,
        FieldType::Date => date(raw, typecast).ok_or_else(|| bad("expected a date like 2026-11-25"))?,
        FieldType::DateTime => date_time(raw, typecast)
            .ok_or_else(|| bad("expected an ISO 8601 date-time like 2026-11-25T10:00:00.000Z"))?,
        FieldType::SingleSelect => return single_select(field, raw, typecast),
        FieldType::MultipleSelects => return multiple_selects(field, raw, typecast),
        FieldType::MultipleRecordLinks => return link_refs(field, raw, typecast),
        FieldType::MultipleAttachments => {
            attachments(raw).ok_or_else(|| bad("expected an array of {url, filename?}"))?
        }
    };
    Ok(if is_empty(&value) {
        Checked::Clear
    } else {
        Checked::Set(value)
    })
}

fn text(raw: &Value, typecast: bool) -> Option<Value> {
    match raw {
        Value::String(_) => Some(raw.clone()),
        Value::Number(n) if typecast => Some(json!(n.to_string())),
        Value::Bool(b) if typecast => Some(json!(b.to_string())),
        _ => None,
    }
}

fn number(raw: &Value, typecast: bool) -> Option<Value> {
    match raw {
        Value::Number(_) => Some(raw.clone()),
        Value::String(s) if typecast => {
            let cleaned: String = s.trim().chars().filter(|c| *c != ',').collect();
            if cleaned.is_empty() {
                return Some(Value::Null);
            }
            let n = cleaned.parse::<f64>().ok().filter(|n| n.is_finite())?;
            Some(number_json(n))
        }
        _ => None,
    }
}

/// A number as JSON: integers without a fraction, as Airtable returns them.
pub(super) fn number_json(n: f64) -> Value {
    if n.fract() == 0.0 && n.abs() < 9.0e15 {
        json!(n as i64)
    } else {
        json!(n)
    }
}

fn checkbox(raw: &Value, typecast: bool) -> Option<Value> {
    match raw {
        Value::Bool(_) => Some(raw.clone()),
        Value::String(s) if typecast => {
            let s = s.trim().to_lowercase();
            Some(json!(matches!(
                s.as_str(),
                "true" | "yes" | "1" | "checked" | "x" | "on"
            )))
        }
        Value::Number(n) if typecast => Some(json!(n.as_f64().is_some_and(|f| f != 0.0))),
        _ => None,
    }
}

fn date(raw: &Value, typecast: bool) -> Option<Value> {
    let s = raw.as_str()?.trim();
    if s.is_empty() {
        return Some(Value::Null);
    }
    if let Ok(d) = NaiveDate::parse_from_str(s, "%Y-%m-%d") {
        return Some(json!(d.format("%Y-%m-%d").to_string()));
    }
    if !typecast {
        return None;
    }
    let d = parse_date_time(s, true)
        .map(|t| t.date_naive())
        .or_else(|| loose_date(s))?;
    Some(json!(d.format("%Y-%m-%d").to_string()))
}

fn date_time(raw: &Value, typecast: bool) -> Option<Value> {
    let s = raw.as_str()?.trim();
    if s.is_empty() {
        return Some(Value::Null);
    }
    let t = parse_date_time(s, typecast)?;
    Some(json!(format_date_time(t)))
}

/// UTC with milliseconds and `Z`, as Airtable returns date-times.
pub fn format_date_time(t: DateTime<Utc>) -> String {
    t.to_rfc3339_opts(SecondsFormat::Millis, true)
}

/// ISO 8601 with an offset, without one (read as UTC), or a bare date (midnight UTC); with
/// `loose`, also RFC 2822 and `2026/11/25`-style dates.
fn parse_date_time(s: &str, loose: bool) -> Option<DateTime<Utc>> {
    if let Ok(t) = DateTime::parse_from_rfc3339(s) {
        return Some(t.with_timezone(&Utc));
    }
    for pattern in [
        "%Y-%m-%dT%H:%M:%S%.f",
        "%Y-%m-%dT%H:%M",
        "%Y-%m-%d %H:%M:%S%.f",
        "%Y-%m-%d %H:%M",
    ] {
        if let Ok(n) = NaiveDateTime::parse_from_str(s, pattern) {
            return Some(Utc.from_utc_datetime(&n));
        }
    }
    let date = NaiveDate::parse_from_str(s, "%Y-%m-%d").ok();
    let date = date.or_else(|| if loose { loose_date(s) } else { None });
    if let Some(d) = date {
        return d.and_hms_opt(0, 0, 0).map(|n| Utc.from_utc_datetime(&n));
    }
    if loose {
        return DateTime::parse_from_rfc2822(s).ok().map(|t| t.with_timezone(&Utc));
    }
    None
}

fn loose_date(s: &str) -> Option<NaiveDate> {
    ["%Y/%m/%d", "%m/%d/%Y", "%B %d, %Y", "%b %d, %Y", "%d %B %Y"]
        .iter()
        .find_map(|p| NaiveDate::parse_from_str(s, p).ok())
}

fn single_select(field: &Field, raw: &Value, typecast: bool) -> Result<Checked, ApiError> {
    let name = match raw {
        Value::String(s) => s.clone(),
        Value::Number(n) if typecast => n.to_string(),
        _ => return Err(ApiError::invalid_value(&field.name, "expected the name of a choice")),
    };
    if name.is_empty() {
        return Ok(Checked::Clear);
    }
    select_names(field, vec![name], typecast).map(|(mut names, new)| {
        let value = json!(names.remove(0));
        if new.is_empty() {
            Checked::Set(value)
        } else {
            Checked::SetWithNewChoices(value, new)
        }
    })
}

fn multiple_selects(field: &Field, raw: &Value, typecast: bool) -> Result<Checked, ApiError> {
    let bad = || ApiError::invalid_value(&field.name, "expected an array of choice names");
    let names: Vec<String> = match raw {
        Value::Array(items) => items
            .iter()
            .map(|v| v.as_str().map(str::to_string).ok_or_else(bad))
            .collect::<Result<_, _>>()?,
        Value::String(s) if typecast => s.split(',').map(|p| p.trim().to_string()).collect(),
        _ => return Err(bad()),
    };
    let mut unique: Vec<String> = Vec::new();
    for n in names.into_iter().filter(|n| !n.is_empty()) {
        if !unique.contains(&n) {
            unique.push(n);
        }
    }
    if unique.is_empty() {
        return Ok(Checked::Clear);
    }
    let (names, new) = select_names(field, unique, typecast)?;
    let value = json!(names);
    Ok(if new.is_empty() {
        Checked::Set(value)
    } else {
        Checked::SetWithNewChoices(value, new)
    })
}

/// Matches names to the field's choices (exactly); unknown ones are new choices with typecast,
/// an error without.
fn select_names(field: &Field, names: Vec<String>, typecast: bool) -> Result<(Vec<String>, Vec<String>), ApiError> {
    let mut new = Vec::new();
    for n in &names {
        if !field.choices().iter().any(|c| &c.name == n) {
            if !typecast {
                return Err(ApiError::invalid_choice(n));
            }
            new.push(n.clone());
        }
    }
    Ok((names, new))
}

fn link_refs(field: &Field, raw: &Value, typecast: bool) -> Result<Checked, ApiError> {
    let bad = || ApiError::invalid_value(&field.name, "Value is not an array of record IDs.");
    let refs: Vec<String> = match raw {
        Value::Array(items) => items
            .iter()
            .map(|v| v.as_str().map(str::to_string).ok_or_else(bad))
            .collect::<Result<_, _>>()?,
        Value::String(s) if typecast => vec![s.clone()],
        _ => return Err(bad()),
    };
    Ok(Checked::LinkRefs(refs))
}

fn attachments(raw: &Value) -> Option<Value> {
    let items = raw.as_array()?;
    let mut out = Vec::with_capacity(items.len());
    for item in items {
        let url = item.get("url").and_then(Value::as_str)?;
        let filename = item
            .get("filename")
            .and_then(Value::as_str)
            .map(str::to_string)
            .unwrap_or_else(|| {
                url.rsplit('/')
                    .next()
                    .unwrap_or(url)
                    .split('?')
                    .next()
                    .unwrap_or("")
                    .to_string()
            });
        let id = item
            .get("id")
            .and_then(Value::as_str)
            .map(str::to_string)
            .unwrap_or_else(|| new_id(IdKind::Attachment));
        out.push(json!({ "id": id, "url": url, "filename": filename }));
    }
    Some(Value::Array(out))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::airtable::fields::{build_field, FieldRequest};

    fn field(v: Value) -> Field {
        let req: FieldRequest = serde_json::from_value(v).unwrap();
        build_field(&req).ok().unwrap()
    }

    fn number_field() -> Field {
        field(json!({"name": "Likes", "type": "number", "options": {"precision": 0}}))
    }

    #[test]
    fn a_number_field_refuses_text_unless_typecast() {
        let err = check(&number_field(), &json!("abc"), false).unwrap_err();
        assert_eq!(err.kind(), "INVALID_VALUE_FOR_COLUMN");
        assert!(err.body["error"]["message"].as_str().unwrap().contains("\"Likes\""));
        assert_eq!(
            check(&number_field(), &json!("1,200"), true).unwrap(),
            Checked::Set(json!(1200))
        );
        assert!(check(&number_field(), &json!("abc"), true).is_err());
    }

    #[test]
    fn date_times_are_stored_as_utc_with_milliseconds() {
        let f = field(json!({"name": "When", "type": "dateTime", "options": {
            "timeZone": "utc", "dateFormat": {"name": "iso"}, "timeFormat": {"name": "24hour"}}}));
        assert_eq!(
            check(&f, &json!("2026-11-25T11:00:00+01:00"), false).unwrap(),
            Checked::Set(json!("2026-11-25T10:00:00.000Z"))
        );
        assert_eq!(
            check(&f, &json!("2026-11-25"), false).unwrap(),
            Checked::Set(json!("2026-11-25T00:00:00.000Z"))
        );
        assert!(check(&f, &json!("next tuesday"), false).is_err());
    }

    #[test]
    fn a_date_field_refuses_a_full_timestamp_unless_typecast() {
        let f = field(json!({"name": "Day", "type": "date", "options": {"dateFormat": {"name": "iso"}}}));
        assert!(check(&f, &json!("2026-11-25T10:00:00.000Z"), false).is_err());
        assert_eq!(
            check(&f, &json!("2026-11-25T10:00:00.000Z"), true).unwrap(),
            Checked::Set(json!("2026-11-25"))
        );
    }

    #[test]
    fn unknown_choices_fail_without_typecast_and_are_created_with_it() {
        let f =
            field(json!({"name": "Status", "type": "singleSelect", "options": {"choices": [{"name": "Scheduled"}]}}));
        assert_eq!(
            check(&f, &json!("Scheduled"), false).unwrap(),
            Checked::Set(json!("Scheduled"))
        );
        assert_eq!(
            check(&f, &json!("Blue"), false).unwrap_err().kind(),
            "INVALID_MULTIPLE_CHOICE_OPTIONS"
        );
        assert_eq!(
            check(&f, &json!("Blue"), true).unwrap(),
            Checked::SetWithNewChoices(json!("Blue"), vec!["Blue".into()])
        );
    }

    #[test]
    fn empty_values_clear_the_cell() {
        let f = field(json!({"name": "T", "type": "singleLineText"}));
        assert_eq!(check(&f, &json!(""), false).unwrap(), Checked::Clear);
        let c = field(json!({"name": "C", "type": "checkbox", "options": {"icon": "check", "color": "greenBright"}}));
        assert_eq!(check(&c, &json!(false), false).unwrap(), Checked::Clear);
        assert_eq!(
            check(&c, &json!("yes"), false).unwrap_err().kind(),
            "INVALID_VALUE_FOR_COLUMN"
        );
    }
}
