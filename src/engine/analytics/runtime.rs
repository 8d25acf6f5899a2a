//! What runs an application's code: a SQL application ([`App`]) or a Flink-style job ([`Job`]) behind one
//! narrow, serialisable interface — a [`Step`] in, a [`Stepped`] out — so that the browser's worker can
//! keep the SQL parser and the window engines out of its own bundle and run them in the Analytics module
//! it loads on demand (as it does the Parquet writer). Natively, [`native`] runs them in process.

use super::flink::job::{Job, Output};
use super::flink::pipeline::{Pipeline, Sink};
use super::sql::app::{App, Emitted};
use super::sql::schema::InputSchema;
use serde::{Deserialize, Serialize};
use serde_json::Value as Json;

/// What to run: the code and the settings CreateApplication gave it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct RuntimeSpec {
    /// `SQL-1_0`, or a Flink runtime.
    pub sql: bool,
    pub code: String,
    /// The SQL input's InputSchema, as KDA takes it.
    #[serde(default)]
    pub schema: Json,
    /// Flink: Parallelism and ParallelismPerKPU (the pipeline's own are overridden, §3.1).
    #[serde(default)]
    pub parallelism: Option<(u32, u32)>,
    /// Flink: CheckpointInterval and MinPauseBetweenCheckpoints, `None` when checkpointing is off.
    #[serde(default)]
    pub checkpoints: Option<(i64, i64)>,
}

/// What the code declares, learned when it is checked.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Declared {
    /// SQL: the in-application streams the code creates.
    pub streams: Vec<String>,
    /// Flink: the sink — `("kinesis", stream, partition key field)`, `("firehose", name, None)` or
    /// `("table", name, None)`.
    pub sink: Option<(String, String, Option<String>)>,
    /// Flink: KPUs = ceil(Parallelism / ParallelismPerKPU).
    pub kpus: u32,
}

/// One record from the source.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct SourceRecord {
    /// Processing time (ROWTIME for SQL), epoch milliseconds.
    pub at_ms: i64,
    pub shard: String,
    pub data: String,
}

/// What the application is told.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub enum Step {
    /// Records arrive (in order), then the clock is at `now_ms`.
    Records { records: Vec<SourceRecord>, now_ms: i64 },
    /// The clock moves to `now_ms`.
    Advance { now_ms: i64 },
    /// The job fails at `at_ms` (Flink): it restores its last checkpoint.
    Fail { at_ms: i64 },
}

/// A row the application emitted.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Emission {
    /// The in-application stream, `error_stream`, the sink or the late side output.
    pub stream: String,
    pub rowtime_ms: i64,
    pub row: Vec<(String, Json)>,
    /// Emitted again after a restore.
    pub replayed: bool,
    /// Emitted by a Flink sink (not a side output).
    pub to_sink: bool,
}

/// Where the application stands after a step.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Stepped {
    pub emitted: Vec<Emission>,
    /// The next instant it emits without new input, epoch milliseconds.
    pub deadline_ms: Option<i64>,
    /// After a failure: the source offset to replay from and the restart time.
    pub replay_from: Option<(u64, i64)>,
    /// Flink's counters and checkpoints (zero for SQL).
    pub watermark_ms: Option<i64>,
    pub checkpoints: u64,
    pub last_checkpoint_ms: Option<i64>,
    pub late_records_dropped: u64,
}

/// Runs one application's code.
pub trait Runtime: std::fmt::Debug {
    fn step(&mut self, step: Step) -> Stepped;
}

/// Checks `spec` and starts its code: `Err((exception name, message))` as CreateApplication answers.
pub type RuntimeFactory = fn(&RuntimeSpec) -> Result<(Box<dyn Runtime>, Declared), (String, String)>;

/// The in-process runtime.
#[derive(Debug)]
enum Native {
    Sql(Box<App>),
    Flink(Box<Job>),
}

