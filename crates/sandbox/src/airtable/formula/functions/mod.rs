//! The function library: a table of names, argument counts and implementations.

mod date;
mod logic;
mod numeric;
mod text;

use super::eval::Evaluator;
use super::parser::Node;
use super::value::Value;
use super::FormulaError;

/// A strict function's result: `Err` carries a value to return as it is (an error, or blank
/// for a blank argument), so implementations can use `?`.
pub(super) type Ret = Result<Value, Value>;
pub(super) type StrictFn = fn(&Evaluator, &[Value]) -> Ret;
pub(super) type LazyFn = fn(&Evaluator, &[Node]) -> Result<Value, FormulaError>;

#[derive(Debug)]
pub(super) enum Imp {
    /// Called with evaluated arguments, none of them an error.
    Strict(StrictFn),
    /// Called with the argument trees, to evaluate as it needs.
    Lazy(LazyFn),
}

#[derive(Debug)]
pub(super) struct FuncSpec {
    pub name: &'static str,
    pub min: usize,
    /// `None`: any number.
    pub max: Option<usize>,
    pub imp: Imp,
}

/// A table row: `name`, at least `min` and at most `max` (`None`: unbounded) arguments.
pub(super) const fn strict(name: &'static str, min: usize, max: Option<usize>, f: StrictFn) -> FuncSpec {
    FuncSpec {
        name,
        min,
        max,
        imp: Imp::Strict(f),
    }
}

impl FuncSpec {
    pub fn accepts(&self, count: usize) -> bool {
        count >= self.min && self.max.is_none_or(|max| count <= max)
    }

    /// "1 argument", "2 or 3 arguments", "at least 1 argument"...
    pub fn arity_text(&self) -> String {
        let noun = |n: usize| if n == 1 { "argument" } else { "arguments" };
        match self.max {
            Some(max) if max == self.min => format!("{max} {}", noun(max)),
            Some(max) if max == self.min + 1 => format!("{} or {max} {}", self.min, noun(max)),
            Some(max) => format!("{} to {max} {}", self.min, noun(max)),
            None => format!("at least {} {}", self.min, noun(self.min)),
        }
    }
}

pub(super) enum Lookup {
    Found(&'static FuncSpec),
    /// An Airtable function the sandbox does not implement.
    Unsupported,
    Unknown,
}

/// Airtable functions this engine does not implement.
const UNSUPPORTED: [&str; 12] = [
    "WORKDAY",
    "WORKDAY_DIFF",
    "SET_TIMEZONE",
    "SET_LOCALE",
    "TONOW",
    "FROMNOW",
    "WEEKNUM",
    "ARRAYUNIQUE",
    "ARRAYCOMPACT",
    "ARRAYFLATTEN",
    "ARRAYSLICE",
    "ENCODE_URL_COMPONENT",
];

/// The function named `name` (case-insensitive).
pub(super) fn lookup(name: &str) -> Lookup {
    let tables: [&'static [FuncSpec]; 4] = [logic::SPECS, text::SPECS, numeric::SPECS, date::SPECS];
    let found = tables
        .into_iter()
        .flatten()
        .find(|spec| spec.name.eq_ignore_ascii_case(name));
    match found {
        Some(spec) => Lookup::Found(spec),
        None if UNSUPPORTED.iter().any(|u| u.eq_ignore_ascii_case(name)) => Lookup::Unsupported,
        None => Lookup::Unknown,
    }
}

static BLANK: Value = Value::Blank;

/// The `i`th argument, blank when it was left out.
pub(super) fn arg(args: &[Value], i: usize) -> &Value {
    args.get(i).unwrap_or(&BLANK)
}

/// The argument as a number, or an error naming the function.
pub(super) fn number(args: &[Value], i: usize, function: &str) -> Result<f64, Value> {
    let value = arg(args, i);
    value
        .to_number()
        .ok_or_else(|| Value::error(format!("{function}: not a number: {}", value.to_text())))
}

/// The argument as a whole number (truncated; saturating at the ends of `i64`).
pub(super) fn integer(args: &[Value], i: usize, function: &str) -> Result<i64, Value> {
    Ok(number(args, i, function)?.trunc() as i64)
}

pub(super) fn text(args: &[Value], i: usize) -> String {
    arg(args, i).to_text()
}
