//! The buffering rule (spec firehose-analytics.md §1.4): size and interval are hints, and whichever is
//! met first flushes the buffer.
//!
//! - A buffer opens with its first record; its interval timer runs from then, so the first object's
//!   freshness is at most the interval.
//! - After each append, a buffer holding at least the size hint flushes at once, including the record that
//!   crossed the line: an object is [size, size + one record) big.
//! - An empty buffer has no timer and never flushes: no empty objects.
//! - With interval 0 (the `api2025` profile) a buffer flushes at the next delivery tick.
//!
//! Sizes count bytes before compression (L20). One buffer serves a destination, or one partition of it.

use crate::engine::time::{SimDuration, SimTime};

/// What made a buffer flush.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Trigger {
    /// The size hint was reached.
    Size,
    /// The interval ran out.
    Interval,
    /// Not a flush: a Redshift COPY of objects already delivered to the intermediate bucket.
    Copy,
}

/// A flushed batch: the records of one object to deliver.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Batch<T> {
    /// The records, in arrival order.
    pub records: Vec<T>,
    /// Their bytes before compression.
    pub bytes: u64,
    /// When the first record arrived.
    pub opened_at: SimTime,
    /// When the buffer flushed.
    pub flushed_at: SimTime,
    /// Why.
    pub trigger: Trigger,
    /// Batches coalesced into this one while delivery was behind (the "buffer raised by service").
    pub coalesced: usize,
}

/// One buffer with its hints.
#[derive(Clone, Debug)]
pub struct Buffer<T> {
    size_hint: u64,
    interval: SimDuration,
    /// The delivery tick that stands in for a 0 s interval.
    tick: SimDuration,
    records: Vec<T>,
    bytes: u64,
    opened_at: Option<SimTime>,
}

/// The delivery tick of a 0 s interval [SIM: 1 s].
pub const ZERO_INTERVAL_TICK: SimDuration = SimDuration::from_secs(1);

impl<T> Buffer<T> {
    /// An empty buffer with a size hint in bytes and an interval.
    pub fn new(size_hint_bytes: u64, interval: SimDuration) -> Buffer<T> {
        Buffer {
            size_hint: size_hint_bytes.max(1),
            interval,
            tick: ZERO_INTERVAL_TICK,
            records: Vec::new(),
            bytes: 0,
            opened_at: None,
        }
    }

    /// Bytes held now.
    pub fn bytes(&self) -> u64 {
        self.bytes
    }

    /// Records held now.
    pub fn len(&self) -> usize {
        self.records.len()
    }

    /// True when nothing is held.
    pub fn is_empty(&self) -> bool {
        self.records.is_empty()
    }

    /// When the buffer opened, if it holds anything.
    pub fn opened_at(&self) -> Option<SimTime> {
        self.opened_at
    }

    /// The ingest rate at which size and interval trigger together: size / interval, in bytes per second
    /// (`None` for a 0 s interval, where every tick flushes).
    pub fn break_even_bytes_per_sec(&self) -> Option<f64> {
        let secs = self.interval.as_secs_f64();
        (secs > 0.0).then(|| self.size_hint as f64 / secs)
    }

    /// Adds a record of `bytes`; returns the batch when this crosses the size hint.
    pub fn append(&mut self, now: SimTime, record: T, bytes: u64) -> Option<Batch<T>> {
        self.opened_at.get_or_insert(now);
        self.records.push(record);
        self.bytes += bytes;
        (self.bytes >= self.size_hint).then(|| self.flush(now, Trigger::Size))
    }

    /// The records held, oldest first.
    pub fn records(&self) -> &[T] {
        &self.records
    }

    /// Empties the buffer without a flush, handing back its records (a configuration change re-buffers them).
    pub fn into_records(self) -> Vec<T> {
        self.records
    }

    /// When the interval runs out (`SimTime::MAX` while empty).
    pub fn poll_timeout(&self) -> SimTime {
        match self.opened_at {
            None => SimTime::MAX,
            Some(opened) if self.interval == SimDuration::ZERO => opened + self.tick,
            Some(opened) => opened + self.interval,
        }
    }

    /// Flushes on the interval when it has run out by `now`.
    pub fn handle_timeout(&mut self, now: SimTime) -> Option<Batch<T>> {
        (self.poll_timeout() <= now).then(|| self.flush(now, Trigger::Interval))
    }

    fn flush(&mut self, now: SimTime, trigger: Trigger) -> Batch<T> {
        let opened_at = self.opened_at.take().expect("a flush follows an append, which opens the buffer");
        let bytes = std::mem::take(&mut self.bytes);
        Batch { records: std::mem::take(&mut self.records), bytes, opened_at, flushed_at: now, trigger, coalesced: 0 }
    }
}

