//! Same seed and same requests ⇒ byte-identical output.

use kinesis_lab::api::replay::Replay;
use kinesis_lab::engine::rng::Seed;
use kinesis_lab::engine::EngineConfig;
use serde_json::json;

/// A busy script: create, write with throttling, reshard, read across the reshard.
fn script() -> Vec<String> {
    let mut lines = vec![
        json!({"at_ms": 0, "service": "kinesis", "action": "CreateStream", "input": {"StreamName": "s", "ShardCount": 3}}),
    ];
    for i in 0..300u64 {
        let records: Vec<_> =
            (0..20).map(|j| json!({"Data": "eA==", "PartitionKey": format!("k{}", (i * 7 + j) % 53)})).collect();
        lines.push(json!({"at_ms": 10_000 + i * 37, "service": "kinesis", "action": "PutRecords", "input": {"StreamName": "s", "Records": records}}));
        if i == 150 {
            lines.push(json!({"at_ms": 10_000 + i * 37, "service": "kinesis", "action": "UpdateShardCount", "input": {"StreamName": "s", "TargetShardCount": 5, "ScalingType": "UNIFORM_SCALING"}}));
        }
    }
    for shard in 0..8 {
        lines.push(json!({"at_ms": 60_000, "service": "kinesis", "action": "GetShardIterator", "input": {"StreamName": "s", "ShardId": format!("{shard}"), "ShardIteratorType": "TRIM_HORIZON"}}));
    }
    lines.push(json!({"at_ms": 60_000, "service": "kinesis", "action": "ListShards", "input": {"StreamName": "s"}}));
    lines.into_iter().map(|l| l.to_string()).collect()
}

fn run(seed: u64) -> String {
    let mut replay = Replay::new(EngineConfig::with_seed(Seed(seed)));
    let mut out: String = script().iter().flat_map(|l| replay.handle_line(l)).map(|l| l + "\n").collect();
    out.extend(replay.finish().into_iter().map(|l| l + "\n"));
    out
}

#[test]
fn the_same_requests_give_byte_identical_output() {
    let first = run(1);
    assert_eq!(first, run(1));
    assert!(first.contains("\"FailedRecordCount\":0") && first.contains("shardId-000000000007"));
}
