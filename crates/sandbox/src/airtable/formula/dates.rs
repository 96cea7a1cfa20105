//! Date arithmetic in UTC: reading ISO 8601, units, adding, differences, start of a unit.

use chrono::{DateTime, Datelike, Months, NaiveDate, NaiveDateTime, NaiveTime, TimeDelta, Timelike, Utc};

pub(super) fn midnight(date: NaiveDate) -> DateTime<Utc> {
    date.and_time(NaiveTime::MIN).and_utc()
}

/// `2026-01-01T09:30:00.000Z`, as Airtable writes moments.
pub(super) fn iso(t: DateTime<Utc>) -> String {
    t.format("%Y-%m-%dT%H:%M:%S%.3fZ").to_string()
}

/// ISO 8601 dates and date-times (`T` or a space between; seconds, fraction and offset
/// optional; no offset means UTC), and US `M/D/YYYY` dates.
pub(super) fn parse_flexible(text: &str) -> Option<DateTime<Utc>> {
    let text = text.trim();
    if let Some(date) = parse_date_only(text) {
        return Some(midnight(date));
    }
    let (local, offset_minutes) = split_offset(text)?;
    let naive = parse_naive_datetime(local)?;
    let utc = naive.checked_sub_signed(TimeDelta::try_minutes(offset_minutes)?)?;
    Some(utc.and_utc())
}

fn parse_date_only(text: &str) -> Option<NaiveDate> {
    ["%Y-%m-%d", "%m/%d/%Y", "%Y/%m/%d"]
        .iter()
        .find_map(|format| NaiveDate::parse_from_str(text, format).ok())
}

fn parse_naive_datetime(text: &str) -> Option<NaiveDateTime> {
    const FORMATS: [&str; 6] = [
        "%Y-%m-%dT%H:%M:%S%.f",
        "%Y-%m-%dT%H:%M:%S",
        "%Y-%m-%dT%H:%M",
        "%Y-%m-%d %H:%M:%S%.f",
        "%Y-%m-%d %H:%M:%S",
        "%Y-%m-%d %H:%M",
    ];
    FORMATS
        .iter()
        .find_map(|format| NaiveDateTime::parse_from_str(text, format).ok())
}

