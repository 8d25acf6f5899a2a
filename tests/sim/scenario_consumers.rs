//! Simulated consumers in whole scenarios: polling and enhanced fan-out readers keep up, follow
//! resharding parent before child, renew subscriptions, and count what retention took from them.

use kinesis_lab::engine::kds::shard::Detail;
use kinesis_lab::engine::scenario::run::run;
use kinesis_lab::engine::scenario::summary::Summary;
use kinesis_lab::engine::scenario::{compile, Scenario};
use serde_json::{json, Value};

/// Runs a scenario given as JSON, in the given detail.
pub fn summary_of(scenario: &Value, detail: Detail) -> Summary {
    let mut s: Scenario = Scenario::from_json(&scenario.to_string()).expect("valid scenario");
    s.detail = detail;
    run(compile(&s).expect("compiles"), &mut |_| {})
}

fn pipeline(consumers: Value, actions: Value) -> Value {
    json!({
        "name": "t", "title": "t", "explanation": "a. b.", "seed": 3, "duration_s": 900, "sample_s": 60,
        "streams": [{"name": "s", "shards": 2}],
        "producers": [{"name": "p", "stream": "s", "rate": {"kind": "constant", "per_second": 400},
                       "keys": {"kind": "random"}, "size": {"kind": "fixed", "bytes": 300}, "stop_s": 800}],
        "consumers": consumers,
        "actions": actions
    })
}

#[test]
fn every_consumer_reads_every_record_once_across_a_reshard() {
    let consumers = json!([
        {"kind": "efo", "name": "fan", "stream": "s", "start": "trim_horizon"},
        {"kind": "polling", "name": "poll", "stream": "s", "start": "trim_horizon"}
    ]);
    let actions = json!([
        {"at_s": 300, "action": "update_shard_count", "stream": "s", "target": 4},
        {"at_s": 600, "action": "update_shard_count", "stream": "s", "target": 2}
    ]);
    for detail in [Detail::Records, Detail::Runs] {
        let s = summary_of(&pipeline(consumers.clone(), actions.clone()), detail);
        let stored = s.producers[0].stored;
        assert!(stored > 300_000, "{detail:?}: {stored}");
        for c in &s.consumers {
            assert_eq!(c.records, stored, "{detail:?}: {} read each record once, through split and merge", c.name);
            assert_eq!(c.lost_to_retention, 0);
        }
        assert_eq!(s.streams[0].open_shards_end, 2);
        assert!(s.log.iter().all(|l| l.ends_with(": ok")), "{:?}", s.log);
    }
}

#[test]
fn subscriptions_are_renewed_every_five_minutes() {
    let consumers = json!([{"kind": "efo", "name": "fan", "stream": "s", "start": "trim_horizon"}]);
    let s = summary_of(&pipeline(consumers, json!([])), Detail::Records);
    let fan = &s.consumers[0];
    assert_eq!(fan.records, s.producers[0].stored, "no gap at a renewal");
    assert!(s.streams[0].usage.efo_consumer_shard_hours > 0.45, "{:?}", s.streams[0].usage);
    assert!(s.streams[0].cost.fan_out > 0.0);
}

