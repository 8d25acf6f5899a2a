//! Enhanced fan-out consumers: registration lifecycle, ARNs, listing, limits, and DeleteStream's
//! EnforceConsumerDeletion (R33, R34, R41; spec §1.6).

use crate::harness::{Api, ACCOUNT};
use serde_json::json;

fn arn() -> String {
    format!("arn:aws:kinesis:us-east-1:{ACCOUNT}:stream/s")
}

#[test]
fn a_consumer_is_creating_then_active_with_a_timestamped_arn() {
    let mut api = Api::new();
    let t = api.active_stream(0, "s", 1);
    let out = api.ok(t, "RegisterStreamConsumer", json!({"StreamARN": arn(), "ConsumerName": "c"}));
    let consumer_arn = out["Consumer"]["ConsumerARN"].as_str().expect("arn").to_string();
    assert_eq!(consumer_arn, format!("{}/consumer/c:1700000010", arn()));
    assert_eq!(out["Consumer"]["ConsumerStatus"], "CREATING");
    let d = api.ok(t + 5_000, "DescribeStreamConsumer", json!({"ConsumerARN": consumer_arn}));
    assert_eq!(d["ConsumerDescription"]["ConsumerStatus"], "ACTIVE");
    assert_eq!(d["ConsumerDescription"]["StreamARN"], arn());
    let listed = api.ok(t + 5_000, "ListStreamConsumers", json!({"StreamARN": arn()}));
    assert_eq!(listed["Consumers"].as_array().map(Vec::len), Some(1));
    let (code, _) = api.err(t + 5_000, "RegisterStreamConsumer", json!({"StreamARN": arn(), "ConsumerName": "c"}));
    assert_eq!(code, "ResourceInUseException");
    api.ok(t + 6_000, "DeregisterStreamConsumer", json!({"StreamARN": arn(), "ConsumerName": "c"}));
    let (code, _) = api.err(t + 11_000, "DescribeStreamConsumer", json!({"ConsumerARN": consumer_arn}));
    assert_eq!(code, "ResourceNotFoundException");
}

#[test]
fn at_most_twenty_consumers_per_stream() {
    let mut api = Api::new();
    let t = api.active_stream(0, "s", 1);
    for i in 0..20u64 {
        // Five at a time may be CREATING; each takes 5 s.
        api.ok(
            t + (i / 5) * 5_000,
            "RegisterStreamConsumer",
            json!({"StreamARN": arn(), "ConsumerName": format!("c{i}")}),
        );
    }
    let (code, _) = api.err(t + 30_000, "RegisterStreamConsumer", json!({"StreamARN": arn(), "ConsumerName": "c20"}));
    assert_eq!(code, "LimitExceededException");
    let summary = api.ok(t + 30_000, "DescribeStreamSummary", json!({"StreamName": "s"}));
    assert_eq!(summary["StreamDescriptionSummary"]["ConsumerCount"], 20);
}

#[test]
fn deleting_a_stream_with_consumers_needs_enforcement() {
    let mut api = Api::new();
    let t = api.active_stream(0, "s", 1);
    api.ok(t, "RegisterStreamConsumer", json!({"StreamARN": arn(), "ConsumerName": "c"}));
    let (code, _) = api.err(t + 5_000, "DeleteStream", json!({"StreamName": "s"}));
    assert_eq!(code, "ResourceInUseException");
    api.ok(t + 5_000, "DeleteStream", json!({"StreamName": "s", "EnforceConsumerDeletion": true}));
}