/// Checks and starts `spec` in process.
pub fn native(spec: &RuntimeSpec) -> Result<(Box<dyn Runtime>, Declared), (String, String)> {
    let code_error = |m: String| ("CodeValidationException".to_string(), m);
    if spec.sql {
        let schema = InputSchema::from_json(&spec.schema)
            .map_err(|e| ("InvalidArgumentException".to_string(), format!("InputSchema: {e}")))?;
        let app = App::new(&spec.code, schema, None).map_err(|e| code_error(e.to_string()))?;
        let declared =
            Declared { streams: app.streams().iter().map(|s| s.name.clone()).collect(), ..Declared::default() };
        return Ok((Box::new(Native::Sql(Box::new(app))), declared));
    }
    let json: Json = serde_json::from_str(&spec.code)
        .map_err(|e| code_error(format!("the lab runs a Flink application's code as its pipeline JSON: {e}")))?;
    let mut pipeline = Pipeline::from_json(&json).map_err(code_error)?;
    if let Some((p, per_kpu)) = spec.parallelism {
        (pipeline.parallelism, pipeline.parallelism_per_kpu) = (p, per_kpu);
    }
    pipeline.checkpoints = spec.checkpoints;
    let sink = match &pipeline.sink {
        Sink::Kinesis { stream, partition_key } => ("kinesis".into(), stream.clone(), partition_key.clone()),
        Sink::Firehose(name) => ("firehose".into(), name.clone(), None),
        Sink::Table(name) => ("table".into(), name.clone(), None),
    };
    let declared = Declared { streams: Vec::new(), sink: Some(sink), kpus: pipeline.kpus() };
    Ok((Box::new(Native::Flink(Box::new(Job::new(pipeline)))), declared))
}

fn sql_emission(e: Emitted) -> Emission {
    Emission { stream: e.stream, rowtime_ms: e.rowtime, row: e.row, replayed: false, to_sink: false }
}

fn job_emission(o: Output, sink: &str) -> Emission {
    let to_sink = o.stream == sink;
    Emission { stream: o.stream, rowtime_ms: o.at, row: o.row, replayed: o.replayed, to_sink }
}

/// A source record as the job's input: a JSON object as it is, anything else as `{"line": text}` (the
/// connector's SimpleStringSchema) [SIM].
fn record_json(data: &str) -> Json {
    match serde_json::from_str::<Json>(data) {
        Ok(v @ Json::Object(_)) => v,
        _ => serde_json::json!({ "line": data.trim_end() }),
    }
}

impl Runtime for Native {
    fn step(&mut self, step: Step) -> Stepped {
        match self {
            Native::Sql(app) => {
                let mut out = Vec::new();
                match step {
                    Step::Records { records, now_ms } => {
                        for r in records {
                            out.extend(app.push(r.at_ms, r.data.as_bytes()));
                        }
                        out.extend(app.advance(now_ms));
                    }
                    Step::Advance { now_ms } => out.extend(app.advance(now_ms)),
                    Step::Fail { .. } => {}
                }
                Stepped {
                    emitted: out.into_iter().map(sql_emission).collect(),
                    deadline_ms: app.deadline(),
                    ..Stepped::default()
                }
            }
            Native::Flink(job) => {
                let sink = job.pipeline.sink.name().to_string();
                let mut out = Vec::new();
                let mut replay_from = None;
                match step {
                    Step::Records { records, now_ms } => {
                        for r in records {
                            out.extend(job.push(r.at_ms, &r.shard, &record_json(&r.data)));
                        }
                        out.extend(job.advance(now_ms));
                    }
                    Step::Advance { now_ms } => out.extend(job.advance(now_ms)),
                    Step::Fail { at_ms } => replay_from = Some(job.fail(at_ms)),
                }
                Stepped {
                    emitted: out.into_iter().map(|o| job_emission(o, &sink)).collect(),
                    deadline_ms: job.deadline(),
                    replay_from,
                    watermark_ms: Some(job.watermark()),
                    checkpoints: job.checkpoints.len() as u64,
                    last_checkpoint_ms: job.checkpoints.last().map(|c| c.duration_ms),
                    late_records_dropped: job.counters.num_late_records_dropped,
                }
            }
        }
    }
}

