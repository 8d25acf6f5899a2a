//! What the live view reads: each shard's running totals in the engine's snapshot agree with the clients'
//! own counts, and show the hot-key preset's hot shard.

use kinesis_lab::engine::runner::Runner;
use kinesis_lab::engine::scenario::{presets, Scenario};
use kinesis_lab::engine::time::SimTime;
use kinesis_lab::engine::Engine;

#[test]
fn shard_tallies_match_the_producers_and_single_out_the_hot_shard() {
    for detail in ["records", "runs"] {
        let mut scenario =
            Scenario::from_json(presets::find("p04-hot-key").expect("preset").json).expect("valid preset");
        scenario.detail = serde_json::from_value(serde_json::json!(detail)).expect("a detail");
        scenario.duration_s = 120.0;
        let plan = kinesis_lab::engine::scenario::compile(&scenario).expect("compiles");
        let mut runner = Runner::new(Engine::from_plan(plan));
        runner.run_until(SimTime::from_secs(120), u64::MAX, &mut |_| {});
        let snapshot = runner.engine().snapshot();
        for producer in &runner.engine().clients().producers {
            let stream = snapshot
                .streams
                .iter()
                .find(|s| s.name == producer.plan.spec.stream)
                .expect("the producer's stream is in the snapshot");
            let stored: u64 = stream.shards.iter().map(|s| s.tally.records_in).sum();
            let throttled: u64 = stream.shards.iter().map(|s| s.tally.write_throttled).sum();
            assert_eq!(
                (stored, throttled),
                (producer.stats.stored, producer.stats.throttled),
                "{detail}: {}",
                stream.name
            );
        }
        let hot = snapshot.streams.iter().find(|s| s.name == "smartcity-emergency-system-events").expect("stream");
        let throttled: Vec<u64> = hot.shards.iter().map(|s| s.tally.write_throttled).collect();
        assert!(
            throttled[0] > 0 && throttled[1..].iter().all(|&t| t == 0),
            "{detail}: only Weather's shard: {throttled:?}"
        );
        assert_eq!(hot.shards[1].tally.records_in, 0, "{detail}: no type hashes to shard 1");
        let second = hot.shards[0].last_second;
        assert!(
            (950..=1_000).contains(&second.records_in) && second.write_throttled > 0,
            "{detail}: the hot shard's last second is at its limit and throttled: {second:?}"
        );
        assert!(hot.shards.iter().all(|s| s.tally.read_calls > 0), "{detail}: the reader polls every shard");
    }
}

/// Runs `preset` for 60 s, splits `shard` of `stream` at its midpoint while running (as the lab's split
/// button does), runs two more minutes, and returns each child's (records stored, writes throttled).
fn split_while_running(preset: &str, stream: &str, shard: &str) -> Vec<(u64, u64)> {
    use kinesis_lab::engine::scenario::format::Action;
    let plan = Scenario::load(presets::find(preset).expect("preset").json).expect("valid preset");
    let mut runner = Runner::new(Engine::from_plan(plan));
    runner.run_until(SimTime::from_secs(60), u64::MAX, &mut |_| {});
    let before = runner.engine().snapshot();
    let hot = before.streams.iter().find(|s| s.name == stream).expect("stream");
    assert!(hot.shards.iter().find(|s| s.id == shard).expect("shard").tally.write_throttled > 0, "{preset}: hot");
    let split = Action::SplitShard { stream: stream.into(), shard: shard.into(), at_key: None };
    let outcome = runner.engine_mut().act(SimTime::from_secs(60), split);
    assert!(outcome.as_ref().is_ok_and(|t| t.ends_with(": ok")), "{preset}: {outcome:?}");
    let again = Action::SplitShard { stream: stream.into(), shard: shard.into(), at_key: None };
    let refused = runner.engine_mut().act(SimTime::from_secs(60), again).expect_err("the stream is UPDATING");
    assert!(refused.contains("ResourceInUseException"), "{refused}");
    runner.run_until(SimTime::from_secs(180), u64::MAX, &mut |_| {});
    let after = runner.engine().snapshot();
    let stream = after.streams.iter().find(|s| s.name == stream).expect("stream");
    let children: Vec<_> = stream.shards.iter().filter(|s| s.parent.as_deref() == Some(shard)).collect();
    assert_eq!(children.len(), 2, "{preset}: the split made two children");
    assert!(children.iter().all(|c| c.open), "{preset}: both children are open");
    children.iter().map(|c| (c.tally.records_in, c.tally.write_throttled)).collect()
}

#[test]
fn splitting_a_hot_shard_of_several_keys_stops_its_throttling() {
    let children = split_while_running("p13-hot-shard", "swipebike-telemetry", "shardId-000000000000");
    assert!(
        children.iter().all(|&(stored, throttled)| stored > 0 && throttled == 0),
        "two stations per child fit: {children:?}"
    );
}

#[test]
fn splitting_the_shard_of_one_hot_key_cannot_stop_its_throttling() {
    let children = split_while_running("p04-hot-key", "smartcity-emergency-system-events", "shardId-000000000000");
    let busy: Vec<_> = children.iter().filter(|&&(stored, _)| stored > 0).collect();
    assert!(busy.len() == 1 && busy[0].1 > 0, "Weather goes to one child and still overflows it: {children:?}");
}

#[test]
fn a_split_at_a_chosen_key_is_checked_by_the_service() {
    use kinesis_lab::engine::scenario::format::Action;
    let plan = Scenario::load(presets::find("p13-hot-shard").expect("preset").json).expect("valid preset");
    let mut runner = Runner::new(Engine::from_plan(plan));
    runner.run_until(SimTime::from_secs(10), u64::MAX, &mut |_| {});
    let split = |key: &str| Action::SplitShard {
        stream: "swipebike-telemetry".into(),
        shard: "shardId-000000000001".into(),
        at_key: Some(key.into()),
    };
    let refused = runner.engine_mut().act(SimTime::from_secs(10), split("12")).expect_err("outside the shard");
    assert!(refused.contains("InvalidArgumentException") && refused.contains("NewStartingHashKey 12"), "{refused}");
    let log = &runner.engine().clients().log;
    assert!(log.last().is_some_and(|l| l.text == refused), "the refusal is logged too");
    let key = (u128::MAX / 4 + 1000).to_string();
    let done = runner.engine_mut().act(SimTime::from_secs(10), split(&key)).expect("inside the shard");
    assert!(done.contains(&key), "{done}");
    runner.run_until(SimTime::from_secs(20), u64::MAX, &mut |_| {});
    let stream = &runner.engine().snapshot().streams[0];
    let child = stream.shards.iter().find(|s| s.starting_hash_key == key).expect("a child starts at the chosen key");
    assert_eq!(child.parent.as_deref(), Some("shardId-000000000001"));
}
