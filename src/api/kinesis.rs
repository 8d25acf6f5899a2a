//! The Kinesis Data Streams model (`Kinesis_20131202`): each action's members and constraints, and the
//! conversion of a validated body into an engine request. Members are listed in the model's
//! (alphabetical) order, which is the order AWS reports their violations in.

use super::schema::{is_consumer_arn, is_hash_key, is_name, is_sequence_number, is_stream_arn, Member, Rule, Shape};
use crate::engine::kds::KdsRequest;
use serde_json::Value;

const NAME: Shape = Shape::String(&[Rule::Pattern("[a-zA-Z0-9_.-]+", is_name), Rule::LenMin(1), Rule::LenMax(128)]);
const STREAM_ARN: Shape = Shape::String(&[
    Rule::Pattern("arn:aws.*:kinesis:.*:\\d{12}:stream/\\S+", is_stream_arn),
    Rule::LenMin(1),
    Rule::LenMax(2048),
]);
const CONSUMER_ARN: Shape = Shape::String(&[
    Rule::Pattern(
        "^(arn):aws.*:kinesis:.*:\\d{12}:.*stream\\/[a-zA-Z0-9_.-]+\\/consumer\\/[a-zA-Z0-9_.-]+:[0-9]+",
        is_consumer_arn,
    ),
    Rule::LenMin(1),
    Rule::LenMax(2048),
]);
const HASH_KEY: Shape = Shape::String(&[Rule::Pattern("0|([1-9]\\d{0,38})", is_hash_key)]);
const SEQUENCE_NUMBER: Shape = Shape::String(&[Rule::Pattern("0|([1-9]\\d{0,128})", is_sequence_number)]);
const NEXT_TOKEN: Shape = Shape::String(&[Rule::LenMin(1), Rule::LenMax(1_048_576)]);
const LIMIT_10K: Shape = Shape::Long(&[Rule::Min(1), Rule::Max(10_000)]);
const POSITIVE: Shape = Shape::Long(&[Rule::Min(1), Rule::Max(100_000)]);
const DATA: Shape = Shape::Blob(&[Rule::LenMax(1_048_576)]);
const PARTITION_KEY: Shape = Shape::String(&[Rule::LenMin(1), Rule::LenMax(256)]);
const STREAM_MODE: Shape = Shape::Structure(&[Member {
    name: "StreamMode",
    shape: Shape::Enum(&["PROVISIONED", "ON_DEMAND"]),
    required: true,
}]);
const TAG_MAP: Shape =
    Shape::Map { key_len: (1, 128), value_len: (0, 256), rules: &[Rule::LenMin(1), Rule::LenMax(200)] };
const ITERATOR_TYPE: Shape =
    Shape::Enum(&["AFTER_SEQUENCE_NUMBER", "LATEST", "AT_TIMESTAMP", "AT_SEQUENCE_NUMBER", "TRIM_HORIZON"]);
const METRIC: Shape = Shape::Enum(&[
    "IncomingBytes",
    "IncomingRecords",
    "OutgoingBytes",
    "OutgoingRecords",
    "WriteProvisionedThroughputExceeded",
    "ReadProvisionedThroughputExceeded",
    "IteratorAgeMilliseconds",
    "ALL",
]);
const METRICS: Shape = Shape::List { member: &METRIC, rules: &[Rule::LenMin(1), Rule::LenMax(7)], member_text: None };
const RECORD_ENTRY: Shape = Shape::Structure(&[
    Member { name: "Data", shape: DATA, required: true },
    Member { name: "ExplicitHashKey", shape: HASH_KEY, required: false },
    Member { name: "PartitionKey", shape: PARTITION_KEY, required: true },
]);
const SHARD_FILTER: Shape = Shape::Structure(&[
    Member { name: "ShardId", shape: NAME, required: false },
    Member { name: "Timestamp", shape: Shape::Timestamp, required: false },
    Member {
        name: "Type",
        shape: Shape::Enum(&[
            "AFTER_SHARD_ID",
            "AT_TRIM_HORIZON",
            "FROM_TRIM_HORIZON",
            "AT_LATEST",
            "AT_TIMESTAMP",
            "FROM_TIMESTAMP",
        ]),
        required: true,
    },
]);
const STARTING_POSITION: Shape = Shape::Structure(&[
    Member { name: "SequenceNumber", shape: SEQUENCE_NUMBER, required: false },
    Member { name: "Timestamp", shape: Shape::Timestamp, required: false },
    Member { name: "Type", shape: ITERATOR_TYPE, required: true },
]);
const TAG_KEY: Shape = Shape::String(&[Rule::LenMin(1), Rule::LenMax(128)]);

