//! Rate profiles: how many records a producer sends over time (spec kds.md §4.3, §6 P5, P8, P10).
//!
//! Every profile is a piecewise-linear rate curve r(t) in records per second, optionally repeating with
//! a period (a day for the diurnal curve, the burst interval for bursts). A producer sends
//! `floor(R(t₁)) − floor(R(t₀))` records in `[t₀, t₁)`, where R is the exact integral of r: no noise, no
//! drift, and the same count whether time is cut into 1 ms or 1 s ticks. A producer's rate is the sum of
//! its profiles, so a diurnal curve plus bursts is two entries.
//!
//! Time here is seconds since the scenario started; the diurnal curve follows the simulated wall clock
//! (UTC hour of day), so it is built with the scenario's start time of day.

use serde::{Deserialize, Serialize};

/// One rate component, as a scenario file writes it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case", deny_unknown_fields)]
pub enum RateProfile {
    /// The same rate all the time.
    Constant { per_second: f64 },
    /// Piecewise constant: `per_second` from each step's `at_s` until the next step (0 before the first).
    Step { steps: Vec<RatePoint> },
    /// `from_per_second` until `start_s`, then linear to `to_per_second` at `end_s`, then constant.
    Ramp { from_per_second: f64, to_per_second: f64, start_s: f64, end_s: f64 },
    /// A daily curve through 24 hourly rates (UTC hours 0–23), linear between hours, repeating every day —
    /// the Kinesis Data Generator's "periodic" mode with linear smoothing.
    Diurnal { hourly_per_second: Vec<f64> },
    /// `per_second` during `duration_s` out of every `every_s`, starting at `offset_s`; 0 otherwise.
    Bursts { per_second: f64, every_s: f64, duration_s: f64, offset_s: f64 },
    /// A recorded trace: each point's rate holds until the next point; the last holds for ever
    /// (or the trace repeats, when `repeat_every_s` is set).
    Trace { points: Vec<RatePoint>, repeat_every_s: Option<f64> },
}

/// A rate from a point in time on.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RatePoint {
    /// Seconds since the scenario started.
    pub at_s: f64,
    /// Records per second from then on.
    pub per_second: f64,
}

/// The longest period or time a profile may name: 400 days, the replay horizon.
const HORIZON_S: f64 = 400.0 * 86_400.0;

impl RateProfile {
    /// Checks the numbers; the error names the offending field (relative to the profile).
    pub fn validate(&self) -> Result<(), (String, String)> {
        let rate = |field: &str, v: f64| check(field, v, 0.0, 1e9, "a rate from 0 to 1,000,000,000 records/s");
        let time = |field: &str, v: f64| check(field, v, 0.0, HORIZON_S, "seconds from 0 to 34,560,000 (400 days)");
        match self {
            RateProfile::Constant { per_second } => rate("per_second", *per_second),
            RateProfile::Step { steps } | RateProfile::Trace { points: steps, .. } => {
                let name = if matches!(self, RateProfile::Step { .. }) { "steps" } else { "points" };
                if steps.is_empty() {
                    return Err((name.to_string(), "needs at least one point".to_string()));
                }
                for (i, p) in steps.iter().enumerate() {
                    time(&format!("{name}[{i}].at_s"), p.at_s)?;
                    rate(&format!("{name}[{i}].per_second"), p.per_second)?;
                    if i > 0 && p.at_s <= steps[i - 1].at_s {
                        return Err((format!("{name}[{i}].at_s"), "points must be in increasing time order".into()));
                    }
                }
                if let RateProfile::Trace { repeat_every_s: Some(every), points } = self {
                    check("repeat_every_s", *every, 1e-3, HORIZON_S, "a period in seconds above 0")?;
                    if points.last().is_some_and(|p| p.at_s >= *every) {
                        return Err(("repeat_every_s".into(), "must be later than the last point's at_s".into()));
                    }
                }
                Ok(())
            }
            RateProfile::Ramp { from_per_second, to_per_second, start_s, end_s } => {
                rate("from_per_second", *from_per_second)?;
                rate("to_per_second", *to_per_second)?;
                time("start_s", *start_s)?;
                time("end_s", *end_s)?;
                if end_s <= start_s {
                    return Err(("end_s".into(), "must be later than start_s".into()));
                }
                Ok(())
            }
            RateProfile::Diurnal { hourly_per_second } => {
                if hourly_per_second.len() != 24 {
                    let n = hourly_per_second.len();
                    return Err(("hourly_per_second".into(), format!("needs 24 rates (hours 0–23), got {n}")));
                }
                hourly_per_second.iter().enumerate().try_for_each(|(h, v)| rate(&format!("hourly_per_second[{h}]"), *v))
            }
            RateProfile::Bursts { per_second, every_s, duration_s, offset_s } => {
                rate("per_second", *per_second)?;
                check("every_s", *every_s, 1e-3, HORIZON_S, "a period in seconds above 0")?;
                check("duration_s", *duration_s, 0.0, *every_s, "seconds from 0 to every_s")?;
                time("offset_s", *offset_s)
            }
        }
    }
}

