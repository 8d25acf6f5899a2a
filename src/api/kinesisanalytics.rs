//! Kinesis Data Analytics (the v2 API, service `kinesisanalyticsv2`) on the wire: CreateApplication,
//! StartApplication, StopApplication, DescribeApplication, ListApplications and DeleteApplication with AWS's
//! member names and constraints, and the lab's InjectApplicationFailure [SIM]. ApplicationConfiguration is
//! read by the service ([`crate::engine::analytics::control`]), which answers what KDA would.

use super::kinesis::{opt, req};
use super::schema::{Member, Rule, Shape};
use super::ErrorBody;
use crate::engine::analytics::AnalyticsRequest;
use serde_json::{Map, Value};

fn application_name(s: &str) -> bool {
    s.chars().all(|c| c.is_ascii_alphanumeric() || "_.-".contains(c))
}

const NAME: Shape =
    Shape::String(&[Rule::LenMin(1), Rule::LenMax(128), Rule::Pattern("[a-zA-Z0-9_.-]+", application_name)]);
const ANY: Shape = Shape::Structure(&[]);
const RUNTIMES: &[&str] = &[
    "SQL-1_0",
    "FLINK-1_6",
    "FLINK-1_8",
    "FLINK-1_11",
    "FLINK-1_13",
    "FLINK-1_15",
    "FLINK-1_18",
    "FLINK-1_19",
    "FLINK-1_20",
    "ZEPPELIN-FLINK-1_0",
    "ZEPPELIN-FLINK-2_0",
    "ZEPPELIN-FLINK-3_0",
];
const CREATE: &[Member] = &[
    req("ApplicationName", NAME),
    opt("ApplicationDescription", Shape::String(&[Rule::LenMax(1024)])),
    req("RuntimeEnvironment", Shape::Enum(RUNTIMES)),
    req("ServiceExecutionRole", Shape::String(&[Rule::LenMin(1), Rule::LenMax(2048)])),
    opt("ApplicationConfiguration", ANY),
    opt("CloudWatchLoggingOptions", ANY),
    opt("Tags", ANY),
    opt("ApplicationMode", Shape::Enum(&["STREAMING", "INTERACTIVE"])),
];
const START: &[Member] = &[req("ApplicationName", NAME), opt("RunConfiguration", ANY)];
const STOP: &[Member] = &[req("ApplicationName", NAME), opt("Force", Shape::Boolean)];
const BY_NAME: &[Member] = &[req("ApplicationName", NAME)];
const DELETE: &[Member] = &[req("ApplicationName", NAME), opt("CreateTimestamp", Shape::Timestamp)];
const LIST: &[Member] = &[
    opt("Limit", Shape::Long(&[Rule::Min(1), Rule::Max(50)])),
    opt("NextToken", Shape::String(&[Rule::LenMin(1), Rule::LenMax(128)])),
];

/// The members of `action`, or `None` if the service has no such action.
pub fn model(action: &str) -> Option<&'static [Member]> {
    Some(match action {
        "CreateApplication" => CREATE,
        "StartApplication" => START,
        "StopApplication" => STOP,
        "DescribeApplication" | "InjectApplicationFailure" => BY_NAME,
        "DeleteApplication" => DELETE,
        "ListApplications" => LIST,
        _ => return None,
    })
}

/// The engine request for a body already checked against [`model`].
pub fn request(action: &str, body: Map<String, Value>) -> Result<AnalyticsRequest, ErrorBody> {
    let name = body.get("ApplicationName").and_then(Value::as_str).unwrap_or_default().to_string();
    Ok(match action {
        "CreateApplication" => AnalyticsRequest::CreateApplication(Value::Object(body)),
        "StartApplication" => AnalyticsRequest::StartApplication { name, body: Value::Object(body) },
        "StopApplication" => AnalyticsRequest::StopApplication {
            name,
            force: body.get("Force").and_then(Value::as_bool).unwrap_or(false),
        },
        "DescribeApplication" => AnalyticsRequest::DescribeApplication { name },
        "DeleteApplication" => AnalyticsRequest::DeleteApplication { name },
        "ListApplications" => AnalyticsRequest::ListApplications,
        "InjectApplicationFailure" => AnalyticsRequest::InjectApplicationFailure { name },
        other => {
            return Err(ErrorBody::new(
                "UnknownOperationException",
                format!("Kinesis Data Analytics has no action {other} in the lab"),
            ))
        }
    })
}
