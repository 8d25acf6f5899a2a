//! The Kinesis Producer Library's aggregation (spec kds.md §1.10, §4.8, §5.7): many user records packed
//! into one Kinesis record, in the KPL's wire format, so small records get far more than 1,000/s per shard
//! and use fewer PUT payload units.
//!
//! Format: the magic bytes `F3 89 9A C2`, then a protobuf (proto2) `AggregatedRecord { repeated string
//! partition_key_table = 1; repeated string explicit_hash_key_table = 2; repeated Record records = 3; }`
//! with `Record { required uint64 partition_key_index = 1; optional uint64 explicit_hash_key_index = 2;
//! required bytes data = 3; }`, then the MD5 of the protobuf bytes. The Kinesis record's partition key is
//! the first user record's, and its ExplicitHashKey that key's hash, so it lands where its user records
//! would have. KCL de-aggregates; other readers see the Kinesis records. The few bytes of protobuf
//! framing are computed exactly, so the sizes fast-forward uses are the ones record detail produces.

use super::producer::Outgoing;
use super::stats::ProducerStats;
use crate::engine::kds::bucket::TokenBucket;
use crate::engine::kds::ids::ShardId;
use crate::engine::kds::limits::{SHARD_WRITE_BYTES_PER_SEC, SHARD_WRITE_RECORDS_PER_SEC};
use crate::engine::kds::stream::Stream;
use crate::engine::scenario::format::KplSpec;
use crate::engine::time::{SimDuration, SimTime};
use md5::{Digest, Md5};
use std::collections::BTreeMap;

/// The first bytes of every aggregated record.
pub const MAGIC: [u8; 4] = [0xF3, 0x89, 0x9A, 0xC2];
/// The MD5 trailer's length.
const DIGEST_BYTES: usize = 16;

/// Bytes a varint of `v` takes.
pub fn varint_len(mut v: u64) -> usize {
    let mut n = 1;
    while v >= 0x80 {
        v >>= 7;
        n += 1;
    }
    n
}

fn put_varint(out: &mut Vec<u8>, mut v: u64) {
    while v >= 0x80 {
        out.push((v as u8 & 0x7f) | 0x80);
        v >>= 7;
    }
    out.push(v as u8);
}

/// Bytes a length-delimited field of `len` bytes takes (tag + length + payload).
fn field_len(len: usize) -> usize {
    1 + varint_len(len as u64) + len
}

/// Bytes one user record adds to an aggregate: its `Record` message, given its key's table index.
pub fn record_overhead_and_data(data_len: usize, key_index: u64) -> usize {
    let inner = 1 + varint_len(key_index) + field_len(data_len);
    field_len(inner)
}

/// Bytes a key adds to the partition-key table.
pub fn key_entry_len(key_len: usize) -> usize {
    field_len(key_len)
}

/// The fixed bytes around an aggregate's protobuf: magic and MD5.
pub const FRAME_BYTES: usize = MAGIC.len() + DIGEST_BYTES;

/// Packs user records (partition key, data) into one aggregated record's data blob.
pub fn encode(records: &[(String, Vec<u8>)]) -> Vec<u8> {
    let mut keys: Vec<&str> = Vec::new();
    let mut body = Vec::new();
    let indices: Vec<u64> = records
        .iter()
        .map(|(k, _)| match keys.iter().position(|x| *x == k) {
            Some(i) => i as u64,
            None => {
                keys.push(k);
                (keys.len() - 1) as u64
            }
        })
        .collect();
    for key in &keys {
        body.push(0x0A);
        put_varint(&mut body, key.len() as u64);
        body.extend_from_slice(key.as_bytes());
    }
    for ((_, data), index) in records.iter().zip(indices) {
        let inner = 1 + varint_len(index) + field_len(data.len());
        body.push(0x1A);
        put_varint(&mut body, inner as u64);
        body.push(0x08);
        put_varint(&mut body, index);
        body.push(0x1A);
        put_varint(&mut body, data.len() as u64);
        body.extend_from_slice(data);
    }
    let digest: [u8; 16] = Md5::digest(&body).into();
    let mut out = Vec::with_capacity(FRAME_BYTES + body.len());
    out.extend_from_slice(&MAGIC);
    out.extend_from_slice(&body);
    out.extend_from_slice(&digest);
    out
}

