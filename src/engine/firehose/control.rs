//! The control plane (spec §1.1, L1–L2, §1.11): CreateDeliveryStream, DescribeDeliveryStream,
//! ListDeliveryStreams, UpdateDestination, DeleteDeliveryStream, the tag calls and Start/Stop encryption.
//! Requests use AWS's member names; responses are AWS's JSON bodies.

use super::backup::Backup;
use super::buffer::Batch;
use super::destination::{self, DestinationConfig, ExtendedS3Configuration};
use super::endpoint::{HttpEndpointConfiguration, SplunkConfiguration};
use super::error::{FirehoseError, FirehoseErrorKind};
use super::ingest::{Admission, DirectPutQuota};
use super::kinesis_source::{self, KinesisReader};
use super::metrics::StreamMetrics;
use super::opensearch::OpenSearchConfiguration;
use super::processing::Processor;
use super::redshift::RedshiftConfiguration;
use super::stream::{DeliveryStream, Encryption, ObjectKind, Source, StreamStatus, Totals};
use super::FirehoseService;
use crate::engine::kds::KdsService;
use crate::engine::time::{SimDuration, SimTime};
use serde::{Deserialize, Serialize};
use serde_json::{json, Map, Value};
use std::collections::{BTreeMap, VecDeque};

/// The only DestinationId a stream has (one destination per stream, L1).
pub const DESTINATION_ID: &str = "destinationId-000000000001";
/// Tags per stream.
pub const TAGS_MAX: usize = 50;

/// `{"Key", "Value"}`.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct Tag {
    pub key: String,
    #[serde(default)]
    pub value: Option<String>,
}

/// `KinesisStreamSourceConfiguration`.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct KinesisSourceConfiguration {
    #[serde(rename = "KinesisStreamARN")]
    pub kinesis_stream_arn: String,
    #[serde(rename = "RoleARN")]
    pub role_arn: String,
}

/// `DeliveryStreamEncryptionConfigurationInput`.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct EncryptionInput {
    #[serde(rename = "KeyARN")]
    pub key_arn: Option<String>,
    #[serde(rename = "KeyType")]
    pub key_type: String,
}

/// CreateDeliveryStream's body.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct CreateInput {
    pub delivery_stream_name: String,
    pub delivery_stream_type: Option<String>,
    pub kinesis_stream_source_configuration: Option<KinesisSourceConfiguration>,
    pub delivery_stream_encryption_configuration_input: Option<EncryptionInput>,
    #[serde(rename = "ExtendedS3DestinationConfiguration")]
    pub extended_s3: Option<ExtendedS3Configuration>,
    #[serde(rename = "S3DestinationConfiguration")]
    pub s3: Option<ExtendedS3Configuration>,
    #[serde(rename = "HttpEndpointDestinationConfiguration")]
    pub http: Option<HttpEndpointConfiguration>,
    #[serde(rename = "SplunkDestinationConfiguration")]
    pub splunk: Option<SplunkConfiguration>,
    #[serde(rename = "RedshiftDestinationConfiguration")]
    pub redshift: Option<RedshiftConfiguration>,
    #[serde(rename = "AmazonopensearchserviceDestinationConfiguration")]
    pub opensearch: Option<OpenSearchConfiguration>,
    #[serde(rename = "ElasticsearchDestinationConfiguration")]
    pub elasticsearch: Option<OpenSearchConfiguration>,
    pub tags: Option<Vec<Tag>>,
    #[serde(flatten)]
    pub others: Map<String, Value>,
}

