//! Capacity accounting in simulated time: token buckets and sliding call windows.
//!
//! Buckets hold integer micro-tokens (a token is 1,000,000 micro-tokens), so refilling at R tokens per
//! second adds exactly R micro-tokens per simulated microsecond: no floats, no drift (spec §4.1).

use crate::engine::time::{SimDuration, SimTime};
use std::collections::VecDeque;

const MICRO: i64 = 1_000_000;

/// A bucket of tokens refilled at a fixed rate up to a capacity; its level may go below zero ("debt").
///
/// 64-bit arithmetic suffices: capacities are at most a few MiB·s (≤ 10^13 micro-tokens), and a refill
/// never multiplies more than the time it takes to fill the bucket from its deepest debt.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TokenBucket {
    level: i64,
    capacity: i64,
    rate_per_sec: i64,
    updated: SimTime,
}

impl TokenBucket {
    /// A full bucket refilled at `rate_per_sec` holding at most `burst` worth of tokens.
    pub fn full(rate_per_sec: u64, burst: SimDuration, now: SimTime) -> Self {
        let rate = i64::try_from(rate_per_sec).expect("rates are far below 2^63");
        let capacity = rate.saturating_mul(i64::try_from(burst.as_micros()).unwrap_or(i64::MAX));
        TokenBucket { level: capacity, capacity, rate_per_sec: rate, updated: now }
    }

    /// Takes `amount` tokens if that many are available; otherwise takes nothing.
    pub fn try_take(&mut self, amount: u64, now: SimTime) -> bool {
        if !self.has(amount, now) {
            return false;
        }
        self.take_refilled(amount);
        true
    }

    /// True when `amount` tokens are available now (takes nothing).
    pub fn has(&mut self, amount: u64, now: SimTime) -> bool {
        self.refill(now);
        self.level >= micro(amount)
    }

    /// Takes `amount` tokens right after [`TokenBucket::has`] said they are there (no second refill).
    pub fn take_refilled(&mut self, amount: u64) {
        self.level -= micro(amount);
    }

    /// True while the bucket is above zero.
    pub fn is_positive(&mut self, now: SimTime) -> bool {
        self.refill(now);
        self.level > 0
    }

    /// Takes `amount` tokens even into debt (a read already served must be paid for).
    pub fn take_debt(&mut self, amount: u64, now: SimTime) {
        self.refill(now);
        self.level = self.level.saturating_sub(micro(amount));
    }

    /// Whole tokens available now (negative while in debt).
    pub fn available(&mut self, now: SimTime) -> i64 {
        self.refill(now);
        self.level / MICRO
    }

    fn refill(&mut self, now: SimTime) {
        if now > self.updated {
            // A product that overflows is far more than any bucket holds: it fills the bucket.
            let elapsed = i64::try_from((now - self.updated).as_micros()).unwrap_or(i64::MAX);
            self.level = refilled(self.level, elapsed, self.rate_per_sec, self.capacity);
            self.updated = now;
        }
    }
}

fn micro(amount: u64) -> i64 {
    i64::try_from(amount).unwrap_or(i64::MAX).saturating_mul(MICRO)
}

/// A shard's two write limits in one small struct (it is touched on every write, so it is kept compact):
/// records and bytes, each refilled at its per-second rate up to `burst` worth (R14, R15).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct WriteBuckets {
    records_level: i64,
    bytes_level: i64,
    updated: SimTime,
    burst_us: i64,
}

impl WriteBuckets {
    /// Full buckets for the given rates' burst.
    pub fn full(burst: SimDuration, now: SimTime) -> Self {
        let burst_us = i64::try_from(burst.as_micros()).unwrap_or(i64::MAX);
        let (records_level, bytes_level) =
            (Self::capacity(RECORDS_RATE, burst_us), Self::capacity(BYTES_RATE, burst_us));
        WriteBuckets { records_level, bytes_level, updated: now, burst_us }
    }

    /// Takes one record of `size` bytes if both buckets have room; otherwise takes nothing.
    pub fn try_take(&mut self, size: u64, now: SimTime) -> bool {
        self.take_up_to(size, 1, now) == 1
    }

    /// Takes as many of `count` records of `size` bytes each as both buckets have room for, in one step;
    /// returns how many. Exactly what `count` calls of [`WriteBuckets::try_take`] at `now` would take:
    /// once one record does not fit, no later one of the same size does.
    pub fn take_up_to(&mut self, size: u64, count: u64, now: SimTime) -> u64 {
        if now > self.updated {
            let elapsed = i64::try_from((now - self.updated).as_micros()).unwrap_or(i64::MAX);
            self.records_level =
                refilled(self.records_level, elapsed, RECORDS_RATE, Self::capacity(RECORDS_RATE, self.burst_us));
            self.bytes_level =
                refilled(self.bytes_level, elapsed, BYTES_RATE, Self::capacity(BYTES_RATE, self.burst_us));
            self.updated = now;
        }
        let need_bytes = micro(size);
        let by_records = (self.records_level / MICRO).max(0) as u64;
        let by_bytes = if need_bytes == 0 { u64::MAX } else { (self.bytes_level / need_bytes).max(0) as u64 };
        let taken = count.min(by_records).min(by_bytes);
        let n = i64::try_from(taken).expect("at most the records bucket's whole tokens");
        self.records_level -= n * MICRO;
        self.bytes_level -= n * need_bytes;
        taken
    }

