//! The AWS wire layer: JSON request bodies in, AWS response bodies and `{"__type", "message"}` errors out.
//!
//! [`parse`] turns (service, action, body) into an engine [`Command`], checking the body against the
//! action's model exactly as the AWS JSON protocol front end does ([`schema`]); [`reply_json`] and
//! [`ErrorBody`] are the way back; [`parse_video`] does the same for the `kinesisvideo` signaling service. [`replay`] is the JSON-lines driver behind `kinesis-lab api`.

pub mod endpoint;
pub mod firehose;
pub mod glue;
pub mod kinesis;
pub mod kinesisanalytics;
pub mod kinesisvideo;
pub mod lambda;
pub mod opensearch;
pub mod redshift;
pub mod replay;
pub mod s3;
pub mod schema;

use crate::engine::{ApiError, Command, Reply};
use schema::{Member, Shape};
use serde_json::{json, Map, Value};

/// An error response body: `{"__type": "…", "message": "…"}`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ErrorBody {
    /// The AWS exception name.
    pub type_name: String,
    /// AWS's message text.
    pub message: String,
}

impl ErrorBody {
    fn new(type_name: &str, message: impl Into<String>) -> ErrorBody {
        ErrorBody { type_name: type_name.to_string(), message: message.into() }
    }

    /// The JSON body.
    pub fn to_json(&self) -> Value {
        json!({"__type": self.type_name, "message": self.message})
    }
}

impl From<crate::engine::video::error::VideoError> for ErrorBody {
    fn from(e: crate::engine::video::error::VideoError) -> ErrorBody {
        ErrorBody::new(e.kind.aws_code(), e.message)
    }
}

impl From<ApiError> for ErrorBody {
    fn from(e: ApiError) -> ErrorBody {
        ErrorBody::new(e.aws_code(), e.message())
    }
}

/// The engine command for one request, or the error AWS answers before reaching the service.
pub fn parse(service: &str, action: &str, body: &Value) -> Result<Command, ErrorBody> {
    match service {
        "kinesis" | "cloudwatch" => {
            let members = if service == "kinesis" { kinesis::model(action) } else { kinesis::cloudwatch_model(action) };
            let body = checked(service, action, members, body, "ValidationException")?;
            kinesis::request(action, Value::Object(body))
                .map(Command::Kds)
                .map_err(|e| ErrorBody::new("SerializationException", e.to_string()))
        }
        "firehose" => {
            let body = checked(service, action, firehose::model(action), body, "ValidationException")?;
            firehose::request(action, body).map(Command::Firehose)
        }
        "kinesisanalyticsv2" => {
            let body = checked(service, action, kinesisanalytics::model(action), body, "InvalidArgumentException")?;
            kinesisanalytics::request(action, body).map(Command::Analytics)
        }
        "lambda" => {
            let body = checked(service, action, lambda::model(action), body, "InvalidParameterValueException")?;
            lambda::request(action, body).map(Command::Lambda)
        }
        "s3" => {
            let body = checked(service, action, s3::model(action), body, "InvalidArgument")?;
            s3::request(action, body).map(Command::S3)
        }
        "endpoint" => {
            let body = checked(service, action, endpoint::model(action), body, "InvalidArgumentException")?;
            endpoint::request(action, body).map(Command::Endpoint)
        }
        "glue" => {
            let body = checked(service, action, glue::model(action), body, "InvalidInputException")?;
            glue::request(action, body).map(Command::Glue)
        }
        "redshift-data" => {
            let body = checked(service, action, redshift::model(action), body, "ValidationException")?;
            redshift::request(action, body).map(Command::Redshift)
        }
        "opensearch" => {
            let body = checked(service, action, opensearch::model(action), body, "ValidationException")?;
            opensearch::request(action, body).map(Command::OpenSearch)
        }
        _ => {
            let text = format!(
                "Unknown service '{service}'; this lab simulates: kinesis, cloudwatch (GetMetricStatistics), firehose, \
                 s3 (ListObjectsV2, GetObject, PutObject, CreateBucket), lambda (built-in functions), endpoint (the lab's HTTP \
                 endpoints and Splunk HEC: ConfigureEndpoint, ListRequests), glue (the Data Catalog), redshift-data \
                 (the Redshift Data API), kinesisanalyticsv2 (Kinesis Data Analytics applications), opensearch (the lab's domains: Search, GetMapping, CatIndices, \
                 ConfigureDomain), kinesisvideo."
            );
            Err(ErrorBody::new("UnknownOperationException", text))
        }
    }
}

