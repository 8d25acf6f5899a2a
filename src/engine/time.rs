//! Simulated time: the engine's only clock.
//!
//! `SimTime` is an instant on the simulated timeline, counted in microseconds from the start of a run;
//! `SimDuration` is a span between two of them. The engine never reads a wall clock: every method that
//! needs "now" takes a `SimTime` argument (conventions §3.4.1 and §3.4.3 of the architecture). AWS limits
//! are stated in milliseconds and seconds, so microseconds leave room for sub-millisecond ordering
//! without floats.
//!
//! Arithmetic saturates at `SimTime::MAX`, which stands for "never" (no timer pending), so adding a
//! duration to a far-future instant cannot overflow.

use serde::{Deserialize, Serialize};
use std::fmt;
use std::ops::{Add, AddAssign, Sub};

/// An instant of simulated time, in microseconds since the run began.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct SimTime(u64);

/// A span of simulated time, in microseconds.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct SimDuration(u64);

const MICROS_PER_MILLI: u64 = 1_000;
const MICROS_PER_SEC: u64 = 1_000_000;

impl SimTime {
    /// The start of every run.
    pub const ZERO: SimTime = SimTime(0);
    /// "Never": later than any instant a run can reach; what `poll_timeout` returns when nothing is pending.
    pub const MAX: SimTime = SimTime(u64::MAX);

    /// The instant `micros` microseconds after the start.
    pub const fn from_micros(micros: u64) -> Self {
        SimTime(micros)
    }

    /// The instant `millis` milliseconds after the start (saturating).
    pub const fn from_millis(millis: u64) -> Self {
        SimTime(millis.saturating_mul(MICROS_PER_MILLI))
    }

    /// The instant `secs` seconds after the start (saturating).
    pub const fn from_secs(secs: u64) -> Self {
        SimTime(secs.saturating_mul(MICROS_PER_SEC))
    }

    /// Microseconds since the start.
    pub const fn as_micros(self) -> u64 {
        self.0
    }

    /// Whole milliseconds since the start.
    pub const fn as_millis(self) -> u64 {
        self.0 / MICROS_PER_MILLI
    }

    /// Seconds since the start as a float (exact below 2^53 µs, ≈ 285 years; the same on every target),
    /// for rate curves, reports and chart axes.
    pub fn as_secs_f64(self) -> f64 {
        self.0 as f64 / MICROS_PER_SEC as f64
    }

    /// The span from `earlier` to `self`, or zero if `earlier` is later.
    pub const fn saturating_since(self, earlier: SimTime) -> SimDuration {
        SimDuration(self.0.saturating_sub(earlier.0))
    }
}

impl SimDuration {
    /// No time at all.
    pub const ZERO: SimDuration = SimDuration(0);

    /// A span of `micros` microseconds.
    pub const fn from_micros(micros: u64) -> Self {
        SimDuration(micros)
    }

    /// A span of `millis` milliseconds (saturating).
    pub const fn from_millis(millis: u64) -> Self {
        SimDuration(millis.saturating_mul(MICROS_PER_MILLI))
    }

    /// A span of `secs` seconds (saturating).
    pub const fn from_secs(secs: u64) -> Self {
        SimDuration(secs.saturating_mul(MICROS_PER_SEC))
    }

    /// A span of `mins` minutes (saturating).
    pub const fn from_mins(mins: u64) -> Self {
        SimDuration::from_secs(mins.saturating_mul(60))
    }

    /// A span of `hours` hours (saturating).
    pub const fn from_hours(hours: u64) -> Self {
        SimDuration::from_secs(hours.saturating_mul(3_600))
    }

    /// The span in microseconds.
    pub const fn as_micros(self) -> u64 {
        self.0
    }

    /// The span in whole milliseconds.
    pub const fn as_millis(self) -> u64 {
        self.0 / MICROS_PER_MILLI
    }

    /// The span in seconds as a float.
    pub fn as_secs_f64(self) -> f64 {
        self.0 as f64 / MICROS_PER_SEC as f64
    }

    /// True for the empty span.
    pub const fn is_zero(self) -> bool {
        self.0 == 0
    }
}

impl Add<SimDuration> for SimTime {
    type Output = SimTime;
    fn add(self, rhs: SimDuration) -> SimTime {
        SimTime(self.0.saturating_add(rhs.0))
    }
}

impl AddAssign<SimDuration> for SimTime {
    fn add_assign(&mut self, rhs: SimDuration) {
        *self = *self + rhs;
    }
}

impl Add for SimDuration {
    type Output = SimDuration;
    fn add(self, rhs: SimDuration) -> SimDuration {
        SimDuration(self.0.saturating_add(rhs.0))
    }
}

impl Sub for SimTime {
    type Output = SimDuration;
    /// Saturating: an instant minus a later one is zero.
    fn sub(self, rhs: SimTime) -> SimDuration {
        self.saturating_since(rhs)
    }
}

