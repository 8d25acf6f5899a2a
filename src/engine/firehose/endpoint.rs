//! The HTTP endpoint and Splunk destinations as the API configures them (spec §1.10, L15, L16, L29, L30,
//! L37–L39): their members, the rules Firehose checks, and the plan the engine delivers by. Each names an
//! `S3Configuration`, the bucket that receives failed data (and, with `AllData` / `AllEvents`, everything).

use super::destination::{ExtendedS3Configuration, S3Plan, Target};
use super::error::FirehoseError;
use super::profile::{self, BufferFeatures, BufferingHints, DestinationKind, FidelityProfile};
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};

/// Firehose waits this long for an HTTP endpoint's response (spec §1.10: 3 minutes).
pub const HTTP_RESPONSE_TIMEOUT_SECS: u64 = 180;
/// Records per HTTP request at most (L37).
pub const HTTP_RECORDS_MAX: usize = 10_000;
/// RetryOptions.DurationInSeconds' range (L27–L30).
pub const RETRY_SECS_MAX: u64 = 7_200;
/// The HEC acknowledgement timeout's range (L29).
pub const ACK_TIMEOUT_SECS: (u64, u64) = (180, 600);

/// `RetryOptions`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct RetryOptions {
    pub duration_in_seconds: Option<u64>,
}

/// `HttpEndpointConfiguration`.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct EndpointConfiguration {
    pub url: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// Sent as `X-Amz-Firehose-Access-Key`; never described back.
    #[serde(skip_serializing)]
    pub access_key: Option<String>,
}

/// `HttpEndpointDestinationConfiguration` (and, all members optional, its Update).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct HttpEndpointConfiguration {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub endpoint_configuration: Option<EndpointConfiguration>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub buffering_hints: Option<BufferingHints>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cloud_watch_logging_options: Option<Value>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub request_configuration: Option<Value>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub processing_configuration: Option<Value>,
    #[serde(rename = "RoleARN", skip_serializing_if = "Option::is_none")]
    pub role_arn: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub retry_options: Option<RetryOptions>,
    #[serde(rename = "S3BackupMode", skip_serializing_if = "Option::is_none")]
    pub s3_backup_mode: Option<String>,
    #[serde(rename = "S3Configuration", alias = "S3Update", skip_serializing_if = "Option::is_none")]
    pub s3_configuration: Option<ExtendedS3Configuration>,
}

/// `SplunkDestinationConfiguration` (and, all members optional, its Update).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct SplunkConfiguration {
    #[serde(rename = "HECEndpoint", skip_serializing_if = "Option::is_none")]
    pub hec_endpoint: Option<String>,
    #[serde(rename = "HECEndpointType", skip_serializing_if = "Option::is_none")]
    pub hec_endpoint_type: Option<String>,
    #[serde(rename = "HECToken", skip_serializing_if = "Option::is_none")]
    pub hec_token: Option<String>,
    #[serde(rename = "HECAcknowledgmentTimeoutInSeconds", skip_serializing_if = "Option::is_none")]
    pub ack_timeout_secs: Option<u64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub retry_options: Option<RetryOptions>,
    #[serde(rename = "S3BackupMode", skip_serializing_if = "Option::is_none")]
    pub s3_backup_mode: Option<String>,
    #[serde(rename = "S3Configuration", alias = "S3Update", skip_serializing_if = "Option::is_none")]
    pub s3_configuration: Option<ExtendedS3Configuration>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub processing_configuration: Option<Value>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cloud_watch_logging_options: Option<Value>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub buffering_hints: Option<BufferingHints>,
}

/// Which receiver, and how Firehose talks to it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum EndpointKind {
    /// POST `{requestId, timestamp, records:[{data}]}`; only 200 with the same requestId is success.
    Http { gzip: bool },
    /// HEC with indexer acknowledgement; bytes concatenated.
    Splunk,
}

/// What the engine delivers to an endpoint by.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct EndpointPlan {
    pub kind: EndpointKind,
    pub url: String,
    /// RetryOptions.DurationInSeconds: counted from the first failure.
    pub retry_secs: u64,
    /// How long Firehose waits for a response (HTTP) or an acknowledgement (Splunk).
    pub timeout_secs: u64,
}

impl EndpointPlan {
    /// The error-output-type of what fails.
    pub fn failed_type(&self) -> super::prefix::ErrorOutputType {
        match self.kind {
            EndpointKind::Http { .. } => super::prefix::ErrorOutputType::HttpEndpointFailed,
            EndpointKind::Splunk => super::prefix::ErrorOutputType::SplunkFailed,
        }
    }

    /// Whether the receiver is a Splunk HEC (else an HTTP endpoint).
    pub fn is_splunk(&self) -> bool {
        self.kind == EndpointKind::Splunk
    }
}

