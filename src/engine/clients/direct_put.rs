//! A simulated application writing to a Firehose stream with Direct PUT (spec firehose-analytics.md §1.5).
//!
//! Every tick it creates the records its rate curve owes and sends them through the Firehose API:
//! PutRecordBatch calls of at most `max_records` records and 4 MiB, or one PutRecord per record. Entries
//! Firehose refuses (ServiceUnavailableException "Slow down." over the stream's quota) are retried with
//! the same backoff as a Kinesis producer's; a call refused whole is retried when AWS's SDK would retry
//! it (ServiceUnavailableException) and dropped otherwise (a stream still CREATING, a missing stream).
//! Every record ends accepted, waiting, or dropped.

use super::producer::backoff;
use super::stats::ProducerStats;
use crate::engine::firehose::ingest::{BATCH_MAX_BYTES, RECORD_MAX_BYTES};
use crate::engine::firehose::FirehoseRequest;
use crate::engine::rng::SimRng;
use crate::engine::scenario::firehose::{DirectPutApi, DirectPutPlan};
use crate::engine::services::Services;
use crate::engine::time::SimTime;
use crate::engine::{Command, Reply};
use std::collections::BTreeMap;

/// The error code AWS's SDKs retry.
const RETRYABLE: &str = "ServiceUnavailableException";

/// A record on its way: its data and how many times it was sent.
#[derive(Clone, Debug, PartialEq, Eq)]
struct Outgoing {
    data: Vec<u8>,
    attempts: u32,
}

/// A running Direct PUT producer.
#[derive(Debug)]
pub struct DirectPutProducer {
    /// Its compiled plan.
    pub plan: DirectPutPlan,
    rng: SimRng,
    /// True while it sends.
    pub running: bool,
    created_to: f64,
    seq: u64,
    /// Records waiting to be resent, by when.
    retries: BTreeMap<SimTime, Vec<Outgoing>>,
    /// The last whole-call error logged, so a failing stream is logged once, not every tick.
    last_error: Option<String>,
    /// Its counters (throttled: entries refused with ServiceUnavailableException).
    pub stats: ProducerStats,
}

/// What a tick or a retry asks of the host: a retry wake, and lines for the log.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct Outcome {
    pub retry_at: Option<SimTime>,
    pub notes: Vec<String>,
}

impl DirectPutProducer {
    /// A producer that has not started yet.
    pub fn new(plan: DirectPutPlan, rng: SimRng) -> DirectPutProducer {
        DirectPutProducer {
            plan,
            rng,
            running: false,
            created_to: 0.0,
            seq: 0,
            retries: BTreeMap::new(),
            last_error: None,
            stats: ProducerStats::default(),
        }
    }

    /// Starts (or resumes) sending at `now`: records are owed from then on.
    pub fn start(&mut self, now: SimTime) {
        self.running = true;
        self.created_to = now.as_secs_f64();
    }

    /// Stops creating records; retries still run.
    pub fn stop(&mut self) {
        self.running = false;
    }

    /// One tick: create what is owed since the last tick and send it, then the retries due.
    pub fn tick(&mut self, now: SimTime, wall_ms: u64, svc: &mut Services) -> Outcome {
        let mut outcome = Outcome::default();
        if self.running {
            let t_s = now.as_secs_f64();
            let n = self.plan.rate.records_between(self.created_to, t_s);
            self.created_to = t_s;
            let fresh: Vec<Outgoing> = (0..n).map(|_| Outgoing { data: self.body(wall_ms), attempts: 0 }).collect();
            self.stats.user_records += n;
            self.send(now, fresh, svc, &mut outcome);
        }
        self.retry(now, svc, &mut outcome);
        outcome
    }

    /// Resends the records whose backoff is over.
    pub fn retry(&mut self, now: SimTime, svc: &mut Services, outcome: &mut Outcome) {
        let mut due = Vec::new();
        while let Some(entry) = self.retries.first_entry().filter(|e| *e.key() <= now) {
            due.extend(entry.remove());
        }
        if !due.is_empty() {
            self.stats.retried += due.len() as u64;
            self.send(now, due, svc, outcome);
        }
    }

