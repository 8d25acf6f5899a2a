//! CloudWatch metrics of Kinesis Data Streams (namespace `AWS/Kinesis`, spec §9), kept per simulated
//! second so a UI can draw them live and aggregate to minutes as CloudWatch does.
//!
//! Each call adds one datapoint per metric it affects (a PutRecords call adds its bytes to IncomingBytes
//! once), as CloudWatch defines these metrics: Sum is the total, SampleCount the number of calls, and
//! Average, Minimum and Maximum describe single calls. Stream-level metrics are always kept; shard-level
//! ones only for the metrics enabled with EnableEnhancedMonitoring. Seconds older than the window are
//! dropped. There is no latency model, so the `.Latency` metrics are not produced.

use super::types::ShardLevelMetric;
use serde::Serialize;
use std::collections::VecDeque;

/// A Kinesis metric.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Metric {
    IncomingBytes,
    IncomingRecords,
    OutgoingBytes,
    OutgoingRecords,
    WriteProvisionedThroughputExceeded,
    ReadProvisionedThroughputExceeded,
    GetRecordsIteratorAgeMilliseconds,
    IteratorAgeMilliseconds,
    GetRecordsBytes,
    GetRecordsRecords,
    GetRecordsSuccess,
    PutRecordBytes,
    PutRecordSuccess,
    PutRecordsBytes,
    PutRecordsSuccess,
    PutRecordsTotalRecords,
    PutRecordsSuccessfulRecords,
    PutRecordsFailedRecords,
    PutRecordsThrottledRecords,
    SubscribeToShardRateExceeded,
    SubscribeToShardSuccess,
    SubscribeToShardEventBytes,
    SubscribeToShardEventRecords,
    SubscribeToShardEventMillisBehindLatest,
    SubscribeToShardEventSuccess,
}

impl Metric {
    /// Every metric, in the order of the series arrays.
    pub const ALL: [Metric; 25] = [
        Metric::IncomingBytes,
        Metric::IncomingRecords,
        Metric::OutgoingBytes,
        Metric::OutgoingRecords,
        Metric::WriteProvisionedThroughputExceeded,
        Metric::ReadProvisionedThroughputExceeded,
        Metric::GetRecordsIteratorAgeMilliseconds,
        Metric::IteratorAgeMilliseconds,
        Metric::GetRecordsBytes,
        Metric::GetRecordsRecords,
        Metric::GetRecordsSuccess,
        Metric::PutRecordBytes,
        Metric::PutRecordSuccess,
        Metric::PutRecordsBytes,
        Metric::PutRecordsSuccess,
        Metric::PutRecordsTotalRecords,
        Metric::PutRecordsSuccessfulRecords,
        Metric::PutRecordsFailedRecords,
        Metric::PutRecordsThrottledRecords,
        Metric::SubscribeToShardRateExceeded,
        Metric::SubscribeToShardSuccess,
        Metric::SubscribeToShardEventBytes,
        Metric::SubscribeToShardEventRecords,
        Metric::SubscribeToShardEventMillisBehindLatest,
        Metric::SubscribeToShardEventSuccess,
    ];