/// The plan of a destination that sends data elsewhere and keeps a bucket for what fails (HTTP endpoint,
/// Splunk, OpenSearch): the bucket's S3 plan carrying the destination's hints, processor and target with
/// its retry duration. `backup` names the modes that back up failures only and everything.
pub(super) fn plan_endpoint(
    profile: FidelityProfile,
    kind: DestinationKind,
    s3: Option<&ExtendedS3Configuration>,
    hints: Option<BufferingHints>,
    processing: Option<&Value>,
    backup: (Option<&str>, [&str; 2]),
    (target, retry_secs): (Target, u64),
) -> Result<S3Plan, FirehoseError> {
    let s3 = s3.ok_or_else(|| invalid("S3Configuration is required: the bucket that receives failed data"))?;
    if s3.processing_configuration.is_some()
        || s3.dynamic_partitioning_configuration.is_some()
        || s3.data_format_conversion_configuration.is_some()
        || s3.s3_backup_mode.is_some()
    {
        return Err(invalid(
            "S3Configuration takes only the S3 members (RoleARN, BucketARN, Prefix, ErrorOutputPrefix, \
             BufferingHints, CompressionFormat, EncryptionConfiguration, CloudWatchLoggingOptions)",
        ));
    }
    let backup_plan = s3.plan(profile).map_err(|e| invalid(format!("S3Configuration: {}", e.message)))?;
    let [failed_only, all] = backup.1;
    let backup_all = match backup.0 {
        None => false,
        Some(m) if m == failed_only => false,
        Some(m) if m == all => true,
        Some(other) => return Err(invalid(format!("S3BackupMode '{other}' is not {failed_only} or {all}"))),
    };
    if retry_secs > RETRY_SECS_MAX {
        return Err(invalid(format!("RetryOptions.DurationInSeconds {retry_secs} is out of range: 0–7200")));
    }
    let hints =
        profile::resolve(profile, kind, hints.unwrap_or_default(), BufferFeatures::default()).map_err(invalid)?;
    Ok(S3Plan {
        hints,
        processor: super::processing::plan(processing, profile, kind)?,
        backup: backup_all.then(|| Box::new(backup_plan.clone())),
        target,
        ..backup_plan
    })
}

fn invalid(message: impl Into<String>) -> FirehoseError {
    FirehoseError::invalid_argument(message)
}

/// `S3DestinationDescription` of an endpoint's bucket.
fn s3_description(s3: &Option<ExtendedS3Configuration>, plan: &S3Plan) -> Value {
    let s3 = s3.clone().unwrap_or_default();
    let backup = S3Plan { hints: s3_hints(&s3), ..plan.clone() };
    s3.s3_description(&backup)
}

/// The backup bucket's own hints (they are not the destination's).
fn s3_hints(s3: &ExtendedS3Configuration) -> profile::Hints {
    let given = s3.buffering_hints.unwrap_or_default();
    profile::Hints {
        size_bytes: given.size_in_mbs.map_or(5 << 20, |m| m << 20),
        interval_secs: given.interval_in_seconds.unwrap_or(300),
    }
}

/// `base` updated by the members `update` sets; `bucket` reaches the S3Configuration, which merges member
/// by member (an `S3Update`).
pub(super) fn merged<T: Serialize + for<'de> Deserialize<'de> + Clone>(
    base: &T,
    update: &T,
    bucket: fn(&mut T) -> &mut Option<ExtendedS3Configuration>,
) -> T {
    let mut out = serde_json::to_value(base).expect("a configuration serialises");
    let given = serde_json::to_value(update).expect("a configuration serialises");
    if let (Some(out), Some(given)) = (out.as_object_mut(), given.as_object()) {
        for (k, v) in given {
            if k != "S3Configuration" {
                out.insert(k.clone(), v.clone());
            }
        }
    }
    let mut out: T = serde_json::from_value(out).expect("a merged configuration reads back");
    if let Some(u) = bucket(&mut update.clone()).clone() {
        let old = bucket(&mut base.clone()).clone().unwrap_or_default();
        *bucket(&mut out) = Some(old.merged(&u));
    }
    out
}

