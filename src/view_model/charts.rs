//! What each live chart shows, as plain data: its lines, limit and axes, built from the UI's history.
//! The plotters code only draws these; the choices (which series, which limit, how many points) are here
//! and tested natively.

use super::history::{ChartHistory, Track};
use crate::engine::kds::limits::{
    SHARD_READ_BYTES_PER_SEC, SHARD_READ_CALLS_PER_SEC, SHARD_WRITE_BYTES_PER_SEC, SHARD_WRITE_RECORDS_PER_SEC,
};
use crate::engine::live::cloudwatch::StreamMinutes;
use crate::engine::live::seconds::{ConsumerSecond, Fold, ShardSecond, StreamSecond};

/// The most points a series draws.
pub const CHART_POINTS_MAX: usize = 2_000;
/// The narrowest time axis, so a fresh run is drawn on a sensible frame.
const X_SPAN_MIN_SECS: f64 = 60.0;

/// How a chart's values read.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Unit {
    /// Per second (records, calls).
    Count,
    /// Bytes per second.
    Bytes,
    /// Milliseconds.
    Millis,
}

/// A line's role, which sets its colour and style.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Ink {
    /// What the chart is about.
    Main,
    /// Refusals (throttling).
    Throttle,
    /// The write bucket's tokens left, drawn as a filled area.
    Tokens,
    /// A derived or coarser view (capacity, CloudWatch's 1-minute average), dashed.
    Guide,
    /// The n-th of several like series (one per consumer).
    Palette(usize),
}

/// One series.
#[derive(Clone, Debug, PartialEq)]
pub struct Line {
    pub label: String,
    pub ink: Ink,
    /// (simulated seconds, value), oldest first.
    pub points: Vec<(f64, f64)>,
}

/// One chart.
#[derive(Clone, Debug, PartialEq)]
pub struct Chart {
    pub title: String,
    pub unit: Unit,
    /// The time axis, in simulated seconds.
    pub x: (f64, f64),
    pub lines: Vec<Line>,
    /// A fixed limit, drawn as a red rule: (value, label).
    pub limit: Option<(f64, String)>,
}

impl Chart {
    /// The newest value of each line, as `label: value` with the chart's unit, and when (`at 1:40`), for
    /// the line under the chart (and screen readers); empty before the first second.
    pub fn latest(&self) -> Option<(String, Vec<String>)> {
        let at = self
            .lines
            .iter()
            .filter_map(|l| l.points.last().map(|p| p.0))
            .fold(None, |m: Option<f64>, x| Some(m.map_or(x, |m| m.max(x))))?;
        let values = self
            .lines
            .iter()
            .filter_map(|l| l.points.last().filter(|p| p.0 == at).map(|p| format!("{} {}", l.label, self.show(p.1))))
            .collect();
        Some((super::format::axis_secs(at), values))
    }

    /// A value in the chart's unit.
    pub fn show(&self, v: f64) -> String {
        match self.unit {
            Unit::Count => super::format::count(v.max(0.0).round() as u64),
            Unit::Bytes => format!("{} B", super::format::count(v.max(0.0).round() as u64)),
            Unit::Millis => format!("{} ms", super::format::count(v.max(0.0).round() as u64)),
        }
    }

    /// The top of the value axis: above every point and the limit.
    pub fn y_max(&self) -> f64 {
        let top = self.lines.iter().flat_map(|l| l.points.iter().map(|p| p.1)).fold(0.0, f64::max);
        (top.max(self.limit.as_ref().map_or(0.0, |l| l.0)) * 1.12).max(1.0)
    }
}

