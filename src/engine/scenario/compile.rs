//! Checks a scenario's values and compiles it into the plan the engine runs.
//!
//! Each check names the field it is about (`producers[0].keys.hot_share`), so a learner editing a file
//! finds the mistake at once. Compilation builds what running needs once: the rate curves, the key
//! plans with their MD5 hashes, the parsed templates and the size classes of fast-forward.

use super::format::*;
use super::ScenarioError;
use crate::engine::kds::datetime::days_from_civil;
use crate::engine::kds::limits::{RETENTION_HOURS_MAX, RETENTION_HOURS_MIN, SHARDS_PER_STREAM_UPDATE_MAX};
use crate::engine::kds::shard::Detail;
use crate::engine::rng::{Seed, SimRng};
use crate::engine::time::SimDuration;
use crate::engine::workload::keys::KeyPlan;
use crate::engine::workload::rate::{RateCurve, RateProfile};
use crate::engine::workload::size::{classes_from_sample, SizeDist};
use crate::engine::workload::template::Template;
use crate::engine::EngineConfig;
use std::collections::BTreeSet;

/// The longest scenario: 400 days (the replay horizon).
pub const DURATION_MAX_S: f64 = 400.0 * 86_400.0;
/// Template bodies rendered at load to learn their size distribution (fast-forward sends none).
const TEMPLATE_SAMPLES: usize = 256;

/// A compiled scenario: everything the engine needs to run it.
#[derive(Clone, Debug)]
pub struct Plan {
    /// The scenario as written.
    pub scenario: Scenario,
    /// The engine's configuration (seed, sample interval, account settings with the detail).
    pub config: EngineConfig,
    /// How long to run.
    pub duration: SimDuration,
    /// How often producers hand records over.
    pub tick: SimDuration,
    /// The producers, compiled, in file order.
    pub producers: Vec<ProducerPlan>,
    /// The Direct PUT producers, compiled, in file order.
    pub direct_put: Vec<super::firehose::DirectPutPlan>,
    /// The AWS calls, parsed, in file order.
    pub calls: Vec<super::firehose::CallPlan>,
}

/// A producer, compiled.
#[derive(Clone, Debug)]
pub struct ProducerPlan {
    /// As written.
    pub spec: ProducerSpec,
    /// Its rate.
    pub rate: RateCurve,
    /// Its keys.
    pub keys: KeyPlan,
    /// What its record bodies are.
    pub body: BodyPlan,
    /// Data sizes as fast-forward classes (bytes, probability).
    pub size_classes: Vec<(u32, f64)>,
}

/// Where record bodies come from.
#[derive(Clone, Debug)]
pub enum BodyPlan {
    /// Rendered from a Kinesis Data Generator template.
    Template(Template),
    /// Filler of a drawn size.
    Sized(SizeDist),
    /// CloudWatch Logs subscription records: gzipped envelopes of templated log events.
    CloudWatchLogs { template: Template, spec: super::firehose::CloudWatchLogsSpec },
}

impl BodyPlan {
    /// The next body: a rendered template, or filler of a drawn size stamped with the producer and `seq`
    /// (which counts the filler bodies).
    pub fn render(&self, rng: &mut SimRng, wall_ms: u64, producer: &str, seq: &mut u64) -> Vec<u8> {
        match self {
            BodyPlan::Template(t) => t.render(rng, wall_ms as i64).into_bytes(),
            BodyPlan::Sized(size) => {
                let bytes = size.draw(rng) as usize;
                *seq += 1;
                let stamp = format!("{producer}#{seq};");
                stamp.bytes().cycle().take(bytes).collect()
            }
            BodyPlan::CloudWatchLogs { template, spec } => {
                let events: Vec<serde_json::Value> = (0..spec.events)
                    .map(|i| {
                        *seq += 1;
                        let message = template.render(rng, wall_ms as i64);
                        serde_json::json!({
                            // CloudWatch Logs' event ids are 56-digit strings [M: their make-up].
                            "id": format!("{:020}{:020}{:016}", wall_ms, *seq, i),
                            "timestamp": wall_ms,
                            "message": message.trim_end_matches('\n'),
                        })
                    })
                    .collect();
                let envelope = serde_json::json!({
                    "messageType": "DATA_MESSAGE",
                    "owner": "123456789012",
                    "logGroup": spec.log_group,
                    "logStream": spec.log_stream,
                    "subscriptionFilters": [spec.filter],
                    "logEvents": events,
                });
                let text = envelope.to_string();
                crate::engine::firehose::compress::Compression::Gzip.apply(text.as_bytes(), "", wall_ms)
            }
        }
    }
}

