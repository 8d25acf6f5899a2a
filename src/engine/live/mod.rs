//! The live history the Streams lab draws: every shard, stream and consumer, second by second.
//!
//! The engine captures it at each whole simulated second, between events in time order (service
//! changes at that instant first, as for metric samples), so a second holds exactly what happened in it
//! whatever the playback speed, the frame rate or the scenario's sample interval. Capturing is not an
//! event: it never wakes the engine and does not count in `events_processed`, so a run with the history
//! on fires the same events as one without (the CLI keeps it off).
//!
//! Streams and consumers keep an hour. Shards share a budget of shard-seconds, so a stream of 100 shards
//! keeps an hour of each and one of 1,000 shards the last [`SHARD_SECONDS_BUDGET`] ÷ 1,000 seconds.

pub mod cloudwatch;
pub mod inspect;
pub mod ring;
pub mod seconds;

use super::clients::Clients;
use super::kds::ids::ShardId;
use super::kds::metrics::Metric;
use super::kds::KdsService;
use super::time::SimTime;
use ring::{Points, Ring};
use seconds::{ConsumerSecond, ShardSecond, StreamSecond};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// Seconds of stream and consumer history kept: an hour.
pub const HISTORY_SECONDS: usize = 3_600;
/// Shard-seconds kept over all shards (about 14 MB): an hour for each of 111 shards.
pub const SHARD_SECONDS_BUDGET: usize = 400_000;
/// The least history a shard keeps, however many shards there are.
pub const SHARD_SECONDS_MIN: usize = 60;

/// A shard of a stream, as the UI names it.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub struct ShardRef {
    pub stream: String,
    /// `shardId-000000000000`.
    pub shard: String,
}

/// Every stream's, shard's and consumer's recent seconds.
#[derive(Clone, Debug, Default)]
pub struct History {
    /// The next whole second to capture.
    next_second: u64,
    streams: BTreeMap<String, StreamHistory>,
    /// By the consumer's place in the scenario.
    consumers: Vec<ConsumerHistory>,
}

#[derive(Clone, Debug)]
struct StreamHistory {
    total: Ring<StreamSecond>,
    shards: BTreeMap<ShardId, Ring<ShardSecond>>,
}

#[derive(Clone, Debug)]
struct ConsumerHistory {
    name: String,
    seconds: Ring<ConsumerSecond>,
    /// Its running totals at the last capture: (records, bytes, read_throttled).
    last: (u64, u64, u64),
}

/// New seconds for the UI: every stream and consumer, and one shard it watches.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct LiveUpdate {
    /// Replace what you kept (a new run) instead of appending.
    pub fresh: bool,
    /// Per stream, by name.
    pub streams: Vec<(String, Points<StreamSecond>)>,
    /// Per consumer, in the scenario's order.
    pub consumers: Vec<(String, Points<ConsumerSecond>)>,
    /// The watched shard's seconds; `shard_fresh` means they replace the ones kept (a new watch).
    pub shard: Option<(ShardRef, Points<ShardSecond>)>,
    #[serde(default)]
    pub shard_fresh: bool,
}

impl History {
    /// When the next capture is due: the next whole second.
    pub fn next_at(&self) -> SimTime {
        SimTime::from_secs(self.next_second)
    }

