//! The simulated client applications of a scenario: producers, consumers, and the director that sets the
//! streams up and applies the scheduled actions (spec kds.md §1.7–§1.10, §4).
//!
//! Clients are part of the engine: they have their own timers, woken by the engine in time order with
//! the services' (at equal times the service's changes come first), and talk to Kinesis Data Streams
//! through its API and its bulk data path. Everything they do is derived from the scenario's seed.

pub mod polling;
pub mod producer;
pub mod stats;

use self::polling::PollingConsumer;
use self::producer::{Producer, Wake};
use crate::engine::kds::actions::*;
use crate::engine::kds::ids::ShardId;
use crate::engine::kds::shard::Detail;
use crate::engine::kds::types::{StreamMode, StreamModeDetails};
use crate::engine::kds::{KdsRequest, KdsService};
use crate::engine::queue::TimerQueue;
use crate::engine::rng::SimRng;
use crate::engine::scenario::format::{Action, ConsumerSpec, ModeSpec};
use crate::engine::scenario::Plan;
use crate::engine::time::{SimDuration, SimTime};
use serde::Serialize;

/// The most log lines kept (older ones are dropped first).
const LOG_LINES_MAX: usize = 10_000;

/// What each client timer means.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum ClientTimer {
    Setup,
    Ready,
    ProducerStart(usize),
    ProducerTick(usize),
    ProducerStop(usize),
    ProducerFlush(usize),
    ProducerRetry(usize),
    ConsumerStart(usize),
    Poll(usize, ShardId),
    Action(usize),
}

/// A consumer application.
#[derive(Debug)]
pub enum Consumer {
    /// Shared-throughput GetRecords loops.
    Polling(PollingConsumer),
}

impl Consumer {
    /// Its name.
    pub fn name(&self) -> &str {
        match self {
            Consumer::Polling(c) => &c.spec.name,
        }
    }

    /// Its counters.
    pub fn stats(&self) -> &stats::ConsumerStats {
        match self {
            Consumer::Polling(c) => &c.stats,
        }
    }

    /// Its counters, to reset per-interval maxima.
    pub fn stats_mut(&mut self) -> &mut stats::ConsumerStats {
        match self {
            Consumer::Polling(c) => &mut c.stats,
        }
    }

    /// How far behind the newest record it is now, in ms.
    pub fn behind_ms(&self) -> u64 {
        match self {
            Consumer::Polling(c) => c.behind_ms(),
        }
    }
}

/// Something notable a client did or met (an action's outcome, an error).
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct LogLine {
    /// When.
    pub at: SimTime,
    /// Which client ("director", a producer's or consumer's name).
    pub who: String,
    /// What happened.
    pub text: String,
}

/// A scenario's clients.
#[derive(Debug, Default)]
pub struct Clients {
    plan: Option<Box<Plan>>,
    timers: TimerQueue<ClientTimer>,
    /// The producers, in scenario order.
    pub producers: Vec<Producer>,
    /// The consumers, in scenario order.
    pub consumers: Vec<Consumer>,
    /// Notable events, oldest first.
    pub log: Vec<LogLine>,
    ready_at: SimTime,
}

impl Clients {
    /// The clients of a compiled scenario, set to start at time zero.
    pub fn new(plan: Plan) -> Clients {
        let root = SimRng::new(plan.config.seed).fork("clients");
        let producers = plan
            .producers
            .iter()
            .map(|p| Producer::new(p.clone(), root.fork(&format!("producer/{}", p.spec.name))))
            .collect();
        let consumers = plan
            .scenario
            .consumers
            .iter()
            .map(|c| match c {
                ConsumerSpec::Polling(p) => Consumer::Polling(PollingConsumer::new(p.clone())),
            })
            .collect();
        let mut timers = TimerQueue::new();
        timers.schedule(SimTime::ZERO, ClientTimer::Setup);
        Clients { plan: Some(Box::new(plan)), timers, producers, consumers, log: Vec::new(), ready_at: SimTime::ZERO }
    }

    /// The scenario plan, if a scenario is loaded.
    pub fn plan(&self) -> Option<&Plan> {
        self.plan.as_deref()
    }

    /// When the clients next need waking (`SimTime::MAX`: never).
    pub fn poll_timeout(&self) -> SimTime {
        self.timers.next_time()
    }

    /// Wakes the clients due next, if that is at or before `now`: everything due at that one instant,
    /// including what it schedules for the same instant. The engine interleaves instants with the
    /// services' own timers. Returns how many wake-ups there were.
    pub fn handle_next(&mut self, now: SimTime, kds: &mut KdsService) -> u64 {
        let at = self.timers.next_time();
        if at > now {
            return 0;
        }
        let mut fired = 0;
        while self.timers.next_time() == at {
            let Some((at, timer)) = self.timers.pop_due(at) else { break };
            fired += 1;
            self.fire(at, timer, kds);
        }
        fired
    }