/// UpdateDestination's body.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct UpdateInput {
    pub delivery_stream_name: String,
    pub current_delivery_stream_version_id: String,
    pub destination_id: String,
    #[serde(rename = "ExtendedS3DestinationUpdate")]
    pub extended_s3: Option<ExtendedS3Configuration>,
    #[serde(rename = "S3DestinationUpdate")]
    pub s3: Option<ExtendedS3Configuration>,
    #[serde(rename = "HttpEndpointDestinationUpdate")]
    pub http: Option<HttpEndpointConfiguration>,
    #[serde(rename = "SplunkDestinationUpdate")]
    pub splunk: Option<SplunkConfiguration>,
    #[serde(rename = "RedshiftDestinationUpdate")]
    pub redshift: Option<RedshiftConfiguration>,
    #[serde(rename = "AmazonopensearchserviceDestinationUpdate", alias = "ElasticsearchDestinationUpdate")]
    pub opensearch: Option<OpenSearchConfiguration>,
    #[serde(flatten)]
    pub others: Map<String, Value>,
}

/// ListDeliveryStreams' body.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct ListInput {
    pub limit: Option<u64>,
    pub delivery_stream_type: Option<String>,
    pub exclusive_start_delivery_stream_name: Option<String>,
}

/// `Destinations[0]` of DescribeDeliveryStream.
fn destination_description(s: &DeliveryStream) -> Value {
    let mut d = Map::new();
    d.insert("DestinationId".into(), json!(DESTINATION_ID));
    for (member, description) in s.config.descriptions(&s.plan) {
        d.insert(member.into(), description);
    }
    Value::Object(d)
}

/// ListTagsForDeliveryStream's body.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct ListTagsInput {
    pub delivery_stream_name: String,
    pub exclusive_start_tag_key: Option<String>,
    pub limit: Option<u64>,
}

