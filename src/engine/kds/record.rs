//! What a shard stores: records one by one, or — in fast-forward — runs of equal records.
//!
//! A [`Record`] is one record as PutRecord(s) stored it, kept small: the budget is payload + partition
//! key + 64 bytes (issue 3 §10). PutRecord and PutRecords consume their request, so a record keeps the
//! request's own key and data allocations: storing costs no copy and no fresh memory. The header is 48
//! bytes. The sequence number is not stored: it is recomputed from the shard (create time, index), the
//! per-shard counter and the arrival second. Flags ride in the counter's top bits (counters are < 2^60).
//!
//! A [`Run`] is `count` records with consecutive counters that arrived at the same instant with the
//! same size: what fast-forward stores instead of materialising each record. Every capacity and
//! position rule reads both kinds through [`LogEntry`], so a run of n behaves exactly like n records.
//!
//! [`Labels`] are the simulation's ground truth about a record (a producer's retry wrote it again; the
//! consumer's failure model will reject it). They never appear on the wire.

use crate::engine::time::SimTime;

const ENCRYPTED: u64 = 1 << 63;
const DUPLICATE: u64 = 1 << 62;
const POISON: u64 = 1 << 61;
const COUNTER_MASK: u64 = (1 << 60) - 1;

/// The simulation's ground truth about a record.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub struct Labels {
    /// A second copy of a record already stored (a retry after a lost acknowledgement).
    pub duplicate: bool,
    /// A record the consumer's failure model rejects (a "poison pill").
    pub poison: bool,
}

impl Labels {
    fn bits(self) -> u64 {
        (if self.duplicate { DUPLICATE } else { 0 }) | (if self.poison { POISON } else { 0 })
    }

    fn of(bits: u64) -> Labels {
        Labels { duplicate: bits & DUPLICATE != 0, poison: bits & POISON != 0 }
    }
}

/// One record in a shard.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Record {
    /// The per-shard counter (1, 2, …), with the encrypted and label flags in the top bits.
    counter_flags: u64,
    /// When the record arrived (simulated time).
    pub arrival: SimTime,
    key: Box<str>,
    data: Box<[u8]>,
}

impl Record {
    /// A record owning `partition_key` and `data` (no copy when their capacity equals their length).
    pub fn new(counter: u64, arrival: SimTime, partition_key: String, data: Vec<u8>, encrypted: bool) -> Record {
        Record::labelled(counter, arrival, partition_key, data, encrypted, Labels::default())
    }

    /// A record with ground-truth labels.
    pub fn labelled(
        counter: u64,
        arrival: SimTime,
        partition_key: String,
        data: Vec<u8>,
        encrypted: bool,
        labels: Labels,
    ) -> Record {
        debug_assert!(counter <= COUNTER_MASK, "counters stay below 2^60");
        let flag = if encrypted { ENCRYPTED } else { 0 };
        Record {
            counter_flags: counter | flag | labels.bits(),
            arrival,
            key: partition_key.into_boxed_str(),
            data: data.into_boxed_slice(),
        }
    }

    /// The per-shard counter encoded in the sequence number.
    pub fn counter(&self) -> u64 {
        self.counter_flags & COUNTER_MASK
    }

    /// Whether it was written while the stream was encrypted.
    pub fn encrypted(&self) -> bool {
        self.counter_flags & ENCRYPTED != 0
    }

    /// The simulation's labels.
    pub fn labels(&self) -> Labels {
        Labels::of(self.counter_flags)
    }

    /// The partition key.
    pub fn partition_key(&self) -> &str {
        &self.key
    }

    /// The data blob.
    pub fn data(&self) -> &[u8] {
        &self.data
    }

    /// Data + UTF-8 partition key: the size every limit counts.
    pub fn size_bytes(&self) -> u64 {
        (self.key.len() + self.data.len()) as u64
    }
}

