//! A Flink-style pipeline as the lab writes it (spec firehose-analytics.md §3.2–§3.5): JSON naming the
//! operators of a DataStream job — map, filter, flatMap, keyBy, a window with its lateness and side
//! output, incremental aggregates or a process-window function, a sink — with expressions in the SQL
//! subset's scalar language. [`Pipeline::from_json`] refuses what does not make a job, plainly.

use crate::engine::analytics::aggregate::AggKind;
use crate::engine::analytics::expr::{compile, Scalar, Scope};
use crate::engine::analytics::sql::ast::{Expr, Ident};
use crate::engine::analytics::sql::error::SqlError;
use crate::engine::analytics::sql::parser::parse_expression;
use crate::engine::analytics::watermark::{WatermarkStrategy, INTERVAL_MS_DEFAULT};
use crate::engine::analytics::window::Assigner;
use serde_json::{Map, Value as Json};

/// An expression over a record's fields: unquoted names match a field whatever its case (if only one
/// does), quoted names exactly.
#[derive(Clone, Debug, PartialEq)]
pub struct FieldExpr {
    pub text: String,
    pub scalar: Scalar,
    /// The fields it reads, in column order: (name, matched exactly).
    pub fields: Vec<(String, bool)>,
}

struct Fields(Vec<(String, bool)>);

impl Scope for Fields {
    fn column(&self, qualifier: Option<&Ident>, name: &Ident) -> Result<Scalar, SqlError> {
        if let Some(q) = qualifier {
            return Err(SqlError::new(
                q.pos,
                format!("a pipeline expression names fields alone, not {}.{}", q.name, name.name),
            ));
        }
        Ok(Scalar::Column(self.0.iter().position(|f| *f == (name.name.clone(), name.quoted)).unwrap_or(usize::MAX)))
    }
    fn aggregate(&mut self, _: &Expr) -> Result<Option<Scalar>, SqlError> {
        Ok(None)
    }
}

impl FieldExpr {
    /// Parses `text`; `what` names it in errors (`operators[2].filter`).
    pub fn parse(text: &str, what: &str) -> Result<FieldExpr, String> {
        let e = parse_expression(text).map_err(|e| format!("{what}: {e}"))?;
        let mut names = Vec::new();
        e.walk(&mut |x| {
            if let crate::engine::analytics::sql::ast::ExprKind::Column { name, .. } = &x.kind {
                let key = (name.name.clone(), name.quoted);
                if !names.contains(&key) {
                    names.push(key);
                }
            }
        });
        let scalar = compile(&e, &mut Fields(names.clone())).map_err(|e| format!("{what}: {e}"))?;
        Ok(FieldExpr { text: text.to_string(), scalar, fields: names })
    }
}

/// One operator before the window.
#[derive(Clone, Debug, PartialEq)]
pub enum Operator {
    /// 1 → 1: a new record of these fields.
    Map(Vec<(String, FieldExpr)>),
    /// Keeps the record when the condition holds.
    Filter(FieldExpr),
    /// 1 → n: one record per piece of `split` cut on `on`, the piece in field `as`.
    FlatMap { split: FieldExpr, on: String, field: String },
}

/// What the window produces per key and window.
#[derive(Clone, Debug, PartialEq)]
pub enum WindowFunction {
    /// Incremental aggregates (AggregateFunction): (output field, kind, argument; `None` counts records).
    Aggregate(Vec<(String, AggKind, Option<FieldExpr>)>),
    /// A process-window function, which keeps every element until the window fires.
    Process(ProcessFunction),
}

/// The lab's built-in process-window functions.
#[derive(Clone, Debug, PartialEq)]
pub enum ProcessFunction {
    /// The elements' values of `field`, in event-time order, and their count.
    Elements { field: FieldExpr },
    /// The median of `field`.
    Median { field: FieldExpr },
    /// The first and last values of `field` by event time.
    FirstLast { field: FieldExpr },
}

/// Where results go.
#[derive(Clone, Debug, PartialEq)]
pub enum Sink {
    /// The page's result table (and the CLI's stdout) under this name.
    Table(String),
    /// A Kinesis data stream, partition key from a field.
    Kinesis { stream: String, partition_key: Option<String> },
    /// A Firehose stream.
    Firehose(String),
}

impl Sink {
    /// The name results print under.
    pub fn name(&self) -> &str {
        match self {
            Sink::Table(n) | Sink::Kinesis { stream: n, .. } | Sink::Firehose(n) => n,
        }
    }
}

