//! Resharding: SplitShard, MergeShards and UpdateShardCount (spec §2.8, §4.5, §4.6; R46–R56).
//!
//! A reshard puts the stream in UPDATING; the shards change when it completes, atomically: parents
//! close (EndingSequenceNumber set, still readable until retention), children open and take over their
//! hash ranges, and lineage is recorded both ways. UpdateShardCount with UNIFORM_SCALING reaches its
//! target through a plan of splits at the target boundaries, then merges of the fragments inside each
//! target range; doubling is one split per shard and halving one merge per pair.

use super::actions::*;
use super::error::{KdsError, KdsResult};
use super::hashing::even_ranges;
use super::ids::{HashKey, HashRange, ShardId};
use super::limits::*;
use super::stream::{Pending, Stream};
use super::types::*;
use super::{KdsService, KdsTimer};
use crate::engine::time::SimTime;

impl KdsService {
    pub(super) fn split_shard(&mut self, now: SimTime, input: &SplitShardInput) -> KdsResult<()> {
        self.rate_check(now, "SplitShard", "", 5)?;
        let (name, account) = (self.stream_name_of(input)?, self.settings.account_id.clone());
        let stream = self.reshardable(&name, "SplitShard")?;
        let shard = open_shard(stream, &input.shard_to_split, "splitting", &account)?;
        let (id, range) = (shard.id, shard.range);
        let new_start = HashKey::parse(&input.new_starting_hash_key)
            .filter(|k| k.0 > range.start.0.saturating_add(1) && *k < range.end);
        let Some(new_start) = new_start else {
            return Err(KdsError::invalid_argument(format!(
                "NewStartingHashKey {} used in SplitShard() on shard {id} in stream {name} under account {account} \
                 is not both greater than one plus the shard's StartingHashKey {} and less than the shard's EndingHashKey {}.",
                input.new_starting_hash_key, range.start, range.end
            )));
        };
        self.quota_check(1)?;
        self.start_reshard(now, &name, Pending::Split { shard: id, new_start });
        Ok(())
    }

    pub(super) fn merge_shards(&mut self, now: SimTime, input: &MergeShardsInput) -> KdsResult<()> {
        self.rate_check(now, "MergeShards", "", 5)?;
        let (name, account) = (self.stream_name_of(input)?, self.settings.account_id.clone());
        let stream = self.reshardable(&name, "MergeShards")?;
        let first = open_shard(stream, &input.shard_to_merge, "merging", &account)?;
        let second = open_shard(stream, &input.adjacent_shard_to_merge, "merging", &account)?;
        let adjacent = first.range.end.0.checked_add(1) == Some(second.range.start.0)
            || second.range.end.0.checked_add(1) == Some(first.range.start.0);
        if !adjacent {
            return Err(KdsError::invalid_argument(format!(
                "Shards {} and {} in stream {name} under account {account} are not an adjacent pair of shards eligible for merging",
                first.id, second.id
            )));
        }
        let pending = Pending::Merge { shard: first.id, adjacent: second.id };
        self.start_reshard(now, &name, pending);
        Ok(())
    }

    pub(super) fn update_shard_count(
        &mut self,
        now: SimTime,
        input: &UpdateShardCountInput,
    ) -> KdsResult<UpdateShardCountOutput> {
        self.rate_check(now, "UpdateShardCount", "", 10)?;
        let (name, account) = (self.stream_name_of(input)?, self.settings.account_id.clone());
        if input.scaling_type != "UNIFORM_SCALING" {
            return Err(KdsError::validation(format!(
                "1 validation error detected: Value '{}' at 'scalingType' failed to satisfy constraint: Member must satisfy enum value set: [UNIFORM_SCALING]",
                input.scaling_type
            )));
        }
        let stream = self.reshardable(&name, "UpdateShardCount")?;
        let current = stream.open_shard_count();
        let target = u64::try_from(input.target_shard_count).unwrap_or(0);
        let bound = |text: &str| {
            KdsError::limit_exceeded(format!(
                "UpdateShardCount cannot scale {text}. Current open shard count: {current} Target shard count: {target}"
            ))
        };
        if target > current * 2 {
            return Err(bound("up over double your current open shard count"));
        }
        if target * 2 < current {
            return Err(bound("down below half your current open shard count"));
        }
        if target > u64::from(SHARDS_PER_STREAM_UPDATE_MAX) {
            return Err(bound(&format!("up above {SHARDS_PER_STREAM_UPDATE_MAX} shards in a stream")));
        }
        let peak = plan_fragments(stream, target as u32).len() as u64;
        self.quota_check(peak.saturating_sub(current))?;
        let stream = self.streams.get_mut(&name).expect("found above");
        if !stream.update_shard_count_calls.try_acquire(now) {
            return Err(KdsError::limit_exceeded(format!(
                "Exceeded the limit of {UPDATE_SHARD_COUNT_PER_DAY} UpdateShardCount calls per rolling 24 hours for stream {name} under account {account}."
            )));
        }
        let arn = stream.arn.clone();
        self.start_reshard(now, &name, Pending::Resize { target: target as u32 });
        Ok(UpdateShardCountOutput {
            stream_name: name,
            current_shard_count: current,
            target_shard_count: target,
            stream_arn: arn,
        })
    }

