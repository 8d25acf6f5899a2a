//! The design panel's model: one stream with its producers and consumers, as the form holds it (text as
//! typed), turned into a scenario file. Each field's key is the scenario path it fills
//! (`producers[0].rate.per_second`), so the engine's own validation errors land beside the right input.

use crate::engine::scenario::{check, Scenario, ScenarioError};
use serde::{Deserialize, Serialize};
use serde_json::{json, Map, Value};

/// The stream being designed.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct StreamForm {
    pub name: String,
    /// `provisioned` or `on_demand`.
    pub mode: String,
    pub shards: String,
    pub retention_hours: String,
}

/// A producer as the form holds it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ProducerForm {
    pub name: String,
    /// `constant`, `ramp` or `bursts`.
    pub rate_kind: String,
    pub per_second: String,
    /// Ramp: the rate reached at `ramp_end_s`, from `per_second` at `ramp_start_s`.
    pub ramp_to: String,
    pub ramp_start_s: String,
    pub ramp_end_s: String,
    /// Bursts of `per_second` lasting `burst_s` every `every_s`.
    pub every_s: String,
    pub burst_s: String,
    /// Record data bytes (when no template).
    pub size_bytes: String,
    /// `uniform`, `hot_key`, `zipf`, `random`, `single` or `salted`.
    pub key_kind: String,
    /// How many distinct keys (uniform, hot key, zipf) or salts (salted).
    pub keys: String,
    /// The hot key's share in percent (0–100).
    pub hot_share_percent: String,
    /// The one key (single, salted).
    pub key: String,
    /// A Kinesis Data Generator template for the bodies; empty: fixed-size bodies.
    pub template: String,
    /// `put_records` or `put_record`.
    pub api: String,
    pub batch_max_records: String,
    pub linger_ms: String,
    pub max_attempts: String,
    /// Send through the KPL with aggregation.
    pub kpl: bool,
}

/// A consumer (or several identical ones) as the form holds it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ConsumerForm {
    /// `polling`, `kcl`, `efo` or `lambda`.
    pub kind: String,
    pub name: String,
    /// How many identical consumers (named `name-1` … when more than one).
    pub copies: String,
    /// `latest` or `trim_horizon`.
    pub start: String,
    /// Polling: pause between polls, GetRecords Limit, processing time per record.
    pub poll_ms: String,
    pub limit: String,
    pub process_ms_per_record: String,
    /// KCL: workers.
    pub workers: String,
    /// Lambda: BatchSize, MaximumBatchingWindowInSeconds, ParallelizationFactor, MaximumRetryAttempts,
    /// BisectBatchOnFunctionError, ReportBatchItemFailures.
    pub batch_size: String,
    pub batching_window_s: String,
    pub parallelization_factor: String,
    pub max_retry_attempts: String,
    pub bisect_on_error: bool,
    pub report_batch_item_failures: bool,
}

/// The whole design.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Design {
    pub duration_s: String,
    pub stream: StreamForm,
    pub producers: Vec<ProducerForm>,
    pub consumers: Vec<ConsumerForm>,
}

/// Why a field was not applied.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FieldError {
    /// The field's key (its scenario path), or empty for the design as a whole.
    pub field: String,
    pub message: String,
}

impl Default for Design {
    fn default() -> Self {
        Design {
            duration_s: "3600".into(),
            stream: StreamForm {
                name: "lab-stream".into(),
                mode: "provisioned".into(),
                shards: "2".into(),
                retention_hours: "24".into(),
            },
            producers: vec![ProducerForm::default()],
            consumers: vec![ConsumerForm::default()],
        }
    }
}

impl Default for ProducerForm {
    fn default() -> Self {
        ProducerForm {
            name: "producer".into(),
            rate_kind: "constant".into(),
            per_second: "1200".into(),
            ramp_to: "3000".into(),
            ramp_start_s: "60".into(),
            ramp_end_s: "600".into(),
            every_s: "60".into(),
            burst_s: "10".into(),
            size_bytes: "500".into(),
            key_kind: "uniform".into(),
            keys: "1000".into(),
            hot_share_percent: "50".into(),
            key: "device-1".into(),
            template: String::new(),
            api: "put_records".into(),
            batch_max_records: "500".into(),
            linger_ms: "0".into(),
            max_attempts: "4".into(),
            kpl: false,
        }
    }
}

