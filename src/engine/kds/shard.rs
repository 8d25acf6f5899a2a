//! A shard: a hash-key range, an ordered log of records, and its share of capacity (spec §1.3, §4.1).
//!
//! Records are kept in arrival order with contiguous counters, so the record after a position is found
//! by arithmetic, not search. Records older than the stream's trim floor are dropped from the front.
//! A shard is OPEN until a split or merge closes it; it is EXPIRED once closed before the trim floor.

use super::bucket::{RateWindow, TokenBucket, WriteBuckets};
use super::ids::{HashRange, ShardId};
use super::limits::*;
use super::record::{Labels, LogEntry, Record, RecordLog, Run, Span};
use super::sequence::{SequenceNumber, COUNTER_END, COUNTER_START};
use crate::engine::time::{SimDuration, SimTime};

/// How shards keep their records: one by one (every API works), or as runs of equal records (fast-forward:
/// capacity, positions, ages and metrics are exact, but records have no bodies, so GetRecords refuses).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Detail {
    /// Every record stored with its key and data.
    #[default]
    Records,
    /// Runs of records counted, not materialised.
    Runs,
}

/// A shard's stored records, in one of the two [`Detail`]s.
#[derive(Clone, Debug)]
pub enum ShardLog {
    /// One entry per record.
    Records(RecordLog<Record>),
    /// One entry per run.
    Runs(RecordLog<Run>),
}

/// What a read takes from a shard (see [`Shard::take_after`]).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Taken {
    /// Kinesis records.
    pub records: u64,
    /// Their bytes (data + partition keys).
    pub bytes: u64,
    /// User records inside them (more than `records` when the KPL aggregated).
    pub users: u64,
    /// Records labelled duplicate.
    pub duplicates: u64,
    /// Counters of the records labelled poison.
    pub poison: Vec<u64>,
    /// The first record's counter and arrival.
    pub first: Option<(u64, SimTime)>,
    /// The last record's counter and arrival.
    pub last: Option<(u64, SimTime)>,
}

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
    log: ShardLog,
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
    /// Running totals for the live view.
    pub tally: super::tally::ShardCounts,
    read_calls: RateWindow,
    read_bytes: TokenBucket,
    iterator_calls: RateWindow,
}

impl Shard {
    /// A new open shard.
    pub fn new(
        id: ShardId,
        range: HashRange,
        created_secs: u64,
        now: SimTime,
        write_burst: SimDuration,
        detail: Detail,
    ) -> Shard {
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
            tally: super::tally::ShardCounts::default(),
            subscribers: 0,
            log: match detail {
                Detail::Records => ShardLog::Records(RecordLog::default()),
                Detail::Runs => ShardLog::Runs(RecordLog::default()),
            },
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
        self.tally.low_tokens(now, self.write.levels(now));
        if taken {
            self.written_since_check.0 += 1;
            self.written_since_check.1 += size;
        }
        taken
    }

    /// Takes write capacity for up to `count` records of `size` bytes each; returns how many it took.
    pub fn take_write_run(&mut self, size: u64, count: u64, now: SimTime) -> u64 {
        let taken = self.write.take_up_to(size, count, now);
        self.tally.low_tokens(now, self.write.levels(now));
        self.written_since_check.0 += taken;
        self.written_since_check.1 += taken * size;
        taken
    }

    /// How it stores records.
    pub fn detail(&self) -> Detail {
        match self.log {
            ShardLog::Records(_) => Detail::Records,
            ShardLog::Runs(_) => Detail::Runs,
        }
    }

    /// Appends a record (capacity already taken), keeping the key and data it is given; returns its counter.
    pub fn append(&mut self, now: SimTime, partition_key: String, data: Vec<u8>, encrypted: bool) -> u64 {
        self.append_labelled(now, partition_key, data, encrypted, Labels::default())
    }

