//! The JSON deserializers of record format conversion (spec §1.7): a record's bytes, read against the
//! Glue schema, into typed rows — or the reason the record goes to `format-conversion-failed`.
//!
//! - A record may hold several JSON documents (`{"a":1}{"a":2}` is two rows); a top-level array or a
//!   primitive is refused, and so is an empty record.
//! - Keys match columns case-insensitively (OpenX's `CaseInsensitive`, on by default; Hive always);
//!   OpenX can also turn dots in keys into underscores and map columns to other keys.
//! - OpenX is lenient: numbers and booleans may come as strings, an empty string in a non-string column
//!   is null [M], and a nested object in a string column becomes its JSON text. Hive refuses all three.
//!
//! The error codes are those AWS writes: `DataFormatConversion.ParseError` for text that is not JSON,
//! `DataFormatConversion.MalformedData` for JSON that does not fit the schema [E: an emulator's
//! suite run against AWS]. The messages follow Java's (`For input string: "oops"`) where AWS's do.

use super::timestamps::{self, HiveFormat};
use crate::columnar::{Cell, ColumnType, Field};
use serde_json::{Map, Value};
use std::collections::BTreeMap;

/// Not JSON.
pub const PARSE_ERROR: &str = "DataFormatConversion.ParseError";
/// JSON that does not fit the schema.
pub const MALFORMED_DATA: &str = "DataFormatConversion.MalformedData";

/// `InputFormatConfiguration.Deserializer`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Deserializer {
    OpenX { dots_to_underscores: bool, case_insensitive: bool, key_of_column: BTreeMap<String, String> },
    Hive { formats: Vec<HiveFormat> },
}

/// Why a record cannot be converted.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RowError {
    pub code: &'static str,
    pub message: String,
}

fn malformed(message: impl Into<String>) -> RowError {
    RowError { code: MALFORMED_DATA, message: message.into() }
}

/// The rows one record holds.
pub fn rows(record: &[u8], columns: &[Field], de: &Deserializer) -> Result<Vec<Vec<Cell>>, RowError> {
    if record.iter().all(u8::is_ascii_whitespace) {
        return Err(malformed("The record was empty or contained only whitespace."));
    }
    let mut out = Vec::new();
    for document in serde_json::Deserializer::from_slice(record).into_iter::<Value>() {
        let document = document
            .map_err(|e| RowError { code: PARSE_ERROR, message: format!("Encountered malformed JSON. {e}") })?;
        let Value::Object(object) = document else {
            return Err(malformed(format!(
                "The input JSON contained {} at the top level; each document must be a JSON object.",
                kind(&document)
            )));
        };
        let object = keyed(object, de);
        let row = columns.iter().map(|c| cell(lookup(&object, &c.name, de), &c.ty, de)).collect::<Result<_, _>>()?;
        out.push(row);
    }
    Ok(out)
}

fn kind(v: &Value) -> &'static str {
    match v {
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
        _ => "a primitive",
    }
}

/// The object's keys as the SerDe matches them: lowercased when case-insensitive, dots turned.
fn keyed(object: Map<String, Value>, de: &Deserializer) -> Map<String, Value> {
    let (lower, dots) = match de {
        Deserializer::OpenX { case_insensitive, dots_to_underscores, .. } => (*case_insensitive, *dots_to_underscores),
        Deserializer::Hive { .. } => (true, false),
    };
    object
        .into_iter()
        .map(|(k, v)| {
            let k = if lower { k.to_lowercase() } else { k };
            (if dots { k.replace('.', "_") } else { k }, v)
        })
        .collect()
}

fn lookup<'a>(object: &'a Map<String, Value>, column: &str, de: &Deserializer) -> Option<&'a Value> {
    if let Deserializer::OpenX { key_of_column, case_insensitive, .. } = de {
        if let Some(key) = key_of_column.get(column) {
            let key = if *case_insensitive { key.to_lowercase() } else { key.clone() };
            return object.get(&key);
        }
    }
    object.get(column)
}

fn lenient(de: &Deserializer) -> bool {
    matches!(de, Deserializer::OpenX { .. })
}

/// Java's NumberFormatException text.
fn input_string(text: &str) -> RowError {
    malformed(format!("Data does not match the schema. For input string: \"{text}\""))
}