impl Default for ConsumerForm {
    fn default() -> Self {
        ConsumerForm {
            kind: "polling".into(),
            name: "reader".into(),
            copies: "1".into(),
            start: "latest".into(),
            poll_ms: "1000".into(),
            limit: "10000".into(),
            process_ms_per_record: "0".into(),
            workers: "2".into(),
            batch_size: "100".into(),
            batching_window_s: "0".into(),
            parallelization_factor: "1".into(),
            max_retry_attempts: "-1".into(),
            bisect_on_error: false,
            report_batch_item_failures: false,
        }
    }
}

/// Reads the form's numbers, collecting every error with its field.
struct Reader {
    errors: Vec<FieldError>,
}

impl Reader {
    fn fail(&mut self, field: &str, message: String) {
        self.errors.push(FieldError { field: field.to_string(), message });
    }

    /// A whole number (possibly negative) in `min ..= max`.
    fn int(&mut self, field: &str, text: &str, min: i64, max: i64) -> Value {
        match text.trim().parse::<i64>() {
            Ok(n) if (min..=max).contains(&n) => json!(n),
            Ok(n) => {
                self.fail(field, format!("{n} is outside {min} … {max}"));
                Value::Null
            }
            Err(_) => {
                self.fail(field, format!("'{}' is not a whole number", text.trim()));
                Value::Null
            }
        }
    }

    /// A number (fractions allowed) in `min ..= max`.
    fn num(&mut self, field: &str, text: &str, min: f64, max: f64) -> Value {
        match text.trim().parse::<f64>() {
            Ok(n) if n.is_finite() && (min..=max).contains(&n) => json!(n),
            Ok(n) => {
                self.fail(field, format!("{n} is outside {min} … {max}"));
                Value::Null
            }
            Err(_) => {
                self.fail(field, format!("'{}' is not a number", text.trim()));
                Value::Null
            }
        }
    }

    /// A non-empty name.
    fn name(&mut self, field: &str, text: &str) -> Value {
        let name = text.trim();
        if name.is_empty() {
            self.fail(field, "give a name".into());
        }
        json!(name)
    }
}

/// The consumers a scenario path's index came from: `consumers[7]` → the form it was expanded from.
#[derive(Debug, Default)]
struct Origins(Vec<usize>);

impl Design {
    /// The scenario this design describes, with `seed`, checked by the engine's own validation;
    /// or every field that stops it, each with its message.
    pub fn to_scenario(&self, seed: u64) -> Result<Scenario, Vec<FieldError>> {
        let mut r = Reader { errors: Vec::new() };
        let stream_name = r.name("streams[0].name", &self.stream.name);
        let mut stream = Map::new();
        stream.insert("name".into(), stream_name.clone());
        stream.insert("mode".into(), json!(self.stream.mode));
        if self.stream.mode != "on_demand" {
            stream.insert("shards".into(), r.int("streams[0].shards", &self.stream.shards, 1, 10_000));
        }
        stream.insert(
            "retention_hours".into(),
            r.int("streams[0].retention_hours", &self.stream.retention_hours, 24, 8_760),
        );
        let duration = r.num("duration_s", &self.duration_s, 1.0, 366.0 * 86_400.0);
        let producers: Vec<Value> =
            self.producers.iter().enumerate().map(|(i, p)| p.to_json(i, &stream_name, &mut r)).collect();
        let mut origins = Origins::default();
        let mut consumers = Vec::new();
        for (i, c) in self.consumers.iter().enumerate() {
            for one in c.to_json(i, &stream_name, &mut r) {
                origins.0.push(i);
                consumers.push(one);
            }
        }
        if !r.errors.is_empty() {
            return Err(r.errors);
        }
        let file = json!({
            "name": "lab-design",
            "title": "A design from the Streams lab",
            "explanation": "Built in the design panel.",
            "seed": seed,
            "duration_s": duration,
            "sample_s": 10,
            "detail": "records",
            "streams": [Value::Object(stream)],
            "producers": producers,
            "consumers": consumers,
        });
        let engine_error =
            |e: ScenarioError| vec![FieldError { field: origins.form_path(&e.path), message: e.message }];
        let scenario = Scenario::from_json(&file.to_string()).map_err(engine_error)?;
        check(&scenario).map_err(engine_error)?;
        Ok(scenario)
    }
}

