//! The live history the lab's charts draw: captured at every whole second without changing the run, its
//! shards summing to their stream, the hot shard's seconds at its limit with its write bucket empty; and
//! the record inspector paging a shard the way GetRecords reads it.

use kinesis_lab::engine::clients::LogKind;
use kinesis_lab::engine::live::inspect::{page, PageFrom, PAGE_ROWS};
use kinesis_lab::engine::live::ShardRef;
use kinesis_lab::engine::runner::Runner;
use kinesis_lab::engine::scenario::{presets, Scenario};
use kinesis_lab::engine::time::SimTime;
use kinesis_lab::engine::Engine;

fn run(preset: &str, secs: u64, live: bool) -> Runner {
    let plan = Scenario::load(presets::find(preset).expect("preset").json).expect("valid preset");
    let mut engine = Engine::from_plan(plan);
    if live {
        engine.keep_live_history();
    }
    let mut runner = Runner::new(engine);
    runner.run_until(SimTime::from_secs(secs), u64::MAX, &mut |_| {});
    runner
}

fn hot_shard() -> ShardRef {
    ShardRef { stream: "swipebike-telemetry".into(), shard: "shardId-000000000000".into() }
}

#[test]
fn keeping_the_history_changes_nothing_in_the_run() {
    let (with, without) = (run("p13-hot-shard", 90, true), run("p13-hot-shard", 90, false));
    assert_eq!(with.engine().snapshot(), without.engine().snapshot());
}

#[test]
fn every_second_is_kept_and_the_hot_shard_sits_at_its_limit() {
    let runner = run("p13-hot-shard", 120, true);
    let history = runner.engine().live().expect("kept");
    assert_eq!(history.end(), 120, "seconds 0 … 119 are complete at t = 120 s");
    let hot = hot_shard();
    let update = history.update(0, Some((&hot, 0)), 10_000);
    let (_, shard) = update.shard.expect("the watched shard");
    assert_eq!((shard.from_s, shard.span_s, shard.bins.len()), (0, 1, 120));
    let busy = &shard.bins[30..];
    assert!(busy.iter().all(|s| (950..=1_000).contains(&s.records_in)), "at the 1,000/s limit: {busy:?}");
    assert!(busy.iter().filter(|s| s.write_throttled > 0).count() > 60, "throttled most seconds");
    assert!(busy.iter().all(|s| s.tokens_records < 100), "the record bucket stays nearly empty");
    let (_, stream) = &update.streams[0];
    let snapshot = runner.engine().snapshot();
    let stored: u64 = snapshot.streams[0].shards.iter().map(|s| s.tally.records_in).sum();
    let kept: u64 = stream.bins.iter().map(|s| s.records_in).sum();
    assert!(stored - kept <= 1_500, "the history holds every complete second: {kept} of {stored}");
    assert!(stream.bins.iter().all(|s| s.open_shards == 4));
    let (name, reader) = &update.consumers[0];
    assert!(reader.bins.iter().map(|c| c.records).sum::<u64>() > 0, "{name} reads");
    let binned = history.update(0, Some((&hot, 0)), 50);
    let (_, coarse) = binned.shard.expect("watched");
    assert_eq!((coarse.span_s, coarse.bins.len()), (3, 40), "120 seconds in at most 50 bins");
    assert!(coarse.bins.iter().skip(10).all(|b| b.write_throttled > 0), "a bin keeps its busiest second");
    let later = history.update(118, None, 10_000);
    assert_eq!(later.streams[0].1.bins.len(), 2, "only the seconds asked for");
}