/// Time characteristic of the window.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TimeMode {
    Event,
    Processing,
}

/// A checked pipeline.
#[derive(Clone, Debug, PartialEq)]
pub struct Pipeline {
    pub name: String,
    pub parallelism: u32,
    pub parallelism_per_kpu: u32,
    pub max_parallelism: u32,
    pub operators: Vec<Operator>,
    /// The key fields (`keyBy`); empty is `windowAll`.
    pub key_by: Vec<FieldExpr>,
    pub time: TimeMode,
    /// The event timestamp (event time only), and the watermark strategy.
    pub timestamp: Option<FieldExpr>,
    pub watermarks: WatermarkStrategy,
    pub window: Assigner,
    /// No window at all: records go from the operators straight to the sink (the seed ErrorCounter).
    /// `window` and `function` are then unused.
    pub unwindowed: bool,
    pub allowed_lateness_ms: i64,
    /// The side output tag for late records; `None` drops them (numLateRecordsDropped).
    pub late_output: Option<String>,
    pub function: WindowFunction,
    pub sink: Sink,
    /// CheckpointInterval and MinPauseBetweenCheckpoints (§3.5 defaults 60 s and 5 s); `None` disables.
    pub checkpoints: Option<(i64, i64)>,
}

/// The KDA limits and defaults of §3.1.
pub const PARALLELISM_MAX: u32 = 256;
pub const PARALLELISM_PER_KPU_MAX: u32 = 8;
pub const MAX_PARALLELISM_DEFAULT: u32 = 128;

fn int(v: &Json, key: &str, what: &str, min: i64, max: i64, default: i64) -> Result<i64, String> {
    match &v[key] {
        Json::Null => Ok(default),
        x => match x.as_i64() {
            Some(n) if (min..=max).contains(&n) => Ok(n),
            _ => {
                let name = if what == "the pipeline" { key.to_string() } else { format!("{what}.{key}") };
                Err(format!("{name} must be a whole number from {min} to {max}, not {x}"))
            }
        },
    }
}

fn text<'a>(v: &'a Json, key: &str, what: &str) -> Result<&'a str, String> {
    v[key].as_str().filter(|s| !s.is_empty()).ok_or_else(|| format!("{what} needs \"{key}\" as a non-empty string"))
}

fn only(v: &Map<String, Json>, allowed: &[&str], what: &str) -> Result<(), String> {
    match v.keys().find(|k| !allowed.contains(&k.as_str())) {
        Some(k) => Err(format!("{what} has an unknown member \"{k}\" (expected {})", allowed.join(", "))),
        None => Ok(()),
    }
}

