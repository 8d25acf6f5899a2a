//! The simulation engine: a sans-IO, deterministic state machine.
//!
//! # The contract
//!
//! The engine never reads a clock, never sleeps, spawns or awaits, and never draws OS randomness.
//! Time is an argument to [`Engine::handle_input`]; randomness comes from [`rng::SimRng`], seeded by
//! the run's [`rng::Seed`]. Same seed and same inputs ⇒ same outputs, natively and in wasm.
//!
//! # The run loop (the drain rule)
//!
//! 1. Call [`Engine::handle_input`] with the current simulated time and one input.
//! 2. Call [`Engine::poll_output`] until it returns [`Output::Timeout`]; that output is always last
//!    and names the next instant the engine wants to be woken (`SimTime::MAX` for never).
//! 3. At that instant, call `handle_input(t, Input::Timeout)` and drain again.
//!
//! [`runner::Runner`] implements this loop; [`Engine::poll_timeout`] peeks at the next wake-up
//! without draining. Inputs must arrive in non-decreasing time; an earlier time is treated as "now".
//!
//! # What is here
//!
//! Time, the seeded PRNG, the timer queue, the metrics sampler, and the services: Kinesis Data
//! Streams ([`kds`]), Firehose ([`firehose`]) with the S3 it delivers to ([`s3`]); the video services run
//! beside the engine ([`video`]). A command is an AWS request; its reply is the action's output or the
//! AWS error. Due timers always fire before a command at the same instant.

pub mod analytics;
pub mod clients;
pub mod distributions;
pub mod endpoints;
pub mod firehose;
pub mod functions;
pub mod glue;
pub mod kds;
pub mod live;
pub mod metrics;
pub mod opensearch;
pub mod queue;
pub mod redshift;
pub mod rng;
pub mod runner;
pub mod s3;
pub mod scenario;
pub mod services;
pub mod snapshot;
pub mod time;
pub mod video;
pub mod workload;

use clients::Clients;
use firehose::error::FirehoseError;
use firehose::settings::FirehoseSettings;
use firehose::{FirehoseRequest, FirehoseService};
use functions::{Functions, LambdaError, LambdaRequest};
use kds::error::KdsError;
use kds::settings::KdsSettings;
use kds::subscription::KdsEvent;
use kds::{KdsRequest, KdsResponse, KdsService};
use metrics::{Sample, SAMPLE_INTERVAL_DEFAULT};
use queue::TimerQueue;
use rng::Seed;
use s3::listing::S3Request;
use s3::{S3Error, S3Service, S3Settings};
use serde_json::Value;
use snapshot::Snapshot;
use std::collections::VecDeque;
use time::{SimDuration, SimTime};

/// Everything that can happen to the engine.
#[derive(Clone, Debug, PartialEq)]
pub enum Input {
    /// Simulated time has reached `now`: fire every timer due at or before it.
    Timeout,
    /// A request to a simulated service; answered by one [`Output::Reply`] with the same id.
    Command { id: CommandId, cmd: Command },
}

/// Identifies a command's reply.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct CommandId(pub u64);

/// A request to one of the simulated services.
#[derive(Clone, Debug, PartialEq)]
pub enum Command {
    /// Kinesis Data Streams.
    Kds(KdsRequest),
    /// Amazon Data Firehose.
    Firehose(FirehoseRequest),
    /// Kinesis Data Analytics.
    Analytics(analytics::AnalyticsRequest),
    /// The simulated S3 (inspecting deliveries).
    S3(S3Request),
    /// The lab's Lambda functions (built-ins for transforms).
    Lambda(LambdaRequest),
    /// The lab's HTTP endpoints and Splunk HEC receivers.
    Endpoint(endpoints::EndpointRequest),
    /// The Glue Data Catalog (record format conversion's schemas).
    Glue(glue::GlueRequest),
    /// The lab's Redshift, through the Data API.
    Redshift(redshift::RedshiftRequest),
    /// The lab's OpenSearch domains.
    OpenSearch(opensearch::OpenSearchRequest),
}

