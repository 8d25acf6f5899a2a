//! Columnar files: the typed rows Firehose's record format conversion produces (spec
//! firehose-analytics.md §1.7), and real Parquet bytes made from them.
//!
//! The split is deliberate. The engine deserialises JSON records against a Glue schema into a
//! [`ParquetJob`] (typed [`Cell`]s per column, the SerDe's options); [`parquet_file`] turns a job into
//! a file with the `parquet` crate and reads one back for the object viewer and the tests. That crate
//! is heavy, so the browser's worker does not link it: it loads a separate wasm module (`src/bin/
//! parquet.rs`) only when a stream converts, and passes jobs across as JSON. Natively the engine calls
//! [`parquet_file::write`] directly. Either way the bytes are the same function of the job.

pub mod hive;
#[cfg(all(target_arch = "wasm32", target_os = "unknown"))]
pub mod lazy;
pub mod parquet_file;

use serde::{Deserialize, Serialize};

/// A column's type, as the Glue Data Catalog (Hive) names it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum ColumnType {
    Boolean,
    TinyInt,
    SmallInt,
    Int,
    BigInt,
    Float,
    Double,
    Decimal { precision: u8, scale: u8 },
    String,
    Char(u32),
    Varchar(u32),
    Binary,
    Timestamp,
    Date,
    Array(Box<ColumnType>),
    Map(Box<ColumnType>, Box<ColumnType>),
    Struct(Vec<Field>),
}

/// A named column (or struct member).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Field {
    pub name: String,
    pub ty: ColumnType,
}

/// One value, already checked against its column's type.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub enum Cell {
    Null,
    Bool(bool),
    /// Every integer type, within its column's range.
    Int(i64),
    /// FLOAT and DOUBLE.
    Float(f64),
    /// STRING, CHAR and VARCHAR (UTF-8), and BINARY's bytes as text.
    Text(String),
    /// Nanoseconds since the Unix epoch, UTC.
    Timestamp(i64),
    /// Days since the Unix epoch.
    Date(i32),
    /// The unscaled value of a DECIMAL.
    Decimal(i128),
    List(Vec<Cell>),
    Map(Vec<(Cell, Cell)>),
    /// Members in the struct type's order.
    Struct(Vec<Cell>),
}

/// `ParquetSerDe.Compression`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub enum ParquetCompression {
    #[default]
    #[serde(rename = "SNAPPY")]
    Snappy,
    #[serde(rename = "GZIP")]
    Gzip,
    #[serde(rename = "UNCOMPRESSED")]
    Uncompressed,
}

/// The ParquetSerDe options a file is written with.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ParquetOptions {
    pub compression: ParquetCompression,
    /// PageSizeBytes.
    pub page_size_bytes: u64,
    /// EnableDictionaryCompression.
    pub dictionary: bool,
    /// WriterVersion V2 (else V1).
    pub writer_v2: bool,
}

/// What one Parquet file holds: its schema, its rows and how to write them.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ParquetJob {
    pub columns: Vec<Field>,
    pub rows: Vec<Vec<Cell>>,
    pub options: ParquetOptions,
}

/// A file read back for display: column names and each row's values as text.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct TablePreview {
    pub columns: Vec<String>,
    /// Physical and logical type of each leaf column, as the file's schema gives it.
    pub types: Vec<String>,
    pub rows: Vec<Vec<String>>,
    /// Rows in the file (the preview may hold fewer).
    pub total_rows: u64,
    /// Row groups and the codec of the first column chunk.
    pub row_groups: usize,
    pub codec: String,
    pub created_by: String,
}

/// A function that writes a job as Parquet bytes: [`parquet_file::write`] natively, a bridge to the lazily
/// loaded module in the browser's worker.
pub type ParquetWriter = fn(&ParquetJob) -> Result<Vec<u8>, String>;
