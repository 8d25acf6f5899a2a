//! The Firehose model (`Firehose_20150804`): each action's members and constraints as the API reference
//! gives them, and the conversion of a checked body into an engine request. Destination configurations
//! are checked for their shape here; the service applies the per-destination and per-profile rules.

use super::kinesis::{opt, req};
use super::schema::{is_name, Member, Rule, Shape};
use super::ErrorBody;
use crate::engine::firehose::FirehoseRequest;
use base64::engine::general_purpose::STANDARD;
use base64::Engine as _;
use serde_json::{Map, Value};

const NAME: Shape = Shape::String(&[Rule::LenMin(1), Rule::LenMax(64), Rule::Pattern("[a-zA-Z0-9_.-]+", is_name)]);
const ROLE_ARN: Shape = Shape::String(&[Rule::LenMin(1), Rule::LenMax(512)]);
const BUCKET_ARN: Shape = Shape::String(&[
    Rule::LenMin(1),
    Rule::LenMax(2048),
    Rule::Pattern("arn:.*:s3:::[\\w\\.\\-]{1,255}", is_bucket_arn),
]);
const PREFIX: Shape = Shape::String(&[Rule::LenMin(0), Rule::LenMax(1024)]);
const HINTS: Shape = Shape::Structure(&[
    opt("IntervalInSeconds", Shape::Long(&[Rule::Min(0), Rule::Max(900)])),
    opt("SizeInMBs", Shape::Long(&[Rule::Min(1), Rule::Max(128)])),
]);
const COMPRESSION: Shape = Shape::Enum(&["UNCOMPRESSED", "GZIP", "ZIP", "Snappy", "HADOOP_SNAPPY"]);
const ANY: Shape = Shape::Structure(&[]);
const EXTENDED_S3_MEMBERS: &[Member] = &[
    opt("BucketARN", BUCKET_ARN),
    opt("BufferingHints", HINTS),
    opt("CloudWatchLoggingOptions", ANY),
    opt("CompressionFormat", COMPRESSION),
    opt("CustomTimeZone", Shape::String(&[Rule::LenMin(0), Rule::LenMax(50)])),
    opt("DataFormatConversionConfiguration", ANY),
    opt("DynamicPartitioningConfiguration", ANY),
    opt("EncryptionConfiguration", ANY),
    opt("ErrorOutputPrefix", PREFIX),
    opt("FileExtension", Shape::String(&[Rule::LenMin(0), Rule::LenMax(128)])),
    opt("Prefix", PREFIX),
    opt("ProcessingConfiguration", ANY),
    opt("RoleARN", ROLE_ARN),
    opt("S3BackupConfiguration", ANY),
    opt("S3BackupMode", Shape::Enum(&["Disabled", "Enabled"])),
    opt("S3BackupUpdate", ANY),
];
const EXTENDED_S3: Shape = Shape::Structure(EXTENDED_S3_MEMBERS);
const S3_MEMBERS: &[Member] = &[
    opt("BucketARN", BUCKET_ARN),
    opt("BufferingHints", HINTS),
    opt("CloudWatchLoggingOptions", ANY),
    opt("CompressionFormat", COMPRESSION),
    opt("EncryptionConfiguration", ANY),
    opt("ErrorOutputPrefix", PREFIX),
    opt("Prefix", PREFIX),
    opt("RoleARN", ROLE_ARN),
];
const S3: Shape = Shape::Structure(S3_MEMBERS);
const RETRY: Shape = Shape::Structure(&[opt("DurationInSeconds", Shape::Long(&[Rule::Min(0), Rule::Max(7_200)]))]);
const HTTP_HINTS: Shape = Shape::Structure(&[
    opt("IntervalInSeconds", Shape::Long(&[Rule::Min(0), Rule::Max(900)])),
    opt("SizeInMBs", Shape::Long(&[Rule::Min(1), Rule::Max(64)])),
]);
const ATTRIBUTE: Shape = Shape::Structure(&[
    req("AttributeName", Shape::String(&[Rule::LenMin(1), Rule::LenMax(256)])),
    req("AttributeValue", Shape::String(&[Rule::LenMin(0), Rule::LenMax(1024)])),
]);
const REQUEST_CONFIGURATION: Shape = Shape::Structure(&[
    opt(
        "CommonAttributes",
        Shape::List { member: &ATTRIBUTE, rules: &[Rule::LenMin(0), Rule::LenMax(50)], member_text: None },
    ),
    opt("ContentEncoding", Shape::Enum(&["NONE", "GZIP"])),
]);
const ENDPOINT_CONFIGURATION: Shape = Shape::Structure(&[
    opt("AccessKey", Shape::String(&[Rule::LenMin(0), Rule::LenMax(4_096)])),
    opt("Name", Shape::String(&[Rule::LenMin(1), Rule::LenMax(256)])),
    req("Url", Shape::String(&[Rule::LenMin(1), Rule::LenMax(1_000)])),
]);
/// HttpEndpointDestinationConfiguration and, with `S3Update` for `S3Configuration`, its Update.
macro_rules! http_endpoint {
    ($s3:literal) => {
        Shape::Structure(&[
            opt("BufferingHints", HTTP_HINTS),
            opt("CloudWatchLoggingOptions", ANY),
            opt("EndpointConfiguration", ENDPOINT_CONFIGURATION),
            opt("ProcessingConfiguration", ANY),
            opt("RequestConfiguration", REQUEST_CONFIGURATION),
            opt("RetryOptions", RETRY),
            opt("RoleARN", ROLE_ARN),
            opt("S3BackupMode", Shape::Enum(&["FailedDataOnly", "AllData"])),
            opt($s3, S3),
        ])
    };
}
const HTTP_ENDPOINT: Shape = http_endpoint!("S3Configuration");
const HTTP_ENDPOINT_UPDATE: Shape = http_endpoint!("S3Update");
/// SplunkDestinationConfiguration and, with `S3Update`, its Update.
macro_rules! splunk {
    ($s3:literal) => {
        Shape::Structure(&[
            opt(
                "BufferingHints",
                Shape::Structure(&[
                    opt("IntervalInSeconds", Shape::Long(&[Rule::Min(0), Rule::Max(60)])),
                    opt("SizeInMBs", Shape::Long(&[Rule::Min(1), Rule::Max(5)])),
                ]),
            ),
            opt("CloudWatchLoggingOptions", ANY),
            opt("HECAcknowledgmentTimeoutInSeconds", Shape::Long(&[Rule::Min(180), Rule::Max(600)])),
            opt("HECEndpoint", Shape::String(&[Rule::LenMin(0), Rule::LenMax(2_048)])),
            opt("HECEndpointType", Shape::Enum(&["Raw", "Event"])),
            opt("HECToken", Shape::String(&[Rule::LenMin(0), Rule::LenMax(2_048)])),
            opt("ProcessingConfiguration", ANY),
            opt("RetryOptions", RETRY),
            opt("S3BackupMode", Shape::Enum(&["FailedEventsOnly", "AllEvents"])),
            opt($s3, S3),
        ])
    };
}
const SPLUNK: Shape = splunk!("S3Configuration");
const SPLUNK_UPDATE: Shape = splunk!("S3Update");
const COPY_COMMAND: Shape = Shape::Structure(&[
    opt("CopyOptions", Shape::String(&[Rule::LenMin(0), Rule::LenMax(204_800)])),
    opt("DataTableColumns", Shape::String(&[Rule::LenMin(0), Rule::LenMax(204_800)])),
    req("DataTableName", Shape::String(&[Rule::LenMin(1), Rule::LenMax(512)])),
]);
/// RedshiftDestinationConfiguration and, with `S3Update` / `S3BackupUpdate`, its Update.
macro_rules! redshift {
    ($s3:literal, $backup:literal) => {
        Shape::Structure(&[
            opt("CloudWatchLoggingOptions", ANY),
            opt("ClusterJDBCURL", Shape::String(&[Rule::LenMin(1), Rule::LenMax(512)])),
            opt("CopyCommand", COPY_COMMAND),
            opt("Password", Shape::String(&[Rule::LenMin(6), Rule::LenMax(512)])),
            opt("ProcessingConfiguration", ANY),
            opt("RetryOptions", RETRY),
            opt("RoleARN", ROLE_ARN),
            opt($backup, S3),
            opt("S3BackupMode", Shape::Enum(&["Disabled", "Enabled"])),
            opt($s3, S3),
            opt("Username", Shape::String(&[Rule::LenMin(1), Rule::LenMax(512)])),
        ])
    };
}
const REDSHIFT: Shape = redshift!("S3Configuration", "S3BackupConfiguration");
const REDSHIFT_UPDATE: Shape = redshift!("S3Update", "S3BackupUpdate");
/// AmazonopensearchserviceDestinationConfiguration (the Elasticsearch one reads the same) and, with
/// `S3Update`, its Update.
macro_rules! opensearch {
    ($s3:literal) => {
        Shape::Structure(&[
            opt(
                "BufferingHints",
                Shape::Structure(&[
                    opt("IntervalInSeconds", Shape::Long(&[Rule::Min(0), Rule::Max(900)])),
                    opt("SizeInMBs", Shape::Long(&[Rule::Min(1), Rule::Max(100)])),
                ]),
            ),
            opt("CloudWatchLoggingOptions", ANY),
            opt("ClusterEndpoint", Shape::String(&[Rule::LenMin(1), Rule::LenMax(512)])),
            opt("DocumentIdOptions", ANY),
            opt("DomainARN", Shape::String(&[Rule::LenMin(1), Rule::LenMax(512)])),
            opt("IndexName", Shape::String(&[Rule::LenMin(1), Rule::LenMax(80)])),
            opt("IndexRotationPeriod", Shape::Enum(&["NoRotation", "OneHour", "OneDay", "OneWeek", "OneMonth"])),
            opt("ProcessingConfiguration", ANY),
            opt("RetryOptions", RETRY),
            opt("RoleARN", ROLE_ARN),
            opt("S3BackupMode", Shape::Enum(&["FailedDocumentsOnly", "AllDocuments"])),
            opt($s3, S3),
            opt("TypeName", Shape::String(&[Rule::LenMin(0), Rule::LenMax(100)])),
            opt("VpcConfiguration", ANY),
        ])
    };
}
const OPENSEARCH: Shape = opensearch!("S3Configuration");
const OPENSEARCH_UPDATE: Shape = opensearch!("S3Update");
const TAG: Shape = Shape::Structure(&[
    req("Key", Shape::String(&[Rule::LenMin(1), Rule::LenMax(128)])),
    opt("Value", Shape::String(&[Rule::LenMin(0), Rule::LenMax(256)])),
]);
const TAGS: Shape = Shape::List { member: &TAG, rules: &[Rule::LenMin(1), Rule::LenMax(50)], member_text: None };
const TAG_KEYS: Shape = Shape::List {
    member: &Shape::String(&[Rule::LenMin(1), Rule::LenMax(128)]),
    rules: &[Rule::LenMin(1), Rule::LenMax(50)],
    member_text: None,
};
const DATA: Shape = Shape::Blob(&[Rule::LenMin(0), Rule::LenMax(1_024_000)]);
const RECORD: Shape = Shape::Structure(&[req("Data", DATA)]);
const STREAM_TYPE: Shape = Shape::Enum(&["DirectPut", "KinesisStreamAsSource", "MSKAsSource", "DatabaseAsSource"]);
const ENCRYPTION_INPUT: Shape = Shape::Structure(&[
    opt("KeyARN", Shape::String(&[Rule::LenMin(1), Rule::LenMax(512)])),
    req("KeyType", Shape::Enum(&["AWS_OWNED_CMK", "CUSTOMER_MANAGED_CMK"])),
]);
const KINESIS_SOURCE: Shape = Shape::Structure(&[
    req("KinesisStreamARN", Shape::String(&[Rule::LenMin(1), Rule::LenMax(512)])),
    req("RoleARN", ROLE_ARN),
]);