/// Splits a trailing `Z`, `+HH:MM`, `+HHMM` or `+HH` off a date-time: (rest, minutes east of UTC).
/// `None` when the offset is malformed.
fn split_offset(text: &str) -> Option<(&str, i64)> {
    if let Some(rest) = text.strip_suffix(['Z', 'z']) {
        return Some((rest, 0));
    }
    // An offset can only follow the time part, which has a ':'.
    let time_start = text.find(['T', ' '])?;
    let time = &text[time_start..];
    let Some(sign_at) = time.rfind(['+', '-']) else {
        return Some((text, 0));
    };
    let digits: String = time[sign_at + 1..].chars().filter(|&c| c != ':').collect();
    if !(digits.len() == 2 || digits.len() == 4) || !digits.chars().all(|c| c.is_ascii_digit()) {
        return None;
    }
    let hours: i64 = digits[..2].parse().ok()?;
    let minutes: i64 = digits.get(2..).map_or(Some(0), |m| m.parse().ok())?;
    let sign = if time[sign_at..].starts_with('-') { -1 } else { 1 };
    Some((&text[..time_start + sign_at], sign * (hours * 60 + minutes)))
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Unit {
    Millisecond,
    Second,
    Minute,
    Hour,
    Day,
    Week,
    Month,
    Quarter,
    Year,
}

/// Airtable's unit specifiers: `milliseconds`/`ms`, `seconds`/`s`, `minutes`/`m`, `hours`/`h`,
/// `days`/`d`, `weeks`/`w`, `months`/`M`, `quarters`/`Q`, `years`/`y`. Abbreviations are
/// case-sensitive (`m` is minutes, `M` months); long forms are not, and may be singular.
pub(super) fn parse_unit(text: &str) -> Option<Unit> {
    let abbreviated = match text.trim() {
        "ms" => Some(Unit::Millisecond),
        "s" => Some(Unit::Second),
        "m" => Some(Unit::Minute),
        "h" => Some(Unit::Hour),
        "d" => Some(Unit::Day),
        "w" => Some(Unit::Week),
        "M" => Some(Unit::Month),
        "Q" => Some(Unit::Quarter),
        "y" => Some(Unit::Year),
        _ => None,
    };
    if abbreviated.is_some() {
        return abbreviated;
    }
    let lower = text.trim().to_lowercase();
    match lower.strip_suffix('s').unwrap_or(&lower) {
        "millisecond" => Some(Unit::Millisecond),
        "second" => Some(Unit::Second),
        "minute" => Some(Unit::Minute),
        "hour" => Some(Unit::Hour),
        "day" => Some(Unit::Day),
        "week" => Some(Unit::Week),
        "month" => Some(Unit::Month),
        "quarter" => Some(Unit::Quarter),
        "year" => Some(Unit::Year),
        _ => None,
    }
}

/// The unit's length in milliseconds, for units of fixed length.
fn fixed_ms(unit: Unit) -> Option<i64> {
    match unit {
        Unit::Millisecond => Some(1),
        Unit::Second => Some(1_000),
        Unit::Minute => Some(60_000),
        Unit::Hour => Some(3_600_000),
        Unit::Day => Some(86_400_000),
        Unit::Week => Some(7 * 86_400_000),
        Unit::Month | Unit::Quarter | Unit::Year => None,
    }
}

fn add_months(t: DateTime<Utc>, months: i64) -> Option<DateTime<Utc>> {
    let count = Months::new(u32::try_from(months.unsigned_abs()).ok()?);
    if months >= 0 {
        t.checked_add_months(count)
    } else {
        t.checked_sub_months(count)
    }
}

/// `t` plus `n` units. Days and longer add whole units (`n` rounded, as Airtable does);
/// months past the end of the target month land on its last day. `None` when out of range.
pub(super) fn add(t: DateTime<Utc>, n: f64, unit: Unit) -> Option<DateTime<Utc>> {
    if !n.is_finite() {
        return None;
    }
    let delta = match unit {
        Unit::Millisecond | Unit::Second | Unit::Minute | Unit::Hour => {
            let ms = fixed_ms(unit)?;
            TimeDelta::try_milliseconds((n * ms as f64).round() as i64)?
        }
        Unit::Day => TimeDelta::try_days(n.round() as i64)?,
        Unit::Week => TimeDelta::try_days((n * 7.0).round() as i64)?,
        Unit::Month => return add_months(t, n.round() as i64),
        Unit::Quarter => return add_months(t, (n * 3.0).round() as i64),
        Unit::Year => return add_months(t, (n * 12.0).round() as i64),
    };
    t.checked_add_signed(delta)
}

/// `a - b` in whole units, truncated toward zero.
pub(super) fn diff(a: DateTime<Utc>, b: DateTime<Utc>, unit: Unit) -> f64 {
    if let Some(ms) = fixed_ms(unit) {
        return ((a - b).num_milliseconds() / ms) as f64;
    }
    let months = whole_months(a, b);
    let per_unit = match unit {
        Unit::Quarter => 3,
        Unit::Year => 12,
        _ => 1,
    };
    (months / per_unit) as f64
}

/// Whole calendar months from `b` to `a` (negative when `a` is earlier).
fn whole_months(a: DateTime<Utc>, b: DateTime<Utc>) -> i64 {
    let mut months = i64::from(a.year() - b.year()) * 12 + i64::from(a.month()) - i64::from(b.month());
    if let Some(anchor) = add_months(b, months) {
        if a >= b && anchor > a {
            months -= 1;
        } else if a < b && anchor < a {
            months += 1;
        }
    }
    months
}

/// The start of the unit `t` falls in (weeks start on Sunday).
pub(super) fn start_of(t: DateTime<Utc>, unit: Unit) -> DateTime<Utc> {
    let date = t.date_naive();
    let day_start = |d: NaiveDate| midnight(d);
    let first_of_month = |month: u32| NaiveDate::from_ymd_opt(t.year(), month, 1).map(day_start);
    let started = match unit {
        Unit::Millisecond => t.with_nanosecond(t.nanosecond() / 1_000_000 * 1_000_000),
        Unit::Second => t.with_nanosecond(0),
        Unit::Minute => t.with_nanosecond(0).and_then(|t| t.with_second(0)),
        Unit::Hour => NaiveTime::from_hms_opt(t.hour(), 0, 0).map(|h| date.and_time(h).and_utc()),
        Unit::Day => Some(day_start(date)),
        Unit::Week => {
            let back = TimeDelta::try_days(i64::from(date.weekday().num_days_from_sunday()));
            back.and_then(|back| date.checked_sub_signed(back)).map(day_start)
        }
        Unit::Month => first_of_month(t.month()),
        Unit::Quarter => first_of_month((t.month() - 1) / 3 * 3 + 1),
        Unit::Year => first_of_month(1),
    };
    started.unwrap_or(t)
}