    /// Appends a record with ground-truth labels; a run-detail shard keeps it as a run of one, without body.
    pub fn append_labelled(
        &mut self,
        now: SimTime,
        partition_key: String,
        data: Vec<u8>,
        encrypted: bool,
        labels: Labels,
    ) -> u64 {
        debug_assert!(self.is_open(), "writes go to open shards only");
        let counter = self.next_counter;
        self.next_counter += 1;
        match &mut self.log {
            ShardLog::Records(log) => {
                log.push_back(Record::labelled(counter, now, partition_key, data, encrypted, labels))
            }
            ShardLog::Runs(log) => {
                let bytes = u32::try_from(partition_key.len() + data.len()).expect("records are at most 1 MiB");
                log.push_back(Run::new(counter, now, 1, bytes, 1, encrypted, labels));
            }
        }
        counter
    }

    /// Appends `count` equal records as one run (capacity already taken); returns the first counter.
    /// Only run-detail shards store runs: a record-detail shard needs each record's body.
    pub fn append_run(
        &mut self,
        now: SimTime,
        count: u32,
        bytes_each: u32,
        users_each: u32,
        encrypted: bool,
        labels: Labels,
    ) -> u64 {
        debug_assert!(self.is_open(), "writes go to open shards only");
        let ShardLog::Runs(log) = &mut self.log else {
            panic!("append_run on a record-detail shard: callers check Shard::detail first");
        };
        let first = self.next_counter;
        self.next_counter += u64::from(count);
        let run = Run::new(first, now, count, bytes_each, users_each, encrypted, labels);
        // Records of one instant split across calls are still one run: extend the newest when it matches.
        match log.back_mut() {
            Some(back) if back.extends_to(&run) => back.count += count,
            _ => log.push_back(run),
        }
        first
    }

    /// The counter of the newest record ever written (0 when none): LATEST starts after it.
    pub fn last_counter(&self) -> u64 {
        self.next_counter - 1
    }

    /// Drops records that arrived before `floor` (retention).
    pub fn trim(&mut self, floor: SimTime) {
        fn trim_log<T: LogEntry>(log: &mut RecordLog<T>, floor: SimTime) {
            while log.front().is_some_and(|r| r.arrival() < floor) {
                log.pop_front();
            }
        }
        match &mut self.log {
            ShardLog::Records(log) => trim_log(log, floor),
            ShardLog::Runs(log) => trim_log(log, floor),
        }
    }

    /// The stored records after counter `after`, oldest first (none on a run-detail shard: they have no body).
    pub fn records_after(&self, after: u64) -> impl Iterator<Item = &Record> {
        let log = match &self.log {
            ShardLog::Records(log) => Some(log),
            ShardLog::Runs(_) => None,
        };
        log.into_iter().flat_map(move |log| log.iter_from(log.position_after(after)))
    }

