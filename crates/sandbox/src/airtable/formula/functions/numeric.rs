//! Numeric functions and aggregates.

use super::super::eval::Evaluator;
use super::super::value::{parse_number, Value};
use super::{arg, integer, number, strict, FuncSpec, Ret};

pub(super) const SPECS: &[FuncSpec] = &[
    strict("ABS", 1, Some(1), |_, a| finite(number(a, 0, "ABS")?.abs())),
    strict("ROUND", 1, Some(2), |_, a| {
        round_with(a, "ROUND", |x| (x + 0.5).floor())
    }),
    strict("ROUNDUP", 1, Some(2), |_, a| round_with(a, "ROUNDUP", away_from_zero)),
    strict("ROUNDDOWN", 1, Some(2), |_, a| round_with(a, "ROUNDDOWN", f64::trunc)),
    strict("INT", 1, Some(1), |_, a| finite(number(a, 0, "INT")?.floor())),
    strict("MOD", 2, Some(2), modulo),
    strict("CEILING", 1, Some(2), |_, a| multiple(a, "CEILING", f64::ceil)),
    strict("FLOOR", 1, Some(2), |_, a| multiple(a, "FLOOR", f64::floor)),
    strict("POWER", 2, Some(2), |_, a| {
        finite(number(a, 0, "POWER")?.powf(number(a, 1, "POWER")?))
    }),
    strict("SQRT", 1, Some(1), |_, a| finite(number(a, 0, "SQRT")?.sqrt())),
    strict("SUM", 1, None, |_, a| finite(numbers(a).iter().sum())),
    strict("MIN", 1, None, |_, a| extreme(a, f64::min)),
    strict("MAX", 1, None, |_, a| extreme(a, f64::max)),
    strict("AVERAGE", 1, None, average),
    strict("COUNT", 1, None, count),
    strict("COUNTA", 1, None, count_a),
    strict("COUNTALL", 1, None, count_all),
];

fn finite(n: f64) -> Ret {
    if n.is_finite() {
        Ok(Value::Number(n))
    } else {
        Err(Value::error("number out of range"))
    }
}

/// Absorbs floating-point noise (`1.1 * 10` is `11.000000000000002`) before rounding.
fn snap(x: f64) -> f64 {
    let nearest = x.round();
    if (x - nearest).abs() <= 1e-9 * nearest.abs().max(1.0) {
        nearest
    } else {
        x
    }
}

fn away_from_zero(x: f64) -> f64 {
    x.signum() * x.abs().ceil()
}

/// Rounds `value` at `precision` decimal places (default 0; negative rounds to tens...).
fn round_with(args: &[Value], function: &str, how: fn(f64) -> f64) -> Ret {
    let value = number(args, 0, function)?;
    let precision = integer(args, 1, function)?.clamp(-300, 300) as i32;
    let factor = 10f64.powi(precision);
    let scaled = value * factor;
    if !scaled.is_finite() {
        return finite(value);
    }
    let rounded = how(snap(scaled));
    finite(rounded / factor)
}

fn modulo(_: &Evaluator, args: &[Value]) -> Ret {
    let divisor = number(args, 1, "MOD")?;
    if divisor == 0.0 {
        return Err(Value::error("MOD: division by zero"));
    }
    finite(number(args, 0, "MOD")? % divisor)
}

/// CEILING/FLOOR: the nearest multiple of the significance (default 1) above/below.
fn multiple(args: &[Value], function: &str, how: fn(f64) -> f64) -> Ret {
    let value = number(args, 0, function)?;
    let significance = match arg(args, 1) {
        Value::Blank => 1.0,
        _ => number(args, 1, function)?,
    };
    if significance == 0.0 {
        return Ok(Value::Number(0.0));
    }
    finite(how(snap(value / significance)) * significance)
}

/// The numbers among the arguments: numbers, booleans, numeric text, and the numeric items of
/// lists; blanks, other text and dates are skipped.
fn numbers(args: &[Value]) -> Vec<f64> {
    let mut out = Vec::new();
    for value in args {
        match value {
            Value::Number(n) => out.push(*n),
            Value::Bool(b) => out.push(f64::from(u8::from(*b))),
            Value::Text(text) if !text.trim().is_empty() => out.extend(parse_number(text)),
            Value::List(items) => out.extend(
                items
                    .iter()
                    .filter(|item| !item.trim().is_empty())
                    .filter_map(|item| parse_number(item)),
            ),
            _ => {}
        }
    }
    out
}

/// MIN/MAX: 0 when there are no numbers.
fn extreme(args: &[Value], pick: fn(f64, f64) -> f64) -> Ret {
    finite(numbers(args).into_iter().reduce(pick).unwrap_or(0.0))
}

fn average(_: &Evaluator, args: &[Value]) -> Ret {
    let values = numbers(args);
    if values.is_empty() {
        return Err(Value::error("AVERAGE: no numbers"));
    }
    finite(values.iter().sum::<f64>() / values.len() as f64)
}

/// Numbers, and the numeric items of lists.
fn count(_: &Evaluator, args: &[Value]) -> Ret {
    let counted = args
        .iter()
        .map(|value| match value {
            Value::Number(_) => 1,
            Value::List(_) => numbers(std::slice::from_ref(value)).len(),
            _ => 0,
        })
        .sum::<usize>();
    Ok(Value::Number(counted as f64))
}

/// Non-empty values (list items counted one by one).
fn count_a(_: &Evaluator, args: &[Value]) -> Ret {
    let counted = args
        .iter()
        .map(|value| match value {
            Value::List(items) => items.iter().filter(|item| !item.is_empty()).count(),
            other => usize::from(!other.is_blank()),
        })
        .sum::<usize>();
    Ok(Value::Number(counted as f64))
}

/// All values, blanks included (list items counted one by one).
fn count_all(_: &Evaluator, args: &[Value]) -> Ret {
    let counted = args
        .iter()
        .map(|value| match value {
            Value::List(items) => items.len(),
            _ => 1,
        })
        .sum::<usize>();
    Ok(Value::Number(counted as f64))
}
