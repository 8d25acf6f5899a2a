//! Shard sizing (spec kds.md §5.2): the seed formula, the complete estimator, the hot-key check, the
//! 25 % scaling steps, and the monthly cost of the answer (§5.6).
//!
//! The complete estimator is `ceil(max(W_B / 1 MiB, W_R / 1000, W_B·n / 2 MiB, n·polls / 5) / headroom)`,
//! W_B write bytes/s (data + key), W_R Kinesis records/s after KPL aggregation, n polling consumers.
//! Enhanced fan-out consumers have their own pipes and add nothing to it, only to the cost.

use super::cost::{cost, Cost, Prices, Usage, HOURS_PER_MONTH};
use crate::engine::clients::stats::put_units;
use serde::{Deserialize, Serialize};

const MIB: f64 = 1_048_576.0;
/// Records written per second into one shard.
const SHARD_RECORDS: f64 = 1_000.0;
/// GetRecords calls per second per shard, shared by all polling consumers.
const SHARD_CALLS: f64 = 5.0;
/// A record with its key is at most 1 MiB.
const RECORD_BYTES_MAX: u32 = 1_048_576;
/// KPL: protobuf bytes around each user record in an aggregate [M: spec §5.7 gives 6–10].
const AGGREGATION_OVERHEAD_BYTES: u32 = 8;
/// KPL: AggregationMaxSize's default.
const DEFAULT_AGGREGATION_MAX_BYTES: u32 = 51_200;
const SECONDS_PER_MONTH: f64 = HOURS_PER_MONTH * 3_600.0;

/// A stream design: what the planner sizes.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Design {
    /// Peak user records per second the producers write.
    pub records_per_second: f64,
    /// Average bytes per user record, data plus partition key.
    pub record_bytes: u32,
    /// Shared-throughput (GetRecords) consumer applications.
    #[serde(default)]
    pub polling_consumers: u32,
    /// GetRecords calls per second each polling consumer makes on each shard.
    #[serde(default = "one")]
    pub polls_per_second: f64,
    /// Enhanced fan-out consumers.
    #[serde(default)]
    pub efo_consumers: u32,
    /// The share of capacity to plan for, in (0, 1]: 0.8 leaves 20 % spare.
    #[serde(default = "one")]
    pub headroom: f64,
    /// The share (0–1) of records carrying the single most frequent partition key, if known.
    pub hottest_key_share: Option<f64>,
    /// Producers aggregate with the KPL (default aggregation size).
    #[serde(default)]
    pub kpl: bool,
    /// The stream's open shards today, to plan the UpdateShardCount steps from.
    pub current_shards: Option<u32>,
    /// Retention in hours (24 … 8,760), for the cost.
    #[serde(default = "default_retention")]
    pub retention_hours: u32,
    /// Prices for the cost (any subset).
    #[serde(default)]
    pub prices: Prices,
}

fn one() -> f64 {
    1.0
}
fn default_retention() -> u32 {
    24
}

impl Design {
    /// A design with the given load and everything else at its default.
    pub fn new(records_per_second: f64, record_bytes: u32) -> Design {
        Design {
            records_per_second,
            record_bytes,
            polling_consumers: 0,
            polls_per_second: 1.0,
            efo_consumers: 0,
            headroom: 1.0,
            hottest_key_share: None,
            kpl: false,
            current_shards: None,
            retention_hours: 24,
            prices: Prices::default(),
        }
    }

    /// Checks the numbers; the error names the field.
    pub fn validate(&self) -> Result<(), String> {
        let positive = |field: &str, v: f64, max: f64| {
            if v.is_finite() && v > 0.0 && v <= max {
                Ok(())
            } else {
                Err(format!("{field}: must be above 0 and at most {max}, got {v}"))
            }
        };
        positive("records_per_second", self.records_per_second, 1e9)?;
        if !(1..=RECORD_BYTES_MAX).contains(&self.record_bytes) {
            return Err(format!("record_bytes: must be from 1 to 1,048,576, got {}", self.record_bytes));
        }
        positive("polls_per_second", self.polls_per_second, SHARD_CALLS)?;
        positive("headroom", self.headroom, 1.0)?;
        if let Some(share) = self.hottest_key_share.filter(|s| !(s.is_finite() && (0.0..=1.0).contains(s))) {
            return Err(format!("hottest_key_share: must be from 0 to 1, got {share}"));
        }
        if self.current_shards == Some(0) {
            return Err("current_shards: must be at least 1".to_string());
        }
        if !(24..=8_760).contains(&self.retention_hours) {
            return Err(format!("retention_hours: must be from 24 to 8,760, got {}", self.retention_hours));
        }
        Ok(())
    }

