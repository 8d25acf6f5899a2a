//! A bounded chart series that keeps the whole run at decreasing resolution.
//!
//! A live chart receives a point per frame for as long as a run lasts. Keeping every point grows
//! without bound; keeping the last N forgets the start. Instead, when the buffer fills, every other
//! point is dropped and from then on only every second (then fourth, …) observation is kept, so the
//! series always spans the whole run in at most `capacity` points. The newest observation is always
//! kept too, so the line ends where the run is.

use serde::{Deserialize, Serialize};

/// The default number of points a chart keeps.
pub const SERIES_CAPACITY_DEFAULT: usize = 512;

/// An (x, y) series with bounded length.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Series {
    kept: Vec<(f64, f64)>,
    newest: Option<(f64, f64)>,
    capacity: usize,
    /// Keep one observation in `stride`.
    stride: usize,
    skipped: usize,
}

impl Default for Series {
    fn default() -> Self {
        Series::with_capacity(SERIES_CAPACITY_DEFAULT)
    }
}

impl Series {
    /// An empty series keeping at most `capacity` points (at least 4).
    pub fn with_capacity(capacity: usize) -> Self {
        let capacity = capacity.max(4);
        Series { kept: Vec::with_capacity(capacity), newest: None, capacity, stride: 1, skipped: 0 }
    }

    /// Adds an observation. An `x` below the newest one means a new run began: the series starts over.
    pub fn observe(&mut self, x: f64, y: f64) {
        if self.newest.is_some_and(|(last_x, _)| x < last_x) {
            *self = Series::with_capacity(self.capacity);
        }
        self.newest = Some((x, y));
        self.skipped += 1;
        if self.skipped < self.stride {
            return;
        }
        self.skipped = 0;
        if self.kept.len() == self.capacity {
            self.halve();
        }
        self.kept.push((x, y));
    }

    /// The points to draw, oldest first, ending with the newest observation.
    pub fn points(&self) -> impl Iterator<Item = (f64, f64)> + '_ {
        let tail = self.newest.filter(|n| self.kept.last() != Some(n));
        self.kept.iter().copied().chain(tail)
    }

    /// The newest observation.
    pub fn newest(&self) -> Option<(f64, f64)> {
        self.newest
    }

    /// The largest y observed among the points kept.
    pub fn y_max(&self) -> Option<f64> {
        self.points().map(|(_, y)| y).reduce(f64::max)
    }

    fn halve(&mut self) {
        let mut i = 0;
        self.kept.retain(|_| {
            i += 1;
            i % 2 == 1
        });
        self.stride *= 2;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keeps_every_point_until_full() {
        let mut s = Series::with_capacity(8);
        for i in 0..8 {
            s.observe(f64::from(i), f64::from(i * 10));
        }
        assert_eq!(s.points().count(), 8);
        assert_eq!(s.y_max(), Some(70.0));
    }

    #[test]
    fn a_long_run_stays_bounded_and_spans_start_to_end() {
        let mut s = Series::with_capacity(64);
        for i in 0..100_000 {
            s.observe(f64::from(i), f64::from(i));
        }
        let pts: Vec<_> = s.points().collect();
        assert!(pts.len() <= 65, "{}", pts.len());
        assert_eq!(pts.first(), Some(&(0.0, 0.0)));
        assert_eq!(pts.last(), Some(&(99_999.0, 99_999.0)));
        assert!(pts.windows(2).all(|w| w[0].0 < w[1].0), "x strictly increases");
        assert!(pts.len() >= 32, "halving keeps at least half the capacity: {}", pts.len());
    }

    #[test]
    fn time_going_back_starts_a_new_run() {
        let mut s = Series::with_capacity(8);
        s.observe(5.0, 1.0);
        s.observe(6.0, 2.0);
        s.observe(0.0, 0.0);
        assert_eq!(s.points().collect::<Vec<_>>(), vec![(0.0, 0.0)]);
    }

    #[test]
    fn empty_series_has_no_points() {
        let s = Series::default();
        assert_eq!(s.newest(), None);
        assert_eq!(s.points().count(), 0);
        assert_eq!(s.y_max(), None);
    }
}
