//! The Redshift destination as the API configures it (spec §1.10, L13, L27, §1.9 rule 7, §1.11): the
//! intermediate S3 bucket (`S3Configuration`, GZIP or uncompressed, a Prefix without expressions and no
//! ErrorOutputPrefix), the cluster and table of the COPY, and the retry duration. Delivery is
//! [`super::redshift_delivery`].

use super::destination::{ExtendedS3Configuration, S3Plan, Target};
use super::endpoint::{RetryOptions, RETRY_SECS_MAX};
use super::error::FirehoseError;
use super::prefix::{self, PrefixUse};
use super::profile::{self, BufferFeatures, DestinationKind, FidelityProfile};
use serde::{Deserialize, Serialize};
use serde_json::Value;

/// RetryOptions.DurationInSeconds' default for Redshift (L27).
pub const RETRY_SECS_DEFAULT: u64 = 3_600;

/// `CopyCommand`.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct CopyCommand {
    #[serde(default)]
    pub data_table_name: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub data_table_columns: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub copy_options: Option<String>,
}

/// `RedshiftDestinationConfiguration` (and, all members optional, its Update).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct RedshiftConfiguration {
    #[serde(rename = "RoleARN", skip_serializing_if = "Option::is_none")]
    pub role_arn: Option<String>,
    #[serde(rename = "ClusterJDBCURL", skip_serializing_if = "Option::is_none")]
    pub cluster_jdbc_url: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub copy_command: Option<CopyCommand>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub username: Option<String>,
    /// Never described back.
    #[serde(skip_serializing)]
    pub password: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub retry_options: Option<RetryOptions>,
    #[serde(rename = "S3Configuration", alias = "S3Update", skip_serializing_if = "Option::is_none")]
    pub s3_configuration: Option<ExtendedS3Configuration>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub processing_configuration: Option<Value>,
    #[serde(rename = "S3BackupMode", skip_serializing_if = "Option::is_none")]
    pub s3_backup_mode: Option<String>,
    #[serde(rename = "S3BackupConfiguration", alias = "S3BackupUpdate", skip_serializing_if = "Option::is_none")]
    pub s3_backup_configuration: Option<Value>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cloud_watch_logging_options: Option<Value>,
}

/// What the engine COPYs by.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RedshiftPlan {
    pub cluster: String,
    pub database: String,
    pub table: String,
    pub columns: Option<String>,
    pub copy_options: String,
    /// RetryOptions.DurationInSeconds: from the first COPY attempt, including it.
    pub retry_secs: u64,
}

fn invalid(message: impl Into<String>) -> FirehoseError {
    FirehoseError::invalid_argument(message)
}

impl RedshiftConfiguration {
    /// Checks the configuration against AWS's rules and resolves it.
    pub fn plan(&self, profile: FidelityProfile) -> Result<S3Plan, FirehoseError> {
        let url = self.cluster_jdbc_url.as_deref().unwrap_or("");
        let (cluster, database) = crate::engine::redshift::cluster_of(url).ok_or_else(|| {
            invalid(format!("ClusterJDBCURL '{url}' is not jdbc:redshift://<cluster>.<…>:<port>/<database>"))
        })?;
        let copy = self.copy_command.clone().unwrap_or_default();
        if copy.data_table_name.is_empty() {
            return Err(invalid("CopyCommand.DataTableName is required: the table the COPY loads"));
        }
        if self.username.as_deref().unwrap_or("").is_empty() || self.password.as_deref().unwrap_or("").is_empty() {
            return Err(invalid("Username and Password are required to connect to the cluster"));
        }
        let s3 = self
            .s3_configuration
            .as_ref()
            .ok_or_else(|| invalid("S3Configuration is required: Firehose stages the data there before each COPY"))?;
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
        let compression = s3.compression_format.unwrap_or_default();
        if !matches!(compression, super::compress::Compression::Uncompressed | super::compress::Compression::Gzip) {
            return Err(invalid(format!(
                "CompressionFormat {} is not supported for a Redshift destination: use UNCOMPRESSED or GZIP",
                compression.as_str()
            )));
        }
        let prefixes = prefix::resolve(s3.prefix.as_deref(), s3.error_output_prefix.as_deref(), PrefixUse::Redshift)
            .map_err(invalid)?;
        let staging = s3.plan(profile).map_err(|e| invalid(format!("S3Configuration: {}", e.message)))?;
        let hints = profile::resolve(
            profile,
            DestinationKind::Redshift,
            s3.buffering_hints.unwrap_or_default(),
            BufferFeatures::default(),
        )
        .map_err(invalid)?;
        let retry_secs = self.retry_options.and_then(|r| r.duration_in_seconds).unwrap_or(RETRY_SECS_DEFAULT);
        if retry_secs > RETRY_SECS_MAX {
            return Err(invalid(format!("RetryOptions.DurationInSeconds {retry_secs} is out of range: 0–7200")));
        }
        let backup =
            super::backup::plan(self.s3_backup_mode.as_deref(), self.s3_backup_configuration.as_ref(), profile)?;
        Ok(S3Plan {
            prefixes,
            hints,
            processor: super::processing::plan(
                self.processing_configuration.as_ref(),
                profile,
                DestinationKind::Redshift,
            )?,
            backup: backup.map(Box::new),
            target: Target::Redshift(RedshiftPlan {
                cluster,
                database,
                table: copy.data_table_name.to_ascii_lowercase(),
                columns: copy.data_table_columns.filter(|c| !c.trim().is_empty()),
                copy_options: copy.copy_options.unwrap_or_default(),
                retry_secs,
            }),
            ..staging
        })
    }