/// The watched shard's four charts: writes (records, bytes) and reads (calls, bytes) against their limits.
pub fn shard_charts(track: &Track<ShardSecond>) -> Vec<Chart> {
    let x = x_range(track);
    let pts = track.points(CHART_POINTS_MAX);
    let line = |label: &str, ink, f: &dyn Fn(&ShardSecond) -> f64| Line {
        label: label.into(),
        ink,
        points: pts.iter().map(|(x, s)| (*x, f(s))).collect(),
    };
    let chart = |title: &str, unit, lines, limit: u64, limit_label: &str| Chart {
        title: title.into(),
        unit,
        x,
        lines,
        limit: Some((limit as f64, limit_label.into())),
    };
    vec![
        chart(
            "Records in per second",
            Unit::Count,
            vec![
                line("record tokens left (lowest in the second)", Ink::Tokens, &|s| f64::from(s.tokens_records.max(0))),
                line("IncomingRecords", Ink::Main, &|s| f64::from(s.records_in)),
                line("WriteProvisionedThroughputExceeded", Ink::Throttle, &|s| f64::from(s.write_throttled)),
            ],
            SHARD_WRITE_RECORDS_PER_SEC,
            "1,000 records/s",
        ),
        chart(
            "Bytes in per second",
            Unit::Bytes,
            vec![
                line("byte tokens left (lowest in the second)", Ink::Tokens, &|s| f64::from(s.tokens_bytes.max(0))),
                line("IncomingBytes", Ink::Main, &|s| f64::from(s.bytes_in)),
            ],
            SHARD_WRITE_BYTES_PER_SEC,
            "1 MiB/s",
        ),
        chart(
            "GetRecords calls per second",
            Unit::Count,
            vec![
                line("GetRecords calls served", Ink::Main, &|s| f64::from(s.read_calls)),
                line("ReadProvisionedThroughputExceeded", Ink::Throttle, &|s| f64::from(s.read_throttled)),
            ],
            u64::from(SHARD_READ_CALLS_PER_SEC),
            "5 calls/s",
        ),
        chart(
            "Bytes out per second (shared throughput)",
            Unit::Bytes,
            vec![line("GetRecords.Bytes", Ink::Main, &|s| f64::from(s.bytes_out))],
            SHARD_READ_BYTES_PER_SEC,
            "2 MiB/s",
        ),
    ]
}

/// A stream's records per second against its capacity (open shards × 1,000), with CloudWatch's
/// 1-minute average beside the per-second line and the records refused.
pub fn stream_chart(track: &Track<StreamSecond>, minutes: Option<&StreamMinutes>) -> Chart {
    let x = x_range(track);
    let pts = track.points(CHART_POINTS_MAX);
    let per_second = |f: &dyn Fn(&StreamSecond) -> f64| pts.iter().map(|(x, s)| (*x, f(s))).collect();
    let mut lines = vec![
        Line {
            label: "capacity (open shards × 1,000)".into(),
            ink: Ink::Guide,
            points: per_second(&|s| (u64::from(s.open_shards) * SHARD_WRITE_RECORDS_PER_SEC) as f64),
        },
        Line {
            label: "IncomingRecords per second".into(),
            ink: Ink::Main,
            points: per_second(&|s| s.records_in as f64),
        },
        Line {
            label: "WriteProvisionedThroughputExceeded".into(),
            ink: Ink::Throttle,
            points: per_second(&|s| s.write_throttled as f64),
        },
    ];
    if let Some(average) = minutes.and_then(|m| minute_average(m, "IncomingRecords")) {
        lines.push(Line {
            label: "CloudWatch: IncomingRecords Sum ÷ 60 (1-minute)".into(),
            ink: Ink::Palette(1),
            points: average,
        });
    }
    Chart { title: "Stream records in per second".into(), unit: Unit::Count, x, lines, limit: None }
}

/// Every consumer's MillisBehindLatest, one line each.
pub fn consumer_age_chart(history: &ChartHistory) -> Chart {
    consumers_chart(history, "Iterator age (MillisBehindLatest)", Unit::Millis, |c| c.behind_ms as f64)
}

/// Every consumer's records received per second, one line each.
pub fn consumer_throughput_chart(history: &ChartHistory) -> Chart {
    consumers_chart(history, "Records received per second", Unit::Count, |c| c.records as f64)
}

fn consumers_chart(history: &ChartHistory, title: &str, unit: Unit, f: fn(&ConsumerSecond) -> f64) -> Chart {
    let end = history.consumers.iter().map(|(_, t)| t.end()).max().unwrap_or(0);
    let start = history.consumers.iter().filter_map(|(_, t)| t.bins().first().map(|b| b.0)).min().unwrap_or(0);
    let lines = history
        .consumers
        .iter()
        .enumerate()
        .map(|(i, (name, track))| Line {
            label: name.clone(),
            ink: Ink::Palette(i),
            points: track.points(CHART_POINTS_MAX).iter().map(|(x, c)| (*x, f(c))).collect(),
        })
        .collect();
    Chart { title: title.into(), unit, x: span(start, end), lines, limit: None }
}

/// A CloudWatch column's Sum ÷ 60 as a step per complete minute.
fn minute_average(minutes: &StreamMinutes, metric: &str) -> Option<Vec<(f64, f64)>> {
    let column = minutes.columns.iter().find(|c| c.metric == metric)?;
    let mut points = Vec::new();
    for (start, value) in minutes.minutes.iter().zip(&column.values) {
        let average = value.map_or(0.0, |[_, sum, _, _]| sum as f64 / 60.0);
        points.push((*start as f64, average));
        points.push(((*start + 59) as f64, average));
    }
    Some(points)
}

