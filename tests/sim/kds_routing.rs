//! Routing: MD5 of the partition key (or the ExplicitHashKey) picks the open shard (spec §5.1, R09).

use crate::harness::{b64, Api};
use serde_json::json;

#[test]
fn partition_keys_land_on_the_spec_shards() {
    // Spec §5.1: the shard index of each key with 2, 3 and 4 shards.
    let table = [
        ("a", [0, 0, 0]),
        ("b", [1, 1, 2]),
        ("Weather", [0, 0, 0]),
        ("partitionKey1", [1, 2, 3]),
        ("key1", [1, 2, 3]),
        ("key2", [0, 1, 1]),
        ("420", [1, 2, 2]),
    ];
    let mut api = Api::new();
    for n in [2u64, 3, 4] {
        api.active_stream(0, &format!("s{n}"), n);
    }
    for (key, want) in table {
        for (n, index) in [2u64, 3, 4].iter().zip(want) {
            let out = api.ok(
                20_000,
                "PutRecord",
                json!({"StreamName": format!("s{n}"), "Data": b64("x"), "PartitionKey": key}),
            );
            assert_eq!(out["ShardId"], format!("shardId-{index:012}"), "{key} with {n} shards");
        }
    }
}

#[test]
fn an_explicit_hash_key_overrides_the_partition_key() {
    let mut api = Api::new();
    let t = api.active_stream(0, "s", 2);
    let high = api.ok(t, "PutRecord", json!({"StreamName": "s", "Data": b64("x"), "PartitionKey": "a", "ExplicitHashKey": "170141183460469231731687303715884105728"}));
    assert_eq!(high["ShardId"], "shardId-000000000001");
    let low = api.ok(
        t,
        "PutRecord",
        json!({"StreamName": "s", "Data": b64("x"), "PartitionKey": "b", "ExplicitHashKey": "0"}),
    );
    assert_eq!(low["ShardId"], "shardId-000000000000");
    let too_big = "340282366920938463463374607431768211456";
    let (code, message) = api.err(
        t,
        "PutRecord",
        json!({"StreamName": "s", "Data": b64("x"), "PartitionKey": "a", "ExplicitHashKey": too_big}),
    );
    assert_eq!(code, "InvalidArgumentException");
    assert_eq!(message, format!("Invalid ExplicitHashKey. ExplicitHashKey must be in the range: [0, 2^128-1]. Specified value was {too_big}"));
}

#[test]
fn sequence_numbers_increase_per_shard_and_encode_it() {
    let mut api = Api::new();
    let t = api.active_stream(0, "s", 1);
    let mut previous = String::new();
    for i in 0..50u64 {
        let out = api.ok(
            t + i * 100,
            "PutRecord",
            json!({"StreamName": "s", "Data": b64("x"), "PartitionKey": format!("k{i}")}),
        );
        let seq = out["SequenceNumber"].as_str().expect("sequence number").to_string();
        assert_eq!(seq.len(), 56);
        assert!(seq > previous, "strictly increasing (same length, so text order is numeric order)");
        previous = seq;
    }
    let (code, message) = api.err(t + 5_000, "GetShardIterator", json!({"StreamName": "s", "ShardId": "shardId-000000000001", "ShardIteratorType": "AT_SEQUENCE_NUMBER", "StartingSequenceNumber": previous}));
    assert_eq!(code, "ResourceNotFoundException", "{message}");
}
