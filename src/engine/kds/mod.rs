//! Kinesis Data Streams: streams, shards, records, iterators, capacity and resharding, as AWS runs them.
//!
//! [`KdsService`] is one simulated account in one region. Call [`KdsService::handle_timeout`] with the
//! current time before each request (the engine does), then [`KdsService::handle`] with the request;
//! [`KdsService::poll_timeout`] says when the next lifecycle change (CREATING → ACTIVE, a reshard
//! completing, a consumer becoming ACTIVE…) is due. Requests are the AWS actions' inputs
//! ([`actions`]); answers are their outputs or a [`KdsError`] with AWS's exception name and text.
//! A request that fails changes nothing.
//!
//! The files follow the nouns: `stream.rs`, `shard.rs`, `record.rs`, `sequence.rs` and `ids.rs` hold
//! state; `control.rs`, `data.rs`, `reshard.rs`, `listing.rs` and `consumers.rs` hold the actions.

pub mod actions;
pub mod bucket;
pub mod bulk;
pub mod cloudwatch;
mod consumers;
mod control;
mod data;
pub mod datetime;
pub mod error;
mod fanout;
pub mod hashing;
pub mod ids;
pub mod iterator;
pub mod limits;
mod listing;
pub mod metrics;
pub mod reader;
pub mod record;
mod reshard;
pub mod sequence;
pub mod settings;
pub mod shard;
pub mod stream;
pub mod subscription;
pub mod tally;
pub mod types;

use self::actions::*;
use self::bucket::RateWindow;
use self::error::{KdsError, KdsResult};
use self::ids::ShardId;
use self::settings::KdsSettings;
use self::stream::Stream;
use self::subscription::{KdsEvent, Subscription, SubscriptionId};
use crate::engine::queue::TimerQueue;
use crate::engine::time::{SimDuration, SimTime};
use serde::Serialize;
use std::collections::{BTreeMap, VecDeque};

/// One request to Kinesis Data Streams: an action and its input.
#[derive(Clone, Debug, PartialEq)]
pub enum KdsRequest {
    AddTagsToStream(AddTagsToStreamInput),
    CreateStream(CreateStreamInput),
    DecreaseStreamRetentionPeriod(RetentionPeriodInput),
    DeleteStream(DeleteStreamInput),
    DeregisterStreamConsumer(ConsumerRefInput),
    DescribeLimits,
    DescribeStream(DescribeStreamInput),
    DescribeStreamConsumer(ConsumerRefInput),
    DescribeStreamSummary(DescribeStreamSummaryInput),
    DisableEnhancedMonitoring(EnhancedMonitoringInput),
    EnableEnhancedMonitoring(EnhancedMonitoringInput),
    GetMetricStatistics(GetMetricStatisticsInput),
    GetRecords(GetRecordsInput),
    GetShardIterator(GetShardIteratorInput),
    IncreaseStreamRetentionPeriod(RetentionPeriodInput),
    ListShards(ListShardsInput),
    ListStreamConsumers(ListStreamConsumersInput),
    ListStreams(ListStreamsInput),
    ListTagsForStream(ListTagsForStreamInput),
    MergeShards(MergeShardsInput),
    PutRecord(PutRecordInput),
    PutRecords(PutRecordsInput),
    RegisterStreamConsumer(RegisterStreamConsumerInput),
    RemoveTagsFromStream(RemoveTagsFromStreamInput),
    SplitShard(SplitShardInput),
    StartStreamEncryption(StreamEncryptionInput),
    StopStreamEncryption(StreamEncryptionInput),
    SubscribeToShard(SubscribeToShardInput),
    UpdateShardCount(UpdateShardCountInput),
    UpdateStreamMode(UpdateStreamModeInput),
}