/// Checks and compiles a scenario.
pub fn compile(s: &Scenario) -> Result<Plan, ScenarioError> {
    let mut plan = compile_without_calls(s)?;
    plan.calls = super::firehose::compile_calls(s)?;
    Ok(plan)
}

/// Checks every value except the calls' request bodies, which need the AWS wire layer: what the page
/// checks before it hands a file to the worker, which compiles it whole (the page does not carry that
/// layer, to stay small).
pub fn check(s: &Scenario) -> Result<(), ScenarioError> {
    compile_without_calls(s)?;
    super::firehose::check_call_times(s)
}

fn compile_without_calls(s: &Scenario) -> Result<Plan, ScenarioError> {
    let err = |path: &str, message: String| Err(ScenarioError::at(path, message));
    if s.name.is_empty()
        || s.name.len() > 64
        || !s.name.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
    {
        return err("name", format!("must be 1–64 letters, digits, '-' or '_', got \"{}\"", s.name));
    }
    for (field, text) in [("title", &s.title), ("explanation", &s.explanation)] {
        if text.trim().is_empty() {
            return err(field, "must not be empty".to_string());
        }
    }
    if !(s.duration_s.is_finite() && s.duration_s > 0.0 && s.duration_s <= DURATION_MAX_S) {
        return err(
            "duration_s",
            format!("must be above 0 and at most {DURATION_MAX_S} seconds (400 days), got {}", s.duration_s),
        );
    }
    let start_ms = parse_start(&s.start).map_err(|m| ScenarioError::at("start", m))?;
    let tick_ms = s.tick_ms.unwrap_or(match s.detail {
        Detail::Records => 100,
        Detail::Runs => 1_000,
    });
    if !(1..=60_000).contains(&tick_ms) {
        return err("tick_ms", format!("must be from 1 to 60,000 ms, got {tick_ms}"));
    }
    if !(1..=3_600).contains(&s.sample_s) {
        return err("sample_s", format!("must be from 1 to 3,600 seconds, got {}", s.sample_s));
    }
    if s.kds.detail != Detail::Records && s.kds.detail != s.detail {
        return err("kds.detail", "is set by the scenario's own \"detail\"; leave it out".to_string());
    }
    let mut kds = s.kds.clone();
    kds.detail = s.detail;
    kds.epoch_ms = start_ms;
    if let Some(problem) = kds.problem() {
        return err("kds", problem);
    }
    let streams = check_streams(s)?;
    let producers = s
        .producers
        .iter()
        .enumerate()
        .map(|(i, p)| compile_producer(s, p, &streams, start_ms).map_err(|e| prefix(&format!("producers[{i}]"), e)))
        .collect::<Result<Vec<_>, _>>()?;
    unique(s.producers.iter().map(|p| p.name.as_str()), "producers")?;
    check_consumers(s, &streams)?;
    check_actions(s, &streams)?;
    let direct_put = super::firehose::compile_direct_put(s, start_ms)?;
    let config = EngineConfig {
        seed: Seed(s.seed),
        sample_interval: SimDuration::from_secs(s.sample_s),
        kds,
        firehose: s.firehose.clone(),
        s3: s.s3.clone(),
    };
    Ok(Plan {
        scenario: s.clone(),
        config,
        duration: SimDuration::from_micros((s.duration_s * 1e6) as u64),
        tick: SimDuration::from_millis(tick_ms),
        producers,
        direct_put,
        calls: Vec::new(),
    })
}

