//! A KCL-style consumer application (spec kds.md §1.8, §4.5, §4.11): N workers share a stream's
//! shards through a lease table, one record processor per lease, checkpointing as they go.
//!
//! Each worker renews its leases every failoverTimeMillis/3 and runs a lease taker every
//! 2·failoverTimeMillis: it takes leases that have expired (a crashed worker's, after failoverTime) and
//! steals one at a time from the most loaded worker until leases are balanced. A processor resumes
//! from the lease's checkpoint, so records between the last checkpoint and a crash or a steal are
//! processed again (counted as `reprocessed`). At a closed shard's end the processor checkpoints
//! SHARD_END and creates its children's leases; a child is processed only once all its parents reached
//! SHARD_END, from TRIM_HORIZON — parent before child, so per-key order survives resharding.

pub mod lease;

use self::lease::{Checkpoint, LeaseTable};
use super::kpl;
use super::stats::ConsumerStats;
use crate::engine::kds::bulk::StartAt;
use crate::engine::kds::error::KdsErrorKind;
use crate::engine::kds::ids::ShardId;
use crate::engine::kds::limits::ITERATOR_LIFETIME_MS;
use crate::engine::kds::shard::Detail;
use crate::engine::kds::KdsService;
use crate::engine::scenario::format::{KclSpec, StartSpec};
use crate::engine::time::{SimDuration, SimTime};
use std::collections::BTreeMap;

/// What the application asks its host to schedule.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum KclWake {
    /// Worker `w` renews its leases.
    Renew(SimTime, usize),
    /// Worker `w` runs its lease taker.
    Take(SimTime, usize),
    /// The shard sync (new shards get leases).
    Sync(SimTime),
    /// The processor of a shard polls.
    Poll(SimTime, ShardId),
}

/// A running KCL application.
#[derive(Debug)]
pub struct KclApp {
    /// As the scenario wrote it.
    pub spec: KclSpec,
    /// Which workers are running, by id.
    pub workers: Vec<bool>,
    /// The lease table.
    pub table: LeaseTable,
    processors: BTreeMap<ShardId, Processor>,
    /// Its counters.
    pub stats: ConsumerStats,
}

/// A record processor for one lease.
#[derive(Clone, Copy, Debug)]
struct Processor {
    owner: usize,
    after: Option<u64>,
    last_call: SimTime,
    last_checkpoint: SimTime,
    behind_ms: u64,
}

impl KclApp {
    /// An application that has not started.
    pub fn new(spec: KclSpec) -> KclApp {
        KclApp {
            spec,
            workers: Vec::new(),
            table: LeaseTable::default(),
            processors: BTreeMap::new(),
            stats: ConsumerStats::default(),
        }
    }

    fn failover(&self) -> SimDuration {
        SimDuration::from_millis(self.spec.failover_ms)
    }

    /// Starts the workers: leases for the stream's shards, then each worker's renewer and taker.
    pub fn start(&mut self, now: SimTime, kds: &KdsService) -> Vec<KclWake> {
        self.sync(now, kds);
        let mut wakes = vec![KclWake::Sync(now + SimDuration::from_millis(self.spec.shard_sync_ms))];
        for _ in 0..self.spec.workers {
            wakes.extend(self.add_worker(now));
        }
        wakes
    }

    /// A new worker joins: it runs its taker now and renews from then on.
    pub fn add_worker(&mut self, now: SimTime) -> Vec<KclWake> {
        self.workers.push(true);
        let w = self.workers.len() - 1;
        vec![KclWake::Take(now, w), KclWake::Renew(now + self.renew_period(), w)]
    }

    /// Worker `w` crashes: it stops renewing; its leases move once they expire.
    pub fn crash_worker(&mut self, w: usize) {
        if let Some(alive) = self.workers.get_mut(w) {
            *alive = false;
        }
    }

    /// Worker `w` shuts down cleanly: it checkpoints what it processed and gives its leases up.
    pub fn stop_worker(&mut self, w: usize) {
        let mine: Vec<(ShardId, Option<u64>)> =
            self.processors.iter().filter(|(_, p)| p.owner == w).map(|(s, p)| (*s, p.after)).collect();
        for (shard, after) in mine {
            if let Some(after) = after {
                self.table.checkpoint(shard, Checkpoint::After(after));
            }
            self.processors.remove(&shard);
        }
        self.table.release(w);
        self.crash_worker(w);
    }

