//! How the simulated Firehose account behaves: the fidelity profile and every fact the spec marks [M] or
//! [SIM], each a setting with its default and where it comes from.

use super::profile::FidelityProfile;
use serde::{Deserialize, Serialize};

/// Firehose settings (the account's identity and clock come from the KDS settings).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields, rename_all = "snake_case")]
pub struct FirehoseSettings {
    /// Which era's numbers (spec §0).
    pub profile: FidelityProfile,
    /// Firehose streams per account and region; `None` is the profile's (L2: 50, or 5,000 [M] in api2025).
    pub streams_max: Option<u64>,
    /// CREATING → ACTIVE [M: "a few seconds"].
    pub stream_create_ms: u64,
    /// DELETING → gone [M].
    pub stream_delete_ms: u64,
    /// ENABLING/DISABLING → ENABLED/DISABLED for server-side encryption [M].
    pub encryption_change_ms: u64,
    /// How long one S3 PUT of an object takes [SIM].
    pub s3_put_ms: u64,
    /// S3 delivery retries this often while it fails (L31: "every 5 s" per the book).
    pub s3_retry_ms: u64,
    /// An HTTP endpoint or Splunk request is sent again this long after it failed, while the retry
    /// duration lasts [M: AWS gives no interval].
    pub endpoint_retry_ms: u64,
    /// A failed COPY is tried again this long after it failed, while the retry duration lasts (§1.10:
    /// "every 5 minutes").
    pub redshift_retry_ms: u64,
    /// A COPY takes this long at the least, plus its bytes at `redshift_copy_bytes_per_sec` [SIM: the lab's
    /// cluster speed].
    pub redshift_copy_overhead_ms: u64,
    pub redshift_copy_bytes_per_sec: u64,
    /// A refused OpenSearch request, or its refused documents, are sent again this long later, while the
    /// retry duration lasts [M: the docs' "every 5 minutes" for Redshift; AWS gives none for OpenSearch].
    pub opensearch_retry_ms: u64,
    /// Undelivered records older than this are lost (L9: 24 h for Direct PUT).
    pub data_retention_ms: u64,
    /// Flushed batches waiting behind a delivery before they are coalesced (§1.4 step 6, [SIM]).
    pub coalesce_after_batches: usize,
    /// Active partitions per stream (L34: 500, raisable to 5,000).
    pub active_partitions_max: usize,
    /// Seconds of per-second metrics kept per stream (CloudWatch keeps 1-minute data far longer; the lab
    /// keeps the recent window).
    pub metrics_window_secs: u64,
}

impl Default for FirehoseSettings {
    fn default() -> Self {
        FirehoseSettings {
            profile: FidelityProfile::default(),
            streams_max: None,
            stream_create_ms: 5_000,
            stream_delete_ms: 5_000,
            encryption_change_ms: 2_000,
            s3_put_ms: 200,
            s3_retry_ms: 5_000,
            endpoint_retry_ms: 10_000,
            redshift_retry_ms: 300_000,
            redshift_copy_overhead_ms: 2_000,
            redshift_copy_bytes_per_sec: 20 << 20,
            opensearch_retry_ms: 300_000,
            data_retention_ms: 24 * 3_600_000,
            coalesce_after_batches: 3,
            active_partitions_max: super::partitioning::ACTIVE_PARTITIONS_DEFAULT,
            metrics_window_secs: 3 * 3_600,
        }
    }
}

impl FirehoseSettings {
    /// The stream quota in force.
    pub fn streams_quota(&self) -> u64 {
        self.streams_max.unwrap_or(match self.profile {
            FidelityProfile::Api2025 => 5_000,
            _ => 50,
        })
    }

    /// What the service calls a stream in its messages: "Delivery stream" until the 2024 rename.
    pub fn stream_noun(&self) -> &'static str {
        match self.profile {
            FidelityProfile::Api2025 => "Firehose stream",
            _ => "Delivery stream",
        }
    }
}