    /// The stream, if it may be resharded now (R46, R47).
    fn reshardable(&self, name: &str, action: &str) -> KdsResult<&Stream> {
        let account = &self.settings.account_id;
        let stream = self.streams.get(name).ok_or_else(|| KdsError::stream_not_found(name, account))?;
        if stream.mode == StreamMode::OnDemand {
            return Err(KdsError::validation(format!(
                "{action} is not supported for stream {name} under account {account} because it is in ON_DEMAND mode."
            )));
        }
        stream.ensure_active(account)?;
        Ok(stream)
    }

    fn start_reshard(&mut self, now: SimTime, name: &str, pending: Pending) {
        let delay = self.settings.stream_update_ms;
        self.streams.get_mut(name).expect("callers found the stream").pending = Some(pending);
        self.begin_update(now, name, delay);
    }

    /// Applies a split, merge or resize as its UPDATING completes.
    pub(super) fn apply_reshard(&mut self, now: SimTime, name: &str, pending: Pending) {
        let (secs, burst) = (self.wall_secs(now), self.settings.write_burst());
        let stream = self.streams.get_mut(name).expect("settling stream exists");
        match pending {
            Pending::Split { shard, new_start } => {
                split(stream, shard, new_start, now, secs, burst);
            }
            Pending::Merge { shard, adjacent } => {
                merge(stream, shard, adjacent, now, secs, burst);
            }
            Pending::Resize { target } => resize(stream, target, now, secs, burst),
            Pending::Mode(_) | Pending::StartEncryption(_) | Pending::StopEncryption => {
                unreachable!("settle() applies non-reshard work itself")
            }
        }
    }
}

impl KdsService {
    /// On-demand scaling (R61, spec §4.6): every check, each open shard that wrote more than the
    /// threshold share of its limit since the last check is split at its midpoint, at once and without
    /// UPDATING, so capacity doubles where the traffic is. Per-shard limits still bind: one hot key
    /// keeps throttling. Scale-down is not modelled (AWS takes hours and does not document it).
    pub(super) fn on_demand_check(&mut self, now: SimTime, name: &str, generation: u64) {
        let (secs, burst) = (self.wall_secs(now), self.settings.write_burst());
        let interval_ms = self.settings.on_demand_check_ms.max(1);
        let threshold = self.settings.on_demand_split_threshold_percent;
        let Some(stream) =
            self.streams.get_mut(name).filter(|s| s.generation == generation && s.mode == StreamMode::OnDemand)
        else {
            return;
        };
        let busy: Vec<ShardId> = stream
            .open_shards()
            .filter(|s| {
                let (records, bytes) = s.written_since_check;
                let records_pct = records * 1_000 * 100 / (SHARD_WRITE_RECORDS_PER_SEC * interval_ms);
                let bytes_pct = bytes * 1_000 * 100 / (SHARD_WRITE_BYTES_PER_SEC * interval_ms);
                records_pct.max(bytes_pct) > threshold && s.range.end.0 - s.range.start.0 > 2
            })
            .map(|s| s.id)
            .collect();
        for shard in stream.shards.iter_mut() {
            shard.written_since_check = (0, 0);
        }
        if stream.status != StreamStatus::Deleting {
            for id in busy {
                let middle = stream.shards[id.0 as usize].range.midpoint();
                split(stream, id, middle, now, secs, burst);
            }
        }
        let at = self.after(now, interval_ms);
        self.timers.schedule(at, KdsTimer::OnDemandCheck { stream: name.to_string(), generation });
    }
}

