//! Dynamic partitioning through `kinesis-lab api`: jq keys into per-partition objects, records without keys
//! and records beyond the 500-active-partition limit under the error prefix, JSON de-aggregation, and the
//! configuration rules (64 MiB, keys the query produces, create-time only).

use crate::harness::Api;
use base64::engine::general_purpose::STANDARD;
use base64::Engine as _;
use serde_json::{json, Value};

fn destination(query: &str, size_mib: u64) -> Value {
    json!({
        "RoleARN": "arn:aws:iam::123456789012:role/r",
        "BucketARN": "arn:aws:s3:::lake",
        "Prefix": "station=!{partitionKeyFromQuery:station}/hour=!{timestamp:HH}/",
        "ErrorOutputPrefix": "errors/!{firehose:error-output-type}/",
        "BufferingHints": {"SizeInMBs": size_mib, "IntervalInSeconds": 60},
        "DynamicPartitioningConfiguration": {"Enabled": true},
        "ProcessingConfiguration": {"Enabled": true, "Processors": [
            {"Type": "RecordDeAggregation", "Parameters": [{"ParameterName": "SubRecordType", "ParameterValue": "JSON"}]},
            {"Type": "MetadataExtraction", "Parameters": [
                {"ParameterName": "MetadataExtractionQuery", "ParameterValue": query},
                {"ParameterName": "JsonParsingEngine", "ParameterValue": "JQ-1.6"},
            ]},
            {"Type": "AppendDelimiterToRecord", "Parameters": []},
        ]},
    })
}

fn create(api: &mut Api, name: &str, d: Value) -> Result<Value, (String, String)> {
    let at_ms = api.now_ms;
    api.call_service(
        at_ms,
        "firehose",
        "CreateDeliveryStream",
        json!({"DeliveryStreamName": name, "ExtendedS3DestinationConfiguration": d}),
    )
}

fn put_batch(api: &mut Api, at_ms: u64, records: &[String]) {
    for chunk in records.chunks(500) {
        let records: Vec<Value> = chunk.iter().map(|r| json!({"Data": STANDARD.encode(r)})).collect();
        let out = api
            .call_service(
                at_ms,
                "firehose",
                "PutRecordBatch",
                json!({"DeliveryStreamName": "bikes", "Records": records}),
            )
            .unwrap();
        assert_eq!(out["FailedPutCount"], 0);
    }
}

fn objects(api: &mut Api, at_ms: u64, prefix: &str) -> Vec<(String, String)> {
    let listed = api.call_service(at_ms, "s3", "ListObjectsV2", json!({"Bucket": "lake", "Prefix": prefix})).unwrap();
    listed["Contents"]
        .as_array()
        .unwrap()
        .iter()
        .map(|o| {
            let key = o["Key"].as_str().unwrap().to_string();
            let got = api.call_service(at_ms, "s3", "GetObject", json!({"Bucket": "lake", "Key": key})).unwrap();
            (key, String::from_utf8(STANDARD.decode(got["Body"].as_str().unwrap()).unwrap()).unwrap())
        })
        .collect()
}

#[test]
fn each_station_gets_its_own_objects_and_keyless_records_go_to_the_error_prefix() {
    let mut api = Api::new();
    create(&mut api, "bikes", destination("{station:.stationId}", 64)).unwrap();
    let records = vec![
        r#"{"stationId":100,"action":"RENTED"}"#.to_string(),
        r#"{"stationId":110,"action":"DOCKED"}{"stationId":100,"action":"DOCKED"}"#.to_string(),
        r#"{"action":"RENTED"}"#.to_string(),
    ];
    put_batch(&mut api, 10_000, &records);
    let stations = objects(&mut api, 80_000, "station=");
    assert_eq!(stations.len(), 2, "{stations:?}");
    assert!(stations[0].0.starts_with("station=100/hour=22/bikes-1-"), "{}", stations[0].0);
    assert_eq!(stations[0].1, "{\"stationId\":100,\"action\":\"RENTED\"}\n{\"stationId\":100,\"action\":\"DOCKED\"}\n");
    assert_eq!(stations[1].1, "{\"stationId\":110,\"action\":\"DOCKED\"}\n");
    let errors = objects(&mut api, 80_000, "errors/partitioning-failed/");
    assert_eq!(errors.len(), 1);
    let envelope: Value = serde_json::from_str(errors[0].1.trim_end()).unwrap();
    assert!(envelope["errorMessage"].as_str().unwrap().contains("station is null or missing"), "{envelope}");
}

