//! The KCL lease table (spec kds.md §1.8, §4.11): one lease per shard, owned by at most one worker,
//! renewed by its owner, taken by others when it expires, stolen to balance the load.
//!
//! The table stands for KCL's DynamoDB table; each write to it (create, renew, take, checkpoint,
//! delete) is counted, because checkpoint frequency trades duplicates against table writes.

use crate::engine::kds::ids::ShardId;
use crate::engine::time::{SimDuration, SimTime};
use std::collections::BTreeMap;

/// Where processing of a shard resumes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Checkpoint {
    /// From the oldest record kept.
    TrimHorizon,
    /// From records arriving after the lease is first processed.
    Latest,
    /// After the record with this counter.
    After(u64),
    /// The shard is closed and fully processed.
    ShardEnd,
}

/// One lease.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Lease {
    /// The worker holding it.
    pub owner: Option<usize>,
    /// Bumped on every renewal and change of owner (leaseCounter).
    pub counter: u64,
    /// When its owner last renewed it.
    pub renewed_at: SimTime,
    /// Where processing resumes.
    pub checkpoint: Checkpoint,
    /// The shard's parents (their leases must reach SHARD_END first).
    pub parents: Vec<ShardId>,
    /// The highest counter any owner has processed (records at or below it, processed again, are duplicates).
    pub processed_to: u64,
    /// Owner changes since the last checkpoint (ownerSwitchesSinceCheckpoint).
    pub owner_switches_since_checkpoint: u64,
}

/// All leases of one application.
#[derive(Clone, Debug, Default)]
pub struct LeaseTable {
    /// Leases by shard.
    pub leases: BTreeMap<ShardId, Lease>,
    /// Writes to the table so far.
    pub writes: u64,
    /// Leases taken over from another worker (expired or stolen).
    pub moves: u64,
    /// Shards whose finished leases were cleaned up (never leased again).
    pub finished: std::collections::BTreeSet<ShardId>,
}

impl LeaseTable {
    /// Creates a lease for `shard` if there is none.
    pub fn create(&mut self, shard: ShardId, checkpoint: Checkpoint, parents: Vec<ShardId>, now: SimTime) {
        if self.leases.contains_key(&shard) || self.finished.contains(&shard) {
            return;
        }
        self.writes += 1;
        let lease = Lease {
            owner: None,
            counter: 0,
            renewed_at: now,
            checkpoint,
            parents,
            processed_to: 0,
            owner_switches_since_checkpoint: 0,
        };
        self.leases.insert(shard, lease);
    }

    /// True when the lease has not been renewed within `failover` (or has no owner).
    pub fn expired(lease: &Lease, now: SimTime, failover: SimDuration) -> bool {
        lease.owner.is_none() || now.saturating_since(lease.renewed_at) > failover
    }

    /// A worker renews the leases it holds; returns them.
    pub fn renew(&mut self, worker: usize, now: SimTime) -> Vec<ShardId> {
        let mut held = Vec::new();
        for (shard, lease) in self.leases.iter_mut().filter(|(_, l)| l.owner == Some(worker)) {
            lease.renewed_at = now;
            lease.counter += 1;
            held.push(*shard);
        }
        self.writes += held.len() as u64;
        held
    }

    /// A worker's lease-taking pass: it takes expired leases up to its fair share, or, when none is
    /// expired and it holds fewer than its share, steals one from the most loaded worker (KCL's
    /// maxLeasesToStealAtOneTime = 1). Leases of unfinished parents' children are not taken yet.
    /// Returns the leases it took.
    pub fn take(&mut self, worker: usize, now: SimTime, failover: SimDuration) -> Vec<ShardId> {
        let processable: Vec<ShardId> = self.leases.keys().copied().filter(|s| self.processable(*s)).collect();
        if processable.is_empty() {
            return Vec::new();
        }
        let mut live: Vec<usize> = processable
            .iter()
            .filter_map(|s| self.leases[s].owner.filter(|_| !Self::expired(&self.leases[s], now, failover)))
            .collect();
        live.push(worker);
        live.sort_unstable();
        live.dedup();
        let target = processable.len().div_ceil(live.len());
        let held = processable.iter().filter(|s| self.leases[s].owner == Some(worker)).count();
        if held >= target {
            return Vec::new();
        }
        let expired: Vec<ShardId> = processable
            .iter()
            .copied()
            .filter(|s| Self::expired(&self.leases[s], now, failover))
            .take(target - held)
            .collect();
        let taken =
            if expired.is_empty() { self.steal_one(worker, &processable, now, failover, target) } else { expired };
        for shard in &taken {
            let lease = self.leases.get_mut(shard).expect("taken from the table");
            if lease.owner.is_some() {
                self.moves += 1;
            }
            lease.owner = Some(worker);
            lease.counter += 1;
            lease.renewed_at = now;
            lease.owner_switches_since_checkpoint += 1;
            self.writes += 1;
        }
        taken
    }

    /// One lease from the most loaded worker, if it holds more than the fair share.
    fn steal_one(
        &self,
        worker: usize,
        processable: &[ShardId],
        now: SimTime,
        failover: SimDuration,
        target: usize,
    ) -> Vec<ShardId> {
        let mut load: BTreeMap<usize, Vec<ShardId>> = BTreeMap::new();
        for s in processable {
            let lease = &self.leases[s];
            if let Some(owner) = lease.owner.filter(|o| *o != worker && !Self::expired(lease, now, failover)) {
                load.entry(owner).or_default().push(*s);
            }
        }
        // The most loaded worker; ties go to the lowest id (deterministic).
        let Some((_, shards)) = load.iter().max_by(|a, b| a.1.len().cmp(&b.1.len()).then(b.0.cmp(a.0))) else {
            return Vec::new();
        };
        if shards.len() > target {
            vec![shards[shards.len() - 1]]
        } else {
            Vec::new()
        }
    }

