//! The Analytics lab's pipeline builder: forms for source → operators → key and time → window →
//! aggregate → sink, held as the text the learner typed, written out as the pipeline JSON that
//! `kinesis-lab analytics --pipeline` and the editor run, and read back from it. Numbers are checked here
//! (seconds in the forms, milliseconds in the JSON); everything else is checked by the pipeline reader.

use serde_json::{json, Map, Value as Json};

/// One operator row: `map` (one `field = expression` per line), `filter` (a condition) or `flat_map`
/// (the expression to split, the separator and the new field).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct OperatorRow {
    pub kind: String,
    pub text: String,
    pub on: String,
    pub field: String,
}

/// One aggregate: its kind (count, sum, min, max, avg, distinct_count, top_k), argument, k and name.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AggregateRow {
    pub kind: String,
    pub arg: String,
    pub k: String,
    pub name: String,
}

impl Default for AggregateRow {
    fn default() -> AggregateRow {
        AggregateRow { kind: "count".into(), arg: "*".into(), k: "3".into(), name: "n".into() }
    }
}

/// The whole form.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PipelineForm {
    pub name: String,
    pub operators: Vec<OperatorRow>,
    /// Key expressions, comma-separated; empty is windowAll.
    pub key_by: String,
    /// `event` or `processing`.
    pub time: String,
    pub timestamp: String,
    pub out_of_orderness_s: String,
    /// Empty: no idleness.
    pub idleness_s: String,
    /// `tumbling`, `sliding`, `session`, `global` or `none` (records straight to the sink).
    pub window: String,
    pub size_s: String,
    pub slide_s: String,
    pub offset_s: String,
    pub gap_s: String,
    pub count: String,
    pub lateness_s: String,
    /// Empty: late records are dropped.
    pub late_output: String,
    /// `aggregate`, or a process-window function: `elements`, `median`, `first_last`.
    pub function: String,
    pub aggregates: Vec<AggregateRow>,
    pub process_field: String,
    /// `table`, `kinesis` or `firehose`.
    pub sink: String,
    pub sink_name: String,
    pub partition_key: String,
}

impl Default for PipelineForm {
    fn default() -> PipelineForm {
        PipelineForm {
            name: "MyPipeline".into(),
            operators: Vec::new(),
            key_by: String::new(),
            time: "event".into(),
            timestamp: String::new(),
            out_of_orderness_s: "0".into(),
            idleness_s: String::new(),
            window: "tumbling".into(),
            size_s: "60".into(),
            slide_s: "30".into(),
            offset_s: "0".into(),
            gap_s: "30".into(),
            count: "10".into(),
            lateness_s: "0".into(),
            late_output: String::new(),
            function: "aggregate".into(),
            aggregates: vec![AggregateRow::default()],
            process_field: String::new(),
            sink: "table".into(),
            sink_name: "results".into(),
            partition_key: String::new(),
        }
    }
}

/// Seconds typed in a form field, as milliseconds.
fn millis(label: &str, text: &str) -> Result<i64, String> {
    match text.trim().parse::<f64>() {
        Ok(s) if s.is_finite() && s.abs() <= 7.0 * 86_400.0 => Ok((s * 1_000.0).round() as i64),
        _ => Err(format!("{label}: '{}' is not a number of seconds", text.trim())),
    }
}

fn seconds(ms: &Json) -> String {
    ms.as_i64().map_or_else(String::new, |ms| {
        if ms % 1_000 == 0 {
            (ms / 1_000).to_string()
        } else {
            format!("{}", ms as f64 / 1_000.0)
        }
    })
}

/// `a, SPLIT_PART(b, ',', 1)` → the expressions, cut at commas outside parentheses and quotes.
fn split_top_level(text: &str) -> Vec<String> {
    let (mut parts, mut current, mut depth, mut quote) = (Vec::new(), String::new(), 0i32, None);
    for c in text.chars() {
        match (c, quote) {
            ('\'' | '"', None) => quote = Some(c),
            (q, Some(open)) if q == open => quote = None,
            ('(', None) => depth += 1,
            (')', None) => depth -= 1,
            (',', None) if depth == 0 => {
                parts.push(std::mem::take(&mut current));
                continue;
            }
            _ => {}
        }
        current.push(c);
    }
    parts.push(current);
    parts.into_iter().map(|p| p.trim().to_string()).filter(|p| !p.is_empty()).collect()
}

