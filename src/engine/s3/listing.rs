//! The S3 calls a learner inspects deliveries with, as AWS's JSON-shaped bodies: ListObjectsV2 (Prefix,
//! Delimiter with CommonPrefixes, MaxKeys, ContinuationToken, StartAfter) and GetObject (base64 Body).
//! PutObject and CreateBucket stage reference files; InjectOutage is the lab's drill.

use super::{S3Error, S3Service};
use crate::engine::time::{SimDuration, SimTime};
use base64::engine::general_purpose::STANDARD;
use base64::Engine as _;
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};

/// ListObjectsV2's most keys per page (and default).
pub const MAX_KEYS: u64 = 1_000;

/// A request to the simulated S3.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum S3Request {
    /// One page of a bucket's keys.
    ListObjectsV2(ListObjectsV2Input),
    /// One object's bytes.
    GetObject { bucket: String, key: String },
    /// Stores an object.
    PutObject { bucket: String, key: String, body: Vec<u8>, content_type: Option<String> },
    /// Creates a bucket (idempotent in the lab).
    CreateBucket { bucket: String },
    /// The drill: writes to the bucket fail for `seconds`.
    InjectOutage { bucket: String, seconds: u64 },
}

/// ListObjectsV2's parameters.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct ListObjectsV2Input {
    pub bucket: String,
    pub prefix: Option<String>,
    pub delimiter: Option<String>,
    pub max_keys: Option<u64>,
    pub continuation_token: Option<String>,
    pub start_after: Option<String>,
}

impl S3Service {
    /// Answers one request: the response body, or S3's error.
    pub fn handle(&mut self, now: SimTime, request: S3Request) -> Result<Value, S3Error> {
        match request {
            S3Request::ListObjectsV2(input) => self.list_objects_v2(&input),
            S3Request::GetObject { bucket, key } => self.get_object(&bucket, &key),
            S3Request::PutObject { bucket, key, body, content_type } => {
                let content_type = content_type.unwrap_or_else(|| "binary/octet-stream".into());
                self.put_object(now, &bucket, &key, body, &content_type)?;
                let etag = self.buckets[&bucket].objects[&key].etag.clone();
                Ok(json!({ "ETag": etag }))
            }
            S3Request::CreateBucket { bucket } => {
                self.ensure_bucket(&bucket);
                Ok(json!({ "Location": format!("/{bucket}") }))
            }
            S3Request::InjectOutage { bucket, seconds } => {
                self.inject_outage(&bucket, now + SimDuration::from_secs(seconds))?;
                Ok(json!({}))
            }
        }
    }

    fn list_objects_v2(&self, input: &ListObjectsV2Input) -> Result<Value, S3Error> {
        let bucket = self.bucket(&input.bucket).ok_or_else(|| S3Error::no_such_bucket(&input.bucket))?;
        let prefix = input.prefix.as_deref().unwrap_or("");
        let max_keys = input.max_keys.unwrap_or(MAX_KEYS).min(MAX_KEYS);
        let after = match &input.continuation_token {
            Some(token) => Some(decode_token(token)?),
            None => input.start_after.clone(),
        };
        let mut contents = Vec::new();
        let mut common: Vec<String> = Vec::new();
        let mut last = None;
        let mut truncated = false;
        let keys =
            bucket.objects.iter().filter(|(k, _)| k.starts_with(prefix) && after.as_ref().is_none_or(|a| *k > a));
        for (key, object) in keys {
            let rolled = input
                .delimiter
                .as_deref()
                .filter(|d| !d.is_empty())
                .and_then(|d| key[prefix.len()..].find(d).map(|at| key[..prefix.len() + at + d.len()].to_string()));
            if let Some(folder) = &rolled {
                if common.last() == Some(folder) {
                    last = Some(key.clone());
                    continue;
                }
            }
            if (contents.len() + common.len()) as u64 == max_keys {
                truncated = true;
                break;
            }
            match rolled {
                Some(folder) => common.push(folder),
                None => contents.push(json!({
                    "Key": key,
                    "LastModified": self.timestamp(object.last_modified),
                    "ETag": object.etag,
                    "Size": object.size,
                    "StorageClass": "STANDARD",
                })),
            }
            last = Some(key.clone());
        }
        let mut body = json!({
            "IsTruncated": truncated,
            "Contents": contents,
            "Name": input.bucket,
            "Prefix": prefix,
            "MaxKeys": max_keys,
            "KeyCount": contents.len() + common.len(),
        });
        if let Some(d) = &input.delimiter {
            body["Delimiter"] = json!(d);
            body["CommonPrefixes"] = json!(common.iter().map(|p| json!({ "Prefix": p })).collect::<Vec<_>>());
        }
        if truncated {
            body["NextContinuationToken"] = json!(STANDARD.encode(last.unwrap_or_default()));
        }
        Ok(body)
    }

