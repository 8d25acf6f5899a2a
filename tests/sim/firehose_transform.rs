//! Firehose transforms through `kinesis-lab api`: a built-in Lambda (service "lambda") named by the
//! processor's LambdaArn; Ok records delivered transformed, Dropped ones nowhere, ProcessingFailed ones as
//! error records under `processing-failed`; failed invocations retried NumberOfRetries times; source-record
//! backup keeps the untransformed records.

use crate::harness::Api;
use base64::engine::general_purpose::STANDARD;
use base64::Engine as _;
use serde_json::{json, Value};

const FUNCTION_ARN: &str = "arn:aws:lambda:us-east-1:123456789012:function:f";

fn lab(handler: &str, variables: Value, retries: &str) -> Api {
    let mut api = Api::new();
    let function = json!({"FunctionName": "f", "Handler": handler, "Environment": {"Variables": variables}});
    api.call_service(0, "lambda", "CreateFunction", function).unwrap();
    let destination = json!({
        "RoleARN": "arn:aws:iam::123456789012:role/firehose",
        "BucketARN": "arn:aws:s3:::lake",
        "Prefix": "rides/",
        "ErrorOutputPrefix": "errors/!{firehose:error-output-type}/",
        "BufferingHints": {"SizeInMBs": 1, "IntervalInSeconds": 60},
        "ProcessingConfiguration": {"Enabled": true, "Processors": [{"Type": "Lambda", "Parameters": [
            {"ParameterName": "LambdaArn", "ParameterValue": FUNCTION_ARN},
            {"ParameterName": "NumberOfRetries", "ParameterValue": retries},
            {"ParameterName": "BufferIntervalInSeconds", "ParameterValue": "60"},
        ]}]},
    });
    let create = json!({"DeliveryStreamName": "rides", "ExtendedS3DestinationConfiguration": destination});
    api.call_service(0, "firehose", "CreateDeliveryStream", create).unwrap();
    api
}

fn put(api: &mut Api, at_ms: u64, lines: &[&str]) {
    let records: Vec<Value> = lines.iter().map(|l| json!({"Data": STANDARD.encode(l)})).collect();
    let out = api
        .call_service(at_ms, "firehose", "PutRecordBatch", json!({"DeliveryStreamName": "rides", "Records": records}))
        .unwrap();
    assert_eq!(out["FailedPutCount"], 0);
}

/// Every object under `prefix`, as text.
fn bodies(api: &mut Api, at_ms: u64, prefix: &str) -> Vec<String> {
    let listed = api.call_service(at_ms, "s3", "ListObjectsV2", json!({"Bucket": "lake", "Prefix": prefix})).unwrap();
    let keys: Vec<String> =
        listed["Contents"].as_array().unwrap().iter().map(|o| o["Key"].as_str().unwrap().to_string()).collect();
    keys.iter()
        .map(|key| {
            let object = api.call_service(at_ms, "s3", "GetObject", json!({"Bucket": "lake", "Key": key})).unwrap();
            String::from_utf8(STANDARD.decode(object["Body"].as_str().unwrap()).unwrap()).unwrap()
        })
        .collect()
}