    /// The CloudWatch metric name.
    pub fn name(self) -> &'static str {
        match self {
            Metric::IncomingBytes => "IncomingBytes",
            Metric::IncomingRecords => "IncomingRecords",
            Metric::OutgoingBytes => "OutgoingBytes",
            Metric::OutgoingRecords => "OutgoingRecords",
            Metric::WriteProvisionedThroughputExceeded => "WriteProvisionedThroughputExceeded",
            Metric::ReadProvisionedThroughputExceeded => "ReadProvisionedThroughputExceeded",
            Metric::GetRecordsIteratorAgeMilliseconds => "GetRecords.IteratorAgeMilliseconds",
            Metric::IteratorAgeMilliseconds => "IteratorAgeMilliseconds",
            Metric::GetRecordsBytes => "GetRecords.Bytes",
            Metric::GetRecordsRecords => "GetRecords.Records",
            Metric::GetRecordsSuccess => "GetRecords.Success",
            Metric::PutRecordBytes => "PutRecord.Bytes",
            Metric::PutRecordSuccess => "PutRecord.Success",
            Metric::PutRecordsBytes => "PutRecords.Bytes",
            Metric::PutRecordsSuccess => "PutRecords.Success",
            Metric::PutRecordsTotalRecords => "PutRecords.TotalRecords",
            Metric::PutRecordsSuccessfulRecords => "PutRecords.SuccessfulRecords",
            Metric::PutRecordsFailedRecords => "PutRecords.FailedRecords",
            Metric::PutRecordsThrottledRecords => "PutRecords.ThrottledRecords",
            Metric::SubscribeToShardRateExceeded => "SubscribeToShard.RateExceeded",
            Metric::SubscribeToShardSuccess => "SubscribeToShard.Success",
            Metric::SubscribeToShardEventBytes => "SubscribeToShardEvent.Bytes",
            Metric::SubscribeToShardEventRecords => "SubscribeToShardEvent.Records",
            Metric::SubscribeToShardEventMillisBehindLatest => "SubscribeToShardEvent.MillisBehindLatest",
            Metric::SubscribeToShardEventSuccess => "SubscribeToShardEvent.Success",
        }
    }

    /// The metric a CloudWatch name means.
    pub fn from_name(name: &str) -> Option<Metric> {
        Metric::ALL.into_iter().find(|m| m.name() == name)
    }

    /// The CloudWatch unit.
    pub fn unit(self) -> &'static str {
        match self {
            Metric::IncomingBytes
            | Metric::OutgoingBytes
            | Metric::GetRecordsBytes
            | Metric::PutRecordBytes
            | Metric::PutRecordsBytes
            | Metric::SubscribeToShardEventBytes => "Bytes",
            Metric::GetRecordsIteratorAgeMilliseconds
            | Metric::IteratorAgeMilliseconds
            | Metric::SubscribeToShardEventMillisBehindLatest => "Milliseconds",
            _ => "Count",
        }
    }

    /// False for the metrics AWS reports per shard only (spec §9).
    pub fn stream_level(self) -> bool {
        !matches!(self, Metric::OutgoingBytes | Metric::OutgoingRecords | Metric::IteratorAgeMilliseconds)
    }

    /// This metric's index in a shard-level series, if it is a shard-level metric.
    pub fn shard_index(self) -> Option<usize> {
        let metric = self.shard_level()?;
        ShardLevelMetric::EACH.iter().position(|m| *m == metric)
    }

    /// The shard-level switch that enables this metric per shard, if it has one.
    pub fn shard_level(self) -> Option<ShardLevelMetric> {
        Some(match self {
            Metric::IncomingBytes => ShardLevelMetric::IncomingBytes,
            Metric::IncomingRecords => ShardLevelMetric::IncomingRecords,
            Metric::OutgoingBytes => ShardLevelMetric::OutgoingBytes,
            Metric::OutgoingRecords => ShardLevelMetric::OutgoingRecords,
            Metric::WriteProvisionedThroughputExceeded => ShardLevelMetric::WriteProvisionedThroughputExceeded,
            Metric::ReadProvisionedThroughputExceeded => ShardLevelMetric::ReadProvisionedThroughputExceeded,
            Metric::IteratorAgeMilliseconds => ShardLevelMetric::IteratorAgeMilliseconds,
            _ => return None,
        })
    }
}

/// The datapoints of one metric in one second (or a longer period, once aggregated).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize)]
pub struct Stat {
    /// Number of datapoints.
    pub count: u64,
    /// Their total.
    pub sum: u64,
    /// The smallest.
    pub min: u64,
    /// The largest.
    pub max: u64,
}

impl Stat {
    /// Adds one datapoint.
    pub fn add(&mut self, value: u64) {
        self.add_repeated(value, 1);
    }

    /// Adds `n` datapoints of the same value (n calls that each reported `value`).
    pub fn add_repeated(&mut self, value: u64, n: u64) {
        if n == 0 {
            return;
        }
        self.min = if self.count == 0 { value } else { self.min.min(value) };
        self.max = self.max.max(value);
        self.sum += value * n;
        self.count += n;
    }

