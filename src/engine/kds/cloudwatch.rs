//! CloudWatch's view of the Kinesis metrics: GetMetricStatistics for namespace `AWS/Kinesis` (and, through
//! [`answer`], the other namespaces the account has), over the
//! per-second series the streams keep (see `metrics.rs`). Dimensions select the series: StreamName, plus
//! ShardId (enhanced monitoring) or ConsumerName (enhanced fan-out). Periods without data are left out,
//! as CloudWatch does; an unknown namespace, metric or series gives no datapoints, not an error.

use super::actions::{Datapoint, GetMetricStatisticsInput, GetMetricStatisticsOutput};
use super::error::{KdsError, KdsResult};
use super::ids::ShardId;
use super::metrics::{Metric, Stat};
use super::KdsService;

const STATISTICS: [&str; 5] = ["SampleCount", "Average", "Sum", "Minimum", "Maximum"];

/// The per-period aggregates of one named metric: `(unit, [(period start second, aggregate)])`, or `None`
/// when the namespace has no such metric or series.
pub type Periods = Option<(&'static str, Vec<(u64, Stat)>)>;

/// Checks a GetMetricStatistics request and answers it from `series(from, to, period)` (seconds since
/// simulated time zero), for any namespace the account has.
pub fn answer(
    input: &GetMetricStatisticsInput,
    epoch_ms: u64,
    series: impl FnOnce(u64, u64, u64) -> Periods,
) -> KdsResult<GetMetricStatisticsOutput> {
    if input.period < 1 {
        return Err(KdsError::invalid_argument(format!(
            "The parameter Period must be at least 1; it was {}.",
            input.period
        )));
    }
    if input.statistics.is_empty() || input.statistics.iter().any(|s| !STATISTICS.contains(&s.as_str())) {
        return Err(KdsError::invalid_argument(format!(
            "The parameter Statistics must name one or more of {}.",
            STATISTICS.join(", ")
        )));
    }
    if input.end_time <= input.start_time {
        return Err(KdsError::invalid_argument("The parameter StartTime must be earlier than EndTime."));
    }
    let label = input.metric_name.clone();
    let to_second = |epoch_s: f64| ((epoch_s * 1_000.0) as i64 - epoch_ms as i64).max(0) as u64 / 1_000;
    let (from, to, period) = (to_second(input.start_time), to_second(input.end_time), input.period as u64);
    let Some((unit, periods)) = series(from, to, period) else {
        return Ok(GetMetricStatisticsOutput { label, datapoints: Vec::new() });
    };
    let datapoints = periods
        .into_iter()
        .map(|(second, stat)| datapoint(&input.statistics, epoch_ms / 1_000 + second, &stat, unit))
        .collect();
    Ok(GetMetricStatisticsOutput { label, datapoints })
}

impl KdsService {
    pub(super) fn get_metric_statistics(
        &self,
        input: &GetMetricStatisticsInput,
    ) -> KdsResult<GetMetricStatisticsOutput> {
        answer(input, self.settings.epoch_ms, |from, to, period| {
            let metric = Metric::from_name(&input.metric_name).filter(|_| input.namespace == "AWS/Kinesis")?;
            Some((metric.unit(), self.series_periods(input, metric, from, to, period)))
        })
    }

    fn series_periods(
        &self,
        input: &GetMetricStatisticsInput,
        metric: Metric,
        from: u64,
        to: u64,
        period: u64,
    ) -> Vec<(u64, Stat)> {
        let dimension = |name: &str| input.dimensions.iter().find(|d| d.name == name).map(|d| d.value.as_str());
        let Some(stream) = dimension("StreamName").and_then(|name| self.streams.get(name)) else { return Vec::new() };
        let metrics = &stream.metrics;
        match (dimension("ShardId"), dimension("ConsumerName")) {
            (Some(shard), _) => {
                let (Some(id), Some(index)) = (ShardId::resolve(shard), metric.shard_index()) else {
                    return Vec::new();
                };
                metrics.shards.get(&id).map_or_else(Vec::new, |s| s.periods(index, from, to, period))
            }
            (None, Some(consumer)) => {
                metrics.consumers.get(consumer).map_or_else(Vec::new, |s| s.periods(metric as usize, from, to, period))
            }
            (None, None) => metrics.stream.periods(metric as usize, from, to, period),
        }
    }
}

fn datapoint(statistics: &[String], epoch_secs: u64, stat: &Stat, unit: &str) -> Datapoint {
    let wants = |name: &str| statistics.iter().any(|s| s == name);
    let pick = |name: &str, value: f64| wants(name).then_some(value);
    Datapoint {
        timestamp: epoch_secs as f64,
        sample_count: pick("SampleCount", stat.count as f64),
        average: pick("Average", stat.sum as f64 / stat.count.max(1) as f64),
        sum: pick("Sum", stat.sum as f64),
        minimum: pick("Minimum", stat.min as f64),
        maximum: pick("Maximum", stat.max as f64),
        unit: unit.to_string(),
    }
}
