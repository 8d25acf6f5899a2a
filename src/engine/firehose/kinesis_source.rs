//! A Kinesis data stream as the source (spec §1.5, L8): Firehose reads every shard once a second as a
//! standard (shared-throughput) consumer ([`StreamReader`]), so it shares each shard's 5 reads/s and 2 MiB/s
//! with every other consumer. It starts at LATEST: records already in the stream are not delivered.

use super::metrics::FirehoseMetric as M;
use super::stream::DeliveryStream;
use crate::engine::kds::types::ShardIteratorType;
use crate::engine::kds::KdsService;
use crate::engine::time::SimTime;

pub use crate::engine::kds::reader::StreamReader as KinesisReader;

/// The KDS stream an ARN names: `arn:aws:kinesis:{region}:{account}:stream/{name}`.
pub fn stream_name(arn: &str) -> Option<&str> {
    let (head, name) = arn.split_once(":stream/")?;
    (head.starts_with("arn:aws") && head.contains(":kinesis:") && !name.is_empty()).then_some(name)
}

/// Starts reading at LATEST from every open shard.
pub fn start(s: &mut DeliveryStream, now: SimTime, kds: &KdsService) {
    if let Some(reader) = s.kinesis.as_mut() {
        reader.start(now, kds, ShardIteratorType::Latest);
    }
}

/// One round of reads, if due. Returns the events handled.
pub fn handle_timeout(s: &mut DeliveryStream, now: SimTime, kds: &mut KdsService) -> u64 {
    let Some(reader) = s.kinesis.as_mut().filter(|r| r.due(now)) else { return 0 };
    let second = now.as_micros() / 1_000_000;
    let round = reader.poll(now, kds);
    let behind = reader.behind_ms();
    // One data point per refused call, as before the reader was shared.
    for _ in 0..round.throttled_iterators {
        s.metrics.add(second, M::ThrottledGetShardIterator, 1);
    }
    for _ in 0..round.throttled_reads {
        s.metrics.add(second, M::ThrottledGetRecords, 1);
    }
    s.metrics.add(second, M::KinesisMillisBehindLatest, behind);
    for (_, record) in round.records {
        s.metrics.add(second, M::DataReadFromKinesisStreamRecords, 1);
        s.metrics.add(second, M::DataReadFromKinesisStreamBytes, record.data.len() as u64);
        super::put::enter(s, now, record.data, Some(record.sequence_number.to_string()));
    }
    round.reads
}
