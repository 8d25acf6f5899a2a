//! Aggregates, incremental (one accumulator per group and window, as Flink's AggregateFunction and a KDA
//! GROUP BY keep them): COUNT, SUM, MIN, MAX, AVG, and for the pipelines distinct count and top-k.

use super::value::Value;
use std::cmp::Ordering;
use std::collections::BTreeMap;

/// Which aggregate.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum AggKind {
    /// COUNT(*) counts rows; COUNT(x) counts non-NULL x.
    Count,
    Sum,
    Min,
    Max,
    /// SQL AVG keeps the argument's type (an INTEGER average is truncated) [M].
    Avg,
    /// Distinct non-NULL values.
    DistinctCount,
    /// The k most frequent values with their counts, most frequent first (ties: the first seen).
    TopK(usize),
}

impl AggKind {
    /// The SQL aggregate called `name`.
    pub fn sql(name: &str) -> Option<AggKind> {
        Some(match name {
            "COUNT" => AggKind::Count,
            "SUM" => AggKind::Sum,
            "MIN" => AggKind::Min,
            "MAX" => AggKind::Max,
            "AVG" => AggKind::Avg,
            _ => return None,
        })
    }
}

/// An accumulator.
#[derive(Clone, Debug, PartialEq)]
pub struct Acc {
    kind: AggKind,
    count: i64,
    /// SUM/AVG so far (Int while every input was an integer), MIN/MAX so far.
    value: Value,
    /// Distinct count and top-k: value (as text) → (count, first seen).
    seen: BTreeMap<String, (i64, usize)>,
}

impl Acc {
    pub fn new(kind: AggKind) -> Acc {
        Acc { kind, count: 0, value: Value::Null, seen: BTreeMap::new() }
    }

    /// Adds one input (`None` for COUNT(*)).
    pub fn add(&mut self, v: Option<&Value>) {
        let Some(v) = v else {
            self.count += 1;
            return;
        };
        if v.is_null() {
            return;
        }
        self.count += 1;
        match self.kind {
            AggKind::Count => {}
            AggKind::Sum | AggKind::Avg => {
                self.value = match (&self.value, v) {
                    (Value::Null, v) if v.as_f64().is_some() => normalize(v),
                    (Value::Int(a), Value::Int(b)) => {
                        a.checked_add(*b).map_or(Value::Double(*a as f64 + *b as f64), Value::Int)
                    }
                    (a, b) => Value::Double(a.as_f64().unwrap_or(0.0) + b.as_f64().unwrap_or(0.0)),
                };
            }
            AggKind::Min | AggKind::Max => {
                let better = match self.value.compare(v) {
                    None => self.value.is_null(),
                    Some(o) => o == if self.kind == AggKind::Min { Ordering::Greater } else { Ordering::Less },
                };
                if better {
                    self.value = v.clone();
                }
            }
            AggKind::DistinctCount | AggKind::TopK(_) => {
                let order = self.seen.len();
                self.seen.entry(v.to_string()).or_insert((0, order)).0 += 1;
            }
        }
    }

    /// Folds `other` (of the same kind) in, as merging session windows do.
    pub fn merge(&mut self, other: &Acc) {
        match self.kind {
            AggKind::Count => self.count += other.count,
            AggKind::Sum | AggKind::Avg | AggKind::Min | AggKind::Max => {
                let count = self.count;
                if !other.value.is_null() {
                    // Counting again is harmless: only AVG reads `count`, and it is set right after.
                    self.add(Some(&other.value));
                }
                self.count = count + other.count;
            }
            AggKind::DistinctCount | AggKind::TopK(_) => {
                self.count += other.count;
                for (v, (n, _)) in &other.seen {
                    let order = self.seen.len();
                    self.seen.entry(v.clone()).or_insert((0, order)).0 += n;
                }
            }
        }
    }

