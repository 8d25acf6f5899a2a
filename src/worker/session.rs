//! What the worker does with each message, as plain Rust: natively testable, no JS.
//!
//! A session owns one [`Runner`] and one [`Pacer`]. Each [`ToWorker`] message, together with the wall
//! clock reading at its arrival, produces exactly one [`FromWorker`] reply. A message that cannot be
//! honoured (stepping while playing) is answered with an error and changes nothing.

use super::clock::Pacer;
use crate::columnar::ParquetWriter;
use crate::engine::analytics::runtime::RuntimeFactory;
use crate::engine::clients::{LogKind, LogLine};
use crate::engine::live::{cloudwatch, inspect, ShardRef};
use crate::engine::metrics::Sample;
use crate::engine::rng::Seed;
use crate::engine::runner::{RunOutcome, Runner};
use crate::engine::scenario::{compile, Scenario};
use crate::engine::time::{SimDuration, SimTime};
use crate::engine::{Engine, EngineConfig, Output};
use crate::protocol::streams::{split, LayoutsSent};
use crate::protocol::{FromWorker, HostSnapshot, ParquetLoad, Speed, ToWorker};

/// The most engine wake-ups one tick may process, so a busy stretch cannot freeze the worker
/// (the engine then runs slower than asked, and the snapshot says so with `behind`).
pub const TICK_STEPS_MAX: u64 = 200_000;

/// The longest fast-forward one request may ask for: a week of simulated time.
pub const FAST_FORWARD_SECS_MAX: u64 = 7 * 24 * 3_600;

/// Chart points one reply may carry over all its series (about 100 KiB of JSON); a reply that must
/// cover more seconds bins them (each bin its busiest second) rather than grow.
pub const LIVE_POINTS_PER_REPLY: usize = 1_600;

/// One run hosted by the worker.
#[derive(Debug)]
pub struct Session {
    runner: Runner,
    pacer: Pacer,
    behind: bool,
    /// Samples taken since the last reply.
    samples: Vec<Sample>,
    /// The loaded scenario, which Reset restarts (None: the bare engine).
    scenario: Option<Scenario>,
    /// Log lines already sent.
    logged: u64,
    /// The live history already sent: whole seconds before `live_sent` (streams and consumers) and
    /// `shard_sent` (the watched shard); `fresh` until the first reply of a run.
    live_sent: u64,
    fresh: bool,
    watch: Option<ShardRef>,
    shard_sent: u64,
    shard_fresh: bool,
    /// Complete CloudWatch minutes already sent.
    minutes_sent: Option<u64>,
    /// A fast-forward under way: (started at, target, play on when done).
    fast_forward: Option<(SimTime, SimTime, bool)>,
    /// The record page asked for, sent with the next reply.
    page: Option<inspect::RecordPage>,
    /// Which streams' layouts the UI has.
    layouts: LayoutsSent,
    /// The planner check asked for, sent with the next reply.
    plan_check: Option<crate::planner::check::Check>,
    /// The answer to a Call, sent with the next reply.
    answer: Option<crate::protocol::CallAnswer>,
    /// The Parquet writer installed into every run's engine (the browser's worker loads it on demand).
    parquet_writer: Option<ParquetWriter>,
    /// Why the writer could not be loaded, if it could not.
    parquet_failed: Option<String>,
    /// What runs Analytics applications' code (the worker loads the Analytics module on demand).
    analytics_runtime: Option<RuntimeFactory>,
    /// Why it could not be loaded, if it could not.
    analytics_failed: Option<String>,
}

impl Session {
    /// A paused run from time zero.
    pub fn new(seed: Seed, speed: Speed) -> Self {
        Session {
            runner: bare_runner(seed),
            pacer: Pacer::new(speed),
            behind: false,
            samples: Vec::new(),
            scenario: None,
            logged: 0,
            live_sent: 0,
            fresh: true,
            watch: None,
            shard_sent: 0,
            shard_fresh: false,
            minutes_sent: None,
            fast_forward: None,
            page: None,
            layouts: LayoutsSent::default(),
            plan_check: None,
            answer: None,
            parquet_writer: None,
            parquet_failed: None,
            analytics_runtime: None,
            analytics_failed: None,
        }
    }

    /// Whether the run needs a Parquet writer it does not have: a loaded scenario or a stream converts to
    /// Parquet. Simulated time waits until [`Session::install_parquet_writer`].
    pub fn wants_parquet_writer(&self) -> bool {
        let firehose = self.runner.engine().firehose();
        let converts = self.scenario.as_ref().is_some_and(Scenario::converts_to_parquet);
        firehose.awaits_parquet_writer() || (converts && !firehose.has_parquet_writer())
    }

