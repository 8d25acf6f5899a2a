//! A whole simulated day through the runner: every sample fires exactly once, at its own time.

use crate::harness;
use kinesis_lab::engine::runner::{RunOutcome, Runner};
use kinesis_lab::engine::time::{SimDuration, SimTime};
use kinesis_lab::engine::{Engine, EngineConfig, Output};

#[test]
fn a_day_of_samples_in_order_in_frame_sized_slices() {
    let seed = harness::seed(1);
    let mut runner = Runner::new(Engine::new(EngineConfig::with_seed(seed)));
    let mut samples = Vec::new();
    // Advance the way the worker does: irregular slices, as frames and speeds vary.
    let mut target = SimTime::ZERO;
    let mut slice_ms = 7;
    while target < SimTime::from_secs(86_400) {
        target += SimDuration::from_millis(slice_ms * 1_000);
        slice_ms = slice_ms * 7 % 101 + 1;
        let outcome = runner.run_until(target, 1_000_000, &mut |o| {
            if let Output::Metrics(s) = o {
                samples.push(s);
            }
        });
        assert_eq!(outcome, RunOutcome::Reached, "KLAB_SEED={seed}");
    }
    let day: Vec<_> = samples.iter().take_while(|s| s.at <= SimTime::from_secs(86_400)).collect();
    assert_eq!(day.len(), 86_400, "KLAB_SEED={seed}");
    for (i, s) in day.iter().enumerate() {
        let n = i as u64 + 1;
        assert_eq!((s.at, s.events_processed), (SimTime::from_secs(n), n), "KLAB_SEED={seed}");
    }
}