    /// Records created but not yet accepted or dropped.
    pub fn in_flight(&self) -> u64 {
        self.retries.values().map(|r| r.len() as u64).sum()
    }

    fn body(&mut self, wall_ms: u64) -> Vec<u8> {
        self.plan.body.render(&mut self.rng, wall_ms, &self.plan.spec.name, &mut self.seq)
    }

    /// Sends records in calls, in order, and schedules what failed.
    fn send(&mut self, now: SimTime, records: Vec<Outgoing>, svc: &mut Services, outcome: &mut Outcome) {
        let mut failed = Vec::new();
        for call in self.calls(records) {
            self.stats.calls += 1;
            self.stats.sent += call.len() as u64;
            let name = self.plan.spec.delivery_stream.clone();
            let request = match self.plan.spec.api {
                DirectPutApi::PutRecord => FirehoseRequest::PutRecord { name, data: call[0].data.clone() },
                DirectPutApi::PutRecordBatch => {
                    FirehoseRequest::PutRecordBatch { name, records: call.iter().map(|o| o.data.clone()).collect() }
                }
            };
            match svc.execute(now, Command::Firehose(request)) {
                Ok(Reply::Firehose(body)) => {
                    let entries = body.get("RequestResponses").and_then(|r| r.as_array()).cloned().unwrap_or_default();
                    for (i, record) in call.into_iter().enumerate() {
                        match entries.get(i).and_then(|e| e.get("ErrorCode")).and_then(|c| c.as_str()) {
                            None => {
                                self.stats.stored += 1;
                                self.stats.stored_users += 1;
                                self.stats.stored_bytes += record.data.len() as u64;
                            }
                            Some(code) => {
                                if code == RETRYABLE {
                                    self.stats.throttled += 1;
                                } else {
                                    *self.stats.errors.entry(code.to_string()).or_default() += 1;
                                }
                                failed.push(record);
                            }
                        }
                    }
                    self.last_error = None;
                }
                Ok(_) => unreachable!("a Firehose request is answered by Firehose"),
                Err(e) => {
                    let code = e.aws_code();
                    let text = format!("{code}: {}", e.message());
                    if self.last_error.as_deref() != Some(&text) {
                        outcome.notes.push(text.clone());
                        self.last_error = Some(text);
                    }
                    if code == RETRYABLE {
                        self.stats.throttled += call.len() as u64;
                        failed.extend(call);
                    } else {
                        *self.stats.errors.entry(code.to_string()).or_default() += call.len() as u64;
                        self.stats.dropped += call.len() as u64;
                    }
                }
            }
        }
        self.schedule_retry(now, failed, outcome);
    }

    /// Splits records into calls: PutRecordBatch calls of at most `max_records` records and 4 MiB (a
    /// record too big for any call goes alone, for Firehose to refuse); PutRecord calls of one record.
    fn calls(&self, records: Vec<Outgoing>) -> Vec<Vec<Outgoing>> {
        let max = match self.plan.spec.api {
            DirectPutApi::PutRecord => 1,
            DirectPutApi::PutRecordBatch => self.plan.spec.max_records as usize,
        };
        let mut calls: Vec<Vec<Outgoing>> = Vec::new();
        let mut bytes = 0u64;
        for record in records {
            let size = record.data.len() as u64;
            let fits = calls.last().is_some_and(|c| c.len() < max && bytes + size <= BATCH_MAX_BYTES);
            if fits && size <= RECORD_MAX_BYTES {
                bytes += size;
                calls.last_mut().expect("a call to extend").push(record);
            } else {
                bytes = size;
                calls.push(vec![record]);
            }
        }
        calls
    }

