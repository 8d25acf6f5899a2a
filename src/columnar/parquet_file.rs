//! Parquet files from [`ParquetJob`]s, written with the `parquet` crate, and read back for display.
//!
//! The schema follows what Hive's ParquetHiveSerDe (Firehose's serializer) writes: every column
//! optional; strings as UTF-8 byte arrays; `tinyint`/`smallint` as INT32 with an integer annotation;
//! `timestamp` as INT96 [M: Hive's default, which Athena and Spark read]; `date` as INT32 DATE;
//! `decimal(p,s)` as a fixed-length byte array of the fewest bytes that hold p digits; arrays as the
//! three-level LIST, maps as MAP with required keys, structs as groups. Nested values are shredded into
//! repetition and definition levels (Dremel) here; the crate encodes pages, statistics and the footer.

use super::{Cell, ColumnType, Field, ParquetCompression, ParquetJob, TablePreview};
use crate::engine::kds::datetime::civil_from_days;
use parquet::basic::{Compression, LogicalType, Repetition, Type as Physical};
use parquet::data_type::{
    BoolType, ByteArray, ByteArrayType, DoubleType, FixedLenByteArray, FixedLenByteArrayType, FloatType, Int32Type,
    Int64Type, Int96, Int96Type,
};
use parquet::file::properties::{WriterProperties, WriterVersion};
use parquet::file::reader::{FileReader, SerializedFileReader};
use parquet::file::writer::SerializedFileWriter;
use parquet::record::Field as Value;
use parquet::schema::types::Type;
use std::sync::Arc;

/// The `created_by` every file carries.
pub const CREATED_BY: &str = "kinesis-lab (parquet-rs 60.2.0)";

const NANOS_PER_DAY: i64 = 86_400 * 1_000_000_000;
/// The Julian day number of 1970-01-01, which INT96 timestamps count from.
const JULIAN_DAY_OF_EPOCH: i64 = 2_440_588;

/// The Parquet bytes of `job`: one row group holding every row.
pub fn write(job: &ParquetJob) -> Result<Vec<u8>, String> {
    let fail = |e: parquet::errors::ParquetError| format!("the Parquet writer failed: {e}");
    let fields = job.columns.iter().map(|f| node(f, Repetition::OPTIONAL).map(Arc::new)).collect::<Result<_, _>>()?;
    let schema = Type::group_type_builder("hive_schema").with_fields(fields).build().map_err(fail)?;
    let o = job.options;
    let props = WriterProperties::builder()
        .set_created_by(CREATED_BY.into())
        .set_compression(match o.compression {
            ParquetCompression::Snappy => Compression::SNAPPY,
            ParquetCompression::Gzip => Compression::GZIP(Default::default()),
            ParquetCompression::Uncompressed => Compression::UNCOMPRESSED,
        })
        .set_dictionary_enabled(o.dictionary)
        .set_data_page_size_limit(o.page_size_bytes as usize)
        .set_writer_version(if o.writer_v2 { WriterVersion::PARQUET_2_0 } else { WriterVersion::PARQUET_1_0 })
        .set_max_row_group_row_count(None)
        .build();
    let mut leaves: Vec<Leaf> = Vec::new();
    job.columns.iter().for_each(|f| collect_leaves(&f.ty, &mut leaves));
    for row in &job.rows {
        if row.len() != job.columns.len() {
            return Err(format!("a row has {} values for {} columns", row.len(), job.columns.len()));
        }
        let mut at = 0;
        for (field, cell) in job.columns.iter().zip(row) {
            shred(&field.ty, cell, 0, 0, 0, &mut leaves, &mut at)?;
        }
    }
    let mut writer = SerializedFileWriter::new(Vec::new(), Arc::new(schema), Arc::new(props)).map_err(fail)?;
    let mut group = writer.next_row_group().map_err(fail)?;
    let mut next = leaves.iter();
    while let Some(mut column) = group.next_column().map_err(fail)? {
        let leaf = next.next().ok_or("the schema has more leaf columns than the rows")?;
        write_leaf(&mut column, leaf).map_err(fail)?;
        column.close().map_err(fail)?;
    }
    group.close().map_err(fail)?;
    writer.into_inner().map_err(fail)
}

