//! Record format conversion, JSON to Parquet (spec §1.7, L18, L32): the configuration's rules, and the
//! conversion of one flushed batch just before its first delivery attempt.
//!
//! - Extended S3 only, with the destination's `CompressionFormat` UNCOMPRESSED (the serializer
//!   compresses) and a buffer of at least 64 MiB (default 128, [`super::profile::resolve`]).
//! - The schema is a Glue table's columns ([`crate::engine::glue`]), read when a batch converts, at the
//!   configured `VersionId` (`LATEST` by default).
//! - Each record becomes rows by the configured deserializer ([`super::deserializer`]). A record that
//!   cannot is written to the error prefix under `format-conversion-failed` with the envelope of §1.7;
//!   the rest of the batch still converts. A missing table or an unreadable schema fails every record.
//! - The rows become one Parquet object (`.parquet` unless `FileExtension` says otherwise) by the
//!   account's Parquet writer ([`crate::columnar`]). ORC is refused as not built yet.

use super::deserializer::{self, Deserializer, RowError};
use super::error::FirehoseError;
use super::stream::{Failure, Record};
use crate::columnar::{hive, Cell, Field, ParquetCompression, ParquetJob, ParquetOptions};
use crate::engine::glue::Catalog;
use crate::engine::time::SimTime;
use serde::Deserialize;
use serde_json::{json, Value};
use std::collections::BTreeMap;

/// `ParquetSerDe` limits and defaults (API reference): BlockSizeBytes ≥ 64 MiB (default 256 MiB),
/// PageSizeBytes ≥ 64 KiB (default 1 MiB).
pub const BLOCK_SIZE_MIN: u64 = 64 << 20;
pub const PAGE_SIZE_MIN: u64 = 64 << 10;
pub const PAGE_SIZE_DEFAULT: u64 = 1 << 20;
/// No such table or database [E].
pub const ENTITY_NOT_FOUND: &str = "DataFormatConversion.EntityNotFound";
/// The table's columns cannot be read [M: the code's name].
pub const INVALID_SCHEMA: &str = "DataFormatConversion.InvalidSchema";

/// Where the schema comes from: `SchemaConfiguration`.
#[derive(Clone, Debug, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct SchemaConfiguration {
    #[serde(rename = "RoleARN")]
    pub role_arn: Option<String>,
    pub catalog_id: Option<String>,
    pub database_name: Option<String>,
    pub table_name: Option<String>,
    pub region: Option<String>,
    pub version_id: Option<String>,
}

/// Conversion as configured.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ConversionPlan {
    pub database: String,
    pub table: String,
    pub version_id: String,
    pub catalog_id: Option<String>,
    pub region: Option<String>,
    pub deserializer: Deserializer,
    pub options: ParquetOptions,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct Config {
    enabled: Option<bool>,
    schema_configuration: Option<SchemaConfiguration>,
    input_format_configuration: Option<Wrapped<DeserializerConfig>>,
    output_format_configuration: Option<Wrapped<SerializerConfig>>,
}

/// `{"Deserializer": …}` and `{"Serializer": …}`.
#[derive(Deserialize)]
struct Wrapped<T> {
    #[serde(alias = "Deserializer", alias = "Serializer")]
    inner: Option<T>,
}