fn is_bucket_arn(s: &str) -> bool {
    s.starts_with("arn:") && s.contains(":s3:::")
}

/// The members of `action`, or `None` if Firehose has no such action.
pub fn model(action: &str) -> Option<&'static [Member]> {
    Some(match action {
        "CreateDeliveryStream" => {
            const {
                &[
                    opt("AmazonopensearchserviceDestinationConfiguration", OPENSEARCH),
                    opt("DeliveryStreamEncryptionConfigurationInput", ENCRYPTION_INPUT),
                    req("DeliveryStreamName", NAME),
                    opt("DeliveryStreamType", STREAM_TYPE),
                    opt("ElasticsearchDestinationConfiguration", OPENSEARCH),
                    opt("ExtendedS3DestinationConfiguration", EXTENDED_S3),
                    opt("HttpEndpointDestinationConfiguration", HTTP_ENDPOINT),
                    opt("KinesisStreamSourceConfiguration", KINESIS_SOURCE),
                    opt("RedshiftDestinationConfiguration", REDSHIFT),
                    opt("S3DestinationConfiguration", EXTENDED_S3),
                    opt("SplunkDestinationConfiguration", SPLUNK),
                    opt("Tags", TAGS),
                ]
            }
        }
        "DescribeDeliveryStream" => {
            const {
                &[
                    req("DeliveryStreamName", NAME),
                    opt("ExclusiveStartDestinationId", Shape::String(&[Rule::LenMin(1), Rule::LenMax(100)])),
                    opt("Limit", Shape::Long(&[Rule::Min(1), Rule::Max(10_000)])),
                ]
            }
        }
        "ListDeliveryStreams" => {
            const {
                &[
                    opt("DeliveryStreamType", STREAM_TYPE),
                    opt("ExclusiveStartDeliveryStreamName", NAME),
                    opt("Limit", Shape::Long(&[Rule::Min(1), Rule::Max(10_000)])),
                ]
            }
        }
        "UpdateDestination" => {
            const {
                &[
                    opt("AmazonopensearchserviceDestinationUpdate", OPENSEARCH_UPDATE),
                    req("CurrentDeliveryStreamVersionId", Shape::String(&[Rule::LenMin(1), Rule::LenMax(50)])),
                    req("DeliveryStreamName", NAME),
                    req("DestinationId", Shape::String(&[Rule::LenMin(1), Rule::LenMax(100)])),
                    opt("ElasticsearchDestinationUpdate", OPENSEARCH_UPDATE),
                    opt("ExtendedS3DestinationUpdate", EXTENDED_S3),
                    opt("HttpEndpointDestinationUpdate", HTTP_ENDPOINT_UPDATE),
                    opt("RedshiftDestinationUpdate", REDSHIFT_UPDATE),
                    opt("S3DestinationUpdate", EXTENDED_S3),
                    opt("SplunkDestinationUpdate", SPLUNK_UPDATE),
                ]
            }
        }
        "DeleteDeliveryStream" => const { &[opt("AllowForceDelete", Shape::Boolean), req("DeliveryStreamName", NAME)] },
        "PutRecord" => const { &[req("DeliveryStreamName", NAME), req("Record", RECORD)] },
        "PutRecordBatch" => {
            const {
                &[
                    req("DeliveryStreamName", NAME),
                    req(
                        "Records",
                        Shape::List {
                            member: &RECORD,
                            rules: &[Rule::LenMin(1), Rule::LenMax(500)],
                            member_text: None,
                        },
                    ),
                ]
            }
        }
        "TagDeliveryStream" => const { &[req("DeliveryStreamName", NAME), req("Tags", TAGS)] },
        "UntagDeliveryStream" => const { &[req("DeliveryStreamName", NAME), req("TagKeys", TAG_KEYS)] },
        "ListTagsForDeliveryStream" => {
            const {
                &[
                    req("DeliveryStreamName", NAME),
                    opt("ExclusiveStartTagKey", Shape::String(&[Rule::LenMin(1), Rule::LenMax(128)])),
                    opt("Limit", Shape::Long(&[Rule::Min(1), Rule::Max(50)])),
                ]
            }
        }
        "StartDeliveryStreamEncryption" => {
            const { &[opt("DeliveryStreamEncryptionConfigurationInput", ENCRYPTION_INPUT), req("DeliveryStreamName", NAME)] }
        }
        "StopDeliveryStreamEncryption" => const { &[req("DeliveryStreamName", NAME)] },
        _ => return None,
    })
}