/// Reads a Parquet file for display: its schema, its first `max_rows` rows as text, and its footer facts.
pub fn read(bytes: &[u8], max_rows: usize) -> Result<TablePreview, String> {
    let reader = SerializedFileReader::new(bytes::Bytes::copy_from_slice(bytes))
        .map_err(|e| format!("not a Parquet file this reader can open: {e}"))?;
    let meta = reader.metadata();
    let file = meta.file_metadata();
    let columns = file.schema().get_fields().iter().map(|f| f.name().to_string()).collect();
    let types = file
        .schema_descr()
        .columns()
        .iter()
        .map(|c| match c.logical_type_ref() {
            Some(logical) => format!("{} {} ({logical:?})", c.path().string(), c.physical_type()),
            None => format!("{} {}", c.path().string(), c.physical_type()),
        })
        .collect();
    let mut rows = Vec::new();
    for row in reader.get_row_iter(None).map_err(|e| format!("the rows cannot be read: {e}"))?.take(max_rows) {
        let row = row.map_err(|e| format!("a row cannot be read: {e}"))?;
        rows.push(row.get_column_iter().map(|(_, v)| text(v)).collect());
    }
    Ok(TablePreview {
        columns,
        types,
        rows,
        total_rows: file.num_rows().max(0) as u64,
        row_groups: meta.num_row_groups(),
        codec: meta
            .row_groups()
            .first()
            .and_then(|g| g.columns().first())
            .map_or("-".into(), |c| codec(c.compression())),
        created_by: file.created_by().unwrap_or("").to_string(),
    })
}

/// A codec's name without its level.
fn codec(c: Compression) -> String {
    match c {
        Compression::GZIP(_) => "GZIP".into(),
        Compression::BROTLI(_) => "BROTLI".into(),
        Compression::ZSTD(_) => "ZSTD".into(),
        other => format!("{other:?}"),
    }
}

/// One leaf column's levels and values, in the order the schema lists leaves (depth first).
struct Leaf {
    ty: ColumnType,
    values: Vec<Cell>,
    def: Vec<i16>,
    rep: Vec<i16>,
}

fn collect_leaves(ty: &ColumnType, out: &mut Vec<Leaf>) {
    match ty {
        ColumnType::Struct(fields) => fields.iter().for_each(|f| collect_leaves(&f.ty, out)),
        ColumnType::Array(element) => collect_leaves(element, out),
        ColumnType::Map(key, value) => {
            collect_leaves(key, out);
            collect_leaves(value, out);
        }
        leaf => out.push(Leaf { ty: leaf.clone(), values: Vec::new(), def: Vec::new(), rep: Vec::new() }),
    }
}

fn leaf_count(ty: &ColumnType) -> usize {
    match ty {
        ColumnType::Struct(fields) => fields.iter().map(|f| leaf_count(&f.ty)).sum(),
        ColumnType::Array(element) => leaf_count(element),
        ColumnType::Map(key, value) => leaf_count(key) + leaf_count(value),
        _ => 1,
    }
}

