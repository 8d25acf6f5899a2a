//! Kinesis Data Analytics applications in the simulated account, through the kinesisanalyticsv2 API:
//! CreateApplication checks what KDA checks, a running application reads its stream as a consumer (or
//! a Firehose stream's records beside its delivery) and writes to another, and a Flink job's restart from a checkpoint keeps its state exactly-once.

use crate::harness::{b64, Api};
use serde_json::{json, Value};

const SCHEMA: &str = include_str!("../../src/engine/analytics/examples/bike_schema.json");

fn kda(api: &mut Api, at_ms: u64, action: &str, input: Value) -> Result<Value, (String, String)> {
    api.call_service(at_ms, "kinesisanalyticsv2", action, input)
}

fn arn(stream: &str) -> String {
    format!("arn:aws:kinesis:us-east-1:123456789012:stream/{stream}")
}

fn sql_app(name: &str, code: &str, outputs: Value) -> Value {
    let schema: Value = serde_json::from_str(SCHEMA).expect("the example schema is JSON");
    json!({
        "ApplicationName": name,
        "RuntimeEnvironment": "SQL-1_0",
        "ServiceExecutionRole": "arn:aws:iam::123456789012:role/kda",
        "ApplicationConfiguration": {
            "ApplicationCodeConfiguration": {"CodeContent": {"TextContent": code}, "CodeContentType": "PLAINTEXT"},
            "SqlApplicationConfiguration": {
                "Inputs": [{"NamePrefix": "SOURCE_SQL_STREAM", "KinesisStreamsInput": {"ResourceARN": arn("in")},
                            "InputSchema": schema}],
                "Outputs": outputs
            }
        }
    })
}

fn flink_app(name: &str, pipeline: &Value) -> Value {
    json!({
        "ApplicationName": name,
        "RuntimeEnvironment": "FLINK-1_15",
        "ServiceExecutionRole": "arn:aws:iam::123456789012:role/kda",
        "ApplicationConfiguration": {
            "ApplicationCodeConfiguration": {"CodeContent": {"TextContent": pipeline.to_string()}, "CodeContentType": "PLAINTEXT"},
            "EnvironmentProperties": {"PropertyGroups": [
                {"PropertyGroupId": "ConsumerConfigProperties", "PropertyMap": {"INPUT_STREAM": "in", "flink.stream.initpos": "TRIM_HORIZON"}}
            ]}
        }
    })
}

/// The Maximum of an AWS/KinesisAnalytics metric of `app` over the run so far, in one period.
fn metric(api: &mut Api, at_ms: u64, app: &str, name: &str) -> Vec<f64> {
    const EPOCH_S: u64 = 1_700_000_000; // the default account clock at t = 0
    let input = json!({
        "Namespace": "AWS/KinesisAnalytics", "MetricName": name,
        "Dimensions": [{"Name": "Application", "Value": app}],
        "StartTime": EPOCH_S, "EndTime": EPOCH_S + 3_600, "Period": 3_600, "Statistics": ["Maximum"],
    });
    let out = api.call_service(at_ms, "cloudwatch", "GetMetricStatistics", input).unwrap();
    out["Datapoints"].as_array().unwrap().iter().map(|d| d["Maximum"].as_f64().unwrap()).collect()
}

/// The text of every record in the one-shard stream "results" by `at_ms`.
fn results(api: &mut Api, at_ms: u64) -> Vec<String> {
    let data =
        |r: &Value| base64::Engine::decode(&base64::engine::general_purpose::STANDARD, r["Data"].as_str().unwrap());
    let records = api.read_all(at_ms, "results", "shardId-000000000000");
    records.iter().map(|r| String::from_utf8(data(r).unwrap()).unwrap()).collect()
}

const PASS_THROUGH: &str = "CREATE OR REPLACE STREAM \"OUT\" (stationId INTEGER, action VARCHAR(8));\n\
CREATE OR REPLACE PUMP \"P\" AS INSERT INTO \"OUT\" SELECT STREAM \"stationId\", \"action\" FROM \"SOURCE_SQL_STREAM_001\";";

