//! Firehose to an HTTP endpoint and to Splunk through `kinesis-lab api` (spec §1.10): the request body,
//! retries with the same requestId while the retry duration lasts, the 413 trap, timeouts and the duplicates
//! they leave at the receiver, failed data in the bucket under `http-endpoint-failed` / `splunk-failed`, and
//! AllEvents backup. The lab's receivers are driven with `"service": "endpoint"`.

use crate::harness::Api;
use base64::engine::general_purpose::STANDARD;
use base64::Engine as _;
use serde_json::{json, Value};

const EPOCH_MS: u64 = 1_700_000_000_000;
const URL: &str = "https://collector.example.com/firehose";
const HEC: &str = "https://splunk.example.com:443";

fn firehose(api: &mut Api, at_ms: u64, action: &str, input: Value) -> Result<Value, (String, String)> {
    api.call_service(at_ms, "firehose", action, input)
}

fn endpoint(api: &mut Api, at_ms: u64, action: &str, input: Value) -> Value {
    api.call_service(at_ms, "endpoint", action, input).unwrap_or_else(|e| panic!("{action}: {e:?}"))
}

fn backup_bucket() -> Value {
    json!({"RoleARN": "arn:aws:iam::123456789012:role/firehose", "BucketARN": "arn:aws:s3:::backup"})
}

fn http(retry_s: u64) -> Value {
    json!({
        "EndpointConfiguration": {"Url": URL, "Name": "collector", "AccessKey": "secret"},
        "BufferingHints": {"SizeInMBs": 1, "IntervalInSeconds": 60},
        "RetryOptions": {"DurationInSeconds": retry_s},
        "S3Configuration": backup_bucket(),
    })
}

fn create(api: &mut Api, member: &str, destination: Value) {
    let input = json!({"DeliveryStreamName": "out", member: destination});
    firehose(api, 0, "CreateDeliveryStream", input).unwrap();
}

/// Three records at t = 10 s; the 60 s interval flushes them at 70 s.
fn put_three(api: &mut Api) {
    let records: Vec<Value> = (0..3).map(|i| json!({"Data": STANDARD.encode(format!("event {i}\n"))})).collect();
    let out = firehose(api, 10_000, "PutRecordBatch", json!({"DeliveryStreamName": "out", "Records": records}));
    assert_eq!(out.unwrap()["FailedPutCount"], 0);
}

fn drill(api: &mut Api, url: &str, mode: &str, extra: Value) {
    let mut input = json!({"Url": url, "Mode": mode});
    input.as_object_mut().unwrap().extend(extra.as_object().cloned().unwrap_or_default());
    endpoint(api, 5_000, "ConfigureEndpoint", input);
}

/// What the receiver got, oldest first.
fn requests(api: &mut Api, at_ms: u64, url: &str) -> Vec<Value> {
    let out = endpoint(api, at_ms, "ListRequests", json!({"Url": url}));
    out["Requests"].as_array().unwrap().iter().rev().cloned().collect()
}

fn objects(api: &mut Api, at_ms: u64, prefix: &str) -> Vec<String> {
    let out = api.call_service(at_ms, "s3", "ListObjectsV2", json!({"Bucket": "backup", "Prefix": prefix})).unwrap();
    let contents = out["Contents"].as_array().cloned().unwrap_or_default();
    contents.iter().map(|o| o["Key"].as_str().unwrap().to_string()).collect()
}

fn object_lines(api: &mut Api, at_ms: u64, key: &str) -> Vec<Value> {
    let out = api.call_service(at_ms, "s3", "GetObject", json!({"Bucket": "backup", "Key": key})).unwrap();
    let body = String::from_utf8(STANDARD.decode(out["Body"].as_str().unwrap()).unwrap()).unwrap();
    body.lines().map(|l| serde_json::from_str(l).unwrap()).collect()
}

#[test]
fn an_http_endpoint_receives_the_firehose_request_body_and_describes_with_aws_defaults() {
    let mut api = Api::new();
    create(&mut api, "HttpEndpointDestinationConfiguration", http(300));
    put_three(&mut api);
    let got = requests(&mut api, 200_000, URL);
    assert_eq!(got.len(), 1);
    assert_eq!((got[0]["Status"].as_u64(), got[0]["Records"].as_u64()), (Some(200), Some(3)));
    let body: Value = serde_json::from_slice(&STANDARD.decode(got[0]["Body"].as_str().unwrap()).unwrap()).unwrap();
    assert_eq!(body["requestId"], got[0]["RequestId"]);
    assert_eq!(body["timestamp"], EPOCH_MS + 70_000, "sent when the 60 s interval flushed the buffer");
    let data: Vec<String> = body["records"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| String::from_utf8(STANDARD.decode(r["data"].as_str().unwrap()).unwrap()).unwrap())
        .collect();
    assert_eq!(data, ["event 0\n", "event 1\n", "event 2\n"]);
    assert!(objects(&mut api, 200_000, "").is_empty(), "FailedDataOnly: nothing in the bucket when all is well");

    let d = firehose(&mut api, 200_000, "DescribeDeliveryStream", json!({"DeliveryStreamName": "out"})).unwrap();
    let h = &d["DeliveryStreamDescription"]["Destinations"][0]["HttpEndpointDestinationDescription"];
    assert_eq!(h["EndpointConfiguration"], json!({"Url": URL, "Name": "collector"}), "the access key is never shown");
    assert_eq!(h["S3BackupMode"], "FailedDataOnly");
    assert_eq!(h["RequestConfiguration"]["ContentEncoding"], "NONE");
    assert_eq!(h["S3DestinationDescription"]["BucketARN"], "arn:aws:s3:::backup");
}