pub(super) const fn opt(name: &'static str, shape: Shape) -> Member {
    Member { name, shape, required: false }
}

pub(super) const fn req(name: &'static str, shape: Shape) -> Member {
    Member { name, shape, required: true }
}

const STREAM_NAME_OPT: Member = opt("StreamName", NAME);
const STREAM_ARN_OPT: Member = opt("StreamARN", STREAM_ARN);

/// The members of `action`, or `None` if Kinesis has no such action.
pub fn model(action: &str) -> Option<&'static [Member]> {
    Some(match action {
        "AddTagsToStream" => const { &[STREAM_ARN_OPT, STREAM_NAME_OPT, req("Tags", TAG_MAP)] },
        "CreateStream" => {
            const {
                &[
                    opt("ShardCount", POSITIVE),
                    opt("StreamModeDetails", STREAM_MODE),
                    req("StreamName", NAME),
                    opt("Tags", TAG_MAP),
                ]
            }
        }
        "DecreaseStreamRetentionPeriod" | "IncreaseStreamRetentionPeriod" => {
            const { &[req("RetentionPeriodHours", Shape::Long(&[Rule::Min(1)])), STREAM_ARN_OPT, STREAM_NAME_OPT] }
        }
        "DeleteStream" => const { &[opt("EnforceConsumerDeletion", Shape::Boolean), STREAM_ARN_OPT, STREAM_NAME_OPT] },
        "DeregisterStreamConsumer" | "DescribeStreamConsumer" => {
            const { &[opt("ConsumerARN", CONSUMER_ARN), opt("ConsumerName", NAME), STREAM_ARN_OPT] }
        }
        "DescribeLimits" => const { &[] },
        "DescribeStream" => {
            const { &[opt("ExclusiveStartShardId", NAME), opt("Limit", LIMIT_10K), STREAM_ARN_OPT, STREAM_NAME_OPT] }
        }
        "DescribeStreamSummary" => const { &[STREAM_ARN_OPT, STREAM_NAME_OPT] },
        "DisableEnhancedMonitoring" | "EnableEnhancedMonitoring" => {
            const { &[req("ShardLevelMetrics", METRICS), STREAM_ARN_OPT, STREAM_NAME_OPT] }
        }
        "GetRecords" => {
            const {
                &[
                    opt("Limit", LIMIT_10K),
                    req("ShardIterator", Shape::String(&[Rule::LenMin(1), Rule::LenMax(512)])),
                    STREAM_ARN_OPT,
                ]
            }
        }
        "GetShardIterator" => {
            const {
                &[
                    req("ShardId", NAME),
                    req("ShardIteratorType", ITERATOR_TYPE),
                    opt("StartingSequenceNumber", SEQUENCE_NUMBER),
                    STREAM_ARN_OPT,
                    STREAM_NAME_OPT,
                    opt("Timestamp", Shape::Timestamp),
                ]
            }
        }
        "ListShards" => {
            const {
                &[
                    opt("ExclusiveStartShardId", NAME),
                    opt("MaxResults", LIMIT_10K),
                    opt("NextToken", NEXT_TOKEN),
                    opt("ShardFilter", SHARD_FILTER),
                    STREAM_ARN_OPT,
                    opt("StreamCreationTimestamp", Shape::Timestamp),
                    STREAM_NAME_OPT,
                ]
            }
        }
        "ListStreamConsumers" => {
            const {
                &[
                    opt("MaxResults", LIMIT_10K),
                    opt("NextToken", NEXT_TOKEN),
                    req("StreamARN", STREAM_ARN),
                    opt("StreamCreationTimestamp", Shape::Timestamp),
                ]
            }
        }
        "ListStreams" => {
            const { &[opt("ExclusiveStartStreamName", NAME), opt("Limit", LIMIT_10K), opt("NextToken", NEXT_TOKEN)] }
        }
        "ListTagsForStream" => {
            const {
                &[
                    opt("ExclusiveStartTagKey", TAG_KEY),
                    opt("Limit", Shape::Long(&[Rule::Min(1), Rule::Max(50)])),
                    STREAM_ARN_OPT,
                    STREAM_NAME_OPT,
                ]
            }
        }
        "MergeShards" => {
            const { &[req("AdjacentShardToMerge", NAME), req("ShardToMerge", NAME), STREAM_ARN_OPT, STREAM_NAME_OPT] }
        }
        "PutRecord" => {
            const {
                &[
                    req("Data", DATA),
                    opt("ExplicitHashKey", HASH_KEY),
                    req("PartitionKey", PARTITION_KEY),
                    opt("SequenceNumberForOrdering", SEQUENCE_NUMBER),
                    STREAM_ARN_OPT,
                    STREAM_NAME_OPT,
                ]
            }
        }
        "PutRecords" => {
            const {
                &[
                    req(
                        "Records",
                        Shape::List {
                            member: &RECORD_ENTRY,
                            rules: &[Rule::LenMin(1), Rule::LenMax(500)],
                            member_text: Some("com.amazonaws.kinesis.v20131202.PutRecordsRequestEntry@2"),
                        },
                    ),
                    STREAM_ARN_OPT,
                    STREAM_NAME_OPT,
                ]
            }
        }
        "RegisterStreamConsumer" => {
            const { &[req("ConsumerName", NAME), req("StreamARN", STREAM_ARN), opt("Tags", TAG_MAP)] }
        }
        "RemoveTagsFromStream" => {
            const {
                &[
                    STREAM_ARN_OPT,
                    STREAM_NAME_OPT,
                    req(
                        "TagKeys",
                        Shape::List {
                            member: &TAG_KEY,
                            rules: &[Rule::LenMin(1), Rule::LenMax(50)],
                            member_text: None,
                        },
                    ),
                ]
            }
        }
        "SplitShard" => {
            const { &[req("NewStartingHashKey", HASH_KEY), req("ShardToSplit", NAME), STREAM_ARN_OPT, STREAM_NAME_OPT] }
        }
        "StartStreamEncryption" | "StopStreamEncryption" => {
            const {
                &[
                    req("EncryptionType", Shape::Enum(&["NONE", "KMS"])),
                    req("KeyId", Shape::String(&[Rule::LenMin(1), Rule::LenMax(2048)])),
                    STREAM_ARN_OPT,
                    STREAM_NAME_OPT,
                ]
            }
        }
        "SubscribeToShard" => {
            const { &[req("ConsumerARN", CONSUMER_ARN), req("ShardId", NAME), req("StartingPosition", STARTING_POSITION)] }
        }
        "UpdateShardCount" => {
            const {
                &[
                    req("ScalingType", Shape::Enum(&["UNIFORM_SCALING"])),
                    STREAM_ARN_OPT,
                    STREAM_NAME_OPT,
                    req("TargetShardCount", POSITIVE),
                ]
            }
        }
        "UpdateStreamMode" => const { &[req("StreamARN", STREAM_ARN), req("StreamModeDetails", STREAM_MODE)] },
        _ => return None,
    })
}

