//! The lab's OpenSearch domains on the wire (`"service": "opensearch"`): `Search`, `GetMapping` and
//! `CatIndices` answer in OpenSearch's shapes; `ConfigureDomain` sets a drill.

use super::kinesis::{opt, req};
use super::schema::{Member, Rule, Shape};
use super::ErrorBody;
use crate::engine::opensearch::{Mode, OpenSearchRequest};
use serde_json::{Map, Value};

const DOMAIN: Shape = Shape::String(&[Rule::LenMin(1), Rule::LenMax(255)]);
const INDEX: Shape = Shape::String(&[Rule::LenMin(1), Rule::LenMax(255)]);
const MODES: [&str; 4] = ["Ok", "Unreachable", "Rejecting", "ReadOnly"];

/// The members of `action`, or `None` if the service has no such action.
pub fn model(action: &str) -> Option<&'static [Member]> {
    Some(match action {
        "ConfigureDomain" => {
            const {
                &[
                    req("Domain", DOMAIN),
                    opt("DurationSeconds", Shape::Long(&[Rule::Min(1), Rule::Max(86_400 * 30)])),
                    opt("LatencyMs", Shape::Long(&[Rule::Min(0), Rule::Max(3_600_000)])),
                    req("Mode", Shape::Enum(&MODES)),
                ]
            }
        }
        "Search" => {
            const {
                &[
                    req("Domain", DOMAIN),
                    opt("From", Shape::Long(&[Rule::Min(0), Rule::Max(10_000)])),
                    req("Index", INDEX),
                    opt("Size", Shape::Long(&[Rule::Min(0), Rule::Max(10_000)])),
                ]
            }
        }
        "GetMapping" => const { &[req("Domain", DOMAIN), req("Index", INDEX)] },
        "CatIndices" => const { &[req("Domain", DOMAIN)] },
        _ => return None,
    })
}

/// The engine request for a body already checked against [`model`].
pub fn request(action: &str, body: Map<String, Value>) -> Result<OpenSearchRequest, ErrorBody> {
    let text = |key: &str| body.get(key).and_then(Value::as_str).unwrap_or_default().to_string();
    let number = |key: &str| body.get(key).and_then(Value::as_u64);
    Ok(match action {
        "ConfigureDomain" => OpenSearchRequest::ConfigureDomain {
            domain: text("Domain"),
            mode: serde_json::from_value::<Mode>(body.get("Mode").cloned().unwrap_or_default())
                .map_err(|e| ErrorBody::new("SerializationException", format!("Mode: {e}")))?,
            seconds: number("DurationSeconds"),
            latency_ms: number("LatencyMs"),
        },
        "Search" => OpenSearchRequest::Search {
            domain: text("Domain"),
            index: text("Index"),
            size: number("Size").unwrap_or(10) as usize,
            from: number("From").unwrap_or(0) as usize,
        },
        "GetMapping" => OpenSearchRequest::GetMapping { domain: text("Domain"), index: text("Index") },
        "CatIndices" => OpenSearchRequest::CatIndices { domain: text("Domain") },
        other => {
            return Err(ErrorBody::new(
                "UnknownOperationException",
                format!("The lab's OpenSearch has no action {other}"),
            ))
        }
    })
}
