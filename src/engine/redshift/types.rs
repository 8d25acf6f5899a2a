//! Redshift column types and how COPY reads a field into one. The load error codes and reasons follow
//! STL_LOAD_ERRORS (1207 invalid digit, 1204 string too long, 1205/1206 bad date or timestamp, 1208
//! bad float, 1213 missing data for a NOT NULL column …).

use crate::columnar::Cell;
use crate::engine::firehose::timestamps;

/// A column's type.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum RsType {
    SmallInt,
    Integer,
    BigInt,
    Decimal { precision: u8, scale: u8 },
    Real,
    Double,
    Boolean,
    Char(u32),
    Varchar(u32),
    Date,
    Timestamp,
}

/// Why a field was not loaded: STL_LOAD_ERRORS' `err_code` and `err_reason`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FieldError {
    pub code: u32,
    pub reason: String,
}

impl RsType {
    /// Reads a type name (`integer`, `varchar(64)`, `double precision`, …).
    pub fn parse(words: &[String], args: &[u32]) -> Result<RsType, String> {
        let name = words.join(" ");
        Ok(match (name.as_str(), args) {
            ("smallint" | "int2", []) => RsType::SmallInt,
            ("integer" | "int" | "int4", []) => RsType::Integer,
            ("bigint" | "int8", []) => RsType::BigInt,
            ("decimal" | "numeric", []) => RsType::Decimal { precision: 18, scale: 0 },
            ("decimal" | "numeric", [p]) => RsType::Decimal { precision: (*p).min(38) as u8, scale: 0 },
            ("decimal" | "numeric", [p, s]) if s <= p => {
                RsType::Decimal { precision: (*p).min(38) as u8, scale: *s as u8 }
            }
            ("real" | "float4", []) => RsType::Real,
            ("double precision" | "float8" | "float", []) => RsType::Double,
            ("boolean" | "bool", []) => RsType::Boolean,
            ("char" | "character" | "nchar" | "bpchar", []) => RsType::Char(1),
            ("char" | "character" | "nchar" | "bpchar", [n]) => RsType::Char(*n),
            ("varchar" | "character varying" | "nvarchar", []) => RsType::Varchar(256),
            ("varchar" | "character varying" | "nvarchar", [n]) => RsType::Varchar(*n),
            ("text", []) => RsType::Varchar(256),
            ("date", []) => RsType::Date,
            ("timestamp" | "timestamp without time zone", []) => RsType::Timestamp,
            _ => return Err(format!("type \"{name}\" does not exist")),
        })
    }

    /// The name Redshift reports (`typeName` in the Data API, `type` in STL_LOAD_ERRORS).
    pub fn name(&self) -> String {
        match self {
            RsType::SmallInt => "int2".into(),
            RsType::Integer => "int4".into(),
            RsType::BigInt => "int8".into(),
            RsType::Decimal { precision, scale } => format!("numeric({precision},{scale})"),
            RsType::Real => "float4".into(),
            RsType::Double => "float8".into(),
            RsType::Boolean => "bool".into(),
            RsType::Char(n) => format!("bpchar({n})"),
            RsType::Varchar(n) => format!("varchar({n})"),
            RsType::Date => "date".into(),
            RsType::Timestamp => "timestamp".into(),
        }
    }

    /// Reads one field's text. `None` text is SQL NULL.
    pub fn read(&self, text: &str, truncate: bool) -> Result<Cell, FieldError> {
        let err = |code, reason: String| FieldError { code, reason };
        let digits = |kind: &str| err(1207, format!("Invalid digit, Value '{}', Pos 0, Type: {kind}", first_bad(text)));
        match self {
            RsType::SmallInt | RsType::Integer | RsType::BigInt => {
                let (kind, min, max) = match self {
                    RsType::SmallInt => ("Short", i16::MIN as i64, i16::MAX as i64),
                    RsType::Integer => ("Integer", i32::MIN as i64, i32::MAX as i64),
                    _ => ("Long", i64::MIN, i64::MAX),
                };
                let value: i64 = text.trim().parse().map_err(|_| digits(kind))?;
                if !(min..=max).contains(&value) {
                    return Err(err(1216, format!("Overflow for {kind}, Value '{text}'")));
                }
                Ok(Cell::Int(value))
            }
            RsType::Real | RsType::Double => text
                .trim()
                .parse::<f64>()
                .ok()
                .filter(|f| f.is_finite())
                .map(Cell::Float)
                .ok_or_else(|| err(1208, format!("FLT_CONV_ERR (invalid float conversion), Value '{text}'"))),
            RsType::Decimal { precision, scale } => {
                let value: f64 = text.trim().parse().map_err(|_| digits("Numeric"))?;
                let unscaled = libm::round(value * libm::pow(10.0, f64::from(*scale)));
                if unscaled.abs() >= libm::pow(10.0, f64::from(*precision)) {
                    return Err(err(1216, format!("Numeric data overflow (result precision), Value '{text}'")));
                }
                Ok(Cell::Decimal(unscaled as i128))
            }
            RsType::Boolean => match text.trim().to_ascii_lowercase().as_str() {
                "t" | "true" | "1" | "y" | "yes" | "on" => Ok(Cell::Bool(true)),
                "f" | "false" | "0" | "n" | "no" | "off" => Ok(Cell::Bool(false)),
                _ => Err(err(1207, format!("Invalid digit, Value '{text}', Pos 0, Type: Boolean"))),
            },
            RsType::Char(n) | RsType::Varchar(n) => {
                if text.len() > *n as usize && !truncate {
                    return Err(err(1204, "String length exceeds DDL length".to_string()));
                }
                let mut s: String = text.to_string();
                while s.len() > *n as usize {
                    s.pop();
                }
                Ok(Cell::Text(s))
            }
            RsType::Date => {
                let p = timestamps::Pattern::joda("yyyy-MM-dd").expect("a fixed pattern compiles");
                p.parse(text.trim()).map(|n| Cell::Date((n / 86_400_000_000_000) as i32)).ok_or_else(|| {
                    err(1205, format!("Invalid Date Format - length must be 10 or more, Value '{text}'"))
                })
            }
            RsType::Timestamp => timestamps::openx_text(text.trim())
                .or_else(|| timestamps::Pattern::joda("yyyy-MM-dd'T'HH:mm:ss").ok()?.parse(text.trim()))
                .map(Cell::Timestamp)
                .ok_or_else(|| {
                    err(1206, format!("Invalid timestamp format or value [YYYY-MM-DD HH24:MI:SS], Value '{text}'"))
                }),
        }
    }
}

