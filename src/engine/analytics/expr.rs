//! Scalar expressions, resolved and ready to run: the SQL subset's (§2.4) and the pipelines' map and filter
//! expressions. [`compile`] turns a parsed expression into a [`Scalar`] against a [`Scope`] (which
//! columns exist, and where aggregates live), refusing unknown columns and functions with their place;
//! [`Scalar::eval`] computes it for one row with SQL's NULL rules. Errors while running (division by
//! zero, overflow, a bad cast) send the row to `error_stream`.

use super::sql::ast::{BinOp, Expr, ExprKind, Ident, TimeUnit};
use super::sql::error::SqlError;
use super::value::{SqlType, Value};

/// A resolved expression.
#[derive(Clone, Debug, PartialEq)]
pub enum Scalar {
    Column(usize),
    Rowtime,
    Literal(Value),
    /// The value of aggregate slot i (grouped and windowed queries).
    Aggregate(usize),
    Neg(Box<Scalar>),
    Not(Box<Scalar>),
    Binary(BinOp, Box<Scalar>, Box<Scalar>),
    Like {
        expr: Box<Scalar>,
        pattern: Box<Scalar>,
        negated: bool,
    },
    IsNull {
        expr: Box<Scalar>,
        negated: bool,
    },
    Between {
        expr: Box<Scalar>,
        low: Box<Scalar>,
        high: Box<Scalar>,
        negated: bool,
    },
    InList {
        expr: Box<Scalar>,
        list: Vec<Scalar>,
        negated: bool,
    },
    Case {
        operand: Option<Box<Scalar>>,
        whens: Vec<(Scalar, Scalar)>,
        otherwise: Option<Box<Scalar>>,
    },
    Cast(Box<Scalar>, SqlType),
    Step {
        expr: Box<Scalar>,
        by: Box<Scalar>,
    },
    Floor {
        expr: Box<Scalar>,
        unit: Option<TimeUnit>,
    },
    Function(Function, Vec<Scalar>),
}

/// The scalar functions.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Function {
    Abs,
    Upper,
    Lower,
    CharLength,
    Trim,
    Substring,
    Coalesce,
    Power,
    Sqrt,
    Ln,
    Exp,
    Mod,
    CurrentRowTimestamp,
    /// The lab's `SPLIT_PART(text, delimiter, n)`: the n-th piece, from 1 (for the pipelines' parsing).
    SplitPart,
}

impl Function {
    /// The function called `name` and how many arguments it takes (least, most).
    pub fn named(name: &str) -> Option<(Function, usize, usize)> {
        Some(match name {
            "ABS" => (Function::Abs, 1, 1),
            "UPPER" => (Function::Upper, 1, 1),
            "LOWER" => (Function::Lower, 1, 1),
            "CHAR_LENGTH" | "CHARACTER_LENGTH" => (Function::CharLength, 1, 1),
            "TRIM" => (Function::Trim, 1, 1),
            "SUBSTRING" => (Function::Substring, 2, 3),
            "COALESCE" => (Function::Coalesce, 1, 16),
            "POWER" => (Function::Power, 2, 2),
            "SQRT" => (Function::Sqrt, 1, 1),
            "LN" => (Function::Ln, 1, 1),
            "EXP" => (Function::Exp, 1, 1),
            "MOD" => (Function::Mod, 2, 2),
            "CURRENT_ROW_TIMESTAMP" => (Function::CurrentRowTimestamp, 0, 0),
            "SPLIT_PART" => (Function::SplitPart, 3, 3),
            _ => return None,
        })
    }
}

/// A row as expressions see it.
pub trait RowRef {
    fn column(&self, i: usize) -> &Value;
    fn rowtime(&self) -> i64;
    fn aggregate(&self, i: usize) -> &Value;
}

/// A problem while evaluating, for `error_stream` (ERROR_NAME, MESSAGE).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct EvalError {
    pub name: &'static str,
    pub message: String,
}

fn fail<T>(name: &'static str, message: impl Into<String>) -> Result<T, EvalError> {
    Err(EvalError { name, message: message.into() })
}

