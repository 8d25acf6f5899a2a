//! The director: creates the scenario's streams at time zero, starts the clients once the streams are
//! ACTIVE, and applies the scheduled actions through the Kinesis API, logging each outcome.

use super::{ClientTimer, Clients, Consumer};

/// What happens to a KCL worker.
#[derive(Clone, Copy)]
enum WorkerChange {
    Add,
    Crash(Option<u32>),
    Stop(Option<u32>),
}
use crate::engine::kds::actions::*;
use crate::engine::kds::types::{StreamMode, StreamModeDetails};
use crate::engine::kds::{KdsRequest, KdsService};
use crate::engine::scenario::format::{Action, ModeSpec};
use crate::engine::services::Services;
use crate::engine::time::{SimDuration, SimTime};

/// Streams created together: the CREATING limit and the CreateStream rate are both five.
const CREATE_WAVE: usize = 5;

impl Clients {
    /// Time zero: create the streams, in waves a setup script could send — at most five CREATING at a
    /// time and five CreateStream calls a second (spec §1.1, §2.9); everything else starts once all are ACTIVE.
    pub(super) fn setup(&mut self, now: SimTime, kds: &mut KdsService) {
        let Some(plan) = self.plan.as_deref() else { return };
        let waves = plan.scenario.streams.len().div_ceil(CREATE_WAVE).max(1);
        let gap = SimDuration::from_millis(kds.settings().stream_create_ms.max(1_000));
        let last = now + SimDuration::from_micros(gap.as_micros() * (waves as u64 - 1));
        // Without Kinesis streams there is nothing to wait for.
        let creating = if plan.scenario.streams.is_empty() { 0 } else { kds.settings().stream_create_ms };
        self.ready_at = last + SimDuration::from_millis(creating);
        self.create(now, 0, kds);
        for wave in 1..waves {
            self.timers
                .schedule(now + SimDuration::from_micros(gap.as_micros() * wave as u64), ClientTimer::Create(wave));
        }
        self.timers.schedule(self.ready_at, ClientTimer::Ready);
    }

    /// One wave of CreateStream calls.
    pub(super) fn create(&mut self, now: SimTime, wave: usize, kds: &mut KdsService) {
        let Some(plan) = self.plan.as_deref() else { return };
        let mut requests = Vec::new();
        for s in plan.scenario.streams.iter().skip(wave * CREATE_WAVE).take(CREATE_WAVE) {
            let (shard_count, stream_mode_details) = match s.mode {
                ModeSpec::Provisioned => (s.shards.map(i64::from), None),
                ModeSpec::OnDemand => (None, Some(StreamModeDetails { stream_mode: StreamMode::OnDemand })),
            };
            let input = CreateStreamInput { stream_name: s.name.clone(), shard_count, stream_mode_details, tags: None };
            requests.push((s.name.clone(), KdsRequest::CreateStream(input)));
        }
        for (name, request) in requests {
            let _ = self.request(now, "director", &format!("CreateStream {name}"), request, kds);
        }
    }

    /// The streams are ACTIVE: set retention, start the clients at their times, schedule the actions.
    pub(super) fn ready(&mut self, now: SimTime, kds: &mut KdsService) {
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
            .chain(
                plan.scenario
                    .consumers
                    .iter()
                    .enumerate()
                    .map(|(i, c)| (at(c.start_s()), ClientTimer::ConsumerStart(i))),
            )
            .chain(plan.scenario.actions.iter().enumerate().map(|(i, a)| (at(a.at_s), ClientTimer::Action(i))))
            .chain(plan.calls.iter().enumerate().map(|(i, c)| (c.at.max(now), ClientTimer::Call(i))))
            .chain(plan.direct_put.iter().enumerate().flat_map(|(i, p)| {
                let stop = p.spec.stop_s.map(|s| (at(s), ClientTimer::DirectPutStop(i)));
                std::iter::once((at(p.spec.start_s), ClientTimer::DirectPutStart(i))).chain(stop)
            }))
            .collect();
        for (stream, hours) in retention {
            let input = RetentionPeriodInput {
                stream_name: Some(stream.clone()),
                stream_arn: None,
                retention_period_hours: i64::from(hours),
            };
            let what = format!("IncreaseStreamRetentionPeriod {stream} to {hours} h");
            let _ = self.request(now, "director", &what, KdsRequest::IncreaseStreamRetentionPeriod(input), kds);
        }
        for (at, timer) in starts {
            self.timers.schedule(at, timer);
        }
    }

    /// A scheduled AWS call; its outcome goes to the log.
    pub(super) fn call(&mut self, now: SimTime, i: usize, svc: &mut Services) {
        let Some(call) = self.plan.as_deref().map(|p| p.calls[i].clone()) else { return };
        let text = match svc.execute(now, call.command) {
            Ok(_) => format!("{}: ok", call.what),
            Err(e) => format!("{}: {} {}", call.what, e.aws_code(), e.message()),
        };
        self.note(now, "calls", text);
    }

