//! Airtable's formula language, as far as `filterByFormula` and view filters need it: a parser
//! and an evaluator over one record.
//!
//! INTERFACE CONTRACT (the sandbox server relies on exactly these items; keep their signatures):
//! - `Cell`: a record's cell value as the server hands it to the evaluator, already converted by
//!   field type (linked records arrive as the linked records' primary-field texts, as Airtable compares them).
//! - `RecordContext`: what the evaluator may ask of the record being tested.
//! - `Formula::parse`, `Formula::field_names`, `Formula::matches`.
//! - `FormulaError`: its `Display` is the message put in Airtable's `INVALID_FILTER_BY_FORMULA` body.
//!
//! Also public: `Formula::eval` (the formula's `Value`) and `Formula::source`.
//!
//! # Grammar
//!
//! ```text
//! formula    := expression?                      (empty: every record matches)
//! expression := concat (("=" | "!=" | "<" | ">" | "<=" | ">=") concat)*
//! concat     := additive ("&" additive)*
//! additive   := term (("+" | "-") term)*
//! term       := unary (("*" | "/") unary)*
//! unary      := "-" unary | primary
//! primary    := NUMBER | STRING | FIELD | NAME "(" (expression ("," expression)*)? ")"
//!             | NAME | "(" expression ")"
//! ```
//!
//! - Binary operators are left-associative; whitespace and newlines may go anywhere between
//!   tokens.
//! - NUMBER: `12`, `2.5`, `.5`, `1e3`.
//! - STRING: in `"` or `'`; `\"`, `\'`, `\\`, `\n`, `\t`, `\r` are escapes; any other
//!   backslash is kept, so `'\d+'` and `'\\d+'` are the same regular expression.
//! - FIELD: `{Field Name}`; `\}` stands for `}` and `\\` for `\` (another `\` is kept as is).
//! - NAME: letters, digits and `_`, not starting with a digit. Followed by `(` it is a function
//!   (names case-insensitive); `TRUE`/`FALSE` alone are the booleans; otherwise it is a field
//!   name (Airtable's `Status = 'x'`).
//! - Nesting (parentheses, calls, unary minus) is limited to 100 levels.
//!
//! # Errors
//!
//! `FormulaError` messages:
//! - Syntax: what is wrong, the 1-based character position, and a snippet of the formula from
//!   there: `expected ')' at character 17 (end of formula)`,
//!   `unexpected character '#' at character 5 near "#x"`.
//! - Functions (at parse time): `unknown function FOO at character 1 ...`,
//!   `function not supported by the sandbox: WORKDAY at character 1 ...`,
//!   `FIND takes 2 or 3 arguments, not 1 at character 1 ...`.
//! - Fields (at evaluation, for every record, before anything is computed):
//!   `Unknown field names: foo, bar` — the part of Airtable's "The formula for filtering
//!   records is invalid: Unknown field names: foo" after the first colon; the server adds the
//!   prefix.
//!
//! Runtime failures (`ERROR()`, division by zero, text that is not a date or number where one is
//! needed, a date out of range) are not `FormulaError`s but `Value::Error`: they flow through
//! operators and functions, `ISERROR` detects them, and a record whose formula is an error does
//! not match.
//!
//! # Values and empty cells
//!
//! - Cells become values: empty cells and empty lists are `Blank`; date fields are `Date`
//!   (midnight UTC where a moment is needed); lists keep their items.
//! - Text context (`&`, text functions): blank is `''`, numbers print as JavaScript does (`3`,
//!   `2.5`), booleans as `1`/`0`, dates in ISO 8601 (`2026-01-01T00:00:00.000Z`, date fields
//!   `2026-01-01`), lists as their items joined by `", "` (so `{Link} = 'Alice'` holds for a
//!   single link, and `FIND('x', {Tags})` searches all tags).
//! - Number context (arithmetic, numeric functions): blank and `''` are 0, true is 1, numeric
//!   text is read; other text and dates are an error value.
//! - Comparisons (`=` etc.): a date against a date or date-like text compares moments; else a
//!   number or boolean on one side compares numbers when both sides convert; else text,
//!   case-sensitively. So `{Empty} = ''`, `{Empty} = BLANK()` and `{Empty} = 0` are true, and
//!   `{Text} = 'abc'` does not match `'ABC'`.
//! - Truthiness: 0, NaN, `''`, blank, false, errors are false; other values (any date, any
//!   non-empty list) are true. `NOT({Empty})` is true.
//!
//! # Functions
//!
//! - Logic: AND, OR, XOR, NOT, IF (else optional, blank), SWITCH (with optional default), BLANK,
//!   TRUE, FALSE, ERROR, ISERROR. Only IF's chosen branch and SWITCH's needed cases are
//!   evaluated.
//! - Record: RECORD_ID, CREATED_TIME, LAST_MODIFIED_TIME (with field arguments, the latest
//!   change of those fields' cells; blank when none was ever written).
//! - Text: FIND, SEARCH, LEN, LOWER, UPPER, TRIM, CONCATENATE, LEFT, RIGHT, MID, SUBSTITUTE,
//!   REPLACE, REPT, VALUE, T, ARRAYJOIN, REGEX_MATCH, REGEX_EXTRACT, REGEX_REPLACE. Positions
//!   are 1-based characters. FIND returns 0 when absent; SEARCH returns blank when absent
//!   (Airtable documents that difference only: both are case-sensitive, and users reach for
//!   `SEARCH(LOWER(..), LOWER(..))` for case-insensitive search). Their optional start is
//!   JavaScript `indexOf`'s 0-based start (Airtable: "startFromPosition is 0 by default").
//!   Regular expressions: a small subset (see the `regex` module): literals, `.`, `^`, `$`,
//!   classes, `\d \w \s`, quantifiers `* + ? {n,m}`; no groups or alternation.
//! - Numbers: ABS, ROUND (ties toward +infinity, as Airtable), ROUNDUP, ROUNDDOWN (precision
//!   optional, default 0), INT (floor), MOD (sign of the dividend), CEILING, FLOOR, POWER,
//!   SQRT, SUM, MIN, MAX (0 with no numbers), AVERAGE (error with no numbers), COUNT, COUNTA,
//!   COUNTALL. Aggregates take list items one by one.
//! - Dates (UTC; weeks start on Sunday): NOW, TODAY, IS_BEFORE, IS_AFTER, IS_SAME (unit
//!   optional: exact to the millisecond by default), DATEADD, DATETIME_DIFF (`a - b`, truncated;
//!   seconds by default, milliseconds for an unknown unit, as Airtable documents),
//!   DATETIME_PARSE (ISO 8601 or M/D/YYYY; with a Moment.js-style format: YYYY YY M MM MMM MMMM
//!   D DD Do H HH h hh m mm s ss SSS A a X x Z ZZ, and L LL LLL LLLL l ll lll llll LT LTS),
//!   DATETIME_FORMAT (ISO by default; the same tokens plus Q, Mo, d, dd, ddd, dddd), DATESTR,
//!   YEAR, MONTH, DAY, HOUR, MINUTE, SECOND, WEEKDAY (optional "Monday" start).
//! - Units: `milliseconds`/`ms`, `seconds`/`s`, `minutes`/`m`, `hours`/`h`, `days`/`d`,
//!   `weeks`/`w`, `months`/`M`, `quarters`/`Q`, `years`/`y`; long forms case-insensitive and
//!   singular or plural, abbreviations case-sensitive.
//!
//! # Not supported
//!
//! Time zones and locales (everything is UTC; SET_TIMEZONE, SET_LOCALE), WORKDAY,
//! WORKDAY_DIFF, TONOW, FROMNOW, WEEKNUM, the ARRAY* functions other than ARRAYJOIN,
//! ENCODE_URL_COMPONENT (all "not supported by the sandbox"), and other Airtable functions not
//! listed above ("unknown function"); date arithmetic with `+`/`-` (use DATEADD and
//! DATETIME_DIFF); lookups and rollups as arrays of numbers (lists hold texts).