/// A service's successful answer.
#[derive(Clone, Debug, PartialEq)]
pub enum Reply {
    /// Kinesis Data Streams.
    Kds(KdsResponse),
    /// Firehose: AWS's response body.
    Firehose(Value),
    /// Kinesis Data Analytics: the response body.
    Analytics(Value),
    /// S3: the response body.
    S3(Value),
    /// Lambda: the response body.
    Lambda(Value),
    /// The lab's receivers: the response body.
    Endpoint(Value),
    /// Glue: the response body.
    Glue(Value),
    /// The Redshift Data API: the response body.
    Redshift(Value),
    /// The lab's OpenSearch domains: the response body.
    OpenSearch(Value),
}

/// A service's failure, with AWS's exception name and text.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ApiError {
    /// Kinesis Data Streams.
    Kds(KdsError),
    /// Firehose.
    Firehose(FirehoseError),
    /// Kinesis Data Analytics.
    Analytics(analytics::error::AnalyticsError),
    /// S3.
    S3(S3Error),
    /// Lambda.
    Lambda(LambdaError),
    /// The lab's receivers.
    Endpoint(endpoints::EndpointError),
    /// Glue.
    Glue(glue::GlueError),
    /// The Redshift Data API.
    Redshift(redshift::RedshiftError),
    /// The lab's OpenSearch domains.
    OpenSearch(opensearch::OpenSearchError),
}

impl ApiError {
    /// The exact AWS `__type`.
    pub fn aws_code(&self) -> &'static str {
        match self {
            ApiError::Kds(e) => e.kind.aws_code(),
            ApiError::Firehose(e) => e.kind.aws_code(),
            ApiError::Analytics(e) => e.code,
            ApiError::S3(e) => e.code,
            ApiError::Lambda(e) => e.code,
            ApiError::Endpoint(e) => e.code,
            ApiError::Glue(e) => e.code,
            ApiError::Redshift(e) => e.code,
            ApiError::OpenSearch(e) => e.code,
        }
    }

    /// AWS's message text.
    pub fn message(&self) -> &str {
        match self {
            ApiError::Kds(e) => &e.message,
            ApiError::Firehose(e) => &e.message,
            ApiError::Analytics(e) => &e.message,
            ApiError::S3(e) => &e.message,
            ApiError::Lambda(e) => &e.message,
            ApiError::Endpoint(e) => &e.message,
            ApiError::Glue(e) => &e.message,
            ApiError::Redshift(e) => &e.message,
            ApiError::OpenSearch(e) => &e.message,
        }
    }
}

/// Something a service did on its own, for whoever listens (enhanced fan-out pushes, …).
#[derive(Clone, Debug, PartialEq)]
pub enum Event {
    /// Kinesis Data Streams.
    Kds(KdsEvent),
}

/// Everything the engine tells the world; drained with [`Engine::poll_output`].
#[derive(Clone, Debug, PartialEq)]
pub enum Output {
    /// The answer to a command.
    Reply { id: CommandId, result: Result<Reply, ApiError> },
    /// A service event.
    Event(Event),
    /// A periodic sample of the engine's counters.
    Metrics(Sample),
    /// A scenario's metric row for the sample interval just ended (right after its `Metrics`).
    Series(Box<scenario::series::SeriesRow>),
    /// Nothing more to drain; wake the engine at this time (`SimTime::MAX`: nothing pending).
    Timeout(SimTime),
}

/// How a run is set up.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct EngineConfig {
    /// The seed every random choice descends from.
    pub seed: Seed,
    /// The simulated interval between metric samples; must be positive.
    pub sample_interval: SimDuration,
    /// The simulated Kinesis Data Streams account (its identity and clock are the whole account's).
    pub kds: KdsSettings,
    /// The simulated Firehose.
    pub firehose: FirehoseSettings,
    /// The simulated S3.
    pub s3: S3Settings,
}

