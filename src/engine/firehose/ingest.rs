//! Direct PUT admission (spec firehose-analytics.md §1.3 L3–L7, §1.5): record and batch size limits, and
//! the per-stream throughput quota in three dimensions (records, requests and bytes per second). A batch
//! over a limit is refused whole; records over the quota fail one by one with ServiceUnavailableException
//! "Slow down." and the producer must resend them.

use super::error::FirehoseError;
use super::profile::FidelityProfile;
use crate::engine::kds::bucket::TokenBucket;
use crate::engine::time::{SimDuration, SimTime};

/// The largest record, before base64 (L3: 1,000 KiB).
pub const RECORD_MAX_BYTES: u64 = 1_024_000;
/// PutRecordBatch's record limit (L4).
pub const BATCH_MAX_RECORDS: usize = 500;
/// PutRecordBatch's size limit (L4: 4 MiB).
pub const BATCH_MAX_BYTES: u64 = 4 * 1024 * 1024;

/// Ingestion is billed per record rounded up to this increment (L41: a 23 KB record bills 25 KB).
pub const BILLING_INCREMENT_BYTES: u64 = 5 * 1024;

/// The bytes a record of `len` bytes is billed for.
pub fn billed_bytes(len: u64) -> u64 {
    len.div_ceil(BILLING_INCREMENT_BYTES).max(1) * BILLING_INCREMENT_BYTES
}

/// A stream's Direct PUT quota.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct DirectPutQuota {
    pub records_per_sec: u64,
    pub requests_per_sec: u64,
    pub bytes_per_sec: u64,
}

impl DirectPutQuota {
    /// The quota of a region under a profile (L5, L6).
    pub fn of(profile: FidelityProfile, region: &str) -> DirectPutQuota {
        let big_region = matches!(region, "us-east-1" | "us-west-2" | "eu-west-1");
        let mib = 1024 * 1024;
        match (profile, big_region) {
            (FidelityProfile::Book2021, true) => {
                DirectPutQuota { records_per_sec: 5_000, requests_per_sec: 2_000, bytes_per_sec: 5 * mib }
            }
            (FidelityProfile::Book2021, false) => {
                DirectPutQuota { records_per_sec: 1_000, requests_per_sec: 1_000, bytes_per_sec: mib }
            }
            (_, true) => DirectPutQuota { records_per_sec: 500_000, requests_per_sec: 2_000, bytes_per_sec: 5 * mib },
            (_, false) => DirectPutQuota { records_per_sec: 100_000, requests_per_sec: 1_000, bytes_per_sec: mib },
        }
    }

    /// A raised quota: the three dimensions scale together with the bytes (L7: 5 → 10 MiB/s gives
    /// 4,000 requests/s).
    pub fn raised_to(self, bytes_per_sec: u64) -> DirectPutQuota {
        let scale = |v: u64| ((v as u128 * bytes_per_sec as u128) / self.bytes_per_sec.max(1) as u128) as u64;
        DirectPutQuota {
            records_per_sec: scale(self.records_per_sec),
            requests_per_sec: scale(self.requests_per_sec),
            bytes_per_sec,
        }
    }
}

/// One stream's Direct PUT buckets.
#[derive(Clone, Debug)]
pub struct Admission {
    quota: DirectPutQuota,
    records: TokenBucket,
    requests: TokenBucket,
    bytes: TokenBucket,
}

/// What became of each record of a call, in request order: `Ok` or why it failed.
pub type Admitted = Vec<Result<(), FirehoseError>>;

impl Admission {
    /// Full buckets with one second of burst.
    pub fn new(quota: DirectPutQuota, now: SimTime) -> Admission {
        let second = SimDuration::from_secs(1);
        Admission {
            quota,
            records: TokenBucket::full(quota.records_per_sec, second, now),
            requests: TokenBucket::full(quota.requests_per_sec, second, now),
            bytes: TokenBucket::full(quota.bytes_per_sec, second, now),
        }
    }

    /// The quota in force.
    pub fn quota(&self) -> DirectPutQuota {
        self.quota
    }

    /// PutRecord: the record is admitted, or the call fails (size, then throttling).
    pub fn put_record(&mut self, now: SimTime, bytes: u64) -> Result<(), FirehoseError> {
        check_record(0, bytes)?;
        if !self.requests.has(1, now) || !self.records.has(1, now) || !self.bytes.has(bytes, now) {
            return Err(FirehoseError::slow_down());
        }
        self.requests.take_refilled(1);
        self.records.take_refilled(1);
        self.bytes.take_refilled(bytes);
        Ok(())
    }