fn x_range<T: Fold>(track: &Track<T>) -> (f64, f64) {
    span(track.bins().first().map_or(0, |b| b.0), track.end())
}

fn span(start: u64, end: u64) -> (f64, f64) {
    let (start, end) = (start as f64, end as f64);
    (start, end.max(start + X_SPAN_MIN_SECS))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::live::ring::Points;

    fn shard_track(seconds: usize) -> Track<ShardSecond> {
        let s = ShardSecond {
            records_in: 1_000,
            write_throttled: 150,
            tokens_records: 3,
            bytes_in: 200_000,
            ..Default::default()
        };
        let mut t = Track::default();
        t.extend(&Points { from_s: 0, span_s: 1, bins: vec![s; seconds] });
        t
    }

    #[test]
    fn a_shard_has_four_charts_against_the_kinesis_limits() {
        let charts = shard_charts(&shard_track(90));
        let limits: Vec<f64> = charts.iter().map(|c| c.limit.as_ref().expect("a limit").0).collect();
        assert_eq!(limits, [1_000.0, 1_048_576.0, 5.0, 2_097_152.0]);
        let records = &charts[0];
        assert_eq!(records.x, (0.0, 90.0));
        let throttle = records.lines.iter().find(|l| l.ink == Ink::Throttle).expect("throttles drawn");
        assert_eq!(throttle.label, "WriteProvisionedThroughputExceeded");
        assert!(throttle.points.iter().all(|p| p.1 == 150.0));
        assert!(records.y_max() > 1_000.0, "the limit is in view");
        let (at, values) = records.latest().expect("a newest second");
        assert_eq!(at, "1:29");
        assert_eq!(values[2], "WriteProvisionedThroughputExceeded 150");
        assert_eq!(charts[1].latest().expect("newest").1[1], "IncomingBytes 200,000 B");
        assert!(shard_charts(&Track::default())[0].latest().is_none());
    }

    #[test]
    fn an_hour_of_seconds_draws_at_most_two_thousand_points() {
        let charts = shard_charts(&shard_track(3_600));
        assert!(charts.iter().flat_map(|c| &c.lines).all(|l| l.points.len() <= CHART_POINTS_MAX));
        assert_eq!(charts[0].x, (0.0, 3_600.0));
    }

    #[test]
    fn the_stream_chart_sets_cloudwatch_minutes_beside_the_seconds() {
        use crate::engine::live::cloudwatch::MetricColumn;
        let mut t = Track::default();
        let s = StreamSecond { open_shards: 4, records_in: 1_200, ..Default::default() };
        t.extend(&Points { from_s: 0, span_s: 1, bins: vec![s; 120] });
        let minutes = StreamMinutes {
            stream: "s".into(),
            minutes: vec![0, 60],
            columns: vec![MetricColumn {
                metric: "IncomingRecords".into(),
                unit: "Count".into(),
                values: vec![Some([60, 72_000, 1_200, 1_200]), None],
            }],
        };
        let chart = stream_chart(&t, Some(&minutes));
        let capacity = &chart.lines[0];
        assert!(capacity.points.iter().all(|p| p.1 == 4_000.0));
        let cw = chart.lines.iter().find(|l| l.label.starts_with("CloudWatch")).expect("the minute view");
        assert_eq!(
            cw.points,
            [(0.0, 1_200.0), (59.0, 1_200.0), (60.0, 0.0), (119.0, 0.0)],
            "no datapoints: drawn at 0"
        );
        assert_eq!(stream_chart(&t, None).lines.len(), 3);
    }

    #[test]
    fn consumers_get_a_line_each() {
        let mut h = ChartHistory::default();
        for (i, name) in ["a", "b"].iter().enumerate() {
            let mut t = Track::default();
            let c = ConsumerSecond { behind_ms: 1_000 * (i as u64 + 1), ..Default::default() };
            t.extend(&Points { from_s: 10, span_s: 1, bins: vec![c; 5] });
            h.consumers.push((name.to_string(), t));
        }
        let age = consumer_age_chart(&h);
        assert_eq!(
            age.lines.iter().map(|l| (l.label.as_str(), l.ink)).collect::<Vec<_>>(),
            [("a", Ink::Palette(0)), ("b", Ink::Palette(1))]
        );
        assert_eq!(age.x, (10.0, 70.0));
        assert_eq!(age.lines[1].points[0], (10.0, 2_000.0));
    }
}
