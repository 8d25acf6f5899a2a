//! Shapes shared by several Kinesis actions, spelled as the JSON protocol spells them.

use super::ids::{HashKey, ShardId};
use super::sequence::SequenceNumber;
use base64::Engine as _;
use serde::{Deserialize, Serialize};

/// A stream's lifecycle state.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum StreamStatus {
    /// Being created; not yet readable or writable.
    Creating,
    /// Being deleted.
    Deleting,
    /// Ready.
    Active,
    /// A reshard, mode switch or encryption change is in flight; reads and writes continue.
    Updating,
}

impl StreamStatus {
    /// The wire spelling.
    pub fn as_str(self) -> &'static str {
        match self {
            StreamStatus::Creating => "CREATING",
            StreamStatus::Deleting => "DELETING",
            StreamStatus::Active => "ACTIVE",
            StreamStatus::Updating => "UPDATING",
        }
    }
}

/// How a stream's capacity is managed.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum StreamMode {
    /// Shards are chosen by the owner.
    Provisioned,
    /// Kinesis scales the shards.
    OnDemand,
}

/// `{"StreamMode": …}`
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct StreamModeDetails {
    /// The mode.
    #[serde(rename = "StreamMode")]
    pub stream_mode: StreamMode,
}

/// Server-side encryption of a stream or record.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum EncryptionType {
    /// Not encrypted.
    None,
    /// Encrypted with a KMS key.
    Kms,
}

/// Where a shard iterator starts.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum ShardIteratorType {
    /// At the given sequence number.
    AtSequenceNumber,
    /// Just after the given sequence number.
    AfterSequenceNumber,
    /// At the oldest untrimmed record.
    TrimHorizon,
    /// Just after the newest record at the time of the call.
    Latest,
    /// At the first record that arrived at or after the given timestamp.
    AtTimestamp,
}

/// A shard-level metric name for enhanced monitoring.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub enum ShardLevelMetric {
    /// Bytes put into the shard.
    IncomingBytes,
    /// Records put into the shard.
    IncomingRecords,
    /// Bytes read from the shard.
    OutgoingBytes,
    /// Records read from the shard.
    OutgoingRecords,
    /// Records rejected by write throttling.
    WriteProvisionedThroughputExceeded,
    /// GetRecords calls throttled.
    ReadProvisionedThroughputExceeded,
    /// Age of the last record read.
    IteratorAgeMilliseconds,
    /// Every metric above.
    #[serde(rename = "ALL")]
    All,
}

impl ShardLevelMetric {
    /// The seven metrics `ALL` stands for, in AWS's order.
    pub const EACH: [ShardLevelMetric; 7] = [
        ShardLevelMetric::IncomingBytes,
        ShardLevelMetric::IncomingRecords,
        ShardLevelMetric::OutgoingBytes,
        ShardLevelMetric::OutgoingRecords,
        ShardLevelMetric::WriteProvisionedThroughputExceeded,
        ShardLevelMetric::ReadProvisionedThroughputExceeded,
        ShardLevelMetric::IteratorAgeMilliseconds,
    ];
}

/// An enhanced fan-out consumer's lifecycle state.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum ConsumerStatus {
    /// Being registered.
    Creating,
    /// Being deregistered.
    Deleting,
    /// Ready to subscribe.
    Active,
}

/// `{"StartingHashKey", "EndingHashKey"}`
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub struct HashKeyRangeView {
    /// First key.
    #[serde(rename = "StartingHashKey")]
    pub starting_hash_key: HashKey,
    /// Last key (inclusive).
    #[serde(rename = "EndingHashKey")]
    pub ending_hash_key: HashKey,
}

/// `{"StartingSequenceNumber", "EndingSequenceNumber"?}`
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub struct SequenceNumberRangeView {
    /// The shard's first sequence number.
    #[serde(rename = "StartingSequenceNumber")]
    pub starting_sequence_number: SequenceNumber,
    /// Set once the shard is closed.
    #[serde(rename = "EndingSequenceNumber", skip_serializing_if = "Option::is_none")]
    pub ending_sequence_number: Option<SequenceNumber>,
}

/// One shard as DescribeStream and ListShards show it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub struct ShardView {
    /// The shard.
    #[serde(rename = "ShardId")]
    pub shard_id: ShardId,
    /// The shard it was split from, or the first of the two it was merged from.
    #[serde(rename = "ParentShardId", skip_serializing_if = "Option::is_none")]
    pub parent_shard_id: Option<ShardId>,
    /// The second shard it was merged from.
    #[serde(rename = "AdjacentParentShardId", skip_serializing_if = "Option::is_none")]
    pub adjacent_parent_shard_id: Option<ShardId>,
    /// Its hash keys.
    #[serde(rename = "HashKeyRange")]
    pub hash_key_range: HashKeyRangeView,
    /// Its sequence numbers.
    #[serde(rename = "SequenceNumberRange")]
    pub sequence_number_range: SequenceNumberRangeView,
}

/// A closed shard's successor, as GetRecords and SubscribeToShard report it at the shard's end.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct ChildShard {
    /// The child.
    #[serde(rename = "ShardId")]
    pub shard_id: ShardId,
    /// All of the child's parents.
    #[serde(rename = "ParentShards")]
    pub parent_shards: Vec<ShardId>,
    /// The child's hash keys.
    #[serde(rename = "HashKeyRange")]
    pub hash_key_range: HashKeyRangeView,
}

/// `{"ShardLevelMetrics": […]}`
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct EnhancedMetrics {
    /// The shard-level metrics enabled.
    #[serde(rename = "ShardLevelMetrics")]
    pub shard_level_metrics: Vec<ShardLevelMetric>,
}

/// A record as GetRecords and SubscribeToShard return it.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct RecordView {
    /// Its sequence number.
    #[serde(rename = "SequenceNumber")]
    pub sequence_number: SequenceNumber,
    /// When it arrived, in epoch seconds with milliseconds.
    #[serde(rename = "ApproximateArrivalTimestamp")]
    pub approximate_arrival_timestamp: f64,
    /// The payload, base64 on the wire.
    #[serde(rename = "Data", serialize_with = "blob::serialize")]
    pub data: Vec<u8>,
    /// The partition key.
    #[serde(rename = "PartitionKey")]
    pub partition_key: String,
    /// Whether it was stored encrypted.
    #[serde(rename = "EncryptionType", skip_serializing_if = "Option::is_none")]
    pub encryption_type: Option<EncryptionType>,
}

/// Blobs are base64 strings in the JSON protocol.
pub mod blob {
    use super::*;

    /// Writes bytes as standard base64.
    pub fn serialize<S: serde::Serializer>(bytes: &[u8], serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&base64::engine::general_purpose::STANDARD.encode(bytes))
    }

    /// Reads standard base64 (the API layer has already checked its form).
    pub fn deserialize<'de, D: serde::Deserializer<'de>>(deserializer: D) -> Result<Vec<u8>, D::Error> {
        let text = String::deserialize(deserializer)?;
        base64::engine::general_purpose::STANDARD.decode(text).map_err(serde::de::Error::custom)
    }
}
