//! The Redshift Data API on the wire (`"service": "redshift-data"`): ExecuteStatement, DescribeStatement
//! and GetStatementResult with AWS's member names, against the lab's clusters, and the lab's drill
//! `InjectOutage {ClusterIdentifier, DurationSeconds}`.

use super::kinesis::{opt, req};
use super::schema::{Member, Rule, Shape};
use super::ErrorBody;
use crate::engine::redshift::RedshiftRequest;
use serde_json::{Map, Value};

const CLUSTER: Shape = Shape::String(&[Rule::LenMin(1), Rule::LenMax(63)]);
const ID: Shape = Shape::String(&[Rule::LenMin(1), Rule::LenMax(128)]);

/// The members of `action`, or `None` if the Data API has no such action.
pub fn model(action: &str) -> Option<&'static [Member]> {
    Some(match action {
        "ExecuteStatement" => {
            const {
                &[
                    req("ClusterIdentifier", CLUSTER),
                    req("Database", Shape::String(&[Rule::LenMin(1), Rule::LenMax(127)])),
                    opt("DbUser", Shape::String(&[])),
                    opt("SecretArn", Shape::String(&[])),
                    req("Sql", Shape::String(&[Rule::LenMin(1), Rule::LenMax(100_000)])),
                    opt("StatementName", Shape::String(&[])),
                ]
            }
        }
        "DescribeStatement" | "GetStatementResult" => const { &[req("Id", ID)] },
        "InjectOutage" => {
            const {
                &[
                    req("ClusterIdentifier", CLUSTER),
                    req("DurationSeconds", Shape::Long(&[Rule::Min(1), Rule::Max(86_400 * 30)])),
                ]
            }
        }
        _ => return None,
    })
}

/// The engine request for a body already checked against [`model`].
pub fn request(action: &str, body: Map<String, Value>) -> Result<RedshiftRequest, ErrorBody> {
    let text = |key: &str| body.get(key).and_then(Value::as_str).unwrap_or_default().to_string();
    Ok(match action {
        "ExecuteStatement" => RedshiftRequest::ExecuteStatement {
            cluster: text("ClusterIdentifier"),
            database: text("Database"),
            sql: text("Sql"),
        },
        "DescribeStatement" => RedshiftRequest::DescribeStatement { id: text("Id") },
        "GetStatementResult" => RedshiftRequest::GetStatementResult { id: text("Id") },
        "InjectOutage" => RedshiftRequest::InjectOutage {
            cluster: text("ClusterIdentifier"),
            seconds: body.get("DurationSeconds").and_then(Value::as_u64).unwrap_or(1),
        },
        other => {
            return Err(ErrorBody::new(
                "UnknownOperationException",
                format!("The lab's Redshift Data API has no action {other}"),
            ))
        }
    })
}
