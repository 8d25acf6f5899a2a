//! The metric series of a scenario run: one row per sample interval, for every stream, producer and
//! consumer, written by `kinesis-lab run` as CSV or JSON lines and drawn by the UI.
//!
//! Stream columns come from the simulated CloudWatch metrics (sums and maxima over the interval, with
//! AWS's names); producer and consumer columns are the clients' own counters over the interval.

use crate::engine::clients::stats::{ConsumerStats, ProducerStats};
use crate::engine::clients::Clients;
use crate::engine::kds::metrics::{Metric, Stat};
use crate::engine::kds::KdsService;
use crate::engine::time::SimTime;
use serde::Serialize;

/// One sample interval of a run.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct SeriesRow {
    /// The interval's end, in seconds since the start.
    pub t_s: f64,
    /// Per stream.
    pub streams: Vec<StreamPoint>,
    /// Per producer.
    pub producers: Vec<ProducerPoint>,
    /// Per consumer.
    pub consumers: Vec<ConsumerPoint>,
}

/// A stream over one interval (CloudWatch's `AWS/Kinesis` metrics).
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct StreamPoint {
    /// The stream.
    pub name: String,
    /// Open shards at the interval's end.
    pub open_shards: u64,
    /// IncomingRecords (Sum).
    pub incoming_records: u64,
    /// IncomingBytes (Sum).
    pub incoming_bytes: u64,
    /// WriteProvisionedThroughputExceeded (Sum): records refused.
    pub write_throttled: u64,
    /// ReadProvisionedThroughputExceeded (Sum): GetRecords calls refused.
    pub read_throttled: u64,
    /// GetRecords.IteratorAgeMilliseconds (Maximum).
    pub iterator_age_ms_max: u64,
}

/// A producer over one interval.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct ProducerPoint {
    /// The producer.
    pub name: String,
    /// User records created.
    pub user_records: u64,
    /// Records stored.
    pub stored: u64,
    /// Entries throttled.
    pub throttled: u64,
    /// Records resent.
    pub retried: u64,
    /// Records given up: lost.
    pub dropped: u64,
    /// Duplicate copies stored.
    pub duplicates: u64,
    /// The longest creation-to-stored wait in the interval, ms.
    pub latency_ms_max: u64,
}

/// A consumer over one interval.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct ConsumerPoint {
    /// The consumer.
    pub name: String,
    /// Records received.
    pub records: u64,
    /// Bytes received.
    pub bytes: u64,
    /// The largest iterator age its reads reported in the interval, ms.
    pub iterator_age_ms_max: u64,
    /// How far behind the newest record it is at the interval's end, ms.
    pub behind_ms: u64,
    /// Records trimmed before it read them.
    pub lost_to_retention: u64,
    /// Its read calls refused.
    pub read_throttled: u64,
}

/// Remembers the totals at the last sample, to turn totals into per-interval values.
#[derive(Clone, Debug, Default)]
pub struct Sampler {
    last_at: SimTime,
    producers: Vec<ProducerStats>,
    consumers: Vec<ConsumerStats>,
}

