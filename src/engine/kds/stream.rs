//! A stream: its lifecycle, shards, retention, consumers, tags, encryption and monitoring (spec §1.2).
//!
//! Shards live in a vector indexed by their id, so ids are never reused. Routing looks up the open
//! shard owning a hash key in a sorted index of open shards, rebuilt after every reshard. Retention is
//! a trim floor that only ever rises: raising retention later cannot bring trimmed records back.

use super::bucket::RateWindow;
use super::ids::{HashKey, HashRange, ShardId};
use super::limits::*;
use super::metrics::{Metric, StreamMetrics};
use super::shard::{Closed, Detail, Shard};
use super::types::*;
use crate::engine::time::{SimDuration, SimTime};
use std::collections::{BTreeMap, BTreeSet};

/// log2 of the routing table's slices.
const ROUTE_TABLE_BITS: u32 = 10;

/// Work a stream does while UPDATING, applied when the update completes.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Pending {
    /// SplitShard.
    Split { shard: ShardId, new_start: HashKey },
    /// MergeShards.
    Merge { shard: ShardId, adjacent: ShardId },
    /// UpdateShardCount with UNIFORM_SCALING.
    Resize { target: u32 },
    /// UpdateStreamMode.
    Mode(StreamMode),
    /// StartStreamEncryption with this key.
    StartEncryption(String),
    /// StopStreamEncryption.
    StopEncryption,
}

/// An enhanced fan-out consumer.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Consumer {
    /// Its name, unique within the stream.
    pub name: String,
    /// `{StreamARN}/consumer/{name}:{creation epoch seconds}`.
    pub arn: String,
    /// Its lifecycle state.
    pub status: ConsumerStatus,
    /// Epoch milliseconds of registration.
    pub created_wall_ms: u64,
}

/// One stream.
#[derive(Clone, Debug)]
pub struct Stream {
    /// Its name.
    pub name: String,
    /// Its ARN.
    pub arn: String,
    /// Distinguishes this incarnation from an earlier stream of the same name.
    pub generation: u64,
    /// Its lifecycle state.
    pub status: StreamStatus,
    /// PROVISIONED or ON_DEMAND.
    pub mode: StreamMode,
    /// Epoch milliseconds of creation.
    pub created_wall_ms: u64,
    /// Retention in hours.
    pub retention_hours: u32,
    trim_floor: SimTime,
    /// Every shard ever created, indexed by id.
    pub shards: Vec<Shard>,
    /// Open shards by range start, for routing.
    open: Vec<(u128, ShardId)>,
    /// For each of 1,024 equal slices of the hash space, the index in `open` of the shard owning the
    /// slice's first key: routing starts there and rarely steps further.
    route_table: Vec<u32>,
    /// Its tags.
    pub tags: BTreeMap<String, String>,
    /// Its enhanced fan-out consumers by name.
    pub consumers: BTreeMap<String, Consumer>,
    /// The KMS key while encrypted.
    pub kms_key: Option<String>,
    /// Enabled shard-level metrics.
    pub shard_level_metrics: BTreeSet<ShardLevelMetric>,
    /// What the current UPDATING will do.
    pub pending: Option<Pending>,
    /// R53: UpdateShardCount calls in the last 24 hours.
    pub update_shard_count_calls: RateWindow,
    /// R62: encryption changes in the last 24 hours.
    pub encryption_changes: RateWindow,
    /// Mode switches in the last 24 hours.
    pub mode_switches: RateWindow,
    /// CloudWatch metrics, per simulated second.
    pub metrics: StreamMetrics,
    /// How its shards keep records.
    pub detail: Detail,
}

impl Stream {
    /// A new stream in CREATING, without shards yet (see [`Stream::add_shard`]).
    pub fn new(name: &str, arn: String, generation: u64, mode: StreamMode, wall_ms: u64) -> Stream {
        let day = SimDuration::from_hours(24);
        Stream {
            name: name.to_string(),
            arn,
            generation,
            status: StreamStatus::Creating,
            mode,
            created_wall_ms: wall_ms,
            retention_hours: RETENTION_HOURS_DEFAULT,
            trim_floor: SimTime::ZERO,
            shards: Vec::new(),
            open: Vec::new(),
            route_table: Vec::new(),
            tags: BTreeMap::new(),
            consumers: BTreeMap::new(),
            kms_key: None,
            shard_level_metrics: BTreeSet::new(),
            pending: None,
            update_shard_count_calls: RateWindow::new(UPDATE_SHARD_COUNT_PER_DAY, day),
            encryption_changes: RateWindow::new(ENCRYPTION_CHANGES_PER_DAY, day),
            mode_switches: RateWindow::new(2, day),
            metrics: StreamMetrics::default(),
            detail: Detail::Records,
        }
    }

