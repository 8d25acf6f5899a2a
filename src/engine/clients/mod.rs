//! The simulated client applications of a scenario: producers, consumers, and the director that sets the
//! streams up and applies the scheduled actions (spec kds.md §1.7–§1.10, §4).
//!
//! Clients are part of the engine: they have their own timers, woken by the engine in time order with
//! the services' (at equal times the service's changes come first), and talk to Kinesis Data Streams
//! through its API and its bulk data path. Everything they do is derived from the scenario's seed.

pub mod direct_put;
mod director;
pub mod efo;
pub mod kcl;
pub mod kpl;
pub mod lambda;
pub mod polling;
pub mod producer;
pub mod stats;
mod summary;

use self::direct_put::{DirectPutProducer, Outcome};
use self::efo::EfoConsumer;
use self::kcl::{KclApp, KclWake};
use self::lambda::{LambdaEsm, LambdaWake};
use self::polling::PollingConsumer;
use self::producer::{Producer, Wake};
use crate::engine::kds::bulk::ShardInfo;
use crate::engine::kds::ids::ShardId;
use crate::engine::kds::shard::Detail;
use crate::engine::kds::subscription::KdsEvent;
use crate::engine::kds::KdsService;
use crate::engine::queue::TimerQueue;
use crate::engine::rng::SimRng;
use crate::engine::scenario::format::{ConsumerSpec, StartSpec};
use crate::engine::scenario::Plan;
use crate::engine::services::Services;
use crate::engine::time::SimTime;
use serde::{Deserialize, Serialize};

/// The most log lines kept (older ones are dropped first).
const LOG_LINES_MAX: usize = 10_000;

/// What each client timer means.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum ClientTimer {
    Setup,
    Create(usize),
    Ready,
    ProducerStart(usize),
    ProducerTick(usize),
    ProducerStop(usize),
    ProducerFlush(usize),
    ProducerRetry(usize),
    ConsumerStart(usize),
    Poll(usize, ShardId),
    EfoActive(usize),
    Subscribe(usize, ShardId),
    KclRenew(usize, usize),
    KclTake(usize, usize),
    KclSync(usize),
    KclPoll(usize, ShardId),
    LambdaPoll(usize, ShardId),
    LambdaDone(usize, ShardId, usize),
    LambdaRetry(usize, ShardId),
    Action(usize),
    Call(usize),
    DirectPutStart(usize),
    DirectPutTick(usize),
    DirectPutStop(usize),
    DirectPutRetry(usize),
}

/// A consumer application.
#[derive(Debug)]
pub enum Consumer {
    /// Shared-throughput GetRecords loops.
    Polling(PollingConsumer),
    /// Enhanced fan-out subscriptions.
    Efo(EfoConsumer),
    /// A KCL application.
    Kcl(KclApp),
    /// A Lambda function behind an event source mapping.
    Lambda(LambdaEsm),
}

impl Consumer {
    /// Its name.
    pub fn name(&self) -> &str {
        match self {
            Consumer::Polling(c) => &c.spec.name,
            Consumer::Efo(c) => &c.spec.name,
            Consumer::Kcl(c) => &c.spec.name,
            Consumer::Lambda(c) => &c.spec.name,
        }
    }

    /// The stream it reads.
    pub fn stream(&self) -> &str {
        match self {
            Consumer::Polling(c) => &c.spec.stream,
            Consumer::Efo(c) => &c.spec.stream,
            Consumer::Kcl(c) => &c.spec.stream,
            Consumer::Lambda(c) => &c.spec.stream,
        }
    }

    /// Its counters.
    pub fn stats(&self) -> &stats::ConsumerStats {
        match self {
            Consumer::Polling(c) => &c.stats,
            Consumer::Efo(c) => &c.stats,
            Consumer::Kcl(c) => &c.stats,
            Consumer::Lambda(c) => &c.stats,
        }
    }

    /// Its counters, to reset per-interval maxima.
    pub fn stats_mut(&mut self) -> &mut stats::ConsumerStats {
        match self {
            Consumer::Polling(c) => &mut c.stats,
            Consumer::Efo(c) => &mut c.stats,
            Consumer::Kcl(c) => &mut c.stats,
            Consumer::Lambda(c) => &mut c.stats,
        }
    }

