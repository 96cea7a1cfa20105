//! Building `filterByFormula` formulas without hand-made strings.
//!
//! Every value goes through [`Formula::text`] (double-quoted, `\` and `"` escaped, newlines as `\n`)
//! and every field name through [`Formula::field`] (`{Name}`, with `}` and `\` escaped), so a
//! caption with quotes or backslashes can never change a formula's meaning. Times are passed as
//! `DATETIME_PARSE("...Z")` of the worker's own clock rather than `NOW()`, whose caching is unverified
//! (see `shared/reference/airtable.md`).

use chrono::{DateTime, SecondsFormat, Utc};
use std::fmt;

/// A formula, ready for `filterByFormula`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Formula(String);

impl fmt::Display for Formula {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl Formula {
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// A reference to a field: `{Name}`.
    pub fn field(name: &str) -> Formula {
        let escaped = name.replace('\\', "\\\\").replace('}', "\\}");
        Formula(format!("{{{escaped}}}"))
    }

    /// A string literal.
    pub fn text(value: &str) -> Formula {
        let mut out = String::with_capacity(value.len() + 2);
        out.push('"');
        for c in value.chars() {
            match c {
                '\\' => out.push_str("\\\\"),
                '"' => out.push_str("\\\""),
                '\n' => out.push_str("\\n"),
                '\r' => out.push_str("\\r"),
                '\t' => out.push_str("\\t"),
                c => out.push(c),
            }
        }
        out.push('"');
        Formula(out)
    }

    /// A number literal; NaN and infinities, which Airtable cannot read, become `ERROR()`
    /// (a comparison with it matches no record).
    pub fn number(value: f64) -> Formula {
        if value.is_finite() {
            Formula(format!("{value}"))
        } else {
            Formula("ERROR()".into())
        }
    }

    /// `BLANK()`: an empty value.
    pub fn blank() -> Formula {
        Formula("BLANK()".into())
    }

    /// A point in time: `DATETIME_PARSE("2026-11-25T10:00:00.000Z")`.
    pub fn datetime(at: DateTime<Utc>) -> Formula {
        let iso = at.to_rfc3339_opts(SecondsFormat::Millis, true);
        Formula(format!("DATETIME_PARSE({})", Formula::text(&iso)))
    }

    /// `RECORD_ID()`.
    pub fn record_id() -> Formula {
        Formula("RECORD_ID()".into())
    }

    /// `TRUE()`: every record.
    pub fn always() -> Formula {
        Formula("TRUE()".into())
    }

    pub fn eq(self, other: Formula) -> Formula {
        self.binary("=", other)
    }
    pub fn ne(self, other: Formula) -> Formula {
        self.binary("!=", other)
    }
    pub fn lt(self, other: Formula) -> Formula {
        self.binary("<", other)
    }
    pub fn gt(self, other: Formula) -> Formula {
        self.binary(">", other)
    }

    fn binary(self, op: &str, other: Formula) -> Formula {
        Formula(format!("{} {op} {}", self.0, other.0))
    }

    /// `NOT(formula)`.
    pub fn negate(self) -> Formula {
        Formula::call("NOT", [self])
    }

    /// `AND(...)`; one part is returned as it is, none is `TRUE()`.
    pub fn and(parts: impl IntoIterator<Item = Formula>) -> Formula {
        Formula::join("AND", parts)
    }

    /// `OR(...)`; one part is returned as it is, none is `FALSE()`.
    pub fn or(parts: impl IntoIterator<Item = Formula>) -> Formula {
        let parts: Vec<Formula> = parts.into_iter().collect();
        if parts.is_empty() {
            return Formula("FALSE()".into());
        }
        Formula::join("OR", parts)
    }

    fn join(name: &str, parts: impl IntoIterator<Item = Formula>) -> Formula {
        let mut parts: Vec<Formula> = parts.into_iter().collect();
        match parts.len() {
            0 => Formula::always(),
            1 => parts.remove(0),
            _ => Formula::call(name, parts),
        }
    }

    pub fn is_before(self, other: Formula) -> Formula {
        Formula::call("IS_BEFORE", [self, other])
    }
    pub fn is_after(self, other: Formula) -> Formula {
        Formula::call("IS_AFTER", [self, other])
    }

    /// `FIND(needle, haystack)`: 0 when absent.
    pub fn find(needle: Formula, haystack: Formula) -> Formula {
        Formula::call("FIND", [needle, haystack])
    }

    fn call(name: &str, args: impl IntoIterator<Item = Formula>) -> Formula {
        let args: Vec<String> = args.into_iter().map(|f| f.0).collect();
        Formula(format!("{name}({})", args.join(", ")))
    }

    /// `{field} = "value"`.
    pub fn field_is(field: &str, value: &str) -> Formula {
        Formula::field(field).eq(Formula::text(value))
    }

    /// Records whose id is one of `ids`: `OR(RECORD_ID() = "rec1", ...)`.
    pub fn record_id_in<'a>(ids: impl IntoIterator<Item = &'a str>) -> Formula {
        Formula::or(ids.into_iter().map(|id| Formula::record_id().eq(Formula::text(id))))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    #[test]
    fn quotes_backslashes_and_newlines_in_values_are_escaped() {
        let f = Formula::field_is("Caption", "He said \"hi\" \\ bye\nok");
        assert_eq!(f.as_str(), r#"{Caption} = "He said \"hi\" \\ bye\nok""#);
    }

    #[test]
    fn braces_in_field_names_are_escaped() {
        assert_eq!(Formula::field("a}b\\c").as_str(), r"{a\}b\\c}");
    }

    #[test]
    fn due_posts_formula_reads_well() {
        let at = Utc.with_ymd_and_hms(2026, 11, 25, 10, 0, 0).unwrap();
        let f = Formula::and([
            Formula::field_is("Status", "Scheduled"),
            Formula::field("ScheduledTime").is_before(Formula::datetime(at)),
        ]);
        assert_eq!(
            f.as_str(),
            r#"AND({Status} = "Scheduled", IS_BEFORE({ScheduledTime}, DATETIME_PARSE("2026-11-25T10:00:00.000Z")))"#
        );
    }

    #[test]
    fn empty_and_single_lists_collapse() {
        assert_eq!(Formula::or([]).as_str(), "FALSE()");
        assert_eq!(Formula::and([]).as_str(), "TRUE()");
        assert_eq!(Formula::record_id_in(["rec1"]).as_str(), r#"RECORD_ID() = "rec1""#);
    }
}