impl FirehoseService {
    pub(super) fn create(
        &mut self,
        now: SimTime,
        input: CreateInput,
        sinks: super::Sinks,
        kds: &KdsService,
    ) -> Result<Value, FirehoseError> {
        let name = input.delivery_stream_name.clone();
        if self.streams.contains_key(&name) {
            return Err(FirehoseError::new(
                FirehoseErrorKind::ResourceInUse,
                format!("{} {name} under account {} already exists.", self.settings.stream_noun(), self.account_id),
            ));
        }
        if self.streams.len() as u64 >= self.settings.streams_quota() {
            return Err(FirehoseError::new(
                FirehoseErrorKind::LimitExceeded,
                format!(
                    "You have already consumed your firehose quota of {} hoses. Firehose names: {}",
                    self.settings.streams_quota(),
                    self.streams.keys().cloned().collect::<Vec<_>>().join(", ")
                ),
            ));
        }
        let mut given: Vec<DestinationConfig> = [
            input.extended_s3.map(DestinationConfig::S3),
            input.s3.map(DestinationConfig::S3),
            input.http.map(DestinationConfig::Http),
            input.splunk.map(DestinationConfig::Splunk),
            input.redshift.map(DestinationConfig::Redshift),
            input.opensearch.map(|c| DestinationConfig::OpenSearch(c, false)),
            input.elasticsearch.map(|c| DestinationConfig::OpenSearch(c, true)),
        ]
        .into_iter()
        .flatten()
        .collect();
        let config =
            match (given.pop(), given.is_empty()) {
                (Some(config), true) => config,
                (None, _) => {
                    return Err(FirehoseError::invalid_argument(
                        "Exactly one destination configuration is required, e.g. ExtendedS3DestinationConfiguration.",
                    ))
                }
                (Some(_), false) => return Err(FirehoseError::invalid_argument(
                    "Only one destination configuration is allowed per Firehose stream (a stream has one destination).",
                )),
            };
        let source =
            match (
                input.delivery_stream_type.as_deref().unwrap_or("DirectPut"),
                input.kinesis_stream_source_configuration,
            ) {
                ("DirectPut", None) => Source::DirectPut,
                ("DirectPut", Some(_)) => return Err(FirehoseError::invalid_argument(
                    "KinesisStreamSourceConfiguration is only allowed with DeliveryStreamType KinesisStreamAsSource.",
                )),
                ("KinesisStreamAsSource", Some(kinesis)) => {
                    if input.delivery_stream_encryption_configuration_input.is_some() {
                        return Err(FirehoseError::invalid_argument(
                        "Server-side encryption is not supported for a stream whose source is a Kinesis data stream; \
                         it relies on the data stream's encryption.",
                    ));
                    }
                    let name = kinesis_source::stream_name(&kinesis.kinesis_stream_arn).ok_or_else(|| {
                        FirehoseError::invalid_argument(format!(
                            "KinesisStreamARN '{}' is not a Kinesis data stream ARN",
                            kinesis.kinesis_stream_arn
                        ))
                    })?;
                    if !kds.streams().contains_key(name) {
                        return Err(FirehoseError::invalid_argument(format!(
                            "Kinesis stream {name} does not exist: {}",
                            kinesis.kinesis_stream_arn
                        )));
                    }
                    Source::Kinesis { stream_arn: kinesis.kinesis_stream_arn, role_arn: kinesis.role_arn }
                }
                ("KinesisStreamAsSource", None) => return Err(FirehoseError::invalid_argument(
                    "KinesisStreamSourceConfiguration is required when DeliveryStreamType is KinesisStreamAsSource.",
                )),
                (other, _) => return Err(destination::refuse(&format!("DeliveryStreamType {other}"))),
            };
        let plan = config.plan(self.settings.profile)?;
        let tags = tag_map(input.tags.unwrap_or_default())?;
        let encryption = match input.delivery_stream_encryption_configuration_input {
            Some(e) => encryption_of(&e)?,
            None => Encryption::disabled(),
        };
        plan.ensure_sinks(sinks);
        let kinesis = match &source {
            Source::Kinesis { stream_arn, .. } => kinesis_source::stream_name(stream_arn).map(KinesisReader::new),
            Source::DirectPut => None,
        };
        let arn = format!("arn:aws:firehose:{}:{}:deliverystream/{name}", self.region, self.account_id);
        let stream = DeliveryStream {
            name: name.clone(),
            arn: arn.clone(),
            version: 1,
            status: StreamStatus::Creating,
            created_at: now,
            updated_at: None,
            settles_at: Some(now + SimDuration::from_millis(self.settings.stream_create_ms)),
            source,
            admission: Admission::new(DirectPutQuota::of(self.settings.profile, &self.region), now),
            buffer: DeliveryStream::buffer_for(&plan),
            processor: plan.processor.clone().map(Processor::new),
            kinesis,
            partitions: None,
            copier: None,
            backup: plan.backup.as_deref().cloned().map(Backup::new),
            rng: self.rng.fork(&name),
            epoch_ms: self.epoch_ms,
            partition_limit: self.settings.active_partitions_max,
            config,
            plan,
            encryption,
            tags,
            waiting: VecDeque::new(),
            deliveries_begun: 0,
            in_flight: Vec::new(),
            freshness_at: None,
            metrics: StreamMetrics::new(self.settings.metrics_window_secs),
            log: VecDeque::new(),
            totals: Totals::default(),
            taps: BTreeMap::new(),
        };
        self.streams.insert(name, stream);
        Ok(json!({ "DeliveryStreamARN": arn }))
    }

    pub(super) fn describe(&self, name: &str) -> Result<Value, FirehoseError> {
        let s = self.stream(name)?;
        let epoch = |t: SimTime| (self.epoch_ms + t.as_millis()) as f64 / 1_000.0;
        let mut encryption = json!({ "Status": s.encryption.status });
        if let Some(key_type) = &s.encryption.key_type {
            encryption["KeyType"] = json!(key_type);
        }
        if let Some(key_arn) = &s.encryption.key_arn {
            encryption["KeyARN"] = json!(key_arn);
        }
        let mut d = json!({
            "DeliveryStreamName": s.name,
            "DeliveryStreamARN": s.arn,
            "DeliveryStreamStatus": s.status.as_str(),
            "DeliveryStreamEncryptionConfiguration": encryption,
            "DeliveryStreamType": match s.source { Source::DirectPut => "DirectPut", Source::Kinesis { .. } => "KinesisStreamAsSource" },
            "VersionId": s.version.to_string(),
            "CreateTimestamp": epoch(s.created_at),
            "Destinations": [destination_description(s)],
            "HasMoreDestinations": false,
        });
        if let Some(updated) = s.updated_at {
            d["LastUpdateTimestamp"] = json!(epoch(updated));
        }
        if let Source::Kinesis { stream_arn, role_arn } = &s.source {
            d["Source"] = json!({ "KinesisStreamSourceDescription": {
                "KinesisStreamARN": stream_arn, "RoleARN": role_arn, "DeliveryStartTimestamp": epoch(s.created_at),
            }});
        }
        Ok(json!({ "DeliveryStreamDescription": d }))
    }

