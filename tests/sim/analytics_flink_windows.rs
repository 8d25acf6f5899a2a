//! The Flink-style engine's window semantics (spec firehose-analytics.md §3.3–§3.5), table-driven where it
//! can be: watermark arithmetic, when each assigner's windows fire and with what, allowed lateness and
//! re-firing, the late side output, session merging, idleness, processing-time windows on the clock,
//! count windows, and checkpoint/restore giving the uninterrupted run's results.

use kinesis_lab::engine::analytics::batch::run_pipeline;
use kinesis_lab::engine::analytics::flink::job::{Job, Output, Trace};
use kinesis_lab::engine::analytics::flink::pipeline::Pipeline;
use serde_json::{json, Value};

/// Event-time count per key over 10 s tumbling windows, bound 2 s.
fn counting(window: Value, extra: Value) -> Pipeline {
    let mut p = json!({
        "key_by": "k", "time": "event", "timestamp": "ts",
        "watermarks": {"out_of_orderness_ms": 2000},
        "window": window,
        "aggregate": [{"count": "*", "as": "n"}, {"sum": "v", "as": "total"}],
        "sink": {"table": "out"}, "checkpoints": false
    });
    p.as_object_mut().unwrap().extend(extra.as_object().unwrap().clone());
    Pipeline::from_json(&p).unwrap()
}

/// (arrival, key, event ts, value).
fn feed(job: &mut Job, events: &[(i64, &str, i64, i64)]) -> Vec<Output> {
    let mut out = Vec::new();
    for (at, k, ts, v) in events {
        out.extend(job.push(*at, "shardId-000000000000", &json!({"k": k, "ts": ts, "v": v})));
    }
    out
}

/// (stream, emitted at, key, window start ms-of-epoch text's seconds, n).
fn brief(out: &[Output]) -> Vec<String> {
    out.iter()
        .map(|o| {
            let get = |name: &str| o.row.iter().find(|(n, _)| n == name).map(|(_, v)| v.clone()).unwrap_or(Value::Null);
            let start = get("window_start").as_str().map(|s| s[17..19].to_string()).unwrap_or_default();
            let end = get("window_end").as_str().map(|s| s[17..19].to_string()).unwrap_or_default();
            let late = if o.late_firing { " late" } else { "" };
            format!(
                "{} @{} {} [{start},{end}) n={} total={}{late}",
                o.stream,
                o.at,
                get("k").as_str().unwrap_or("-"),
                get("n"),
                get("total")
            )
        })
        .collect()
}

#[test]
fn a_tumbling_event_time_window_fires_when_the_watermark_passes_its_max_timestamp() {
    let mut job = Job::new(counting(json!({"tumbling": {"size_ms": 10_000}}), json!({})));
    let mut out = feed(&mut job, &[(100, "a", 1_000, 1), (300, "a", 9_000, 2), (500, "a", 11_000, 3)]);
    // W = 11,000 − 2,000 − 1 = 8,999 at the 600 ms emission: [0, 10 s) not yet.
    out.extend(job.advance(600));
    assert_eq!(job.watermark(), 8_999);
    assert!(out.is_empty());
    out.extend(feed(&mut job, &[(700, "a", 12_000, 4)]));
    out.extend(job.advance(800));
    assert_eq!(job.watermark(), 9_999, "maxTimestamp 9,999 reached: the window fires");
    assert_eq!(brief(&out), ["out @800 a [00,10) n=2 total=3"]);
    out.extend(job.finish());
    assert_eq!(brief(&out)[1], "out @800 a [10,20) n=2 total=7", "the end of input fires the rest");
}