/// The open shard a request names, for splitting or merging (R04).
fn open_shard<'a>(stream: &'a Stream, text: &str, purpose: &str, account: &str) -> KdsResult<&'a super::shard::Shard> {
    let not_found = || KdsError::could_not_find_shard(text, &stream.name, account);
    let id = ShardId::resolve(text).ok_or_else(not_found)?;
    let shard = stream.live_shard(id).ok_or_else(not_found)?;
    if !shard.is_open() {
        return Err(KdsError::invalid_argument(format!(
            "Shard {id} in stream {} under account {account} has already been merged or split, and thus is not eligible for {purpose}.",
            stream.name
        )));
    }
    Ok(shard)
}

fn split(
    stream: &mut Stream,
    parent: ShardId,
    new_start: HashKey,
    now: SimTime,
    secs: u64,
    burst: crate::engine::time::SimDuration,
) -> (ShardId, ShardId) {
    let range = stream.shards[parent.0 as usize].range;
    stream.close_shard(parent, now, secs);
    let low = HashRange { start: range.start, end: HashKey(new_start.0 - 1) };
    let high = HashRange { start: new_start, end: range.end };
    (stream.add_shard(low, &[parent], secs, now, burst), stream.add_shard(high, &[parent], secs, now, burst))
}

fn merge(
    stream: &mut Stream,
    first: ShardId,
    second: ShardId,
    now: SimTime,
    secs: u64,
    burst: crate::engine::time::SimDuration,
) -> ShardId {
    let (a, b) = (stream.shards[first.0 as usize].range, stream.shards[second.0 as usize].range);
    stream.close_shard(first, now, secs);
    stream.close_shard(second, now, secs);
    let union = HashRange { start: a.start.min(b.start), end: a.end.max(b.end) };
    stream.add_shard(union, &[first, second], secs, now, burst)
}

/// UNIFORM_SCALING: split every open shard at the target boundaries inside it, then merge the fragments
/// of each target range left to right.
fn resize(stream: &mut Stream, target: u32, now: SimTime, secs: u64, burst: crate::engine::time::SimDuration) {
    let cuts = target_boundaries(stream, target);
    let open: Vec<ShardId> = stream.open_shards().map(|s| s.id).collect();
    for id in open {
        let mut piece = id;
        let range = stream.shards[id.0 as usize].range;
        for &cut in cuts.iter().filter(|&&c| c > range.start.0 && c <= range.end.0) {
            piece = split(stream, piece, HashKey(cut), now, secs, burst).1;
        }
    }
    let mut starts = vec![0u128];
    starts.extend(cuts);
    for (i, &start) in starts.iter().enumerate() {
        let end = starts.get(i + 1).map_or(u128::MAX, |next| next - 1);
        let pieces: Vec<ShardId> =
            stream.open_shards().filter(|s| s.range.start.0 >= start && s.range.end.0 <= end).map(|s| s.id).collect();
        let Some((&first, rest)) = pieces.split_first() else { continue };
        rest.iter().fold(first, |merged, &next| merge(stream, merged, next, now, secs, burst));
    }
}

/// The target ranges' starts (after 0). Each is snapped to an existing open boundary within 2 keys,
/// so the step formula's rounding never leaves 1-key fragments (doubling N = 3 stays one split a shard).
fn target_boundaries(stream: &Stream, target: u32) -> Vec<u128> {
    let existing: Vec<u128> = stream.open_shards().map(|s| s.range.start.0).collect();
    even_ranges(target)
        .iter()
        .skip(1)
        .map(|r| {
            let b = r.start.0;
            existing.iter().copied().find(|&e| e.abs_diff(b) <= 2).unwrap_or(b)
        })
        .collect()
}

/// The open shards a resize would pass through at its peak (after its splits), for the quota check.
fn plan_fragments(stream: &Stream, target: u32) -> Vec<(u128, u128)> {
    let cuts = target_boundaries(stream, target);
    let mut fragments = Vec::new();
    for shard in stream.open_shards() {
        let mut start = shard.range.start.0;
        for &cut in cuts.iter().filter(|&&c| c > shard.range.start.0 && c <= shard.range.end.0) {
            fragments.push((start, cut - 1));
            start = cut;
        }
        fragments.push((start, shard.range.end.0));
    }
    fragments
}