/// A successful answer: the action's output, serialised as AWS's response body.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(untagged)]
pub enum KdsResponse {
    Empty(Empty),
    DescribeLimits(DescribeLimitsOutput),
    DescribeStream(DescribeStreamOutput),
    DescribeStreamConsumer(DescribeStreamConsumerOutput),
    DescribeStreamSummary(DescribeStreamSummaryOutput),
    EnhancedMonitoring(EnhancedMonitoringOutput),
    GetMetricStatistics(GetMetricStatisticsOutput),
    GetRecords(GetRecordsOutput),
    GetShardIterator(GetShardIteratorOutput),
    ListShards(ListShardsOutput),
    ListStreamConsumers(ListStreamConsumersOutput),
    ListStreams(ListStreamsOutput),
    ListTagsForStream(ListTagsForStreamOutput),
    PutRecord(PutRecordOutput),
    PutRecords(PutRecordsOutput),
    RegisterStreamConsumer(RegisterStreamConsumerOutput),
    SubscribeToShard(SubscriptionStarted),
    UpdateShardCount(UpdateShardCountOutput),
}

/// Lifecycle changes due later.
#[derive(Clone, Debug, PartialEq, Eq)]
enum KdsTimer {
    /// CREATING or UPDATING finishes (applying the pending work).
    StreamSettles { stream: String, generation: u64 },
    /// DELETING finishes.
    StreamGone { stream: String, generation: u64 },
    /// A consumer finishes CREATING.
    ConsumerActive { stream: String, generation: u64, consumer: String, created_wall_ms: u64 },
    /// A consumer finishes DELETING.
    ConsumerGone { stream: String, generation: u64, consumer: String, created_wall_ms: u64 },
    /// A subscription pushes its next event (records arrived, the pipe refilled, or a heartbeat).
    SubscriptionWake { id: SubscriptionId },
    /// An ON_DEMAND stream's periodic capacity check.
    OnDemandCheck { stream: String, generation: u64 },
}

/// One simulated account's Kinesis Data Streams.
#[derive(Debug)]
pub struct KdsService {
    settings: KdsSettings,
    streams: BTreeMap<String, Stream>,
    generations: u64,
    timers: TimerQueue<KdsTimer>,
    /// Control-plane calls in the last second, by (action, scope: "" for the account or a stream name).
    rates: BTreeMap<(&'static str, String), RateWindow>,
    /// Open enhanced fan-out subscriptions.
    subscriptions: BTreeMap<SubscriptionId, Subscription>,
    next_subscription: u64,
    /// The last SubscribeToShard per (consumer ARN, shard), for R37 and R38.
    last_subscribe: BTreeMap<(String, ShardId), SimTime>,
    /// Events for subscribers, drained with [`KdsService::poll_event`].
    events: VecDeque<KdsEvent>,
}

impl KdsService {
    /// A fresh account with no streams.
    pub fn new(settings: KdsSettings) -> Self {
        KdsService {
            settings,
            streams: BTreeMap::new(),
            generations: 0,
            timers: TimerQueue::new(),
            rates: BTreeMap::new(),
            subscriptions: BTreeMap::new(),
            next_subscription: 0,
            last_subscribe: BTreeMap::new(),
            events: VecDeque::new(),
        }
    }

    /// The account's settings.
    pub fn settings(&self) -> &KdsSettings {
        &self.settings
    }

    /// The streams, by name.
    pub fn streams(&self) -> &BTreeMap<String, Stream> {
        &self.streams
    }

    /// When the next lifecycle change is due (`SimTime::MAX`: none).
    pub fn poll_timeout(&self) -> SimTime {
        self.timers.next_time()
    }