    /// A lease is worth holding once all its parents are finished (or gone) and it is not finished.
    pub fn processable(&self, shard: ShardId) -> bool {
        let Some(lease) = self.leases.get(&shard) else { return false };
        lease.checkpoint != Checkpoint::ShardEnd
            && lease.parents.iter().all(|p| self.leases.get(p).is_none_or(|l| l.checkpoint == Checkpoint::ShardEnd))
    }

    /// Records a checkpoint by the lease's owner.
    pub fn checkpoint(&mut self, shard: ShardId, checkpoint: Checkpoint) {
        if let Some(lease) = self.leases.get_mut(&shard) {
            lease.checkpoint = checkpoint;
            lease.owner_switches_since_checkpoint = 0;
            self.writes += 1;
        }
    }

    /// A worker shuts down cleanly: it gives its leases up at once.
    pub fn release(&mut self, worker: usize) {
        for lease in self.leases.values_mut().filter(|l| l.owner == Some(worker)) {
            lease.owner = None;
            lease.counter += 1;
            self.writes += 1;
        }
    }

    /// Deletes finished leases whose children have all checkpointed (cleanupLeasesUponShardCompletion).
    pub fn clean_up(&mut self, children_of: &dyn Fn(ShardId) -> Vec<ShardId>) {
        let done: Vec<ShardId> = self
            .leases
            .iter()
            .filter(|(s, l)| {
                l.checkpoint == Checkpoint::ShardEnd && {
                    let children = children_of(**s);
                    !children.is_empty()
                        && children.iter().all(|c| {
                            self.leases
                                .get(c)
                                .is_some_and(|cl| matches!(cl.checkpoint, Checkpoint::After(_) | Checkpoint::ShardEnd))
                        })
                }
            })
            .map(|(s, _)| *s)
            .collect();
        for s in done {
            self.leases.remove(&s);
            self.finished.insert(s);
            self.writes += 1;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const FAILOVER: SimDuration = SimDuration::from_secs(10);

    fn table(shards: u32) -> LeaseTable {
        let mut t = LeaseTable::default();
        for i in 0..shards {
            t.create(ShardId(i), Checkpoint::TrimHorizon, Vec::new(), SimTime::ZERO);
        }
        t
    }

    fn held(t: &LeaseTable, worker: usize) -> usize {
        t.leases.values().filter(|l| l.owner == Some(worker)).count()
    }

    #[test]
    fn workers_share_leases_fairly() {
        let mut t = table(5);
        let now = SimTime::from_secs(1);
        assert_eq!(t.take(0, now, FAILOVER).len(), 5, "alone, a worker takes everything");
        // A second worker: nothing is expired, so it steals one per pass until balanced.
        let mut passes = 0;
        while t.take(1, now, FAILOVER).len() == 1 {
            passes += 1;
        }
        assert_eq!((held(&t, 0), held(&t, 1), passes), (3, 2, 2));
    }

    #[test]
    fn a_crashed_workers_leases_expire_and_move() {
        let mut t = table(4);
        t.take(0, SimTime::ZERO, FAILOVER);
        t.take(1, SimTime::ZERO, FAILOVER);
        t.take(1, SimTime::ZERO, FAILOVER);
        assert_eq!((held(&t, 0), held(&t, 1)), (2, 2));
        // Worker 1 crashes: it stops renewing. Worker 0 keeps renewing.
        t.renew(0, SimTime::from_secs(5));
        assert!(t.take(0, SimTime::from_secs(9), FAILOVER).is_empty(), "not expired yet");
        t.renew(0, SimTime::from_secs(10));
        let taken = t.take(0, SimTime::from_secs(11), FAILOVER);
        assert_eq!(taken.len(), 2, "after failoverTimeMillis the orphans move");
        assert_eq!(t.moves, 2 + 2, "two steals to balance, then the two orphans");
        assert!(t.leases.values().all(|l| l.owner == Some(0)));
    }

    #[test]
    fn children_wait_for_their_parents() {
        let mut t = table(1);
        t.create(ShardId(1), Checkpoint::TrimHorizon, vec![ShardId(0)], SimTime::ZERO);
        t.create(ShardId(2), Checkpoint::TrimHorizon, vec![ShardId(0)], SimTime::ZERO);
        assert_eq!(t.take(0, SimTime::ZERO, FAILOVER), [ShardId(0)], "only the parent is processable");
        t.checkpoint(ShardId(0), Checkpoint::ShardEnd);
        assert_eq!(t.take(0, SimTime::ZERO, FAILOVER), [ShardId(1), ShardId(2)]);
        t.checkpoint(ShardId(1), Checkpoint::After(5));
        t.clean_up(&|s| if s == ShardId(0) { vec![ShardId(1), ShardId(2)] } else { Vec::new() });
        assert!(t.leases.contains_key(&ShardId(0)), "one child has not checkpointed yet");
        t.checkpoint(ShardId(2), Checkpoint::After(3));
        t.clean_up(&|s| if s == ShardId(0) { vec![ShardId(1), ShardId(2)] } else { Vec::new() });
        assert!(!t.leases.contains_key(&ShardId(0)), "the parent lease is deleted");
    }

    #[test]
    fn a_clean_shutdown_hands_leases_over_at_once() {
        let mut t = table(2);
        t.take(0, SimTime::ZERO, FAILOVER);
        t.release(0);
        assert_eq!(t.take(1, SimTime::from_secs(1), FAILOVER).len(), 2, "no failover wait");
    }
}
