//! Delivery to OpenSearch (spec §1.10): one `_bulk` request per flushed batch, in order.
//!
//! - Each record is a document with an id Firehose gives it on the first attempt and keeps on every retry,
//!   so a retried document overwrites rather than duplicates; its index is the configured name rotated by
//!   the record's arrival time (UTC).
//! - A request refused as a whole (no connection, 429, a read-only cluster) is tried again, every
//!   `firehose.opensearch_retry_ms` [M: "every 5 minutes"], while the retry duration — counted from the
//!   first attempt, including it — lasts; so are the documents the bulk response refused one by one. Then
//!   the documents still not indexed go to the S3 bucket as error records under
//!   `AmazonOpenSearchService-failed` (`elasticsearch-failed` in the book's era), with the envelope's
//!   `esDocumentId`, `esIndexName` and `esTypeName`.
//! - DeliveryToAmazonOpenSearchService.Records/Bytes count indexed documents; `.Success` is 1 for a
//!   request every document of which was indexed.

use super::delivery::{line, uuid, Env};
use super::destination::Target;
use super::opensearch::OpenSearchPlan;
use super::prefix::ErrorOutputType;
use super::stream::{Attempt, DeliveryStream, Failure, ObjectKind, Outcome, Record};
use crate::engine::opensearch::{BulkItem, BulkReply};
use crate::engine::time::{SimDuration, SimTime};

/// Sends `a` now; the attempt falls due when the domain answers.
pub fn send(s: &mut DeliveryStream, t: &OpenSearchPlan, now: SimTime, a: &mut Attempt, env: &mut Env) {
    a.attempts += 1;
    if a.doc_ids.len() != a.batch.records.len() {
        let base = uuid(env.rng).replace('-', "");
        a.doc_ids = (0..a.batch.records.len()).map(|i| format!("{}-{i}", &base[..20])).collect();
        // AllDocuments: everything is also written to the bucket, once.
        if let Some(b) = s.backup.as_mut() {
            a.batch.records.iter().for_each(|r| super::backup::append(b, now, r.clone()));
        }
    }
    let indices: Vec<String> =
        a.batch.records.iter().map(|r| t.index_at(env.epoch_ms + r.arrival.as_millis())).collect();
    let items: Vec<BulkItem> = a
        .batch
        .records
        .iter()
        .zip(&a.doc_ids)
        .zip(&indices)
        .map(|((r, id), index)| BulkItem { index, id, source: &r.data })
        .collect();
    let (reply, latency_ms) = env.domains.bulk(now, &t.domain, &items);
    a.due = now + SimDuration::from_millis(latency_ms);
    a.bulk = Some(reply);
}

/// Applies the domain's answer to `a`, which has fallen due at `now`.
pub fn settle(s: &mut DeliveryStream, t: &OpenSearchPlan, now: SimTime, mut a: Attempt, env: &mut Env) {
    let reply = a.bulk.take().expect("an attempt falls due to be settled only once sent");
    let second = now.as_micros() / 1_000_000;
    let family = Target::OpenSearch(t.clone()).metrics();
    let errors: Vec<Option<(String, String)>> = match reply {
        BulkReply::Refused { status, error } => {
            let code = if status == 0 { "OS.ConnectionFailed".to_string() } else { status.to_string() };
            vec![Some((code, error)); a.batch.records.len()]
        }
        BulkReply::Items(items) => items.into_iter().map(|i| i.map(|(status, e)| (status.to_string(), e))).collect(),
    };
    let (mut indexed, mut indexed_bytes) = (0, 0);
    for (record, e) in a.batch.records.iter().zip(&errors) {
        if e.is_none() {
            indexed += 1;
            indexed_bytes += record.data.len() as u64;
        }
    }
    s.metrics.add(second, family.success, u64::from(indexed == a.batch.records.len() as u64));
    s.metrics.add(second, family.records, indexed);
    s.metrics.add(second, family.bytes, indexed_bytes);
    s.totals.delivered_records += indexed;
    s.totals.delivered_bytes += indexed_bytes;
    let failed = a.batch.records.len() as u64 - indexed;
    if failed == 0 {
        let outcome = Outcome::Indexed { domain: t.domain.clone(), documents: indexed };
        return s.record_delivery(line(&a, now, outcome));
    }
    s.totals.failed_attempts += 1;
    let first_error = errors.iter().flatten().next().cloned().unwrap_or_default();
    let summary = format!(
        "{failed} of {} documents not indexed; first: {}: {}",
        a.batch.records.len(),
        first_error.0,
        first_error.1
    );
    s.record_delivery(line(&a, now, Outcome::Failed { error: summary }));
    // Only the documents not indexed are tried again, with their own ids.
    let keep: Vec<bool> = errors.iter().map(Option::is_some).collect();
    let mut k = keep.iter();
    a.batch.records.retain(|_| *k.next().unwrap_or(&false));
    let mut k = keep.iter();
    a.doc_ids.retain(|_| *k.next().unwrap_or(&false));
    a.batch.bytes = a.batch.records.iter().map(|r| r.data.len() as u64).sum();
    let last: Vec<(String, String)> = errors.into_iter().flatten().collect();
    if now.saturating_since(a.first_at) < SimDuration::from_secs(t.retry_secs) {
        a.due = now + SimDuration::from_millis(env.settings.opensearch_retry_ms);
        a.doc_errors = last;
        s.in_flight.push(a);
        return;
    }
    // The retry duration is spent: the documents go to the bucket as error records.
    let folder = if t.elasticsearch { ErrorOutputType::ElasticsearchFailed } else { ErrorOutputType::OpenSearchFailed };
    let given_up = Outcome::BackedUp { records: a.batch.records.len() as u64, folder: folder.as_str().to_string() };
    s.record_delivery(line(&a, now, given_up));
    let records: Vec<Record> = a
        .batch
        .records
        .iter()
        .zip(&a.doc_ids)
        .zip(&last)
        .map(|((r, id), (code, message))| {
            let failure = Failure { attempts: a.attempts, code, message };
            let extra = [
                ("esDocumentId", id.clone()),
                ("esIndexName", t.index_at(env.epoch_ms + r.arrival.as_millis())),
                ("esTypeName", t.type_name.clone().unwrap_or_default()),
            ];
            r.error(failure, now, env.epoch_ms, &extra)
        })
        .collect();
    s.totals.endpoint_failed_records += records.len() as u64;
    let bytes = records.iter().map(|r| r.data.len() as u64).sum();
    let batch = super::buffer::Batch { records, bytes, flushed_at: now, coalesced: 0, ..a.batch };
    s.waiting.push_back((ObjectKind::Error(folder), batch));
}
