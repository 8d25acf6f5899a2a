//! The control plane (Kinesis Data Analytics v2 API): CreateApplication reads ApplicationConfiguration
//! into an [`Application`], checking what KDA checks (§2.1, §2.2, §3.1); DescribeApplication answers with
//! ApplicationDetail.
//!
//! A SQL application (`SQL-1_0`) takes its code as PLAINTEXT, one KinesisStreamsInput or KinesisFirehoseInput with an InputSchema,
//! and up to three outputs to KDS or Firehose. A Flink application takes the lab's pipeline JSON as its
//! PLAINTEXT code [SIM] (the lab cannot run a JAR) and reads the stream its `ConsumerConfigProperties`
//! group names with `INPUT_STREAM`, starting at `flink.stream.initpos` (LATEST by default), as the
//! Kinesis connector does.

use super::application::{Application, Config, Destination, Input, SqlOutput, Stats, Status};
use super::error::AnalyticsError;
use super::flink::pipeline::{PARALLELISM_MAX, PARALLELISM_PER_KPU_MAX};
use super::runtime::{Declared, RuntimeFactory, RuntimeSpec};
use crate::engine::firehose::kinesis_source::stream_name;
use crate::engine::kds::types::ShardIteratorType;
use crate::engine::time::SimTime;
use serde_json::{json, Value as Json};
use std::collections::VecDeque;

/// SQL code's largest size (§2.2).
pub const SQL_CODE_MAX: usize = 100 * 1024;
/// Outputs per SQL application (§2.2).
pub const OUTPUTS_MAX: usize = 3;
/// The SQL in-application input stream's prefix, as the console names it.
pub const NAME_PREFIX: &str = "SOURCE_SQL_STREAM";

fn text<'a>(v: &'a Json, path: &str) -> Option<&'a str> {
    v.pointer(path).and_then(Json::as_str)
}

/// An exception name from a runtime as one of the service's.
fn code_of(name: &str) -> &'static str {
    match name {
        "CodeValidationException" => "CodeValidationException",
        "InvalidApplicationConfigurationException" => "InvalidApplicationConfigurationException",
        _ => "InvalidArgumentException",
    }
}

/// Checks `spec` by starting it with `factory`: what the code declares.
pub fn check(spec: &RuntimeSpec, factory: RuntimeFactory) -> Result<Declared, AnalyticsError> {
    factory(spec)
        .map(|(_, declared)| declared)
        .map_err(|(code, message)| AnalyticsError { code: code_of(&code), message })
}

/// Builds the application CreateApplication describes, its code checked by `factory`.
pub fn create(body: &Json, arn: String, now: SimTime, factory: RuntimeFactory) -> Result<Application, AnalyticsError> {
    let name = text(body, "/ApplicationName").unwrap_or_default().to_string();
    let runtime = text(body, "/RuntimeEnvironment").unwrap_or_default().to_string();
    let configuration = body.get("ApplicationConfiguration").cloned().unwrap_or_else(|| json!({}));
    let code = text(&configuration, "/ApplicationCodeConfiguration/CodeContent/TextContent")
        .ok_or_else(|| {
            AnalyticsError::invalid_argument(
                "ApplicationCodeConfiguration.CodeContent.TextContent is required: the lab runs PLAINTEXT code \
                 (SQL, or the lab's pipeline JSON for a Flink runtime)",
            )
        })?
        .to_string();
    let (config, spec, input, start_position) = if runtime == "SQL-1_0" {
        sql_config(&configuration, code.clone(), factory)?
    } else if runtime.starts_with("FLINK-") {
        flink_config(&configuration, code.clone(), factory)?
    } else {
        return Err(AnalyticsError::invalid_argument(format!(
            "RuntimeEnvironment {runtime} is not one the lab runs: SQL-1_0 or FLINK-1_11 … FLINK-1_20"
        )));
    };
    Ok(Application {
        name,
        arn,
        description: text(body, "/ApplicationDescription").unwrap_or_default().to_string(),
        runtime,
        role: text(body, "/ServiceExecutionRole").unwrap_or_default().to_string(),
        code,
        status: Status::Ready,
        version_id: 1,
        created: now,
        updated: now,
        config,
        spec,
        input,
        start_position,
        configuration,
        settles_at: None,
        run: None,
        stats: Stats::default(),
        results: VecDeque::new(),
        metrics: Default::default(),
    })
}

