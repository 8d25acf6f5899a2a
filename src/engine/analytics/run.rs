//! A running application's timers: STARTING and STOPPING settle, the source is read once a second — a KDS
//! stream as one standard consumer, a Firehose stream through its tap (§2.2) — the code is stepped at each
//! read and at each window deadline, and its AWS/KinesisAnalytics gauges are sampled; emitted rows go to
//! their destinations — retried every second until accepted, since KDA retries forever (§2.1),
//! which holds the reading back once too many wait.

use super::application::{Application, Config, Destination, Input, Pending, ResultRow, Run, Source, Status};
use super::metrics;
use super::runtime::{RuntimeFactory, SourceRecord, Step, Stepped};
use crate::engine::firehose::{FirehoseRequest, FirehoseService, Sinks};
use crate::engine::kds::actions::{PutRecordsInput, PutRecordsRequestEntry, PutRecordsResultEntry};
use crate::engine::kds::reader::{StreamReader, POLL_INTERVAL};
use crate::engine::kds::{KdsRequest, KdsResponse, KdsService};
use crate::engine::time::SimTime;
use serde_json::Value as Json;
use std::collections::VecDeque;

/// How long STARTING and STOPPING take [SIM] (real applications take a minute or more to start).
pub const SETTLE: crate::engine::time::SimDuration = crate::engine::time::SimDuration::from_secs(30);
/// KDA's fixed restart delay after a failure (§3.5).
pub const RESTART_DELAY_MS: i64 = 10_000;
/// Rows waiting for their destinations past which the application stops reading (back-pressure) [SIM].
pub const OUTBOX_MAX: usize = 10_000;
/// PutRecords and PutRecordBatch take at most 500 records.
const BATCH_MAX: usize = 500;

/// What a timer reaches besides the applications.
pub struct Reach<'a> {
    pub kds: &'a mut KdsService,
    pub firehose: &'a mut FirehoseService,
    pub sinks: Sinks<'a>,
    pub factory: RuntimeFactory,
    pub epoch_ms: u64,
}

/// Epoch milliseconds at `t`.
pub fn epoch_ms(epoch: u64, t: SimTime) -> i64 {
    (epoch + t.as_micros() / 1_000) as i64
}

/// The simulated time of epoch milliseconds `ms`, never before `now`.
fn sim_time(epoch: u64, ms: i64, now: SimTime) -> SimTime {
    let since = (ms.max(0) as u64).saturating_sub(epoch);
    SimTime::from_micros(since.saturating_mul(1_000)).max(now)
}

/// When the application next needs its timer.
pub fn poll_timeout(app: &Application, epoch: u64) -> SimTime {
    let mut next = app.settles_at.unwrap_or(SimTime::MAX);
    if let Some(run) = &app.run {
        next = next.min(run.source.next_poll().unwrap_or(SimTime::MAX));
        if let Some((at, _)) = run.replay {
            next = next.min(at);
        }
        if let Some(d) = run.last.deadline_ms {
            next = next.min(sim_time(epoch, d, SimTime::ZERO));
        }
    }
    next
}

/// Fires what is due for `app` at `now`; returns the events handled.
pub fn handle_timeout(app: &mut Application, now: SimTime, reach: &mut Reach) -> u64 {
    let mut events = 0;
    if app.settles_at.is_some_and(|at| at <= now) {
        app.settles_at = None;
        events += 1;
        match app.status {
            Status::Starting => start(app, now, reach),
            Status::Stopping => {
                app.status = Status::Ready;
                app.run = None;
                if let Input::Firehose(stream) = &app.input {
                    reach.firehose.untap(stream, &app.name);
                }
            }
            Status::Ready | Status::Running => {}
        }
    }
    if app.status != Status::Running {
        return events;
    }
    let now_ms = epoch_ms(reach.epoch_ms, now);
    let Some(run) = app.run.as_mut() else { return events };
    let mut stepped = Vec::new();
    let mut polled = false;
    if let Some((at, offset)) = run.replay.filter(|(at, _)| *at <= now) {
        run.replay = None;
        let records: Vec<SourceRecord> =
            run.log[offset.min(run.log.len())..].iter().map(|r| SourceRecord { at_ms: now_ms, ..r.clone() }).collect();
        run.source.set_next_poll(Some(at));
        run.up_since = now;
        stepped.push(run.runtime.step(Step::Records { records, now_ms }));
        events += 1;
        app.metrics.add(now.as_micros() / 1_000_000, metrics::DOWNTIME, RESTART_DELAY_MS as u64);
    }
    if run.source.due(now) && run.replay.is_none() {
        if run.outbox.len() >= OUTBOX_MAX {
            // Back-pressure: the application reads nothing until its rows are accepted.
            run.source.set_next_poll(Some(now + POLL_INTERVAL));
        } else {
            let (read, reads) = match &mut run.source {
                Source::Kds(reader) => {
                    let round = reader.poll(now, reach.kds);
                    app.stats.throttled_reads += round.throttled_reads;
                    app.stats.millis_behind_latest = reader.behind_ms();
                    let read: Vec<(String, Vec<u8>)> =
                        round.records.into_iter().map(|(shard, r)| (shard.to_string(), r.data)).collect();
                    (read, round.reads)
                }
                Source::Firehose { stream, next_poll } => {
                    *next_poll = Some(now + POLL_INTERVAL);
                    let read = reach.firehose.drain_tap(stream, &app.name);
                    (read.into_iter().map(|data| (String::new(), data)).collect(), 1)
                }
            };
            let records: Vec<SourceRecord> = read
                .into_iter()
                .map(|(shard, data)| {
                    app.stats.records_in += 1;
                    app.stats.bytes_in += data.len() as u64;
                    SourceRecord { at_ms: now_ms, shard, data: String::from_utf8_lossy(&data).into_owned() }
                })
                .collect();
            if matches!(app.config, Config::Flink { .. }) {
                run.log.extend(records.iter().cloned());
            }
            stepped.push(run.runtime.step(Step::Records { records, now_ms }));
            events += reads;
            polled = true;
        }
    }
    if stepped.is_empty() && run.last.deadline_ms.is_some_and(|d| d <= now_ms) {
        stepped.push(run.runtime.step(Step::Advance { now_ms }));
        events += 1;
    }
    for s in stepped {
        route(app, s);
    }
    if polled {
        sample(app, now);
    }
    if app.run.as_ref().is_some_and(|r| !r.outbox.is_empty()) {
        deliver(app, now, reach);
    }
    events
}