#[test]
fn late_elements_are_dropped_or_sent_to_the_side_output_and_lateness_refires() {
    let events = [
        (100, "a", 1_000, 1),
        (200, "a", 13_000, 1),
        (500, "a", 2_000, 5),
        (900, "a", 14_000, 1),
        (1_300, "a", 3_000, 7),
    ];
    // Lateness 0: W = 10,999 at 400 ms fires [0,10); the element at 2 s is late and dropped.
    let mut job = Job::new(counting(json!({"tumbling": {"size_ms": 10_000}}), json!({})));
    let mut out = feed(&mut job, &events);
    out.extend(job.finish());
    assert_eq!(brief(&out), ["out @400 a [00,10) n=1 total=1", "out @1300 a [10,20) n=2 total=2"]);
    assert_eq!(job.counters.num_late_records_dropped, 2);
    // With a side output, the same elements come out there instead.
    let mut job = Job::new(counting(json!({"tumbling": {"size_ms": 10_000}}), json!({"late_output": "late"})));
    let mut out = feed(&mut job, &events);
    out.extend(job.finish());
    let late: Vec<i64> = out
        .iter()
        .filter(|o| o.stream == "late")
        .map(|o| o.row.iter().find(|(n, _)| n == "ts").unwrap().1.as_i64().unwrap())
        .collect();
    assert_eq!(late, [2_000, 3_000]);
    assert_eq!(job.counters.late_to_side_output, 2);
    // Allowed lateness 2 s: the 2 s element (W 10,999 < 9,999 + 2,000) fires the window again; by
    // 1.3 s W is 11,999 ≥ 11,999, the window is purged and the 3 s element is late.
    let mut job = Job::new(counting(json!({"tumbling": {"size_ms": 10_000}}), json!({"allowed_lateness_ms": 2000})));
    let mut out = feed(&mut job, &events);
    out.extend(job.finish());
    assert_eq!(
        brief(&out),
        ["out @400 a [00,10) n=1 total=1", "out @500 a [00,10) n=2 total=6 late", "out @1300 a [10,20) n=2 total=2"]
    );
    assert_eq!(job.counters.num_late_records_dropped, 1);
    assert!(job.take_trace().iter().any(|t| matches!(t, Trace::Purge { .. })));
}

#[test]
fn sliding_windows_give_each_element_to_size_over_slide_windows() {
    let mut job = Job::new(counting(json!({"sliding": {"size_ms": 10_000, "slide_ms": 5_000}}), json!({})));
    let mut out = feed(&mut job, &[(100, "a", 7_000, 1), (200, "a", 12_000, 2)]);
    out.extend(job.finish());
    assert_eq!(
        brief(&out),
        // [-5,5) is empty for these; 7 s is in [0,10) and [5,15); 12 s in [5,15) and [10,20).
        ["out @200 a [00,10) n=1 total=1", "out @200 a [05,15) n=2 total=3", "out @200 a [10,20) n=1 total=2"]
    );
}

#[test]
fn session_windows_merge_and_fire_after_the_gap() {
    let mut job = Job::new(counting(json!({"session": {"gap_ms": 3_000}}), json!({})));
    let mut out = feed(
        &mut job,
        &[
            (100, "a", 1_000, 1),
            (200, "a", 5_000, 2),
            (300, "a", 3_000, 4),
            (400, "b", 4_000, 8),
            (500, "a", 20_000, 16),
        ],
    );
    out.extend(job.finish());
    // a: 1 s and 5 s are two sessions until 3 s bridges them: [1, 8) of three elements.
    assert_eq!(
        brief(&out),
        // Fired in timer order: b's session ends first.
        ["out @500 b [04,07) n=1 total=8", "out @500 a [01,08) n=3 total=7", "out @500 a [20,23) n=1 total=16"]
    );
}

#[test]
fn an_idle_shard_holds_the_watermark_back_until_idleness_lets_it_go() {
    let events = |job: &mut Job| {
        let mut out = job.push(100, "shard-1", &json!({"k": "a", "ts": 1_000, "v": 1}));
        out.extend(job.push(100, "shard-2", &json!({"k": "b", "ts": 1_000, "v": 1})));
        // Only shard 1 keeps sending, for a minute.
        for s in 1..=60 {
            out.extend(job.push(s * 1_000, "shard-1", &json!({"k": "a", "ts": s * 1_000 + 1_000, "v": 1})));
        }
        out
    };
    let mut held = Job::new(counting(json!({"tumbling": {"size_ms": 10_000}}), json!({})));
    assert!(events(&mut held).is_empty(), "shard 2's watermark (−1 ms) holds every window");
    let mut freed = Job::new(counting(
        json!({"tumbling": {"size_ms": 10_000}}),
        json!({"watermarks": {"out_of_orderness_ms": 2000, "idleness_ms": 5000}}),
    ));
    let out = events(&mut freed);
    assert!(!out.is_empty(), "after 5 s of quiet shard 2 is idle and the windows fire");
    assert!(freed.watermark() > 50_000);
}