    fn fire(&mut self, now: SimTime, timer: ClientTimer, kds: &mut KdsService) {
        let Some(plan) = self.plan.as_deref() else { return };
        let tick = plan.tick;
        let epoch_ms = plan.config.kds.epoch_ms;
        match timer {
            ClientTimer::Setup => self.setup(now, kds),
            ClientTimer::Ready => self.ready(now, kds),
            ClientTimer::ProducerStart(i) => {
                let grid = (plan.scenario.detail == Detail::Runs).then_some(tick);
                self.producers[i].start(now, grid);
                self.timers.schedule(now + tick, ClientTimer::ProducerTick(i));
            }
            ClientTimer::ProducerTick(i) => {
                let producer = &mut self.producers[i];
                if !producer.running {
                    return;
                }
                let wakes = producer.tick(now, now.as_secs_f64(), epoch_ms + now.as_millis(), kds);
                self.schedule_wakes(i, wakes);
                self.timers.schedule(now + tick, ClientTimer::ProducerTick(i));
            }
            ClientTimer::ProducerStop(i) => {
                let wakes = self.producers[i].stop(now, kds);
                self.schedule_wakes(i, wakes);
            }
            ClientTimer::ProducerFlush(i) => {
                let wakes = self.producers[i].flush(now, kds);
                self.schedule_wakes(i, wakes);
            }
            ClientTimer::ProducerRetry(i) => {
                let wakes = self.producers[i].retry(now, kds);
                self.schedule_wakes(i, wakes);
            }
            ClientTimer::ConsumerStart(i) => {
                let Consumer::Polling(c) = &mut self.consumers[i];
                for shard in c.start(now, kds) {
                    self.timers.schedule(now, ClientTimer::Poll(i, shard));
                }
            }
            ClientTimer::Poll(i, shard) => {
                let Consumer::Polling(c) = &mut self.consumers[i];
                for (at, shard) in c.poll(now, shard, kds) {
                    self.timers.schedule(at, ClientTimer::Poll(i, shard));
                }
            }
            ClientTimer::Action(i) => self.act(now, i, kds),
        }
    }

    fn schedule_wakes(&mut self, producer: usize, wakes: Vec<Wake>) {
        for wake in wakes {
            match wake {
                Wake::Flush(at) => self.timers.schedule(at, ClientTimer::ProducerFlush(producer)),
                Wake::Retry(at) => self.timers.schedule(at, ClientTimer::ProducerRetry(producer)),
            };
        }
    }

    /// Time zero: create the streams; everything else starts once they are ACTIVE.
    fn setup(&mut self, now: SimTime, kds: &mut KdsService) {
        let Some(plan) = self.plan.as_deref() else { return };
        let mut requests = Vec::new();
        for s in &plan.scenario.streams {
            let (shard_count, stream_mode_details) = match s.mode {
                ModeSpec::Provisioned => (s.shards.map(i64::from), None),
                ModeSpec::OnDemand => (None, Some(StreamModeDetails { stream_mode: StreamMode::OnDemand })),
            };
            let input = CreateStreamInput { stream_name: s.name.clone(), shard_count, stream_mode_details, tags: None };
            requests.push((s.name.clone(), KdsRequest::CreateStream(input)));
        }
        self.ready_at = now + SimDuration::from_millis(kds.settings().stream_create_ms);
        for (name, request) in requests {
            self.request(now, "director", &format!("CreateStream {name}"), request, kds);
        }
        self.timers.schedule(self.ready_at, ClientTimer::Ready);
    }

    /// The streams are ACTIVE: set retention, start the clients at their times, schedule the actions.
    fn ready(&mut self, now: SimTime, kds: &mut KdsService) {
        let Some(plan) = self.plan.as_deref() else { return };
        let retention: Vec<(String, u32)> = plan
            .scenario
            .streams
            .iter()
            .filter(|s| s.retention_hours > 24)
            .map(|s| (s.name.clone(), s.retention_hours))
            .collect();
        let at = |s: f64| SimTime::from_micros((s * 1e6) as u64).max(now);
        let starts: Vec<(SimTime, ClientTimer)> = plan
            .producers
            .iter()
            .enumerate()
            .flat_map(|(i, p)| {
                let stop = p.spec.stop_s.map(|s| (at(s), ClientTimer::ProducerStop(i)));
                std::iter::once((at(p.spec.start_s), ClientTimer::ProducerStart(i))).chain(stop)
            })
            .chain(plan.scenario.consumers.iter().enumerate().map(|(i, c)| {
                let ConsumerSpec::Polling(p) = c;
                (at(p.start_s), ClientTimer::ConsumerStart(i))
            }))
            .chain(plan.scenario.actions.iter().enumerate().map(|(i, a)| (at(a.at_s), ClientTimer::Action(i))))
            .collect();
        for (stream, hours) in retention {
            let input = RetentionPeriodInput {
                stream_name: Some(stream.clone()),
                stream_arn: None,
                retention_period_hours: i64::from(hours),
            };
            let what = format!("IncreaseStreamRetentionPeriod {stream} to {hours} h");
            self.request(now, "director", &what, KdsRequest::IncreaseStreamRetentionPeriod(input), kds);
        }
        for (at, timer) in starts {
            self.timers.schedule(at, timer);
        }
    }

