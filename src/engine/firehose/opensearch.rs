//! The OpenSearch destination as the API configures it (spec §1.10, L14, L28): the domain (DomainARN or
//! ClusterEndpoint), the index with its rotation, the retry duration, and the S3 bucket that receives
//! the documents that could not be indexed (`FailedDocumentsOnly`) or every document (`AllDocuments`).
//! The book era's `ElasticsearchDestinationConfiguration` reads the same. Delivery is
//! [`super::opensearch_delivery`].

use super::destination::{ExtendedS3Configuration, S3Plan, Target};
use super::endpoint::RetryOptions;
use super::error::FirehoseError;
use super::profile::{BufferingHints, DestinationKind, FidelityProfile};
use crate::engine::kds::datetime::{civil_from_days, days_from_civil};
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};

/// RetryOptions.DurationInSeconds' default for OpenSearch (L28).
pub const RETRY_SECS_DEFAULT: u64 = 300;

/// `AmazonopensearchserviceDestinationConfiguration` / `ElasticsearchDestinationConfiguration` (and, all
/// members optional, their Updates).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct OpenSearchConfiguration {
    #[serde(rename = "RoleARN", skip_serializing_if = "Option::is_none")]
    pub role_arn: Option<String>,
    #[serde(rename = "DomainARN", skip_serializing_if = "Option::is_none")]
    pub domain_arn: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cluster_endpoint: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub index_name: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub type_name: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub index_rotation_period: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub buffering_hints: Option<BufferingHints>,
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
    pub vpc_configuration: Option<Value>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub document_id_options: Option<Value>,
}

/// IndexRotationPeriod.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Rotation {
    NoRotation,
    OneHour,
    OneDay,
    OneWeek,
    OneMonth,
}

/// What the engine indexes by.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct OpenSearchPlan {
    pub domain: String,
    pub index: String,
    pub type_name: Option<String>,
    pub rotation: Rotation,
    /// RetryOptions.DurationInSeconds: from the first attempt, including it.
    pub retry_secs: u64,
    /// Configured as the book era's Elasticsearch destination (its failed folder is `elasticsearch-failed`).
    pub elasticsearch: bool,
}

impl OpenSearchPlan {
    /// The index a record that arrived at `epoch_ms` goes to (rotation by the arrival time, UTC).
    pub fn index_at(&self, epoch_ms: u64) -> String {
        let secs = (epoch_ms / 1_000) as i64;
        let days = secs.div_euclid(86_400);
        let (y, m, d) = civil_from_days(days);
        let name = &self.index;
        match self.rotation {
            Rotation::NoRotation => name.clone(),
            Rotation::OneHour => format!("{name}-{y:04}-{m:02}-{d:02}-{:02}", secs.rem_euclid(86_400) / 3_600),
            Rotation::OneDay => format!("{name}-{y:04}-{m:02}-{d:02}"),
            Rotation::OneMonth => format!("{name}-{y:04}-{m:02}"),
            Rotation::OneWeek => {
                let (year, week) = iso_week(days);
                format!("{name}-{year:04}-w{week:02}")
            }
        }
    }
}

/// The ISO week-based year and week of a day (weeks start on Monday; week 1 holds the year's first
/// Thursday): the docs' example puts 2016-02-25 in `w08`.
fn iso_week(days: i64) -> (i64, i64) {
    let weekday = (days + 3).rem_euclid(7); // 1970-01-01 was a Thursday; Monday = 0
    let thursday = days - weekday + 3;
    let (year, _, _) = civil_from_days(thursday);
    let week = (thursday - days_from_civil(year, 1, 1)) / 7 + 1;
    (year, week)
}

fn invalid(message: impl Into<String>) -> FirehoseError {
    FirehoseError::invalid_argument(message)
}