/// The user records inside an aggregated record, as KCL de-aggregates it: `None` for a plain record
/// (no magic, a bad digest or malformed protobuf — KCL then hands the record over as it is).
pub fn decode(data: &[u8]) -> Option<Vec<(String, Vec<u8>)>> {
    if data.len() < FRAME_BYTES || data[..4] != MAGIC {
        return None;
    }
    let (body, digest) = data[4..].split_at(data.len() - FRAME_BYTES);
    let expected: [u8; 16] = Md5::digest(body).into();
    if digest != expected {
        return None;
    }
    let mut keys = Vec::new();
    let mut out = Vec::new();
    let mut rest = body;
    while !rest.is_empty() {
        let (tag, payload, tail) = field(rest)?;
        rest = tail;
        match tag {
            0x0A => keys.push(String::from_utf8(payload.to_vec()).ok()?),
            0x12 => {}
            0x1A => out.push(record(payload, &keys)?),
            _ => return None,
        }
    }
    Some(out)
}

/// One length-delimited field: (tag, payload, the rest).
fn field(bytes: &[u8]) -> Option<(u8, &[u8], &[u8])> {
    let (&tag, rest) = bytes.split_first()?;
    let (len, rest) = varint(rest)?;
    let len = usize::try_from(len).ok().filter(|l| *l <= rest.len())?;
    Some((tag, &rest[..len], &rest[len..]))
}

fn varint(bytes: &[u8]) -> Option<(u64, &[u8])> {
    let mut v = 0u64;
    for (i, &b) in bytes.iter().enumerate().take(10) {
        v |= u64::from(b & 0x7f) << (7 * i);
        if b & 0x80 == 0 {
            return Some((v, &bytes[i + 1..]));
        }
    }
    None
}

fn record(mut bytes: &[u8], keys: &[String]) -> Option<(String, Vec<u8>)> {
    let (mut key, mut data) = (None, None);
    while !bytes.is_empty() {
        let (&tag, rest) = bytes.split_first()?;
        match tag {
            0x08 | 0x10 => {
                let (v, rest) = varint(rest)?;
                if tag == 0x08 {
                    key = Some(keys.get(usize::try_from(v).ok()?)?.clone());
                }
                bytes = rest;
            }
            _ => {
                let (tag, payload, rest) = field(bytes)?;
                if tag == 0x1A {
                    data = Some(payload.to_vec());
                }
                bytes = rest;
            }
        }
    }
    Some((key?, data?))
}

/// The KPL inside one producer: it aggregates, rate-limits per shard, and expires records past their TTL.
#[derive(Debug)]
pub struct KplClient {
    /// Its settings.
    pub spec: KplSpec,
    /// Per shard: the client's own record and byte buckets (RateLimit % of the shard's limits).
    limiters: BTreeMap<ShardId, (TokenBucket, TokenBucket)>,
    /// Kinesis records held back by the rate limiter.
    held: Vec<Outgoing>,
}

impl KplClient {
    /// A client with these settings.
    pub fn new(spec: KplSpec) -> KplClient {
        KplClient { spec, limiters: BTreeMap::new(), held: Vec::new() }
    }

    /// User records held back or buffered, counted as user records.
    pub fn held_users(&self) -> u64 {
        self.held.iter().map(|o| u64::from(o.count) * u64::from(o.users)).sum()
    }

    /// Turns buffered user records into the Kinesis records to send now: expired ones fail, the rest are
    /// aggregated per shard, and what the rate limiter does not allow yet is held for the next flush.
    /// `keys` is (how many keys the producer draws from, `None` for a fresh key per record; their mean length).
    pub fn prepare(
        &mut self,
        now: SimTime,
        users: Vec<Outgoing>,
        stream: &Stream,
        keys: (Option<usize>, usize),
        stats: &mut ProducerStats,
    ) -> Vec<Outgoing> {
        let mut records = std::mem::take(&mut self.held);
        let fresh = self.expire(now, users, stats);
        records.extend(if self.spec.aggregation { self.aggregate(fresh, stream, keys) } else { fresh });
        let records = self.expire(now, records, stats);
        self.limit(now, records, stream)
    }

