//! A Lambda function behind a Kinesis event source mapping (spec kds.md §1.9, §4.10, §5.8).
//!
//! The mapping polls each shard about once a second (GetRecords, shared throughput), buffers what it
//! read, and invokes the function with a batch when BatchSize records are buffered, when the batching
//! window has passed, or at each poll when there is no window. With a ParallelizationFactor above 1 a
//! shard has that many lanes, each running one batch at a time; a record's lane follows its partition
//! key, so per-key order holds while keys of one shard run in parallel. A lane whose batch fails retries
//! it (see `batch`) and processes nothing else meanwhile — a poison record blocks its lane until it is
//! discarded or, with the defaults (retry for ever, no age limit), until retention trims it. After a
//! closed shard is done, its children start (parent before child [M]). IteratorAge is the age of each
//! batch's last record at invocation.

pub mod batch;

use self::batch::{Batch, Item};
use super::stats::ConsumerStats;
use crate::engine::kds::bulk::{BulkRead, StartAt};
use crate::engine::kds::error::KdsErrorKind;
use crate::engine::kds::hashing::partition_key_hash;
use crate::engine::kds::ids::ShardId;
use crate::engine::kds::KdsService;
use crate::engine::rng::SimRng;
use crate::engine::scenario::format::LambdaSpec;
use crate::engine::time::{SimDuration, SimTime};
use serde::Serialize;
use std::collections::VecDeque;

/// The mapping polls each shard this often.
const POLL: SimDuration = SimDuration::from_secs(1);
/// The synchronous invocation payload limit (6 MB) [M].
const PAYLOAD_BYTES_MAX: u64 = 6 * 1_000_000;
/// Records a shard's mapping holds read but unprocessed at most (a blocked lane stops it reading).
const BUFFERED_MAX: u64 = 100_000;
/// On-failure messages kept for the report.
const FAILURES_KEPT: usize = 100;

/// What the mapping asks its host to schedule.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LambdaWake {
    /// Poll a shard.
    Poll(SimTime, ShardId),
    /// An invocation on a shard's lane finishes.
    Done(SimTime, ShardId, usize),
    /// A lane may retry its failed batch.
    Retry(SimTime, ShardId, usize),
}

/// What an on-failure destination receives for a discarded batch (spec §10.12).
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct OnFailureRecord {
    /// The destination.
    pub destination: String,
    /// `RetryAttemptsExhausted` or `RecordAgeExceeded`.
    pub condition: String,
    /// The shard.
    pub shard_id: String,
    /// The first and last record's counters (the sequence numbers' positions).
    pub start_counter: u64,
    /// The last record's counter.
    pub end_counter: u64,
    /// Simulated ms when the first record arrived.
    pub approximate_arrival_of_first_record_ms: u64,
    /// Simulated ms when the last record arrived.
    pub approximate_arrival_of_last_record_ms: u64,
    /// Records in the batch.
    pub batch_size: u64,
    /// Invocations of it.
    pub approximate_invoke_count: u64,
    /// When it was discarded (simulated ms).
    pub at_ms: u64,
}

/// A running event source mapping and its function.
#[derive(Debug)]
pub struct LambdaEsm {
    /// As the scenario wrote it.
    pub spec: LambdaSpec,
    rng: SimRng,
    shards: Vec<Option<EsmShard>>,
    running: u64,
    /// Its counters.
    pub stats: ConsumerStats,
    /// The first discarded batches' on-failure messages.
    pub failures: Vec<OnFailureRecord>,
}

#[derive(Debug, Default)]
struct EsmShard {
    after: Option<u64>,
    start: Option<StartAt>,
    last_call: SimTime,
    /// Read, not yet batched: (lane, records).
    buffer: VecDeque<(usize, Item)>,
    buffered_since: Option<SimTime>,
    lanes: Vec<Lane>,
    read_to_end: bool,
    children: Vec<ShardId>,
    finished: bool,
}

#[derive(Debug, Default)]
struct Lane {
    /// The batch being processed and whether the function will fail it.
    in_flight: Option<(Batch, bool)>,
    /// Batches waiting to be (re)tried, front first.
    queue: VecDeque<Batch>,
    /// No retry before this instant.
    retry_at: SimTime,
}

impl LambdaEsm {
    /// A mapping that has not started.
    pub fn new(spec: LambdaSpec, rng: SimRng) -> LambdaEsm {
        LambdaEsm { spec, rng, shards: Vec::new(), running: 0, stats: ConsumerStats::default(), failures: Vec::new() }
    }

    /// Starts polling: the shards to poll now.
    pub fn start(&mut self, kds: &KdsService) -> Vec<ShardId> {
        let Some(infos) = kds.shard_infos(&self.spec.stream) else { return Vec::new() };
        let chosen = super::first_shards(&infos, self.spec.start);
        let start = StartAt::from(self.spec.start);
        for &id in &chosen {
            self.open_shard(id, start);
        }
        chosen
    }

