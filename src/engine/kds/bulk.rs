//! The simulated clients' data path: writes of runs of equal records and reads by position.
//!
//! Producers and consumers in scenarios (`engine::clients`) talk to the service here. The capacity
//! checks, storage, CloudWatch datapoints, ages and MillisBehindLatest are the ones PutRecord(s) and
//! GetRecords use — the same functions — so a run of n records is throttled, stored and read exactly as
//! n records sent one after another in one call would be. What is left out is only the wire: JSON
//! shapes, base64, iterator tokens (a client keeps its position as a counter and models the iterator's
//! 5-minute life itself) and the request-shape validation a client library never fails.

use super::control::kms_problem;
use super::data::{record_get_records, record_put_records_shards, PutRecordsTally, ShardCounts};
use super::error::{KdsError, KdsResult};
use super::ids::{HashKey, HashRange, ShardId};
use super::limits::*;
use super::metrics::Metric;
use super::record::Labels;
use super::shard::{Detail, Taken};
use super::stream::Stream;
use super::KdsService;
use crate::engine::time::SimTime;

/// `count` equal records a client writes to one hash key.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RunWrite {
    /// Where they route: MD5 of the partition key, or the ExplicitHashKey.
    pub hash: HashKey,
    /// How many records.
    pub count: u32,
    /// Data + partition-key bytes of each.
    pub bytes_each: u32,
    /// User records packed in each (KPL aggregation), 1 otherwise.
    pub users_each: u32,
    /// The simulation's ground truth about them.
    pub labels: Labels,
    /// The record itself (partition key, data), required by record-detail streams (then `count` is 1).
    pub body: Option<(String, Vec<u8>)>,
}

/// What became of one [`RunWrite`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RunWritten {
    /// The shard it routed to.
    pub shard: ShardId,
    /// How many of its records were stored (the rest were throttled).
    pub accepted: u32,
    /// The first stored record's counter (meaningless when none was stored).
    pub first_counter: u64,
    /// The body, handed back when the record was not stored (so the client can retry it).
    pub returned: Option<(String, Vec<u8>)>,
}

/// Which API a write stands for: CloudWatch counts PutRecord and PutRecords calls differently.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PutCall {
    /// Each record is its own PutRecord call.
    PutRecord,
    /// All the runs are one PutRecords call (≤ 500 records, ≤ 5 MiB).
    PutRecords,
}

/// Where a reader starts in a shard (GetShardIterator's types, with positions as counters).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum StartAt {
    /// The oldest record kept.
    TrimHorizon,
    /// After the newest record.
    Latest,
    /// The first record that arrived at or after this instant.
    AtTime(SimTime),
    /// After this counter (a checkpoint).
    After(u64),
}

/// One record read with its body (record-detail streams only).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ReadRecord {
    /// Its counter.
    pub counter: u64,
    /// When it arrived.
    pub arrival: SimTime,
    /// Its partition key.
    pub partition_key: String,
    /// Its data.
    pub data: Vec<u8>,
    /// The simulation's labels.
    pub labels: Labels,
}

/// The answer to one read.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BulkRead {
    /// What was taken.
    pub taken: Taken,
    /// GetRecords' MillisBehindLatest.
    pub millis_behind_latest: u64,
    /// GetRecords.IteratorAgeMilliseconds of this call.
    pub age_ms: u64,
    /// True when the shard is closed and this read reached its end (ChildShards time).
    pub closed_end: bool,
    /// The shard's children (when `closed_end`).
    pub children: Vec<ShardId>,
    /// The records themselves, when asked for on a record-detail stream.
    pub records: Vec<ReadRecord>,
    /// The counter of the newest record ever written to the shard (records up to it that were not
    /// returned, and are not after the read, were trimmed by retention).
    pub last_counter: u64,
}

/// A shard as a client library sees it when it lists shards.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ShardInfo {
    /// Its id.
    pub id: ShardId,
    /// Its hash keys.
    pub range: HashRange,
    /// Its parent(s).
    pub parents: Vec<ShardId>,
    /// Its children, once closed.
    pub children: Vec<ShardId>,
    /// False once a split or merge closed it.
    pub open: bool,
}

impl KdsService {
    /// Writes runs of records as one PutRecords call, or as one PutRecord call per record.
    pub fn put_runs(
        &mut self,
        now: SimTime,
        stream: &str,
        call: PutCall,
        runs: Vec<RunWrite>,
    ) -> KdsResult<Vec<RunWritten>> {
        let ends = [runs.len()];
        self.put_calls(now, stream, call, runs, &ends)
    }

