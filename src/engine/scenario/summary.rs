//! The summary of a scenario run: what was throttled, how far consumers fell behind, what was lost to
//! retention or given up by producers, duplicates, and what it would cost (spec kds.md §5.6).
//!
//! Everything in it derives from the run, so it is a golden file: the same scenario and seed give the
//! same summary, byte for byte, natively and in wasm.

use super::format::ModeSpec;
use super::series::SeriesRow;
use super::Plan;
use crate::engine::clients::lambda::OnFailureRecord;
use crate::engine::clients::Consumer;
use crate::engine::kds::shard::Detail;
use crate::engine::time::SimTime;
use crate::engine::Engine;
use crate::planner::cost::{cost, Cost, Prices, Usage, GB, HOURS_PER_MONTH};
use serde::Serialize;
use std::collections::BTreeMap;

/// The outcome of a run.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Summary {
    /// The scenario's name.
    pub scenario: String,
    /// Its seed.
    pub seed: u64,
    /// Simulated seconds run.
    pub duration_s: f64,
    /// Record detail or fast-forward runs.
    pub detail: Detail,
    /// The headline numbers.
    pub totals: Totals,
    /// Per stream.
    pub streams: Vec<StreamSummary>,
    /// Per producer.
    pub producers: Vec<ProducerSummary>,
    /// Per consumer.
    pub consumers: Vec<ConsumerSummary>,
    /// Firehose, S3 and the Direct PUT producers, when the scenario uses them.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub firehose: Option<super::firehose_summary::FirehoseSummary>,
    /// Kinesis Data Analytics applications, when the scenario creates any.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub analytics: Vec<crate::engine::analytics::view::ApplicationView>,
    /// What the director did, and any errors clients met: `[time] who: text`.
    pub log: Vec<String>,
}

/// The headline numbers of a run.
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct Totals {
    /// Records refused by write throttling (every attempt).
    pub throttled_records: u64,
    /// GetRecords calls refused by read throttling.
    pub throttled_reads: u64,
    /// The largest iterator age any consumer saw, ms.
    pub max_iterator_age_ms: u64,
    /// Records trimmed by retention before a consumer read them.
    pub lost_to_retention: u64,
    /// Records producers gave up on.
    pub dropped_records: u64,
    /// Duplicate records stored.
    pub duplicates_stored: u64,
    /// The run's estimated cost in USD (all streams).
    pub cost_usd: f64,
    /// The same rate for a 730-hour month, USD.
    pub cost_usd_per_month: f64,
}

/// A stream over the whole run.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct StreamSummary {
    /// Its name.
    pub name: String,
    /// Open shards at the end.
    pub open_shards_end: u64,
    /// The most open shards at any sample.
    pub open_shards_peak: u64,
    /// Records stored.
    pub incoming_records: u64,
    /// Bytes stored.
    pub incoming_bytes: u64,
    /// Records refused by write throttling.
    pub write_throttled: u64,
    /// GetRecords calls refused.
    pub read_throttled: u64,
    /// The largest GetRecords.IteratorAgeMilliseconds, ms.
    pub iterator_age_ms_max: u64,
    /// What the cost model was given.
    pub usage: Usage,
    /// The run's cost.
    pub cost: Cost,
}

/// A producer over the whole run.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct ProducerSummary {
    /// Its name.
    pub name: String,
    /// User records created.
    pub user_records: u64,
    /// Kinesis records stored (duplicates included).
    pub stored: u64,
    /// User records stored (more than `stored` when the KPL aggregates).
    pub stored_users: u64,
    /// Entries refused by throttling (every attempt).
    pub throttled: u64,
    /// Records resent.
    pub retried: u64,
    /// Records given up: lost.
    pub dropped: u64,
    /// Duplicate copies stored.
    pub duplicates: u64,
    /// Records still buffered or waiting to retry at the end.
    pub in_flight_end: u64,
    /// API calls made.
    pub calls: u64,
    /// PUT payload units stored.
    pub put_units: u64,
    /// Records refused by other errors, by code.
    pub errors: BTreeMap<String, u64>,
}