    fn get_object(&self, bucket: &str, key: &str) -> Result<Value, S3Error> {
        let b = self.bucket(bucket).ok_or_else(|| S3Error::no_such_bucket(bucket))?;
        let object =
            b.objects.get(key).ok_or_else(|| S3Error::new("NoSuchKey", "The specified key does not exist."))?;
        let body = object.body.as_ref().ok_or_else(|| {
            S3Error::new(
                "InvalidObjectState",
                format!(
                    "The lab evicted the body of {key} to stay within its memory budget (s3.body_budget_bytes = {}); \
                     the object is still listed",
                    self.settings.body_budget_bytes
                ),
            )
        })?;
        Ok(json!({
            "Body": STANDARD.encode(body),
            "ContentLength": object.size,
            "ContentType": object.content_type,
            "ETag": object.etag,
            "LastModified": self.timestamp(object.last_modified),
        }))
    }
}

fn decode_token(token: &str) -> Result<String, S3Error> {
    STANDARD
        .decode(token)
        .ok()
        .and_then(|b| String::from_utf8(b).ok())
        .ok_or_else(|| S3Error::new("InvalidArgument", "The continuation token provided is incorrect"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::s3::S3Settings;

    fn store() -> S3Service {
        let mut s3 = S3Service::new(S3Settings::default(), 1_609_808_228_000);
        s3.ensure_bucket("b");
        for key in ["2021/01/05/00/x", "2021/01/05/00/y", "2021/01/05/01/z", "errors/e", "top"] {
            s3.put_object(SimTime::ZERO, "b", key, key.as_bytes().to_vec(), "text/plain").unwrap();
        }
        s3
    }

    fn list(s3: &mut S3Service, input: ListObjectsV2Input) -> Value {
        s3.handle(SimTime::ZERO, S3Request::ListObjectsV2(input)).unwrap()
    }

    #[test]
    fn delimiter_rolls_keys_into_common_prefixes_and_pages_continue() {
        let mut s3 = store();
        let top =
            list(&mut s3, ListObjectsV2Input { bucket: "b".into(), delimiter: Some("/".into()), ..Default::default() });
        assert_eq!(top["CommonPrefixes"], json!([{"Prefix": "2021/"}, {"Prefix": "errors/"}]));
        assert_eq!(top["Contents"][0]["Key"], "top");
        assert_eq!(top["Contents"][0]["LastModified"], "2021-01-05T00:57:08.000Z");
        let hours = ListObjectsV2Input {
            bucket: "b".into(),
            prefix: Some("2021/01/05/".into()),
            delimiter: Some("/".into()),
            ..Default::default()
        };
        assert_eq!(list(&mut s3, hours)["KeyCount"], 2);
        let page = list(&mut s3, ListObjectsV2Input { bucket: "b".into(), max_keys: Some(2), ..Default::default() });
        assert_eq!((page["IsTruncated"].clone(), page["KeyCount"].clone()), (json!(true), json!(2)));
        let token = page["NextContinuationToken"].as_str().unwrap().to_string();
        let rest = ListObjectsV2Input { bucket: "b".into(), continuation_token: Some(token), ..Default::default() };
        assert_eq!(list(&mut s3, rest)["Contents"][0]["Key"], "2021/01/05/01/z");
    }

    #[test]
    fn get_object_returns_base64_and_names_missing_keys_and_buckets() {
        let mut s3 = store();
        let get = |s3: &mut S3Service, b: &str, k: &str| {
            s3.handle(SimTime::ZERO, S3Request::GetObject { bucket: b.into(), key: k.into() })
        };
        let object = get(&mut s3, "b", "top").unwrap();
        assert_eq!((object["Body"].as_str(), object["ContentLength"].as_u64()), (Some("dG9w"), Some(3)));
        assert_eq!(get(&mut s3, "b", "nope").unwrap_err().code, "NoSuchKey");
        assert_eq!(get(&mut s3, "nope", "top").unwrap_err().code, "NoSuchBucket");
    }
}
