//! Every Kinesis Data Streams action's input and output, named and shaped as in the AWS SDK and the
//! JSON protocol (`Kinesis_20131202.<Action>`). Inputs deserialise from request bodies that the API
//! layer has already checked against the model; outputs serialise to response bodies.

use super::ids::ShardId;
use super::sequence::SequenceNumber;
use super::types::*;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// An empty response body, `{}`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize)]
pub struct Empty {}

/// The stream a request names, by name, by ARN, or both.
pub trait NamesStream {
    /// `StreamName`, if given.
    fn stream_name(&self) -> Option<&str>;
    /// `StreamARN`, if given.
    fn stream_arn(&self) -> Option<&str>;
}

macro_rules! names_stream {
    ($($t:ty),* $(,)?) => {$(
        impl NamesStream for $t {
            fn stream_name(&self) -> Option<&str> { self.stream_name.as_deref() }
            fn stream_arn(&self) -> Option<&str> { self.stream_arn.as_deref() }
        }
    )*};
}

names_stream!(
    DeleteStreamInput,
    DescribeStreamInput,
    DescribeStreamSummaryInput,
    ListShardsInput,
    SplitShardInput,
    MergeShardsInput,
    UpdateShardCountInput,
    RetentionPeriodInput,
    StreamEncryptionInput,
    EnhancedMonitoringInput,
    AddTagsToStreamInput,
    RemoveTagsFromStreamInput,
    ListTagsForStreamInput,
    PutRecordInput,
    PutRecordsInput,
    GetShardIteratorInput,
);

/// CreateStream.
#[derive(Clone, Debug, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct CreateStreamInput {
    pub stream_name: String,
    pub shard_count: Option<i64>,
    pub stream_mode_details: Option<StreamModeDetails>,
    pub tags: Option<BTreeMap<String, String>>,
}

/// DeleteStream.
#[derive(Clone, Debug, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct DeleteStreamInput {
    pub stream_name: Option<String>,
    #[serde(rename = "StreamARN")]
    pub stream_arn: Option<String>,
    pub enforce_consumer_deletion: Option<bool>,
}

/// DescribeStream.
#[derive(Clone, Debug, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct DescribeStreamInput {
    pub stream_name: Option<String>,
    #[serde(rename = "StreamARN")]
    pub stream_arn: Option<String>,
    pub limit: Option<i64>,
    pub exclusive_start_shard_id: Option<String>,
}

/// DescribeStream's answer.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct DescribeStreamOutput {
    #[serde(rename = "StreamDescription")]
    pub stream_description: StreamDescription,
}

/// The legacy full description of a stream.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct StreamDescription {
    pub stream_name: String,
    #[serde(rename = "StreamARN")]
    pub stream_arn: String,
    pub stream_status: StreamStatus,
    pub stream_mode_details: StreamModeDetails,
    pub shards: Vec<ShardView>,
    pub has_more_shards: bool,
    pub retention_period_hours: u32,
    pub stream_creation_timestamp: f64,
    pub enhanced_monitoring: Vec<EnhancedMetrics>,
    pub encryption_type: EncryptionType,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub key_id: Option<String>,
}

/// DescribeStreamSummary.
#[derive(Clone, Debug, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct DescribeStreamSummaryInput {
    pub stream_name: Option<String>,
    #[serde(rename = "StreamARN")]
    pub stream_arn: Option<String>,
}

/// DescribeStreamSummary's answer.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct DescribeStreamSummaryOutput {
    #[serde(rename = "StreamDescriptionSummary")]
    pub stream_description_summary: StreamDescriptionSummary,
}

/// A stream without its shard list.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct StreamDescriptionSummary {
    pub stream_name: String,
    #[serde(rename = "StreamARN")]
    pub stream_arn: String,
    pub stream_status: StreamStatus,
    pub stream_mode_details: StreamModeDetails,
    pub retention_period_hours: u32,
    pub stream_creation_timestamp: f64,
    pub enhanced_monitoring: Vec<EnhancedMetrics>,
    pub encryption_type: EncryptionType,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub key_id: Option<String>,
    pub open_shard_count: u64,
    pub consumer_count: u64,
}

/// ListStreams.
#[derive(Clone, Debug, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct ListStreamsInput {
    pub limit: Option<i64>,
    pub exclusive_start_stream_name: Option<String>,
    pub next_token: Option<String>,
}

