//! Resharding: split and merge lineage, closed shards ending with ChildShards, UpdateShardCount's plan and
//! limits, and on-demand streams refusing manual reshards (R46–R56, spec §4.5, §4.6).

use crate::harness::{b64, Api, ACCOUNT};
use serde_json::{json, Value};

fn shards(api: &mut Api, at: u64, filter: &str) -> Vec<Value> {
    api.ok(at, "ListShards", json!({"StreamName": "s", "ShardFilter": {"Type": filter}}))["Shards"]
        .as_array()
        .cloned()
        .expect("shards")
}

#[test]
fn a_split_closes_the_parent_and_opens_two_children_that_take_over() {
    let mut api = Api::new();
    let t = api.active_stream(0, "s", 1);
    api.ok(t, "PutRecord", json!({"StreamName": "s", "Data": b64("before"), "PartitionKey": "b"}));
    let mid = "170141183460469231731687303715884105728";
    api.ok(
        t,
        "SplitShard",
        json!({"StreamName": "s", "ShardToSplit": "shardId-000000000000", "NewStartingHashKey": mid}),
    );
    let status = api.ok(t + 1, "DescribeStreamSummary", json!({"StreamName": "s"}));
    assert_eq!(status["StreamDescriptionSummary"]["StreamStatus"], "UPDATING");
    let during = api.ok(t + 1, "PutRecord", json!({"StreamName": "s", "Data": b64("during"), "PartitionKey": "b"}));
    assert_eq!(during["ShardId"], "shardId-000000000000", "writes continue while UPDATING");
    let done = t + 10_000;
    let all = shards(&mut api, done, "FROM_TRIM_HORIZON");
    assert_eq!(all.len(), 3);
    assert!(all[0]["SequenceNumberRange"]["EndingSequenceNumber"].is_string(), "the parent is closed");
    for (child, (start, end)) in all[1..]
        .iter()
        .zip([("0", "170141183460469231731687303715884105727"), (mid, "340282366920938463463374607431768211455")])
    {
        assert_eq!(child["ParentShardId"], "shardId-000000000000");
        assert_eq!(
            (child["HashKeyRange"]["StartingHashKey"].as_str(), child["HashKeyRange"]["EndingHashKey"].as_str()),
            (Some(start), Some(end))
        );
    }
    assert_eq!(shards(&mut api, done, "AT_LATEST").len(), 2);
    let after = api.ok(done, "PutRecord", json!({"StreamName": "s", "Data": b64("after"), "PartitionKey": "b"}));
    assert_eq!(after["ShardId"], "shardId-000000000002", "key b hashes into the upper half");
    // The parent still reads, then ends with its children.
    let it = api.ok(
        done,
        "GetShardIterator",
        json!({"StreamName": "s", "ShardId": "0", "ShardIteratorType": "TRIM_HORIZON"}),
    );
    let out = api.ok(done, "GetRecords", json!({"ShardIterator": it["ShardIterator"]}));
    assert_eq!(out["Records"].as_array().map(Vec::len), Some(2));
    assert!(out.get("NextShardIterator").is_none(), "a drained closed shard gives no next iterator");
    let children = out["ChildShards"].as_array().expect("child shards");
    assert_eq!(
        children.iter().map(|c| c["ShardId"].as_str().expect("id")).collect::<Vec<_>>(),
        ["shardId-000000000001", "shardId-000000000002"]
    );
    assert_eq!(children[0]["ParentShards"], json!(["shardId-000000000000"]));
    let parent_end = all[0]["SequenceNumberRange"]["EndingSequenceNumber"].as_str().expect("end").to_string();
    let child_start = all[2]["SequenceNumberRange"]["StartingSequenceNumber"].as_str().expect("start").to_string();
    assert!(child_start > parent_end, "children start above their parent");
}

#[test]
fn merging_needs_adjacent_open_shards_and_records_both_parents() {
    let mut api = Api::new();
    let t = api.active_stream(0, "s", 3);
    let (code, message) = api.err(
        t,
        "MergeShards",
        json!({"StreamName": "s", "ShardToMerge": "shardId-0", "AdjacentShardToMerge": "shardId-2"}),
    );
    assert_eq!((code.as_str(), message), ("InvalidArgumentException", format!("Shards shardId-000000000000 and shardId-000000000002 in stream s under account {ACCOUNT} are not an adjacent pair of shards eligible for merging")));
    api.ok(
        t,
        "MergeShards",
        json!({"StreamName": "s", "ShardToMerge": "shardId-1", "AdjacentShardToMerge": "shardId-0"}),
    );
    let open = shards(&mut api, t + 10_000, "AT_LATEST");
    assert_eq!(open.len(), 2);
    let child = open.iter().find(|s| s["ShardId"] == "shardId-000000000003").expect("merged child");
    assert_eq!(
        (child["ParentShardId"].as_str(), child["AdjacentParentShardId"].as_str()),
        (Some("shardId-000000000001"), Some("shardId-000000000000"))
    );
    assert_eq!(child["HashKeyRange"]["StartingHashKey"], "0");
    let (code, _) = api.err(
        t + 10_000,
        "MergeShards",
        json!({"StreamName": "s", "ShardToMerge": "shardId-0", "AdjacentShardToMerge": "shardId-3"}),
    );
    assert_eq!(code, "InvalidArgumentException", "a closed shard cannot be merged");
}

