//! A running Flink-style job (spec firehose-analytics.md §3.3–§3.5). Records arrive from source channels
//! (a shard each) at processing times; the operators reshape them; the window operator keys them, assigns
//! windows, and fires: event-time windows when the watermark passes their `maxTimestamp` (late elements
//! within the allowed lateness fire the window again; later ones are dropped or go to the side output),
//! processing-time windows at their `maxTimestamp` on the clock. Checkpoints snapshot the state and the
//! source offset; [`Job::fail`] restores the last one, and the source replays from its offset.

use super::pipeline::{FieldExpr, Operator, Pipeline, ProcessFunction, TimeMode, WindowFunction};
use crate::engine::analytics::aggregate::Acc;
use crate::engine::analytics::expr::RowRef;
use crate::engine::analytics::value::{format_timestamp, parse_timestamp, Value};
use crate::engine::analytics::watermark::{self, Channel};
use crate::engine::analytics::window::{merge_session, Assigner, TimeWindow, GLOBAL};
use serde_json::Value as Json;
use std::collections::BTreeMap;

/// A record between operators: field name → value.
pub type Record = BTreeMap<String, Value>;

/// KDA's restart strategy: a fixed 10 s delay (§3.5).
pub const RESTART_DELAY_MS: i64 = 10_000;

/// What the job emitted.
#[derive(Clone, Debug, PartialEq)]
pub struct Output {
    /// The sink's name, or the late side output's tag.
    pub stream: String,
    /// Processing time of the emission.
    pub at: i64,
    pub row: Vec<(String, Json)>,
    /// A window firing again for a late element.
    pub late_firing: bool,
    /// Emitted again after a restore (the sink sees it twice).
    pub replayed: bool,
}

/// Something the page's timeline draws.
#[derive(Clone, Debug, PartialEq)]
pub enum Trace {
    /// A record reached the window operator: its key, event time (or arrival) and arrival.
    Element {
        key: String,
        ts: i64,
        at: i64,
        late: bool,
    },
    Watermark {
        at: i64,
        watermark: i64,
    },
    Fire {
        key: String,
        window: TimeWindow,
        at: i64,
        late_firing: bool,
    },
    Purge {
        key: String,
        window: TimeWindow,
        at: i64,
    },
    Checkpoint {
        id: u64,
        at: i64,
        offset: u64,
        bytes: u64,
    },
    Restore {
        at: i64,
        checkpoint: Option<u64>,
        offset: u64,
    },
}

/// A window's contents for one key.
#[derive(Clone, Debug, PartialEq)]
struct Pane {
    accs: Vec<Acc>,
    /// Process functions keep every element: (timestamp, value).
    elements: Vec<(i64, Value)>,
    fired: bool,
    count: u64,
}

#[derive(Clone, Debug, PartialEq, Default)]
struct KeyState {
    key: Vec<Value>,
    panes: BTreeMap<TimeWindow, Pane>,
    /// Session windows of this key (disjoint, sorted).
    sessions: Vec<TimeWindow>,
}

/// Everything a checkpoint holds.
#[derive(Clone, Debug, PartialEq)]
struct State {
    keys: BTreeMap<String, KeyState>,
    channels: BTreeMap<String, Channel>,
    watermark: i64,
    /// Records read from the source (the offset a restore rewinds to).
    offset: u64,
    dirty: bool,
}

/// A completed checkpoint, as the dashboard's history lists it.
#[derive(Clone, Debug, PartialEq)]
pub struct Checkpoint {
    pub id: u64,
    pub at: i64,
    /// Modelled: 20 ms plus 1 ms per 10 KB of state [SIM].
    pub duration_ms: i64,
    pub bytes: u64,
    pub offset: u64,
}

/// Counters, named as Flink's metrics (§3.6).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Counters {
    pub num_records_in: u64,
    pub num_records_out: u64,
    pub num_late_records_dropped: u64,
    pub late_to_side_output: u64,
    pub full_restarts: u64,
}