/// `YYYY-MM-DDTHH:MM:SSZ` to epoch milliseconds.
pub fn parse_start(text: &str) -> Result<u64, String> {
    let bad = || format!("must be a UTC time like 2024-01-01T06:00:00Z, got \"{text}\"");
    let b = text.as_bytes();
    if b.len() != 20 || b[4] != b'-' || b[7] != b'-' || b[10] != b'T' || b[13] != b':' || b[16] != b':' || b[19] != b'Z'
    {
        return Err(bad());
    }
    let num = |from: usize, to: usize| text[from..to].parse::<u32>().map_err(|_| bad());
    let (y, mo, d, h, mi, sec) = (num(0, 4)?, num(5, 7)?, num(8, 10)?, num(11, 13)?, num(14, 16)?, num(17, 19)?);
    let days_in_month = match mo {
        2 if (y % 4 == 0 && y % 100 != 0) || y % 400 == 0 => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        1..=12 => 31,
        _ => return Err(bad()),
    };
    if !(1970..=9999).contains(&y) || d == 0 || d > days_in_month || h > 23 || mi > 59 || sec > 59 {
        return Err(bad());
    }
    let days = days_from_civil(i64::from(y), mo, d) as u64;
    Ok(((days * 86_400) + u64::from(h) * 3_600 + u64::from(mi) * 60 + u64::from(sec)) * 1_000)
}

pub(super) fn prefix(at: &str, e: ScenarioError) -> ScenarioError {
    let path = if e.path.is_empty() { at.to_string() } else { format!("{at}.{}", e.path) };
    ScenarioError { path, message: e.message }
}

pub(super) fn unique<'a>(names: impl Iterator<Item = &'a str>, list: &str) -> Result<(), ScenarioError> {
    let mut seen = BTreeSet::new();
    for (i, name) in names.enumerate() {
        if !seen.insert(name) {
            return Err(ScenarioError::at(format!("{list}[{i}].name"), format!("\"{name}\" is used twice")));
        }
    }
    Ok(())
}

fn check_streams(s: &Scenario) -> Result<BTreeSet<String>, ScenarioError> {
    if s.streams.is_empty() && s.calls.is_empty() {
        return Err(ScenarioError::at("streams", "needs at least one stream, or calls that create what the run uses"));
    }
    for (i, st) in s.streams.iter().enumerate() {
        let at = |field: &str| format!("streams[{i}].{field}");
        let name_ok = (1..=128).contains(&st.name.len())
            && st.name.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'.' || b == b'-');
        if !name_ok {
            return Err(ScenarioError::at(at("name"), "must be 1–128 of a-z, A-Z, 0-9, '_', '.', '-'"));
        }
        match (st.mode, st.shards) {
            (ModeSpec::Provisioned, None) => {
                return Err(ScenarioError::at(at("shards"), "a provisioned stream needs a shard count"))
            }
            (ModeSpec::Provisioned, Some(n)) if !(1..=SHARDS_PER_STREAM_UPDATE_MAX).contains(&n) => {
                return Err(ScenarioError::at(
                    at("shards"),
                    format!("must be from 1 to {SHARDS_PER_STREAM_UPDATE_MAX}, got {n}"),
                ))
            }
            (ModeSpec::OnDemand, Some(_)) => {
                return Err(ScenarioError::at(at("shards"), "an on-demand stream chooses its own shards; leave it out"))
            }
            _ => {}
        }
        if !(RETENTION_HOURS_MIN..=RETENTION_HOURS_MAX).contains(&st.retention_hours) {
            return Err(ScenarioError::at(
                at("retention_hours"),
                format!("must be from {RETENTION_HOURS_MIN} to {RETENTION_HOURS_MAX}, got {}", st.retention_hours),
            ));
        }
    }
    unique(s.streams.iter().map(|st| st.name.as_str()), "streams")?;
    Ok(s.streams.iter().map(|st| st.name.clone()).collect())
}

pub(super) fn time_in_run(s: &Scenario, path: &str, t: f64) -> Result<(), ScenarioError> {
    if t.is_finite() && t >= 0.0 && t <= s.duration_s {
        Ok(())
    } else {
        Err(ScenarioError::at(path, format!("must be a time from 0 to duration_s ({}), got {t}", s.duration_s)))
    }
}

pub(super) fn known(set: &BTreeSet<String>, path: &str, name: &str, what: &str) -> Result<(), ScenarioError> {
    if set.contains(name) {
        Ok(())
    } else {
        Err(ScenarioError::at(path, format!("no {what} is called \"{name}\"")))
    }
}

