//! Iterators: the five types, reuse, expiry after 300,000 ms, closed-shard ends, and AWS's error texts (R26–R31).

use crate::harness::{b64, Api, ACCOUNT};
use serde_json::{json, Value};

fn put(api: &mut Api, at: u64, text: &str) -> String {
    let out = api.ok(at, "PutRecord", json!({"StreamName": "s", "Data": b64(text), "PartitionKey": "k"}));
    out["SequenceNumber"].as_str().expect("seq").to_string()
}

fn iterator(api: &mut Api, at: u64, extra: Value) -> String {
    let mut input = json!({"StreamName": "s", "ShardId": "shardId-000000000000"});
    input.as_object_mut().expect("object").extend(extra.as_object().expect("object").clone());
    api.ok(at, "GetShardIterator", input)["ShardIterator"].as_str().expect("iterator").to_string()
}

fn texts(out: &Value) -> Vec<String> {
    use base64::Engine as _;
    out["Records"]
        .as_array()
        .expect("records")
        .iter()
        .map(|r| {
            String::from_utf8(
                base64::engine::general_purpose::STANDARD.decode(r["Data"].as_str().expect("data")).expect("b64"),
            )
            .expect("utf8")
        })
        .collect()
}

#[test]
fn the_five_iterator_types_start_where_aws_says() {
    let mut api = Api::new();
    let t = api.active_stream(0, "s", 1);
    let s1 = put(&mut api, t, "one");
    let latest = iterator(&mut api, t + 1_000, json!({"ShardIteratorType": "LATEST"}));
    let _s2 = put(&mut api, t + 2_000, "two");
    put(&mut api, t + 3_000, "three");
    let now = t + 4_000;
    let read = |api: &mut Api, it: &str| texts(&api.ok(now, "GetRecords", json!({"ShardIterator": it})));
    let trim = iterator(&mut api, now, json!({"ShardIteratorType": "TRIM_HORIZON"}));
    assert_eq!(read(&mut api, &trim), ["one", "two", "three"]);
    assert_eq!(read(&mut api, &latest), ["two", "three"], "LATEST sees what is written after the call");
    let at = iterator(&mut api, now, json!({"ShardIteratorType": "AT_SEQUENCE_NUMBER", "StartingSequenceNumber": s1}));
    assert_eq!(read(&mut api, &at), ["one", "two", "three"]);
    let after =
        iterator(&mut api, now, json!({"ShardIteratorType": "AFTER_SEQUENCE_NUMBER", "StartingSequenceNumber": s1}));
    assert_eq!(read(&mut api, &after), ["two", "three"]);
    let epoch_s = 1_700_000_000.0 + (t + 2_000) as f64 / 1_000.0;
    let ts = iterator(&mut api, now + 1_000, json!({"ShardIteratorType": "AT_TIMESTAMP", "Timestamp": epoch_s}));
    assert_eq!(texts(&api.ok(now + 1_000, "GetRecords", json!({"ShardIterator": ts}))), ["two", "three"]);
}

#[test]
fn an_iterator_is_a_reusable_position_until_it_expires() {
    let mut api = Api::new();
    let t = api.active_stream(0, "s", 1);
    put(&mut api, t, "one");
    let it = iterator(&mut api, t, json!({"ShardIteratorType": "TRIM_HORIZON"}));
    let first = api.ok(t + 1_000, "GetRecords", json!({"ShardIterator": it}));
    let again = api.ok(t + 2_000, "GetRecords", json!({"ShardIterator": it}));
    assert_eq!(texts(&first), texts(&again), "the same iterator reads the same records");
    api.ok(t + 300_000, "GetRecords", json!({"ShardIterator": it}));
    let (code, message) = api.err(t + 300_001, "GetRecords", json!({"ShardIterator": it}));
    assert_eq!(code, "ExpiredIteratorException");
    assert_eq!(message, "Iterator expired. The iterator was created at time Tue Nov 14 22:13:30 UTC 2023 while right now it is Tue Nov 14 22:18:30 UTC 2023 which is further in the future than the tolerated delay of 300000 milliseconds.");
}

#[test]
fn next_iterators_advance_and_millis_behind_latest_reports_the_lag() {
    let mut api = Api::new();
    let t = api.active_stream(0, "s", 1);
    for i in 0..5 {
        put(&mut api, t + i * 1_000, &format!("r{i}"));
    }
    let it = iterator(&mut api, t + 10_000, json!({"ShardIteratorType": "TRIM_HORIZON"}));
    let out = api.ok(t + 10_000, "GetRecords", json!({"ShardIterator": it, "Limit": 2}));
    assert_eq!(texts(&out), ["r0", "r1"]);
    assert_eq!(out["MillisBehindLatest"], 9_000, "now minus the arrival of the last record returned");
    let rest = api.ok(t + 10_000, "GetRecords", json!({"ShardIterator": out["NextShardIterator"]}));
    assert_eq!(texts(&rest), ["r2", "r3", "r4"]);
    assert_eq!(rest["MillisBehindLatest"], 0, "caught up");
    let empty = api.ok(t + 10_001, "GetRecords", json!({"ShardIterator": rest["NextShardIterator"]}));
    assert_eq!(empty["Records"], json!([]));
    assert!(empty["NextShardIterator"].is_string(), "an open shard always gives a next iterator");
}

