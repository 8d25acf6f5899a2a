//! The AWS/KinesisAnalytics metrics the lab models (spec §3.6), per application (dimension `Application`),
//! kept per second in the series the Kinesis metrics use. A running application reports KPUs, uptime and
//! millisBehindLatest each second, its reads and emissions as they happen; a Flink job also its restarts,
//! downtime while it restarts, completed checkpoints and late records dropped.

use crate::engine::kds::metrics::{Series, Stat};

/// (CloudWatch name, unit) of each metric, by index.
pub const METRICS: [(&str, &str); 9] = [
    ("KPUs", "Count"),
    ("uptime", "Milliseconds"),
    ("downtime", "Milliseconds"),
    ("fullRestarts", "Count"),
    ("numRecordsIn", "Count"),
    ("numRecordsOut", "Count"),
    ("millisBehindLatest", "Milliseconds"),
    ("numberOfCompletedCheckpoints", "Count"),
    ("numLateRecordsDropped", "Count"),
];
pub const KPUS: usize = 0;
pub const UPTIME: usize = 1;
pub const DOWNTIME: usize = 2;
pub const FULL_RESTARTS: usize = 3;
pub const RECORDS_IN: usize = 4;
pub const RECORDS_OUT: usize = 5;
pub const MILLIS_BEHIND: usize = 6;
pub const CHECKPOINTS: usize = 7;
pub const LATE_DROPPED: usize = 8;

/// How long the per-second series are kept [SIM], as for Firehose's.
pub const WINDOW_SECS: u64 = 3 * 3_600;

/// One application's series.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct AppMetrics {
    series: Series<{ METRICS.len() }>,
}

impl AppMetrics {
    /// One datapoint of metric `index` at `second`.
    pub fn add(&mut self, second: u64, index: usize, value: u64) {
        self.series.add(second, index, value, WINDOW_SECS);
    }

    /// The aggregates of the metric named `name` over `period`-aligned periods with data in [from, to).
    pub fn periods(&self, name: &str, from: u64, to: u64, period: u64) -> Option<(&'static str, Vec<(u64, Stat)>)> {
        let index = METRICS.iter().position(|(n, _)| *n == name)?;
        Some((METRICS[index].1, self.series.periods(index, from, to, period)))
    }
}
