//! Amazon Data Firehose (the book's Kinesis Data Firehose), simulated (spec firehose-analytics.md §1).
//!
//! Sans-IO like the other services: [`FirehoseService::handle`] answers a request at a simulated time;
//! [`FirehoseService::poll_timeout`] names the next instant a stream needs (a buffer interval, a delivery
//! attempt, a status change, a DataFreshness sample) and [`FirehoseService::handle_timeout`] fires it.
//! Objects land in the simulated S3 ([`crate::engine::s3`]) the caller passes in.
//!
//! Built: the fidelity profiles ([`profile`]), the buffering rule ([`buffer`]), Direct PUT admission
//! ([`ingest`], [`put`]), the control plane ([`control`]), S3 prefixes and their rules ([`prefix`]),
//! compression ([`compress`]), delivery with retries, catch-up coalescing and the 24 h loss
//! ([`delivery`]), the AWS/Firehose metrics ([`metrics`]), the Lambda record contract with the lab's
//! built-in functions ([`transform`]) in the processor stage ([`processing`]), a Kinesis data stream
//! source read through the KDS engine ([`kinesis_source`]), dynamic partitioning with jq keys
//! ([`partitioning`], [`jq`]), and source-record backup ([`backup`]).
//!
//! Record format conversion to Parquet ([`conversion`], [`deserializer`], [`timestamps`]) reads its schema
//! from the Glue catalog ([`crate::engine::glue`]) and writes with the account's Parquet writer
//! ([`crate::columnar`]).
//!
//! The destinations besides S3: HTTP endpoint and Splunk ([`endpoint`], [`endpoint_delivery`]) with the
//! lab's receivers, Redshift ([`redshift`], [`redshift_delivery`]) with the lab's clusters, and OpenSearch
//! ([`opensearch`], [`opensearch_delivery`]) with the lab's domains.
//!
//! Not built yet: ORC output; a request for it is refused with a plain "not built in this lab yet".

pub mod backup;
pub mod buffer;
pub mod compress;
pub mod control;
pub mod conversion;
pub mod conversion_delivery;
pub mod delivery;
pub mod deserializer;
pub mod destination;
pub mod endpoint;
pub mod endpoint_delivery;
pub mod error;
pub mod ingest;
pub mod jq;
pub mod kinesis_source;
pub mod metrics;
pub mod opensearch;
pub mod opensearch_delivery;
pub mod partitioning;
pub mod prefix;
pub mod processing;
pub mod profile;
pub mod put;
pub mod redshift;
pub mod redshift_delivery;
pub mod settings;
pub mod stream;
pub mod tap;
#[cfg(test)]
mod tests;
pub mod timestamps;
pub mod transform;
pub mod view;

use crate::columnar::ParquetWriter;
use crate::engine::endpoints::Endpoints;
use crate::engine::functions::Functions;
use crate::engine::glue::Catalog;
use crate::engine::kds::actions::{GetMetricStatisticsInput, GetMetricStatisticsOutput};
use crate::engine::kds::cloudwatch;
use crate::engine::kds::error::KdsResult;
use crate::engine::kds::KdsService;
use crate::engine::opensearch::Domains;
use crate::engine::redshift::Clusters;
use crate::engine::rng::{Seed, SimRng};
use crate::engine::s3::S3Service;
use crate::engine::time::SimTime;
use control::{CreateInput, EncryptionInput, ListInput, ListTagsInput, Tag, UpdateInput};
use error::FirehoseError;
use metrics::FirehoseMetric;
use serde_json::Value;
use settings::FirehoseSettings;
use std::collections::BTreeMap;
use stream::{DeliveryStream, StreamStatus};

/// A request to the Firehose service.
#[derive(Clone, Debug, PartialEq)]
pub enum FirehoseRequest {
    CreateDeliveryStream(Box<CreateInput>),
    DescribeDeliveryStream { name: String },
    ListDeliveryStreams(ListInput),
    UpdateDestination(Box<UpdateInput>),
    DeleteDeliveryStream { name: String },
    PutRecord { name: String, data: Vec<u8> },
    PutRecordBatch { name: String, records: Vec<Vec<u8>> },
    TagDeliveryStream { name: String, tags: Vec<Tag> },
    UntagDeliveryStream { name: String, keys: Vec<String> },
    ListTagsForDeliveryStream(ListTagsInput),
    StartDeliveryStreamEncryption { name: String, input: Option<EncryptionInput> },
    StopDeliveryStreamEncryption { name: String },
}

/// The simulated Firehose of one account and region.
#[derive(Debug)]
pub struct FirehoseService {
    settings: FirehoseSettings,
    account_id: String,
    region: String,
    epoch_ms: u64,
    rng: SimRng,
    streams: BTreeMap<String, DeliveryStream>,
    /// Writes Parquet for record format conversion (natively the `parquet` crate; in the browser's worker,
    /// the module it loads on demand — `None` until then).
    parquet: Option<ParquetWriter>,
}

/// Where a stream's destinations live: what a control-plane request may create (a bucket, a cluster, a
/// domain, as the lab stands them up on first mention).
pub struct Sinks<'a> {
    pub s3: &'a mut S3Service,
    pub clusters: &'a mut Clusters,
    pub domains: &'a mut Domains,
}

/// Everything a stream's timers reach besides the stream itself.
pub struct Reach<'a> {
    pub s3: &'a mut S3Service,
    pub endpoints: &'a mut Endpoints,
    pub functions: &'a Functions,
    pub kds: &'a mut KdsService,
    pub glue: &'a Catalog,
    pub clusters: &'a mut Clusters,
    pub domains: &'a mut Domains,
}

