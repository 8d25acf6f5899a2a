//! Record format conversion through `kinesis-lab api`: a Glue table, JSON records into real Parquet objects
//! (read back with the `parquet` crate's reader), failed records under `format-conversion-failed` with the
//! §1.7 envelope, a missing table failing every record, and the configuration rules (64 MiB, UNCOMPRESSED,
//! ORC not built).

use crate::harness::Api;
use base64::engine::general_purpose::STANDARD;
use base64::Engine as _;
use kinesis_lab::columnar::parquet_file;
use serde_json::{json, Value};

fn catalog(api: &mut Api) {
    api.call_service(0, "glue", "CreateDatabase", json!({"DatabaseInput": {"Name": "smartcitybikes"}})).unwrap();
    let columns = json!([
        {"Name": "stationId", "Type": "int"},
        {"Name": "action", "Type": "string"},
        {"Name": "price", "Type": "double"},
        {"Name": "eventUTCTime", "Type": "timestamp"},
        {"Name": "bikeDetail", "Type": "struct<bikeNum:string,bikeType:string>"},
    ]);
    api.call_service(
        0,
        "glue",
        "CreateTable",
        json!({"DatabaseName": "smartcitybikes", "TableInput": {"Name": "bikestationsdata", "StorageDescriptor": {"Columns": columns}}}),
    )
    .unwrap();
}

fn destination(table: &str, deserializer: Value, extra: Value) -> Value {
    let mut d = json!({
        "RoleARN": "arn:aws:iam::123456789012:role/r",
        "BucketARN": "arn:aws:s3:::lake",
        "Prefix": "bikes/",
        "ErrorOutputPrefix": "errors/!{firehose:error-output-type}/",
        "BufferingHints": {"SizeInMBs": 64, "IntervalInSeconds": 60},
        "DataFormatConversionConfiguration": {
            "SchemaConfiguration": {"RoleARN": "arn:aws:iam::123456789012:role/r", "DatabaseName": "smartcitybikes", "TableName": table},
            "InputFormatConfiguration": {"Deserializer": deserializer},
            "OutputFormatConfiguration": {"Serializer": {"ParquetSerDe": {}}},
        },
    });
    if let (Some(d), Some(extra)) = (d.as_object_mut(), extra.as_object()) {
        d.extend(extra.clone());
    }
    d
}

fn create(api: &mut Api, d: Value) -> Result<Value, (String, String)> {
    api.call_service(
        0,
        "firehose",
        "CreateDeliveryStream",
        json!({"DeliveryStreamName": "bikes", "ExtendedS3DestinationConfiguration": d}),
    )
}

fn put(api: &mut Api, at_ms: u64, records: &[&str]) {
    let records: Vec<Value> = records.iter().map(|r| json!({"Data": STANDARD.encode(r)})).collect();
    let out = api
        .call_service(at_ms, "firehose", "PutRecordBatch", json!({"DeliveryStreamName": "bikes", "Records": records}))
        .unwrap();
    assert_eq!(out["FailedPutCount"], 0);
}

fn objects(api: &mut Api, at_ms: u64, prefix: &str) -> Vec<(String, Vec<u8>)> {
    let listed = api.call_service(at_ms, "s3", "ListObjectsV2", json!({"Bucket": "lake", "Prefix": prefix})).unwrap();
    listed["Contents"]
        .as_array()
        .unwrap()
        .iter()
        .map(|o| {
            let key = o["Key"].as_str().unwrap().to_string();
            let got = api.call_service(at_ms, "s3", "GetObject", json!({"Bucket": "lake", "Key": key})).unwrap();
            (key, STANDARD.decode(got["Body"].as_str().unwrap()).unwrap())
        })
        .collect()
}

const RENTED: &str = r#"{"stationId":100,"action":"RENTED","tripDuration":"","price":"","eventUTCTime":"2021-01-05 00:57:08","bikeDetail":{"bikeNum":"B7","bikeType":"E"}}"#;
const DOCKED: &str = r#"{"stationId":110,"action":"DOCKED","price":4.5,"eventUTCTime":"2021-01-05T01:00:00Z"}"#;

