//! Check by simulation: run the design at the planner's shard count and at one fewer, and report the
//! throttling and iterator age of both (issue 4, spec §5.2).
//!
//! The run is an ordinary scenario — one stream, one producer writing the peak rate with retries, the
//! design's polling and fan-out consumers — fast-forwarded. "Keeps up" means no record was dropped after
//! the producer's retries and every consumer ended less than `behind_limit_ms` behind: occasional
//! throttling that retries absorb is normal near full utilisation, as it is on AWS.

use super::sizing::{Design, Sizing};
use crate::engine::kds::shard::Detail;
use crate::engine::scenario::format::*;
use crate::engine::scenario::{compile, run::run, Scenario};
use crate::engine::workload::keys::KeyStrategy;
use crate::engine::workload::rate::RateProfile;
use crate::engine::workload::size::SizeDist;
use serde::{Deserialize, Serialize};

/// How the check runs.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct CheckSettings {
    /// Simulated seconds per run.
    pub duration_s: f64,
    /// The seed of both runs.
    pub seed: u64,
    /// A consumer further behind than this at the end has not kept up.
    pub behind_limit_ms: u64,
}

impl Default for CheckSettings {
    fn default() -> Self {
        CheckSettings { duration_s: 600.0, seed: 1, behind_limit_ms: 30_000 }
    }
}

/// One simulated run of the design.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct CheckRun {
    pub shards: u32,
    /// User records the producer made.
    pub records: u64,
    /// Write attempts refused by throttling (every attempt counts).
    pub throttled_records: u64,
    /// Records given up after the last retry.
    pub dropped_records: u64,
    /// GetRecords calls refused by throttling.
    pub throttled_reads: u64,
    /// The highest iterator age any consumer reported.
    pub max_iterator_age_ms: u64,
    /// How far behind the furthest consumer ended.
    pub behind_ms_end: u64,
    pub keeps_up: bool,
}

/// The check's answer.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Check {
    pub at_answer: CheckRun,
    /// None when the answer is one shard.
    pub one_fewer: Option<CheckRun>,
    /// The answer keeps up and one fewer does not.
    pub agrees: bool,
    pub note: String,
}

/// Runs the design at `sizing.shards` and one fewer.
pub fn check(design: &Design, sizing: &Sizing, settings: CheckSettings) -> Result<Check, String> {
    let at_answer = simulate(design, sizing.shards, settings)?;
    let one_fewer = match sizing.shards {
        1 => None,
        n => Some(simulate(design, n - 1, settings)?),
    };
    let fewer_fails = one_fewer.as_ref().is_none_or(|r| !r.keeps_up);
    let agrees = at_answer.keeps_up && fewer_fails;
    let n = sizing.shards;
    let utilisation = sizing.shards_exact / f64::from(n);
    let hot_key = sizing.skew.as_ref().is_some_and(|s| !s.fits_one_shard);
    let note = match (at_answer.keeps_up, fewer_fails) {
        (true, true) => format!("the simulation agrees: {n} shards keep up and {} do not", n.saturating_sub(1)),
        (false, _) if hot_key => {
            format!("the simulation disagrees: {n} shards do not keep up, because the hot key overflows its shard")
        }
        (false, _) if utilisation > 0.95 => format!(
            "the simulation disagrees: {n} shards run at {:.0} % of the {}, and random keys overflow some shard \
             in some seconds — plan headroom (e.g. 0.9)",
            utilisation * 100.0,
            sizing.binding
        ),
        (false, _) => format!("the simulation disagrees: {n} shards do not keep up"),
        (true, false) => {
            format!("the simulation disagrees: {} shards also keep up — the formula is cautious here", n - 1)
        }
    };
    Ok(Check { at_answer, one_fewer, agrees, note })
}

