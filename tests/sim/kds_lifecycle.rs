//! Stream lifecycle: CREATING → ACTIVE → DELETING → gone, with AWS's errors on the way (R02, R47, R52, R57).

use crate::harness::{b64, Api, ACCOUNT};
use serde_json::json;

#[test]
fn a_stream_is_creating_then_active_after_the_documented_delay() {
    let mut api = Api::new();
    api.ok(0, "CreateStream", json!({"StreamName": "s", "ShardCount": 2}));
    let d = api.ok(1_000, "DescribeStream", json!({"StreamName": "s"}));
    assert_eq!(d["StreamDescription"]["StreamStatus"], "CREATING");
    assert_eq!(d["StreamDescription"]["Shards"], json!([]));
    let (code, message) =
        api.err(9_999, "PutRecord", json!({"StreamName": "s", "Data": b64("x"), "PartitionKey": "k"}));
    assert_eq!(
        (code.as_str(), message),
        ("ResourceNotFoundException", format!("Stream s under account {ACCOUNT} not found."))
    );
    let d = api.ok(10_000, "DescribeStream", json!({"StreamName": "s"}));
    let desc = &d["StreamDescription"];
    assert_eq!(desc["StreamStatus"], "ACTIVE");
    assert_eq!(desc["StreamARN"], format!("arn:aws:kinesis:us-east-1:{ACCOUNT}:stream/s"));
    assert_eq!(desc["RetentionPeriodHours"], 24);
    assert_eq!(desc["HasMoreShards"], false);
    let shards = desc["Shards"].as_array().expect("shards");
    assert_eq!(shards.len(), 2);
    assert_eq!(shards[0]["ShardId"], "shardId-000000000000");
    assert_eq!(shards[1]["HashKeyRange"]["StartingHashKey"], "170141183460469231731687303715884105728");
    assert_eq!(shards[1]["HashKeyRange"]["EndingHashKey"], "340282366920938463463374607431768211455");
    assert!(shards[0]["SequenceNumberRange"].get("EndingSequenceNumber").is_none(), "open shards have no end");
    assert_eq!(shards[0]["SequenceNumberRange"]["StartingSequenceNumber"].as_str().map(str::len), Some(56));
}

#[test]
fn names_are_unique_until_the_stream_is_gone() {
    let mut api = Api::new();
    let t = api.active_stream(0, "s", 1);
    let (code, message) = api.err(t, "CreateStream", json!({"StreamName": "s", "ShardCount": 1}));
    assert_eq!(
        (code.as_str(), message),
        ("ResourceInUseException", format!("Stream s under account {ACCOUNT} already exists."))
    );
    api.ok(t, "DeleteStream", json!({"StreamName": "s"}));
    let d = api.ok(t + 1, "DescribeStreamSummary", json!({"StreamName": "s"}));
    assert_eq!(d["StreamDescriptionSummary"]["StreamStatus"], "DELETING");
    assert_eq!(api.err(t + 1, "CreateStream", json!({"StreamName": "s", "ShardCount": 1})).0, "ResourceInUseException");
    let (code, _) = api.err(t + 5_000, "DescribeStream", json!({"StreamName": "s"}));
    assert_eq!(code, "ResourceNotFoundException");
    api.ok(t + 5_000, "CreateStream", json!({"StreamName": "s", "ShardCount": 1}));
}

#[test]
fn reshards_need_an_active_stream() {
    let mut api = Api::new();
    api.ok(0, "CreateStream", json!({"StreamName": "s", "ShardCount": 1}));
    let (code, message) =
        api.err(1, "SplitShard", json!({"StreamName": "s", "ShardToSplit": "shardId-0", "NewStartingHashKey": "100"}));
    assert_eq!(code, "ResourceInUseException");
    assert_eq!(message, format!("Stream s under account {ACCOUNT} not ACTIVE, instead in state CREATING"));
}

#[test]
fn only_five_streams_may_be_creating_at_once() {
    let mut api = Api::new();
    for (i, at) in [0u64, 1_000, 2_000, 3_000, 4_000].iter().enumerate() {
        api.ok(*at, "CreateStream", json!({"StreamName": format!("s{i}"), "ShardCount": 1}));
    }
    assert_eq!(
        api.err(5_000, "CreateStream", json!({"StreamName": "s5", "ShardCount": 1})).0,
        "LimitExceededException"
    );
    api.ok(10_000, "CreateStream", json!({"StreamName": "s5", "ShardCount": 1}));
}

#[test]
fn the_account_shard_quota_is_enforced_with_awss_text() {
    let mut api =
        Api::with(kinesis_lab::engine::kds::settings::KdsSettings { shard_quota: Some(10), ..Default::default() });
    let t = api.active_stream(0, "a", 8);
    let (code, message) = api.err(t, "CreateStream", json!({"StreamName": "b", "ShardCount": 3}));
    assert_eq!(code, "LimitExceededException");
    assert!(message.starts_with(&format!(
        "This request would exceed the shard limit for the account {ACCOUNT} in us-east-1. Current shard count for the account: 8. Limit: 10. Number of additional shards that would have resulted from this request: 3."
    )), "{message}");
    let limits = api.ok(t + 2_000, "DescribeLimits", json!({}));
    assert_eq!(
        limits,
        json!({"ShardLimit": 10, "OpenShardCount": 8, "OnDemandStreamCount": 0, "OnDemandStreamCountLimit": 50})
    );
}

#[test]
fn control_plane_rates_are_limited_per_second() {
    let mut api = Api::new();
    let t = api.active_stream(0, "s", 1);
    for _ in 0..10 {
        api.ok(t, "DescribeStream", json!({"StreamName": "s"}));
    }
    let (code, _) = api.err(t, "DescribeStream", json!({"StreamName": "s"}));
    assert_eq!(code, "LimitExceededException");
    api.ok(t + 1_000, "DescribeStream", json!({"StreamName": "s"}));
}

#[test]
fn streams_list_in_name_order_with_pages() {
    let mut api = Api::new();
    for (i, name) in ["c", "a", "b"].iter().enumerate() {
        api.ok(i as u64 * 1_000, "CreateStream", json!({"StreamName": name, "ShardCount": 1}));
    }
    let page = api.ok(3_000, "ListStreams", json!({"Limit": 2}));
    assert_eq!(page["StreamNames"], json!(["a", "b"]));
    assert_eq!(page["HasMoreStreams"], true);
    let rest = api.ok(3_000, "ListStreams", json!({"NextToken": page["NextToken"]}));
    assert_eq!(rest["StreamNames"], json!(["c"]));
    assert_eq!(rest["HasMoreStreams"], false);
    let (code, _) = api.err(400_000, "ListStreams", json!({"NextToken": page["NextToken"]}));
    assert_eq!(code, "ExpiredNextTokenException");
}