    /// How far behind the newest record it is now, in ms.
    pub fn behind_ms(&self) -> u64 {
        match self {
            Consumer::Polling(c) => c.behind_ms(),
            Consumer::Efo(c) => c.behind_ms(),
            Consumer::Kcl(c) => c.behind_ms(),
            Consumer::Lambda(c) => c.behind_ms(),
        }
    }
}

/// Something notable a client did or met (an action's outcome, an error).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct LogLine {
    /// When.
    pub at: SimTime,
    /// Which client ("director", a producer's or consumer's name).
    pub who: String,
    /// What happened.
    pub text: String,
    /// What kind of event, for filtering.
    #[serde(default)]
    pub kind: LogKind,
}

/// What a log line is about.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum LogKind {
    /// An action (create, reshard, producers, workers) and Kinesis's answer, or a client's error.
    #[default]
    Action,
    /// A second's throttled writes or reads, retries and drops.
    Throttling,
    /// A second's KCL lease moves.
    Leases,
    /// A second's failed Lambda invocations (retries, bisects, batches given up).
    Lambda,
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
    /// The Direct PUT producers, in scenario order.
    pub direct_put: Vec<DirectPutProducer>,
    /// Notable events, oldest first (the newest 10,000).
    pub log: Vec<LogLine>,
    /// Lines ever logged, so a reader can tell which lines are new.
    pub logged: u64,
    ready_at: SimTime,
    /// The counters the last per-second lines were taken from.
    summarised: summary::Summarised,
}

impl From<StartSpec> for crate::engine::kds::bulk::StartAt {
    fn from(start: StartSpec) -> Self {
        match start {
            StartSpec::Latest => Self::Latest,
            StartSpec::TrimHorizon => Self::TrimHorizon,
        }
    }
}