    /// User records packed into one Kinesis record (1 without the KPL; spec §5.7).
    pub fn users_per_record(&self) -> f64 {
        if !self.kpl {
            return 1.0;
        }
        let each = self.record_bytes + AGGREGATION_OVERHEAD_BYTES;
        f64::from((DEFAULT_AGGREGATION_MAX_BYTES / each).max(1))
    }

    /// Write bytes per second (W_B), the aggregation overhead included.
    pub fn write_bytes(&self) -> f64 {
        let overhead = if self.kpl { AGGREGATION_OVERHEAD_BYTES } else { 0 };
        self.records_per_second * f64::from(self.record_bytes + overhead)
    }
}

/// The seed formula (AWS developer guide; spec §5.2), record size rounded up to whole KiB.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct SeedFormula {
    pub average_data_size_in_kib: u64,
    pub incoming_write_bandwidth_in_kib: f64,
    pub outgoing_read_bandwidth_in_kib: f64,
    pub number_of_shards: u32,
}

/// Each term of the complete estimator, in shards.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Terms {
    /// W_B / 1 MiB.
    pub write_bytes: f64,
    /// W_R / 1,000.
    pub write_records: f64,
    /// W_B · n / 2 MiB.
    pub read_bytes: f64,
    /// n · polls / 5.
    pub read_calls: f64,
}

/// The hot-key check: one key lives in one shard, so its load must fit one shard.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct SkewCheck {
    pub hottest_key_records_per_second: f64,
    pub hottest_key_bytes_per_second: f64,
    pub fits_one_shard: bool,
    pub note: String,
}

/// UpdateShardCount calls from the current count to the answer.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct ScalingPlan {
    pub from: u32,
    /// Each call's target: at most double and at least half the count before it.
    pub steps: Vec<u32>,
    /// The nearest count at or above the answer that is a multiple of 25 % of the current count.
    pub quarter_step_target: u32,
    pub note: String,
}

/// The planner's answer.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Sizing {
    pub seed_formula: SeedFormula,
    pub kinesis_records_per_second: f64,
    pub write_bytes_per_second: f64,
    pub terms: Terms,
    /// Which term decides.
    pub binding: &'static str,
    /// max(terms) before headroom.
    pub shards_exact: f64,
    pub headroom: f64,
    /// The answer.
    pub shards: u32,
    pub skew: Option<SkewCheck>,
    pub scaling: Option<ScalingPlan>,
    /// A month (730 h) at the peak rate with the answer's shards.
    pub monthly_cost: Cost,
}

/// Sizes `design` (validate it first).
pub fn size(design: &Design) -> Sizing {
    let n = f64::from(design.polling_consumers);
    let w_b = design.write_bytes();
    let w_r = design.records_per_second / design.users_per_record();
    let terms = Terms {
        write_bytes: w_b / MIB,
        write_records: w_r / SHARD_RECORDS,
        read_bytes: w_b * n / (2.0 * MIB),
        read_calls: n * design.polls_per_second / SHARD_CALLS,
    };
    let named = [
        ("write bytes (1 MiB/s per shard)", terms.write_bytes),
        ("write records (1,000/s per shard)", terms.write_records),
        ("shared read bytes (2 MiB/s per shard)", terms.read_bytes),
        ("shared read calls (5/s per shard)", terms.read_calls),
    ];
    let (binding, exact) = named.iter().fold(named[0], |best, t| if t.1 > best.1 { *t } else { best });
    let shards = (libm::ceil(exact / design.headroom) as u32).max(1);
    Sizing {
        seed_formula: seed_formula(design),
        kinesis_records_per_second: w_r,
        write_bytes_per_second: w_b,
        terms,
        binding,
        shards_exact: exact,
        headroom: design.headroom,
        shards,
        skew: design.hottest_key_share.map(|share| skew(design, share)),
        scaling: design.current_shards.map(|from| scaling(from, shards)),
        monthly_cost: monthly_cost(design, shards, w_r),
    }
}