    /// The aggregate's value now.
    pub fn result(&self) -> Value {
        match self.kind {
            AggKind::Count => Value::Int(self.count),
            AggKind::Sum | AggKind::Min | AggKind::Max => self.value.clone(),
            AggKind::Avg => match &self.value {
                Value::Null => Value::Null,
                Value::Int(s) => Value::Int(s / self.count.max(1)),
                v => Value::Double(v.as_f64().unwrap_or(0.0) / self.count.max(1) as f64),
            },
            AggKind::DistinctCount => Value::Int(self.seen.len() as i64),
            AggKind::TopK(k) => {
                Value::Str(self.top(k).iter().map(|(v, n)| format!("{v}={n}")).collect::<Vec<_>>().join(", "))
            }
        }
    }

    /// The k most frequent values and their counts.
    pub fn top(&self, k: usize) -> Vec<(String, i64)> {
        let mut all: Vec<(&String, &(i64, usize))> = self.seen.iter().collect();
        all.sort_by(|a, b| b.1 .0.cmp(&a.1 .0).then(a.1 .1.cmp(&b.1 .1)));
        all.into_iter().take(k).map(|(v, (n, _))| (v.clone(), *n)).collect()
    }
}

/// Decimals add as doubles; integers stay integers.
fn normalize(v: &Value) -> Value {
    match v {
        Value::Int(i) => Value::Int(*i),
        v => Value::Double(v.as_f64().unwrap_or(0.0)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(kind: AggKind, values: &[Value]) -> Value {
        let mut a = Acc::new(kind);
        values.iter().for_each(|v| a.add(Some(v)));
        a.result()
    }

    #[test]
    fn sql_aggregates_skip_nulls() {
        let v = [Value::Int(4), Value::Null, Value::Int(-1), Value::Int(2)];
        assert_eq!(run(AggKind::Count, &v), Value::Int(3));
        assert_eq!(run(AggKind::Sum, &v), Value::Int(5));
        assert_eq!(run(AggKind::Min, &v), Value::Int(-1));
        assert_eq!(run(AggKind::Max, &v), Value::Int(4));
        assert_eq!(run(AggKind::Avg, &v), Value::Int(1), "an INTEGER average stays an integer");
        assert_eq!(run(AggKind::Avg, &[Value::Double(1.0), Value::Int(2)]), Value::Double(1.5));
        assert_eq!(run(AggKind::Sum, &[Value::Null]), Value::Null, "SUM of nothing is NULL");
        assert_eq!(run(AggKind::Count, &[]), Value::Int(0));
        let mut star = Acc::new(AggKind::Count);
        star.add(None);
        star.add(None);
        assert_eq!(star.result(), Value::Int(2));
    }

    #[test]
    fn merged_accumulators_equal_one_over_all_inputs() {
        let (a, b) = ([Value::Int(4), Value::Int(1)], [Value::Int(7), Value::Null]);
        for kind in [
            AggKind::Count,
            AggKind::Sum,
            AggKind::Min,
            AggKind::Max,
            AggKind::Avg,
            AggKind::DistinctCount,
            AggKind::TopK(2),
        ] {
            let (mut x, mut y, mut all) = (Acc::new(kind), Acc::new(kind), Acc::new(kind));
            a.iter().for_each(|v| x.add(Some(v)));
            b.iter().for_each(|v| y.add(Some(v)));
            a.iter().chain(&b).for_each(|v| all.add(Some(v)));
            x.merge(&y);
            assert_eq!(x.result(), all.result(), "{kind:?}");
        }
    }

    #[test]
    fn distinct_count_and_top_k() {
        let urls: Vec<Value> = ["/a", "/b", "/a", "/c", "/b", "/a"].iter().map(|s| Value::Str(s.to_string())).collect();
        assert_eq!(run(AggKind::DistinctCount, &urls), Value::Int(3));
        assert_eq!(run(AggKind::TopK(2), &urls), Value::Str("/a=3, /b=2".into()));
        let mut a = Acc::new(AggKind::TopK(3));
        ["x", "y"].iter().for_each(|s| a.add(Some(&Value::Str(s.to_string()))));
        assert_eq!(a.top(3), [("x".to_string(), 1), ("y".to_string(), 1)], "ties keep the order first seen");
    }
}