/// A running job.
#[derive(Clone, Debug)]
pub struct Job {
    pub pipeline: Pipeline,
    state: State,
    /// Processing time.
    now: i64,
    last_tick: i64,
    next_checkpoint: Option<i64>,
    last_completed: Option<(Checkpoint, State)>,
    pub checkpoints: Vec<Checkpoint>,
    pub counters: Counters,
    /// Outputs (as text) emitted since the last checkpoint: after a failure they will be emitted again.
    since_checkpoint: Vec<String>,
    /// Outputs emitted before the failure that the replay has not produced again yet.
    to_replay: Vec<String>,
    trace: Vec<Trace>,
}

/// The trace kept for the page (oldest dropped first).
const TRACE_MAX: usize = 5_000;

struct Fields<'a> {
    values: &'a [Value],
}

impl RowRef for Fields<'_> {
    fn column(&self, i: usize) -> &Value {
        self.values.get(i).unwrap_or(&Value::Null)
    }
    fn rowtime(&self) -> i64 {
        0
    }
    fn aggregate(&self, _: usize) -> &Value {
        &Value::Null
    }
}

impl FieldExpr {
    /// The value for `record` (errors become NULL, as a failing map would drop the field [SIM]).
    pub fn eval(&self, record: &Record) -> Value {
        let values: Vec<Value> = self
            .fields
            .iter()
            .map(|(name, exact)| {
                if let Some(v) = record.get(name) {
                    return v.clone();
                }
                if *exact {
                    return Value::Null;
                }
                let mut hits = record.iter().filter(|(k, _)| k.to_uppercase() == *name);
                match (hits.next(), hits.next()) {
                    (Some((_, v)), None) => v.clone(),
                    _ => Value::Null,
                }
            })
            .collect();
        self.scalar.eval(&Fields { values: &values }).unwrap_or(Value::Null)
    }
}

/// A JSON record's fields as values (nested objects stay as their JSON text).
pub fn record_of(json: &Json) -> Record {
    json.as_object()
        .map(|o| o.iter().map(|(k, v)| (k.clone(), crate::engine::analytics::sql::schema::from_json(v))).collect())
        .unwrap_or_default()
}

impl Job {
    pub fn new(pipeline: Pipeline) -> Job {
        // Checkpoints are scheduled from the first record on (the job starts then).
        let next_checkpoint = None;
        Job {
            pipeline,
            state: State {
                keys: BTreeMap::new(),
                channels: BTreeMap::new(),
                watermark: watermark::NONE,
                offset: 0,
                dirty: false,
            },
            now: 0,
            last_tick: 0,
            next_checkpoint,
            last_completed: None,
            checkpoints: Vec::new(),
            counters: Counters::default(),
            since_checkpoint: Vec::new(),
            to_replay: Vec::new(),
            trace: Vec::new(),
        }
    }

    /// The current watermark of the window operator.
    /// The next processing time at which the job does something without new input.
    pub fn deadline(&self) -> Option<i64> {
        self.next_instant()
    }

    pub fn watermark(&self) -> i64 {
        self.state.watermark
    }

    /// Records read from the source so far.
    pub fn offset(&self) -> u64 {
        self.state.offset
    }

    /// The trace so far, and empties it.
    pub fn take_trace(&mut self) -> Vec<Trace> {
        std::mem::take(&mut self.trace)
    }

    fn note(&mut self, t: Trace) {
        if self.trace.len() == TRACE_MAX {
            self.trace.remove(0);
        }
        self.trace.push(t);
    }

    /// A record arrives from source channel `shard` at processing time `at`.
    pub fn push(&mut self, at: i64, shard: &str, json: &Json) -> Vec<Output> {
        if self.state.offset == 0 && self.checkpoints.is_empty() && self.next_checkpoint.is_none() {
            self.now = at;
            self.last_tick = at;
            self.next_checkpoint = self.pipeline.checkpoints.map(|(interval, _)| at + interval);
        }
        let mut out = self.advance(at);
        self.state.offset += 1;
        self.counters.num_records_in += 1;
        let mut records = vec![record_of(json)];
        for op in &self.pipeline.operators {
            records = records.into_iter().flat_map(|r| apply(op, r)).collect();
        }
        for r in records {
            self.window(at, shard, r, &mut out);
        }
        out
    }

