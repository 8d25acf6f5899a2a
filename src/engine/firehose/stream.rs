//! A Firehose stream (the book's delivery stream): its identity, source, destination, encryption and tags,
//! and the records on their way through it (spec §1.1).

use super::buffer::{Batch, Buffer};
use super::destination::{DestinationConfig, S3Plan};
use super::ingest::Admission;
use super::metrics::StreamMetrics;
use crate::engine::time::{SimDuration, SimTime};
use std::collections::{BTreeMap, VecDeque};

/// Partition objects delivered side by side at most [SIM].
pub const PARALLEL_PARTITION_DELIVERIES: usize = 50;

/// Recent deliveries kept for the timeline.
pub const DELIVERY_LOG_MAX: usize = 200;

/// CREATING → ACTIVE → DELETING.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum StreamStatus {
    Creating,
    Active,
    Deleting,
}

impl StreamStatus {
    /// The API's spelling.
    pub fn as_str(self) -> &'static str {
        match self {
            StreamStatus::Creating => "CREATING",
            StreamStatus::Active => "ACTIVE",
            StreamStatus::Deleting => "DELETING",
        }
    }
}

/// Where records come from.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Source {
    /// PutRecord / PutRecordBatch.
    DirectPut,
    /// A Kinesis data stream, read as a consumer (PutRecord and PutRecordBatch are refused).
    Kinesis { stream_arn: String, role_arn: String },
}

/// Server-side encryption of a Direct PUT stream (shown as a badge; it changes no bytes).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Encryption {
    /// ENABLED, ENABLING, DISABLED or DISABLING.
    pub status: &'static str,
    /// AWS_OWNED_CMK or CUSTOMER_MANAGED_CMK.
    pub key_type: Option<String>,
    /// The customer key, when there is one.
    pub key_arn: Option<String>,
    /// When ENABLING/DISABLING settles.
    pub settles_at: Option<SimTime>,
}

impl Encryption {
    /// Not encrypted.
    pub fn disabled() -> Encryption {
        Encryption { status: "DISABLED", key_type: None, key_arn: None, settles_at: None }
    }
}

/// One record inside Firehose.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Record {
    /// Its bytes.
    pub data: Vec<u8>,
    /// Its approximate arrival (drives prefixes, freshness and the 24 h loss).
    pub arrival: SimTime,
    /// Dynamic-partitioning keys the Lambda returned in `metadata.partitionKeys`.
    pub lambda_keys: Option<BTreeMap<String, String>>,
    /// From a Kinesis data stream source: the record's sequence number there.
    pub sequence_number: Option<String>,
}

impl Record {
    /// A record as it arrived.
    pub fn new(data: Vec<u8>, arrival: SimTime) -> Record {
        Record { data, arrival, lambda_keys: None, sequence_number: None }
    }

    /// The error record of `self` (spec §1.6 and §1.10 envelopes, one JSON line) for the error prefix;
    /// `extra` members follow (`lambdaArn` for processing failures, `EventId` for Splunk, …).
    pub fn error(&self, failure: Failure, now: SimTime, epoch_ms: u64, extra: &[(&str, String)]) -> Record {
        let extra: Vec<(&str, serde_json::Value)> = extra.iter().map(|(k, v)| (*k, serde_json::json!(v))).collect();
        self.error_as(failure, now, epoch_ms, ["errorCode", "errorMessage"], &extra)
    }

    /// [`Record::error`] with the code and message under other member names (format conversion's
    /// `lastErrorCode` / `lastErrorMessage`) and any JSON members after them.
    pub fn error_as(
        &self,
        failure: Failure,
        now: SimTime,
        epoch_ms: u64,
        [code, message]: [&str; 2],
        extra: &[(&str, serde_json::Value)],
    ) -> Record {
        let mut envelope = serde_json::json!({
            "attemptsMade": failure.attempts,
            "arrivalTimestamp": epoch_ms + self.arrival.as_millis(),
            "attemptEndingTimestamp": epoch_ms + now.as_millis(),
            "rawData": base64::Engine::encode(&base64::engine::general_purpose::STANDARD, &self.data),
        });
        envelope[code] = serde_json::json!(failure.code);
        envelope[message] = serde_json::json!(failure.message);
        for (name, value) in extra {
            envelope[*name] = value.clone();
        }
        let mut line = envelope.to_string().into_bytes();
        line.push(b'\n');
        Record::new(line, self.arrival)
    }
}

/// Why a record failed: the attempts made, the error code and its message.
#[derive(Clone, Copy, Debug)]
pub struct Failure<'a> {
    pub attempts: u32,
    pub code: &'a str,
    pub message: &'a str,
}

/// What an object holds.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ObjectKind {
    /// Delivered records, under Prefix.
    Data,
    /// Delivered records of one dynamic partition, under its evaluated prefix.
    Partition(String),
    /// Error records, under ErrorOutputPrefix with this error-output-type.
    Error(super::prefix::ErrorOutputType),
}

