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

use super::kpl::KplClient;
use super::stats::{put_units, ProducerStats};
use crate::engine::distributions::{binomial, multinomial};
use crate::engine::kds::bulk::{PutCall, RunWrite};
use crate::engine::kds::hashing::partition_key_hash;
use crate::engine::kds::ids::{HashKey, HashRange};
use crate::engine::kds::limits::{PUT_RECORDS_BYTES_MAX, RECORD_BYTES_MAX};
use crate::engine::kds::record::Labels;
use crate::engine::kds::shard::Detail;
use crate::engine::kds::KdsService;
use crate::engine::rng::SimRng;
use crate::engine::scenario::compile::ProducerPlan;
use crate::engine::scenario::format::{Jitter, PutApi, RetrySpec};
use crate::engine::time::{SimDuration, SimTime};
use std::collections::{BTreeMap, VecDeque};

/// A record's partition key and data.
pub type Body = (String, Vec<u8>);

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
    /// The record itself, in record detail; boxed so runs stay small to move.
    pub body: Option<Box<Body>>,
    /// User records packed in each (KPL aggregation; 1 otherwise).
    pub users: u32,
    /// Sends so far.
    pub attempts: u32,
    /// When the application created them.
    pub created: SimTime,
}

impl Outgoing {
    /// A copy without the body.
    pub fn clone_bare(&self) -> Outgoing {
        Outgoing {
            hash: self.hash,
            count: self.count,
            bytes_each: self.bytes_each,
            labels: self.labels,
            body: None,
            users: self.users,
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
    /// Resend what is due by then.
    Retry(SimTime),
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
    /// Records waiting to be resent, by when.
    retries: BTreeMap<SimTime, Vec<Outgoing>>,
    /// Fast-forward works on the tick grid (origin, tick): retries wait for the next tick instant.
    grid: Option<(SimTime, SimDuration)>,
    /// Fast-forward routing: the stream's shard count when computed, and (representative hash, share) per open shard.
    shares: (usize, Vec<(HashKey, f64)>),
    poison_left: Vec<f64>,
    seq: u64,
    /// The KPL, when the producer uses it.
    kpl: Option<KplClient>,
    /// Its counters.
    pub stats: ProducerStats,
}

impl Producer {
    /// A producer that has not started yet.
    pub fn new(plan: ProducerPlan, rng: SimRng) -> Producer {
        let kpl = plan.spec.kpl;
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
            grid: None,
            shares: (0, Vec::new()),
            poison_left,
            seq: 0,
            kpl: kpl.map(KplClient::new),
            stats: ProducerStats::default(),
        }
    }

    /// Starts (or resumes) sending at `now`: records are owed from then on. With a `grid` tick
    /// (fast-forward), retries are sent at tick instants too.
    pub fn start(&mut self, now: SimTime, grid: Option<SimDuration>) {
        self.running = true;
        self.created_to = now.as_secs_f64();
        self.grid = grid.map(|tick| (now, tick));
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
        // New records first, then the retries due now: in fast-forward both land at the tick instant,
        // and records retried by a client library arrive after the burst that overflowed.
        self.buffer.extend(fresh);
        let mut wakes = self.dispatch(now, kds, false);
        wakes.extend(self.retry(now, kds));
        wakes
    }

    /// The flush timer fired: send whatever is buffered.
    pub fn flush(&mut self, now: SimTime, kds: &mut KdsService) -> Vec<Wake> {
        self.flush_at = None;
        self.dispatch(now, kds, true)
    }

    /// Stops sending; what is buffered goes out now, retries still run.
    pub fn stop(&mut self, now: SimTime, kds: &mut KdsService) -> Vec<Wake> {
        self.running = false;
        let mut wakes: Vec<Wake> = self.retries.keys().map(|at| Wake::Retry(*at)).collect();
        wakes.extend(self.flush(now, kds));
        wakes
    }

    /// Resends the records whose backoff is over (in one go: a client library retries them together).
    pub fn retry(&mut self, now: SimTime, kds: &mut KdsService) -> Vec<Wake> {
        let mut batch = Vec::new();
        while let Some(entry) = self.retries.first_entry().filter(|e| *e.key() <= now) {
            batch.extend(entry.remove());
        }
        if let Some(kpl) = &self.kpl {
            batch = kpl.expire(now, batch, &mut self.stats);
        }
        if batch.is_empty() {
            return Vec::new();
        }
        self.stats.retried += batch.iter().map(|o| u64::from(o.count)).sum::<u64>();
        let (records, ends) = self.plan_calls(batch);
        self.send(now, records, ends, kds)
    }

    /// Records created but not yet stored or dropped (buffered or waiting to retry).
    pub fn in_flight(&self) -> u64 {
        let users = |o: &Outgoing| u64::from(o.count) * u64::from(o.users);
        let buffered: u64 = self.buffer.iter().map(users).sum();
        let held = self.kpl.as_ref().map_or(0, KplClient::held_users);
        buffered + held + self.retries.values().flatten().map(users).sum::<u64>()
    }

    /// Splits records into calls: PutRecords calls of at most `max_records` records and 5 MiB, in order
    /// (runs may be cut in two); for PutRecord every record is its own call (a run of n is n calls).
    /// Returns the records and each call's end index.
    fn plan_calls(&self, records: Vec<Outgoing>) -> (Vec<Outgoing>, Vec<usize>) {
        let max = match self.plan.spec.api {
            PutApi::PutRecord => {
                let n = records.len();
                return (records, vec![n]);
            }
            PutApi::PutRecords => u64::from(self.plan.spec.batch.max_records),
        };
        let mut out = Vec::with_capacity(records.len() + 1);
        let mut ends = Vec::new();
        let (mut count, mut bytes) = (0u64, 0u64);
        for mut o in records {
            while o.count > 0 {
                let size = u64::from(o.bytes_each).max(1);
                let room = (max - count).min((PUT_RECORDS_BYTES_MAX - bytes) / size);
                if room == 0 {
                    ends.push(out.len());
                    (count, bytes) = (0, 0);
                    continue;
                }
                let take = room.min(u64::from(o.count)) as u32;
                count += u64::from(take);
                bytes += u64::from(take) * size;
                if take == o.count {
                    out.push(o);
                    break;
                }
                // Only runs (bodiless) hold more than one record, so only they are ever cut.
                out.push(Outgoing { count: take, ..o.clone_bare() });
                o.count -= take;
            }
        }
        if count > 0 {
            ends.push(out.len());
        }
        (out, ends)
    }

    /// Sends full batches, and partial ones when lingering is off or `all` is set; schedules the linger.
    fn dispatch(&mut self, now: SimTime, kds: &mut KdsService, all: bool) -> Vec<Wake> {
        if self.kpl.is_some() {
            return self.dispatch_kpl(now, kds, all);
        }
        let linger = SimDuration::from_millis(self.plan.spec.batch.linger_ms);
        let send_partial = all || linger.is_zero() || self.plan.spec.api == PutApi::PutRecord;
        let pending: Vec<Outgoing> = self.buffer.drain(..).collect();
        let (mut records, mut ends) = self.plan_calls(pending);
        let mut wakes = Vec::new();
        let last_start = ends.len().checked_sub(2).map_or(0, |i| ends[i]);
        let last_count: u64 = records[last_start..].iter().map(|o| u64::from(o.count)).sum();
        if !send_partial && !records.is_empty() && last_count < u64::from(self.plan.spec.batch.max_records) {
            let partial = records.split_off(last_start);
            ends.pop();
            let oldest = partial.iter().map(|o| o.created).min().unwrap_or(now);
            self.buffer.extend(partial);
            if self.flush_at.is_none() {
                let at = (oldest + linger).max(now);
                self.flush_at = Some(at);
                wakes.push(Wake::Flush(at));
            }
        }
        wakes.extend(self.send(now, records, ends, kds));
        wakes
    }

    /// Through the KPL: records wait RecordMaxBufferedTime (fast-forward: the tick), then are aggregated,
    /// rate-limited per shard, and sent in PutRecords calls; what the limiter holds back tries again later.
    fn dispatch_kpl(&mut self, now: SimTime, kds: &mut KdsService, all: bool) -> Vec<Wake> {
        let buffered = SimDuration::from_millis(self.kpl.as_ref().map_or(100, |k| k.spec.max_buffered_ms));
        let mut wakes = Vec::new();
        if !all && self.grid.is_none() {
            if self.flush_at.is_none() && !self.buffer.is_empty() {
                let oldest = self.buffer.iter().map(|o| o.created).min().unwrap_or(now);
                let at = (oldest + buffered).max(now);
                self.flush_at = Some(at);
                wakes.push(Wake::Flush(at));
            }
            return wakes;
        }
        let users: Vec<Outgoing> = self.buffer.drain(..).collect();
        let keys = (self.plan.keys.key_count(), libm::round(self.plan.keys.mean_key_bytes()) as usize);
        let (Some(stream), Some(kpl)) = (kds.streams().get(&self.plan.spec.stream), self.kpl.as_mut()) else {
            return wakes;
        };
        let records = kpl.prepare(now, users, stream, keys, &mut self.stats);
        if kpl.held_users() > 0 && self.flush_at.is_none() {
            let at = now + buffered;
            self.flush_at = Some(at);
            wakes.push(Wake::Flush(at));
        }
        let (records, ends) = self.plan_calls(records);
        wakes.extend(self.send(now, records, ends, kds));
        wakes
    }

    /// The planned calls (PutRecords, or PutRecord per record) at `now`; failures go to a retry batch.
    fn send(&mut self, now: SimTime, mut records: Vec<Outgoing>, ends: Vec<usize>, kds: &mut KdsService) -> Vec<Wake> {
        if records.is_empty() {
            return Vec::new();
        }
        let api = match self.plan.spec.api {
            PutApi::PutRecord => PutCall::PutRecord,
            PutApi::PutRecords => PutCall::PutRecords,
        };
        let total: u64 = records.iter().map(|o| u64::from(o.count)).sum();
        self.stats.sent += total;
        self.stats.calls += if api == PutCall::PutRecord { total } else { ends.len() as u64 };
        let fraction = self.plan.spec.retry.lost_ack_fraction;
        // Which records' acknowledgements are lost: whole PutRecords calls, or single PutRecord calls.
        let mut lost = vec![0u32; records.len()];
        if fraction > 0.0 {
            let mut from = 0;
            for &end in &ends {
                if api == PutCall::PutRecord {
                    for (l, o) in lost[from..end].iter_mut().zip(&records[from..end]) {
                        *l = binomial(&mut self.rng, u64::from(o.count), fraction) as u32;
                    }
                } else if self.rng.unit_f64() < fraction {
                    self.stats.lost_acks += 1;
                    lost[from..end].iter_mut().zip(&records[from..end]).for_each(|(l, o)| *l = o.count);
                }
                from = end;
            }
        }
        // A resent record needs its body again, so keep a copy of the ones whose answer will be lost.
        let kept: Vec<Option<Box<Body>>> =
            records.iter().zip(&lost).map(|(o, l)| if *l > 0 { o.body.clone() } else { None }).collect();
        let writes: Vec<RunWrite> = records
            .iter_mut()
            .map(|o| RunWrite {
                hash: o.hash,
                count: o.count,
                bytes_each: o.bytes_each,
                users_each: o.users,
                labels: o.labels,
                body: o.body.take().map(|b| *b),
            })
            .collect();
        let written = match kds.put_calls(now, &self.plan.spec.stream, api, writes, &ends) {
            Ok(written) => written,
            Err(e) => {
                // Not a capacity problem (the stream is gone, a key is disabled…): not retried.
                *self.stats.errors.entry(e.kind.aws_code().to_string()).or_default() += total;
                self.stats.dropped += total;
                return Vec::new();
            }
        };
        let mut failed = Vec::new();
        for (((w, o), lost), kept) in written.into_iter().zip(records).zip(lost).zip(kept) {
            let (stored, rejected) = (w.accepted, o.count - w.accepted);
            let bytes = u64::from(o.bytes_each);
            self.stats.stored += u64::from(stored);
            self.stats.stored_users += u64::from(stored) * u64::from(o.users);
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
            // Stored, but the producer never heard: it sends them again, and they are stored twice.
            let resent = stored.min(lost);
            if resent > 0 {
                let labels = Labels { duplicate: true, ..o.labels };
                failed.push(Outgoing { count: resent, labels, body: kept.clone(), ..o.clone_bare() });
            }
            if rejected > 0 {
                let body = w.returned.map(Box::new).or(kept);
                failed.push(Outgoing { count: rejected, body, ..o });
            }
        }
        if api == PutCall::PutRecord {
            self.stats.lost_acks +=
                failed.iter().filter(|o| o.labels.duplicate).map(|o| u64::from(o.count)).sum::<u64>();
        }
        self.schedule_retry(now, failed)
    }

    fn schedule_retry(&mut self, now: SimTime, failed: Vec<Outgoing>) -> Vec<Wake> {
        let retry = self.plan.spec.retry;
        let fail_fast = self.kpl.as_ref().is_some_and(|k| k.spec.fail_if_throttled);
        let (mut again, mut given_up) = (Vec::new(), 0u64);
        for mut o in failed {
            o.attempts += 1;
            if o.attempts >= retry.max_attempts || (fail_fast && !o.labels.duplicate) {
                given_up += u64::from(o.count) * u64::from(o.users);
            } else {
                again.push(o);
            }
        }
        self.stats.dropped += given_up;
        let Some(attempt) = again.iter().map(|o| o.attempts).max() else { return Vec::new() };
        let mut due = now + backoff(&retry, attempt, &mut self.rng);
        if let Some((origin, tick)) = self.grid {
            let ticks = due.saturating_since(origin).as_micros().div_ceil(tick.as_micros().max(1));
            due = origin + SimDuration::from_micros(ticks * tick.as_micros());
        }
        let fresh_instant = !self.retries.contains_key(&due);
        self.retries.entry(due).or_default().extend(again);
        // On the grid a running producer's next tick sends what is due (after its new records).
        if fresh_instant && !(self.grid.is_some() && self.running) {
            vec![Wake::Retry(due)]
        } else {
            Vec::new()
        }
    }

    fn create_records(&mut self, n: u64, poison: usize, now: SimTime, wall_ms: u64) -> Vec<Outgoing> {
        let mut out = Vec::with_capacity(n as usize + poison);
        for i in 0..n as usize + poison {
            let key = self.plan.keys.draw(&mut self.rng);
            let is_poison = i >= n as usize;
            let data = if is_poison {
                b"{\"malformed\": ".to_vec()
            } else {
                self.plan.body.render(&mut self.rng, wall_ms, &self.plan.spec.name, &mut self.seq)
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
                body: Some(Box::new((key.partition_key, data))),
                users: 1,
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
                        users: 1,
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
            out.push(Outgoing {
                hash,
                count: 1,
                bytes_each: bytes,
                labels,
                body: None,
                users: 1,
                attempts: 0,
                created: now,
            });
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

/// The wait before retry number `attempt` (1-based): `jitter(min(cap, base·2^(attempt−1)))`.
pub fn backoff(retry: &RetrySpec, attempt: u32, rng: &mut SimRng) -> SimDuration {
    let ceiling_ms = retry.base_ms.saturating_mul(1u64 << (attempt.max(1) - 1).min(40)).min(retry.cap_ms);
    let us = ceiling_ms * 1_000;
    SimDuration::from_micros(match retry.jitter {
        Jitter::Full => rng.below(us + 1),
        Jitter::Equal => us / 2 + rng.below(us / 2 + 1),
        Jitter::None => us,
    })
}