    /// The stored records after counter `after`, as spans of equal records, oldest first.
    pub fn spans_after(&self, after: u64) -> Spans<'_> {
        let at = match &self.log {
            ShardLog::Records(log) => log.position_after(after),
            ShardLog::Runs(log) => log.position_after(after),
        };
        Spans { log: &self.log, at, from: after.saturating_add(1) }
    }

    /// The counter just before the `entries` stored entries (records, or runs) that precede the one holding
    /// counter `before` (or precede the end, when `before` is past the newest): where a page ending just
    /// before `before` starts.
    pub fn start_of_entries_before(&self, before: u64, entries: usize) -> u64 {
        fn start<T: LogEntry>(log: &RecordLog<T>, before: u64, entries: usize) -> u64 {
            let end = log.position_after(before.saturating_sub(1));
            log.get(end.saturating_sub(entries)).map_or(0, |e| e.first_counter().saturating_sub(1))
        }
        match &self.log {
            ShardLog::Records(log) => start(log, before, entries),
            ShardLog::Runs(log) => start(log, before, entries),
        }
    }

    /// True if a stored record follows counter `after`.
    pub fn has_records_after(&self, after: u64) -> bool {
        let newest = match &self.log {
            ShardLog::Records(log) => log.back().map(|r| r.counter()),
            ShardLog::Runs(log) => log.back().map(|r| r.first + u64::from(r.count) - 1),
        };
        newest.is_some_and(|last| last > after)
    }

    /// What a read after counter `after` takes: at most `limit` records and `bytes_max` bytes (the first
    /// record always), only records that arrived by `visible_by`. Exactly what reading record by record takes.
    pub fn take_after(&self, after: u64, limit: u64, bytes_max: u64, visible_by: SimTime) -> Taken {
        let mut taken = Taken::default();
        for span in self.spans_after(after) {
            if taken.records == limit || span.arrival > visible_by {
                break;
            }
            let room = bytes_max.saturating_sub(taken.bytes);
            let by_bytes = room.checked_div(span.bytes_each).unwrap_or(u64::MAX);
            let mut n = span.count.min(limit - taken.records).min(by_bytes);
            if n == 0 && taken.records == 0 {
                n = 1; // the first record is returned whatever its size
            }
            if n == 0 {
                break;
            }
            taken.records += n;
            taken.bytes += n * span.bytes_each;
            taken.users += n * span.users_each;
            if span.labels.duplicate {
                taken.duplicates += n;
            }
            if span.labels.poison {
                taken.poison.extend(span.first..span.first + n);
            }
            taken.first = taken.first.or(Some((span.first, span.arrival)));
            taken.last = Some((span.first + n - 1, span.arrival));
            if n < span.count {
                break;
            }
        }
        taken
    }

    /// The counter just before the first record that arrived at or after `at` (AT_TIMESTAMP).
    pub fn counter_before_time(&self, at: SimTime) -> u64 {
        fn first_at<T: LogEntry>(log: &RecordLog<T>, at: SimTime) -> Option<u64> {
            log.get(log.partition_point(|r| r.arrival() < at)).map(LogEntry::first_counter)
        }
        let first = match &self.log {
            ShardLog::Records(log) => first_at(log, at),
            ShardLog::Runs(log) => first_at(log, at),
        };
        first.map_or(self.last_counter(), |c| c - 1)
    }

    /// The arrival time of the newest stored record.
    pub fn newest_arrival(&self) -> Option<SimTime> {
        match &self.log {
            ShardLog::Records(log) => log.back().map(|r| r.arrival),
            ShardLog::Runs(log) => log.back().map(|r| r.arrival),
        }
    }

    /// The arrival time of the oldest stored record.
    pub fn oldest_arrival(&self) -> Option<SimTime> {
        match &self.log {
            ShardLog::Records(log) => log.front().map(|r| r.arrival),
            ShardLog::Runs(log) => log.front().map(|r| r.arrival),
        }
    }

    /// How many records are stored.
    pub fn len(&self) -> u64 {
        match &self.log {
            ShardLog::Records(log) => log.len() as u64,
            ShardLog::Runs(log) => log.front().map_or(0, |f| self.next_counter - f.first),
        }
    }

    /// True when no record is stored.
    pub fn is_empty(&self) -> bool {
        match &self.log {
            ShardLog::Records(log) => log.is_empty(),
            ShardLog::Runs(log) => log.is_empty(),
        }
    }

    /// The fewest whole record and byte tokens the write buckets held in the last complete second before
    /// `now`: after its emptiest write, or as they stood at its end when nothing was written.
    pub fn write_tokens(&self, now: SimTime) -> (i64, i64) {
        self.tally.last_low_tokens(now).unwrap_or_else(|| self.write.levels(now))
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

/// The spans of a shard's log from a position on (see [`Shard::spans_after`]).
pub struct Spans<'a> {
    log: &'a ShardLog,
    at: usize,
    from: u64,
}

