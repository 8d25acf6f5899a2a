//! Delivery to Redshift (spec §1.10): each flushed batch is first written to the intermediate bucket as an
//! S3 object (the S3 rules apply: retried every 5 s, the 24 h loss), then loaded by COPY.
//!
//! - One COPY at a time: the next starts as soon as the previous one finishes, with every object staged
//!   since, listed in a manifest under `<prefix>manifests/yyyy/MM/dd/HH/`. Its duration is the cluster's
//!   (a fixed overhead plus the bytes at the cluster's load rate, settings), not the buffer's.
//! - A failed COPY is tried again every 5 minutes (`firehose.redshift_retry_ms`) while the retry duration,
//!   counted from the first attempt and including it, lasts. Then the batch is skipped: its manifest is
//!   written under `<prefix>errors/manifests/…` [M: the folder] for a manual backfill, and the intermediate
//!   objects stay where they are (Firehose never deletes them).
//! - A COPY that succeeds commits its rows to the table when it ends; DeliveryToRedshift.Records/Bytes/
//!   Success count it.

use super::delivery::{uuid, Env};
use super::metrics::FirehoseMetric as M;
use super::redshift::RedshiftPlan;
use super::stream::{Attempt, DeliveryStream, Outcome};
use crate::engine::kds::datetime::civil_from_days;
use crate::engine::redshift::{CopyOutcome, CopyRequest};
use crate::engine::time::{SimDuration, SimTime};
use serde_json::json;

/// An intermediate object waiting for a COPY.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Staged {
    pub key: String,
    pub records: u64,
    pub bytes: u64,
    pub oldest: SimTime,
}

/// A COPY under way, or waiting to be tried again.
#[derive(Clone, Debug, PartialEq)]
pub struct Copy {
    /// Numbered with the stream's deliveries, for the timeline.
    pub id: u64,
    pub objects: Vec<Staged>,
    pub manifest_key: String,
    pub first_at: SimTime,
    pub attempts: u32,
    /// When it ends (or is tried again).
    pub due: SimTime,
    /// What the COPY running now will do when it ends (`None`: it waits to be tried again).
    pub outcome: Option<CopyOutcome>,
}

/// The COPY side of a Redshift stream.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Copier {
    pub staged: Vec<Staged>,
    pub running: Option<Copy>,
    /// COPYs that loaded, failed attempts, and batches skipped after the retry duration.
    pub loads: u64,
    pub failed_copies: u64,
    pub skipped_batches: u64,
    pub skipped_records: u64,
    /// The last COPY's query id and what it said.
    pub last: Option<String>,
}

impl Copier {
    /// When it next needs the clock.
    pub fn poll_timeout(&self) -> Option<SimTime> {
        self.running.as_ref().map(|c| c.due)
    }

    /// Records staged or being loaded.
    pub fn pending(&self) -> u64 {
        let running: u64 = self.running.iter().flat_map(|c| &c.objects).map(|o| o.records).sum();
        running + self.staged.iter().map(|o| o.records).sum::<u64>()
    }
}

/// An intermediate object was written: it waits for the next COPY, which starts now if none runs.
pub fn staged(s: &mut DeliveryStream, now: SimTime, a: &Attempt, key: String, env: &mut Env) {
    let oldest = a.batch.records.iter().map(|r| r.arrival).min().unwrap_or(a.batch.opened_at);
    let c = s.copier.get_or_insert_with(Copier::default);
    c.staged.push(Staged { key, records: a.batch.records.len() as u64, bytes: a.batch.bytes, oldest });
    if c.running.is_none() {
        start(s, now, env);
    }
}

/// Fires the COPY that is due. Returns the events handled.
pub fn handle_timeout(s: &mut DeliveryStream, now: SimTime, env: &mut Env) -> u64 {
    let Some(c) = s.copier.as_mut() else { return 0 };
    let Some(copy) = c.running.as_mut().filter(|r| r.due <= now) else { return 0 };
    match copy.outcome.take() {
        None => attempt(s, now, env),
        Some(outcome) => finish(s, now, outcome, env),
    }
    1
}