fn mismatch(ty: &ColumnType, value: &Value) -> RowError {
    malformed(format!(
        "Data does not match the schema. A {} column cannot hold {value}",
        crate::columnar::hive::name(ty)
    ))
}

/// One value converted to its column's type.
fn cell(value: Option<&Value>, ty: &ColumnType, de: &Deserializer) -> Result<Cell, RowError> {
    let Some(value) = value.filter(|v| !v.is_null()) else { return Ok(Cell::Null) };
    let text_of = |v: &Value| match v {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    };
    // OpenX reads an empty string in a non-string column as null [M].
    if lenient(de) && value.as_str() == Some("") && !is_text(ty) {
        return Ok(Cell::Null);
    }
    match ty {
        ColumnType::Boolean => match value {
            Value::Bool(b) => Ok(Cell::Bool(*b)),
            Value::String(s) if lenient(de) && s.eq_ignore_ascii_case("true") => Ok(Cell::Bool(true)),
            Value::String(s) if lenient(de) && s.eq_ignore_ascii_case("false") => Ok(Cell::Bool(false)),
            other => Err(mismatch(ty, other)),
        },
        ColumnType::TinyInt | ColumnType::SmallInt | ColumnType::Int | ColumnType::BigInt => {
            let n = number_text(value, de).ok_or_else(|| mismatch(ty, value))?;
            let parsed: i64 = n.parse().map_err(|_| input_string(&n))?;
            let (min, max) = match ty {
                ColumnType::TinyInt => (i8::MIN as i64, i8::MAX as i64),
                ColumnType::SmallInt => (i16::MIN as i64, i16::MAX as i64),
                ColumnType::Int => (i32::MIN as i64, i32::MAX as i64),
                _ => (i64::MIN, i64::MAX),
            };
            if !(min..=max).contains(&parsed) {
                return Err(malformed(format!(
                    "Data does not match the schema. Value out of range. Value:\"{n}\" Radix:10"
                )));
            }
            Ok(Cell::Int(parsed))
        }
        ColumnType::Float | ColumnType::Double => {
            let n = number_text(value, de).ok_or_else(|| mismatch(ty, value))?;
            n.parse::<f64>().ok().filter(|f| f.is_finite()).map(Cell::Float).ok_or_else(|| input_string(&n))
        }
        ColumnType::Decimal { precision, scale } => {
            let n = number_text(value, de).ok_or_else(|| mismatch(ty, value))?;
            decimal(&n, *precision, *scale).ok_or_else(|| input_string(&n))
        }
        ColumnType::String | ColumnType::Char(_) | ColumnType::Varchar(_) | ColumnType::Binary => match value {
            Value::Object(_) | Value::Array(_) if !lenient(de) => Err(mismatch(ty, value)),
            v => Ok(Cell::Text(sized(text_of(v), ty))),
        },
        ColumnType::Timestamp => timestamp(value, de).map(Cell::Timestamp).ok_or_else(|| match value {
            Value::String(s) => malformed(format!(
                "Data does not match the schema. Timestamp format must be yyyy-mm-dd hh:mm:ss[.fffffffff]: \"{s}\""
            )),
            other => mismatch(ty, other),
        }),
        ColumnType::Date => {
            let text = value.as_str().ok_or_else(|| mismatch(ty, value))?;
            let p = timestamps::Pattern::joda("yyyy-MM-dd").expect("a fixed pattern compiles");
            let nanos = p.parse(text).ok_or_else(|| input_string(text))?;
            Ok(Cell::Date((nanos / 86_400_000_000_000) as i32))
        }
        ColumnType::Array(element) => match value {
            Value::Array(items) => {
                items.iter().map(|v| cell(Some(v), element, de)).collect::<Result<_, _>>().map(Cell::List)
            }
            other => Err(mismatch(ty, other)),
        },
        ColumnType::Map(key_ty, value_ty) => match value {
            Value::Object(map) => map
                .iter()
                .map(|(k, v)| {
                    Ok((
                        cell(Some(&Value::String(k.clone())), key_ty, &Deserializer::lenient())?,
                        cell(Some(v), value_ty, de)?,
                    ))
                })
                .collect::<Result<_, _>>()
                .map(Cell::Map),
            other => Err(mismatch(ty, other)),
        },
        ColumnType::Struct(fields) => match value {
            Value::Object(map) => {
                let object = keyed(map.clone(), de);
                fields.iter().map(|f| cell(object.get(&f.name), &f.ty, de)).collect::<Result<_, _>>().map(Cell::Struct)
            }
            other => Err(mismatch(ty, other)),
        },
    }
}