impl Iterator for Spans<'_> {
    type Item = Span;
    fn next(&mut self) -> Option<Span> {
        let span = match self.log {
            ShardLog::Records(log) => log.get(self.at).map(|e| e.span_from(self.from)),
            ShardLog::Runs(log) => log.get(self.at).map(|e| e.span_from(self.from)),
        };
        self.at += 1;
        span
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn shard() -> Shard {
        Shard::new(ShardId(3), HashRange::ALL, 1_700_000_000, SimTime::ZERO, SimDuration::from_secs(1), Detail::Records)
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

    /// The same traffic in both details: (arrival s, count, bytes each) runs.
    fn twins(traffic: &[(u64, u32, u32)]) -> (Shard, Shard) {
        let mut records = shard();
        let mut runs =
            Shard::new(ShardId(3), HashRange::ALL, 1, SimTime::ZERO, SimDuration::from_secs(1), Detail::Runs);
        for &(at, count, bytes) in traffic {
            let now = SimTime::from_secs(at);
            for _ in 0..count {
                records.append(now, "k".into(), vec![0; bytes as usize - 1], false);
            }
            runs.append_run(now, count, bytes, 1, false, Labels::default());
        }
        (records, runs)
    }

    #[test]
    fn runs_read_exactly_like_the_records_they_stand_for() {
        let traffic = [(0, 3, 100), (1, 1, 5_000), (1, 4, 10), (2, 2, 1_000), (5, 6, 300)];
        let (records, runs) = twins(&traffic);
        assert_eq!((records.last_counter(), records.len()), (runs.last_counter(), runs.len()));
        for after in 0..=17 {
            for (limit, bytes_max) in [(1, 1), (2, 10_000), (5, 5_100), (100, 1_500), (10_000, 0)] {
                for visible in [1, 2, 99] {
                    let by = SimTime::from_secs(visible);
                    assert_eq!(
                        records.take_after(after, limit, bytes_max, by),
                        runs.take_after(after, limit, bytes_max, by),
                        "after {after}, limit {limit}, bytes {bytes_max}, visible by {visible} s"
                    );
                }
            }
            assert_eq!(records.has_records_after(after), runs.has_records_after(after));
        }
        for t in 0..7 {
            let at = SimTime::from_secs(t);
            assert_eq!(records.counter_before_time(at), runs.counter_before_time(at), "AT_TIMESTAMP {t} s");
        }
    }

    #[test]
    fn runs_trim_whole_and_keep_counting() {
        let (mut records, mut runs) = twins(&[(0, 3, 100), (1, 1, 50), (2, 4, 10)]);
        records.trim(SimTime::from_secs(1));
        runs.trim(SimTime::from_secs(1));
        assert_eq!((runs.len(), runs.oldest_arrival()), (5, Some(SimTime::from_secs(1))));
        assert_eq!(records.take_after(0, 100, 1 << 20, SimTime::MAX), runs.take_after(0, 100, 1 << 20, SimTime::MAX));
        assert_eq!(runs.records_after(0).count(), 0, "runs have no bodies to show");
        assert_eq!(runs.spans_after(0).map(|s| s.count).sum::<u64>(), 5);
    }

    #[test]
    fn labels_travel_with_what_is_read() {
        let mut s = Shard::new(ShardId(0), HashRange::ALL, 1, SimTime::ZERO, SimDuration::from_secs(1), Detail::Runs);
        s.append_run(SimTime::ZERO, 10, 100, 4, false, Labels { duplicate: true, poison: false });
        s.append_run(SimTime::ZERO, 1, 100, 1, false, Labels { duplicate: false, poison: true });
        let taken = s.take_after(5, 100, 1 << 20, SimTime::MAX);
        assert_eq!((taken.records, taken.users, taken.duplicates, taken.poison), (6, 21, 5, vec![11]));
        assert_eq!((taken.first, taken.last), (Some((6, SimTime::ZERO)), Some((11, SimTime::ZERO))));
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
