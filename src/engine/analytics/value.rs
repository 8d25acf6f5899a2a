//! The values rows carry and the SQL types of §2.4: coercion into a declared column type (what fails goes
//! to `error_stream`), comparison, and the JSON a row is printed as.

use serde_json::Value as Json;
use std::cmp::Ordering;
use std::fmt;

/// A column type.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SqlType {
    Integer,
    Bigint,
    Smallint,
    Tinyint,
    Real,
    Double,
    /// DECIMAL(precision, scale).
    Decimal(u8, u8),
    Varchar(u32),
    Char(u32),
    Boolean,
    Timestamp,
    Date,
    Time,
}

impl fmt::Display for SqlType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            SqlType::Integer => write!(f, "INTEGER"),
            SqlType::Bigint => write!(f, "BIGINT"),
            SqlType::Smallint => write!(f, "SMALLINT"),
            SqlType::Tinyint => write!(f, "TINYINT"),
            SqlType::Real => write!(f, "REAL"),
            SqlType::Double => write!(f, "DOUBLE"),
            SqlType::Decimal(p, s) => write!(f, "DECIMAL({p},{s})"),
            SqlType::Varchar(n) => write!(f, "VARCHAR({n})"),
            SqlType::Char(n) => write!(f, "CHAR({n})"),
            SqlType::Boolean => write!(f, "BOOLEAN"),
            SqlType::Timestamp => write!(f, "TIMESTAMP"),
            SqlType::Date => write!(f, "DATE"),
            SqlType::Time => write!(f, "TIME"),
        }
    }
}

/// A value in a row.
#[derive(Clone, Debug, PartialEq)]
pub enum Value {
    Null,
    Bool(bool),
    Int(i64),
    Double(f64),
    /// An exact decimal: `unscaled / 10^scale`.
    Decimal {
        unscaled: i128,
        scale: u8,
    },
    Str(String),
    /// Milliseconds since the epoch (TIMESTAMP, and DATE at midnight).
    Timestamp(i64),
    /// Milliseconds since midnight (TIME).
    Time(i64),
    /// An INTERVAL, in milliseconds.
    Interval(i64),
}

impl Value {
    pub fn is_null(&self) -> bool {
        matches!(self, Value::Null)
    }

    /// The number, for arithmetic and comparison.
    pub fn as_f64(&self) -> Option<f64> {
        match *self {
            Value::Int(i) => Some(i as f64),
            Value::Double(d) => Some(d),
            Value::Decimal { unscaled, scale } => Some(unscaled as f64 / pow10(scale)),
            _ => None,
        }
    }

    /// How the console and the CLI print it.
    pub fn to_json(&self) -> Json {
        match self {
            Value::Null => Json::Null,
            Value::Bool(b) => Json::Bool(*b),
            Value::Int(i) => Json::from(*i),
            Value::Double(d) => serde_json::Number::from_f64(*d).map_or(Json::Null, Json::Number),
            Value::Decimal { .. } => {
                // Printed exactly, as a JSON number.
                serde_json::from_str(&self.to_string()).unwrap_or(Json::Null)
            }
            Value::Str(s) => Json::String(s.clone()),
            Value::Timestamp(_) | Value::Time(_) => Json::String(self.to_string()),
            Value::Interval(ms) => Json::from(*ms),
        }
    }

    /// SQL comparison: `None` when either side is NULL or they cannot be compared.
    pub fn compare(&self, other: &Value) -> Option<Ordering> {
        match (self, other) {
            (Value::Null, _) | (_, Value::Null) => None,
            (Value::Str(a), Value::Str(b)) => Some(a.cmp(b)),
            (Value::Bool(a), Value::Bool(b)) => Some(a.cmp(b)),
            (Value::Timestamp(a), Value::Timestamp(b))
            | (Value::Time(a), Value::Time(b))
            | (Value::Interval(a), Value::Interval(b)) => Some(a.cmp(b)),
            (Value::Int(a), Value::Int(b)) => Some(a.cmp(b)),
            (a, b) => a.as_f64()?.partial_cmp(&b.as_f64()?),
        }
    }