#[test]
fn create_application_refuses_what_kda_refuses_and_changes_nothing() {
    let mut api = Api::new();
    let out = |stream: &str| json!({"Name": "OUT", "KinesisStreamsOutput": {"ResourceARN": arn(stream)}, "DestinationSchema": {"RecordFormatType": "JSON"}});
    let cases = [
        (sql_app("a", "SELECT STREAM * FROM\n  WHERE", json!([])), "CodeValidationException", "line 2"),
        (
            sql_app("a", PASS_THROUGH, json!([out("x"), out("y"), out("z"), out("w")])),
            "LimitExceededException",
            "at most 3",
        ),
        (
            sql_app(
                "a",
                PASS_THROUGH,
                json!([{"Name": "out", "KinesisStreamsOutput": {"ResourceARN": arn("x")}, "DestinationSchema": {"RecordFormatType": "JSON"}}]),
            ),
            "InvalidApplicationConfigurationException",
            "case-sensitive",
        ),
        (sql_app("a b", PASS_THROUGH, json!([])), "InvalidArgumentException", "applicationName"),
        (flink_app("f", &json!({"sink": {"table": "t"}, "window": {"nope": {}}})), "CodeValidationException", ""),
    ];
    for (body, code, text) in cases {
        let (got, message) = kda(&mut api, 0, "CreateApplication", body).unwrap_err();
        assert_eq!(got, code, "{message}");
        assert!(message.contains(text), "{message}");
    }
    let listed = kda(&mut api, 0, "ListApplications", json!({})).unwrap();
    assert_eq!(listed["ApplicationSummaries"], json!([]), "nothing was created");
    let (code, message) = kda(&mut api, 0, "StartApplication", json!({"ApplicationName": "ghost"})).unwrap_err();
    assert_eq!((code.as_str(), message.as_str()), ("ResourceNotFoundException", "Application ghost not found"));
}

#[test]
fn a_sql_application_reads_its_stream_as_a_consumer_and_writes_each_row_to_its_output() {
    let mut api = Api::new();
    api.active_stream(0, "in", 1);
    api.active_stream(0, "results", 1);
    let output = json!([{"Name": "OUT", "KinesisStreamsOutput": {"ResourceARN": arn("results")}, "DestinationSchema": {"RecordFormatType": "CSV"}}]);
    kda(&mut api, 1_000, "CreateApplication", sql_app("bikes", PASS_THROUGH, output)).unwrap();
    kda(&mut api, 1_000, "StartApplication", json!({"ApplicationName": "bikes"})).unwrap();
    let (code, _) = kda(&mut api, 2_000, "StartApplication", json!({"ApplicationName": "bikes"})).unwrap_err();
    assert_eq!(code, "ResourceInUseException", "it is already STARTING");
    let status = |api: &mut Api, at| {
        kda(api, at, "DescribeApplication", json!({"ApplicationName": "bikes"})).unwrap()["ApplicationDetail"]
            ["ApplicationStatus"]
            .clone()
    };
    assert_eq!(status(&mut api, 2_000), "STARTING");
    assert_eq!(status(&mut api, 31_000), "RUNNING");
    for (i, action) in ["RENTED", "DOCKED", "RENTED"].iter().enumerate() {
        let data = b64(&format!("{{\"stationId\": {}, \"action\": \"{action}\"}}", 100 + i));
        api.ok(32_000, "PutRecord", json!({"StreamName": "in", "PartitionKey": "k", "Data": data}));
    }
    let rows = results(&mut api, 40_000);
    assert_eq!(rows, ["100,RENTED\n", "101,DOCKED\n", "102,RENTED\n"]);
    assert_eq!(metric(&mut api, 60_000, "bikes", "KPUs"), [1.0], "one KPU for a SQL application [SIM]");
    assert_eq!(metric(&mut api, 60_000, "bikes", "numRecordsIn"), [3.0], "the total read so far");
    assert_eq!(metric(&mut api, 60_000, "bikes", "uptime"), [29_000.0], "RUNNING since 31 s, last sampled at 60 s");
    assert!(metric(&mut api, 60_000, "bikes", "fullRestarts").is_empty(), "a Flink metric only");
}

