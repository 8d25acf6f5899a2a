//! An enhanced fan-out consumer: its own 2 MiB/s per shard, pushed over SubscribeToShard (spec kds.md
//! §1.6, §2.6, §4.9).
//!
//! It registers with RegisterStreamConsumer, waits for the consumer to become ACTIVE, then subscribes to
//! each shard. A subscription lasts five minutes; when it expires the consumer subscribes again from the
//! last ContinuationSequenceNumber. At a closed shard's end it subscribes to the children once all their
//! parents are finished. Its lag is the events' MillisBehindLatest. Subscriptions refused (the once per
//! 5 s limit, a consumer not yet ACTIVE) are retried 5 s later.

use super::stats::ConsumerStats;
use crate::engine::kds::actions::*;
use crate::engine::kds::ids::ShardId;
use crate::engine::kds::subscription::{KdsEvent, SubscriptionEnd, SubscriptionId};
use crate::engine::kds::types::{ChildShard, ShardIteratorType};
use crate::engine::kds::{KdsRequest, KdsResponse, KdsService};
use crate::engine::scenario::format::{EfoSpec, StartSpec};
use crate::engine::time::{SimDuration, SimTime};
use std::collections::BTreeMap;

/// How long a refused SubscribeToShard waits before trying again (the per-shard call limit's period).
const RESUBSCRIBE_WAIT: SimDuration = SimDuration::from_secs(5);

/// A running enhanced fan-out consumer.
#[derive(Debug)]
pub struct EfoConsumer {
    /// As the scenario wrote it.
    pub spec: EfoSpec,
    /// Its ARN once registered.
    pub arn: Option<String>,
    /// When it was registered (billing counts consumer-shard-hours from then).
    pub registered_at: Option<SimTime>,
    subscriptions: BTreeMap<SubscriptionId, ShardId>,
    /// Per shard index: where to resume (a continuation sequence number) and whether it is finished.
    shards: Vec<Option<ShardState>>,
    /// Its counters.
    pub stats: ConsumerStats,
}

#[derive(Clone, Debug)]
struct ShardState {
    start: ShardIteratorType,
    continuation: Option<String>,
    done: bool,
    behind_ms: u64,
}

impl EfoConsumer {
    /// A consumer that has not registered yet.
    pub fn new(spec: EfoSpec) -> EfoConsumer {
        EfoConsumer {
            spec,
            arn: None,
            registered_at: None,
            subscriptions: BTreeMap::new(),
            shards: Vec::new(),
            stats: ConsumerStats::default(),
        }
    }

    /// RegisterStreamConsumer; returns when the consumer will be ACTIVE, or the error text.
    pub fn register(&mut self, now: SimTime, kds: &mut KdsService) -> Result<SimTime, String> {
        let input = RegisterStreamConsumerInput {
            stream_arn: kds.settings().stream_arn(&self.spec.stream),
            consumer_name: self.spec.name.clone(),
        };
        match kds.handle(now, KdsRequest::RegisterStreamConsumer(input)) {
            Ok(KdsResponse::RegisterStreamConsumer(out)) => {
                self.arn = Some(out.consumer.consumer_arn);
                self.registered_at = Some(now);
                Ok(now + SimDuration::from_millis(kds.settings().consumer_create_ms))
            }
            Ok(_) => Err("RegisterStreamConsumer answered with something else".to_string()),
            Err(e) => Err(format!("RegisterStreamConsumer: {} {}", e.kind.aws_code(), e.message)),
        }
    }

    /// The consumer is ACTIVE: the shards to subscribe to first.
    pub fn first_shards(&mut self, kds: &KdsService) -> Vec<ShardId> {
        let Some(infos) = kds.shard_infos(&self.spec.stream) else { return Vec::new() };
        let chosen = super::first_shards(&infos, self.spec.start);
        let start = match self.spec.start {
            StartSpec::Latest => ShardIteratorType::Latest,
            StartSpec::TrimHorizon => ShardIteratorType::TrimHorizon,
        };
        for &id in &chosen {
            self.set(id, ShardState { start, continuation: None, done: false, behind_ms: 0 });
        }
        chosen
    }