#[test]
fn a_500_outage_is_retried_with_the_same_request_id_until_the_endpoint_recovers() {
    let mut api = Api::new();
    create(&mut api, "HttpEndpointDestinationConfiguration", http(300));
    drill(&mut api, URL, "ServerError", json!({"DurationSeconds": 100}));
    put_three(&mut api);
    let got = requests(&mut api, 300_000, URL);
    let statuses: Vec<u64> = got.iter().map(|r| r["Status"].as_u64().unwrap()).collect();
    // Sent at 70 s, then every 10 s after each failure; the drill ends at 105 s.
    assert_eq!(statuses, [500, 500, 500, 500, 200]);
    assert!(got.iter().all(|r| r["RequestId"] == got[0]["RequestId"]), "X-Amz-Firehose-Request-Id is kept");
    assert!(objects(&mut api, 300_000, "").is_empty(), "nothing failed for good");
}

#[test]
fn an_error_rate_refuses_that_share_of_requests_with_its_latency_until_the_drill_ends() {
    let mut api = Api::new();
    create(&mut api, "HttpEndpointDestinationConfiguration", http(300));
    drill(&mut api, URL, "Ok", json!({"ErrorPercent": 50, "LatencyMs": 2000, "DurationSeconds": 1800}));
    let during = endpoint(&mut api, 6_000, "ListRequests", json!({"Url": URL}));
    assert_eq!((during["ErrorPercent"].as_u64(), during["LatencyMs"].as_u64()), (Some(50), Some(2000)));
    // One record a minute for an hour: a batch per interval, half an hour with the drill, half without.
    for minute in 0..60u64 {
        let data = STANDARD.encode(format!("minute {minute}\n"));
        let at = 10_000 + minute * 60_000;
        firehose(&mut api, at, "PutRecord", json!({"DeliveryStreamName": "out", "Record": {"Data": data}})).unwrap();
    }
    let listing = endpoint(&mut api, 4_000_000, "ListRequests", json!({"Url": URL, "MaxItems": 500}));
    let got = listing["Requests"].as_array().unwrap();
    let (drilled, after): (Vec<&Value>, Vec<&Value>) =
        got.iter().partition(|r| r["ReceivedAt"].as_f64().unwrap() < (EPOCH_MS + 1_805_000) as f64 / 1000.0);
    let refused = drilled.iter().filter(|r| r["Status"] == 500).count();
    assert!(
        (drilled.len() / 4..=drilled.len() * 3 / 4).contains(&refused),
        "about half of {} requests refused, got {refused}",
        drilled.len()
    );
    assert!(drilled.iter().all(|r| r["AnsweredAfterMs"] == 2000), "every answer waits the drill's latency");
    assert!(after.iter().all(|r| r["Status"] == 200), "the error rate ends with the drill; the latency stays");
    assert_eq!(
        listing["Totals"]["RecordsKept"], 60,
        "every refused request was retried within the 300 s retry duration"
    );
    let now = endpoint(&mut api, 4_000_000, "ListRequests", json!({"Url": URL}));
    assert_eq!((now["ErrorPercent"].as_u64(), now["Mode"].as_str()), (Some(0), Some("Ok")));
}

#[test]
fn a_413_is_permanent_the_records_are_neither_retried_nor_backed_up() {
    let mut api = Api::new();
    create(&mut api, "HttpEndpointDestinationConfiguration", http(300));
    drill(&mut api, URL, "PayloadTooLarge", json!({}));
    put_three(&mut api);
    let got = requests(&mut api, 1_000_000, URL);
    assert_eq!(got.len(), 1, "no retry after a 413");
    assert_eq!(got[0]["Status"], 413);
    assert!(objects(&mut api, 1_000_000, "").is_empty(), "not in the error bucket either: the data is lost");
}