fn compile_producer(
    s: &Scenario,
    p: &ProducerSpec,
    streams: &BTreeSet<String>,
    start_ms: u64,
) -> Result<ProducerPlan, ScenarioError> {
    if p.name.is_empty() {
        return Err(ScenarioError::at("name", "must not be empty"));
    }
    known(streams, "stream", &p.stream, "stream")?;
    let rate = compile_rate(&p.rate, start_ms)?;
    let keys = p.keys.plan().map_err(|(field, m)| ScenarioError::at(format!("keys.{field}"), m))?;
    let (body, size_classes) = compile_body(s, &p.name, &p.size, &p.template, start_ms)?;
    if !(1..=500).contains(&p.batch.max_records) {
        return Err(ScenarioError::at(
            "batch.max_records",
            format!("must be from 1 to 500, got {}", p.batch.max_records),
        ));
    }
    if p.batch.linger_ms > 60_000 {
        return Err(ScenarioError::at(
            "batch.linger_ms",
            format!("must be at most 60,000 ms, got {}", p.batch.linger_ms),
        ));
    }
    check_retry(&p.retry)?;
    let r = &p.retry;
    if !(r.lost_ack_fraction.is_finite() && (0.0..=1.0).contains(&r.lost_ack_fraction)) {
        return Err(ScenarioError::at(
            "retry.lost_ack_fraction",
            format!("must be from 0 to 1, got {}", r.lost_ack_fraction),
        ));
    }
    if let Some(k) = &p.kpl {
        if !(64..=1_048_576).contains(&k.aggregation_max_bytes) {
            return Err(ScenarioError::at(
                "kpl.aggregation_max_bytes",
                format!("must be from 64 to 1,048,576, got {}", k.aggregation_max_bytes),
            ));
        }
        if !(100..=600_000).contains(&k.max_buffered_ms) {
            return Err(ScenarioError::at(
                "kpl.max_buffered_ms",
                format!("must be from 100 to 600,000 ms, got {}", k.max_buffered_ms),
            ));
        }
        if !(100..=3_600_000).contains(&k.record_ttl_ms) {
            return Err(ScenarioError::at(
                "kpl.record_ttl_ms",
                format!("must be from 100 to 3,600,000 ms, got {}", k.record_ttl_ms),
            ));
        }
        if !(1..=1_000).contains(&k.rate_limit_percent) {
            return Err(ScenarioError::at(
                "kpl.rate_limit_percent",
                format!("must be from 1 to 1,000, got {}", k.rate_limit_percent),
            ));
        }
        if p.api == PutApi::PutRecord {
            return Err(ScenarioError::at("api", "the KPL sends PutRecords; leave api out or set put_records"));
        }
    }
    check_window(s, p.start_s, p.stop_s)?;
    if let Some(poison) = &p.poison {
        for (j, t) in poison.at_s.iter().enumerate() {
            time_in_run(s, &format!("poison.at_s[{j}]"), *t)?;
        }
    }
    Ok(ProducerPlan { spec: p.clone(), rate, keys, body, size_classes })
}

/// A producer's rate profiles, checked, as one curve.
pub(super) fn compile_rate(rate: &OneOrMany<RateProfile>, start_ms: u64) -> Result<RateCurve, ScenarioError> {
    let profiles = rate.to_vec();
    if profiles.is_empty() {
        return Err(ScenarioError::at("rate", "needs at least one profile"));
    }
    for (j, profile) in profiles.iter().enumerate() {
        let at = if matches!(rate, OneOrMany::One(_)) { "rate".to_string() } else { format!("rate[{j}]") };
        profile.validate().map_err(|(field, m)| ScenarioError::at(format!("{at}.{field}"), m))?;
    }
    let second_of_day = (start_ms / 1_000 % 86_400) as f64;
    Ok(RateCurve::new(&profiles, second_of_day))
}

/// A producer's record bodies (a size or a template, exactly one), with their size classes.
pub(super) fn compile_body(
    s: &Scenario,
    producer: &str,
    size: &Option<SizeDist>,
    template: &Option<String>,
    start_ms: u64,
) -> Result<(BodyPlan, Vec<(u32, f64)>), ScenarioError> {
    match (size, template) {
        (Some(size), None) => {
            size.validate().map_err(|(field, m)| ScenarioError::at(format!("size.{field}"), m))?;
            Ok((BodyPlan::Sized(size.clone()), size.classes()))
        }
        (None, Some(text)) => {
            let template = Template::parse(text).map_err(|e| ScenarioError::at("template", e.to_string()))?;
            let mut rng = SimRng::new(Seed(s.seed)).fork(&format!("template-sizes/{producer}"));
            let sizes =
                (0..TEMPLATE_SAMPLES).map(|_| template.render(&mut rng, start_ms as i64).len() as u32).collect();
            Ok((BodyPlan::Template(template), classes_from_sample(sizes)))
        }
        _ => Err(ScenarioError::at("size", "give either size or template (exactly one)")),
    }
}