#[test]
fn a_sql_application_reads_a_firehose_stream_beside_its_delivery() {
    let mut api = Api::new();
    api.active_stream(0, "results", 1);
    let s3 = json!({"RoleARN": "arn:aws:iam::123456789012:role/firehose", "BucketARN": "arn:aws:s3:::lake",
                    "BufferingHints": {"SizeInMBs": 1, "IntervalInSeconds": 60}});
    let create = json!({"DeliveryStreamName": "rides", "ExtendedS3DestinationConfiguration": s3});
    api.call_service(0, "firehose", "CreateDeliveryStream", create).unwrap();
    let mut app = sql_app(
        "from-firehose",
        PASS_THROUGH,
        json!([{"Name": "OUT", "KinesisStreamsOutput": {"ResourceARN": arn("results")}, "DestinationSchema": {"RecordFormatType": "CSV"}}]),
    );
    let input = &mut app["ApplicationConfiguration"]["SqlApplicationConfiguration"]["Inputs"][0];
    let both = input.clone();
    input.as_object_mut().unwrap().remove("KinesisStreamsInput");
    input["KinesisFirehoseInput"] =
        json!({"ResourceARN": "arn:aws:firehose:us-east-1:123456789012:deliverystream/rides"});
    // Exactly one streaming input: both at once are refused.
    let mut two = app.clone();
    two["ApplicationConfiguration"]["SqlApplicationConfiguration"]["Inputs"][0]["KinesisStreamsInput"] =
        both["KinesisStreamsInput"].clone();
    let (code, message) = kda(&mut api, 1_000, "CreateApplication", two).unwrap_err();
    assert_eq!(code, "InvalidArgumentException", "{message}");
    kda(&mut api, 1_000, "CreateApplication", app).unwrap();
    kda(&mut api, 1_000, "StartApplication", json!({"ApplicationName": "from-firehose"})).unwrap();
    let lines: Vec<String> = ["RENTED", "DOCKED", "RENTED"]
        .iter()
        .enumerate()
        .map(|(i, action)| format!("{{\"stationId\": {}, \"action\": \"{action}\"}}\n", 200 + i))
        .collect();
    let records: Vec<Value> = lines.iter().map(|l| json!({"Data": b64(l)})).collect();
    let put = json!({"DeliveryStreamName": "rides", "Records": records});
    api.call_service(20_000, "firehose", "PutRecordBatch", put.clone()).unwrap();
    api.call_service(35_000, "firehose", "PutRecordBatch", put).unwrap();
    let rows = results(&mut api, 40_000);
    assert_eq!(
        rows,
        ["200,RENTED\n", "201,DOCKED\n", "202,RENTED\n"],
        "only what entered after the application started"
    );
    let listed = api.call_service(120_000, "s3", "ListObjectsV2", json!({"Bucket": "lake"})).unwrap();
    let size: u64 = listed["Contents"].as_array().unwrap().iter().map(|o| o["Size"].as_u64().unwrap()).sum();
    let put_bytes: usize = lines.iter().map(String::len).sum();
    assert_eq!(size, 2 * put_bytes as u64, "the stream still delivers every record to S3: {listed}");
}

#[test]
fn a_flink_job_restored_from_its_checkpoint_counts_each_record_once() {
    // Event-time counts per station; the job fails after the first checkpoint and replays what followed it.
    let pipeline = json!({
        "name": "counts",
        "key_by": "stationId",
        "time": "event",
        "timestamp": "ts",
        "watermarks": {"out_of_orderness_ms": 0},
        "window": {"tumbling": {"size_ms": 60000}},
        "aggregate": [{"count": "*", "as": "n"}],
        "sink": {"kinesis": {"stream": "results", "partition_key": "stationId"}}
    });
    let run = |fail: bool| {
        let mut api = Api::new();
        api.active_stream(0, "in", 1);
        api.active_stream(0, "results", 1);
        kda(&mut api, 1_000, "CreateApplication", flink_app("job", &pipeline)).unwrap();
        kda(&mut api, 1_000, "StartApplication", json!({"ApplicationName": "job"})).unwrap();
        for s in 0..200u64 {
            let at = 40_000 + s * 1_000;
            let ts = 1_700_000_000_000u64 + at;
            let data = b64(&format!("{{\"stationId\": {}, \"ts\": {ts}}}", 100 + s % 3));
            api.ok(at, "PutRecord", json!({"StreamName": "in", "PartitionKey": "k", "Data": data}));
            if fail && s == 130 {
                kda(&mut api, at, "InjectApplicationFailure", json!({"ApplicationName": "job"})).unwrap();
            }
        }
        let rows = results(&mut api, 400_000);
        let restarts = metric(&mut api, 400_000, "job", "fullRestarts");
        assert_eq!(restarts, [f64::from(u8::from(fail))], "fullRestarts");
        let down = metric(&mut api, 400_000, "job", "downtime");
        assert_eq!(down, [if fail { 10_000.0 } else { 0.0 }], "the fixed restart delay");
        rows.iter().map(|t| serde_json::from_str::<Value>(t).unwrap()).collect::<Vec<_>>()
    };
    let clean = run(false);
    let restored = run(true);
    let last = |rows: &[Value]| {
        let mut by_window = std::collections::BTreeMap::new();
        for r in rows {
            by_window.insert((r["stationId"].to_string(), r["window_start"].to_string()), r["n"].clone());
        }
        by_window
    };
    assert!(!clean.is_empty());
    assert!(restored.len() > clean.len(), "the at-least-once sink sees replayed windows again");
    assert_eq!(last(&restored), last(&clean), "every window's final count is what the uninterrupted run gave");
}