impl Pipeline {
    /// Reads and checks a pipeline.
    pub fn from_json(v: &Json) -> Result<Pipeline, String> {
        let Some(top) = v.as_object() else { return Err("a pipeline is a JSON object".into()) };
        only(
            top,
            &[
                "name",
                "parallelism",
                "parallelism_per_kpu",
                "max_parallelism",
                "operators",
                "key_by",
                "time",
                "timestamp",
                "watermarks",
                "window",
                "allowed_lateness_ms",
                "late_output",
                "aggregate",
                "process",
                "sink",
                "checkpoints",
            ],
            "the pipeline",
        )?;
        let name = v["name"].as_str().unwrap_or("pipeline").to_string();
        let parallelism = int(v, "parallelism", "the pipeline", 1, PARALLELISM_MAX.into(), 1)? as u32;
        let parallelism_per_kpu =
            int(v, "parallelism_per_kpu", "the pipeline", 1, PARALLELISM_PER_KPU_MAX.into(), 1)? as u32;
        let max_parallelism =
            int(v, "max_parallelism", "the pipeline", 1, 32_768, MAX_PARALLELISM_DEFAULT.into())? as u32;
        if parallelism > max_parallelism {
            return Err(format!("parallelism {parallelism} is above max_parallelism {max_parallelism}"));
        }
        let mut operators = Vec::new();
        for (i, op) in v["operators"].as_array().map_or(&[][..], |a| a.as_slice()).iter().enumerate() {
            operators.push(operator(op, &format!("operators[{i}]"))?);
        }
        let key_by = match &v["key_by"] {
            Json::Null => Vec::new(),
            Json::String(s) => vec![FieldExpr::parse(s, "key_by")?],
            Json::Array(a) => a
                .iter()
                .enumerate()
                .map(|(i, k)| FieldExpr::parse(k.as_str().unwrap_or(""), &format!("key_by[{i}]")))
                .collect::<Result<_, _>>()?,
            other => return Err(format!("key_by must be a field expression or a list of them, not {other}")),
        };
        let time = match v["time"].as_str() {
            None | Some("event") => TimeMode::Event,
            Some("processing") => TimeMode::Processing,
            Some(other) => return Err(format!("time must be \"event\" or \"processing\", not \"{other}\"")),
        };
        let timestamp = match (time, v["timestamp"].as_str()) {
            (TimeMode::Event, Some(t)) => Some(FieldExpr::parse(t, "timestamp")?),
            (TimeMode::Event, None) => {
                return Err(
                    "event time needs \"timestamp\": the field (or expression) holding each record's event time".into(),
                )
            }
            (TimeMode::Processing, Some(_)) => {
                return Err("\"timestamp\" is for event time; processing time uses the arrival clock".into())
            }
            (TimeMode::Processing, None) => None,
        };
        let w = &v["watermarks"];
        if let Some(o) = w.as_object() {
            only(o, &["out_of_orderness_ms", "idleness_ms", "interval_ms"], "watermarks")?;
        }
        let watermarks = WatermarkStrategy {
            out_of_orderness_ms: int(w, "out_of_orderness_ms", "watermarks", 0, 86_400_000, 0)?,
            idleness_ms: if w["idleness_ms"].is_null() {
                None
            } else {
                Some(int(w, "idleness_ms", "watermarks", 1, 86_400_000, 0)?)
            },
            interval_ms: int(w, "interval_ms", "watermarks", 1, 60_000, INTERVAL_MS_DEFAULT)?,
        };
        let unwindowed = v["window"].is_null() && v["aggregate"].is_null() && v["process"].is_null();
        let window = if unwindowed { Assigner::Global { count: 1 } } else { window(&v["window"])? };
        let allowed_lateness_ms = int(v, "allowed_lateness_ms", "the pipeline", 0, 86_400_000 * 7, 0)?;
        if allowed_lateness_ms > 0 && time == TimeMode::Processing {
            return Err("allowed_lateness_ms applies to event-time windows only".into());
        }
        let late_output = match &v["late_output"] {
            Json::Null => None,
            Json::String(s) if !s.is_empty() && time == TimeMode::Event => Some(s.clone()),
            Json::String(_) if time == TimeMode::Processing => {
                return Err("late_output applies to event-time windows only".into())
            }
            other => return Err(format!("late_output must be the side output's name, not {other}")),
        };
        let function = match (&v["aggregate"], &v["process"]) {
            _ if unwindowed => WindowFunction::Aggregate(Vec::new()),
            (Json::Array(a), Json::Null) if !a.is_empty() => WindowFunction::Aggregate(
                a.iter()
                    .enumerate()
                    .map(|(i, x)| aggregate(x, &format!("aggregate[{i}]")))
                    .collect::<Result<_, _>>()?,
            ),
            (Json::Null, p) if p.is_object() => WindowFunction::Process(process(p)?),
            (Json::Null, Json::Null) => {
                return Err("the window needs \"aggregate\": [...] or \"process\": {...}".into())
            }
            _ => return Err("give either \"aggregate\" (a non-empty list) or \"process\", not both".into()),
        };
        let sink = sink(&v["sink"])?;
        let checkpoints = match &v["checkpoints"] {
            Json::Null => Some((60_000, 5_000)),
            Json::Bool(false) => None,
            c => Some((
                int(c, "interval_ms", "checkpoints", 1_000, 86_400_000, 60_000)?,
                int(c, "min_pause_ms", "checkpoints", 0, 86_400_000, 5_000)?,
            )),
        };
        Ok(Pipeline {
            name,
            parallelism,
            parallelism_per_kpu,
            max_parallelism,
            operators,
            key_by,
            time,
            timestamp,
            watermarks,
            window,
            unwindowed,
            allowed_lateness_ms,
            late_output,
            function,
            sink,
            checkpoints,
        })
    }

    /// KPUs = ceil(Parallelism / ParallelismPerKPU) (§3.1), without the orchestration KPU.
    pub fn kpus(&self) -> u32 {
        self.parallelism.div_ceil(self.parallelism_per_kpu)
    }
}