    /// Drops records older than RecordTtl, counting their user records as failed ("Expired").
    pub fn expire(&self, now: SimTime, records: Vec<Outgoing>, stats: &mut ProducerStats) -> Vec<Outgoing> {
        let ttl = SimDuration::from_millis(self.spec.record_ttl_ms);
        let (keep, gone): (Vec<Outgoing>, Vec<Outgoing>) =
            records.into_iter().partition(|o| now.saturating_since(o.created) <= ttl);
        let expired: u64 = gone.iter().map(|o| u64::from(o.count) * u64::from(o.users)).sum();
        if expired > 0 {
            *stats.errors.entry("Expired".to_string()).or_default() += expired;
            stats.dropped += expired;
        }
        keep
    }

    fn aggregate(
        &self,
        users: Vec<Outgoing>,
        stream: &Stream,
        (distinct_keys, key_len): (Option<usize>, usize),
    ) -> Vec<Outgoing> {
        let mut by_shard: BTreeMap<ShardId, Vec<Outgoing>> = BTreeMap::new();
        for o in users {
            by_shard.entry(stream.route(o.hash)).or_default().push(o);
        }
        let per_shard_keys = distinct_keys.map(|n| n.div_ceil(stream.open_shard_count().max(1) as usize));
        let max = self.spec.aggregation_max_bytes as usize;
        let mut out = Vec::new();
        for group in by_shard.into_values() {
            if group.first().is_some_and(|o| o.body.is_some()) {
                out.extend(pack_records(group, max));
            } else {
                out.extend(group.into_iter().flat_map(|o| pack_run(o, max, key_len, per_shard_keys)));
            }
        }
        out
    }

    /// Passes what each shard's client buckets allow now; holds the rest.
    fn limit(&mut self, now: SimTime, records: Vec<Outgoing>, stream: &Stream) -> Vec<Outgoing> {
        let pct = u64::from(self.spec.rate_limit_percent);
        let mut pass = Vec::new();
        for mut o in records {
            let shard = stream.route(o.hash);
            let (recs, bytes) = self.limiters.entry(shard).or_insert_with(|| {
                let second = SimDuration::from_secs(1);
                (
                    TokenBucket::full(SHARD_WRITE_RECORDS_PER_SEC * pct / 100, second, now),
                    TokenBucket::full(SHARD_WRITE_BYTES_PER_SEC * pct / 100, second, now),
                )
            });
            let by_records = recs.available(now).max(0) as u64;
            let by_bytes =
                (bytes.available(now).max(0) as u64).checked_div(u64::from(o.bytes_each)).unwrap_or(u64::MAX);
            let allowed = u64::from(o.count).min(by_records).min(by_bytes) as u32;
            if allowed > 0 {
                recs.take_debt(u64::from(allowed), now);
                bytes.take_debt(u64::from(allowed) * u64::from(o.bytes_each), now);
            }
            if allowed == o.count {
                pass.push(o);
                continue;
            }
            if allowed > 0 {
                pass.push(Outgoing { count: allowed, ..o.clone_bare() });
                o.count -= allowed;
            }
            self.held.push(o);
        }
        pass
    }
}

/// Record detail: user records (one shard's, in order) packed into aggregated records of at most `max`
/// bytes (key included); a record too big to share is sent alone.
fn pack_records(group: Vec<Outgoing>, max: usize) -> Vec<Outgoing> {
    let mut out = Vec::new();
    let mut current: Vec<Outgoing> = Vec::new();
    let mut keys: Vec<String> = Vec::new();
    let mut len = FRAME_BYTES;
    for o in group {
        let Some((key, data)) = o.body.as_deref() else { continue };
        let known = keys.iter().position(|k| k == key);
        let added = known.map_or(key_entry_len(key.len()), |_| 0)
            + record_overhead_and_data(data.len(), known.unwrap_or(keys.len()) as u64);
        let first_key = current.first().and_then(|f| f.body.as_deref()).map_or(key.len(), |(k, _)| k.len());
        if !current.is_empty() && first_key + len + added > max {
            out.push(seal(std::mem::take(&mut current)));
            keys.clear();
            len = FRAME_BYTES;
            out.extend(pack_records(vec![o], max));
            continue;
        }
        if known.is_none() {
            keys.push(key.clone());
        }
        len += added;
        current.push(o);
    }
    if !current.is_empty() {
        out.push(seal(current));
    }
    out
}

