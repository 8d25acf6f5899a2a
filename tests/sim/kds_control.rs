//! Control-plane details: encryption with the simulated KMS (R62), tags (R05), and ListShards' filters
//! and pages (spec §3.1).

use crate::harness::{b64, Api, ACCOUNT};
use serde_json::json;

#[test]
fn encryption_switches_new_records_to_kms_after_updating() {
    let mut api = Api::new();
    let t = api.active_stream(0, "s", 1);
    api.ok(t, "PutRecord", json!({"StreamName": "s", "Data": b64("plain"), "PartitionKey": "k"}));
    api.ok(
        t,
        "StartStreamEncryption",
        json!({"StreamName": "s", "EncryptionType": "KMS", "KeyId": "alias/aws/kinesis"}),
    );
    let during = api.ok(t + 1, "DescribeStreamSummary", json!({"StreamName": "s"}));
    assert_eq!(during["StreamDescriptionSummary"]["StreamStatus"], "UPDATING");
    let t = t + 10_000;
    let summary = api.ok(t, "DescribeStreamSummary", json!({"StreamName": "s"}));
    assert_eq!(
        (
            summary["StreamDescriptionSummary"]["EncryptionType"].as_str(),
            summary["StreamDescriptionSummary"]["KeyId"].as_str()
        ),
        (Some("KMS"), Some("alias/aws/kinesis"))
    );
    let put = api.ok(t, "PutRecord", json!({"StreamName": "s", "Data": b64("secret"), "PartitionKey": "k"}));
    assert_eq!(put["EncryptionType"], "KMS");
    let records = api.read_all(t, "s", "0");
    assert!(records[0].get("EncryptionType").is_none(), "the record written before stays unencrypted");
    assert_eq!(records[1]["EncryptionType"], "KMS");
}

#[test]
fn kms_key_problems_surface_as_awss_kms_exceptions() {
    let mut api = Api::new();
    let t = api.active_stream(0, "s", 1);
    let (code, _) = api.err(
        t,
        "StartStreamEncryption",
        json!({"StreamName": "s", "EncryptionType": "KMS", "KeyId": "alias/missing-key"}),
    );
    assert_eq!(code, "KMSNotFoundException");
    api.ok(
        t,
        "StartStreamEncryption",
        json!({"StreamName": "s", "EncryptionType": "KMS", "KeyId": "alias/disabled-later"}),
    );
    let t = t + 10_000;
    let (code, message) = api.err(t, "PutRecord", json!({"StreamName": "s", "Data": b64("x"), "PartitionKey": "k"}));
    assert_eq!(
        (code.as_str(), message.as_str()),
        ("KMSDisabledException", "The KMS key alias/disabled-later is disabled.")
    );
    // GetShardIterator needs no key; reading does.
    let it =
        api.ok(t, "GetShardIterator", json!({"StreamName": "s", "ShardId": "0", "ShardIteratorType": "TRIM_HORIZON"}));
    let (code, _) = api.err(t, "GetRecords", json!({"ShardIterator": it["ShardIterator"]}));
    assert_eq!(code, "KMSDisabledException");
    api.ok(
        t,
        "StopStreamEncryption",
        json!({"StreamName": "s", "EncryptionType": "KMS", "KeyId": "alias/disabled-later"}),
    );
    api.ok(t + 10_000, "PutRecord", json!({"StreamName": "s", "Data": b64("x"), "PartitionKey": "k"}));
}