impl Deserializer {
    /// OpenX with its defaults (map keys are read this way: they arrive as JSON strings).
    fn lenient() -> Deserializer {
        Deserializer::OpenX { dots_to_underscores: false, case_insensitive: true, key_of_column: BTreeMap::new() }
    }
}

fn is_text(ty: &ColumnType) -> bool {
    matches!(ty, ColumnType::String | ColumnType::Char(_) | ColumnType::Varchar(_) | ColumnType::Binary)
}

/// A number's text: a JSON number, or (OpenX only) a string.
fn number_text(value: &Value, de: &Deserializer) -> Option<String> {
    match value {
        Value::Number(n) => Some(n.to_string()),
        Value::String(s) if lenient(de) => Some(s.trim().to_string()),
        _ => None,
    }
}

/// CHAR pads and VARCHAR truncates to their length, as Hive stores them.
fn sized(text: String, ty: &ColumnType) -> String {
    match ty {
        ColumnType::Varchar(n) => text.chars().take(*n as usize).collect(),
        ColumnType::Char(n) => {
            format!("{:<width$}", text.chars().take(*n as usize).collect::<String>(), width = *n as usize)
        }
        _ => text,
    }
}

/// A decimal's unscaled value, rounded half up to `scale`; `None` when it is not a number or needs more
/// than `precision` digits.
fn decimal(text: &str, precision: u8, scale: u8) -> Option<Cell> {
    let (negative, digits) = match text.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, text.strip_prefix('+').unwrap_or(text)),
    };
    let (whole, fraction) = digits.split_once('.').unwrap_or((digits, ""));
    if whole.is_empty() && fraction.is_empty() || !whole.bytes().chain(fraction.bytes()).all(|b| b.is_ascii_digit()) {
        return None;
    }
    let scale = scale as usize;
    let mut unscaled: i128 = 0;
    for b in whole.bytes().chain(fraction.bytes().chain(std::iter::repeat(b'0')).take(scale)) {
        unscaled = unscaled.checked_mul(10)?.checked_add(i128::from(b - b'0'))?;
    }
    if fraction.as_bytes().get(scale).is_some_and(|d| *d >= b'5') {
        unscaled += 1;
    }
    if unscaled >= 10i128.pow(precision as u32) {
        return None;
    }
    Some(Cell::Decimal(if negative { -unscaled } else { unscaled }))
}