/// A delivery attempt in progress (or waiting to retry).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Attempt {
    /// Which delivery of the stream this is (the same on every retry), for the retry timeline.
    pub id: u64,
    /// Data or error records.
    pub kind: ObjectKind,
    /// What is being delivered.
    pub batch: Batch<Record>,
    /// Attempts made so far.
    pub attempts: u32,
    /// When the first attempt started.
    pub first_at: SimTime,
    /// When this attempt completes (an endpoint's: when it is sent, then when its answer is due).
    pub due: SimTime,
    /// To an endpoint: the request's id, the same on every retry.
    pub request_id: Option<String>,
    /// To an endpoint: the answer to the request under way (`None` until sent).
    pub reply: Option<crate::engine::endpoints::Reply>,
    /// To an endpoint: the first failure, from which the retry duration counts.
    pub first_failure: Option<SimTime>,
    /// With format conversion: the object's body (Parquet), made once before the first write.
    pub body: Option<Vec<u8>>,
    /// To OpenSearch: each record's document id (the same on every retry), the bulk answer under way,
    /// and each remaining document's last error (status, error).
    pub doc_ids: Vec<String>,
    pub bulk: Option<crate::engine::opensearch::BulkReply>,
    pub doc_errors: Vec<(String, String)>,
}

impl Attempt {
    /// A first attempt of `batch`, due at `due`; `id` numbers the stream's deliveries.
    pub fn new(id: u64, kind: ObjectKind, batch: Batch<Record>, now: SimTime, due: SimTime) -> Attempt {
        Attempt {
            id,
            kind,
            batch,
            attempts: 0,
            first_at: now,
            due,
            request_id: None,
            reply: None,
            first_failure: None,
            body: None,
            doc_ids: Vec::new(),
            bulk: None,
            doc_errors: Vec::new(),
        }
    }
}

/// What became of a batch.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Outcome {
    /// Written under this key.
    Delivered { bucket: String, key: String, object_bytes: u64 },
    /// An attempt failed; a retry follows.
    Failed { error: String },
    /// Records older than the retention were dropped undelivered.
    Lost { records: u64 },
    /// An endpoint took the request: its URL, the request's id, and how long its answer took.
    Accepted { endpoint: String, request_id: String, after_ms: u64 },
    /// An endpoint refused for good (HTTP 413): the records are neither retried nor backed up.
    Discarded { records: u64, error: String },
    /// A COPY loaded the rows of these intermediate objects into the table.
    Copied { table: String, rows: u64, query: u64, objects: u64 },
    /// The retry duration ran out: the COPY's objects were skipped and their manifest written here.
    Skipped { records: u64, manifest: String, error: String },
    /// The retry duration ran out: the records go to the bucket as error records in this folder.
    BackedUp { records: u64, folder: String },
    /// Every document of a bulk request was indexed.
    Indexed { domain: String, documents: u64 },
}

/// One line of the delivery timeline.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Delivery {
    /// The delivery (its attempts share it): [`Attempt::id`], or a Redshift COPY's.
    pub id: u64,
    /// When it happened.
    pub at: SimTime,
    /// Records and bytes (before compression) concerned.
    pub records: u64,
    pub bytes: u64,
    /// What flushed the batch, and how many batches were merged into it.
    pub trigger: super::buffer::Trigger,
    pub coalesced: usize,
    /// The attempt number.
    pub attempt: u32,
    /// What happened.
    pub outcome: Outcome,
}

/// Running totals, for the page and tests.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Totals {
    pub incoming_records: u64,
    pub incoming_bytes: u64,
    /// What ingestion bills: each record rounded up to 5 KB (L41).
    pub billed_bytes: u64,
    pub throttled_records: u64,
    pub delivered_records: u64,
    pub delivered_bytes: u64,
    pub objects: u64,
    pub failed_attempts: u64,
    pub lost_records: u64,
    /// Records the Lambda returned Ok, Dropped, or that failed processing.
    pub processed_ok: u64,
    pub dropped: u64,
    pub processing_failed: u64,
    /// Records dynamic partitioning sent to the error prefix.
    pub partitioning_failed: u64,
    /// Error objects written.
    pub error_objects: u64,
    /// The largest DeliveryToS3.DataFreshness sampled, in seconds.
    pub data_freshness_max_s: u64,
    /// Records an endpoint did not take within the retry duration, written to the bucket as errors.
    pub endpoint_failed_records: u64,
    /// Records converted to Parquet, and records that could not be (written as errors).
    pub converted_records: u64,
    pub conversion_failed: u64,
}