fn check(field: &str, v: f64, lo: f64, hi: f64, what: &str) -> Result<(), (String, String)> {
    if v.is_finite() && v >= lo && v <= hi {
        Ok(())
    } else {
        Err((field.to_string(), format!("must be {what}, got {v}")))
    }
}

/// A validated sum of profiles, ready to count records.
#[derive(Clone, Debug, PartialEq)]
pub struct RateCurve {
    parts: Vec<Piecewise>,
}

impl RateCurve {
    /// Builds the curve; `start_second_of_day` is the UTC time of day at t = 0 (for diurnal curves).
    /// The profiles must have passed [`RateProfile::validate`].
    pub fn new(profiles: &[RateProfile], start_second_of_day: f64) -> RateCurve {
        RateCurve { parts: profiles.iter().map(|p| Piecewise::of(p, start_second_of_day)).collect() }
    }

    /// Records per second at `t` seconds.
    pub fn rate_at(&self, t: f64) -> f64 {
        self.parts.iter().map(|p| p.rate_at(t)).sum()
    }

    /// The exact number of records expected in `[0, t)`: the integral of the rate.
    pub fn expected_by(&self, t: f64) -> f64 {
        self.parts.iter().map(|p| p.integral(t)).sum()
    }

    /// How many records to send in `[t0, t1)`: whole records only, carrying fractions forward exactly.
    pub fn records_between(&self, t0: f64, t1: f64) -> u64 {
        let (a, b) = (libm::floor(self.expected_by(t0)), libm::floor(self.expected_by(t1)));
        (b - a).max(0.0) as u64
    }

    /// The highest rate the curve reaches (for planning and chart scales).
    pub fn peak(&self) -> f64 {
        // Sums of peaks bound the peak of sums; exact when one part varies, as in every preset.
        self.parts.iter().map(|p| p.points.iter().map(|q| q.1).fold(0.0, f64::max)).sum()
    }
}

/// r(t) through `points` (time, rate), linear between them, constant outside; repeating every `period`.
#[derive(Clone, Debug, PartialEq)]
struct Piecewise {
    points: Vec<(f64, f64)>,
    period: Option<f64>,
    /// Time shift: the curve is evaluated at `t + shift` (the diurnal curve's time of day at t = 0).
    shift: f64,
    /// ∫ r over one period (periodic curves only).
    period_area: f64,
}

impl Piecewise {
    fn of(profile: &RateProfile, start_second_of_day: f64) -> Piecewise {
        let jump = |steps: &[RatePoint]| {
            let mut pts = vec![(0.0, 0.0)];
            for s in steps {
                let before = pts.last().map_or(0.0, |p: &(f64, f64)| p.1);
                pts.push((s.at_s, before));
                pts.push((s.at_s, s.per_second));
            }
            pts
        };
        let (points, period, shift) = match profile {
            RateProfile::Constant { per_second } => (vec![(0.0, *per_second)], None, 0.0),
            RateProfile::Step { steps } => (jump(steps), None, 0.0),
            RateProfile::Trace { points, repeat_every_s } => {
                let mut pts = jump(points);
                if let Some(every) = repeat_every_s {
                    let last = pts.last().map_or(0.0, |p| p.1);
                    pts.push((*every, last));
                }
                (pts, *repeat_every_s, 0.0)
            }
            RateProfile::Ramp { from_per_second, to_per_second, start_s, end_s } => {
                (vec![(*start_s, *from_per_second), (*end_s, *to_per_second)], None, 0.0)
            }
            RateProfile::Diurnal { hourly_per_second } => {
                let mut pts: Vec<(f64, f64)> =
                    hourly_per_second.iter().enumerate().map(|(h, r)| (h as f64 * 3_600.0, *r)).collect();
                pts.push((86_400.0, hourly_per_second[0]));
                (pts, Some(86_400.0), start_second_of_day)
            }
            RateProfile::Bursts { per_second, every_s, duration_s, offset_s } => {
                let pts = vec![(0.0, *per_second), (*duration_s, *per_second), (*duration_s, 0.0), (*every_s, 0.0)];
                // A burst starts at offset_s: shift the period so that offset lands on its start.
                let shift = (every_s - offset_s.rem_euclid(*every_s)).rem_euclid(*every_s);
                (pts, Some(*every_s), shift)
            }
        };
        let mut curve = Piecewise { points, period, shift, period_area: 0.0 };
        if let Some(p) = period {
            curve.period_area = curve.area_from_origin(p);
        }
        curve
    }