/// The name in a delivery stream ARN; `what` names the member in the error.
fn delivery_stream_name<'a>(arn: &'a str, what: &str) -> Result<&'a str, AnalyticsError> {
    arn.split_once(":deliverystream/").map(|(_, n)| n).filter(|n| !n.is_empty()).ok_or_else(|| {
        AnalyticsError::invalid_argument(format!("{what}.ResourceARN {arn} is not a delivery stream ARN"))
    })
}

fn destination(output: &Json, i: usize) -> Result<Destination, AnalyticsError> {
    let arn = |key: &str| text(output, &format!("/{key}/ResourceARN"));
    if let Some(arn) = arn("KinesisStreamsOutput") {
        let name = stream_name(arn).ok_or_else(|| {
            AnalyticsError::invalid_argument(format!(
                "Outputs[{i}].KinesisStreamsOutput.ResourceARN {arn} is not a stream ARN"
            ))
        })?;
        return Ok(Destination::Kinesis(name.to_string()));
    }
    if let Some(arn) = arn("KinesisFirehoseOutput") {
        let name = delivery_stream_name(arn, &format!("Outputs[{i}].KinesisFirehoseOutput"))?;
        return Ok(Destination::Firehose(name.to_string()));
    }
    if output.get("LambdaOutput").is_some() {
        return Err(AnalyticsError::invalid_argument(format!(
            "Outputs[{i}]: LambdaOutput is not simulated yet; use KinesisStreamsOutput or KinesisFirehoseOutput"
        )));
    }
    Err(AnalyticsError::invalid_argument(format!(
        "Outputs[{i}] needs one of KinesisStreamsOutput, KinesisFirehoseOutput, LambdaOutput"
    )))
}

type Built = (Config, RuntimeSpec, Input, ShardIteratorType);

