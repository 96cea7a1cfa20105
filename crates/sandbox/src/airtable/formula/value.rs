//! Values a formula computes, and the conversions between their types.

use std::fmt;

use chrono::{DateTime, NaiveDate, Utc};

use super::dates;
use super::Cell;

/// The value of a formula or of one of its parts.
#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    /// Nothing: an empty cell, `BLANK()`.
    Blank,
    Text(String),
    Number(f64),
    /// `TRUE()`, `FALSE()`, comparisons, checkboxes.
    Bool(bool),
    /// A moment in time (UTC).
    DateTime(DateTime<Utc>),
    /// A calendar date (a date field, `TODAY()`); midnight UTC where a moment is needed.
    Date(NaiveDate),
    /// Linked records, multiple selects, attachments: never empty (an empty list is `Blank`).
    List(Vec<String>),
    /// A runtime error (`ERROR()`, division by zero, an unparsable date...): shown as
    /// `#ERROR!`, falsy, and carried through operators and functions; the text says why.
    Error(String),
}

impl From<Cell> for Value {
    fn from(cell: Cell) -> Value {
        match cell {
            Cell::Empty => Value::Blank,
            Cell::Text(text) => Value::Text(text),
            Cell::Number(n) => Value::Number(n),
            Cell::Bool(b) => Value::Bool(b),
            Cell::DateTime(t) => Value::DateTime(t),
            Cell::Date(d) => Value::Date(d),
            Cell::List(items) if items.is_empty() => Value::Blank,
            Cell::List(items) => Value::List(items),
        }
    }
}

impl Value {
    pub(super) fn error(why: impl Into<String>) -> Value {
        Value::Error(why.into())
    }

    pub fn is_error(&self) -> bool {
        matches!(self, Value::Error(_))
    }

    /// Blank, or an empty text.
    pub fn is_blank(&self) -> bool {
        match self {
            Value::Blank => true,
            Value::Text(text) => text.is_empty(),
            _ => false,
        }
    }

    /// Airtable's truthiness: 0, NaN, '', blank, false, an empty list and errors are false.
    pub fn is_truthy(&self) -> bool {
        match self {
            Value::Blank | Value::Error(_) => false,
            Value::Text(text) => !text.is_empty(),
            Value::Number(n) => *n != 0.0 && !n.is_nan(),
            Value::Bool(b) => *b,
            Value::DateTime(_) | Value::Date(_) => true,
            Value::List(items) => !items.is_empty(),
        }
    }

    /// The value in a text context: lists joined by ", ", dates in ISO 8601, true as "1".
    pub fn to_text(&self) -> String {
        match self {
            Value::Blank => String::new(),
            Value::Text(text) => text.clone(),
            Value::Number(n) => format_number(*n),
            Value::Bool(b) => if *b { "1" } else { "0" }.to_string(),
            Value::DateTime(t) => dates::iso(*t),
            Value::Date(d) => d.format("%Y-%m-%d").to_string(),
            Value::List(items) => items.join(", "),
            Value::Error(_) => "#ERROR!".to_string(),
        }
    }

    /// The value in a number context: blank and '' are 0, true is 1, numeric text is parsed;
    /// `None` for other text, dates and errors.
    pub fn to_number(&self) -> Option<f64> {
        match self {
            Value::Blank => Some(0.0),
            Value::Number(n) => Some(*n),
            Value::Bool(b) => Some(f64::from(u8::from(*b))),
            Value::Text(_) | Value::List(_) => parse_number(&self.to_text()),
            Value::DateTime(_) | Value::Date(_) | Value::Error(_) => None,
        }
    }

    /// The value as a moment: dates, and text in ISO 8601 (or M/D/YYYY); `None` otherwise.
    pub fn to_datetime(&self) -> Option<DateTime<Utc>> {
        match self {
            Value::DateTime(t) => Some(*t),
            Value::Date(d) => Some(dates::midnight(*d)),
            Value::Text(_) | Value::List(_) => dates::parse_flexible(&self.to_text()),
            _ => None,
        }
    }
}

impl fmt::Display for Value {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.to_text())
    }
}

/// Numbers as JavaScript prints them, near enough: `3`, `2.5`, `-0.1`, `NaN`, `Infinity`.
pub(super) fn format_number(n: f64) -> String {
    if n == 0.0 {
        "0".to_string()
    } else if n.is_nan() {
        "NaN".to_string()
    } else if n.is_infinite() {
        if n > 0.0 { "Infinity" } else { "-Infinity" }.to_string()
    } else if n == n.trunc() && n.abs() < 1e15 {
        format!("{n:.0}")
    } else {
        format!("{n}")
    }
}

/// A decimal number with optional sign, fraction and exponent, surrounded by optional
/// whitespace; an empty (or all-whitespace) text is 0.
pub(super) fn parse_number(text: &str) -> Option<f64> {
    let text = text.trim();
    if text.is_empty() {
        return Some(0.0);
    }
    let numeric = text
        .chars()
        .all(|c| c.is_ascii_digit() || matches!(c, '.' | '-' | '+' | 'e' | 'E'));
    if !numeric || !text.chars().any(|c| c.is_ascii_digit()) {
        return None;
    }
    text.parse().ok()
}
