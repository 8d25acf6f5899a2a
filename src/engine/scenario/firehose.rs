//! The Firehose part of a scenario: AWS calls made at given times (the buckets, functions and delivery
//! streams at the start; outages and other drills later) and Direct PUT producers.
//!
//! A call is written as a `kinesis-lab api` line is, with `at_s` for `at_ms`, and is checked when the
//! scenario loads by the same wire layer, so a request that AWS would refuse as malformed never runs.

use super::compile::{check_retry, check_window, compile_body, compile_rate, prefix, time_in_run, unique, BodyPlan};
use super::format::{OneOrMany, RetrySpec, Scenario};
use super::ScenarioError;
use crate::engine::kds::shard::Detail;
use crate::engine::time::SimTime;
use crate::engine::workload::rate::{RateCurve, RateProfile};
use crate::engine::workload::size::SizeDist;
use crate::engine::Command;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use std::collections::BTreeSet;

/// An AWS request made at a given time.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CallSpec {
    /// When, in seconds (0: as the run starts, once its Kinesis streams are ACTIVE).
    #[serde(default)]
    pub at_s: f64,
    /// `firehose`, `s3`, `lambda`, `kinesis` or `cloudwatch`.
    pub service: String,
    /// The AWS action.
    pub action: String,
    /// The request body, exactly as AWS takes it.
    #[serde(default = "empty_object")]
    pub input: Value,
}

fn empty_object() -> Value {
    Value::Object(Default::default())
}

/// A producer writing to a Firehose stream with Direct PUT.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DirectPutSpec {
    /// Its name.
    pub name: String,
    /// The Firehose stream it writes to.
    pub delivery_stream: String,
    /// Its rate: one profile or several summed.
    pub rate: OneOrMany<RateProfile>,
    /// Data bytes per record (give this or `template`).
    pub size: Option<SizeDist>,
    /// A Kinesis Data Generator record template for the bodies (give this or `size`).
    pub template: Option<String>,
    /// Send as a CloudWatch Logs subscription does: each record the gzip of a `DATA_MESSAGE` envelope of
    /// `events` log events, each event's message rendered from `template`.
    pub cloudwatch_logs: Option<CloudWatchLogsSpec>,
    /// PutRecord (one call per record) or PutRecordBatch.
    #[serde(default)]
    pub api: DirectPutApi,
    /// Records per PutRecordBatch call at most (1 … 500).
    #[serde(default = "default_max_records")]
    pub max_records: u32,
    /// What it does with failed records (the lost-acknowledgement model is Kinesis producers' only).
    #[serde(default)]
    pub retry: RetrySpec,
    /// When it starts sending, in seconds.
    #[serde(default)]
    pub start_s: f64,
    /// When it stops sending, in seconds (never when absent).
    pub stop_s: Option<f64>,
}

fn default_max_records() -> u32 {
    500
}

/// A CloudWatch Logs subscription's records: log group and stream, and log events per record.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CloudWatchLogsSpec {
    pub log_group: String,
    pub log_stream: String,
    /// The subscription filter's name.
    pub filter: String,
    /// Log events gathered into each record (1 … 10,000).
    pub events: u32,
}

/// Which Firehose write API a producer calls.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DirectPutApi {
    /// One PutRecord call per record.
    PutRecord,
    /// PutRecordBatch with up to 500 records and 4 MiB per call.
    #[default]
    PutRecordBatch,
}

/// A call, checked and parsed.
#[derive(Clone, Debug)]
pub struct CallPlan {
    /// When.
    pub at: SimTime,
    /// How the log names it: `firehose CreateDeliveryStream dl-delivery-stream`.
    pub what: String,
    /// The request.
    pub command: Command,
}

/// A Direct PUT producer, compiled.
#[derive(Clone, Debug)]
pub struct DirectPutPlan {
    /// As written.
    pub spec: DirectPutSpec,
    /// Its rate.
    pub rate: RateCurve,
    /// What its record bodies are.
    pub body: BodyPlan,
}