fn operator(op: &Json, what: &str) -> Result<Operator, String> {
    let Some((kind, body)) = op.as_object().filter(|o| o.len() == 1).and_then(|o| o.iter().next()) else {
        return Err(format!("{what} must be one of {{\"map\": …}}, {{\"filter\": …}}, {{\"flat_map\": …}}"));
    };
    match kind.as_str() {
        "map" => {
            let fields = body
                .as_object()
                .filter(|f| !f.is_empty())
                .ok_or_else(|| format!("{what}.map needs {{\"field\": \"expression\", …}}"))?;
            let out = fields
                .iter()
                .map(|(f, e)| {
                    let e = e.as_str().ok_or_else(|| format!("{what}.map.{f} must be an expression in a string"))?;
                    Ok((f.clone(), FieldExpr::parse(e, &format!("{what}.map.{f}"))?))
                })
                .collect::<Result<_, String>>()?;
            Ok(Operator::Map(out))
        }
        "filter" => {
            let e = body.as_str().ok_or_else(|| format!("{what}.filter must be a condition in a string"))?;
            Ok(Operator::Filter(FieldExpr::parse(e, &format!("{what}.filter"))?))
        }
        "flat_map" => {
            let split =
                FieldExpr::parse(text(body, "split", &format!("{what}.flat_map"))?, &format!("{what}.flat_map.split"))?;
            let on = body["on"].as_str().unwrap_or(" ").to_string();
            let field = text(body, "as", &format!("{what}.flat_map"))?.to_string();
            Ok(Operator::FlatMap { split, on, field })
        }
        other => Err(format!("{what}: no operator \"{other}\" (map, filter or flat_map)")),
    }
}

fn window(w: &Json) -> Result<Assigner, String> {
    let Some((kind, body)) = w.as_object().filter(|o| o.len() == 1).and_then(|o| o.iter().next()) else {
        return Err(
            "the pipeline needs \"window\": {\"tumbling\" | \"sliding\" | \"session\" | \"global\": {…}}".into()
        );
    };
    let what = format!("window.{kind}");
    let day = 86_400_000 * 7;
    let a = match kind.as_str() {
        "tumbling" => Assigner::Tumbling {
            size_ms: int(body, "size_ms", &what, 1, day, 0)?,
            offset_ms: int(body, "offset_ms", &what, -day, day, 0)?,
        },
        "sliding" => Assigner::Sliding {
            size_ms: int(body, "size_ms", &what, 1, day, 0)?,
            slide_ms: int(body, "slide_ms", &what, 1, day, 0)?,
            offset_ms: int(body, "offset_ms", &what, -day, day, 0)?,
        },
        "session" => Assigner::Session { gap_ms: int(body, "gap_ms", &what, 1, day, 0)? },
        "global" => Assigner::Global { count: int(body, "count", &what, 1, 1_000_000, 0)? as u64 },
        other => return Err(format!("no window \"{other}\" (tumbling, sliding, session or global)")),
    };
    if let Assigner::Sliding { size_ms, slide_ms, .. } = a {
        if size_ms / slide_ms > 1_000 {
            return Err(format!(
                "{what}: size / slide is {}; an element would belong to more than 1,000 windows",
                size_ms / slide_ms
            ));
        }
    }
    match a.check() {
        Some(problem) => Err(format!("{what}: {problem}")),
        None => Ok(a),
    }
}

fn aggregate(x: &Json, what: &str) -> Result<(String, AggKind, Option<FieldExpr>), String> {
    let o = x
        .as_object()
        .ok_or_else(|| format!("{what} must be an object such as {{\"sum\": \"price\", \"as\": \"total\"}}"))?;
    only(o, &["count", "sum", "min", "max", "avg", "distinct_count", "top_k", "k", "as"], what)?;
    let out = text(x, "as", what)?.to_string();
    let kinds: Vec<(&str, &Json)> = ["count", "sum", "min", "max", "avg", "distinct_count", "top_k"]
        .iter()
        .filter_map(|k| o.get(*k).map(|v| (*k, v)))
        .collect();
    let [(kind, arg)] = kinds.as_slice() else {
        return Err(format!("{what} needs exactly one of count, sum, min, max, avg, distinct_count, top_k"));
    };
    let kind = match *kind {
        "count" => AggKind::Count,
        "sum" => AggKind::Sum,
        "min" => AggKind::Min,
        "max" => AggKind::Max,
        "avg" => AggKind::Avg,
        "distinct_count" => AggKind::DistinctCount,
        _ => AggKind::TopK(int(x, "k", what, 1, 100, 3)? as usize),
    };
    let arg = match arg.as_str() {
        Some("*") if kind == AggKind::Count => None,
        Some(e) => Some(FieldExpr::parse(e, what)?),
        None => return Err(format!("{what}: the argument must be a field expression in a string (\"*\" for count)")),
    };
    Ok((out, kind, arg))
}

