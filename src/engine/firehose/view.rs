//! What the Firehose lab page draws of each delivery stream: the stages with their counts, the
//! destination buffer against its two hints, the recent deliveries and a short per-second history.
//! Built from the engine's state on each reply; a few kilobytes per stream.

use super::buffer::Trigger;
use super::destination::Target;
use super::metrics::FirehoseMetric;
use super::stream::{DeliveryStream, Outcome, Source, Totals};
use crate::engine::time::SimTime;
use serde::{Deserialize, Serialize};

/// Seconds of per-second history each view carries.
pub const HISTORY_SECS: u64 = 120;
/// Recent delivery lines each view carries (the table shows the newest; the retry timeline all of them).
pub const DELIVERIES_MAX: usize = 40;

/// An endpoint destination as the page shows it.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct EndpointView {
    pub url: String,
    /// `HTTP endpoint` or `Splunk`.
    pub kind: String,
    /// How long Firehose waits for an answer (HTTP) or an acknowledgement (Splunk).
    pub timeout_s: u64,
    /// RetryOptions.DurationInSeconds.
    pub retry_s: u64,
}

/// One delivery stream, as the page shows it.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct DeliveryStreamView {
    pub name: String,
    /// CREATING, ACTIVE or DELETING.
    pub status: String,
    /// `Direct PUT`, or the Kinesis stream's name.
    pub source: String,
    /// The Lambda's name, when transformation is on.
    pub transform: Option<String>,
    /// The active partitions and their limit, when dynamic partitioning is on.
    pub partitions: Option<(u64, u64)>,
    /// Record format conversion, when it is on: the deserializer, the Glue table and the Parquet codec.
    pub conversion: Option<ConversionView>,
    /// The object codec (`UNCOMPRESSED`, `GZIP`, …).
    pub compression: String,
    /// The bucket: the destination's, or an endpoint's bucket for failed data.
    pub bucket: String,
    /// The HTTP endpoint or Splunk HEC, when the destination is one.
    pub endpoint: Option<EndpointView>,
    /// The Redshift cluster and its COPY queue, when the destination is Redshift.
    pub redshift: Option<RedshiftView>,
    /// The OpenSearch domain and index, when the destination is OpenSearch.
    pub opensearch: Option<OpenSearchView>,
    /// Prefix as configured (empty: the default time prefix).
    pub prefix: String,
    /// The destination buffer's hints.
    pub size_hint_bytes: u64,
    pub interval_s: u64,
    /// The destination buffer now: records, bytes, and how long it has been open (ms).
    pub buffered_records: u64,
    pub buffered_bytes: u64,
    pub buffer_age_ms: Option<u64>,
    /// Records in the transform stage, and invocations running.
    pub processing_records: u64,
    pub invocations: u64,
    /// Batches flushed and waiting behind a delivery, and deliveries under way.
    pub waiting_batches: u64,
    pub in_flight: u64,
    /// Now minus the oldest undelivered record's arrival, in seconds (DataFreshness).
    pub freshness_s: Option<u64>,
    pub totals: Totals,
    /// The newest deliveries first.
    pub deliveries: Vec<DeliveryView>,
    /// The last seconds, oldest first: (second, bytes in, records in, records delivered).
    pub history: Vec<(u64, u64, u64, u64)>,
    /// The metrics of the bytes and records in: IncomingBytes/Records for Direct PUT,
    /// DataReadFromKinesisStream.Bytes/Records for a Kinesis source.
    pub incoming_metrics: (String, String),
    /// The metric of the records delivered (`DeliveryToS3.Records`, …).
    pub delivered_metric: String,
}

/// A Redshift destination as the page shows it.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct RedshiftView {
    pub cluster: String,
    pub database: String,
    pub table: String,
    pub copy_options: String,
    pub retry_s: u64,
    /// Intermediate objects (and their records) waiting for the next COPY.
    pub staged_objects: u64,
    pub staged_records: u64,
    /// The COPY under way: its objects, records and attempts so far.
    pub copying: Option<(u64, u64, u32)>,
    pub loads: u64,
    pub failed_copies: u64,
    pub skipped_batches: u64,
    pub skipped_records: u64,
    /// What the last COPY said.
    pub last: Option<String>,
}

