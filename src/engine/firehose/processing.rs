//! The Lambda processor stage (spec §1.2, §1.6, L21–L26): its own buffer, synchronous invocations (at most
//! 5 outstanding), retries of failed invocations, and the records' fates — Ok records into the destination
//! buffer (whose interval counts from when they come back), Dropped ones counted, ProcessingFailed ones as
//! error records under `processing-failed`.

use super::buffer::{Batch, Buffer, Trigger};
use super::delivery::Env;
use super::error::FirehoseError;
use super::metrics::FirehoseMetric as M;
use super::prefix::ErrorOutputType;
use super::profile::{DestinationKind, FidelityProfile};
use super::stream::{DeliveryStream, Failure, ObjectKind, Record};
use super::transform::{self, InputRecord, InvocationFailure, RecordResult};
use crate::engine::time::{SimDuration, SimTime};
use serde_json::Value;
use std::collections::VecDeque;

/// Outstanding invocations per stream (L26: 5 per shard for S3; a Direct PUT stream counts as one [M]).
pub const OUTSTANDING_MAX: usize = 5;
/// NumberOfRetries' default and range (L25; the range is [M]).
pub const RETRIES_DEFAULT: u32 = 3;
pub const RETRIES_MAX: u32 = 300;

/// The processor types of the API: a Lambda, and dynamic partitioning's built-in ones.
pub const PROCESSOR_TYPES: [&str; 4] =
    ["Lambda", "MetadataExtraction", "RecordDeAggregation", "AppendDelimiterToRecord"];

/// A processor as configured.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ProcessorPlan {
    pub lambda_arn: String,
    pub retries: u32,
    pub size_bytes: u64,
    pub interval_secs: u64,
}

/// An invocation under way: its outcome is known at its start (the functions are pure) and applied at `due`.
#[derive(Clone, Debug, PartialEq)]
pub struct Invoking {
    pub batch: Batch<Record>,
    pub attempts: u32,
    pub due: SimTime,
    pub duration_ms: u64,
    pub outcome: Result<Vec<RecordResult>, InvocationFailure>,
}

/// The stage at run time.
#[derive(Clone, Debug)]
pub struct Processor {
    pub plan: ProcessorPlan,
    pub buffer: Buffer<Record>,
    pub queued: VecDeque<Batch<Record>>,
    pub invoking: Vec<Invoking>,
}

impl Processor {
    /// An idle stage.
    pub fn new(plan: ProcessorPlan) -> Processor {
        let buffer = Buffer::new(plan.size_bytes, SimDuration::from_secs(plan.interval_secs));
        Processor { plan, buffer, queued: VecDeque::new(), invoking: Vec::new() }
    }

    /// When it next needs the clock.
    pub fn poll_timeout(&self) -> SimTime {
        let next_due = self.invoking.iter().map(|i| i.due).min();
        let start = self.queued.front().filter(|_| self.invoking.len() < OUTSTANDING_MAX).map(|b| b.flushed_at);
        [Some(self.buffer.poll_timeout()), next_due, start].into_iter().flatten().min().unwrap_or(SimTime::MAX)
    }

    /// Records in the stage: buffered, queued or in an invocation.
    pub fn pending(&self) -> u64 {
        let invoking: usize = self.invoking.iter().map(|i| i.batch.records.len()).sum();
        let queued: usize = self.queued.iter().map(|b| b.records.len()).sum();
        (invoking + queued + self.buffer.len()) as u64
    }

    /// The arrival of the oldest record in this stage.
    pub fn oldest(&self) -> Option<SimTime> {
        let invoking = self.invoking.iter().filter_map(|i| i.batch.records.first()).map(|r| r.arrival).min();
        let queued = self.queued.front().and_then(|b| b.records.first()).map(|r| r.arrival);
        [invoking, queued, self.buffer.opened_at()].into_iter().flatten().min()
    }
}