/// Where names are resolved while compiling.
pub trait Scope {
    /// The column `name` (with its qualifier), or why not.
    fn column(&self, qualifier: Option<&Ident>, name: &Ident) -> Result<Scalar, SqlError>;
    /// An aggregate call (`COUNT(*)`, `SUM(x) OVER w`, …): its slot, or `None` if aggregates are not
    /// allowed here.
    fn aggregate(&mut self, call: &Expr) -> Result<Option<Scalar>, SqlError>;
    /// A whole expression the scope already holds (a GROUP BY key in a grouped select), if `e` is one.
    fn whole(&mut self, _e: &Expr) -> Option<Scalar> {
        None
    }
}

/// The aggregate function names.
pub const AGGREGATES: [&str; 5] = ["COUNT", "SUM", "MIN", "MAX", "AVG"];

/// Resolves `e` in `scope`.
pub fn compile(e: &Expr, scope: &mut dyn Scope) -> Result<Scalar, SqlError> {
    if let Some(s) = scope.whole(e) {
        return Ok(s);
    }
    let mut c = |e: &Expr| compile(e, scope).map(Box::new);
    Ok(match &e.kind {
        ExprKind::Column { qualifier, name } => {
            return scope.column(qualifier.as_ref(), name);
        }
        ExprKind::Literal(v) => Scalar::Literal(v.clone()),
        ExprKind::Interval(ms) => Scalar::Literal(Value::Interval(*ms)),
        ExprKind::Neg(x) => Scalar::Neg(c(x)?),
        ExprKind::Not(x) => Scalar::Not(c(x)?),
        ExprKind::Binary { op, left, right } => Scalar::Binary(*op, c(left)?, c(right)?),
        ExprKind::Like { expr, pattern, negated } => {
            Scalar::Like { expr: c(expr)?, pattern: c(pattern)?, negated: *negated }
        }
        ExprKind::IsNull { expr, negated } => Scalar::IsNull { expr: c(expr)?, negated: *negated },
        ExprKind::Between { expr, low, high, negated } => {
            Scalar::Between { expr: c(expr)?, low: c(low)?, high: c(high)?, negated: *negated }
        }
        ExprKind::InList { expr, list, negated } => {
            let expr = c(expr)?;
            let list = list.iter().map(|x| compile(x, scope)).collect::<Result<_, _>>()?;
            Scalar::InList { expr, list, negated: *negated }
        }
        ExprKind::Case { operand, whens, otherwise } => {
            let operand = operand.as_ref().map(|o| compile(o, scope).map(Box::new)).transpose()?;
            let whens = whens
                .iter()
                .map(|(w, t)| Ok((compile(w, scope)?, compile(t, scope)?)))
                .collect::<Result<_, SqlError>>()?;
            let otherwise = otherwise.as_ref().map(|o| compile(o, scope).map(Box::new)).transpose()?;
            Scalar::Case { operand, whens, otherwise }
        }
        ExprKind::Cast { expr, ty } => Scalar::Cast(c(expr)?, *ty),
        ExprKind::Step { expr, by } => Scalar::Step { expr: c(expr)?, by: c(by)? },
        ExprKind::Floor { expr, unit } => Scalar::Floor { expr: c(expr)?, unit: *unit },
        ExprKind::Call { name, args, star, distinct, over } => {
            if AGGREGATES.contains(&name.name.as_str()) && !name.quoted {
                return match scope.aggregate(e)? {
                    Some(slot) => Ok(slot),
                    None => {
                        Err(SqlError::new(name.pos, format!("{} is an aggregate and cannot be used here", name.name)))
                    }
                };
            }
            if *star || *distinct || over.is_some() {
                return Err(SqlError::new(name.pos, format!("{} is not an aggregate function", name.name)));
            }
            let Some((f, least, most)) = Function::named(&name.name) else {
                return Err(SqlError::new(name.pos, format!("no function named {}", name.name)));
            };
            if !(least..=most).contains(&args.len()) {
                let wanted = if least == most { least.to_string() } else { format!("{least} to {most}") };
                return Err(SqlError::new(
                    name.pos,
                    format!("{} takes {wanted} argument(s), not {}", name.name, args.len()),
                ));
            }
            Scalar::Function(f, args.iter().map(|a| compile(a, scope)).collect::<Result<_, _>>()?)
        }
    })
}