fn plan(s: &DeliveryStream) -> RedshiftPlan {
    match &s.plan.target {
        super::destination::Target::Redshift(r) => r.clone(),
        _ => unreachable!("a copier belongs to a Redshift stream"),
    }
}

/// Starts a COPY of everything staged: its manifest first, then the first attempt.
fn start(s: &mut DeliveryStream, now: SimTime, env: &mut Env) {
    let c = s.copier.as_mut().expect("start follows staging");
    if c.staged.is_empty() {
        return;
    }
    let objects = std::mem::take(&mut c.staged);
    let oldest = objects.iter().map(|o| o.oldest).min().unwrap_or(now);
    let name = manifest_name(s, oldest, env);
    let manifest_key = format!("{}manifests/{name}", fixed_prefix(s));
    s.deliveries_begun += 1;
    let id = s.deliveries_begun;
    let c = s.copier.as_mut().expect("checked above");
    c.running = Some(Copy { id, objects, manifest_key, first_at: now, attempts: 0, due: now, outcome: None });
    attempt(s, now, env);
}

/// One COPY attempt: the manifest is written (again, if an earlier write failed) and the cluster reads it.
fn attempt(s: &mut DeliveryStream, now: SimTime, env: &mut Env) {
    let r = plan(s);
    let bucket = s.plan.bucket.clone();
    let copy = s.copier.as_mut().and_then(|c| c.running.as_mut()).expect("an attempt has its COPY");
    copy.attempts += 1;
    let entries: Vec<_> =
        copy.objects.iter().map(|o| json!({"url": format!("s3://{bucket}/{}", o.key), "mandatory": true})).collect();
    let manifest = json!({ "entries": entries }).to_string().into_bytes();
    if let Err(e) = env.s3.put_object(now, &bucket, &copy.manifest_key, manifest, "application/json") {
        copy.due = now + SimDuration::from_millis(env.settings.s3_retry_ms);
        let error = format!("{}: {} (the COPY's manifest)", e.code, e.message);
        return log(s, now, Outcome::Failed { error });
    }
    let files = copy
        .objects
        .iter()
        .map(|o| {
            let body = env.s3.bucket(&bucket).and_then(|b| b.objects.get(&o.key)).and_then(|o| o.body.clone());
            (format!("s3://{bucket}/{}", o.key), body.unwrap_or_default())
        })
        .collect();
    let request = CopyRequest {
        cluster: &r.cluster,
        table: &r.table,
        columns: r.columns.as_deref(),
        options: &r.copy_options,
        files,
    };
    let outcome = env.clusters.copy(now, &request);
    let bytes: u64 = copy.objects.iter().map(|o| o.bytes).sum();
    let duration_ms = match &outcome {
        CopyOutcome::Loaded { .. } => {
            env.settings.redshift_copy_overhead_ms + bytes * 1_000 / env.settings.redshift_copy_bytes_per_sec.max(1)
        }
        CopyOutcome::Failed { .. } => env.settings.redshift_copy_overhead_ms,
    };
    copy.due = now + SimDuration::from_millis(duration_ms);
    copy.outcome = Some(outcome);
}