fn str_of(v: &Json) -> String {
    v.as_str().map_or_else(|| if v.is_null() { String::new() } else { v.to_string() }, str::to_string)
}

impl PipelineForm {
    /// The pipeline JSON, or what is wrong with a number.
    pub fn to_json(&self) -> Result<Json, String> {
        let mut p = Map::new();
        p.insert("name".into(), json!(self.name.trim()));
        let mut operators = Vec::new();
        for (i, op) in self.operators.iter().enumerate() {
            let what = format!("operator {}", i + 1);
            operators.push(match op.kind.as_str() {
                "map" => {
                    let mut fields = Map::new();
                    for line in op.text.lines().filter(|l| !l.trim().is_empty()) {
                        let Some((name, expr)) = line.split_once('=') else {
                            return Err(format!("{what} (map): '{}' is not field = expression", line.trim()));
                        };
                        fields.insert(name.trim().to_string(), json!(expr.trim()));
                    }
                    json!({"map": fields})
                }
                "flat_map" => json!({"flat_map": {"split": op.text.trim(), "on": op.on, "as": op.field.trim()}}),
                _ => json!({"filter": op.text.trim()}),
            });
        }
        if !operators.is_empty() {
            p.insert("operators".into(), Json::Array(operators));
        }
        match split_top_level(&self.key_by).as_slice() {
            [] => {}
            [one] => drop(p.insert("key_by".into(), json!(one))),
            many => drop(p.insert("key_by".into(), json!(many))),
        }
        p.insert("time".into(), json!(self.time));
        let event = self.time == "event";
        if event {
            p.insert("timestamp".into(), json!(self.timestamp.trim()));
            let mut w = Map::new();
            w.insert("out_of_orderness_ms".into(), json!(millis("out-of-orderness", &self.out_of_orderness_s)?));
            if !self.idleness_s.trim().is_empty() {
                w.insert("idleness_ms".into(), json!(millis("idleness", &self.idleness_s)?));
            }
            p.insert("watermarks".into(), Json::Object(w));
        }
        if self.window != "none" {
            let window = match self.window.as_str() {
                "sliding" => json!({"sliding": {
                    "size_ms": millis("window size", &self.size_s)?,
                    "slide_ms": millis("slide", &self.slide_s)?,
                    "offset_ms": millis("offset", &self.offset_s)?,
                }}),
                "session" => json!({"session": {"gap_ms": millis("session gap", &self.gap_s)?}}),
                "global" => {
                    let count = self
                        .count
                        .trim()
                        .parse::<u64>()
                        .map_err(|_| format!("count: '{}' is not a whole number of records", self.count.trim()))?;
                    json!({"global": {"count": count}})
                }
                _ => json!({"tumbling": {
                    "size_ms": millis("window size", &self.size_s)?,
                    "offset_ms": millis("offset", &self.offset_s)?,
                }}),
            };
            p.insert("window".into(), window);
            if event {
                let lateness = millis("allowed lateness", &self.lateness_s)?;
                if lateness > 0 {
                    p.insert("allowed_lateness_ms".into(), json!(lateness));
                }
                if !self.late_output.trim().is_empty() {
                    p.insert("late_output".into(), json!(self.late_output.trim()));
                }
            }
            if self.function == "aggregate" {
                let aggregates = self
                    .aggregates
                    .iter()
                    .map(|a| {
                        let mut o = Map::new();
                        o.insert(a.kind.clone(), json!(a.arg.trim()));
                        if a.kind == "top_k" {
                            let k = a.k.trim().parse::<u64>().map_err(|_| {
                                format!("top_k of {}: k '{}' is not a whole number", a.arg.trim(), a.k.trim())
                            })?;
                            o.insert("k".into(), json!(k));
                        }
                        o.insert("as".into(), json!(a.name.trim()));
                        Ok(Json::Object(o))
                    })
                    .collect::<Result<Vec<_>, String>>()?;
                p.insert("aggregate".into(), Json::Array(aggregates));
            } else {
                p.insert("process".into(), json!({"function": self.function, "field": self.process_field.trim()}));
            }
        }
        let name = self.sink_name.trim();
        p.insert(
            "sink".into(),
            match self.sink.as_str() {
                "kinesis" if self.partition_key.trim().is_empty() => json!({"kinesis": {"stream": name}}),
                "kinesis" => json!({"kinesis": {"stream": name, "partition_key": self.partition_key.trim()}}),
                "firehose" => json!({"firehose": name}),
                _ => json!({"table": name}),
            },
        );
        Ok(Json::Object(p))
    }