impl Scalar {
    /// The value for `row`.
    pub fn eval(&self, row: &dyn RowRef) -> Result<Value, EvalError> {
        Ok(match self {
            Scalar::Column(i) => row.column(*i).clone(),
            Scalar::Rowtime => Value::Timestamp(row.rowtime()),
            Scalar::Literal(v) => v.clone(),
            Scalar::Aggregate(i) => row.aggregate(*i).clone(),
            Scalar::Neg(x) => match x.eval(row)? {
                Value::Null => Value::Null,
                Value::Int(i) => Value::Int(i.checked_neg().ok_or_else(overflow)?),
                Value::Double(d) => Value::Double(-d),
                Value::Decimal { unscaled, scale } => Value::Decimal { unscaled: -unscaled, scale },
                Value::Interval(ms) => Value::Interval(-ms),
                v => return fail("Type error", format!("cannot negate {}", v.describe())),
            },
            Scalar::Not(x) => match truth(&x.eval(row)?)? {
                Some(b) => Value::Bool(!b),
                None => Value::Null,
            },
            Scalar::Binary(op, l, r) => binary(*op, l.eval(row)?, || r.eval(row))?,
            Scalar::Like { expr, pattern, negated } => match (expr.eval(row)?, pattern.eval(row)?) {
                (Value::Null, _) | (_, Value::Null) => Value::Null,
                (Value::Str(s), Value::Str(p)) => Value::Bool(like(&s, &p) != *negated),
                (a, b) => {
                    return fail("Type error", format!("LIKE needs strings, not {} and {}", a.describe(), b.describe()))
                }
            },
            Scalar::IsNull { expr, negated } => Value::Bool(expr.eval(row)?.is_null() != *negated),
            Scalar::Between { expr, low, high, negated } => {
                let v = expr.eval(row)?;
                let ge = binary(BinOp::Ge, v.clone(), || low.eval(row))?;
                let le = binary(BinOp::Le, v, || high.eval(row))?;
                match binary(BinOp::And, ge, || Ok(le))? {
                    Value::Bool(b) => Value::Bool(b != *negated),
                    other => other,
                }
            }
            Scalar::InList { expr, list, negated } => {
                let v = expr.eval(row)?;
                if v.is_null() {
                    return Ok(Value::Null);
                }
                let mut unknown = false;
                for item in list {
                    match v.compare(&item.eval(row)?) {
                        Some(std::cmp::Ordering::Equal) => return Ok(Value::Bool(!*negated)),
                        None => unknown = true,
                        _ => {}
                    }
                }
                if unknown {
                    Value::Null
                } else {
                    Value::Bool(*negated)
                }
            }
            Scalar::Case { operand, whens, otherwise } => {
                let subject = operand.as_ref().map(|o| o.eval(row)).transpose()?;
                for (w, then) in whens {
                    let w = w.eval(row)?;
                    let hit = match &subject {
                        Some(s) => s.compare(&w) == Some(std::cmp::Ordering::Equal),
                        None => truth(&w)? == Some(true),
                    };
                    if hit {
                        return then.eval(row);
                    }
                }
                otherwise.as_ref().map_or(Ok(Value::Null), |o| o.eval(row))?
            }
            Scalar::Cast(x, ty) => {
                x.eval(row)?.coerce(*ty).map_err(|m| EvalError { name: "Cast error", message: m })?
            }
            Scalar::Step { expr, by } => step(expr.eval(row)?, by.eval(row)?)?,
            Scalar::Floor { expr, unit } => match (expr.eval(row)?, unit) {
                (Value::Null, _) => Value::Null,
                (Value::Timestamp(ms), Some(u)) => Value::Timestamp(ms - ms.rem_euclid(u.millis())),
                (Value::Timestamp(ms), None) => Value::Timestamp(ms),
                (Value::Int(i), None) => Value::Int(i),
                (v, None) if v.as_f64().is_some() => Value::Double(v.as_f64().unwrap_or_default().floor()),
                (v, _) => return fail("Type error", format!("cannot FLOOR {}", v.describe())),
            },
            Scalar::Function(f, args) => {
                let args = args.iter().map(|a| a.eval(row)).collect::<Result<Vec<_>, _>>()?;
                function(*f, &args, row.rowtime())?
            }
        })
    }

