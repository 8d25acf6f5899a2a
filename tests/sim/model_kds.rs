//! Reference-model property test of Kinesis Data Streams: random sequences of writes, bursts, invalid
//! requests, reads, splits, merges, resizes and time advances, checked after every step against a
//! plain model of what was accepted.
//!
//! Invariants: sequence numbers strictly increase per shard; open shards' hash ranges tile
//! 0 … 2^128−1 exactly; no accepted record is lost or duplicated across reshards (all within
//! retention); a throttled or failed call changes no stored state.

use kinesis_lab::engine::kds::actions::*;
use kinesis_lab::engine::kds::ids::ShardId;
use kinesis_lab::engine::kds::sequence::SequenceNumber;
use kinesis_lab::engine::kds::settings::KdsSettings;
use kinesis_lab::engine::kds::types::StreamStatus;
use kinesis_lab::engine::kds::{KdsRequest, KdsResponse, KdsService};
use kinesis_lab::engine::time::{SimDuration, SimTime};
use proptest::prelude::*;
use std::collections::BTreeMap;

#[derive(Clone, Debug)]
enum Transition {
    Put {
        key: u8,
        size: u16,
    },
    Batch {
        keys: Vec<u8>,
        size: u16,
    },
    /// 500 records with one key: enough to throttle a shard.
    Burst {
        key: u8,
    },
    /// An invalid request (empty partition key): must fail and change nothing.
    Invalid,
    Read {
        pick: u8,
    },
    Split {
        pick: u8,
        at: u16,
    },
    Merge {
        pick: u8,
    },
    Resize {
        target: u8,
    },
    Advance {
        ms: u32,
    },
}

fn transition() -> impl Strategy<Value = Transition> {
    prop_oneof![
        4 => (0u8..40, 0u16..3_000).prop_map(|(key, size)| Transition::Put { key, size }),
        3 => (prop::collection::vec(0u8..40, 1..30), 0u16..500).prop_map(|(keys, size)| Transition::Batch { keys, size }),
        1 => (0u8..40).prop_map(|key| Transition::Burst { key }),
        1 => Just(Transition::Invalid),
        2 => any::<u8>().prop_map(|pick| Transition::Read { pick }),
        1 => (any::<u8>(), any::<u16>()).prop_map(|(pick, at)| Transition::Split { pick, at }),
        1 => any::<u8>().prop_map(|pick| Transition::Merge { pick }),
        1 => (1u8..9).prop_map(|target| Transition::Resize { target }),
        3 => (0u32..15_000).prop_map(|ms| Transition::Advance { ms }),
    ]
}

/// What was accepted, per shard, in order.
#[derive(Default)]
struct Reference {
    accepted: BTreeMap<ShardId, Vec<(SequenceNumber, String, usize)>>,
}

/// The observable stored state: status, shards (range, open) and their records' counters.
type Fingerprint = (StreamStatus, Vec<(u32, u128, u128, bool, Vec<u64>)>);

fn fingerprint(service: &KdsService) -> Fingerprint {
    let stream = &service.streams()["s"];
    let shards = stream
        .shards
        .iter()
        .map(|s| {
            (s.id.0, s.range.start.0, s.range.end.0, s.is_open(), s.records_after(0).map(|r| r.counter()).collect())
        })
        .collect();
    (stream.status, shards)
}

fn put_input(key: u8, size: u16) -> PutRecordInput {
    PutRecordInput {
        stream_name: Some("s".into()),
        data: vec![7; usize::from(size)],
        partition_key: format!("key-{key}"),
        ..Default::default()
    }
}

struct Sim {
    service: KdsService,
    now: SimTime,
    model: Reference,
}

impl Sim {
    fn new() -> Sim {
        let mut service = KdsService::new(KdsSettings::default());
        let create = CreateStreamInput { stream_name: "s".into(), shard_count: Some(2), ..Default::default() };
        service.handle(SimTime::ZERO, KdsRequest::CreateStream(create)).expect("create");
        let now = SimTime::from_secs(10);
        service.handle_timeout(now);
        Sim { service, now, model: Reference::default() }
    }

    fn call(&mut self, request: KdsRequest) -> Result<KdsResponse, String> {
        self.service.handle_timeout(self.now);
        let before = fingerprint(&self.service);
        let result = self.service.handle(self.now, request).map_err(|e| e.to_string());
        if let Err(e) = &result {
            assert_eq!(fingerprint(&self.service), before, "a failed call changed state: {e}");
        }
        result
    }

    fn accept(&mut self, shard: ShardId, seq: SequenceNumber, key: String, size: usize) {
        let log = self.model.accepted.entry(shard).or_default();
        if let Some((last, _, _)) = log.last() {
            assert!(seq > *last, "sequence numbers strictly increase in {shard}");
        }
        log.push((seq, key, size));
    }

    fn open_ids(&self) -> Vec<ShardId> {
        self.service.streams()["s"].open_shards().map(|s| s.id).collect()
    }