    /// Several calls at one instant, in order: call i is `runs[call_ends[i − 1]..call_ends[i]]` (the last
    /// end is `runs.len()`). Each is throttled and counted as its own call; any invalid call refuses all.
    pub fn put_calls(
        &mut self,
        now: SimTime,
        stream: &str,
        call: PutCall,
        runs: Vec<RunWrite>,
        call_ends: &[usize],
    ) -> KdsResult<Vec<RunWritten>> {
        let account = self.settings.account_id.clone();
        if call_ends.last() != Some(&runs.len()) || call_ends.windows(2).any(|w| w[0] > w[1]) {
            return Err(KdsError::invalid_argument("Calls must split the runs in order, ending with the last run."));
        }
        let mut from = 0;
        for &end in call_ends {
            let part = &runs[from..end];
            from = end;
            let total: u64 = part.iter().map(|r| u64::from(r.count)).sum();
            let bytes: u64 = part.iter().map(|r| u64::from(r.count) * u64::from(r.bytes_each)).sum();
            if call == PutCall::PutRecords && (total > PUT_RECORDS_ENTRIES_MAX as u64 || bytes > PUT_RECORDS_BYTES_MAX)
            {
                return Err(KdsError::invalid_argument(format!(
                    "A PutRecords call carries at most {PUT_RECORDS_ENTRIES_MAX} records and {PUT_RECORDS_BYTES_MAX} bytes; \
                     this one has {total} records and {bytes} bytes."
                )));
            }
        }
        let body_size = |r: &RunWrite| r.body.as_ref().map(|(k, d)| k.len() + d.len());
        if runs.iter().any(|r| body_size(r).is_some_and(|n| n != r.bytes_each as usize)) {
            return Err(KdsError::invalid_argument("A record's bytes_each must be its key and data length."));
        }
        if let Some(big) = runs.iter().find(|r| u64::from(r.bytes_each) > RECORD_BYTES_MAX) {
            return Err(KdsError::invalid_argument(format!(
                "A record's data and partition key are at most {RECORD_BYTES_MAX} bytes; this one has {}.",
                big.bytes_each
            )));
        }
        let s = self.streams.get_mut(stream).filter(|s| s.serves_data());
        let s = s.ok_or_else(|| KdsError::stream_not_found(stream, &account))?;
        if let Some(problem) = s.kms_key.as_deref().and_then(|key| kms_problem(key, true)) {
            return Err(problem);
        }
        if s.detail == Detail::Records && runs.iter().any(|r| r.body.is_none() || r.count != 1) {
            return Err(KdsError::invalid_argument(format!(
                "Stream {stream} keeps every record: write records one by one, each with its key and data."
            )));
        }
        let written = write_runs(s, now, call, runs, call_ends);
        let mut watched: Vec<ShardId> = written
            .iter()
            .filter(|w| w.accepted > 0 && s.shards[w.shard.0 as usize].subscribers > 0)
            .map(|w| w.shard)
            .collect();
        watched.dedup();
        for shard in watched {
            self.notify_subscribers(now, stream, shard);
        }
        Ok(written)
    }

    /// One GetRecords call on `shard` of `stream` from after counter `after`: at most `limit` records
    /// (1–10,000) and 10 MiB, under the shard's shared read budget.
    pub fn read_after(
        &mut self,
        now: SimTime,
        stream: &str,
        shard: ShardId,
        after: u64,
        limit: u64,
        with_bodies: bool,
    ) -> KdsResult<BulkRead> {
        let account = self.settings.account_id.clone();
        let not_found = || KdsError::shard_not_found(&shard.to_string(), stream, &account);
        let s = self.streams.get_mut(stream).filter(|s| s.serves_data()).ok_or_else(not_found)?;
        if let Some(problem) = s.kms_key.as_deref().and_then(|key| kms_problem(key, true)) {
            return Err(problem);
        }
        s.trim_shard(shard, now);
        let sh = s.live_shard_mut(shard).ok_or_else(not_found)?;
        if !sh.try_begin_read(now) {
            s.record(now, Some(shard), Metric::ReadProvisionedThroughputExceeded, 1);
            s.record(now, None, Metric::GetRecordsSuccess, 0);
            return Err(KdsError::shard_throughput(&shard.to_string(), stream, &account));
        }
        let taken = sh.take_after(after, limit.clamp(1, GET_RECORDS_RECORDS_MAX), GET_RECORDS_BYTES_MAX, now);
        sh.charge_read(taken.bytes, now);
        let next_after = taken.last.map_or(after, |(counter, _)| counter);
        let at_end = !sh.has_records_after(next_after);
        let age_ms = taken.last.map_or(0, |(_, arrival)| now.saturating_since(arrival).as_millis());
        let millis_behind_latest = if at_end { 0 } else { age_ms };
        let closed_end = at_end && !sh.is_open();
        let children = if closed_end { sh.children.clone() } else { Vec::new() };
        let last_counter = sh.last_counter();
        let records = if with_bodies {
            sh.records_after(after)
                .take(taken.records as usize)
                .map(|r| ReadRecord {
                    counter: r.counter(),
                    arrival: r.arrival,
                    partition_key: r.partition_key().to_string(),
                    data: r.data().to_vec(),
                    labels: r.labels(),
                })
                .collect()
        } else {
            Vec::new()
        };
        record_get_records(s, now, shard, &taken, age_ms);
        Ok(BulkRead { taken, millis_behind_latest, age_ms, closed_end, children, records, last_counter })
    }