    /// Installs the Parquet writer, now and into every later run.
    pub fn install_parquet_writer(&mut self, writer: ParquetWriter) {
        self.parquet_writer = Some(writer);
        self.parquet_failed = None;
        self.runner.engine_mut().set_parquet_writer(writer);
    }

    /// The writer could not be loaded.
    pub fn parquet_writer_failed(&mut self, message: String) {
        self.parquet_failed = Some(message);
    }

    /// Whether the run needs the Analytics runtime it does not have: the loaded scenario creates an
    /// application, or a request asked for one. Simulated time waits until it is installed.
    pub fn wants_analytics_runtime(&self) -> bool {
        let analytics = self.runner.engine().analytics();
        let creates = self.scenario.as_ref().is_some_and(|s| s.calls.iter().any(|c| c.service == "kinesisanalyticsv2"));
        analytics.awaits_runtime() || (creates && analytics.factory().is_none())
    }

    /// Installs the Analytics runtime, now and into every later run.
    pub fn install_analytics_runtime(&mut self, factory: RuntimeFactory) {
        self.analytics_runtime = Some(factory);
        self.analytics_failed = None;
        self.runner.engine_mut().set_analytics_runtime(factory);
    }

    /// The Analytics module could not be loaded.
    pub fn analytics_runtime_failed(&mut self, message: String) {
        self.analytics_failed = Some(message);
    }

    /// Handles one message that arrived when the wall clock read `wall_us`.
    pub fn handle(&mut self, msg: ToWorker, wall_us: u64) -> FromWorker {
        match msg {
            ToWorker::Reset { seed } => {
                let runner = match &self.scenario {
                    None => bare_runner(seed),
                    Some(scenario) => match scenario_runner(scenario.clone(), seed.0) {
                        Ok(runner) => runner,
                        Err(message) => return FromWorker::Error { message },
                    },
                };
                self.restart(runner);
            }
            ToWorker::LoadScenario { scenario } => {
                let loaded = Scenario::from_json(&scenario)
                    .map_err(|e| format!("The scenario was not loaded: {e}"))
                    .and_then(|s| Ok((scenario_runner(s.clone(), s.seed)?, s)));
                match loaded {
                    Ok((runner, s)) => {
                        self.scenario = Some(s);
                        self.restart(runner);
                    }
                    Err(message) => return FromWorker::Error { message },
                }
            }
            ToWorker::Play => {
                self.fast_forward = None;
                self.pacer.play(wall_us);
            }
            ToWorker::Pause => {
                self.tick(wall_us);
                self.fast_forward = None;
                self.pacer.pause();
            }
            ToWorker::SetSpeed { speed } => self.pacer.set_speed(speed, wall_us),
            ToWorker::Step if self.pacer.playing() || self.fast_forward.is_some() => {
                return FromWorker::Error { message: "Step works while paused: pause the run first.".into() };
            }
            ToWorker::Step => {
                let samples = &mut self.samples;
                self.runner.step(&mut |o| keep_sample(samples, o));
            }
            ToWorker::Tick => self.tick(wall_us),
            ToWorker::Act { action } => {
                self.tick(wall_us);
                let now = self.runner.now();
                if let Err(message) = self.runner.engine_mut().act(now, action) {
                    return FromWorker::Error { message };
                }
            }
            ToWorker::Watch { shard } => {
                self.shard_sent = 0;
                self.shard_fresh = shard.is_some();
                self.watch = shard;
            }
            ToWorker::Inspect { shard, from } => match inspect::page(self.runner.engine().kds(), &shard, from) {
                Ok(page) => self.page = Some(page),
                Err(message) => return FromWorker::Error { message },
            },
            ToWorker::Call { id, service, action, input } => {
                self.tick(wall_us);
                self.answer = Some(self.call(id, &service, &action, &input));
            }
            ToWorker::CheckPlan { design } => {
                use crate::planner::{check, sizing};
                if let Err(message) = design.validate() {
                    return FromWorker::Error { message: format!("The planner cannot size this design: {message}") };
                }
                // The same runs as `kinesis-lab plan` makes: the answer does not depend on the loaded scenario.
                match check::check(&design, &sizing::size(&design), check::CheckSettings::default()) {
                    Ok(result) => self.plan_check = Some(result),
                    Err(message) => return FromWorker::Error { message },
                }
            }
            ToWorker::FastForward { secs } => {
                if !(1..=FAST_FORWARD_SECS_MAX).contains(&secs) {
                    return FromWorker::Error {
                        message: format!(
                            "Fast-forward takes 1 second to 7 days ({FAST_FORWARD_SECS_MAX} s); got {secs} s."
                        ),
                    };
                }
                self.tick(wall_us);
                let now = self.runner.now();
                self.fast_forward = Some((now, now + SimDuration::from_secs(secs), self.pacer.playing()));
                self.pacer.pause();
                self.tick(wall_us);
            }
        }
        FromWorker::Snapshot(Box::new(self.snapshot()))
    }