impl EngineConfig {
    /// The default setup with the given seed.
    pub fn with_seed(seed: Seed) -> Self {
        EngineConfig {
            seed,
            sample_interval: SAMPLE_INTERVAL_DEFAULT,
            kds: KdsSettings::default(),
            firehose: FirehoseSettings::default(),
            s3: S3Settings::default(),
        }
    }
}

/// What each timer means.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum TimerKey {
    MetricsSample,
}

/// The whole simulated world.
#[derive(Debug)]
pub struct Engine {
    config: EngineConfig,
    now: SimTime,
    timers: TimerQueue<TimerKey>,
    outputs: VecDeque<Output>,
    events_processed: u64,
    kds: KdsService,
    firehose: FirehoseService,
    analytics: analytics::AnalyticsService,
    s3: S3Service,
    endpoints: endpoints::Endpoints,
    functions: Functions,
    glue: glue::Catalog,
    clusters: redshift::Clusters,
    domains: opensearch::Domains,
    clients: Clients,
    sampler: Option<scenario::series::Sampler>,
    /// The per-second history the live view draws (kept only when asked for: the CLI does not need it).
    live: Option<live::History>,
}

impl Engine {
    /// A new run at time zero. A zero sample interval is raised to one microsecond so time always advances.
    pub fn new(mut config: EngineConfig) -> Self {
        if config.sample_interval.is_zero() {
            config.sample_interval = SimDuration::from_micros(1);
        }
        let mut timers = TimerQueue::new();
        timers.schedule(SimTime::ZERO + config.sample_interval, TimerKey::MetricsSample);
        let kds = KdsService::new(config.kds.clone());
        let k = &config.kds;
        let firehose = FirehoseService::new(config.firehose.clone(), &k.account_id, &k.region, k.epoch_ms, config.seed);
        let s3 = S3Service::new(config.s3.clone(), k.epoch_ms);
        let functions = Functions::new(&k.account_id, &k.region, k.epoch_ms);
        let endpoints = endpoints::Endpoints::new(rng::SimRng::new(config.seed).fork("endpoints"), k.epoch_ms);
        let clients = Clients::default();
        let glue = glue::Catalog::new(k.epoch_ms);
        let analytics = analytics::AnalyticsService::new(&k.account_id, &k.region, k.epoch_ms);
        let clusters = redshift::Clusters::new(rng::SimRng::new(config.seed).fork("redshift"), k.epoch_ms);
        Engine {
            config,
            now: SimTime::ZERO,
            timers,
            outputs: VecDeque::new(),
            events_processed: 0,
            kds,
            firehose,
            analytics,
            s3,
            endpoints,
            functions,
            glue,
            clusters,
            domains: opensearch::Domains::default(),
            clients,
            sampler: None,
            live: None,
        }
    }

    /// A new run of a compiled scenario: its account settings, seed and clients.
    pub fn from_plan(plan: scenario::Plan) -> Self {
        let mut engine = Engine::new(plan.config.clone());
        engine.clients = Clients::new(plan);
        engine.sampler = Some(scenario::series::Sampler::default());
        engine
    }

    /// Feeds one input at simulated time `now`; then drain with [`Engine::poll_output`].
    pub fn handle_input(&mut self, now: SimTime, input: Input) {
        debug_assert!(now >= self.now, "time went backwards: {now} < {}", self.now);
        self.now = self.now.max(now);
        self.handle_timeout();
        match input {
            Input::Timeout => {}
            Input::Command { id, cmd } => {
                self.events_processed += 1;
                let now = self.now;
                let result = self.services().execute(now, cmd);
                self.outputs.push_back(Output::Reply { id, result });
                self.drain_service_events();
            }
        }
    }