    /// Processing time moves to `now`: watermark emissions, processing-time windows and checkpoints on the way.
    pub fn advance(&mut self, now: i64) -> Vec<Output> {
        let mut out = Vec::new();
        while let Some(t) = self.next_instant().filter(|t| *t <= now) {
            self.now = t;
            if self.pipeline.time == TimeMode::Event && self.next_tick() == Some(t) {
                self.tick(t, &mut out);
            }
            if self.pipeline.time == TimeMode::Processing {
                self.fire_until(t, t, &mut out);
            }
            if self.next_checkpoint == Some(t) {
                self.checkpoint(t);
            }
        }
        self.now = self.now.max(now);
        out
    }

    /// The end of a bounded input: event time jumps to +∞; processing time runs on until every window fired.
    pub fn finish(&mut self) -> Vec<Output> {
        let mut out = Vec::new();
        match self.pipeline.time {
            TimeMode::Event => {
                for c in self.state.channels.values_mut() {
                    c.on_end();
                }
                let at = self.now;
                self.set_watermark(watermark::END, at, &mut out);
            }
            TimeMode::Processing => {
                while let Some(t) = self.next_processing_timer() {
                    self.now = self.now.max(t);
                    self.fire_until(t, t, &mut out);
                }
            }
        }
        out
    }

    fn next_tick(&self) -> Option<i64> {
        if self.pipeline.time != TimeMode::Event {
            return None;
        }
        let s = &self.pipeline.watermarks;
        let next = |after: i64| watermark::ticks(s, after, i64::MAX).next();
        if self.state.dirty {
            return next(self.last_tick.max(self.now - s.interval_ms));
        }
        // Quiet: the next emission that can change anything is when a busy channel turns idle.
        let idleness = s.idleness_ms?;
        let wake = self
            .state
            .channels
            .values()
            .filter(|c| !c.idle)
            .filter_map(Channel::last_element_at)
            .map(|t| t + idleness)
            .min()?;
        next(wake - 1)
    }

    fn next_processing_timer(&self) -> Option<i64> {
        if self.pipeline.time != TimeMode::Processing {
            return None;
        }
        self.state
            .keys
            .values()
            .flat_map(|k| k.panes.keys())
            .filter(|w| *w != &GLOBAL)
            .map(TimeWindow::max_timestamp)
            .min()
    }

    fn next_instant(&self) -> Option<i64> {
        [self.next_tick(), self.next_processing_timer(), self.next_checkpoint].into_iter().flatten().min()
    }

    /// The periodic watermark emission at `t`.
    fn tick(&mut self, t: i64, out: &mut Vec<Output>) {
        let s = self.pipeline.watermarks;
        for c in self.state.channels.values_mut() {
            c.on_periodic_emit(&s, t);
        }
        self.state.dirty = false;
        self.last_tick = t;
        let channels: Vec<Channel> = self.state.channels.values().cloned().collect();
        let w = watermark::combine(&channels, self.state.watermark);
        self.set_watermark(w, t, out);
    }

    fn set_watermark(&mut self, w: i64, at: i64, out: &mut Vec<Output>) {
        if w <= self.state.watermark {
            return;
        }
        self.state.watermark = w;
        self.note(Trace::Watermark { at, watermark: w });
        self.fire_until(w, at, out);
    }

    /// Fires every window whose maxTimestamp ≤ `until` (the watermark, or the processing time), at `at`;
    /// purges those past their lateness.
    fn fire_until(&mut self, until: i64, at: i64, out: &mut Vec<Output>) {
        let lateness = self.pipeline.allowed_lateness_ms;
        let mut fired = Vec::new();
        let mut purged = Vec::new();
        for (id, k) in self.state.keys.iter_mut() {
            k.panes.retain(|w, pane| {
                if *w == GLOBAL {
                    return true;
                }
                if w.max_timestamp() <= until && !pane.fired {
                    pane.fired = true;
                    fired.push((id.clone(), k.key.clone(), *w, pane.clone()));
                }
                let keep = w.max_timestamp().saturating_add(lateness) > until;
                if !keep {
                    purged.push((id.clone(), *w));
                }
                keep
            });
            k.sessions.retain(|w| w.max_timestamp().saturating_add(lateness) > until);
        }
        // Timers fire in timestamp order, then by key.
        fired.sort_by(|a, b| (a.2.max_timestamp(), &a.0).cmp(&(b.2.max_timestamp(), &b.0)));
        for (id, key, w, pane) in fired {
            self.emit(&id, &key, w, &pane, at, false, out);
        }
        for (key, window) in purged {
            self.note(Trace::Purge { key, window, at });
        }
        self.state.keys.retain(|_, k| !k.panes.is_empty() || !k.sessions.is_empty());
    }

