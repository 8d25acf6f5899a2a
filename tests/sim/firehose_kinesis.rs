//! A Kinesis data stream as a Firehose source, through `kinesis-lab api`: reading starts at LATEST when the
//! Firehose stream becomes ACTIVE, so earlier records are not delivered; PutRecord is refused; resharding is
//! followed into the children; the read shows in the AWS/Firehose and AWS/Kinesis metrics.

use crate::harness::Api;
use base64::engine::general_purpose::STANDARD;
use base64::Engine as _;
use serde_json::{json, Value};

const KDS_ARN: &str = "arn:aws:kinesis:us-east-1:123456789012:stream/rides";

fn setup() -> Api {
    let mut api = Api::new();
    api.call(0, "CreateStream", json!({"StreamName": "rides", "ShardCount": 1})).unwrap();
    api
}

fn kds_put(api: &mut Api, at_ms: u64, text: &str) {
    let input = json!({"StreamName": "rides", "Data": STANDARD.encode(text), "PartitionKey": text});
    api.call(at_ms, "PutRecord", input).unwrap();
}

fn create_firehose(api: &mut Api, at_ms: u64) -> Result<Value, (String, String)> {
    let input = json!({
        "DeliveryStreamName": "from-kds",
        "DeliveryStreamType": "KinesisStreamAsSource",
        "KinesisStreamSourceConfiguration": {"KinesisStreamARN": KDS_ARN, "RoleARN": "arn:aws:iam::123456789012:role/r"},
        "ExtendedS3DestinationConfiguration": {
            "RoleARN": "arn:aws:iam::123456789012:role/r", "BucketARN": "arn:aws:s3:::lake",
            "BufferingHints": {"SizeInMBs": 1, "IntervalInSeconds": 60},
        },
    });
    api.call_service(at_ms, "firehose", "CreateDeliveryStream", input)
}

fn delivered(api: &mut Api, at_ms: u64) -> String {
    let listed = api.call_service(at_ms, "s3", "ListObjectsV2", json!({"Bucket": "lake"})).unwrap();
    let mut text = String::new();
    for o in listed["Contents"].as_array().unwrap() {
        let got = api.call_service(at_ms, "s3", "GetObject", json!({"Bucket": "lake", "Key": o["Key"]})).unwrap();
        text.push_str(&String::from_utf8(STANDARD.decode(got["Body"].as_str().unwrap()).unwrap()).unwrap());
    }
    text
}

#[test]
fn reading_starts_at_latest_and_put_record_is_refused() {
    let mut api = setup();
    kds_put(&mut api, 11_000, "before;");
    create_firehose(&mut api, 12_000).unwrap();
    let d = api
        .call_service(12_001, "firehose", "DescribeDeliveryStream", json!({"DeliveryStreamName": "from-kds"}))
        .unwrap();
    let d = &d["DeliveryStreamDescription"];
    assert_eq!(d["DeliveryStreamType"], "KinesisStreamAsSource");
    assert_eq!(d["Source"]["KinesisStreamSourceDescription"]["KinesisStreamARN"], KDS_ARN);
    kds_put(&mut api, 30_000, "after-1;");
    kds_put(&mut api, 31_000, "after-2;");
    assert_eq!(
        delivered(&mut api, 100_000),
        "after-1;after-2;",
        "records written before the stream existed stay behind"
    );
    let put = json!({"DeliveryStreamName": "from-kds", "Record": {"Data": STANDARD.encode("x")}});
    let (code, message) = api.call_service(100_001, "firehose", "PutRecord", put).unwrap_err();
    assert_eq!(code, "InvalidArgumentException");
    assert_eq!(message, "This operation is not permitted on KinesisStreamAsSource delivery stream type.");
    let metric = |api: &mut Api, name: &str, stat: &str| {
        let input = json!({
            "Namespace": "AWS/Firehose", "MetricName": name,
            "Dimensions": [{"Name": "DeliveryStreamName", "Value": "from-kds"}],
            "StartTime": 1_700_000_000u64, "EndTime": 1_700_000_600u64, "Period": 600, "Statistics": [stat],
        });
        api.call_service(100_002, "cloudwatch", "GetMetricStatistics", input).unwrap()["Datapoints"][0][stat].as_f64()
    };
    assert_eq!(metric(&mut api, "DataReadFromKinesisStream.Records", "Sum"), Some(2.0));
    assert_eq!(metric(&mut api, "IncomingRecords", "Sum"), None, "Direct PUT metrics stay empty");
    let reads = json!({
        "Namespace": "AWS/Kinesis", "MetricName": "GetRecords.Success",
        "Dimensions": [{"Name": "StreamName", "Value": "rides"}],
        "StartTime": 1_700_000_000u64, "EndTime": 1_700_000_060u64, "Period": 60, "Statistics": ["SampleCount"],
    });
    let out = api.call_service(100_003, "cloudwatch", "GetMetricStatistics", reads).unwrap();
    let calls = out["Datapoints"][0]["SampleCount"].as_f64().unwrap();
    assert!((40.0..=45.0).contains(&calls), "one GetRecords a second from ACTIVE (17 s) to 60 s: {calls}");
}

#[test]
fn a_missing_source_stream_is_refused_and_resharding_is_followed() {
    let mut api = Api::new();
    let (code, message) = create_firehose(&mut api, 0).unwrap_err();
    assert_eq!(code, "InvalidArgumentException");
    assert!(message.contains("does not exist"), "{message}");

    let mut api = setup();
    create_firehose(&mut api, 12_000).unwrap();
    kds_put(&mut api, 20_000, "one;");
    api.call(
        21_000,
        "UpdateShardCount",
        json!({"StreamName": "rides", "TargetShardCount": 2, "ScalingType": "UNIFORM_SCALING"}),
    )
    .unwrap();
    for (i, key) in ["a", "b", "c", "d", "e", "f"].iter().enumerate() {
        kds_put(&mut api, 60_000 + i as u64, &format!("{key};"));
    }
    let text = delivered(&mut api, 400_000);
    let mut got: Vec<&str> = text.split(';').filter(|s| !s.is_empty()).collect();
    got.sort();
    assert_eq!(got, ["a", "b", "c", "d", "e", "f", "one"], "the children are read after the parent");
}