impl FirehoseService {
    /// No streams yet. Identity and the wall clock at t = 0 are the account's (from the KDS settings).
    pub fn new(settings: FirehoseSettings, account_id: &str, region: &str, epoch_ms: u64, seed: Seed) -> Self {
        FirehoseService {
            settings,
            account_id: account_id.into(),
            region: region.into(),
            epoch_ms,
            rng: SimRng::new(seed).fork("firehose"),
            streams: BTreeMap::new(),
            parquet: default_parquet_writer(),
        }
    }

    /// Installs the Parquet writer (the browser's worker, once it has loaded the module).
    pub fn set_parquet_writer(&mut self, writer: ParquetWriter) {
        self.parquet = Some(writer);
    }

    /// Whether a Parquet writer is installed.
    pub fn has_parquet_writer(&self) -> bool {
        self.parquet.is_some()
    }

    /// Whether a stream converts to Parquet while no writer is installed: the worker then loads one
    /// before letting time run.
    pub fn awaits_parquet_writer(&self) -> bool {
        self.parquet.is_none() && self.streams.values().any(|s| s.plan.conversion.is_some())
    }

    /// The settings in force.
    pub fn settings(&self) -> &FirehoseSettings {
        &self.settings
    }

    /// The streams, by name.
    pub fn streams(&self) -> &BTreeMap<String, DeliveryStream> {
        &self.streams
    }

    /// Answers one request: AWS's response body, or its error.
    pub fn handle(
        &mut self,
        now: SimTime,
        request: FirehoseRequest,
        sinks: Sinks,
        kds: &KdsService,
    ) -> Result<Value, FirehoseError> {
        use FirehoseRequest as R;
        match request {
            R::CreateDeliveryStream(input) => self.create(now, *input, sinks, kds),
            R::DescribeDeliveryStream { name } => self.describe(&name),
            R::ListDeliveryStreams(input) => self.list(&input),
            R::UpdateDestination(input) => self.update_destination(now, *input, sinks),
            R::DeleteDeliveryStream { name } => self.delete(now, &name),
            R::PutRecord { name, data } => self.put_record(now, &name, data),
            R::PutRecordBatch { name, records } => self.put_record_batch(now, &name, records),
            R::TagDeliveryStream { name, tags } => self.tag(&name, tags),
            R::UntagDeliveryStream { name, keys } => self.untag(&name, &keys),
            R::ListTagsForDeliveryStream(input) => self.list_tags(&input),
            R::StartDeliveryStreamEncryption { name, input } => {
                let input = input.unwrap_or(EncryptionInput { key_arn: None, key_type: "AWS_OWNED_CMK".into() });
                self.set_encryption(now, &name, Some(input))
            }
            R::StopDeliveryStreamEncryption { name } => self.set_encryption(now, &name, None),
        }
    }

    /// GetMetricStatistics for namespace `AWS/Firehose`, by the `DeliveryStreamName` dimension.
    pub fn get_metric_statistics(&self, input: &GetMetricStatisticsInput) -> KdsResult<GetMetricStatisticsOutput> {
        cloudwatch::answer(input, self.epoch_ms, |from, to, period| {
            let metric = FirehoseMetric::from_name(&input.metric_name)?;
            let name = input.dimensions.iter().find(|d| d.name == "DeliveryStreamName")?;
            let stream = self.streams.get(&name.value)?;
            Some((metric.unit(), stream.metrics.periods(metric, from, to, period)))
        })
    }

    /// The next instant any stream needs the clock (`SimTime::MAX`: none).
    pub fn poll_timeout(&self) -> SimTime {
        self.streams.values().map(DeliveryStream::poll_timeout).min().unwrap_or(SimTime::MAX)
    }

    /// Fires everything due by `now`. Returns the events handled.
    pub fn handle_timeout(&mut self, now: SimTime, reach: Reach) -> u64 {
        let mut events = 0;
        let mut gone = Vec::new();
        let Reach { s3, endpoints, functions, kds, glue, clusters, domains } = reach;
        let mut env = delivery::Env {
            s3,
            endpoints,
            functions,
            glue,
            clusters,
            domains,
            parquet: self.parquet,
            rng: &mut self.rng,
            settings: &self.settings,
            epoch_ms: self.epoch_ms,
            account_id: &self.account_id,
            region: &self.region,
        };
        for s in self.streams.values_mut() {
            if s.poll_timeout() > now {
                continue;
            }
            if s.settles_at.is_some_and(|at| at <= now) {
                s.settles_at = None;
                match s.status {
                    StreamStatus::Creating => {
                        s.status = StreamStatus::Active;
                        kinesis_source::start(s, now, kds);
                    }
                    StreamStatus::Deleting => gone.push(s.name.clone()),
                    StreamStatus::Active => {}
                }
                events += 1;
            }
            if s.encryption.settles_at.is_some_and(|at| at <= now) {
                s.encryption.settles_at = None;
                s.encryption.status = if s.encryption.status == "ENABLING" { "ENABLED" } else { "DISABLED" };
                if s.encryption.status == "DISABLED" {
                    s.encryption = stream::Encryption::disabled();
                }
                events += 1;
            }
            events += kinesis_source::handle_timeout(s, now, kds);
            events += delivery::handle_timeout(s, now, &mut env);
        }
        for name in gone {
            self.streams.remove(&name);
        }
        events
    }
}

/// Natively the engine writes Parquet itself; the browser's worker installs a writer when it has loaded one.
fn default_parquet_writer() -> Option<ParquetWriter> {
    #[cfg(not(all(target_arch = "wasm32", target_os = "unknown")))]
    return Some(crate::columnar::parquet_file::write);
    #[cfg(all(target_arch = "wasm32", target_os = "unknown"))]
    return None;
}