fn seed_formula(design: &Design) -> SeedFormula {
    let kib = u64::from(design.record_bytes).div_ceil(1_024);
    let incoming = kib as f64 * design.records_per_second;
    let outgoing = incoming * f64::from(design.polling_consumers + design.efo_consumers);
    let shards = libm::ceil((incoming / 1_024.0).max(outgoing / 2_048.0)) as u32;
    SeedFormula {
        average_data_size_in_kib: kib,
        incoming_write_bandwidth_in_kib: incoming,
        outgoing_read_bandwidth_in_kib: outgoing,
        number_of_shards: shards.max(1),
    }
}

fn skew(design: &Design, share: f64) -> SkewCheck {
    let records = design.records_per_second * share;
    let bytes = records * f64::from(design.record_bytes);
    let kinesis_records = records / design.users_per_record();
    let fits = kinesis_records <= SHARD_RECORDS && bytes <= MIB;
    let note = if fits {
        format!("the hottest key ({records:.0} records/s, {:.0} KiB/s) fits one shard", bytes / 1_024.0)
    } else {
        format!(
            "the hottest key alone needs {records:.0} records/s and {:.0} KiB/s, more than one shard takes \
             (1,000 records/s, 1 MiB/s): no shard count fixes it; spread the key (salt it) or aggregate with the KPL",
            bytes / 1_024.0
        )
    };
    SkewCheck {
        hottest_key_records_per_second: records,
        hottest_key_bytes_per_second: bytes,
        fits_one_shard: fits,
        note,
    }
}

/// The UpdateShardCount calls from `from` to `to`: each at most doubles or halves the count.
pub fn scaling(from: u32, to: u32) -> ScalingPlan {
    let mut steps = Vec::new();
    let mut at = from;
    while at != to {
        at = if to > at { to.min(at.saturating_mul(2)) } else { to.max(at.div_ceil(2)) };
        steps.push(at);
    }
    // A multiple of 25 % of `from`: from·k/4 whole, i.e. k a multiple of 4 / gcd(from, 4).
    let unit = 4 / gcd(from, 4);
    let k = (u64::from(to) * 4).div_ceil(u64::from(from)).div_ceil(u64::from(unit)) * u64::from(unit);
    let quarter = u32::try_from(u64::from(from) * k / 4).unwrap_or(u32::MAX);
    let note = if quarter == to {
        format!("{to} is a multiple of 25 % of {from}, the quickest kind of UpdateShardCount")
    } else {
        format!(
            "{to} is not a multiple of 25 % of {from}: UpdateShardCount may create intermediate shards and take longer; \
             {quarter} is the next 25 % step"
        )
    };
    ScalingPlan { from, steps, quarter_step_target: quarter, note }
}

fn gcd(a: u32, b: u32) -> u32 {
    if b == 0 {
        a
    } else {
        gcd(b, a % b)
    }
}

