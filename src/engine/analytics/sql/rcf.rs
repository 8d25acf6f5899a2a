//! RANDOM_CUT_FOREST (§2.4), as a documented approximation: AWS's forest of random cut trees is not
//! reproduced. Each row's ANOMALY_SCORE is the mean, over its numeric columns, of how many standard
//! deviations the value lies from an exponentially decayed mean (the decay is `timeDecay` rows), and 0
//! while the model warms up on its first `subSampleSize` rows. Like RCF it learns only from rows since the
//! application started, scores ordinary rows near 1 and outliers higher; the numbers are not AWS's.

use super::stages::Row;
use crate::engine::analytics::value::Value;

/// The function's parameters, with AWS's defaults (numberOfTrees 100, subSampleSize 256, timeDecay
/// 100000, shingleSize 1) [M].
#[derive(Clone, Debug, PartialEq)]
pub struct Forest {
    pub trees: i64,
    pub sub_sample: i64,
    pub time_decay: i64,
    pub shingle: i64,
    seen: i64,
    /// Per numeric column position: decayed mean and variance.
    stats: Vec<Option<(f64, f64)>>,
}

impl Forest {
    pub fn new(trees: i64, sub_sample: i64, time_decay: i64, shingle: i64) -> Forest {
        Forest { trees, sub_sample, time_decay, shingle, seen: 0, stats: Vec::new() }
    }

    /// The row with ANOMALY_SCORE appended; the model then learns the row.
    pub fn score(&mut self, mut row: Row) -> Row {
        let numbers: Vec<Option<f64>> = row.values.iter().map(Value::as_f64).collect();
        if self.stats.len() < numbers.len() {
            self.stats.resize(numbers.len(), None);
        }
        let mut deviations = Vec::new();
        for (x, stat) in numbers.iter().zip(&self.stats) {
            if let (Some(x), Some((mean, var))) = (x, stat) {
                deviations.push((x - mean).abs() / var.sqrt().max(1e-9));
            }
        }
        let warm = self.seen >= self.sub_sample;
        let score =
            if warm && !deviations.is_empty() { deviations.iter().sum::<f64>() / deviations.len() as f64 } else { 0.0 };
        // Learn: exponentially decayed mean and variance (West's update).
        let alpha = 1.0 / (self.seen + 1).min(self.time_decay.max(1)) as f64;
        for (x, stat) in numbers.iter().zip(self.stats.iter_mut()) {
            let Some(x) = x else { continue };
            *stat = Some(match *stat {
                None => (*x, 0.0),
                Some((mean, var)) => {
                    let d = x - mean;
                    let mean = mean + alpha * d;
                    (mean, (1.0 - alpha) * (var + alpha * d * d))
                }
            });
        }
        self.seen += 1;
        row.values.push(Value::Double(score));
        row
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scores_are_zero_while_warming_up_then_an_outlier_stands_out() {
        let mut f = Forest::new(100, 20, 100_000, 1);
        let mut scores = Vec::new();
        for i in 0..60 {
            let rate = if i == 50 { 190 } else { 70 + (i * 7 % 11) };
            let row = f.score(Row { rowtime: i * 1000, values: vec![Value::Int(rate), Value::Str("x".into())] });
            let Value::Double(s) = row.values[2] else { panic!("{row:?}") };
            scores.push(s);
        }
        assert!(scores[..20].iter().all(|s| *s == 0.0), "warm-up");
        let ordinary = scores[21..50].iter().cloned().fold(0.0, f64::max);
        assert!(ordinary < 2.5, "ordinary rows score low: {ordinary}");
        assert!(scores[50] > 10.0, "the outlier scores high: {}", scores[50]);
    }
}
