//! The CloudWatch view of a stream: its `AWS/Kinesis` stream-level metrics in 1-minute periods, as the
//! console graphs them, taken from the same simulated metrics `GetMetricStatistics` would read.
//!
//! Only complete minutes are shown (CloudWatch's newest period fills in as the minute passes). A minute
//! without datapoints has no statistic at all, not zero, exactly as CloudWatch leaves a gap.

use crate::engine::kds::metrics::{Metric, Stat};
use crate::engine::kds::KdsService;
use crate::engine::time::SimTime;
use serde::{Deserialize, Serialize};

/// The period, in seconds.
pub const PERIOD_SECS: u64 = 60;
/// Periods shown: the last hour.
pub const PERIODS_SHOWN: u64 = 60;

/// The stream-level metrics the view shows, in column order.
pub const METRICS: [Metric; 8] = [
    Metric::IncomingRecords,
    Metric::IncomingBytes,
    Metric::WriteProvisionedThroughputExceeded,
    Metric::PutRecordsThrottledRecords,
    Metric::GetRecordsSuccess,
    Metric::GetRecordsBytes,
    Metric::ReadProvisionedThroughputExceeded,
    Metric::GetRecordsIteratorAgeMilliseconds,
];

/// One stream's minutes.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct StreamMinutes {
    pub stream: String,
    /// Each period's start, in seconds since the run began, oldest first.
    pub minutes: Vec<u64>,
    /// One column per metric of [`METRICS`]: its name and, per minute, its statistics if it had datapoints.
    pub columns: Vec<MetricColumn>,
}

/// One metric over the minutes.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct MetricColumn {
    /// The CloudWatch name (`GetRecords.IteratorAgeMilliseconds`).
    pub metric: String,
    /// `Count`, `Bytes` or `Milliseconds`.
    pub unit: String,
    /// Per minute: `[SampleCount, Sum, Minimum, Maximum]`, or none without datapoints.
    pub values: Vec<Option<[u64; 4]>>,
}

/// The number of complete minutes at `now`: the view changes only when this does.
pub fn complete_minutes(now: SimTime) -> u64 {
    now.as_micros() / 1_000_000 / PERIOD_SECS
}

/// Every stream's last hour of complete minutes at `now`.
pub fn minutes(kds: &KdsService, now: SimTime) -> Vec<StreamMinutes> {
    let end = complete_minutes(now);
    let first = end.saturating_sub(PERIODS_SHOWN);
    let starts: Vec<u64> = (first..end).map(|m| m * PERIOD_SECS).collect();
    kds.streams()
        .values()
        .map(|s| {
            let columns = METRICS
                .iter()
                .map(|&m| {
                    let periods =
                        s.metrics.stream.periods(m as usize, first * PERIOD_SECS, end * PERIOD_SECS, PERIOD_SECS);
                    let values = starts
                        .iter()
                        .map(|start| {
                            periods
                                .iter()
                                .find(|(at, _)| at == start)
                                .map(|(_, st): &(u64, Stat)| [st.count, st.sum, st.min, st.max])
                        })
                        .collect();
                    MetricColumn { metric: m.name().to_string(), unit: m.unit().to_string(), values }
                })
                .collect();
            StreamMinutes { stream: s.name.clone(), minutes: starts.clone(), columns }
        })
        .collect()
}
