//! Source-record backup (spec §1.1 S3Backup, §1.6): with `S3BackupMode: Enabled`, every record is also
//! written, untransformed, to the backup bucket and prefix, in parallel with the destination and with its
//! own buffering hints and compression. Once enabled it cannot be disabled. A failing backup bucket is
//! retried like the destination's, and loses records after 24 h.

use super::buffer::{Batch, Buffer};
use super::delivery::{expire, write_object, Env};
use super::destination::{ExtendedS3Configuration, S3Plan};
use super::error::FirehoseError;
use super::metrics::FirehoseMetric as M;
use super::profile::FidelityProfile;
use super::stream::{DeliveryStream, ObjectKind, Record};
use crate::engine::time::{SimDuration, SimTime};
use serde_json::Value;
use std::collections::VecDeque;

/// The backup's path at run time.
#[derive(Clone, Debug)]
pub struct Backup {
    pub plan: S3Plan,
    pub buffer: Buffer<Record>,
    pub waiting: VecDeque<Batch<Record>>,
    /// The object being written and when its attempt completes.
    pub in_flight: Option<(Batch<Record>, SimTime)>,
    pub objects: u64,
    pub failed_attempts: u64,
    pub lost_records: u64,
}

impl Backup {
    /// An idle backup path.
    pub fn new(plan: S3Plan) -> Backup {
        let buffer = Buffer::new(plan.hints.size_bytes, SimDuration::from_secs(plan.hints.interval_secs));
        Backup {
            plan,
            buffer,
            waiting: VecDeque::new(),
            in_flight: None,
            objects: 0,
            failed_attempts: 0,
            lost_records: 0,
        }
    }

    /// When it next needs the clock.
    pub fn poll_timeout(&self) -> SimTime {
        let start = self.waiting.front().filter(|_| self.in_flight.is_none()).map(|b| b.flushed_at);
        [Some(self.buffer.poll_timeout()), self.in_flight.as_ref().map(|(_, due)| *due), start]
            .into_iter()
            .flatten()
            .min()
            .unwrap_or(SimTime::MAX)
    }
}

/// Reads `S3BackupMode` and `S3BackupConfiguration` (same members as an S3 destination, without
/// transforms): `None` when backup is disabled.
pub fn plan(
    mode: Option<&str>,
    config: Option<&Value>,
    profile: FidelityProfile,
) -> Result<Option<S3Plan>, FirehoseError> {
    match mode {
        None | Some("Disabled") => Ok(None),
        Some("Enabled") => {
            let config = config.ok_or_else(|| {
                FirehoseError::invalid_argument(
                    "S3BackupMode Enabled needs an S3BackupConfiguration (the backup bucket)",
                )
            })?;
            let backup: ExtendedS3Configuration = serde_json::from_value(config.clone())
                .map_err(|e| FirehoseError::invalid_argument(format!("S3BackupConfiguration: {e}")))?;
            backup
                .plan(profile)
                .map(Some)
                .map_err(|e| FirehoseError::invalid_argument(format!("S3BackupConfiguration: {}", e.message)))
        }
        Some(other) => {
            Err(FirehoseError::invalid_argument(format!("S3BackupMode '{other}' is not Disabled or Enabled")))
        }
    }
}

/// A source record, as it arrived, into the backup buffer.
pub fn append(b: &mut Backup, now: SimTime, record: Record) {
    let bytes = record.data.len() as u64;
    if let Some(batch) = b.buffer.append(now, record, bytes) {
        b.waiting.push_back(batch);
    }
}

/// Fires what is due on the backup path. Returns the events handled.
pub fn handle_timeout(s: &mut DeliveryStream, now: SimTime, env: &mut Env) -> u64 {
    let Some(b) = s.backup.as_mut() else { return 0 };
    let mut events = 0;
    if let Some(batch) = b.buffer.handle_timeout(now) {
        b.waiting.push_back(batch);
        events += 1;
    }
    let second = now.as_micros() / 1_000_000;
    if b.in_flight.as_ref().is_some_and(|(_, due)| *due <= now) {
        events += 1;
        let (mut batch, _) = b.in_flight.take().expect("checked above");
        b.lost_records += expire(&mut batch, now, env);
        if !batch.records.is_empty() {
            match write_object(&b.plan, (&s.name, s.version), &ObjectKind::Data, &batch, None, now, env) {
                Err(_) => {
                    s.metrics.add(second, M::BackupToS3Success, 0);
                    b.failed_attempts += 1;
                    b.in_flight = Some((batch, now + SimDuration::from_millis(env.settings.s3_retry_ms)));
                }
                Ok(_) => {
                    s.metrics.add(second, M::BackupToS3Success, 1);
                    s.metrics.add(second, M::BackupToS3Records, batch.records.len() as u64);
                    s.metrics.add(second, M::BackupToS3Bytes, batch.bytes);
                    b.objects += 1;
                }
            }
        }
    }
    if b.in_flight.is_none() {
        if let Some(batch) = b.waiting.pop_front() {
            b.in_flight = Some((batch, now + SimDuration::from_millis(env.settings.s3_put_ms)));
            events += 1;
        }
    }
    events
}