    fn schedule_retry(&mut self, now: SimTime, failed: Vec<Outgoing>, outcome: &mut Outcome) {
        let retry = self.plan.spec.retry;
        let mut again = Vec::new();
        for mut record in failed {
            record.attempts += 1;
            if record.attempts >= retry.max_attempts {
                self.stats.dropped += 1;
            } else {
                again.push(record);
            }
        }
        let Some(attempt) = again.iter().map(|o| o.attempts).max() else { return };
        let due = now + backoff(&retry, attempt, &mut self.rng);
        self.retries.entry(due).or_default().extend(again);
        outcome.retry_at = Some(due);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::scenario::Scenario;
    use crate::engine::{Engine, Input};
    use serde_json::json;

    fn plan(api: &str, per_second: f64, bytes: u32) -> crate::engine::scenario::Plan {
        let text = json!({
            "name": "dp", "title": "Direct PUT", "explanation": "A producer. It writes.", "seed": 3,
            "duration_s": 60,
            "calls": [
                {"service": "s3", "action": "CreateBucket", "input": {"Bucket": "bkt"}},
                {"service": "firehose", "action": "CreateDeliveryStream", "input": {
                    "DeliveryStreamName": "d", "ExtendedS3DestinationConfiguration": {
                        "BucketARN": "arn:aws:s3:::bkt", "RoleARN": "arn:aws:iam::123456789012:role/r"}}}
            ],
            "firehose_producers": [{"name": "p", "delivery_stream": "d", "api": api, "start_s": 10,
                "rate": {"kind": "constant", "per_second": per_second}, "size": {"kind": "fixed", "bytes": bytes}}]
        });
        Scenario::load(&text.to_string()).expect("valid")
    }

    fn run(plan: crate::engine::scenario::Plan, to_s: u64) -> Engine {
        let mut engine = Engine::from_plan(plan);
        engine.handle_input(SimTime::from_secs(to_s), Input::Timeout);
        engine
    }

    #[test]
    fn records_reach_the_delivery_stream_in_batches() {
        let engine = run(plan("put_record_batch", 100.0, 200), 20);
        let p = &engine.clients().direct_put[0];
        assert_eq!(p.stats.user_records, 1_000, "100/s from 10 s to 20 s");
        assert_eq!(p.stats.stored, 1_000);
        assert_eq!(p.stats.calls, 100, "one PutRecordBatch per 100 ms tick");
        let totals = engine.firehose().streams()["d"].totals;
        assert_eq!((totals.incoming_records, totals.incoming_bytes), (1_000, 200_000));
    }

    #[test]
    fn put_record_makes_one_call_per_record() {
        let engine = run(plan("put_record", 20.0, 50), 12);
        let p = &engine.clients().direct_put[0];
        assert_eq!((p.stats.calls, p.stats.stored), (40, 40));
    }

    #[test]
    fn over_the_quota_entries_are_throttled_and_retried() {
        // 8 MB/s against us-east-1's 5 MiB/s.
        let engine = run(plan("put_record_batch", 8_000.0, 1_000), 13);
        let p = &engine.clients().direct_put[0];
        assert!(p.stats.throttled > 0 && p.stats.retried > 0, "{:?}", p.stats);
        let totals = engine.firehose().streams()["d"].totals;
        assert_eq!(totals.incoming_records, p.stats.stored, "what Firehose took is what the producer saw taken");
        assert_eq!(p.stats.user_records, p.stats.stored + p.stats.dropped + p.in_flight(), "every record is accounted");
    }

    #[test]
    fn a_stream_still_creating_refuses_the_calls_and_the_log_says_so_once() {
        let mut plan = plan("put_record_batch", 10.0, 10);
        plan.direct_put[0].spec.start_s = 0.0;
        let engine = run(plan, 8);
        let p = &engine.clients().direct_put[0];
        assert!(p.stats.errors["ResourceInUseException"] > 0 && p.stats.stored > 0, "{:?}", p.stats);
        let lines: Vec<_> = engine.clients().log.iter().filter(|l| l.who == "p").collect();
        assert_eq!(lines.len(), 1, "{lines:?}");
        assert!(lines[0].text.starts_with("ResourceInUseException: "), "{lines:?}");
    }
}