/// One aggregated Kinesis record from user records: the first one's key routes it.
fn seal(users: Vec<Outgoing>) -> Outgoing {
    let first = users.first().expect("an aggregate holds at least one record");
    let (hash, created) = (first.hash, users.iter().map(|o| o.created).min().unwrap_or(first.created));
    let poison = users.iter().any(|o| o.labels.poison);
    let bodies: Vec<(String, Vec<u8>)> = users.iter().filter_map(|o| o.body.as_deref().cloned()).collect();
    let key = bodies.first().map(|(k, _)| k.clone()).unwrap_or_default();
    let data = encode(&bodies);
    let mut out = Outgoing { body: None, count: 1, users: bodies.len() as u32, created, ..first.clone_bare() };
    out.hash = hash;
    out.labels.poison = poison;
    out.bytes_each = (key.len() + data.len()) as u32;
    out.body = Some(Box::new((key, data)));
    out
}

/// Fast-forward: a run of user records of one size (`key_len` of which is the key) packed into as few
/// full aggregates as fit, plus one partial; `keys` is how many distinct keys a shard's records carry
/// (`None`: all distinct).
fn pack_run(o: Outgoing, max: usize, key_len: usize, keys: Option<usize>) -> Vec<Outgoing> {
    let data_len = (o.bytes_each as usize).saturating_sub(key_len);
    let size = |n: usize| {
        let distinct = keys.map_or(n, |k| k.min(n)).max(1);
        key_len + FRAME_BYTES + distinct * key_entry_len(key_len) + n * record_overhead_and_data(data_len, 1)
    };
    let mut per = 1usize;
    while per < o.count as usize && size(per + 1) <= max {
        per += 1;
    }
    let (full, rest) = (o.count as usize / per, o.count as usize % per);
    let mut out = Vec::new();
    let template = o.clone_bare();
    if full > 0 {
        out.push(Outgoing { count: full as u32, users: per as u32, bytes_each: size(per) as u32, ..template.clone() });
    }
    if rest > 0 {
        out.push(Outgoing { count: 1, users: rest as u32, bytes_each: size(rest) as u32, ..template });
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn records_round_trip_through_the_wire_format() {
        let records = vec![
            ("station-1".to_string(), b"{\"a\":1}".to_vec()),
            ("station-2".to_string(), vec![0u8; 300]),
            ("station-1".to_string(), Vec::new()),
        ];
        let blob = encode(&records);
        assert_eq!(blob[..4], MAGIC);
        assert_eq!(decode(&blob), Some(records.clone()));
        // The size arithmetic fast-forward uses is the encoder's.
        let predicted = FRAME_BYTES
            + key_entry_len(9) * 2
            + records
                .iter()
                .enumerate()
                .map(|(i, (_, d))| record_overhead_and_data(d.len(), [0, 1, 0][i]))
                .sum::<usize>();
        assert_eq!(blob.len(), predicted);
    }

    #[test]
    fn plain_or_damaged_records_are_not_aggregates() {
        assert_eq!(decode(b"plain text record that is long enough"), None);
        let mut blob = encode(&[("k".to_string(), b"v".to_vec())]);
        let last = blob.len() - 1;
        blob[last] ^= 1;
        assert_eq!(decode(&blob), None, "a bad MD5 makes it a plain record");
        assert_eq!(decode(&MAGIC), None);
    }

    #[test]
    fn varints_have_protobuf_lengths() {
        assert_eq!([0, 127, 128, 16_383, 16_384].map(varint_len), [1, 1, 2, 2, 3]);
        let mut v = Vec::new();
        put_varint(&mut v, 300);
        assert_eq!(v, [0xAC, 0x02]);
        assert_eq!(varint(&v), Some((300, &[][..])));
    }
}