mod compare;
mod datefmt;
mod dates;
mod eval;
mod functions;
mod lexer;
mod parser;
mod regex;
mod value;

#[cfg(test)]
mod tests;

use chrono::{DateTime, NaiveDate, Utc};

pub use value::Value;

/// One cell of a record, typed by its field.
#[derive(Debug, Clone, PartialEq)]
pub enum Cell {
    /// An empty cell (Airtable leaves it out of `fields`).
    Empty,
    /// singleLineText, email, url, multilineText, singleSelect.
    Text(String),
    Number(f64),
    /// checkbox.
    Bool(bool),
    /// dateTime (UTC).
    DateTime(DateTime<Utc>),
    /// date.
    Date(NaiveDate),
    /// multipleSelects, linked records (their primary-field texts), attachments (their filenames).
    List(Vec<String>),
}

/// The record a formula is evaluated against.
pub trait RecordContext {
    /// The cell of the field with this name (case-insensitive, as Airtable matches names);
    /// `None` when the table has no such field.
    fn field(&self, name: &str) -> Option<Cell>;
    fn record_id(&self) -> &str;
    fn created_time(&self) -> DateTime<Utc>;
    fn last_modified_time(&self) -> DateTime<Utc>;
    /// The latest time the cells of these fields changed; `None` when none of them was ever
    /// written. By default, the record's last change.
    fn fields_modified_time(&self, names: &[&str]) -> Option<DateTime<Utc>> {
        let _ = names;
        Some(self.last_modified_time())
    }
}