/// ListStreams' answer.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct ListStreamsOutput {
    pub stream_names: Vec<String>,
    pub has_more_streams: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub next_token: Option<String>,
    pub stream_summaries: Vec<StreamSummary>,
}

/// One stream in ListStreams.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct StreamSummary {
    pub stream_name: String,
    #[serde(rename = "StreamARN")]
    pub stream_arn: String,
    pub stream_status: StreamStatus,
    pub stream_mode_details: StreamModeDetails,
    pub stream_creation_timestamp: f64,
}

/// ListShards.
#[derive(Clone, Debug, Default, PartialEq, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct ListShardsInput {
    pub stream_name: Option<String>,
    #[serde(rename = "StreamARN")]
    pub stream_arn: Option<String>,
    pub next_token: Option<String>,
    pub exclusive_start_shard_id: Option<String>,
    pub max_results: Option<i64>,
    pub stream_creation_timestamp: Option<f64>,
    pub shard_filter: Option<ShardFilter>,
}

/// ListShards' filter.
#[derive(Clone, Debug, PartialEq, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct ShardFilter {
    #[serde(rename = "Type")]
    pub filter_type: ShardFilterType,
    pub shard_id: Option<String>,
    pub timestamp: Option<f64>,
}

/// Which shards ListShards returns.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum ShardFilterType {
    /// Shards after the given id.
    AfterShardId,
    /// Shards open at the trim horizon.
    AtTrimHorizon,
    /// All shards within retention (the default).
    FromTrimHorizon,
    /// Open shards only.
    AtLatest,
    /// Shards open at the given time.
    AtTimestamp,
    /// Shards open at or after the given time.
    FromTimestamp,
}

/// ListShards' answer.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct ListShardsOutput {
    pub shards: Vec<ShardView>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub next_token: Option<String>,
}

/// SplitShard.
#[derive(Clone, Debug, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct SplitShardInput {
    pub stream_name: Option<String>,
    #[serde(rename = "StreamARN")]
    pub stream_arn: Option<String>,
    pub shard_to_split: String,
    pub new_starting_hash_key: String,
}

/// MergeShards.
#[derive(Clone, Debug, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct MergeShardsInput {
    pub stream_name: Option<String>,
    #[serde(rename = "StreamARN")]
    pub stream_arn: Option<String>,
    pub shard_to_merge: String,
    pub adjacent_shard_to_merge: String,
}

/// UpdateShardCount.
#[derive(Clone, Debug, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct UpdateShardCountInput {
    pub stream_name: Option<String>,
    #[serde(rename = "StreamARN")]
    pub stream_arn: Option<String>,
    pub target_shard_count: i64,
    pub scaling_type: String,
}

/// UpdateShardCount's answer.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct UpdateShardCountOutput {
    pub stream_name: String,
    pub current_shard_count: u64,
    pub target_shard_count: u64,
    #[serde(rename = "StreamARN")]
    pub stream_arn: String,
}

/// UpdateStreamMode.
#[derive(Clone, Debug, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct UpdateStreamModeInput {
    #[serde(rename = "StreamARN")]
    pub stream_arn: String,
    pub stream_mode_details: StreamModeDetails,
}

/// IncreaseStreamRetentionPeriod and DecreaseStreamRetentionPeriod.
#[derive(Clone, Debug, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct RetentionPeriodInput {
    pub stream_name: Option<String>,
    #[serde(rename = "StreamARN")]
    pub stream_arn: Option<String>,
    pub retention_period_hours: i64,
}

/// StartStreamEncryption and StopStreamEncryption.
#[derive(Clone, Debug, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct StreamEncryptionInput {
    pub stream_name: Option<String>,
    #[serde(rename = "StreamARN")]
    pub stream_arn: Option<String>,
    pub encryption_type: EncryptionType,
    pub key_id: String,
}

/// EnableEnhancedMonitoring and DisableEnhancedMonitoring.
#[derive(Clone, Debug, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct EnhancedMonitoringInput {
    pub stream_name: Option<String>,
    #[serde(rename = "StreamARN")]
    pub stream_arn: Option<String>,
    pub shard_level_metrics: Vec<ShardLevelMetric>,
}

