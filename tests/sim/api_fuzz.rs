//! The replay never panics, whatever the input: random bodies for every action (and unknown ones) each get
//! exactly one JSON line, and the replay keeps answering afterwards.

use kinesis_lab::api::replay::Replay;
use kinesis_lab::engine::rng::Seed;
use kinesis_lab::engine::EngineConfig;
use proptest::prelude::*;
use serde_json::{json, Value};

const ACTIONS: [&str; 31] = [
    "AddTagsToStream",
    "CreateStream",
    "DecreaseStreamRetentionPeriod",
    "DeleteStream",
    "DeregisterStreamConsumer",
    "DescribeLimits",
    "DescribeStream",
    "DescribeStreamConsumer",
    "DescribeStreamSummary",
    "DisableEnhancedMonitoring",
    "EnableEnhancedMonitoring",
    "GetRecords",
    "GetShardIterator",
    "IncreaseStreamRetentionPeriod",
    "ListShards",
    "ListStreamConsumers",
    "ListStreams",
    "ListTagsForStream",
    "MergeShards",
    "PutRecord",
    "PutRecords",
    "RegisterStreamConsumer",
    "RemoveTagsFromStream",
    "SplitShard",
    "StartStreamEncryption",
    "StopStreamEncryption",
    "SubscribeToShard",
    "UpdateShardCount",
    "UpdateStreamMode",
    "GetMetricStatistics",
    "NoSuchAction",
];

const MEMBERS: [&str; 14] = [
    "StreamName",
    "StreamARN",
    "ShardCount",
    "Records",
    "Data",
    "PartitionKey",
    "ShardId",
    "ShardIteratorType",
    "StartingSequenceNumber",
    "ShardIterator",
    "Limit",
    "NewStartingHashKey",
    "Timestamp",
    "ExplicitHashKey",
];

/// Members and words of the kinesisvideo stream actions.
const VIDEO_MEMBERS: [&str; 25] = [
    "StreamName",
    "StreamARN",
    "Fragments",
    "Timecode",
    "DurationMs",
    "SizeBytes",
    "Tracks",
    "CodecId",
    "Frames",
    "FragmentTimecodeType",
    "ProducerStartTimestamp",
    "ClipFragmentSelector",
    "FragmentSelector",
    "FragmentSelectorType",
    "TimestampRange",
    "StartTimestamp",
    "EndTimestamp",
    "MaxResults",
    "NextToken",
    "DataRetentionInHours",
    "Operation",
    "DataRetentionChangeInHours",
    "CurrentVersion",
    "APIName",
    "Count",
];

const VIDEO_ACTIONS: [&str; 11] = [
    "CreateStream",
    "DescribeStream",
    "ListStreams",
    "UpdateDataRetention",
    "DeleteStream",
    "GetDataEndpoint",
    "ListFragments",
    "GetClip",
    "PutMedia",
    "InjectPersistFailure",
    "NoSuchAction",
];

/// Members and words of the firehose and s3 actions.
const FIREHOSE_MEMBERS: [&str; 35] = [
    "DynamicPartitioningConfiguration",
    "Enabled",
    "Type",
    "DeliveryStreamType",
    "FunctionName",
    "Handler",
    "Environment",
    "Variables",
    "ProcessingConfiguration",
    "Processors",
    "Parameters",
    "ParameterName",
    "ParameterValue",
    "DeliveryStreamName",
    "ExtendedS3DestinationConfiguration",
    "S3DestinationConfiguration",
    "RoleARN",
    "BucketARN",
    "Prefix",
    "ErrorOutputPrefix",
    "BufferingHints",
    "SizeInMBs",
    "IntervalInSeconds",
    "CompressionFormat",
    "Record",
    "Records",
    "Data",
    "CurrentDeliveryStreamVersionId",
    "DestinationId",
    "ExtendedS3DestinationUpdate",
    "Tags",
    "Key",
    "Bucket",
    "Delimiter",
    "DurationSeconds",
];

const FIREHOSE_ACTIONS: [(&str, &str); 16] = [
    ("lambda", "CreateFunction"),
    ("lambda", "UpdateFunctionConfiguration"),
    ("firehose", "CreateDeliveryStream"),
    ("firehose", "DescribeDeliveryStream"),
    ("firehose", "ListDeliveryStreams"),
    ("firehose", "UpdateDestination"),
    ("firehose", "DeleteDeliveryStream"),
    ("firehose", "PutRecord"),
    ("firehose", "PutRecordBatch"),
    ("firehose", "TagDeliveryStream"),
    ("firehose", "StartDeliveryStreamEncryption"),
    ("s3", "ListObjectsV2"),
    ("s3", "GetObject"),
    ("s3", "PutObject"),
    ("s3", "InjectOutage"),
    ("firehose", "NoSuchAction"),
];