    /// Applies every lifecycle change due at or before `now`; returns how many there were.
    pub fn handle_timeout(&mut self, now: SimTime) -> u64 {
        let mut fired = 0;
        while let Some((at, timer)) = self.timers.pop_due(now) {
            fired += 1;
            match timer {
                KdsTimer::StreamSettles { stream, generation } => self.settle(at, &stream, generation),
                KdsTimer::StreamGone { stream, generation } => {
                    if self.streams.get(&stream).is_some_and(|s| s.generation == generation) {
                        self.streams.remove(&stream);
                    }
                }
                KdsTimer::ConsumerActive { stream, generation, consumer, created_wall_ms } => {
                    self.consumer_settles(&stream, generation, &consumer, created_wall_ms, true)
                }
                KdsTimer::ConsumerGone { stream, generation, consumer, created_wall_ms } => {
                    self.consumer_settles(&stream, generation, &consumer, created_wall_ms, false)
                }
                KdsTimer::OnDemandCheck { stream, generation } => self.on_demand_check(at, &stream, generation),
                KdsTimer::SubscriptionWake { id } => {
                    if let Some(sub) = self.subscriptions.get_mut(&id) {
                        sub.timer = None;
                    }
                    self.push_event(at, id)
                }
            }
        }
        fired
    }

    /// Handles one request at `now` (after [`KdsService::handle_timeout`] for `now`).
    pub fn handle(&mut self, now: SimTime, request: KdsRequest) -> KdsResult<KdsResponse> {
        use KdsRequest as R;
        use KdsResponse as A;
        let empty = |r: KdsResult<()>| r.map(|()| A::Empty(Empty {}));
        match request {
            R::AddTagsToStream(input) => empty(self.add_tags_to_stream(now, &input)),
            R::CreateStream(input) => empty(self.create_stream(now, &input)),
            R::DecreaseStreamRetentionPeriod(input) => empty(self.change_retention(now, &input, false)),
            R::DeleteStream(input) => empty(self.delete_stream(now, &input)),
            R::DeregisterStreamConsumer(input) => empty(self.deregister_stream_consumer(now, &input)),
            R::DescribeLimits => self.describe_limits(now).map(A::DescribeLimits),
            R::DescribeStream(input) => self.describe_stream(now, &input).map(A::DescribeStream),
            R::DescribeStreamConsumer(input) => {
                self.describe_stream_consumer(now, &input).map(A::DescribeStreamConsumer)
            }
            R::DescribeStreamSummary(input) => self.describe_stream_summary(now, &input).map(A::DescribeStreamSummary),
            R::DisableEnhancedMonitoring(input) => self.enhanced_monitoring(&input, false).map(A::EnhancedMonitoring),
            R::EnableEnhancedMonitoring(input) => self.enhanced_monitoring(&input, true).map(A::EnhancedMonitoring),
            R::GetMetricStatistics(input) => self.get_metric_statistics(&input).map(A::GetMetricStatistics),
            R::GetRecords(input) => self.get_records(now, &input).map(A::GetRecords),
            R::GetShardIterator(input) => self.get_shard_iterator(now, &input).map(A::GetShardIterator),
            R::IncreaseStreamRetentionPeriod(input) => empty(self.change_retention(now, &input, true)),
            R::ListShards(input) => self.list_shards(now, &input).map(A::ListShards),
            R::ListStreamConsumers(input) => self.list_stream_consumers(now, &input).map(A::ListStreamConsumers),
            R::ListStreams(input) => self.list_streams(now, &input).map(A::ListStreams),
            R::ListTagsForStream(input) => self.list_tags_for_stream(now, &input).map(A::ListTagsForStream),
            R::MergeShards(input) => empty(self.merge_shards(now, &input)),
            R::PutRecord(input) => self.put_record(now, input).map(A::PutRecord),
            R::PutRecords(input) => self.put_records(now, input).map(A::PutRecords),
            R::RegisterStreamConsumer(input) => {
                self.register_stream_consumer(now, &input).map(A::RegisterStreamConsumer)
            }
            R::RemoveTagsFromStream(input) => empty(self.remove_tags_from_stream(now, &input)),
            R::SplitShard(input) => empty(self.split_shard(now, &input)),
            R::StartStreamEncryption(input) => empty(self.change_encryption(now, &input, true)),
            R::StopStreamEncryption(input) => empty(self.change_encryption(now, &input, false)),
            R::SubscribeToShard(input) => self.subscribe_to_shard(now, &input).map(A::SubscribeToShard),
            R::UpdateShardCount(input) => self.update_shard_count(now, &input).map(A::UpdateShardCount),
            R::UpdateStreamMode(input) => empty(self.update_stream_mode(now, &input)),
        }
    }

