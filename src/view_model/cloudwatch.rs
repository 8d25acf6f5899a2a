//! The CloudWatch table: a stream's 1-minute periods as the console lists them, for a chosen statistic.

use super::format::{axis_secs, count};
use crate::engine::live::cloudwatch::StreamMinutes;

/// CloudWatch's statistics.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Statistic {
    Sum,
    Average,
    Maximum,
    Minimum,
    SampleCount,
}

impl Statistic {
    /// Every statistic, in the console's order.
    pub const ALL: [Statistic; 5] =
        [Statistic::Sum, Statistic::Average, Statistic::Maximum, Statistic::Minimum, Statistic::SampleCount];

    /// Its CloudWatch name.
    pub fn name(self) -> &'static str {
        match self {
            Statistic::Sum => "Sum",
            Statistic::Average => "Average",
            Statistic::Maximum => "Maximum",
            Statistic::Minimum => "Minimum",
            Statistic::SampleCount => "SampleCount",
        }
    }

    /// The statistic a name means.
    pub fn from_name(name: &str) -> Option<Statistic> {
        Statistic::ALL.into_iter().find(|s| s.name() == name)
    }

    /// The statistic of `[SampleCount, Sum, Minimum, Maximum]`, as the console prints it.
    fn show(self, [n, sum, min, max]: [u64; 4]) -> String {
        match self {
            Statistic::Sum => count(sum),
            Statistic::Average => format!("{:.1}", sum as f64 / n.max(1) as f64),
            Statistic::Maximum => count(max),
            Statistic::Minimum => count(min),
            Statistic::SampleCount => count(n),
        }
    }
}

/// The table: a column per minute, newest first, and a row per metric (long names read better as rows).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MinuteTable {
    /// Each minute's start: `2:00`, `1:02:00`.
    pub minutes: Vec<String>,
    /// (metric and unit, `IncomingRecords (Count)`; its value per minute, `–` without datapoints).
    pub rows: Vec<(String, Vec<String>)>,
}

/// The newest `minutes_max` minutes of `minutes` for `statistic`.
pub fn minute_table(minutes: &StreamMinutes, statistic: Statistic, minutes_max: usize) -> MinuteTable {
    let shown: Vec<usize> = (0..minutes.minutes.len()).rev().take(minutes_max).collect();
    let rows = minutes
        .columns
        .iter()
        .map(|c| {
            let values = shown
                .iter()
                .map(|&i| c.values.get(i).copied().flatten().map_or_else(|| "–".to_string(), |v| statistic.show(v)))
                .collect();
            (format!("{} ({})", c.metric, c.unit), values)
        })
        .collect();
    MinuteTable { minutes: shown.iter().map(|&i| axis_secs(minutes.minutes[i] as f64)).collect(), rows }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::live::cloudwatch::MetricColumn;

    #[test]
    fn minutes_list_newest_first_with_the_chosen_statistic_and_gaps() {
        let minutes = StreamMinutes {
            stream: "s".into(),
            minutes: vec![0, 60, 120],
            columns: vec![MetricColumn {
                metric: "IncomingRecords".into(),
                unit: "Count".into(),
                values: vec![Some([60, 59_000, 900, 1_000]), None, Some([3, 10, 2, 5])],
            }],
        };
        let sum = minute_table(&minutes, Statistic::Sum, 2);
        assert_eq!(sum.minutes, ["2:00", "1:00"]);
        assert_eq!(sum.rows, [("IncomingRecords (Count)".to_string(), vec!["10".to_string(), "–".to_string()])]);
        let avg = minute_table(&minutes, Statistic::Average, 10);
        assert_eq!(avg.rows[0].1, ["3.3", "–", "983.3"]);
        assert_eq!(minute_table(&minutes, Statistic::SampleCount, 10).rows[0].1[2], "60");
        assert_eq!(Statistic::from_name("Maximum"), Some(Statistic::Maximum));
        assert_eq!(Statistic::from_name("p99"), None);
    }
}
