//! What the simulated clients count: cumulative totals, plus the per-interval maxima a series row needs.
//!
//! Totals only grow; a series row is the difference between two samples of them (see `scenario::series`),
//! except the `_max` fields, which cover the interval since the last sample and are reset by it.

use serde::Serialize;
use std::collections::BTreeMap;

/// A PUT payload unit is each 25 KB (25,600 bytes) of a record, at least one per record (spec §5.6).
pub const PUT_PAYLOAD_UNIT_BYTES: u64 = 25_600;

/// PUT payload units of one record of `bytes` (data + partition key).
pub fn put_units(bytes: u64) -> u64 {
    bytes.div_ceil(PUT_PAYLOAD_UNIT_BYTES).max(1)
}

/// A producer's counters.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct ProducerStats {
    /// User records the application produced.
    pub user_records: u64,
    /// Records sent, counting every attempt.
    pub sent: u64,
    /// Kinesis records stored (duplicates included).
    pub stored: u64,
    /// User records stored (more than `stored` when the KPL aggregates).
    pub stored_users: u64,
    /// Bytes stored (data + partition keys).
    pub stored_bytes: u64,
    /// Entries refused with ProvisionedThroughputExceededException (every attempt).
    pub throttled: u64,
    /// Records sent again after a failure or a lost acknowledgement.
    pub retried: u64,
    /// Records given up after their last attempt, or refused for good: lost data.
    pub dropped: u64,
    /// Records stored twice because an acknowledgement was lost and the producer sent them again.
    pub duplicates: u64,
    /// Calls whose acknowledgement was lost after they had succeeded.
    pub lost_acks: u64,
    /// API calls made (each PutRecord, each PutRecords).
    pub calls: u64,
    /// PUT payload units of the stored records (the provisioned-mode price unit).
    pub put_units: u64,
    /// KiB stored, each record rounded up to a whole KiB (the on-demand price unit).
    pub stored_kib: u64,
    /// Records refused by errors other than throttling, by AWS error code.
    pub errors: BTreeMap<String, u64>,
    /// The longest a user record waited from creation to being stored, in ms, since the last sample.
    pub latency_ms_max: u64,
}

/// A consumer's counters.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct ConsumerStats {
    /// Kinesis records received.
    pub records: u64,
    /// User records received (after de-aggregation).
    pub user_records: u64,
    /// Bytes received.
    pub bytes: u64,
    /// Read calls made.
    pub calls: u64,
    /// Read calls refused with ProvisionedThroughputExceededException.
    pub read_throttled: u64,
    /// Records trimmed by retention before this consumer read them: lost data.
    pub lost_to_retention: u64,
    /// Duplicate records received (ground truth: an idempotent consumer would drop them).
    pub duplicates: u64,
    /// Iterators that expired (more than 5 minutes between calls) and were fetched again.
    pub iterator_renewals: u64,
    /// The largest iterator age any read reported, in ms, over the whole run.
    pub iterator_age_ms_peak: u64,
    /// The largest iterator age any read reported since the last sample, in ms.
    pub iterator_age_ms_max: u64,
    /// How far behind the newest record the consumer is now (max over its shards), in ms.
    pub behind_ms: u64,
    /// Records processed a second time after a lease moved (KCL: since the last checkpoint).
    pub reprocessed: u64,
    /// Writes to the lease table (KCL: renewals, takes, checkpoints).
    pub lease_writes: u64,
    /// Leases that moved to another worker (KCL: expired or stolen).
    pub lease_moves: u64,
    /// Function invocations (Lambda).
    pub invocations: u64,
    /// Invocations that failed (Lambda's Errors).
    pub errors: u64,
    /// Batches given up and sent to the on-failure destination (Lambda).
    pub discarded_batches: u64,
    /// Records in them.
    pub discarded_records: u64,
    /// The most invocations running at once (Lambda's ConcurrentExecutions).
    pub concurrency_max: u64,
}

impl ConsumerStats {
    /// Notes one read's iterator age.
    pub fn age(&mut self, age_ms: u64) {
        self.iterator_age_ms_max = self.iterator_age_ms_max.max(age_ms);
        self.iterator_age_ms_peak = self.iterator_age_ms_peak.max(age_ms);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn put_units_round_up_per_25_kb() {
        // Spec §5.6: 5 KB → 1, 25 KB → 1, 25 KB + 1 B → 2, 35 KB → 2, 45 KB → 2, 1 MB (1,000 KB) → 40.
        let kb = 1_024;
        let got: Vec<u64> =
            [5 * kb, 25 * kb, 25 * kb + 1, 35 * kb, 45 * kb, 1_000 * kb, 0].into_iter().map(put_units).collect();
        assert_eq!(got, [1, 1, 2, 2, 2, 40, 1]);
    }
}
