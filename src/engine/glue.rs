//! The AWS Glue Data Catalog, as far as Firehose's record format conversion reads it (spec §1.7): databases
//! and tables whose `StorageDescriptor.Columns` are the schema records are converted by. Every
//! UpdateTable keeps the old definition as a version (VersionId "0", "1", …), so a stream can pin one or
//! follow `LATEST`.
//!
//! Like Glue, the catalog stores a column's `Type` as given; a type Hive cannot read surfaces when a
//! stream converts with it. Column and table names are kept lowercase, as Glue stores them.

use crate::engine::time::SimTime;
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};
use std::collections::BTreeMap;

/// `{"Name", "Type", "Comment"?}`.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct Column {
    pub name: String,
    #[serde(default)]
    pub r#type: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub comment: Option<String>,
}

/// `TableInput` (the members the lab keeps; others are accepted and returned as given).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct TableInput {
    pub name: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub storage_descriptor: Option<StorageDescriptor>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub partition_keys: Vec<Column>,
    #[serde(flatten)]
    pub others: serde_json::Map<String, Value>,
}

/// `StorageDescriptor`.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct StorageDescriptor {
    #[serde(default)]
    pub columns: Vec<Column>,
    #[serde(flatten)]
    pub others: serde_json::Map<String, Value>,
}

/// A request to the catalog.
#[derive(Clone, Debug, PartialEq)]
pub enum GlueRequest {
    CreateDatabase { name: String },
    GetDatabase { name: String },
    CreateTable { database: String, table: TableInput },
    UpdateTable { database: String, table: TableInput },
    GetTable { database: String, name: String },
    GetTables { database: String },
    DeleteTable { database: String, name: String },
}

/// A failed call: Glue's exception name and message.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct GlueError {
    pub code: &'static str,
    pub message: String,
}

impl GlueError {
    fn not_found(message: String) -> GlueError {
        GlueError { code: "EntityNotFoundException", message }
    }
}

/// One version of a table.
#[derive(Clone, Debug, PartialEq)]
pub struct TableVersion {
    pub input: TableInput,
    pub at: SimTime,
}

/// A table and its versions, oldest first.
#[derive(Clone, Debug, PartialEq)]
pub struct Table {
    pub created: SimTime,
    pub versions: Vec<TableVersion>,
}

impl Table {
    /// The columns of version `version_id` ("LATEST" or a number), if there is one.
    pub fn columns(&self, version_id: &str) -> Option<&[Column]> {
        let v = match version_id {
            "LATEST" => self.versions.last()?,
            n => self.versions.get(n.parse::<usize>().ok()?)?,
        };
        Some(v.input.storage_descriptor.as_ref().map_or(&[][..], |d| &d.columns[..]))
    }
}

/// The account's catalog.
#[derive(Clone, Debug, Default)]
pub struct Catalog {
    epoch_ms: u64,
    databases: BTreeMap<String, (SimTime, BTreeMap<String, Table>)>,
}

impl Catalog {
    /// An empty catalog; `epoch_ms` dates CreateTime.
    pub fn new(epoch_ms: u64) -> Catalog {
        Catalog { epoch_ms, databases: BTreeMap::new() }
    }

    /// A table, if both it and its database exist.
    pub fn table(&self, database: &str, name: &str) -> Option<&Table> {
        self.databases.get(&database.to_ascii_lowercase())?.1.get(&name.to_ascii_lowercase())
    }

    /// Answers one request.
    pub fn handle(&mut self, now: SimTime, request: GlueRequest) -> Result<Value, GlueError> {
        match request {
            GlueRequest::CreateDatabase { name } => {
                let name = name.to_ascii_lowercase();
                if self.databases.contains_key(&name) {
                    return Err(GlueError {
                        code: "AlreadyExistsException",
                        message: "Database already exists.".into(),
                    });
                }
                self.databases.insert(name, (now, BTreeMap::new()));
                Ok(json!({}))
            }
            GlueRequest::GetDatabase { name } => {
                let name = name.to_ascii_lowercase();
                let (created, _) = self.database(&name)?;
                Ok(
                    json!({ "Database": { "Name": name, "CreateTime": self.epoch(*created), "CatalogId": "123456789012" } }),
                )
            }
            GlueRequest::CreateTable { database, table } => {
                let table = normalized(table);
                let tables = &mut self.database_mut(&database)?.1;
                if tables.contains_key(&table.name) {
                    return Err(GlueError { code: "AlreadyExistsException", message: "Table already exists.".into() });
                }
                let version = TableVersion { input: table.clone(), at: now };
                tables.insert(table.name, Table { created: now, versions: vec![version] });
                Ok(json!({}))
            }
            GlueRequest::UpdateTable { database, table } => {
                let table = normalized(table);
                let name = table.name.clone();
                let t = self.database_mut(&database)?.1.get_mut(&name);
                let t = t.ok_or_else(|| GlueError::not_found(format!("Table {name} not found.")))?;
                t.versions.push(TableVersion { input: table, at: now });
                Ok(json!({}))
            }
            GlueRequest::GetTable { database, name } => {
                let name = name.to_ascii_lowercase();
                let (_, tables) = self.database(&database)?;
                let t = tables.get(&name).ok_or_else(|| GlueError::not_found(format!("Table {name} not found.")))?;
                Ok(json!({ "Table": self.describe(&database.to_ascii_lowercase(), t) }))
            }
            GlueRequest::GetTables { database } => {
                let (_, tables) = self.database(&database)?;
                let list: Vec<Value> =
                    tables.values().map(|t| self.describe(&database.to_ascii_lowercase(), t)).collect();
                Ok(json!({ "TableList": list }))
            }
            GlueRequest::DeleteTable { database, name } => {
                let name = name.to_ascii_lowercase();
                let tables = &mut self.database_mut(&database)?.1;
                tables.remove(&name).ok_or_else(|| GlueError::not_found(format!("Table {name} not found.")))?;
                Ok(json!({}))
            }
        }
    }