    pub(super) fn list(&self, input: &ListInput) -> Result<Value, FirehoseError> {
        let limit = input.limit.unwrap_or(10) as usize;
        let wanted = input.delivery_stream_type.as_deref();
        let names: Vec<&String> = self
            .streams
            .iter()
            .filter(|(name, _)| input.exclusive_start_delivery_stream_name.as_ref().is_none_or(|start| *name > start))
            .filter(|(_, s)| {
                matches!(
                    (wanted, &s.source),
                    (None, _)
                        | (Some("DirectPut"), Source::DirectPut)
                        | (Some("KinesisStreamAsSource"), Source::Kinesis { .. })
                )
            })
            .map(|(name, _)| name)
            .collect();
        Ok(json!({
            "DeliveryStreamNames": names.iter().take(limit).collect::<Vec<_>>(),
            "HasMoreDeliveryStreams": names.len() > limit,
        }))
    }

    pub(super) fn update_destination(
        &mut self,
        now: SimTime,
        input: UpdateInput,
        sinks: super::Sinks,
    ) -> Result<Value, FirehoseError> {
        let profile = self.settings.profile;
        let s = self.active_stream_mut(&input.delivery_stream_name)?;
        if input.current_delivery_stream_version_id != s.version.to_string() {
            return Err(FirehoseError::new(
                FirehoseErrorKind::ConcurrentModification,
                format!(
                    "Cannot update firehose: {} since the current version id: {} and the specified version id: {} do \
                     not match",
                    s.name, s.version, input.current_delivery_stream_version_id
                ),
            ));
        }
        if input.destination_id != DESTINATION_ID {
            return Err(FirehoseError::invalid_argument(format!(
                "Destination {} not found; this stream's destination is {DESTINATION_ID}",
                input.destination_id
            )));
        }
        let mismatch = |what: &str| {
            FirehoseError::invalid_argument(format!(
                "{what} update does not match this stream's destination type ({})",
                s.config.kind_name()
            ))
        };
        let s3_update = input.extended_s3.or(input.s3);
        let given = [
            s3_update.is_some(),
            input.http.is_some(),
            input.splunk.is_some(),
            input.redshift.is_some(),
            input.opensearch.is_some(),
        ];
        let own = match &s.config {
            DestinationConfig::S3(_) => 0,
            DestinationConfig::Http(_) => 1,
            DestinationConfig::Splunk(_) => 2,
            DestinationConfig::Redshift(_) => 3,
            DestinationConfig::OpenSearch(..) => 4,
        };
        const NAMES: [&str; 5] = [
            "The Extended S3 destination",
            "The HTTP endpoint destination",
            "The Splunk destination",
            "The Redshift destination",
            "The OpenSearch destination",
        ];
        if let Some(other) = (0..5).find(|i| given[*i] && *i != own) {
            return Err(mismatch(NAMES[other]));
        }
        let config = match &s.config {
            DestinationConfig::S3(c) => DestinationConfig::S3(c.merged(&s3_update.unwrap_or_default())),
            DestinationConfig::Http(c) => DestinationConfig::Http(c.merged(&input.http.unwrap_or_default())),
            DestinationConfig::Splunk(c) => DestinationConfig::Splunk(c.merged(&input.splunk.unwrap_or_default())),
            DestinationConfig::Redshift(c) => {
                DestinationConfig::Redshift(c.merged(&input.redshift.unwrap_or_default()))
            }
            DestinationConfig::OpenSearch(c, book) => {
                DestinationConfig::OpenSearch(c.merged(&input.opensearch.unwrap_or_default()), *book)
            }
        };
        let plan = config.plan(profile)?;
        if plan.partitioning.is_some() != s.plan.partitioning.is_some() {
            return Err(FirehoseError::invalid_argument(
                "Dynamic partitioning can only be enabled when a Firehose stream is created, and cannot be disabled.",
            ));
        }
        match (&mut s.backup, plan.backup.as_deref()) {
            (Some(_), None) => {
                return Err(FirehoseError::invalid_argument(
                    "Source-record backup cannot be disabled once it is enabled (S3BackupMode stays Enabled).",
                ))
            }
            (Some(b), Some(new)) => b.plan = new.clone(),
            (None, Some(new)) => s.backup = Some(Backup::new(new.clone())),
            (None, None) => {}
        }
        plan.ensure_sinks(sinks);
        // Records already buffered stay; they are re-buffered under the new hints.
        let old = std::mem::replace(&mut s.buffer, DeliveryStream::buffer_for(&plan));
        for record in old.into_records() {
            let (bytes, arrival) = (record.data.len() as u64, record.arrival);
            if let Some(batch) = s.buffer.append(arrival, record, bytes) {
                s.waiting.push_back((ObjectKind::Data, Batch { flushed_at: now, ..batch }));
            }
        }
        // A changed processor starts afresh; records already in the old stage still go through it.
        if s.processor.as_ref().map(|p| &p.plan) != plan.processor.as_ref() {
            match (&mut s.processor, plan.processor.clone()) {
                (Some(p), Some(new)) => p.plan = new,
                (slot, new) => *slot = new.map(Processor::new),
            }
        }
        s.config = config;
        s.plan = plan;
        s.version += 1;
        s.updated_at = Some(now);
        Ok(json!({}))
    }