#[test]
fn dropped_records_vanish_and_the_rest_arrive_transformed_after_both_buffers() {
    let mut api = lab("drop_when", json!({"FIELD": "action", "EQUALS": "RENTED"}), "3");
    put(&mut api, 10_000, &[r#"{"action":"RENTED","n":1}"#, r#"{"action":"DOCKED","n":2}"#]);
    // The processor buffer flushes at 70 s; the destination interval counts from the records' return.
    assert!(bodies(&mut api, 129_000, "rides/").is_empty());
    let delivered = bodies(&mut api, 140_000, "rides/");
    assert_eq!(delivered, vec![r#"{"action":"DOCKED","n":2}"#.to_string()]);
    assert!(bodies(&mut api, 140_000, "errors/").is_empty());
}

#[test]
fn processing_failed_records_land_under_the_error_prefix_with_the_envelope() {
    let mut api = lab("lowercase_dropped", json!({}), "3");
    put(&mut api, 10_000, &["raw-1"]);
    let errors = bodies(&mut api, 200_000, "errors/processing-failed/");
    assert_eq!(errors.len(), 1, "one error object");
    let envelope: Value = serde_json::from_str(errors[0].trim_end()).unwrap();
    assert_eq!(envelope["rawData"], STANDARD.encode("raw-1"));
    assert_eq!(envelope["lambdaArn"], FUNCTION_ARN);
    assert_eq!(envelope["attemptsMade"], 1);
    assert_eq!(envelope["arrivalTimestamp"], 1_700_000_010_000u64);
    assert!(envelope["errorMessage"].as_str().unwrap().contains("'dropped'"), "{envelope}");
    assert!(bodies(&mut api, 200_000, "rides/").is_empty());
}

#[test]
fn a_throwing_function_is_retried_then_its_batch_fails_whole() {
    let mut api = lab("throw", json!({}), "2");
    put(&mut api, 10_000, &["a", "b"]);
    let errors = bodies(&mut api, 200_000, "errors/processing-failed/");
    let lines: Vec<Value> = errors[0].lines().map(|l| serde_json::from_str(l).unwrap()).collect();
    assert_eq!(lines.len(), 2);
    assert!(lines.iter().all(|e| e["attemptsMade"] == 3 && e["errorCode"] == "Lambda.FunctionError"), "{lines:?}");
    let metric = json!({
        "Namespace": "AWS/Firehose", "MetricName": "ExecuteProcessing.Success",
        "Dimensions": [{"Name": "DeliveryStreamName", "Value": "rides"}],
        "StartTime": 1_700_000_000u64, "EndTime": 1_700_000_600u64, "Period": 600, "Statistics": ["SampleCount", "Sum"],
    });
    let out = api.call_service(200_000, "cloudwatch", "GetMetricStatistics", metric).unwrap();
    assert_eq!(
        (out["Datapoints"][0]["SampleCount"].as_f64(), out["Datapoints"][0]["Sum"].as_f64()),
        (Some(3.0), Some(0.0))
    );
}

#[test]
fn a_missing_function_or_a_bad_processor_is_reported_plainly() {
    let mut api = Api::new();
    let destination = |params: Value| {
        json!({"DeliveryStreamName": "x", "ExtendedS3DestinationConfiguration": {
            "RoleARN": "r", "BucketARN": "arn:aws:s3:::lake",
            "ProcessingConfiguration": {"Enabled": true, "Processors": [{"Type": "Lambda", "Parameters": params}]},
        }})
    };
    let bad = destination(
        json!([{"ParameterName": "BufferSizeInMBs", "ParameterValue": "4"}, {"ParameterName": "LambdaArn", "ParameterValue": FUNCTION_ARN}]),
    );
    let (code, message) = api.call_service(0, "firehose", "CreateDeliveryStream", bad).unwrap_err();
    assert_eq!(code, "InvalidArgumentException");
    assert!(message.contains("0.2–3 MB"), "{message}");
    let unknown =
        api.call_service(0, "lambda", "CreateFunction", json!({"FunctionName": "g", "Handler": "nope"})).unwrap_err();
    assert_eq!(unknown.0, "InvalidParameterValueException");
    let missing = destination(json!([{"ParameterName": "LambdaArn", "ParameterValue": FUNCTION_ARN}]));
    api.call_service(0, "firehose", "CreateDeliveryStream", missing).unwrap();
    let record = json!({"DeliveryStreamName": "x", "Record": {"Data": STANDARD.encode("a")}});
    api.call_service(10_000, "firehose", "PutRecord", record).unwrap();
    let errors = bodies(&mut api, 200_000, "processing-failed/");
    assert!(errors[0].contains("Lambda.ResourceNotFound"), "{errors:?}");
}

#[test]
fn source_backup_keeps_the_untransformed_records_and_cannot_be_disabled() {
    let mut api = Api::new();
    let function =
        json!({"FunctionName": "f", "Handler": "select_fields", "Environment": {"Variables": {"FIELDS": "n"}}});
    api.call_service(0, "lambda", "CreateFunction", function).unwrap();
    let destination = json!({
        "RoleARN": "r", "BucketARN": "arn:aws:s3:::lake", "Prefix": "curated/",
        "BufferingHints": {"SizeInMBs": 1, "IntervalInSeconds": 60},
        "ProcessingConfiguration": {"Enabled": true, "Processors": [{"Type": "Lambda", "Parameters": [
            {"ParameterName": "LambdaArn", "ParameterValue": FUNCTION_ARN}]}]},
        "S3BackupMode": "Enabled",
        "S3BackupConfiguration": {"RoleARN": "r", "BucketARN": "arn:aws:s3:::lake", "Prefix": "source/",
            "BufferingHints": {"SizeInMBs": 1, "IntervalInSeconds": 60}, "CompressionFormat": "UNCOMPRESSED"},
    });
    let create = json!({"DeliveryStreamName": "rides", "ExtendedS3DestinationConfiguration": destination});
    api.call_service(0, "firehose", "CreateDeliveryStream", create).unwrap();
    put(&mut api, 10_000, &[r#"{"n":1,"secret":"x"}"#]);
    assert_eq!(bodies(&mut api, 200_000, "curated/"), vec![r#"{"n":1}"#.to_string()]);
    assert_eq!(bodies(&mut api, 200_000, "source/"), vec![r#"{"n":1,"secret":"x"}"#.to_string()]);
    let d = api
        .call_service(200_001, "firehose", "DescribeDeliveryStream", json!({"DeliveryStreamName": "rides"}))
        .unwrap();
    let ext = &d["DeliveryStreamDescription"]["Destinations"][0]["ExtendedS3DestinationDescription"];
    assert_eq!(
        (ext["S3BackupMode"].as_str(), ext["S3BackupDescription"]["Prefix"].as_str()),
        (Some("Enabled"), Some("source/"))
    );
    let update = json!({
        "DeliveryStreamName": "rides", "CurrentDeliveryStreamVersionId": "1", "DestinationId": "destinationId-000000000001",
        "ExtendedS3DestinationUpdate": {"S3BackupMode": "Disabled"},
    });
    let (_, message) = api.call_service(200_002, "firehose", "UpdateDestination", update).unwrap_err();
    assert!(message.contains("cannot be disabled once it is enabled"), "{message}");
}

#[test]
fn the_p7_preset_breaks_the_6_mb_limit_with_a_3_mb_lambda_buffer_and_backs_up_ack_timeouts() {
    use kinesis_lab::engine::runner::Runner;
    use kinesis_lab::engine::scenario::{presets, Scenario};
    use kinesis_lab::engine::time::SimTime;
    use kinesis_lab::engine::Engine;
    let preset = presets::find("firehose-p07-cloudwatch-logs-to-splunk").unwrap();
    let mut runner = Runner::new(Engine::from_plan(Scenario::load(preset.json).unwrap()));
    runner.run_until(SimTime::from_secs(1_800), u64::MAX, &mut |_| {});
    let bucket = runner.engine().s3().bucket("splunk-failed-events").unwrap();
    let body = |prefix: &str| {
        let (_, o) = bucket.objects.iter().find(|(k, _)| k.starts_with(prefix)).expect(prefix);
        String::from_utf8(o.body.clone().unwrap()).unwrap()
    };
    let failed: serde_json::Value =
        serde_json::from_str(body("lambda-3mb/processing-failed/").lines().next().unwrap()).unwrap();
    assert_eq!(failed["errorCode"], "Lambda.ResponseSizeExceeded");
    assert_eq!(failed["attemptsMade"], 4, "the first invocation and its 3 retries");
    let acks: serde_json::Value =
        serde_json::from_str(body("lambda-256kb/splunk-failed/").lines().next().unwrap()).unwrap();
    assert_eq!(acks["errorCode"], "Splunk.AckTimeout");
    let streams = runner.engine().firehose().streams();
    assert_eq!(streams["cwl-to-splunk-256kb"].totals.processing_failed, 0, "256 KB stays under the limit");
    let receiver = &runner.engine().endpoints().receivers()["https://splunk.example.com/services/collector/raw"];
    assert!(receiver.totals.duplicate_records > 0, "ack timeouts re-send what the slow indexers kept");
}
