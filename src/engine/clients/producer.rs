//! A simulated producer application (spec kds.md §4.2, §4.7, §5.8).
//!
//! Every tick it creates the records its rate curve owes — in record detail each with a key, a body and a
//! size; in fast-forward as runs per shard and size class, split by a multinomial draw from the key
//! plan's shard shares — and hands them to its client library: one PutRecord call per record, or
//! PutRecords batches of up to `max_records` (and 5 MiB) sent at once or after `linger_ms`.
//!
//! Failed entries are retried with exponential backoff and jitter, `delay_n = jitter(min(cap, base·2^n))`,
//! up to `max_attempts` sends, then dropped and counted. A call whose acknowledgement is lost (a timeout
//! after success, with probability `lost_ack_fraction`) is resent whole: what it had stored is stored
//! again, labelled duplicate. Records are never hidden: every one ends stored, waiting, or dropped.

use super::stats::{put_units, ProducerStats};
use crate::engine::distributions::multinomial;
use crate::engine::kds::bulk::{PutCall, RunWrite};
use crate::engine::kds::hashing::partition_key_hash;
use crate::engine::kds::ids::{HashKey, HashRange};
use crate::engine::kds::limits::{PUT_RECORDS_BYTES_MAX, RECORD_BYTES_MAX};
use crate::engine::kds::record::Labels;
use crate::engine::kds::shard::Detail;
use crate::engine::kds::KdsService;
use crate::engine::rng::SimRng;
use crate::engine::scenario::compile::{BodyPlan, ProducerPlan};
use crate::engine::scenario::format::{Jitter, PutApi};
use crate::engine::time::{SimDuration, SimTime};
use std::collections::{BTreeMap, VecDeque};

/// Records the producer holds: one record with its body (record detail), or a run (fast-forward).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Outgoing {
    /// Where they route.
    pub hash: HashKey,
    /// How many records.
    pub count: u32,
    /// Data + partition key bytes of each.
    pub bytes_each: u32,
    /// Ground truth about them.
    pub labels: Labels,
    /// The record itself, in record detail.
    pub body: Option<(String, Vec<u8>)>,
    /// Sends so far.
    pub attempts: u32,
    /// When the application created them.
    pub created: SimTime,
}

impl Outgoing {
    /// A copy without the body.
    fn clone_bare(&self) -> Outgoing {
        Outgoing {
            hash: self.hash,
            count: self.count,
            bytes_each: self.bytes_each,
            labels: self.labels,
            body: None,
            attempts: self.attempts,
            created: self.created,
        }
    }
}

/// What the producer asks its host to schedule.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Wake {
    /// Flush the PutRecords buffer.
    Flush(SimTime),
    /// Resend retry batch `id`.
    Retry(SimTime, u64),
}

/// A running producer.
#[derive(Debug)]
pub struct Producer {
    /// Its compiled plan.
    pub plan: ProducerPlan,
    rng: SimRng,
    /// True while it sends.
    pub running: bool,
    /// Scenario seconds up to which records have been created.
    created_to: f64,
    buffer: VecDeque<Outgoing>,
    flush_at: Option<SimTime>,
    retries: BTreeMap<u64, Vec<Outgoing>>,
    next_retry: u64,
    /// Fast-forward routing: the stream's shard count when computed, and (representative hash, share) per open shard.
    shares: (usize, Vec<(HashKey, f64)>),
    poison_left: Vec<f64>,
    seq: u64,
    /// Its counters.
    pub stats: ProducerStats,
}

impl Producer {
    /// A producer that has not started yet.
    pub fn new(plan: ProducerPlan, rng: SimRng) -> Producer {
        let mut poison_left = plan.spec.poison.as_ref().map(|p| p.at_s.clone()).unwrap_or_default();
        poison_left.sort_by(f64::total_cmp);
        Producer {
            plan,
            rng,
            running: false,
            created_to: 0.0,
            buffer: VecDeque::new(),
            flush_at: None,
            retries: BTreeMap::new(),
            next_retry: 0,
            shares: (0, Vec::new()),
            poison_left,
            seq: 0,
            stats: ProducerStats::default(),
        }
    }

    /// Starts (or resumes) sending at scenario second `t_s`: records are owed from then on.
    pub fn start(&mut self, t_s: f64) {
        self.running = true;
        self.created_to = t_s;
    }