const FIREHOSE_WORDS: [&str; 17] = [
    "MetadataExtraction",
    "MetadataExtractionQuery",
    "{k:.a}",
    "station=!{partitionKeyFromQuery:k}/",
    "drop_when",
    "throw",
    "LambdaArn",
    "arn:aws:lambda:us-east-1:123456789012:function:f",
    "f",
    "lake",
    "arn:aws:s3:::lake",
    "GZIP",
    "ZIP",
    "!{timestamp:yyyy}/",
    "!{firehose:error-output-type}/",
    "destinationId-000000000001",
    "eyJhIjoxfQo=",
];

/// The services behind the other destinations, and the streams that deliver to them.
const DESTINATION_ACTIONS: [(&str, &str); 14] = [
    ("glue", "CreateDatabase"),
    ("glue", "CreateTable"),
    ("glue", "UpdateTable"),
    ("glue", "GetTable"),
    ("glue", "DeleteTable"),
    ("redshift-data", "ExecuteStatement"),
    ("redshift-data", "DescribeStatement"),
    ("redshift-data", "GetStatementResult"),
    ("redshift-data", "InjectOutage"),
    ("opensearch", "ConfigureDomain"),
    ("opensearch", "Search"),
    ("opensearch", "GetMapping"),
    ("firehose", "PutRecordBatch"),
    ("firehose", "CreateDeliveryStream"),
];

const DESTINATION_MEMBERS: [&str; 30] = [
    "DatabaseInput",
    "DatabaseName",
    "TableInput",
    "Name",
    "StorageDescriptor",
    "Columns",
    "Type",
    "ClusterIdentifier",
    "Database",
    "Sql",
    "Id",
    "DurationSeconds",
    "Domain",
    "Index",
    "Mode",
    "Size",
    "DeliveryStreamName",
    "Records",
    "Data",
    "RedshiftDestinationConfiguration",
    "AmazonopensearchserviceDestinationConfiguration",
    "ExtendedS3DestinationConfiguration",
    "DataFormatConversionConfiguration",
    "SchemaConfiguration",
    "TableName",
    "CopyCommand",
    "CopyOptions",
    "DataTableName",
    "IndexName",
    "S3Configuration",
];

const DESTINATION_WORDS: [&str; 22] = [
    "db",
    "t",
    "int",
    "string",
    "struct<a:int,b:array<string>>",
    "decimal(5,2)",
    "map<string,",
    "lab",
    "dev",
    "CREATE TABLE t (a INTEGER NOT NULL, b VARCHAR(3))",
    "SELECT * FROM stl_load_errors LIMIT 2",
    "SELECT COUNT(*) FROM t",
    "DROP TABLE t",
    "JSON 'auto' GZIP MAXERROR 1",
    "CSV DELIMITER ';'",
    "bikes",
    "rides-2023-11-14",
    "Rejecting",
    "Unreachable",
    "to-redshift",
    "to-opensearch",
    "eyJhIjoxLCJiIjoiYWJjZCJ9",
];

fn value() -> impl Strategy<Value = Value> {
    value_of(&MEMBERS, &["s", "shardId-000000000000", "AAAAAAAAAAE="])
}

fn value_of(members: &'static [&'static str], words: &'static [&'static str]) -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::from),
        any::<i64>().prop_map(Value::from),
        (-1e20f64..1e20).prop_map(Value::from),
        "[a-zA-Z0-9=+/_.-]{0,12}".prop_map(Value::from),
        prop::sample::select(words).prop_map(Value::from),
        Just(json!("340282366920938463463374607431768211456")),
    ];
    leaf.prop_recursive(3, 24, 4, move |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..4).prop_map(Value::from),
            prop::collection::vec((prop::sample::select(members), inner), 0..5)
                .prop_map(|pairs| Value::Object(pairs.into_iter().map(|(k, v)| (k.to_string(), v)).collect())),
        ]
    })
}