    /// A record reaches the window operator.
    fn window(&mut self, at: i64, shard: &str, r: Record, out: &mut Vec<Output>) {
        if self.pipeline.unwindowed {
            self.counters.num_records_out += 1;
            let row = json_row(&r);
            let stream = self.pipeline.sink.name().to_string();
            return self.send(Output { stream, at, row, late_firing: false, replayed: false }, out);
        }
        let key: Vec<Value> = self.pipeline.key_by.iter().map(|k| k.eval(&r)).collect();
        let id = format!("{key:?}");
        let ts = match (&self.pipeline.timestamp, self.pipeline.time) {
            (Some(t), TimeMode::Event) => match timestamp_of(&t.eval(&r)) {
                Some(ts) => ts,
                None => {
                    // No event time: dropped, as a failing timestamp assigner would fail the job [SIM].
                    self.counters.num_late_records_dropped += 1;
                    return;
                }
            },
            _ => at,
        };
        if self.pipeline.time == TimeMode::Event {
            self.state.channels.entry(shard.to_string()).or_default().on_element(ts, at);
            self.state.dirty = true;
        }
        let w = self.state.watermark;
        let lateness = self.pipeline.allowed_lateness_ms;
        let event = self.pipeline.time == TimeMode::Event;
        let windows = self.pipeline.window.assign(ts);
        let late = |win: &TimeWindow| event && *win != GLOBAL && win.max_timestamp().saturating_add(lateness) <= w;
        let live: Vec<TimeWindow> = windows.iter().copied().filter(|win| !late(win)).collect();
        let element_late = live.is_empty() && event && ts.saturating_add(lateness) <= w;
        self.note(Trace::Element { key: id.clone(), ts, at, late: element_late });
        if live.is_empty() {
            if element_late {
                match self.pipeline.late_output.clone() {
                    Some(tag) => {
                        self.counters.late_to_side_output += 1;
                        let row = json_row(&r);
                        self.send(Output { stream: tag, at, row, late_firing: false, replayed: false }, out);
                    }
                    None => self.counters.num_late_records_dropped += 1,
                }
            }
            return;
        }
        let value = self.element_value(&r);
        let args: Vec<Option<Value>> = match &self.pipeline.function {
            WindowFunction::Aggregate(aggs) => aggs.iter().map(|(_, _, a)| a.as_ref().map(|a| a.eval(&r))).collect(),
            WindowFunction::Process(_) => Vec::new(),
        };
        let fresh = self.fresh_pane();
        let state =
            self.state.keys.entry(id.clone()).or_insert_with(|| KeyState { key: key.clone(), ..KeyState::default() });
        let mut targets = live;
        if let Assigner::Session { .. } = self.pipeline.window {
            // Merge the new session window with those it touches; their panes fold into one.
            let (merged, swallowed) = merge_session(&mut state.sessions, targets[0]);
            let mut pane = fresh.clone();
            for old in swallowed {
                if let Some(p) = state.panes.remove(&old) {
                    merge_pane(&mut pane, &p);
                }
            }
            state.panes.insert(merged, pane);
            targets = vec![merged];
        }
        let mut refire = Vec::new();
        for win in targets {
            let pane = state.panes.entry(win).or_insert_with(|| fresh.clone());
            pane.count += 1;
            for (acc, arg) in pane.accs.iter_mut().zip(&args) {
                acc.add(arg.as_ref());
            }
            if let Some(v) = &value {
                pane.elements.push((ts, v.clone()));
            }
            if let Assigner::Global { count } = self.pipeline.window {
                // countWindow(n): fire and purge every n elements.
                if pane.count >= count {
                    let p = state.panes.remove(&win).expect("the pane was just filled");
                    refire.push((win, p, false));
                }
            } else if event && win.max_timestamp() <= w {
                // Already fired, within the allowed lateness: fires again with the late element.
                refire.push((win, pane.clone(), true));
            }
        }
        for (win, pane, late_firing) in refire {
            self.emit(&id, &key, win, &pane, at, late_firing, out);
        }
    }