#[derive(Deserialize)]
struct DeserializerConfig {
    #[serde(rename = "OpenXJsonSerDe")]
    open_x: Option<OpenXConfig>,
    #[serde(rename = "HiveJsonSerDe")]
    hive: Option<HiveConfig>,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct OpenXConfig {
    convert_dots_in_json_keys_to_underscores: Option<bool>,
    case_insensitive: Option<bool>,
    column_to_json_key_mappings: Option<BTreeMap<String, String>>,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct HiveConfig {
    timestamp_formats: Option<Vec<String>>,
}

#[derive(Deserialize)]
struct SerializerConfig {
    #[serde(rename = "ParquetSerDe")]
    parquet: Option<ParquetConfig>,
    #[serde(rename = "OrcSerDe")]
    orc: Option<Value>,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct ParquetConfig {
    block_size_bytes: Option<u64>,
    page_size_bytes: Option<u64>,
    compression: Option<ParquetCompression>,
    enable_dictionary_compression: Option<bool>,
    writer_version: Option<String>,
}

fn invalid(message: impl Into<String>) -> FirehoseError {
    FirehoseError::invalid_argument(message)
}

/// Whether a `DataFormatConversionConfiguration` is on (`Enabled` defaults to true when it is given).
pub fn enabled(config: Option<&Value>) -> bool {
    config.is_some_and(|c| c.get("Enabled").and_then(Value::as_bool).unwrap_or(true))
}

/// Reads `DataFormatConversionConfiguration` (None when absent or disabled).
pub fn plan(config: Option<&Value>) -> Result<Option<ConversionPlan>, FirehoseError> {
    let Some(config) = config.filter(|c| enabled(Some(c))) else { return Ok(None) };
    let c: Config = serde_json::from_value(config.clone())
        .map_err(|e| invalid(format!("DataFormatConversionConfiguration: {e}")))?;
    debug_assert!(c.enabled != Some(false));
    let schema = c.schema_configuration.ok_or_else(|| {
        invalid("DataFormatConversionConfiguration needs SchemaConfiguration (the Glue database and table)")
    })?;
    let (Some(database), Some(table)) = (schema.database_name.clone(), schema.table_name.clone()) else {
        return Err(invalid("SchemaConfiguration needs DatabaseName and TableName"));
    };
    let de = c.input_format_configuration.and_then(|w| w.inner).ok_or_else(|| {
        invalid("DataFormatConversionConfiguration needs InputFormatConfiguration.Deserializer (OpenXJsonSerDe or HiveJsonSerDe)")
    })?;
    let deserializer = match (de.open_x, de.hive) {
        (Some(o), None) => Deserializer::OpenX {
            dots_to_underscores: o.convert_dots_in_json_keys_to_underscores.unwrap_or(false),
            case_insensitive: o.case_insensitive.unwrap_or(true),
            key_of_column: o
                .column_to_json_key_mappings
                .unwrap_or_default()
                .into_iter()
                .map(|(k, v)| (k.to_ascii_lowercase(), v))
                .collect(),
        },
        (None, Some(h)) => Deserializer::Hive {
            formats: super::timestamps::hive_formats(&h.timestamp_formats.unwrap_or_default()).map_err(invalid)?,
        },
        _ => return Err(invalid("Deserializer takes exactly one of OpenXJsonSerDe and HiveJsonSerDe")),
    };
    let serializer = c.output_format_configuration.and_then(|w| w.inner).ok_or_else(|| {
        invalid("DataFormatConversionConfiguration needs OutputFormatConfiguration.Serializer (ParquetSerDe)")
    })?;
    let parquet = match (serializer.parquet, serializer.orc) {
        (Some(p), None) => p,
        (None, Some(_)) => {
            return Err(super::destination::refuse("OrcSerDe (JSON to ORC; Parquet is built)"));
        }
        _ => return Err(invalid("Serializer takes exactly one of ParquetSerDe and OrcSerDe")),
    };
    if parquet.block_size_bytes.is_some_and(|b| b < BLOCK_SIZE_MIN) {
        return Err(invalid(format!("ParquetSerDe.BlockSizeBytes must be at least {BLOCK_SIZE_MIN} (64 MiB)")));
    }
    let page_size_bytes = parquet.page_size_bytes.unwrap_or(PAGE_SIZE_DEFAULT);
    if page_size_bytes < PAGE_SIZE_MIN {
        return Err(invalid(format!("ParquetSerDe.PageSizeBytes must be at least {PAGE_SIZE_MIN} (64 KiB)")));
    }
    let writer_v2 = match parquet.writer_version.as_deref() {
        None | Some("V1") => false,
        Some("V2") => true,
        Some(other) => return Err(invalid(format!("ParquetSerDe.WriterVersion '{other}' is not V1 or V2"))),
    };
    Ok(Some(ConversionPlan {
        database,
        table,
        version_id: schema.version_id.unwrap_or_else(|| "LATEST".into()),
        catalog_id: schema.catalog_id,
        region: schema.region,
        deserializer,
        options: ParquetOptions {
            compression: parquet.compression.unwrap_or_default(),
            page_size_bytes,
            dictionary: parquet.enable_dictionary_compression.unwrap_or(false),
            writer_v2,
        },
    }))
}

/// A batch converted: the Parquet job of its good records, which records those are, and an error record
/// for each of the others.
#[derive(Debug)]
pub struct Converted {
    pub job: ParquetJob,
    /// For each input record: converted (true) or failed.
    pub ok: Vec<bool>,
    pub errors: Vec<Record>,
}

/// What the error envelope needs besides the failure.
pub struct Context<'a> {
    pub account_id: &'a str,
    pub region: &'a str,
    pub epoch_ms: u64,
    /// `api2025` names the members `ErrorCode`/`ErrorMessage`; earlier docs `lastErrorCode`/`lastErrorMessage`.
    pub current_names: bool,
}

/// Converts the records of one batch against the catalog as it is at `now`.
pub fn convert(plan: &ConversionPlan, catalog: &Catalog, records: &[Record], now: SimTime, ctx: &Context) -> Converted {
    let columns = schema(plan, catalog);
    let mut rows: Vec<Vec<Cell>> = Vec::new();
    let mut ok = Vec::with_capacity(records.len());
    let mut errors = Vec::new();
    for record in records {
        let result = columns
            .as_ref()
            .map_err(Clone::clone)
            .and_then(|c| deserializer::rows(&record.data, c, &plan.deserializer));
        match result {
            Ok(record_rows) => {
                rows.extend(record_rows);
                ok.push(true);
            }
            Err(e) => {
                ok.push(false);
                errors.push(envelope(plan, record, &e, now, ctx));
            }
        }
    }
    Converted { job: ParquetJob { columns: columns.unwrap_or_default(), rows, options: plan.options }, ok, errors }
}

/// The table's columns at the plan's version, parsed; or the error every record then fails with.
fn schema(plan: &ConversionPlan, catalog: &Catalog) -> Result<Vec<Field>, RowError> {
    let fail = |code, message: String| RowError { code, message };
    let Some(columns) = catalog.table(&plan.database, &plan.table).and_then(|t| t.columns(&plan.version_id)) else {
        return Err(fail(
            ENTITY_NOT_FOUND,
            "The specified table/database could not be found. Please ensure that the table/database exists and \
             that the values provided in the schema configuration are correct, especially with regards to casing."
                .into(),
        ));
    };
    if columns.is_empty() {
        return Err(fail(INVALID_SCHEMA, format!("The schema is invalid: table {} has no columns.", plan.table)));
    }
    columns
        .iter()
        .map(|c| {
            if matches!(plan.deserializer, Deserializer::Hive { .. }) && c.name.contains('.') {
                return Err(fail(
                    INVALID_SCHEMA,
                    format!(
                        "The schema is invalid: the Hive JSON SerDe does not allow dots in column names ({}).",
                        c.name
                    ),
                ));
            }
            hive::parse(&c.r#type)
                .map(|ty| Field { name: c.name.clone(), ty })
                .map_err(|why| fail(INVALID_SCHEMA, format!("The schema is invalid: column {}: {why}", c.name)))
        })
        .collect()
}

/// The §1.7 envelope of a record that failed conversion, one JSON line.
fn envelope(plan: &ConversionPlan, record: &Record, e: &RowError, now: SimTime, ctx: &Context) -> Record {
    let catalog_id = plan.catalog_id.clone().unwrap_or_else(|| ctx.account_id.to_string());
    let region = plan.region.clone().unwrap_or_else(|| ctx.region.to_string());
    let mut extra = vec![(
        "dataCatalogTable",
        json!({
            "catalogId": catalog_id,
            "databaseName": plan.database,
            "tableName": plan.table,
            "region": region,
            "versionId": plan.version_id,
            "catalogArn": format!("arn:aws:glue:{region}:{catalog_id}:catalog"),
        }),
    )];
    if let Some(seq) = &record.sequence_number {
        extra.push(("sequenceNumber", json!(seq)));
        extra.push(("subSequenceNumber", json!(0)));
    }
    let names = if ctx.current_names { ["ErrorCode", "ErrorMessage"] } else { ["lastErrorCode", "lastErrorMessage"] };
    let failure = Failure { attempts: 1, code: e.code, message: &e.message };
    record.error_as(failure, now, ctx.epoch_ms, names, &extra)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::glue::{GlueRequest, StorageDescriptor, TableInput};

    fn config(extra: Value) -> Value {
        let mut c = json!({
            "SchemaConfiguration": {"DatabaseName": "smartcitybikes", "TableName": "bikestationsdata", "RoleARN": "arn:aws:iam::1:role/r"},
            "InputFormatConfiguration": {"Deserializer": {"OpenXJsonSerDe": {}}},
            "OutputFormatConfiguration": {"Serializer": {"ParquetSerDe": {}}},
        });
        if let (Some(c), Some(extra)) = (c.as_object_mut(), extra.as_object()) {
            c.extend(extra.clone());
        }
        c
    }

    fn catalog() -> Catalog {
        let mut c = Catalog::new(0);
        c.handle(SimTime::ZERO, GlueRequest::CreateDatabase { name: "smartcitybikes".into() }).unwrap();
        let columns = [("stationid", "int"), ("price", "double")]
            .iter()
            .map(|(n, t)| crate::engine::glue::Column { name: (*n).into(), r#type: (*t).into(), comment: None })
            .collect();
        let table = TableInput {
            name: "bikestationsdata".into(),
            storage_descriptor: Some(StorageDescriptor { columns, others: Default::default() }),
            ..TableInput::default()
        };
        c.handle(SimTime::ZERO, GlueRequest::CreateTable { database: "smartcitybikes".into(), table }).unwrap();
        c
    }

    const CTX: Context =
        Context { account_id: "123456789012", region: "us-east-1", epoch_ms: 1_609_808_228_000, current_names: false };

    #[test]
    fn the_configuration_rules() {
        let p = plan(Some(&config(json!({})))).unwrap().unwrap();
        assert_eq!(
            (p.version_id.as_str(), p.options.compression, p.options.page_size_bytes),
            ("LATEST", ParquetCompression::Snappy, 1 << 20)
        );
        assert!(plan(Some(&config(json!({"Enabled": false})))).unwrap().is_none());
        let orc = config(json!({"OutputFormatConfiguration": {"Serializer": {"OrcSerDe": {}}}}));
        assert!(plan(Some(&orc)).unwrap_err().message.contains("not built in this lab yet"));
        let both =
            config(json!({"InputFormatConfiguration": {"Deserializer": {"OpenXJsonSerDe": {}, "HiveJsonSerDe": {}}}}));
        assert!(plan(Some(&both)).unwrap_err().message.contains("exactly one"));
        let small =
            config(json!({"OutputFormatConfiguration": {"Serializer": {"ParquetSerDe": {"BlockSizeBytes": 1024}}}}));
        assert!(plan(Some(&small)).unwrap_err().message.contains("64 MiB"));
        assert!(plan(Some(&json!({"Enabled": true}))).unwrap_err().message.contains("SchemaConfiguration"));
    }

    #[test]
    fn a_batch_converts_record_by_record() {
        let p = plan(Some(&config(json!({})))).unwrap().unwrap();
        let records: Vec<Record> = [&br#"{"stationId": 100, "price": 4.5}"#[..], b"not json", br#"{"price": "oops"}"#]
            .iter()
            .map(|d| Record::new(d.to_vec(), SimTime::ZERO))
            .collect();
        let c = convert(&p, &catalog(), &records, SimTime::from_secs(60), &CTX);
        assert_eq!(c.ok, [true, false, false]);
        assert_eq!(c.job.rows, vec![vec![Cell::Int(100), Cell::Float(4.5)]]);
        let lines: Vec<Value> = c.errors.iter().map(|r| serde_json::from_slice(&r.data).unwrap()).collect();
        assert_eq!(lines[0]["lastErrorCode"], "DataFormatConversion.ParseError");
        assert_eq!(lines[1]["lastErrorCode"], "DataFormatConversion.MalformedData");
        assert_eq!(lines[1]["dataCatalogTable"]["catalogArn"], "arn:aws:glue:us-east-1:123456789012:catalog");
        assert_eq!(lines[1]["attemptEndingTimestamp"], 1_609_808_288_000u64);
        let gone = ConversionPlan { table: "nope".into(), ..p };
        let c = convert(&gone, &catalog(), &records[..1], SimTime::ZERO, &Context { current_names: true, ..CTX });
        let line: Value = serde_json::from_slice(&c.errors[0].data).unwrap();
        assert_eq!((line["ErrorCode"].as_str(), c.job.rows.len()), (Some(ENTITY_NOT_FOUND), 0));
    }
}