    /// Records a datapoint at `now` for the stream and, if `shard` is given and enabled, for the shard.
    pub fn record(&mut self, now: SimTime, shard: Option<ShardId>, metric: Metric, value: u64) {
        self.record_repeated(now, shard, metric, value, 1);
    }

    /// Records `n` equal datapoints (n calls that each reported `value`).
    pub fn record_repeated(&mut self, now: SimTime, shard: Option<ShardId>, metric: Metric, value: u64, n: u64) {
        if n == 0 {
            return;
        }
        let second = now.as_micros() / 1_000_000;
        self.metrics.add_repeated(second, metric, value, n);
        if let Some(tally) = shard.and_then(|id| self.shards.get_mut(id.0 as usize)).map(|s| &mut s.tally) {
            tally.add(now, metric, value, n);
        }
        if let Some(shard) = shard.filter(|_| !self.shard_level_metrics.is_empty()) {
            self.metrics.add_shard_repeated(second, shard, metric, (value, n), &self.shard_level_metrics);
        }
    }

    /// Adds an open shard with `range` (and lineage), returning its id.
    pub fn add_shard(
        &mut self,
        range: HashRange,
        parents: &[ShardId],
        created_secs: u64,
        now: SimTime,
        burst: SimDuration,
    ) -> ShardId {
        let id = ShardId(u32::try_from(self.shards.len()).expect("shard count stays below 2^31"));
        // Children must encode a later creation second than any parent (spec §1.4 property c).
        let floor = parents.iter().map(|p| self.shards[p.0 as usize].created_secs + 1).max().unwrap_or(0);
        let mut shard = Shard::new(id, range, created_secs.max(floor), now, burst, self.detail);
        shard.parent = parents.first().copied();
        shard.adjacent_parent = parents.get(1).copied();
        for parent in parents {
            self.shards[parent.0 as usize].children.push(id);
        }
        self.shards.push(shard);
        self.reindex();
        id
    }

    /// Closes an open shard.
    pub fn close_shard(&mut self, id: ShardId, now: SimTime, secs: u64) {
        let shard = &mut self.shards[id.0 as usize];
        shard.closed = Some(Closed { at: now, secs: secs.max(shard.created_secs) });
        self.reindex();
    }

    /// The open shard owning `key`.
    pub fn route(&self, key: HashKey) -> ShardId {
        let slice = (key.0 >> (128 - ROUTE_TABLE_BITS)) as usize;
        let mut at = self.route_table[slice] as usize;
        while self.open.get(at + 1).is_some_and(|&(start, _)| start <= key.0) {
            at += 1;
        }
        self.open[at].1
    }

    /// Open shards in hash-key order.
    pub fn open_shards(&self) -> impl Iterator<Item = &Shard> {
        self.open.iter().map(|&(_, id)| &self.shards[id.0 as usize])
    }

    /// How many shards are open.
    pub fn open_shard_count(&self) -> u64 {
        self.open.len() as u64
    }

    /// The shard with `id`, unless it does not exist or has expired.
    pub fn live_shard(&self, id: ShardId) -> Option<&Shard> {
        self.shards.get(id.0 as usize).filter(|s| !s.is_expired(self.trim_floor))
    }

    /// Mutable access to a live shard.
    pub fn live_shard_mut(&mut self, id: ShardId) -> Option<&mut Shard> {
        let floor = self.trim_floor;
        self.shards.get_mut(id.0 as usize).filter(|s| !s.is_expired(floor))
    }

    /// Shards not yet expired, in id order.
    pub fn live_shards(&self) -> impl Iterator<Item = &Shard> {
        self.shards.iter().filter(|s| !s.is_expired(self.trim_floor))
    }

    /// Raises the trim floor to `now − retention` (O(1)); records below it are invisible from now on
    /// and dropped lazily by [`Stream::trim_shard`] or [`Stream::apply_retention`].
    pub fn raise_trim_floor(&mut self, now: SimTime) -> SimTime {
        let window = SimDuration::from_hours(u64::from(self.retention_hours));
        let floor = SimTime::from_micros(now.as_micros().saturating_sub(window.as_micros()));
        self.trim_floor = self.trim_floor.max(floor);
        self.trim_floor
    }