    fn restart(&mut self, runner: Runner) {
        self.runner = runner;
        if let Some(writer) = self.parquet_writer {
            self.runner.engine_mut().set_parquet_writer(writer);
        }
        if let Some(factory) = self.analytics_runtime {
            self.runner.engine_mut().set_analytics_runtime(factory);
        }
        self.pacer.pause();
        self.behind = false;
        self.samples.clear();
        self.logged = 0;
        self.live_sent = 0;
        self.fresh = true;
        self.shard_sent = 0;
        self.shard_fresh = self.watch.is_some();
        self.minutes_sent = None;
        self.fast_forward = None;
        self.page = None;
        self.layouts = LayoutsSent::default();
    }

    /// The current state, as the UI sees it, handing over the samples taken since the last call.
    pub fn snapshot(&mut self) -> HostSnapshot {
        let engine = self.runner.engine();
        let clients = engine.clients();
        let log = bounded_log(clients.log_since(self.logged));
        self.logged = clients.logged;
        let mut live = engine.live().map(|h| {
            let series = (h.series_count() + 1).max(1);
            let points = (LIVE_POINTS_PER_REPLY / series).max(30);
            let update = h.update(self.live_sent, self.watch.as_ref().map(|w| (w, self.shard_sent)), points);
            self.live_sent = h.end();
            self.shard_sent = h.end();
            update
        });
        if let Some(update) = live.as_mut() {
            update.fresh = std::mem::take(&mut self.fresh);
            update.shard_fresh = std::mem::take(&mut self.shard_fresh);
        }
        let minutes = cloudwatch::complete_minutes(engine.now());
        let cloudwatch = (self.minutes_sent != Some(minutes)).then(|| cloudwatch::minutes(engine.kds(), engine.now()));
        self.minutes_sent = Some(minutes);
        let mut snapshot = engine.snapshot();
        let streams = split(std::mem::take(&mut snapshot.streams), &mut self.layouts);
        HostSnapshot {
            log,
            engine: snapshot,
            streams,
            playing: self.pacer.playing(),
            speed: self.pacer.speed(),
            behind: self.behind,
            samples: std::mem::take(&mut self.samples),
            live: live.unwrap_or_default(),
            cloudwatch,
            page: self.page.take(),
            plan_check: self.plan_check.take(),
            answer: self.answer.take(),
            fast_forward: self.fast_forward.map(|(from, to, _)| (from, to)),
            parquet: self.wants_parquet_writer().then(|| match &self.parquet_failed {
                None => ParquetLoad::Loading,
                Some(message) => ParquetLoad::Failed { message: message.clone() },
            }),
            analytics_module: self.wants_analytics_runtime().then(|| match &self.analytics_failed {
                None => ParquetLoad::Loading,
                Some(message) => ParquetLoad::Failed { message: message.clone() },
            }),
        }
    }

    /// An AWS request at the engine's time, answered as `kinesis-lab api` answers it.
    fn call(&mut self, id: u64, service: &str, action: &str, input: &str) -> crate::protocol::CallAnswer {
        use crate::api::{parse, reply_json, ErrorBody};
        let error = |e: ErrorBody| crate::protocol::CallAnswer { id, body: e.to_json().to_string(), error: true };
        let body = match serde_json::from_str::<serde_json::Value>(input) {
            Ok(body) => body,
            Err(e) => return error(ErrorBody { type_name: "SerializationException".into(), message: e.to_string() }),
        };
        let command = match parse(service, action, &body) {
            Ok(command) => command,
            Err(e) => return error(e),
        };
        let now = self.runner.now();
        match self.runner.engine_mut().call(now, command) {
            Ok(reply) => crate::protocol::CallAnswer { id, body: reply_json(&reply), error: false },
            Err(e) => error(e.into()),
        }
    }