    /// Where a reader of `shard` starts (a GetShardIterator call: it counts toward the 5 per second).
    pub fn start_after(&mut self, now: SimTime, stream: &str, shard: ShardId, at: StartAt) -> KdsResult<u64> {
        let account = self.settings.account_id.clone();
        let not_found = || KdsError::shard_not_found(&shard.to_string(), stream, &account);
        let s = self.streams.get_mut(stream).filter(|s| s.serves_data()).ok_or_else(not_found)?;
        s.trim_shard(shard, now);
        let sh = s.live_shard_mut(shard).ok_or_else(not_found)?;
        if !sh.iterator_call_allowed(now) {
            return Err(KdsError::shard_throughput(&shard.to_string(), stream, &account));
        }
        sh.count_iterator_call(now);
        Ok(match at {
            // Just before the oldest record kept (what GetRecords from TRIM_HORIZON returns first).
            StartAt::TrimHorizon => sh.spans_after(0).next().map_or(sh.last_counter(), |s| s.first - 1),
            StartAt::Latest => sh.last_counter(),
            StartAt::AtTime(t) => sh.counter_before_time(t),
            StartAt::After(counter) => counter,
        })
    }

    /// The shards of `stream` that still hold or may hold records (not expired), in id order.
    pub fn shard_infos(&self, stream: &str) -> Option<Vec<ShardInfo>> {
        let s = self.streams.get(stream)?;
        Some(
            s.live_shards()
                .map(|sh| ShardInfo {
                    id: sh.id,
                    range: sh.range,
                    parents: sh.parent.into_iter().chain(sh.adjacent_parent).collect(),
                    children: sh.children.clone(),
                    open: sh.is_open(),
                })
                .collect(),
        )
    }
}

/// Routes, throttles and stores the runs (request order, like PutRecords), call by call, recording each
/// call's CloudWatch datapoints.
fn write_runs(
    s: &mut Stream,
    now: SimTime,
    call: PutCall,
    runs: Vec<RunWrite>,
    call_ends: &[usize],
) -> Vec<RunWritten> {
    let encrypted = s.kms_key.is_some();
    let per_shard = !s.shard_level_metrics.is_empty();
    let mut written = Vec::with_capacity(runs.len());
    let mut tally = PutRecordsTally::default();
    let mut runs = runs.into_iter();
    let mut from = 0;
    for &end in call_ends {
        let mut counts = ShardCounts::new();
        let (mut total, mut failed, mut stored_bytes) = (0, 0, 0);
        for run in runs.by_ref().take(end - from) {
            let id = s.route(run.hash);
            let shard = &mut s.shards[id.0 as usize];
            let size = u64::from(run.bytes_each);
            let accepted = shard.take_write_run(size, u64::from(run.count), now);
            let (first_counter, returned) = match (accepted, run.body) {
                (0, body) => (0, body),
                (_, Some((key, data))) => (shard.append_labelled(now, key, data, encrypted, run.labels), None),
                (n, None) => {
                    (shard.append_run(now, n as u32, run.bytes_each, run.users_each, encrypted, run.labels), None)
                }
            };
            let rejected = u64::from(run.count) - accepted;
            written.push(RunWritten { shard: id, accepted: accepted as u32, first_counter, returned });
            total += u64::from(run.count);
            failed += rejected;
            stored_bytes += accepted * size;
            match call {
                PutCall::PutRecords => {
                    s.shards[id.0 as usize].tally.write(now, accepted, rejected, size);
                    if per_shard {
                        let c = counts.entry(id).or_default();
                        *c = (c.0 + accepted * size, c.1 + accepted, c.2 + rejected);
                    }
                }
                PutCall::PutRecord => {
                    s.record_repeated(now, Some(id), Metric::IncomingBytes, size, accepted);
                    s.record_repeated(now, Some(id), Metric::IncomingRecords, 1, accepted);
                    s.record_repeated(now, None, Metric::PutRecordBytes, size, accepted);
                    s.record_repeated(now, None, Metric::PutRecordSuccess, 1, accepted);
                    s.record_repeated(now, Some(id), Metric::WriteProvisionedThroughputExceeded, 1, rejected);
                    s.record_repeated(now, None, Metric::PutRecordSuccess, 0, rejected);
                }
            }
        }
        from = end;
        if call == PutCall::PutRecords {
            tally.call(total, failed, stored_bytes);
            record_put_records_shards(s, now, counts);
        }
    }
    if call == PutCall::PutRecords {
        tally.record(s, now);
    }
    written
}
