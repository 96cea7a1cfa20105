//! Moment.js-style format strings (as Airtable's DATETIME_FORMAT and DATETIME_PARSE take),
//! for the common tokens, in UTC.
//!
//! Tokens: `YYYY YY Q MMMM MMM MM Mo M DD Do D dddd ddd dd d HH H hh h mm m ss s SSS A a X x
//! ZZ Z`, and the English localized formats `L LL LLL LLLL l ll lll llll LT LTS`; text in
//! `[brackets]` is literal; anything else is copied (formatting) or matched leniently (parsing).

use chrono::{DateTime, Datelike, NaiveDate, NaiveTime, TimeDelta, Timelike, Utc};

/// Longer tokens first, so that `MMMM` is not read as `MM` `MM`.
const TOKENS: [&str; 30] = [
    "YYYY", "MMMM", "dddd", "MMM", "ddd", "SSS", "YY", "MM", "Mo", "DD", "Do", "dd", "HH", "hh", "mm", "ss", "ZZ", "Q",
    "M", "D", "d", "H", "h", "m", "s", "A", "a", "X", "x", "Z",
];

const MONTHS: [&str; 12] = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
];

const WEEKDAYS: [&str; 7] = [
    "Sunday",
    "Monday",
    "Tuesday",
    "Wednesday",
    "Thursday",
    "Friday",
    "Saturday",
];

#[derive(Debug, PartialEq)]
enum Piece {
    Token(&'static str),
    Literal(String),
}

/// Moment's localized formats, in its default (English) locale; longer names first.
const LOCALIZED: [(&str, &str); 10] = [
    ("LLLL", "dddd, MMMM D, YYYY h:mm A"),
    ("llll", "ddd, MMM D, YYYY h:mm A"),
    ("LLL", "MMMM D, YYYY h:mm A"),
    ("lll", "MMM D, YYYY h:mm A"),
    ("LTS", "h:mm:ss A"),
    ("LT", "h:mm A"),
    ("LL", "MMMM D, YYYY"),
    ("ll", "MMM D, YYYY"),
    ("L", "MM/DD/YYYY"),
    ("l", "M/D/YYYY"),
];

fn pieces(format: &str) -> Vec<Piece> {
    let mut out = Vec::new();
    let mut rest = format;
    while let Some(c) = rest.chars().next() {
        if c == '[' {
            if let Some(end) = rest.find(']') {
                out.push(Piece::Literal(rest[1..end].to_string()));
                rest = &rest[end + 1..];
                continue;
            }
        }
        if let Some((name, expansion)) = LOCALIZED.iter().find(|(n, _)| rest.starts_with(*n)) {
            out.extend(pieces(expansion));
            rest = &rest[name.len()..];
            continue;
        }
        if let Some(token) = TOKENS.iter().find(|t| rest.starts_with(**t)) {
            out.push(Piece::Token(token));
            rest = &rest[token.len()..];
        } else {
            out.push(Piece::Literal(c.to_string()));
            rest = &rest[c.len_utf8()..];
        }
    }
    out
}

fn ordinal(n: u32) -> String {
    let suffix = match (n % 10, n % 100) {
        (_, 11..=13) => "th",
        (1, _) => "st",
        (2, _) => "nd",
        (3, _) => "rd",
        _ => "th",
    };
    format!("{n}{suffix}")
}

pub(super) fn format(t: DateTime<Utc>, format: &str) -> String {
    pieces(format).iter().map(|piece| render(t, piece)).collect()
}

fn render(t: DateTime<Utc>, piece: &Piece) -> String {
    let token = match piece {
        Piece::Literal(text) => return text.clone(),
        Piece::Token(token) => *token,
    };
    let month = t.month0() as usize;
    let weekday = t.weekday().num_days_from_sunday() as usize;
    let hour12 = match t.hour() % 12 {
        0 => 12,
        h => h,
    };
    match token {
        "YYYY" => format!("{:04}", t.year()),
        "YY" => format!("{:02}", t.year().rem_euclid(100)),
        "Q" => (t.month0() / 3 + 1).to_string(),
        "MMMM" => MONTHS[month].to_string(),
        "MMM" => MONTHS[month][..3].to_string(),
        "MM" => format!("{:02}", t.month()),
        "Mo" => ordinal(t.month()),
        "M" => t.month().to_string(),
        "DD" => format!("{:02}", t.day()),
        "Do" => ordinal(t.day()),
        "D" => t.day().to_string(),
        "dddd" => WEEKDAYS[weekday].to_string(),
        "ddd" => WEEKDAYS[weekday][..3].to_string(),
        "dd" => WEEKDAYS[weekday][..2].to_string(),
        "d" => weekday.to_string(),
        "HH" => format!("{:02}", t.hour()),
        "H" => t.hour().to_string(),
        "hh" => format!("{hour12:02}"),
        "h" => hour12.to_string(),
        "mm" => format!("{:02}", t.minute()),
        "m" => t.minute().to_string(),
        "ss" => format!("{:02}", t.second()),
        "s" => t.second().to_string(),
        "SSS" => format!("{:03}", t.timestamp_subsec_millis()),
        "A" => if t.hour() < 12 { "AM" } else { "PM" }.to_string(),
        "a" => if t.hour() < 12 { "am" } else { "pm" }.to_string(),
        "X" => t.timestamp().to_string(),
        "x" => t.timestamp_millis().to_string(),
        "ZZ" => "+0000".to_string(),
        _ => "+00:00".to_string(), // "Z"
    }
}

/// What a format has read so far.
#[derive(Default)]
struct Fields {
    year: Option<i32>,
    month: Option<u32>,
    day: Option<u32>,
    hour: u32,
    minute: u32,
    second: u32,
    millis: u32,
    pm: Option<bool>,
    offset_minutes: i64,
    epoch_ms: Option<i64>,
}

/// Reads `text` by `format`; missing parts default to the current year, January, the 1st,
/// midnight. `None` when the text does not fit.
pub(super) fn parse(text: &str, format: &str, default_year: i32) -> Option<DateTime<Utc>> {
    let mut input: &str = text.trim();
    let mut fields = Fields::default();
    for piece in pieces(format) {
        match piece {
            Piece::Literal(literal) => {
                input = input.strip_prefix(literal.as_str()).unwrap_or(input);
            }
            Piece::Token(token) => {
                let signed = matches!(token, "YYYY" | "X" | "x" | "Z" | "ZZ");
                let separator = |c: char| !(c.is_alphanumeric() || signed && "+-".contains(c));
                input = input.trim_start_matches(separator);
                input = read_token(token, input, &mut fields)?;
            }
        }
    }
    if let Some(ms) = fields.epoch_ms {
        return DateTime::from_timestamp_millis(ms);
    }
    let hour = match fields.pm {
        Some(true) if fields.hour < 12 => fields.hour + 12,
        Some(false) if fields.hour == 12 => 0,
        _ => fields.hour,
    };
    let year = fields.year.unwrap_or(default_year);
    let date = NaiveDate::from_ymd_opt(year, fields.month.unwrap_or(1), fields.day.unwrap_or(1))?;
    let time = NaiveTime::from_hms_milli_opt(hour, fields.minute, fields.second, fields.millis)?;
    let local = date.and_time(time);
    let utc = local.checked_sub_signed(TimeDelta::try_minutes(fields.offset_minutes)?)?;
    Some(utc.and_utc())
}

/// Up to `max` leading ASCII digits of `input` (at least one): (value, rest).
fn digits(input: &str, max: usize) -> Option<(u64, &str)> {
    let len = input.bytes().take(max).take_while(u8::is_ascii_digit).count();
    if len == 0 {
        return None;
    }
    Some((input[..len].parse().ok()?, &input[len..]))
}

fn word(input: &str) -> (&str, &str) {
    let len = input
        .char_indices()
        .find(|(_, c)| !c.is_alphabetic())
        .map_or(input.len(), |(i, _)| i);
    input.split_at(len)
}

fn read_token<'a>(token: &str, input: &'a str, fields: &mut Fields) -> Option<&'a str> {
    let rest = match token {
        "YYYY" => {
            let (negative, unsigned) = match input.strip_prefix('-') {
                Some(rest) => (true, rest),
                None => (false, input),
            };
            let (year, rest) = digits(unsigned, 4)?;
            let year = i32::try_from(year).ok()?;
            fields.year = Some(if negative { -year } else { year });
            rest
        }
        "YY" => {
            let (year, rest) = digits(input, 2)?;
            let year = i32::try_from(year).ok()?;
            fields.year = Some(if year > 68 { 1900 + year } else { 2000 + year });
            rest
        }
        "MMMM" | "MMM" => {
            let (name, rest) = word(input);
            let prefix = name.get(..3)?.to_lowercase();
            let index = MONTHS.iter().position(|m| m[..3].to_lowercase() == prefix)?;
            fields.month = Some(index as u32 + 1);
            rest
        }
        "dddd" | "ddd" | "dd" => word(input).1,
        "A" | "a" => {
            let (name, rest) = word(input);
            fields.pm = match name.to_lowercase().as_str() {
                "am" | "a" => Some(false),
                "pm" | "p" => Some(true),
                _ => return None,
            };
            rest
        }
        "X" | "x" => {
            let negative = input.starts_with('-');
            let (value, rest) = digits(input.trim_start_matches('-'), 15)?;
            let value = i64::try_from(value).ok()? * if token == "X" { 1000 } else { 1 };
            fields.epoch_ms = Some(if negative { -value } else { value });
            rest
        }
        "ZZ" | "Z" => read_offset(input, fields)?,
        "SSS" => {
            let (value, rest) = digits(input, 3)?;
            let width = input.len() - rest.len();
            fields.millis = u32::try_from(value).ok()? * 10u32.pow(3 - width as u32);
            rest.trim_start_matches(|c: char| c.is_ascii_digit())
        }
        _ => read_number(token, input, fields)?,
    };
    Some(rest)
}

