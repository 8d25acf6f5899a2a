//! The input schema of a SQL application (spec firehose-analytics.md §2.6): columns with SQL types and
//! JSONPath mappings, in the shape of KDA's `InputSchema` (`RecordColumns` of `Name`, `SqlType`,
//! `Mapping`); `DiscoverInputSchema`'s proposal from sample records; and a record mapped to a row, or the
//! reason it goes to `error_stream`.

use crate::engine::analytics::sql::parser::parse_type;
use crate::engine::analytics::value::{SqlType, Value};
use serde_json::{json, Value as Json};

/// The in-application stream the input arrives in.
pub const SOURCE_STREAM: &str = "SOURCE_SQL_STREAM_001";
/// A row's size limit, metadata included (§2.2: 512 KB).
pub const ROW_MAX_BYTES: usize = 512 * 1024;

/// One input column.
#[derive(Clone, Debug, PartialEq)]
pub struct Column {
    /// As the console creates it: case kept, so SQL must quote it (`"stationId"`).
    pub name: String,
    pub ty: SqlType,
    /// `$.stationId`, `$.bikeDetail.bikeNum`.
    pub path: Vec<String>,
}

/// The input schema.
#[derive(Clone, Debug, PartialEq)]
pub struct InputSchema {
    pub columns: Vec<Column>,
}

impl InputSchema {
    /// Reads `{"RecordColumns": [{"Name", "SqlType", "Mapping"}]}`, refusing what KDA would.
    pub fn from_json(v: &Json) -> Result<InputSchema, String> {
        let Some(columns) = v["RecordColumns"].as_array() else {
            return Err("the input schema needs RecordColumns: [{\"Name\", \"SqlType\", \"Mapping\"}, …]".into());
        };
        if columns.is_empty() || columns.len() > 1_000 {
            return Err(format!("RecordColumns must hold 1 to 1000 columns, not {}", columns.len()));
        }
        let mut out: Vec<Column> = Vec::new();
        for (i, c) in columns.iter().enumerate() {
            let name = c["Name"]
                .as_str()
                .filter(|n| !n.is_empty())
                .ok_or_else(|| format!("RecordColumns[{i}] needs a Name"))?;
            if out.iter().any(|o| o.name == name) {
                return Err(format!("column {name} appears twice in RecordColumns"));
            }
            let ty_text =
                c["SqlType"].as_str().ok_or_else(|| format!("RecordColumns[{i}] ({name}) needs a SqlType"))?;
            let ty = parse_type(ty_text)
                .map_err(|e| format!("RecordColumns[{i}] ({name}): SqlType {ty_text}: {}", e.message))?;
            let mapping = c["Mapping"].as_str().map_or_else(|| format!("$.{name}"), str::to_string);
            let path = parse_path(&mapping).ok_or_else(|| {
                format!("RecordColumns[{i}] ({name}): Mapping {mapping} is not a JSONPath like $.a.b")
            })?;
            out.push(Column { name: name.to_string(), ty, path });
        }
        Ok(InputSchema { columns: out })
    }

    /// The schema as KDA describes it.
    pub fn to_json(&self) -> Json {
        let columns: Vec<Json> = self
            .columns
            .iter()
            .map(|c| json!({"Name": c.name, "SqlType": c.ty.to_string(), "Mapping": format!("$.{}", c.path.join("."))}))
            .collect();
        json!({"RecordFormat": {"RecordFormatType": "JSON", "MappingParameters": {"JSONMappingParameters": {"RecordRowPath": "$"}}}, "RecordEncoding": "UTF-8", "RecordColumns": columns})
    }

    /// DiscoverInputSchema's proposal from sample records: every leaf field, named by its key, typed
    /// from the values seen (strings become VARCHAR, timestamps too: the learner edits those, §2.6).
    pub fn discover(samples: &[Json]) -> Result<InputSchema, String> {
        let mut columns: Vec<(Vec<String>, Kind)> = Vec::new();
        for s in samples {
            let Json::Object(_) = s else { return Err("schema discovery needs JSON objects".into()) };
            leaves(s, &mut Vec::new(), &mut |path, v| {
                let kind = Kind::of(v);
                match columns.iter_mut().find(|(p, _)| *p == path) {
                    Some((_, k)) => *k = k.widen(kind),
                    None => columns.push((path, kind)),
                }
            });
        }
        if columns.is_empty() {
            return Err("no fields to discover in the sample records".into());
        }
        let mut out: Vec<Column> = Vec::new();
        for (path, kind) in columns {
            let leaf = path.last().cloned().unwrap_or_default();
            // Two leaves with one name (a.id, b.id): the second is named by its path.
            let name = if out.iter().any(|c| c.name == leaf) { path.join("_") } else { leaf };
            out.push(Column { name, ty: kind.sql_type(), path });
        }
        Ok(InputSchema { columns: out })
    }

