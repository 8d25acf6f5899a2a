//! A stored record, kept small: the budget is payload + partition key + 64 bytes (issue 3 §10).
//!
//! PutRecord and PutRecords consume their request, so a record keeps the request's own key and data
//! allocations: storing costs no copy and no fresh memory. The header is 48 bytes. The sequence number
//! is not stored: it is recomputed from the shard (create time, index), the per-shard counter and the
//! arrival second. The "stored encrypted" flag rides in the counter's top bit (counters are < 2^63).

use crate::engine::time::SimTime;

const ENCRYPTED: u64 = 1 << 63;

/// One record in a shard.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Record {
    /// The per-shard counter (1, 2, …), with the encrypted flag in bit 63.
    counter_flags: u64,
    /// When the record arrived (simulated time).
    pub arrival: SimTime,
    key: Box<str>,
    data: Box<[u8]>,
}

impl Record {
    /// A record owning `partition_key` and `data` (no copy when their capacity equals their length).
    pub fn new(counter: u64, arrival: SimTime, partition_key: String, data: Vec<u8>, encrypted: bool) -> Record {
        debug_assert!(counter < ENCRYPTED, "counters stay below 2^63");
        let flag = if encrypted { ENCRYPTED } else { 0 };
        Record {
            counter_flags: counter | flag,
            arrival,
            key: partition_key.into_boxed_str(),
            data: data.into_boxed_slice(),
        }
    }

    /// The per-shard counter encoded in the sequence number.
    pub fn counter(&self) -> u64 {
        self.counter_flags & !ENCRYPTED
    }

    /// Whether it was written while the stream was encrypted.
    pub fn encrypted(&self) -> bool {
        self.counter_flags & ENCRYPTED != 0
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn key_data_counter_and_flag_come_back() {
        let r = Record::new(7, SimTime::from_secs(1), "kéy".into(), b"\x00\x01data".to_vec(), true);
        assert_eq!((r.counter(), r.encrypted(), r.partition_key(), r.data()), (7, true, "kéy", &b"\x00\x01data"[..]));
        assert_eq!(r.size_bytes(), 4 + 6);
        let plain = Record::new((1 << 63) - 1, SimTime::ZERO, "k".into(), Vec::new(), false);
        assert_eq!((plain.counter(), plain.encrypted(), plain.size_bytes()), ((1 << 63) - 1, false, 1));
    }

    #[test]
    fn the_header_stays_within_its_budget() {
        assert_eq!(std::mem::size_of::<Record>(), 48);
    }
}

/// Records per block of a [`RecordLog`]: small enough that a partly filled block wastes little
/// (half a block per shard on average), large enough that block allocations are rare.
const BLOCK_RECORDS: usize = 64;

/// A shard's records in arrival order, in fixed-size blocks: appending never copies earlier records
/// (as a doubling buffer would), the unused room is at most one block, and trimming drops whole blocks.
/// The block being filled is kept inline (`tail`), so a write touches no other memory of the log.
#[derive(Clone, Debug, Default)]
pub struct RecordLog {
    tail: Vec<Record>,
    /// Full blocks, oldest first.
    full: std::collections::VecDeque<Vec<Record>>,
    /// Records already dropped from the oldest block (full, or the tail when there is none).
    skip: usize,
    len: usize,
}

impl RecordLog {
    /// Appends a record.
    pub fn push_back(&mut self, record: Record) {
        if self.tail.len() == BLOCK_RECORDS {
            let done = std::mem::replace(&mut self.tail, Vec::with_capacity(BLOCK_RECORDS));
            self.full.push_back(done);
        } else if self.tail.capacity() == 0 {
            self.tail.reserve_exact(BLOCK_RECORDS);
        }
        self.tail.push(record);
        self.len += 1;
    }

    /// Drops the oldest record.
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
    fn block(&self, i: usize) -> Option<&Vec<Record>> {
        match i.cmp(&self.full.len()) {
            std::cmp::Ordering::Less => self.full.get(i),
            std::cmp::Ordering::Equal => Some(&self.tail),
            std::cmp::Ordering::Greater => None,
        }
    }

    /// The record at position `index` (0 = oldest).
    pub fn get(&self, index: usize) -> Option<&Record> {
        let at = index.checked_add(self.skip)?;
        self.block(at / BLOCK_RECORDS)?.get(at % BLOCK_RECORDS)
    }

    /// The oldest record.
    pub fn front(&self) -> Option<&Record> {
        self.get(0)
    }

    /// The newest record.
    pub fn back(&self) -> Option<&Record> {
        self.tail.last()
    }

    /// How many records are stored.
    pub fn len(&self) -> usize {
        self.len
    }

    /// True when none is stored.
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// The records from position `from` (0 = oldest) on.
    pub fn iter_from(&self, from: usize) -> impl Iterator<Item = &Record> {
        let start = from.saturating_add(self.skip);
        let (first, offset) = (start / BLOCK_RECORDS, start % BLOCK_RECORDS);
        (first..=self.full.len())
            .filter_map(move |i| self.block(i).map(|b| (i, b)))
            .flat_map(move |(i, b)| b.get(if i == first { offset } else { 0 }..).unwrap_or(&[]).iter())
    }

    /// The number of records for which `pred` holds, given that it holds for a prefix (binary search).
    pub fn partition_point(&self, pred: impl Fn(&Record) -> bool) -> usize {
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