/// `count` records with consecutive counters from `first`, one arrival instant and one size (fast-forward).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Run {
    /// The first record's counter.
    pub first: u64,
    /// When they arrived.
    pub arrival: SimTime,
    /// How many records.
    pub count: u32,
    /// Data + partition key bytes of each.
    pub bytes_each: u32,
    /// User records packed in each (KPL aggregation; 1 otherwise).
    pub users_each: u32,
    flags: u32,
}

impl Run {
    /// A run; `count` ≥ 1.
    pub fn new(
        first: u64,
        arrival: SimTime,
        count: u32,
        bytes_each: u32,
        users_each: u32,
        encrypted: bool,
        labels: Labels,
    ) -> Run {
        debug_assert!(count >= 1, "a run holds at least one record");
        let flags = ((labels.bits() | if encrypted { ENCRYPTED } else { 0 }) >> 32) as u32;
        Run { first, arrival, count, bytes_each, users_each, flags }
    }

    /// Whether they were written while the stream was encrypted.
    pub fn encrypted(&self) -> bool {
        (u64::from(self.flags) << 32) & ENCRYPTED != 0
    }

    /// True when `next` continues this run exactly (same instant, size, packing and flags; next counters)
    /// and the merged count still fits.
    pub fn extends_to(&self, next: &Run) -> bool {
        self.arrival == next.arrival
            && self.bytes_each == next.bytes_each
            && self.users_each == next.users_each
            && self.flags == next.flags
            && self.first + u64::from(self.count) == next.first
            && self.count.checked_add(next.count).is_some()
    }

    /// The simulation's labels (the same for every record of the run).
    pub fn labels(&self) -> Labels {
        Labels::of(u64::from(self.flags) << 32)
    }
}

/// Consecutive records a reader sees as one: a record, or all or the tail of a run.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Span {
    /// The first record's counter.
    pub first: u64,
    /// How many records.
    pub count: u64,
    /// When they arrived.
    pub arrival: SimTime,
    /// Size of each (data + partition key).
    pub bytes_each: u64,
    /// User records in each.
    pub users_each: u64,
    /// Their labels.
    pub labels: Labels,
}

/// What a [`RecordLog`] holds: entries covering consecutive counters.
pub trait LogEntry {
    /// True if every entry is exactly one record (positions are then found by arithmetic).
    const SINGLE: bool;
    /// The first counter it covers.
    fn first_counter(&self) -> u64;
    /// How many counters it covers.
    fn count(&self) -> u64;
    /// Its arrival time.
    fn arrival(&self) -> SimTime;
    /// The records from `from` (a counter it covers) on, as one span.
    fn span_from(&self, from: u64) -> Span;
}

impl LogEntry for Record {
    const SINGLE: bool = true;
    fn first_counter(&self) -> u64 {
        self.counter()
    }
    fn count(&self) -> u64 {
        1
    }
    fn arrival(&self) -> SimTime {
        self.arrival
    }
    fn span_from(&self, _from: u64) -> Span {
        Span {
            first: self.counter(),
            count: 1,
            arrival: self.arrival,
            bytes_each: self.size_bytes(),
            users_each: 1,
            labels: self.labels(),
        }
    }
}

