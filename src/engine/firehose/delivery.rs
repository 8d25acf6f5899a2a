//! Delivery to S3 (spec §1.10, L9, L31, §1.4 step 6): one object per flushed batch, one delivery in flight
//! per stream; a failing bucket is retried every 5 s and blocks the stream in order; batches waiting behind
//! it are coalesced; records older than 24 h are lost. Objects are real bytes under
//! `<evaluated prefix><stream>-<version>-<yyyy-MM-dd-HH-mm-ss>-<uuid><extension>`.

use super::buffer::{coalesce, Batch};
use super::destination::{S3Plan, Target};
use super::endpoint_delivery;
use super::metrics::FirehoseMetric as M;
use super::prefix::Context;
use super::settings::FirehoseSettings;
use super::stream::ObjectKind;
use super::stream::{Attempt, Delivery, DeliveryStream, Outcome, Record};
use crate::engine::functions::Functions;
use crate::engine::kds::datetime::civil_from_days;
use crate::engine::rng::SimRng;
use crate::engine::s3::S3Service;
use crate::engine::time::{SimDuration, SimTime};

/// What a stream's timers need from the service around it.
pub struct Env<'a> {
    pub s3: &'a mut S3Service,
    pub endpoints: &'a mut crate::engine::endpoints::Endpoints,
    pub functions: &'a Functions,
    pub glue: &'a crate::engine::glue::Catalog,
    pub clusters: &'a mut crate::engine::redshift::Clusters,
    pub domains: &'a mut crate::engine::opensearch::Domains,
    pub parquet: Option<crate::columnar::ParquetWriter>,
    pub rng: &'a mut SimRng,
    pub settings: &'a FirehoseSettings,
    pub epoch_ms: u64,
    pub account_id: &'a str,
    pub region: &'a str,
}

/// Fires what is due on one stream at `now`. Returns the events handled.
pub fn handle_timeout(s: &mut DeliveryStream, now: SimTime, env: &mut Env) -> u64 {
    let mut events = super::processing::handle_timeout(s, now, env);
    events += super::backup::handle_timeout(s, now, env);
    events += super::redshift_delivery::handle_timeout(s, now, env);
    events += super::partitioning::handle_timeout(s, now);
    if let Some(batch) = s.buffer.handle_timeout(now) {
        s.waiting.push_back((ObjectKind::Data, batch));
        events += 1;
    }
    let (due, running): (Vec<Attempt>, Vec<Attempt>) =
        std::mem::take(&mut s.in_flight).into_iter().partition(|a| a.due <= now);
    s.in_flight = running;
    for a in due {
        attempt(s, now, a, env);
        events += 1;
    }
    if s.waiting.len() > env.settings.coalesce_after_batches {
        coalesce_waiting(s, env.settings.coalesce_after_batches);
    }
    while s.in_flight.len() < s.parallel_deliveries() {
        let Some((kind, batch)) = s.waiting.pop_front() else { break };
        let due = now + SimDuration::from_millis(env.settings.s3_put_ms);
        s.deliveries_begun += 1;
        let a = Attempt::new(s.deliveries_begun, kind, batch, now, due);
        let a = match (&a.kind, &s.plan.target) {
            (ObjectKind::Data, Target::Endpoint(t)) => endpoint_delivery::first_attempt(s, &t.clone(), now, a),
            // A bulk request is sent at once.
            (ObjectKind::Data, Target::OpenSearch(_)) => Attempt { due: now, ..a },
            _ => a,
        };
        s.in_flight.push(a);
        events += 1;
    }
    if s.freshness_at.is_some_and(|at| at <= now) {
        let second = now.as_micros() / 1_000_000;
        match s.oldest_pending() {
            Some(oldest) => {
                let freshness_s = now.saturating_since(oldest).as_millis() / 1_000;
                s.metrics.add(second, s.plan.target.metrics().freshness, freshness_s);
                s.totals.data_freshness_max_s = s.totals.data_freshness_max_s.max(freshness_s);
                if s.partitions.is_some() {
                    s.metrics.add(second, M::PartitionCount, super::partitioning::active(s) as u64);
                }
                s.freshness_at = Some(SimTime::from_secs(second + 1));
            }
            None => s.freshness_at = None,
        }
        events += 1;
    }
    events
}

