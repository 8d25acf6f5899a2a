//! Delivery to an HTTP endpoint or a Splunk HEC (spec §1.10), one request at a time and in order:
//!
//! 1. A flushed batch is sent at once (HTTP: at most 10,000 records per request, L37) and the response
//!    timer starts (HTTP: 3 minutes; Splunk: the HEC acknowledgement timeout).
//! 2. Success is a 200 within the timer (HTTP: with the request's own requestId; Splunk: acknowledged).
//! 3. On a failure or a timeout, the retry-duration counter starts at the *first* failure. After each
//!    failure, if time is left, the same request (same requestId) is sent again, and its timer restarts.
//!    Otherwise its records go to the S3 bucket as error records under `http-endpoint-failed` or
//!    `splunk-failed`.
//! 4. HTTP 413 is permanent: the records are neither retried nor backed up. This is the data-loss trap.
//!
//! A receiver that kept the data but answered too late or wrongly gets it again on the retry. The
//! duplicates are visible at the receiver (L43).

use super::delivery::{line, uuid, Env};
use super::destination::Target;
use super::endpoint::{EndpointKind, EndpointPlan, HTTP_RECORDS_MAX};
use super::metrics::FirehoseMetric as M;
use super::stream::{Attempt, DeliveryStream, Failure, ObjectKind, Outcome, Record};
use crate::engine::endpoints::{Reply, Request};
use crate::engine::time::{SimDuration, SimTime};
use base64::engine::general_purpose::STANDARD;
use base64::Engine as _;

/// The first attempt of a flushed batch, to be sent at `now`; an HTTP batch beyond 10,000 records
/// leaves the rest to wait for the next request.
pub fn first_attempt(s: &mut DeliveryStream, t: &EndpointPlan, now: SimTime, mut a: Attempt) -> Attempt {
    if matches!(t.kind, EndpointKind::Http { .. }) && a.batch.records.len() > HTTP_RECORDS_MAX {
        let rest = a.batch.records.split_off(HTTP_RECORDS_MAX);
        let rest_bytes: u64 = rest.iter().map(|r| r.data.len() as u64).sum();
        a.batch.bytes -= rest_bytes;
        let mut tail = a.batch.clone();
        (tail.records, tail.bytes) = (rest, rest_bytes);
        s.waiting.push_front((ObjectKind::Data, tail));
    }
    Attempt { due: now, ..a }
}

/// Sends `a` now. The receiver answers, and the attempt falls due when the answer (or the timeout) comes.
pub fn send(s: &mut DeliveryStream, t: &EndpointPlan, now: SimTime, a: &mut Attempt, env: &mut Env) {
    a.attempts += 1;
    let request_id = a.request_id.get_or_insert_with(|| uuid(env.rng)).clone();
    let body = match t.kind {
        EndpointKind::Http { gzip } => {
            let records: Vec<serde_json::Value> =
                a.batch.records.iter().map(|r| serde_json::json!({ "data": STANDARD.encode(&r.data) })).collect();
            let json = serde_json::json!({
                "requestId": request_id,
                "timestamp": env.epoch_ms + now.as_millis(),
                "records": records,
            });
            let text = json.to_string().into_bytes();
            if gzip {
                super::compress::Compression::Gzip.apply(&text, "", env.epoch_ms + now.as_millis())
            } else {
                text
            }
        }
        EndpointKind::Splunk => a.batch.records.iter().flat_map(|r| r.data.iter().copied()).collect(),
    };
    let (records, bytes) = (a.batch.records.len() as u64, a.batch.bytes);
    let reply = env.endpoints.receive(now, &t.url, Request { request_id: &request_id, records, bytes, body });
    let second = now.as_micros() / 1_000_000;
    if !t.is_splunk() {
        s.metrics.add(second, M::DeliveryToHttpEndpointProcessedRecords, records);
        s.metrics.add(second, M::DeliveryToHttpEndpointProcessedBytes, bytes);
    }
    // AllData / AllEvents: everything sent is also written to the bucket, once.
    if a.attempts == 1 {
        if let Some(b) = s.backup.as_mut() {
            a.batch.records.iter().for_each(|r| super::backup::append(b, now, r.clone()));
        }
    }
    a.due = now + SimDuration::from_millis(reply.after_ms.min(t.timeout_secs * 1_000));
    a.reply = Some(reply);
}