    /// One tick at `now` (scenario second `t_s`): create what is owed since the last tick and send it.
    pub fn tick(&mut self, now: SimTime, t_s: f64, wall_ms: u64, kds: &mut KdsService) -> Vec<Wake> {
        if !self.running {
            return Vec::new();
        }
        let n = self.plan.rate.records_between(self.created_to, t_s);
        let poison: usize = self.poison_left.iter().take_while(|p| **p < t_s).count();
        self.poison_left.drain(..poison);
        self.created_to = t_s;
        let stream = self.plan.spec.stream.clone();
        let Some(detail) = kds.streams().get(&stream).map(|s| s.detail) else { return Vec::new() };
        let fresh = match detail {
            Detail::Records => self.create_records(n, poison, now, wall_ms),
            Detail::Runs => self.create_runs(n, poison, now, kds),
        };
        self.stats.user_records += fresh.iter().map(|o| u64::from(o.count)).sum::<u64>();
        self.buffer.extend(fresh);
        self.dispatch(now, kds, false)
    }

    /// The flush timer fired: send whatever is buffered.
    pub fn flush(&mut self, now: SimTime, kds: &mut KdsService) -> Vec<Wake> {
        self.flush_at = None;
        self.dispatch(now, kds, true)
    }

    /// Stops sending; what is buffered goes out now, retries still run.
    pub fn stop(&mut self, now: SimTime, kds: &mut KdsService) -> Vec<Wake> {
        self.running = false;
        self.flush(now, kds)
    }

    /// A retry batch is due: resend it.
    pub fn retry(&mut self, now: SimTime, id: u64, kds: &mut KdsService) -> Vec<Wake> {
        let Some(batch) = self.retries.remove(&id) else { return Vec::new() };
        self.stats.retried += batch.iter().map(|o| u64::from(o.count)).sum::<u64>();
        let mut wakes = Vec::new();
        for call in chunk(batch, self.max_records()) {
            wakes.extend(self.send(now, call, kds));
        }
        wakes
    }

    /// Records created but not yet stored or dropped (buffered or waiting to retry).
    pub fn in_flight(&self) -> u64 {
        let buffered: u64 = self.buffer.iter().map(|o| u64::from(o.count)).sum();
        buffered + self.retries.values().flatten().map(|o| u64::from(o.count)).sum::<u64>()
    }

    fn max_records(&self) -> u32 {
        match self.plan.spec.api {
            PutApi::PutRecord => 1,
            PutApi::PutRecords => self.plan.spec.batch.max_records,
        }
    }

    /// Sends full batches, and partial ones when lingering is off or `all` is set; schedules the linger.
    fn dispatch(&mut self, now: SimTime, kds: &mut KdsService, all: bool) -> Vec<Wake> {
        let max = self.max_records();
        let linger = SimDuration::from_millis(self.plan.spec.batch.linger_ms);
        let mut wakes = Vec::new();
        let send_partial = all || linger.is_zero() || self.plan.spec.api == PutApi::PutRecord;
        let pending: Vec<Outgoing> = self.buffer.drain(..).collect();
        let mut calls = chunk(pending, max);
        if !send_partial && calls.last().is_some_and(|c| c.iter().map(|o| o.count).sum::<u32>() < max) {
            let partial = calls.pop().expect("checked");
            let oldest = partial.iter().map(|o| o.created).min().unwrap_or(now);
            self.buffer.extend(partial);
            if self.flush_at.is_none() {
                let at = (oldest + linger).max(now);
                self.flush_at = Some(at);
                wakes.push(Wake::Flush(at));
            }
        }
        for call in calls {
            wakes.extend(self.send(now, call, kds));
        }
        wakes
    }

