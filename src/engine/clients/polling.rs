//! A shared-throughput (polling) consumer: one GetRecords loop per shard (spec kds.md §1.7, §4.3, §4.9).
//!
//! Each shard reader calls GetRecords with its `limit`, spends `process_ms_per_record` on what it got,
//! waits `poll_ms`, and calls again. All polling consumers of a shard share its 5 calls/s and 2 MiB/s,
//! so a throttled call just waits for the next poll. A reader that took more than five minutes between
//! calls finds its iterator expired and fetches a new one from its position (AFTER_SEQUENCE_NUMBER).
//! Records trimmed before they were read are counted as lost. At a closed shard's end the reader moves
//! to the children, each once all its parents are finished: parent before child, as KCL does.

use super::stats::ConsumerStats;
use crate::engine::kds::bulk::StartAt;
use crate::engine::kds::error::KdsErrorKind;
use crate::engine::kds::ids::ShardId;
use crate::engine::kds::limits::ITERATOR_LIFETIME_MS;
use crate::engine::kds::KdsService;
use crate::engine::rng::SimRng;
use crate::engine::scenario::format::PollingSpec;
use crate::engine::time::{SimDuration, SimTime};

/// A running polling consumer.
#[derive(Debug)]
pub struct PollingConsumer {
    /// As the scenario wrote it.
    pub spec: PollingSpec,
    /// Readers by shard index (shard ids are dense).
    readers: Vec<Option<Reader>>,
    /// Its counters.
    pub stats: ConsumerStats,
    /// When in its poll interval it first polls: applications start at arbitrary moments, and readers
    /// polling in lockstep would always meet the shard's call limit in the same order.
    pub phase: SimDuration,
}

#[derive(Clone, Copy, Debug)]
struct Reader {
    /// The last record read (None until the first iterator is fetched).
    after: Option<u64>,
    /// Where the first iterator starts.
    start: StartAt,
    /// When it last called GetRecords or GetShardIterator (its iterator's age).
    last_call: SimTime,
    /// MillisBehindLatest of its last read.
    behind_ms: u64,
    /// True once it read a closed shard to its end.
    done: bool,
}

impl PollingConsumer {
    /// A consumer that has not started.
    pub fn new(spec: PollingSpec, mut rng: SimRng) -> PollingConsumer {
        let phase = SimDuration::from_millis(rng.below(spec.poll_ms.max(1)));
        PollingConsumer { spec, readers: Vec::new(), stats: ConsumerStats::default(), phase }
    }

    /// Starts reading: returns the shards to poll now.
    pub fn start(&mut self, now: SimTime, kds: &KdsService) -> Vec<ShardId> {
        let Some(shards) = kds.shard_infos(&self.spec.stream) else { return Vec::new() };
        let chosen = super::first_shards(&shards, self.spec.start);
        let start = StartAt::from(self.spec.start);
        for &id in &chosen {
            self.set(id, Reader { after: None, start, last_call: now, behind_ms: 0, done: false });
        }
        chosen
    }

    /// Polls `shard` at `now`; returns when to poll which shards next.
    pub fn poll(&mut self, now: SimTime, shard: ShardId, kds: &mut KdsService) -> Vec<(SimTime, ShardId)> {
        let poll = SimDuration::from_millis(self.spec.poll_ms);
        let stream = self.spec.stream.clone();
        let Some(mut reader) = self.reader(shard).filter(|r| !r.done) else { return Vec::new() };
        let expired = now.saturating_since(reader.last_call) > SimDuration::from_millis(ITERATOR_LIFETIME_MS);
        if reader.after.is_none() || expired {
            let at = reader.after.map_or(reader.start, StartAt::After);
            match kds.start_after(now, &stream, shard, at) {
                Ok(after) => {
                    self.stats.iterator_renewals += u64::from(reader.after.is_some());
                    reader.after = Some(after);
                    reader.last_call = now;
                }
                Err(e) if e.kind == KdsErrorKind::ProvisionedThroughputExceeded => {
                    self.set(shard, reader);
                    return vec![(now + poll, shard)];
                }
                Err(_) => return self.finish(shard), // the shard expired: nothing left to read
            }
        }
        let after = reader.after.expect("set above");
        self.stats.calls += 1;
        reader.last_call = now;
        let read = match kds.read_after(now, &stream, shard, after, self.spec.limit, false) {
            Ok(read) => read,
            Err(e) if e.kind == KdsErrorKind::ProvisionedThroughputExceeded => {
                self.stats.read_throttled += 1;
                self.set(shard, reader);
                return vec![(now + poll, shard)];
            }
            Err(_) => return self.finish(shard),
        };
        let t = &read.taken;
        // Records between our position and what came back were trimmed before we read them.
        let next = t.last.map_or(read.last_counter.max(after), |(last, _)| last);
        let first = t.first.map_or(next + 1, |(first, _)| first);
        self.stats.lost_to_retention += first.saturating_sub(after + 1);
        self.stats.records += t.records;
        // A plain GetRecords reader sees Kinesis records; only KCL de-aggregates KPL records.
        self.stats.user_records += t.records;
        self.stats.bytes += t.bytes;
        self.stats.duplicates += t.duplicates;
        self.stats.age(read.age_ms);
        reader.after = Some(next);
        reader.behind_ms = read.millis_behind_latest;
        self.set(shard, reader);
        if read.closed_end {
            let mut polls = self.finish(shard);
            polls.extend(self.adopt_children(now, &read.children, kds));
            return polls;
        }
        let busy_us = (t.records as f64 * self.spec.process_ms_per_record * 1_000.0) as u64;
        vec![(now + SimDuration::from_micros(busy_us) + poll, shard)]
    }

    /// How far behind the newest record it is now: the largest MillisBehindLatest of its shards.
    pub fn behind_ms(&self) -> u64 {
        self.readers.iter().flatten().filter(|r| !r.done).map(|r| r.behind_ms).max().unwrap_or(0)
    }

    fn reader(&self, shard: ShardId) -> Option<Reader> {
        self.readers.get(shard.0 as usize).copied().flatten()
    }

    fn set(&mut self, shard: ShardId, reader: Reader) {
        let i = shard.0 as usize;
        if self.readers.len() <= i {
            self.readers.resize(i + 1, None);
        }
        self.readers[i] = Some(reader);
    }

    fn finish(&mut self, shard: ShardId) -> Vec<(SimTime, ShardId)> {
        if let Some(r) = self.readers.get_mut(shard.0 as usize).and_then(Option::as_mut) {
            r.done = true;
        }
        Vec::new()
    }

    /// Children whose parents are all finished (or gone) start from their beginning.
    fn adopt_children(&mut self, now: SimTime, children: &[ShardId], kds: &KdsService) -> Vec<(SimTime, ShardId)> {
        let infos = kds.shard_infos(&self.spec.stream).unwrap_or_default();
        let mut polls = Vec::new();
        for child in children {
            if self.reader(*child).is_some() {
                continue;
            }
            let Some(info) = infos.iter().find(|s| s.id == *child) else { continue };
            // A parent is finished when read to its end, or when it is gone (expired) unread.
            let finished = |p: &ShardId| match self.reader(*p) {
                Some(r) => r.done,
                None => !infos.iter().any(|s| s.id == *p),
            };
            let parents_done = info.parents.iter().all(finished);
            if parents_done {
                let start = StartAt::TrimHorizon;
                self.set(*child, Reader { after: None, start, last_call: now, behind_ms: 0, done: false });
                polls.push((now, *child));
            }
        }
        polls
    }
}