impl OpenSearchConfiguration {
    /// Checks the configuration against AWS's rules and resolves it; `elasticsearch` when given as an
    /// ElasticsearchDestinationConfiguration.
    pub fn plan(&self, profile: FidelityProfile, elasticsearch: bool) -> Result<S3Plan, FirehoseError> {
        let domain = match (&self.domain_arn, &self.cluster_endpoint) {
            (Some(d), None) | (None, Some(d)) => crate::engine::opensearch::domain_of(d).ok_or_else(|| {
                invalid(format!("'{d}' is neither a domain ARN (arn:aws:es:…:domain/name) nor an https:// endpoint"))
            })?,
            (None, None) => return Err(invalid("One of DomainARN and ClusterEndpoint is required")),
            (Some(_), Some(_)) => return Err(invalid("Give DomainARN or ClusterEndpoint, not both")),
        };
        let index = self.index_name.clone().unwrap_or_default();
        if index.is_empty() || index.len() > 80 {
            return Err(invalid("IndexName is required: 1–80 characters"));
        }
        let rotation = match self.index_rotation_period.as_deref() {
            None | Some("OneDay") => Rotation::OneDay,
            Some("NoRotation") => Rotation::NoRotation,
            Some("OneHour") => Rotation::OneHour,
            Some("OneWeek") => Rotation::OneWeek,
            Some("OneMonth") => Rotation::OneMonth,
            Some(other) => {
                return Err(invalid(format!(
                    "IndexRotationPeriod '{other}' is not one of NoRotation, OneHour, OneDay, OneWeek, OneMonth"
                )))
            }
        };
        let retry_secs = self.retry_options.and_then(|r| r.duration_in_seconds).unwrap_or(RETRY_SECS_DEFAULT);
        let target = Target::OpenSearch(OpenSearchPlan {
            domain,
            index,
            type_name: self.type_name.clone().filter(|t| !t.is_empty()),
            rotation,
            retry_secs,
            elasticsearch,
        });
        super::endpoint::plan_endpoint(
            profile,
            DestinationKind::OpenSearch,
            self.s3_configuration.as_ref(),
            self.buffering_hints,
            self.processing_configuration.as_ref(),
            (self.s3_backup_mode.as_deref(), ["FailedDocumentsOnly", "AllDocuments"]),
            (target, retry_secs),
        )
    }

    /// `self` updated by what `update` sets (S3Update merges into S3Configuration).
    pub fn merged(&self, update: &OpenSearchConfiguration) -> OpenSearchConfiguration {
        super::endpoint::merged(self, update, |c| &mut c.s3_configuration)
    }

    /// `AmazonopensearchserviceDestinationDescription` (or `ElasticsearchDestinationDescription`).
    pub fn description(&self, plan: &S3Plan) -> Value {
        let mut d = super::endpoint::describe(self, &self.s3_configuration, plan, "FailedDocumentsOnly");
        if d.get("IndexRotationPeriod").is_none() {
            d["IndexRotationPeriod"] = json!("OneDay");
        }
        d
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn config(extra: Value) -> OpenSearchConfiguration {
        let mut c = json!({
            "RoleARN": "arn:aws:iam::123456789012:role/r",
            "DomainARN": "arn:aws:es:us-east-1:123456789012:domain/bikes",
            "IndexName": "rides",
            "S3Configuration": {"RoleARN": "arn:aws:iam::123456789012:role/r", "BucketARN": "arn:aws:s3:::failed-docs"},
        });
        if let (Some(c), Some(extra)) = (c.as_object_mut(), extra.as_object()) {
            c.extend(extra.clone());
        }
        serde_json::from_value(c).unwrap()
    }

    #[test]
    fn rotation_names_the_index_by_arrival_time() {
        let plan = |rotation: &str| {
            let p = config(json!({"IndexRotationPeriod": rotation})).plan(FidelityProfile::Book2021, false).unwrap();
            let Target::OpenSearch(o) = p.target else { panic!("an OpenSearch target") };
            o
        };
        // 2016-02-25T13:00:00Z, the docs' example.
        let at = 1_456_405_200_000;
        assert_eq!(plan("NoRotation").index_at(at), "rides");
        assert_eq!(plan("OneHour").index_at(at), "rides-2016-02-25-13");
        assert_eq!(plan("OneDay").index_at(at), "rides-2016-02-25");
        assert_eq!(plan("OneWeek").index_at(at), "rides-2016-w08");
        assert_eq!(plan("OneMonth").index_at(at), "rides-2016-02");
        assert_eq!(iso_week(days_from_civil(2021, 1, 3)), (2020, 53), "early January can be the last ISO week");
        let p = config(json!({})).plan(FidelityProfile::Book2021, false).unwrap();
        assert_eq!((p.hints.size_bytes, p.hints.interval_secs, p.bucket.as_str()), (5 << 20, 300, "failed-docs"));
    }

    #[test]
    fn the_rules_refuse_with_aws_reasons() {
        let refuse = |extra: Value| config(extra).plan(FidelityProfile::Book2021, false).unwrap_err().message;
        assert!(refuse(json!({"ClusterEndpoint": "https://x.es.amazonaws.com"})).contains("not both"));
        assert!(refuse(json!({"IndexRotationPeriod": "Daily"})).contains("OneDay"));
        assert!(refuse(json!({"BufferingHints": {"SizeInMBs": 101, "IntervalInSeconds": 300}})).contains("1–100 MiB"));
        assert!(refuse(json!({"S3BackupMode": "AllData"})).contains("FailedDocumentsOnly or AllDocuments"));
        assert!(
            refuse(json!({"BufferingHints": {"IntervalInSeconds": 5, "SizeInMBs": 300}})).contains("out of range"),
            "the book's swapped hints"
        );
    }
}