    fn database(&self, name: &str) -> Result<&(SimTime, BTreeMap<String, Table>), GlueError> {
        let name = name.to_ascii_lowercase();
        self.databases.get(&name).ok_or_else(|| GlueError::not_found(format!("Database {name} not found.")))
    }

    fn database_mut(&mut self, name: &str) -> Result<&mut (SimTime, BTreeMap<String, Table>), GlueError> {
        let name = name.to_ascii_lowercase();
        self.databases.get_mut(&name).ok_or_else(|| GlueError::not_found(format!("Database {name} not found.")))
    }

    fn epoch(&self, at: SimTime) -> f64 {
        (self.epoch_ms + at.as_millis()) as f64 / 1_000.0
    }

    fn describe(&self, database: &str, t: &Table) -> Value {
        let latest = t.versions.last().expect("a table has at least its first version");
        let mut d = serde_json::to_value(&latest.input).expect("a table input serialises");
        d["DatabaseName"] = json!(database);
        d["CreateTime"] = json!(self.epoch(t.created));
        d["UpdateTime"] = json!(self.epoch(latest.at));
        d["VersionId"] = json!((t.versions.len() - 1).to_string());
        d["CatalogId"] = json!("123456789012");
        d["IsRegisteredWithLakeFormation"] = json!(false);
        d
    }
}

/// Names as Glue stores them: lowercase.
fn normalized(mut t: TableInput) -> TableInput {
    t.name = t.name.to_ascii_lowercase();
    if let Some(d) = t.storage_descriptor.as_mut() {
        d.columns.iter_mut().for_each(|c| c.name = c.name.to_ascii_lowercase());
    }
    t
}

#[cfg(test)]
mod tests {
    use super::*;

    fn table(name: &str, columns: &[(&str, &str)]) -> TableInput {
        TableInput {
            name: name.into(),
            storage_descriptor: Some(StorageDescriptor {
                columns: columns
                    .iter()
                    .map(|(n, t)| Column { name: (*n).into(), r#type: (*t).into(), comment: None })
                    .collect(),
                others: Default::default(),
            }),
            ..TableInput::default()
        }
    }

    #[test]
    fn tables_live_in_databases_and_keep_their_versions() {
        let mut c = Catalog::new(1_700_000_000_000);
        let t0 = SimTime::ZERO;
        let missing = c.handle(t0, GlueRequest::CreateTable { database: "db".into(), table: table("t", &[]) });
        assert_eq!(missing.unwrap_err().message, "Database db not found.");
        c.handle(t0, GlueRequest::CreateDatabase { name: "SmartCityBikes".into() }).unwrap();
        let again = c.handle(t0, GlueRequest::CreateDatabase { name: "smartcitybikes".into() }).unwrap_err();
        assert_eq!((again.code, again.message.as_str()), ("AlreadyExistsException", "Database already exists."));
        let db = "smartcitybikes".to_string();
        c.handle(t0, GlueRequest::CreateTable { database: db.clone(), table: table("Rides", &[("StationId", "int")]) })
            .unwrap();
        c.handle(
            SimTime::from_secs(5),
            GlueRequest::UpdateTable {
                database: db.clone(),
                table: table("rides", &[("stationid", "int"), ("price", "double")]),
            },
        )
        .unwrap();
        let t = c.table("SmartCityBikes", "RIDES").unwrap();
        assert_eq!(t.columns("0").unwrap().len(), 1);
        assert_eq!(t.columns("LATEST").unwrap()[0].name, "stationid", "names are lowercase");
        assert_eq!(t.columns("LATEST").unwrap().len(), 2);
        assert!(t.columns("7").is_none());
        let got = c.handle(t0, GlueRequest::GetTable { database: db.clone(), name: "rides".into() }).unwrap();
        assert_eq!(
            (got["Table"]["VersionId"].as_str(), got["Table"]["DatabaseName"].as_str()),
            (Some("1"), Some("smartcitybikes"))
        );
        let gone = c.handle(t0, GlueRequest::GetTable { database: db, name: "nope".into() }).unwrap_err();
        assert_eq!((gone.code, gone.message.as_str()), ("EntityNotFoundException", "Table nope not found."));
    }
}
