//! The Firehose pipeline benchmark (issue 7 §10): Direct PUT → a Lambda transform (`enrich`, which parses
//! and re-serialises each JSON record) → GZIP → S3, through the whole engine. PutRecordBatch calls of 500
//! JSON records of about 100 bytes advance simulated time at 90 % of the 2023 quota's 5 MiB/s, so the
//! quota buckets are exercised but not exhausted. It reports records per wall second end to end (from the
//! first put to the last object written) and checks that every record was delivered.

use crate::engine::firehose::compress::Compression;
use crate::engine::firehose::control::CreateInput;
use crate::engine::firehose::destination::ExtendedS3Configuration;
use crate::engine::firehose::profile::{BufferingHints, FidelityProfile};
use crate::engine::firehose::settings::FirehoseSettings;
use crate::engine::firehose::FirehoseRequest;
use crate::engine::functions::{Environment, FunctionInput, LambdaRequest};
use crate::engine::rng::Seed;
use crate::engine::runner::Runner;
use crate::engine::time::{SimDuration, SimTime};
use crate::engine::{Command, CommandId, Engine, EngineConfig, Input, Output};
use serde::Serialize;
use serde_json::json;

/// The outcome of one Firehose pipeline run.
#[derive(Clone, Debug, Serialize)]
pub struct FirehoseReport {
    /// Records put.
    pub records: usize,
    /// Records delivered to S3 (must equal `records`).
    pub delivered: u64,
    /// Objects written.
    pub objects: u64,
    /// Bytes before and after GZIP.
    pub raw_bytes: u64,
    pub gzip_bytes: u64,
    /// Records per wall second, end to end.
    pub records_per_sec: f64,
    /// Simulated seconds covered.
    pub simulated_secs: f64,
}

/// Runs the pipeline once for `records` records; `clock` returns wall seconds (any origin).
pub fn pipeline(records: usize, clock: &dyn Fn() -> f64) -> FirehoseReport {
    let firehose = FirehoseSettings { profile: FidelityProfile::Docs2023, ..FirehoseSettings::default() };
    let mut runner = Runner::new(Engine::new(EngineConfig { firehose, ..EngineConfig::with_seed(Seed(1)) }));
    let mut id = 0;
    let mut send = |runner: &mut Runner, at: SimTime, cmd: Command| {
        id += 1;
        runner.run_until(at, u64::MAX, &mut |_| {});
        runner.engine_mut().handle_input(at, Input::Command { id: CommandId(id), cmd });
        loop {
            match runner.engine_mut().poll_output() {
                Output::Timeout(_) => break,
                Output::Reply { result: Err(e), .. } => panic!("the bench request failed: {e:?}"),
                _ => {}
            }
        }
    };
    let variables = [("FIELD".to_string(), "source".to_string()), ("VALUE".to_string(), "bench".to_string())];
    let function = FunctionInput {
        function_name: "enrich".into(),
        handler: Some("enrich".into()),
        timeout: Some(60),
        environment: Some(Environment { variables: variables.into_iter().collect() }),
    };
    send(&mut runner, SimTime::ZERO, Command::Lambda(LambdaRequest::CreateFunction(function)));
    let processing = json!({"Enabled": true, "Processors": [{"Type": "Lambda", "Parameters": [
        {"ParameterName": "LambdaArn", "ParameterValue": "arn:aws:lambda:us-east-1:123456789012:function:enrich"},
        {"ParameterName": "BufferSizeInMBs", "ParameterValue": "1"},
    ]}]});
    let config = ExtendedS3Configuration {
        role_arn: Some("arn:aws:iam::123456789012:role/firehose".into()),
        bucket_arn: Some("arn:aws:s3:::bench".into()),
        buffering_hints: Some(BufferingHints { size_in_mbs: Some(5), interval_in_seconds: Some(60) }),
        compression_format: Some(Compression::Gzip),
        processing_configuration: Some(processing),
        ..ExtendedS3Configuration::default()
    };
    let create =
        CreateInput { delivery_stream_name: "bench".into(), extended_s3: Some(config), ..CreateInput::default() };
    send(&mut runner, SimTime::ZERO, Command::Firehose(FirehoseRequest::CreateDeliveryStream(Box::new(create))));
    let start = SimTime::from_secs(10);
    // 90 % of 5 MiB/s in 500-record batches of ~100-byte records.
    let batch: Vec<Vec<u8>> =
        (0..500).map(|i| format!("{{\"station\":{},\"action\":\"DOCKED\",\"price\":{}.25,\"pad\":\"xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx\"}}", i % 40, i % 9).into_bytes()).collect();
    let batch_bytes: usize = batch.iter().map(Vec::len).sum();
    let step = SimDuration::from_micros((batch_bytes as u64 * 1_000_000) / (5 * 1024 * 1024 * 9 / 10));
    let mut now = start;
    let t0 = clock();
    for _ in 0..records.div_ceil(500) {
        let put = FirehoseRequest::PutRecordBatch { name: "bench".into(), records: batch.clone() };
        send(&mut runner, now, Command::Firehose(put));
        now += step;
    }
    // Drain: every buffer flushes within two intervals after the last put.
    let end = now + SimDuration::from_secs(200);
    runner.run_until(end, u64::MAX, &mut |_| {});
    let wall = clock() - t0;
    let s = &runner.engine().firehose().streams()["bench"];
    let gzip_bytes = runner.engine().s3().bucket("bench").map_or(0, |b| b.objects.values().map(|o| o.size).sum());
    FirehoseReport {
        records: records.div_ceil(500) * 500,
        delivered: s.totals.delivered_records,
        objects: s.totals.objects,
        raw_bytes: s.totals.delivered_bytes,
        gzip_bytes,
        records_per_sec: s.totals.delivered_records as f64 / wall,
        simulated_secs: (end - SimTime::ZERO).as_micros() as f64 / 1e6,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_small_run_delivers_every_record_gzipped() {
        let t = std::cell::Cell::new(0.0);
        let clock = || {
            t.set(t.get() + 1.0);
            t.get()
        };
        let r = pipeline(5_000, &clock);
        assert_eq!((r.records, r.delivered), (5_000, 5_000));
        assert!(r.objects >= 1 && r.gzip_bytes > 0 && r.gzip_bytes < r.raw_bytes / 3, "{r:?}");
    }
}
