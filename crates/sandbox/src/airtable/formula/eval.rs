//! Evaluates a parsed formula against one record.

use chrono::{DateTime, Utc};

use super::compare::compare;
use super::functions::{FuncSpec, Imp};
use super::parser::{BinOp, Node};
use super::value::Value;
use super::{FormulaError, RecordContext};

/// The error for fields the table does not have, in Airtable's words.
pub(super) fn unknown_fields(names: &[&str]) -> FormulaError {
    FormulaError::new(format!("Unknown field names: {}", names.join(", ")))
}

pub(super) struct Evaluator<'a> {
    pub record: &'a dyn RecordContext,
    pub now: DateTime<Utc>,
}

impl Evaluator<'_> {
    pub fn eval(&self, node: &Node) -> Result<Value, FormulaError> {
        Ok(match node {
            Node::Number(n) => Value::Number(*n),
            Node::Text(text) => Value::Text(text.clone()),
            Node::Bool(b) => Value::Bool(*b),
            Node::Field(name) => self.field(name)?,
            Node::Neg(operand) => negate(self.eval(operand)?),
            Node::Chain(first, rest) => {
                let mut acc = self.eval(first)?;
                for (op, operand) in rest {
                    acc = binary(*op, acc, self.eval(operand)?);
                }
                acc
            }
            Node::Call(spec, args) => self.call(spec, args)?,
        })
    }

    fn field(&self, name: &str) -> Result<Value, FormulaError> {
        match self.record.field(name) {
            Some(cell) => Ok(Value::from(cell)),
            None => Err(unknown_fields(&[name])),
        }
    }

    /// Strict functions get their arguments evaluated, and return the first error argument
    /// without being called; lazy ones (IF, SWITCH, ISERROR) evaluate what they need.
    fn call(&self, spec: &FuncSpec, args: &[Node]) -> Result<Value, FormulaError> {
        match spec.imp {
            Imp::Lazy(f) => f(self, args),
            Imp::Strict(f) => {
                let values = args.iter().map(|arg| self.eval(arg)).collect::<Result<Vec<_>, _>>()?;
                if let Some(error) = values.iter().find(|v| v.is_error()) {
                    return Ok(error.clone());
                }
                Ok(f(self, &values).unwrap_or_else(|early| early))
            }
        }
    }
}

fn negate(value: Value) -> Value {
    match value {
        Value::Error(_) => value,
        other => match other.to_number() {
            Some(n) => Value::Number(-n),
            None => Value::error(format!("cannot negate {}", other.to_text())),
        },
    }
}

pub(super) fn binary(op: BinOp, a: Value, b: Value) -> Value {
    if a.is_error() {
        return a;
    }
    if b.is_error() {
        return b;
    }
    match op {
        BinOp::Concat => Value::Text(a.to_text() + &b.to_text()),
        BinOp::Add | BinOp::Sub | BinOp::Mul | BinOp::Div => arithmetic(op, &a, &b),
        _ => compare(op, &a, &b),
    }
}

fn arithmetic(op: BinOp, a: &Value, b: &Value) -> Value {
    let (Some(x), Some(y)) = (a.to_number(), b.to_number()) else {
        let culprit = if a.to_number().is_none() { a } else { b };
        return Value::error(format!("not a number: {}", culprit.to_text()));
    };
    let result = match op {
        BinOp::Add => x + y,
        BinOp::Sub => x - y,
        BinOp::Mul => x * y,
        _ if y == 0.0 => return Value::error("division by zero"),
        _ => x / y,
    };
    if result.is_finite() {
        Value::Number(result)
    } else {
        Value::error("number out of range")
    }
}