    /// Folds another aggregate in.
    pub fn merge(&mut self, other: &Stat) {
        if other.count == 0 {
            return;
        }
        self.min = if self.count == 0 { other.min } else { self.min.min(other.min) };
        self.max = self.max.max(other.max);
        self.sum += other.sum;
        self.count += other.count;
    }
}

/// Stream- and consumer-level series hold every metric.
pub const STREAM_METRICS: usize = Metric::ALL.len();
/// Shard-level series hold the seven enhanced-monitoring metrics.
pub const SHARD_METRICS: usize = ShardLevelMetric::EACH.len();

/// One second of a series: one aggregate per metric.
#[derive(Clone, Debug, PartialEq, Eq)]
struct Second<const N: usize> {
    second: u64,
    stats: [Stat; N],
}

/// Per-second aggregates of `N` metrics (by index), for one stream, shard or consumer.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Series<const N: usize> {
    seconds: VecDeque<Second<N>>,
}

impl<const N: usize> Default for Series<N> {
    fn default() -> Self {
        Series { seconds: VecDeque::new() }
    }
}

impl<const N: usize> Series<N> {
    /// Adds a datapoint of metric `index` at simulated second `second`, dropping seconds older than `window_secs`.
    pub fn add(&mut self, second: u64, index: usize, value: u64, window_secs: u64) {
        self.add_repeated(second, index, value, 1, window_secs);
    }

    /// Adds `n` equal datapoints at once.
    pub fn add_repeated(&mut self, second: u64, index: usize, value: u64, n: u64, window_secs: u64) {
        self.at(second, window_secs)[index].add_repeated(value, n);
    }

    /// Folds an aggregate of datapoints in.
    pub fn merge(&mut self, second: u64, index: usize, stat: &Stat, window_secs: u64) {
        self.at(second, window_secs)[index].merge(stat);
    }

    /// The aggregates of `second` (the newest; older seconds leave the window).
    fn at(&mut self, second: u64, window_secs: u64) -> &mut [Stat; N] {
        if self.seconds.back().is_none_or(|s| s.second != second) {
            while self.seconds.front().is_some_and(|s| s.second + window_secs <= second) {
                self.seconds.pop_front();
            }
            self.seconds.push_back(Second { second, stats: [Stat::default(); N] });
        }
        &mut self.seconds.back_mut().expect("just ensured").stats
    }