fn process(p: &Json) -> Result<ProcessFunction, String> {
    let field = FieldExpr::parse(text(p, "field", "process")?, "process.field")?;
    match text(p, "function", "process")? {
        "elements" => Ok(ProcessFunction::Elements { field }),
        "median" => Ok(ProcessFunction::Median { field }),
        "first_last" => Ok(ProcessFunction::FirstLast { field }),
        other => Err(format!("process.function \"{other}\" is not one of elements, median, first_last")),
    }
}

fn sink(s: &Json) -> Result<Sink, String> {
    let Some((kind, body)) = s.as_object().filter(|o| o.len() == 1).and_then(|o| o.iter().next()) else {
        return Err("the pipeline needs \"sink\": {\"table\": name} | {\"kinesis\": {\"stream\", \"partition_key\"}} | {\"firehose\": name}".into());
    };
    match kind.as_str() {
        "table" | "firehose" => {
            let name =
                body.as_str().filter(|n| !n.is_empty()).ok_or_else(|| format!("sink.{kind} needs a name"))?.to_string();
            Ok(if kind == "table" { Sink::Table(name) } else { Sink::Firehose(name) })
        }
        "kinesis" => Ok(Sink::Kinesis {
            stream: text(body, "stream", "sink.kinesis")?.to_string(),
            partition_key: body["partition_key"].as_str().map(str::to_string),
        }),
        other => Err(format!("no sink \"{other}\" (table, kinesis or firehose)")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    pub fn rental_count() -> Json {
        json!({
            "name": "RentalCountJob",
            "operators": [{"map": {"stationId": "stationId", "delta": "CASE action WHEN 'RENTED' THEN -1 ELSE 1 END"}}],
            "key_by": "stationId",
            "time": "processing",
            "window": {"tumbling": {"size_ms": 180000}},
            "aggregate": [{"sum": "delta", "as": "bikes"}, {"count": "*", "as": "events"}],
            "sink": {"firehose": "BikeAnalyticsOutput"}
        })
    }

    #[test]
    fn the_rental_count_job_reads_with_kda_defaults() {
        let p = Pipeline::from_json(&rental_count()).unwrap();
        assert_eq!((p.parallelism, p.kpus(), p.max_parallelism), (1, 1, 128));
        assert_eq!(p.checkpoints, Some((60_000, 5_000)));
        assert_eq!(p.window, Assigner::Tumbling { size_ms: 180_000, offset_ms: 0 });
        assert_eq!(p.sink.name(), "BikeAnalyticsOutput");
        let mut more = rental_count();
        more["parallelism"] = json!(6);
        more["parallelism_per_kpu"] = json!(4);
        assert_eq!(Pipeline::from_json(&more).unwrap().kpus(), 2);
    }

    #[test]
    fn what_does_not_make_a_job_is_refused_plainly() {
        let cases: [(&str, Json, &str); 8] = [
            ("parallelism", json!(300), "parallelism must be a whole number from 1 to 256, not 300"),
            ("parallelism_per_kpu", json!(9), "parallelism_per_kpu must be a whole number from 1 to 8, not 9"),
            ("window", json!({"hopping": {}}), "no window \"hopping\" (tumbling, sliding, session or global)"),
            (
                "window",
                json!({"tumbling": {"size_ms": 0}}),
                "window.tumbling.size_ms must be a whole number from 1 to 604800000, not 0",
            ),
            (
                "operators",
                json!([{"filter": "status <>"}]),
                "operators[0].filter: line 1, column 10: expected an expression, found the end of the text",
            ),
            ("allowed_lateness_ms", json!(1000), "allowed_lateness_ms applies to event-time windows only"),
            ("timestamp", json!("ts"), "\"timestamp\" is for event time; processing time uses the arrival clock"),
            ("colour", json!(1), "the pipeline has an unknown member \"colour\""),
        ];
        for (key, value, want) in cases {
            let mut p = rental_count();
            p[key] = value;
            let e = Pipeline::from_json(&p).unwrap_err();
            assert!(e.starts_with(want), "{key}: {e}");
        }
        let mut event = rental_count();
        event["time"] = json!("event");
        assert!(Pipeline::from_json(&event).unwrap_err().starts_with("event time needs \"timestamp\""));
    }
}