    /// Epoch milliseconds at simulated time `now`.
    fn wall_ms(&self, now: SimTime) -> u64 {
        self.settings.epoch_ms + now.as_millis()
    }

    /// Epoch seconds at simulated time `now`.
    fn wall_secs(&self, now: SimTime) -> u64 {
        self.wall_ms(now) / 1_000
    }

    fn after(&self, now: SimTime, ms: u64) -> SimTime {
        now + SimDuration::from_millis(ms)
    }

    /// The name of the stream a request designates, by name or ARN (they must agree when both are given).
    fn stream_name_of(&self, names: &impl NamesStream) -> KdsResult<String> {
        let from_arn = names.stream_arn().map(|arn| self.name_from_arn(arn)).transpose()?;
        match (names.stream_name(), from_arn) {
            (Some(name), Some(arn_name)) if name != arn_name => Err(KdsError::invalid_argument(format!(
                "StreamARN {} and StreamName {name} do not refer to the same stream.",
                names.stream_arn().unwrap_or_default()
            ))),
            (Some(name), _) => Ok(name.to_string()),
            (None, Some(arn_name)) => Ok(arn_name),
            (None, None) => Err(KdsError::invalid_argument("Either StreamName or StreamARN must be provided.")),
        }
    }

    /// The stream name inside a stream ARN of this account and region.
    fn name_from_arn(&self, arn: &str) -> KdsResult<String> {
        let prefix = format!("arn:aws:kinesis:{}:{}:stream/", self.settings.region, self.settings.account_id);
        match arn.strip_prefix(&prefix) {
            Some(name) if !name.is_empty() && !name.contains('/') => Ok(name.to_string()),
            _ => Err(KdsError::resource_not_found(format!(
                "Stream {arn} under account {} not found.",
                self.settings.account_id
            ))),
        }
    }

    /// The designated stream, which must exist (in any state).
    fn stream(&self, names: &impl NamesStream) -> KdsResult<&Stream> {
        let name = self.stream_name_of(names)?;
        self.streams.get(&name).ok_or_else(|| KdsError::stream_not_found(&name, &self.settings.account_id))
    }

    /// The designated stream, mutably.
    fn stream_mut(&mut self, names: &impl NamesStream) -> KdsResult<&mut Stream> {
        let name = self.stream_name_of(names)?;
        let account = self.settings.account_id.clone();
        self.streams.get_mut(&name).ok_or_else(|| KdsError::stream_not_found(&name, &account))
    }

    /// §2.9: counts a control-plane call against `limit` per second for `scope`; refuses beyond it.
    fn rate_check(&mut self, now: SimTime, action: &'static str, scope: &str, limit: usize) -> KdsResult<()> {
        if !self.settings.control_plane_rate_limits {
            return Ok(());
        }
        let window = self
            .rates
            .entry((action, scope.to_string()))
            .or_insert_with(|| RateWindow::new(limit, SimDuration::from_secs(1)));
        if window.try_acquire(now) {
            return Ok(());
        }
        Err(match scope {
            "" => KdsError::account_rate(&self.settings.account_id),
            stream => KdsError::stream_rate(stream, &self.settings.account_id),
        })
    }

    /// Open shards across the account, for the shard quota.
    fn account_open_shards(&self) -> u64 {
        self.streams.values().map(Stream::open_shard_count).sum()
    }

    /// R52: refuses a change that would open `additional` shards beyond the quota.
    fn quota_check(&self, additional: u64) -> KdsResult<()> {
        let (current, limit) = (self.account_open_shards(), self.settings.shard_quota());
        if current + additional <= limit {
            return Ok(());
        }
        Err(KdsError::shard_quota(&self.settings.account_id, &self.settings.region, current, limit, additional))
    }
}

#[cfg(test)]
mod tests;
