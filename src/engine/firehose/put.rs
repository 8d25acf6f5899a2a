//! PutRecord and PutRecordBatch (spec §1.5): admission through the Direct PUT quota, a RecordId per
//! accepted record, per-record "Slow down." failures, and the records into the destination buffer.

use super::destination::Target;
use super::error::{FirehoseError, FirehoseErrorKind};
use super::metrics::FirehoseMetric as M;
use super::stream::{DeliveryStream, Record, Source};
use super::FirehoseService;
use crate::engine::rng::SimRng;
use crate::engine::time::{SimDuration, SimTime};
use serde_json::{json, Value};

impl FirehoseService {
    pub(super) fn put_record(&mut self, now: SimTime, name: &str, data: Vec<u8>) -> Result<Value, FirehoseError> {
        let s = self.active_stream_mut(name)?;
        refuse_kinesis_source(s)?;
        let second = now.as_micros() / 1_000_000;
        let bytes = data.len() as u64;
        s.metrics.add(second, M::IncomingPutRequests, 1);
        s.metrics.add(second, M::PutRecordRequests, 1);
        if let Err(e) = s.admission.put_record(now, bytes) {
            if e.kind == FirehoseErrorKind::ServiceUnavailable {
                s.metrics.add(second, M::ThrottledRecords, 1);
                s.totals.throttled_records += 1;
            }
            return Err(e);
        }
        s.metrics.add(second, M::PutRecordBytes, bytes);
        let encrypted = s.encryption.status == "ENABLED";
        admit(s, now, data);
        let id = record_id(&mut self.rng);
        Ok(json!({ "RecordId": id, "Encrypted": encrypted }))
    }

    pub(super) fn put_record_batch(
        &mut self,
        now: SimTime,
        name: &str,
        records: Vec<Vec<u8>>,
    ) -> Result<Value, FirehoseError> {
        // The errors AWS gives for a missing or inactive stream; the stream is then borrowed from the map
        // alone, so RecordIds can draw on the service's PRNG while it is held.
        self.active_stream_mut(name)?;
        let s = self.streams.get_mut(name).expect("active_stream_mut found it");
        refuse_kinesis_source(s)?;
        let second = now.as_micros() / 1_000_000;
        let sizes: Vec<u64> = records.iter().map(|r| r.len() as u64).collect();
        s.metrics.add(second, M::IncomingPutRequests, 1);
        s.metrics.add(second, M::PutRecordBatchRequests, 1);
        let admitted = s.admission.put_batch(now, &sizes)?;
        let encrypted = s.encryption.status == "ENABLED";
        let mut responses = Vec::with_capacity(records.len());
        let mut failed = 0;
        let mut accepted_bytes = 0;
        for (data, outcome) in records.into_iter().zip(admitted) {
            match outcome {
                Ok(()) => {
                    accepted_bytes += data.len() as u64;
                    admit(s, now, data);
                    responses.push(json!({ "RecordId": record_id(&mut self.rng) }));
                }
                Err(e) => {
                    failed += 1;
                    responses.push(json!({ "ErrorCode": e.kind.aws_code(), "ErrorMessage": e.message }));
                }
            }
        }
        s.metrics.add(second, M::PutRecordBatchRecords, responses.len() as u64 - failed);
        s.metrics.add(second, M::PutRecordBatchBytes, accepted_bytes);
        if failed > 0 {
            s.metrics.add(second, M::ThrottledRecords, failed);
            s.totals.throttled_records += failed;
        }
        Ok(json!({ "FailedPutCount": failed, "Encrypted": encrypted, "RequestResponses": responses }))
    }
}

fn refuse_kinesis_source(s: &DeliveryStream) -> Result<(), FirehoseError> {
    if matches!(s.source, Source::Kinesis { .. }) {
        return Err(FirehoseError::invalid_argument(
            "This operation is not permitted on KinesisStreamAsSource delivery stream type.",
        ));
    }
    Ok(())
}

/// An accepted Direct PUT record: counted, then into the stream.
pub(super) fn admit(s: &mut DeliveryStream, now: SimTime, data: Vec<u8>) {
    let second = now.as_micros() / 1_000_000;
    let bytes = data.len() as u64;
    s.metrics.add(second, M::IncomingRecords, 1);
    s.metrics.add(second, M::IncomingBytes, bytes);
    enter(s, now, data, None);
}

/// A record enters the stream (from Direct PUT, or the Kinesis source with its sequence number):
/// de-aggregated when partitioning asks for it, then into the processor stage when there is one, else on
/// to the destination.
pub(super) fn enter(s: &mut DeliveryStream, now: SimTime, data: Vec<u8>, sequence_number: Option<String>) {
    let second = now.as_micros() / 1_000_000;
    s.totals.incoming_records += 1;
    s.totals.incoming_bytes += data.len() as u64;
    s.totals.billed_bytes += super::ingest::billed_bytes(data.len() as u64);
    super::tap::feed(s, &data);
    // Source-record backup (an endpoint's backup takes what is sent instead).
    if let (Some(b), Target::S3 | Target::Redshift(_)) = (s.backup.as_mut(), &s.plan.target) {
        super::backup::append(b, now, Record::new(data.clone(), now));
    }
    let parts = match &s.plan.partitioning {
        Some(plan) => super::partitioning::deaggregate(plan, data),
        None => vec![data],
    };
    for data in parts {
        let record = Record { sequence_number: sequence_number.clone(), ..Record::new(data, now) };
        match s.processor.as_mut() {
            Some(p) => super::processing::append(p, now, record),
            None => to_destination(s, now, record),
        }
    }
    if s.freshness_at.is_none() {
        s.freshness_at = Some(SimTime::from_secs(second) + SimDuration::from_secs(1));
    }
}

/// A record on its way to the destination: into its partition's buffer, or the destination buffer.
pub(super) fn to_destination(s: &mut DeliveryStream, now: SimTime, record: Record) {
    if s.plan.partitioning.is_some() {
        return super::partitioning::route(s, now, record);
    }
    let bytes = record.data.len() as u64;
    if let Some(batch) = s.buffer.append(now, record, bytes) {
        s.waiting.push_back((super::stream::ObjectKind::Data, batch));
    }
}

/// An opaque RecordId [M: AWS's are long opaque strings; these are 48 hex digits from the seeded PRNG].
fn record_id(rng: &mut SimRng) -> String {
    (0..3).map(|_| format!("{:016x}", rng.next_u64())).collect()
}