    /// The aggregate of metric `index` over each `period_secs`-aligned period with data in [from, to), oldest first.
    pub fn periods(&self, index: usize, from: u64, to: u64, period_secs: u64) -> Vec<(u64, Stat)> {
        let mut out: Vec<(u64, Stat)> = Vec::new();
        let period = period_secs.max(1);
        for s in self.seconds.iter().filter(|s| s.second >= from && s.second < to) {
            let stat = &s.stats[index];
            if stat.count == 0 {
                continue;
            }
            let start = s.second - s.second % period;
            match out.last_mut() {
                Some((at, agg)) if *at == start => agg.merge(stat),
                _ => {
                    let mut agg = Stat::default();
                    agg.merge(stat);
                    out.push((start, agg));
                }
            }
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip_and_have_units() {
        for m in Metric::ALL {
            assert_eq!(Metric::from_name(m.name()), Some(m));
            assert!(["Bytes", "Count", "Milliseconds"].contains(&m.unit()));
        }
        assert_eq!(
            Metric::from_name("GetRecords.IteratorAgeMilliseconds"),
            Some(Metric::GetRecordsIteratorAgeMilliseconds)
        );
        assert_eq!(Metric::ALL.iter().enumerate().find(|(i, m)| **m as usize != *i), None, "ALL is in index order");
    }

    #[test]
    fn seconds_aggregate_into_periods() {
        let mut s = Series::<STREAM_METRICS>::default();
        let bytes = Metric::IncomingBytes as usize;
        for (second, value) in [(0, 10), (0, 20), (1, 5), (59, 7), (60, 100)] {
            s.add(second, bytes, value, 3_600);
        }
        let minutes = s.periods(bytes, 0, 3_600, 60);
        assert_eq!(
            minutes,
            [(0, Stat { count: 4, sum: 42, min: 5, max: 20 }), (60, Stat { count: 1, sum: 100, min: 100, max: 100 })]
        );
        assert_eq!(
            s.periods(bytes, 1, 60, 1),
            [(1, Stat { count: 1, sum: 5, min: 5, max: 5 }), (59, Stat { count: 1, sum: 7, min: 7, max: 7 })]
        );
        assert!(s.periods(Metric::IncomingRecords as usize, 0, 3_600, 60).is_empty(), "no datapoints, no periods");
    }

    #[test]
    fn old_seconds_leave_the_window() {
        let mut s = Series::<SHARD_METRICS>::default();
        let records = Metric::IncomingRecords.shard_index().expect("shard-level");
        s.add(0, records, 1, 10);
        s.add(10, records, 1, 10);
        assert_eq!(s.periods(records, 0, 100, 1).len(), 1);
    }
}

/// A stream's metrics: stream level, the shards' enabled metrics, and per enhanced fan-out consumer.
#[derive(Clone, Debug, Default)]
pub struct StreamMetrics {
    /// Stream-level series.
    pub stream: Series<STREAM_METRICS>,
    /// Shard-level series (enabled metrics only).
    pub shards: std::collections::BTreeMap<super::ids::ShardId, Series<SHARD_METRICS>>,
    /// Per-consumer series (the SubscribeToShard metrics).
    pub consumers: std::collections::BTreeMap<String, Series<STREAM_METRICS>>,
    /// Seconds of stream and consumer history kept.
    pub window_secs: u64,
    /// Seconds of shard history kept.
    pub shard_window_secs: u64,
}

impl StreamMetrics {
    /// Empty metrics keeping the given windows.
    pub fn new(window_secs: u64, shard_window_secs: u64) -> Self {
        StreamMetrics { window_secs, shard_window_secs, ..Default::default() }
    }

    /// A stream-level datapoint (ignored for the shard-only metrics).
    pub fn add(&mut self, second: u64, metric: Metric, value: u64) {
        self.add_repeated(second, metric, value, 1);
    }

    /// An aggregate of stream-level datapoints (ignored for the shard-only metrics).
    pub fn merge(&mut self, second: u64, metric: Metric, stat: &Stat) {
        if metric.stream_level() && stat.count > 0 {
            self.stream.merge(second, metric as usize, stat, self.window_secs);
        }
    }

    /// `n` equal stream-level datapoints.
    pub fn add_repeated(&mut self, second: u64, metric: Metric, value: u64, n: u64) {
        if metric.stream_level() {
            self.stream.add_repeated(second, metric as usize, value, n, self.window_secs);
        }
    }

    /// A shard-level datapoint, kept only if enhanced monitoring enabled the metric.
    pub fn add_shard(
        &mut self,
        second: u64,
        shard: super::ids::ShardId,
        metric: Metric,
        value: u64,
        enabled: &std::collections::BTreeSet<ShardLevelMetric>,
    ) {
        self.add_shard_repeated(second, shard, metric, (value, 1), enabled);
    }

    /// `n` equal shard-level datapoints, given as `(value, n)`.
    pub fn add_shard_repeated(
        &mut self,
        second: u64,
        shard: super::ids::ShardId,
        metric: Metric,
        (value, n): (u64, u64),
        enabled: &std::collections::BTreeSet<ShardLevelMetric>,
    ) {
        let (Some(index), Some(level)) = (metric.shard_index(), metric.shard_level()) else { return };
        if enabled.contains(&level) {
            self.shards.entry(shard).or_default().add_repeated(second, index, value, n, self.shard_window_secs);
        }
    }

    /// A consumer-level datapoint.
    pub fn add_consumer(&mut self, second: u64, consumer: &str, metric: Metric, value: u64) {
        let window = self.window_secs;
        match self.consumers.get_mut(consumer) {
            Some(series) => series.add(second, metric as usize, value, window),
            None => {
                let mut series = Series::default();
                series.add(second, metric as usize, value, window);
                self.consumers.insert(consumer.to_string(), series);
            }
        }
    }
}
