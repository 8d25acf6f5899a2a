//! A shard's running totals for the live view: always kept, whatever enhanced monitoring says, because
//! the lab shows every shard. The UI turns two snapshots' totals into per-second rates.

use super::metrics::Metric;
use serde::{Deserialize, Serialize};

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
}