/// Records the levels of one (optional) value of type `ty` whose parent is defined to level `def`, starting
/// at repetition level `rep`, under `depth` repeated ancestors; `at` is the first leaf of `ty`.
fn shred(
    ty: &ColumnType,
    cell: &Cell,
    def: i16,
    rep: i16,
    depth: i16,
    leaves: &mut [Leaf],
    at: &mut usize,
) -> Result<(), String> {
    let nulls = |leaves: &mut [Leaf], at: &mut usize, def: i16| {
        for leaf in &mut leaves[*at..*at + leaf_count(ty)] {
            leaf.def.push(def);
            leaf.rep.push(rep);
        }
        *at += leaf_count(ty);
    };
    match (ty, cell) {
        (_, Cell::Null) => nulls(leaves, at, def),
        (ColumnType::Struct(fields), Cell::Struct(cells)) if fields.len() == cells.len() => {
            for (f, c) in fields.iter().zip(cells) {
                shred(&f.ty, c, def + 1, rep, depth, leaves, at)?;
            }
        }
        (ColumnType::Array(_), Cell::List(items)) if items.is_empty() => nulls(leaves, at, def + 1),
        (ColumnType::Array(element), Cell::List(items)) => {
            let start = *at;
            for (i, item) in items.iter().enumerate() {
                *at = start;
                let rep = if i == 0 { rep } else { depth + 1 };
                shred(element, item, def + 2, rep, depth + 1, leaves, at)?;
            }
        }
        (ColumnType::Map(..), Cell::Map(entries)) if entries.is_empty() => nulls(leaves, at, def + 1),
        (ColumnType::Map(key_ty, value_ty), Cell::Map(entries)) => {
            let start = *at;
            for (i, (key, value)) in entries.iter().enumerate() {
                *at = start;
                let rep = if i == 0 { rep } else { depth + 1 };
                // The key is required: present at the entry's own level.
                if matches!(key, Cell::Null) || leaf_count(key_ty) != 1 {
                    return Err("a map key must be a non-null primitive".into());
                }
                let leaf = &mut leaves[*at];
                leaf.values.push(key.clone());
                leaf.def.push(def + 2);
                leaf.rep.push(rep);
                *at += 1;
                shred(value_ty, value, def + 2, rep, depth + 1, leaves, at)?;
            }
        }
        (ColumnType::Struct(_) | ColumnType::Array(_) | ColumnType::Map(..), other) => {
            return Err(format!("a {ty:?} column was given {other:?}"))
        }
        (_, value) if !fits(ty, value) => return Err(format!("a {ty:?} column was given {value:?}")),
        (_, value) => {
            let leaf = &mut leaves[*at];
            leaf.values.push(value.clone());
            leaf.def.push(def + 1);
            leaf.rep.push(rep);
            *at += 1;
        }
    }
    Ok(())
}

/// Whether a primitive cell is of its column's kind.
fn fits(ty: &ColumnType, cell: &Cell) -> bool {
    use ColumnType as T;
    matches!(
        (ty, cell),
        (T::Boolean, Cell::Bool(_))
            | (T::TinyInt | T::SmallInt | T::Int | T::BigInt, Cell::Int(_))
            | (T::Float | T::Double, Cell::Float(_))
            | (T::String | T::Char(_) | T::Varchar(_) | T::Binary, Cell::Text(_))
            | (T::Timestamp, Cell::Timestamp(_))
            | (T::Date, Cell::Date(_))
            | (T::Decimal { .. }, Cell::Decimal(_))
    )
}

fn write_leaf(
    column: &mut parquet::file::writer::SerializedColumnWriter<'_>,
    leaf: &Leaf,
) -> Result<(), parquet::errors::ParquetError> {
    let (def, rep) = (Some(&leaf.def[..]), Some(&leaf.rep[..]));
    let int = |c: &Cell| if let Cell::Int(v) = c { *v } else { 0 };
    let float = |c: &Cell| if let Cell::Float(v) = c { *v } else { 0.0 };
    let text = |c: &Cell| if let Cell::Text(t) = c { ByteArray::from(t.as_bytes().to_vec()) } else { ByteArray::new() };
    match &leaf.ty {
        ColumnType::Boolean => {
            let v: Vec<bool> = leaf.values.iter().map(|c| matches!(c, Cell::Bool(true))).collect();
            column.typed::<BoolType>().write_batch(&v, def, rep)?;
        }
        ColumnType::TinyInt | ColumnType::SmallInt | ColumnType::Int => {
            let v: Vec<i32> = leaf.values.iter().map(|c| int(c) as i32).collect();
            column.typed::<Int32Type>().write_batch(&v, def, rep)?;
        }
        ColumnType::Date => {
            let v: Vec<i32> = leaf.values.iter().map(|c| if let Cell::Date(d) = c { *d } else { 0 }).collect();
            column.typed::<Int32Type>().write_batch(&v, def, rep)?;
        }
        ColumnType::BigInt => {
            let v: Vec<i64> = leaf.values.iter().map(int).collect();
            column.typed::<Int64Type>().write_batch(&v, def, rep)?;
        }
        ColumnType::Float => {
            let v: Vec<f32> = leaf.values.iter().map(|c| float(c) as f32).collect();
            column.typed::<FloatType>().write_batch(&v, def, rep)?;
        }
        ColumnType::Double => {
            let v: Vec<f64> = leaf.values.iter().map(float).collect();
            column.typed::<DoubleType>().write_batch(&v, def, rep)?;
        }
        ColumnType::String | ColumnType::Char(_) | ColumnType::Varchar(_) | ColumnType::Binary => {
            let v: Vec<ByteArray> = leaf.values.iter().map(text).collect();
            column.typed::<ByteArrayType>().write_batch(&v, def, rep)?;
        }
        ColumnType::Timestamp => {
            let v: Vec<Int96> =
                leaf.values.iter().map(|c| int96(if let Cell::Timestamp(n) = c { *n } else { 0 })).collect();
            column.typed::<Int96Type>().write_batch(&v, def, rep)?;
        }
        ColumnType::Decimal { precision, .. } => {
            let width = decimal_bytes(*precision);
            let v: Vec<FixedLenByteArray> = leaf
                .values
                .iter()
                .map(|c| {
                    let unscaled = if let Cell::Decimal(d) = c { *d } else { 0 };
                    FixedLenByteArray::from(unscaled.to_be_bytes()[16 - width..].to_vec())
                })
                .collect();
            column.typed::<FixedLenByteArrayType>().write_batch(&v, def, rep)?;
        }
        ColumnType::Array(_) | ColumnType::Map(..) | ColumnType::Struct(_) => {
            unreachable!("collect_leaves keeps only primitive columns")
        }
    }
    Ok(())
}

