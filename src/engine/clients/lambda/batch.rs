//! What a Lambda event source mapping hands a function: batches of records, and what happens to a batch
//! that fails (spec kds.md §4.10, §5.8, §10.12).
//!
//! A batch is a list of items in shard order: single records (record detail) or runs of equal records
//! (fast-forward). The function fails a batch that holds a poison record (or, with a transient error
//! rate, at random). Then, in order of precedence: records older than MaximumRecordAgeInSeconds are
//! discarded; a batch retried MaximumRetryAttempts times is discarded; with ReportBatchItemFailures the
//! function names the first failing record and the mapping retries from it; with
//! BisectBatchOnFunctionError the batch is split in two and each half retried (splits do not count as
//! retries [M]); otherwise the same batch is retried. Discarded batches go to the on-failure destination.

use crate::engine::time::SimTime;

/// Records of one shard handed over together.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Item {
    /// The first record's counter.
    pub first: u64,
    /// How many records (consecutive counters unless `spread` ones were skipped by lane assignment).
    pub count: u64,
    /// When the first arrived.
    pub first_arrival: SimTime,
    /// When the last arrived.
    pub last_arrival: SimTime,
    /// Bytes of each.
    pub bytes_each: u64,
    /// Counters of the poison records among them.
    pub poison: Vec<u64>,
    /// How many are duplicates.
    pub duplicates: u64,
}

impl Item {
    /// The last record's counter.
    pub fn last(&self) -> u64 {
        self.first + self.count - 1
    }

    /// Splits off the records from counter `at` on (which must be inside, after the first).
    pub fn split_at(&mut self, at: u64) -> Item {
        let tail_count = self.last() + 1 - at;
        let poison_tail: Vec<u64> = self.poison.iter().copied().filter(|p| *p >= at).collect();
        self.poison.retain(|p| *p < at);
        // Duplicates are spread over the item; keep the proportion.
        let dup_tail = self.duplicates * tail_count / self.count;
        self.duplicates -= dup_tail;
        self.count -= tail_count;
        Item {
            first: at,
            count: tail_count,
            first_arrival: self.first_arrival,
            last_arrival: self.last_arrival,
            bytes_each: self.bytes_each,
            poison: poison_tail,
            duplicates: dup_tail,
        }
    }
}

/// One batch as the function sees it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Batch {
    /// Its records, in shard order.
    pub items: Vec<Item>,
    /// Invocations of (parts of) this batch so far that failed (bisect halves inherit it).
    pub retries: u64,
    /// Invocations so far (approximateInvokeCount).
    pub invocations: u64,
}

impl Batch {
    /// A fresh batch.
    pub fn new(items: Vec<Item>) -> Batch {
        Batch { items, retries: 0, invocations: 0 }
    }

    /// Records in it.
    pub fn len(&self) -> u64 {
        self.items.iter().map(|i| i.count).sum()
    }

    /// True when it holds no record.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Bytes in it.
    pub fn bytes(&self) -> u64 {
        self.items.iter().map(|i| i.count * i.bytes_each).sum()
    }

    /// The first poison record's counter, if any.
    pub fn first_poison(&self) -> Option<u64> {
        self.items.iter().flat_map(|i| i.poison.iter().copied()).min()
    }

    /// When its oldest record arrived.
    pub fn oldest_arrival(&self) -> Option<SimTime> {
        self.items.first().map(|i| i.first_arrival)
    }

    /// When its newest record arrived.
    pub fn newest_arrival(&self) -> Option<SimTime> {
        self.items.last().map(|i| i.last_arrival)
    }

    /// The counters it spans (first, last).
    pub fn range(&self) -> Option<(u64, u64)> {
        Some((self.items.first()?.first, self.items.last()?.last()))
    }

    /// Splits the records from counter `at` off into a new batch (`at` inside this batch).
    pub fn split_from(&mut self, at: u64) -> Batch {
        let mut tail = Vec::new();
        let mut keep = Vec::new();
        for mut item in self.items.drain(..) {
            if item.first >= at {
                tail.push(item);
            } else if item.last() >= at {
                tail.push(item.split_at(at));
                keep.push(item);
            } else {
                keep.push(item);
            }
        }
        self.items = keep;
        Batch { items: tail, retries: self.retries, invocations: self.invocations }
    }

    /// Halves it by record count: the first half stays, the second is returned.
    pub fn bisect(&mut self) -> Batch {
        let half = self.len() / 2;
        let mut seen = 0;
        let mut at = None;
        for item in &self.items {
            if seen + item.count > half {
                at = Some(item.first + (half - seen));
                break;
            }
            seen += item.count;
        }
        match at {
            Some(at) if half > 0 => self.split_from(at),
            _ => Batch { items: Vec::new(), retries: self.retries, invocations: self.invocations },
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn item(first: u64, count: u64, poison: &[u64]) -> Item {
        Item {
            first,
            count,
            first_arrival: SimTime::from_secs(first),
            last_arrival: SimTime::from_secs(first + count - 1),
            bytes_each: 10,
            poison: poison.to_vec(),
            duplicates: 0,
        }
    }

    #[test]
    fn bisecting_isolates_a_poison_record() {
        let mut batch = Batch::new(vec![item(1, 100, &[37])]);
        let mut rounds = 0;
        while batch.len() > 1 {
            let mut second = batch.bisect();
            if second.first_poison().is_some() {
                std::mem::swap(&mut batch, &mut second);
            }
            assert!(second.first_poison().is_none(), "the clean half succeeds");
            rounds += 1;
        }
        assert_eq!((batch.range(), batch.first_poison(), rounds), (Some((37, 37)), Some(37), 7));
    }

    #[test]
    fn splitting_from_a_record_keeps_order_and_poison() {
        let mut batch = Batch::new(vec![item(1, 5, &[]), item(6, 5, &[8])]);
        let tail = batch.split_from(8);
        assert_eq!((batch.range(), tail.range()), (Some((1, 7)), Some((8, 10))));
        assert_eq!((batch.first_poison(), tail.first_poison()), (None, Some(8)));
        assert_eq!(batch.len() + tail.len(), 10);
        assert_eq!(batch.bytes(), 70);
    }
}