impl HttpEndpointConfiguration {
    /// Checks the configuration against AWS's rules and resolves it.
    pub fn plan(&self, profile: FidelityProfile) -> Result<S3Plan, FirehoseError> {
        let endpoint = self.endpoint_configuration.as_ref().ok_or_else(|| {
            FirehoseError::invalid_argument("EndpointConfiguration (with its Url) is required for an HTTP endpoint")
        })?;
        crate::engine::endpoints::check_url(&endpoint.url).map_err(|e| FirehoseError::invalid_argument(e.message))?;
        if endpoint.access_key.as_ref().is_some_and(|k| k.len() > 4_096) {
            return Err(FirehoseError::invalid_argument("AccessKey is longer than 4,096 bytes"));
        }
        let request = self.request_configuration.clone().unwrap_or(Value::Null);
        let gzip = match request.get("ContentEncoding").and_then(Value::as_str) {
            None | Some("NONE") => false,
            Some("GZIP") => true,
            Some(other) => {
                return Err(FirehoseError::invalid_argument(format!("ContentEncoding '{other}' is not NONE or GZIP")))
            }
        };
        if request.get("CommonAttributes").and_then(Value::as_array).is_some_and(|a| a.len() > 50) {
            return Err(FirehoseError::invalid_argument("CommonAttributes takes at most 50 attributes"));
        }
        let target = EndpointPlan {
            kind: EndpointKind::Http { gzip },
            url: endpoint.url.clone(),
            retry_secs: self.retry_options.and_then(|r| r.duration_in_seconds).unwrap_or(300),
            timeout_secs: HTTP_RESPONSE_TIMEOUT_SECS,
        };
        plan_endpoint(
            profile,
            DestinationKind::HttpEndpoint,
            self.s3_configuration.as_ref(),
            self.buffering_hints,
            self.processing_configuration.as_ref(),
            (self.s3_backup_mode.as_deref(), ["FailedDataOnly", "AllData"]),
            (Target::Endpoint(target.clone()), target.retry_secs),
        )
    }

    /// `self` updated by what `update` sets (S3Update merges into S3Configuration).
    pub fn merged(&self, update: &HttpEndpointConfiguration) -> HttpEndpointConfiguration {
        merged(self, update, |c| &mut c.s3_configuration)
    }

    /// `HttpEndpointDestinationDescription`.
    pub fn description(&self, plan: &S3Plan) -> Value {
        let mut d = describe(self, &self.s3_configuration, plan, "FailedDataOnly");
        if self.request_configuration.is_none() {
            d["RequestConfiguration"] = json!({ "ContentEncoding": "NONE" });
        }
        d
    }
}

impl SplunkConfiguration {
    /// Checks the configuration against AWS's rules and resolves it.
    pub fn plan(&self, profile: FidelityProfile) -> Result<S3Plan, FirehoseError> {
        let url = self.hec_endpoint.clone().ok_or_else(|| invalid("HECEndpoint is required"))?;
        crate::engine::endpoints::check_url(&url).map_err(|e| invalid(e.message))?;
        match self.hec_endpoint_type.as_deref() {
            Some("Raw") | Some("Event") => {}
            None => return Err(invalid("HECEndpointType is required: Raw or Event")),
            Some(other) => return Err(invalid(format!("HECEndpointType '{other}' is not Raw or Event"))),
        }
        let ack = self.ack_timeout_secs.unwrap_or(ACK_TIMEOUT_SECS.0);
        if !(ACK_TIMEOUT_SECS.0..=ACK_TIMEOUT_SECS.1).contains(&ack) {
            return Err(invalid(format!("HECAcknowledgmentTimeoutInSeconds {ack} is out of range: 180–600")));
        }
        if self.buffering_hints.is_some() && profile != FidelityProfile::Api2025 {
            return Err(invalid(
                "BufferingHints cannot be set for a Splunk destination in this profile: it is fixed at 5 MB / 60 s \
                 (the api2025 profile allows 1–5 MB and 0–60 s)",
            ));
        }
        let target = EndpointPlan {
            kind: EndpointKind::Splunk,
            url,
            retry_secs: self.retry_options.and_then(|r| r.duration_in_seconds).unwrap_or(3_600),
            timeout_secs: ack,
        };
        plan_endpoint(
            profile,
            DestinationKind::Splunk,
            self.s3_configuration.as_ref(),
            self.buffering_hints,
            self.processing_configuration.as_ref(),
            (self.s3_backup_mode.as_deref(), ["FailedEventsOnly", "AllEvents"]),
            (Target::Endpoint(target.clone()), target.retry_secs),
        )
    }

    /// `self` updated by what `update` sets (S3Update merges into S3Configuration).
    pub fn merged(&self, update: &SplunkConfiguration) -> SplunkConfiguration {
        merged(self, update, |c| &mut c.s3_configuration)
    }

    /// `SplunkDestinationDescription`.
    pub fn description(&self, plan: &S3Plan) -> Value {
        let mut d = describe(self, &self.s3_configuration, plan, "FailedEventsOnly");
        if let Target::Endpoint(t) = &plan.target {
            d["HECAcknowledgmentTimeoutInSeconds"] = json!(t.timeout_secs);
        }
        d
    }
}