/// Catch-up (§1.4 step 6): data batches waiting behind the delivery in flight merge into one; error
/// objects keep their own.
fn coalesce_waiting(s: &mut DeliveryStream, max_waiting: usize) {
    let (errors, data): (Vec<_>, Vec<_>) = s.waiting.drain(..).partition(|(k, _)| *k != ObjectKind::Data);
    let data: Vec<Batch<Record>> = data.into_iter().map(|(_, b)| b).collect();
    s.waiting =
        errors.into_iter().chain(coalesce(data, max_waiting).into_iter().map(|b| (ObjectKind::Data, b))).collect();
}

/// One attempt of the delivery in flight: an endpoint's request is sent or settled; an object is written.
fn attempt(s: &mut DeliveryStream, now: SimTime, mut a: Attempt, env: &mut Env) {
    if let (ObjectKind::Data, Target::Endpoint(t)) = (&a.kind, &s.plan.target) {
        let t = t.clone();
        if a.reply.is_some() {
            return endpoint_delivery::settle(s, &t, now, a, env);
        }
        if expire_logged(s, now, &mut a, env) {
            endpoint_delivery::send(s, &t, now, &mut a, env);
            s.in_flight.push(a);
        }
        return;
    }
    if let (ObjectKind::Data, Target::OpenSearch(t)) = (&a.kind, &s.plan.target) {
        let t = t.clone();
        if a.bulk.is_some() {
            return super::opensearch_delivery::settle(s, &t, now, a, env);
        }
        if expire_logged(s, now, &mut a, env) {
            super::opensearch_delivery::send(s, &t, now, &mut a, env);
            s.in_flight.push(a);
        }
        return;
    }
    a.attempts += 1;
    let second = now.as_micros() / 1_000_000;
    if !expire_logged(s, now, &mut a, env) {
        return;
    }
    let converts = s.plan.conversion.is_some() && !matches!(a.kind, ObjectKind::Error(_));
    if converts && a.body.is_none() {
        match super::conversion_delivery::prepare(s, now, &mut a, env) {
            Ok(true) => {}
            // Every record failed conversion: no data object.
            Ok(false) => return,
            Err(why) => return retry(s, now, a, &why, env),
        }
    }
    let bucket = s.plan.bucket.clone();
    let written = write_object(&s.plan, (&s.name, s.version), &a.kind, &a.batch, a.body.as_deref(), now, env);
    let (key, object_bytes) = match written {
        Ok(written) => written,
        Err(e) => return retry(s, now, a, &format!("{}: {}", e.code, e.message), env),
    };
    let records = a.batch.records.len() as u64;
    s.metrics.add(second, M::DeliveryToS3Success, 1);
    if matches!(a.kind, ObjectKind::Error(_)) {
        s.totals.error_objects += 1;
        s.record_delivery(line(&a, now, Outcome::Delivered { bucket, key, object_bytes }));
        return;
    }
    s.metrics.add(second, M::DeliveryToS3Records, records);
    s.metrics.add(second, M::DeliveryToS3Bytes, a.batch.bytes);
    s.metrics.add(second, M::DeliveryToS3ObjectCount, 1);
    s.totals.objects += 1;
    s.record_delivery(line(&a, now, Outcome::Delivered { bucket, key: key.clone(), object_bytes }));
    if matches!(s.plan.target, Target::Redshift(_)) {
        // An intermediate object: the records are delivered when a COPY loads them.
        return super::redshift_delivery::staged(s, now, &a, key, env);
    }
    s.totals.delivered_records += records;
    s.totals.delivered_bytes += a.batch.bytes;
}

/// A failed S3 write: counted, logged, and tried again after the retry interval (the stream waits).
fn retry(s: &mut DeliveryStream, now: SimTime, mut a: Attempt, error: &str, env: &Env) {
    s.metrics.add(now.as_micros() / 1_000_000, M::DeliveryToS3Success, 0);
    s.totals.failed_attempts += 1;
    s.record_delivery(line(&a, now, Outcome::Failed { error: error.to_string() }));
    a.due = now + SimDuration::from_millis(env.settings.s3_retry_ms);
    s.in_flight.push(a);
}

/// Drops the attempt's records older than the retention and logs their loss; whether any remain.
fn expire_logged(s: &mut DeliveryStream, now: SimTime, a: &mut Attempt, env: &Env) -> bool {
    let lost = expire(&mut a.batch, now, env);
    if lost > 0 {
        s.totals.lost_records += lost;
        s.record_delivery(line(a, now, Outcome::Lost { records: lost }));
    }
    !a.batch.records.is_empty()
}