    /// The form of a pipeline's JSON, as far as the form can hold it (parallelism and checkpoints are
    /// not on the form and are left out).
    pub fn from_json(v: &Json) -> PipelineForm {
        let d = PipelineForm::default();
        let operators = v["operators"]
            .as_array()
            .map_or(&[][..], |a| a.as_slice())
            .iter()
            .filter_map(|op| {
                let (kind, body) = op.as_object()?.iter().next()?;
                Some(match kind.as_str() {
                    "map" => OperatorRow {
                        kind: "map".into(),
                        text: body
                            .as_object()?
                            .iter()
                            .map(|(f, e)| format!("{f} = {}", str_of(e)))
                            .collect::<Vec<_>>()
                            .join("\n"),
                        on: String::new(),
                        field: String::new(),
                    },
                    "flat_map" => OperatorRow {
                        kind: "flat_map".into(),
                        text: str_of(&body["split"]),
                        on: body["on"].as_str().unwrap_or(" ").to_string(),
                        field: str_of(&body["as"]),
                    },
                    _ => {
                        OperatorRow { kind: kind.clone(), text: str_of(body), on: String::new(), field: String::new() }
                    }
                })
            })
            .collect();
        let key_by = match &v["key_by"] {
            Json::Array(a) => a.iter().map(str_of).collect::<Vec<_>>().join(", "),
            k => str_of(k),
        };
        let (window, body) = v["window"]
            .as_object()
            .and_then(|o| o.iter().next())
            .map_or(("none".to_string(), Json::Null), |(k, b)| (k.clone(), b.clone()));
        let or = |x: String, default: &str| if x.is_empty() { default.to_string() } else { x };
        let aggregates = v["aggregate"]
            .as_array()
            .map(|a| {
                a.iter()
                    .map(|x| {
                        let kind = ["count", "sum", "min", "max", "avg", "distinct_count", "top_k"]
                            .into_iter()
                            .find(|k| !x[*k].is_null())
                            .unwrap_or("count");
                        AggregateRow {
                            kind: kind.into(),
                            arg: str_of(&x[kind]),
                            k: or(str_of(&x["k"]), "3"),
                            name: str_of(&x["as"]),
                        }
                    })
                    .collect()
            })
            .unwrap_or(d.aggregates.clone());
        let (sink, sink_name, partition_key) = match v["sink"].as_object().and_then(|o| o.iter().next()) {
            Some((k, b)) if k == "kinesis" => ("kinesis".into(), str_of(&b["stream"]), str_of(&b["partition_key"])),
            Some((k, b)) => (k.clone(), str_of(b), String::new()),
            None => (d.sink.clone(), d.sink_name.clone(), String::new()),
        };
        PipelineForm {
            name: or(str_of(&v["name"]), &d.name),
            operators,
            key_by,
            time: or(str_of(&v["time"]), "event"),
            timestamp: str_of(&v["timestamp"]),
            out_of_orderness_s: or(seconds(&v["watermarks"]["out_of_orderness_ms"]), "0"),
            idleness_s: seconds(&v["watermarks"]["idleness_ms"]),
            size_s: or(seconds(&body["size_ms"]), &d.size_s),
            slide_s: or(seconds(&body["slide_ms"]), &d.slide_s),
            offset_s: or(seconds(&body["offset_ms"]), "0"),
            gap_s: or(seconds(&body["gap_ms"]), &d.gap_s),
            count: or(str_of(&body["count"]), &d.count),
            window,
            lateness_s: or(seconds(&v["allowed_lateness_ms"]), "0"),
            late_output: str_of(&v["late_output"]),
            function: v["process"]["function"].as_str().unwrap_or("aggregate").to_string(),
            aggregates,
            process_field: str_of(&v["process"]["field"]),
            sink,
            sink_name,
            partition_key,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::analytics::examples::{find, ALL};
    use crate::engine::analytics::flink::pipeline::Pipeline;

    #[test]
    fn every_seed_program_reads_into_the_form_and_writes_back_the_same_job() {
        for e in ALL.iter().filter(|e| e.name.ends_with("job") || e.name.starts_with("error_counter")) {
            let v: Json = serde_json::from_str(e.text).unwrap();
            let form = PipelineForm::from_json(&v);
            let mut back = form.to_json().unwrap();
            // Checkpoints are not on the form: compare the jobs with the example's own.
            if let Some(c) = v.get("checkpoints") {
                back["checkpoints"] = c.clone();
            }
            assert_eq!(Pipeline::from_json(&back), Pipeline::from_json(&v), "{}", e.name);
        }
    }

    #[test]
    fn the_windowed_error_counter_fills_every_part_of_the_form() {
        let v: Json = serde_json::from_str(find("error_counter_windowed").unwrap().text).unwrap();
        let f = PipelineForm::from_json(&v);
        assert_eq!(f.operators.len(), 2);
        assert_eq!(f.operators[0].text.lines().next(), Some("ip = SPLIT_PART(line, ' ', 1)"));
        assert_eq!((f.key_by.as_str(), f.time.as_str(), f.timestamp.as_str()), ("ip", "event", "ts"));
        assert_eq!((f.out_of_orderness_s.as_str(), f.idleness_s.as_str()), ("5", "60"));
        assert_eq!((f.window.as_str(), f.size_s.as_str(), f.late_output.as_str()), ("tumbling", "60", "late-errors"));
        assert_eq!(
            f.aggregates[1],
            AggregateRow { kind: "top_k".into(), arg: "url".into(), k: "3".into(), name: "urls".into() }
        );
        assert_eq!(
            (f.sink.as_str(), f.sink_name.as_str(), f.partition_key.as_str()),
            ("kinesis", "log_data_stream", "ip")
        );
    }

    #[test]
    fn bad_numbers_and_map_lines_are_refused_with_the_field() {
        let form = PipelineForm { size_s: "1m".into(), ..PipelineForm::default() };
        assert_eq!(form.to_json().unwrap_err(), "window size: '1m' is not a number of seconds");
        let form = PipelineForm {
            operators: vec![OperatorRow {
                kind: "map".into(),
                text: "ip".into(),
                on: String::new(),
                field: String::new(),
            }],
            ..PipelineForm::default()
        };
        assert_eq!(form.to_json().unwrap_err(), "operator 1 (map): 'ip' is not field = expression");
        let top = PipelineForm {
            aggregates: vec![AggregateRow { kind: "top_k".into(), k: "x".into(), ..AggregateRow::default() }],
            ..PipelineForm::default()
        };
        assert!(top.to_json().unwrap_err().contains("k 'x' is not a whole number"));
    }

    #[test]
    fn keys_split_at_top_level_commas_and_seconds_become_milliseconds() {
        assert_eq!(split_top_level("a, SPLIT_PART(b, ',', 1) ,c"), ["a", "SPLIT_PART(b, ',', 1)", "c"]);
        let form = PipelineForm {
            key_by: "station, kind".into(),
            timestamp: "ts".into(),
            window: "sliding".into(),
            size_s: "1.5".into(),
            slide_s: "0.5".into(),
            ..PipelineForm::default()
        };
        let v = form.to_json().unwrap();
        assert_eq!(v["key_by"], json!(["station", "kind"]));
        assert_eq!(v["window"]["sliding"], json!({"size_ms": 1500, "slide_ms": 500, "offset_ms": 0}));
        assert!(Pipeline::from_json(&v).is_ok(), "{v}");
    }
}