    /// The running worker with the highest id.
    pub fn last_alive(&self) -> Option<usize> {
        self.workers.iter().rposition(|alive| *alive)
    }

    fn renew_period(&self) -> SimDuration {
        SimDuration::from_micros(self.failover().as_micros() / 3)
    }

    /// Worker `w` renews its leases; processors whose lease it lost stop.
    pub fn renew(&mut self, now: SimTime, w: usize) -> Vec<KclWake> {
        if !self.workers.get(w).copied().unwrap_or(false) {
            return Vec::new();
        }
        self.table.renew(w, now);
        vec![KclWake::Renew(now + self.renew_period(), w)]
    }

    /// Worker `w`'s lease taker: new processors for what it took.
    pub fn take(&mut self, now: SimTime, w: usize) -> Vec<KclWake> {
        if !self.workers.get(w).copied().unwrap_or(false) {
            return Vec::new();
        }
        let taken = self.table.take(w, now, self.failover());
        let mut wakes = vec![KclWake::Take(now + self.failover() + self.failover(), w)];
        for shard in taken {
            let p = Processor { owner: w, after: None, last_call: now, last_checkpoint: now, behind_ms: 0 };
            self.processors.insert(shard, p);
            wakes.push(KclWake::Poll(now, shard));
        }
        wakes
    }

    /// The shard sync: leases for shards that have none (at the start, and shards found later).
    pub fn sync(&mut self, now: SimTime, kds: &KdsService) -> Vec<KclWake> {
        let Some(infos) = kds.shard_infos(&self.spec.stream) else { return Vec::new() };
        let live: Vec<ShardId> = infos.iter().map(|s| s.id).collect();
        let first = self.table.leases.is_empty();
        for info in &infos {
            // At the start: every shard for TRIM_HORIZON, open ones for LATEST. Later: open shards no
            // lease covers yet whose parents have no lease (children get theirs at their parents' end;
            // a finished shard's lease, once cleaned up, is never made again).
            let wanted = match (first, self.spec.start) {
                (true, StartSpec::TrimHorizon) => true,
                (true, StartSpec::Latest) => info.open,
                (false, _) => {
                    info.open
                        && !self.table.finished.contains(&info.id)
                        && info.parents.iter().all(|p| !self.table.leases.contains_key(p))
                }
            };
            if wanted {
                let checkpoint = match self.spec.start {
                    StartSpec::Latest if info.open => Checkpoint::Latest,
                    _ => Checkpoint::TrimHorizon,
                };
                let parents = info.parents.iter().copied().filter(|p| live.contains(p)).collect();
                self.table.create(info.id, checkpoint, parents, now);
            }
        }
        let children_of = |s: ShardId| infos.iter().find(|i| i.id == s).map(|i| i.children.clone()).unwrap_or_default();
        self.table.clean_up(&children_of);
        vec![KclWake::Sync(now + SimDuration::from_millis(self.spec.shard_sync_ms))]
    }