    /// Whole record and byte tokens available at `now` (not before the last take), without changing anything.
    pub fn levels(&self, now: SimTime) -> (i64, i64) {
        let elapsed = i64::try_from(now.saturating_since(self.updated).as_micros()).unwrap_or(i64::MAX);
        let records = refilled(self.records_level, elapsed, RECORDS_RATE, Self::capacity(RECORDS_RATE, self.burst_us));
        let bytes = refilled(self.bytes_level, elapsed, BYTES_RATE, Self::capacity(BYTES_RATE, self.burst_us));
        (records / MICRO, bytes / MICRO)
    }

    fn capacity(rate: i64, burst_us: i64) -> i64 {
        rate.saturating_mul(burst_us)
    }
}

const RECORDS_RATE: i64 = super::limits::SHARD_WRITE_RECORDS_PER_SEC as i64;
const BYTES_RATE: i64 = super::limits::SHARD_WRITE_BYTES_PER_SEC as i64;

fn refilled(level: i64, elapsed_us: i64, rate: i64, capacity: i64) -> i64 {
    elapsed_us.checked_mul(rate).map_or(capacity, |added| level.saturating_add(added).min(capacity))
}

/// At most `limit` events in any window of `window` simulated time.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RateWindow {
    limit: usize,
    window: SimDuration,
    events: VecDeque<SimTime>,
}

impl RateWindow {
    /// A window allowing `limit` events per `window`.
    pub fn new(limit: usize, window: SimDuration) -> Self {
        RateWindow { limit, window, events: VecDeque::new() }
    }

    /// Records an event now if the window has room; returns whether it did.
    pub fn try_acquire(&mut self, now: SimTime) -> bool {
        if !self.has_room(now) {
            return false;
        }
        self.events.push_back(now);
        true
    }

    /// True when an event now would fit (records nothing).
    pub fn has_room(&mut self, now: SimTime) -> bool {
        while self.events.front().is_some_and(|&t| now - t >= self.window) {
            self.events.pop_front();
        }
        self.events.len() < self.limit
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ms(n: u64) -> SimTime {
        SimTime::from_millis(n)
    }

    #[test]
    fn a_full_bucket_allows_one_burst_then_refills_at_its_rate() {
        let mut b = TokenBucket::full(1_000, SimDuration::from_secs(1), ms(0));
        assert!(b.try_take(1_000, ms(0)));
        assert!(!b.try_take(1, ms(0)), "empty");
        assert!(!b.try_take(2, ms(1)), "one token per millisecond");
        assert!(b.try_take(1, ms(1)));
        assert!(b.try_take(500, ms(501)));
        assert_eq!(b.available(ms(10_000)), 1_000, "never above capacity");
    }

    #[test]
    fn a_refused_take_takes_nothing() {
        let mut b = TokenBucket::full(10, SimDuration::from_secs(1), ms(0));
        assert!(!b.try_take(11, ms(0)));
        assert!(b.try_take(10, ms(0)));
    }

    #[test]
    fn debt_blocks_until_repaid() {
        // Spec §4.1: a 10 MiB read from a full 2 MiB bucket blocks for about 4 seconds.
        let mib = 1_048_576;
        let mut b = TokenBucket::full(2 * mib, SimDuration::from_secs(1), ms(0));
        b.take_debt(10 * mib, ms(0));
        assert!(!b.is_positive(ms(3_999)));
        assert!(!b.is_positive(ms(4_000)), "exactly zero is not positive");
        assert!(b.is_positive(ms(4_001)));
    }

    #[test]
    fn fractional_rates_are_exact() {
        let mut b = TokenBucket::full(3, SimDuration::from_secs(1), ms(0));
        assert!(b.try_take(3, ms(0)));
        assert!(!b.has(1, SimTime::from_micros(333_333)));
        assert!(b.has(1, SimTime::from_micros(333_334)));
    }

    #[test]
    fn write_buckets_limit_records_and_bytes_together() {
        let mut w = WriteBuckets::full(SimDuration::from_secs(1), ms(0));
        assert!((0..1_000).all(|_| w.try_take(10, ms(0))));
        assert!(!w.try_take(1, ms(0)), "records exhausted");
        let mut b = WriteBuckets::full(SimDuration::from_secs(1), ms(0));
        assert!(b.try_take(1_048_576, ms(0)));
        assert!(!b.try_take(1, ms(0)), "bytes exhausted, nothing taken");
        assert!(b.try_take(1_048, ms(1)), "1 ms refills 1 record and 1,048 bytes");
        assert!(!b.try_take(1_048, ms(1)));
    }

    #[test]
    fn taking_many_at_once_equals_taking_one_at_a_time() {
        for (size, count, at) in [(10, 1_500, 0), (1_048, 5, 1), (100_000, 20, 0), (0, 2_000, 0), (512, 900, 250)] {
            let mut bulk = WriteBuckets::full(SimDuration::from_secs(1), ms(0));
            let mut single = WriteBuckets::full(SimDuration::from_secs(1), ms(0));
            bulk.try_take(700_000, ms(0));
            single.try_take(700_000, ms(0));
            let one_by_one = (0..count).filter(|_| single.try_take(size, ms(at))).count() as u64;
            assert_eq!(bulk.take_up_to(size, count, ms(at)), one_by_one, "size {size} count {count}");
            assert_eq!(bulk, single, "the same tokens are left");
        }
    }

    #[test]
    fn windows_slide() {
        let mut w = RateWindow::new(5, SimDuration::from_secs(1));
        assert!((0..5).all(|i| w.try_acquire(ms(i * 100))));
        assert!(!w.try_acquire(ms(999)));
        assert!(w.try_acquire(ms(1_000)), "the first call left the window");
        assert!(!w.try_acquire(ms(1_050)));
    }
}