#[test]
fn a_slow_endpoint_times_out_keeps_duplicates_and_its_records_end_in_http_endpoint_failed() {
    let mut api = Api::new();
    create(&mut api, "HttpEndpointDestinationConfiguration", http(300));
    drill(&mut api, URL, "Slow", json!({}));
    put_three(&mut api);
    // Sent at 70 s; timeouts at 250 s (the counter starts), 440 s (190 s used) and 630 s (380 s ≥ 300).
    let got = requests(&mut api, 1_000_000, URL);
    let at: Vec<f64> = got.iter().map(|r| r["ReceivedAt"].as_f64().unwrap() - EPOCH_MS as f64 / 1e3).collect();
    assert_eq!(at.len(), 3, "{at:?}");
    assert!((at[0] - 70.0).abs() < 0.01 && (at[1] - 260.0).abs() < 0.01 && (at[2] - 450.0).abs() < 0.01, "{at:?}");
    let duplicates: Vec<bool> = got.iter().map(|r| r["Duplicate"].as_bool().unwrap()).collect();
    assert_eq!(duplicates, [false, true, true], "the endpoint kept every copy it answered too late");
    let keys = objects(&mut api, 1_000_000, "http-endpoint-failed/");
    assert_eq!(keys.len(), 1, "{:?}", objects(&mut api, 1_000_000, ""));
    let lines = object_lines(&mut api, 1_000_000, &keys[0]);
    assert_eq!(lines.len(), 3);
    assert_eq!(lines[0]["errorCode"], "HttpEndpoint.RequestTimeout");
    assert_eq!(lines[0]["attemptsMade"], 3);
    assert_eq!(lines[1]["rawData"], STANDARD.encode("event 1\n"));
    assert_eq!(lines[1]["dataId"], format!("{}.1", got[0]["RequestId"].as_str().unwrap()));
}

#[test]
fn splunk_without_retries_backs_up_every_event_and_puts_the_timed_out_batch_in_splunk_failed() {
    let mut api = Api::new();
    let mut bucket = backup_bucket();
    bucket["Prefix"] = json!("all/");
    let splunk = json!({
        "HECEndpoint": HEC, "HECEndpointType": "Raw", "HECToken": "token",
        "HECAcknowledgmentTimeoutInSeconds": 180, "RetryOptions": {"DurationInSeconds": 0},
        "S3BackupMode": "AllEvents", "S3Configuration": bucket,
    });
    create(&mut api, "SplunkDestinationConfiguration", splunk);
    drill(&mut api, HEC, "Slow", json!({}));
    put_three(&mut api);
    let got = requests(&mut api, 1_000_000, HEC);
    assert_eq!(got.len(), 1, "retry duration 0: no retry");
    let body = String::from_utf8(STANDARD.decode(got[0]["Body"].as_str().unwrap()).unwrap()).unwrap();
    assert_eq!(body, "event 0\nevent 1\nevent 2\n", "Splunk gets the bytes concatenated");
    // Without an ErrorOutputPrefix, failed data goes under the Prefix and the error-output-type.
    let failed = objects(&mut api, 1_000_000, "all/splunk-failed/");
    assert_eq!(failed.len(), 1);
    let lines = object_lines(&mut api, 1_000_000, &failed[0]);
    assert_eq!(
        (lines[0]["errorCode"].as_str(), lines[0]["attemptsMade"].as_u64()),
        (Some("Splunk.AckTimeout"), Some(1))
    );
    assert!(lines[2]["EventId"].as_str().unwrap().ends_with(".2"));
    assert_eq!(objects(&mut api, 1_000_000, "all/2023/").len(), 1, "AllEvents: everything sent is in the bucket too");

    // The metric family is Splunk's.
    let input = json!({
        "Namespace": "AWS/Firehose", "MetricName": "DeliveryToSplunk.Success",
        "Dimensions": [{"Name": "DeliveryStreamName", "Value": "out"}],
        "StartTime": EPOCH_MS / 1_000, "EndTime": EPOCH_MS / 1_000 + 600, "Period": 600, "Statistics": ["Sum", "SampleCount"],
    });
    let m = api.call_service(1_000_000, "cloudwatch", "GetMetricStatistics", input).unwrap();
    assert_eq!(
        (m["Datapoints"][0]["Sum"].as_f64(), m["Datapoints"][0]["SampleCount"].as_f64()),
        (Some(0.0), Some(1.0))
    );
}