/// A consumer over the whole run.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct ConsumerSummary {
    /// Its name.
    pub name: String,
    /// Records received.
    pub records: u64,
    /// User records received.
    pub user_records: u64,
    /// Bytes received.
    pub bytes: u64,
    /// Read calls.
    pub calls: u64,
    /// Read calls refused.
    pub read_throttled: u64,
    /// The largest iterator age its reads reported, ms.
    pub iterator_age_ms_max: u64,
    /// How far behind it was at the end, ms.
    pub behind_ms_end: u64,
    /// Records trimmed before it read them.
    pub lost_to_retention: u64,
    /// Duplicate records it received.
    pub duplicates: u64,
    /// Iterators fetched again after expiring.
    pub iterator_renewals: u64,
    /// Records processed again after a lease moved (KCL).
    pub reprocessed: u64,
    /// Lease-table writes (KCL).
    pub lease_writes: u64,
    /// Leases that changed worker (KCL).
    pub lease_moves: u64,
    /// Function invocations (Lambda).
    pub invocations: u64,
    /// Failed invocations (Lambda's Errors).
    pub errors: u64,
    /// Batches discarded to the on-failure destination (Lambda).
    pub discarded_batches: u64,
    /// Records in them.
    pub discarded_records: u64,
    /// The most invocations at once (Lambda's ConcurrentExecutions).
    pub concurrency_max: u64,
    /// The first messages sent to the on-failure destination (Lambda), at most three.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub on_failure: Vec<OnFailureRecord>,
}

/// Collects a run's rows into its summary.
#[derive(Clone, Debug)]
pub struct SummaryBuilder {
    prices: Prices,
    streams: BTreeMap<String, StreamAcc>,
}

#[derive(Clone, Debug, Default)]
struct StreamAcc {
    incoming_records: u64,
    incoming_bytes: u64,
    write_throttled: u64,
    read_throttled: u64,
    iterator_age_ms_max: u64,
    open_shards_peak: u64,
    /// (interval end, bytes stored in the interval), for long-term retention.
    stored: Vec<(f64, u64)>,
}

impl SummaryBuilder {
    /// A builder for a run of `plan`.
    pub fn new(plan: &Plan) -> SummaryBuilder {
        SummaryBuilder { prices: plan.scenario.prices, streams: BTreeMap::new() }
    }

    /// Adds one series row.
    pub fn row(&mut self, row: &SeriesRow) {
        for s in &row.streams {
            let acc = self.streams.entry(s.name.clone()).or_default();
            acc.incoming_records += s.incoming_records;
            acc.incoming_bytes += s.incoming_bytes;
            acc.write_throttled += s.write_throttled;
            acc.read_throttled += s.read_throttled;
            acc.iterator_age_ms_max = acc.iterator_age_ms_max.max(s.iterator_age_ms_max);
            acc.open_shards_peak = acc.open_shards_peak.max(s.open_shards);
            if s.incoming_bytes > 0 {
                acc.stored.push((row.t_s, s.incoming_bytes));
            }
        }
    }

