//! The Redshift destination through `kinesis-lab api`: objects staged in the intermediate bucket, one COPY
//! at a time with a manifest, rows in the table (read back through the Redshift Data API), and the failure
//! path — a missing table retried every 5 minutes for the retry duration, then the batch skipped with its
//! manifest under errors/; a cluster outage; bad rows beyond MAXERROR in STL_LOAD_ERRORS.

use crate::harness::Api;
use base64::engine::general_purpose::STANDARD;
use base64::Engine as _;
use serde_json::{json, Value};

fn sql(api: &mut Api, at_ms: u64, text: &str) -> Value {
    let run = json!({"ClusterIdentifier": "rides", "Database": "dev", "Sql": text});
    let id = api.call_service(at_ms, "redshift-data", "ExecuteStatement", run).unwrap()["Id"].clone();
    let d = api.call_service(at_ms, "redshift-data", "DescribeStatement", json!({"Id": id})).unwrap();
    if d["Status"] == "FINISHED" && d["HasResultSet"] == true {
        return api.call_service(at_ms, "redshift-data", "GetStatementResult", json!({"Id": id})).unwrap();
    }
    d
}

fn create(api: &mut Api, extra: Value) -> Result<Value, (String, String)> {
    let mut d = json!({
        "RoleARN": "arn:aws:iam::123456789012:role/r",
        "ClusterJDBCURL": "jdbc:redshift://rides.abc123.us-east-1.redshift.amazonaws.com:5439/dev",
        "CopyCommand": {"DataTableName": "trips", "DataTableColumns": "stationid,action,price", "CopyOptions": "JSON 'auto' GZIP"},
        "Username": "firehose",
        "Password": "Secret-1",
        "RetryOptions": {"DurationInSeconds": 900},
        "S3Configuration": {"RoleARN": "arn:aws:iam::123456789012:role/r", "BucketARN": "arn:aws:s3:::staging",
            "Prefix": "trips/", "CompressionFormat": "GZIP", "BufferingHints": {"SizeInMBs": 1, "IntervalInSeconds": 60}},
    });
    if let (Some(d), Some(extra)) = (d.as_object_mut(), extra.as_object()) {
        d.extend(extra.clone());
    }
    api.call_service(
        0,
        "firehose",
        "CreateDeliveryStream",
        json!({"DeliveryStreamName": "trips", "RedshiftDestinationConfiguration": d}),
    )
}

fn put(api: &mut Api, at_ms: u64, records: &[String]) {
    let records: Vec<Value> = records.iter().map(|r| json!({"Data": STANDARD.encode(r)})).collect();
    let out = api
        .call_service(at_ms, "firehose", "PutRecordBatch", json!({"DeliveryStreamName": "trips", "Records": records}))
        .unwrap();
    assert_eq!(out["FailedPutCount"], 0);
}

fn keys(api: &mut Api, at_ms: u64, prefix: &str) -> Vec<String> {
    let listed =
        api.call_service(at_ms, "s3", "ListObjectsV2", json!({"Bucket": "staging", "Prefix": prefix})).unwrap();
    listed["Contents"].as_array().unwrap().iter().map(|o| o["Key"].as_str().unwrap().to_string()).collect()
}

fn rides(n: usize, from: usize) -> Vec<String> {
    (from..from + n)
        .map(|i| format!("{{\"stationid\":{},\"action\":\"DOCKED\",\"price\":{}.5}}\n", 100 + i % 3, i))
        .collect()
}

fn metric(api: &mut Api, at_ms: u64, name: &str) -> f64 {
    let out = api
        .call_service(
            at_ms,
            "cloudwatch",
            "GetMetricStatistics",
            json!({"Namespace": "AWS/Firehose", "MetricName": name, "Dimensions": [{"Name": "DeliveryStreamName", "Value": "trips"}],
                   "StartTime": 1_700_000_000, "EndTime": 1_700_010_000, "Period": 10_000, "Statistics": ["Sum"]}),
        )
        .unwrap();
    out["Datapoints"][0]["Sum"].as_f64().unwrap_or(0.0)
}