/// What an answer means.
enum Verdict {
    Delivered,
    Retriable { code: &'static str, message: String },
    Permanent { code: &'static str, message: String },
}

fn verdict(t: &EndpointPlan, reply: Reply, request_id: &str, epoch_ms: u64) -> Verdict {
    let timed_out = reply.after_ms > t.timeout_secs * 1_000;
    let answered = |status: u16, error: &str| {
        format!(
            "The following response was received from the endpoint destination. {status}: {{\"requestId\": \
             \"{request_id}\", \"timestamp\": {epoch_ms}, \"errorMessage\": \"{error}\"}}"
        )
    };
    match (&t.kind, timed_out, reply.status) {
        (EndpointKind::Splunk, true, _) => Verdict::Retriable {
            code: "Splunk.AckTimeout",
            message: "Did not receive an acknowledgement from HEC before the HEC acknowledgement timeout expired. \
                      Despite the acknowledgement timeout, it's possible the data was indexed successfully in \
                      Splunk. Amazon Data Firehose backs up in Amazon S3 data for which the acknowledgement \
                      timeout expired."
                .into(),
        },
        (EndpointKind::Splunk, false, 200) => Verdict::Delivered,
        (EndpointKind::Splunk, false, status) => Verdict::Retriable {
            code: "Splunk.ServerError",
            message: format!("The Splunk HEC answered {status}; the data was not indexed."),
        },
        (EndpointKind::Http { .. }, true, _) => Verdict::Retriable {
            code: "HttpEndpoint.RequestTimeout",
            message: format!("The endpoint did not respond within {} seconds.", t.timeout_secs),
        },
        (EndpointKind::Http { .. }, false, 200) if reply.echoes_request_id => Verdict::Delivered,
        (EndpointKind::Http { .. }, false, 200) => Verdict::Retriable {
            code: "HttpEndpoint.InvalidResponseFromDestination",
            message: "The response received from the endpoint is invalid: its requestId does not match the \
                      request's."
                .into(),
        },
        (EndpointKind::Http { .. }, false, 413) => Verdict::Permanent {
            code: "HttpEndpoint.DestinationException",
            message: answered(413, "Payload too large"),
        },
        (EndpointKind::Http { .. }, false, status) => Verdict::Retriable {
            code: "HttpEndpoint.DestinationException",
            message: answered(status, "Internal server error"),
        },
    }
}

/// Applies the answer to `a`, which has fallen due at `now`.
pub fn settle(s: &mut DeliveryStream, t: &EndpointPlan, now: SimTime, mut a: Attempt, env: &mut Env) {
    let reply = a.reply.take().expect("an attempt falls due to be settled only once sent");
    let request_id = a.request_id.clone().unwrap_or_default();
    let second = now.as_micros() / 1_000_000;
    let (records, bytes) = (a.batch.records.len() as u64, a.batch.bytes);
    let family = Target::Endpoint(t.clone()).metrics();
    let success = family.success;
    let (code, message) = match verdict(t, reply, &request_id, env.epoch_ms + now.as_millis()) {
        Verdict::Delivered => {
            s.metrics.add(second, success, 1);
            s.metrics.add(second, family.records, records);
            s.metrics.add(second, family.bytes, bytes);
            if t.is_splunk() {
                s.metrics.add(second, M::DeliveryToSplunkDataAckLatency, reply.after_ms);
            }
            s.totals.delivered_records += records;
            s.totals.delivered_bytes += bytes;
            let outcome = Outcome::Accepted { endpoint: t.url.clone(), request_id, after_ms: reply.after_ms };
            s.record_delivery(line(&a, now, outcome));
            return;
        }
        Verdict::Permanent { code, message } => {
            s.metrics.add(second, success, 0);
            s.totals.failed_attempts += 1;
            s.totals.lost_records += records;
            s.record_delivery(line(&a, now, Outcome::Discarded { records, error: format!("{code}: {message}") }));
            return;
        }
        Verdict::Retriable { code, message } => (code, message),
    };
    s.metrics.add(second, success, 0);
    s.totals.failed_attempts += 1;
    s.record_delivery(line(&a, now, Outcome::Failed { error: format!("{code}: {message}") }));
    let first_failure = *a.first_failure.get_or_insert(now);
    if now.saturating_since(first_failure) < SimDuration::from_secs(t.retry_secs) {
        a.due = now + SimDuration::from_millis(env.settings.endpoint_retry_ms);
        s.in_flight.push(a);
        return;
    }
    // The retry duration is spent: the records go to the bucket as error records.
    let folder = t.failed_type().as_str().to_string();
    s.record_delivery(line(&a, now, Outcome::BackedUp { records, folder }));
    let failure = Failure { attempts: a.attempts, code, message: &message };
    let id_member = if t.is_splunk() { "EventId" } else { "dataId" };
    let errors: Vec<Record> = a
        .batch
        .records
        .iter()
        .enumerate()
        .map(|(i, r)| r.error(failure, now, env.epoch_ms, &[(id_member, format!("{request_id}.{i}"))]))
        .collect();
    s.totals.endpoint_failed_records += records;
    let bytes = errors.iter().map(|r| r.data.len() as u64).sum();
    let batch = super::buffer::Batch { records: errors, bytes, flushed_at: now, ..a.batch };
    s.waiting.push_back((ObjectKind::Error(t.failed_type()), batch));
}
