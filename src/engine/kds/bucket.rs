//! Capacity accounting in simulated time: token buckets and sliding call windows.
//!
//! Buckets hold integer micro-tokens (a token is 1,000,000 micro-tokens), so refilling at R tokens per
//! second adds exactly R micro-tokens per simulated microsecond: no floats, no drift (spec §4.1).

use crate::engine::time::{SimDuration, SimTime};
use std::collections::VecDeque;

const MICRO: i128 = 1_000_000;

/// A bucket of tokens refilled at a fixed rate up to a capacity; its level may go below zero ("debt").
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TokenBucket {
    level: i128,
    capacity: i128,
    rate_per_sec: i128,
    updated: SimTime,
}

impl TokenBucket {
    /// A full bucket refilled at `rate_per_sec` holding at most `burst` worth of tokens.
    pub fn full(rate_per_sec: u64, burst: SimDuration, now: SimTime) -> Self {
        let capacity = i128::from(rate_per_sec) * i128::from(burst.as_micros());
        TokenBucket { level: capacity, capacity, rate_per_sec: i128::from(rate_per_sec), updated: now }
    }

    /// Takes `amount` tokens if that many are available; otherwise takes nothing.
    pub fn try_take(&mut self, amount: u64, now: SimTime) -> bool {
        self.refill(now);
        let need = i128::from(amount) * MICRO;
        if self.level < need {
            return false;
        }
        self.level -= need;
        true
    }

    /// True when `amount` tokens are available now (takes nothing).
    pub fn has(&mut self, amount: u64, now: SimTime) -> bool {
        self.refill(now);
        self.level >= i128::from(amount) * MICRO
    }

    /// True while the bucket is above zero.
    pub fn is_positive(&mut self, now: SimTime) -> bool {
        self.refill(now);
        self.level > 0
    }

    /// Takes `amount` tokens even into debt (a read already served must be paid for).
    pub fn take_debt(&mut self, amount: u64, now: SimTime) {
        self.refill(now);
        self.level -= i128::from(amount) * MICRO;
    }

    /// Whole tokens available now (negative while in debt).
    pub fn available(&mut self, now: SimTime) -> i64 {
        self.refill(now);
        (self.level / MICRO) as i64
    }

    fn refill(&mut self, now: SimTime) {
        if now > self.updated {
            let elapsed = i128::from((now - self.updated).as_micros());
            self.level = (self.level + elapsed * self.rate_per_sec).min(self.capacity);
            self.updated = now;
        }
    }
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
    fn windows_slide() {
        let mut w = RateWindow::new(5, SimDuration::from_secs(1));
        assert!((0..5).all(|i| w.try_acquire(ms(i * 100))));
        assert!(!w.try_acquire(ms(999)));
        assert!(w.try_acquire(ms(1_000)), "the first call left the window");
        assert!(!w.try_acquire(ms(1_050)));
    }
}