#[test]
fn split_keys_must_fall_strictly_inside_the_shard() {
    let mut api = Api::new();
    let t = api.active_stream(0, "s", 1);
    let (code, message) =
        api.err(t, "SplitShard", json!({"StreamName": "s", "ShardToSplit": "shardId-0", "NewStartingHashKey": "1"}));
    assert_eq!(code, "InvalidArgumentException");
    assert_eq!(message, format!("NewStartingHashKey 1 used in SplitShard() on shard shardId-000000000000 in stream s under account {ACCOUNT} is not both greater than one plus the shard's StartingHashKey 0 and less than the shard's EndingHashKey 340282366920938463463374607431768211455."));
    let (code, message) =
        api.err(t, "SplitShard", json!({"StreamName": "s", "ShardToSplit": "shardId-7", "NewStartingHashKey": "100"}));
    assert_eq!(
        (code.as_str(), message),
        ("ResourceNotFoundException", format!("Could not find shard shardId-7 in stream s under account {ACCOUNT}."))
    );
}

#[test]
fn update_shard_count_doubles_halves_and_respects_its_limits() {
    let mut api = Api::new();
    let t = api.active_stream(0, "s", 4);
    let out = api.ok(
        t,
        "UpdateShardCount",
        json!({"StreamName": "s", "TargetShardCount": 8, "ScalingType": "UNIFORM_SCALING"}),
    );
    assert_eq!((out["CurrentShardCount"].as_u64(), out["TargetShardCount"].as_u64()), (Some(4), Some(8)));
    let t = t + 10_000;
    let open = shards(&mut api, t, "AT_LATEST");
    assert_eq!(open.len(), 8);
    assert_eq!(shards(&mut api, t, "FROM_TRIM_HORIZON").len(), 12, "doubling is one split per shard");
    api.ok(t, "UpdateShardCount", json!({"StreamName": "s", "TargetShardCount": 4, "ScalingType": "UNIFORM_SCALING"}));
    let t = t + 10_000;
    let open = shards(&mut api, t, "AT_LATEST");
    assert_eq!(open.len(), 4);
    assert!(open.iter().all(|s| s["AdjacentParentShardId"].is_string()), "halving is one merge per pair");
    let (code, message) = api.err(
        t,
        "UpdateShardCount",
        json!({"StreamName": "s", "TargetShardCount": 9, "ScalingType": "UNIFORM_SCALING"}),
    );
    assert_eq!((code.as_str(), message.as_str()), ("LimitExceededException", "UpdateShardCount cannot scale up over double your current open shard count. Current open shard count: 4 Target shard count: 9"));
    let (code, _) = api.err(
        t,
        "UpdateShardCount",
        json!({"StreamName": "s", "TargetShardCount": 1, "ScalingType": "UNIFORM_SCALING"}),
    );
    assert_eq!(code, "LimitExceededException");
}

#[test]
fn update_shard_count_allows_ten_calls_per_rolling_day() {
    let mut api = Api::new();
    let mut t = api.active_stream(0, "s", 2);
    for target in [3, 2, 3, 2, 3, 2, 3, 2, 3, 2] {
        api.ok(
            t,
            "UpdateShardCount",
            json!({"StreamName": "s", "TargetShardCount": target, "ScalingType": "UNIFORM_SCALING"}),
        );
        t += 10_000;
        assert_eq!(shards(&mut api, t, "AT_LATEST").len(), target as usize);
    }
    let (code, _) = api.err(
        t,
        "UpdateShardCount",
        json!({"StreamName": "s", "TargetShardCount": 3, "ScalingType": "UNIFORM_SCALING"}),
    );
    assert_eq!(code, "LimitExceededException");
    api.ok(
        86_400_000 + 20_000,
        "UpdateShardCount",
        json!({"StreamName": "s", "TargetShardCount": 3, "ScalingType": "UNIFORM_SCALING"}),
    );
}

#[test]
fn on_demand_streams_refuse_manual_resharding() {
    let mut api = Api::new();
    api.ok(0, "CreateStream", json!({"StreamName": "s", "StreamModeDetails": {"StreamMode": "ON_DEMAND"}}));
    let t = 10_000;
    assert_eq!(shards(&mut api, t, "AT_LATEST").len(), 4);
    let (code, _) =
        api.err(t, "SplitShard", json!({"StreamName": "s", "ShardToSplit": "0", "NewStartingHashKey": "100"}));
    assert_eq!(code, "ValidationException");
    api.ok(t, "UpdateStreamMode", json!({"StreamARN": format!("arn:aws:kinesis:us-east-1:{ACCOUNT}:stream/s"), "StreamModeDetails": {"StreamMode": "PROVISIONED"}}));
    api.ok(t + 10_000, "SplitShard", json!({"StreamName": "s", "ShardToSplit": "0", "NewStartingHashKey": "100"}));
}
