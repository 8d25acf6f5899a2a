//! The serde view of the engine that crosses to the UI: plain data, no behaviour.

use super::clients::{Clients, Consumer};
use super::kds::tally::ShardTally;
use super::kds::types::{StreamMode, StreamStatus};
use super::kds::KdsService;
use super::rng::Seed;
use super::time::SimTime;
use serde::{Deserialize, Serialize};

/// What the engine looks like at one instant.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Snapshot {
    /// The simulated time the engine has reached.
    pub now: SimTime,
    /// The seed the run replays from.
    pub seed: Seed,
    /// Events processed since the run began (timers fired, commands handled).
    pub events_processed: u64,
    /// Timers scheduled and not yet fired.
    pub timers_pending: u64,
    /// When the next event is due, if any.
    pub next_event_at: Option<SimTime>,
    /// The Kinesis data streams, in name order.
    #[serde(default)]
    pub streams: Vec<StreamView>,
    /// The loaded scenario's consumers, in its order.
    #[serde(default)]
    pub consumers: Vec<ConsumerView>,
    /// The loaded scenario's producers, in its order.
    #[serde(default)]
    pub producers: Vec<ProducerView>,
    /// The Firehose streams, in name order.
    #[serde(default)]
    pub firehose: Vec<super::firehose::view::DeliveryStreamView>,
    /// The Kinesis Data Analytics applications, in name order.
    #[serde(default)]
    pub analytics: Vec<super::analytics::view::ApplicationView>,
}

/// A simulated producer as the UI shows it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProducerView {
    pub name: String,
    pub stream: String,
    /// Sending now (stopped before its start, after its stop, or by the user).
    pub running: bool,
    /// Running totals: records stored, and attempts refused by throttling.
    pub stored: u64,
    pub throttled: u64,
}

impl ProducerView {
    /// Every producer of the loaded scenario.
    pub fn all(clients: &Clients) -> Vec<ProducerView> {
        clients
            .producers
            .iter()
            .map(|p| ProducerView {
                name: p.plan.spec.name.clone(),
                stream: p.plan.spec.stream.clone(),
                running: p.running,
                stored: p.stats.stored,
                throttled: p.stats.throttled,
            })
            .collect()
    }
}

/// A simulated consumer as the UI shows it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ConsumerView {
    pub name: String,
    /// `polling`, `efo`, `kcl` or `lambda`.
    pub kind: String,
    pub stream: String,
    /// How far behind the newest record it is now, in ms (its MillisBehindLatest; the largest over its shards).
    pub behind_ms: u64,
    /// Running totals.
    pub records: u64,
    pub bytes: u64,
    pub read_throttled: u64,
    /// A KCL application's running workers (None for other kinds).
    #[serde(default)]
    pub workers: Option<u32>,
}

impl ConsumerView {
    /// Every consumer of the loaded scenario.
    pub fn all(clients: &Clients) -> Vec<ConsumerView> {
        clients
            .consumers
            .iter()
            .map(|c| ConsumerView {
                name: c.name().to_string(),
                kind: match c {
                    Consumer::Polling(_) => "polling",
                    Consumer::Efo(_) => "efo",
                    Consumer::Kcl(_) => "kcl",
                    Consumer::Lambda(_) => "lambda",
                }
                .to_string(),
                stream: c.stream().to_string(),
                behind_ms: c.behind_ms(),
                records: c.stats().records,
                bytes: c.stats().bytes,
                read_throttled: c.stats().read_throttled,
                workers: match c {
                    Consumer::Kcl(app) => Some(app.workers.iter().filter(|&&alive| alive).count() as u32),
                    _ => None,
                },
            })
            .collect()
    }
}

/// A stream as the UI draws it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct StreamView {
    pub name: String,
    pub status: StreamStatus,
    pub mode: StreamMode,
    pub retention_hours: u32,
    /// Every shard still within retention, open or closed, in id order.
    pub shards: Vec<ShardView>,
}

/// A shard as the UI draws it: its place in the key space and its lineage.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ShardView {
    /// `shardId-000000000000`.
    pub id: String,
    /// The first and last hash key, in decimal (exact, for people).
    pub starting_hash_key: String,
    pub ending_hash_key: String,
    /// The same keys' top 64 bits, to place the shard on a bar without 128-bit arithmetic in the UI.
    pub start_top64: u64,
    pub end_top64: u64,
    pub parent: Option<String>,
    pub adjacent_parent: Option<String>,
    pub open: bool,
    /// Running totals since the shard was created.
    pub tally: ShardTally,
    /// The counts of the last complete simulated second: the shard's rates against its limits.
    pub last_second: ShardTally,
}

impl StreamView {
    /// Every stream of `kds`, as views.
    pub fn all(kds: &KdsService, now: SimTime) -> Vec<StreamView> {
        kds.streams()
            .values()
            .map(|s| StreamView {
                name: s.name.clone(),
                status: s.status,
                mode: s.mode,
                retention_hours: s.retention_hours,
                shards: s
                    .shards
                    .iter()
                    .filter(|sh| s.live_shard(sh.id).is_some())
                    .map(|sh| ShardView {
                        id: sh.id.to_string(),
                        starting_hash_key: sh.range.start.0.to_string(),
                        ending_hash_key: sh.range.end.0.to_string(),
                        start_top64: (sh.range.start.0 >> 64) as u64,
                        end_top64: (sh.range.end.0 >> 64) as u64,
                        parent: sh.parent.map(|p| p.to_string()),
                        adjacent_parent: sh.adjacent_parent.map(|p| p.to_string()),
                        open: sh.is_open(),
                        tally: sh.tally.total,
                        last_second: sh.tally.last_second(now),
                    })
                    .collect(),
            })
            .collect()
    }
}