/// The value STL_LOAD_ERRORS quotes for an invalid digit: the field from its first bad character.
fn first_bad(text: &str) -> &str {
    let t = text.trim();
    let at = t
        .char_indices()
        .find(|(i, c)| !(c.is_ascii_digit() || (*i == 0 && (*c == '-' || *c == '+'))))
        .map_or(0, |(i, _)| i);
    &t[at..]
}

/// How a cell reads in query results.
pub fn text(cell: &Cell, ty: &RsType) -> String {
    match (cell, ty) {
        (Cell::Null, _) => "NULL".into(),
        (Cell::Int(v), _) => v.to_string(),
        (Cell::Float(v), _) => v.to_string(),
        (Cell::Bool(b), _) => if *b { "true" } else { "false" }.into(),
        (Cell::Text(s), _) => s.clone(),
        (Cell::Decimal(d), RsType::Decimal { scale, .. }) => decimal_text(*d, *scale),
        (Cell::Date(days), _) => {
            let (y, m, d) = crate::engine::kds::datetime::civil_from_days(i64::from(*days));
            format!("{y:04}-{m:02}-{d:02}")
        }
        (Cell::Timestamp(nanos), _) => {
            let secs = nanos.div_euclid(1_000_000_000);
            let (y, m, d) = crate::engine::kds::datetime::civil_from_days(secs.div_euclid(86_400));
            let s = secs.rem_euclid(86_400);
            format!("{y:04}-{m:02}-{d:02} {:02}:{:02}:{:02}", s / 3_600, s / 60 % 60, s % 60)
        }
        (other, _) => format!("{other:?}"),
    }
}

fn decimal_text(unscaled: i128, scale: u8) -> String {
    let sign = if unscaled < 0 { "-" } else { "" };
    let digits = format!("{:0>width$}", unscaled.unsigned_abs(), width = scale as usize + 1);
    let (whole, fraction) = digits.split_at(digits.len() - scale as usize);
    if scale == 0 {
        format!("{sign}{whole}")
    } else {
        format!("{sign}{whole}.{fraction}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ty(name: &str, args: &[u32]) -> RsType {
        RsType::parse(&name.split(' ').map(String::from).collect::<Vec<_>>(), args).unwrap()
    }

    #[test]
    fn types_read_fields_and_name_their_errors() {
        assert_eq!(ty("integer", &[]).read("42", false), Ok(Cell::Int(42)));
        let e = ty("integer", &[]).read("12ab", false).unwrap_err();
        assert_eq!((e.code, e.reason.as_str()), (1207, "Invalid digit, Value 'ab', Pos 0, Type: Integer"));
        assert_eq!(ty("smallint", &[]).read("40000", false).unwrap_err().code, 1216);
        assert_eq!(ty("varchar", &[3]).read("abcd", false).unwrap_err().code, 1204);
        assert_eq!(ty("varchar", &[3]).read("abcd", true), Ok(Cell::Text("abc".into())));
        assert_eq!(ty("double precision", &[]).read("4.5", false), Ok(Cell::Float(4.5)));
        assert_eq!(ty("decimal", &[10, 2]).read("12.345", false), Ok(Cell::Decimal(1_235)));
        assert_eq!(text(&Cell::Decimal(-5), &ty("decimal", &[10, 2])), "-0.05");
        assert_eq!(
            ty("timestamp", &[]).read("2021-01-05 00:57:08", false),
            Ok(Cell::Timestamp(1_609_808_228_000_000_000))
        );
        assert_eq!(ty("date", &[]).read("Jan 5", false).unwrap_err().code, 1205);
        assert_eq!(ty("boolean", &[]).read("t", false), Ok(Cell::Bool(true)));
        assert!(RsType::parse(&["jsonb".into()], &[]).unwrap_err().contains("type \"jsonb\" does not exist"));
        assert_eq!(ty("text", &[]).name(), "varchar(256)");
    }
}
