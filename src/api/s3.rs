//! The simulated S3 on the wire, JSON-shaped for the replay: ListObjectsV2 and GetObject to inspect what
//! Firehose delivered, PutObject and CreateBucket to stage reference files, and the lab's
//! `InjectOutage {Bucket, DurationSeconds}` drill. Members keep S3's names; Body is base64.

use super::kinesis::{opt, req};
use super::schema::{Member, Rule, Shape};
use super::ErrorBody;
use crate::engine::s3::listing::{S3Request, MAX_KEYS};
use base64::engine::general_purpose::STANDARD;
use base64::Engine as _;
use serde_json::{Map, Value};

const BUCKET: Shape = Shape::String(&[Rule::LenMin(3), Rule::LenMax(63)]);
const KEY: Shape = Shape::String(&[Rule::LenMin(1), Rule::LenMax(1024)]);

/// The members of `action`, or `None` if the lab's S3 has no such action.
pub fn model(action: &str) -> Option<&'static [Member]> {
    Some(match action {
        "ListObjectsV2" => {
            const {
                &[
                    req("Bucket", BUCKET),
                    opt("ContinuationToken", Shape::String(&[])),
                    opt("Delimiter", Shape::String(&[])),
                    opt("MaxKeys", Shape::Long(&[Rule::Min(0), Rule::Max(MAX_KEYS as i64)])),
                    opt("Prefix", Shape::String(&[Rule::LenMax(1024)])),
                    opt("StartAfter", Shape::String(&[])),
                ]
            }
        }
        "GetObject" => const { &[req("Bucket", BUCKET), req("Key", KEY)] },
        "PutObject" => {
            const {
                &[
                    req("Body", Shape::Blob(&[Rule::LenMax(64 * 1024 * 1024)])),
                    req("Bucket", BUCKET),
                    opt("ContentType", Shape::String(&[])),
                    req("Key", KEY),
                ]
            }
        }
        "CreateBucket" => const { &[req("Bucket", BUCKET)] },
        "InjectOutage" => {
            const { &[req("Bucket", BUCKET), req("DurationSeconds", Shape::Long(&[Rule::Min(1), Rule::Max(86_400 * 30)]))] }
        }
        _ => return None,
    })
}

/// The engine request for a body already checked against [`model`].
pub fn request(action: &str, body: Map<String, Value>) -> Result<S3Request, ErrorBody> {
    let text = |key: &str| body.get(key).and_then(Value::as_str).map(str::to_string);
    let bucket = text("Bucket").unwrap_or_default();
    Ok(match action {
        "ListObjectsV2" => S3Request::ListObjectsV2(
            serde_json::from_value(Value::Object(body.clone()))
                .map_err(|e| ErrorBody::new("SerializationException", e.to_string()))?,
        ),
        "GetObject" => S3Request::GetObject { bucket, key: text("Key").unwrap_or_default() },
        "PutObject" => S3Request::PutObject {
            bucket,
            key: text("Key").unwrap_or_default(),
            body: STANDARD
                .decode(text("Body").unwrap_or_default())
                .map_err(|e| ErrorBody::new("SerializationException", format!("Body: {e}")))?,
            content_type: text("ContentType"),
        },
        "CreateBucket" => S3Request::CreateBucket { bucket },
        "InjectOutage" => S3Request::InjectOutage {
            bucket,
            seconds: body.get("DurationSeconds").and_then(Value::as_u64).unwrap_or(1),
        },
        other => {
            return Err(ErrorBody::new("UnknownOperationException", format!("The lab's S3 has no action {other}")))
        }
    })
}