#[test]
fn the_inspector_pages_a_record_detail_shard_forwards_and_back() {
    let mut scenario = Scenario::from_json(presets::find("p13-hot-shard").expect("preset").json).expect("valid");
    scenario.detail = serde_json::from_value(serde_json::json!("records")).expect("a detail");
    let plan = kinesis_lab::engine::scenario::compile(&scenario).expect("compiles");
    let mut runner = Runner::new(Engine::from_plan(plan));
    runner.run_until(SimTime::from_secs(30), u64::MAX, &mut |_| {});
    let kds = runner.engine().kds();
    let hot = hot_shard();
    let first = page(kds, &hot, PageFrom::Oldest).expect("a page");
    assert_eq!(first.rows.len(), PAGE_ROWS);
    let (oldest, newest) = first.stored.expect("records stored");
    assert_eq!(first.rows[0].counter, oldest);
    let row = &first.rows[0];
    assert!(row.partition_key.as_deref().is_some_and(|k| k.starts_with("station-")), "{row:?}");
    assert!(row.data_preview.is_some() && row.data_len > 0 && row.count == 1);
    assert_eq!(row.sequence_number.len(), 56, "a version-2 sequence number has 56 digits");
    let next = page(kds, &hot, PageFrom::After(first.rows[PAGE_ROWS - 1].counter)).expect("next page");
    assert_eq!(next.rows[0].counter, first.rows[PAGE_ROWS - 1].counter + 1, "pages are contiguous");
    let back = page(kds, &hot, PageFrom::Before(next.rows[0].counter)).expect("previous page");
    assert_eq!(back.rows, first.rows, "back returns the same records");
    let last = page(kds, &hot, PageFrom::Newest).expect("newest page");
    assert_eq!(last.rows.last().map(|r| r.counter), Some(newest));
    assert!(last.rows.windows(2).all(|w| w[0].sequence_number < w[1].sequence_number), "sequence order");
    let missing = ShardRef { stream: hot.stream.clone(), shard: "shardId-000000000009".into() };
    assert!(page(kds, &missing, PageFrom::Oldest).expect_err("no such shard").contains("has no shard"));
    assert!(page(kds, &ShardRef { stream: "nope".into(), shard: "0".into() }, PageFrom::Oldest).is_err());
}

#[test]
fn a_run_detail_shard_pages_runs_without_bodies() {
    let runner = run("p13-hot-shard", 30, false);
    let page = page(runner.engine().kds(), &hot_shard(), PageFrom::Newest).expect("a page");
    assert!(!page.rows.is_empty());
    assert!(page.rows.iter().all(|r| r.partition_key.is_none() && r.data_preview.is_none()));
    assert!(page.rows.iter().any(|r| r.count > 1), "runs of equal records: {:?}", page.rows);
}

fn log_of(runner: &Runner, kind: LogKind) -> Vec<String> {
    let log = &runner.engine().clients().log;
    log.iter().filter(|l| l.kind == kind).map(|l| format!("{} {}: {}", l.at, l.who, l.text)).collect()
}

#[test]
fn the_event_log_sums_each_seconds_throttling_only_in_the_live_view() {
    let live = run("p13-hot-shard", 60, true);
    let lines = log_of(&live, LogKind::Throttling);
    assert!(lines.len() > 30, "a line for most throttled seconds: {}", lines.len());
    assert!(lines.iter().all(|l| l.contains("bike-telemetry: ") && l.contains("records throttled")), "{lines:?}");
    let throttled: u64 = live
        .engine()
        .clients()
        .log
        .iter()
        .filter(|l| l.kind == LogKind::Throttling)
        .map(|l| l.text.split(' ').next().and_then(|n| n.parse::<u64>().ok()).expect("a count first"))
        .sum();
    let producer = live.engine().clients().producers[0].stats.throttled;
    assert!(
        producer - throttled < 1_000,
        "the lines add up to the producer's count up to the last second: {throttled} of {producer}"
    );
    assert!(log_of(&run("p13-hot-shard", 60, false), LogKind::Throttling).is_empty(), "the CLI's log stays short");
}

#[test]
fn the_event_log_reports_lease_moves_and_failed_invocations() {
    use kinesis_lab::engine::scenario::format::Action;
    let mut kcl = run("p05-swipebike-city", 120, true);
    let crash = Action::CrashWorker { consumer: "operations-dashboard".into(), worker: Some(0) };
    kcl.engine_mut()
        .act(SimTime::from_secs(120), crash)
        .expect("worker 0, holding the one shard's lease, crashes; the lease moves after failover");
    kcl.run_until(SimTime::from_secs(240), u64::MAX, &mut |_| {});
    let moves = log_of(&kcl, LogKind::Leases);
    assert!(moves.iter().any(|l| l.contains("operations-dashboard: ") && l.contains("leases moved")), "{moves:?}");
    let lambda = run("p07-poison-pill", 300, true);
    let failed = log_of(&lambda, LogKind::Lambda);
    assert!(failed.iter().any(|l| l.contains("handler-c-bisect: ") && l.contains("bisected")), "{failed:?}");
    assert!(
        failed.iter().any(|l| l.contains("handler-a-defaults: ") && l.contains("the batch is retried")),
        "{failed:?}"
    );
}