fn simulate(design: &Design, shards: u32, settings: CheckSettings) -> Result<CheckRun, String> {
    let scenario = scenario(design, shards, settings);
    let plan = compile(&scenario).map_err(|e| format!("the check's scenario: {e}"))?;
    let summary = run(plan, &mut |_| {});
    let producer = summary.producers.first().expect("the check has one producer");
    let behind = summary.consumers.iter().map(|c| c.behind_ms_end).max().unwrap_or(0);
    Ok(CheckRun {
        shards,
        records: producer.user_records,
        throttled_records: summary.totals.throttled_records,
        dropped_records: summary.totals.dropped_records,
        throttled_reads: summary.totals.throttled_reads,
        max_iterator_age_ms: summary.totals.max_iterator_age_ms,
        behind_ms_end: behind,
        keeps_up: summary.totals.dropped_records == 0 && behind <= settings.behind_limit_ms,
    })
}

/// The design as a scenario: random (UUID) keys, or a hot key with the design's share over 1,000 keys.
fn scenario(design: &Design, shards: u32, settings: CheckSettings) -> Scenario {
    const STREAM: &str = "design";
    let (keys, key_bytes) = match design.hottest_key_share {
        None => (KeyStrategy::Random, 36),
        Some(hot_share) => (KeyStrategy::HotKey { keys: 1_000, hot_share, prefix: Some("key-".into()) }, 7),
    };
    let data = design.record_bytes.saturating_sub(key_bytes).max(1);
    let poll_ms = libm::round(1_000.0 / design.polls_per_second) as u64;
    let polling = (0..design.polling_consumers).map(|i| {
        ConsumerSpec::Polling(PollingSpec {
            name: format!("reader-{i}"),
            stream: STREAM.into(),
            start: StartSpec::TrimHorizon,
            poll_ms,
            limit: 10_000,
            process_ms_per_record: 0.0,
            start_s: 0.0,
        })
    });
    let efo = (0..design.efo_consumers).map(|i| {
        ConsumerSpec::Efo(EfoSpec {
            name: format!("fan-out-{i}"),
            stream: STREAM.into(),
            start: StartSpec::TrimHorizon,
            start_s: 0.0,
        })
    });
    let kpl =
        design.kpl.then(|| serde_json::from_str::<KplSpec>("{}").expect("an empty KPL spec takes the KPL's defaults"));
    Scenario {
        name: format!("plan-{shards}"),
        title: format!("The design at {shards} shards"),
        explanation: "The planner's check. It runs the design at one shard count.".into(),
        seed: settings.seed,
        duration_s: settings.duration_s,
        start: "2024-01-01T00:00:00Z".into(),
        detail: Detail::Runs,
        // Fast-forward, but with arrivals and retries every 100 ms as a live producer spreads them:
        // a whole second's records at one instant would throttle more than a real producer does.
        tick_ms: Some(100),
        sample_s: 60,
        kds: Default::default(),
        streams: vec![StreamSpec {
            name: STREAM.into(),
            mode: ModeSpec::Provisioned,
            shards: Some(shards),
            retention_hours: design.retention_hours,
        }],
        producers: vec![ProducerSpec {
            name: "peak-load".into(),
            stream: STREAM.into(),
            rate: OneOrMany::One(RateProfile::Constant { per_second: design.records_per_second }),
            keys,
            size: Some(SizeDist::Fixed { bytes: data }),
            template: None,
            api: PutApi::PutRecords,
            batch: BatchSpec::default(),
            retry: RetrySpec::default(),
            kpl,
            poison: None,
            start_s: 0.0,
            stop_s: None,
        }],
        consumers: polling.chain(efo).collect(),
        actions: Vec::new(),
        prices: design.prices,
        firehose: Default::default(),
        s3: Default::default(),
        calls: Vec::new(),
        firehose_producers: Vec::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::planner::sizing::size;

    #[test]
    fn the_kpl_defaults_are_the_files_defaults() {
        assert_eq!(KplSpec::default(), serde_json::from_str::<KplSpec>("{}").expect("an empty spec parses"));
    }

    #[test]
    fn the_check_scenario_compiles_with_the_design_in_it() {
        let d = Design { polling_consumers: 2, efo_consumers: 1, ..Design::new(1_000.0, 3_072) };
        let s = scenario(&d, 3, CheckSettings::default());
        let plan = compile(&s).expect("compiles");
        assert_eq!(plan.scenario.consumers.len(), 3);
        assert_eq!(plan.scenario.streams[0].shards, Some(3));
        assert_eq!(size(&d).shards, 3);
    }
}