/// The gauges a running application reports each second (AWS reports the record and checkpoint counts as
/// totals since the job started).
fn sample(app: &mut Application, now: SimTime) {
    let second = now.as_micros() / 1_000_000;
    let Some(run) = app.run.as_ref() else { return };
    let flink = matches!(app.config, Config::Flink { .. });
    let mut gauges = vec![
        (metrics::KPUS, u64::from(app.kpus())),
        (metrics::UPTIME, (now - run.up_since).as_millis()),
        (metrics::DOWNTIME, 0),
        (metrics::RECORDS_IN, app.stats.records_in),
        (metrics::RECORDS_OUT, app.stats.rows_out.values().sum()),
        (metrics::MILLIS_BEHIND, app.stats.millis_behind_latest),
    ];
    if flink {
        gauges.push((metrics::FULL_RESTARTS, app.stats.full_restarts));
        gauges.push((metrics::CHECKPOINTS, run.last.checkpoints));
        gauges.push((metrics::LATE_DROPPED, run.last.late_records_dropped));
    }
    for (metric, value) in gauges {
        app.metrics.add(second, metric, value);
    }
}

/// The runtime starts and the source is opened at the configured position.
fn start(app: &mut Application, now: SimTime, reach: &mut Reach) {
    match (reach.factory)(&app.spec) {
        Ok((runtime, _)) => {
            let source = match &app.input {
                Input::Kds(stream) => {
                    let mut reader = StreamReader::new(stream);
                    reader.start(now, reach.kds, app.start_position);
                    Source::Kds(reader)
                }
                Input::Firehose(stream) => {
                    if let Err(e) = reach.firehose.tap(stream, &app.name) {
                        app.status = Status::Ready;
                        app.stats.start_failure = Some(e.message);
                        return;
                    }
                    Source::Firehose { stream: stream.clone(), next_poll: Some(now) }
                }
            };
            app.status = Status::Running;
            app.run = Some(Run {
                runtime,
                last: Stepped::default(),
                source,
                outbox: VecDeque::new(),
                log: Vec::new(),
                replay: None,
                up_since: now,
            });
        }
        Err((_, message)) => {
            app.status = Status::Ready;
            app.stats.start_failure = Some(message);
        }
    }
}

/// The application fails at `now` (a Flink job restores its last checkpoint and replays after the fixed
/// delay; a SQL application, at-least-once, is not modelled failing).
pub fn fail(app: &mut Application, now: SimTime, epoch: u64) -> Result<(), String> {
    let Some(run) = app.run.as_mut().filter(|_| app.status == Status::Running) else {
        return Err(format!("Application {} is not RUNNING", app.name));
    };
    if !matches!(app.config, Config::Flink { .. }) {
        return Err(
            "only a Flink application restores from a checkpoint; SQL applications are not failed in the lab".into()
        );
    }
    let stepped = run.runtime.step(Step::Fail { at_ms: epoch_ms(epoch, now) });
    if let Some((offset, restart_ms)) = stepped.replay_from {
        let restart = sim_time(epoch, restart_ms, now);
        run.replay = Some((restart, offset as usize));
        run.source.set_next_poll(None);
    }
    app.stats.full_restarts += 1;
    route(app, stepped);
    Ok(())
}