/// The shards a reader starting at `start` opens first: at LATEST the open shards; at TRIM_HORIZON the
/// oldest data, every kept shard none of whose parents is still kept (parents before children).
pub fn first_shards(infos: &[ShardInfo], start: StartSpec) -> Vec<ShardId> {
    let kept = |id: &ShardId| infos.iter().any(|s| s.id == *id);
    infos
        .iter()
        .filter(|s| match start {
            StartSpec::Latest => s.open,
            StartSpec::TrimHorizon => !s.parents.iter().any(kept),
        })
        .map(|s| s.id)
        .collect()
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
                ConsumerSpec::Polling(p) => {
                    Consumer::Polling(PollingConsumer::new(p.clone(), root.fork(&format!("polling/{}", p.name))))
                }
                ConsumerSpec::Efo(e) => Consumer::Efo(EfoConsumer::new(e.clone())),
                ConsumerSpec::Kcl(k) => Consumer::Kcl(KclApp::new(k.clone())),
                ConsumerSpec::Lambda(l) => {
                    Consumer::Lambda(LambdaEsm::new(l.clone(), root.fork(&format!("lambda/{}", l.name))))
                }
            })
            .collect();
        let direct_put = plan
            .direct_put
            .iter()
            .map(|p| DirectPutProducer::new(p.clone(), root.fork(&format!("direct-put/{}", p.spec.name))))
            .collect();
        let mut timers = TimerQueue::new();
        timers.schedule(SimTime::ZERO, ClientTimer::Setup);
        Clients {
            plan: Some(Box::new(plan)),
            timers,
            producers,
            consumers,
            direct_put,
            log: Vec::new(),
            logged: 0,
            ready_at: SimTime::ZERO,
            summarised: Default::default(),
        }
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
    pub fn handle_next(&mut self, now: SimTime, svc: &mut Services) -> u64 {
        let at = self.timers.next_time();
        if at > now {
            return 0;
        }
        let mut fired = 0;
        while self.timers.next_time() == at {
            let Some((at, timer)) = self.timers.pop_due(at) else { break };
            fired += 1;
            self.fire(at, timer, svc);
        }
        fired
    }

    fn fire(&mut self, now: SimTime, timer: ClientTimer, svc: &mut Services) {
        let Some(plan) = self.plan.as_deref() else { return };
        let tick = plan.tick;
        let epoch_ms = plan.config.kds.epoch_ms;
        match timer {
            ClientTimer::Setup => self.setup(now, svc.kds),
            ClientTimer::Create(wave) => self.create(now, wave, svc.kds),
            ClientTimer::Ready => self.ready(now, svc.kds),
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
                let wakes = producer.tick(now, now.as_secs_f64(), epoch_ms + now.as_millis(), svc.kds);
                self.schedule_wakes(i, wakes);
                self.timers.schedule(now + tick, ClientTimer::ProducerTick(i));
            }
            ClientTimer::ProducerStop(i) => {
                let wakes = self.producers[i].stop(now, svc.kds);
                self.schedule_wakes(i, wakes);
            }
            ClientTimer::ProducerFlush(i) => {
                let wakes = self.producers[i].flush(now, svc.kds);
                self.schedule_wakes(i, wakes);
            }
            ClientTimer::ProducerRetry(i) => {
                let wakes = self.producers[i].retry(now, svc.kds);
                self.schedule_wakes(i, wakes);
            }
            ClientTimer::ConsumerStart(i) => self.start_consumer(now, i, svc.kds),
            ClientTimer::Poll(i, shard) => {
                let Consumer::Polling(c) = &mut self.consumers[i] else { return };
                for (at, shard) in c.poll(now, shard, svc.kds) {
                    self.timers.schedule(at, ClientTimer::Poll(i, shard));
                }
            }
            ClientTimer::EfoActive(i) => {
                let Consumer::Efo(c) = &mut self.consumers[i] else { return };
                for shard in c.first_shards(svc.kds) {
                    self.timers.schedule(now, ClientTimer::Subscribe(i, shard));
                }
            }
            ClientTimer::Subscribe(i, shard) => {
                let Consumer::Efo(c) = &mut self.consumers[i] else { return };
                if let Some(again) = c.subscribe(now, shard, svc.kds) {
                    self.timers.schedule(again, ClientTimer::Subscribe(i, shard));
                }
            }
            ClientTimer::KclRenew(i, w) => self.kcl(i, |app| app.renew(now, w)),
            ClientTimer::KclTake(i, w) => self.kcl(i, |app| app.take(now, w)),
            ClientTimer::KclSync(i) => self.kcl(i, |app| app.sync(now, svc.kds)),
            ClientTimer::KclPoll(i, shard) => self.kcl(i, |app| app.poll(now, shard, svc.kds)),
            ClientTimer::LambdaPoll(i, shard) => self.lambda(i, |esm| esm.poll(now, shard, svc.kds)),
            ClientTimer::LambdaDone(i, shard, lane) => self.lambda(i, |esm| esm.done(now, shard, lane, svc.kds)),
            ClientTimer::LambdaRetry(i, shard) => self.lambda(i, |esm| esm.retry(now, shard, svc.kds)),
            ClientTimer::Action(i) => self.act(now, i, svc.kds),
            ClientTimer::Call(i) => self.call(now, i, svc),
            ClientTimer::DirectPutStart(i) => {
                self.direct_put[i].start(now);
                self.timers.schedule(now + tick, ClientTimer::DirectPutTick(i));
            }
            ClientTimer::DirectPutTick(i) => {
                if !self.direct_put[i].running {
                    return;
                }
                let outcome = self.direct_put[i].tick(now, epoch_ms + now.as_millis(), svc);
                self.direct_put_outcome(now, i, outcome);
                self.timers.schedule(now + tick, ClientTimer::DirectPutTick(i));
            }
            ClientTimer::DirectPutStop(i) => self.direct_put[i].stop(),
            ClientTimer::DirectPutRetry(i) => {
                let mut outcome = Outcome::default();
                self.direct_put[i].retry(now, svc, &mut outcome);
                self.direct_put_outcome(now, i, outcome);
            }
        }
    }

    /// Schedules a Direct PUT producer's retry and logs its notes.
    fn direct_put_outcome(&mut self, now: SimTime, i: usize, outcome: Outcome) {
        if let Some(at) = outcome.retry_at {
            self.timers.schedule(at, ClientTimer::DirectPutRetry(i));
        }
        let who = self.direct_put[i].plan.spec.name.clone();
        for text in outcome.notes {
            self.note(now, &who, text);
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

    fn start_consumer(&mut self, now: SimTime, i: usize, kds: &mut KdsService) {
        match &mut self.consumers[i] {
            Consumer::Polling(c) => {
                let first = now + c.phase;
                for shard in c.start(now, kds) {
                    self.timers.schedule(first, ClientTimer::Poll(i, shard));
                }
            }
            Consumer::Kcl(_) => self.kcl(i, |app| app.start(now, kds)),
            Consumer::Lambda(_) => {
                self.lambda(i, |esm| esm.start(kds).into_iter().map(|shard| LambdaWake::Poll(now, shard)).collect())
            }
            Consumer::Efo(c) => match c.register(now, kds) {
                Ok(active) => {
                    self.timers.schedule(active, ClientTimer::EfoActive(i));
                }
                Err(text) => {
                    let who = c.spec.name.clone();
                    self.note(now, &who, text);
                }
            },
        }
    }

    /// Runs `f` on KCL application `i` and schedules what it asks for.
    pub(super) fn kcl(&mut self, i: usize, f: impl FnOnce(&mut KclApp) -> Vec<KclWake>) {
        let Some(Consumer::Kcl(app)) = self.consumers.get_mut(i) else { return };
        let wakes = f(app);
        app.refresh_stats();
        for wake in wakes {
            let (at, timer) = match wake {
                KclWake::Renew(at, w) => (at, ClientTimer::KclRenew(i, w)),
                KclWake::Take(at, w) => (at, ClientTimer::KclTake(i, w)),
                KclWake::Sync(at) => (at, ClientTimer::KclSync(i)),
                KclWake::Poll(at, shard) => (at, ClientTimer::KclPoll(i, shard)),
            };
            self.timers.schedule(at, timer);
        }
    }

    /// Runs `f` on Lambda mapping `i` and schedules what it asks for.
    fn lambda(&mut self, i: usize, f: impl FnOnce(&mut LambdaEsm) -> Vec<LambdaWake>) {
        let Some(Consumer::Lambda(esm)) = self.consumers.get_mut(i) else { return };
        for wake in f(esm) {
            let (at, timer) = match wake {
                LambdaWake::Poll(at, shard) => (at, ClientTimer::LambdaPoll(i, shard)),
                LambdaWake::Done(at, shard, lane) => (at, ClientTimer::LambdaDone(i, shard, lane)),
                LambdaWake::Retry(at, shard, _) => (at, ClientTimer::LambdaRetry(i, shard)),
            };
            self.timers.schedule(at, timer);
        }
    }

    /// A service event: a client's own subscription events are handled here (`None`); others are
    /// handed back for the engine's output.
    pub fn take_event(&mut self, event: KdsEvent) -> Option<KdsEvent> {
        let Some(i) = self.consumers.iter().position(|c| matches!(c, Consumer::Efo(e) if e.owns(&event))) else {
            return Some(event);
        };
        let Consumer::Efo(c) = &mut self.consumers[i] else { return None };
        for (at, shard) in c.on_event(event) {
            self.timers.schedule(at, ClientTimer::Subscribe(i, shard));
        }
        None
    }

    fn note(&mut self, at: SimTime, who: &str, text: String) {
        self.note_kind(at, who, LogKind::Action, text);
    }

    fn note_kind(&mut self, at: SimTime, who: &str, kind: LogKind, text: String) {
        if self.log.len() == LOG_LINES_MAX {
            self.log.remove(0);
        }
        self.log.push(LogLine { at, who: who.to_string(), text, kind });
        self.logged += 1;
    }

    /// The lines logged after the first `seen` ever logged (as many as are still kept).
    pub fn log_since(&self, seen: u64) -> &[LogLine] {
        let new = self.logged.saturating_sub(seen).min(self.log.len() as u64) as usize;
        &self.log[self.log.len() - new..]
    }
}