/// A producer's retries: attempts and backoff bounds.
pub(super) fn check_retry(r: &RetrySpec) -> Result<(), ScenarioError> {
    if !(1..=100).contains(&r.max_attempts) {
        return Err(ScenarioError::at("retry.max_attempts", format!("must be from 1 to 100, got {}", r.max_attempts)));
    }
    if r.base_ms == 0 || r.base_ms > r.cap_ms || r.cap_ms > 3_600_000 {
        return Err(ScenarioError::at("retry.cap_ms", "needs 0 < base_ms ≤ cap_ms ≤ 3,600,000".to_string()));
    }
    Ok(())
}

/// A client's start and stop times: inside the run, stop after start.
pub(super) fn check_window(s: &Scenario, start_s: f64, stop_s: Option<f64>) -> Result<(), ScenarioError> {
    time_in_run(s, "start_s", start_s)?;
    if let Some(stop) = stop_s {
        time_in_run(s, "stop_s", stop)?;
        if stop <= start_s {
            return Err(ScenarioError::at("stop_s", "must be later than start_s"));
        }
    }
    Ok(())
}

fn check_consumers(s: &Scenario, streams: &BTreeSet<String>) -> Result<(), ScenarioError> {
    for (i, c) in s.consumers.iter().enumerate() {
        let at = |field: &str| format!("consumers[{i}].{field}");
        if c.name().is_empty() {
            return Err(ScenarioError::at(at("name"), "must not be empty"));
        }
        known(streams, &at("stream"), c.stream(), "stream")?;
        match c {
            ConsumerSpec::Polling(p) => {
                if !(1..=3_600_000).contains(&p.poll_ms) {
                    return Err(ScenarioError::at(
                        at("poll_ms"),
                        format!("must be from 1 to 3,600,000 ms, got {}", p.poll_ms),
                    ));
                }
                if !(1..=10_000).contains(&p.limit) {
                    return Err(ScenarioError::at(at("limit"), format!("must be from 1 to 10,000, got {}", p.limit)));
                }
                if !(p.process_ms_per_record.is_finite() && (0.0..=60_000.0).contains(&p.process_ms_per_record)) {
                    return Err(ScenarioError::at(at("process_ms_per_record"), "must be from 0 to 60,000 ms"));
                }
                time_in_run(s, &at("start_s"), p.start_s)?;
            }
            ConsumerSpec::Kcl(k) => {
                let checks: [(&str, u64, u64, u64); 6] = [
                    ("workers", u64::from(k.workers), 1, 1_000),
                    ("failover_ms", k.failover_ms, 100, 3_600_000),
                    ("idle_ms", k.idle_ms, 1, 3_600_000),
                    ("max_records", k.max_records, 1, 10_000),
                    ("checkpoint_every_ms", k.checkpoint_every_ms, 0, 86_400_000),
                    ("shard_sync_ms", k.shard_sync_ms, 1_000, 86_400_000),
                ];
                for (field, v, lo, hi) in checks {
                    if !(lo..=hi).contains(&v) {
                        return Err(ScenarioError::at(at(field), format!("must be from {lo} to {hi}, got {v}")));
                    }
                }
                if !(k.process_ms_per_record.is_finite() && (0.0..=60_000.0).contains(&k.process_ms_per_record)) {
                    return Err(ScenarioError::at(at("process_ms_per_record"), "must be from 0 to 60,000 ms"));
                }
                time_in_run(s, &at("start_s"), k.start_s)?;
            }
            ConsumerSpec::Lambda(l) => {
                let checks: [(&str, i64, i64, i64); 5] = [
                    ("batch_size", i64::from(l.batch_size), 1, 10_000),
                    ("retry_delay_ms", l.retry_delay_ms.min(i64::MAX as u64) as i64, 0, 3_600_000),
                    ("batching_window_s", i64::from(l.batching_window_s), 0, 300),
                    ("parallelization_factor", i64::from(l.parallelization_factor), 1, 10),
                    ("max_retry_attempts", l.max_retry_attempts, -1, 10_000),
                ];
                for (field, v, lo, hi) in checks {
                    if !(lo..=hi).contains(&v) {
                        return Err(ScenarioError::at(at(field), format!("must be from {lo} to {hi}, got {v}")));
                    }
                }
                if l.max_record_age_s != -1 && !(60..=604_800).contains(&l.max_record_age_s) {
                    return Err(ScenarioError::at(at("max_record_age_s"), "must be -1 (no limit) or 60 to 604,800"));
                }
                for (field, v, hi) in [
                    ("invocation_ms", l.invocation_ms, 900_000.0),
                    ("ms_per_record", l.ms_per_record, 60_000.0),
                    ("error_fraction", l.error_fraction, 1.0),
                ] {
                    if !(v.is_finite() && (0.0..=hi).contains(&v)) {
                        return Err(ScenarioError::at(at(field), format!("must be from 0 to {hi}, got {v}")));
                    }
                }
                if l.parallelization_factor > 1 && s.detail == Detail::Runs {
                    return Err(ScenarioError::at(
                        at("parallelization_factor"),
                        "lanes follow partition keys, which fast-forward does not keep: use detail \"records\"",
                    ));
                }
                time_in_run(s, &at("start_s"), l.start_s)?;
            }
            ConsumerSpec::Efo(e) => {
                let name_ok = (1..=128).contains(&e.name.len())
                    && e.name.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'.' || b == b'-');
                if !name_ok {
                    return Err(ScenarioError::at(at("name"), "must be 1–128 of a-z, A-Z, 0-9, '_', '.', '-'"));
                }
                time_in_run(s, &at("start_s"), e.start_s)?;
            }
        }
    }
    unique(s.consumers.iter().map(ConsumerSpec::name), "consumers")
}