    /// Applies a scenario action at simulated time `now` (after firing what is due), as a user's command
    /// while the run plays: Ok with what happened, or Err with AWS's error or why the named client
    /// cannot do it. Either way the outcome is in the clients' log.
    pub fn act(&mut self, now: SimTime, action: scenario::format::Action) -> Result<String, String> {
        self.handle_input(now, Input::Timeout);
        self.events_processed += 1;
        let outcome = self.clients.apply(self.now, action, &mut self.kds);
        self.drain_service_events();
        outcome
    }

    /// A user's request at `now` (after firing what is due), answered at once: how the lab page browses
    /// buckets and reads objects, through the same API as everything else.
    pub fn call(&mut self, now: SimTime, cmd: Command) -> Result<Reply, ApiError> {
        self.handle_input(now, Input::Timeout);
        self.events_processed += 1;
        let now = self.now;
        let result = self.services().execute(now, cmd);
        self.drain_service_events();
        result
    }

    /// Service events: the clients' own subscriptions go to them, the rest out.
    fn drain_service_events(&mut self) {
        while let Some(event) = self.kds.poll_event() {
            if let Some(event) = self.clients.take_event(event) {
                self.outputs.push_back(Output::Event(Event::Kds(event)));
            }
        }
    }

    /// Every service, borrowed together.
    fn services(&mut self) -> services::Services<'_> {
        services::Services {
            kds: &mut self.kds,
            firehose: &mut self.firehose,
            analytics: &mut self.analytics,
            s3: &mut self.s3,
            endpoints: &mut self.endpoints,
            functions: &mut self.functions,
            glue: &mut self.glue,
            clusters: &mut self.clusters,
            domains: &mut self.domains,
        }
    }

    /// The next output; [`Output::Timeout`] when drained (it is always the last one).
    pub fn poll_output(&mut self) -> Output {
        self.outputs.pop_front().unwrap_or_else(|| Output::Timeout(self.poll_timeout()))
    }

    /// When the engine next needs `Input::Timeout`, without draining anything (`SimTime::MAX`: never).
    pub fn poll_timeout(&self) -> SimTime {
        self.timers
            .next_time()
            .min(self.kds.poll_timeout())
            .min(self.firehose.poll_timeout())
            .min(self.analytics.poll_timeout())
            .min(self.clients.poll_timeout())
    }

    /// The simulated time the engine has reached.
    pub fn now(&self) -> SimTime {
        self.now
    }

    /// The simulated Kinesis Data Streams account.
    pub fn kds(&self) -> &KdsService {
        &self.kds
    }

    /// The simulated Firehose.
    pub fn firehose(&self) -> &FirehoseService {
        &self.firehose
    }

    /// The simulated Kinesis Data Analytics.
    pub fn analytics(&self) -> &analytics::AnalyticsService {
        &self.analytics
    }

    /// Installs what runs Analytics applications' code (the browser's worker loads it on demand).
    pub fn set_analytics_runtime(&mut self, factory: analytics::runtime::RuntimeFactory) {
        self.analytics.set_runtime(factory);
    }

    /// The simulated S3.
    pub fn s3(&self) -> &S3Service {
        &self.s3
    }

    /// The HTTP endpoints and Splunk HEC receivers Firehose delivers to.
    pub fn endpoints(&self) -> &endpoints::Endpoints {
        &self.endpoints
    }

    /// The lab's Redshift clusters.
    pub fn clusters(&self) -> &redshift::Clusters {
        &self.clusters
    }

    /// The lab's OpenSearch domains.
    pub fn domains(&self) -> &opensearch::Domains {
        &self.domains
    }

    /// Installs the function that writes Parquet (the browser's worker loads it on demand).
    pub fn set_parquet_writer(&mut self, writer: crate::columnar::ParquetWriter) {
        self.firehose.set_parquet_writer(writer);
    }

    /// The scenario's simulated clients (empty without a scenario).
    pub fn clients(&self) -> &Clients {
        &self.clients
    }

    /// Keeps the per-second live history from now on (the worker does; it changes no outcome).
    pub fn keep_live_history(&mut self) {
        self.live.get_or_insert_with(live::History::default);
    }

    /// The live history, if kept.
    pub fn live(&self) -> Option<&live::History> {
        self.live.as_ref()
    }

    /// A serde view of the engine for the UI.
    pub fn snapshot(&self) -> Snapshot {
        let next = self.poll_timeout();
        Snapshot {
            now: self.now,
            seed: self.config.seed,
            events_processed: self.events_processed,
            timers_pending: self.timers.len() as u64,
            next_event_at: (next != SimTime::MAX).then_some(next),
            streams: snapshot::StreamView::all(&self.kds, self.now),
            consumers: snapshot::ConsumerView::all(&self.clients),
            producers: snapshot::ProducerView::all(&self.clients),
            firehose: self
                .firehose
                .streams()
                .values()
                .map(|s| firehose::view::DeliveryStreamView::of(s, self.now))
                .collect(),
            analytics: self.analytics().applications().map(analytics::view::ApplicationView::of).collect(),
        }
    }

    /// Fires every timer due by now, in time order. At equal times service changes come first, then the
    /// live history's capture and sampling, then the clients: a sample at t covers exactly what happened
    /// before t.
    fn handle_timeout(&mut self) {
        loop {
            let kds_at = self.kds.poll_timeout();
            let clients_at = self.clients.poll_timeout();
            let engine_at = self.timers.next_time();
            let live_at = self.live.as_ref().map_or(SimTime::MAX, live::History::next_at);
            if kds_at <= self.now && kds_at <= clients_at && kds_at <= engine_at && kds_at <= live_at {
                self.events_processed += self.kds.handle_timeout(kds_at);
                self.drain_service_events();
                continue;
            }
            let firehose_at = self.firehose.poll_timeout();
            let analytics_at = self.analytics.poll_timeout();
            if firehose_at <= self.now
                && firehose_at <= analytics_at
                && firehose_at <= clients_at
                && firehose_at <= engine_at
                && firehose_at <= live_at
            {
                let reach = firehose::Reach {
                    s3: &mut self.s3,
                    endpoints: &mut self.endpoints,
                    functions: &self.functions,
                    kds: &mut self.kds,
                    glue: &self.glue,
                    clusters: &mut self.clusters,
                    domains: &mut self.domains,
                };
                self.events_processed += self.firehose.handle_timeout(firehose_at, reach);
                continue;
            }
            if analytics_at <= self.now
                && analytics_at <= clients_at
                && analytics_at <= engine_at
                && analytics_at <= live_at
            {
                let Some(factory) = self.analytics.factory() else { return };
                let mut reach = analytics::run::Reach {
                    kds: &mut self.kds,
                    firehose: &mut self.firehose,
                    sinks: firehose::Sinks {
                        s3: &mut self.s3,
                        clusters: &mut self.clusters,
                        domains: &mut self.domains,
                    },
                    factory,
                    epoch_ms: self.analytics.epoch_ms(),
                };
                self.events_processed += self.analytics.handle_timeout(analytics_at, &mut reach);
                continue;
            }
            if live_at <= self.now && live_at <= clients_at && live_at <= engine_at {
                if let Some(history) = self.live.as_mut() {
                    history.capture(live_at, &self.kds, &self.clients);
                    self.clients.log_second(live_at);
                }
                continue;
            }
            if engine_at <= self.now && engine_at <= clients_at {
                let Some((at, key)) = self.timers.pop_due(self.now) else { return };
                self.events_processed += 1;
                match key {
                    TimerKey::MetricsSample => self.sample_metrics(at),
                }
                continue;
            }
            if clients_at <= self.now {
                let mut svc = services::Services {
                    kds: &mut self.kds,
                    firehose: &mut self.firehose,
                    analytics: &mut self.analytics,
                    s3: &mut self.s3,
                    endpoints: &mut self.endpoints,
                    functions: &mut self.functions,
                    glue: &mut self.glue,
                    clusters: &mut self.clusters,
                    domains: &mut self.domains,
                };
                self.events_processed += self.clients.handle_next(clients_at, &mut svc);
                self.drain_service_events();
                continue;
            }
            return;
        }
    }

    /// A scenario's series row for the interval from the last sample up to (not including) `at`, taken
    /// now without firing anything; `None` without a scenario or when `at` is not after the last sample.
    pub fn sample_series(&mut self, at: SimTime) -> Option<scenario::series::SeriesRow> {
        self.sampler.as_mut()?.sample(at, &mut self.clients, &self.kds)
    }

    fn sample_metrics(&mut self, at: SimTime) {
        self.outputs.push_back(Output::Metrics(Sample { at, events_processed: self.events_processed }));
        if let Some(row) = self.sample_series(at) {
            self.outputs.push_back(Output::Series(Box::new(row)));
        }
        self.timers.schedule(at + self.config.sample_interval, TimerKey::MetricsSample);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn drain(engine: &mut Engine) -> Vec<Output> {
        let mut out = Vec::new();
        loop {
            let o = engine.poll_output();
            let last = matches!(o, Output::Timeout(_));
            out.push(o);
            if last {
                return out;
            }
        }
    }

    #[test]
    fn a_new_engine_waits_for_its_first_sample() {
        let mut engine = Engine::new(EngineConfig::with_seed(Seed(1)));
        assert_eq!(drain(&mut engine), vec![Output::Timeout(SimTime::from_secs(1))]);
        assert_eq!(engine.snapshot().events_processed, 0);
        assert_eq!(engine.snapshot().next_event_at, Some(SimTime::from_secs(1)));
    }

    #[test]
    fn timeouts_fire_due_timers_and_timeout_is_last() {
        let mut engine = Engine::new(EngineConfig::with_seed(Seed(1)));
        engine.handle_input(SimTime::from_millis(999), Input::Timeout);
        assert_eq!(drain(&mut engine), vec![Output::Timeout(SimTime::from_secs(1))]);
        engine.handle_input(SimTime::from_secs(1), Input::Timeout);
        let sample = Sample { at: SimTime::from_secs(1), events_processed: 1 };
        assert_eq!(drain(&mut engine), vec![Output::Metrics(sample), Output::Timeout(SimTime::from_secs(2))]);
    }

    #[test]
    fn a_late_wakeup_fires_every_missed_timer_at_its_own_time() {
        let mut engine = Engine::new(EngineConfig::with_seed(Seed(1)));
        engine.handle_input(SimTime::from_millis(3_500), Input::Timeout);
        let samples: Vec<_> = drain(&mut engine)
            .into_iter()
            .filter_map(|o| match o {
                Output::Metrics(s) => Some((s.at.as_millis(), s.events_processed)),
                _ => None,
            })
            .collect();
        assert_eq!(samples, vec![(1_000, 1), (2_000, 2), (3_000, 3)]);
        assert_eq!(engine.now(), SimTime::from_millis(3_500));
    }

    #[test]
    fn the_sample_interval_is_a_setting() {
        let config =
            EngineConfig { sample_interval: SimDuration::from_millis(250), ..EngineConfig::with_seed(Seed(1)) };
        let engine = Engine::new(config);
        assert_eq!(engine.poll_timeout(), SimTime::from_millis(250));
        let zero = EngineConfig { sample_interval: SimDuration::ZERO, ..EngineConfig::with_seed(Seed(1)) };
        assert_eq!(Engine::new(zero).poll_timeout(), SimTime::from_micros(1));
    }

    #[test]
    fn snapshot_reports_time_seed_and_counters() {
        let mut engine = Engine::new(EngineConfig::with_seed(Seed(99)));
        engine.handle_input(SimTime::from_secs(5), Input::Timeout);
        drain(&mut engine);
        let snap = engine.snapshot();
        assert_eq!((snap.now, snap.seed, snap.events_processed), (SimTime::from_secs(5), Seed(99), 5));
        assert_eq!(snap.timers_pending, 1);
    }
}