/// Catch-up (rule 6): when more than `max_waiting` batches wait for a delivery in flight, the service
/// merges them into one bigger object. Returns the queue after merging (oldest first).
pub fn coalesce<T>(mut waiting: Vec<Batch<T>>, max_waiting: usize) -> Vec<Batch<T>> {
    if waiting.len() <= max_waiting {
        return waiting;
    }
    let mut merged = waiting.remove(0);
    for batch in waiting {
        merged.records.extend(batch.records);
        merged.bytes += batch.bytes;
        merged.flushed_at = merged.flushed_at.max(batch.flushed_at);
        merged.coalesced += 1 + batch.coalesced;
    }
    vec![merged]
}

#[cfg(test)]
mod tests {
    use super::*;

    const MIB: u64 = 1024 * 1024;
    const KIB: u64 = 1024;

    /// Feeds `rate` bytes per second as 1 KiB records for `secs` seconds; returns the batches.
    fn feed(buffer: &mut Buffer<u64>, rate: u64, secs: u64) -> Vec<Batch<u64>> {
        let mut out = Vec::new();
        let per_sec = (rate / KIB).max(1);
        let step = SimDuration::from_micros(1_000_000 / per_sec);
        let mut now = SimTime::ZERO;
        let end = SimTime::from_secs(secs);
        let mut i = 0;
        while now < end {
            out.extend(buffer.handle_timeout(now));
            out.extend(buffer.append(now, i, KIB));
            i += 1;
            now += step;
        }
        out.extend(buffer.handle_timeout(end));
        out
    }

    #[test]
    fn at_1_mib_per_second_size_wins_every_5_seconds() {
        let mut buffer = Buffer::new(5 * MIB, SimDuration::from_secs(300));
        let batches = feed(&mut buffer, MIB, 60);
        assert_eq!(batches.len(), 12);
        for b in &batches {
            assert_eq!(b.trigger, Trigger::Size);
            assert!(b.bytes >= 5 * MIB && b.bytes < 5 * MIB + KIB, "[size, size + one record): {}", b.bytes);
            assert_eq!((b.flushed_at - b.opened_at).as_millis() / 100, 49, "about 5 s per object");
        }
    }

    #[test]
    fn at_1_kib_per_second_the_interval_wins_with_about_300_kib() {
        let mut buffer = Buffer::new(5 * MIB, SimDuration::from_secs(300));
        let batches = feed(&mut buffer, KIB, 900);
        assert_eq!(batches.len(), 3);
        assert!(batches.iter().all(|b| b.trigger == Trigger::Interval && b.bytes == 300 * KIB));
        assert_eq!(batches[0].flushed_at, SimTime::from_secs(300), "the timer runs from the first record");
        assert_eq!(buffer.break_even_bytes_per_sec().map(|r| (r / KIB as f64 * 10.0).round() / 10.0), Some(17.1));
    }

    #[test]
    fn an_empty_buffer_has_no_timer_and_writes_no_object() {
        let mut buffer: Buffer<u64> = Buffer::new(MIB, SimDuration::from_secs(60));
        assert_eq!(buffer.poll_timeout(), SimTime::MAX);
        assert_eq!(buffer.handle_timeout(SimTime::from_secs(3_600)), None);
        buffer.append(SimTime::from_secs(100), 1, 10);
        assert_eq!(buffer.poll_timeout(), SimTime::from_secs(160));
        assert_eq!(buffer.handle_timeout(SimTime::from_secs(159)), None);
        let batch = buffer.handle_timeout(SimTime::from_secs(160)).expect("the interval ran out");
        assert_eq!((batch.records, batch.opened_at), (vec![1], SimTime::from_secs(100)));
        assert_eq!(buffer.poll_timeout(), SimTime::MAX);
    }

    #[test]
    fn a_zero_interval_flushes_at_the_next_tick() {
        let mut buffer = Buffer::new(MIB, SimDuration::ZERO);
        buffer.append(SimTime::from_millis(200), 1, 10);
        assert_eq!(buffer.poll_timeout(), SimTime::from_millis(1_200));
        assert_eq!(buffer.break_even_bytes_per_sec(), None);
    }

    #[test]
    fn catch_up_merges_waiting_batches_into_a_bigger_object() {
        let mut buffer = Buffer::new(100, SimDuration::from_secs(60));
        let batches: Vec<Batch<u64>> = (0..5).filter_map(|i| buffer.append(SimTime::from_secs(i), i, 100)).collect();
        assert_eq!(coalesce(batches.clone(), 5).len(), 5, "no more than allowed wait: nothing changes");
        let merged = coalesce(batches, 3);
        assert_eq!(merged.len(), 1);
        assert_eq!((merged[0].bytes, merged[0].coalesced, merged[0].records.len()), (500, 4, 5));
    }
}