/// The members of a CloudWatch action this lab answers (GetMetricStatistics over the Kinesis metrics).
pub fn cloudwatch_model(action: &str) -> Option<&'static [Member]> {
    const DIMENSION: Shape = Shape::Structure(&[
        Member { name: "Name", shape: Shape::String(&[Rule::LenMin(1), Rule::LenMax(255)]), required: true },
        Member { name: "Value", shape: Shape::String(&[Rule::LenMin(1), Rule::LenMax(1_024)]), required: true },
    ]);
    const STATISTIC: Shape = Shape::Enum(&["SampleCount", "Average", "Sum", "Minimum", "Maximum"]);
    match action {
        "GetMetricStatistics" => Some(
            const {
                &[
                    Member {
                        name: "Dimensions",
                        shape: Shape::List { member: &DIMENSION, rules: &[Rule::LenMax(30)], member_text: None },
                        required: false,
                    },
                    Member { name: "EndTime", shape: Shape::Timestamp, required: true },
                    Member {
                        name: "MetricName",
                        shape: Shape::String(&[Rule::LenMin(1), Rule::LenMax(255)]),
                        required: true,
                    },
                    Member {
                        name: "Namespace",
                        shape: Shape::String(&[Rule::LenMin(1), Rule::LenMax(255)]),
                        required: true,
                    },
                    Member { name: "Period", shape: Shape::Long(&[Rule::Min(1)]), required: true },
                    Member { name: "StartTime", shape: Shape::Timestamp, required: true },
                    Member {
                        name: "Statistics",
                        shape: Shape::List {
                            member: &STATISTIC,
                            rules: &[Rule::LenMin(1), Rule::LenMax(5)],
                            member_text: None,
                        },
                        required: true,
                    },
                ]
            },
        ),
        _ => None,
    }
}

