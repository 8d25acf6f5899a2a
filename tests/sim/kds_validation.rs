//! Request validation through the JSON protocol: SerializationException for wrong types,
//! ValidationException listing every model violation (at most 10, 1-based member paths), and the
//! replay's own envelope errors (R01, R06, R08, R10, R22; kinesalite's production-recorded texts).

use crate::harness::{b64, Api};
use kinesis_lab::api::replay::Replay;
use kinesis_lab::engine::EngineConfig;
use serde_json::{json, Value};

#[test]
fn missing_and_empty_members_are_listed_in_model_order() {
    let mut api = Api::new();
    let (code, message) = api.err(
        0,
        "GetShardIterator",
        json!({"StreamName": "", "ShardIteratorType": "", "ShardId": "", "StartingSequenceNumber": ""}),
    );
    assert_eq!(code, "ValidationException");
    assert_eq!(
        message,
        "6 validation errors detected: \
         Value '' at 'shardId' failed to satisfy constraint: Member must satisfy regular expression pattern: [a-zA-Z0-9_.-]+; \
         Value '' at 'shardId' failed to satisfy constraint: Member must have length greater than or equal to 1; \
         Value '' at 'shardIteratorType' failed to satisfy constraint: Member must satisfy enum value set: [AFTER_SEQUENCE_NUMBER, LATEST, AT_TIMESTAMP, AT_SEQUENCE_NUMBER, TRIM_HORIZON]; \
         Value '' at 'startingSequenceNumber' failed to satisfy constraint: Member must satisfy regular expression pattern: 0|([1-9]\\d{0,128}); \
         Value '' at 'streamName' failed to satisfy constraint: Member must satisfy regular expression pattern: [a-zA-Z0-9_.-]+; \
         Value '' at 'streamName' failed to satisfy constraint: Member must have length greater than or equal to 1"
    );
    let (_, message) = api.err(0, "GetShardIterator", json!({}));
    assert_eq!(message, "2 validation errors detected: Value null at 'shardId' failed to satisfy constraint: Member must not be null; Value null at 'shardIteratorType' failed to satisfy constraint: Member must not be null");
}

#[test]
fn record_entries_are_checked_with_one_based_paths_and_a_cap_of_ten() {
    let mut api = Api::new();
    let long_key = "k".repeat(257);
    let records: Vec<Value> = (0..12).map(|_| json!({"Data": b64("x"), "PartitionKey": long_key})).collect();
    let (code, message) = api.err(0, "PutRecords", json!({"StreamName": "s", "Records": records}));
    assert_eq!(code, "ValidationException");
    assert!(message.starts_with("10 validation errors detected: "), "{message}");
    assert!(message.contains(&format!("Value '{long_key}' at 'records.1.member.partitionKey' failed to satisfy constraint: Member must have length less than or equal to 256")));
    assert!(message.contains("records.10.member.partitionKey") && !message.contains("records.11."));
    let too_many: Vec<Value> = (0..501).map(|_| json!({"Data": "", "PartitionKey": "k"})).collect();
    let (_, message) = api.err(0, "PutRecords", json!({"StreamName": "s", "Records": too_many}));
    assert!(
        message.starts_with(
            "1 validation error detected: Value '[com.amazonaws.kinesis.v20131202.PutRecordsRequestEntry@2, "
        ),
        "{}",
        &message[..120]
    );
    assert!(message
        .ends_with("]' at 'records' failed to satisfy constraint: Member must have length less than or equal to 500"));
}

#[test]
fn limits_and_blobs_are_checked() {
    let mut api = Api::new();
    let (_, message) = api.err(0, "GetRecords", json!({"ShardIterator": "x", "Limit": 10_001}));
    assert_eq!(message, "1 validation error detected: Value '10001' at 'limit' failed to satisfy constraint: Member must have value less than or equal to 10000");
    let big = b64(&"x".repeat(1_048_577));
    let (_, message) = api.err(0, "PutRecord", json!({"StreamName": "s", "Data": big, "PartitionKey": "k"}));
    assert_eq!(message, "1 validation error detected: Value 'java.nio.HeapByteBuffer[pos=0 lim=1048577 cap=1048577]' at 'data' failed to satisfy constraint: Member must have length less than or equal to 1048576");
}

#[test]
fn wrong_types_are_serialization_errors() {
    let mut api = Api::new();
    let cases = [
        ("PutRecord", json!({"StreamName": 5, "Data": "", "PartitionKey": "k"}), "class java.math.BigDecimal can not be converted to an String"),
        ("CreateStream", json!({"StreamName": "s", "ShardCount": "2"}), "class java.lang.String can not be converted to an Long"),
        ("PutRecord", json!({"StreamName": "s", "Data": "abc", "PartitionKey": "k"}), "'abc' can not be converted to a Blob: Base64 encoded length is expected a multiple of 4 bytes but found: 3"),
        ("PutRecords", json!({"StreamName": "s", "Records": {}}), "Start of structure or map found where not expected."),
        ("DeleteStream", json!({"StreamName": "s", "EnforceConsumerDeletion": "maybe"}), "'MAYBE' can not be converted to an Boolean"),
    ];
    for (action, input, message) in cases {
        assert_eq!(api.err(0, action, input.clone()), ("SerializationException".into(), message.into()), "{input}");
    }
}

#[test]
fn the_replay_answers_every_line_even_bad_ones() {
    let mut replay = Replay::new(EngineConfig::with_seed(kinesis_lab::engine::rng::Seed(1)));
    let lines = [
        "not json",
        "[1,2]",
        r#"{"at_ms": -1, "service": "kinesis", "action": "ListStreams", "input": {}}"#,
        r#"{"at_ms": 5, "service": "kinesis", "action": "Frobnicate", "input": {}}"#,
        r#"{"at_ms": 5, "service": "sqs", "action": "ListStreams", "input": {}}"#,
        r#"{"at_ms": 4, "service": "kinesis", "action": "ListStreams", "input": {}}"#,
        r#"{"at_ms": 6, "service": "kinesis", "action": "ListStreams"}"#,
        r#"{"at_ms": 99999999999999, "service": "kinesis", "action": "ListStreams"}"#,
        "\u{0}\u{ffff}",
        "",
    ];
    let types: Vec<String> = lines
        .iter()
        .map(|l| {
            let lines = replay.handle_line(l);
            assert_eq!(lines.len(), 1, "one line per input line");
            let out: Value = serde_json::from_str(&lines[0]).expect("JSON");
            out["error"]["__type"].as_str().map_or_else(|| "ok".into(), str::to_string)
        })
        .collect();
    assert_eq!(
        types,
        [
            "SerializationException",
            "SerializationException",
            "SerializationException",
            "UnknownOperationException",
            "UnknownOperationException",
            "SerializationException",
            "ok",
            "SerializationException",
            "SerializationException",
            "SerializationException"
        ]
    );
}