/// Drops the records older than the retention (L9); returns how many were lost.
pub fn expire(batch: &mut Batch<Record>, now: SimTime, env: &Env) -> u64 {
    let retention = SimDuration::from_millis(env.settings.data_retention_ms);
    let before = batch.records.len();
    batch.records.retain(|r| r.arrival + retention > now);
    let lost = (before - batch.records.len()) as u64;
    if lost > 0 {
        batch.bytes = batch.records.iter().map(|r| r.data.len() as u64).sum();
    }
    lost
}

/// Writes a batch as one object under a plan's bucket and prefixes: the records concatenated, then
/// compressed (or a body made ahead, Parquet). Its key and size, or S3's refusal.
pub fn write_object(
    plan: &S3Plan,
    stream: (&str, u64),
    kind: &ObjectKind,
    batch: &Batch<Record>,
    made: Option<&[u8]>,
    now: SimTime,
    env: &mut Env,
) -> Result<(String, u64), crate::engine::s3::S3Error> {
    env.s3.writable(now, &plan.bucket)?;
    let key = key_for(plan, stream, kind, batch, env);
    let (object, content_type) = match made {
        Some(body) => (body.to_vec(), "application/octet-stream"),
        None => {
            let body: Vec<u8> = batch.records.iter().flat_map(|r| r.data.iter().copied()).collect();
            let entry = key.rsplit('/').next().unwrap_or(&key).trim_end_matches(plan.compression.extension());
            (plan.compression.apply(&body, entry, env.epoch_ms + now.as_millis()), plan.compression.content_type())
        }
    };
    let size = object.len() as u64;
    env.s3.put_object(now, &plan.bucket, &key, object, content_type)?;
    Ok((key, size))
}

/// The timeline's line for attempt `a` at `now`.
pub(super) fn line(a: &Attempt, now: SimTime, outcome: Outcome) -> Delivery {
    Delivery {
        id: a.id,
        at: now,
        records: a.batch.records.len() as u64,
        bytes: a.batch.bytes,
        trigger: a.batch.trigger,
        coalesced: a.batch.coalesced,
        attempt: a.attempts,
        outcome,
    }
}

/// The key of an object of `batch` under a plan's prefixes, for stream (name, version).
fn key_for(plan: &S3Plan, stream: (&str, u64), kind: &ObjectKind, batch: &Batch<Record>, env: &mut Env) -> String {
    let oldest = batch.records.iter().map(|r| r.arrival).min().unwrap_or(batch.opened_at);
    let epoch_ms = env.epoch_ms + oldest.as_millis();
    let (template, error_output_type) = match kind {
        ObjectKind::Data => (&plan.prefixes.prefix, None),
        ObjectKind::Partition(_) => (&plan.prefixes.prefix, None),
        ObjectKind::Error(t) => (&plan.prefixes.error_prefix, Some(t.as_str())),
    };
    let ctx = Context { arrival_epoch_ms: epoch_ms, error_output_type, ..Context::default() };
    let prefix = match kind {
        ObjectKind::Partition(prefix) => prefix.clone(),
        _ => template.evaluate(&ctx, env.rng).unwrap_or_default(),
    };
    let extension = match kind {
        ObjectKind::Error(_) => plan.compression.extension(),
        _ => plan.data_extension(),
    };
    format!("{prefix}{}-{}-{}-{}{extension}", stream.0, stream.1, suffix_time(epoch_ms), uuid(env.rng))
}

/// `yyyy-MM-dd-HH-mm-ss` [M: the same instant as the prefix, the oldest record's arrival].
fn suffix_time(epoch_ms: u64) -> String {
    let secs = epoch_ms / 1_000;
    let (y, mo, d) = civil_from_days((secs / 86_400) as i64);
    format!("{y:04}-{mo:02}-{d:02}-{:02}-{:02}-{:02}", secs / 3_600 % 24, secs / 60 % 60, secs % 60)
}

/// A version-4 UUID from the seeded PRNG.
pub fn uuid(rng: &mut SimRng) -> String {
    let (a, b) = (rng.next_u64(), rng.next_u64());
    let b = (b & 0x3fff_ffff_ffff_ffff) | 0x8000_0000_0000_0000;
    format!(
        "{:08x}-{:04x}-4{:03x}-{:04x}-{:012x}",
        a >> 32,
        (a >> 16) & 0xffff,
        a & 0x0fff,
        b >> 48,
        b & 0xffff_ffff_ffff
    )
}