    /// A scheduled action; its outcome goes to the log.
    pub(super) fn act(&mut self, now: SimTime, i: usize, kds: &mut KdsService) {
        let Some(action) = self.plan.as_deref().map(|p| p.scenario.actions[i].action.clone()) else { return };
        let _ = self.apply(now, action, kds);
    }

    /// Applies an action now, as the scenario's scripts would: the outcome is logged and returned
    /// (Err with AWS's error, or why the client named cannot do it).
    pub fn apply(&mut self, now: SimTime, action: Action, kds: &mut KdsService) -> Result<String, String> {
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
            Action::SplitShard { stream, shard, at_key } => {
                let middle = || {
                    kds.shard_infos(&stream)
                        .and_then(|infos| {
                            infos.into_iter().find(|s| s.id.to_string() == shard || s.id.0.to_string() == shard)
                        })
                        .map_or(0, |s| s.range.midpoint().0)
                        .to_string()
                };
                let key = at_key.unwrap_or_else(middle);
                (
                    format!("SplitShard {stream} {shard} at {key}"),
                    KdsRequest::SplitShard(SplitShardInput {
                        stream_name: stream_name(&stream),
                        stream_arn: None,
                        shard_to_split: shard,
                        new_starting_hash_key: key,
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
            Action::AddWorker { consumer } => return self.worker(now, &consumer, WorkerChange::Add),
            Action::CrashWorker { consumer, worker } => {
                return self.worker(now, &consumer, WorkerChange::Crash(worker))
            }
            Action::StopWorker { consumer, worker } => return self.worker(now, &consumer, WorkerChange::Stop(worker)),
            Action::StartProducer { producer } => return self.toggle(now, &producer, true, kds),
        };
        self.request(now, "director", &what, request, kds)
    }

    /// A KCL application's worker joins, crashes or stops.
    fn worker(&mut self, now: SimTime, consumer: &str, change: WorkerChange) -> Result<String, String> {
        let Some(i) = self.consumers.iter().position(|c| matches!(c, Consumer::Kcl(app) if app.spec.name == consumer))
        else {
            return Err(format!("There is no KCL application named {consumer}."));
        };
        let mut outcome = Ok(String::new());
        self.kcl(i, |app| {
            let pick = |w: Option<u32>| {
                w.map(|w| w as usize).filter(|w| app.workers.get(*w) == Some(&true)).or(app.last_alive())
            };
            match change {
                WorkerChange::Add => {
                    outcome = Ok(format!("worker {} joined", app.workers.len()));
                    app.add_worker(now)
                }
                WorkerChange::Crash(w) | WorkerChange::Stop(w) => {
                    outcome = match pick(w) {
                        None => Err("no running worker to stop".to_string()),
                        Some(w) if matches!(change, WorkerChange::Crash(_)) => {
                            app.crash_worker(w);
                            Ok(format!("worker {w} crashed"))
                        }
                        Some(w) => {
                            app.stop_worker(w);
                            Ok(format!("worker {w} shut down"))
                        }
                    };
                    Vec::new()
                }
            }
        });
        let text = outcome.clone().unwrap_or_else(|e| e);
        self.note(now, consumer, text);
        outcome.map_err(|e| format!("{consumer}: {e}"))
    }

    pub(super) fn toggle(
        &mut self,
        now: SimTime,
        name: &str,
        on: bool,
        kds: &mut KdsService,
    ) -> Result<String, String> {
        let Some(i) = self.producers.iter().position(|p| p.plan.spec.name == name) else {
            return Err(format!("There is no producer named {name}."));
        };
        if on && !self.producers[i].running {
            self.timers.schedule(now, ClientTimer::ProducerStart(i));
        } else if !on && self.producers[i].running {
            let wakes = self.producers[i].stop(now, kds);
            self.schedule_wakes(i, wakes);
        }
        let text = format!("{} producer {name}", if on { "started" } else { "stopped" });
        self.note(now, "director", text.clone());
        Ok(text)
    }

    /// Sends a control-plane request and logs its outcome.
    pub(super) fn request(
        &mut self,
        now: SimTime,
        who: &str,
        what: &str,
        request: KdsRequest,
        kds: &mut KdsService,
    ) -> Result<String, String> {
        let outcome = match kds.handle(now, request) {
            Ok(_) => Ok(format!("{what}: ok")),
            Err(e) => Err(format!("{what}: {} {}", e.kind.aws_code(), e.message)),
        };
        let text = outcome.clone().unwrap_or_else(|e| e);
        self.note(now, who, text);
        outcome
    }
}