fn timestamp(value: &Value, de: &Deserializer) -> Option<i64> {
    match de {
        Deserializer::OpenX { .. } => match value {
            Value::String(s) => timestamps::openx_text(s),
            Value::Number(n) => timestamps::openx_number(n),
            _ => None,
        },
        Deserializer::Hive { formats } if formats.is_empty() => timestamps::hive_default(value.as_str()?),
        Deserializer::Hive { formats } => formats.iter().find_map(|f| match (f, value) {
            (HiveFormat::Millis, Value::Number(n)) => n.as_i64()?.checked_mul(1_000_000),
            (HiveFormat::Pattern(p), Value::String(s)) => p.parse(s),
            _ => None,
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::columnar::hive;

    fn schema(columns: &[(&str, &str)]) -> Vec<Field> {
        columns.iter().map(|(n, t)| Field { name: (*n).into(), ty: hive::parse(t).unwrap() }).collect()
    }

    fn openx() -> Deserializer {
        Deserializer::lenient()
    }

    fn hive_de() -> Deserializer {
        Deserializer::Hive { formats: Vec::new() }
    }

    #[test]
    fn the_book_record_converts_with_openx() {
        let s = schema(&[
            ("stationid", "int"),
            ("action", "string"),
            ("tripduration", "int"),
            ("price", "double"),
            ("eventutctime", "timestamp"),
            ("bikedetail", "struct<bikenum:string,biketype:string>"),
        ]);
        let record = br#"{"stationId":100,"action":"RENTED","tripDuration":"","price":"","eventUTCTime":"2021-01-05 00:57:08","bikeDetail":{"bikeNum":"B7","bikeType":"E"}}"#;
        let rows = rows(record, &s, &openx()).unwrap();
        assert_eq!(
            rows,
            vec![vec![
                Cell::Int(100),
                Cell::Text("RENTED".into()),
                Cell::Null,
                Cell::Null,
                Cell::Timestamp(1_609_808_228_000_000_000),
                Cell::Struct(vec![Cell::Text("B7".into()), Cell::Text("E".into())]),
            ]]
        );
        let e = super::rows(record, &s, &hive_de()).unwrap_err();
        assert_eq!(e.code, MALFORMED_DATA, "Hive refuses the empty price: {}", e.message);
    }

    #[test]
    fn documents_parse_errors_and_type_mismatches() {
        let s = schema(&[("a", "int"), ("b", "double")]);
        assert_eq!(rows(br#"{"a":1}{"a":2}"#, &s, &openx()).unwrap().len(), 2);
        let array = rows(br#"[{"a":1},{"a":2}]"#, &s, &openx()).unwrap_err();
        assert_eq!(array.code, MALFORMED_DATA);
        assert!(array.message.contains("an array at the top level"));
        let parse = rows(b"this is not json at all\n", &s, &openx()).unwrap_err();
        assert_eq!(parse.code, PARSE_ERROR);
        assert!(parse.message.starts_with("Encountered malformed JSON."));
        let oops = rows(br#"{"a": 1, "b": "oops"}"#, &s, &openx()).unwrap_err();
        assert_eq!(oops.message, "Data does not match the schema. For input string: \"oops\"");
        assert_eq!(
            rows(b"  \n", &s, &openx()).unwrap_err().message,
            "The record was empty or contained only whitespace."
        );
        assert!(rows(br#"{"a": 3000000000}"#, &s, &openx()).unwrap_err().message.contains("out of range"));
        assert!(rows(br#"{"a": 1.5}"#, &s, &openx()).unwrap_err().message.contains("\"1.5\""));
        assert_eq!(rows(br#"{"A": "7"}"#, &s, &openx()).unwrap()[0][0], Cell::Int(7), "case and strings: OpenX");
        assert!(rows(br#"{"a": "7"}"#, &s, &hive_de()).is_err(), "Hive reads no numbers from strings");
        assert_eq!(rows(br#"{"z": 1}"#, &s, &openx()).unwrap()[0], vec![Cell::Null, Cell::Null], "missing: null");
    }

    #[test]
    fn openx_options_and_text_columns() {
        let s = schema(&[("a_b", "string"), ("timestamp_", "bigint"), ("v", "varchar(3)"), ("d", "decimal(5,2)")]);
        let mut keys = BTreeMap::new();
        keys.insert("timestamp_".to_string(), "timestamp".to_string());
        let de = Deserializer::OpenX { dots_to_underscores: true, case_insensitive: true, key_of_column: keys };
        let row = &rows(br#"{"a.b": {"x": 1}, "timestamp": 5, "v": "abcdef", "d": 123.456}"#, &s, &de).unwrap()[0];
        assert_eq!(row[0], Cell::Text("{\"x\":1}".into()), "nested JSON becomes its text");
        assert_eq!(row[1], Cell::Int(5));
        assert_eq!(row[2], Cell::Text("abc".into()));
        assert_eq!(row[3], Cell::Decimal(12_346), "rounded half up to the scale");
        assert!(rows(br#"{"d": 1234.5}"#, &s, &de).is_err(), "needs 6 digits of 5");
        let nested = schema(&[("a", "string")]);
        assert!(rows(br#"{"a": {"x": 1}}"#, &nested, &hive_de()).is_err(), "Hive does not stringify nested JSON");
    }

    #[test]
    fn collections_and_dates() {
        let s = schema(&[("l", "array<int>"), ("m", "map<string,double>"), ("d", "date")]);
        let row = &rows(br#"{"l": [1, null, 3], "m": {"x": 1.5}, "d": "2021-01-05"}"#, &s, &openx()).unwrap()[0];
        assert_eq!(row[0], Cell::List(vec![Cell::Int(1), Cell::Null, Cell::Int(3)]));
        assert_eq!(row[1], Cell::Map(vec![(Cell::Text("x".into()), Cell::Float(1.5))]));
        assert_eq!(row[2], Cell::Date(18_632));
        assert!(rows(br#"{"l": 5}"#, &s, &openx()).is_err());
    }
}