    fn fresh_pane(&self) -> Pane {
        let accs = match &self.pipeline.function {
            WindowFunction::Aggregate(aggs) => aggs.iter().map(|(_, kind, _)| Acc::new(*kind)).collect(),
            WindowFunction::Process(_) => Vec::new(),
        };
        Pane { accs, elements: Vec::new(), fired: false, count: 0 }
    }

    fn element_value(&self, r: &Record) -> Option<Value> {
        match &self.pipeline.function {
            WindowFunction::Process(
                ProcessFunction::Elements { field }
                | ProcessFunction::Median { field }
                | ProcessFunction::FirstLast { field },
            ) => Some(field.eval(r)),
            WindowFunction::Aggregate(_) => None,
        }
    }

    #[allow(clippy::too_many_arguments)]
    fn emit(
        &mut self,
        id: &str,
        key: &[Value],
        w: TimeWindow,
        pane: &Pane,
        at: i64,
        late_firing: bool,
        out: &mut Vec<Output>,
    ) {
        let mut row: Vec<(String, Json)> =
            self.pipeline.key_by.iter().zip(key).map(|(k, v)| (k.text.clone(), v.to_json())).collect();
        if w != GLOBAL {
            row.push(("window_start".into(), Json::String(format_timestamp(w.start))));
            row.push(("window_end".into(), Json::String(format_timestamp(w.end))));
        }
        match &self.pipeline.function {
            WindowFunction::Aggregate(aggs) => {
                for ((name, _, _), acc) in aggs.iter().zip(&pane.accs) {
                    row.push((name.clone(), acc.result().to_json()));
                }
            }
            WindowFunction::Process(f) => row.extend(process(f, pane)),
        }
        self.counters.num_records_out += 1;
        self.note(Trace::Fire { key: id.to_string(), window: w, at, late_firing });
        let stream = self.pipeline.sink.name().to_string();
        self.send(Output { stream, at, row, late_firing, replayed: false }, out);
    }

    /// Emits `o`, marked as a duplicate when it repeats an output from before the failure.
    fn send(&mut self, mut o: Output, out: &mut Vec<Output>) {
        let text = format!("{}{:?}", o.stream, o.row);
        if let Some(i) = self.to_replay.iter().position(|t| *t == text) {
            self.to_replay.swap_remove(i);
            o.replayed = true;
        }
        self.since_checkpoint.push(text);
        out.push(o);
    }

    fn checkpoint(&mut self, t: i64) {
        let (interval, min_pause) = self.pipeline.checkpoints.expect("a checkpoint is due only when they are on");
        let bytes = state_bytes(&self.state);
        let id = self.checkpoints.len() as u64 + 1;
        let duration_ms = 20 + (bytes / 10_240) as i64;
        let c = Checkpoint { id, at: t, duration_ms, bytes, offset: self.state.offset };
        self.note(Trace::Checkpoint { id, at: t, offset: c.offset, bytes });
        self.last_completed = Some((c.clone(), self.state.clone()));
        self.since_checkpoint.clear();
        self.checkpoints.push(c);
        // The next one starts an interval after this one started, but never sooner than min pause after it ends.
        self.next_checkpoint = Some((t + interval).max(t + duration_ms + min_pause));
    }