    fn open_shard(&mut self, id: ShardId, start: StartAt) {
        let i = id.0 as usize;
        if self.shards.len() <= i {
            self.shards.resize_with(i + 1, || None);
        }
        let lanes = (0..self.spec.parallelization_factor).map(|_| Lane::default()).collect();
        self.shards[i] = Some(EsmShard { start: Some(start), lanes, ..EsmShard::default() });
    }

    /// Polls `shard`: reads when the buffer runs low, then starts batches on idle lanes.
    pub fn poll(&mut self, now: SimTime, shard: ShardId, kds: &mut KdsService) -> Vec<LambdaWake> {
        let Some(state) = self.shards.get(shard.0 as usize).and_then(Option::as_ref) else { return Vec::new() };
        if state.finished {
            return Vec::new();
        }
        // Read more while the lanes that can work have less than a batch each buffered; records of a
        // lane blocked by a failing batch wait (within a cap, so a blocked shard stops reading).
        let blocked: Vec<bool> = state.lanes.iter().map(|l| !l.queue.is_empty()).collect();
        let free = blocked.iter().filter(|b| !**b).count() as u64;
        let ready: u64 = state.buffer.iter().filter(|(ln, _)| !blocked[*ln]).map(|(_, i)| i.count).sum();
        let held: u64 = state.buffer.iter().map(|(_, i)| i.count).sum();
        let wanted = u64::from(self.spec.batch_size) * free;
        if !state.read_to_end && ready < wanted && held < BUFFERED_MAX {
            self.fetch(now, shard, kds);
        }
        let mut wakes = self.dispatch(now, shard, kds);
        if self.state(shard).is_some_and(|s| !s.finished) {
            wakes.push(LambdaWake::Poll(now + POLL, shard));
        }
        wakes
    }

    /// An invocation finished: success commits the batch; failure retries, splits or discards it.
    pub fn done(&mut self, now: SimTime, shard: ShardId, lane: usize, kds: &mut KdsService) -> Vec<LambdaWake> {
        let Some((mut batch, fails)) = self.lane(shard, lane).and_then(|l| l.in_flight.take()) else {
            return Vec::new();
        };
        self.running -= 1;
        if !fails {
            self.stats.records += batch.len();
            self.stats.user_records += batch.len();
            self.stats.bytes += batch.bytes();
            self.stats.duplicates += batch.items.iter().map(|i| i.duplicates).sum::<u64>();
        } else {
            self.stats.errors += 1;
            let exhausted = self.spec.max_retry_attempts >= 0 && batch.retries >= self.spec.max_retry_attempts as u64;
            if exhausted {
                self.discard(now, shard, batch, "RetryAttemptsExhausted");
            } else {
                batch.retries += 1;
                let mut retry = VecDeque::new();
                match batch.first_poison().filter(|_| self.spec.report_batch_item_failures) {
                    // The function names the first failing record: what came before it is done.
                    Some(first_bad) => {
                        let rest = batch.split_from(first_bad);
                        self.stats.records += batch.len();
                        self.stats.user_records += batch.len();
                        self.stats.bytes += batch.bytes();
                        retry.push_back(rest);
                    }
                    None if self.spec.bisect_on_error && batch.len() > 1 => {
                        let second = batch.bisect();
                        retry.push_back(batch);
                        retry.push_back(second);
                    }
                    None => retry.push_back(batch),
                }
                let delay = SimDuration::from_millis(self.spec.retry_delay_ms);
                if let Some(l) = self.lane(shard, lane) {
                    for b in retry.into_iter().rev() {
                        l.queue.push_front(b);
                    }
                    l.retry_at = now + delay;
                }
                let mut wakes = self.dispatch(now, shard, kds);
                wakes.push(LambdaWake::Retry(now + delay, shard, lane));
                return wakes;
            }
        }
        self.dispatch(now, shard, kds)
    }

    /// A lane's retry pause is over.
    pub fn retry(&mut self, now: SimTime, shard: ShardId, kds: &KdsService) -> Vec<LambdaWake> {
        self.dispatch(now, shard, kds)
    }

    /// How far behind it is: the age of the oldest record not yet processed, over its shards.
    pub fn behind_ms(&self) -> u64 {
        self.stats.behind_ms
    }

    fn state(&self, shard: ShardId) -> Option<&EsmShard> {
        self.shards.get(shard.0 as usize).and_then(Option::as_ref)
    }

    fn state_mut(&mut self, shard: ShardId) -> Option<&mut EsmShard> {
        self.shards.get_mut(shard.0 as usize).and_then(Option::as_mut)
    }