    /// SubscribeToShard for `shard`; returns when to try again if it was refused.
    pub fn subscribe(&mut self, now: SimTime, shard: ShardId, kds: &mut KdsService) -> Option<SimTime> {
        let (Some(arn), Some(state)) = (self.arn.clone(), self.state(shard).filter(|s| !s.done)) else { return None };
        let (position_type, sequence_number) = match &state.continuation {
            Some(seq) => (ShardIteratorType::AfterSequenceNumber, Some(seq.clone())),
            None => (state.start, None),
        };
        let input = SubscribeToShardInput {
            consumer_arn: arn,
            shard_id: shard.to_string(),
            starting_position: StartingPosition { position_type, sequence_number, timestamp: None },
        };
        match kds.handle(now, KdsRequest::SubscribeToShard(input)) {
            Ok(KdsResponse::SubscribeToShard(started)) => {
                self.subscriptions.insert(started.id, shard);
                None
            }
            Ok(_) => None,
            Err(_) => Some(now + RESUBSCRIBE_WAIT),
        }
    }

    /// True if the event is for one of its subscriptions.
    pub fn owns(&self, event: &KdsEvent) -> bool {
        let id = match event {
            KdsEvent::Pushed { id, .. } | KdsEvent::Ended { id, .. } => id,
        };
        self.subscriptions.contains_key(id)
    }

    /// Handles one of its events; returns shards to subscribe to, and when.
    pub fn on_event(&mut self, event: KdsEvent) -> Vec<(SimTime, ShardId)> {
        match event {
            KdsEvent::Pushed { id, at, event, taken } => {
                let Some(&shard) = self.subscriptions.get(&id) else { return Vec::new() };
                self.stats.calls += 1;
                self.stats.records += taken.records;
                self.stats.user_records += taken.records;
                self.stats.bytes += taken.bytes;
                self.stats.duplicates += taken.duplicates;
                self.stats.age(event.millis_behind_latest);
                if let Some(i) = self.shards.get_mut(shard.0 as usize).and_then(Option::as_mut) {
                    i.behind_ms = event.millis_behind_latest;
                    if let Some(seq) = event.continuation_sequence_number {
                        i.continuation = Some(seq.to_string());
                    }
                }
                let ready = event.child_shards.map(|children| self.adopt(shard, &children)).unwrap_or_default();
                // The subscription ends after this event; subscribe to the children right away.
                ready.into_iter().map(|child| (at, child)).collect()
            }
            KdsEvent::Ended { id, at, reason } => {
                let Some(shard) = self.subscriptions.remove(&id) else { return Vec::new() };
                match reason {
                    SubscriptionEnd::Expired => vec![(at, shard)],
                    SubscriptionEnd::ShardEnd | SubscriptionEnd::ResourceGone => {
                        if let Some(s) = self.shards.get_mut(shard.0 as usize).and_then(Option::as_mut) {
                            s.done = true;
                        }
                        Vec::new()
                    }
                    SubscriptionEnd::Replaced => Vec::new(),
                }
            }
        }
    }

    /// How far behind the newest record it is now: the largest MillisBehindLatest of its shards.
    pub fn behind_ms(&self) -> u64 {
        self.shards.iter().flatten().filter(|s| !s.done).map(|s| s.behind_ms).max().unwrap_or(0)
    }

    /// The parent finished: children whose parents are all finished start from their beginning.
    fn adopt(&mut self, parent: ShardId, children: &[ChildShard]) -> Vec<ShardId> {
        if let Some(s) = self.shards.get_mut(parent.0 as usize).and_then(Option::as_mut) {
            s.done = true;
        }
        let mut ready = Vec::new();
        for child in children {
            let finished = child.parent_shards.iter().all(|p| self.state(*p).is_none_or(|s| s.done));
            if self.state(child.shard_id).is_none() && finished {
                let start = ShardIteratorType::TrimHorizon;
                self.set(child.shard_id, ShardState { start, continuation: None, done: false, behind_ms: 0 });
                ready.push(child.shard_id);
            }
        }
        ready
    }

    fn state(&self, shard: ShardId) -> Option<&ShardState> {
        self.shards.get(shard.0 as usize).and_then(Option::as_ref)
    }

    fn set(&mut self, shard: ShardId, state: ShardState) {
        let i = shard.0 as usize;
        if self.shards.len() <= i {
            self.shards.resize(i + 1, None);
        }
        self.shards[i] = Some(state);
    }
}