/// A timestamp as INT96: nanoseconds of the day (little-endian, 8 bytes), then the Julian day (4 bytes).
fn int96(epoch_nanos: i64) -> Int96 {
    let day = epoch_nanos.div_euclid(NANOS_PER_DAY) + JULIAN_DAY_OF_EPOCH;
    let nanos = epoch_nanos.rem_euclid(NANOS_PER_DAY) as u64;
    let mut v = Int96::new();
    v.set_data(nanos as u32, (nanos >> 32) as u32, day as u32);
    v
}

/// The fewest bytes whose two's complement holds every `precision`-digit number (Hive's rule).
fn decimal_bytes(precision: u8) -> usize {
    (1..=16).find(|n| (8 * n - 1) as f64 * std::f64::consts::LOG10_2 >= precision as f64).unwrap_or(16)
}

/// The schema node of one (struct member or top-level) column.
fn node(f: &Field, repetition: Repetition) -> Result<Type, String> {
    let fail = |e: parquet::errors::ParquetError| format!("column {}: {e}", f.name);
    let primitive = |physical: Physical, logical: Option<LogicalType>| {
        Type::primitive_type_builder(&f.name, physical).with_repetition(repetition).with_logical_type(logical)
    };
    let group = |logical: Option<LogicalType>, fields: Vec<Type>| {
        Type::group_type_builder(&f.name)
            .with_repetition(repetition)
            .with_logical_type(logical)
            .with_fields(fields.into_iter().map(Arc::new).collect())
            .build()
            .map_err(fail)
    };
    let named =
        |name: &str, ty: &ColumnType, repetition| node(&Field { name: name.into(), ty: ty.clone() }, repetition);
    match &f.ty {
        ColumnType::Struct(fields) => {
            group(None, fields.iter().map(|m| node(m, Repetition::OPTIONAL)).collect::<Result<_, _>>()?)
        }
        ColumnType::Array(element) => {
            let list = Type::group_type_builder("list")
                .with_repetition(Repetition::REPEATED)
                .with_fields(vec![Arc::new(named("element", element, Repetition::OPTIONAL)?)])
                .build()
                .map_err(fail)?;
            group(Some(LogicalType::List), vec![list])
        }
        ColumnType::Map(key, value) => {
            let entry = Type::group_type_builder("key_value")
                .with_repetition(Repetition::REPEATED)
                .with_fields(vec![
                    Arc::new(named("key", key, Repetition::REQUIRED)?),
                    Arc::new(named("value", value, Repetition::OPTIONAL)?),
                ])
                .build()
                .map_err(fail)?;
            group(Some(LogicalType::Map), vec![entry])
        }
        ColumnType::Boolean => primitive(Physical::BOOLEAN, None).build().map_err(fail),
        ColumnType::TinyInt => primitive(Physical::INT32, Some(LogicalType::integer(8, true))).build().map_err(fail),
        ColumnType::SmallInt => primitive(Physical::INT32, Some(LogicalType::integer(16, true))).build().map_err(fail),
        ColumnType::Int => primitive(Physical::INT32, None).build().map_err(fail),
        ColumnType::BigInt => primitive(Physical::INT64, None).build().map_err(fail),
        ColumnType::Float => primitive(Physical::FLOAT, None).build().map_err(fail),
        ColumnType::Double => primitive(Physical::DOUBLE, None).build().map_err(fail),
        ColumnType::Date => primitive(Physical::INT32, Some(LogicalType::Date)).build().map_err(fail),
        ColumnType::Timestamp => primitive(Physical::INT96, None).build().map_err(fail),
        ColumnType::String | ColumnType::Char(_) | ColumnType::Varchar(_) => {
            primitive(Physical::BYTE_ARRAY, Some(LogicalType::String)).build().map_err(fail)
        }
        ColumnType::Binary => primitive(Physical::BYTE_ARRAY, None).build().map_err(fail),
        ColumnType::Decimal { precision, scale } => {
            primitive(Physical::FIXED_LEN_BYTE_ARRAY, Some(LogicalType::decimal(*scale as i32, *precision as i32)))
                .with_length(decimal_bytes(*precision) as i32)
                .with_precision(*precision as i32)
                .with_scale(*scale as i32)
                .build()
                .map_err(fail)
        }
    }
}