    fn lane(&mut self, shard: ShardId, lane: usize) -> Option<&mut Lane> {
        self.state_mut(shard)?.lanes.get_mut(lane)
    }

    /// One GetRecords call into the buffer.
    fn fetch(&mut self, now: SimTime, shard: ShardId, kds: &mut KdsService) {
        let stream = self.spec.stream.clone();
        let lanes = u64::from(self.spec.parallelization_factor);
        let Some(state) = self.state_mut(shard) else { return };
        let expired = now.saturating_since(state.last_call) > SimDuration::from_mins(5);
        if state.after.is_none() || expired {
            let at = state.after.map_or(state.start.unwrap_or(StartAt::TrimHorizon), StartAt::After);
            match kds.start_after(now, &stream, shard, at) {
                Ok(after) => state.after = Some(after),
                Err(_) => return,
            }
        }
        let after = state.after.expect("set above");
        state.last_call = now;
        let with_bodies = lanes > 1;
        let read = match kds.read_after(now, &stream, shard, after, 10_000, with_bodies) {
            Ok(read) => read,
            Err(e) => {
                if e.kind == KdsErrorKind::ProvisionedThroughputExceeded {
                    self.stats.read_throttled += 1;
                }
                return;
            }
        };
        self.stats.calls += 1;
        let state = self.state_mut(shard).expect("exists");
        let t = &read.taken;
        let next = t.last.map_or(read.last_counter.max(after), |(last, _)| last);
        let first = t.first.map_or(next + 1, |(first, _)| first);
        let lost = first.saturating_sub(after + 1);
        state.after = Some(next);
        if read.closed_end {
            state.read_to_end = true;
            state.children = read.children.clone();
        }
        if t.records > 0 {
            state.buffered_since.get_or_insert(now);
            state.buffer.extend(items_of(&read, lanes));
        }
        self.stats.lost_to_retention += lost;
    }

    /// Starts a batch on every idle lane that has one ready; finishes the shard when all is done.
    fn dispatch(&mut self, now: SimTime, shard: ShardId, kds: &KdsService) -> Vec<LambdaWake> {
        let mut wakes = Vec::new();
        let lanes = self.spec.parallelization_factor as usize;
        for lane in 0..lanes {
            while let Some(batch) = self.next_batch(now, shard, lane) {
                if let Some(wake) = self.invoke(now, shard, lane, batch, kds) {
                    wakes.push(wake);
                    break;
                }
            }
        }
        self.update_behind(now);
        if let Some(children) = self.finish_if_done(shard) {
            for child in children {
                self.open_shard(child, StartAt::TrimHorizon);
                wakes.push(LambdaWake::Poll(now, child));
            }
        }
        wakes
    }

    /// The lane's next batch: a waiting retry, or a new one from the buffer when it is due.
    fn next_batch(&mut self, now: SimTime, shard: ShardId, lane: usize) -> Option<Batch> {
        let window = SimDuration::from_secs(u64::from(self.spec.batching_window_s));
        let size = u64::from(self.spec.batch_size);
        let state = self.state_mut(shard)?;
        let l = state.lanes.get_mut(lane)?;
        if l.in_flight.is_some() {
            return None;
        }
        if !l.queue.is_empty() {
            // A lane with a failed batch processes nothing else until it is done with it.
            return if now >= l.retry_at { l.queue.pop_front() } else { None };
        }
        let mine: u64 = state.buffer.iter().filter(|(ln, _)| *ln == lane).map(|(_, i)| i.count).sum();
        let due = state.buffered_since.is_some_and(|since| now.saturating_since(since) >= window);
        if mine == 0 || (mine < size && !due && !state.read_to_end) {
            return None;
        }
        let mut items = Vec::new();
        let (mut count, mut bytes) = (0, 0);
        let mut rest = VecDeque::new();
        while let Some((ln, mut item)) = state.buffer.pop_front() {
            let fits = (PAYLOAD_BYTES_MAX - bytes) / item.bytes_each.max(1);
            if ln != lane || count == size || (fits == 0 && count > 0) {
                rest.push_back((ln, item));
                continue;
            }
            let take = item.count.min(size - count).min(fits.max(1));
            if take < item.count {
                let tail = item.split_at(item.first + take);
                rest.push_back((ln, tail));
            }
            count += item.count;
            bytes += item.count * item.bytes_each;
            items.push(item);
        }
        state.buffer = rest;
        if state.buffer.is_empty() {
            state.buffered_since = None;
        }
        Some(Batch::new(items))
    }

