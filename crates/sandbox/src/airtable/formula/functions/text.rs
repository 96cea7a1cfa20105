//! Text and array functions. Positions and lengths count characters, not bytes.

use super::super::eval::Evaluator;
use super::super::regex::Regex;
use super::super::value::{parse_number, Value};
use super::{arg, integer, strict, text, FuncSpec, Ret};

/// The longest text REPT may build, so a formula cannot exhaust memory.
const MAX_TEXT: usize = 1_000_000;

pub(super) const SPECS: &[FuncSpec] = &[
    strict("FIND", 2, Some(3), find),
    strict("SEARCH", 2, Some(3), search),
    strict("LEN", 1, Some(1), |_, a| {
        Ok(Value::Number(text(a, 0).chars().count() as f64))
    }),
    strict("LOWER", 1, Some(1), |_, a| Ok(Value::Text(text(a, 0).to_lowercase()))),
    strict("UPPER", 1, Some(1), |_, a| Ok(Value::Text(text(a, 0).to_uppercase()))),
    strict("TRIM", 1, Some(1), |_, a| {
        Ok(Value::Text(text(a, 0).trim().to_string()))
    }),
    strict("CONCATENATE", 1, None, concatenate),
    strict("LEFT", 2, Some(2), left),
    strict("RIGHT", 2, Some(2), right),
    strict("MID", 3, Some(3), mid),
    strict("SUBSTITUTE", 3, Some(4), substitute),
    strict("REPLACE", 4, Some(4), replace),
    strict("REPT", 2, Some(2), rept),
    strict("VALUE", 1, Some(1), value),
    strict("T", 1, Some(1), t),
    strict("ARRAYJOIN", 1, Some(2), array_join),
    strict("REGEX_MATCH", 2, Some(2), regex_match),
    strict("REGEX_EXTRACT", 2, Some(2), regex_extract),
    strict("REGEX_REPLACE", 3, Some(3), regex_replace),
];

/// A count argument as a `usize`: negative counts are 0.
fn count(args: &[Value], i: usize, function: &str) -> Result<usize, Value> {
    Ok(usize::try_from(integer(args, i, function)?.max(0)).unwrap_or(usize::MAX))
}

/// JavaScript's `haystack.indexOf(needle, start) + 1`: the 1-based position of the first
/// occurrence at or after the 0-based character `start`, 0 when there is none.
fn index_of(args: &[Value], function: &str) -> Result<usize, Value> {
    let needle: Vec<char> = text(args, 0).chars().collect();
    let haystack: Vec<char> = text(args, 1).chars().collect();
    let start = count(args, 2, function)?.min(haystack.len());
    let last = haystack.len().checked_sub(needle.len());
    let found = last.and_then(|last| (start..=last).find(|&i| haystack[i..i + needle.len()] == needle[..]));
    Ok(found.map_or(0, |i| i + 1))
}

/// `FIND(needle, haystack, start?)`: 1-based position, 0 when absent; case-sensitive.
fn find(_: &Evaluator, args: &[Value]) -> Ret {
    Ok(Value::Number(index_of(args, "FIND")? as f64))
}

/// `SEARCH(needle, haystack, start?)`: as FIND (case-sensitive too), but blank when absent.
fn search(_: &Evaluator, args: &[Value]) -> Ret {
    Ok(match index_of(args, "SEARCH")? {
        0 => Value::Blank,
        position => Value::Number(position as f64),
    })
}

fn concatenate(_: &Evaluator, args: &[Value]) -> Ret {
    Ok(Value::Text(args.iter().map(Value::to_text).collect()))
}

fn left(_: &Evaluator, args: &[Value]) -> Ret {
    let n = count(args, 1, "LEFT")?;
    Ok(Value::Text(text(args, 0).chars().take(n).collect()))
}

fn right(_: &Evaluator, args: &[Value]) -> Ret {
    let chars: Vec<char> = text(args, 0).chars().collect();
    let n = count(args, 1, "RIGHT")?.min(chars.len());
    Ok(Value::Text(chars[chars.len() - n..].iter().collect()))
}

/// `MID(text, start, count)`: `count` characters from the 1-based position `start`.
fn mid(_: &Evaluator, args: &[Value]) -> Ret {
    let skip = count(args, 1, "MID")?.saturating_sub(1);
    let n = count(args, 2, "MID")?;
    Ok(Value::Text(text(args, 0).chars().skip(skip).take(n).collect()))
}