    /// Whether the expression is monotonic in ROWTIME (what a streaming GROUP BY needs, §2.4):
    /// ROWTIME itself, or STEP / FLOOR of it.
    pub fn is_rowtime_monotonic(&self) -> bool {
        match self {
            Scalar::Rowtime => true,
            Scalar::Step { expr, .. } | Scalar::Floor { expr, .. } => expr.is_rowtime_monotonic(),
            _ => false,
        }
    }
}

fn overflow() -> EvalError {
    EvalError { name: "Numeric overflow", message: "the result does not fit in a BIGINT".to_string() }
}

/// A value's truth: `None` for NULL.
pub fn truth(v: &Value) -> Result<Option<bool>, EvalError> {
    match v {
        Value::Null => Ok(None),
        Value::Bool(b) => Ok(Some(*b)),
        v => fail("Type error", format!("{} is not a condition", v.describe())),
    }
}

/// `op` on `l` and the right side (evaluated only when needed, for AND and OR).
fn binary(op: BinOp, l: Value, r: impl FnOnce() -> Result<Value, EvalError>) -> Result<Value, EvalError> {
    use std::cmp::Ordering::*;
    match op {
        BinOp::And | BinOp::Or => {
            let a = truth(&l)?;
            let short = if op == BinOp::And { Some(false) } else { Some(true) };
            if a == short {
                return Ok(Value::Bool(a == Some(true)));
            }
            let b = truth(&r()?)?;
            if b == short {
                return Ok(Value::Bool(b == Some(true)));
            }
            return Ok(match (a, b) {
                (Some(x), Some(_)) => Value::Bool(x),
                _ => Value::Null,
            });
        }
        _ => {}
    }
    let r = r()?;
    if l.is_null() || r.is_null() {
        return Ok(Value::Null);
    }
    let compare = |want: &[std::cmp::Ordering]| -> Result<Value, EvalError> {
        match l.compare(&r) {
            Some(o) => Ok(Value::Bool(want.contains(&o))),
            None => fail("Type error", format!("cannot compare {} with {}", l.describe(), r.describe())),
        }
    };
    Ok(match op {
        BinOp::Eq => compare(&[Equal])?,
        BinOp::Ne => compare(&[Less, Greater])?,
        BinOp::Lt => compare(&[Less])?,
        BinOp::Le => compare(&[Less, Equal])?,
        BinOp::Gt => compare(&[Greater])?,
        BinOp::Ge => compare(&[Greater, Equal])?,
        BinOp::Concat => Value::Str(format!("{l}{r}")),
        BinOp::Add | BinOp::Sub | BinOp::Mul | BinOp::Div | BinOp::Mod => arithmetic(op, &l, &r)?,
        BinOp::And | BinOp::Or => unreachable!("handled above"),
    })
}

