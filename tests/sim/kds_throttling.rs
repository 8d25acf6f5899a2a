//! Capacity: per-shard write buckets (1,000 records/s, 1 MiB/s incl. keys), the shared read budget
//! (5 calls/s, 2 MiB/s with debt), partial PutRecords failures; throttled calls change nothing (R14–R23).

use crate::harness::{b64, Api, ACCOUNT};
use serde_json::{json, Value};

fn batch(n: usize, key: &str, data: &str) -> Value {
    let records: Vec<Value> = (0..n).map(|_| json!({"Data": data, "PartitionKey": key})).collect();
    json!({"StreamName": "s", "Records": records})
}

#[test]
fn the_thousand_and_first_record_in_a_second_is_throttled() {
    let mut api = Api::new();
    let t = api.active_stream(0, "s", 1);
    let out = api.ok(t, "PutRecords", batch(500, "k", &b64("x")));
    assert_eq!(out["FailedRecordCount"], 0);
    api.ok(t, "PutRecords", batch(500, "k", &b64("x")));
    let (code, message) = api.err(t, "PutRecord", json!({"StreamName": "s", "Data": b64("x"), "PartitionKey": "k"}));
    assert_eq!(code, "ProvisionedThroughputExceededException");
    assert_eq!(message, format!("Rate exceeded for shard shardId-000000000000 in stream s under account {ACCOUNT}."));
    // One millisecond refills one record's worth.
    api.ok(t + 1, "PutRecord", json!({"StreamName": "s", "Data": b64("x"), "PartitionKey": "k"}));
    assert_eq!(api.read_all(t + 2, "s", "shardId-000000000000").len(), 1_001, "the throttled record was not stored");
}

#[test]
fn put_records_fails_entry_by_entry_in_request_order() {
    let mut api = Api::new();
    let t = api.active_stream(0, "s", 1);
    api.ok(t, "PutRecords", batch(500, "k", &b64("x")));
    api.ok(t, "PutRecords", batch(490, "k", &b64("x")));
    let out = api.ok(t, "PutRecords", batch(50, "k", &b64("x")));
    assert_eq!(out["FailedRecordCount"], 40);
    let records = out["Records"].as_array().expect("records");
    assert_eq!(records.len(), 50, "one result per entry");
    assert!(records[..10].iter().all(|r| r.get("SequenceNumber").is_some() && r["ShardId"] == "shardId-000000000000"));
    assert!(records[10..].iter().all(|r| r["ErrorCode"] == "ProvisionedThroughputExceededException"
        && r["ErrorMessage"]
            == format!("Rate exceeded for shard shardId-000000000000 in stream s under account {ACCOUNT}.")
        && r.get("SequenceNumber").is_none()));
}

#[test]
fn bytes_count_data_plus_partition_key() {
    let mut api = Api::new();
    let t = api.active_stream(0, "s", 1);
    // 1 MiB of data + a 1-byte key is over the 1 MiB record limit (R07).
    let mib = "A".repeat(1_048_576 / 3 * 4 + 4); // base64 of 1,048,578 bytes… trimmed below
    let data = &mib[..(1_048_576usize).div_ceil(3) * 4];
    let (code, _) = api.err(t, "PutRecord", json!({"StreamName": "s", "Data": data, "PartitionKey": "k"}));
    assert!(code == "ValidationException" || code == "InvalidArgumentException", "{code}");
    // Two half-MiB records fill the bucket; the key bytes push the second over.
    let half = b64(&"x".repeat(524_288));
    api.ok(t, "PutRecord", json!({"StreamName": "s", "Data": half, "PartitionKey": "k"}));
    let (code, _) = api.err(t, "PutRecord", json!({"StreamName": "s", "Data": half, "PartitionKey": "k"}));
    assert_eq!(code, "ProvisionedThroughputExceededException");
    api.ok(t + 501, "PutRecord", json!({"StreamName": "s", "Data": half, "PartitionKey": "k"}));
}

#[test]
fn the_sixth_get_records_call_in_a_second_is_throttled() {
    let mut api = Api::new();
    let t = api.active_stream(0, "s", 1);
    let it = api.ok(t, "GetShardIterator", json!({"StreamName": "s", "ShardId": "0", "ShardIteratorType": "LATEST"}));
    for _ in 0..5 {
        api.ok(t + 1, "GetRecords", json!({"ShardIterator": it["ShardIterator"]}));
    }
    let (code, message) = api.err(t + 1, "GetRecords", json!({"ShardIterator": it["ShardIterator"]}));
    assert_eq!(
        (code.as_str(), message),
        (
            "ProvisionedThroughputExceededException",
            format!("Rate exceeded for shard shardId-000000000000 in stream s under account {ACCOUNT}.")
        )
    );
    api.ok(t + 1_001, "GetRecords", json!({"ShardIterator": it["ShardIterator"]}));
}

#[test]
fn a_big_read_puts_the_shard_in_read_debt() {
    let mut api = Api::new();
    let t = api.active_stream(0, "s", 10);
    // 4 MiB into one shard over 4 seconds (1 MiB/s), via an explicit hash key.
    let chunk = b64(&"x".repeat(1_000_000));
    for s in 0..4u64 {
        api.ok(
            t + s * 1_000,
            "PutRecord",
            json!({"StreamName": "s", "Data": chunk, "PartitionKey": "k", "ExplicitHashKey": "0"}),
        );
    }
    let at = t + 5_000;
    let it =
        api.ok(at, "GetShardIterator", json!({"StreamName": "s", "ShardId": "0", "ShardIteratorType": "TRIM_HORIZON"}));
    let out = api.ok(at, "GetRecords", json!({"ShardIterator": it["ShardIterator"]}));
    assert_eq!(out["Records"].as_array().map(Vec::len), Some(4), "one call may return more than the per-second rate");
    // ~4 MB read from a 2 MiB bucket: in debt for about a second.
    assert_eq!(
        api.err(at + 500, "GetRecords", json!({"ShardIterator": out["NextShardIterator"]})).0,
        "ProvisionedThroughputExceededException"
    );
    api.ok(at + 1_000, "GetRecords", json!({"ShardIterator": out["NextShardIterator"]}));
}