    pub(super) fn delete(&mut self, now: SimTime, name: &str) -> Result<Value, FirehoseError> {
        let delete_ms = self.settings.stream_delete_ms;
        let s = self.streams.get_mut(name).ok_or_else(|| not_found(&self.settings, name, &self.account_id))?;
        if s.status != StreamStatus::Deleting {
            // Whatever is still buffered or in flight is discarded with the stream.
            s.buffer = DeliveryStream::buffer_for(&s.plan);
            s.waiting.clear();
            s.in_flight.clear();
            s.processor = s.plan.processor.clone().map(Processor::new);
            s.partitions = None;
            s.copier = None;
            s.backup = s.plan.backup.as_deref().cloned().map(Backup::new);
            s.freshness_at = None;
            s.status = StreamStatus::Deleting;
            s.settles_at = Some(now + SimDuration::from_millis(delete_ms));
        }
        Ok(json!({}))
    }

    pub(super) fn tag(&mut self, name: &str, tags: Vec<Tag>) -> Result<Value, FirehoseError> {
        let s = self.active_stream_mut(name)?;
        let mut merged = s.tags.clone();
        merged.extend(tag_map(tags)?);
        if merged.len() > TAGS_MAX {
            return Err(FirehoseError::new(
                FirehoseErrorKind::LimitExceeded,
                format!("A Firehose stream can have at most {TAGS_MAX} tags; this would give it {}", merged.len()),
            ));
        }
        s.tags = merged;
        Ok(json!({}))
    }

    pub(super) fn untag(&mut self, name: &str, keys: &[String]) -> Result<Value, FirehoseError> {
        let s = self.active_stream_mut(name)?;
        keys.iter().for_each(|k| {
            s.tags.remove(k);
        });
        Ok(json!({}))
    }

    pub(super) fn list_tags(&self, input: &ListTagsInput) -> Result<Value, FirehoseError> {
        let s = self.stream(&input.delivery_stream_name)?;
        let limit = input.limit.unwrap_or(TAGS_MAX as u64) as usize;
        let tags: Vec<Value> = s
            .tags
            .iter()
            .filter(|(k, _)| input.exclusive_start_tag_key.as_ref().is_none_or(|start| *k > start))
            .map(|(k, v)| json!({ "Key": k, "Value": v }))
            .collect();
        Ok(json!({ "Tags": tags.iter().take(limit).collect::<Vec<_>>(), "HasMoreTags": tags.len() > limit }))
    }

