//! CloudWatch metrics (spec §9): stream-level always, shard-level after EnableEnhancedMonitoring, kept
//! per simulated second and read back with GetMetricStatistics (service "cloudwatch" in the replay).

use crate::harness::{b64, Api};
use kinesis_lab::api::replay::Replay;
use serde_json::{json, Value};

const EPOCH_S: u64 = 1_700_000_000;

/// Statistics of a metric over [from_ms, to_ms) in simulated time, with a period in seconds.
fn stats(
    replay: &mut Replay,
    at_ms: u64,
    metric: &str,
    dims: Value,
    from_ms: u64,
    to_ms: u64,
    period: u64,
) -> Vec<Value> {
    let line = json!({"at_ms": at_ms, "service": "cloudwatch", "action": "GetMetricStatistics", "input": {
        "Namespace": "AWS/Kinesis", "MetricName": metric, "Dimensions": dims,
        "StartTime": EPOCH_S + from_ms / 1_000, "EndTime": EPOCH_S + to_ms / 1_000, "Period": period,
        "Statistics": ["Sum", "Maximum", "SampleCount"]}})
    .to_string();
    let out: Value = serde_json::from_str(&replay.handle_line(&line)[0]).expect("json");
    assert_eq!(out["output"]["Label"], metric, "{out}");
    out["output"]["Datapoints"].as_array().cloned().expect("datapoints")
}

fn send(replay: &mut Replay, at_ms: u64, action: &str, input: Value) -> Value {
    let line = json!({"at_ms": at_ms, "service": "kinesis", "action": action, "input": input}).to_string();
    serde_json::from_str(&replay.handle_line(&line)[0]).expect("json")
}

#[test]
fn writes_reads_and_throttles_are_counted_per_second() {
    let mut r = Replay::new(kinesis_lab::engine::EngineConfig::with_seed(kinesis_lab::engine::rng::Seed(1)));
    send(&mut r, 0, "CreateStream", json!({"StreamName": "s", "ShardCount": 1}));
    let batch =
        |n: usize| -> Vec<Value> { (0..n).map(|_| json!({"Data": b64("0123456789"), "PartitionKey": "k"})).collect() };
    send(&mut r, 10_000, "PutRecords", json!({"StreamName": "s", "Records": batch(500)}));
    send(&mut r, 10_000, "PutRecords", json!({"StreamName": "s", "Records": batch(500)}));
    send(&mut r, 10_000, "PutRecords", json!({"StreamName": "s", "Records": batch(200)})); // the shard is full: all throttled
    send(&mut r, 12_000, "PutRecord", json!({"StreamName": "s", "Data": b64("x"), "PartitionKey": "k"}));
    let it = send(
        &mut r,
        15_000,
        "GetShardIterator",
        json!({"StreamName": "s", "ShardId": "0", "ShardIteratorType": "TRIM_HORIZON"}),
    );
    send(&mut r, 15_000, "GetRecords", json!({"ShardIterator": it["output"]["ShardIterator"], "Limit": 100}));
    let stream = json!([{"Name": "StreamName", "Value": "s"}]);
    let incoming = stats(&mut r, 20_000, "IncomingRecords", stream.clone(), 0, 20_000, 60);
    assert_eq!(incoming.len(), 1);
    assert_eq!(
        (incoming[0]["Sum"].as_f64(), incoming[0]["SampleCount"].as_f64()),
        (Some(1_001.0), Some(3.0)),
        "one datapoint per call"
    );
    assert_eq!(incoming[0]["Timestamp"].as_f64(), Some(EPOCH_S as f64), "aligned to the period");
    let by_second = stats(&mut r, 20_000, "IncomingRecords", stream.clone(), 0, 20_000, 1);
    assert_eq!(
        by_second
            .iter()
            .map(|d| (d["Timestamp"].as_f64().unwrap_or(0.0) as u64 - EPOCH_S, d["Sum"].as_f64()))
            .collect::<Vec<_>>(),
        [(10, Some(1_000.0)), (12, Some(1.0))]
    );
    let throttled = stats(&mut r, 20_000, "WriteProvisionedThroughputExceeded", stream.clone(), 0, 20_000, 60);
    assert_eq!(throttled[0]["Sum"].as_f64(), Some(200.0));
    let bytes = stats(&mut r, 20_000, "IncomingBytes", stream.clone(), 0, 20_000, 60);
    assert_eq!(bytes[0]["Sum"].as_f64(), Some(1_000.0 * 11.0 + 2.0), "data plus partition key");
    let age = stats(&mut r, 20_000, "GetRecords.IteratorAgeMilliseconds", stream.clone(), 0, 20_000, 60);
    assert_eq!(age[0]["Maximum"].as_f64(), Some(5_000.0), "the last record read arrived 5 s before the read");
    let shard = json!([{"Name": "StreamName", "Value": "s"}, {"Name": "ShardId", "Value": "shardId-000000000000"}]);
    assert!(
        stats(&mut r, 20_000, "IncomingRecords", shard, 0, 20_000, 60).is_empty(),
        "shard level needs enhanced monitoring"
    );
}

#[test]
fn enhanced_monitoring_adds_shard_level_metrics() {
    let mut api = Api::new();
    let t = api.active_stream(0, "s", 2);
    let out = api.ok(
        t,
        "EnableEnhancedMonitoring",
        json!({"StreamName": "s", "ShardLevelMetrics": ["IncomingRecords", "OutgoingRecords"]}),
    );
    assert_eq!(out["DesiredShardLevelMetrics"], json!(["IncomingRecords", "OutgoingRecords"]));
    assert_eq!(out["CurrentShardLevelMetrics"], json!([]));
    api.ok(t, "PutRecord", json!({"StreamName": "s", "Data": b64("x"), "PartitionKey": "b"}));
    let (code, _) = api.err(t + 1_000, "GetMetricStatistics", json!({}));
    assert_eq!(code, "UnknownOperationException", "a CloudWatch action, not a Kinesis one");
    let all = api.ok(t + 1_000, "EnableEnhancedMonitoring", json!({"StreamName": "s", "ShardLevelMetrics": ["ALL"]}));
    assert_eq!(all["DesiredShardLevelMetrics"].as_array().map(Vec::len), Some(7));
    let off = api.ok(t + 1_000, "DisableEnhancedMonitoring", json!({"StreamName": "s", "ShardLevelMetrics": ["ALL"]}));
    assert_eq!(off["DesiredShardLevelMetrics"], json!([]));
}

#[test]
fn shard_level_datapoints_follow_the_shard() {
    let mut r = Replay::new(kinesis_lab::engine::EngineConfig::with_seed(kinesis_lab::engine::rng::Seed(1)));
    send(&mut r, 0, "CreateStream", json!({"StreamName": "s", "ShardCount": 2}));
    send(&mut r, 10_000, "EnableEnhancedMonitoring", json!({"StreamName": "s", "ShardLevelMetrics": ["ALL"]}));
    send(&mut r, 11_000, "PutRecord", json!({"StreamName": "s", "Data": b64("x"), "PartitionKey": "b"}));
    let shard = |id: &str| json!([{"Name": "StreamName", "Value": "s"}, {"Name": "ShardId", "Value": id}]);
    let one = stats(&mut r, 12_000, "IncomingRecords", shard("shardId-000000000001"), 0, 12_000, 60);
    assert_eq!(one[0]["Sum"].as_f64(), Some(1.0), "key b routes to shard 1 of 2");
    assert!(stats(&mut r, 12_000, "IncomingRecords", shard("shardId-000000000000"), 0, 12_000, 60).is_empty());
}