/// A Firehose stream.
#[derive(Clone, Debug)]
pub struct DeliveryStream {
    pub name: String,
    pub arn: String,
    /// Starts at 1; +1 on every configuration change.
    pub version: u64,
    pub status: StreamStatus,
    pub created_at: SimTime,
    pub updated_at: Option<SimTime>,
    /// When CREATING ends or DELETING finishes.
    pub settles_at: Option<SimTime>,
    pub source: Source,
    /// Direct PUT's quota buckets.
    pub admission: Admission,
    /// The destination as configured, and as resolved.
    pub config: DestinationConfig,
    pub plan: S3Plan,
    pub encryption: Encryption,
    pub tags: BTreeMap<String, String>,
    /// Source-record backup, when S3BackupMode is Enabled.
    pub backup: Option<super::backup::Backup>,
    /// The reader of a Kinesis data stream source.
    pub kinesis: Option<super::kinesis_source::KinesisReader>,
    /// The Lambda processor stage, when transformation is on.
    pub processor: Option<super::processing::Processor>,
    /// The destination buffer.
    pub buffer: Buffer<Record>,
    /// Dynamic partitioning's buffers, when it is on.
    pub partitions: Option<super::partitioning::Partitions>,
    /// To Redshift: the intermediate objects waiting for a COPY, and the COPY under way.
    pub copier: Option<super::redshift_delivery::Copier>,
    /// This stream's share of the seeded PRNG (random strings in prefixes).
    pub rng: crate::engine::rng::SimRng,
    /// The wall clock at simulated time zero (prefixes evaluate arrival times).
    pub epoch_ms: u64,
    /// The active-partition limit (L34).
    pub partition_limit: usize,
    /// Flushed batches (and error records) waiting behind the delivery in flight.
    pub waiting: VecDeque<(ObjectKind, Batch<Record>)>,
    /// Deliveries (and COPYs) begun so far: the next one's id.
    pub deliveries_begun: u64,
    /// Deliveries under way: one at a time, in order, without partitioning (a failing bucket blocks the
    /// stream); with partitioning, partitions deliver side by side.
    pub in_flight: Vec<Attempt>,
    /// When DataFreshness is next sampled (while records wait).
    pub freshness_at: Option<SimTime>,
    pub metrics: StreamMetrics,
    pub log: VecDeque<Delivery>,
    pub totals: Totals,
    /// Kinesis Data Analytics applications reading the stream: what entered it since each one's last read.
    pub taps: BTreeMap<String, VecDeque<Vec<u8>>>,
}

impl DeliveryStream {
    /// The buffer for a plan.
    pub fn buffer_for(plan: &S3Plan) -> Buffer<Record> {
        Buffer::new(plan.hints.size_bytes, SimDuration::from_secs(plan.hints.interval_secs))
    }

    /// Records accepted and not yet delivered (or written as errors).
    pub fn pending_records(&self) -> u64 {
        let in_flight: usize = self.in_flight.iter().map(|a| a.batch.records.len()).sum();
        let waiting: usize = self.waiting.iter().map(|(_, b)| b.records.len()).sum();
        let processing = self.processor.as_ref().map_or(0, |p| p.pending());
        let partitioned = self.partitions.as_ref().map_or(0, super::partitioning::pending);
        let copying = self.copier.as_ref().map_or(0, super::redshift_delivery::Copier::pending);
        (in_flight + waiting + self.buffer.len()) as u64 + processing + partitioned + copying
    }

    /// The arrival of the oldest record not yet delivered.
    pub fn oldest_pending(&self) -> Option<SimTime> {
        let in_flight = self.in_flight.iter().filter_map(|a| a.batch.records.first()).map(|r| r.arrival).min();
        let waiting = self.waiting.iter().filter_map(|(_, b)| b.records.first()).map(|r| r.arrival).min();
        let processing = self.processor.as_ref().and_then(|p| p.oldest());
        let buffered = self.buffer.records().iter().map(|r| r.arrival).min();
        let partitioned = self.partitions.as_ref().and_then(super::partitioning::oldest);
        [in_flight, waiting, processing, buffered, partitioned].into_iter().flatten().min()
    }

    /// The next instant this stream needs the clock.
    pub fn poll_timeout(&self) -> SimTime {
        [
            self.settles_at,
            self.encryption.settles_at,
            Some(self.buffer.poll_timeout()),
            self.in_flight.iter().map(|a| a.due).min(),
            self.freshness_at,
            // A batch flushed while nothing was in flight starts at once.
            self.waiting
                .front()
                .filter(|_| self.in_flight.len() < self.parallel_deliveries())
                .map(|(_, b)| b.flushed_at),
            self.processor.as_ref().map(|p| p.poll_timeout()),
            self.kinesis.as_ref().and_then(|k| k.next_poll),
            self.partitions.as_ref().map(super::partitioning::poll_timeout),
            self.backup.as_ref().map(super::backup::Backup::poll_timeout),
            self.copier.as_ref().and_then(super::redshift_delivery::Copier::poll_timeout),
        ]
        .into_iter()
        .flatten()
        .min()
        .unwrap_or(SimTime::MAX)
    }

    /// How many deliveries may be under way at once [SIM: partitions deliver side by side, up to 50].
    pub fn parallel_deliveries(&self) -> usize {
        if self.partitions.is_some() {
            PARALLEL_PARTITION_DELIVERIES
        } else {
            1
        }
    }

    /// Adds a line to the timeline.
    pub fn record_delivery(&mut self, delivery: Delivery) {
        if self.log.len() == DELIVERY_LOG_MAX {
            self.log.pop_front();
        }
        self.log.push_back(delivery);
    }
}