/// An endpoint destination's description: its members with the hints, retry duration and backup mode in
/// force, and `S3DestinationDescription` in place of `S3Configuration`.
pub(super) fn describe<T: Serialize>(
    config: &T,
    s3: &Option<ExtendedS3Configuration>,
    plan: &S3Plan,
    backup: &str,
) -> Value {
    let mut d = serde_json::to_value(config).expect("a configuration serialises");
    d["BufferingHints"] = plan.hints.description();
    if let Some(retry_secs) = plan.target.retry_secs() {
        d["RetryOptions"] = json!({ "DurationInSeconds": retry_secs });
    }
    if d.get("S3BackupMode").is_none() {
        d["S3BackupMode"] = json!(backup);
    }
    if let Some(map) = d.as_object_mut() {
        map.remove("S3Configuration");
        map.insert("S3DestinationDescription".into(), s3_description(s3, plan));
    }
    d
}

#[cfg(test)]
mod tests {
    use super::*;

    fn s3() -> ExtendedS3Configuration {
        serde_json::from_value(json!({"RoleARN": "arn:aws:iam::1:role/r", "BucketARN": "arn:aws:s3:::backup"})).unwrap()
    }

    fn http(v: Value) -> HttpEndpointConfiguration {
        let mut c: HttpEndpointConfiguration = serde_json::from_value(v).unwrap();
        c.s3_configuration = Some(s3());
        c
    }

    #[test]
    fn an_http_endpoint_plans_its_hints_retry_and_backup_bucket() {
        let c = http(json!({"EndpointConfiguration": {"Url": "https://example.com/in"},
            "BufferingHints": {"SizeInMBs": 1, "IntervalInSeconds": 60}, "RetryOptions": {"DurationInSeconds": 300}}));
        let plan = c.plan(FidelityProfile::Book2021).unwrap();
        assert_eq!((plan.bucket.as_str(), plan.hints.size_bytes, plan.hints.interval_secs), ("backup", 1 << 20, 60));
        let Target::Endpoint(t) = &plan.target else { panic!("an endpoint target") };
        assert_eq!((t.retry_secs, t.timeout_secs), (300, 180));
        assert!(plan.backup.is_none(), "FailedDataOnly by default");
        let d = c.description(&plan);
        assert_eq!(d["S3BackupMode"], "FailedDataOnly");
        assert_eq!(d["S3DestinationDescription"]["BucketARN"], "arn:aws:s3:::backup");
        assert_eq!(d["S3DestinationDescription"]["BufferingHints"]["SizeInMBs"], 5, "the bucket's own hints");
    }

    #[test]
    fn endpoint_rules_refuse_with_aws_reasons() {
        let refuse = |v: Value| http(v).plan(FidelityProfile::Book2021).unwrap_err().message;
        assert!(refuse(json!({"EndpointConfiguration": {"Url": "http://example.com"}})).contains("https://"));
        assert!(refuse(json!({"EndpointConfiguration": {"Url": "https://e.com"},
            "BufferingHints": {"SizeInMBs": 100, "IntervalInSeconds": 60}}))
        .contains("1–64 MiB"));
        assert!(refuse(json!({"EndpointConfiguration": {"Url": "https://e.com"}, "S3BackupMode": "AllEvents"}))
            .contains("FailedDataOnly or AllData"));
        let splunk = |v: Value| {
            let mut c: SplunkConfiguration = serde_json::from_value(v).unwrap();
            c.s3_configuration = Some(s3());
            c.plan(FidelityProfile::Book2021)
        };
        let base = json!({"HECEndpoint": "https://splunk.example.com:443", "HECEndpointType": "Raw"});
        let plan = splunk(base.clone()).unwrap();
        assert_eq!((plan.hints.size_bytes, plan.hints.interval_secs), (5 << 20, 60), "L15: fixed");
        let mut late = base.clone();
        late["HECAcknowledgmentTimeoutInSeconds"] = json!(900);
        assert!(splunk(late).unwrap_err().message.contains("180–600"));
        let mut hinted = base;
        hinted["BufferingHints"] = json!({"SizeInMBs": 1, "IntervalInSeconds": 10});
        assert!(splunk(hinted).unwrap_err().message.contains("fixed at 5 MB / 60 s"));
    }

    #[test]
    fn an_update_merges_members_and_the_bucket() {
        let c = http(json!({"EndpointConfiguration": {"Url": "https://example.com/in"}}));
        let update: HttpEndpointConfiguration = serde_json::from_value(json!({
            "RetryOptions": {"DurationInSeconds": 0}, "S3Update": {"Prefix": "failed/"}}))
        .unwrap();
        let m = c.merged(&update);
        assert_eq!(m.retry_options.unwrap().duration_in_seconds, Some(0));
        assert_eq!(m.endpoint_configuration.unwrap().url, "https://example.com/in");
        let s3 = m.s3_configuration.unwrap();
        assert_eq!((s3.prefix.as_deref(), s3.bucket_arn.as_deref()), (Some("failed/"), Some("arn:aws:s3:::backup")));
    }
}
