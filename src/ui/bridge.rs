//! `use_engine()`: the UI's one link to the engine worker.
//!
//! It spawns the worker (`worker_loader.js`, a module worker built by Trunk), queues messages until
//! the worker announces `Ready` with our protocol version, and turns replies into signals: the latest
//! snapshot, the chart series, the worker's status and the last refused message. While the run plays,
//! an animation-frame loop sends one `Tick` per frame, and only when every earlier message has been
//! answered, so at most one snapshot arrives per frame. A worker that panics, throws or fails to load
//! is shown as crashed; one that leaves a message unanswered for [`REPLY_TIMEOUT_MS`] as not
//! responding. Either way `restart()` replaces it with a fresh worker at the same seed and speed.

use crate::engine::clients::LogLine;
use crate::engine::live::inspect::{PageFrom, RecordPage};
use crate::engine::live::ShardRef;
use crate::engine::rng::Seed;
use crate::engine::scenario::format::Action;
use crate::protocol::{FromWorker, HostSnapshot, Speed, ToWorker, PROTOCOL_VERSION};
use crate::view_model::history::ChartHistory;
use crate::view_model::series::Series;
use crate::view_model::shard_map::StreamBars;
use crate::view_model::status::WorkerStatus;
use leptos::prelude::*;
use std::cell::RefCell;
use std::rc::Rc;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use web_sys::{ErrorEvent, MessageEvent, Worker, WorkerOptions, WorkerType};

/// Where Trunk puts the worker's loader (see `data-loader-shim` in index.html).
const WORKER_URL: &str = "./worker_loader.js";

/// The event log keeps this many of the newest lines of each kind.
pub const LOG_KEPT: usize = 500;

/// How long a message may go unanswered before the worker is reported as not responding.
pub const REPLY_TIMEOUT_MS: f64 = 5_000.0;

/// How a run starts.
#[derive(Clone, Copy, Debug)]
pub struct UseEngineOptions {
    /// The seed of the first run.
    pub seed: Seed,
    /// The initial playback speed.
    pub speed: Speed,
}

/// A copyable handle to the engine worker, provided as context to every component.
#[derive(Clone, Copy)]
pub struct EngineHandle {
    snapshot: RwSignal<Option<HostSnapshot>>,
    status: RwSignal<WorkerStatus>,
    series: RwSignal<Series>,
    refused: RwSignal<Option<String>>,
    seed: RwSignal<Seed>,
    speed: RwSignal<Speed>,
    /// Every stream's shard bars with their rates over the last simulated second.
    stream_bars: RwSignal<Vec<StreamBars>>,
    /// The run's newest log lines, oldest first.
    log: RwSignal<Vec<LogLine>>,
    /// The scenario loaded into the run, re-sent to a restarted worker.
    scenario: RwSignal<Option<String>>,
    /// The live charts' history (every stream and consumer, and the watched shard).
    history: RwSignal<ChartHistory>,
    /// The shard whose seconds the worker sends, re-sent to a restarted worker.
    watched: RwSignal<Option<ShardRef>>,
    /// The record inspector's newest page.
    page: RwSignal<Option<RecordPage>>,
    /// The planner's check by simulation: running, and its newest answer.
    plan_checking: RwSignal<bool>,
    plan_check: RwSignal<Option<crate::planner::check::Check>>,
    /// The newest answer to an AWS call, and the id the next call gets.
    answer: RwSignal<Option<crate::protocol::CallAnswer>>,
    next_call: StoredValue<u64>,
    link: StoredValue<Link, LocalStorage>,
}

/// The live worker and the bookkeeping of what it still owes us.
#[derive(Default)]
struct Link {
    worker: Option<Worker>,
    /// The worker's event handlers; they must live as long as the worker.
    handlers: Vec<Closure<dyn FnMut(JsValue)>>,
    ready: bool,
    queue: Vec<ToWorker>,
    awaiting: u32,
    waiting_since_ms: Option<f64>,
    /// The streams' layouts this worker has sent.
    layouts: crate::protocol::streams::Layouts,
}