/// Reads `ProcessingConfiguration` (None when absent or disabled).
pub fn plan(
    config: Option<&Value>,
    profile: FidelityProfile,
    destination: DestinationKind,
) -> Result<Option<ProcessorPlan>, FirehoseError> {
    let Some(config) = config.filter(|c| c.get("Enabled").and_then(Value::as_bool).unwrap_or(false)) else {
        return Ok(None);
    };
    let invalid = |m: String| FirehoseError::invalid_argument(m);
    let processors = config.get("Processors").and_then(Value::as_array).cloned().unwrap_or_default();
    let kind = |p: &Value| p.get("Type").and_then(Value::as_str).unwrap_or_default().to_string();
    if let Some(other) = processors.iter().map(kind).find(|k| !PROCESSOR_TYPES.contains(&k.as_str())) {
        return Err(invalid(format!("Processor type '{other}' is not one of {}", PROCESSOR_TYPES.join(", "))));
    }
    let lambdas: Vec<&Value> = processors.iter().filter(|p| kind(p) == "Lambda").collect();
    let processor = match lambdas[..] {
        [] => return Ok(None),
        [one] => one,
        _ => return Err(invalid("ProcessingConfiguration takes at most one Lambda processor".into())),
    };
    let mut plan = ProcessorPlan {
        lambda_arn: String::new(),
        retries: RETRIES_DEFAULT,
        // L21: 256 KB in front of Splunk (the book's ch.8 and the 2023 docs).
        size_bytes: match (destination, profile) {
            (DestinationKind::Splunk, _) => 256 << 10,
            (_, FidelityProfile::Book2021) => 3 << 20,
            _ => 1 << 20,
        },
        interval_secs: 60,
    };
    let min_interval = if profile == FidelityProfile::Api2025 { 0 } else { 60 };
    for p in processor.get("Parameters").and_then(Value::as_array).cloned().unwrap_or_default() {
        let name = p.get("ParameterName").and_then(Value::as_str).unwrap_or_default();
        let value = p.get("ParameterValue").and_then(Value::as_str).unwrap_or_default();
        match name {
            "LambdaArn" => plan.lambda_arn = value.to_string(),
            "RoleArn" => {}
            "NumberOfRetries" => {
                plan.retries = value.parse().ok().filter(|r| *r <= RETRIES_MAX).ok_or_else(|| {
                    invalid(format!("NumberOfRetries '{value}' must be a whole number 0–{RETRIES_MAX}"))
                })?
            }
            "BufferSizeInMBs" => {
                let mb: f64 =
                    value.parse().map_err(|_| invalid(format!("BufferSizeInMBs '{value}' is not a number")))?;
                if !(0.2..=3.0).contains(&mb) {
                    return Err(invalid(format!(
                        "BufferSizeInMBs {value} is out of range for a Lambda processor: 0.2–3 MB"
                    )));
                }
                plan.size_bytes = (mb * 1024.0 * 1024.0) as u64;
            }
            "BufferIntervalInSeconds" => {
                plan.interval_secs =
                    value.parse().ok().filter(|s| (min_interval..=900).contains(s)).ok_or_else(|| {
                        invalid(format!("BufferIntervalInSeconds '{value}' must be {min_interval}–900"))
                    })?
            }
            other => return Err(invalid(format!("Unknown processor parameter {other}"))),
        }
    }
    if !plan.lambda_arn.starts_with("arn:aws:lambda:") {
        return Err(invalid(
            "The Lambda processor needs the parameter LambdaArn (arn:aws:lambda:…:function:name)".into(),
        ));
    }
    Ok(Some(plan))
}

/// Records admitted into a stream with a processor go here first.
pub fn append(p: &mut Processor, now: SimTime, record: Record) {
    let bytes = record.data.len() as u64;
    if let Some(batch) = p.buffer.append(now, record, bytes) {
        p.queued.push_back(batch);
    }
}

/// Fires what is due in the stage. Returns the events handled.
pub fn handle_timeout(s: &mut DeliveryStream, now: SimTime, env: &mut Env) -> u64 {
    let Some(p) = s.processor.as_mut() else { return 0 };
    let mut events = 0;
    if let Some(batch) = p.buffer.handle_timeout(now) {
        p.queued.push_back(batch);
        events += 1;
    }
    let (done, running): (Vec<Invoking>, Vec<Invoking>) =
        std::mem::take(&mut p.invoking).into_iter().partition(|i| i.due <= now);
    p.invoking = running;
    for invocation in done {
        events += 1;
        finish(s, now, invocation, env);
    }
    let p = s.processor.as_mut().expect("checked above");
    while p.invoking.len() < OUTSTANDING_MAX {
        let Some(batch) = p.queued.pop_front() else { break };
        let invocation = start(p, &s.arn, now, batch, 0, env);
        p.invoking.push(invocation);
        events += 1;
    }
    events
}