fn monthly_cost(design: &Design, shards: u32, kinesis_records_per_second: f64) -> Cost {
    let record_bytes = f64::from(design.record_bytes) * design.users_per_record();
    let units_each = put_units(libm::ceil(record_bytes) as u64);
    let shard_hours = f64::from(shards) * HOURS_PER_MONTH;
    let week_hours = 168.0;
    let long_term_gb_months = if f64::from(design.retention_hours) > week_hours {
        design.write_bytes() * (f64::from(design.retention_hours) - week_hours) * 3_600.0 / super::cost::GB
    } else {
        0.0
    };
    let usage = Usage {
        on_demand: false,
        stream_hours: HOURS_PER_MONTH,
        shard_hours,
        put_units: libm::round(kinesis_records_per_second * units_each as f64 * SECONDS_PER_MONTH) as u64,
        bytes_in_rounded: 0.0,
        bytes_out: 0.0,
        retention_hours: design.retention_hours,
        long_term_gb_months,
        efo_consumer_shard_hours: f64::from(design.efo_consumers) * shard_hours,
        efo_bytes: f64::from(design.efo_consumers) * design.write_bytes() * SECONDS_PER_MONTH,
    };
    cost(&usage, &design.prices)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn worked_example_a_three_kib_two_consumers_needs_3_shards() {
        let d = Design { polling_consumers: 2, ..Design::new(1_000.0, 3 * 1_024) };
        let s = size(&d);
        assert!((s.terms.write_bytes - 2.9297).abs() < 1e-3, "{:?}", s.terms);
        assert_eq!(s.terms.write_records, 1.0);
        assert!((s.terms.read_bytes - 2.9297).abs() < 1e-3);
        assert_eq!(s.shards, 3);
        assert_eq!(s.seed_formula.number_of_shards, 3);
    }

    #[test]
    fn worked_example_b_35_kb_at_100_per_second_needs_4_shards_and_costs_51_dollars() {
        let d = Design::new(100.0, 35 * 1_024);
        let s = size(&d);
        assert!((s.terms.write_bytes - 3.418).abs() < 1e-3);
        assert_eq!(s.shards, 4);
        // Spec §5.6: $43.80 of shard-hours plus 525.6 M PUT units at $0.014 per million.
        assert_eq!(s.monthly_cost.capacity, 43.8);
        assert_eq!(s.monthly_cost.data, 7.3584);
        assert_eq!(s.monthly_cost.total, 51.1584);
    }

    #[test]
    fn worked_example_c_small_records_are_bound_by_the_record_count() {
        let s = size(&Design::new(5_000.0, 500));
        assert!((s.terms.write_bytes - 2.384).abs() < 1e-3);
        assert_eq!(s.terms.write_records, 5.0);
        assert_eq!(s.binding, "write records (1,000/s per shard)");
        assert_eq!(s.shards, 5);
        // The seed formula reaches 5 only by rounding 500 B up to 1 KiB: 4.88.
        assert_eq!(s.seed_formula.average_data_size_in_kib, 1);
        assert_eq!(s.seed_formula.number_of_shards, 5);
    }

    #[test]
    fn headroom_polls_and_the_kpl_change_the_answer() {
        let base = Design::new(5_000.0, 500);
        assert_eq!(size(&Design { headroom: 0.8, ..base.clone() }).shards, 7, "5 / 0.8 = 6.25 → 7");
        let readers = Design { polling_consumers: 6, polls_per_second: 5.0, ..Design::new(10.0, 100) };
        assert_eq!(size(&readers).shards, 6, "six readers polling 5/s need six shards' call budgets");
        let kpl = size(&Design { kpl: true, ..base });
        assert!(kpl.kinesis_records_per_second < 60.0, "{}", kpl.kinesis_records_per_second);
        assert_eq!(kpl.shards, 3, "aggregated, the bytes decide: {:?}", kpl.terms);
    }

    #[test]
    fn a_hot_key_over_one_shard_is_flagged_whatever_the_count() {
        let hot = size(&Design { hottest_key_share: Some(0.7), ..Design::new(1_500.0, 1_000) });
        let skew = hot.skew.expect("checked");
        assert!(!skew.fits_one_shard);
        assert!(skew.note.contains("no shard count fixes it"), "{}", skew.note);
        let cool = size(&Design { hottest_key_share: Some(0.1), ..Design::new(1_500.0, 1_000) });
        assert!(cool.skew.expect("checked").fits_one_shard);
    }

    #[test]
    fn scaling_steps_double_or_halve_at_most_and_name_the_25_percent_step() {
        let up = scaling(2, 9);
        assert_eq!(up.steps, vec![4, 8, 9]);
        assert_eq!(up.quarter_step_target, 9, "25 % of 2 is half a shard: every count is a step");
        let odd = scaling(8, 9);
        assert_eq!(odd.quarter_step_target, 10, "25 % of 8 is 2 shards: 9 → 10");
        assert!(odd.note.contains("intermediate shards"), "{}", odd.note);
        let down = scaling(10, 2);
        assert_eq!(down.steps, vec![5, 3, 2]);
        let even = scaling(4, 5);
        assert_eq!((even.quarter_step_target, even.steps.clone()), (5, vec![5]));
        assert!(even.note.contains("quickest"));
    }

    #[test]
    fn bad_designs_name_their_field() {
        let bad = |d: Design| d.validate().unwrap_err();
        assert!(bad(Design::new(0.0, 100)).starts_with("records_per_second"));
        assert!(bad(Design::new(10.0, 0)).starts_with("record_bytes"));
        assert!(bad(Design { headroom: 1.5, ..Design::new(10.0, 100) }).starts_with("headroom"));
        assert!(bad(Design { hottest_key_share: Some(2.0), ..Design::new(10.0, 100) }).starts_with("hottest_key"));
        assert!(bad(Design { retention_hours: 5, ..Design::new(10.0, 100) }).starts_with("retention_hours"));
        assert!(Design::new(10.0, 100).validate().is_ok());
    }
}