    /// Raises the trim floor and drops what fell below it in every shard.
    pub fn apply_retention(&mut self, now: SimTime) {
        let floor = self.raise_trim_floor(now);
        for shard in &mut self.shards {
            shard.trim(floor);
        }
    }

    /// Raises the trim floor and drops what fell below it in one shard.
    pub fn trim_shard(&mut self, id: ShardId, now: SimTime) {
        let floor = self.raise_trim_floor(now);
        if let Some(shard) = self.shards.get_mut(id.0 as usize) {
            shard.trim(floor);
        }
    }

    /// Records that arrived before this instant are gone.
    pub fn trim_floor(&self) -> SimTime {
        self.trim_floor
    }

    /// The encryption type new records get.
    pub fn encryption_type(&self) -> EncryptionType {
        if self.kms_key.is_some() {
            EncryptionType::Kms
        } else {
            EncryptionType::None
        }
    }

    /// R47: reshards, retention, encryption and monitoring changes need an ACTIVE stream.
    pub fn ensure_active(&self, account: &str) -> Result<(), super::error::KdsError> {
        if self.status == StreamStatus::Active {
            return Ok(());
        }
        Err(super::error::KdsError::stream_not_active(&self.name, account, self.status.as_str()))
    }

    /// True while reads and writes are served (ACTIVE, UPDATING and DELETING; R57, R59).
    pub fn serves_data(&self) -> bool {
        self.status != StreamStatus::Creating
    }

    fn reindex(&mut self) {
        self.open = self.shards.iter().filter(|s| s.is_open()).map(|s| (s.range.start.0, s.id)).collect();
        self.open.sort_unstable();
        if self.open.first().is_none_or(|&(start, _)| start != 0) {
            self.route_table.clear(); // not a full tiling yet (a stream being built)
            return;
        }
        let slices = 1usize << ROUTE_TABLE_BITS;
        self.route_table = (0..slices)
            .map(|i| {
                let first_key = (i as u128) << (128 - ROUTE_TABLE_BITS);
                let at = self.open.partition_point(|&(start, _)| start <= first_key) - 1;
                u32::try_from(at).expect("fewer than 2^32 open shards")
            })
            .collect();
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::kds::hashing::even_ranges;

    fn stream(shards: u32) -> Stream {
        let mut s = Stream::new("s", "arn".into(), 1, StreamMode::Provisioned, 0);
        for range in even_ranges(shards) {
            s.add_shard(range, &[], 100, SimTime::ZERO, SimDuration::from_secs(1));
        }
        s
    }

    #[test]
    fn routing_finds_the_owning_open_shard() {
        let s = stream(4);
        assert_eq!(s.route(HashKey(0)), ShardId(0));
        assert_eq!(s.route(HashKey(u128::MAX)), ShardId(3));
        assert_eq!(s.route(HashKey(1 << 127)), ShardId(2));
        assert_eq!(s.route(HashKey((1 << 127) - 1)), ShardId(1));
    }

    #[test]
    fn children_take_over_routing_and_start_later() {
        let mut s = stream(1);
        s.close_shard(ShardId(0), SimTime::from_secs(5), 100);
        let low = s.add_shard(
            HashRange { start: HashKey(0), end: HashKey(9) },
            &[ShardId(0)],
            100,
            SimTime::from_secs(5),
            SimDuration::from_secs(1),
        );
        let high = s.add_shard(
            HashRange { start: HashKey(10), end: HashKey::MAX },
            &[ShardId(0)],
            100,
            SimTime::from_secs(5),
            SimDuration::from_secs(1),
        );
        assert_eq!((s.route(HashKey(9)), s.route(HashKey(10))), (low, high));
        assert_eq!(s.open_shard_count(), 2);
        assert_eq!(s.shards[0].children, [low, high]);
        assert!(s.shards[1].created_secs > s.shards[0].created_secs, "a child encodes a later second");
        assert!(s.shards[1].starting_sequence_number() > s.shards[0].ending_sequence_number().expect("closed"));
    }

    #[test]
    fn retention_only_ever_moves_forward() {
        let mut s = stream(1);
        let shard = &mut s.shards[0];
        shard.append(SimTime::from_secs(10), "k".into(), Vec::new(), false);
        s.retention_hours = 24;
        let day = SimTime::ZERO + SimDuration::from_hours(24);
        s.apply_retention(day + SimDuration::from_secs(11));
        assert!(s.shards[0].is_empty());
        s.retention_hours = 48;
        s.apply_retention(day + SimDuration::from_hours(1));
        assert!(s.trim_floor() >= SimTime::from_secs(11), "raising retention does not lower the floor");
    }
}
