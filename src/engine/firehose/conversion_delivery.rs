//! Record format conversion in the delivery path (spec §1.2 order: after partitioning, before the S3
//! write): a flushed batch is converted once, before its first write. Its records that fail go to the
//! error prefix as `format-conversion-failed`; the rest become the Parquet body that every attempt then
//! writes. Without a Parquet writer yet (the browser's worker loads it on demand) the attempt is retried
//! like a failed write.

use super::buffer::Batch;
use super::conversion::{self, Context};
use super::delivery::Env;
use super::metrics::FirehoseMetric as M;
use super::prefix::ErrorOutputType;
use super::profile::FidelityProfile;
use super::stream::{Attempt, DeliveryStream, ObjectKind};
use crate::engine::time::SimTime;

/// Converts `a`'s batch: true when a data object remains to be written, false when every record failed.
pub fn prepare(s: &mut DeliveryStream, now: SimTime, a: &mut Attempt, env: &mut Env) -> Result<bool, String> {
    let writer = env.parquet.ok_or("The Parquet writer is not loaded yet; the delivery waits for it")?;
    let plan = s.plan.conversion.clone().expect("prepare is called only for converting streams");
    let ctx = Context {
        account_id: env.account_id,
        region: env.region,
        epoch_ms: env.epoch_ms,
        current_names: env.settings.profile == FidelityProfile::Api2025,
    };
    let converted = conversion::convert(&plan, env.glue, &a.batch.records, now, &ctx);
    let body = if converted.job.rows.is_empty() {
        None
    } else {
        Some(writer(&converted.job).map_err(|e| format!("DataFormatConversion.InternalError: {e}"))?)
    };
    let second = now.as_micros() / 1_000_000;
    let (mut ok_records, mut ok_bytes, mut failed_bytes) = (0, 0, 0);
    for (record, ok) in a.batch.records.iter().zip(&converted.ok) {
        let bytes = record.data.len() as u64;
        if *ok {
            ok_records += 1;
            ok_bytes += bytes;
        } else {
            failed_bytes += bytes;
        }
    }
    let failed = converted.errors.len() as u64;
    s.metrics.add(second, M::SucceedConversionRecords, ok_records);
    s.metrics.add(second, M::SucceedConversionBytes, ok_bytes);
    s.metrics.add(second, M::FailedConversionRecords, failed);
    s.metrics.add(second, M::FailedConversionBytes, failed_bytes);
    s.totals.converted_records += ok_records;
    s.totals.conversion_failed += failed;
    if !converted.errors.is_empty() {
        let bytes = converted.errors.iter().map(|r| r.data.len() as u64).sum();
        let (opened_at, trigger) = (a.batch.opened_at, a.batch.trigger);
        let errors = Batch { records: converted.errors, bytes, opened_at, flushed_at: now, trigger, coalesced: 0 };
        s.waiting.push_back((ObjectKind::Error(ErrorOutputType::FormatConversionFailed), errors));
    }
    let mut ok = converted.ok.into_iter();
    a.batch.records.retain(|_| ok.next().unwrap_or(false));
    a.batch.bytes = ok_bytes;
    a.body = body;
    Ok(a.body.is_some())
}
