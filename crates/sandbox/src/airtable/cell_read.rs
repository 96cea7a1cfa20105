//! Cell values on read: stored values as the formula engine's [`Cell`]s, as text, and as sort keys.

use super::cells::{is_empty, number_json};
use super::fields::Field;
use super::formula::Cell;
use super::model::FieldType;
use chrono::{DateTime, NaiveDate, Utc};
use serde_json::Value;
use std::cmp::Ordering;

/// A stored value as the formula engine sees it; `link_text` gives a linked record's
/// primary-field text (Airtable compares links by those, not by ids).
pub fn to_cell(field: &Field, value: Option<&Value>, link_text: &dyn Fn(&str) -> String) -> Cell {
    let Some(value) = value.filter(|v| !is_empty(v)) else {
        return if field.kind == FieldType::Checkbox {
            Cell::Bool(false)
        } else {
            Cell::Empty
        };
    };
    let strings = || -> Vec<String> {
        value
            .as_array()
            .map(|a| a.iter().filter_map(Value::as_str).map(str::to_string).collect())
            .unwrap_or_default()
    };
    match field.kind {
        FieldType::SingleLineText
        | FieldType::Email
        | FieldType::Url
        | FieldType::MultilineText
        | FieldType::SingleSelect => Cell::Text(display_text(value)),
        FieldType::Number => value.as_f64().map(Cell::Number).unwrap_or(Cell::Empty),
        FieldType::Checkbox => Cell::Bool(value.as_bool().unwrap_or(false)),
        FieldType::Date => value
            .as_str()
            .and_then(|s| NaiveDate::parse_from_str(s, "%Y-%m-%d").ok())
            .map(Cell::Date)
            .unwrap_or(Cell::Empty),
        FieldType::DateTime => value
            .as_str()
            .and_then(|s| DateTime::parse_from_rfc3339(s).ok())
            .map(|t| Cell::DateTime(t.with_timezone(&Utc)))
            .unwrap_or(Cell::Empty),
        FieldType::MultipleSelects => Cell::List(strings()),
        FieldType::MultipleRecordLinks => Cell::List(strings().iter().map(|id| link_text(id)).collect()),
        FieldType::MultipleAttachments => Cell::List(
            value
                .as_array()
                .map(|a| {
                    a.iter()
                        .filter_map(|x| x.get("filename").and_then(Value::as_str))
                        .map(str::to_string)
                        .collect()
                })
                .unwrap_or_default(),
        ),
    }
}

/// A value as text: strings as they are, numbers without a needless `.0`, lists joined by ", ".
pub fn display_text(value: &Value) -> String {
    match value {
        Value::String(s) => s.clone(),
        Value::Number(n) => n
            .as_f64()
            .map(|f| number_json(f).to_string())
            .unwrap_or_else(|| n.to_string()),
        Value::Array(items) => items.iter().map(display_text).collect::<Vec<_>>().join(", "),
        Value::Null => String::new(),
        Value::Bool(_) | Value::Object(_) => value.to_string(),
    }
}

/// How a cell sorts: empty first (ascending), then by number or by case-insensitive text.
#[derive(Debug, Clone, PartialEq)]
pub enum SortKey {
    Empty,
    Number(f64),
    Text(String),
}

impl SortKey {
    pub fn of(cell: &Cell) -> SortKey {
        match cell {
            Cell::Empty => SortKey::Empty,
            Cell::Number(n) => SortKey::Number(*n),
            Cell::Bool(b) => SortKey::Number(if *b { 1.0 } else { 0.0 }),
            Cell::Text(s) => SortKey::Text(s.to_lowercase()),
            Cell::DateTime(t) => SortKey::Number(t.timestamp_millis() as f64),
            Cell::Date(d) => SortKey::Number(
                d.and_hms_opt(0, 0, 0)
                    .map(|n| n.and_utc().timestamp_millis() as f64)
                    .unwrap_or(0.0),
            ),
            Cell::List(items) if items.is_empty() => SortKey::Empty,
            Cell::List(items) => SortKey::Text(items.join(", ").to_lowercase()),
        }
    }

    pub fn compare(&self, other: &SortKey) -> Ordering {
        match (self, other) {
            (SortKey::Empty, SortKey::Empty) => Ordering::Equal,
            (SortKey::Empty, _) => Ordering::Less,
            (_, SortKey::Empty) => Ordering::Greater,
            (SortKey::Number(a), SortKey::Number(b)) => a.total_cmp(b),
            (SortKey::Text(a), SortKey::Text(b)) => a.cmp(b),
            (SortKey::Number(_), SortKey::Text(_)) => Ordering::Less,
            (SortKey::Text(_), SortKey::Number(_)) => Ordering::Greater,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn empty_cells_sort_first() {
        let mut keys = [SortKey::Number(2.0), SortKey::Empty, SortKey::Number(1.0)];
        keys.sort_by(|a, b| a.compare(b));
        assert_eq!(keys, [SortKey::Empty, SortKey::Number(1.0), SortKey::Number(2.0)]);
    }
}
