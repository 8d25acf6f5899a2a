//! A standard (shared-throughput) consumer that reads every shard of a stream once a second through the
//! stream's own GetShardIterator and GetRecords, as Firehose with a Kinesis source (spec firehose-analytics
//! §1.5, L8) and a Kinesis Data Analytics application (§2.2, "an app is one standard consumer") do: it
//! shares each shard's 5 reads/s and 2 MiB/s with every other consumer. Closed shards are read to their
//! end, then their children from TRIM_HORIZON once every parent is done.

use super::actions::{GetRecordsInput, GetShardIteratorInput};
use super::error::KdsErrorKind;
use super::ids::ShardId;
use super::types::{RecordView, ShardIteratorType};
use super::{KdsRequest, KdsResponse, KdsService};
use crate::engine::time::{SimDuration, SimTime};
use std::collections::BTreeMap;

/// How often each shard is read (once per second).
pub const POLL_INTERVAL: SimDuration = SimDuration::from_secs(1);
/// GetRecords' largest Limit.
const GET_RECORDS_LIMIT: i64 = 10_000;

/// One shard's reader.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ShardReader {
    /// The iterator for the next read (None until fetched, or after it expired).
    pub iterator: Option<String>,
    /// The last sequence number read, to renew an iterator after it.
    pub last_sequence: Option<String>,
    /// How it starts when it has no position yet.
    pub start: Option<ShardIteratorType>,
    /// True once a closed shard was read to its end.
    pub done: bool,
    /// MillisBehindLatest of the last read.
    pub behind_ms: u64,
}

/// The reader of one stream.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StreamReader {
    /// The KDS stream's name.
    pub stream: String,
    pub shards: BTreeMap<ShardId, ShardReader>,
    /// When the next round of reads is due (None until started).
    pub next_poll: Option<SimTime>,
    /// Why reading stopped, if it did (the KDS stream was deleted, …).
    pub stalled: Option<String>,
}

/// What one round of reads got.
#[derive(Debug, Default)]
pub struct Round {
    /// The records, shard by shard, each with its shard.
    pub records: Vec<(ShardId, RecordView)>,
    /// GetShardIterator calls refused with ProvisionedThroughputExceededException.
    pub throttled_iterators: u64,
    /// GetRecords calls refused the same way.
    pub throttled_reads: u64,
    /// Shards read (the events handled).
    pub reads: u64,
}

impl StreamReader {
    /// A reader of `stream` that has not started.
    pub fn new(stream: &str) -> StreamReader {
        StreamReader { stream: stream.into(), shards: BTreeMap::new(), next_poll: None, stalled: None }
    }

    /// How far behind the newest record it is: the largest MillisBehindLatest of its shards.
    pub fn behind_ms(&self) -> u64 {
        self.shards.values().filter(|r| !r.done).map(|r| r.behind_ms).max().unwrap_or(0)
    }

    /// Starts reading at `position` (LATEST or TRIM_HORIZON) from every open shard.
    pub fn start(&mut self, now: SimTime, kds: &KdsService, position: ShardIteratorType) {
        match kds.shard_infos(&self.stream) {
            Some(infos) => {
                for info in infos.iter().filter(|i| i.open) {
                    self.shards.insert(info.id, ShardReader { start: Some(position), ..ShardReader::default() });
                }
                self.next_poll = Some(now);
            }
            None => self.stalled = Some(format!("Kinesis stream {} not found", self.stream)),
        }
    }

    /// Stops reading (the position is kept).
    pub fn stop(&mut self) {
        self.next_poll = None;
    }

    /// Whether a round of reads is due at `now`.
    pub fn due(&self, now: SimTime) -> bool {
        self.next_poll.is_some_and(|at| at <= now)
    }

    /// One round of reads, if due.
    pub fn poll(&mut self, now: SimTime, kds: &mut KdsService) -> Round {
        let mut round = Round::default();
        if !self.due(now) {
            return round;
        }
        self.next_poll = Some(now + POLL_INTERVAL);
        let mut adopted = Vec::new();
        let ids: Vec<ShardId> = self.shards.iter().filter(|(_, r)| !r.done).map(|(id, _)| *id).collect();
        for id in ids {
            round.reads += 1;
            let shard = self.shards.get_mut(&id).expect("listed above");
            if shard.iterator.is_none() {
                let (kind, after) = match &shard.last_sequence {
                    Some(seq) => (ShardIteratorType::AfterSequenceNumber, Some(seq.clone())),
                    None => (shard.start.unwrap_or(ShardIteratorType::TrimHorizon), None),
                };
                let request = KdsRequest::GetShardIterator(GetShardIteratorInput {
                    stream_name: Some(self.stream.clone()),
                    stream_arn: None,
                    shard_id: id.to_string(),
                    shard_iterator_type: kind,
                    starting_sequence_number: after,
                    timestamp: None,
                });
                match kds.handle(now, request) {
                    Ok(KdsResponse::GetShardIterator(out)) => shard.iterator = Some(out.shard_iterator),
                    Err(e) if e.kind == KdsErrorKind::ProvisionedThroughputExceeded => {
                        round.throttled_iterators += 1;
                        continue;
                    }
                    Err(e) => {
                        self.stalled = Some(e.to_string());
                        continue;
                    }
                    Ok(_) => unreachable!("GetShardIterator answers GetShardIterator"),
                }
            }
            let request = KdsRequest::GetRecords(GetRecordsInput {
                shard_iterator: shard.iterator.clone().expect("fetched above"),
                limit: Some(GET_RECORDS_LIMIT),
                stream_arn: None,
            });
            match kds.handle(now, request) {
                Ok(KdsResponse::GetRecords(out)) => {
                    shard.behind_ms = out.millis_behind_latest;
                    if let Some(last) = out.records.last() {
                        shard.last_sequence = Some(last.sequence_number.to_string());
                    }
                    round.records.extend(out.records.into_iter().map(|r| (id, r)));
                    shard.iterator = out.next_shard_iterator;
                    if shard.iterator.is_none() {
                        shard.done = true;
                        adopted.extend(
                            out.child_shards.unwrap_or_default().into_iter().map(|c| (c.shard_id, c.parent_shards)),
                        );
                    }
                }
                Err(e) if e.kind == KdsErrorKind::ProvisionedThroughputExceeded => round.throttled_reads += 1,
                Err(e) if e.kind == KdsErrorKind::ExpiredIterator => shard.iterator = None,
                Err(e) => self.stalled = Some(e.to_string()),
                Ok(_) => unreachable!("GetRecords answers GetRecords"),
            }
        }
        for (child, parents) in adopted {
            let parents_done = parents.iter().all(|p| self.shards.get(p).is_none_or(|r| r.done));
            if parents_done && !self.shards.contains_key(&child) {
                let shard = ShardReader { start: Some(ShardIteratorType::TrimHorizon), ..ShardReader::default() };
                self.shards.insert(child, shard);
            }
        }
        round
    }
}