/// Checks the calls' times and services (what needs no wire layer).
pub fn check_call_times(s: &Scenario) -> Result<(), ScenarioError> {
    for (i, call) in s.calls.iter().enumerate() {
        let at = |field: &str| format!("calls[{i}].{field}");
        time_in_run(s, &at("at_s"), call.at_s)?;
        if call.service == "kinesisvideo" {
            return Err(ScenarioError::at(at("service"), "signaling runs on the Video page, not in scenarios"));
        }
    }
    Ok(())
}

/// Checks and parses the scenario's calls.
pub fn compile_calls(s: &Scenario) -> Result<Vec<CallPlan>, ScenarioError> {
    check_call_times(s)?;
    s.calls
        .iter()
        .enumerate()
        .map(|(i, call)| {
            let command = crate::api::parse(&call.service, &call.action, &call.input)
                .map_err(|e| ScenarioError::at(format!("calls[{i}]"), format!("{}: {}", e.type_name, e.message)))?;
            let name = ["DeliveryStreamName", "ApplicationName", "Bucket", "FunctionName", "StreamName", "Mode"]
                .iter()
                .find_map(|field| call.input.get(field).and_then(Value::as_str));
            let what = match name {
                Some(name) => format!("{} {} {name}", call.service, call.action),
                None => format!("{} {}", call.service, call.action),
            };
            Ok(CallPlan { at: SimTime::from_micros((call.at_s * 1e6) as u64), what, command })
        })
        .collect()
}

/// Checks and compiles the Direct PUT producers; they write to delivery streams the calls create.
pub fn compile_direct_put(s: &Scenario, start_ms: u64) -> Result<Vec<DirectPutPlan>, ScenarioError> {
    if !s.firehose_producers.is_empty() && s.detail == Detail::Runs {
        return Err(ScenarioError::at(
            "firehose_producers",
            "Firehose stores real bytes, which fast-forward does not make: use detail \"records\"",
        ));
    }
    let created: BTreeSet<&str> = s
        .calls
        .iter()
        .filter(|c| c.service == "firehose" && c.action == "CreateDeliveryStream")
        .filter_map(|c| c.input.get("DeliveryStreamName").and_then(Value::as_str))
        .collect();
    let plans = s
        .firehose_producers
        .iter()
        .enumerate()
        .map(|(i, p)| compile_one(s, p, &created, start_ms).map_err(|e| prefix(&format!("firehose_producers[{i}]"), e)))
        .collect::<Result<Vec<_>, _>>()?;
    let names = s.producers.iter().map(|p| p.name.as_str()).chain(s.firehose_producers.iter().map(|p| p.name.as_str()));
    unique(names, "producers and firehose_producers")?;
    Ok(plans)
}