fn arithmetic(op: BinOp, l: &Value, r: &Value) -> Result<Value, EvalError> {
    match (l, r) {
        (Value::Int(a), Value::Int(b)) => {
            let v = match op {
                BinOp::Add => a.checked_add(*b),
                BinOp::Sub => a.checked_sub(*b),
                BinOp::Mul => a.checked_mul(*b),
                BinOp::Div | BinOp::Mod if *b == 0 => return fail("Division by zero", format!("{a} / 0")),
                BinOp::Div => a.checked_div(*b),
                _ => a.checked_rem(*b),
            };
            v.map(Value::Int).ok_or_else(overflow)
        }
        (Value::Timestamp(t), Value::Interval(ms)) if matches!(op, BinOp::Add | BinOp::Sub) => {
            Ok(Value::Timestamp(if op == BinOp::Add { t + ms } else { t - ms }))
        }
        (Value::Interval(ms), Value::Timestamp(t)) if op == BinOp::Add => Ok(Value::Timestamp(t + ms)),
        (Value::Timestamp(a), Value::Timestamp(b)) if op == BinOp::Sub => Ok(Value::Interval(a - b)),
        (a, b) => {
            let (Some(x), Some(y)) = (a.as_f64(), b.as_f64()) else {
                return fail("Type error", format!("cannot compute {} {op:?} {}", a.describe(), b.describe()));
            };
            if matches!(op, BinOp::Div | BinOp::Mod) && y == 0.0 {
                return fail("Division by zero", format!("{a} / 0"));
            }
            Ok(Value::Double(match op {
                BinOp::Add => x + y,
                BinOp::Sub => x - y,
                BinOp::Mul => x * y,
                BinOp::Div => x / y,
                _ => x % y,
            }))
        }
    }
}

/// `STEP(x BY n)`: x rounded down to a multiple of n (a timestamp by an interval, or a number by a number).
fn step(x: Value, by: Value) -> Result<Value, EvalError> {
    Ok(match (x, by) {
        (Value::Null, _) | (_, Value::Null) => Value::Null,
        (Value::Timestamp(t), Value::Interval(i)) if i > 0 => Value::Timestamp(t - t.rem_euclid(i)),
        (Value::Int(v), Value::Int(n)) if n > 0 => Value::Int(v - v.rem_euclid(n)),
        (x, by) => return fail("Type error", format!("cannot STEP {} BY {}", x.describe(), by.describe())),
    })
}

/// SQL LIKE: `%` any run, `_` one character.
pub fn like(s: &str, pattern: &str) -> bool {
    let (s, p): (Vec<char>, Vec<char>) = (s.chars().collect(), pattern.chars().collect());
    // Iterative matching with one backtrack point for the last `%` (linear in practice, never recursive).
    let (mut i, mut j, mut star, mut mark) = (0, 0, None, 0);
    while i < s.len() {
        if j < p.len() && (p[j] == '_' || p[j] == s[i]) {
            i += 1;
            j += 1;
        } else if j < p.len() && p[j] == '%' {
            star = Some(j);
            mark = i;
            j += 1;
        } else if let Some(st) = star {
            j = st + 1;
            mark += 1;
            i = mark;
        } else {
            return false;
        }
    }
    p[j..].iter().all(|c| *c == '%')
}