/// The runtimes of the on-demand Analytics module, by handle: what the worker's runtimes step through JSON.
pub mod hosted {
    use super::{native, Runtime, RuntimeSpec, Step};
    use serde_json::json;
    use std::cell::RefCell;
    use std::collections::BTreeMap;

    /// The last handle given, and the live runtimes.
    type Registry = (u32, BTreeMap<u32, Box<dyn Runtime>>);

    thread_local! {
        static RUNTIMES: RefCell<Registry> = RefCell::new((0, BTreeMap::new()));
    }

    /// Starts a [`RuntimeSpec`] (JSON): `{"handle", "declared"}`, or `{"error": [exception, message]}`.
    pub fn create(spec: &str) -> String {
        let spec: RuntimeSpec = match serde_json::from_str(spec) {
            Ok(spec) => spec,
            Err(e) => {
                return json!({ "error": ["InvalidArgumentException", format!("not a runtime spec: {e}")] }).to_string()
            }
        };
        match native(&spec) {
            Ok((runtime, declared)) => RUNTIMES.with(|r| {
                let mut r = r.borrow_mut();
                r.0 += 1;
                let handle = r.0;
                r.1.insert(handle, runtime);
                json!({ "handle": handle, "declared": declared }).to_string()
            }),
            Err((code, message)) => json!({ "error": [code, message] }).to_string(),
        }
    }

    /// One [`Step`] (JSON) of the runtime `handle`: its [`super::Stepped`] (JSON).
    pub fn step(handle: u32, step: &str) -> Result<String, String> {
        let step: Step = serde_json::from_str(step).map_err(|e| format!("not a step: {e}"))?;
        RUNTIMES.with(|r| {
            let mut r = r.borrow_mut();
            let runtime = r.1.get_mut(&handle).ok_or_else(|| format!("no runtime {handle}"))?;
            serde_json::to_string(&runtime.step(step)).map_err(|e| e.to_string())
        })
    }

    /// Forgets the runtime `handle`.
    pub fn drop(handle: u32) {
        RUNTIMES.with(|r| r.borrow_mut().1.remove(&handle));
    }

    #[cfg(test)]
    mod tests {
        use super::*;

        #[test]
        fn a_hosted_runtime_steps_like_the_native_one_and_bad_input_is_an_error() {
            let spec = RuntimeSpec {
                sql: false,
                code: crate::engine::analytics::examples::find("error_counter").expect("an example").text.to_string(),
                schema: serde_json::Value::Null,
                parallelism: Some((1, 1)),
                checkpoints: None,
            };
            let created: serde_json::Value =
                serde_json::from_str(&create(&serde_json::to_string(&spec).unwrap())).unwrap();
            let handle = created["handle"].as_u64().expect("a handle") as u32;
            let line =
                r#"{"line": "83.149.9.216 - - [17/May/2015:10:05:03 +0000] \"GET /x HTTP/1.1\" 403 1 \"-\" \"-\""}"#;
            let step = Step::Records {
                records: vec![super::super::SourceRecord { at_ms: 5, shard: "s".into(), data: line.into() }],
                now_ms: 5,
            };
            let hosted: super::super::Stepped =
                serde_json::from_str(&super::step(handle, &serde_json::to_string(&step).unwrap()).unwrap()).unwrap();
            let (mut direct, _) = native(&spec).unwrap();
            assert_eq!(hosted, direct.step(step));
            assert_eq!(hosted.emitted.len(), 1, "the 403 passes the filter");
            assert!(super::step(handle, "{}").is_err());
            assert!(super::step(handle + 1000, "{\"Advance\":{\"now_ms\":1}}").is_err());
            let bad: serde_json::Value = serde_json::from_str(&create("{}")).unwrap();
            assert_eq!(bad["error"][0], "InvalidArgumentException");
            drop(handle);
        }
    }
}