/// Spawns the worker and starts the frame loop.
pub fn use_engine(options: UseEngineOptions) -> EngineHandle {
    let handle = EngineHandle {
        snapshot: RwSignal::new(None),
        status: RwSignal::new(WorkerStatus::Starting),
        series: RwSignal::new(Series::default()),
        refused: RwSignal::new(None),
        seed: RwSignal::new(options.seed),
        speed: RwSignal::new(options.speed),
        stream_bars: RwSignal::new(Vec::new()),
        log: RwSignal::new(Vec::new()),
        scenario: RwSignal::new(None),
        history: RwSignal::new(ChartHistory::default()),
        watched: RwSignal::new(None),
        page: RwSignal::new(None),
        plan_checking: RwSignal::new(false),
        plan_check: RwSignal::new(None),
        answer: RwSignal::new(None),
        next_call: StoredValue::new(1),
        link: StoredValue::new_local(Link::default()),
    };
    handle.spawn();
    start_frame_loop(handle);
    on_cleanup(move || handle.stop());
    handle
}

impl EngineHandle {
    /// The latest snapshot; `None` until the worker has sent one.
    pub fn snapshot(&self) -> ReadSignal<Option<HostSnapshot>> {
        self.snapshot.read_only()
    }

    /// The worker's health.
    pub fn status(&self) -> ReadSignal<WorkerStatus> {
        self.status.read_only()
    }

    /// Events processed against simulated time, for the chart.
    pub fn series(&self) -> ReadSignal<Series> {
        self.series.read_only()
    }

    /// Every stream's shards, laid out for the shard map, with their rates.
    pub fn stream_bars(&self) -> ReadSignal<Vec<StreamBars>> {
        self.stream_bars.read_only()
    }

    /// The run's newest log lines (actions and their outcomes, client errors), oldest first.
    pub fn log(&self) -> ReadSignal<Vec<LogLine>> {
        self.log.read_only()
    }

    /// The scenario file loaded into the run, if any (Reset replays it).
    pub fn scenario(&self) -> ReadSignal<Option<String>> {
        self.scenario.read_only()
    }

    /// The live charts' history.
    pub fn history(&self) -> ReadSignal<ChartHistory> {
        self.history.read_only()
    }

    /// The record inspector's newest page.
    pub fn page(&self) -> ReadSignal<Option<RecordPage>> {
        self.page.read_only()
    }

    /// Asks for `shard`'s per-second history (all of it, then each new second), or for none.
    pub fn watch(self, shard: Option<ShardRef>) {
        if self.watched.get_untracked() != shard {
            self.watched.set(shard.clone());
            self.send(ToWorker::Watch { shard });
        }
    }

    /// Asks for a page of `shard`'s stored records; it arrives in `page`.
    pub fn inspect(self, shard: ShardRef, from: PageFrom) {
        self.send(ToWorker::Inspect { shard, from });
    }

    /// True while the worker checks a plan by simulation.
    pub fn plan_checking(&self) -> ReadSignal<bool> {
        self.plan_checking.read_only()
    }

    /// The newest check by simulation.
    pub fn plan_check(&self) -> ReadSignal<Option<crate::planner::check::Check>> {
        self.plan_check.read_only()
    }

    /// Asks the worker to check `design` by simulation (the answer's shards and one fewer).
    pub fn check_plan(self, design: crate::planner::sizing::Design) {
        self.refused.set(None);
        self.plan_check.set(None);
        self.plan_checking.set(true);
        self.send(ToWorker::CheckPlan { design });
    }

    /// Sends an AWS request (as `kinesis-lab api` takes one) and returns its id; the answer arrives in
    /// `answer` with that id.
    pub fn call(self, service: &str, action: &str, input: String) -> u64 {
        let id = self.next_call.get_value();
        self.next_call.set_value(id + 1);
        self.send(ToWorker::Call { id, service: service.into(), action: action.into(), input });
        id
    }

