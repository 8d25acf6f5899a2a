//! The clients' bulk path obeys the same rules as the API: the same traffic written as PutRecords calls,
//! as bulk runs of one record, and as bulk runs of many (fast-forward) is throttled, stored, read, aged
//! and counted in CloudWatch identically.

use crate::harness::proptest_config;
use kinesis_lab::engine::kds::actions::*;
use kinesis_lab::engine::kds::bulk::{PutCall, RunWrite, StartAt};
use kinesis_lab::engine::kds::hashing::partition_key_hash;
use kinesis_lab::engine::kds::ids::ShardId;
use kinesis_lab::engine::kds::metrics::Metric;
use kinesis_lab::engine::kds::record::Labels;
use kinesis_lab::engine::kds::settings::KdsSettings;
use kinesis_lab::engine::kds::shard::Detail;
use kinesis_lab::engine::kds::types::ShardIteratorType;
use kinesis_lab::engine::kds::{KdsRequest, KdsResponse, KdsService};
use kinesis_lab::engine::time::SimTime;
use proptest::prelude::*;

const KEYS: [&str; 4] = ["a", "b", "Weather", "key1"];
const SIZES: [usize; 3] = [10, 1_000, 300_000];

#[derive(Clone, Debug)]
enum Step {
    Wait(u64),
    /// (key index, data size index, count) groups, one PutRecords call.
    Put(Vec<(usize, usize, u32)>),
    Read {
        shard: u32,
        limit: u64,
    },
}

fn step() -> impl Strategy<Value = Step> {
    prop_oneof![
        (0u64..1_500).prop_map(Step::Wait),
        prop::collection::vec((0..KEYS.len(), 0..SIZES.len(), 1u32..300), 1..4).prop_map(Step::Put),
        (0u32..2, 1u64..3_000).prop_map(|(shard, limit)| Step::Read { shard, limit }),
    ]
}

/// One account reached three ways.
struct Trio {
    api: KdsService,
    single: KdsService,
    runs: KdsService,
    /// The API reader's next iterator per shard.
    iterators: [Option<String>; 2],
    /// The bulk readers' positions per shard (the same for both).
    positions: [[Option<u64>; 2]; 2],
}

fn service(detail: Detail) -> KdsService {
    let mut s = KdsService::new(KdsSettings { detail, ..KdsSettings::default() });
    let create = CreateStreamInput { stream_name: "s".into(), shard_count: Some(2), ..Default::default() };
    s.handle(SimTime::ZERO, KdsRequest::CreateStream(create)).expect("created");
    s.handle_timeout(SimTime::from_secs(10));
    s
}

/// Keeps a PutRecords call within 500 records and 5 MiB, as a client library would.
fn clamp(groups: &[(usize, usize, u32)]) -> Vec<(usize, usize, u32)> {
    let (mut records, mut bytes, mut out) = (0u64, 0u64, Vec::new());
    for &(k, s, n) in groups {
        let size = (KEYS[k].len() + SIZES[s]) as u64;
        let room = (500 - records).min((5 * 1_048_576 - bytes) / size);
        let n = u64::from(n).min(room);
        if n > 0 {
            out.push((k, s, n as u32));
            records += n;
            bytes += n * size;
        }
    }
    out
}

impl Trio {
    fn new() -> Trio {
        Trio {
            api: service(Detail::Records),
            single: service(Detail::Records),
            runs: service(Detail::Runs),
            iterators: [None, None],
            positions: [[None; 2]; 2],
        }
    }

    fn put(&mut self, now: SimTime, groups: &[(usize, usize, u32)]) {
        let groups = clamp(groups);
        let entries: Vec<PutRecordsRequestEntry> = groups
            .iter()
            .flat_map(|&(k, s, n)| {
                (0..n).map(move |_| PutRecordsRequestEntry {
                    data: vec![b'x'; SIZES[s]],
                    partition_key: KEYS[k].into(),
                    explicit_hash_key: None,
                })
            })
            .collect();
        let input = PutRecordsInput { stream_name: Some("s".into()), stream_arn: None, records: entries.clone() };
        let Ok(KdsResponse::PutRecords(out)) = self.api.handle(now, KdsRequest::PutRecords(input)) else {
            panic!("PutRecords answers")
        };
        let singles: Vec<RunWrite> = entries
            .into_iter()
            .map(|e| RunWrite {
                hash: partition_key_hash(&e.partition_key),
                count: 1,
                bytes_each: (e.partition_key.len() + e.data.len()) as u32,
                users_each: 1,
                labels: Labels::default(),
                body: Some((e.partition_key, e.data)),
            })
            .collect();
        let single = self.single.put_runs(now, "s", PutCall::PutRecords, singles).expect("written");
        let runs: Vec<RunWrite> = groups
            .iter()
            .map(|&(k, s, n)| RunWrite {
                hash: partition_key_hash(KEYS[k]),
                count: n,
                bytes_each: (KEYS[k].len() + SIZES[s]) as u32,
                users_each: 1,
                labels: Labels::default(),
                body: None,
            })
            .collect();
        let ran = self.runs.put_runs(now, "s", PutCall::PutRecords, runs).expect("written");
        let accepted =
            |w: &[kinesis_lab::engine::kds::bulk::RunWritten]| w.iter().map(|w| u64::from(w.accepted)).sum::<u64>();
        let stored = out.records.len() as u64 - out.failed_record_count;
        assert_eq!((accepted(&single), accepted(&ran)), (stored, stored), "same records stored");
    }