impl Sampler {
    /// The row for the interval ending at `at` (None unless `at` is after the last sample); resets the
    /// clients' per-interval maxima.
    pub fn sample(&mut self, at: SimTime, clients: &mut Clients, kds: &KdsService) -> Option<SeriesRow> {
        if at <= self.last_at {
            return None;
        }
        let (from, to) = (self.last_at.as_micros() / 1_000_000, at.as_micros() / 1_000_000);
        let streams = kds
            .streams()
            .values()
            .map(|s| {
                let stat = |m: Metric| -> Stat {
                    let mut total = Stat::default();
                    for (_, st) in s.metrics.stream.periods(m as usize, from, to, u64::MAX) {
                        total.merge(&st);
                    }
                    total
                };
                StreamPoint {
                    name: s.name.clone(),
                    open_shards: s.open_shard_count(),
                    incoming_records: stat(Metric::IncomingRecords).sum,
                    incoming_bytes: stat(Metric::IncomingBytes).sum,
                    write_throttled: stat(Metric::WriteProvisionedThroughputExceeded).sum,
                    read_throttled: stat(Metric::ReadProvisionedThroughputExceeded).sum,
                    iterator_age_ms_max: stat(Metric::GetRecordsIteratorAgeMilliseconds).max,
                }
            })
            .collect();
        self.producers.resize_with(clients.producers.len(), ProducerStats::default);
        let producers = clients
            .producers
            .iter_mut()
            .zip(&mut self.producers)
            .map(|(p, last)| {
                let now = &p.stats;
                let point = ProducerPoint {
                    name: p.plan.spec.name.clone(),
                    user_records: now.user_records - last.user_records,
                    stored: now.stored - last.stored,
                    throttled: now.throttled - last.throttled,
                    retried: now.retried - last.retried,
                    dropped: now.dropped - last.dropped,
                    duplicates: now.duplicates - last.duplicates,
                    latency_ms_max: now.latency_ms_max,
                };
                *last = now.clone();
                p.stats.latency_ms_max = 0;
                point
            })
            .collect();
        self.consumers.resize_with(clients.consumers.len(), ConsumerStats::default);
        let consumers = clients
            .consumers
            .iter_mut()
            .zip(&mut self.consumers)
            .map(|(c, last)| {
                let behind_ms = c.behind_ms();
                let now = c.stats();
                let point = ConsumerPoint {
                    name: c.name().to_string(),
                    records: now.records - last.records,
                    bytes: now.bytes - last.bytes,
                    iterator_age_ms_max: now.iterator_age_ms_max,
                    behind_ms,
                    lost_to_retention: now.lost_to_retention - last.lost_to_retention,
                    read_throttled: now.read_throttled - last.read_throttled,
                };
                *last = now.clone();
                c.stats_mut().iterator_age_ms_max = 0;
                point
            })
            .collect();
        self.last_at = at;
        Some(SeriesRow { t_s: at.as_secs_f64(), streams, producers, consumers })
    }
}

impl SeriesRow {
    /// The CSV header for rows shaped like this one: `t_s`, then `kind.name.column` for every value.
    pub fn csv_header(&self) -> String {
        let mut cols = vec!["t_s".to_string()];
        for s in &self.streams {
            for c in [
                "open_shards",
                "incoming_records",
                "incoming_bytes",
                "write_throttled",
                "read_throttled",
                "iterator_age_ms_max",
            ] {
                cols.push(format!("stream.{}.{c}", s.name));
            }
        }
        for p in &self.producers {
            for c in ["user_records", "stored", "throttled", "retried", "dropped", "duplicates", "latency_ms_max"] {
                cols.push(format!("producer.{}.{c}", p.name));
            }
        }
        for c in &self.consumers {
            for col in ["records", "bytes", "iterator_age_ms_max", "behind_ms", "lost_to_retention", "read_throttled"] {
                cols.push(format!("consumer.{}.{col}", c.name));
            }
        }
        cols.join(",")
    }

    /// This row as CSV values in the header's order.
    pub fn csv_line(&self) -> String {
        let mut v: Vec<String> = vec![format!("{}", self.t_s)];
        for s in &self.streams {
            let vals = [
                s.open_shards,
                s.incoming_records,
                s.incoming_bytes,
                s.write_throttled,
                s.read_throttled,
                s.iterator_age_ms_max,
            ];
            v.extend(vals.iter().map(u64::to_string));
        }
        for p in &self.producers {
            let vals = [p.user_records, p.stored, p.throttled, p.retried, p.dropped, p.duplicates, p.latency_ms_max];
            v.extend(vals.iter().map(u64::to_string));
        }
        for c in &self.consumers {
            let vals = [c.records, c.bytes, c.iterator_age_ms_max, c.behind_ms, c.lost_to_retention, c.read_throttled];
            v.extend(vals.iter().map(u64::to_string));
        }
        v.join(",")
    }
}
