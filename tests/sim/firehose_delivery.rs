//! Firehose through `kinesis-lab api`: the buffering rule (size wins, interval wins, the break-even rate),
//! prefixes and their rules, real GZIP objects read back with ListObjectsV2 and GetObject, and an S3
//! outage with DataFreshness, `.Success` and the 24-hour loss seen through GetMetricStatistics.

use crate::harness::Api;
use base64::engine::general_purpose::STANDARD;
use base64::Engine as _;
use serde_json::{json, Value};
use std::io::Read;

const EPOCH_S: u64 = 1_700_000_000; // the default account clock at t = 0: 2023-11-14 22:13:20 UTC

fn firehose(api: &mut Api, at_ms: u64, action: &str, input: Value) -> Result<Value, (String, String)> {
    api.call_service(at_ms, "firehose", action, input)
}

fn s3(api: &mut Api, at_ms: u64, action: &str, input: Value) -> Value {
    api.call_service(at_ms, "s3", action, input).unwrap_or_else(|e| panic!("{action}: {e:?}"))
}

fn create(api: &mut Api, name: &str, destination: Value) {
    let input = json!({"DeliveryStreamName": name, "ExtendedS3DestinationConfiguration": destination});
    firehose(api, 0, "CreateDeliveryStream", input).unwrap();
}

fn destination(size_mib: u64, interval: u64) -> Value {
    json!({
        "RoleARN": "arn:aws:iam::123456789012:role/firehose",
        "BucketARN": "arn:aws:s3:::lake",
        "BufferingHints": {"SizeInMBs": size_mib, "IntervalInSeconds": interval},
    })
}

/// Puts `per_second` KiB a second as 1 KiB records (one batch a second) from t = 10 s for `secs` seconds.
fn feed(api: &mut Api, name: &str, kib_per_second: usize, secs: u64) {
    let record = json!({"Data": STANDARD.encode(vec![b'x'; 1023].into_iter().chain([b'\n']).collect::<Vec<u8>>())});
    for s in 0..secs {
        let records = vec![record.clone(); kib_per_second];
        for chunk in records.chunks(500) {
            let input = json!({"DeliveryStreamName": name, "Records": chunk});
            let out = firehose(api, 10_000 + s * 1_000, "PutRecordBatch", input).unwrap();
            assert_eq!(out["FailedPutCount"], 0);
        }
    }
}

fn objects(api: &mut Api, at_ms: u64, prefix: &str) -> Vec<Value> {
    let out = s3(api, at_ms, "ListObjectsV2", json!({"Bucket": "lake", "Prefix": prefix}));
    out["Contents"].as_array().cloned().unwrap_or_default()
}

#[test]
fn below_the_break_even_rate_the_interval_wins_and_above_it_the_size() {
    // 5 MiB / 300 s breaks even at 5 MiB / 300 s ≈ 17.1 KiB/s.
    let mut api = Api::new();
    create(&mut api, "slow", destination(5, 300));
    feed(&mut api, "slow", 1, 900);
    let slow = objects(&mut api, 920_000, "");
    assert_eq!(slow.len(), 3, "one object per 300 s interval");
    assert!(slow.iter().all(|o| o["Size"] == 300 * 1024), "{slow:?}");

    let mut api = Api::new();
    create(&mut api, "fast", destination(5, 300));
    feed(&mut api, "fast", 20, 300);
    let fast = objects(&mut api, 600_000, "");
    // 20 KiB/s × 300 s = 6,000 KiB: one 5 MiB object on size after 256 s, the rest 300 s later on the interval.
    assert_eq!(fast.len(), 2, "{fast:?}");
    let sizes: Vec<u64> = fast.iter().map(|o| o["Size"].as_u64().unwrap()).collect();
    assert!(sizes.contains(&(5 * 1024 * 1024)), "the size hint is met exactly by 1 KiB records: {sizes:?}");
}

