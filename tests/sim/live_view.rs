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
        assert!(hot.shards.iter().all(|s| s.tally.read_calls > 0), "{detail}: the reader polls every shard");
    }
}
