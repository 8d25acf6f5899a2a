//! The lab's receivers on the wire (`"service": "endpoint"`): `ConfigureEndpoint` sets the drill of the
//! HTTP endpoint or Splunk HEC at a URL, and `ListRequests` shows what arrived there (newest first, with
//! each body in base64 while it is held).

use super::kinesis::{opt, req};
use super::schema::{Member, Rule, Shape};
use super::ErrorBody;
use crate::engine::endpoints::{EndpointRequest, Mode};
use serde_json::{Map, Value};

const URL: Shape = Shape::String(&[Rule::LenMin(1), Rule::LenMax(1000)]);
const MODES: [&str; 5] = ["Ok", "ServerError", "PayloadTooLarge", "Slow", "WrongRequestId"];

/// The members of `action`, or `None` if the service has no such action.
pub fn model(action: &str) -> Option<&'static [Member]> {
    Some(match action {
        "ConfigureEndpoint" => {
            const {
                &[
                    opt("DurationSeconds", Shape::Long(&[Rule::Min(1), Rule::Max(86_400 * 30)])),
                    opt("ErrorPercent", Shape::Long(&[Rule::Min(0), Rule::Max(100)])),
                    opt("LatencyMs", Shape::Long(&[Rule::Min(0), Rule::Max(3_600_000)])),
                    req("Mode", Shape::Enum(&MODES)),
                    opt("SlowMs", Shape::Long(&[Rule::Min(0), Rule::Max(3_600_000)])),
                    req("Url", URL),
                ]
            }
        }
        "ListRequests" => const { &[opt("MaxItems", Shape::Long(&[Rule::Min(1), Rule::Max(500)])), req("Url", URL)] },
        _ => return None,
    })
}

/// The engine request for a body already checked against [`model`].
pub fn request(action: &str, body: Map<String, Value>) -> Result<EndpointRequest, ErrorBody> {
    let url = body.get("Url").and_then(Value::as_str).unwrap_or_default().to_string();
    let number = |key: &str| body.get(key).and_then(Value::as_u64);
    Ok(match action {
        "ConfigureEndpoint" => EndpointRequest::ConfigureEndpoint {
            url,
            mode: serde_json::from_value::<Mode>(body.get("Mode").cloned().unwrap_or_default())
                .map_err(|e| ErrorBody::new("SerializationException", format!("Mode: {e}")))?,
            latency_ms: number("LatencyMs"),
            slow_ms: number("SlowMs"),
            error_percent: number("ErrorPercent"),
            duration_seconds: number("DurationSeconds"),
        },
        "ListRequests" => EndpointRequest::ListRequests { url, max_items: number("MaxItems") },
        other => {
            return Err(ErrorBody::new(
                "UnknownOperationException",
                format!("The lab's endpoint has no action {other}"),
            ))
        }
    })
}
