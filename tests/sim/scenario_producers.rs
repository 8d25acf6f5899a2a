//! Simulated producers in whole scenarios: batching, retries with backoff, lost acknowledgements and the
//! duplicates they cause, and the KPL's aggregation (spec kds.md §4.7, §4.8, §5.7, §6 P11).

use crate::scenario_consumers::summary_of;
use kinesis_lab::engine::kds::shard::Detail;
use serde_json::{json, Value};

fn one_producer(rate: f64, producer: Value, consumers: Value) -> Value {
    let mut p = json!({"name": "p", "stream": "s", "rate": {"kind": "constant", "per_second": rate},
                       "keys": {"kind": "uniform", "keys": 1000}, "size": {"kind": "fixed", "bytes": 100},
                       "stop_s": 290});
    p.as_object_mut().expect("object").extend(producer.as_object().expect("object").clone());
    json!({
        "name": "t", "title": "t", "explanation": "a. b.", "seed": 11, "duration_s": 300, "sample_s": 60,
        "streams": [{"name": "s", "shards": 1}],
        "producers": [p],
        "consumers": consumers
    })
}

#[test]
fn every_record_ends_stored_dropped_or_in_flight() {
    for detail in [Detail::Records, Detail::Runs] {
        for producer in [json!({}), json!({"retry": {"max_attempts": 1}}), json!({"kpl": {}})] {
            let s = summary_of(&one_producer(3_000.0, producer.clone(), json!([])), detail);
            let p = &s.producers[0];
            assert_eq!(
                p.user_records,
                p.stored_users - p.duplicates + p.dropped + p.in_flight_end,
                "{detail:?} {producer}: {p:?}"
            );
        }
    }
}

#[test]
fn over_capacity_the_sdk_throttles_and_the_kpl_aggregates() {
    for detail in [Detail::Records, Detail::Runs] {
        let consumers = json!([{"kind": "kcl", "name": "app", "stream": "s"}]);
        let sdk = summary_of(&one_producer(5_000.0, json!({}), consumers.clone()), detail);
        let kpl = summary_of(&one_producer(5_000.0, json!({"kpl": {}}), consumers), detail);
        let (s, k) = (&sdk.producers[0], &kpl.producers[0]);
        // One shard takes 1,000 records/s: the SDK producer loses most of 5,000/s.
        assert!(s.stored_users < s.user_records / 4 && s.dropped > s.user_records / 2, "{detail:?} {s:?}");
        // 100-byte records, ~450 to a 51,200-byte aggregate: all fit, in a few dozen Kinesis records/s.
        assert_eq!((k.dropped, k.throttled), (0, 0), "{detail:?} {k:?}");
        assert!(k.stored < k.stored_users / 100, "{detail:?} {k:?}");
        assert!(k.put_units * 10 < s.put_units, "far fewer PUT payload units: {k:?} vs {s:?}");
        let app = &kpl.consumers[0];
        assert_eq!(app.records, k.stored, "KCL reads the Kinesis records…");
        assert_eq!(app.user_records, k.stored_users, "…and de-aggregates them");
    }
}

#[test]
fn lost_acknowledgements_store_duplicates() {
    let producer = json!({"retry": {"lost_ack_fraction": 0.05}});
    let consumers = json!([{"kind": "polling", "name": "naive", "stream": "s", "start": "trim_horizon"}]);
    let s = summary_of(&one_producer(200.0, producer, consumers), Detail::Records);
    let (p, c) = (&s.producers[0], &s.consumers[0]);
    assert!(p.duplicates > 0 && p.retried >= p.duplicates, "{p:?}");
    assert_eq!(s.totals.duplicates_stored, p.duplicates);
    assert_eq!(c.duplicates, p.duplicates, "a naive counter sees them all: {c:?}");
    assert_eq!(c.records, p.stored, "{c:?}");
}

#[test]
fn retries_with_backoff_recover_a_burst() {
    // Bursts of 1,500 records at once into one shard every 30 s: 500 are throttled each time.
    let burst = |attempts: u32, jitter: &str| {
        let producer = json!({
            "rate": {"kind": "bursts", "per_second": 1_500, "every_s": 30, "duration_s": 1, "offset_s": 5},
            "retry": {"max_attempts": attempts, "base_ms": 200, "cap_ms": 5_000, "jitter": jitter}
        });
        let mut scenario = one_producer(0.0, producer, json!([]));
        scenario["tick_ms"] = json!(1_000);
        summary_of(&scenario, Detail::Records).producers[0].clone()
    };
    let once = burst(1, "full");
    assert_eq!(once.dropped, once.throttled, "no retry: every throttled record is lost: {once:?}");
    for jitter in ["full", "equal", "none"] {
        let retried = burst(6, jitter);
        assert!(retried.retried > 0 && retried.dropped * 10 < once.dropped, "{jitter}: {retried:?}");
    }
}

#[test]
fn put_record_makes_a_call_per_record_and_lingering_fills_batches() {
    let single = summary_of(&one_producer(100.0, json!({"api": "put_record"}), json!([])), Detail::Records);
    assert_eq!(single.producers[0].calls, single.producers[0].stored);
    let linger = summary_of(&one_producer(100.0, json!({"batch": {"linger_ms": 1_000}}), json!([])), Detail::Records);
    let eager = summary_of(&one_producer(100.0, json!({}), json!([])), Detail::Records);
    assert!(
        linger.producers[0].calls * 5 < eager.producers[0].calls,
        "{} vs {}",
        linger.producers[0].calls,
        eager.producers[0].calls
    );
}