    /// The newest answer to a call.
    pub fn answer(&self) -> ReadSignal<Option<crate::protocol::CallAnswer>> {
        self.answer.read_only()
    }

    /// Runs `secs` simulated seconds as fast as the engine goes; a refusal arrives in `refused`.
    pub fn fast_forward(self, secs: u64) {
        self.refused.set(None);
        self.send(ToWorker::FastForward { secs });
    }

    /// Applies an action to the running scenario now; a refusal arrives in `refused`.
    pub fn act(self, action: Action) {
        self.refused.set(None);
        self.send(ToWorker::Act { action });
    }

    /// Replaces the run with a scenario (JSON), paused at time zero with `seed`, or with the file's own
    /// seed when `None` (a file that is not JSON goes to the worker as it is, to be refused there).
    pub fn load_scenario(self, json: String, seed: Option<Seed>) {
        let mut json = json;
        if let Ok(mut file) = serde_json::from_str::<serde_json::Value>(&json) {
            if let Some(seed) = seed {
                file["seed"] = serde_json::json!(seed.0);
                json = file.to_string();
            }
            if let Some(seed) = file["seed"].as_u64() {
                self.seed.set(Seed(seed));
            }
        }
        self.scenario.set(Some(json.clone()));
        self.send(ToWorker::LoadScenario { scenario: json });
    }

    /// Why the worker last refused a message (it changed nothing).
    pub fn refused(&self) -> ReadSignal<Option<String>> {
        self.refused.read_only()
    }

    /// The seed of the current run.
    pub fn seed(&self) -> ReadSignal<Seed> {
        self.seed.read_only()
    }

    /// The requested playback speed.
    pub fn speed(&self) -> ReadSignal<Speed> {
        self.speed.read_only()
    }

    /// Lets simulated time follow the wall clock.
    pub fn play(self) {
        self.send(ToWorker::Play);
    }

    /// Stops simulated time.
    pub fn pause(self) {
        self.send(ToWorker::Pause);
    }

    /// Processes the next event (while paused).
    pub fn step(self) {
        self.send(ToWorker::Step);
    }

    /// Changes the playback speed.
    pub fn set_speed(self, speed: Speed) {
        self.speed.set(speed);
        self.send(ToWorker::SetSpeed { speed });
    }

    /// Starts a new run from time zero with `seed`.
    pub fn reset(self, seed: Seed) {
        self.seed.set(seed);
        self.send(ToWorker::Reset { seed });
    }

    /// Replaces the worker with a fresh one at the same seed and speed.
    pub fn restart(self) {
        self.stop();
        self.spawn();
    }

    /// Shows why the UI did not send something (bad input), the way a refusal is shown.
    pub fn report(self, message: &str) {
        self.refused.set(Some(message.to_string()));
    }

    /// Clears the refusal notice.
    pub fn dismiss_refusal(self) {
        self.refused.set(None);
    }

    fn send(self, msg: ToWorker) {
        self.link.update_value(|link| match link.ready {
            true => post(link, &msg),
            false => link.queue.push(msg),
        });
    }

    fn spawn(self) {
        self.status.set(WorkerStatus::Starting);
        self.snapshot.set(None);
        self.series.set(Series::default());
        let options = WorkerOptions::new();
        options.set_type(WorkerType::Module);
        let worker = match Worker::new_with_options(WORKER_URL, &options) {
            Ok(worker) => worker,
            Err(err) => return self.status.set(WorkerStatus::Crashed { message: js_text(&err) }),
        };
        let on_message = Closure::<dyn FnMut(JsValue)>::new(move |ev: JsValue| self.on_message(ev.unchecked_into()));
        let on_error = Closure::<dyn FnMut(JsValue)>::new(move |ev: JsValue| self.on_error(ev.unchecked_into()));
        worker.set_onmessage(Some(on_message.as_ref().unchecked_ref()));
        worker.set_onerror(Some(on_error.as_ref().unchecked_ref()));
        let loaded = self.scenario.get_untracked().map(|scenario| ToWorker::LoadScenario { scenario });
        let queue = loaded
            .into_iter()
            .chain([
                ToWorker::Reset { seed: self.seed.get_untracked() },
                ToWorker::SetSpeed { speed: self.speed.get_untracked() },
                ToWorker::Watch { shard: self.watched.get_untracked() },
            ])
            .collect();
        self.link.set_value(Link {
            worker: Some(worker),
            handlers: vec![on_message, on_error],
            ready: false,
            queue,
            awaiting: 0,
            waiting_since_ms: Some(now_ms()),
            layouts: Default::default(),
        });
    }