fn inputs(batch: &Batch<Record>, env: &Env) -> Vec<InputRecord> {
    batch
        .records
        .iter()
        .enumerate()
        .map(|(i, r)| InputRecord {
            record_id: format!("{:020}{i:06}", r.arrival.as_micros()),
            arrival_epoch_ms: env.epoch_ms + r.arrival.as_millis(),
            data: r.data.clone(),
        })
        .collect()
}

fn start(
    p: &Processor,
    stream_arn: &str,
    now: SimTime,
    batch: Batch<Record>,
    attempts: u32,
    env: &mut Env,
) -> Invoking {
    let records = inputs(&batch, env);
    let (outcome, duration_ms) = match env.functions.get(&p.plan.lambda_arn) {
        None => (
            Err(InvocationFailure {
                code: "Lambda.ResourceNotFound",
                message: format!("The Lambda function {} does not exist.", p.plan.lambda_arn),
            }),
            10,
        ),
        Some(f) => {
            let event = transform::event(&format!("{:016x}", env.rng.next_u64()), stream_arn, "", &records);
            let request_bytes = serde_json::to_vec(&event).map_or(0, |b| b.len());
            let timeout_ms = f.timeout_s * 1_000;
            let mut invocation = transform::invoke(&f.builtin, &records, env.rng);
            if request_bytes > transform::PAYLOAD_MAX_BYTES {
                invocation.response = Err("Request payload size exceeded the 6 MB synchronous invocation limit".into());
            } else if invocation.duration_ms > timeout_ms {
                invocation.response = Err(format!("Task timed out after {:.2} seconds", f.timeout_s as f64));
                invocation.duration_ms = timeout_ms;
            }
            let duration = invocation.duration_ms;
            (transform::check(&records, &invocation), duration)
        }
    };
    Invoking {
        batch,
        attempts: attempts + 1,
        due: now + SimDuration::from_millis(duration_ms.max(1)),
        duration_ms,
        outcome,
    }
}

fn finish(s: &mut DeliveryStream, now: SimTime, invocation: Invoking, env: &mut Env) {
    let second = now.as_micros() / 1_000_000;
    s.metrics.add(second, M::ExecuteProcessingDuration, invocation.duration_ms);
    s.metrics.add(second, M::ExecuteProcessingSuccess, invocation.outcome.is_ok() as u64);
    let results = match invocation.outcome {
        Ok(results) => results,
        Err(failure) => {
            let p = s.processor.as_mut().expect("a finished invocation belongs to a processor");
            if invocation.attempts <= p.plan.retries {
                let retry = start(p, &s.arn, now, invocation.batch, invocation.attempts, env);
                p.invoking.push(retry);
                return;
            }
            let n = invocation.batch.records.len();
            let failed = RecordResult::ProcessingFailed { code: failure.code, message: failure.message };
            std::iter::repeat_n(failed, n).collect()
        }
    };
    let lambda_arn = s.processor.as_ref().map(|p| p.plan.lambda_arn.clone()).unwrap_or_default();
    let mut errors = Vec::new();
    for (record, result) in invocation.batch.records.into_iter().zip(results) {
        match result {
            RecordResult::Ok { data, partition_keys } => {
                s.metrics.add(second, M::SucceedProcessingRecords, 1);
                s.metrics.add(second, M::SucceedProcessingBytes, data.len() as u64);
                s.totals.processed_ok += 1;
                let transformed = Record { data, lambda_keys: partition_keys, ..record };
                super::put::to_destination(s, now, transformed);
            }
            RecordResult::Dropped => {
                s.metrics.add(second, M::SucceedProcessingRecords, 1);
                s.totals.dropped += 1;
            }
            RecordResult::ProcessingFailed { code, message } => {
                s.totals.processing_failed += 1;
                let failure = Failure { attempts: invocation.attempts, code, message: &message };
                errors.push(record.error(failure, now, env.epoch_ms, &[("lambdaArn", lambda_arn.clone())]));
            }
        }
    }
    if !errors.is_empty() {
        let bytes = errors.iter().map(|r| r.data.len() as u64).sum();
        let opened_at = errors[0].arrival;
        let batch =
            Batch { records: errors, bytes, opened_at, flushed_at: now, trigger: Trigger::Interval, coalesced: 0 };
        s.waiting.push_back((ObjectKind::Error(ErrorOutputType::ProcessingFailed), batch));
    }
}