/// `mm:ss.mmm` below an hour, `h:mm:ss.mmm` up to a day, `Nd hh:mm:ss.mmm` beyond; `never` for `MAX`.
impl fmt::Display for SimTime {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if *self == SimTime::MAX {
            return f.write_str("never");
        }
        let millis = self.as_millis();
        let ms = millis % 1_000;
        let secs = millis / 1_000;
        let (s, m, h, d) = (secs % 60, (secs / 60) % 60, (secs / 3_600) % 24, secs / 86_400);
        match (d, h) {
            (0, 0) => write!(f, "{m:02}:{s:02}.{ms:03}"),
            (0, _) => write!(f, "{h}:{m:02}:{s:02}.{ms:03}"),
            _ => write!(f, "{d}d {h:02}:{m:02}:{s:02}.{ms:03}"),
        }
    }
}

/// The largest unit that divides the span exactly: `250us`, `1500ms`, `90s`, `5m`, `2h`.
impl fmt::Display for SimDuration {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let us = self.0;
        let units = [
            (3_600 * MICROS_PER_SEC, "h"),
            (60 * MICROS_PER_SEC, "m"),
            (MICROS_PER_SEC, "s"),
            (MICROS_PER_MILLI, "ms"),
        ];
        for (size, unit) in units {
            if us != 0 && us.is_multiple_of(size) {
                return write!(f, "{}{unit}", us / size);
            }
        }
        write!(f, "{us}us")
    }
}

/// Why a duration text did not parse.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ParseDurationError(String);

impl fmt::Display for ParseDurationError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for ParseDurationError {}

/// Parses `1500ms`, `90s`, `5m`, `2h` or `1d`: a whole number followed by one unit.
impl std::str::FromStr for SimDuration {
    type Err = ParseDurationError;
    fn from_str(text: &str) -> Result<Self, Self::Err> {
        let text = text.trim();
        let split = text.find(|c: char| !c.is_ascii_digit()).unwrap_or(text.len());
        let (digits, unit) = text.split_at(split);
        let bad = || {
            ParseDurationError(format!(
                "'{text}' is not a duration: write a whole number and a unit, e.g. 1500ms, 90s, 5m, 2h, 1d"
            ))
        };
        let n: u64 = digits.parse().map_err(|_| bad())?;
        let micros_per_unit = match unit {
            "us" => 1,
            "ms" => MICROS_PER_MILLI,
            "s" => MICROS_PER_SEC,
            "m" => 60 * MICROS_PER_SEC,
            "h" => 3_600 * MICROS_PER_SEC,
            "d" => 86_400 * MICROS_PER_SEC,
            _ => return Err(bad()),
        };
        n.checked_mul(micros_per_unit)
            .map(SimDuration)
            .ok_or_else(|| ParseDurationError(format!("'{text}' is longer than the simulator can count")))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn units_convert_exactly() {
        assert_eq!(SimTime::from_secs(2).as_micros(), 2_000_000);
        assert_eq!(SimTime::from_millis(1_500).as_millis(), 1_500);
        assert_eq!(SimDuration::from_mins(5), SimDuration::from_millis(300_000));
        assert_eq!(SimDuration::from_hours(24), SimDuration::from_secs(86_400));
    }

    #[test]
    fn arithmetic_saturates_at_never() {
        assert_eq!(SimTime::MAX + SimDuration::from_secs(1), SimTime::MAX);
        assert_eq!(SimTime::from_secs(1) - SimTime::from_secs(3), SimDuration::ZERO);
        assert_eq!(SimTime::from_secs(3) - SimTime::from_secs(1), SimDuration::from_secs(2));
        let mut t = SimTime::ZERO;
        t += SimDuration::from_millis(7);
        assert_eq!(t, SimTime::from_micros(7_000));
    }

    #[test]
    fn display_grows_units_with_the_run() {
        assert_eq!(SimTime::ZERO.to_string(), "00:00.000");
        assert_eq!(SimTime::from_millis(83_042).to_string(), "01:23.042");
        assert_eq!(SimTime::from_secs(3_600 + 61).to_string(), "1:01:01.000");
        assert_eq!(SimTime::from_secs(86_400 * 2 + 5).to_string(), "2d 00:00:05.000");
        assert_eq!(SimTime::MAX.to_string(), "never");
    }

    #[test]
    fn durations_round_trip_through_text() {
        for text in ["250us", "1500ms", "90s", "5m", "2h"] {
            let d: SimDuration = text.parse().expect("valid duration text");
            assert_eq!(d.to_string(), text);
        }
        assert_eq!("1d".parse::<SimDuration>(), Ok(SimDuration::from_hours(24)));
        assert_eq!(SimDuration::ZERO.to_string(), "0us");
    }

    #[test]
    fn bad_duration_text_names_the_problem() {
        for text in ["", "s", "10", "10 parsecs", "-5s", "1.5s"] {
            let err = text.parse::<SimDuration>().expect_err("invalid duration text");
            assert!(err.to_string().contains("not a duration"), "{text}: {err}");
        }
        let err = "99999999999999999999d".parse::<SimDuration>().expect_err("too long");
        assert!(err.to_string().contains("not a duration") || err.to_string().contains("longer"));
    }
}