    fn tick(&mut self, wall_us: u64) {
        if self.wants_parquet_writer() || self.wants_analytics_runtime() {
            // A converting stream cannot deliver without its writer, nor an application run without its
            // runtime: time waits for them.
            self.pacer.advance(wall_us);
            return;
        }
        let samples = &mut self.samples;
        if let Some((_, target, play_on)) = self.fast_forward {
            let outcome = self.runner.run_until(target, TICK_STEPS_MAX, &mut |o| keep_sample(samples, o));
            if outcome == RunOutcome::Reached {
                self.fast_forward = None;
                if play_on {
                    self.pacer.play(wall_us);
                }
            }
            self.behind = false;
            return;
        }
        let target = self.runner.now() + self.pacer.advance(wall_us);
        let outcome = self.runner.run_until(target, TICK_STEPS_MAX, &mut |o| keep_sample(samples, o));
        self.behind = outcome == RunOutcome::StepLimit;
    }
}

/// Log lines one reply may carry: a fast-forward writes a throttling line per simulated second.
pub const LOG_LINES_PER_REPLY: usize = 300;

/// The new lines for a reply: every action line, and the newest per-second lines in the room left.
fn bounded_log(new: &[LogLine]) -> Vec<LogLine> {
    if new.len() <= LOG_LINES_PER_REPLY {
        return new.to_vec();
    }
    let actions = new.iter().filter(|l| l.kind == LogKind::Action).count();
    let mut room = LOG_LINES_PER_REPLY.saturating_sub(actions);
    let mut keep = vec![false; new.len()];
    for (i, line) in new.iter().enumerate().rev() {
        keep[i] = line.kind == LogKind::Action || room > 0;
        if line.kind != LogKind::Action && room > 0 {
            room -= 1;
        }
    }
    new.iter().zip(keep).filter(|(_, k)| *k).map(|(l, _)| l.clone()).collect()
}

fn keep_sample(samples: &mut Vec<Sample>, output: Output) {
    if let Output::Metrics(sample) = output {
        samples.push(sample);
    }
}

fn bare_runner(seed: Seed) -> Runner {
    live_runner(Engine::new(EngineConfig::with_seed(seed)))
}

/// The lab draws every second, so the worker's engine keeps the live history.
fn live_runner(mut engine: Engine) -> Runner {
    engine.keep_live_history();
    Runner::new(engine)
}

