//! Dynamic partitioning (spec §1.8, L19, L34, L35): keys from a jq `MetadataExtractionQuery`, one buffer per
//! distinct evaluated prefix (an active partition) with its own size and interval, the 500-active-partition
//! limit (records for new partitions beyond it go to the error prefix as `activePartitionExceeded`), and
//! records whose keys cannot be had go there too. Multi-record de-aggregation (JSON or a delimiter) runs
//! before everything else; `AppendDelimiterToRecord` adds a newline.

use super::buffer::{Buffer, Trigger};
use super::error::FirehoseError;
use super::jq::Query;
use super::metrics::FirehoseMetric as M;
use super::prefix::{Context, ErrorOutputType, KeySource};
use super::stream::{DeliveryStream, Failure, ObjectKind, Record};
use crate::engine::time::{SimDuration, SimTime};
use base64::engine::general_purpose::STANDARD;
use base64::Engine as _;
use serde_json::Value;
use std::collections::BTreeMap;

/// Active partitions per stream by default (L34; raisable to 5,000).
pub const ACTIVE_PARTITIONS_DEFAULT: usize = 500;

/// Multi-record de-aggregation.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Deaggregation {
    /// Concatenated JSON objects (`{"a":1}{"a":2}`).
    Json,
    /// Records separated by this delimiter.
    Delimited(Vec<u8>),
}

/// Partitioning as configured.
#[derive(Clone, Debug, PartialEq)]
pub struct PartitioningPlan {
    pub query: Option<Query>,
    pub deaggregation: Option<Deaggregation>,
    pub append_delimiter: bool,
}

/// The partitions at run time: a buffer per evaluated prefix.
#[derive(Clone, Debug, Default)]
pub struct Partitions {
    pub buffers: BTreeMap<String, Buffer<Record>>,
    /// Error records by their error-output-type, buffered like data.
    pub errors: BTreeMap<ErrorOutputType, Buffer<Record>>,
}

fn parameters(p: &Value) -> BTreeMap<String, String> {
    p.get("Parameters")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(|p| {
            Some((p.get("ParameterName")?.as_str()?.to_string(), p.get("ParameterValue")?.as_str()?.to_string()))
        })
        .collect()
}

/// Reads the partitioning processors; `None` when dynamic partitioning is off (and then they are refused).
pub fn plan(
    enabled: bool,
    processing: Option<&Value>,
    prefix_keys: &[(KeySource, &str)],
) -> Result<Option<PartitioningPlan>, FirehoseError> {
    let invalid = |m: String| FirehoseError::invalid_argument(m);
    let on = processing.filter(|c| c.get("Enabled").and_then(Value::as_bool).unwrap_or(false));
    let processors: Vec<Value> =
        on.and_then(|c| c.get("Processors")).and_then(Value::as_array).cloned().unwrap_or_default();
    let of = |kind: &str| processors.iter().find(|p| p.get("Type").and_then(Value::as_str) == Some(kind));
    if !enabled {
        if let Some(kind) =
            ["MetadataExtraction", "RecordDeAggregation", "AppendDelimiterToRecord"].iter().find(|k| of(k).is_some())
        {
            return Err(invalid(format!("The {kind} processor needs DynamicPartitioningConfiguration enabled")));
        }
        return Ok(None);
    }
    let query = match of("MetadataExtraction") {
        None => None,
        Some(p) => {
            let params = parameters(p);
            if let Some(engine) = params.get("JsonParsingEngine").filter(|e| *e != "JQ-1.6") {
                return Err(invalid(format!("JsonParsingEngine '{engine}' is not JQ-1.6")));
            }
            let text = params
                .get("MetadataExtractionQuery")
                .ok_or_else(|| invalid("The MetadataExtraction processor needs MetadataExtractionQuery".into()))?;
            Some(Query::compile(text).map_err(invalid)?)
        }
    };
    let deaggregation = match of("RecordDeAggregation") {
        None => None,
        Some(p) => {
            let params = parameters(p);
            match params.get("SubRecordType").map(String::as_str) {
                Some("JSON") | None => Some(Deaggregation::Json),
                Some("DELIMITED") => {
                    let text = params
                        .get("Delimiter")
                        .ok_or_else(|| invalid("DELIMITED de-aggregation needs a base64 Delimiter".into()))?;
                    let delimiter = STANDARD.decode(text).ok().filter(|d| !d.is_empty());
                    Some(Deaggregation::Delimited(
                        delimiter.ok_or_else(|| invalid(format!("Delimiter '{text}' is not base64")))?,
                    ))
                }
                Some(other) => return Err(invalid(format!("SubRecordType '{other}' is not JSON or DELIMITED"))),
            }
        }
    };
    for (source, key) in prefix_keys {
        match source {
            KeySource::Query => {
                let known = query.as_ref().is_some_and(|q| q.key_names().contains(key));
                if !known {
                    return Err(invalid(format!(
                        "Prefix uses !{{partitionKeyFromQuery:{key}}}, which the MetadataExtractionQuery does not produce"
                    )));
                }
            }
            KeySource::Lambda => {
                if of("Lambda").is_none() {
                    return Err(invalid(format!(
                        "Prefix uses !{{partitionKeyFromLambda:{key}}}, which needs a Lambda processor to return it"
                    )));
                }
            }
        }
    }
    Ok(Some(PartitioningPlan { query, deaggregation, append_delimiter: of("AppendDelimiterToRecord").is_some() }))
}

