//! Reading typed values out of a record, each failure naming table, record, field and problem.

use crate::airtable::Record;
use chrono::{DateTime, NaiveDate, Utc};
use serde_json::Value;
use std::fmt;

/// A record that cannot be read as the worker needs it.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{table} record {record_id}, field {field}: {problem}")]
pub struct RecordError {
    pub table: &'static str,
    pub record_id: String,
    pub field: &'static str,
    pub problem: String,
}

/// A single-select field's choices as a Rust enum.
pub trait Choice: Sized + Copy + fmt::Debug + 'static {
    const ALL: &'static [Self];
    fn name(self) -> &'static str;
    fn parse(name: &str) -> Option<Self> {
        Self::ALL.iter().copied().find(|c| c.name() == name)
    }
}

/// Declares a select field's choices: `choice!(PostStatus { Scheduled => "Scheduled", ... })`.
macro_rules! choice {
    ($(#[$meta:meta])* $name:ident { $($variant:ident => $text:literal),+ $(,)? }) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        pub enum $name { $($variant),+ }
        impl $crate::base::read::Choice for $name {
            const ALL: &'static [Self] = &[$($name::$variant),+];
            fn name(self) -> &'static str {
                match self { $($name::$variant => $text),+ }
            }
        }
        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str($crate::base::read::Choice::name(*self))
            }
        }
    };
}
pub(crate) use choice;

/// Reads the fields of one record of `table`.
pub struct Reader<'a> {
    table: &'static str,
    record: &'a Record,
}

impl<'a> Reader<'a> {
    pub fn new(table: &'static str, record: &'a Record) -> Self {
        Reader { table, record }
    }

    pub fn record_id(&self) -> &str {
        &self.record.id
    }

    fn error(&self, field: &'static str, problem: impl Into<String>) -> RecordError {
        RecordError {
            table: self.table,
            record_id: self.record.id.clone(),
            field,
            problem: problem.into(),
        }
    }

    fn value(&self, field: &str) -> Option<&'a Value> {
        self.record.fields.get(field).filter(|v| !v.is_null())
    }

    /// Text, `None` when empty.
    pub fn text(&self, field: &'static str) -> Result<Option<String>, RecordError> {
        match self.value(field) {
            None => Ok(None),
            Some(Value::String(s)) if s.is_empty() => Ok(None),
            Some(Value::String(s)) => Ok(Some(s.clone())),
            Some(other) => Err(self.error(field, format!("expected text, found {}", kind(other)))),
        }
    }

    pub fn required_text(&self, field: &'static str) -> Result<String, RecordError> {
        self.text(field)?
            .ok_or_else(|| self.error(field, "is empty; a value is required"))
    }

    /// A single-select value, which must be one of `C`'s choices.
    pub fn choice<C: Choice>(&self, field: &'static str) -> Result<Option<C>, RecordError> {
        let Some(text) = self.text(field)? else {
            return Ok(None);
        };
        C::parse(&text).map(Some).ok_or_else(|| {
            let names: Vec<&str> = C::ALL.iter().map(|c| c.name()).collect();
            self.error(
                field,
                format!("{text:?} is not one of the schema's choices ({})", names.join(", ")),
            )
        })
    }

    pub fn required_choice<C: Choice>(&self, field: &'static str) -> Result<C, RecordError> {
        self.choice(field)?
            .ok_or_else(|| self.error(field, "is empty; a value is required"))
    }

    /// A date and time (ISO 8601, as Airtable sends `dateTime` fields), in UTC.
    pub fn datetime(&self, field: &'static str) -> Result<Option<DateTime<Utc>>, RecordError> {
        let Some(text) = self.text(field)? else {
            return Ok(None);
        };
        DateTime::parse_from_rfc3339(&text)
            .map(|t| Some(t.with_timezone(&Utc)))
            .map_err(|_| {
                self.error(
                    field,
                    format!("{text:?} is not a date and time (expected ISO 8601 like 2026-11-25T10:00:00.000Z)"),
                )
            })
    }

    pub fn required_datetime(&self, field: &'static str) -> Result<DateTime<Utc>, RecordError> {
        self.datetime(field)?
            .ok_or_else(|| self.error(field, "is empty; a date and time is required"))
    }

    /// A date (`YYYY-MM-DD`).
    pub fn date(&self, field: &'static str) -> Result<Option<NaiveDate>, RecordError> {
        let Some(text) = self.text(field)? else {
            return Ok(None);
        };
        NaiveDate::parse_from_str(&text, "%Y-%m-%d")
            .map(Some)
            .map_err(|_| self.error(field, format!("{text:?} is not a date (expected YYYY-MM-DD)")))
    }

    pub fn number(&self, field: &'static str) -> Result<Option<f64>, RecordError> {
        match self.value(field) {
            None => Ok(None),
            Some(Value::Number(n)) => Ok(n.as_f64()),
            Some(other) => Err(self.error(field, format!("expected a number, found {}", kind(other)))),
        }
    }

    pub fn checkbox(&self, field: &'static str) -> Result<bool, RecordError> {
        match self.value(field) {
            None => Ok(false),
            Some(Value::Bool(b)) => Ok(*b),
            Some(other) => Err(self.error(field, format!("expected a checkbox, found {}", kind(other)))),
        }
    }

    /// Linked record ids.
    pub fn links(&self, field: &'static str) -> Result<Vec<String>, RecordError> {
        match self.value(field) {
            None => Ok(Vec::new()),
            Some(Value::Array(items)) => items
                .iter()
                .map(|v| match v.as_str() {
                    Some(id) if id.starts_with("rec") => Ok(id.to_string()),
                    _ => Err(self.error(field, format!("expected linked record ids, found {v}"))),
                })
                .collect(),
            Some(other) => Err(self.error(field, format!("expected linked records, found {}", kind(other)))),
        }
    }

    /// At most one linked record.
    pub fn link(&self, field: &'static str) -> Result<Option<String>, RecordError> {
        let mut ids = self.links(field)?;
        match ids.len() {
            0 | 1 => Ok(ids.pop()),
            n => Err(self.error(field, format!("links to {n} records; expected one"))),
        }
    }

    /// Exactly one linked record.
    pub fn required_link(&self, field: &'static str) -> Result<String, RecordError> {
        self.link(field)?
            .ok_or_else(|| self.error(field, "links to nothing; one linked record is required"))
    }
}

fn kind(v: &Value) -> &'static str {
    match v {
        Value::Null => "nothing",
        Value::Bool(_) => "a checkbox value",
        Value::Number(_) => "a number",
        Value::String(_) => "text",
        Value::Array(_) => "a list",
        Value::Object(_) => "an object",
    }
}

/// Reads every record of a page; the bad ones become errors, the others are read all the same.
pub fn read_all<T>(records: &[Record], read: impl Fn(&Record) -> Result<T, RecordError>) -> (Vec<T>, Vec<RecordError>) {
    let mut good = Vec::with_capacity(records.len());
    let mut bad = Vec::new();
    for r in records {
        match read(r) {
            Ok(t) => good.push(t),
            Err(e) => bad.push(e),
        }
    }
    (good, bad)
}