    fn stop(self) {
        let Some(old) = self.link.try_update_value(std::mem::take) else { return };
        if let Some(worker) = old.worker {
            worker.terminate();
        }
        // A handler may be the caller (a crash report); drop them after it returns.
        let handlers = old.handlers;
        request_animation_frame(move || drop(handlers));
    }

    fn on_message(self, ev: MessageEvent) {
        let text = ev.data().as_string().unwrap_or_default();
        let msg = match serde_json::from_str::<FromWorker>(&text) {
            Ok(msg) => msg,
            Err(err) => return self.refused.set(Some(format!("The worker sent something unreadable ({err})."))),
        };
        match msg {
            FromWorker::Ready { version } if version == PROTOCOL_VERSION => {
                self.status.set(WorkerStatus::Ready { version });
                self.link.update_value(|link| {
                    link.ready = true;
                    link.waiting_since_ms = None;
                    for queued in std::mem::take(&mut link.queue) {
                        post(link, &queued);
                    }
                });
            }
            FromWorker::Ready { version } => {
                self.status.set(WorkerStatus::WrongVersion { found: version, expected: PROTOCOL_VERSION });
                self.stop();
            }
            FromWorker::Snapshot(snapshot) => {
                let mut snapshot = *snapshot;
                let wire = std::mem::take(&mut snapshot.streams);
                let joined = self.link.try_update_value(|l| crate::protocol::streams::join(wire, &mut l.layouts));
                match joined {
                    Some(Ok(streams)) => snapshot.engine.streams = streams,
                    Some(Err(message)) => {
                        return self.refused.set(Some(format!("The worker's reply was incomplete: {message}.")))
                    }
                    None => return,
                }
                self.answered();
                let new_run = self
                    .snapshot
                    .with_untracked(|old| old.as_ref().is_some_and(|old| snapshot.engine.now < old.engine.now));
                if new_run || !snapshot.log.is_empty() {
                    self.log.update(|log| {
                        if new_run {
                            log.clear();
                        }
                        crate::view_model::event_log::append(log, &snapshot.log, LOG_KEPT);
                    });
                }
                self.series.update(|series| {
                    if new_run {
                        *series = Series::default();
                    }
                    for sample in &snapshot.samples {
                        series.observe(sample.at.as_secs_f64(), sample.events_processed as f64);
                    }
                });
                self.history.maybe_update(|h| h.apply(&snapshot.live, snapshot.cloudwatch.as_ref()));
                if let Some(check) = snapshot.plan_check.take() {
                    self.plan_checking.set(false);
                    self.plan_check.set(Some(check));
                }
                if let Some(answer) = snapshot.answer.take() {
                    self.answer.set(Some(answer));
                }
                if let Some(page) = snapshot.page.take() {
                    self.page.set(Some(page));
                } else if snapshot.live.fresh {
                    self.page.set(None);
                }
                let redraw = self.snapshot.with_untracked(|old| {
                    old.as_ref().is_none_or(|old| StreamBars::differ(&old.engine.streams, &snapshot.engine.streams))
                });
                if redraw {
                    self.stream_bars.set(StreamBars::all(&snapshot.engine.streams));
                }
                self.snapshot.set(Some(snapshot));
            }
            FromWorker::Error { message } => {
                self.answered();
                self.plan_checking.set(false);
                self.refused.set(Some(message));
            }
            FromWorker::Panicked { message } => {
                self.status.set(WorkerStatus::Crashed { message });
                self.stop();
            }
        }
    }

