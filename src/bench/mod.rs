//! The benchmarks shared by `kinesis-lab bench` natively and in wasm: ingest (issue 3 §10) and whole
//! scenario runs (issue 4 §8: fast-forward through a day, live mode with producers and consumers).
//!
//! PutRecords of 100-byte records with distinct 16-byte partition keys into a 1,000-shard stream at
//! 90 % of its write capacity: simulated time advances with the load (each batch of 500 moves it by
//! 500 / 900,000 s), so the capacity buckets are exercised but not exhausted. It reports the engine's
//! records per wall second, the rate of computing MD5 alone over the same keys (the physical floor of
//! routing), and their ratio. The caller passes the wall clock: the engine itself never reads one.

pub mod analytics;
pub mod firehose;

use crate::engine::kds::actions::{CreateStreamInput, PutRecordsInput, PutRecordsRequestEntry};
use crate::engine::kds::hashing::partition_key_hash;
use crate::engine::kds::settings::KdsSettings;
use crate::engine::kds::{KdsRequest, KdsResponse, KdsService};
use crate::engine::rng::{Seed, SimRng};
use crate::engine::time::{SimDuration, SimTime};
use serde::Serialize;

/// The outcome of timing one scenario run.
#[derive(Clone, Debug, Serialize)]
pub struct ScenarioReport {
    /// The scenario's name.
    pub scenario: String,
    /// `records` or `runs`.
    pub detail: crate::engine::kds::shard::Detail,
    /// Simulated seconds covered.
    pub simulated_secs: f64,
    /// Wall seconds taken.
    pub wall_secs: f64,
    /// Simulated seconds per wall second.
    pub speedup: f64,
    /// Records stored by all producers.
    pub records_stored: u64,
    /// Records received by all consumers.
    pub records_read: u64,
    /// Records stored per wall second.
    pub stored_per_wall_sec: f64,
    /// Records refused by write throttling (a sanity check that the load was real).
    pub throttled_records: u64,
}

/// Runs a compiled scenario to its end once and times it; `clock` returns wall seconds.
pub fn scenario(plan: crate::engine::scenario::Plan, clock: &dyn Fn() -> f64) -> ScenarioReport {
    let (name, detail) = (plan.scenario.name.clone(), plan.scenario.detail);
    let started = clock();
    let summary = crate::engine::scenario::run::run(plan, &mut |_| {});
    let wall_secs = (clock() - started).max(1e-9);
    let records_stored: u64 = summary.producers.iter().map(|p| p.stored).sum();
    ScenarioReport {
        scenario: name,
        detail,
        simulated_secs: summary.duration_s,
        wall_secs,
        speedup: summary.duration_s / wall_secs,
        records_stored,
        records_read: summary.consumers.iter().map(|c| c.records).sum(),
        stored_per_wall_sec: records_stored as f64 / wall_secs,
        throttled_records: summary.totals.throttled_records,
    }
}

/// What to measure.
#[derive(Clone, Copy, Debug)]
pub struct IngestSpec {
    /// Shards in the stream.
    pub shards: u32,
    /// Records written in the timed run.
    pub records: usize,
    /// Share of the stream's 1,000 records/s per shard to write, in percent.
    pub load_percent: u64,
    /// Bytes of Data per record.
    pub data_bytes: usize,
    /// Characters per partition key.
    pub key_bytes: usize,
}

impl Default for IngestSpec {
    fn default() -> Self {
        IngestSpec { shards: 1_000, records: 2_000_000, load_percent: 90, data_bytes: 100, key_bytes: 16 }
    }
}

/// The benchmark's results.
#[derive(Clone, Debug, Serialize)]
pub struct IngestReport {
    /// Records written through PutRecords.
    pub records: usize,
    /// Records the write buckets refused (should be 0 at 90 % load).
    pub throttled: u64,
    /// Engine records per wall second.
    pub engine_records_per_sec: f64,
    /// MD5 of the same keys per wall second.
    pub md5_keys_per_sec: f64,
    /// engine / MD5.
    pub ratio: f64,
    /// Simulated seconds covered.
    pub simulated_secs: f64,
}

/// Runs the ingest benchmark `rounds` times on fresh streams and keeps each rate's best round (the
/// usual defence against a noisy host); `clock` returns wall seconds (any origin).
pub fn ingest_best(spec: IngestSpec, rounds: usize, clock: &dyn Fn() -> f64) -> IngestReport {
    let runs: Vec<IngestReport> = (0..rounds.max(1)).map(|_| ingest(spec, clock)).collect();
    let best = |f: fn(&IngestReport) -> f64| runs.iter().map(f).fold(0.0, f64::max);
    let (engine, md5) = (best(|r| r.engine_records_per_sec), best(|r| r.md5_keys_per_sec));
    IngestReport { engine_records_per_sec: engine, md5_keys_per_sec: md5, ratio: engine / md5, ..runs[0].clone() }
}