/// Splits one incoming record into the records it aggregates.
pub fn deaggregate(plan: &PartitioningPlan, data: Vec<u8>) -> Vec<Vec<u8>> {
    match &plan.deaggregation {
        None => vec![data],
        Some(Deaggregation::Json) => {
            let stream = serde_json::Deserializer::from_slice(&data).into_iter::<Box<serde_json::value::RawValue>>();
            let parts: Result<Vec<Vec<u8>>, _> = stream.map(|v| v.map(|raw| raw.get().as_bytes().to_vec())).collect();
            parts.unwrap_or_else(|_| vec![data])
        }
        Some(Deaggregation::Delimited(d)) => {
            let mut out = Vec::new();
            let mut rest = &data[..];
            while let Some(at) = rest.windows(d.len()).position(|w| w == &d[..]) {
                out.push(rest[..at].to_vec());
                rest = &rest[at + d.len()..];
            }
            out.push(rest.to_vec());
            out.retain(|r| !r.is_empty());
            out
        }
    }
}

/// The number of active partitions: buffers holding records, and partitions still waiting for delivery.
pub fn active(s: &DeliveryStream) -> usize {
    let Some(parts) = &s.partitions else { return 0 };
    let mut prefixes: Vec<&str> =
        parts.buffers.iter().filter(|(_, b)| !b.is_empty()).map(|(p, _)| p.as_str()).collect();
    let delivering = s.waiting.iter().map(|(k, _)| k).chain(s.in_flight.iter().map(|a| &a.kind));
    prefixes.extend(delivering.filter_map(|k| match k {
        ObjectKind::Partition(p) => Some(p.as_str()),
        _ => None,
    }));
    prefixes.sort_unstable();
    prefixes.dedup();
    prefixes.len()
}