    /// `self` updated by the members `update` sets (S3Update merges into S3Configuration).
    pub fn merged(&self, update: &RedshiftConfiguration) -> RedshiftConfiguration {
        super::endpoint::merged(self, update, |c| &mut c.s3_configuration)
    }

    /// `RedshiftDestinationDescription`.
    pub fn description(&self, plan: &S3Plan) -> Value {
        let mut d = super::endpoint::describe(self, &self.s3_configuration, plan, "Disabled");
        if let Some(map) = d.as_object_mut() {
            map.remove("BufferingHints");
            if let Some(backup) = map.remove("S3BackupConfiguration") {
                map.insert("S3BackupDescription".into(), backup);
            }
        }
        d
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn config(extra: Value) -> RedshiftConfiguration {
        let mut c = json!({
            "RoleARN": "arn:aws:iam::123456789012:role/r",
            "ClusterJDBCURL": "jdbc:redshift://rides.abc123.us-east-1.redshift.amazonaws.com:5439/dev",
            "CopyCommand": {"DataTableName": "Rides", "CopyOptions": "JSON 'auto'"},
            "Username": "firehose", "Password": "Secret-1",
            "S3Configuration": {"RoleARN": "arn:aws:iam::123456789012:role/r", "BucketARN": "arn:aws:s3:::staging", "Prefix": "rides/"},
        });
        if let (Some(c), Some(extra)) = (c.as_object_mut(), extra.as_object()) {
            c.extend(extra.clone());
        }
        serde_json::from_value(c).unwrap()
    }

    #[test]
    fn a_redshift_destination_plans_its_cluster_table_and_staging_bucket() {
        let plan = config(json!({})).plan(FidelityProfile::Book2021).unwrap();
        let Target::Redshift(r) = &plan.target else { panic!("a Redshift target") };
        assert_eq!(
            (r.cluster.as_str(), r.database.as_str(), r.table.as_str(), r.retry_secs),
            ("rides", "dev", "rides", 3_600)
        );
        assert_eq!((plan.bucket.as_str(), plan.hints.size_bytes, plan.hints.interval_secs), ("staging", 5 << 20, 300));
        let d = config(json!({})).description(&plan);
        assert_eq!(d["S3DestinationDescription"]["BucketARN"], "arn:aws:s3:::staging");
        assert!(d.get("Password").is_none(), "the password is never described back");
    }

    #[test]
    fn the_rules_refuse_with_aws_reasons() {
        let refuse = |extra: Value| config(extra).plan(FidelityProfile::Book2021).unwrap_err().message;
        assert!(refuse(json!({"ClusterJDBCURL": "postgres://x"})).contains("jdbc:redshift://"));
        assert!(refuse(json!({"S3Configuration": {"BucketARN": "arn:aws:s3:::s", "CompressionFormat": "Snappy"}}))
            .contains("UNCOMPRESSED or GZIP"));
        assert!(refuse(json!({"S3Configuration": {"BucketARN": "arn:aws:s3:::s", "Prefix": "x/!{timestamp:yyyy}/"}}))
            .contains("cannot have expressions"));
        assert!(refuse(json!({"S3Configuration": {"BucketARN": "arn:aws:s3:::s", "ErrorOutputPrefix": "e/"}}))
            .contains("must be null"));
        assert!(refuse(json!({"RetryOptions": {"DurationInSeconds": 9000}})).contains("0–7200"));
        assert!(refuse(json!({"CopyCommand": {"CopyOptions": "CSV"}})).contains("DataTableName"));
    }
}
