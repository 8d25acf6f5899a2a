//! SubscribeToShard: enhanced fan-out push sessions (spec §1.6, §3.2, R35–R40).
//!
//! A subscription lasts at most 5 minutes. It pushes a `SubscribeToShardEvent` about 70 ms after records
//! arrive (a setting), or a heartbeat every 5 s when there are none, through its own 2 MiB/s pipe that
//! no other reader shares. Each event carries the records, a ContinuationSequenceNumber to resume from
//! (it advances even without data), MillisBehindLatest, and at the shard's end its ChildShards, after
//! which the subscription closes. The engine emits events as [`KdsEvent`]s; the replay gathers them
//! into the call's answer when the subscription ends.

use super::actions::SubscribeToShardEvent;
use super::bucket::TokenBucket;
use super::ids::ShardId;
use super::limits::*;
use super::shard::Taken;
use crate::engine::queue::TimerId;
use crate::engine::time::{SimDuration, SimTime};
use serde::Serialize;

/// Identifies a subscription within the account.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
pub struct SubscriptionId(pub u64);

/// Why a subscription stopped.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub enum SubscriptionEnd {
    /// Its 5 minutes were up.
    Expired,
    /// The shard was closed and fully delivered (the last event carried ChildShards).
    ShardEnd,
    /// A newer subscription for the same consumer and shard took over (R38).
    Replaced,
    /// The consumer, shard or stream went away.
    ResourceGone,
}

/// What a subscription tells its subscriber.
#[derive(Clone, Debug, PartialEq)]
pub enum KdsEvent {
    /// One pushed event, and what it took from the shard (also on run-detail shards, whose events carry
    /// no record bodies).
    Pushed { id: SubscriptionId, at: SimTime, event: SubscribeToShardEvent, taken: Taken },
    /// The subscription is over.
    Ended { id: SubscriptionId, at: SimTime, reason: SubscriptionEnd },
}

/// One open subscription.
#[derive(Clone, Debug)]
pub struct Subscription {
    /// Its id.
    pub id: SubscriptionId,
    /// The stream's name and incarnation.
    pub stream: String,
    /// The stream's incarnation.
    pub generation: u64,
    /// The consumer's name.
    pub consumer: String,
    /// The consumer's ARN.
    pub consumer_arn: String,
    /// The shard read.
    pub shard: ShardId,
    /// The next record pushed is the first with a counter above this.
    pub after_counter: u64,
    /// When it ends at the latest.
    pub ends_at: SimTime,
    /// The consumer's dedicated 2 MiB/s for this shard (R35).
    pub pipe: TokenBucket,
    /// The pending wake-up.
    pub timer: Option<(TimerId, SimTime)>,
}

impl Subscription {
    /// A new subscription starting after `after_counter`.
    pub fn new(
        id: SubscriptionId,
        stream: &str,
        generation: u64,
        consumer: (&str, &str),
        shard: ShardId,
        after_counter: u64,
        now: SimTime,
    ) -> Self {
        Subscription {
            id,
            stream: stream.to_string(),
            generation,
            consumer: consumer.0.to_string(),
            consumer_arn: consumer.1.to_string(),
            shard,
            after_counter,
            ends_at: now + SimDuration::from_millis(SUBSCRIPTION_LIFETIME_MS),
            pipe: TokenBucket::full(EFO_BYTES_PER_SEC, SimDuration::from_secs(1), now),
            timer: None,
        }
    }
}