    /// Invokes the function with `batch` (or discards it first if it is too old, or trimmed away).
    fn invoke(
        &mut self,
        now: SimTime,
        shard: ShardId,
        lane: usize,
        mut batch: Batch,
        kds: &KdsService,
    ) -> Option<LambdaWake> {
        // Records trimmed by retention while the batch waited are gone.
        let floor = kds.streams().get(&self.spec.stream).map_or(SimTime::ZERO, |s| s.trim_floor());
        let before = batch.len();
        batch.items.retain(|i| i.last_arrival >= floor);
        self.stats.lost_to_retention += before - batch.len();
        if batch.is_empty() {
            return None;
        }
        let oldest = batch.oldest_arrival().unwrap_or(now);
        if self.spec.max_record_age_s >= 0
            && now.saturating_since(oldest) > SimDuration::from_secs(self.spec.max_record_age_s as u64)
        {
            self.discard(now, shard, batch, "RecordAgeExceeded");
            return None;
        }
        let fails = batch.first_poison().is_some()
            || (self.spec.error_fraction > 0.0 && self.rng.unit_f64() < self.spec.error_fraction);
        if batch.invocations > 0 {
            self.stats.reprocessed += batch.len();
        }
        batch.invocations += 1;
        self.stats.invocations += 1;
        self.running += 1;
        self.stats.concurrency_max = self.stats.concurrency_max.max(self.running);
        self.stats.age(now.saturating_since(batch.newest_arrival().unwrap_or(now)).as_millis());
        let busy_ms = self.spec.invocation_ms + self.spec.ms_per_record * batch.len() as f64;
        let done_at = now + SimDuration::from_micros((busy_ms * 1_000.0) as u64);
        self.lane(shard, lane)?.in_flight = Some((batch, fails));
        Some(LambdaWake::Done(done_at, shard, lane))
    }

    fn discard(&mut self, now: SimTime, shard: ShardId, batch: Batch, condition: &str) {
        self.stats.discarded_batches += 1;
        self.stats.discarded_records += batch.len();
        if self.failures.len() < FAILURES_KEPT {
            let (start, end) = batch.range().unwrap_or((0, 0));
            self.failures.push(OnFailureRecord {
                destination: self.spec.on_failure.clone().unwrap_or_default(),
                condition: condition.to_string(),
                shard_id: shard.to_string(),
                start_counter: start,
                end_counter: end,
                approximate_arrival_of_first_record_ms: batch.oldest_arrival().map_or(0, SimTime::as_millis),
                approximate_arrival_of_last_record_ms: batch.newest_arrival().map_or(0, SimTime::as_millis),
                batch_size: batch.len(),
                approximate_invoke_count: batch.invocations,
                at_ms: now.as_millis(),
            });
        }
    }

    /// Children to start when the shard was read to its end and nothing of it is left.
    fn finish_if_done(&mut self, shard: ShardId) -> Option<Vec<ShardId>> {
        let state = self.state_mut(shard)?;
        let idle = state.lanes.iter().all(|l| l.in_flight.is_none() && l.queue.is_empty());
        if state.finished || !state.read_to_end || !state.buffer.is_empty() || !idle {
            return None;
        }
        state.finished = true;
        let children = state.children.clone();
        Some(children.into_iter().filter(|c| self.state(*c).is_none()).collect())
    }

    fn update_behind(&mut self, now: SimTime) {
        let oldest = self
            .shards
            .iter()
            .flatten()
            .flat_map(|s| {
                let lanes = s.lanes.iter().flat_map(|l| l.in_flight.iter().map(|(b, _)| b).chain(l.queue.iter()));
                lanes.filter_map(Batch::oldest_arrival).chain(s.buffer.iter().map(|(_, i)| i.first_arrival))
            })
            .min();
        self.stats.behind_ms = oldest.map_or(0, |t| now.saturating_since(t).as_millis());
    }
}

/// A read as buffer items: each record with its lane (record detail), or the whole read as one item.
fn items_of(read: &BulkRead, lanes: u64) -> Vec<(usize, Item)> {
    let t = &read.taken;
    if lanes > 1 {
        return read
            .records
            .iter()
            .map(|r| {
                let lane = (partition_key_hash(&r.partition_key).0 % u128::from(lanes)) as usize;
                let item = Item {
                    first: r.counter,
                    count: 1,
                    first_arrival: r.arrival,
                    last_arrival: r.arrival,
                    bytes_each: (r.partition_key.len() + r.data.len()) as u64,
                    poison: if r.labels.poison { vec![r.counter] } else { Vec::new() },
                    duplicates: u64::from(r.labels.duplicate),
                };
                (lane, item)
            })
            .collect();
    }
    let (Some((first, first_arrival)), Some((_, last_arrival))) = (t.first, t.last) else { return Vec::new() };
    let item = Item {
        first,
        count: t.records,
        first_arrival,
        last_arrival,
        bytes_each: t.bytes / t.records.max(1),
        poison: t.poison.clone(),
        duplicates: t.duplicates,
    };
    vec![(0, item)]
}