#[test]
fn more_than_10000_records_go_in_two_requests() {
    let mut api = Api::new();
    create(&mut api, "HttpEndpointDestinationConfiguration", http(300));
    let record = json!({"Data": STANDARD.encode("0123456789")});
    // 4,000 records a second, under the book's 5,000 records/s quota.
    for i in 0..21 {
        let n = if i < 20 { 500 } else { 1 };
        let input = json!({"DeliveryStreamName": "out", "Records": vec![record.clone(); n]});
        let out = firehose(&mut api, 10_000 + i / 8 * 1_000, "PutRecordBatch", input).unwrap();
        assert_eq!(out["FailedPutCount"], 0);
    }
    let got = requests(&mut api, 200_000, URL);
    let sizes: Vec<u64> = got.iter().map(|r| r["Records"].as_u64().unwrap()).collect();
    assert_eq!(sizes, [10_000, 1], "L37: at most 10,000 records per request");
    assert_ne!(got[0]["RequestId"], got[1]["RequestId"]);
}

#[test]
fn endpoint_configurations_are_checked_with_aws_reasons_and_change_nothing() {
    let mut api = Api::new();
    let mut plain = http(300);
    plain["EndpointConfiguration"]["Url"] = json!("http://collector.example.com/");
    let input = json!({"DeliveryStreamName": "out", "HttpEndpointDestinationConfiguration": plain});
    let (code, message) = firehose(&mut api, 0, "CreateDeliveryStream", input).unwrap_err();
    assert_eq!(code, "InvalidArgumentException");
    assert!(message.contains("https://"), "{message}");

    let mut long = http(300);
    long["RetryOptions"]["DurationInSeconds"] = json!(9_000);
    let input = json!({"DeliveryStreamName": "out", "HttpEndpointDestinationConfiguration": long});
    let (code, _) = firehose(&mut api, 0, "CreateDeliveryStream", input).unwrap_err();
    assert_eq!(code, "ValidationException", "RetryOptions.DurationInSeconds is 0–7200 in the model");

    let splunk = json!({"HECEndpoint": HEC, "HECEndpointType": "Raw", "S3Configuration": backup_bucket(),
        "BufferingHints": {"SizeInMBs": 1, "IntervalInSeconds": 10}});
    let input = json!({"DeliveryStreamName": "out", "SplunkDestinationConfiguration": splunk});
    let (_, message) = firehose(&mut api, 0, "CreateDeliveryStream", input).unwrap_err();
    assert!(message.contains("fixed at 5 MB / 60 s"), "{message}");

    let two = json!({"DeliveryStreamName": "out", "HttpEndpointDestinationConfiguration": http(300),
        "ExtendedS3DestinationConfiguration": backup_bucket()});
    let (_, message) = firehose(&mut api, 0, "CreateDeliveryStream", two).unwrap_err();
    assert!(message.contains("one destination"), "{message}");
    let listed = firehose(&mut api, 0, "ListDeliveryStreams", json!({})).unwrap();
    assert_eq!(listed["DeliveryStreamNames"], json!([]), "refusals create nothing");

    create(&mut api, "HttpEndpointDestinationConfiguration", http(300));
    let update = json!({"DeliveryStreamName": "out", "CurrentDeliveryStreamVersionId": "1",
        "DestinationId": "destinationId-000000000001", "ExtendedS3DestinationUpdate": {"Prefix": "x/"}});
    let (_, message) = firehose(&mut api, 10_000, "UpdateDestination", update).unwrap_err();
    assert!(message.contains("(HTTP endpoint)"), "{message}");
    let update = json!({"DeliveryStreamName": "out", "CurrentDeliveryStreamVersionId": "1",
        "DestinationId": "destinationId-000000000001", "HttpEndpointDestinationUpdate": {"RetryOptions": {"DurationInSeconds": 0}}});
    firehose(&mut api, 10_000, "UpdateDestination", update).unwrap();
    let d = firehose(&mut api, 10_000, "DescribeDeliveryStream", json!({"DeliveryStreamName": "out"})).unwrap();
    let h = &d["DeliveryStreamDescription"]["Destinations"][0]["HttpEndpointDestinationDescription"];
    assert_eq!(
        (h["RetryOptions"]["DurationInSeconds"].as_u64(), h["EndpointConfiguration"]["Url"].as_str()),
        (Some(0), Some(URL))
    );
}

#[test]
fn the_endpoint_service_refuses_bad_drills_plainly() {
    let mut api = Api::new();
    let (code, _) =
        api.call_service(0, "endpoint", "ConfigureEndpoint", json!({"Url": URL, "Mode": "Sometimes"})).unwrap_err();
    assert_eq!(code, "InvalidArgumentException");
    let (code, message) =
        api.call_service(0, "endpoint", "ConfigureEndpoint", json!({"Url": "ftp://x", "Mode": "Ok"})).unwrap_err();
    assert_eq!(code, "InvalidArgumentException");
    assert!(message.contains("https://"), "{message}");
    let (code, _) = api.call_service(0, "endpoint", "ListRequests", json!({"Url": URL})).unwrap_err();
    assert_eq!(code, "ResourceNotFoundException", "nothing configured or sent there yet");
}