    /// The row for `record`, or why it does not fit (for `error_stream`).
    pub fn map(&self, record: &[u8]) -> Result<Vec<Value>, (&'static str, String)> {
        if record.len() > ROW_MAX_BYTES {
            return Err((
                "Row too large",
                format!("the record is {} bytes; a row holds at most {ROW_MAX_BYTES}", record.len()),
            ));
        }
        let json: Json =
            serde_json::from_slice(record).map_err(|e| ("Unparseable record", format!("not JSON: {e}")))?;
        self.columns
            .iter()
            .map(|c| {
                let mut v = &json;
                for key in &c.path {
                    v = &v[key.as_str()];
                }
                let value = match from_json(v) {
                    // An empty text in a non-text column reads as NULL: the book's RENTED events (empty
                    // tripDuration and price) reach RENTAL_COUNT [SIM].
                    Value::Str(s) if s.is_empty() && !matches!(c.ty, SqlType::Varchar(_) | SqlType::Char(_)) => {
                        Value::Null
                    }
                    v => v,
                };
                value.coerce(c.ty).map_err(|m| ("Coercion error", format!("column \"{}\": {m}", c.name)))
            })
            .collect()
    }
}

/// A JSON value as a SQL value (before coercion to the column's type).
pub fn from_json(v: &Json) -> Value {
    match v {
        Json::Null => Value::Null,
        Json::Bool(b) => Value::Bool(*b),
        Json::Number(n) => n.as_i64().map_or_else(|| Value::Double(n.as_f64().unwrap_or(f64::NAN)), Value::Int),
        Json::String(s) => Value::Str(s.clone()),
        other => Value::Str(other.to_string()),
    }
}

fn parse_path(mapping: &str) -> Option<Vec<String>> {
    let rest = mapping.strip_prefix("$.")?;
    let parts: Vec<String> = rest.split('.').map(str::to_string).collect();
    parts.iter().all(|p| !p.is_empty()).then_some(parts)
}

fn leaves(v: &Json, path: &mut Vec<String>, visit: &mut dyn FnMut(Vec<String>, &Json)) {
    match v {
        Json::Object(map) if path.len() < 8 => {
            for (k, child) in map {
                path.push(k.clone());
                leaves(child, path, visit);
                path.pop();
            }
        }
        leaf => visit(path.clone(), leaf),
    }
}

/// What discovery has seen of a field.
#[derive(Clone, Copy, Debug, PartialEq)]
enum Kind {
    Null,
    Bool,
    Int(i64),
    Double,
    Text(usize),
}

impl Kind {
    fn of(v: &Json) -> Kind {
        match v {
            Json::Null => Kind::Null,
            Json::Bool(_) => Kind::Bool,
            Json::Number(n) => n.as_i64().map_or(Kind::Double, |i| Kind::Int(i.abs())),
            Json::String(s) => Kind::Text(s.chars().count()),
            other => Kind::Text(other.to_string().chars().count()),
        }
    }

    fn widen(self, other: Kind) -> Kind {
        match (self, other) {
            (Kind::Null, k) | (k, Kind::Null) => k,
            (Kind::Int(a), Kind::Int(b)) => Kind::Int(a.max(b)),
            (Kind::Int(_) | Kind::Double, Kind::Int(_) | Kind::Double) => Kind::Double,
            (Kind::Bool, Kind::Bool) => Kind::Bool,
            (Kind::Text(a), Kind::Text(b)) => Kind::Text(a.max(b)),
            (a, b) => Kind::Text(a.text_len().max(b.text_len())),
        }
    }

    fn text_len(self) -> usize {
        match self {
            Kind::Text(n) => n,
            _ => 20,
        }
    }

