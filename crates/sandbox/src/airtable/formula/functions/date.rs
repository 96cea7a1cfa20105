//! Date and time functions, all in UTC. A blank date argument gives a blank result; text that
//! is not a date gives an error value.

use chrono::{DateTime, Datelike, Timelike, Utc};

use super::super::datefmt;
use super::super::dates::{self, Unit};
use super::super::eval::Evaluator;
use super::super::value::Value;
use super::{arg, number, strict, text, FuncSpec, Ret};

pub(super) const SPECS: &[FuncSpec] = &[
    strict("NOW", 0, Some(0), |ev, _| Ok(Value::DateTime(ev.now))),
    strict("TODAY", 0, Some(0), |ev, _| Ok(Value::Date(ev.now.date_naive()))),
    strict("IS_BEFORE", 2, Some(2), |_, a| compare(a, "IS_BEFORE", |x, y| x < y)),
    strict("IS_AFTER", 2, Some(2), |_, a| compare(a, "IS_AFTER", |x, y| x > y)),
    strict("IS_SAME", 2, Some(3), is_same),
    strict("DATEADD", 3, Some(3), date_add),
    strict("DATETIME_DIFF", 2, Some(3), datetime_diff),
    strict("DATETIME_PARSE", 1, Some(3), datetime_parse),
    strict("DATETIME_FORMAT", 1, Some(2), datetime_format),
    strict("DATESTR", 1, Some(1), |_, a| formatted(a, "DATESTR", "YYYY-MM-DD")),
    strict("YEAR", 1, Some(1), |_, a| part(a, "YEAR", |t| t.year().into())),
    strict("MONTH", 1, Some(1), |_, a| part(a, "MONTH", |t| t.month().into())),
    strict("DAY", 1, Some(1), |_, a| part(a, "DAY", |t| t.day().into())),
    strict("HOUR", 1, Some(1), |_, a| part(a, "HOUR", |t| t.hour().into())),
    strict("MINUTE", 1, Some(1), |_, a| part(a, "MINUTE", |t| t.minute().into())),
    strict("SECOND", 1, Some(1), |_, a| part(a, "SECOND", |t| t.second().into())),
    strict("WEEKDAY", 1, Some(2), weekday),
];

/// The argument as a moment; `Err` is blank for a blank argument, an error for non-dates.
fn moment(args: &[Value], i: usize, function: &str) -> Result<DateTime<Utc>, Value> {
    let value = arg(args, i);
    if value.is_blank() {
        return Err(Value::Blank);
    }
    value
        .to_datetime()
        .ok_or_else(|| Value::error(format!("{function}: not a date: {}", value.to_text())))
}

fn unit(args: &[Value], i: usize, function: &str) -> Result<Unit, Value> {
    let name = text(args, i);
    dates::parse_unit(&name).ok_or_else(|| Value::error(format!("{function}: unknown unit '{name}'")))
}

fn compare(args: &[Value], function: &str, test: fn(i64, i64) -> bool) -> Ret {
    let a = moment(args, 0, function)?.timestamp_millis();
    let b = moment(args, 1, function)?.timestamp_millis();
    Ok(Value::Bool(test(a, b)))
}

/// `IS_SAME(a, b, unit?)`: same moment to the millisecond, or in the same unit (same day...).
fn is_same(_: &Evaluator, args: &[Value]) -> Ret {
    let a = moment(args, 0, "IS_SAME")?;
    let b = moment(args, 1, "IS_SAME")?;
    let unit = match arg(args, 2) {
        Value::Blank => Unit::Millisecond,
        _ => unit(args, 2, "IS_SAME")?,
    };
    Ok(Value::Bool(dates::start_of(a, unit) == dates::start_of(b, unit)))
}

fn date_add(_: &Evaluator, args: &[Value]) -> Ret {
    let start = moment(args, 0, "DATEADD")?;
    let count = number(args, 1, "DATEADD")?;
    let unit = unit(args, 2, "DATEADD")?;
    dates::add(start, count, unit)
        .map(Value::DateTime)
        .ok_or_else(|| Value::error("DATEADD: date out of range"))
}

/// `DATETIME_DIFF(a, b, unit?)`: `a - b` in whole units; seconds when no unit is given,
/// milliseconds when the unit is not recognised (as Airtable documents).
fn datetime_diff(_: &Evaluator, args: &[Value]) -> Ret {
    let a = moment(args, 0, "DATETIME_DIFF")?;
    let b = moment(args, 1, "DATETIME_DIFF")?;
    let unit = match arg(args, 2) {
        Value::Blank => Unit::Second,
        other => dates::parse_unit(&other.to_text()).unwrap_or(Unit::Millisecond),
    };
    Ok(Value::Number(dates::diff(a, b, unit)))
}

/// `DATETIME_PARSE(text, format?, locale?)`: ISO 8601 (or M/D/YYYY) without a format; the
/// locale is ignored.
fn datetime_parse(ev: &Evaluator, args: &[Value]) -> Ret {
    let value = arg(args, 0);
    match value {
        Value::DateTime(_) | Value::Date(_) => return Ok(value.clone()),
        _ if value.is_blank() => return Ok(Value::Blank),
        _ => {}
    }
    let source = value.to_text();
    let format = text(args, 1);
    let parsed = if format.is_empty() {
        dates::parse_flexible(&source)
    } else {
        datefmt::parse(&source, &format, ev.now.year())
    };
    parsed
        .map(Value::DateTime)
        .ok_or_else(|| Value::error(format!("DATETIME_PARSE: cannot read '{source}' as a date")))
}

/// `DATETIME_FORMAT(date, format?)`: ISO 8601 (`2026-01-01T00:00:00.000Z`) by default.
fn datetime_format(_: &Evaluator, args: &[Value]) -> Ret {
    let format = text(args, 1);
    if format.is_empty() {
        return Ok(Value::Text(dates::iso(moment(args, 0, "DATETIME_FORMAT")?)));
    }
    formatted(args, "DATETIME_FORMAT", &format)
}

fn formatted(args: &[Value], function: &str, format: &str) -> Ret {
    let t = moment(args, 0, function)?;
    Ok(Value::Text(datefmt::format(t, format)))
}

fn part(args: &[Value], function: &str, get: fn(DateTime<Utc>) -> f64) -> Ret {
    Ok(Value::Number(get(moment(args, 0, function)?)))
}

/// `WEEKDAY(date, start?)`: 0 for Sunday to 6, or 0 for Monday when `start` is "Monday".
fn weekday(_: &Evaluator, args: &[Value]) -> Ret {
    let day = moment(args, 0, "WEEKDAY")?.weekday();
    let from_monday = text(args, 1).trim().eq_ignore_ascii_case("monday");
    let n = if from_monday {
        day.num_days_from_monday()
    } else {
        day.num_days_from_sunday()
    };
    Ok(Value::Number(n.into()))
}
