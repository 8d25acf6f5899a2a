//! On-demand capacity (R60, R61): a new ON_DEMAND stream has 4 shards; sustained traffic above half a
//! shard's limit splits busy shards at the next check; a single hot key still throttles.

use crate::harness;
use kinesis_lab::engine::kds::actions::*;
use kinesis_lab::engine::kds::settings::KdsSettings;
use kinesis_lab::engine::kds::types::{StreamMode, StreamModeDetails};
use kinesis_lab::engine::kds::{KdsRequest, KdsResponse, KdsService};
use kinesis_lab::engine::rng::SimRng;
use kinesis_lab::engine::time::{SimDuration, SimTime};

fn on_demand() -> KdsService {
    let mut service = KdsService::new(KdsSettings::default());
    let details = StreamModeDetails { stream_mode: StreamMode::OnDemand };
    let create =
        CreateStreamInput { stream_name: "s".into(), stream_mode_details: Some(details), ..Default::default() };
    service.handle(SimTime::ZERO, KdsRequest::CreateStream(create)).expect("create");
    service.handle_timeout(SimTime::from_secs(10));
    service
}

/// Writes `per_tick` records every 100 ms from `from` to `to` (simulated seconds); returns throttled records.
fn write(service: &mut KdsService, rng: &mut SimRng, from: u64, to: u64, per_tick: usize, key: Option<&str>) -> u64 {
    let mut throttled = 0;
    let mut now = SimTime::from_secs(from);
    while now < SimTime::from_secs(to) {
        service.handle_timeout(now);
        let records = (0..per_tick)
            .map(|_| PutRecordsRequestEntry {
                data: vec![0; 10],
                partition_key: key.map_or_else(|| format!("{:x}", rng.next_u64()), str::to_string),
                explicit_hash_key: None,
            })
            .collect();
        let input = PutRecordsInput { stream_name: Some("s".into()), stream_arn: None, records };
        match service.handle(now, KdsRequest::PutRecords(input)) {
            Ok(KdsResponse::PutRecords(out)) => throttled += out.failed_record_count,
            other => panic!("{other:?}"),
        }
        now += SimDuration::from_millis(100);
    }
    throttled
}

#[test]
fn busy_shards_split_at_the_next_check() {
    let seed = harness::seed(7);
    let mut rng = SimRng::new(seed);
    let mut service = on_demand();
    assert_eq!(service.streams()["s"].open_shard_count(), 4, "KLAB_SEED={seed}");
    write(&mut service, &mut rng, 10, 71, 320, None); // 3,200 records/s: 80 % of 4 shards
    assert_eq!(
        service.streams()["s"].open_shard_count(),
        8,
        "every busy shard split once at t = 70 s; KLAB_SEED={seed}"
    );
    write(&mut service, &mut rng, 71, 131, 40, None); // a quiet minute: no more splits
    assert_eq!(service.streams()["s"].open_shard_count(), 8, "KLAB_SEED={seed}");
}

#[test]
fn a_hot_key_still_throttles_on_demand() {
    let mut rng = SimRng::new(harness::seed(7));
    let mut service = on_demand();
    let throttled = write(&mut service, &mut rng, 10, 200, 150, Some("hot")); // 1,500 records/s to one key
    assert!(throttled > 50_000, "one key is one shard's 1,000 records/s, whatever the shard count: {throttled}");
}