    /// PutRecordBatch: a batch over a limit fails whole; otherwise each record is admitted in order while
    /// the quota lasts, and the rest fail with "Slow down.".
    pub fn put_batch(&mut self, now: SimTime, sizes: &[u64]) -> Result<Admitted, FirehoseError> {
        if sizes.is_empty() || sizes.len() > BATCH_MAX_RECORDS {
            return Err(FirehoseError::invalid_argument(format!(
                "Records has {} entries; PutRecordBatch takes 1–{BATCH_MAX_RECORDS}",
                sizes.len()
            )));
        }
        for (i, bytes) in sizes.iter().enumerate() {
            check_record(i, *bytes)?;
        }
        let total: u64 = sizes.iter().sum();
        if total > BATCH_MAX_BYTES {
            return Err(FirehoseError::invalid_argument(format!(
                "the batch holds {total} bytes; PutRecordBatch takes at most {BATCH_MAX_BYTES} (4 MiB)"
            )));
        }
        if !self.requests.try_take(1, now) {
            return Err(FirehoseError::slow_down());
        }
        Ok(sizes
            .iter()
            .map(|bytes| {
                if self.records.has(1, now) && self.bytes.has(*bytes, now) {
                    self.records.take_refilled(1);
                    self.bytes.take_refilled(*bytes);
                    Ok(())
                } else {
                    Err(FirehoseError::slow_down())
                }
            })
            .collect())
    }
}

fn check_record(index: usize, bytes: u64) -> Result<(), FirehoseError> {
    if bytes == 0 || bytes > RECORD_MAX_BYTES {
        return Err(FirehoseError::invalid_argument(format!(
            "record {index} holds {bytes} bytes; a record must be 1–{RECORD_MAX_BYTES} bytes (1,000 KiB) before base64"
        )));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::firehose::error::FirehoseErrorKind;

    #[test]
    fn records_bill_in_5_kb_increments() {
        assert_eq!(billed_bytes(1), 5_120);
        assert_eq!(billed_bytes(5_120), 5_120);
        assert_eq!(billed_bytes(5_121), 10_240);
        assert_eq!(billed_bytes(23 * 1024), 25 * 1024, "the spec's example: 23 KB bills 25 KB");
    }

    #[test]
    fn quotas_follow_the_profile_and_region_and_scale_together() {
        let book = DirectPutQuota::of(FidelityProfile::Book2021, "us-east-1");
        assert_eq!((book.records_per_sec, book.requests_per_sec, book.bytes_per_sec), (5_000, 2_000, 5 << 20));
        assert_eq!(DirectPutQuota::of(FidelityProfile::Docs2023, "us-west-2").records_per_sec, 500_000);
        assert_eq!(DirectPutQuota::of(FidelityProfile::Book2021, "ap-south-1").bytes_per_sec, 1 << 20);
        let raised = book.raised_to(10 << 20);
        assert_eq!((raised.records_per_sec, raised.requests_per_sec), (10_000, 4_000), "L7's example");
    }

    #[test]
    fn oversized_records_and_batches_are_refused_whole() {
        let mut a = Admission::new(DirectPutQuota::of(FidelityProfile::Book2021, "us-east-1"), SimTime::ZERO);
        assert_eq!(a.put_record(SimTime::ZERO, RECORD_MAX_BYTES).map_err(|e| e.kind), Ok(()));
        assert_eq!(
            a.put_record(SimTime::ZERO, RECORD_MAX_BYTES + 1).unwrap_err().kind,
            FirehoseErrorKind::InvalidArgument
        );
        assert!(a.put_batch(SimTime::ZERO, &[1; 501]).unwrap_err().message.contains("1–500"));
        assert!(a.put_batch(SimTime::ZERO, &[1_000_000; 5]).unwrap_err().message.contains("4 MiB"));
    }

    #[test]
    fn over_the_quota_records_fail_one_by_one_with_slow_down() {
        let mut a = Admission::new(DirectPutQuota::of(FidelityProfile::Book2021, "us-east-1"), SimTime::ZERO);
        // 5,000 records/s: ten batches of 500 fill the second; the eleventh fails record by record.
        for _ in 0..10 {
            assert!(a.put_batch(SimTime::ZERO, &[100; 500]).unwrap().iter().all(Result::is_ok));
        }
        let throttled = a.put_batch(SimTime::ZERO, &[100; 500]).unwrap();
        assert!(throttled.iter().all(|r| r.as_ref().unwrap_err().kind.aws_code() == "ServiceUnavailableException"));
        assert_eq!(throttled[0].as_ref().unwrap_err().message, "Slow down.");
        // Half a second later, half the records are back.
        let later = a.put_batch(SimTime::from_millis(500), &[100; 500]).unwrap();
        assert_eq!(later.iter().filter(|r| r.is_ok()).count(), 500);
        // Bytes run out too: 5 MiB a second holds five 1 MB records, not eight.
        let mut b = Admission::new(DirectPutQuota::of(FidelityProfile::Book2021, "us-east-1"), SimTime::ZERO);
        let first = b.put_batch(SimTime::ZERO, &[1_000_000; 4]).unwrap();
        let second = b.put_batch(SimTime::ZERO, &[1_000_000; 4]).unwrap();
        let ok = |r: &Admitted| r.iter().filter(|r| r.is_ok()).count();
        assert_eq!((ok(&first), ok(&second)), (4, 1));
    }
}