impl Origins {
    /// A scenario path as the form's key: the consumer index becomes its form's index.
    fn form_path(&self, path: &str) -> String {
        let Some(rest) = path.strip_prefix("consumers[") else { return path.to_string() };
        let Some((index, tail)) = rest.split_once(']') else { return path.to_string() };
        match index.parse::<usize>().ok().and_then(|i| self.0.get(i)) {
            Some(form) => format!("consumers[{form}]{tail}"),
            None => path.to_string(),
        }
    }
}

impl ProducerForm {
    fn to_json(&self, i: usize, stream: &Value, r: &mut Reader) -> Value {
        let at = |field: &str| format!("producers[{i}].{field}");
        let per_second = r.num(&at("rate.per_second"), &self.per_second, 0.0, 10_000_000.0);
        let rate = match self.rate_kind.as_str() {
            "ramp" => json!({
                "kind": "ramp",
                "from_per_second": per_second,
                "to_per_second": r.num(&at("rate.to_per_second"), &self.ramp_to, 0.0, 10_000_000.0),
                "start_s": r.num(&at("rate.start_s"), &self.ramp_start_s, 0.0, 1e9),
                "end_s": r.num(&at("rate.end_s"), &self.ramp_end_s, 0.0, 1e9),
            }),
            "bursts" => json!({
                "kind": "bursts",
                "per_second": per_second,
                "every_s": r.num(&at("rate.every_s"), &self.every_s, 0.001, 1e9),
                "duration_s": r.num(&at("rate.duration_s"), &self.burst_s, 0.0, 1e9),
                "offset_s": 0.0,
            }),
            _ => json!({ "kind": "constant", "per_second": per_second }),
        };
        let prefix = format!("{}-", self.name.trim());
        let keys = match self.key_kind.as_str() {
            "hot_key" => json!({
                "kind": "hot_key",
                "keys": r.int(&at("keys.keys"), &self.keys, 1, 10_000_000),
                "hot_share": r.num(&at("keys.hot_share"), &self.hot_share_percent, 0.0, 100.0).as_f64().map(|p| p / 100.0),
                "prefix": prefix,
            }),
            "zipf" => json!({
                "kind": "zipf", "keys": r.int(&at("keys.keys"), &self.keys, 1, 10_000_000), "exponent": 1.0, "prefix": prefix,
            }),
            "random" => json!({ "kind": "random" }),
            "single" => json!({ "kind": "single", "key": self.key }),
            "salted" => {
                json!({ "kind": "salted", "key": self.key, "salts": r.int(&at("keys.salts"), &self.keys, 1, 10_000) })
            }
            _ => {
                json!({ "kind": "uniform", "keys": r.int(&at("keys.keys"), &self.keys, 1, 10_000_000), "prefix": prefix })
            }
        };
        let mut p = json!({
            "name": r.name(&at("name"), &self.name),
            "stream": stream,
            "rate": rate,
            "keys": keys,
            "api": self.api,
            "batch": {
                "max_records": r.int(&at("batch.max_records"), &self.batch_max_records, 1, 500),
                "linger_ms": r.int(&at("batch.linger_ms"), &self.linger_ms, 0, 60_000),
            },
            "retry": { "max_attempts": r.int(&at("retry.max_attempts"), &self.max_attempts, 1, 100) },
        });
        if self.template.trim().is_empty() {
            p["size"] = json!({ "kind": "fixed", "bytes": r.int(&at("size"), &self.size_bytes, 1, 1_048_576) });
        } else {
            p["template"] = json!(self.template);
        }
        if self.kpl {
            p["kpl"] = json!({ "aggregation": true });
        }
        p
    }
}