    fn apply(&mut self, step: &Transition) {
        match step {
            Transition::Put { key, size } => {
                if let Ok(KdsResponse::PutRecord(out)) = self.call(KdsRequest::PutRecord(put_input(*key, *size))) {
                    self.accept(out.shard_id, out.sequence_number, format!("key-{key}"), usize::from(*size));
                }
            }
            Transition::Batch { keys, size } => self.batch(keys, *size),
            Transition::Burst { key } => self.batch(&[*key; 500], 1),
            Transition::Invalid => {
                let bad = PutRecordInput { partition_key: String::new(), ..put_input(0, 1) };
                assert!(self.call(KdsRequest::PutRecord(bad)).is_err());
            }
            Transition::Read { pick } => self.read(*pick),
            Transition::Split { pick, at } => {
                let ids = self.open_ids();
                let shard = &self.service.streams()["s"].shards[ids[usize::from(*pick) % ids.len()].0 as usize];
                let span = shard.range.end.0 - shard.range.start.0;
                let key = shard.range.start.0 + span / 65_536 * u128::from(*at);
                let input = SplitShardInput {
                    stream_name: Some("s".into()),
                    shard_to_split: shard.id.to_string(),
                    new_starting_hash_key: key.to_string(),
                    ..Default::default()
                };
                let _ = self.call(KdsRequest::SplitShard(input));
            }
            Transition::Merge { pick } => {
                let ids = self.open_ids();
                let i = usize::from(*pick) % ids.len();
                let j = (i + 1).min(ids.len() - 1);
                let input = MergeShardsInput {
                    stream_name: Some("s".into()),
                    shard_to_merge: ids[i].to_string(),
                    adjacent_shard_to_merge: ids[j].to_string(),
                    ..Default::default()
                };
                let _ = self.call(KdsRequest::MergeShards(input));
            }
            Transition::Resize { target } => {
                let input = UpdateShardCountInput {
                    stream_name: Some("s".into()),
                    target_shard_count: i64::from(*target),
                    scaling_type: "UNIFORM_SCALING".into(),
                    ..Default::default()
                };
                let _ = self.call(KdsRequest::UpdateShardCount(input));
            }
            Transition::Advance { ms } => {
                self.now += SimDuration::from_millis(u64::from(*ms));
                self.service.handle_timeout(self.now);
            }
        }
    }

    fn batch(&mut self, keys: &[u8], size: u16) {
        let records: Vec<PutRecordsRequestEntry> = keys
            .iter()
            .map(|k| PutRecordsRequestEntry {
                data: vec![1; usize::from(size)],
                partition_key: format!("key-{k}"),
                explicit_hash_key: None,
            })
            .collect();
        let input = PutRecordsInput { stream_name: Some("s".into()), records, ..Default::default() };
        let Ok(KdsResponse::PutRecords(out)) = self.call(KdsRequest::PutRecords(input)) else { return };
        let failed = out.records.iter().filter(|r| matches!(r, PutRecordsResultEntry::Failed(_))).count();
        assert_eq!(out.failed_record_count as usize, failed);
        for (entry, key) in out.records.iter().zip(keys) {
            if let PutRecordsResultEntry::Ok { sequence_number, shard_id } = entry {
                self.accept(*shard_id, *sequence_number, format!("key-{key}"), usize::from(size));
            }
        }
    }

    fn read(&mut self, pick: u8) {
        let shards = self.service.streams()["s"].shards.len();
        let shard = ShardId(u32::from(pick) % shards as u32);
        let input = GetShardIteratorInput {
            stream_name: Some("s".into()),
            stream_arn: None,
            shard_id: shard.to_string(),
            shard_iterator_type: kinesis_lab::engine::kds::types::ShardIteratorType::TrimHorizon,
            starting_sequence_number: None,
            timestamp: None,
        };
        let Ok(KdsResponse::GetShardIterator(it)) = self.call(KdsRequest::GetShardIterator(input)) else { return };
        let Ok(KdsResponse::GetRecords(out)) = self
            .call(KdsRequest::GetRecords(GetRecordsInput { shard_iterator: it.shard_iterator, ..Default::default() }))
        else {
            return;
        };
        let want: Vec<SequenceNumber> =
            self.model.accepted.get(&shard).map(|log| log.iter().map(|(s, _, _)| *s).collect()).unwrap_or_default();
        let got: Vec<SequenceNumber> = out.records.iter().map(|r| r.sequence_number).collect();
        assert_eq!(got, want[..got.len()], "a read returns the shard's accepted records in order");
    }

    fn check(&self) {
        let stream = &self.service.streams()["s"];
        let mut open: Vec<(u128, u128)> = stream.open_shards().map(|s| (s.range.start.0, s.range.end.0)).collect();
        open.sort_unstable();
        assert_eq!(open.first().map(|r| r.0), Some(0), "tiling starts at 0");
        assert_eq!(open.last().map(|r| r.1), Some(u128::MAX), "tiling ends at 2^128-1");
        assert!(open.windows(2).all(|w| w[0].1 + 1 == w[1].0), "open ranges are contiguous: {open:?}");
        for shard in &stream.shards {
            let stored: Vec<(u64, String, usize)> =
                shard.records_after(0).map(|r| (r.counter(), r.partition_key().to_string(), r.data().len())).collect();
            let accepted = self.model.accepted.get(&shard.id).map_or(&[][..], Vec::as_slice);
            let expected: Vec<(u64, String, usize)> =
                accepted.iter().map(|(s, k, n)| (s.counter, k.clone(), *n)).collect();
            assert_eq!(stored, expected, "{} holds exactly the records accepted into it", shard.id);
        }
    }
}

proptest! {
    #![proptest_config(crate::harness::proptest_config(64))]

    #[test]
    fn kds_matches_the_reference_model(steps in prop::collection::vec(transition(), 1..40)) {
        let mut sim = Sim::new();
        for step in &steps {
            sim.apply(step);
            sim.check();
        }
    }
}