/// The engine request for a body already checked against [`model`].
pub fn request(action: &str, body: Map<String, Value>) -> Result<FirehoseRequest, ErrorBody> {
    use serde_json::from_value as v;
    use FirehoseRequest as R;
    let wrong = |e: serde_json::Error| ErrorBody::new("SerializationException", e.to_string());
    let name = body.get("DeliveryStreamName").and_then(Value::as_str).unwrap_or_default().to_string();
    let data = |record: &Value| {
        let text = record.get("Data").and_then(Value::as_str).unwrap_or_default();
        STANDARD.decode(text).map_err(|e| ErrorBody::new("SerializationException", format!("Record.Data: {e}")))
    };
    let value = Value::Object(body.clone());
    Ok(match action {
        "CreateDeliveryStream" => R::CreateDeliveryStream(Box::new(v(value).map_err(wrong)?)),
        "DescribeDeliveryStream" => R::DescribeDeliveryStream { name },
        "ListDeliveryStreams" => R::ListDeliveryStreams(v(value).map_err(wrong)?),
        "UpdateDestination" => R::UpdateDestination(Box::new(v(value).map_err(wrong)?)),
        "DeleteDeliveryStream" => R::DeleteDeliveryStream { name },
        "PutRecord" => R::PutRecord { name, data: data(body.get("Record").unwrap_or(&Value::Null))? },
        "PutRecordBatch" => {
            let records = body.get("Records").and_then(Value::as_array).cloned().unwrap_or_default();
            R::PutRecordBatch { name, records: records.iter().map(data).collect::<Result<_, _>>()? }
        }
        "TagDeliveryStream" => R::TagDeliveryStream { name, tags: v(body["Tags"].clone()).map_err(wrong)? },
        "UntagDeliveryStream" => R::UntagDeliveryStream { name, keys: v(body["TagKeys"].clone()).map_err(wrong)? },
        "ListTagsForDeliveryStream" => R::ListTagsForDeliveryStream(v(value).map_err(wrong)?),
        "StartDeliveryStreamEncryption" => R::StartDeliveryStreamEncryption {
            name,
            input: body.get("DeliveryStreamEncryptionConfigurationInput").cloned().map(v).transpose().map_err(wrong)?,
        },
        "StopDeliveryStreamEncryption" => R::StopDeliveryStreamEncryption { name },
        other => return Err(ErrorBody::new("UnknownOperationException", format!("Firehose has no action {other}"))),
    })
}