fn compile_one(
    s: &Scenario,
    p: &DirectPutSpec,
    created: &BTreeSet<&str>,
    start_ms: u64,
) -> Result<DirectPutPlan, ScenarioError> {
    if p.name.is_empty() {
        return Err(ScenarioError::at("name", "must not be empty"));
    }
    if !created.contains(p.delivery_stream.as_str()) {
        return Err(ScenarioError::at(
            "delivery_stream",
            format!("no call creates a delivery stream called \"{}\"", p.delivery_stream),
        ));
    }
    let rate = compile_rate(&p.rate, start_ms)?;
    let (body, _) = compile_body(s, &p.name, &p.size, &p.template, start_ms)?;
    let body = match (&p.cloudwatch_logs, body) {
        (None, body) => body,
        (Some(cwl), BodyPlan::Template(template)) => {
            if !(1..=10_000).contains(&cwl.events) {
                return Err(ScenarioError::at(
                    "cloudwatch_logs.events",
                    format!("must be from 1 to 10,000, got {}", cwl.events),
                ));
            }
            BodyPlan::CloudWatchLogs { template, spec: cwl.clone() }
        }
        (Some(_), _) => return Err(ScenarioError::at("cloudwatch_logs", "needs a template for the log messages")),
    };
    if !(1..=500).contains(&p.max_records) {
        return Err(ScenarioError::at("max_records", format!("must be from 1 to 500, got {}", p.max_records)));
    }
    check_retry(&p.retry)?;
    if p.retry.lost_ack_fraction != 0.0 {
        return Err(ScenarioError::at(
            "retry.lost_ack_fraction",
            "is modelled for Kinesis producers only; leave it out",
        ));
    }
    check_window(s, p.start_s, p.stop_s)?;
    Ok(DirectPutPlan { spec: p.clone(), rate, body })
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn scenario() -> Value {
        json!({
            "name": "f", "title": "Direct PUT", "explanation": "Records go to S3. Buffers decide when.",
            "seed": 1, "duration_s": 600,
            "calls": [
                {"service": "s3", "action": "CreateBucket", "input": {"Bucket": "lake"}},
                {"service": "firehose", "action": "CreateDeliveryStream", "input": {
                    "DeliveryStreamName": "d", "DeliveryStreamType": "DirectPut",
                    "ExtendedS3DestinationConfiguration": {"BucketARN": "arn:aws:s3:::lake",
                        "RoleARN": "arn:aws:iam::123456789012:role/firehose"}}},
                {"at_s": 300, "service": "s3", "action": "InjectOutage", "input": {"Bucket": "lake", "DurationSeconds": 60}}
            ],
            "firehose_producers": [{"name": "p", "delivery_stream": "d",
                "rate": {"kind": "constant", "per_second": 10}, "size": {"kind": "fixed", "bytes": 100}}]
        })
    }

    fn error_of(edit: impl Fn(&mut Value)) -> String {
        let mut v = scenario();
        edit(&mut v);
        Scenario::load(&v.to_string()).expect_err("invalid").to_string()
    }

    #[test]
    fn calls_and_direct_put_producers_compile_without_kinesis_streams() {
        let plan = Scenario::load(&scenario().to_string()).expect("valid");
        assert_eq!(plan.calls.len(), 3);
        assert_eq!(plan.calls[1].what, "firehose CreateDeliveryStream d");
        assert_eq!(plan.calls[2].at, SimTime::from_secs(300));
        assert_eq!(plan.direct_put[0].rate.expected_by(1.0), 10.0);
    }

    #[test]
    fn bad_calls_and_producers_name_their_path() {
        let e = error_of(|v| v["calls"][0]["action"] = "CreateBucketPlease".into());
        assert!(e.starts_with("calls[0]: "), "{e}");
        let e = error_of(|v| v["calls"][1]["input"]["DeliveryStreamType"] = json!(7));
        assert!(e.starts_with("calls[1]: "), "{e}");
        let e = error_of(|v| v["calls"][2]["at_s"] = json!(601));
        assert!(e.starts_with("calls[2].at_s: "), "{e}");
        let e = error_of(|v| v["firehose_producers"][0]["delivery_stream"] = "other".into());
        assert_eq!(e, "firehose_producers[0].delivery_stream: no call creates a delivery stream called \"other\"");
        let e = error_of(|v| v["firehose_producers"][0]["max_records"] = json!(501));
        assert!(e.starts_with("firehose_producers[0].max_records: "), "{e}");
        let e = error_of(|v| v["detail"] = "runs".into());
        assert!(e.starts_with("firehose_producers: Firehose stores real bytes"), "{e}");
        let e = error_of(|v| v["firehose_producers"][0]["keys"] = json!({"kind": "random"}));
        assert!(e.contains("unknown field `keys`"), "{e}");
    }

    #[test]
    fn a_scenario_needs_something_to_run() {
        let e = error_of(|v| v["calls"] = json!([]));
        assert!(e.starts_with("streams: needs at least one stream"), "{e}");
    }
}