    fn sql_type(self) -> SqlType {
        match self {
            Kind::Null => SqlType::Varchar(16),
            Kind::Bool => SqlType::Boolean,
            Kind::Int(m) if m <= i64::from(i32::MAX) => SqlType::Integer,
            Kind::Int(_) => SqlType::Bigint,
            Kind::Double => SqlType::Double,
            // Room to grow: the next power of two, at least 4.
            Kind::Text(n) => SqlType::Varchar(n.max(4).next_power_of_two().min(65_535) as u32),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn book_schema() -> InputSchema {
        InputSchema::from_json(&json!({"RecordColumns": [
            {"Name": "stationId", "SqlType": "INTEGER", "Mapping": "$.stationId"},
            {"Name": "action", "SqlType": "VARCHAR(8)", "Mapping": "$.action"},
            {"Name": "tripDuration", "SqlType": "INTEGER", "Mapping": "$.tripDuration"},
            {"Name": "price", "SqlType": "DOUBLE", "Mapping": "$.price"},
            {"Name": "bikeNum", "SqlType": "VARCHAR(64)", "Mapping": "$.bikeDetail.bikeNum"},
            {"Name": "eventUTCTime", "SqlType": "TIMESTAMP", "Mapping": "$.eventUTCTime"},
        ]}))
        .unwrap()
    }

    #[test]
    fn the_books_schema_maps_a_ride_event_and_sends_misfits_to_error_stream() {
        let s = book_schema();
        let row = s
            .map(br#"{"stationId":110,"action":"DOCKED","tripDuration":420,"price":4.5,"eventUTCTime":"2021-01-05 01:00:00","bikeDetail":{"bikeNum":"B7"}}"#)
            .unwrap();
        assert_eq!(row[0], Value::Int(110));
        assert_eq!(row[4], Value::Str("B7".into()));
        assert_eq!(row[5], Value::Timestamp(1_609_808_400_000));
        let rented = s.map(br#"{"stationId":100,"action":"RENTED","tripDuration":"","price":""}"#).unwrap();
        assert_eq!((&rented[2], &rented[3]), (&Value::Null, &Value::Null), "empty numbers read as NULL");
        let bad = s.map(br#"{"stationId":100,"action":"RENTED","tripDuration":"soon"}"#).unwrap_err();
        assert_eq!(bad, ("Coercion error", "column \"tripDuration\": cannot convert 'soon' to INTEGER".to_string()));
        assert_eq!(s.map(b"not json").unwrap_err().0, "Unparseable record");
        assert_eq!(
            s.map(br#"{"action":"RENTEDLATE"}"#).unwrap_err().1,
            "column \"action\": 'RENTEDLATE' is longer than VARCHAR(8)"
        );
    }

    #[test]
    fn discovery_proposes_columns_from_samples() {
        let samples = [
            json!({"stationId": 100, "action": "RENTED", "price": "", "bikeDetail": {"bikeNum": "B7", "bikeType": "E"}, "eventUTCTime": "2021-01-05 00:57:08"}),
            json!({"stationId": 110, "action": "DOCKED", "price": 4.5, "tripDuration": 420}),
        ];
        let s = InputSchema::discover(&samples).unwrap();
        let got: Vec<(String, String, String)> = s.to_json()["RecordColumns"]
            .as_array()
            .unwrap()
            .iter()
            .map(|c| {
                (
                    c["Name"].as_str().unwrap().into(),
                    c["SqlType"].as_str().unwrap().into(),
                    c["Mapping"].as_str().unwrap().into(),
                )
            })
            .collect();
        let want = [
            ("action", "VARCHAR(8)", "$.action"),
            ("bikeNum", "VARCHAR(4)", "$.bikeDetail.bikeNum"),
            ("bikeType", "VARCHAR(4)", "$.bikeDetail.bikeType"),
            ("eventUTCTime", "VARCHAR(32)", "$.eventUTCTime"),
            ("price", "VARCHAR(32)", "$.price"),
            ("stationId", "INTEGER", "$.stationId"),
            ("tripDuration", "INTEGER", "$.tripDuration"),
        ];
        let want: Vec<(String, String, String)> =
            want.iter().map(|(a, b, c)| (a.to_string(), b.to_string(), c.to_string())).collect();
        assert_eq!(got, want);
    }

    #[test]
    fn bad_schemas_are_refused_plainly() {
        let e = |v: Json| InputSchema::from_json(&v).unwrap_err();
        assert!(e(json!({})).contains("RecordColumns"));
        assert_eq!(
            e(json!({"RecordColumns": [{"Name": "a", "SqlType": "INTEGR"}]})),
            "RecordColumns[0] (a): SqlType INTEGR: expected a type, found INTEGR"
        );
        assert!(
            e(json!({"RecordColumns": [{"Name": "a", "SqlType": "INTEGER", "Mapping": "a.b"}]})).contains("JSONPath")
        );
        assert!(e(json!({"RecordColumns": [{"Name": "a", "SqlType": "INTEGER"}, {"Name": "a", "SqlType": "BIGINT"}]}))
            .contains("twice"));
    }
}
