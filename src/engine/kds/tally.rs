//! A shard's counts for the live view: always kept, whatever enhanced monitoring says, because the lab
//! shows every shard. Running totals, and the counts of the last complete simulated second: the rates
//! the shard map shows and the limits apply to, exact whatever the frame rate and the producers' tick.

use super::metrics::Metric;
use crate::engine::time::SimTime;
use serde::{Deserialize, Serialize};

/// A shard's totals and its counts per simulated second.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct ShardCounts {
    /// Since the shard was created.
    pub total: ShardTally,
    /// The second being counted (whole seconds of simulated time) and its counts so far.
    second: u64,
    this: ShardTally,
    /// The counts of the second before `second`.
    last: ShardTally,
    /// The write buckets' lowest (records, bytes) tokens after a write in `second`, and in the one before.
    low_this: Option<(i64, i64)>,
    low_last: Option<(i64, i64)>,
}

impl ShardCounts {
    /// A PutRecords entry or run (see [`ShardTally::write`]) at `now`.
    pub fn write(&mut self, now: SimTime, accepted: u64, rejected: u64, size: u64) {
        self.total.write(accepted, rejected, size);
        self.at(now).write(accepted, rejected, size);
    }

    /// `n` datapoints of `value` for `metric` at `now` (see [`ShardTally::add`]).
    pub fn add(&mut self, now: SimTime, metric: Metric, value: u64, n: u64) {
        self.total.add(metric, value, n);
        self.at(now).add(metric, value, n);
    }

    /// Notes the write buckets' (records, bytes) tokens right after a write at `now`.
    pub fn low_tokens(&mut self, now: SimTime, levels: (i64, i64)) {
        self.at(now);
        let low = self.low_this.get_or_insert(levels);
        *low = (low.0.min(levels.0), low.1.min(levels.1));
    }

    /// The lowest tokens after a write in the last complete second before `now`, if anything was written.
    pub fn last_low_tokens(&self, now: SimTime) -> Option<(i64, i64)> {
        match (now.as_micros() / 1_000_000).checked_sub(self.second) {
            Some(0) => self.low_last,
            Some(1) => self.low_this,
            _ => None,
        }
    }

    /// The counts of the last complete second before `now` (zero if nothing happened in it).
    pub fn last_second(&self, now: SimTime) -> ShardTally {
        let current = now.as_micros() / 1_000_000;
        match current.checked_sub(self.second) {
            Some(0) => self.last,
            Some(1) => self.this,
            _ => ShardTally::default(),
        }
    }

    /// The counts of `now`'s second, rolling over to it first.
    fn at(&mut self, now: SimTime) -> &mut ShardTally {
        let second = now.as_micros() / 1_000_000;
        if second > self.second {
            let next = second == self.second + 1;
            self.last = if next { self.this } else { ShardTally::default() };
            self.low_last = if next { self.low_this } else { None };
            self.this = ShardTally::default();
            self.low_this = None;
            self.second = second;
        }
        &mut self.this
    }
}

/// Cumulative counts of one shard since it was created.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ShardTally {
    /// Records stored.
    pub records_in: u64,
    /// Bytes stored (data + partition keys).
    pub bytes_in: u64,
    /// Records refused by write throttling.
    pub write_throttled: u64,
    /// Successful GetRecords calls (shared throughput).
    pub read_calls: u64,
    /// Records returned by them.
    pub records_out: u64,
    /// Bytes returned by them.
    pub bytes_out: u64,
    /// GetRecords calls refused by read throttling.
    pub read_throttled: u64,
}

impl ShardTally {
    /// The counts in field order, for compact transport.
    pub fn to_array(self) -> [u64; 7] {
        [
            self.records_in,
            self.bytes_in,
            self.write_throttled,
            self.read_calls,
            self.records_out,
            self.bytes_out,
            self.read_throttled,
        ]
    }

    /// The counts from [`ShardTally::to_array`]'s order.
    pub fn from_array(
        [records_in, bytes_in, write_throttled, read_calls, records_out, bytes_out, read_throttled]: [u64; 7],
    ) -> Self {
        ShardTally { records_in, bytes_in, write_throttled, read_calls, records_out, bytes_out, read_throttled }
    }

    /// A PutRecords entry (or run of equal entries): `accepted` stored and `rejected` throttled, `size` bytes
    /// each. PutRecords keeps its shard metrics only under enhanced monitoring, so it tallies here directly.
    pub fn write(&mut self, accepted: u64, rejected: u64, size: u64) {
        self.records_in += accepted;
        self.bytes_in += accepted * size;
        self.write_throttled += rejected;
    }

    /// Adds `n` datapoints of `value` for `metric` (the metrics that are not per-shard counts are ignored).
    pub fn add(&mut self, metric: Metric, value: u64, n: u64) {
        let total = value.saturating_mul(n);
        match metric {
            Metric::IncomingRecords => self.records_in += total,
            Metric::IncomingBytes => self.bytes_in += total,
            Metric::WriteProvisionedThroughputExceeded => self.write_throttled += total,
            Metric::ReadProvisionedThroughputExceeded => self.read_throttled += total,
            Metric::OutgoingRecords => {
                self.records_out += total;
                self.read_calls += n; // each GetRecords call reports OutgoingRecords once
            }
            Metric::OutgoingBytes => self.bytes_out += total,
            _ => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_add_up_and_calls_count_once_each() {
        let mut t = ShardTally::default();
        t.add(Metric::IncomingRecords, 1, 500);
        t.add(Metric::IncomingBytes, 100, 500);
        t.add(Metric::OutgoingRecords, 250, 2);
        t.add(Metric::OutgoingBytes, 25_000, 2);
        t.add(Metric::IteratorAgeMilliseconds, 9_000, 1);
        assert_eq!((t.records_in, t.bytes_in, t.read_calls, t.records_out, t.bytes_out), (500, 50_000, 2, 500, 50_000));
    }

    #[test]
    fn the_last_second_is_the_last_complete_one() {
        let mut c = ShardCounts::default();
        let ms = SimTime::from_millis;
        c.write(ms(1_000), 600, 0, 10);
        c.write(ms(1_900), 500, 100, 10);
        assert_eq!(c.last_second(ms(1_999)), ShardTally::default(), "second 1 is not complete yet");
        let one = c.last_second(ms(2_500));
        assert_eq!((one.records_in, one.write_throttled, one.bytes_in), (1_100, 100, 11_000));
        c.add(ms(2_100), Metric::OutgoingRecords, 40, 1);
        assert_eq!(c.last_second(ms(2_999)).records_in, 1_100, "second 2's reads do not disturb second 1");
        assert_eq!(c.last_second(ms(3_000)).read_calls, 1);
        assert_eq!(c.last_second(ms(3_000)).records_in, 0);
        assert_eq!(c.last_second(ms(4_000)), ShardTally::default(), "a quiet second is zero");
        c.write(ms(7_000), 1, 0, 1);
        assert_eq!(c.last_second(ms(7_500)), ShardTally::default(), "a gap of seconds leaves nothing over");
        assert_eq!((c.total.records_in, c.total.read_calls), (1_101, 1));
    }
}