/// Runs the ingest benchmark once; `clock` returns wall seconds (any origin).
///
/// Each batch of 500 is built untimed (as a parsed request would arrive), then timed twice on the same
/// hot data: MD5 of its keys alone, and the engine's PutRecords, which routes by that MD5, checks
/// capacity, keeps each entry's key and data, and answers.
pub fn ingest(spec: IngestSpec, clock: &dyn Fn() -> f64) -> IngestReport {
    let keys = distinct_keys(spec.records, spec.key_bytes);
    let data = vec![b'x'; spec.data_bytes];
    let (mut service, start_at) = bench_stream(spec.shards);
    let mut now = start_at;
    let per_sec = u64::from(spec.shards) * 1_000 * spec.load_percent / 100;
    let batch_len = 500;
    let step = SimDuration::from_micros(batch_len as u64 * 1_000_000 / per_sec.max(1));
    let (mut engine_secs, mut md5_secs, mut throttled, mut acc) = (0.0, 0.0, 0, 0u128);
    for chunk in keys.chunks(batch_len) {
        let records = chunk
            .iter()
            .map(|k| PutRecordsRequestEntry { data: data.clone(), partition_key: k.clone(), explicit_hash_key: None })
            .collect();
        let batch =
            KdsRequest::PutRecords(PutRecordsInput { stream_name: Some("bench".into()), stream_arn: None, records });
        let t0 = clock();
        for key in chunk {
            acc ^= partition_key_hash(key).0;
        }
        let t1 = clock();
        now += step;
        let result = service.handle(now, batch);
        let t2 = clock();
        md5_secs += t1 - t0;
        engine_secs += t2 - t1;
        match result {
            Ok(KdsResponse::PutRecords(out)) => throttled += out.failed_record_count,
            other => panic!("the bench request failed: {other:?}"),
        }
    }
    // Keep the hashes observable so the MD5 loop is not optimised away.
    assert_ne!(acc, 1, "vanishingly unlikely: the XOR of the hashes is 1");
    let engine_rate = spec.records as f64 / engine_secs;
    let md5_rate = spec.records as f64 / md5_secs;
    IngestReport {
        records: spec.records,
        throttled,
        engine_records_per_sec: engine_rate,
        md5_keys_per_sec: md5_rate,
        ratio: engine_rate / md5_rate,
        simulated_secs: (now - start_at).as_micros() as f64 / 1e6,
    }
}

/// What a stored record costs in memory.
#[derive(Clone, Debug, Serialize)]
pub struct MemoryReport {
    /// Records stored.
    pub records: usize,
    /// Heap bytes the stream held per record (requested from the allocator).
    pub bytes_per_record: f64,
    /// Payload + partition key per record.
    pub payload_and_key_bytes: usize,
    /// bytes_per_record − payload − key: must stay at or under 64.
    pub overhead_bytes: f64,
}

/// Stores `spec.records` records and measures the heap they hold; `live_bytes` reads the allocator's count.
pub fn memory(spec: IngestSpec, live_bytes: &dyn Fn() -> usize) -> MemoryReport {
    let keys = distinct_keys(spec.records, spec.key_bytes);
    let data = vec![b'x'; spec.data_bytes];
    let (mut service, mut now) = bench_stream(spec.shards);
    let before = live_bytes();
    for chunk in keys.chunks(500) {
        now += SimDuration::from_secs(1);
        let records = chunk
            .iter()
            .map(|k| PutRecordsRequestEntry { data: data.clone(), partition_key: k.clone(), explicit_hash_key: None })
            .collect();
        let input = PutRecordsInput { stream_name: Some("bench".into()), stream_arn: None, records };
        let _ = service.handle(now, KdsRequest::PutRecords(input));
    }
    let held = live_bytes().saturating_sub(before);
    let per_record = held as f64 / spec.records as f64;
    let payload = spec.data_bytes + spec.key_bytes;
    drop(service);
    MemoryReport {
        records: spec.records,
        bytes_per_record: per_record,
        payload_and_key_bytes: payload,
        overhead_bytes: per_record - payload as f64,
    }
}

/// A service with one ACTIVE stream "bench" of `shards` shards, and the time it became ACTIVE.
fn bench_stream(shards: u32) -> (KdsService, SimTime) {
    let mut service = KdsService::new(KdsSettings { control_plane_rate_limits: false, ..KdsSettings::default() });
    let create =
        CreateStreamInput { stream_name: "bench".into(), shard_count: Some(i64::from(shards)), ..Default::default() };
    service.handle(SimTime::ZERO, KdsRequest::CreateStream(create)).expect("the bench stream is valid");
    let active = SimTime::from_secs(30);
    service.handle_timeout(active);
    (service, active)
}

/// `n` distinct keys of `len` characters, from a seeded stream (the same keys natively and in wasm).
fn distinct_keys(n: usize, len: usize) -> Vec<String> {
    let mut rng = SimRng::new(Seed(2024));
    (0..n)
        .map(|i| {
            // The index makes every key distinct; random hex fills the rest.
            let mut key = format!("{i:x}-");
            while key.len() < len {
                key.push_str(&format!("{:x}", rng.next_u64()));
            }
            key.truncate(len);
            key
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_are_distinct_and_sized() {
        let keys = distinct_keys(10_000, 16);
        let unique: std::collections::BTreeSet<&String> = keys.iter().collect();
        assert_eq!(unique.len(), 10_000);
        assert!(keys.iter().all(|k| k.len() == 16));
    }

    #[test]
    fn a_small_run_writes_everything_without_throttling() {
        let tick = std::cell::Cell::new(0.0);
        let clock = || {
            tick.set(tick.get() + 1.0);
            tick.get()
        };
        let report = ingest(IngestSpec { shards: 10, records: 20_000, ..IngestSpec::default() }, &clock);
        assert_eq!((report.records, report.throttled), (20_000, 0));
        assert!((report.simulated_secs - 20_000.0 / 9_000.0).abs() < 0.01, "{}", report.simulated_secs);
    }
}
