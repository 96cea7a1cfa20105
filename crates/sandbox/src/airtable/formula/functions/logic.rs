//! Logical and record functions.

use super::super::compare::equal;
use super::super::eval::Evaluator;
use super::super::parser::Node;
use super::super::value::Value;
use super::super::FormulaError;
use super::{arg, strict, FuncSpec, Imp, Ret};

pub(super) const SPECS: &[FuncSpec] = &[
    strict("AND", 1, None, and),
    strict("OR", 1, None, or),
    strict("XOR", 1, None, xor),
    strict("NOT", 1, Some(1), not),
    strict("BLANK", 0, Some(0), |_, _| Ok(Value::Blank)),
    strict("TRUE", 0, Some(0), |_, _| Ok(Value::Bool(true))),
    strict("FALSE", 0, Some(0), |_, _| Ok(Value::Bool(false))),
    strict("ERROR", 0, Some(1), error),
    strict("RECORD_ID", 0, Some(0), record_id),
    strict("CREATED_TIME", 0, Some(0), created_time),
    FuncSpec {
        name: "LAST_MODIFIED_TIME",
        min: 0,
        max: None,
        imp: Imp::Lazy(last_modified_time),
    },
    FuncSpec {
        name: "IF",
        min: 2,
        max: Some(3),
        imp: Imp::Lazy(if_),
    },
    FuncSpec {
        name: "SWITCH",
        min: 2,
        max: None,
        imp: Imp::Lazy(switch),
    },
    FuncSpec {
        name: "ISERROR",
        min: 1,
        max: Some(1),
        imp: Imp::Lazy(is_error),
    },
];

fn and(_: &Evaluator, args: &[Value]) -> Ret {
    Ok(Value::Bool(args.iter().all(Value::is_truthy)))
}

fn or(_: &Evaluator, args: &[Value]) -> Ret {
    Ok(Value::Bool(args.iter().any(Value::is_truthy)))
}

/// True when an odd number of arguments are true.
fn xor(_: &Evaluator, args: &[Value]) -> Ret {
    let count = args.iter().filter(|v| v.is_truthy()).count();
    Ok(Value::Bool(count % 2 == 1))
}

fn not(_: &Evaluator, args: &[Value]) -> Ret {
    Ok(Value::Bool(!arg(args, 0).is_truthy()))
}

fn error(_: &Evaluator, args: &[Value]) -> Ret {
    let why = arg(args, 0).to_text();
    Ok(Value::error(if why.is_empty() { "ERROR()".to_string() } else { why }))
}

fn record_id(ev: &Evaluator, _: &[Value]) -> Ret {
    Ok(Value::Text(ev.record.record_id().to_string()))
}

fn created_time(ev: &Evaluator, _: &[Value]) -> Ret {
    Ok(Value::DateTime(ev.record.created_time()))
}

/// The record's last change; with field references, the latest change of those fields' cells
/// (blank when none was ever written). Arguments must be field references, as in Airtable.
fn last_modified_time(ev: &Evaluator, args: &[Node]) -> Result<Value, FormulaError> {
    if args.is_empty() {
        return Ok(Value::DateTime(ev.record.last_modified_time()));
    }
    let mut names = Vec::with_capacity(args.len());
    for arg in args {
        match arg {
            Node::Field(name) => names.push(name.as_str()),
            _ => return Ok(Value::error("LAST_MODIFIED_TIME() takes field references only")),
        }
    }
    Ok(ev
        .record
        .fields_modified_time(&names)
        .map_or(Value::Blank, Value::DateTime))
}

/// `IF(condition, then, else?)`: only the chosen branch is evaluated; no else is blank.
fn if_(ev: &Evaluator, args: &[Node]) -> Result<Value, FormulaError> {
    let condition = ev.eval(&args[0])?;
    if condition.is_error() {
        return Ok(condition);
    }
    match args.get(if condition.is_truthy() { 1 } else { 2 }) {
        Some(branch) => ev.eval(branch),
        None => Ok(Value::Blank),
    }
}

/// `SWITCH(expression, pattern1, result1, ..., default?)`: the result of the first pattern
/// equal to the expression (as `=` compares), else the default, else blank.
fn switch(ev: &Evaluator, args: &[Node]) -> Result<Value, FormulaError> {
    let subject = ev.eval(&args[0])?;
    if subject.is_error() {
        return Ok(subject);
    }
    let cases = &args[1..];
    for pair in cases.chunks(2) {
        let [pattern, result] = pair else {
            return ev.eval(&pair[0]); // the default
        };
        let pattern = ev.eval(pattern)?;
        if pattern.is_error() {
            return Ok(pattern);
        }
        if equal(&subject, &pattern) {
            return ev.eval(result);
        }
    }
    Ok(Value::Blank)
}

fn is_error(ev: &Evaluator, args: &[Node]) -> Result<Value, FormulaError> {
    Ok(Value::Bool(ev.eval(&args[0])?.is_error()))
}
