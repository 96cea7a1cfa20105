//! The comparison operators `= != < > <= >=`, with Airtable's coercions.
//!
//! 1. An error on either side is the result.
//! 2. A date (or date-time) against a date, or against text that reads as a date, compares the
//!    moments (to the millisecond).
//! 3. Otherwise a number or boolean on either side makes both sides numbers (blank and '' are 0,
//!    true is 1, numeric text is read), when both convert.
//! 4. Otherwise both sides are compared as text, case-sensitively (blank is '', lists are their
//!    items joined by ", ", dates are ISO 8601).

use std::cmp::Ordering;

use super::parser::BinOp;
use super::value::Value;

pub(super) fn compare(op: BinOp, a: &Value, b: &Value) -> Value {
    if a.is_error() {
        return a.clone();
    }
    if b.is_error() {
        return b.clone();
    }
    let ordering = order(a, b);
    let result = match op {
        BinOp::Eq => ordering == Some(Ordering::Equal),
        BinOp::Ne => ordering != Some(Ordering::Equal),
        BinOp::Lt => ordering == Some(Ordering::Less),
        BinOp::Gt => ordering == Some(Ordering::Greater),
        BinOp::Le => matches!(ordering, Some(Ordering::Less | Ordering::Equal)),
        BinOp::Ge => matches!(ordering, Some(Ordering::Greater | Ordering::Equal)),
        _ => return Value::error("not a comparison operator"),
    };
    Value::Bool(result)
}

/// Whether `a = b` holds (as `SWITCH` matches its patterns).
pub(super) fn equal(a: &Value, b: &Value) -> bool {
    !a.is_error() && !b.is_error() && order(a, b) == Some(Ordering::Equal)
}

/// How `a` compares with `b`; `None` when they do not compare (a NaN).
fn order(a: &Value, b: &Value) -> Option<Ordering> {
    let is_date = |v: &Value| matches!(v, Value::DateTime(_) | Value::Date(_));
    if is_date(a) || is_date(b) {
        if let (Some(x), Some(y)) = (a.to_datetime(), b.to_datetime()) {
            return Some(x.cmp(&y));
        }
    }
    let is_numeric = |v: &Value| matches!(v, Value::Number(_) | Value::Bool(_));
    if is_numeric(a) || is_numeric(b) {
        if let (Some(x), Some(y)) = (a.to_number(), b.to_number()) {
            return x.partial_cmp(&y);
        }
    }
    Some(a.to_text().cmp(&b.to_text()))
}