    /// A scheduled action.
    fn act(&mut self, now: SimTime, i: usize, kds: &mut KdsService) {
        let Some(action) = self.plan.as_deref().map(|p| p.scenario.actions[i].action.clone()) else { return };
        let stream_name = |s: &str| Some(s.to_string());
        let (what, request) = match action {
            Action::UpdateShardCount { stream, target } => (
                format!("UpdateShardCount {stream} to {target}"),
                KdsRequest::UpdateShardCount(UpdateShardCountInput {
                    stream_name: stream_name(&stream),
                    stream_arn: None,
                    target_shard_count: i64::from(target),
                    scaling_type: "UNIFORM_SCALING".to_string(),
                }),
            ),
            Action::SplitShard { stream, shard } => {
                let middle = kds
                    .shard_infos(&stream)
                    .and_then(|infos| {
                        infos.into_iter().find(|s| s.id.to_string() == shard || s.id.0.to_string() == shard)
                    })
                    .map(|s| s.range.start.0 + (s.range.end.0 - s.range.start.0) / 2 + 1)
                    .unwrap_or(0);
                (
                    format!("SplitShard {stream} {shard}"),
                    KdsRequest::SplitShard(SplitShardInput {
                        stream_name: stream_name(&stream),
                        stream_arn: None,
                        shard_to_split: shard,
                        new_starting_hash_key: middle.to_string(),
                    }),
                )
            }
            Action::MergeShards { stream, shard, adjacent } => (
                format!("MergeShards {stream} {shard} {adjacent}"),
                KdsRequest::MergeShards(MergeShardsInput {
                    stream_name: stream_name(&stream),
                    stream_arn: None,
                    shard_to_merge: shard,
                    adjacent_shard_to_merge: adjacent,
                }),
            ),
            Action::SetRetention { stream, hours } => {
                let current = kds.streams().get(&stream).map_or(24, |s| s.retention_hours);
                let input = RetentionPeriodInput {
                    stream_name: stream_name(&stream),
                    stream_arn: None,
                    retention_period_hours: i64::from(hours),
                };
                let request = if hours >= current {
                    KdsRequest::IncreaseStreamRetentionPeriod(input)
                } else {
                    KdsRequest::DecreaseStreamRetentionPeriod(input)
                };
                (format!("set retention of {stream} to {hours} h"), request)
            }
            Action::SetMode { stream, mode } => {
                let stream_mode = match mode {
                    ModeSpec::Provisioned => StreamMode::Provisioned,
                    ModeSpec::OnDemand => StreamMode::OnDemand,
                };
                let arn = kds.settings().stream_arn(&stream);
                (
                    format!("UpdateStreamMode {stream} to {stream_mode:?}"),
                    KdsRequest::UpdateStreamMode(UpdateStreamModeInput {
                        stream_arn: arn,
                        stream_mode_details: StreamModeDetails { stream_mode },
                    }),
                )
            }
            Action::StopProducer { producer } => return self.toggle(now, &producer, false, kds),
            Action::StartProducer { producer } => return self.toggle(now, &producer, true, kds),
        };
        self.request(now, "director", &what, request, kds);
    }

    fn toggle(&mut self, now: SimTime, name: &str, on: bool, kds: &mut KdsService) {
        let Some(i) = self.producers.iter().position(|p| p.plan.spec.name == name) else { return };
        if on && !self.producers[i].running {
            self.timers.schedule(now, ClientTimer::ProducerStart(i));
        } else if !on && self.producers[i].running {
            let wakes = self.producers[i].stop(now, kds);
            self.schedule_wakes(i, wakes);
        }
        self.note(now, "director", format!("{} producer {name}", if on { "started" } else { "stopped" }));
    }

    /// Sends a control-plane request and logs its outcome.
    fn request(&mut self, now: SimTime, who: &str, what: &str, request: KdsRequest, kds: &mut KdsService) {
        let text = match kds.handle(now, request) {
            Ok(_) => format!("{what}: ok"),
            Err(e) => format!("{what}: {} {}", e.kind.aws_code(), e.message),
        };
        self.note(now, who, text);
    }

    fn note(&mut self, at: SimTime, who: &str, text: String) {
        if self.log.len() == LOG_LINES_MAX {
            self.log.remove(0);
        }
        self.log.push(LogLine { at, who: who.to_string(), text });
    }
}