/// An OpenSearch destination as the page shows it.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct OpenSearchView {
    pub domain: String,
    /// The index name as configured, and where a record arriving now would go.
    pub index: String,
    pub index_now: String,
    pub retry_s: u64,
}

/// Record format conversion as the page shows it.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ConversionView {
    /// `OpenX JSON SerDe` or `Hive JSON SerDe`.
    pub deserializer: String,
    /// `database.table` (version).
    pub table: String,
    /// ParquetSerDe's codec.
    pub compression: String,
}

/// One line of the delivery timeline.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct DeliveryView {
    /// Which delivery (its attempts share it).
    pub id: u64,
    pub at: SimTime,
    pub records: u64,
    pub bytes: u64,
    /// `SIZE` or `INTERVAL`.
    pub trigger: String,
    /// Batches merged into it.
    pub coalesced: u64,
    pub attempt: u32,
    /// `delivered`, `failed`, `lost` or `discarded`.
    pub outcome: String,
    /// The object's key, the error, or how many records were lost.
    pub detail: String,
}

impl DeliveryStreamView {
    /// The view of `s` at `now`.
    pub fn of(s: &DeliveryStream, now: SimTime) -> DeliveryStreamView {
        let source = match &s.source {
            Source::DirectPut => "Direct PUT".to_string(),
            Source::Kinesis { stream_arn, .. } => stream_arn.rsplit('/').next().unwrap_or(stream_arn).to_string(),
        };
        let transform = s
            .processor
            .as_ref()
            .map(|p| p.plan.lambda_arn.rsplit(':').next().unwrap_or(&p.plan.lambda_arn).to_string());
        let partitions = s.partitions.as_ref().map(|p| (p.buffers.len() as u64, s.partition_limit as u64));
        let deliveries = s.log.iter().rev().take(DELIVERIES_MAX).map(delivery_view).collect();
        let second = now.as_millis() / 1_000;
        let from = second.saturating_sub(HISTORY_SECS);
        let series = |m: FirehoseMetric| s.metrics.periods(m, from, second, 1);
        let incoming = match s.source {
            Source::DirectPut => (FirehoseMetric::IncomingBytes, FirehoseMetric::IncomingRecords),
            Source::Kinesis { .. } => {
                (FirehoseMetric::DataReadFromKinesisStreamBytes, FirehoseMetric::DataReadFromKinesisStreamRecords)
            }
        };
        let (bytes, records, delivered) =
            (series(incoming.0), series(incoming.1), series(s.plan.target.metrics().records));
        let at = |v: &[(u64, crate::engine::kds::metrics::Stat)], t: u64| {
            v.iter().find(|(s, _)| *s == t).map_or(0, |(_, stat)| stat.sum)
        };
        let history = (from..second).map(|t| (t, at(&bytes, t), at(&records, t), at(&delivered, t))).collect();
        DeliveryStreamView {
            name: s.name.clone(),
            status: s.status.as_str().to_string(),
            source,
            transform,
            partitions,
            conversion: s.plan.conversion.as_ref().map(|c| ConversionView {
                deserializer: match c.deserializer {
                    super::deserializer::Deserializer::OpenX { .. } => "OpenX JSON SerDe",
                    super::deserializer::Deserializer::Hive { .. } => "Hive JSON SerDe",
                }
                .to_string(),
                table: format!("{}.{} ({})", c.database, c.table, c.version_id),
                compression: match c.options.compression {
                    crate::columnar::ParquetCompression::Snappy => "SNAPPY",
                    crate::columnar::ParquetCompression::Gzip => "GZIP",
                    crate::columnar::ParquetCompression::Uncompressed => "UNCOMPRESSED",
                }
                .to_string(),
            }),
            compression: s.plan.compression.as_str().to_string(),
            bucket: s.plan.bucket.clone(),
            endpoint: match &s.plan.target {
                Target::Endpoint(t) => Some(EndpointView {
                    url: t.url.clone(),
                    kind: s.config.kind_name().to_string(),
                    timeout_s: t.timeout_secs,
                    retry_s: t.retry_secs,
                }),
                _ => None,
            },
            redshift: match &s.plan.target {
                Target::Redshift(r) => Some(redshift_view(r, s.copier.as_ref())),
                _ => None,
            },
            opensearch: match &s.plan.target {
                Target::OpenSearch(o) => Some(OpenSearchView {
                    domain: o.domain.clone(),
                    index: o.index.clone(),
                    index_now: o.index_at(s.epoch_ms + now.as_millis()),
                    retry_s: o.retry_secs,
                }),
                _ => None,
            },
            prefix: s.config.prefix(),
            size_hint_bytes: s.plan.hints.size_bytes,
            interval_s: s.plan.hints.interval_secs,
            buffered_records: s.buffer.len() as u64,
            buffered_bytes: s.buffer.bytes(),
            buffer_age_ms: s.buffer.opened_at().map(|t| now.saturating_since(t).as_millis()),
            processing_records: s.processor.as_ref().map_or(0, |p| p.pending()),
            invocations: s.processor.as_ref().map_or(0, |p| p.invoking.len() as u64),
            waiting_batches: s.waiting.len() as u64,
            in_flight: s.in_flight.len() as u64,
            freshness_s: s.oldest_pending().map(|t| now.saturating_since(t).as_millis() / 1_000),
            totals: s.totals,
            deliveries,
            history,
            incoming_metrics: (incoming.0.name().to_string(), incoming.1.name().to_string()),
            delivered_metric: s.plan.target.metrics().records.name().to_string(),
        }
    }
}

