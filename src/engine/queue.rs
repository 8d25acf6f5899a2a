//! The engine's one timer queue.
//!
//! Every delayed thing in a run (a metrics sample, a stream leaving CREATING, a Firehose buffer flush,
//! an iterator expiring) is a timer here, keyed by what it means. Timers pop in order of time; timers
//! due at the same instant pop in the order they were scheduled (a per-queue sequence number breaks
//! the tie), so a run never depends on heap internals. Cancelled timers are forgotten lazily: they
//! stay in the heap until they reach the top, where every mutation drops them, so the top of the heap
//! is always a pending timer and peeking needs no mutation.

use super::time::SimTime;
use std::cmp::Ordering;
use std::collections::{BTreeSet, BinaryHeap};

/// A handle to one scheduled timer, for cancelling it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct TimerId(u64);

/// Timers keyed by `K`, popped in `(time, scheduling order)` order.
#[derive(Debug)]
pub struct TimerQueue<K> {
    heap: BinaryHeap<Entry<K>>,
    /// Sequence numbers of timers scheduled and neither popped nor cancelled.
    pending: BTreeSet<u64>,
    next_seq: u64,
}

impl<K> Default for TimerQueue<K> {
    fn default() -> Self {
        TimerQueue { heap: BinaryHeap::new(), pending: BTreeSet::new(), next_seq: 0 }
    }
}

impl<K> TimerQueue<K> {
    /// An empty queue.
    pub fn new() -> Self {
        Self::default()
    }

    /// Schedules `key` to fire at `at`; timers at equal times fire in the order they were scheduled.
    pub fn schedule(&mut self, at: SimTime, key: K) -> TimerId {
        let seq = self.next_seq;
        self.next_seq += 1;
        self.pending.insert(seq);
        self.heap.push(Entry { at, seq, key });
        TimerId(seq)
    }

    /// Cancels a timer; returns whether it was still pending.
    pub fn cancel(&mut self, id: TimerId) -> bool {
        let was_pending = self.pending.remove(&id.0);
        self.drop_cancelled_top();
        was_pending
    }

    /// The time of the earliest pending timer, or `SimTime::MAX` when none is pending.
    pub fn next_time(&self) -> SimTime {
        self.heap.peek().map_or(SimTime::MAX, |top| top.at)
    }

    /// Removes and returns the earliest pending timer if it is due at or before `now`.
    pub fn pop_due(&mut self, now: SimTime) -> Option<(SimTime, K)> {
        if self.heap.peek()?.at > now {
            return None;
        }
        let entry = self.heap.pop().expect("peek() just found an entry");
        self.pending.remove(&entry.seq);
        self.drop_cancelled_top();
        Some((entry.at, entry.key))
    }

    /// How many timers are pending.
    pub fn len(&self) -> usize {
        self.pending.len()
    }

    /// True when no timer is pending.
    pub fn is_empty(&self) -> bool {
        self.pending.is_empty()
    }

    /// Restores the invariant that the top of the heap, if any, is pending.
    fn drop_cancelled_top(&mut self) {
        while self.heap.peek().is_some_and(|top| !self.pending.contains(&top.seq)) {
            self.heap.pop();
        }
    }
}

#[derive(Debug)]
struct Entry<K> {
    at: SimTime,
    seq: u64,
    key: K,
}

// Ordered by (at, seq) only, reversed so std's max-heap pops the earliest; keys need no ordering.
impl<K> Ord for Entry<K> {
    fn cmp(&self, other: &Self) -> Ordering {
        (other.at, other.seq).cmp(&(self.at, self.seq))
    }
}

impl<K> PartialOrd for Entry<K> {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl<K> PartialEq for Entry<K> {
    fn eq(&self, other: &Self) -> bool {
        self.seq == other.seq
    }
}

impl<K> Eq for Entry<K> {}

#[cfg(test)]
mod tests {
    use super::*;

    fn drain(q: &mut TimerQueue<&'static str>, now: SimTime) -> Vec<(u64, &'static str)> {
        std::iter::from_fn(|| q.pop_due(now)).map(|(t, k)| (t.as_millis(), k)).collect()
    }

    #[test]
    fn pops_in_time_order_and_only_when_due() {
        let mut q = TimerQueue::new();
        q.schedule(SimTime::from_millis(30), "c");
        q.schedule(SimTime::from_millis(10), "a");
        q.schedule(SimTime::from_millis(20), "b");
        assert_eq!(q.next_time(), SimTime::from_millis(10));
        assert_eq!(drain(&mut q, SimTime::from_millis(20)), vec![(10, "a"), (20, "b")]);
        assert_eq!(q.len(), 1);
        assert_eq!(drain(&mut q, SimTime::from_millis(29)), vec![]);
        assert_eq!(drain(&mut q, SimTime::MAX), vec![(30, "c")]);
        assert_eq!(q.next_time(), SimTime::MAX);
        assert!(q.is_empty());
    }

    #[test]
    fn equal_times_pop_in_scheduling_order() {
        let mut q = TimerQueue::new();
        let t = SimTime::from_secs(1);
        for key in ["first", "second", "third", "fourth"] {
            q.schedule(t, key);
        }
        let keys: Vec<_> = drain(&mut q, t).into_iter().map(|(_, k)| k).collect();
        assert_eq!(keys, ["first", "second", "third", "fourth"]);
    }

    #[test]
    fn cancelled_timers_never_fire() {
        let mut q = TimerQueue::new();
        let a = q.schedule(SimTime::from_millis(1), "a");
        q.schedule(SimTime::from_millis(2), "b");
        assert!(q.cancel(a));
        assert!(!q.cancel(a), "a second cancel reports nothing pending");
        assert_eq!(q.len(), 1);
        assert_eq!(q.next_time(), SimTime::from_millis(2));
        assert_eq!(drain(&mut q, SimTime::MAX), vec![(2, "b")]);
    }

    #[test]
    fn a_popped_timer_cannot_be_cancelled() {
        let mut q = TimerQueue::new();
        let a = q.schedule(SimTime::ZERO, "a");
        assert_eq!(drain(&mut q, SimTime::ZERO), vec![(0, "a")]);
        assert!(!q.cancel(a));
    }
}
