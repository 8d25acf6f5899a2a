//! A Kinesis data stream as the source (spec §1.5, L8): Firehose reads every shard once a second as a
//! standard (shared-throughput) consumer, through the KDS engine's own GetShardIterator and GetRecords, so
//! it shares each shard's 5 reads/s and 2 MiB/s with every other consumer. It starts at LATEST: records
//! already in the stream are not delivered. Closed shards are read to their end, then their children from
//! TRIM_HORIZON once every parent is done.

use super::metrics::FirehoseMetric as M;
use super::stream::DeliveryStream;
use crate::engine::kds::actions::{GetRecordsInput, GetShardIteratorInput};
use crate::engine::kds::error::KdsErrorKind;
use crate::engine::kds::ids::ShardId;
use crate::engine::kds::types::ShardIteratorType;
use crate::engine::kds::{KdsRequest, KdsResponse, KdsService};
use crate::engine::time::{SimDuration, SimTime};
use std::collections::BTreeMap;

/// How often each shard is read (L8: once per second).
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

/// The stream's reader of its source.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct KinesisReader {
    /// The KDS stream's name.
    pub stream: String,
    pub shards: BTreeMap<ShardId, ShardReader>,
    /// When the next round of reads is due (None until the Firehose stream is ACTIVE).
    pub next_poll: Option<SimTime>,
    /// Why reading stopped, if it did (the KDS stream was deleted, …).
    pub stalled: Option<String>,
}

impl KinesisReader {
    /// A reader of `stream` that starts when the Firehose stream becomes ACTIVE.
    pub fn new(stream: &str) -> KinesisReader {
        KinesisReader { stream: stream.into(), shards: BTreeMap::new(), next_poll: None, stalled: None }
    }

    /// How far behind the newest record it is: the largest MillisBehindLatest of its shards.
    pub fn behind_ms(&self) -> u64 {
        self.shards.values().filter(|r| !r.done).map(|r| r.behind_ms).max().unwrap_or(0)
    }
}

/// The KDS stream an ARN names: `arn:aws:kinesis:{region}:{account}:stream/{name}`.
pub fn stream_name(arn: &str) -> Option<&str> {
    let (head, name) = arn.split_once(":stream/")?;
    (head.starts_with("arn:aws") && head.contains(":kinesis:") && !name.is_empty()).then_some(name)
}

/// Starts reading at LATEST from every open shard.
pub fn start(s: &mut DeliveryStream, now: SimTime, kds: &KdsService) {
    let Some(reader) = s.kinesis.as_mut() else { return };
    match kds.shard_infos(&reader.stream) {
        Some(infos) => {
            for info in infos.iter().filter(|i| i.open) {
                let shard = ShardReader { start: Some(ShardIteratorType::Latest), ..ShardReader::default() };
                reader.shards.insert(info.id, shard);
            }
            reader.next_poll = Some(now);
        }
        None => reader.stalled = Some(format!("Kinesis stream {} not found", reader.stream)),
    }
}

/// One round of reads, if due. Returns the events handled.
pub fn handle_timeout(s: &mut DeliveryStream, now: SimTime, kds: &mut KdsService) -> u64 {
    let due = s.kinesis.as_ref().and_then(|r| r.next_poll).is_some_and(|at| at <= now);
    if !due {
        return 0;
    }
    let second = now.as_micros() / 1_000_000;
    let reader = s.kinesis.as_mut().expect("checked above");
    reader.next_poll = Some(now + POLL_INTERVAL);
    let stream = reader.stream.clone();
    let mut read = Vec::new();
    let mut adopted = Vec::new();
    let mut events = 0;
    let ids: Vec<ShardId> = reader.shards.iter().filter(|(_, r)| !r.done).map(|(id, _)| *id).collect();
    for id in ids {
        events += 1;
        let shard = reader.shards.get_mut(&id).expect("listed above");
        if shard.iterator.is_none() {
            let (kind, after) = match &shard.last_sequence {
                Some(seq) => (ShardIteratorType::AfterSequenceNumber, Some(seq.clone())),
                None => (shard.start.unwrap_or(ShardIteratorType::TrimHorizon), None),
            };
            let request = KdsRequest::GetShardIterator(GetShardIteratorInput {
                stream_name: Some(stream.clone()),
                stream_arn: None,
                shard_id: id.to_string(),
                shard_iterator_type: kind,
                starting_sequence_number: after,
                timestamp: None,
            });
            match kds.handle(now, request) {
                Ok(KdsResponse::GetShardIterator(out)) => shard.iterator = Some(out.shard_iterator),
                Err(e) if e.kind == KdsErrorKind::ProvisionedThroughputExceeded => {
                    s.metrics.add(second, M::ThrottledGetShardIterator, 1);
                    continue;
                }
                Err(e) => {
                    reader.stalled = Some(e.to_string());
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
                read.extend(out.records.into_iter().map(|r| (r.data, r.sequence_number.to_string())));
                shard.iterator = out.next_shard_iterator;
                if shard.iterator.is_none() {
                    shard.done = true;
                    adopted.extend(
                        out.child_shards.unwrap_or_default().into_iter().map(|c| (c.shard_id, c.parent_shards)),
                    );
                }
            }
            Err(e) if e.kind == KdsErrorKind::ProvisionedThroughputExceeded => {
                s.metrics.add(second, M::ThrottledGetRecords, 1);
            }
            Err(e) if e.kind == KdsErrorKind::ExpiredIterator => shard.iterator = None,
            Err(e) => reader.stalled = Some(e.to_string()),
            Ok(_) => unreachable!("GetRecords answers GetRecords"),
        }
    }
    for (child, parents) in adopted {
        let parents_done = parents.iter().all(|p| reader.shards.get(p).is_none_or(|r| r.done));
        if parents_done && !reader.shards.contains_key(&child) {
            let shard = ShardReader { start: Some(ShardIteratorType::TrimHorizon), ..ShardReader::default() };
            reader.shards.insert(child, shard);
        }
    }
    let behind = reader.behind_ms();
    s.metrics.add(second, M::KinesisMillisBehindLatest, behind);
    for (data, sequence_number) in read {
        let bytes = data.len() as u64;
        s.metrics.add(second, M::DataReadFromKinesisStreamRecords, 1);
        s.metrics.add(second, M::DataReadFromKinesisStreamBytes, bytes);
        super::put::enter(s, now, data, Some(sequence_number));
    }
    events
}