    /// The job fails at processing time `at`: it restarts after the fixed delay from the last completed
    /// checkpoint (or from the beginning). Returns the source offset to replay from, and when.
    pub fn fail(&mut self, at: i64) -> (u64, i64) {
        self.counters.full_restarts += 1;
        let (checkpoint, state) = match &self.last_completed {
            Some((c, s)) => (Some(c.id), s.clone()),
            None => (
                None,
                State {
                    keys: BTreeMap::new(),
                    channels: BTreeMap::new(),
                    watermark: watermark::NONE,
                    offset: 0,
                    dirty: false,
                },
            ),
        };
        self.state = state;
        self.to_replay = std::mem::take(&mut self.since_checkpoint);
        let restart = at + RESTART_DELAY_MS;
        self.now = restart;
        self.last_tick = restart;
        if let Some((interval, _)) = self.pipeline.checkpoints {
            self.next_checkpoint = Some(restart + interval);
        }
        let offset = self.state.offset;
        self.note(Trace::Restore { at: restart, checkpoint, offset });
        (offset, restart)
    }
}

/// A record as an output row.
fn json_row(r: &Record) -> Vec<(String, Json)> {
    r.iter().map(|(k, v)| (k.clone(), v.to_json())).collect()
}

/// An event timestamp from a field: epoch milliseconds, or a timestamp text.
fn timestamp_of(v: &Value) -> Option<i64> {
    match v {
        Value::Int(ms) => Some(*ms),
        Value::Double(ms) if ms.is_finite() => Some(*ms as i64),
        Value::Timestamp(ms) => Some(*ms),
        Value::Str(s) => parse_timestamp(s),
        _ => None,
    }
}

/// Runs one operator.
fn apply(op: &Operator, r: Record) -> Vec<Record> {
    match op {
        Operator::Map(fields) => vec![fields.iter().map(|(name, e)| (name.clone(), e.eval(&r))).collect()],
        Operator::Filter(cond) => match cond.eval(&r) {
            Value::Bool(true) => vec![r],
            _ => Vec::new(),
        },
        Operator::FlatMap { split, on, field } => {
            let text = match split.eval(&r) {
                Value::Null => return Vec::new(),
                Value::Str(s) => s,
                v => v.to_string(),
            };
            let pieces: Vec<&str> =
                if on == " " { text.split_whitespace().collect() } else { text.split(on.as_str()).collect() };
            pieces
                .into_iter()
                .map(|p| {
                    let mut out = r.clone();
                    out.insert(field.clone(), Value::Str(p.to_string()));
                    out
                })
                .collect()
        }
    }
}

fn merge_pane(into: &mut Pane, other: &Pane) {
    for (a, b) in into.accs.iter_mut().zip(&other.accs) {
        a.merge(b);
    }
    into.elements.extend(other.elements.iter().cloned());
    into.count += other.count;
    into.fired |= other.fired;
}

fn process(f: &ProcessFunction, pane: &Pane) -> Vec<(String, Json)> {
    let mut elements = pane.elements.clone();
    elements.sort_by_key(|(ts, _)| *ts);
    let values: Vec<&Value> = elements.iter().map(|(_, v)| v).collect();
    match f {
        ProcessFunction::Elements { .. } => vec![
            ("count".into(), Json::from(values.len())),
            ("elements".into(), Json::Array(values.iter().map(|v| v.to_json()).collect())),
        ],
        ProcessFunction::Median { .. } => {
            let mut numbers: Vec<f64> = values.iter().filter_map(|v| v.as_f64()).collect();
            numbers.sort_by(f64::total_cmp);
            let median = match numbers.len() {
                0 => Json::Null,
                n if n % 2 == 1 => Json::from(numbers[n / 2]),
                n => Json::from((numbers[n / 2 - 1] + numbers[n / 2]) / 2.0),
            };
            vec![("count".into(), Json::from(values.len())), ("median".into(), median)]
        }
        ProcessFunction::FirstLast { .. } => vec![
            ("first".into(), values.first().map_or(Json::Null, |v| v.to_json())),
            ("last".into(), values.last().map_or(Json::Null, |v| v.to_json())),
        ],
    }
}

/// A rough size of the state [SIM]: 16 bytes per accumulator and key value, 24 per kept element.
fn state_bytes(s: &State) -> u64 {
    s.keys
        .values()
        .map(|k| {
            16 * k.key.len() as u64
                + k.panes.values().map(|p| 32 + 16 * p.accs.len() as u64 + 24 * p.elements.len() as u64).sum::<u64>()
        })
        .sum::<u64>()
        + 64 * s.channels.len() as u64
}
