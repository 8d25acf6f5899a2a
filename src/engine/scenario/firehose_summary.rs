//! The Firehose part of a run's summary: each delivery stream's totals, what the buckets hold, and the
//! Direct PUT producers — derived from the run, so golden like the rest of the summary.

use super::summary::ProducerSummary;
use crate::engine::clients::direct_put::DirectPutProducer;
use crate::engine::firehose::stream::DeliveryStream;
use crate::engine::Engine;
use serde::Serialize;

/// Firehose over the whole run.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct FirehoseSummary {
    /// Per delivery stream that exists at the end.
    pub delivery_streams: Vec<DeliveryStreamSummary>,
    /// Per bucket.
    pub buckets: Vec<BucketSummary>,
    /// Per Direct PUT producer (`stored`: records Firehose accepted).
    pub producers: Vec<ProducerSummary>,
    /// Per HTTP endpoint or Splunk HEC receiver (absent when there is none).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub endpoints: Vec<EndpointSummary>,
}

/// What a receiver got over the run.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct EndpointSummary {
    pub url: String,
    pub requests: u64,
    /// Records it kept, counting each copy.
    pub records_kept: u64,
    /// Records it was sent again after keeping them (the duplicates of timeouts and wrong answers).
    pub duplicate_records: u64,
    /// Requests it refused (500, 413).
    pub refused_requests: u64,
}

/// A delivery stream over the whole run.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct DeliveryStreamSummary {
    pub name: String,
    /// DeliveryStreamStatus at the end.
    pub status: String,
    pub incoming_records: u64,
    pub incoming_bytes: u64,
    /// Bytes ingestion bills: each record rounded up to 5 KB.
    pub billed_bytes: u64,
    pub throttled_records: u64,
    pub delivered_records: u64,
    /// Bytes delivered, before compression.
    pub delivered_bytes: u64,
    /// Data objects written.
    pub objects: u64,
    /// Error objects written (processing-failed, partitioning-failed, …).
    pub error_objects: u64,
    /// Delivery attempts that failed.
    pub failed_attempts: u64,
    /// Records lost: older than the retention period (24 h), or refused for good (HTTP 413).
    pub lost_records: u64,
    pub processed_ok: u64,
    pub dropped_by_transform: u64,
    pub processing_failed: u64,
    pub partitioning_failed: u64,
    /// The largest DeliveryToS3.DataFreshness sampled, in seconds.
    pub data_freshness_max_s: u64,
    /// Records accepted but not yet delivered at the end.
    pub pending_end: u64,
    /// Records an endpoint did not take within the retry duration (written to the bucket as errors).
    #[serde(skip_serializing_if = "is_zero")]
    pub endpoint_failed_records: u64,
    /// Records converted to Parquet, and records written to `format-conversion-failed` instead.
    #[serde(skip_serializing_if = "is_zero")]
    pub converted_records: u64,
    #[serde(skip_serializing_if = "is_zero")]
    pub conversion_failed: u64,
}

fn is_zero(n: &u64) -> bool {
    *n == 0
}

/// A bucket at the end of the run.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct BucketSummary {
    pub name: String,
    pub objects: u64,
    pub bytes: u64,
}

/// The Firehose summary, or None when the scenario has no calls and no Direct PUT producers.
pub fn summarise(engine: &Engine) -> Option<FirehoseSummary> {
    let clients = engine.clients();
    let plan = clients.plan()?;
    if plan.calls.is_empty() && plan.direct_put.is_empty() {
        return None;
    }
    let delivery_streams = engine.firehose().streams().values().map(stream_summary).collect();
    let buckets = engine
        .s3()
        .buckets()
        .iter()
        .map(|(name, b)| BucketSummary {
            name: name.clone(),
            objects: b.objects.len() as u64,
            bytes: b.objects.values().map(|o| o.size).sum(),
        })
        .collect();
    let producers = clients.direct_put.iter().map(producer_summary).collect();
    let endpoints = engine
        .endpoints()
        .receivers()
        .iter()
        .map(|(url, r)| EndpointSummary {
            url: url.clone(),
            requests: r.totals.requests,
            records_kept: r.totals.records_kept,
            duplicate_records: r.totals.duplicate_records,
            refused_requests: r.totals.refused_requests,
        })
        .collect();
    Some(FirehoseSummary { delivery_streams, buckets, producers, endpoints })
}

fn stream_summary(s: &DeliveryStream) -> DeliveryStreamSummary {
    let t = s.totals;
    DeliveryStreamSummary {
        name: s.name.clone(),
        status: s.status.as_str().to_string(),
        incoming_records: t.incoming_records,
        incoming_bytes: t.incoming_bytes,
        billed_bytes: t.billed_bytes,
        throttled_records: t.throttled_records,
        delivered_records: t.delivered_records,
        delivered_bytes: t.delivered_bytes,
        objects: t.objects,
        error_objects: t.error_objects,
        failed_attempts: t.failed_attempts,
        lost_records: t.lost_records,
        processed_ok: t.processed_ok,
        dropped_by_transform: t.dropped,
        processing_failed: t.processing_failed,
        partitioning_failed: t.partitioning_failed,
        data_freshness_max_s: t.data_freshness_max_s,
        pending_end: s.pending_records(),
        endpoint_failed_records: t.endpoint_failed_records,
        converted_records: t.converted_records,
        conversion_failed: t.conversion_failed,
    }
}

fn producer_summary(p: &DirectPutProducer) -> ProducerSummary {
    let s = &p.stats;
    ProducerSummary {
        name: p.plan.spec.name.clone(),
        user_records: s.user_records,
        stored: s.stored,
        stored_users: s.stored_users,
        throttled: s.throttled,
        retried: s.retried,
        dropped: s.dropped,
        duplicates: 0,
        in_flight_end: p.in_flight(),
        calls: s.calls,
        put_units: 0,
        errors: s.errors.clone(),
    }
}