    pub(super) fn set_encryption(
        &mut self,
        now: SimTime,
        name: &str,
        input: Option<EncryptionInput>,
    ) -> Result<Value, FirehoseError> {
        let settle = SimDuration::from_millis(self.settings.encryption_change_ms);
        let s = self.active_stream_mut(name)?;
        if matches!(s.source, Source::Kinesis { .. }) {
            return Err(FirehoseError::invalid_argument(
                "Server-side encryption is not supported for a stream whose source is a Kinesis data stream.",
            ));
        }
        if matches!(s.encryption.status, "ENABLING" | "DISABLING") {
            return Err(FirehoseError::new(
                FirehoseErrorKind::ResourceInUse,
                format!("Firehose {} is {}; wait until it settles", s.name, s.encryption.status),
            ));
        }
        s.encryption = match input {
            Some(e) => Encryption { status: "ENABLING", settles_at: Some(now + settle), ..encryption_of(&e)? },
            None if s.encryption.status == "DISABLED" => return Ok(json!({})),
            None => Encryption { status: "DISABLING", settles_at: Some(now + settle), ..s.encryption.clone() },
        };
        Ok(json!({}))
    }

    /// The stream, or ResourceNotFoundException.
    pub(super) fn stream(&self, name: &str) -> Result<&DeliveryStream, FirehoseError> {
        self.streams.get(name).ok_or_else(|| not_found(&self.settings, name, &self.account_id))
    }

    /// The stream when it is ACTIVE: ResourceNotFoundException, or ResourceInUseException while it is
    /// CREATING or DELETING.
    pub(super) fn active_stream_mut(&mut self, name: &str) -> Result<&mut DeliveryStream, FirehoseError> {
        let s = self.streams.get_mut(name).ok_or_else(|| not_found(&self.settings, name, &self.account_id))?;
        if s.status != StreamStatus::Active {
            return Err(FirehoseError::new(
                FirehoseErrorKind::ResourceInUse,
                format!(
                    "{} {} is not in the ACTIVE state; it is {}.",
                    self.settings.stream_noun(),
                    s.name,
                    s.status.as_str()
                ),
            ));
        }
        Ok(s)
    }
}

fn not_found(settings: &super::settings::FirehoseSettings, name: &str, account: &str) -> FirehoseError {
    FirehoseError::new(
        FirehoseErrorKind::ResourceNotFound,
        format!("{} {name} under account {account} not found.", settings.stream_noun()),
    )
}

fn tag_map(tags: Vec<Tag>) -> Result<BTreeMap<String, String>, FirehoseError> {
    if tags.len() > TAGS_MAX {
        return Err(FirehoseError::new(
            FirehoseErrorKind::LimitExceeded,
            format!("A Firehose stream can have at most {TAGS_MAX} tags; {} were given", tags.len()),
        ));
    }
    Ok(tags.into_iter().map(|t| (t.key, t.value.unwrap_or_default())).collect())
}

fn encryption_of(input: &EncryptionInput) -> Result<Encryption, FirehoseError> {
    match (input.key_type.as_str(), &input.key_arn) {
        ("AWS_OWNED_CMK", Some(_)) => {
            Err(FirehoseError::invalid_argument("KeyARN must not be given when KeyType is AWS_OWNED_CMK."))
        }
        ("CUSTOMER_MANAGED_CMK", None) => {
            Err(FirehoseError::invalid_argument("KeyARN is required when KeyType is CUSTOMER_MANAGED_CMK."))
        }
        (key_type, key_arn) => Ok(Encryption {
            status: "ENABLED",
            key_type: Some(key_type.to_string()),
            key_arn: key_arn.clone(),
            settles_at: None,
        }),
    }
}