#[test]
fn processing_time_windows_fire_on_the_clock_at_their_max_timestamp() {
    let p = Pipeline::from_json(&json!({
        "operators": [{"map": {"stationId": "stationId", "delta": "CASE action WHEN 'RENTED' THEN -1 ELSE 1 END"}}],
        "key_by": "stationId", "time": "processing",
        "window": {"tumbling": {"size_ms": 180000}},
        "aggregate": [{"sum": "delta", "as": "bikes"}],
        "sink": {"firehose": "BikeAnalyticsOutput"}
    }))
    .unwrap();
    let mut job = Job::new(p);
    let mut out = job.push(10_000, "s", &json!({"stationId": 100, "action": "RENTED"}));
    out.extend(job.push(170_000, "s", &json!({"stationId": 100, "action": "DOCKED"})));
    out.extend(job.push(175_000, "s", &json!({"stationId": 100, "action": "DOCKED"})));
    assert!(out.is_empty());
    out.extend(job.advance(179_998));
    assert!(out.is_empty());
    out.extend(job.advance(179_999));
    assert_eq!(out.len(), 1, "fired at maxTimestamp, 179,999 ms on the clock");
    assert_eq!(out[0].at, 179_999);
    assert_eq!(out[0].row.iter().find(|(n, _)| n == "bikes").unwrap().1, json!(1));
    assert_eq!(job.checkpoints.len(), 2, "the default 60 s interval: at 60 s and 120 s");
}

#[test]
fn a_count_window_fires_every_n_elements_per_key() {
    let mut job = Job::new(counting(json!({"global": {"count": 2}}), json!({})));
    let out = feed(&mut job, &[(1, "a", 1, 1), (2, "b", 2, 10), (3, "a", 3, 2), (4, "a", 4, 4), (5, "a", 5, 8)]);
    assert_eq!(brief(&out), ["out @3 a [,) n=2 total=3", "out @5 a [,) n=2 total=12"]);
}

#[test]
fn a_restore_from_a_checkpoint_gives_the_uninterrupted_runs_results_with_duplicates_marked() {
    let pipeline = json!({
        "key_by": "k", "time": "event", "timestamp": "ts", "watermarks": {"out_of_orderness_ms": 1000},
        "window": {"tumbling": {"size_ms": 10000}},
        "aggregate": [{"count": "*", "as": "n"}, {"sum": "v", "as": "total"}],
        "sink": {"table": "out"}, "checkpoints": {"interval_ms": 20000, "min_pause_ms": 5000}
    });
    // Two keys, an element every 700 ms for two minutes, in order.
    let input: String = (0..170)
        .map(|i| {
            format!(
                "{}\n",
                json!({"rowtime_ms": i * 700, "row": {"k": if i % 3 == 0 { "x" } else { "y" }, "ts": i * 700, "v": i}})
            )
        })
        .collect();
    let lines = |fail: Option<i64>| {
        let mut out = Vec::new();
        run_pipeline(&pipeline, &input, fail, &mut out).unwrap();
        String::from_utf8(out).unwrap().lines().map(|l| serde_json::from_str::<Value>(l).unwrap()).collect::<Vec<_>>()
    };
    let clean = lines(None);
    let failed = lines(Some(55_000));
    let replayed = failed.iter().filter(|l| l["replayed"] == true).count();
    assert!(replayed > 0, "windows fired between the 40 s checkpoint and the failure at 55 s fire again");
    let results = |ls: &[Value]| {
        let mut r: Vec<String> = ls.iter().map(|l| l["row"].to_string()).collect();
        r.sort();
        r.dedup();
        r
    };
    assert_eq!(results(&failed), results(&clean), "exactly-once state: the same results once duplicates are set aside");
    assert_eq!(failed.len(), clean.len() + replayed);
}