    /// Records the second that ends at `at` (a whole second) for every stream, shard and consumer.
    pub fn capture(&mut self, at: SimTime, kds: &KdsService, clients: &Clients) {
        let second = at.as_micros() / 1_000_000;
        self.next_second = second + 1;
        let Some(ended) = second.checked_sub(1) else { return };
        let live_shards: usize = kds.streams().values().map(|s| s.live_shards().count()).sum();
        let shard_capacity = (SHARD_SECONDS_BUDGET / live_shards.max(1)).clamp(SHARD_SECONDS_MIN, HISTORY_SECONDS);
        self.streams.retain(|name, _| kds.streams().contains_key(name));
        for (name, stream) in kds.streams() {
            let history = self
                .streams
                .entry(name.clone())
                .or_insert_with(|| StreamHistory { total: Ring::new(HISTORY_SECONDS), shards: BTreeMap::new() });
            history.shards.retain(|id, _| stream.live_shard(*id).is_some());
            let mut total = StreamSecond { open_shards: stream.open_shard_count() as u32, ..Default::default() };
            for shard in stream.live_shards() {
                let c = shard.tally.last_second(at);
                let (tokens_records, tokens_bytes) = shard.write_tokens(at);
                let n = ShardSecond::narrow;
                let s = ShardSecond {
                    records_in: n(c.records_in),
                    bytes_in: n(c.bytes_in),
                    write_throttled: n(c.write_throttled),
                    read_calls: n(c.read_calls),
                    records_out: n(c.records_out),
                    bytes_out: n(c.bytes_out),
                    read_throttled: n(c.read_throttled),
                    tokens_records: ShardSecond::narrow_level(tokens_records),
                    tokens_bytes: ShardSecond::narrow_level(tokens_bytes),
                };
                let ring = history.shards.entry(shard.id).or_insert_with(|| Ring::new(shard_capacity));
                ring.set_capacity(shard_capacity);
                ring.push(ended, s);
                total.records_in += c.records_in;
                total.bytes_in += c.bytes_in;
                total.write_throttled += c.write_throttled;
                total.read_calls += c.read_calls;
                total.bytes_out += c.bytes_out;
                total.read_throttled += c.read_throttled;
            }
            let age = Metric::GetRecordsIteratorAgeMilliseconds as usize;
            total.iterator_age_ms =
                stream.metrics.stream.periods(age, ended, second, 1).first().map_or(0, |(_, stat)| stat.max);
            history.total.push(ended, total);
        }
        self.capture_consumers(ended, clients);
    }

    fn capture_consumers(&mut self, ended: u64, clients: &Clients) {
        if self.consumers.len() != clients.consumers.len() {
            self.consumers = clients
                .consumers
                .iter()
                .map(|c| ConsumerHistory {
                    name: c.name().to_string(),
                    seconds: Ring::new(HISTORY_SECONDS),
                    last: (0, 0, 0),
                })
                .collect();
        }
        for (history, consumer) in self.consumers.iter_mut().zip(&clients.consumers) {
            let stats = consumer.stats();
            let now = (stats.records, stats.bytes, stats.read_throttled);
            let second = ConsumerSecond {
                records: now.0 - history.last.0,
                bytes: now.1 - history.last.1,
                read_throttled: now.2 - history.last.2,
                behind_ms: consumer.behind_ms(),
            };
            history.last = now;
            history.seconds.push(ended, second);
        }
    }

    /// The seconds from `from` on of every stream and consumer (at most `max_points` bins each), and of
    /// the watched shard from `shard_from` on.
    pub fn update(&self, from: u64, shard: Option<(&ShardRef, u64)>, max_points: usize) -> LiveUpdate {
        let streams =
            self.streams.iter().map(|(name, h)| (name.clone(), h.total.points_from(from, max_points))).collect();
        let consumers =
            self.consumers.iter().map(|c| (c.name.clone(), c.seconds.points_from(from, max_points))).collect();
        let shard = shard.map(|(watched, shard_from)| {
            let points = self
                .shard_ring(watched)
                .map_or_else(|| Points::empty(shard_from), |ring| ring.points_from(shard_from, max_points));
            (watched.clone(), points)
        });
        LiveUpdate { streams, consumers, shard, ..Default::default() }
    }

    /// How many stream and consumer series an update carries.
    pub fn series_count(&self) -> usize {
        self.streams.len() + self.consumers.len()
    }

    /// The second after the newest one captured.
    pub fn end(&self) -> u64 {
        self.next_second.saturating_sub(1)
    }

    fn shard_ring(&self, watched: &ShardRef) -> Option<&Ring<ShardSecond>> {
        let id = ShardId::resolve(&watched.shard)?;
        self.streams.get(&watched.stream)?.shards.get(&id)
    }
}
