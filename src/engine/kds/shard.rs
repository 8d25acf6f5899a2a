//! A shard: a hash-key range, an ordered log of records, and its share of capacity (spec §1.3, §4.1).
//!
//! Records are kept in arrival order with contiguous counters, so the record after a position is found
//! by arithmetic, not search. Records older than the stream's trim floor are dropped from the front.
//! A shard is OPEN until a split or merge closes it; it is EXPIRED once closed before the trim floor.

use super::bucket::{RateWindow, TokenBucket, WriteBuckets};
use super::ids::{HashRange, ShardId};
use super::limits::*;
use super::record::{Record, RecordLog};
use super::sequence::{SequenceNumber, COUNTER_END, COUNTER_START};
use crate::engine::time::{SimDuration, SimTime};

/// When and at which epoch second a shard was closed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Closed {
    /// Simulated instant.
    pub at: SimTime,
    /// Epoch second written into the EndingSequenceNumber.
    pub secs: u64,
}

/// One shard of a stream.
///
/// `repr(C)` keeps the fields every write touches (records, counter, write buckets, subscriber count)
/// together at the front: a stream of 1,000 shards is written at random, so this saves cache misses.
#[derive(Clone, Debug)]
#[repr(C)]
pub struct Shard {
    records: RecordLog,
    next_counter: u64,
    write: WriteBuckets,
    /// Epoch second of creation, as encoded in its sequence numbers.
    pub created_secs: u64,
    /// Open enhanced fan-out subscriptions reading it (new records wake them).
    pub subscribers: u32,
    /// Its id (its index in the stream).
    pub id: ShardId,
    /// The hash keys it owns.
    pub range: HashRange,
    /// The shard it was split from, or the first of the two it was merged from.
    pub parent: Option<ShardId>,
    /// The second shard of a merge.
    pub adjacent_parent: Option<ShardId>,
    /// The shards that replaced it.
    pub children: Vec<ShardId>,
    /// When it was created (simulated time).
    pub created_at: SimTime,
    /// Set when a split or merge closed it.
    pub closed: Option<Closed>,
    /// Records and bytes written since the last on-demand capacity check.
    pub written_since_check: (u64, u64),
    read_calls: RateWindow,
    read_bytes: TokenBucket,
    iterator_calls: RateWindow,
}

impl Shard {
    /// A new open shard.
    pub fn new(id: ShardId, range: HashRange, created_secs: u64, now: SimTime, write_burst: SimDuration) -> Shard {
        let second = SimDuration::from_secs(1);
        Shard {
            id,
            range,
            parent: None,
            adjacent_parent: None,
            children: Vec::new(),
            created_at: now,
            created_secs,
            closed: None,
            written_since_check: (0, 0),
            subscribers: 0,
            records: RecordLog::default(),
            next_counter: COUNTER_START + 1,
            write: WriteBuckets::full(write_burst, now),
            read_calls: RateWindow::new(SHARD_READ_CALLS_PER_SEC as usize, second),
            read_bytes: TokenBucket::full(SHARD_READ_BYTES_PER_SEC, second, now),
            iterator_calls: RateWindow::new(GET_SHARD_ITERATOR_PER_SEC as usize, second),
        }
    }

    /// True until a split or merge closes it.
    pub fn is_open(&self) -> bool {
        self.closed.is_none()
    }

    /// True if it was open at instant `t` (created at or before, not yet closed).
    pub fn open_at(&self, t: SimTime) -> bool {
        self.created_at <= t && self.closed.is_none_or(|c| c.at > t)
    }

    /// True once it was closed before `trim_floor`: every record it held is gone.
    pub fn is_expired(&self, trim_floor: SimTime) -> bool {
        self.closed.is_some_and(|c| c.at < trim_floor)
    }

    /// Its first sequence number, below every record's.
    pub fn starting_sequence_number(&self) -> SequenceNumber {
        self.sequence_number(COUNTER_START, self.created_secs)
    }

    /// Its last sequence number once closed, above every record's.
    pub fn ending_sequence_number(&self) -> Option<SequenceNumber> {
        self.closed.map(|c| self.sequence_number(COUNTER_END, c.secs))
    }

    /// The sequence number of the record with `counter` that arrived at epoch second `arrival_secs`.
    pub fn sequence_number(&self, counter: u64, arrival_secs: u64) -> SequenceNumber {
        SequenceNumber { shard_created_secs: self.created_secs, shard_index: self.id.0, counter, arrival_secs }
    }

    /// Takes write capacity for one record of `size` bytes; takes nothing and returns false if short.
    pub fn try_take_write(&mut self, size: u64, now: SimTime) -> bool {
        let taken = self.write.try_take(size, now);
        if taken {
            self.written_since_check.0 += 1;
            self.written_since_check.1 += size;
        }
        taken
    }

    /// Appends a record (capacity already taken), keeping the key and data it is given; returns its counter.
    pub fn append(&mut self, now: SimTime, partition_key: String, data: Vec<u8>, encrypted: bool) -> u64 {
        debug_assert!(self.is_open(), "writes go to open shards only");
        let counter = self.next_counter;
        self.next_counter += 1;
        self.records.push_back(Record::new(counter, now, partition_key, data, encrypted));
        counter
    }

    /// The counter of the newest record ever written (0 when none): LATEST starts after it.
    pub fn last_counter(&self) -> u64 {
        self.next_counter - 1
    }