    /// The processor of `shard` reads, processes and checkpoints one batch.
    pub fn poll(&mut self, now: SimTime, shard: ShardId, kds: &mut KdsService) -> Vec<KclWake> {
        let idle = SimDuration::from_millis(self.spec.idle_ms);
        let Some(mut p) = self.processors.get(&shard).copied() else { return Vec::new() };
        let Some(lease) = self.table.leases.get(&shard) else {
            self.processors.remove(&shard);
            return Vec::new();
        };
        // A crashed worker's processors stop; so does one whose lease was taken away.
        if !self.workers[p.owner] || lease.owner != Some(p.owner) {
            self.processors.remove(&shard);
            return Vec::new();
        }
        let stream = self.spec.stream.clone();
        let expired = now.saturating_since(p.last_call) > SimDuration::from_millis(ITERATOR_LIFETIME_MS);
        if p.after.is_none() || expired {
            let at = match (p.after, lease.checkpoint) {
                (Some(after), _) => StartAt::After(after),
                (None, Checkpoint::TrimHorizon) => StartAt::TrimHorizon,
                (None, Checkpoint::Latest) => StartAt::Latest,
                (None, Checkpoint::After(c)) => StartAt::After(c),
                (None, Checkpoint::ShardEnd) => {
                    self.processors.remove(&shard);
                    return Vec::new();
                }
            };
            match kds.start_after(now, &stream, shard, at) {
                Ok(after) => {
                    self.stats.iterator_renewals += u64::from(p.after.is_some());
                    p.after = Some(after);
                }
                Err(e) if e.kind == KdsErrorKind::ProvisionedThroughputExceeded => {
                    self.processors.insert(shard, p);
                    return vec![KclWake::Poll(now + idle, shard)];
                }
                Err(_) => {
                    self.processors.remove(&shard);
                    return Vec::new();
                }
            }
        }
        let after = p.after.expect("set above");
        p.last_call = now;
        self.stats.calls += 1;
        // KCL de-aggregates KPL records: in record detail it reads the bodies to unpack them.
        let bodies = kds.streams().get(&stream).is_some_and(|s| s.detail == Detail::Records);
        let read = match kds.read_after(now, &stream, shard, after, self.spec.max_records, bodies) {
            Ok(read) => read,
            Err(e) if e.kind == KdsErrorKind::ProvisionedThroughputExceeded => {
                self.stats.read_throttled += 1;
                self.processors.insert(shard, p);
                return vec![KclWake::Poll(now + idle, shard)];
            }
            Err(_) => {
                self.processors.remove(&shard);
                return Vec::new();
            }
        };
        let t = &read.taken;
        let next = t.last.map_or(read.last_counter.max(after), |(last, _)| last);
        let first = t.first.map_or(next + 1, |(first, _)| first);
        self.stats.lost_to_retention += first.saturating_sub(after + 1);
        self.stats.records += t.records;
        self.stats.user_records += if bodies {
            read.records.iter().map(|r| kpl::decode(&r.data).map_or(1, |users| users.len() as u64)).sum()
        } else {
            t.users
        };
        self.stats.bytes += t.bytes;
        self.stats.duplicates += t.duplicates;
        self.stats.age(read.age_ms);
        let lease = self.table.leases.get_mut(&shard).expect("checked above");
        if t.records > 0 && first <= lease.processed_to {
            self.stats.reprocessed += lease.processed_to.min(next) - first + 1;
        }
        lease.processed_to = lease.processed_to.max(next);
        p.after = Some(next);
        p.behind_ms = read.millis_behind_latest;
        let every = SimDuration::from_millis(self.spec.checkpoint_every_ms);
        if read.closed_end {
            self.table.checkpoint(shard, Checkpoint::ShardEnd);
            self.create_children(now, &read.children, kds);
            self.processors.remove(&shard);
            return Vec::new();
        }
        if t.records > 0 && now.saturating_since(p.last_checkpoint) >= every {
            self.table.checkpoint(shard, Checkpoint::After(next));
            p.last_checkpoint = now;
        }
        self.processors.insert(shard, p);
        let busy_us = (t.records as f64 * self.spec.process_ms_per_record * 1_000.0) as u64;
        vec![KclWake::Poll(now + SimDuration::from_micros(busy_us) + idle, shard)]
    }

    /// Leases for a finished shard's children (processable once all their parents are finished).
    fn create_children(&mut self, now: SimTime, children: &[ShardId], kds: &KdsService) {
        let infos = kds.shard_infos(&self.spec.stream).unwrap_or_default();
        for child in children {
            let parents = infos.iter().find(|i| i.id == *child).map(|i| i.parents.clone()).unwrap_or_default();
            self.table.create(*child, Checkpoint::TrimHorizon, parents, now);
        }
    }

    /// How far behind the newest record it is now: the largest MillisBehindLatest of its processors.
    pub fn behind_ms(&self) -> u64 {
        self.processors.values().map(|p| p.behind_ms).max().unwrap_or(0)
    }

    /// Copies the lease table's counters into the stats.
    pub fn refresh_stats(&mut self) {
        self.stats.lease_writes = self.table.writes;
        self.stats.lease_moves = self.table.moves;
    }
}