#[test]
fn staged_objects_are_copied_one_copy_at_a_time_into_the_table() {
    let mut api = Api::new();
    sql(&mut api, 0, "CREATE TABLE trips (stationid INTEGER NOT NULL, action VARCHAR(8), price DOUBLE PRECISION)");
    create(&mut api, json!({})).unwrap();
    put(&mut api, 10_000, &rides(100, 0));
    put(&mut api, 20_000, &rides(50, 100));
    // The interval flushes at 70 s; the object is written, then COPY loads it.
    let staged = keys(&mut api, 80_000, "trips/");
    let objects: Vec<&String> = staged.iter().filter(|k| !k.starts_with("trips/manifests/")).collect();
    assert_eq!(objects.len(), 1, "{staged:?}");
    assert!(objects[0].ends_with(".gz"));
    let manifests: Vec<&String> =
        staged.iter().filter(|k| k.starts_with("trips/manifests/2023/11/14/22/trips-1-")).collect();
    assert_eq!(manifests.len(), 1, "one manifest per COPY: {staged:?}");
    let body = api.call_service(80_000, "s3", "GetObject", json!({"Bucket": "staging", "Key": manifests[0]})).unwrap();
    let manifest: Value = serde_json::from_slice(&STANDARD.decode(body["Body"].as_str().unwrap()).unwrap()).unwrap();
    assert_eq!(manifest["entries"][0], json!({"url": format!("s3://staging/{}", objects[0]), "mandatory": true}));
    assert_eq!(sql(&mut api, 80_000, "SELECT COUNT(*) FROM trips")["Records"][0][0]["longValue"], 150);
    let first = sql(&mut api, 80_000, "SELECT stationid, action, price FROM trips LIMIT 1");
    assert_eq!(first["Records"][0], json!([{"longValue": 100}, {"stringValue": "DOCKED"}, {"doubleValue": 0.5}]));
    assert_eq!(sql(&mut api, 80_000, "SELECT lines_scanned FROM stl_load_commits")["Records"][0][0]["longValue"], 150);
    assert_eq!(
        (
            metric(&mut api, 90_000, "DeliveryToRedshift.Records"),
            metric(&mut api, 90_000, "DeliveryToRedshift.Success")
        ),
        (150.0, 1.0)
    );
    assert_eq!(
        metric(&mut api, 90_000, "DeliveryToS3.Records"),
        150.0,
        "the intermediate object counts as an S3 delivery"
    );
    let d =
        api.call_service(90_000, "firehose", "DescribeDeliveryStream", json!({"DeliveryStreamName": "trips"})).unwrap();
    let r = &d["DeliveryStreamDescription"]["Destinations"][0]["RedshiftDestinationDescription"];
    assert_eq!(
        (r["CopyCommand"]["DataTableName"].as_str(), r["RetryOptions"]["DurationInSeconds"].as_u64()),
        (Some("trips"), Some(900))
    );
    assert!(r.get("Password").is_none());
    assert_eq!(r["S3DestinationDescription"]["CompressionFormat"], "GZIP");
}

#[test]
fn a_missing_table_is_retried_every_5_minutes_then_skipped_to_errors() {
    let mut api = Api::new();
    create(&mut api, json!({})).unwrap();
    put(&mut api, 10_000, &rides(10, 0));
    // COPY at 70 s fails (no table), again at 370, 670 and 970 s: 970 − 70 ≥ 900, so the batch is skipped.
    assert!(keys(&mut api, 900_000, "trips/errors/").is_empty(), "still retrying");
    let skipped = keys(&mut api, 1_000_000, "trips/errors/manifests/");
    assert_eq!(skipped.len(), 1, "the skipped batch's manifest is kept for a backfill");
    assert_eq!(metric(&mut api, 1_000_000, "DeliveryToRedshift.Success"), 0.0);
    // The table appears: the next batch loads; the skipped one stays in errors/ (the objects stay too).
    sql(&mut api, 1_000_000, "CREATE TABLE trips (stationid INTEGER, action VARCHAR(8), price DOUBLE PRECISION)");
    put(&mut api, 1_010_000, &rides(5, 10));
    assert_eq!(sql(&mut api, 1_090_000, "SELECT COUNT(*) FROM trips")["Records"][0][0]["longValue"], 5);
    assert_eq!(keys(&mut api, 1_090_000, "trips/2023").len(), 2, "intermediate objects are never deleted");
}

#[test]
fn a_cluster_outage_delays_the_copy_and_bad_rows_fail_it_past_maxerror() {
    let mut api = Api::new();
    sql(&mut api, 0, "CREATE TABLE trips (stationid INTEGER NOT NULL, action VARCHAR(8), price DOUBLE PRECISION)");
    create(&mut api, json!({})).unwrap();
    api.call_service(
        5_000,
        "redshift-data",
        "InjectOutage",
        json!({"ClusterIdentifier": "rides", "DurationSeconds": 200}),
    )
    .unwrap();
    put(&mut api, 10_000, &rides(10, 0));
    assert_eq!(
        sql(&mut api, 300_000, "SELECT COUNT(*) FROM trips")["Records"][0][0]["longValue"],
        0,
        "the first COPY failed"
    );
    // The retry at 370 s finds the cluster back.
    assert_eq!(sql(&mut api, 380_000, "SELECT COUNT(*) FROM trips")["Records"][0][0]["longValue"], 10);
    let mut bad = rides(3, 10);
    bad.push("{\"stationid\":\"x\",\"action\":\"DOCKED\"}\n".into());
    put(&mut api, 400_000, &bad);
    sql(&mut api, 480_000, "SELECT COUNT(*) FROM trips");
    let errors = sql(&mut api, 480_000, "SELECT colname, err_code, raw_field_value FROM stl_load_errors");
    assert_eq!(errors["Records"][0], json!([{"stringValue": "stationid"}, {"longValue": 1207}, {"stringValue": "x"}]));
    assert_eq!(
        sql(&mut api, 480_000, "SELECT COUNT(*) FROM trips")["Records"][0][0]["longValue"],
        10,
        "MAXERROR 0 refuses the whole COPY"
    );
}

#[test]
fn configuration_rules() {
    let mut api = Api::new();
    let snappy = json!({"S3Configuration": {"BucketARN": "arn:aws:s3:::staging", "CompressionFormat": "Snappy"}});
    assert!(create(&mut api, snappy).unwrap_err().1.contains("UNCOMPRESSED or GZIP"));
    let expressions =
        json!({"S3Configuration": {"BucketARN": "arn:aws:s3:::staging", "Prefix": "t/!{timestamp:yyyy}/"}});
    assert!(create(&mut api, expressions).unwrap_err().1.contains("cannot have expressions"));
    let short = create(&mut api, json!({"Password": "abc"})).unwrap_err();
    assert_eq!(short.0, "ValidationException", "{short:?}");
}