    fn read(&mut self, now: SimTime, shard: u32, limit: u64) {
        let id = ShardId(shard);
        let api = self.api_read(now, id, limit);
        let mut bulk = Vec::new();
        for (i, svc) in [&mut self.single, &mut self.runs].into_iter().enumerate() {
            let position = &mut self.positions[i][shard as usize];
            if position.is_none() {
                match svc.start_after(now, "s", id, StartAt::TrimHorizon) {
                    Ok(after) => *position = Some(after),
                    Err(e) => {
                        bulk.push(Err(e.kind.aws_code().to_string()));
                        continue;
                    }
                }
            }
            let after = position.expect("set above");
            bulk.push(match svc.read_after(now, "s", id, after, limit, false) {
                Ok(r) => {
                    *position = Some(r.taken.last.map_or(after, |l| l.0));
                    Ok((r.taken.records, r.millis_behind_latest))
                }
                Err(e) => Err(e.kind.aws_code().to_string()),
            });
        }
        assert_eq!(bulk[0], api, "single-record bulk read vs GetRecords");
        assert_eq!(bulk[1], api, "run bulk read vs GetRecords");
    }

    fn api_read(&mut self, now: SimTime, id: ShardId, limit: u64) -> Result<(u64, u64), String> {
        let slot = &mut self.iterators[id.0 as usize];
        if slot.is_none() {
            let input = GetShardIteratorInput {
                stream_name: Some("s".into()),
                stream_arn: None,
                shard_id: id.to_string(),
                shard_iterator_type: ShardIteratorType::TrimHorizon,
                starting_sequence_number: None,
                timestamp: None,
            };
            match self.api.handle(now, KdsRequest::GetShardIterator(input)) {
                Ok(KdsResponse::GetShardIterator(out)) => *slot = Some(out.shard_iterator),
                Err(e) => return Err(e.kind.aws_code().to_string()),
                Ok(_) => unreachable!("GetShardIterator answers with an iterator"),
            }
        }
        let input =
            GetRecordsInput { shard_iterator: slot.clone().expect("set"), limit: Some(limit as i64), stream_arn: None };
        match self.api.handle(now, KdsRequest::GetRecords(input)) {
            Ok(KdsResponse::GetRecords(out)) => {
                *slot = out.next_shard_iterator;
                Ok((out.records.len() as u64, out.millis_behind_latest))
            }
            Err(e) => Err(e.kind.aws_code().to_string()),
            Ok(_) => unreachable!("GetRecords answers with records"),
        }
    }

    fn same_metrics(&self) {
        let series = |s: &KdsService, m: Metric| s.streams()["s"].metrics.stream.periods(m as usize, 0, u64::MAX, 1);
        for m in Metric::ALL {
            let api = series(&self.api, m);
            assert_eq!(series(&self.single, m), api, "{}: single-record bulk vs API", m.name());
            assert_eq!(series(&self.runs, m), api, "{}: runs vs API", m.name());
        }
    }
}

proptest! {
    #![proptest_config(proptest_config(48))]

    #[test]
    fn runs_and_records_obey_the_same_rules(steps in prop::collection::vec(step(), 1..60)) {
        let mut trio = Trio::new();
        let mut now = SimTime::from_secs(10);
        for step in steps {
            match step {
                Step::Wait(ms) => now += kinesis_lab::engine::time::SimDuration::from_millis(ms),
                Step::Put(groups) => trio.put(now, &groups),
                Step::Read { shard, limit } => trio.read(now, shard, limit),
            }
        }
        trio.same_metrics();
    }
}

#[test]
fn record_detail_streams_refuse_bodiless_runs_and_run_streams_refuse_get_records() {
    let mut records = service(Detail::Records);
    let run = RunWrite {
        hash: partition_key_hash("k"),
        count: 5,
        bytes_each: 10,
        users_each: 1,
        labels: Labels::default(),
        body: None,
    };
    let err =
        records.put_runs(SimTime::from_secs(10), "s", PutCall::PutRecords, vec![run.clone()]).expect_err("refused");
    assert_eq!(err.kind.aws_code(), "InvalidArgumentException");
    let mut runs = service(Detail::Runs);
    runs.put_runs(SimTime::from_secs(10), "s", PutCall::PutRecords, vec![run]).expect("stored");
    let it = GetShardIteratorInput {
        stream_name: Some("s".into()),
        stream_arn: None,
        shard_id: "shardId-000000000000".into(),
        shard_iterator_type: ShardIteratorType::TrimHorizon,
        starting_sequence_number: None,
        timestamp: None,
    };
    let Ok(KdsResponse::GetShardIterator(out)) = runs.handle(SimTime::from_secs(10), KdsRequest::GetShardIterator(it))
    else {
        panic!("iterator")
    };
    let get = GetRecordsInput { shard_iterator: out.shard_iterator, limit: None, stream_arn: None };
    let err = runs.handle(SimTime::from_secs(10), KdsRequest::GetRecords(get)).expect_err("refused");
    assert!(err.message.contains("fast-forward"), "{}", err.message);
}
