//! Retention: records older than the period are trimmed, raising retention never brings them back,
//! and closed shards expire from listings (R42–R45).

use crate::harness::{b64, Api};
use serde_json::json;

const HOUR: u64 = 3_600_000;

#[test]
fn records_are_trimmed_after_the_retention_period() {
    let mut api = Api::new();
    let t = api.active_stream(0, "s", 1);
    api.ok(t, "PutRecord", json!({"StreamName": "s", "Data": b64("old"), "PartitionKey": "k"}));
    api.ok(t + HOUR, "PutRecord", json!({"StreamName": "s", "Data": b64("new"), "PartitionKey": "k"}));
    assert_eq!(api.read_all(t + 24 * HOUR, "s", "0").len(), 2);
    assert_eq!(api.read_all(t + 24 * HOUR + 1, "s", "0").len(), 1);
}

#[test]
fn raising_retention_does_not_resurrect_trimmed_records() {
    let mut api = Api::new();
    let t = api.active_stream(0, "s", 1);
    api.ok(t, "PutRecord", json!({"StreamName": "s", "Data": b64("a"), "PartitionKey": "k"}));
    api.ok(t, "IncreaseStreamRetentionPeriod", json!({"StreamName": "s", "RetentionPeriodHours": 48}));
    api.ok(t + 30 * HOUR, "DecreaseStreamRetentionPeriod", json!({"StreamName": "s", "RetentionPeriodHours": 24}));
    assert_eq!(api.read_all(t + 30 * HOUR, "s", "0").len(), 0, "a decrease trims at once");
    api.ok(t + 30 * HOUR, "IncreaseStreamRetentionPeriod", json!({"StreamName": "s", "RetentionPeriodHours": 168}));
    assert_eq!(api.read_all(t + 30 * HOUR + 1, "s", "0").len(), 0, "no resurrection");
}

#[test]
fn retention_changes_are_checked_with_awss_texts() {
    let mut api = Api::new();
    let t = api.active_stream(0, "s", 1);
    let cases = [
        ("IncreaseStreamRetentionPeriod", 23, "Minimum allowed retention period is 24 hours. Requested retention period (23 hours) is too short.".to_string()),
        ("IncreaseStreamRetentionPeriod", 8_761, "Maximum allowed retention period is 8760 hours. Requested retention period (8761 hours) is too long.".to_string()),
        ("DecreaseStreamRetentionPeriod", 48, "Requested retention period (48 hours) for stream s can not be longer than existing retention period (24 hours). Use IncreaseRetentionPeriod API.".to_string()),
    ];
    for (action, hours, message) in cases {
        assert_eq!(
            api.err(t, action, json!({"StreamName": "s", "RetentionPeriodHours": hours})),
            ("InvalidArgumentException".to_string(), message)
        );
    }
    api.ok(t, "IncreaseStreamRetentionPeriod", json!({"StreamName": "s", "RetentionPeriodHours": 72}));
    let (code, message) =
        api.err(t, "IncreaseStreamRetentionPeriod", json!({"StreamName": "s", "RetentionPeriodHours": 48}));
    assert_eq!(code, "InvalidArgumentException");
    assert_eq!(message, "Requested retention period (48 hours) for stream s can not be shorter than existing retention period (72 hours). Use DecreaseRetentionPeriod API.");
}

#[test]
fn closed_shards_expire_from_listings_after_retention() {
    let mut api = Api::new();
    let t = api.active_stream(0, "s", 1);
    api.ok(t, "SplitShard", json!({"StreamName": "s", "ShardToSplit": "0", "NewStartingHashKey": "1000"}));
    let t = t + 10_000;
    let count =
        |api: &mut Api, at| api.ok(at, "ListShards", json!({"StreamName": "s"}))["Shards"].as_array().map(Vec::len);
    assert_eq!(count(&mut api, t), Some(3));
    assert_eq!(count(&mut api, t + 24 * HOUR + 1), Some(2), "the parent expired");
    let (code, _) = api.err(
        t + 24 * HOUR + 1,
        "GetShardIterator",
        json!({"StreamName": "s", "ShardId": "0", "ShardIteratorType": "TRIM_HORIZON"}),
    );
    assert_eq!(code, "ResourceNotFoundException");
}