/// A value as the viewer shows it: strings bare, timestamps in UTC, nested values JSON-like.
fn text(v: &Value) -> String {
    match v {
        Value::Null => "null".into(),
        Value::Str(s) => s.clone(),
        Value::TimestampMillis(ms) => utc(*ms),
        Value::Date(days) => {
            let (y, m, d) = civil_from_days(*days as i64);
            format!("{y:04}-{m:02}-{d:02}")
        }
        Value::Group(row) => {
            let members: Vec<String> = row.get_column_iter().map(|(k, v)| format!("{k}: {}", quoted(v))).collect();
            format!("{{{}}}", members.join(", "))
        }
        Value::ListInternal(list) => {
            format!("[{}]", list.elements().iter().map(quoted).collect::<Vec<_>>().join(", "))
        }
        Value::MapInternal(map) => {
            let entries: Vec<String> =
                map.entries().iter().map(|(k, v)| format!("{}: {}", quoted(k), quoted(v))).collect();
            format!("{{{}}}", entries.join(", "))
        }
        other => other.to_string(),
    }
}

fn quoted(v: &Value) -> String {
    match v {
        Value::Str(s) => format!("\"{s}\""),
        other => text(other),
    }
}

/// `2021-01-05 00:57:08.000` (UTC).
fn utc(ms: i64) -> String {
    let secs = ms.div_euclid(1_000);
    let (y, m, d) = civil_from_days(secs.div_euclid(86_400));
    let s = secs.rem_euclid(86_400);
    format!("{y:04}-{m:02}-{d:02} {:02}:{:02}:{:02}.{:03}", s / 3_600, s / 60 % 60, s % 60, ms.rem_euclid(1_000))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::columnar::{hive, ParquetOptions};

    fn job(columns: &[(&str, &str)], rows: Vec<Vec<Cell>>, compression: ParquetCompression) -> ParquetJob {
        ParquetJob {
            columns: columns.iter().map(|(n, t)| Field { name: (*n).into(), ty: hive::parse(t).unwrap() }).collect(),
            rows,
            options: ParquetOptions { compression, page_size_bytes: 1 << 20, dictionary: false, writer_v2: false },
        }
    }

    #[test]
    fn flat_rows_read_back_with_their_types_and_nulls() {
        let j = job(
            &[("stationid", "int"), ("action", "string"), ("price", "double"), ("at", "timestamp"), ("day", "date")],
            vec![
                vec![
                    Cell::Int(100),
                    Cell::Text("RENTED".into()),
                    Cell::Null,
                    Cell::Timestamp(1_609_808_228_000_000_000),
                    Cell::Date(18_632),
                ],
                vec![Cell::Int(110), Cell::Text("DOCKED".into()), Cell::Float(4.5), Cell::Null, Cell::Null],
            ],
            ParquetCompression::Snappy,
        );
        let bytes = write(&j).unwrap();
        assert_eq!((&bytes[..4], &bytes[bytes.len() - 4..]), (&b"PAR1"[..], &b"PAR1"[..]));
        let t = read(&bytes, 10).unwrap();
        assert_eq!(t.columns, ["stationid", "action", "price", "at", "day"]);
        assert_eq!(t.rows[0], ["100", "RENTED", "null", "2021-01-05 00:57:08.000", "2021-01-05"]);
        assert_eq!(t.rows[1], ["110", "DOCKED", "4.5", "null", "null"]);
        assert_eq!((t.total_rows, t.row_groups, t.codec.as_str(), t.created_by.as_str()), (2, 1, "SNAPPY", CREATED_BY));
        assert!(t.types[3].contains("INT96"), "{:?}", t.types);
        assert_eq!(write(&j).unwrap(), bytes, "the same job gives the same bytes");
    }

    #[test]
    fn nested_columns_shred_and_read_back() {
        let j = job(
            &[
                ("bikedetail", "struct<bikenum:string,biketype:string>"),
                ("tags", "array<string>"),
                ("counts", "map<string,int>"),
                ("price", "decimal(10,2)"),
                ("deep", "array<struct<a:int,b:array<int>>>"),
            ],
            vec![
                vec![
                    Cell::Struct(vec![Cell::Text("B1".into()), Cell::Null]),
                    Cell::List(vec![Cell::Text("x".into()), Cell::Null, Cell::Text("y".into())]),
                    Cell::Map(vec![(Cell::Text("k".into()), Cell::Int(1)), (Cell::Text("j".into()), Cell::Null)]),
                    Cell::Decimal(12_345),
                    Cell::List(vec![
                        Cell::Struct(vec![Cell::Int(1), Cell::List(vec![Cell::Int(2), Cell::Int(3)])]),
                        Cell::Struct(vec![Cell::Null, Cell::List(vec![])]),
                    ]),
                ],
                vec![Cell::Null, Cell::List(vec![]), Cell::Map(vec![]), Cell::Decimal(-5), Cell::Null],
            ],
            ParquetCompression::Gzip,
        );
        let t = read(&write(&j).unwrap(), 10).unwrap();
        assert_eq!(
            t.rows[0],
            [
                "{bikenum: \"B1\", biketype: null}",
                "[\"x\", null, \"y\"]",
                "{\"k\": 1, \"j\": null}",
                "123.45",
                "[{a: 1, b: [2, 3]}, {a: null, b: []}]",
            ]
        );
        assert_eq!(t.rows[1], ["null", "[]", "{}", "-0.05", "null"]);
        assert_eq!(t.codec, "GZIP");
    }

    #[test]
    fn decimal_widths_follow_hive() {
        assert_eq!([1, 2, 9, 10, 18, 19, 38].map(decimal_bytes), [1, 1, 4, 5, 8, 9, 16]);
        assert_eq!(int96(0).data(), &[0, 0, 2_440_588]);
        assert_eq!(int96(-1).data()[2], 2_440_587, "before the epoch: the day before");
    }

    #[test]
    fn garbage_is_refused_not_a_panic() {
        assert!(read(b"PAR1 not really", 5).unwrap_err().contains("not a Parquet file"));
        let bad = job(&[("a", "int")], vec![vec![Cell::Int(1), Cell::Int(2)]], ParquetCompression::Uncompressed);
        assert!(write(&bad).unwrap_err().contains("2 values for 1 columns"));
        let wrong = job(&[("a", "array<int>")], vec![vec![Cell::Int(1)]], ParquetCompression::Uncompressed);
        assert!(write(&wrong).is_err());
    }
}