    fn rate_at(&self, t: f64) -> f64 {
        let x = self.local(t + self.shift);
        let pts = &self.points;
        let i = pts.partition_point(|p| p.0 <= x);
        match (i.checked_sub(1).map(|j| pts[j]), pts.get(i)) {
            (None, Some(first)) => first.1,
            (Some(last), None) => last.1,
            (Some(a), Some(b)) => a.1 + (b.1 - a.1) * (x - a.0) / (b.0 - a.0),
            (None, None) => 0.0,
        }
    }

    /// ∫ r over `[0, t)` of scenario time.
    fn integral(&self, t: f64) -> f64 {
        self.curve_integral(t + self.shift) - self.curve_integral(self.shift)
    }

    /// ∫ r over `[0, x)` of curve time (whole periods first, for periodic curves).
    fn curve_integral(&self, x: f64) -> f64 {
        match self.period {
            Some(p) => libm::floor(x / p) * self.period_area + self.area_from_origin(x.rem_euclid(p)),
            None => self.area_from_origin(x),
        }
    }

    fn local(&self, x: f64) -> f64 {
        self.period.map_or(x, |p| x.rem_euclid(p))
    }

    /// ∫ over `[0, x)` of the unrepeated curve (trapezoids between points; flat outside them).
    fn area_from_origin(&self, x: f64) -> f64 {
        let pts = &self.points;
        let Some(&(t0, r0)) = pts.first() else { return 0.0 };
        let mut area = t0.min(x).max(0.0) * r0;
        let mut prev = (t0, r0);
        for &(t, r) in &pts[1..] {
            if x <= prev.0 {
                return area;
            }
            if x < t {
                let rx = prev.1 + (r - prev.1) * (x - prev.0) / (t - prev.0);
                return area + (x - prev.0) * (prev.1 + rx) / 2.0;
            }
            area += (t - prev.0) * (prev.1 + r) / 2.0;
            prev = (t, r);
        }
        area + (x - prev.0).max(0.0) * prev.1
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn curve(p: RateProfile) -> RateCurve {
        p.validate().expect("valid");
        RateCurve::new(&[p], 0.0)
    }

    fn per_second_counts(c: &RateCurve, seconds: u32) -> Vec<u64> {
        (0..seconds).map(|s| c.records_between(f64::from(s), f64::from(s + 1))).collect()
    }

    #[test]
    fn constant_rates_count_exactly_whatever_the_tick() {
        let c = curve(RateProfile::Constant { per_second: 2.5 });
        assert_eq!(per_second_counts(&c, 4), [2, 3, 2, 3]);
        let fine: u64 = (0..4_000).map(|ms| c.records_between(ms as f64 / 1e3, (ms + 1) as f64 / 1e3)).sum();
        assert_eq!(fine, 10, "1 ms ticks send the same 10 records as 1 s ticks");
    }

    #[test]
    fn steps_hold_until_the_next() {
        let steps = vec![RatePoint { at_s: 1.0, per_second: 10.0 }, RatePoint { at_s: 3.0, per_second: 1.0 }];
        let c = curve(RateProfile::Step { steps });
        assert_eq!(per_second_counts(&c, 5), [0, 10, 10, 1, 1]);
        assert_eq!(c.rate_at(2.0), 10.0);
    }

    #[test]
    fn ramps_integrate_as_trapezoids() {
        let c = curve(RateProfile::Ramp { from_per_second: 0.0, to_per_second: 100.0, start_s: 10.0, end_s: 20.0 });
        assert_eq!(c.expected_by(10.0), 0.0);
        assert_eq!(c.expected_by(20.0), 500.0);
        assert_eq!(c.expected_by(30.0), 1_500.0);
        assert_eq!(c.rate_at(15.0), 50.0);
    }

    #[test]
    fn diurnal_curves_follow_the_wall_clock_and_repeat_daily() {
        let mut hourly = vec![0.0; 24];
        hourly[8] = 3_600.0;
        let p = RateProfile::Diurnal { hourly_per_second: hourly };
        p.validate().expect("valid");
        let at_midnight = RateCurve::new(std::slice::from_ref(&p), 0.0);
        assert_eq!(at_midnight.rate_at(8.0 * 3_600.0), 3_600.0);
        assert_eq!(at_midnight.rate_at(7.5 * 3_600.0), 1_800.0);
        // The triangle 07:00–09:00 holds 3,600 × 3,600 records; a day later the same again.
        assert_eq!(at_midnight.expected_by(86_400.0), 3_600.0 * 3_600.0);
        assert_eq!(at_midnight.expected_by(2.0 * 86_400.0), 2.0 * 3_600.0 * 3_600.0);
        let at_six = RateCurve::new(&[p], 6.0 * 3_600.0);
        assert_eq!(at_six.rate_at(2.0 * 3_600.0), 3_600.0, "started at 06:00, the peak is two hours in");
    }

    #[test]
    fn bursts_repeat_from_their_offset() {
        let c = curve(RateProfile::Bursts { per_second: 100.0, every_s: 60.0, duration_s: 2.0, offset_s: 30.0 });
        let counts = per_second_counts(&c, 120);
        let busy: Vec<usize> = counts.iter().enumerate().filter(|(_, n)| **n > 0).map(|(s, _)| s).collect();
        assert_eq!(busy, [30, 31, 90, 91]);
        assert_eq!(counts[30], 100);
    }

    #[test]
    fn traces_replay_and_may_repeat() {
        let points = vec![RatePoint { at_s: 0.0, per_second: 5.0 }, RatePoint { at_s: 2.0, per_second: 1.0 }];
        let once = curve(RateProfile::Trace { points: points.clone(), repeat_every_s: None });
        assert_eq!(per_second_counts(&once, 5), [5, 5, 1, 1, 1]);
        let looped = curve(RateProfile::Trace { points, repeat_every_s: Some(3.0) });
        assert_eq!(per_second_counts(&looped, 6), [5, 5, 1, 5, 5, 1]);
    }

    #[test]
    fn profiles_add_up() {
        let ps = [
            RateProfile::Constant { per_second: 10.0 },
            RateProfile::Bursts { per_second: 90.0, every_s: 10.0, duration_s: 1.0, offset_s: 0.0 },
        ];
        let c = RateCurve::new(&ps, 0.0);
        assert_eq!(per_second_counts(&c, 3), [100, 10, 10]);
        assert_eq!(c.peak(), 100.0);
    }

    #[test]
    fn bad_profiles_name_their_field() {
        let err = |p: RateProfile| p.validate().expect_err("invalid").0;
        assert_eq!(err(RateProfile::Constant { per_second: -1.0 }), "per_second");
        assert_eq!(err(RateProfile::Constant { per_second: f64::NAN }), "per_second");
        assert_eq!(err(RateProfile::Diurnal { hourly_per_second: vec![1.0; 23] }), "hourly_per_second");
        let steps = vec![RatePoint { at_s: 5.0, per_second: 1.0 }, RatePoint { at_s: 5.0, per_second: 2.0 }];
        assert_eq!(err(RateProfile::Step { steps }), "steps[1].at_s");
        assert_eq!(
            err(RateProfile::Ramp { from_per_second: 1.0, to_per_second: 2.0, start_s: 5.0, end_s: 5.0 }),
            "end_s"
        );
        assert_eq!(
            err(RateProfile::Bursts { per_second: 1.0, every_s: 10.0, duration_s: 11.0, offset_s: 0.0 }),
            "duration_s"
        );
        let json = r#"{"kind":"constant","per_second":1,"extra":2}"#;
        assert!(serde_json::from_str::<RateProfile>(json).is_err(), "unknown fields are refused");
    }
}