#[test]
fn hive_prefixes_and_gzip_objects_read_back_through_s3() {
    let mut api = Api::new();
    let mut d = destination(1, 60);
    d["Prefix"] = json!("logs/year=!{timestamp:yyyy}/month=!{timestamp:MM}/day=!{timestamp:dd}/hour=!{timestamp:HH}/");
    d["ErrorOutputPrefix"] = json!("logs/!{firehose:error-output-type}/!{timestamp:yyyy/MM/dd/HH}/");
    d["CompressionFormat"] = json!("GZIP");
    create(&mut api, "hive", d);
    let lines: Vec<Value> = (0..3).map(|i| json!({"Data": STANDARD.encode(format!("{{\"ride\":{i}}}\n"))})).collect();
    firehose(&mut api, 10_000, "PutRecordBatch", json!({"DeliveryStreamName": "hive", "Records": lines})).unwrap();
    let folders = s3(&mut api, 80_000, "ListObjectsV2", json!({"Bucket": "lake", "Prefix": "logs/", "Delimiter": "/"}));
    assert_eq!(folders["CommonPrefixes"], json!([{"Prefix": "logs/year=2023/"}]));
    let listed = objects(&mut api, 80_000, "logs/year=2023/month=11/day=14/hour=22/");
    assert_eq!(listed.len(), 1);
    let key = listed[0]["Key"].as_str().unwrap().to_string();
    assert!(key.contains("/hive-1-2023-11-14-22-13-30-") && key.ends_with(".gz"), "{key}");
    let object = s3(&mut api, 80_000, "GetObject", json!({"Bucket": "lake", "Key": key}));
    let body = STANDARD.decode(object["Body"].as_str().unwrap()).unwrap();
    assert_eq!(object["ContentLength"].as_u64(), Some(body.len() as u64));
    let mut text = String::new();
    flate2::read::GzDecoder::new(&body[..]).read_to_string(&mut text).unwrap();
    assert_eq!(text, "{\"ride\":0}\n{\"ride\":1}\n{\"ride\":2}\n");
}

#[test]
fn prefix_rules_are_enforced_at_create_time() {
    let mut api = Api::new();
    let mut cases = vec![
        (Some("!{timestamp:yyyy/MM/dd}"), None, "cannot be null or empty"),
        (Some("a/"), Some("logs/{firehose:error-output-type}/!{timestamp:yyyy}/"), "must contain"),
        (Some("x/!{firehose:error-output-type}/"), Some("e/"), "not allowed in Prefix"),
    ];
    for (prefix, error_prefix, expect) in cases.drain(..) {
        let mut d = destination(5, 300);
        if let Some(p) = prefix {
            d["Prefix"] = json!(p);
        }
        if let Some(e) = error_prefix {
            d["ErrorOutputPrefix"] = json!(e);
        }
        let input = json!({"DeliveryStreamName": "p", "ExtendedS3DestinationConfiguration": d});
        let (code, message) = firehose(&mut api, 0, "CreateDeliveryStream", input).unwrap_err();
        assert_eq!(code, "InvalidArgumentException");
        assert!(message.contains(expect), "{message}");
    }
    let listed = firehose(&mut api, 1, "ListDeliveryStreams", json!({})).unwrap();
    assert_eq!(listed["DeliveryStreamNames"], json!([]));
}

fn metric(api: &mut Api, at_ms: u64, name: &str, stat: &str, from_s: u64, to_s: u64) -> Vec<f64> {
    let input = json!({
        "Namespace": "AWS/Firehose", "MetricName": name,
        "Dimensions": [{"Name": "DeliveryStreamName", "Value": "logs"}],
        "StartTime": EPOCH_S + from_s, "EndTime": EPOCH_S + to_s, "Period": 600, "Statistics": [stat],
    });
    let out = api.call_service(at_ms, "cloudwatch", "GetMetricStatistics", input).unwrap();
    out["Datapoints"].as_array().unwrap().iter().map(|d| d[stat].as_f64().unwrap()).collect()
}

#[test]
fn an_s3_outage_ramps_freshness_and_after_24_hours_the_data_is_lost() {
    let mut api = Api::new();
    create(&mut api, "logs", destination(1, 60));
    s3(&mut api, 5_000, "InjectOutage", json!({"Bucket": "lake", "DurationSeconds": 25 * 3_600}));
    let record = json!({"DeliveryStreamName": "logs", "Record": {"Data": STANDARD.encode("line\n")}});
    firehose(&mut api, 10_000, "PutRecord", record).unwrap();
    let freshness = metric(&mut api, 3_000_000, "DeliveryToS3.DataFreshness", "Maximum", 2_400, 3_000);
    assert!(freshness[0] >= 2_900.0, "DataFreshness grows during the outage: {freshness:?}");
    let success = metric(&mut api, 3_000_000, "DeliveryToS3.Success", "Average", 2_400, 3_000);
    assert_eq!(success, vec![0.0]);
    let incoming = metric(&mut api, 3_000_000, "IncomingRecords", "Sum", 0, 600);
    assert_eq!(incoming, vec![1.0]);
    let after = 26 * 3_600 * 1_000;
    assert!(objects(&mut api, after, "").is_empty(), "the record was older than 24 h when S3 came back");
}