/// Keeps each emitted row for the result table and queues the ones with a destination.
fn route(app: &mut Application, mut stepped: Stepped) {
    let Some(run) = app.run.as_mut() else { return };
    let emitted = std::mem::take(&mut stepped.emitted);
    run.last = stepped;
    for e in emitted {
        let (destination, data, key) = match &app.config {
            Config::Sql { outputs } => match outputs.iter().find(|o| o.name == e.stream) {
                Some(o) => (o.destination.clone(), serialize(&e.row, o.csv), e.rowtime_ms.to_string()),
                None => (Destination::Table, Vec::new(), String::new()),
            },
            Config::Flink { sink, partition_key, .. } if e.to_sink => {
                let key = partition_key
                    .as_ref()
                    .and_then(|f| e.row.iter().find(|(n, _)| n == f))
                    .map_or_else(|| "0".to_string(), |(_, v)| v.as_str().map_or_else(|| v.to_string(), str::to_string));
                (sink.clone(), serialize(&e.row, false), key)
            }
            Config::Flink { .. } => (Destination::Table, Vec::new(), String::new()),
        };
        if destination != Destination::Table {
            let run = app.run.as_mut().expect("checked above");
            run.outbox.push_back(Pending { destination, partition_key: key, data });
        }
        app.keep(ResultRow { stream: e.stream, rowtime_ms: e.rowtime_ms, row: e.row, replayed: e.replayed });
    }
}

/// A row as its destination receives it: a JSON object, or CSV values in column order, one per line.
pub fn serialize(row: &[(String, Json)], csv: bool) -> Vec<u8> {
    let text = if csv {
        let cells: Vec<String> = row
            .iter()
            .map(|(_, v)| match v {
                Json::Null => String::new(),
                Json::String(s) if s.contains([',', '"', '\n']) => format!("\"{}\"", s.replace('"', "\"\"")),
                Json::String(s) => s.clone(),
                other => other.to_string(),
            })
            .collect();
        cells.join(",")
    } else {
        let fields: Vec<String> = row.iter().map(|(n, v)| format!("{}:{v}", Json::String(n.clone()))).collect();
        format!("{{{}}}", fields.join(","))
    };
    format!("{text}\n").into_bytes()
}

/// Sends the waiting rows, 500 at a time per destination; what is refused stays queued for the next second.
fn deliver(app: &mut Application, now: SimTime, reach: &mut Reach) {
    let run = app.run.as_mut().expect("called with a run");
    let mut kept = VecDeque::new();
    while !run.outbox.is_empty() {
        let destination = run.outbox[0].destination.clone();
        let mut batch = Vec::new();
        while batch.len() < BATCH_MAX && run.outbox.front().is_some_and(|p| p.destination == destination) {
            batch.push(run.outbox.pop_front().expect("checked above"));
        }
        let accepted = match &destination {
            Destination::Kinesis(stream) => put_records(reach.kds, now, stream, &batch),
            Destination::Firehose(name) => put_record_batch(reach, now, name, &batch),
            Destination::Table => vec![true; batch.len()],
        };
        let label = match &destination {
            Destination::Kinesis(s) => format!("kinesis:{s}"),
            Destination::Firehose(s) => format!("firehose:{s}"),
            Destination::Table => "table".into(),
        };
        for (p, ok) in batch.into_iter().zip(accepted) {
            if ok {
                *app.stats.delivered.entry(label.clone()).or_default() += 1;
            } else {
                app.stats.refused += 1;
                kept.push_back(p);
            }
        }
    }
    run.outbox = kept;
}

fn put_records(kds: &mut KdsService, now: SimTime, stream: &str, batch: &[Pending]) -> Vec<bool> {
    let records = batch
        .iter()
        .map(|p| PutRecordsRequestEntry {
            data: p.data.clone(),
            partition_key: p.partition_key.clone(),
            explicit_hash_key: None,
        })
        .collect();
    let request =
        KdsRequest::PutRecords(PutRecordsInput { stream_name: Some(stream.into()), stream_arn: None, records });
    match kds.handle(now, request) {
        Ok(KdsResponse::PutRecords(out)) => {
            out.records.iter().map(|r| matches!(r, PutRecordsResultEntry::Ok { .. })).collect()
        }
        _ => vec![false; batch.len()],
    }
}

fn put_record_batch(reach: &mut Reach, now: SimTime, name: &str, batch: &[Pending]) -> Vec<bool> {
    let request =
        FirehoseRequest::PutRecordBatch { name: name.into(), records: batch.iter().map(|p| p.data.clone()).collect() };
    let sinks = Sinks { s3: reach.sinks.s3, clusters: reach.sinks.clusters, domains: reach.sinks.domains };
    match reach.firehose.handle(now, request, sinks, reach.kds) {
        Ok(body) => body["RequestResponses"]
            .as_array()
            .map(|rs| rs.iter().map(|r| r.get("ErrorCode").is_none()).collect())
            .unwrap_or_else(|| vec![false; batch.len()]),
        Err(_) => vec![false; batch.len()],
    }
}