impl LogEntry for Run {
    const SINGLE: bool = false;
    fn first_counter(&self) -> u64 {
        self.first
    }
    fn count(&self) -> u64 {
        u64::from(self.count)
    }
    fn arrival(&self) -> SimTime {
        self.arrival
    }
    fn span_from(&self, from: u64) -> Span {
        let skip = from.saturating_sub(self.first).min(self.count());
        Span {
            first: self.first + skip,
            count: self.count() - skip,
            arrival: self.arrival,
            bytes_each: u64::from(self.bytes_each),
            users_each: u64::from(self.users_each),
            labels: self.labels(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn key_data_counter_and_flag_come_back() {
        let r = Record::new(7, SimTime::from_secs(1), "kéy".into(), b"\x00\x01data".to_vec(), true);
        assert_eq!((r.counter(), r.encrypted(), r.partition_key(), r.data()), (7, true, "kéy", &b"\x00\x01data"[..]));
        assert_eq!(r.size_bytes(), 4 + 6);
        let plain = Record::new((1 << 60) - 1, SimTime::ZERO, "k".into(), Vec::new(), false);
        assert_eq!((plain.counter(), plain.encrypted(), plain.size_bytes()), ((1 << 60) - 1, false, 1));
    }

    #[test]
    fn the_header_stays_within_its_budget() {
        assert_eq!(std::mem::size_of::<Record>(), 48);
        assert_eq!(std::mem::size_of::<Run>(), 32);
    }

    #[test]
    fn labels_and_flags_survive_in_records_and_runs() {
        let poison = Labels { duplicate: false, poison: true };
        let both = Labels { duplicate: true, poison: true };
        let r = Record::labelled((1 << 60) - 1, SimTime::ZERO, "k".into(), Vec::new(), true, poison);
        assert_eq!((r.counter(), r.encrypted(), r.labels()), ((1 << 60) - 1, true, poison));
        let run = Run::new(5, SimTime::from_secs(1), 10, 100, 3, true, both);
        assert_eq!((run.encrypted(), run.labels()), (true, both));
        assert_eq!(Run::new(5, SimTime::ZERO, 1, 1, 1, false, Labels::default()).labels(), Labels::default());
    }

    #[test]
    fn a_run_read_from_its_middle_is_its_tail() {
        let run = Run::new(10, SimTime::from_secs(2), 5, 100, 1, false, Labels::default());
        let span = run.span_from(12);
        assert_eq!((span.first, span.count, span.bytes_each), (12, 3, 100));
        assert_eq!(run.span_from(3).count, 5, "from before the run: all of it");
    }
}

/// Entries per block of a [`RecordLog`]: small enough that a partly filled block wastes little
/// (half a block per shard on average), large enough that block allocations are rare.
const BLOCK_RECORDS: usize = 64;

/// A shard's entries in arrival order, in fixed-size blocks: appending never copies earlier entries
/// (as a doubling buffer would), the unused room is at most one block, and trimming drops whole blocks.
/// The block being filled is kept inline (`tail`), so a write touches no other memory of the log.
#[derive(Clone, Debug)]
pub struct RecordLog<T = Record> {
    tail: Vec<T>,
    /// Full blocks, oldest first.
    full: std::collections::VecDeque<Vec<T>>,
    /// Entries already dropped from the oldest block (full, or the tail when there is none).
    skip: usize,
    len: usize,
}

impl<T> Default for RecordLog<T> {
    fn default() -> Self {
        RecordLog { tail: Vec::new(), full: std::collections::VecDeque::new(), skip: 0, len: 0 }
    }
}

impl<T: LogEntry> RecordLog<T> {
    /// Appends an entry.
    pub fn push_back(&mut self, entry: T) {
        if self.tail.len() == BLOCK_RECORDS {
            let done = std::mem::replace(&mut self.tail, Vec::with_capacity(BLOCK_RECORDS));
            self.full.push_back(done);
        } else if self.tail.capacity() == 0 {
            self.tail.reserve_exact(BLOCK_RECORDS);
        }
        self.tail.push(entry);
        self.len += 1;
    }

    /// Drops the oldest entry.
    pub fn pop_front(&mut self) {
        if self.len == 0 {
            return;
        }
        self.skip += 1;
        self.len -= 1;
        if self.len == 0 {
            *self = RecordLog::default();
        } else if self.full.front().is_some_and(|b| self.skip == b.len()) {
            self.full.pop_front();
            self.skip = 0;
        }
    }

    /// The block at position `i` (0 = oldest), counting the tail last.
    fn block(&self, i: usize) -> Option<&Vec<T>> {
        match i.cmp(&self.full.len()) {
            std::cmp::Ordering::Less => self.full.get(i),
            std::cmp::Ordering::Equal => Some(&self.tail),
            std::cmp::Ordering::Greater => None,
        }
    }

    /// The entry at position `index` (0 = oldest).
    pub fn get(&self, index: usize) -> Option<&T> {
        let at = index.checked_add(self.skip)?;
        self.block(at / BLOCK_RECORDS)?.get(at % BLOCK_RECORDS)
    }

    /// The oldest entry.
    pub fn front(&self) -> Option<&T> {
        self.get(0)
    }

    /// The newest entry.
    pub fn back(&self) -> Option<&T> {
        self.tail.last()
    }

    /// The newest entry, to extend it.
    pub fn back_mut(&mut self) -> Option<&mut T> {
        self.tail.last_mut()
    }

    /// How many entries are stored.
    pub fn len(&self) -> usize {
        self.len
    }

    /// True when none is stored.
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// The entries from position `from` (0 = oldest) on.
    pub fn iter_from(&self, from: usize) -> impl Iterator<Item = &T> {
        let start = from.saturating_add(self.skip);
        let (first, offset) = (start / BLOCK_RECORDS, start % BLOCK_RECORDS);
        (first..=self.full.len())
            .filter_map(move |i| self.block(i).map(|b| (i, b)))
            .flat_map(move |(i, b)| b.get(if i == first { offset } else { 0 }..).unwrap_or(&[]).iter())
    }

    /// The number of entries for which `pred` holds, given that it holds for a prefix (binary search).
    pub fn partition_point(&self, pred: impl Fn(&T) -> bool) -> usize {
        let (mut lo, mut hi) = (0, self.len);
        while lo < hi {
            let mid = lo + (hi - lo) / 2;
            if pred(self.get(mid).expect("mid < len")) {
                lo = mid + 1;
            } else {
                hi = mid;
            }
        }
        lo
    }

    /// The position of the entry holding the first record after counter `after` (`len` if none).
    pub fn position_after(&self, after: u64) -> usize {
        let Some(front) = self.front() else { return 0 };
        if T::SINGLE {
            let skip = after.saturating_add(1).saturating_sub(front.first_counter());
            return usize::try_from(skip).unwrap_or(usize::MAX).min(self.len);
        }
        let covered = |e: &T| e.first_counter() + e.count() <= after.saturating_add(1);
        // Readers mostly follow the tail: look at the newest few entries before searching the whole log.
        let mut i = self.len;
        while i > 0 && self.len - i < 8 {
            if covered(self.get(i - 1).expect("i − 1 < len")) {
                return i;
            }
            i -= 1;
        }
        if i == 0 {
            return 0;
        }
        self.partition_point(covered)
    }
}

#[cfg(test)]
mod log_tests {
    use super::*;

    fn log(n: u64) -> RecordLog {
        let mut log = RecordLog::default();
        for i in 1..=n {
            log.push_back(Record::new(i, SimTime::from_secs(i), "k".into(), Vec::new(), false));
        }
        log
    }

    #[test]
    fn positions_iteration_and_search_survive_trimming() {
        let mut l = log(1_000);
        for _ in 0..300 {
            l.pop_front();
        }
        assert_eq!(
            (l.len(), l.front().map(Record::counter), l.back().map(Record::counter)),
            (700, Some(301), Some(1_000))
        );
        assert_eq!(l.iter_from(0).map(Record::counter).collect::<Vec<_>>(), (301..=1_000).collect::<Vec<_>>());
        assert_eq!(l.iter_from(650).map(Record::counter).collect::<Vec<_>>(), (951..=1_000).collect::<Vec<_>>());
        assert_eq!(l.iter_from(700).count(), 0);
        assert_eq!(l.get(699).map(Record::counter), Some(1_000));
        assert_eq!(l.get(700), None);
        assert_eq!(l.partition_point(|r| r.arrival < SimTime::from_secs(500)), 199);
        assert_eq!(l.partition_point(|_| true), 700);
        assert!(l.full.len() <= 700 / BLOCK_RECORDS + 1, "trimmed blocks are freed");
    }

    #[test]
    fn an_emptied_log_starts_clean() {
        let mut l = log(70);
        for _ in 0..70 {
            l.pop_front();
        }
        assert!(l.is_empty() && l.front().is_none());
        l.push_back(Record::new(71, SimTime::ZERO, "k".into(), Vec::new(), false));
        assert_eq!(l.front().map(Record::counter), Some(71));
    }
}