fn sql_config(c: &Json, code: String, factory: RuntimeFactory) -> Result<Built, AnalyticsError> {
    if code.len() > SQL_CODE_MAX {
        return Err(AnalyticsError::code_validation(format!(
            "Application code is {} bytes; the limit is {SQL_CODE_MAX} bytes",
            code.len()
        )));
    }
    let sql = c.get("SqlApplicationConfiguration").cloned().unwrap_or_else(|| json!({}));
    let inputs = sql["Inputs"].as_array().cloned().unwrap_or_default();
    let [input] = inputs.as_slice() else {
        return Err(AnalyticsError::invalid_configuration(format!(
            "A SQL application has exactly one streaming input, not {}",
            inputs.len()
        )));
    };
    let prefix = input["NamePrefix"].as_str().unwrap_or(NAME_PREFIX);
    if prefix != NAME_PREFIX {
        return Err(AnalyticsError::invalid_argument(format!(
            "NamePrefix {prefix}: the lab names the in-application input stream {NAME_PREFIX}_001, so NamePrefix must be {NAME_PREFIX}"
        )));
    }
    match input.pointer("/InputParallelism/Count").and_then(Json::as_i64).unwrap_or(1) {
        1 => {}
        n @ 2..=64 => {
            return Err(AnalyticsError::invalid_argument(format!(
                "InputParallelism {n}: the lab runs one in-application input stream; more are not simulated yet"
            )))
        }
        n => {
            return Err(AnalyticsError::invalid_argument(format!(
                "InputParallelism.Count must be from 1 to 64, not {n}"
            )))
        }
    }
    let source =
        match (text(input, "/KinesisStreamsInput/ResourceARN"), text(input, "/KinesisFirehoseInput/ResourceARN")) {
            (Some(arn), None) => Input::Kds(
                stream_name(arn)
                    .ok_or_else(|| {
                        AnalyticsError::invalid_argument(format!(
                            "KinesisStreamsInput.ResourceARN {arn} is not a stream ARN"
                        ))
                    })?
                    .to_string(),
            ),
            (None, Some(arn)) => {
                Input::Firehose(delivery_stream_name(arn, "Inputs[0].KinesisFirehoseInput")?.to_string())
            }
            _ => return Err(AnalyticsError::invalid_argument(
                "Inputs[0] needs exactly one of KinesisStreamsInput.ResourceARN and KinesisFirehoseInput.ResourceARN",
            )),
        };
    if sql.get("ReferenceDataSources").and_then(Json::as_array).is_some_and(|r| !r.is_empty()) {
        return Err(AnalyticsError::invalid_argument(
            "ReferenceDataSources are not simulated in the account yet (kinesis-lab analytics --reference runs them)",
        ));
    }
    let outputs_json = sql["Outputs"].as_array().cloned().unwrap_or_default();
    if outputs_json.len() > OUTPUTS_MAX {
        return Err(AnalyticsError::limit(format!(
            "An application can have at most {OUTPUTS_MAX} outputs, not {}",
            outputs_json.len()
        )));
    }
    let mut outputs = Vec::new();
    for (i, o) in outputs_json.iter().enumerate() {
        let name = o["Name"]
            .as_str()
            .filter(|n| !n.is_empty())
            .ok_or_else(|| AnalyticsError::invalid_argument(format!("Outputs[{i}] needs a Name")))?;
        let csv = match text(o, "/DestinationSchema/RecordFormatType") {
            Some("CSV") => true,
            Some("JSON") => false,
            other => {
                return Err(AnalyticsError::invalid_argument(format!(
                    "Outputs[{i}].DestinationSchema.RecordFormatType must be JSON or CSV, not {}",
                    other.unwrap_or("missing")
                )))
            }
        };
        outputs.push(SqlOutput { name: name.to_string(), destination: destination(o, i)?, csv });
    }
    // Check the code now, as CreateApplication does: a parse or validation error names line and column.
    let spec =
        RuntimeSpec { sql: true, code, schema: input["InputSchema"].clone(), parallelism: None, checkpoints: None };
    let declared = check(&spec, factory)?;
    if let Some(o) = outputs.iter().find(|o| o.name != "error_stream" && !declared.streams.contains(&o.name)) {
        return Err(AnalyticsError::invalid_configuration(format!(
            "Output {}: the application code creates no in-application stream of that name (names are case-sensitive)",
            o.name
        )));
    }
    Ok((Config::Sql { outputs }, spec, source, ShardIteratorType::Latest))
}