    /// One API call (PutRecords, or PutRecord per record) with these records; failures go to a retry batch.
    fn send(&mut self, now: SimTime, call: Vec<Outgoing>, kds: &mut KdsService) -> Vec<Wake> {
        let api = match self.plan.spec.api {
            PutApi::PutRecord => PutCall::PutRecord,
            PutApi::PutRecords => PutCall::PutRecords,
        };
        let records: u64 = call.iter().map(|o| u64::from(o.count)).sum();
        self.stats.sent += records;
        self.stats.calls += if api == PutCall::PutRecord { records } else { 1 };
        let lost_ack = {
            let fraction = self.plan.spec.retry.lost_ack_fraction;
            fraction > 0.0 && self.rng.unit_f64() < fraction
        };
        // What each entry was, to account for it afterwards; with a lost acknowledgement everything is
        // resent, so then the bodies must survive the call too.
        let meta: Vec<Outgoing> = call
            .iter()
            .map(|o| Outgoing { body: if lost_ack { o.body.clone() } else { None }, ..o.clone_bare() })
            .collect();
        let writes = call
            .into_iter()
            .map(|o| RunWrite {
                hash: o.hash,
                count: o.count,
                bytes_each: o.bytes_each,
                users_each: 1,
                labels: o.labels,
                body: o.body,
            })
            .collect();
        let written = match kds.put_runs(now, &self.plan.spec.stream, api, writes) {
            Ok(written) => written,
            Err(e) => {
                // Not a capacity problem (the stream is gone, a key is disabled…): not retried.
                *self.stats.errors.entry(e.kind.aws_code().to_string()).or_default() += records;
                self.stats.dropped += records;
                return Vec::new();
            }
        };
        let mut failed = Vec::new();
        for (w, o) in written.into_iter().zip(meta) {
            let (stored, rejected) = (w.accepted, o.count - w.accepted);
            let bytes = u64::from(o.bytes_each);
            self.stats.stored += u64::from(stored);
            self.stats.stored_bytes += u64::from(stored) * bytes;
            self.stats.put_units += u64::from(stored) * put_units(bytes);
            self.stats.stored_kib += u64::from(stored) * bytes.div_ceil(1_024);
            self.stats.throttled += u64::from(rejected);
            if o.labels.duplicate {
                self.stats.duplicates += u64::from(stored);
            }
            if stored > 0 {
                self.stats.latency_ms_max = self.stats.latency_ms_max.max(now.saturating_since(o.created).as_millis());
            }
            if lost_ack && stored > 0 {
                let labels = Labels { duplicate: true, ..o.labels };
                failed.push(Outgoing { count: stored, labels, ..o.clone() });
            }
            if rejected > 0 {
                let body = if lost_ack { o.body.clone() } else { w.returned };
                failed.push(Outgoing { count: rejected, body, ..o });
            }
        }
        self.stats.lost_acks += u64::from(lost_ack);
        self.schedule_retry(now, failed)
    }

    fn schedule_retry(&mut self, now: SimTime, failed: Vec<Outgoing>) -> Vec<Wake> {
        let retry = self.plan.spec.retry;
        let (mut again, mut given_up) = (Vec::new(), 0u64);
        for mut o in failed {
            o.attempts += 1;
            if o.attempts >= retry.max_attempts {
                given_up += u64::from(o.count);
            } else {
                again.push(o);
            }
        }
        self.stats.dropped += given_up;
        let Some(attempt) = again.iter().map(|o| o.attempts).max() else { return Vec::new() };
        let id = self.next_retry;
        self.next_retry += 1;
        self.retries.insert(id, again);
        vec![Wake::Retry(now + self.backoff(attempt), id)]
    }

    /// The wait before retry number `attempt` (1-based).
    fn backoff(&mut self, attempt: u32) -> SimDuration {
        let retry = self.plan.spec.retry;
        let ceiling_ms = retry.base_ms.saturating_mul(1u64 << (attempt - 1).min(40)).min(retry.cap_ms);
        let us = ceiling_ms * 1_000;
        SimDuration::from_micros(match retry.jitter {
            Jitter::Full => self.rng.below(us + 1),
            Jitter::Equal => us / 2 + self.rng.below(us / 2 + 1),
            Jitter::None => us,
        })
    }

    fn create_records(&mut self, n: u64, poison: usize, now: SimTime, wall_ms: u64) -> Vec<Outgoing> {
        let mut out = Vec::with_capacity(n as usize + poison);
        for i in 0..n as usize + poison {
            let key = self.plan.keys.draw(&mut self.rng);
            let is_poison = i >= n as usize;
            let data = if is_poison {
                b"{\"malformed\": ".to_vec()
            } else {
                match &self.plan.body {
                    BodyPlan::Template(t) => t.render(&mut self.rng, wall_ms as i64).into_bytes(),
                    BodyPlan::Sized(size) => {
                        let bytes = size.draw(&mut self.rng) as usize;
                        self.seq += 1;
                        filler(&self.plan.spec.name, self.seq, bytes)
                    }
                }
            };
            let hash = match &key.explicit_hash_key {
                Some(text) => HashKey(text.parse().expect("validated when the scenario loaded")),
                None => partition_key_hash(&key.partition_key),
            };
            let bytes = key.partition_key.len() + data.len();
            if bytes as u64 > RECORD_BYTES_MAX {
                // The SDK refuses it before sending: counted, never silently lost.
                *self.stats.errors.entry("ValidationException".to_string()).or_default() += 1;
                self.stats.dropped += 1;
                continue;
            }
            let labels = Labels { duplicate: false, poison: is_poison };
            out.push(Outgoing {
                hash,
                count: 1,
                bytes_each: bytes as u32,
                labels,
                body: Some((key.partition_key, data)),
                attempts: 0,
                created: now,
            });
        }
        out
    }

