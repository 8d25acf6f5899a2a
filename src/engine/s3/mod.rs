//! A simulated Amazon S3, as far as Firehose needs it: buckets of objects with keys, bytes, last-modified
//! times and ETags; ListObjectsV2 and GetObject to inspect what was delivered; PutObject for reference
//! files; and the lab's outage drill. Buckets a Firehose stream names are created with it (the lab stands
//! in for the learner's own setup).
//!
//! Object bodies are real bytes. Past [`S3Settings::body_budget_bytes`] the oldest bodies are evicted
//! (a browser tab has little memory): the object stays listed, and GetObject says plainly why its body
//! is gone.

pub mod listing;

use crate::engine::kds::datetime::iso8601_millis;
use crate::engine::time::SimTime;
use md5::{Digest, Md5};
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, VecDeque};

/// What the simulated S3 keeps.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields, rename_all = "snake_case")]
pub struct S3Settings {
    /// Object bodies kept in memory across all buckets; older bodies are evicted beyond it [SIM].
    pub body_budget_bytes: u64,
}

impl Default for S3Settings {
    fn default() -> Self {
        S3Settings { body_budget_bytes: 256 * 1024 * 1024 }
    }
}

/// One stored object.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Object {
    /// The body, or `None` once evicted by the lab's memory budget.
    pub body: Option<Vec<u8>>,
    /// The body's length.
    pub size: u64,
    /// When it was written (simulated).
    pub last_modified: SimTime,
    /// `"<md5 hex>"`, as S3 gives for single-part uploads.
    pub etag: String,
    /// The Content-Type it was stored with.
    pub content_type: String,
}

/// A bucket: objects by key (S3 lists keys in UTF-8 binary order, as a BTreeMap keeps them).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Bucket {
    /// The objects.
    pub objects: BTreeMap<String, Object>,
    /// Until when writes fail (the outage drill).
    pub outage_until: Option<SimTime>,
}

/// Why a write failed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct S3Error {
    /// S3's error code (`NoSuchBucket`, `AccessDenied`, …).
    pub code: &'static str,
    /// The message.
    pub message: String,
}

impl S3Error {
    fn new(code: &'static str, message: impl Into<String>) -> S3Error {
        S3Error { code, message: message.into() }
    }

    /// No such bucket.
    pub fn no_such_bucket(bucket: &str) -> S3Error {
        S3Error::new("NoSuchBucket", format!("The specified bucket does not exist: {bucket}"))
    }
}

/// The simulated S3 of one account.
#[derive(Clone, Debug, Default)]
pub struct S3Service {
    settings: S3Settings,
    buckets: BTreeMap<String, Bucket>,
    /// Objects with bodies, oldest first, for eviction.
    bodies: VecDeque<(String, String)>,
    body_bytes: u64,
    epoch_ms: u64,
}

impl S3Service {
    /// An empty S3 whose clock reads `epoch_ms` at simulated time zero.
    pub fn new(settings: S3Settings, epoch_ms: u64) -> S3Service {
        S3Service { settings, epoch_ms, ..S3Service::default() }
    }

    /// Creates the bucket if it does not exist.
    pub fn ensure_bucket(&mut self, bucket: &str) {
        self.buckets.entry(bucket.to_string()).or_default();
    }

    /// The bucket, if it exists.
    pub fn bucket(&self, bucket: &str) -> Option<&Bucket> {
        self.buckets.get(bucket)
    }

    /// Every bucket, by name.
    pub fn buckets(&self) -> &BTreeMap<String, Bucket> {
        &self.buckets
    }

    /// The wall clock at simulated `at`, as S3 writes LastModified.
    pub fn timestamp(&self, at: SimTime) -> String {
        iso8601_millis(self.epoch_ms + at.as_millis())
    }