/// Why a formula could not be parsed or evaluated.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[error("{message}")]
pub struct FormulaError {
    pub message: String,
}

impl FormulaError {
    fn new(message: impl Into<String>) -> FormulaError {
        FormulaError {
            message: message.into(),
        }
    }
}

/// A parsed formula.
#[derive(Debug, Clone)]
pub struct Formula {
    source: String,
    /// `None` for an empty (all-whitespace) formula, which every record matches.
    root: Option<parser::Node>,
    fields: Vec<String>,
}

impl Formula {
    /// Parses a formula; the error says what is wrong and at which character.
    pub fn parse(source: &str) -> Result<Formula, FormulaError> {
        let parsed = parser::parse(source)?;
        Ok(Formula {
            source: source.to_string(),
            root: parsed.root,
            fields: parsed.fields,
        })
    }

    /// The text the formula was parsed from.
    pub fn source(&self) -> &str {
        &self.source
    }

    /// The field names the formula refers to, so the server can refuse unknown ones: each once
    /// (names differing only in case count as one), as first written, in order of appearance.
    pub fn field_names(&self) -> Vec<String> {
        self.fields.clone()
    }

    /// The formula's value for this record. `Err` only when the formula names fields the
    /// table lacks; runtime failures are `Ok(Value::Error(..))`.
    pub fn eval(&self, record: &dyn RecordContext, now: DateTime<Utc>) -> Result<Value, FormulaError> {
        let unknown: Vec<&str> = self
            .fields
            .iter()
            .filter(|name| record.field(name).is_none())
            .map(String::as_str)
            .collect();
        if !unknown.is_empty() {
            return Err(eval::unknown_fields(&unknown));
        }
        match &self.root {
            None => Ok(Value::Bool(true)),
            Some(root) => eval::Evaluator { record, now }.eval(root),
        }
    }

    /// Whether the record passes the filter: the formula's value is truthy (Airtable: non-zero
    /// numbers, non-empty strings, true, non-empty lists, any date).
    pub fn matches(&self, record: &dyn RecordContext, now: DateTime<Utc>) -> Result<bool, FormulaError> {
        Ok(self.eval(record, now)?.is_truthy())
    }
}