    fn create_runs(&mut self, n: u64, poison: usize, now: SimTime, kds: &KdsService) -> Vec<Outgoing> {
        self.refresh_shares(kds);
        let key_bytes = libm::round(self.plan.keys.mean_key_bytes()) as u32;
        let weights: Vec<f64> = self.shares.1.iter().map(|s| s.1).collect();
        let mut per_shard = vec![0; weights.len()];
        multinomial(&mut self.rng, n, &weights, &mut per_shard);
        let class_weights: Vec<f64> = self.plan.size_classes.iter().map(|c| c.1).collect();
        let mut per_class = vec![0; class_weights.len()];
        let mut out = Vec::new();
        for (shard, &count) in per_shard.iter().enumerate().filter(|(_, c)| **c > 0) {
            multinomial(&mut self.rng, count, &class_weights, &mut per_class);
            for (class, &k) in per_class.iter().enumerate().filter(|(_, k)| **k > 0) {
                let bytes = (self.plan.size_classes[class].0 + key_bytes).min(RECORD_BYTES_MAX as u32);
                let mut left = k;
                while left > 0 {
                    let part = left.min(u64::from(u32::MAX)) as u32;
                    out.push(Outgoing {
                        hash: self.shares.1[shard].0,
                        count: part,
                        bytes_each: bytes,
                        labels: Labels::default(),
                        body: None,
                        attempts: 0,
                        created: now,
                    });
                    left -= u64::from(part);
                }
            }
        }
        for _ in 0..poison {
            let shard = self.rng.below(self.shares.1.len().max(1) as u64) as usize;
            let hash = self.shares.1.get(shard).map_or(HashKey(0), |s| s.0);
            let bytes =
                libm::round(self.plan.size_classes.iter().map(|c| f64::from(c.0) * c.1).sum()) as u32 + key_bytes;
            let labels = Labels { duplicate: false, poison: true };
            out.push(Outgoing { hash, count: 1, bytes_each: bytes, labels, body: None, attempts: 0, created: now });
        }
        out
    }

    /// Recomputes each open shard's share of this producer's keys when the stream's shards changed.
    fn refresh_shares(&mut self, kds: &KdsService) {
        let Some(stream) = kds.streams().get(&self.plan.spec.stream) else { return };
        if self.shares.0 == stream.shards.len() {
            return;
        }
        let ranges: Vec<HashRange> = stream.open_shards().map(|s| s.range).collect();
        let shares = self.plan.keys.shard_shares(&ranges);
        self.shares = (stream.shards.len(), ranges.iter().map(|r| r.start).zip(shares).collect());
    }
}

/// Splits records into calls of at most `max` records and 5 MiB, in order (runs may be cut in two).
fn chunk(records: Vec<Outgoing>, max: u32) -> Vec<Vec<Outgoing>> {
    let mut calls: Vec<Vec<Outgoing>> = Vec::new();
    let (mut count, mut bytes) = (0u64, 0u64);
    let mut current: Vec<Outgoing> = Vec::new();
    for mut o in records {
        while o.count > 0 {
            let size = u64::from(o.bytes_each).max(1);
            let room = (u64::from(max) - count).min((PUT_RECORDS_BYTES_MAX - bytes) / size);
            if room == 0 {
                calls.push(std::mem::take(&mut current));
                (count, bytes) = (0, 0);
                continue;
            }
            let take = room.min(u64::from(o.count)) as u32;
            let mut part = o.clone();
            part.count = take;
            o.count -= take;
            if o.count > 0 {
                part.body = None; // only runs (bodiless) are ever cut
            }
            count += u64::from(take);
            bytes += u64::from(take) * size;
            current.push(part);
        }
    }
    if !current.is_empty() {
        calls.push(current);
    }
    calls
}

/// A record body of exactly `bytes` bytes, naming its producer and sequence number.
fn filler(producer: &str, seq: u64, bytes: usize) -> Vec<u8> {
    let stamp = format!("{producer}#{seq};");
    stamp.bytes().cycle().take(bytes).collect()
}