#[test]
fn beyond_500_active_partitions_records_go_to_active_partition_exceeded() {
    let mut api = Api::new();
    create(&mut api, "bikes", destination("{station:.stationId}", 64)).unwrap();
    let records: Vec<String> = (0..600).map(|i| format!(r#"{{"stationId":{i}}}"#)).collect();
    put_batch(&mut api, 10_000, &records);
    let delivered = objects(&mut api, 80_000, "station=");
    assert_eq!(delivered.len(), 500);
    let over = objects(&mut api, 80_000, "errors/activePartitionExceeded/");
    assert_eq!(over.len(), 1);
    assert_eq!(over[0].1.lines().count(), 100);
    let metric = |api: &mut Api, name: &str, stat: &str| {
        let input = json!({
            "Namespace": "AWS/Firehose", "MetricName": name,
            "Dimensions": [{"Name": "DeliveryStreamName", "Value": "bikes"}],
            "StartTime": 1_700_000_000u64, "EndTime": 1_700_000_600u64, "Period": 600, "Statistics": [stat],
        });
        api.call_service(80_001, "cloudwatch", "GetMetricStatistics", input).unwrap()["Datapoints"][0][stat].as_f64()
    };
    assert_eq!(metric(&mut api, "PartitionCount", "Maximum"), Some(500.0));
    assert_eq!(metric(&mut api, "DeliveryToS3.Records", "Sum"), Some(500.0), "partition objects are deliveries");
    assert_eq!(metric(&mut api, "DeliveryToS3.ObjectCount", "Sum"), Some(500.0));
    assert_eq!(metric(&mut api, "PartitionCountExceeded", "Sum"), Some(100.0));
}

#[test]
fn the_configuration_rules_hold() {
    let mut api = Api::new();
    let (_, small) = create(&mut api, "a", destination("{station:.stationId}", 5)).unwrap_err();
    assert!(small.contains("at least 64 with dynamic partitioning"), "{small}");
    let (_, unknown) = create(&mut api, "b", destination("{id:.stationId}", 64)).unwrap_err();
    assert!(unknown.contains("does not produce"), "{unknown}");
    let (_, bad) = create(&mut api, "c", destination("{station:.stationId|nope}", 64)).unwrap_err();
    assert!(bad.contains("nope/0 is not defined"), "{bad}");
    let mut off = destination("{station:.stationId}", 64);
    off["DynamicPartitioningConfiguration"] = json!({"Enabled": false});
    off["Prefix"] = json!("plain/");
    let (_, needs) = create(&mut api, "d", off).unwrap_err();
    assert!(needs.contains("needs DynamicPartitioningConfiguration enabled"), "{needs}");
    create(&mut api, "bikes", destination("{station:.stationId}", 64)).unwrap();
    let update = json!({
        "DeliveryStreamName": "bikes", "CurrentDeliveryStreamVersionId": "1", "DestinationId": "destinationId-000000000001",
        "ExtendedS3DestinationUpdate": {"DynamicPartitioningConfiguration": {"Enabled": false}, "Prefix": "plain/",
            "ProcessingConfiguration": {"Enabled": false}},
    });
    let (_, toggled) = api.call_service(10_000, "firehose", "UpdateDestination", update).unwrap_err();
    assert!(toggled.contains("only be enabled when a Firehose stream is created"), "{toggled}");
}

#[test]
fn keys_from_lambda_metadata_partition_too() {
    let mut api = Api::new();
    let function =
        json!({"FunctionName": "keys", "Handler": "partition_keys", "Environment": {"Variables": {"FIELDS": "city"}}});
    api.call_service(0, "lambda", "CreateFunction", function).unwrap();
    let mut d = destination("{station:.stationId}", 64);
    d["Prefix"] = json!("city=!{partitionKeyFromLambda:city}/station=!{partitionKeyFromQuery:station}/");
    d["ProcessingConfiguration"]["Processors"].as_array_mut().unwrap().push(json!({"Type": "Lambda", "Parameters": [
        {"ParameterName": "LambdaArn", "ParameterValue": "arn:aws:lambda:us-east-1:123456789012:function:keys"}]}));
    create(&mut api, "bikes", d.clone()).unwrap();
    put_batch(
        &mut api,
        10_000,
        &[r#"{"stationId":1,"city":"NYC"}"#.to_string(), r#"{"stationId":2,"city":"SF"}"#.to_string()],
    );
    let keys: Vec<String> = objects(&mut api, 200_000, "city=").into_iter().map(|(k, _)| k).collect();
    assert_eq!(keys.len(), 2);
    assert!(keys[0].starts_with("city=NYC/station=1/") && keys[1].starts_with("city=SF/station=2/"), "{keys:?}");
    let mut no_lambda = destination("{station:.stationId}", 64);
    no_lambda["Prefix"] = json!("city=!{partitionKeyFromLambda:city}/");
    let (_, message) = create(&mut api, "other", no_lambda).unwrap_err();
    assert!(message.contains("needs a Lambda processor"), "{message}");
}
