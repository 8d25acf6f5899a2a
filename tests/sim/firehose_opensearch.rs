//! The OpenSearch destination through `kinesis-lab api`: bulk requests into daily-rotated indices (read back
//! with the lab's Search), a document that does not fit the mapping retried and then written to the
//! bucket as `AmazonOpenSearchService-failed` with its envelope, a rejecting domain retried until it
//! recovers, and AllDocuments backup.

use crate::harness::Api;
use base64::engine::general_purpose::STANDARD;
use base64::Engine as _;
use serde_json::{json, Value};

fn create(api: &mut Api, member: &str, extra: Value) -> Result<Value, (String, String)> {
    let mut d = json!({
        "RoleARN": "arn:aws:iam::123456789012:role/r",
        "DomainARN": "arn:aws:es:us-east-1:123456789012:domain/bikes",
        "IndexName": "rides",
        "IndexRotationPeriod": "OneDay",
        "BufferingHints": {"SizeInMBs": 1, "IntervalInSeconds": 60},
        "RetryOptions": {"DurationInSeconds": 300},
        "S3Configuration": {"RoleARN": "arn:aws:iam::123456789012:role/r", "BucketARN": "arn:aws:s3:::failed-docs",
            "ErrorOutputPrefix": "failed/!{firehose:error-output-type}/", "Prefix": "all/"},
    });
    if let (Some(d), Some(extra)) = (d.as_object_mut(), extra.as_object()) {
        d.extend(extra.clone());
    }
    api.call_service(0, "firehose", "CreateDeliveryStream", json!({"DeliveryStreamName": "rides", member: d}))
}

fn put(api: &mut Api, at_ms: u64, records: &[&str]) {
    let records: Vec<Value> = records.iter().map(|r| json!({"Data": STANDARD.encode(r)})).collect();
    let out = api
        .call_service(at_ms, "firehose", "PutRecordBatch", json!({"DeliveryStreamName": "rides", "Records": records}))
        .unwrap();
    assert_eq!(out["FailedPutCount"], 0);
}

fn search(api: &mut Api, at_ms: u64, index: &str) -> Value {
    api.call_service(at_ms, "opensearch", "Search", json!({"Domain": "bikes", "Index": index, "Size": 100})).unwrap()
}

fn objects(api: &mut Api, at_ms: u64, prefix: &str) -> Vec<(String, String)> {
    let listed =
        api.call_service(at_ms, "s3", "ListObjectsV2", json!({"Bucket": "failed-docs", "Prefix": prefix})).unwrap();
    listed["Contents"]
        .as_array()
        .unwrap()
        .iter()
        .map(|o| {
            let key = o["Key"].as_str().unwrap().to_string();
            let got = api.call_service(at_ms, "s3", "GetObject", json!({"Bucket": "failed-docs", "Key": key})).unwrap();
            (key, String::from_utf8(STANDARD.decode(got["Body"].as_str().unwrap()).unwrap()).unwrap())
        })
        .collect()
}

#[test]
fn documents_are_indexed_and_a_misfit_goes_to_the_bucket_after_the_retry_duration() {
    let mut api = Api::new();
    create(&mut api, "AmazonopensearchserviceDestinationConfiguration", json!({})).unwrap();
    put(&mut api, 10_000, &[r#"{"stationId":100,"action":"RENTED"}"#, r#"{"stationId":110,"action":"DOCKED"}"#]);
    let found = search(&mut api, 80_000, "rides-2023-11-14");
    assert_eq!(found["hits"]["total"]["value"], 2, "{found}");
    put(&mut api, 100_000, &[r#"{"stationId":"abc"}"#, r#"{"stationId":120}"#]);
    // At 160 s the batch flushes: 120 is indexed, "abc" refused by the long mapping and retried at 460 s;
    // 460 − 160 ≥ 300, so it goes to the bucket.
    assert_eq!(search(&mut api, 200_000, "rides-2023-11-14")["hits"]["total"]["value"], 3);
    assert!(objects(&mut api, 400_000, "failed/").is_empty(), "still within the retry duration");
    let failed = objects(&mut api, 500_000, "failed/AmazonOpenSearchService-failed/");
    assert_eq!(failed.len(), 1, "{failed:?}");
    let line: Value = serde_json::from_str(failed[0].1.lines().next().unwrap()).unwrap();
    assert_eq!(line["errorCode"], "400");
    assert!(line["errorMessage"].as_str().unwrap().contains("mapper_parsing_exception"), "{line}");
    assert_eq!((line["esIndexName"].as_str(), line["attemptsMade"].as_u64()), (Some("rides-2023-11-14"), Some(2)));
    assert_eq!(line["rawData"], STANDARD.encode(r#"{"stationId":"abc"}"#));
    assert!(line["esDocumentId"].as_str().is_some_and(|id| !id.is_empty()));
}

#[test]
fn a_rejecting_domain_is_retried_and_the_book_name_works_with_its_folder() {
    let mut api = Api::new();
    create(&mut api, "ElasticsearchDestinationConfiguration", json!({"RetryOptions": {"DurationInSeconds": 600}}))
        .unwrap();
    api.call_service(
        5_000,
        "opensearch",
        "ConfigureDomain",
        json!({"Domain": "bikes", "Mode": "Rejecting", "DurationSeconds": 200}),
    )
    .unwrap();
    put(&mut api, 10_000, &[r#"{"stationId":100}"#]);
    assert!(
        api.call_service(100_000, "opensearch", "Search", json!({"Domain": "bikes", "Index": "rides-2023-11-14"}))
            .is_err(),
        "nothing indexed yet"
    );
    // The retry at 370 s finds the domain answering again.
    assert_eq!(search(&mut api, 400_000, "rides-2023-11-14")["hits"]["total"]["value"], 1);
    let d = api
        .call_service(400_000, "firehose", "DescribeDeliveryStream", json!({"DeliveryStreamName": "rides"}))
        .unwrap();
    let es = &d["DeliveryStreamDescription"]["Destinations"][0]["ElasticsearchDestinationDescription"];
    assert_eq!(
        (es["S3BackupMode"].as_str(), es["IndexRotationPeriod"].as_str()),
        (Some("FailedDocumentsOnly"), Some("OneDay"))
    );
    // The book era's CloudWatch names answer too.
    let out = api.call_service(400_000, "cloudwatch", "GetMetricStatistics", json!({"Namespace": "AWS/Firehose",
        "MetricName": "DeliveryToElasticsearch.Records", "Dimensions": [{"Name": "DeliveryStreamName", "Value": "rides"}],
        "StartTime": 1_700_000_000, "EndTime": 1_700_001_000, "Period": 1_000, "Statistics": ["Sum"]})).unwrap();
    assert_eq!(out["Datapoints"][0]["Sum"], 1.0);
}

#[test]
fn all_documents_backup_writes_everything_to_the_bucket() {
    let mut api = Api::new();
    create(&mut api, "AmazonopensearchserviceDestinationConfiguration", json!({"S3BackupMode": "AllDocuments"}))
        .unwrap();
    put(&mut api, 10_000, &[r#"{"a":1}"#, r#"{"a":2}"#]);
    let all = objects(&mut api, 500_000, "all/");
    assert_eq!(all.len(), 1, "{all:?}");
    assert_eq!(all[0].1, r#"{"a":1}{"a":2}"#);
    assert!(create(
        &mut api,
        "AmazonopensearchserviceDestinationConfiguration",
        json!({"IndexRotationPeriod": "Daily"})
    )
    .is_err());
}