    /// The value as a column of type `ty` holds it, or why it cannot be.
    pub fn coerce(&self, ty: SqlType) -> Result<Value, String> {
        let bad = || format!("cannot convert {} to {ty}", self.describe());
        if self.is_null() {
            return Ok(Value::Null);
        }
        let integer = |min: i64, max: i64| -> Result<Value, String> {
            let v = match self {
                Value::Int(i) => *i,
                Value::Double(d) if d.fract() == 0.0 && d.abs() < 9.2e18 => *d as i64,
                Value::Decimal { .. } => self.as_f64().filter(|d| d.fract() == 0.0).ok_or_else(bad)? as i64,
                Value::Str(s) => s.trim().parse::<i64>().map_err(|_| bad())?,
                _ => return Err(bad()),
            };
            if (min..=max).contains(&v) {
                Ok(Value::Int(v))
            } else {
                Err(format!("{v} is out of range for {ty}"))
            }
        };
        match ty {
            SqlType::Integer => integer(i32::MIN.into(), i32::MAX.into()),
            SqlType::Bigint => integer(i64::MIN, i64::MAX),
            SqlType::Smallint => integer(i16::MIN.into(), i16::MAX.into()),
            SqlType::Tinyint => integer(i8::MIN.into(), i8::MAX.into()),
            SqlType::Real | SqlType::Double => match self {
                Value::Str(s) => s
                    .trim()
                    .parse::<f64>()
                    .map(|d| Value::Double(if ty == SqlType::Real { real(d) } else { d }))
                    .map_err(|_| bad()),
                v => v.as_f64().map(|d| Value::Double(if ty == SqlType::Real { real(d) } else { d })).ok_or_else(bad),
            },
            SqlType::Decimal(precision, scale) => {
                let d = match self {
                    Value::Str(s) => s.trim().parse::<f64>().map_err(|_| bad())?,
                    v => v.as_f64().ok_or_else(bad)?,
                };
                let unscaled = (d * pow10(scale)).round();
                if unscaled.abs() >= pow10(precision) {
                    return Err(format!("{d} overflows {ty}"));
                }
                Ok(Value::Decimal { unscaled: unscaled as i128, scale })
            }
            SqlType::Varchar(n) | SqlType::Char(n) => {
                let s = match self {
                    Value::Str(s) => s.clone(),
                    v => v.to_string(),
                };
                if s.chars().count() > n as usize {
                    return Err(format!("'{s}' is longer than {ty}"));
                }
                Ok(Value::Str(s))
            }
            SqlType::Boolean => match self {
                Value::Bool(b) => Ok(Value::Bool(*b)),
                Value::Str(s) if s.eq_ignore_ascii_case("true") => Ok(Value::Bool(true)),
                Value::Str(s) if s.eq_ignore_ascii_case("false") => Ok(Value::Bool(false)),
                _ => Err(bad()),
            },
            SqlType::Timestamp | SqlType::Date => {
                let ms = match self {
                    Value::Timestamp(ms) => *ms,
                    Value::Int(ms) => *ms,
                    Value::Str(s) => parse_timestamp(s).ok_or_else(bad)?,
                    _ => return Err(bad()),
                };
                Ok(Value::Timestamp(if ty == SqlType::Date { ms - ms.rem_euclid(86_400_000) } else { ms }))
            }
            SqlType::Time => match self {
                Value::Time(ms) => Ok(Value::Time(*ms)),
                Value::Timestamp(ms) => Ok(Value::Time(ms.rem_euclid(86_400_000))),
                Value::Str(s) => parse_timestamp(&format!("1970-01-01 {s}")).map(Value::Time).ok_or_else(bad),
                _ => Err(bad()),
            },
        }
    }

    /// The value as an error names it.
    pub fn describe(&self) -> String {
        match self {
            Value::Str(s) => format!("'{s}'"),
            v => v.to_string(),
        }
    }
}

impl fmt::Display for Value {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Value::Null => write!(f, "NULL"),
            Value::Bool(b) => write!(f, "{}", if *b { "TRUE" } else { "FALSE" }),
            Value::Int(i) => write!(f, "{i}"),
            Value::Double(d) => write!(f, "{d}"),
            Value::Decimal { unscaled, scale } => {
                let scale = usize::from(*scale);
                let digits = format!("{:0>width$}", unscaled.unsigned_abs(), width = scale + 1);
                let (whole, frac) = digits.split_at(digits.len() - scale);
                let sign = if *unscaled < 0 { "-" } else { "" };
                if scale == 0 {
                    write!(f, "{sign}{whole}")
                } else {
                    write!(f, "{sign}{whole}.{frac}")
                }
            }
            Value::Str(s) => write!(f, "{s}"),
            Value::Timestamp(ms) => write!(f, "{}", format_timestamp(*ms)),
            Value::Time(ms) => write!(f, "{}", &format_timestamp(*ms)[11..]),
            Value::Interval(ms) => write!(f, "INTERVAL {ms} ms"),
        }
    }
}

/// 10^n, the same on every target.
fn pow10(n: u8) -> f64 {
    libm::pow(10.0, f64::from(n))
}

/// `2021-01-05 00:57:08.000` from milliseconds since the epoch (UTC).
pub fn format_timestamp(ms: i64) -> String {
    let days = ms.div_euclid(86_400_000);
    let in_day = ms.rem_euclid(86_400_000);
    let (y, m, d) = civil_from_days(days);
    format!(
        "{y:04}-{m:02}-{d:02} {:02}:{:02}:{:02}.{:03}",
        in_day / 3_600_000,
        in_day / 60_000 % 60,
        in_day / 1_000 % 60,
        in_day % 1_000
    )
}