/// Enable/DisableEnhancedMonitoring's answer.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct EnhancedMonitoringOutput {
    pub stream_name: String,
    pub current_shard_level_metrics: Vec<ShardLevelMetric>,
    pub desired_shard_level_metrics: Vec<ShardLevelMetric>,
    #[serde(rename = "StreamARN")]
    pub stream_arn: String,
}

/// RegisterStreamConsumer.
#[derive(Clone, Debug, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct RegisterStreamConsumerInput {
    #[serde(rename = "StreamARN")]
    pub stream_arn: String,
    pub consumer_name: String,
}

/// A consumer as RegisterStreamConsumer and ListStreamConsumers show it.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct ConsumerView {
    pub consumer_name: String,
    #[serde(rename = "ConsumerARN")]
    pub consumer_arn: String,
    pub consumer_status: ConsumerStatus,
    pub consumer_creation_timestamp: f64,
}

/// RegisterStreamConsumer's answer.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct RegisterStreamConsumerOutput {
    #[serde(rename = "Consumer")]
    pub consumer: ConsumerView,
}

/// DeregisterStreamConsumer and DescribeStreamConsumer: a consumer by ARN, or by stream ARN and name.
#[derive(Clone, Debug, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct ConsumerRefInput {
    #[serde(rename = "StreamARN")]
    pub stream_arn: Option<String>,
    pub consumer_name: Option<String>,
    #[serde(rename = "ConsumerARN")]
    pub consumer_arn: Option<String>,
}

/// DescribeStreamConsumer's answer.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct DescribeStreamConsumerOutput {
    #[serde(rename = "ConsumerDescription")]
    pub consumer_description: ConsumerDescription,
}

/// A consumer with its stream.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct ConsumerDescription {
    pub consumer_name: String,
    #[serde(rename = "ConsumerARN")]
    pub consumer_arn: String,
    pub consumer_status: ConsumerStatus,
    pub consumer_creation_timestamp: f64,
    #[serde(rename = "StreamARN")]
    pub stream_arn: String,
}

/// ListStreamConsumers.
#[derive(Clone, Debug, Default, PartialEq, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct ListStreamConsumersInput {
    #[serde(rename = "StreamARN")]
    pub stream_arn: String,
    pub next_token: Option<String>,
    pub max_results: Option<i64>,
    pub stream_creation_timestamp: Option<f64>,
}

/// ListStreamConsumers' answer.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct ListStreamConsumersOutput {
    pub consumers: Vec<ConsumerView>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub next_token: Option<String>,
}

/// AddTagsToStream.
#[derive(Clone, Debug, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct AddTagsToStreamInput {
    pub stream_name: Option<String>,
    #[serde(rename = "StreamARN")]
    pub stream_arn: Option<String>,
    pub tags: BTreeMap<String, String>,
}

/// RemoveTagsFromStream.
#[derive(Clone, Debug, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct RemoveTagsFromStreamInput {
    pub stream_name: Option<String>,
    #[serde(rename = "StreamARN")]
    pub stream_arn: Option<String>,
    pub tag_keys: Vec<String>,
}

/// ListTagsForStream.
#[derive(Clone, Debug, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct ListTagsForStreamInput {
    pub stream_name: Option<String>,
    #[serde(rename = "StreamARN")]
    pub stream_arn: Option<String>,
    pub exclusive_start_tag_key: Option<String>,
    pub limit: Option<i64>,
}

/// One tag.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct Tag {
    pub key: String,
    pub value: String,
}

/// ListTagsForStream's answer.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct ListTagsForStreamOutput {
    pub tags: Vec<Tag>,
    pub has_more_tags: bool,
}

/// DescribeLimits' answer.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct DescribeLimitsOutput {
    pub shard_limit: u64,
    pub open_shard_count: u64,
    pub on_demand_stream_count: u64,
    pub on_demand_stream_count_limit: u64,
}

/// PutRecord.
#[derive(Clone, Debug, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct PutRecordInput {
    pub stream_name: Option<String>,
    #[serde(rename = "StreamARN")]
    pub stream_arn: Option<String>,
    #[serde(with = "blob")]
    pub data: Vec<u8>,
    pub partition_key: String,
    pub explicit_hash_key: Option<String>,
    pub sequence_number_for_ordering: Option<String>,
}

/// PutRecord's answer.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct PutRecordOutput {
    pub shard_id: ShardId,
    pub sequence_number: SequenceNumber,
    pub encryption_type: EncryptionType,
}