    fn on_error(self, ev: ErrorEvent) {
        ev.prevent_default();
        let message = match ev.message() {
            m if m.is_empty() => format!("the worker script {WORKER_URL} failed to load or threw"),
            m => m,
        };
        self.status.set(WorkerStatus::Crashed { message });
        self.stop();
    }

    fn answered(self) {
        self.link.update_value(|link| {
            link.awaiting = link.awaiting.saturating_sub(1);
            link.waiting_since_ms = (link.awaiting > 0).then(now_ms);
        });
        if matches!(self.status.get_untracked(), WorkerStatus::NotResponding { .. }) {
            self.status.set(WorkerStatus::Ready { version: PROTOCOL_VERSION });
        }
    }

    /// Once per animation frame: watch for silence, and keep a playing run ticking.
    fn on_frame(self, now: f64) {
        let Some((idle, waiting_since)) =
            self.link.try_with_value(|l| (l.ready && l.awaiting == 0, l.waiting_since_ms))
        else {
            return;
        };
        let status = self.status.get_untracked();
        if let Some(since) = waiting_since.filter(|since| now - since > REPLY_TIMEOUT_MS) {
            let silent = WorkerStatus::NotResponding { waited_ms: (now - since) as u64 / 1_000 * 1_000 };
            if matches!(
                status,
                WorkerStatus::Starting | WorkerStatus::Ready { .. } | WorkerStatus::NotResponding { .. }
            ) && status != silent
            {
                self.status.set(silent);
            }
        }
        // A run waiting for its Parquet writer is ticked too, so the page sees the load finish.
        let playing = self.snapshot.with_untracked(|s| {
            s.as_ref().is_some_and(|s| {
                s.playing || s.fast_forward.is_some() || s.parquet.is_some() || s.analytics_module.is_some()
            })
        });
        if status.is_ready() && playing && idle {
            self.send(ToWorker::Tick);
        }
    }
}

fn post(link: &mut Link, msg: &ToWorker) {
    let Some(worker) = &link.worker else { return };
    let text = serde_json::to_string(msg).expect("protocol types always serialise");
    if worker.post_message(&JsValue::from_str(&text)).is_ok() {
        link.awaiting += 1;
        link.waiting_since_ms.get_or_insert_with(now_ms);
    }
}

/// The frame loop's callback, which reschedules itself.
type FrameCallback = Rc<RefCell<Option<Closure<dyn FnMut(f64)>>>>;

/// Runs `on_frame` on every animation frame until the handle's owner is disposed.
fn start_frame_loop(handle: EngineHandle) {
    let frame: FrameCallback = Rc::new(RefCell::new(None));
    let again = Rc::clone(&frame);
    *frame.borrow_mut() = Some(Closure::new(move |now: f64| {
        if handle.link.try_with_value(|_| ()).is_none() {
            return; // unmounted: let the loop end
        }
        handle.on_frame(now);
        request_frame(again.borrow().as_ref().expect("the loop closure lives while the loop runs"));
    }));
    request_frame(frame.borrow().as_ref().expect("just stored"));
}

fn request_frame(callback: &Closure<dyn FnMut(f64)>) {
    let _ = window().request_animation_frame(callback.as_ref().unchecked_ref());
}

/// The main thread's wall clock in milliseconds, for reply timeouts only.
#[allow(clippy::disallowed_methods)]
fn now_ms() -> f64 {
    window().performance().map_or(0.0, |p| p.now())
}

fn js_text(value: &JsValue) -> String {
    if let Some(err) = value.dyn_ref::<js_sys::Error>() {
        return err.message().into();
    }
    value.as_string().unwrap_or_else(|| format!("{value:?}"))
}
