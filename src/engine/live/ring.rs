//! A bounded run of consecutive seconds, and the binned points a reply carries.
//!
//! A [`Ring`] holds one record per simulated second, oldest first, and forgets the oldest once full.
//! [`Points`] is a stretch of it on the wire: consecutive bins of `span_s` seconds each, where a bin of
//! several seconds keeps its busiest one ([`Fold`]). A reply that must cover more seconds than its budget
//! bins them rather than dropping any, so a fast-forward still draws its peaks.

use super::seconds::Fold;
use serde::{Deserialize, Serialize};
use std::collections::VecDeque;

/// Consecutive seconds, at most `capacity` of them.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Ring<T> {
    /// The second (whole seconds of simulated time) the front record covers: [first, first + 1).
    first: u64,
    items: VecDeque<T>,
    capacity: usize,
}

impl<T: Fold> Ring<T> {
    /// An empty ring keeping at most `capacity` seconds (at least one).
    pub fn new(capacity: usize) -> Self {
        Ring { first: 0, items: VecDeque::new(), capacity: capacity.max(1) }
    }

    /// Appends the record of `second`. A gap (seconds with no record) is filled with defaults; a second
    /// not after the newest is ignored.
    pub fn push(&mut self, second: u64, item: T) {
        if self.items.is_empty() {
            self.first = second;
        }
        let next = self.end();
        if second < next {
            return;
        }
        let gap = usize::try_from(second - next).unwrap_or(usize::MAX).min(self.capacity);
        for _ in 0..gap {
            self.push_back(T::default());
        }
        self.push_back(item);
        self.first = second + 1 - self.items.len() as u64;
    }

    /// Keeps at most `capacity` seconds from now on, forgetting the oldest beyond it.
    pub fn set_capacity(&mut self, capacity: usize) {
        self.capacity = capacity.max(1);
        while self.items.len() > self.capacity {
            self.items.pop_front();
            self.first += 1;
        }
    }

    /// The second just after the newest record (where the next push goes).
    pub fn end(&self) -> u64 {
        self.first + self.items.len() as u64
    }

    /// The seconds from `from` on (or the oldest kept, if later), in at most `max_points` bins.
    pub fn points_from(&self, from: u64, max_points: usize) -> Points<T> {
        let start = from.max(self.first).min(self.end());
        let skip = usize::try_from(start - self.first).expect("within the ring");
        let seconds: Vec<T> = self.items.iter().skip(skip).copied().collect();
        Points::binned(start, &seconds, max_points)
    }

    fn push_back(&mut self, item: T) {
        if self.items.len() == self.capacity {
            self.items.pop_front();
        }
        self.items.push_back(item);
    }
}

/// Consecutive bins of `span_s` seconds from `from_s`, each its busiest second.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Points<T> {
    /// The first bin's first second.
    pub from_s: u64,
    /// Seconds per bin (1: every second as it was).
    pub span_s: u64,
    /// The bins, oldest first.
    pub bins: Vec<T>,
}

impl<T: Fold> Points<T> {
    /// Nothing, from `from_s`.
    pub fn empty(from_s: u64) -> Self {
        Points { from_s, span_s: 1, bins: Vec::new() }
    }

    /// `seconds` (the first covering `from_s`) in at most `max_points` equal bins.
    pub fn binned(from_s: u64, seconds: &[T], max_points: usize) -> Self {
        let span = seconds.len().div_ceil(max_points.max(1)).max(1);
        let bins = seconds
            .chunks(span)
            .map(|chunk| {
                let mut bin = chunk[0];
                chunk[1..].iter().for_each(|s| bin.fold(s));
                bin
            })
            .collect();
        Points { from_s, span_s: span as u64, bins }
    }
}

#[cfg(test)]
mod tests {
    use super::super::seconds::ConsumerSecond;
    use super::*;

    fn c(records: u64) -> ConsumerSecond {
        ConsumerSecond { records, ..Default::default() }
    }

    fn records(p: &Points<ConsumerSecond>) -> Vec<u64> {
        p.bins.iter().map(|b| b.records).collect()
    }

    #[test]
    fn a_full_ring_forgets_the_oldest() {
        let mut r = Ring::new(3);
        for s in 0..5 {
            r.push(s, c(s * 10));
        }
        let p = r.points_from(0, 100);
        assert_eq!((p.from_s, p.span_s, records(&p)), (2, 1, vec![20, 30, 40]));
        assert_eq!(r.end(), 5);
    }

    #[test]
    fn gaps_are_quiet_seconds_and_old_seconds_are_ignored() {
        let mut r = Ring::new(10);
        r.push(4, c(1));
        r.push(7, c(2));
        r.push(6, c(9));
        let p = r.points_from(0, 100);
        assert_eq!((p.from_s, records(&p)), (4, vec![1, 0, 0, 2]));
        let mut short = Ring::new(2);
        short.push(0, c(1));
        short.push(1_000_000, c(5));
        let p = short.points_from(0, 10);
        assert_eq!((p.from_s, records(&p)), (999_999, vec![0, 5]), "a long gap costs at most the capacity");
    }

    #[test]
    fn many_seconds_are_binned_by_their_busiest() {
        let mut r = Ring::new(100);
        for s in 0..10 {
            r.push(s, c(if s == 3 { 500 } else { s }));
        }
        let p = r.points_from(0, 4);
        assert_eq!((p.span_s, records(&p)), (3, vec![2, 500, 8, 9]));
        let tail = r.points_from(8, 4);
        assert_eq!((tail.from_s, tail.span_s, records(&tail)), (8, 1, vec![8, 9]));
        assert!(r.points_from(10, 4).bins.is_empty());
    }

    #[test]
    fn a_smaller_capacity_trims_the_front() {
        let mut r = Ring::new(10);
        for s in 0..10 {
            r.push(s, c(s));
        }
        r.set_capacity(4);
        assert_eq!(records(&r.points_from(0, 10)), vec![6, 7, 8, 9]);
    }
}