    /// Whether a write to `bucket` would succeed now.
    pub fn writable(&self, now: SimTime, bucket: &str) -> Result<(), S3Error> {
        let b = self.buckets.get(bucket).ok_or_else(|| S3Error::no_such_bucket(bucket))?;
        match b.outage_until {
            Some(until) if now < until => {
                Err(S3Error::new("ServiceUnavailable", format!("The lab's outage drill: {bucket} refuses writes")))
            }
            _ => Ok(()),
        }
    }

    /// Writes an object (replacing one with the same key).
    pub fn put_object(
        &mut self,
        now: SimTime,
        bucket: &str,
        key: &str,
        body: Vec<u8>,
        content_type: &str,
    ) -> Result<(), S3Error> {
        self.writable(now, bucket)?;
        let etag = format!("\"{}\"", hex(&Md5::digest(&body)));
        let size = body.len() as u64;
        let object = Object { body: Some(body), size, last_modified: now, etag, content_type: content_type.into() };
        let objects = &mut self.buckets.get_mut(bucket).expect("writable checked the bucket").objects;
        if let Some(old) = objects.insert(key.to_string(), object) {
            self.body_bytes -= old.body.map_or(0, |b| b.len() as u64);
            self.bodies.retain(|(b, k)| !(b == bucket && k == key));
        }
        self.body_bytes += size;
        self.bodies.push_back((bucket.to_string(), key.to_string()));
        self.evict();
        Ok(())
    }

    /// Drops the oldest bodies beyond the budget.
    fn evict(&mut self) {
        while self.body_bytes > self.settings.body_budget_bytes {
            let Some((bucket, key)) = self.bodies.pop_front() else { break };
            let body = self.buckets.get_mut(&bucket).and_then(|b| b.objects.get_mut(&key)).and_then(|o| o.body.take());
            self.body_bytes -= body.map_or(0, |b| b.len() as u64);
        }
    }

    /// The outage drill: writes to `bucket` fail until `until`.
    pub fn inject_outage(&mut self, bucket: &str, until: SimTime) -> Result<(), S3Error> {
        let b = self.buckets.get_mut(bucket).ok_or_else(|| S3Error::no_such_bucket(bucket))?;
        b.outage_until = Some(until);
        Ok(())
    }

    /// The bytes of all bodies held.
    pub fn body_bytes(&self) -> u64 {
        self.body_bytes
    }
}

/// Lowercase hex.
pub fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn objects_carry_an_md5_etag_and_old_bodies_leave_beyond_the_budget() {
        let mut s3 = S3Service::new(S3Settings { body_budget_bytes: 10 }, 0);
        assert_eq!(
            s3.put_object(SimTime::ZERO, "b", "k", b"x".to_vec(), "text/plain").unwrap_err().code,
            "NoSuchBucket"
        );
        s3.ensure_bucket("b");
        s3.put_object(SimTime::ZERO, "b", "a", b"hello".to_vec(), "text/plain").unwrap();
        assert_eq!(s3.bucket("b").unwrap().objects["a"].etag, "\"5d41402abc4b2a76b9719d911017c592\"");
        s3.put_object(SimTime::ZERO, "b", "c", b"world!".to_vec(), "text/plain").unwrap();
        let objects = &s3.bucket("b").unwrap().objects;
        assert_eq!((objects["a"].body.as_deref(), objects["a"].size), (None, 5), "evicted, still listed");
        assert_eq!(objects["c"].body.as_deref(), Some(&b"world!"[..]));
        assert_eq!(s3.body_bytes(), 6);
    }

    #[test]
    fn an_outage_refuses_writes_until_it_ends() {
        let mut s3 = S3Service::new(S3Settings::default(), 0);
        s3.ensure_bucket("b");
        s3.inject_outage("b", SimTime::from_secs(600)).unwrap();
        assert_eq!(s3.writable(SimTime::from_secs(599), "b").unwrap_err().code, "ServiceUnavailable");
        assert!(s3.writable(SimTime::from_secs(600), "b").is_ok());
    }
}
