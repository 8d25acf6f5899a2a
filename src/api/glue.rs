//! The Glue Data Catalog on the wire (`"service": "glue"`, AWS Glue's JSON 1.1 member names):
//! CreateDatabase, GetDatabase, CreateTable, UpdateTable, GetTable, GetTables and DeleteTable — the
//! tables whose columns record format conversion reads.

use super::kinesis::{opt, req};
use super::schema::{Member, Rule, Shape};
use super::ErrorBody;
use crate::engine::glue::{GlueRequest, TableInput};
use serde_json::{Map, Value};

const NAME: Shape = Shape::String(&[Rule::LenMin(1), Rule::LenMax(255)]);
const ANY: Shape = Shape::Structure(&[]);
const COLUMN: Shape = Shape::Structure(&[
    opt("Comment", Shape::String(&[Rule::LenMax(255)])),
    req("Name", NAME),
    opt("Type", Shape::String(&[Rule::LenMax(131_072)])),
]);
const STORAGE: Shape =
    Shape::Structure(&[opt("Columns", Shape::List { member: &COLUMN, rules: &[], member_text: None })]);
const TABLE_INPUT: Shape = Shape::Structure(&[
    req("Name", NAME),
    opt("PartitionKeys", Shape::List { member: &COLUMN, rules: &[], member_text: None }),
    opt("StorageDescriptor", STORAGE),
]);
const DATABASE_INPUT: Shape = Shape::Structure(&[req("Name", NAME)]);
const TABLE: &[Member] = &[opt("CatalogId", NAME), req("DatabaseName", NAME), req("TableInput", TABLE_INPUT)];

/// The members of `action`, or `None` if the catalog has no such action.
pub fn model(action: &str) -> Option<&'static [Member]> {
    Some(match action {
        "CreateDatabase" => const { &[opt("CatalogId", NAME), req("DatabaseInput", DATABASE_INPUT)] },
        "GetDatabase" => const { &[opt("CatalogId", NAME), req("Name", NAME)] },
        "CreateTable" | "UpdateTable" => TABLE,
        "GetTable" | "DeleteTable" => const { &[opt("CatalogId", NAME), req("DatabaseName", NAME), req("Name", NAME)] },
        "GetTables" => const { &[opt("CatalogId", NAME), req("DatabaseName", NAME), opt("Expression", ANY)] },
        _ => return None,
    })
}

/// The engine request for a body already checked against [`model`].
pub fn request(action: &str, body: Map<String, Value>) -> Result<GlueRequest, ErrorBody> {
    let text = |key: &str| body.get(key).and_then(Value::as_str).unwrap_or_default().to_string();
    let table = || -> Result<TableInput, ErrorBody> {
        serde_json::from_value(body.get("TableInput").cloned().unwrap_or_default())
            .map_err(|e| ErrorBody::new("InvalidInputException", format!("TableInput: {e}")))
    };
    Ok(match action {
        "CreateDatabase" => GlueRequest::CreateDatabase {
            name: body
                .get("DatabaseInput")
                .and_then(|d| d.get("Name"))
                .and_then(Value::as_str)
                .unwrap_or_default()
                .into(),
        },
        "GetDatabase" => GlueRequest::GetDatabase { name: text("Name") },
        "CreateTable" => GlueRequest::CreateTable { database: text("DatabaseName"), table: table()? },
        "UpdateTable" => GlueRequest::UpdateTable { database: text("DatabaseName"), table: table()? },
        "GetTable" => GlueRequest::GetTable { database: text("DatabaseName"), name: text("Name") },
        "GetTables" => GlueRequest::GetTables { database: text("DatabaseName") },
        "DeleteTable" => GlueRequest::DeleteTable { database: text("DatabaseName"), name: text("Name") },
        other => {
            return Err(ErrorBody::new("UnknownOperationException", format!("The lab's Glue has no action {other}")))
        }
    })
}