fn flink_config(c: &Json, code: String, factory: RuntimeFactory) -> Result<Built, AnalyticsError> {
    let flink = c.get("FlinkApplicationConfiguration").cloned().unwrap_or_else(|| json!({}));
    let custom = |path: &str| text(&flink, &format!("{path}/ConfigurationType")) == Some("CUSTOM");
    let parallelism = if custom("/ParallelismConfiguration") {
        let p = &flink["ParallelismConfiguration"];
        let number = |key: &str, max: u32, default: u32| -> Result<u32, AnalyticsError> {
            match p.get(key).and_then(Json::as_i64) {
                None => Ok(default),
                Some(n) if (1..=max as i64).contains(&n) => Ok(n as u32),
                Some(n) => Err(AnalyticsError::invalid_argument(format!("{key} must be from 1 to {max}, not {n}"))),
            }
        };
        (number("Parallelism", PARALLELISM_MAX, 1)?, number("ParallelismPerKPU", PARALLELISM_PER_KPU_MAX, 1)?)
    } else {
        (1, 1)
    };
    // ConfigurationType DEFAULT forces KDA's checkpoint settings whatever the code says (§3.5).
    let checkpoints = if custom("/CheckpointConfiguration") {
        let cp = &flink["CheckpointConfiguration"];
        let enabled = cp["CheckpointingEnabled"].as_bool().unwrap_or(true);
        let interval = cp["CheckpointInterval"].as_i64().unwrap_or(60_000);
        let pause = cp["MinPauseBetweenCheckpoints"].as_i64().unwrap_or(5_000);
        if interval < 1 || pause < 0 {
            return Err(AnalyticsError::invalid_argument(
                "CheckpointInterval must be at least 1 and MinPauseBetweenCheckpoints at least 0",
            ));
        }
        enabled.then_some((interval, pause))
    } else {
        Some((60_000, 5_000))
    };
    let groups =
        c.pointer("/EnvironmentProperties/PropertyGroups").and_then(Json::as_array).cloned().unwrap_or_default();
    let consumer = groups
        .iter()
        .find(|g| g["PropertyGroupId"] == "ConsumerConfigProperties")
        .map(|g| g["PropertyMap"].clone())
        .unwrap_or_default();
    let stream = consumer["INPUT_STREAM"].as_str().filter(|s| !s.is_empty()).ok_or_else(|| {
        AnalyticsError::invalid_configuration(
            "the Flink application needs the property group ConsumerConfigProperties with INPUT_STREAM, the Kinesis stream it reads",
        )
    })?;
    let position = match consumer["flink.stream.initpos"].as_str().unwrap_or("LATEST") {
        "LATEST" => ShardIteratorType::Latest,
        "TRIM_HORIZON" => ShardIteratorType::TrimHorizon,
        other => {
            return Err(AnalyticsError::invalid_argument(format!(
                "flink.stream.initpos {other}: the lab reads LATEST or TRIM_HORIZON"
            )))
        }
    };
    let spec = RuntimeSpec { sql: false, code, schema: Json::Null, parallelism: Some(parallelism), checkpoints };
    let declared = check(&spec, factory)?;
    let (kind, sink_name, partition_key) =
        declared.sink.clone().unwrap_or_else(|| ("table".into(), "results".into(), None));
    let sink = match kind.as_str() {
        "kinesis" if sink_name == stream => {
            return Err(AnalyticsError::invalid_configuration(format!("the job would read and write {sink_name}")))
        }
        "kinesis" => Destination::Kinesis(sink_name.clone()),
        "firehose" => Destination::Firehose(sink_name.clone()),
        _ => Destination::Table,
    };
    let config = Config::Flink { sink, sink_name, partition_key, kpus: declared.kpus };
    Ok((config, spec, Input::Kds(stream.to_string()), position))
}

/// ApplicationDetail, as DescribeApplication answers it.
pub fn detail(app: &Application, epoch_ms: u64) -> Json {
    let seconds = |t: SimTime| (epoch_ms + t.as_micros() / 1_000) as f64 / 1_000.0;
    let mut d = json!({
        "ApplicationARN": app.arn,
        "ApplicationName": app.name,
        "ApplicationDescription": app.description,
        "RuntimeEnvironment": app.runtime,
        "ServiceExecutionRole": app.role,
        "ApplicationStatus": app.status.as_str(),
        "ApplicationVersionId": app.version_id,
        "CreateTimestamp": seconds(app.created),
        "LastUpdateTimestamp": seconds(app.updated),
        "ApplicationConfigurationDescription": app.configuration,
    });
    if let (Some((p, per_kpu)), false) = (app.spec.parallelism, app.spec.sql) {
        let checkpoints = app.spec.checkpoints;
        d["ApplicationConfigurationDescription"]["FlinkApplicationConfigurationDescription"] = json!({
            "ParallelismConfigurationDescription": {
                "Parallelism": p,
                "ParallelismPerKPU": per_kpu,
                "CurrentParallelism": p,
            },
            "CheckpointConfigurationDescription": {
                "CheckpointingEnabled": checkpoints.is_some(),
                "CheckpointInterval": checkpoints.map_or(0, |c| c.0),
                "MinPauseBetweenCheckpoints": checkpoints.map_or(0, |c| c.1),
            },
        });
    }
    d
}