#[test]
fn json_records_become_a_parquet_object_a_reader_opens() {
    let mut api = Api::new();
    catalog(&mut api);
    create(&mut api, destination("bikestationsdata", json!({"OpenXJsonSerDe": {}}), json!({}))).unwrap();
    put(&mut api, 10_000, &[RENTED, DOCKED, "not json at all", r#"{"stationId":"oops"}"#]);
    let data = objects(&mut api, 80_000, "bikes/");
    assert_eq!(data.len(), 1, "one object for the flushed batch");
    let (key, body) = &data[0];
    assert!(key.ends_with(".parquet") && key.starts_with("bikes/2023/11/14/22/bikes-1-2023-11-14-22-"), "{key}");
    let table = parquet_file::read(body, 10).expect("a standard Parquet reader opens it");
    assert_eq!(table.columns, ["stationid", "action", "price", "eventutctime", "bikedetail"]);
    assert_eq!(
        table.rows[0],
        ["100", "RENTED", "null", "2021-01-05 00:57:08.000", "{bikenum: \"B7\", biketype: \"E\"}"]
    );
    assert_eq!(table.rows[1], ["110", "DOCKED", "4.5", "2021-01-05 01:00:00.000", "null"]);
    assert_eq!((table.total_rows, table.codec.as_str()), (2, "SNAPPY"));
    let errors = objects(&mut api, 80_000, "errors/format-conversion-failed/");
    assert_eq!(errors.len(), 1);
    assert!(!errors[0].0.contains('.'), "error objects carry no extension: {}", errors[0].0);
    let lines: Vec<Value> =
        std::str::from_utf8(&errors[0].1).unwrap().lines().map(|l| serde_json::from_str(l).unwrap()).collect();
    assert_eq!(lines.len(), 2);
    assert_eq!(lines[0]["lastErrorCode"], "DataFormatConversion.ParseError");
    assert_eq!(lines[1]["lastErrorCode"], "DataFormatConversion.MalformedData");
    assert_eq!(lines[1]["lastErrorMessage"], "Data does not match the schema. For input string: \"oops\"");
    assert_eq!(lines[1]["rawData"], STANDARD.encode(r#"{"stationId":"oops"}"#));
    assert_eq!(lines[1]["dataCatalogTable"]["tableName"], "bikestationsdata");
    let metric = |api: &mut Api, name: &str| {
        let out = api
            .call_service(
                90_000,
                "cloudwatch",
                "GetMetricStatistics",
                json!({"Namespace": "AWS/Firehose", "MetricName": name, "Dimensions": [{"Name": "DeliveryStreamName", "Value": "bikes"}],
                       "StartTime": 1_700_000_000, "EndTime": 1_700_000_100, "Period": 100, "Statistics": ["Sum"]}),
            )
            .unwrap();
        out["Datapoints"][0]["Sum"].as_f64().unwrap_or(0.0)
    };
    assert_eq!(
        (metric(&mut api, "SucceedConversion.Records"), metric(&mut api, "FailedConversion.Records")),
        (2.0, 2.0)
    );
    assert_eq!(metric(&mut api, "DeliveryToS3.Records"), 2.0);
}

#[test]
fn the_hive_serde_refuses_the_empty_price_and_a_missing_table_fails_every_record() {
    let mut api = Api::new();
    catalog(&mut api);
    create(&mut api, destination("bikestationsdata", json!({"HiveJsonSerDe": {}}), json!({}))).unwrap();
    put(&mut api, 10_000, &[RENTED, DOCKED]);
    assert_eq!(
        objects(&mut api, 80_000, "bikes/").len(),
        0,
        "the Hive SerDe refuses both records' timestamps or prices"
    );
    let errors = objects(&mut api, 80_000, "errors/format-conversion-failed/");
    let text = String::from_utf8(errors[0].1.clone()).unwrap();
    assert_eq!(text.lines().count(), 2);
    let mut api = Api::new();
    catalog(&mut api);
    create(&mut api, destination("no_such_table", json!({"OpenXJsonSerDe": {}}), json!({}))).unwrap();
    put(&mut api, 10_000, &[DOCKED]);
    let errors = objects(&mut api, 80_000, "errors/");
    let line: Value = serde_json::from_slice(errors[0].1.split(|b| *b == b'\n').next().unwrap()).unwrap();
    assert_eq!(line["lastErrorCode"], "DataFormatConversion.EntityNotFound");
}

#[test]
fn configuration_rules() {
    let mut api = Api::new();
    catalog(&mut api);
    let openx = || json!({"OpenXJsonSerDe": {}});
    let small = create(
        &mut api,
        destination("t", openx(), json!({"BufferingHints": {"SizeInMBs": 5, "IntervalInSeconds": 60}})),
    )
    .unwrap_err();
    assert!(small.1.contains("at least 64 with record format conversion"), "{small:?}");
    let gzip = create(&mut api, destination("t", openx(), json!({"CompressionFormat": "GZIP"}))).unwrap_err();
    assert!(gzip.1.contains("must be UNCOMPRESSED"), "{gzip:?}");
    let mut orc = destination("t", openx(), json!({}));
    orc["DataFormatConversionConfiguration"]["OutputFormatConfiguration"] = json!({"Serializer": {"OrcSerDe": {}}});
    assert!(create(&mut api, orc).unwrap_err().1.contains("not built in this lab yet"));
    let defaults = destination("t", openx(), json!({}));
    let mut defaulted = defaults.clone();
    defaulted.as_object_mut().unwrap().remove("BufferingHints");
    create(&mut api, defaulted).unwrap();
    let d =
        api.call_service(6_000, "firehose", "DescribeDeliveryStream", json!({"DeliveryStreamName": "bikes"})).unwrap();
    let s3 = &d["DeliveryStreamDescription"]["Destinations"][0]["ExtendedS3DestinationDescription"];
    assert_eq!(s3["BufferingHints"]["SizeInMBs"], 128, "L18: the default becomes 128 MiB");
    assert_eq!(s3["DataFormatConversionConfiguration"]["SchemaConfiguration"]["TableName"], "t");
}

#[test]
fn the_p1_preset_writes_openx_rows_with_null_prices_and_hive_refuses_them() {
    use kinesis_lab::engine::runner::Runner;
    use kinesis_lab::engine::scenario::{presets, Scenario};
    use kinesis_lab::engine::time::SimTime;
    use kinesis_lab::engine::Engine;
    let preset = presets::find("firehose-p01-bikes-to-parquet").unwrap();
    let mut runner = Runner::new(Engine::from_plan(Scenario::load(preset.json).unwrap()));
    runner.run_until(SimTime::from_secs(1_000), u64::MAX, &mut |_| {});
    let bucket = runner.engine().s3().bucket("smartcitybikes-lake").unwrap();
    let keys: Vec<&String> = bucket.objects.keys().collect();
    let parquet = |prefix: &str| {
        let (key, o) = bucket.objects.iter().find(|(k, _)| k.starts_with(prefix) && k.ends_with(".parquet")).unwrap();
        (key.clone(), parquet_file::read(o.body.as_deref().unwrap(), 100_000).unwrap())
    };
    let (key, openx) = parquet("openx/year=2021/month=01/day=05/hour=00/");
    assert!(key.contains("KDFSmartCityBikesOpenX-1-2021-01-05-00-00-"), "{key}");
    let column =
        |t: &kinesis_lab::columnar::TablePreview, name: &str| t.columns.iter().position(|c| c == name).unwrap();
    let (action, price, address) =
        (column(&openx, "action"), column(&openx, "price"), column(&openx, "stationaddress"));
    assert!(
        openx.rows.iter().any(|r| r[action] == "RENTED" && r[price] == "null"),
        "OpenX reads the empty price as null"
    );
    assert!(openx.rows.iter().any(|r| r[address] == "7033 Summerhouse Ave. Staten Island NY 10306"));
    assert!(openx.rows.iter().any(|r| r[address] == "null"), "station 120 has no address in the lookup table");
    let (_, hive) = parquet("hive/year=2021/");
    assert!(hive.rows.iter().all(|r| r[action] == "DOCKED"), "the Hive SerDe keeps only the DOCKED rows");
    assert!(
        keys.iter().any(|k| k.starts_with("hive/errors/format-conversion-failed/year=2021/month=01/day=05/")),
        "{keys:?}"
    );
    assert!(!keys.iter().any(|k| k.starts_with("openx/errors/")), "OpenX converts every record");
}