/// A COPY ended: its rows are committed, or it is tried again, or the batch is skipped.
fn finish(s: &mut DeliveryStream, now: SimTime, outcome: CopyOutcome, env: &mut Env) {
    let r = plan(s);
    let second = now.as_micros() / 1_000_000;
    let copy = s.copier.as_mut().and_then(|c| c.running.take()).expect("finish follows an attempt");
    let (records, bytes) =
        (copy.objects.iter().map(|o| o.records).sum::<u64>(), copy.objects.iter().map(|o| o.bytes).sum::<u64>());
    match outcome {
        CopyOutcome::Loaded { query, rows, lines, errors } => {
            let loaded = rows.len() as u64;
            env.clusters.commit(now, &r.cluster, &r.table, query, rows, lines);
            s.metrics.add(second, M::DeliveryToRedshiftSuccess, 1);
            s.metrics.add(second, M::DeliveryToRedshiftRecords, records);
            s.metrics.add(second, M::DeliveryToRedshiftBytes, bytes);
            s.totals.delivered_records += records;
            s.totals.delivered_bytes += bytes;
            let c = s.copier.as_mut().expect("a copier runs the COPY");
            c.loads += 1;
            c.last =
                Some(format!("query {query}: {loaded} rows into {}, {errors} load errors within MAXERROR", r.table));
            let objects = copy.objects.len() as u64;
            log_copy(s, now, &copy, Outcome::Copied { table: r.table.clone(), rows: loaded, query, objects });
        }
        CopyOutcome::Failed { code, message } => {
            s.metrics.add(second, M::DeliveryToRedshiftSuccess, 0);
            s.totals.failed_attempts += 1;
            let c = s.copier.as_mut().expect("a copier runs the COPY");
            c.failed_copies += 1;
            c.last = Some(format!("{code}: {message}"));
            let error = format!("{code}: {message}");
            if now.saturating_since(copy.first_at) < SimDuration::from_secs(r.retry_secs) {
                let due = now + SimDuration::from_millis(env.settings.redshift_retry_ms);
                c.running = Some(Copy { due, outcome: None, ..copy.clone() });
                return log_copy(s, now, &copy, Outcome::Failed { error });
            }
            // The retry duration is spent: the batch is skipped; its manifest goes to errors/ for a backfill.
            let key = copy.manifest_key.replacen("manifests/", "errors/manifests/", 1);
            let entries: Vec<_> = copy
                .objects
                .iter()
                .map(|o| json!({"url": format!("s3://{}/{}", s.plan.bucket, o.key), "mandatory": true}))
                .collect();
            let body = json!({ "entries": entries }).to_string().into_bytes();
            if env.s3.put_object(now, &s.plan.bucket, &key, body, "application/json").is_err() {
                // The bucket refuses too: try the skip again after the S3 retry interval.
                let due = now + SimDuration::from_millis(env.settings.s3_retry_ms);
                c.running = Some(Copy { due, outcome: Some(CopyOutcome::Failed { code, message }), ..copy });
                return;
            }
            c.skipped_batches += 1;
            c.skipped_records += records;
            s.totals.error_objects += 1;
            log_copy(s, now, &copy, Outcome::Skipped { records, manifest: key, error });
        }
    }
    start(s, now, env);
}

fn log(s: &mut DeliveryStream, now: SimTime, outcome: Outcome) {
    let copy = s.copier.as_ref().and_then(|c| c.running.clone());
    if let Some(copy) = copy {
        log_copy(s, now, &copy, outcome);
    }
}

fn log_copy(s: &mut DeliveryStream, now: SimTime, copy: &Copy, outcome: Outcome) {
    let records = copy.objects.iter().map(|o| o.records).sum();
    let bytes = copy.objects.iter().map(|o| o.bytes).sum();
    let delivery = super::stream::Delivery {
        id: copy.id,
        at: now,
        records,
        bytes,
        trigger: super::buffer::Trigger::Copy,
        coalesced: copy.objects.len(),
        attempt: copy.attempts,
        outcome,
    };
    s.record_delivery(delivery);
}

/// The Prefix of the intermediate bucket (no expressions for Redshift, so it is the text as given).
fn fixed_prefix(s: &DeliveryStream) -> String {
    s.config.prefix()
}

/// `yyyy/MM/dd/HH/<stream>-<version>-yyyy-MM-dd-HH-mm-ss-<uuid>` at the oldest record's arrival.
fn manifest_name(s: &DeliveryStream, oldest: SimTime, env: &mut Env) -> String {
    let ms = env.epoch_ms + oldest.as_millis();
    let secs = ms / 1_000;
    let (y, mo, d) = civil_from_days((secs / 86_400) as i64);
    let (h, mi, se) = (secs / 3_600 % 24, secs / 60 % 60, secs % 60);
    format!(
        "{y:04}/{mo:02}/{d:02}/{h:02}/{}-{}-{y:04}-{mo:02}-{d:02}-{h:02}-{mi:02}-{se:02}-{}",
        s.name,
        s.version,
        uuid(env.rng)
    )
}
