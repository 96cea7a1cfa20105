//! Unit tests of the formula engine, against an in-memory record.

mod dates;
mod semantics;
mod syntax;
mod text_numbers;

use chrono::{DateTime, NaiveDate, TimeZone, Utc};

use super::{Cell, Formula, RecordContext, Value};

/// A record whose fields are looked up case-insensitively, as the server does.
struct TestRecord {
    fields: Vec<(&'static str, Cell)>,
}

impl RecordContext for TestRecord {
    fn field(&self, name: &str) -> Option<Cell> {
        self.fields
            .iter()
            .find(|(field, _)| field.eq_ignore_ascii_case(name))
            .map(|(_, cell)| cell.clone())
    }

    fn record_id(&self) -> &str {
        "recTEST0000000001"
    }

    fn created_time(&self) -> DateTime<Utc> {
        utc(2025, 12, 1, 8, 0, 0)
    }

    fn last_modified_time(&self) -> DateTime<Utc> {
        utc(2026, 1, 9, 17, 30, 0)
    }
}

fn utc(y: i32, mo: u32, d: u32, h: u32, mi: u32, s: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(y, mo, d, h, mi, s)
        .single()
        .expect("valid test date")
}

/// The evaluation time of every test: 2026-01-10T12:00:00Z.
fn now() -> DateTime<Utc> {
    utc(2026, 1, 10, 12, 0, 0)
}

fn text(s: &str) -> Cell {
    Cell::Text(s.to_string())
}

fn list(items: &[&str]) -> Cell {
    Cell::List(items.iter().map(|s| s.to_string()).collect())
}

fn record() -> TestRecord {
    TestRecord {
        fields: vec![
            ("Caption", text("He said \"hi\" \\ bye")),
            ("Status", text("Scheduled")),
            ("Title", text("Quick Brown Fox")),
            ("ScheduledTime", Cell::DateTime(utc(2025, 12, 31, 10, 0, 0))),
            (
                "PublishDate",
                Cell::Date(NaiveDate::from_ymd_opt(2026, 1, 15).expect("valid date")),
            ),
            ("Empty", Cell::Empty),
            ("EmptyText", text("")),
            ("Count", Cell::Number(3.0)),
            ("Zero", Cell::Number(0.0)),
            ("Done", Cell::Bool(true)),
            ("Link", list(&["Alice"])),
            ("Authors", list(&["Alice", "Bob"])),
            ("NoLinks", list(&[])),
            ("Odd}Name\\", text("odd")),
        ],
    }
}

fn parse(source: &str) -> Formula {
    match Formula::parse(source) {
        Ok(formula) => formula,
        Err(e) => panic!("{source:?} should parse, got: {e}"),
    }
}

/// The value of `source` for the test record.
fn eval(source: &str) -> Value {
    match parse(source).eval(&record(), now()) {
        Ok(value) => value,
        Err(e) => panic!("{source:?} should evaluate, got: {e}"),
    }
}

/// Whether the test record matches `source`.
fn matches(source: &str) -> bool {
    match parse(source).matches(&record(), now()) {
        Ok(matched) => matched,
        Err(e) => panic!("{source:?} should evaluate, got: {e}"),
    }
}

/// The parse error message for `source`.
fn parse_error(source: &str) -> String {
    match Formula::parse(source) {
        Ok(formula) => panic!("{source:?} should not parse, got {formula:?}"),
        Err(e) => e.to_string(),
    }
}

fn num(n: f64) -> Value {
    Value::Number(n)
}

fn txt(s: &str) -> Value {
    Value::Text(s.to_string())
}