/// Milliseconds since the epoch from `2021-01-05 00:57:08[.123]`, `2021-01-05T00:57:08Z` or a date.
pub fn parse_timestamp(text: &str) -> Option<i64> {
    let t = text.trim().trim_end_matches('Z');
    let (date, time) = t.split_once(['T', ' ']).unwrap_or((t, "00:00:00"));
    let mut ymd = date.splitn(3, '-').map(|p| p.parse::<i64>().ok());
    let (y, m, d) = (ymd.next()??, ymd.next()??, ymd.next()??);
    let (hms, frac) = time.split_once('.').unwrap_or((time, ""));
    let mut parts = hms.splitn(3, ':').map(|p| p.parse::<i64>().ok());
    let (h, mi, s) = (parts.next()??, parts.next()??, parts.next().unwrap_or(Some(0))?);
    if !(1..=12).contains(&m) || !(1..=31).contains(&d) || h > 23 || mi > 59 || s > 60 {
        return None;
    }
    let millis = if frac.is_empty() {
        0
    } else if frac.chars().all(|c| c.is_ascii_digit()) {
        format!("{:0<3}", &frac[..frac.len().min(3)]).parse::<i64>().ok()?
    } else {
        return None;
    };
    Some(days_from_civil(y, m, d) * 86_400_000 + h * 3_600_000 + mi * 60_000 + s * 1_000 + millis)
}

// Howard Hinnant's civil-calendar algorithms (public domain), the ten lines chrono would cost a crate for.
fn days_from_civil(y: i64, m: i64, d: i64) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let doy = (153 * (m + if m > 2 { -3 } else { 9 }) + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

fn civil_from_days(z: i64) -> (i64, i64, i64) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1_460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    (yoe + era * 400 + i64::from(m <= 2), m, d)
}

/// A REAL (single precision) as the double that prints like it: 12.23, not 12.229999542236328.
fn real(d: f64) -> f64 {
    let single = d as f32;
    single.to_string().parse().unwrap_or(f64::from(single))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn timestamps_round_trip_through_text() {
        for (text, ms) in [
            ("1970-01-01 00:00:00.000", 0),
            ("2021-01-05 00:57:08.000", 1_609_808_228_000),
            ("1969-12-31 23:59:59.999", -1),
            ("2024-02-29 12:00:00.250", 1_709_208_000_250),
        ] {
            assert_eq!(parse_timestamp(text), Some(ms), "{text}");
            assert_eq!(format_timestamp(ms), text);
        }
        assert_eq!(parse_timestamp("2021-01-05T00:57:08Z"), Some(1_609_808_228_000));
        assert_eq!(parse_timestamp("2021-01-05"), Some(1_609_804_800_000));
        for bad in ["", "yesterday", "2021-13-01 00:00:00", "2021-01-05 25:00:00", "2021-01-05 00:00:00.x"] {
            assert_eq!(parse_timestamp(bad), None, "{bad}");
        }
    }

    #[test]
    fn coercion_follows_the_declared_type_and_says_why_it_cannot() {
        assert_eq!(Value::Str("42".into()).coerce(SqlType::Integer), Ok(Value::Int(42)));
        assert_eq!(Value::Double(3.0).coerce(SqlType::Bigint), Ok(Value::Int(3)));
        assert_eq!(
            Value::Int(3_000_000_000).coerce(SqlType::Integer),
            Err("3000000000 is out of range for INTEGER".into())
        );
        assert_eq!(Value::Str("".into()).coerce(SqlType::Double), Err("cannot convert '' to DOUBLE".into()));
        assert_eq!(Value::Double(4.567).coerce(SqlType::Decimal(4, 2)).unwrap().to_string(), "4.57");
        assert_eq!(
            Value::Double(123.4).coerce(SqlType::Decimal(4, 2)),
            Err("123.4 overflows DECIMAL(4,2)".into()),
            "the book's DECIMAL(4,2) cannot hold sums of 100 or more"
        );
        assert_eq!(
            Value::Str("RENTED".into()).coerce(SqlType::Varchar(4)),
            Err("'RENTED' is longer than VARCHAR(4)".into())
        );
        assert_eq!(
            Value::Str("2021-01-05 00:57:08".into()).coerce(SqlType::Timestamp),
            Ok(Value::Timestamp(1_609_808_228_000))
        );
        assert_eq!(Value::Null.coerce(SqlType::Integer), Ok(Value::Null));
        assert_eq!(Value::Decimal { unscaled: -5, scale: 2 }.to_string(), "-0.05");
    }

    #[test]
    fn comparison_is_numeric_across_number_kinds_and_unknown_with_null() {
        assert_eq!(Value::Int(2).compare(&Value::Double(2.5)), Some(Ordering::Less));
        assert_eq!(Value::Decimal { unscaled: 250, scale: 2 }.compare(&Value::Double(2.5)), Some(Ordering::Equal));
        assert_eq!(Value::Null.compare(&Value::Int(1)), None);
        assert_eq!(Value::Str("a".into()).compare(&Value::Int(1)), None);
    }
}