proptest! {
    #![proptest_config(crate::harness::proptest_config(200))]

    #[test]
    fn every_line_gets_one_json_answer(calls in prop::collection::vec((prop::sample::select(&ACTIONS[..]), value(), 0u64..20_000), 1..12)) {
        let mut replay = Replay::new(EngineConfig::with_seed(Seed(1)));
        let setup = json!({"at_ms": 0, "service": "kinesis", "action": "CreateStream", "input": {"StreamName": "s", "ShardCount": 2}});
        replay.handle_line(&setup.to_string());
        let mut at = 10_000;
        for (action, input, step) in calls {
            at += step;
            let service = if action == "GetMetricStatistics" { "cloudwatch" } else { "kinesis" };
            let line = json!({"at_ms": at, "service": service, "action": action, "input": input}).to_string();
            let answers = replay.handle_line(&line);
            let own: Vec<Value> = answers.iter().map(|a| serde_json::from_str(a).expect("every answer is JSON")).filter(|v: &Value| v["at_ms"] == at).collect();
            prop_assert!(own.len() <= 1 || action == "SubscribeToShard", "{line} -> {answers:?}");
        }
        for answer in replay.finish() {
            prop_assert!(serde_json::from_str::<Value>(&answer).is_ok());
        }
        let alive = replay.handle_line(&json!({"at_ms": at, "service": "kinesis", "action": "ListStreams", "input": {}}).to_string());
        prop_assert!(alive.last().is_some_and(|l| l.contains("\"output\":{\"StreamNames\"")), "the replay still answers: {alive:?}");
    }

    #[test]
    fn every_video_stream_line_gets_one_json_answer(calls in prop::collection::vec((prop::sample::select(&VIDEO_ACTIONS[..]), value_of(&VIDEO_MEMBERS, &["cam", "ABSOLUTE", "RELATIVE", "SERVER_TIMESTAMP", "PRODUCER_TIMESTAMP", "V_MPEG4/ISO/AVC", "GET_CLIP", "DECREASE_DATA_RETENTION"]), 0u64..20_000), 1..12)) {
        let mut replay = Replay::new(EngineConfig::with_seed(Seed(1)));
        let setup = json!({"at_ms": 0, "service": "kinesisvideo", "action": "CreateStream", "input": {"StreamName": "cam", "DataRetentionInHours": 1}});
        replay.handle_line(&setup.to_string());
        let mut at = 10_000;
        for (action, input, step) in calls {
            at += step;
            let line = json!({"at_ms": at, "service": "kinesisvideo", "action": action, "input": input}).to_string();
            let answers = replay.handle_line(&line);
            let values: Vec<Value> = answers.iter().map(|a| serde_json::from_str(a).expect("every answer is JSON")).collect();
            let own = values.iter().filter(|v| v.get("action").is_some()).count();
            prop_assert_eq!(own, 1, "{} -> {:?}", line, answers);
        }
        let alive = replay.handle_line(&json!({"at_ms": at, "service": "kinesisvideo", "action": "ListStreams", "input": {}}).to_string());
        prop_assert!(alive.last().is_some_and(|l| l.contains("StreamInfoList")), "the replay still answers: {alive:?}");
    }

    #[test]
    fn every_firehose_and_s3_line_gets_one_json_answer(calls in prop::collection::vec((prop::sample::select(&FIREHOSE_ACTIONS[..]), value_of(&FIREHOSE_MEMBERS, &FIREHOSE_WORDS), 0u64..200_000), 1..12)) {
        let mut replay = Replay::new(EngineConfig::with_seed(Seed(1)));
        let setup = json!({"at_ms": 0, "service": "firehose", "action": "CreateDeliveryStream", "input": {"DeliveryStreamName": "f",
            "ExtendedS3DestinationConfiguration": {"RoleARN": "r", "BucketARN": "arn:aws:s3:::lake", "CompressionFormat": "ZIP"}}});
        replay.handle_line(&setup.to_string());
        let mut at = 10_000;
        for ((service, action), input, step) in calls {
            at += step;
            let line = json!({"at_ms": at, "service": service, "action": action, "input": input}).to_string();
            let answers = replay.handle_line(&line);
            prop_assert_eq!(answers.len(), 1, "{} -> {:?}", line, answers);
            prop_assert!(serde_json::from_str::<Value>(&answers[0]).is_ok());
        }
        let alive = replay.handle_line(&json!({"at_ms": at, "service": "firehose", "action": "ListDeliveryStreams", "input": {}}).to_string());
        prop_assert!(alive.last().is_some_and(|l| l.contains("DeliveryStreamNames")), "the replay still answers: {alive:?}");
    }

    #[test]
    fn every_destination_line_gets_one_json_answer(calls in prop::collection::vec((prop::sample::select(&DESTINATION_ACTIONS[..]), value_of(&DESTINATION_MEMBERS, &DESTINATION_WORDS), 0u64..400_000), 1..12)) {
        let mut replay = Replay::new(EngineConfig::with_seed(Seed(1)));
        let s3 = json!({"RoleARN": "r", "BucketARN": "arn:aws:s3:::lake", "CompressionFormat": "GZIP", "BufferingHints": {"SizeInMBs": 1, "IntervalInSeconds": 60}});
        let setup = [
            json!({"service": "glue", "action": "CreateDatabase", "input": {"DatabaseInput": {"Name": "db"}}}),
            json!({"service": "glue", "action": "CreateTable", "input": {"DatabaseName": "db", "TableInput": {"Name": "t",
                "StorageDescriptor": {"Columns": [{"Name": "a", "Type": "int"}, {"Name": "b", "Type": "array<string>"}]}}}}),
            json!({"service": "redshift-data", "action": "ExecuteStatement", "input": {"ClusterIdentifier": "lab", "Database": "dev",
                "Sql": "CREATE TABLE t (a INTEGER NOT NULL, b VARCHAR(3))"}}),
            json!({"service": "firehose", "action": "CreateDeliveryStream", "input": {"DeliveryStreamName": "to-redshift",
                "RedshiftDestinationConfiguration": {"RoleARN": "r", "ClusterJDBCURL": "jdbc:redshift://lab.x.us-east-1.redshift.amazonaws.com:5439/dev",
                "CopyCommand": {"DataTableName": "t", "CopyOptions": "JSON 'auto' GZIP"}, "Username": "u", "Password": "Secret-1",
                "RetryOptions": {"DurationInSeconds": 600}, "S3Configuration": s3}}}),
            json!({"service": "firehose", "action": "CreateDeliveryStream", "input": {"DeliveryStreamName": "to-opensearch",
                "AmazonopensearchserviceDestinationConfiguration": {"RoleARN": "r", "DomainARN": "arn:aws:es:us-east-1:1:domain/bikes",
                "IndexName": "rides", "BufferingHints": {"SizeInMBs": 1, "IntervalInSeconds": 60}, "S3Configuration": {"RoleARN": "r", "BucketARN": "arn:aws:s3:::lake"}}}}),
            json!({"service": "firehose", "action": "CreateDeliveryStream", "input": {"DeliveryStreamName": "to-parquet",
                "ExtendedS3DestinationConfiguration": {"RoleARN": "r", "BucketARN": "arn:aws:s3:::lake", "BufferingHints": {"SizeInMBs": 64, "IntervalInSeconds": 60},
                "DataFormatConversionConfiguration": {"SchemaConfiguration": {"DatabaseName": "db", "TableName": "t"},
                    "InputFormatConfiguration": {"Deserializer": {"OpenXJsonSerDe": {}}}, "OutputFormatConfiguration": {"Serializer": {"ParquetSerDe": {}}}}}}}),
        ];
        for line in setup {
            let mut line = line;
            line["at_ms"] = json!(0);
            let answers = replay.handle_line(&line.to_string());
            prop_assert!(answers.last().is_some_and(|a| !a.contains("\"error\"")), "setup {} -> {:?}", line, answers);
        }
        let mut at = 10_000;
        for ((service, action), input, step) in calls {
            at += step;
            let line = json!({"at_ms": at, "service": service, "action": action, "input": input}).to_string();
            let answers = replay.handle_line(&line);
            prop_assert_eq!(answers.len(), 1, "{} -> {:?}", line, answers);
            prop_assert!(serde_json::from_str::<Value>(&answers[0]).is_ok());
            for stream in ["to-redshift", "to-opensearch", "to-parquet"] {
                let put = json!({"at_ms": at, "service": "firehose", "action": "PutRecord", "input": {"DeliveryStreamName": stream, "Record": {"Data": "eyJhIjoxLCJiIjoiYWJjZCJ9"}}});
                replay.handle_line(&put.to_string());
            }
        }
        let alive = replay.handle_line(&json!({"at_ms": at + 3_600_000, "service": "firehose", "action": "ListDeliveryStreams", "input": {}}).to_string());
        prop_assert!(alive.last().is_some_and(|l| l.contains("DeliveryStreamNames")), "the replay still answers: {alive:?}");
    }
}