/// Routes one record (after any Lambda) to its partition's buffer, or to the error buffers.
pub fn route(s: &mut DeliveryStream, now: SimTime, mut record: Record) {
    let (epoch_ms, limit) = (s.epoch_ms, s.partition_limit);
    let plan = s.plan.partitioning.clone().expect("routing is only for partitioned streams");
    if plan.append_delimiter {
        record.data.push(b'\n');
    }
    let keys = match &plan.query {
        Some(q) => q.extract(&record.data),
        None => Ok(BTreeMap::new()),
    };
    let arrival_epoch_ms = epoch_ms + record.arrival.as_millis();
    let prefix = keys.and_then(|k| {
        let lambda_keys = record.lambda_keys.as_ref();
        let ctx = Context { arrival_epoch_ms, query_keys: Some(&k), lambda_keys, ..Context::default() };
        s.plan.prefixes.prefix.evaluate(&ctx, &mut s.rng)
    });
    let second = now.as_micros() / 1_000_000;
    let prefix = match prefix {
        Ok(prefix) => prefix,
        Err(why) => {
            return error(
                s,
                now,
                record,
                ErrorOutputType::PartitioningFailed,
                "DynamicPartitioning.MetadataExtractionFailed",
                &why,
                epoch_ms,
            )
        }
    };
    let hints = s.plan.hints;
    let known = s.partitions.as_ref().is_some_and(|p| p.buffers.get(&prefix).is_some_and(|b| !b.is_empty()));
    if !known && active(s) >= limit {
        s.metrics.add(second, M::PartitionCountExceeded, 1);
        let why = format!("The active partition count is at its limit of {limit}");
        return error(
            s,
            now,
            record,
            ErrorOutputType::ActivePartitionExceeded,
            "DynamicPartitioning.ActivePartitionExceeded",
            &why,
            epoch_ms,
        );
    }
    let parts = s.partitions.get_or_insert_with(Partitions::default);
    let buffer = parts
        .buffers
        .entry(prefix.clone())
        .or_insert_with(|| Buffer::new(hints.size_bytes, SimDuration::from_secs(hints.interval_secs)));
    let bytes = record.data.len() as u64;
    if let Some(batch) = buffer.append(now, record, bytes) {
        parts.buffers.remove(&prefix);
        s.waiting.push_back((ObjectKind::Partition(prefix), batch));
    }
}

/// A record that cannot be partitioned becomes an error record, buffered by its type.
fn error(
    s: &mut DeliveryStream,
    now: SimTime,
    record: Record,
    kind: ErrorOutputType,
    code: &str,
    message: &str,
    epoch_ms: u64,
) {
    s.totals.partitioning_failed += 1;
    let failed = record.error(Failure { attempts: 1, code, message }, now, epoch_ms, &[]);
    let hints = s.plan.hints;
    let parts = s.partitions.get_or_insert_with(Partitions::default);
    let buffer = parts
        .errors
        .entry(kind)
        .or_insert_with(|| Buffer::new(hints.size_bytes, SimDuration::from_secs(hints.interval_secs)));
    let bytes = failed.data.len() as u64;
    if let Some(batch) = buffer.append(now, failed, bytes) {
        s.waiting.push_back((ObjectKind::Error(kind), batch));
    }
}

/// Flushes the partition and error buffers whose interval ran out. Returns the events handled.
pub fn handle_timeout(s: &mut DeliveryStream, now: SimTime) -> u64 {
    let Some(parts) = s.partitions.as_mut() else { return 0 };
    let mut events = 0;
    let due: Vec<String> =
        parts.buffers.iter().filter(|(_, b)| b.poll_timeout() <= now).map(|(p, _)| p.clone()).collect();
    for prefix in due {
        let mut buffer = parts.buffers.remove(&prefix).expect("listed above");
        if let Some(batch) = buffer.handle_timeout(now) {
            s.waiting.push_back((ObjectKind::Partition(prefix), batch));
            events += 1;
        }
    }
    for (kind, buffer) in parts.errors.iter_mut() {
        if let Some(batch) = buffer.handle_timeout(now) {
            debug_assert_eq!(batch.trigger, Trigger::Interval);
            s.waiting.push_back((ObjectKind::Error(*kind), batch));
            events += 1;
        }
    }
    events
}

/// When a partition or error buffer next runs out.
pub fn poll_timeout(parts: &Partitions) -> SimTime {
    parts.buffers.values().chain(parts.errors.values()).map(Buffer::poll_timeout).min().unwrap_or(SimTime::MAX)
}

/// The oldest record held in the partition and error buffers.
pub fn pending(parts: &Partitions) -> u64 {
    parts.buffers.values().chain(parts.errors.values()).map(|b| b.len() as u64).sum()
}

/// The arrival of the oldest record in the partition buffers.
pub fn oldest(parts: &Partitions) -> Option<SimTime> {
    parts.buffers.values().chain(parts.errors.values()).flat_map(|b| b.records().first()).map(|r| r.arrival).min()
}