fn check_actions(s: &Scenario, streams: &BTreeSet<String>) -> Result<(), ScenarioError> {
    let producers: BTreeSet<String> = s.producers.iter().map(|p| p.name.clone()).collect();
    for (i, a) in s.actions.iter().enumerate() {
        let at = |field: &str| format!("actions[{i}].{field}");
        time_in_run(s, &at("at_s"), a.at_s)?;
        match &a.action {
            Action::UpdateShardCount { stream, target } => {
                known(streams, &at("stream"), stream, "stream")?;
                if !(1..=SHARDS_PER_STREAM_UPDATE_MAX).contains(target) {
                    return Err(ScenarioError::at(
                        at("target"),
                        format!("must be from 1 to {SHARDS_PER_STREAM_UPDATE_MAX}"),
                    ));
                }
            }
            Action::SplitShard { stream, .. } | Action::MergeShards { stream, .. } | Action::SetMode { stream, .. } => {
                known(streams, &at("stream"), stream, "stream")?
            }
            Action::SetRetention { stream, hours } => {
                known(streams, &at("stream"), stream, "stream")?;
                if !(RETENTION_HOURS_MIN..=RETENTION_HOURS_MAX).contains(hours) {
                    return Err(ScenarioError::at(
                        at("hours"),
                        format!("must be from {RETENTION_HOURS_MIN} to {RETENTION_HOURS_MAX}"),
                    ));
                }
            }
            Action::StopProducer { producer } | Action::StartProducer { producer } => {
                known(&producers, &at("producer"), producer, "producer")?
            }
            Action::AddWorker { consumer }
            | Action::CrashWorker { consumer, .. }
            | Action::StopWorker { consumer, .. } => {
                let is_kcl = s.consumers.iter().any(|c| matches!(c, ConsumerSpec::Kcl(k) if k.name == *consumer));
                if !is_kcl {
                    return Err(ScenarioError::at(
                        at("consumer"),
                        format!("no KCL application is called \"{consumer}\""),
                    ));
                }
            }
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    const MINIMAL: &str = r#"{
        "name": "t", "title": "A test", "explanation": "It runs. It teaches.", "seed": 7, "duration_s": 60,
        "streams": [{"name": "s", "shards": 2}],
        "producers": [{"name": "p", "stream": "s", "rate": {"kind": "constant", "per_second": 10},
                       "keys": {"kind": "random"}, "size": {"kind": "fixed", "bytes": 100}}],
        "consumers": [{"kind": "polling", "name": "c", "stream": "s"}],
        "actions": [{"at_s": 30, "action": "update_shard_count", "stream": "s", "target": 4}]
    }"#;

    fn error_of(edit: impl Fn(&mut serde_json::Value)) -> String {
        let mut v: serde_json::Value = serde_json::from_str(MINIMAL).expect("valid JSON");
        edit(&mut v);
        Scenario::load(&v.to_string()).expect_err("invalid").to_string()
    }

    #[test]
    fn a_minimal_scenario_compiles_with_defaults() {
        let plan = Scenario::load(MINIMAL).expect("valid");
        assert_eq!(plan.duration, SimDuration::from_secs(60));
        assert_eq!(plan.tick, SimDuration::from_millis(100), "record detail ticks every 100 ms");
        assert_eq!(plan.config.kds.epoch_ms, 1_704_067_200_000, "2024-01-01T00:00:00Z");
        assert_eq!(plan.producers[0].rate.expected_by(1.0), 10.0);
        assert_eq!(plan.scenario.producers[0].retry.max_attempts, 4);
    }

    #[test]
    fn type_errors_name_their_path() {
        let e = error_of(|v| v["producers"][0]["rate"]["per_second"] = "fast".into());
        assert!(e.starts_with("producers[0].rate"), "{e}");
        let e = error_of(|v| v["streams"][0]["colour"] = "red".into());
        assert!(e.starts_with("streams[0]") && e.contains("unknown field `colour`"), "{e}");
        let e = error_of(|v| v["actions"][0]["target"] = serde_json::json!(-1));
        assert!(e.starts_with("actions[0]"), "{e}");
    }

    #[test]
    fn value_errors_name_their_field() {
        use serde_json::json;
        let cases = [
            ("/duration_s", json!(0), "duration_s: "),
            ("/start", json!("2024-02-30T00:00:00Z"), "start: "),
            ("/streams/0/shards", json!(0), "streams[0].shards: "),
            ("/streams/0/retention_hours", json!(12), "streams[0].retention_hours: "),
            ("/producers/0/stream", json!("nope"), "producers[0].stream: no stream"),
            ("/producers/0/rate/per_second", json!(-5), "producers[0].rate.per_second: "),
            (
                "/producers/0/keys",
                json!({"kind": "hot_key", "keys": 5, "hot_share": 2}),
                "producers[0].keys.hot_share: ",
            ),
            ("/producers/0/template", json!("{{x.y}}"), "producers[0].size: give either"),
            ("/consumers/0/limit", json!(20_000), "consumers[0].limit: "),
            ("/actions/0/at_s", json!(61), "actions[0].at_s: "),
            ("/actions/0/stream", json!("other"), "actions[0].stream: no stream"),
        ];
        for (pointer, value, expected) in cases {
            let (parent, field) = pointer.rsplit_once('/').expect("a pointer");
            let e = error_of(|v| {
                v.pointer_mut(parent).expect("parent exists")[field] = value.clone();
            });
            assert!(e.starts_with(expected), "{pointer}: expected {expected:?}, got {e:?}");
        }
    }

    #[test]
    fn templates_are_checked_and_sized() {
        let mut v: serde_json::Value = serde_json::from_str(MINIMAL).expect("valid JSON");
        v["producers"][0].as_object_mut().expect("object").remove("size");
        v["producers"][0]["template"] = r#"{"id": "{{random.uuid}}", "n": {{random.number(99)}}}"#.into();
        let plan = Scenario::load(&v.to_string()).expect("valid");
        let classes = &plan.producers[0].size_classes;
        // {"id": "<36>", "n": <1 or 2 digits>}\n is 55 or 56 bytes; 90 % of numbers have two digits.
        assert!(classes.iter().all(|(bytes, _)| (55..=56).contains(bytes)) && classes.len() == 2, "{classes:?}");
        v["producers"][0]["template"] = "{{random.nope}}".into();
        let e = Scenario::load(&v.to_string()).expect_err("invalid").to_string();
        assert!(e.starts_with("producers[0].template: Invalid method: random.nope"), "{e}");
    }

    #[test]
    fn start_times_are_strict_utc() {
        assert_eq!(parse_start("1970-01-01T00:00:00Z"), Ok(0));
        assert_eq!(parse_start("2024-02-29T06:30:15Z"), Ok(1_709_188_215_000));
        for bad in ["2024-01-01 00:00:00Z", "2023-02-29T00:00:00Z", "2024-01-01T24:00:00Z", "2024-1-01T00:00:00Z", ""] {
            assert!(parse_start(bad).is_err(), "{bad}");
        }
    }
}