/// `SUBSTITUTE(text, old, new, index?)`: every occurrence, or only the `index`th (1-based).
fn substitute(_: &Evaluator, args: &[Value]) -> Ret {
    let (source, old, new) = (text(args, 0), text(args, 1), text(args, 2));
    if old.is_empty() {
        return Ok(Value::Text(source));
    }
    if arg(args, 3).is_blank() {
        return Ok(Value::Text(source.replace(&old, &new)));
    }
    let index = count(args, 3, "SUBSTITUTE")?;
    let replaced = match source.match_indices(&old).nth(index.wrapping_sub(1)) {
        Some((at, _)) if index >= 1 => {
            format!("{}{new}{}", &source[..at], &source[at + old.len()..])
        }
        _ => source,
    };
    Ok(Value::Text(replaced))
}

/// `REPLACE(text, start, count, replacement)`: `count` characters from the 1-based `start`.
fn replace(_: &Evaluator, args: &[Value]) -> Ret {
    let chars: Vec<char> = text(args, 0).chars().collect();
    let start = count(args, 1, "REPLACE")?.saturating_sub(1).min(chars.len());
    let end = start.saturating_add(count(args, 2, "REPLACE")?).min(chars.len());
    let mut out: String = chars[..start].iter().collect();
    out.push_str(&text(args, 3));
    out.extend(&chars[end..]);
    Ok(Value::Text(out))
}

fn rept(_: &Evaluator, args: &[Value]) -> Ret {
    let unit = text(args, 0);
    let times = count(args, 1, "REPT")?;
    if unit.len().saturating_mul(times) > MAX_TEXT {
        return Err(Value::error("REPT: result too long"));
    }
    Ok(Value::Text(unit.repeat(times)))
}

/// `VALUE(text)`: the number in the text, ignoring other characters such as `$` and `,`
/// (`VALUE("$1,000.50")` is 1000.5); blank when there is none.
fn value(_: &Evaluator, args: &[Value]) -> Ret {
    let source = text(args, 0);
    if let Some(n) = parse_number(&source).filter(|_| !source.trim().is_empty()) {
        return Ok(Value::Number(n));
    }
    let kept: String = source
        .chars()
        .filter(|c| c.is_ascii_digit() || matches!(c, '.' | '-'))
        .collect();
    Ok(match kept.parse::<f64>() {
        Ok(n) if kept.chars().any(|c| c.is_ascii_digit()) => Value::Number(n),
        _ => Value::Blank,
    })
}

/// `T(value)`: the value when it is text (or a list), blank otherwise.
fn t(_: &Evaluator, args: &[Value]) -> Ret {
    Ok(match arg(args, 0) {
        Value::Text(s) => Value::Text(s.clone()),
        Value::List(items) => Value::Text(items.join(", ")),
        _ => Value::Blank,
    })
}

/// `ARRAYJOIN(list, separator?)`: the items joined by the separator (", " by default).
fn array_join(_: &Evaluator, args: &[Value]) -> Ret {
    let separator = match args.get(1) {
        Some(sep) => sep.to_text(),
        None => ", ".to_string(),
    };
    Ok(Value::Text(match arg(args, 0) {
        Value::List(items) => items.join(&separator),
        other => other.to_text(),
    }))
}

fn pattern(args: &[Value], function: &str) -> Result<Regex, Value> {
    Regex::new(&text(args, 1)).map_err(|why| Value::error(format!("{function}: {why}")))
}

fn regex_match(_: &Evaluator, args: &[Value]) -> Ret {
    let regex = pattern(args, "REGEX_MATCH")?;
    let found = regex.find(&text(args, 0)).map_err(Value::error)?;
    Ok(Value::Bool(found.is_some()))
}

/// `REGEX_EXTRACT(text, pattern)`: the first match; an error when there is none.
fn regex_extract(_: &Evaluator, args: &[Value]) -> Ret {
    let source = text(args, 0);
    let regex = pattern(args, "REGEX_EXTRACT")?;
    match regex.find(&source).map_err(Value::error)? {
        Some((start, end)) => Ok(Value::Text(source[start..end].to_string())),
        None => Err(Value::error("REGEX_EXTRACT: no match")),
    }
}

/// `REGEX_REPLACE(text, pattern, replacement)`: every match replaced (no `$1` references).
fn regex_replace(_: &Evaluator, args: &[Value]) -> Ret {
    let source = text(args, 0);
    let regex = pattern(args, "REGEX_REPLACE")?;
    let replacement = text(args, 2);
    let replaced = regex.replace_all(&source, &replacement).map_err(Value::error)?;
    Ok(Value::Text(replaced))
}