    /// The summary, from the rows seen and the engine at the end of the run.
    pub fn finish(self, engine: &Engine, end: SimTime) -> Summary {
        let clients = engine.clients();
        let plan = clients.plan().expect("a scenario run has a plan");
        let hours = end.as_secs_f64() / 3_600.0;
        let producers: Vec<ProducerSummary> = clients
            .producers
            .iter()
            .map(|p| {
                let s = &p.stats;
                ProducerSummary {
                    name: p.plan.spec.name.clone(),
                    user_records: s.user_records,
                    stored: s.stored,
                    stored_users: s.stored_users,
                    throttled: s.throttled,
                    retried: s.retried,
                    dropped: s.dropped,
                    duplicates: s.duplicates,
                    in_flight_end: p.in_flight(),
                    calls: s.calls,
                    put_units: s.put_units,
                    errors: s.errors.clone(),
                }
            })
            .collect();
        let consumers: Vec<ConsumerSummary> = clients.consumers.iter().map(consumer_summary).collect();
        let mut streams = Vec::new();
        for spec in &plan.scenario.streams {
            let acc = self.streams.get(&spec.name).cloned().unwrap_or_default();
            let Some(stream) = engine.kds().streams().get(&spec.name) else { continue };
            let shard_hours: f64 = stream
                .shards
                .iter()
                .map(|sh| {
                    sh.closed.map_or(end, |c| c.at.min(end)).saturating_since(sh.created_at).as_secs_f64() / 3_600.0
                })
                .sum();
            let writers = clients.producers.iter().filter(|p| p.plan.spec.stream == spec.name);
            let (put_units, kib) = writers.fold((0, 0), |(u, k), p| (u + p.stats.put_units, k + p.stats.stored_kib));
            let readers = || clients.consumers.iter().filter(|c| c.stream() == spec.name);
            let bytes_out: u64 = readers().filter(|c| !matches!(c, Consumer::Efo(_))).map(|c| c.stats().bytes).sum();
            let efo_bytes: u64 = readers().filter(|c| matches!(c, Consumer::Efo(_))).map(|c| c.stats().bytes).sum();
            // Enhanced fan-out bills each registered consumer for every shard, by the hour.
            let efo_consumer_shard_hours: f64 = readers()
                .filter_map(|c| match c {
                    Consumer::Efo(e) => e.registered_at,
                    Consumer::Polling(_) | Consumer::Kcl(_) | Consumer::Lambda(_) => None,
                })
                .map(|from| {
                    let overlap = |sh: &crate::engine::kds::shard::Shard| {
                        let until = sh.closed.map_or(end, |c| c.at.min(end));
                        until.saturating_since(sh.created_at.max(from)).as_secs_f64() / 3_600.0
                    };
                    stream.shards.iter().map(overlap).fold(0.0, |a, b| a + b)
                })
                .fold(0.0, |a, b| a + b); // not sum(): an empty f64 sum is −0.0
            let usage = Usage {
                on_demand: spec.mode == ModeSpec::OnDemand,
                stream_hours: hours,
                shard_hours,
                put_units,
                bytes_in_rounded: kib as f64 * 1_024.0,
                bytes_out: bytes_out as f64,
                retention_hours: stream.retention_hours,
                long_term_gb_months: long_term_gb_months(&acc.stored, stream.retention_hours, end),
                efo_consumer_shard_hours,
                efo_bytes: efo_bytes as f64,
            };
            streams.push(StreamSummary {
                name: spec.name.clone(),
                open_shards_end: stream.open_shard_count(),
                open_shards_peak: acc.open_shards_peak.max(stream.open_shard_count()),
                incoming_records: acc.incoming_records,
                incoming_bytes: acc.incoming_bytes,
                write_throttled: acc.write_throttled,
                read_throttled: acc.read_throttled,
                iterator_age_ms_max: acc.iterator_age_ms_max,
                cost: cost(&usage, &self.prices),
                usage,
            });
        }
        let cost_usd: f64 = streams.iter().map(|s| s.cost.total).sum();
        let per_month = if hours > 0.0 { cost_usd * HOURS_PER_MONTH / hours } else { 0.0 };
        let totals = Totals {
            throttled_records: producers.iter().map(|p| p.throttled).sum(),
            throttled_reads: streams.iter().map(|s| s.read_throttled).sum(),
            max_iterator_age_ms: consumers.iter().map(|c| c.iterator_age_ms_max).max().unwrap_or(0),
            lost_to_retention: consumers.iter().map(|c| c.lost_to_retention).sum(),
            dropped_records: producers.iter().map(|p| p.dropped).sum(),
            duplicates_stored: producers.iter().map(|p| p.duplicates).sum(),
            cost_usd: libm::round(cost_usd * 10_000.0) / 10_000.0,
            cost_usd_per_month: libm::round(per_month * 100.0) / 100.0,
        };
        let log = clients.log.iter().map(|l| format!("[{}] {}: {}", l.at, l.who, l.text)).collect();
        Summary {
            scenario: plan.scenario.name.clone(),
            seed: plan.scenario.seed,
            duration_s: end.as_secs_f64(),
            detail: plan.scenario.detail,
            totals,
            streams,
            producers,
            consumers,
            firehose: super::firehose_summary::summarise(engine),
            analytics: engine
                .analytics()
                .applications()
                .map(crate::engine::analytics::view::ApplicationView::of)
                .collect(),
            log,
        }
    }
}

fn consumer_summary(c: &Consumer) -> ConsumerSummary {
    let s = c.stats();
    ConsumerSummary {
        name: c.name().to_string(),
        records: s.records,
        user_records: s.user_records,
        bytes: s.bytes,
        calls: s.calls,
        read_throttled: s.read_throttled,
        iterator_age_ms_max: s.iterator_age_ms_peak,
        behind_ms_end: c.behind_ms(),
        lost_to_retention: s.lost_to_retention,
        duplicates: s.duplicates,
        iterator_renewals: s.iterator_renewals,
        reprocessed: s.reprocessed,
        lease_writes: s.lease_writes,
        lease_moves: s.lease_moves,
        invocations: s.invocations,
        errors: s.errors,
        discarded_batches: s.discarded_batches,
        discarded_records: s.discarded_records,
        concurrency_max: s.concurrency_max,
        on_failure: match c {
            Consumer::Lambda(l) => l.failures.iter().take(3).cloned().collect(),
            _ => Vec::new(),
        },
    }
}

/// GB-months of data kept beyond 7 days: each interval's bytes count from 7 days after they arrived
/// until they expire or the run ends.
fn long_term_gb_months(stored: &[(f64, u64)], retention_hours: u32, end: SimTime) -> f64 {
    const WEEK_S: f64 = 7.0 * 86_400.0;
    let (end_s, retention_s) = (end.as_secs_f64(), f64::from(retention_hours) * 3_600.0);
    stored
        .iter()
        .map(|&(t, bytes)| {
            let kept = (end_s.min(t + retention_s) - (t + WEEK_S)).max(0.0);
            bytes as f64 / GB * kept / (HOURS_PER_MONTH * 3_600.0)
        })
        .sum()
}