/// A `kinesisvideo` call, or the error AWS answers before reaching the service.
pub fn parse_video(action: &str, body: &Value) -> Result<kinesisvideo::VideoCall, ErrorBody> {
    let body = checked("kinesisvideo", action, kinesisvideo::model(action), body, "InvalidArgumentException")?;
    kinesisvideo::call(action, body)
}

/// The body checked against the action's model (types, then constraints) and normalised.
fn checked(
    service: &str,
    action: &str,
    members: Option<&[Member]>,
    body: &Value,
    violation_type: &str,
) -> Result<Map<String, Value>, ErrorBody> {
    let Some(members) = members else {
        let text = format!("Unknown operation {action} for service {service}.");
        return Err(ErrorBody::new("UnknownOperationException", text));
    };
    let mut body = match body {
        Value::Null => Map::new(),
        Value::Object(map) => map.clone(),
        Value::Array(_) => {
            return Err(ErrorBody::new("SerializationException", "Start of list found where not expected"))
        }
        _ => return Err(ErrorBody::new("SerializationException", "Expected null")),
    };
    if let Some(message) = schema::type_error(&body, members) {
        return Err(ErrorBody::new("SerializationException", message));
    }
    let violations = schema::violations(&body, members);
    if !violations.is_empty() {
        let plural = if violations.len() == 1 { "" } else { "s" };
        let text = format!("{} validation error{plural} detected: {}", violations.len(), violations.join("; "));
        return Err(ErrorBody::new(violation_type, text));
    }
    normalize(&mut body, members);
    Ok(body)
}

/// The JSON body of a successful reply, members in AWS's order.
pub fn reply_json(reply: &Reply) -> String {
    match reply {
        Reply::Kds(response) => serde_json::to_string(response).expect("response bodies always serialise"),
        Reply::Firehose(body)
        | Reply::Analytics(body)
        | Reply::S3(body)
        | Reply::Lambda(body)
        | Reply::Endpoint(body)
        | Reply::Glue(body)
        | Reply::Redshift(body)
        | Reply::OpenSearch(body) => body.to_string(),
    }
}

/// Shapes values as the typed inputs expect: nulls dropped, integers floored, "true"/"false" read as booleans.
fn normalize(body: &mut Map<String, Value>, members: &[Member]) {
    body.retain(|_, v| !v.is_null());
    for member in members {
        if let Some(value) = body.get_mut(member.name) {
            normalize_value(value, &member.shape);
        }
    }
}

fn normalize_value(value: &mut Value, shape: &Shape) {
    match (shape, &mut *value) {
        (Shape::Long(_), Value::Number(n)) => {
            let floored = n.as_f64().map_or(0.0, f64::floor);
            *value = json!(floored.clamp(i64::MIN as f64, i64::MAX as f64) as i64);
        }
        (Shape::Boolean, Value::String(s)) => *value = Value::Bool(s.eq_ignore_ascii_case("true")),
        (Shape::List { member, .. }, Value::Array(items)) => {
            items.retain(|i| !i.is_null());
            items.iter_mut().for_each(|i| normalize_value(i, member));
        }
        (Shape::Structure(members), Value::Object(map)) => normalize(map, members),
        _ => {}
    }
}