fn function(f: Function, args: &[Value], rowtime: i64) -> Result<Value, EvalError> {
    if f == Function::CurrentRowTimestamp {
        return Ok(Value::Timestamp(rowtime));
    }
    if f == Function::Coalesce {
        return Ok(args.iter().find(|a| !a.is_null()).cloned().unwrap_or(Value::Null));
    }
    if args.iter().any(Value::is_null) {
        return Ok(Value::Null);
    }
    let text = |i: usize| match &args[i] {
        Value::Str(s) => Ok(s.clone()),
        v => Ok(v.to_string()),
    };
    let number = |i: usize| {
        args[i]
            .as_f64()
            .ok_or_else(|| EvalError { name: "Type error", message: format!("{} is not a number", args[i].describe()) })
    };
    let whole = |i: usize| match args[i] {
        Value::Int(n) => Ok(n),
        ref v => fail("Type error", format!("{} is not a whole number", v.describe())),
    };
    Ok(match f {
        Function::Abs => match &args[0] {
            Value::Int(i) => Value::Int(i.checked_abs().ok_or_else(overflow)?),
            _ => Value::Double(number(0)?.abs()),
        },
        Function::Upper => Value::Str(text(0)?.to_uppercase()),
        Function::Lower => Value::Str(text(0)?.to_lowercase()),
        Function::CharLength => Value::Int(text(0)?.chars().count() as i64),
        Function::Trim => Value::Str(text(0)?.trim().to_string()),
        Function::Substring => {
            // SQL counts from 1; a start before 1 eats into the length.
            let s: Vec<char> = text(0)?.chars().collect();
            let start = whole(1)?;
            let end = if args.len() == 3 { start.saturating_add(whole(2)?.max(0)) } else { i64::MAX };
            let (from, to) = (start.max(1) - 1, (end - 1).clamp(0, s.len() as i64));
            Value::Str(s.get(from.min(to) as usize..to as usize).map(|c| c.iter().collect()).unwrap_or_default())
        }
        Function::Power => Value::Double(libm::pow(number(0)?, number(1)?)),
        Function::Sqrt => Value::Double(number(0)?.sqrt()),
        Function::Ln => Value::Double(libm::log(number(0)?)),
        Function::Exp => Value::Double(libm::exp(number(0)?)),
        Function::Mod => arithmetic(BinOp::Mod, &args[0], &args[1])?,
        Function::SplitPart => {
            let (s, d, n) = (text(0)?, text(1)?, whole(2)?);
            let piece = if d.is_empty() {
                (n == 1).then_some(s.as_str())
            } else if d == " " {
                // Runs of blanks separate, as a log line's fields are.
                s.split_whitespace().nth((n - 1).max(0) as usize).filter(|_| n >= 1)
            } else {
                s.split(d.as_str()).nth((n - 1).max(0) as usize).filter(|_| n >= 1)
            };
            piece.map_or(Value::Str(String::new()), |p| Value::Str(p.to_string()))
        }
        Function::CurrentRowTimestamp | Function::Coalesce => unreachable!("handled above"),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::analytics::sql::error::Pos;
    use crate::engine::analytics::sql::parser::parse_expression;

    struct Row(Vec<Value>, i64);

    impl RowRef for Row {
        fn column(&self, i: usize) -> &Value {
            &self.0[i]
        }
        fn rowtime(&self) -> i64 {
            self.1
        }
        fn aggregate(&self, _: usize) -> &Value {
            &Value::Null
        }
    }

    /// Columns A (INTEGER), B (DOUBLE) and "s" (VARCHAR).
    struct Names;

    impl Scope for Names {
        fn column(&self, _: Option<&Ident>, name: &Ident) -> Result<Scalar, SqlError> {
            match (name.name.as_str(), name.quoted) {
                ("A", false) => Ok(Scalar::Column(0)),
                ("B", false) => Ok(Scalar::Column(1)),
                ("s", true) => Ok(Scalar::Column(2)),
                ("ROWTIME", false) => Ok(Scalar::Rowtime),
                _ => Err(SqlError::new(name.pos, format!("column {} not found", name.name))),
            }
        }
        fn aggregate(&mut self, _: &Expr) -> Result<Option<Scalar>, SqlError> {
            Ok(None)
        }
    }

    fn eval(text: &str) -> Result<Value, EvalError> {
        let e = compile(&parse_expression(text).unwrap(), &mut Names).unwrap();
        e.eval(&Row(vec![Value::Int(7), Value::Double(2.5), Value::Str("GET /a.html 404".into())], 61_500))
    }

    #[test]
    fn arithmetic_comparison_and_strings() {
        let cases = [
            ("A + 3 * 2", Value::Int(13)),
            ("A / 2", Value::Int(3)),
            ("A / 2.0", Value::Double(3.5)),
            ("B * 2 > A - 3", Value::Bool(true)),
            ("'x' || A", Value::Str("x7".into())),
            ("\"s\" LIKE 'GET %404'", Value::Bool(true)),
            ("\"s\" NOT LIKE '%.html_'", Value::Bool(true)),
            ("SPLIT_PART(\"s\", ' ', 3)", Value::Str("404".into())),
            ("SUBSTRING(\"s\", 5, 7)", Value::Str("/a.html".into())),
            ("CASE A WHEN 7 THEN 'seven' ELSE 'other' END", Value::Str("seven".into())),
            ("CASE WHEN A > 10 THEN 1 END", Value::Null),
            ("A BETWEEN 1 AND 7", Value::Bool(true)),
            ("A IN (1, 2)", Value::Bool(false)),
            ("ABS(-A)", Value::Int(7)),
            ("CAST(B AS DECIMAL(4,2))", Value::Decimal { unscaled: 250, scale: 2 }),
            ("STEP(A BY 5)", Value::Int(5)),
            ("STEP(23 BY 5)", Value::Int(20)),
            ("STEP(ROWTIME BY INTERVAL '30' SECOND)", Value::Timestamp(60_000)),
            ("FLOOR(ROWTIME TO MINUTE)", Value::Timestamp(60_000)),
            ("ROWTIME - INTERVAL '1' MINUTE", Value::Timestamp(1_500)),
            ("CURRENT_ROW_TIMESTAMP", Value::Timestamp(61_500)),
        ];
        for (text, want) in cases {
            assert_eq!(eval(text), Ok(want), "{text}");
        }
    }

    #[test]
    fn null_follows_three_valued_logic() {
        assert_eq!(eval("NULL + 1"), Ok(Value::Null));
        assert_eq!(eval("NULL = NULL"), Ok(Value::Null));
        assert_eq!(eval("NULL AND FALSE"), Ok(Value::Bool(false)));
        assert_eq!(eval("NULL OR TRUE"), Ok(Value::Bool(true)));
        assert_eq!(eval("NULL AND TRUE"), Ok(Value::Null));
        assert_eq!(eval("NOT NULL"), Ok(Value::Null));
        assert_eq!(eval("NULL IS NULL"), Ok(Value::Bool(true)));
        assert_eq!(eval("COALESCE(NULL, A)"), Ok(Value::Int(7)));
    }

    #[test]
    fn runtime_errors_name_themselves_for_error_stream() {
        assert_eq!(eval("A / 0").unwrap_err().name, "Division by zero");
        assert_eq!(eval("9223372036854775807 + A").unwrap_err().name, "Numeric overflow");
        assert_eq!(eval("CAST(\"s\" AS INTEGER)").unwrap_err().message, "cannot convert 'GET /a.html 404' to INTEGER");
        assert_eq!(eval("A AND TRUE").unwrap_err().message, "7 is not a condition");
    }

    #[test]
    fn unknown_names_are_compile_errors_with_their_place() {
        let err = |text: &str| compile(&parse_expression(text).unwrap(), &mut Names).unwrap_err();
        assert_eq!(err("A + nope").message, "column NOPE not found");
        assert_eq!(err("A + nope").pos, Pos { line: 1, col: 5 });
        assert_eq!(err("LEN(\"s\")").message, "no function named LEN");
        assert_eq!(err("ABS(1, 2)").message, "ABS takes 1 argument(s), not 2");
        assert_eq!(err("SUM(A)").message, "SUM is an aggregate and cannot be used here");
        assert_eq!(err("\"S\" = 1").message, "column S not found", "quoted names are case-sensitive");
    }

    #[test]
    fn like_handles_wildcards_without_recursion() {
        assert!(like("abc", "a%c"));
        assert!(like("abc", "%"));
        assert!(like("", "%"));
        assert!(!like("abc", "a_"));
        assert!(like("aaaaaaaaaaaaaaaaaaaaaaaaaaaaab", "%a%a%a%a%a%b"));
        assert!(!like("aaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", "%a%a%a%a%a%b"));
    }

    #[test]
    fn rowtime_monotonic_group_keys_are_recognised() {
        let m = |text: &str| compile(&parse_expression(text).unwrap(), &mut Names).unwrap().is_rowtime_monotonic();
        assert!(m("ROWTIME"));
        assert!(m("STEP(ROWTIME BY INTERVAL '1' MINUTE)"));
        assert!(m("FLOOR(ROWTIME TO HOUR)"));
        assert!(!m("A"));
        assert!(!m("FLOOR(B)"));
    }
}