/// PutRecords.
#[derive(Clone, Debug, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct PutRecordsInput {
    pub stream_name: Option<String>,
    #[serde(rename = "StreamARN")]
    pub stream_arn: Option<String>,
    pub records: Vec<PutRecordsRequestEntry>,
}

/// One entry of a PutRecords request.
#[derive(Clone, Debug, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct PutRecordsRequestEntry {
    #[serde(with = "blob")]
    pub data: Vec<u8>,
    pub partition_key: String,
    pub explicit_hash_key: Option<String>,
}

/// PutRecords' answer: one result per entry, in request order.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct PutRecordsOutput {
    pub failed_record_count: u64,
    pub records: Vec<PutRecordsResultEntry>,
    pub encryption_type: EncryptionType,
}

/// One entry's result: where it went, or why it failed.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(untagged)]
pub enum PutRecordsResultEntry {
    /// Stored.
    Ok {
        #[serde(rename = "SequenceNumber")]
        sequence_number: SequenceNumber,
        #[serde(rename = "ShardId")]
        shard_id: ShardId,
    },
    /// Not stored (boxed: failures are rare, and the answer stays small).
    Failed(Box<EntryError>),
}

/// Why one PutRecords entry failed.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct EntryError {
    #[serde(rename = "ErrorCode")]
    pub error_code: String,
    #[serde(rename = "ErrorMessage")]
    pub error_message: String,
}

/// GetShardIterator.
#[derive(Clone, Debug, PartialEq, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct GetShardIteratorInput {
    pub stream_name: Option<String>,
    #[serde(rename = "StreamARN")]
    pub stream_arn: Option<String>,
    pub shard_id: String,
    pub shard_iterator_type: ShardIteratorType,
    pub starting_sequence_number: Option<String>,
    pub timestamp: Option<f64>,
}

/// GetShardIterator's answer.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct GetShardIteratorOutput {
    pub shard_iterator: String,
}

/// GetRecords.
#[derive(Clone, Debug, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct GetRecordsInput {
    pub shard_iterator: String,
    pub limit: Option<i64>,
    #[serde(rename = "StreamARN")]
    pub stream_arn: Option<String>,
}

/// GetRecords' answer.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct GetRecordsOutput {
    pub records: Vec<RecordView>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub next_shard_iterator: Option<String>,
    pub millis_behind_latest: u64,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub child_shards: Option<Vec<ChildShard>>,
}

/// SubscribeToShard.
#[derive(Clone, Debug, PartialEq, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct SubscribeToShardInput {
    #[serde(rename = "ConsumerARN")]
    pub consumer_arn: String,
    pub shard_id: String,
    pub starting_position: StartingPosition,
}

/// Where a subscription starts: any of the five iterator types.
#[derive(Clone, Debug, PartialEq, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct StartingPosition {
    #[serde(rename = "Type")]
    pub position_type: ShardIteratorType,
    pub sequence_number: Option<String>,
    pub timestamp: Option<f64>,
}

/// The engine's handle on a started subscription; its events follow as engine events.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub struct SubscriptionStarted {
    #[serde(rename = "SubscriptionId")]
    pub id: super::subscription::SubscriptionId,
}

/// One pushed event of a subscription.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct SubscribeToShardEvent {
    pub records: Vec<RecordView>,
    pub continuation_sequence_number: Option<SequenceNumber>,
    pub millis_behind_latest: u64,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub child_shards: Option<Vec<ChildShard>>,
}

/// CloudWatch GetMetricStatistics, for the `AWS/Kinesis` namespace.
#[derive(Clone, Debug, PartialEq, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct GetMetricStatisticsInput {
    pub namespace: String,
    pub metric_name: String,
    #[serde(default)]
    pub dimensions: Vec<Dimension>,
    pub start_time: f64,
    pub end_time: f64,
    pub period: i64,
    #[serde(default)]
    pub statistics: Vec<String>,
}

/// A CloudWatch dimension.
#[derive(Clone, Debug, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct Dimension {
    pub name: String,
    pub value: String,
}

/// GetMetricStatistics' answer.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct GetMetricStatisticsOutput {
    pub label: String,
    pub datapoints: Vec<Datapoint>,
}

/// One period's statistics.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct Datapoint {
    pub timestamp: f64,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sample_count: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub average: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sum: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub minimum: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub maximum: Option<f64>,
    pub unit: String,
}