/// The engine request for a validated body of `action` (which [`model`] knows).
pub fn request(action: &str, body: Value) -> Result<KdsRequest, serde_json::Error> {
    use serde_json::from_value as v;
    use KdsRequest as R;
    Ok(match action {
        "AddTagsToStream" => R::AddTagsToStream(v(body)?),
        "CreateStream" => R::CreateStream(v(body)?),
        "DecreaseStreamRetentionPeriod" => R::DecreaseStreamRetentionPeriod(v(body)?),
        "DeleteStream" => R::DeleteStream(v(body)?),
        "DeregisterStreamConsumer" => R::DeregisterStreamConsumer(v(body)?),
        "DescribeLimits" => R::DescribeLimits,
        "DescribeStream" => R::DescribeStream(v(body)?),
        "DescribeStreamConsumer" => R::DescribeStreamConsumer(v(body)?),
        "DescribeStreamSummary" => R::DescribeStreamSummary(v(body)?),
        "DisableEnhancedMonitoring" => R::DisableEnhancedMonitoring(v(body)?),
        "EnableEnhancedMonitoring" => R::EnableEnhancedMonitoring(v(body)?),
        "GetRecords" => R::GetRecords(v(body)?),
        "GetShardIterator" => R::GetShardIterator(v(body)?),
        "IncreaseStreamRetentionPeriod" => R::IncreaseStreamRetentionPeriod(v(body)?),
        "ListShards" => R::ListShards(v(body)?),
        "ListStreamConsumers" => R::ListStreamConsumers(v(body)?),
        "ListStreams" => R::ListStreams(v(body)?),
        "ListTagsForStream" => R::ListTagsForStream(v(body)?),
        "MergeShards" => R::MergeShards(v(body)?),
        "PutRecord" => R::PutRecord(v(body)?),
        "PutRecords" => R::PutRecords(v(body)?),
        "RegisterStreamConsumer" => R::RegisterStreamConsumer(v(body)?),
        "RemoveTagsFromStream" => R::RemoveTagsFromStream(v(body)?),
        "SplitShard" => R::SplitShard(v(body)?),
        "StartStreamEncryption" => R::StartStreamEncryption(v(body)?),
        "StopStreamEncryption" => R::StopStreamEncryption(v(body)?),
        "SubscribeToShard" => R::SubscribeToShard(v(body)?),
        "UpdateShardCount" => R::UpdateShardCount(v(body)?),
        "UpdateStreamMode" => R::UpdateStreamMode(v(body)?),
        "GetMetricStatistics" => R::GetMetricStatistics(v(body)?),
        other => return Err(serde::de::Error::custom(format!("Kinesis has no action {other}"))),
    })
}
