//! Enhanced fan-out: SubscribeToShard pushes records ~70 ms after they arrive, heartbeats when idle,
//! ends after 5 minutes or at the shard's end with ChildShards, has its own 2 MiB/s pipe, and
//! refuses overlapping or too-frequent subscriptions (R35–R40).

use crate::harness::{b64, Api, ACCOUNT};
use serde_json::{json, Value};

fn consumer(api: &mut Api, at: u64) -> String {
    let stream_arn = format!("arn:aws:kinesis:us-east-1:{ACCOUNT}:stream/s");
    let out = api.ok(at, "RegisterStreamConsumer", json!({"StreamARN": stream_arn, "ConsumerName": "c"}));
    out["Consumer"]["ConsumerARN"].as_str().expect("arn").to_string()
}

fn subscribe(arn: &str, shard: &str, kind: &str) -> Value {
    json!({"ConsumerARN": arn, "ShardId": shard, "StartingPosition": {"Type": kind}})
}

fn events(stream: &Value) -> &Vec<Value> {
    stream["output"]["EventStream"].as_array().expect("events")
}

#[test]
fn records_are_pushed_soon_after_they_arrive_and_heartbeats_fill_the_gaps() {
    let mut api = Api::new();
    let t = api.active_stream(0, "s", 1);
    let arn = consumer(&mut api, t);
    let t = t + 5_000;
    api.ok(t, "PutRecord", json!({"StreamName": "s", "Data": b64("early"), "PartitionKey": "k"}));
    assert_eq!(
        api.ok(t + 1_000, "SubscribeToShard", subscribe(&arn, "shardId-000000000000", "TRIM_HORIZON")),
        Value::Null
    );
    api.ok(t + 20_000, "PutRecord", json!({"StreamName": "s", "Data": b64("late"), "PartitionKey": "k"}));
    api.finish();
    assert_eq!(api.event_streams.len(), 1);
    let stream = &api.event_streams[0];
    assert_eq!(stream["at_ms"], t + 1_000, "the line belongs to the call");
    let evs = events(stream);
    let first = &evs[0];
    assert_eq!(
        (first["at_ms"].as_u64(), first["SubscribeToShardEvent"]["Records"].as_array().map(Vec::len)),
        (Some(t + 1_000), Some(1))
    );
    let late = evs
        .iter()
        .find(|e| {
            e["SubscribeToShardEvent"]["Records"].as_array().is_some_and(|r| !r.is_empty())
                && e["at_ms"].as_u64() > Some(t + 1_000)
        })
        .expect("the late record is pushed");
    assert_eq!(late["at_ms"], t + 20_070, "pushed 70 ms after it arrived");
    let idle: Vec<u64> =
        evs.iter().filter_map(|e| e["at_ms"].as_u64()).filter(|&at| at > t + 1_000 && at < t + 20_000).collect();
    assert_eq!(idle, [t + 6_000, t + 11_000, t + 16_000], "heartbeats every 5 s while idle");
    let continuations: Vec<String> = evs
        .iter()
        .filter_map(|e| e["SubscribeToShardEvent"]["ContinuationSequenceNumber"].as_str().map(str::to_string))
        .collect();
    assert!(continuations.windows(2).all(|w| w[0] <= w[1]), "the continuation never goes back");
    assert_eq!(
        stream["output"]["Ended"],
        json!({"at_ms": t + 1_000 + 300_000, "reason": "Expired"}),
        "a subscription lasts 5 minutes"
    );
}

#[test]
fn overlapping_and_rapid_subscriptions_are_refused_or_take_over() {
    let mut api = Api::new();
    let t = api.active_stream(0, "s", 1);
    let arn = consumer(&mut api, t);
    let t = t + 5_000;
    api.ok(t, "SubscribeToShard", subscribe(&arn, "0", "LATEST"));
    let (code, _) = api.err(t + 500, "SubscribeToShard", subscribe(&arn, "0", "LATEST"));
    assert_eq!(code, "LimitExceededException", "one call per second per consumer and shard");
    let (code, message) = api.err(t + 2_000, "SubscribeToShard", subscribe(&arn, "0", "LATEST"));
    assert_eq!(
        (code.as_str(), message),
        (
            "ResourceInUseException",
            format!("Another active subscription exists for this consumer: {ACCOUNT}:s:shardId-000000000000:c")
        )
    );
    api.ok(t + 5_000, "SubscribeToShard", subscribe(&arn, "0", "LATEST"));
    assert_eq!(api.event_streams.len(), 1);
    assert_eq!(api.event_streams[0]["output"]["Ended"], json!({"at_ms": t + 5_000, "reason": "Replaced"}));
}

#[test]
fn a_consumer_must_be_active_to_subscribe() {
    let mut api = Api::new();
    let t = api.active_stream(0, "s", 1);
    let arn = consumer(&mut api, t);
    let (code, _) = api.err(t + 1, "SubscribeToShard", subscribe(&arn, "0", "LATEST"));
    assert_eq!(code, "ResourceInUseException");
}

#[test]
fn each_consumer_has_its_own_two_mib_per_second() {
    let mut api = Api::new();
    let t = api.active_stream(0, "s", 1);
    let arn = consumer(&mut api, t);
    let chunk = b64(&"x".repeat(1_000_000));
    for s in 0..6u64 {
        api.ok(t + s * 1_000, "PutRecord", json!({"StreamName": "s", "Data": chunk, "PartitionKey": "k"}));
    }
    let at = t + 10_000;
    api.ok(at, "SubscribeToShard", subscribe(&arn, "0", "TRIM_HORIZON"));
    api.finish();
    let evs = events(&api.event_streams[0]);
    let mut delivered = 0;
    let mut done_at = 0;
    for e in evs {
        let n = e["SubscribeToShardEvent"]["Records"].as_array().map_or(0, Vec::len);
        delivered += n;
        if n > 0 {
            done_at = e["at_ms"].as_u64().expect("at");
        }
    }
    assert_eq!(delivered, 6);
    // 6 MB through a pipe that starts with 2 MiB and refills at 2 MiB/s: the last record waits for ~3.9 MB more.
    assert!((at + 1_800..=at + 2_100).contains(&done_at), "took {} ms", done_at - at);
    assert!(
        evs[0]["SubscribeToShardEvent"]["MillisBehindLatest"].as_u64() > Some(0),
        "behind while the backlog drains"
    );
}

#[test]
fn a_closed_shard_ends_its_subscription_with_child_shards() {
    let mut api = Api::new();
    let t = api.active_stream(0, "s", 1);
    let arn = consumer(&mut api, t);
    let t = t + 5_000;
    api.ok(t, "PutRecord", json!({"StreamName": "s", "Data": b64("x"), "PartitionKey": "k"}));
    api.ok(t, "SubscribeToShard", subscribe(&arn, "0", "TRIM_HORIZON"));
    api.ok(t, "SplitShard", json!({"StreamName": "s", "ShardToSplit": "0", "NewStartingHashKey": "1000"}));
    api.finish();
    let stream = &api.event_streams[0];
    let last = events(stream).last().expect("an event");
    let event = &last["SubscribeToShardEvent"];
    assert!(event["ContinuationSequenceNumber"].is_null());
    assert_eq!(event["ChildShards"].as_array().map(Vec::len), Some(2));
    assert_eq!(stream["output"]["Ended"]["reason"], "ShardEnd");
    assert!(stream["output"]["Ended"]["at_ms"].as_u64() <= Some(t + 15_000), "ends once the split completes");
}