#[test]
fn a_late_reader_starts_at_the_trim_horizon_and_a_slow_one_loses_records() {
    // One day of retention; both readers start 30 hours in, from the oldest record kept.
    let scenario = |limit: u64| {
        json!({
            "name": "t", "title": "t", "explanation": "a. b.", "seed": 3, "duration_s": 172_800, "sample_s": 3600,
            "detail": "runs",
            "streams": [{"name": "s", "shards": 1}],
            "producers": [{"name": "p", "stream": "s", "rate": {"kind": "constant", "per_second": 10},
                           "keys": {"kind": "random"}, "size": {"kind": "fixed", "bytes": 100}}],
            "consumers": [{"kind": "polling", "name": "late", "stream": "s", "start": "trim_horizon",
                           "start_s": 108_000, "poll_ms": 10_000, "limit": limit}]
        })
    };
    // 1,000 records per 10 s: it catches up, having skipped nothing it could have read.
    let s = summary_of(&scenario(1_000), Detail::Runs);
    let fast = &s.consumers[0];
    assert_eq!(fast.lost_to_retention, 0, "TRIM_HORIZON starts at the oldest record kept");
    assert!(fast.iterator_age_ms_max > 85_000_000, "it started a day behind: {}", fast.iterator_age_ms_max);
    assert_eq!(fast.behind_ms_end, 0, "and caught up");
    // 50 records per 10 s is half the write rate: it falls further behind and retention takes the rest.
    let s = summary_of(&scenario(50), Detail::Runs);
    let slow = &s.consumers[0];
    assert!(slow.lost_to_retention > 100_000, "{slow:?}");
    // Records from 10 s to 21,600 s were trimmed before the reader existed: not its loss.
    let before_it = (21_600 - 10) * 10;
    let kept_unread = s.producers[0].stored - slow.records - slow.lost_to_retention - before_it;
    // At most a day of records is still kept (± a few 1-second ticks at the edges).
    assert!(
        kept_unread > 0 && kept_unread <= 24 * 3_600 * 10 + 100,
        "neither read nor lost is still kept: {kept_unread}"
    );
}

fn kcl_app(checkpoint_every_ms: u64, actions: Value) -> Value {
    json!({
        "name": "t", "title": "t", "explanation": "a. b.", "seed": 5, "duration_s": 900, "sample_s": 60,
        "streams": [{"name": "s", "shards": 4}],
        "producers": [{"name": "p", "stream": "s", "rate": {"kind": "constant", "per_second": 400},
                       "keys": {"kind": "random"}, "size": {"kind": "fixed", "bytes": 200}, "stop_s": 840}],
        "consumers": [{"kind": "kcl", "name": "app", "stream": "s", "workers": 2,
                       "checkpoint_every_ms": checkpoint_every_ms}],
        "actions": actions
    })
}

#[test]
fn a_crashed_kcl_worker_s_leases_move_and_records_since_the_checkpoint_are_processed_again() {
    let actions = json!([{"at_s": 300, "action": "crash_worker", "consumer": "app"}]);
    let rare = summary_of(&kcl_app(60_000, actions.clone()), Detail::Records);
    let app = &rare.consumers[0];
    let stored = rare.producers[0].stored;
    assert_eq!(app.records, stored + app.reprocessed, "everything read once, plus what was processed again");
    assert!(app.lease_moves >= 2 + 2, "initial balancing, then the orphans: {app:?}");
    // Two shards at 100 records/s lose up to a minute of checkpoints.
    assert!(app.reprocessed > 2_000 && app.reprocessed <= 2 * 100 * 62, "{app:?}");
    assert_eq!(app.lost_to_retention, 0);
    // Checkpointing after every batch leaves at most one batch (1.5 s) per moved lease to redo.
    let often = summary_of(&kcl_app(0, actions), Detail::Records);
    let app = &often.consumers[0];
    assert!(app.reprocessed <= 2 * 100 * 2, "{app:?}");
    assert!(app.lease_writes > rare.consumers[0].lease_writes, "frequent checkpoints cost table writes");
}

#[test]
fn kcl_workers_rebalance_and_follow_resharding() {
    let actions = json!([
        {"at_s": 200, "action": "update_shard_count", "stream": "s", "target": 8},
        {"at_s": 400, "action": "add_worker", "consumer": "app"},
        {"at_s": 500, "action": "stop_worker", "consumer": "app", "worker": 0},
        {"at_s": 600, "action": "update_shard_count", "stream": "s", "target": 4}
    ]);
    for detail in [Detail::Records, Detail::Runs] {
        let s = summary_of(&kcl_app(0, actions.clone()), detail);
        let app = &s.consumers[0];
        assert_eq!(app.records, s.producers[0].stored + app.reprocessed, "{detail:?}: {app:?}");
        assert!(app.reprocessed <= 8 * 100 * 2, "a clean shutdown checkpoints first: {app:?}");
        assert_eq!(app.behind_ms_end, 0);
        assert!(
            s.log.iter().any(|l| l.contains("worker 2 joined"))
                && s.log.iter().any(|l| l.contains("worker 0 shut down"))
        );
    }
}
