//! The lab's Lambda on the wire: CreateFunction, UpdateFunctionConfiguration, GetFunction, ListFunctions and
//! DeleteFunction with AWS's member names. `Handler` names a built-in and `Environment.Variables`
//! configures it (see [`crate::engine::functions`]); Runtime, Role, Code and MemorySize are accepted and
//! not used.

use super::kinesis::{opt, req};
use super::schema::{Member, Rule, Shape};
use super::ErrorBody;
use crate::engine::functions::{LambdaRequest, TIMEOUT_MAX_S};
use serde_json::{Map, Value};

const NAME: Shape = Shape::String(&[Rule::LenMin(1), Rule::LenMax(140)]);
const ANY: Shape = Shape::Structure(&[]);
const ENVIRONMENT: Shape =
    Shape::Structure(&[opt("Variables", Shape::Map { key_len: (1, 128), value_len: (0, 4096), rules: &[] })]);
const CONFIG: &[Member] = &[
    opt("Code", ANY),
    opt("Environment", ENVIRONMENT),
    req("FunctionName", NAME),
    opt("Handler", Shape::String(&[Rule::LenMax(128)])),
    opt("MemorySize", Shape::Long(&[Rule::Min(128), Rule::Max(10_240)])),
    opt("Role", Shape::String(&[])),
    opt("Runtime", Shape::String(&[])),
    opt("Timeout", Shape::Long(&[Rule::Min(1), Rule::Max(TIMEOUT_MAX_S as i64)])),
];

/// The members of `action`, or `None` if the lab's Lambda has no such action.
pub fn model(action: &str) -> Option<&'static [Member]> {
    Some(match action {
        "CreateFunction" | "UpdateFunctionConfiguration" => CONFIG,
        "GetFunction" | "DeleteFunction" => const { &[req("FunctionName", NAME)] },
        "ListFunctions" => const { &[opt("Marker", Shape::String(&[])), opt("MaxItems", Shape::Long(&[]))] },
        _ => return None,
    })
}

/// The engine request for a body already checked against [`model`].
pub fn request(action: &str, body: Map<String, Value>) -> Result<LambdaRequest, ErrorBody> {
    let name = body.get("FunctionName").and_then(Value::as_str).unwrap_or_default().to_string();
    let input = || {
        serde_json::from_value(Value::Object(body.clone()))
            .map_err(|e| ErrorBody::new("SerializationException", e.to_string()))
    };
    Ok(match action {
        "CreateFunction" => LambdaRequest::CreateFunction(input()?),
        "UpdateFunctionConfiguration" => LambdaRequest::UpdateFunctionConfiguration(input()?),
        "GetFunction" => LambdaRequest::GetFunction { name },
        "DeleteFunction" => LambdaRequest::DeleteFunction { name },
        "ListFunctions" => LambdaRequest::ListFunctions,
        other => {
            return Err(ErrorBody::new("UnknownOperationException", format!("The lab's Lambda has no action {other}")))
        }
    })
}