#[test]
fn tags_are_added_listed_removed_and_limited() {
    let mut api = Api::new();
    let t = api.active_stream(0, "s", 1);
    api.ok(t, "AddTagsToStream", json!({"StreamName": "s", "Tags": {"team": "rides", "env": "lab"}}));
    let listed = api.ok(t, "ListTagsForStream", json!({"StreamName": "s"}));
    assert_eq!(
        listed,
        json!({"Tags": [{"Key": "env", "Value": "lab"}, {"Key": "team", "Value": "rides"}], "HasMoreTags": false})
    );
    let page = api.ok(t, "ListTagsForStream", json!({"StreamName": "s", "Limit": 1}));
    assert_eq!(page["HasMoreTags"], true);
    api.ok(t, "RemoveTagsFromStream", json!({"StreamName": "s", "TagKeys": ["env", "unknown"]}));
    assert_eq!(
        api.ok(t, "ListTagsForStream", json!({"StreamName": "s"}))["Tags"],
        json!([{"Key": "team", "Value": "rides"}])
    );
    let (code, message) = api.err(t, "AddTagsToStream", json!({"StreamName": "s", "Tags": {"bad": "100%"}}));
    assert_eq!(code, "InvalidArgumentException");
    assert!(message.contains("illegal characters"), "{message}");
    for batch in 0..4 {
        let tags: serde_json::Map<String, serde_json::Value> =
            (0..10).map(|i| (format!("k{batch}-{i}"), json!("v"))).collect();
        api.ok(t + 1_000 * (batch + 1), "AddTagsToStream", json!({"StreamName": "s", "Tags": tags}));
    }
    let tags: serde_json::Map<String, serde_json::Value> = (0..10).map(|i| (format!("k9-{i}"), json!("v"))).collect();
    let (code, message) = api.err(t + 6_000, "AddTagsToStream", json!({"StreamName": "s", "Tags": tags}));
    assert_eq!(code, "InvalidArgumentException");
    assert_eq!(message, format!("Failed to add tags to stream s under account {ACCOUNT} because a given stream cannot have more than 10 tags associated with it."));
}

#[test]
fn list_shards_filters_by_time_and_pages_with_tokens() {
    let mut api = Api::new();
    let t = api.active_stream(0, "s", 2);
    api.ok(t, "SplitShard", json!({"StreamName": "s", "ShardToSplit": "0", "NewStartingHashKey": "1000"}));
    let split_done = t + 10_000;
    let epoch = |ms: u64| 1_700_000_000.0 + ms as f64 / 1_000.0;
    let ids = |out: &serde_json::Value| {
        out["Shards"]
            .as_array()
            .expect("shards")
            .iter()
            .map(|s| s["ShardId"].as_str().expect("id")[17..].to_string())
            .collect::<Vec<_>>()
    };
    let list = |api: &mut crate::harness::Api, filter: serde_json::Value| {
        api.ok(split_done + 1_000, "ListShards", json!({"StreamName": "s", "ShardFilter": filter}))
    };
    assert_eq!(ids(&list(&mut api, json!({"Type": "AT_LATEST"}))), ["001", "002", "003"]);
    assert_eq!(
        ids(&list(&mut api, json!({"Type": "AT_TIMESTAMP", "Timestamp": epoch(t)}))),
        ["000", "001"],
        "before the split"
    );
    assert_eq!(
        ids(&list(&mut api, json!({"Type": "FROM_TIMESTAMP", "Timestamp": epoch(t)}))),
        ["000", "001", "002", "003"]
    );
    assert_eq!(
        ids(&list(&mut api, json!({"Type": "AFTER_SHARD_ID", "ShardId": "shardId-000000000001"}))),
        ["002", "003"]
    );
    let later = split_done + 1_000; // lines go forward in time
    let (code, _) = api.err(later, "ListShards", json!({"StreamName": "s", "ShardFilter": {"Type": "AT_TIMESTAMP"}}));
    assert_eq!(code, "InvalidArgumentException");
    let page = api.ok(later, "ListShards", json!({"StreamName": "s", "MaxResults": 2}));
    assert_eq!(ids(&page), ["000", "001"]);
    let rest = api.ok(later, "ListShards", json!({"NextToken": page["NextToken"]}));
    assert_eq!(ids(&rest), ["002", "003"]);
    assert!(rest.get("NextToken").is_none());
    let (code, _) = api.err(later, "ListShards", json!({"StreamName": "s", "NextToken": page["NextToken"]}));
    assert_eq!(code, "InvalidArgumentException", "NextToken excludes StreamName");
    let (code, _) = api.err(later + 300_001, "ListShards", json!({"NextToken": page["NextToken"]}));
    assert_eq!(code, "ExpiredNextTokenException");
    let described = api.ok(split_done + 400_000, "DescribeStream", json!({"StreamName": "s", "Limit": 2}));
    assert_eq!(described["StreamDescription"]["HasMoreShards"], true);
    let more = api.ok(
        split_done + 400_000,
        "DescribeStream",
        json!({"StreamName": "s", "ExclusiveStartShardId": "shardId-000000000001"}),
    );
    assert_eq!(more["StreamDescription"]["Shards"].as_array().map(Vec::len), Some(2));
}