fn redshift_view(r: &super::redshift::RedshiftPlan, c: Option<&super::redshift_delivery::Copier>) -> RedshiftView {
    let c = c.cloned().unwrap_or_default();
    RedshiftView {
        cluster: r.cluster.clone(),
        database: r.database.clone(),
        table: r.table.clone(),
        copy_options: r.copy_options.clone(),
        retry_s: r.retry_secs,
        staged_objects: c.staged.len() as u64,
        staged_records: c.staged.iter().map(|o| o.records).sum(),
        copying: c
            .running
            .as_ref()
            .map(|copy| (copy.objects.len() as u64, copy.objects.iter().map(|o| o.records).sum(), copy.attempts)),
        loads: c.loads,
        failed_copies: c.failed_copies,
        skipped_batches: c.skipped_batches,
        skipped_records: c.skipped_records,
        last: c.last,
    }
}

fn delivery_view(d: &super::stream::Delivery) -> DeliveryView {
    let (outcome, detail) = match &d.outcome {
        Outcome::Delivered { key, .. } => ("delivered", key.clone()),
        Outcome::Failed { error } => ("failed", error.clone()),
        Outcome::Lost { records } => ("lost", format!("{records} records older than the retention")),
        Outcome::Accepted { request_id, after_ms, .. } => {
            ("delivered", format!("request {request_id}, answered in {after_ms} ms"))
        }
        Outcome::Discarded { records, error } => ("discarded", format!("{records} records discarded: {error}")),
        Outcome::Copied { table, rows, query, objects } => {
            ("copied", format!("COPY (query {query}) loaded {rows} rows into {table} from {objects} object(s)"))
        }
        Outcome::Skipped { records, manifest, error } => (
            "skipped",
            format!("{records} records skipped after the retry duration; manifest {manifest}; last error {error}"),
        ),
        Outcome::BackedUp { records, folder } => {
            ("backed-up", format!("{records} records to the bucket under {folder} after the retry duration"))
        }
        Outcome::Indexed { domain, documents } => ("delivered", format!("{documents} documents indexed into {domain}")),
    };
    DeliveryView {
        id: d.id,
        at: d.at,
        records: d.records,
        bytes: d.bytes,
        trigger: match d.trigger {
            Trigger::Size => "SIZE",
            Trigger::Interval => "INTERVAL",
            Trigger::Copy => "COPY",
        }
        .to_string(),
        coalesced: d.coalesced as u64,
        attempt: d.attempt,
        outcome: outcome.to_string(),
        detail,
    }
}