fn scenario_runner(mut scenario: Scenario, seed: u64) -> Result<Runner, String> {
    scenario.seed = seed;
    let plan = compile(&scenario).map_err(|e| format!("The scenario was not loaded: {e}"))?;
    Ok(live_runner(Engine::from_plan(plan)))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::time::SimTime;

    thread_local! {
        /// The layouts a UI would keep (each test runs on its own thread).
        static KEPT: std::cell::RefCell<crate::protocol::streams::Layouts> = Default::default();
    }

    /// Handles `msg` and joins the reply's streams back, as the UI does with every reply.
    fn send(s: &mut Session, msg: ToWorker, wall_us: u64) -> FromWorker {
        match s.handle(msg, wall_us) {
            FromWorker::Snapshot(snapshot) => {
                let mut snapshot = *snapshot;
                let wire = std::mem::take(&mut snapshot.streams);
                let joined = KEPT.with(|k| crate::protocol::streams::join(wire, &mut k.borrow_mut()));
                snapshot.engine.streams = joined.expect("joins");
                FromWorker::Snapshot(Box::new(snapshot))
            }
            other => other,
        }
    }

    /// A reply's snapshot.
    fn snap(reply: FromWorker) -> HostSnapshot {
        match reply {
            FromWorker::Snapshot(s) => *s,
            other => panic!("expected a snapshot, got {other:?}"),
        }
    }

    #[test]
    fn play_then_ticks_follow_the_wall_clock_at_speed() {
        let mut s = Session::new(Seed(1), Speed::MAX);
        assert!(snap(send(&mut s, ToWorker::Play, 0)).playing);
        let after = snap(send(&mut s, ToWorker::Tick, 16_000));
        assert_eq!(after.engine.now, SimTime::from_secs(16));
        assert_eq!(after.engine.events_processed, 16);
        assert!(!after.behind);
        let times: Vec<u64> = after.samples.iter().map(|s| s.at.as_millis() / 1_000).collect();
        assert_eq!(times, (1..=16).collect::<Vec<_>>(), "every sample since the last reply, once");
        assert!(snap(send(&mut s, ToWorker::Tick, 16_500)).samples.is_empty());
    }

    #[test]
    fn pause_accounts_for_time_up_to_the_pause() {
        let mut s = Session::new(Seed(1), Speed::REAL_TIME);
        send(&mut s, ToWorker::Play, 0);
        let paused = snap(send(&mut s, ToWorker::Pause, 100_000));
        assert_eq!((paused.playing, paused.engine.now), (false, SimTime::from_millis(100)));
        assert_eq!(snap(send(&mut s, ToWorker::Tick, 900_000)).engine.now, SimTime::from_millis(100));
    }

    #[test]
    fn step_jumps_to_the_next_event_only_while_paused() {
        let mut s = Session::new(Seed(1), Speed::REAL_TIME);
        let stepped = snap(send(&mut s, ToWorker::Step, 0));
        assert_eq!(stepped.engine.now, SimTime::from_secs(1));
        assert_eq!(stepped.samples.len(), 1);
        send(&mut s, ToWorker::Play, 0);
        let FromWorker::Error { message } = send(&mut s, ToWorker::Step, 0) else {
            panic!("step while playing must fail")
        };
        assert!(message.contains("pause"));
        assert_eq!(s.snapshot().engine.now, SimTime::from_secs(1), "a refused step changes nothing");
    }

    #[test]
    fn reset_starts_over_paused_with_the_new_seed() {
        let mut s = Session::new(Seed(1), Speed::MAX);
        send(&mut s, ToWorker::Play, 0);
        send(&mut s, ToWorker::Tick, 100_000);
        let fresh = snap(send(&mut s, ToWorker::Reset { seed: Seed(5) }, 200_000));
        assert_eq!((fresh.engine.now, fresh.engine.seed, fresh.playing), (SimTime::ZERO, Seed(5), false));
        assert_eq!(fresh.speed, Speed::MAX, "reset keeps the speed");
    }

    #[test]
    fn a_scenario_loads_paused_shows_its_shards_and_reset_restarts_it() {
        let mut s = Session::new(Seed(1), Speed::MAX);
        let hot = crate::engine::scenario::presets::find("p04-hot-key").expect("preset");
        let loaded = snap(send(&mut s, ToWorker::LoadScenario { scenario: hot.json.into() }, 0));
        assert_eq!((loaded.engine.seed, loaded.playing, loaded.engine.now), (Seed(4), false, SimTime::ZERO));
        send(&mut s, ToWorker::Play, 0);
        let running = snap(send(&mut s, ToWorker::Tick, 30_000));
        assert_eq!(running.engine.now, SimTime::from_secs(30));
        let stream = &running.engine.streams[2];
        assert_eq!(stream.name, "smartcity-emergency-system-events");
        assert_eq!(stream.shards.len(), 4);
        assert_eq!(stream.shards[0].id, "shardId-000000000000");
        assert_eq!(stream.shards[3].ending_hash_key, u128::MAX.to_string());
        let readers: Vec<(&str, &str)> =
            running.engine.consumers.iter().map(|c| (c.name.as_str(), c.kind.as_str())).collect();
        assert_eq!(
            readers,
            [("alerts-app", "polling"), ("alerts-app-uuid", "polling"), ("alerts-app-flink", "polling")]
        );
        assert!(running.engine.consumers.iter().all(|c| c.records > 0), "every reader has read");
        let again = snap(send(&mut s, ToWorker::Reset { seed: Seed(9) }, 40_000));
        assert_eq!((again.engine.now, again.engine.seed), (SimTime::ZERO, Seed(9)));
        assert!(again.engine.streams.is_empty(), "the scenario restarts: streams come at its first event");
        let after = snap(send(&mut s, ToWorker::Step, 40_000));
        assert_eq!(after.engine.streams.len(), 3, "it is still the hot-key scenario");
    }

    #[test]
    fn a_firehose_scenario_shows_its_delivery_stream_and_calls_read_its_bucket() {
        let mut s = Session::new(Seed(1), Speed::MAX);
        let lake = crate::engine::scenario::presets::find("firehose-p02-data-lake").expect("preset");
        send(&mut s, ToWorker::LoadScenario { scenario: lake.json.into() }, 0);
        send(&mut s, ToWorker::Play, 0);
        let filling = snap(send(&mut s, ToWorker::Tick, 60_000));
        let stream = &filling.engine.firehose[0];
        assert_eq!((stream.name.as_str(), stream.source.as_str()), ("dl-delivery-stream", "Direct PUT"));
        assert_eq!((stream.size_hint_bytes, stream.interval_s), (5 * 1024 * 1024, 300));
        assert!(stream.buffered_records > 0 && stream.buffer_age_ms.is_some(), "{stream:?}");
        assert_eq!(stream.history.len(), 60, "one point per second so far (up to 120)");
        let list = |id| ToWorker::Call {
            id,
            service: "s3".into(),
            action: "ListObjectsV2".into(),
            input: r#"{"Bucket": "smartbike-data-lake", "Delimiter": "/"}"#.into(),
        };
        let answer = snap(send(&mut s, list(1), 60_000)).answer.expect("an answer");
        assert!(!answer.error && !answer.body.contains("rawdata/"), "nothing delivered yet: {answer:?}");
        send(&mut s, ToWorker::Tick, 300_000);
        let delivered = snap(send(&mut s, ToWorker::Tick, 400_000));
        assert_eq!(delivered.engine.firehose[0].totals.objects, 1, "the 300 s interval has run out");
        assert_eq!(delivered.engine.firehose[0].deliveries[0].trigger, "INTERVAL");
        let answer = snap(send(&mut s, list(3), 400_000)).answer.expect("an answer");
        assert!(answer.body.contains("rawdata/") && answer.body.contains("stations/"), "{answer:?}");
        let bad = ToWorker::Call { id: 2, service: "s3".into(), action: "GetObject".into(), input: "{".into() };
        let answer = snap(send(&mut s, bad, 400_000)).answer.expect("an answer");
        assert!(answer.error && answer.body.contains("SerializationException"), "{answer:?}");
    }

    #[test]
    fn a_bad_scenario_is_refused_with_its_field_and_changes_nothing() {
        let mut s = Session::new(Seed(1), Speed::MAX);
        send(&mut s, ToWorker::Step, 0);
        let FromWorker::Error { message } =
            send(&mut s, ToWorker::LoadScenario { scenario: r#"{"name": 5}"#.into() }, 0)
        else {
            panic!("a bad scenario must be refused")
        };
        assert!(message.contains("name"), "{message}");
        assert_eq!(s.snapshot().engine.now, SimTime::from_secs(1), "the run goes on untouched");
    }

    #[test]
    fn actions_apply_while_running_and_a_refusal_is_an_error() {
        use crate::engine::scenario::format::Action;
        let mut s = Session::new(Seed(1), Speed::MAX);
        let hot = crate::engine::scenario::presets::find("p13-hot-shard").expect("preset");
        send(&mut s, ToWorker::LoadScenario { scenario: hot.json.into() }, 0);
        send(&mut s, ToWorker::Play, 0);
        let first = snap(send(&mut s, ToWorker::Tick, 10_000));
        assert!(first.log.iter().any(|l| l.text.starts_with("CreateStream")), "the log arrives: {:?}", first.log);
        let split = || Action::SplitShard {
            stream: "swipebike-telemetry".into(),
            shard: "shardId-000000000000".into(),
            at_key: None,
        };
        let updating = snap(send(&mut s, ToWorker::Act { action: split() }, 20_000));
        assert_eq!(updating.engine.now, SimTime::from_secs(20), "time catches up before the action");
        let actions: Vec<&LogLine> = updating.log.iter().filter(|l| l.kind == LogKind::Action).collect();
        assert_eq!(actions.len(), 1, "only the new line: {actions:?}");
        assert!(actions[0].text.ends_with(": ok"), "{actions:?}");
        assert_eq!(updating.engine.streams[0].status, crate::engine::kds::types::StreamStatus::Updating);
        let FromWorker::Error { message } = send(&mut s, ToWorker::Act { action: split() }, 20_000) else {
            panic!("a second split while UPDATING must be refused")
        };
        assert!(message.contains("ResourceInUseException"), "{message}");
        let FromWorker::Error { message } =
            send(&mut s, ToWorker::Act { action: Action::AddWorker { consumer: "nobody".into() } }, 20_000)
        else {
            panic!("an unknown consumer must be refused")
        };
        assert_eq!(message, "There is no KCL application named nobody.");
        let done = snap(send(&mut s, ToWorker::Tick, 60_000));
        assert_eq!(done.engine.streams[0].shards.iter().filter(|s| s.open).count(), 5);
    }

    fn p13(s: &mut Session) -> HostSnapshot {
        let hot = crate::engine::scenario::presets::find("p13-hot-shard").expect("preset");
        snap(send(s, ToWorker::LoadScenario { scenario: hot.json.into() }, 0))
    }

    fn hot_shard() -> ShardRef {
        ShardRef { stream: "swipebike-telemetry".into(), shard: "shardId-000000000000".into() }
    }

    #[test]
    fn each_reply_carries_the_seconds_since_the_last_and_the_watched_shard() {
        let mut s = Session::new(Seed(1), Speed::MAX);
        assert!(p13(&mut s).live.fresh, "the first reply of a run replaces what the UI kept");
        send(&mut s, ToWorker::Play, 0);
        let first = snap(send(&mut s, ToWorker::Tick, 30_000));
        assert!(!first.live.fresh);
        let (name, stream) = &first.live.streams[0];
        assert_eq!((name.as_str(), stream.from_s, stream.bins.len()), ("swipebike-telemetry", 0, 30));
        assert!(first.live.shard.is_none(), "no shard watched yet");
        let watched = snap(send(&mut s, ToWorker::Watch { shard: Some(hot_shard()) }, 30_000));
        let (at, shard) = watched.live.shard.expect("the watched shard");
        assert_eq!((at, shard.from_s, shard.bins.len()), (hot_shard(), 0, 30));
        assert!(watched.live.shard_fresh && !watched.live.fresh);
        assert!(watched.live.streams[0].1.bins.is_empty(), "stream seconds are not sent twice");
        let next = snap(send(&mut s, ToWorker::Tick, 32_000));
        assert_eq!(next.live.streams[0].1.from_s, 30);
        let (_, shard) = next.live.shard.expect("still watched");
        assert_eq!((shard.from_s, shard.bins.len(), next.live.shard_fresh), (30, 2, false));
        let unwatched = snap(send(&mut s, ToWorker::Watch { shard: None }, 32_000));
        assert!(unwatched.live.shard.is_none());
    }

    #[test]
    fn a_long_stretch_is_binned_to_the_reply_budget() {
        let mut s = Session::new(Seed(1), Speed::MAX);
        p13(&mut s);
        let reply = snap(send(&mut s, ToWorker::FastForward { secs: 3_000 }, 0));
        assert!(reply.fast_forward.is_none(), "3,000 s of P13 fit in one tick");
        let (_, stream) = &reply.live.streams[0];
        let points: usize = reply.live.streams.iter().chain([]).map(|(_, p)| p.bins.len()).sum::<usize>()
            + reply.live.consumers.iter().map(|(_, p)| p.bins.len()).sum::<usize>();
        assert!(stream.span_s > 1 && points <= LIVE_POINTS_PER_REPLY, "{} s per bin, {points} points", stream.span_s);
        assert!(reply.log.len() <= LOG_LINES_PER_REPLY, "{} log lines", reply.log.len());
        assert!(reply.log.iter().any(|l| l.text.starts_with("CreateStream")), "the action lines are all kept");
        let text = serde_json::to_string(&FromWorker::Snapshot(Box::new(reply))).expect("serialises");
        assert!(text.len() < 256 * 1024, "a reply stays under 256 KiB: {}", text.len());
    }

    #[test]
    fn cloudwatch_minutes_are_sent_when_a_minute_completes() {
        let mut s = Session::new(Seed(1), Speed::MAX);
        assert!(p13(&mut s).cloudwatch.is_some(), "the first reply of a run has the (empty) view");
        send(&mut s, ToWorker::Play, 0);
        assert!(snap(send(&mut s, ToWorker::Tick, 45_000)).cloudwatch.is_none(), "no new minute, nothing sent");
        let minutes = snap(send(&mut s, ToWorker::Tick, 125_000)).cloudwatch.expect("two minutes completed");
        let view = &minutes[0];
        assert_eq!(view.minutes, [0, 60]);
        let incoming = view.columns.iter().find(|c| c.metric == "IncomingRecords").expect("column");
        let [count, sum, _, _] = incoming.values[1].expect("datapoints in minute 2");
        assert!(count > 0 && sum > 60_000, "a busy minute: {sum} records");
        let throttled = view.columns.iter().find(|c| c.metric == "WriteProvisionedThroughputExceeded");
        assert!(throttled.expect("column").values[1].is_some_and(|v| v[1] > 0));
    }

    #[test]
    fn fast_forward_runs_the_span_over_ticks_and_resumes_play() {
        let mut s = Session::new(Seed(1), Speed::REAL_TIME);
        p13(&mut s);
        send(&mut s, ToWorker::Play, 0);
        let FromWorker::Error { message } = send(&mut s, ToWorker::FastForward { secs: 0 }, 0) else {
            panic!("zero seconds must be refused")
        };
        assert!(message.contains("1 second to 7 days"), "{message}");
        let done = snap(send(&mut s, ToWorker::FastForward { secs: 600 }, 0));
        assert_eq!((done.engine.now, done.fast_forward), (SimTime::from_secs(600), None));
        assert!(done.playing, "a run that was playing plays on");
        let after = snap(send(&mut s, ToWorker::Tick, 200_000));
        assert_eq!(after.engine.now, SimTime::from_millis(600_200), "then it follows the wall clock again");
    }

    #[test]
    fn inspect_answers_with_a_page_or_an_error() {
        let mut s = Session::new(Seed(1), Speed::MAX);
        p13(&mut s);
        send(&mut s, ToWorker::Play, 0);
        send(&mut s, ToWorker::Tick, 30_000);
        let from = inspect::PageFrom::Newest;
        let page = snap(send(&mut s, ToWorker::Inspect { shard: hot_shard(), from }, 30_000)).page.expect("a page");
        assert!(!page.rows.is_empty());
        assert!(snap(send(&mut s, ToWorker::Tick, 30_100)).page.is_none(), "a page is sent once");
        let gone = ShardRef { stream: "swipebike-telemetry".into(), shard: "shardId-000000000042".into() };
        let FromWorker::Error { message } = send(&mut s, ToWorker::Inspect { shard: gone, from }, 30_100) else {
            panic!("an unknown shard must be refused")
        };
        assert!(message.contains("has no shard"), "{message}");
    }

    #[test]
    fn a_thousand_shard_stream_replies_under_256_kib_a_frame() {
        let scenario = r#"{"name": "big", "title": "t", "explanation": "e", "seed": 1, "duration_s": 600, "detail": "runs",
            "streams": [{"name": "big", "shards": 1000}],
            "producers": [{"name": "p", "stream": "big", "rate": {"kind": "constant", "per_second": 20000},
                           "keys": {"kind": "random"}, "size": {"kind": "fixed", "bytes": 200}}],
            "consumers": [{"kind": "polling", "name": "c", "stream": "big", "start": "trim_horizon"}]}"#;
        let mut s = Session::new(Seed(1), Speed::REAL_TIME);
        let first = s.handle(ToWorker::LoadScenario { scenario: scenario.into() }, 0);
        assert!(matches!(first, FromWorker::Snapshot(_)), "{first:?}");
        send(&mut s, ToWorker::Play, 0);
        let watch = ShardRef { stream: "big".into(), shard: "shardId-000000000007".into() };
        send(&mut s, ToWorker::Watch { shard: Some(watch) }, 0);
        let mut sizes = Vec::new();
        for frame in 1..=80 {
            let reply = s.handle(ToWorker::Tick, frame * 250_000);
            sizes.push(serde_json::to_string(&reply).expect("serialises").len());
            let shards = snap(reply).streams.first().map_or(0, |st| st.shards.len());
            assert!(shards == 0 || shards == 1_000);
        }
        let largest = sizes.iter().max().copied().unwrap_or(0);
        assert!(largest < 256 * 1024, "the largest reply: {largest} B");
        assert!(sizes[79] < 128 * 1024, "a frame without a new layout: {} B", sizes[79]);
    }

    #[test]
    fn a_plan_is_checked_by_simulation_or_refused() {
        let mut s = Session::new(Seed(1), Speed::MAX);
        let design = crate::planner::sizing::Design {
            polling_consumers: 1,
            ..crate::planner::sizing::Design::new(3_000.0, 500)
        };
        let checked = snap(send(&mut s, ToWorker::CheckPlan { design }, 0)).plan_check.expect("a check");
        assert_eq!(checked.at_answer.shards, 3);
        assert!(checked.at_answer.keeps_up, "{checked:?}");
        assert!(checked.one_fewer.as_ref().is_some_and(|r| r.shards == 2 && !r.keeps_up), "{checked:?}");
        assert!(snap(send(&mut s, ToWorker::Tick, 0)).plan_check.is_none(), "sent once");
        let bad = crate::planner::sizing::Design::new(-5.0, 500);
        let FromWorker::Error { message } = send(&mut s, ToWorker::CheckPlan { design: bad }, 0) else {
            panic!("a negative rate must be refused")
        };
        assert!(message.contains("records_per_second"), "{message}");
    }

    #[test]
    fn set_speed_changes_the_rate() {
        let mut s = Session::new(Seed(1), Speed::REAL_TIME);
        send(&mut s, ToWorker::Play, 0);
        let fast = snap(send(&mut s, ToWorker::SetSpeed { speed: Speed::MAX }, 0));
        assert_eq!(fast.speed, Speed::MAX);
        assert_eq!(snap(send(&mut s, ToWorker::Tick, 1_000)).engine.now, SimTime::from_secs(1));
    }
}