#[test]
fn iterator_arguments_are_checked_with_awss_texts() {
    let mut api = Api::new();
    let t = api.active_stream(0, "s", 2);
    let call = |api: &mut Api, extra: Value| {
        let mut input = json!({"StreamName": "s", "ShardId": "shardId-0"});
        input.as_object_mut().expect("o").extend(extra.as_object().expect("o").clone());
        api.err(t, "GetShardIterator", input)
    };
    let cases = [
        (json!({"ShardIteratorType": "AT_SEQUENCE_NUMBER"}), "InvalidArgumentException", "Must either specify (1) AT_SEQUENCE_NUMBER or AFTER_SEQUENCE_NUMBER and StartingSequenceNumber or (2) TRIM_HORIZON or LATEST and no StartingSequenceNumber. Request specified AT_SEQUENCE_NUMBER and no StartingSequenceNumber.".to_string()),
        (json!({"ShardIteratorType": "LATEST", "StartingSequenceNumber": "5"}), "InvalidArgumentException", "Must either specify (1) AT_SEQUENCE_NUMBER or AFTER_SEQUENCE_NUMBER and StartingSequenceNumber or (2) TRIM_HORIZON or LATEST and no StartingSequenceNumber. Request specified LATEST and also a StartingSequenceNumber.".to_string()),
        (json!({"ShardIteratorType": "AT_SEQUENCE_NUMBER", "StartingSequenceNumber": "5"}), "InvalidArgumentException", "Invalid StartingSequenceNumber. It encodes shardId-000000000005, while it was used in a call to a shard with shardId-000000000000".to_string()),
        (json!({"ShardIteratorType": "AT_SEQUENCE_NUMBER", "StartingSequenceNumber": "0"}), "InvalidArgumentException", format!("StartingSequenceNumber 21267647932558653966460912964485513216 used in GetShardIterator on shard shardId-000000000000 in stream s under account {ACCOUNT} is invalid because it did not come from this stream.")),
        (json!({"ShardIteratorType": "AT_TIMESTAMP"}), "InvalidArgumentException", "Must specify timestampInMillis parameter for iterator of type AT_TIMESTAMP. Current request has no timestamp parameter.".to_string()),
        (json!({"ShardIteratorType": "AT_TIMESTAMP", "Timestamp": 1_800_000_000}), "InvalidArgumentException", "The timestampInMillis parameter cannot be greater than the currentTimestampInMillis. timestampInMillis: 1800000000000, currentTimestampInMillis: 1700000010000".to_string()),
    ];
    for (extra, code, message) in cases {
        assert_eq!(call(&mut api, extra.clone()), (code.to_string(), message), "{extra}");
    }
    let (code, message) = api.err(
        t,
        "GetShardIterator",
        json!({"StreamName": "s", "ShardId": "2147483648", "ShardIteratorType": "LATEST"}),
    );
    assert_eq!(
        (code.as_str(), message),
        ("ResourceNotFoundException", format!("Could not find shard 2147483648 in stream s under account {ACCOUNT}."))
    );
    let (code, message) = api.err(
        t,
        "GetShardIterator",
        json!({"StreamName": "s", "ShardId": "shardId-5", "ShardIteratorType": "LATEST"}),
    );
    assert_eq!(
        (code.as_str(), message),
        (
            "ResourceNotFoundException",
            format!("Shard shardId-000000000005 in stream s under account {ACCOUNT} does not exist")
        )
    );
    let (code, message) = api.err(t, "GetRecords", json!({"ShardIterator": "AAAAAAAAAAE="}));
    assert_eq!((code.as_str(), message.as_str()), ("InvalidArgumentException", "Invalid ShardIterator."));
}

#[test]
fn get_shard_iterator_is_limited_to_five_per_second_per_shard() {
    let mut api = Api::new();
    let t = api.active_stream(0, "s", 1);
    for _ in 0..5 {
        iterator(&mut api, t, json!({"ShardIteratorType": "LATEST"}));
    }
    let (code, _) =
        api.err(t, "GetShardIterator", json!({"StreamName": "s", "ShardId": "0", "ShardIteratorType": "LATEST"}));
    assert_eq!(code, "ProvisionedThroughputExceededException");
}