impl ConsumerForm {
    fn to_json(&self, i: usize, stream: &Value, r: &mut Reader) -> Vec<Value> {
        let at = |field: &str| format!("consumers[{i}].{field}");
        let name = r.name(&at("name"), &self.name);
        let copies = r.int(&at("copies"), &self.copies, 1, 50).as_u64().unwrap_or(1);
        let mut base = json!({ "kind": self.kind, "stream": stream, "start": self.start });
        match self.kind.as_str() {
            "kcl" => {
                base["workers"] = r.int(&at("workers"), &self.workers, 0, 1_000);
                base["process_ms_per_record"] =
                    r.num(&at("process_ms_per_record"), &self.process_ms_per_record, 0.0, 60_000.0);
            }
            "lambda" => {
                base["batch_size"] = r.int(&at("batch_size"), &self.batch_size, 1, 10_000);
                base["batching_window_s"] = r.int(&at("batching_window_s"), &self.batching_window_s, 0, 300);
                base["parallelization_factor"] =
                    r.int(&at("parallelization_factor"), &self.parallelization_factor, 1, 10);
                base["max_retry_attempts"] = r.int(&at("max_retry_attempts"), &self.max_retry_attempts, -1, 10_000);
                base["bisect_on_error"] = json!(self.bisect_on_error);
                base["report_batch_item_failures"] = json!(self.report_batch_item_failures);
            }
            "efo" => {}
            _ => {
                base["poll_ms"] = r.int(&at("poll_ms"), &self.poll_ms, 0, 3_600_000);
                base["limit"] = r.int(&at("limit"), &self.limit, 1, 10_000);
                base["process_ms_per_record"] =
                    r.num(&at("process_ms_per_record"), &self.process_ms_per_record, 0.0, 60_000.0);
            }
        }
        let name = name.as_str().unwrap_or_default().to_string();
        (1..=copies)
            .map(|n| {
                let mut one = base.clone();
                one["name"] = json!(if copies == 1 { name.clone() } else { format!("{name}-{n}") });
                one
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_default_design_is_a_valid_scenario() {
        let scenario = Design::default().to_scenario(7).expect("valid");
        assert_eq!((scenario.seed, scenario.streams[0].shards), (7, Some(2)));
        assert_eq!((scenario.producers.len(), scenario.consumers.len()), (1, 1));
    }

    #[test]
    fn copies_become_numbered_consumers() {
        let mut d = Design::default();
        d.consumers[0].copies = "6".into();
        let names: Vec<String> =
            d.to_scenario(1).expect("valid").consumers.iter().map(|c| c.name().to_string()).collect();
        assert_eq!(names, ["reader-1", "reader-2", "reader-3", "reader-4", "reader-5", "reader-6"]);
    }

    #[test]
    fn bad_fields_are_named_and_all_reported() {
        let mut d = Design::default();
        d.stream.shards = "two".into();
        d.producers[0].per_second = "-5".into();
        d.consumers[0].limit = "20000".into();
        let errors = d.to_scenario(1).expect_err("invalid");
        let fields: Vec<&str> = errors.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(fields, ["streams[0].shards", "producers[0].rate.per_second", "consumers[0].limit"]);
        assert_eq!(errors[0].message, "'two' is not a whole number");
    }

    #[test]
    fn the_engines_own_checks_land_on_the_field_of_the_form_they_came_from() {
        let mut d = Design::default();
        d.consumers.insert(0, ConsumerForm { copies: "3".into(), ..ConsumerForm::default() });
        d.consumers[1].name = "efo".into();
        d.consumers[1].kind = "efo".into();
        d.producers[0].template = "{{nope.nothing}}".into();
        let errors = d.to_scenario(1).expect_err("the template does not parse");
        assert_eq!(errors.len(), 1);
        assert!(errors[0].field.starts_with("producers[0]"), "{errors:?}");
        d.producers[0].template = "{\"id\": \"{{random.uuid}}\"}".into();
        d.consumers[1].name = "bad name!".into();
        let errors = d.to_scenario(1).expect_err("an invalid consumer name");
        assert_eq!(errors[0].field, "consumers[1].name", "consumer 3 of the scenario is form 1: {errors:?}");
    }

    #[test]
    fn on_demand_streams_take_no_shard_count() {
        let mut d = Design::default();
        d.stream.mode = "on_demand".into();
        d.stream.shards = "not used".into();
        let scenario = d.to_scenario(1).expect("valid");
        assert_eq!(scenario.streams[0].shards, None);
    }
}