fn read_number<'a>(token: &str, input: &'a str, fields: &mut Fields) -> Option<&'a str> {
    let (value, rest) = digits(input, 2)?;
    let value = u32::try_from(value).ok()?;
    let slot = match token {
        "MM" | "M" | "Mo" => {
            fields.month = Some(value);
            None
        }
        "DD" | "D" | "Do" => {
            fields.day = Some(value);
            None
        }
        "HH" | "H" | "hh" | "h" => Some(&mut fields.hour),
        "mm" | "m" => Some(&mut fields.minute),
        "ss" | "s" => Some(&mut fields.second),
        _ => None, // "Q", "d": read and ignored
    };
    if let Some(slot) = slot {
        *slot = value;
    }
    let ordinal = matches!(token, "Mo" | "Do");
    Some(if ordinal { word(rest).1 } else { rest })
}

fn read_offset<'a>(input: &'a str, fields: &mut Fields) -> Option<&'a str> {
    if let Some(rest) = input.strip_prefix(['Z', 'z']) {
        return Some(rest);
    }
    let sign = match input.chars().next()? {
        '+' => 1,
        '-' => -1,
        _ => return None,
    };
    let (hours, rest) = digits(&input[1..], 2)?;
    let rest = rest.strip_prefix(':').unwrap_or(rest);
    let (minutes, rest) = digits(rest, 2).unwrap_or((0, rest));
    fields.offset_minutes = sign * i64::try_from(hours * 60 + minutes).ok()?;
    Some(rest)
}