    /// Drops records that arrived before `floor` (retention).
    pub fn trim(&mut self, floor: SimTime) {
        if self.records.front().is_none_or(|r| r.arrival >= floor) {
            return;
        }
        while self.records.front().is_some_and(|r| r.arrival < floor) {
            self.records.pop_front();
        }
    }

    /// The stored records after counter `after`, oldest first.
    pub fn records_after(&self, after: u64) -> impl Iterator<Item = &Record> {
        let first = self.records.front().map_or(self.next_counter, Record::counter);
        let skip = after.saturating_add(1).saturating_sub(first);
        self.records.iter_from(usize::try_from(skip).unwrap_or(usize::MAX))
    }

    /// The counter just before the first record that arrived at or after `at` (AT_TIMESTAMP).
    pub fn counter_before_time(&self, at: SimTime) -> u64 {
        let index = self.records.partition_point(|r| r.arrival < at);
        match self.records.get(index) {
            Some(r) => r.counter() - 1,
            None => self.last_counter(),
        }
    }

    /// The arrival time of the newest stored record.
    pub fn newest_arrival(&self) -> Option<SimTime> {
        self.records.back().map(|r| r.arrival)
    }

    /// How many records are stored.
    pub fn len(&self) -> usize {
        self.records.len()
    }

    /// True when no record is stored.
    pub fn is_empty(&self) -> bool {
        self.records.is_empty()
    }

    /// The shared read budget: true (and one call counted) when a GetRecords call may proceed now.
    pub fn try_begin_read(&mut self, now: SimTime) -> bool {
        if !self.read_bytes.is_positive(now) || !self.read_calls.has_room(now) {
            return false;
        }
        self.read_calls.try_acquire(now)
    }

    /// Charges bytes returned by a GetRecords call to the shared read budget (it may go into debt).
    pub fn charge_read(&mut self, bytes: u64, now: SimTime) {
        self.read_bytes.take_debt(bytes, now);
    }

    /// R24: true when a GetShardIterator call may proceed now (counts nothing).
    pub fn iterator_call_allowed(&mut self, now: SimTime) -> bool {
        self.iterator_calls.has_room(now)
    }

    /// Counts a successful GetShardIterator call.
    pub fn count_iterator_call(&mut self, now: SimTime) {
        self.iterator_calls.try_acquire(now);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn shard() -> Shard {
        Shard::new(ShardId(3), HashRange::ALL, 1_700_000_000, SimTime::ZERO, SimDuration::from_secs(1))
    }

    #[test]
    fn counters_start_after_the_starting_sequence_number() {
        let mut s = shard();
        assert_eq!(s.last_counter(), 0);
        assert_eq!(s.append(SimTime::ZERO, "k".into(), b"a".to_vec(), false), 1);
        assert_eq!(s.append(SimTime::ZERO, "k".into(), b"b".to_vec(), false), 2);
        let first = s.sequence_number(1, 1_700_000_000);
        assert!(s.starting_sequence_number() < first);
        s.closed = Some(Closed { at: SimTime::from_secs(5), secs: 1_700_000_005 });
        assert!(first < s.ending_sequence_number().expect("closed"));
    }

    #[test]
    fn positions_find_records_by_counter_after_trimming() {
        let mut s = shard();
        for i in 0..5 {
            s.append(SimTime::from_secs(i), "k".into(), vec![i as u8], false);
        }
        let after = |s: &Shard, c| s.records_after(c).map(Record::counter).collect::<Vec<_>>();
        assert_eq!(after(&s, 0), [1, 2, 3, 4, 5]);
        assert_eq!(after(&s, 3), [4, 5]);
        assert_eq!(after(&s, 5), Vec::<u64>::new());
        s.trim(SimTime::from_secs(2));
        assert_eq!(after(&s, 0), [3, 4, 5], "trimmed records are skipped");
        assert_eq!(after(&s, u64::MAX), Vec::<u64>::new());
    }

    #[test]
    fn timestamps_find_the_first_record_at_or_after() {
        let mut s = shard();
        for i in [10, 20, 20, 30] {
            s.append(SimTime::from_secs(i), "k".into(), Vec::new(), false);
        }
        assert_eq!(s.counter_before_time(SimTime::from_secs(20)), 1);
        assert_eq!(s.counter_before_time(SimTime::from_secs(25)), 3);
        assert_eq!(s.counter_before_time(SimTime::from_secs(99)), 4);
        assert_eq!(s.counter_before_time(SimTime::ZERO), 0);
    }

    #[test]
    fn write_capacity_is_all_or_nothing() {
        let mut s = shard();
        assert!(s.try_take_write(MIB - 10, SimTime::ZERO));
        assert!(!s.try_take_write(11, SimTime::ZERO), "bytes short");
        assert!(s.try_take_write(10, SimTime::ZERO));
        let mut t = shard();
        assert!((0..1_000).all(|_| t.try_take_write(1, SimTime::ZERO)));
        assert!(!t.try_take_write(1, SimTime::ZERO), "records short");
    }

    #[test]
    fn the_read_budget_counts_calls_and_debt() {
        let mut s = shard();
        assert!((0..5).all(|_| s.try_begin_read(SimTime::ZERO)));
        assert!(!s.try_begin_read(SimTime::ZERO), "a sixth call in the same second");
        let later = SimTime::from_secs(1);
        assert!(s.try_begin_read(later));
        s.charge_read(10 * MIB, later);
        assert!(!s.try_begin_read(SimTime::from_secs(3)), "in debt");
        assert!(s.try_begin_read(SimTime::from_millis(5_001)), "repaid after about 4 s");
    }
}
