//! Shared helpers for the simulation tests.

use kinesis_lab::api::replay::Replay;
use kinesis_lab::engine::kds::settings::KdsSettings;
use kinesis_lab::engine::rng::Seed;
use kinesis_lab::engine::EngineConfig;
use serde_json::{json, Value};

/// The seed a test runs with: `KLAB_SEED` when set (to replay a failure), else `default`.
/// Tests print it on failure so any run can be reproduced.
pub fn seed(default: u64) -> Seed {
    let seed = std::env::var("KLAB_SEED").ok().and_then(|s| s.parse().ok()).unwrap_or(default);
    Seed(seed)
}

/// A simulated account driven through the JSON API, exactly as `kinesis-lab api` drives it.
pub struct Api {
    replay: Replay,
    /// The last simulated millisecond used.
    pub now_ms: u64,
    /// Finished SubscribeToShard answers, in the order they ended.
    pub event_streams: Vec<Value>,
}

/// The account id every test account uses.
pub const ACCOUNT: &str = "123456789012";

impl Api {
    /// A fresh account with default settings.
    pub fn new() -> Api {
        Api::with(KdsSettings::default())
    }

    /// A fresh account with these settings.
    pub fn with(kds: KdsSettings) -> Api {
        Api {
            replay: Replay::new(EngineConfig { kds, ..EngineConfig::with_seed(seed(1)) }),
            now_ms: 0,
            event_streams: Vec::new(),
        }
    }

    /// Sends one request at `at_ms`; the output body, or (`__type`, message). A SubscribeToShard that
    /// opened a stream answers `null` now; its answer lands in `event_streams` when the stream ends.
    pub fn call(&mut self, at_ms: u64, action: &str, input: Value) -> Result<Value, (String, String)> {
        self.call_service(at_ms, "kinesis", action, input)
    }

    /// Sends one request to `service` (kinesis, cloudwatch, firehose, s3) at `at_ms`.
    pub fn call_service(
        &mut self,
        at_ms: u64,
        service: &str,
        action: &str,
        input: Value,
    ) -> Result<Value, (String, String)> {
        self.now_ms = at_ms;
        let line = json!({"at_ms": at_ms, "service": service, "action": action, "input": input}).to_string();
        let lines = self.replay.handle_line(&line);
        let Some(out) = self.file(lines) else { return Ok(Value::Null) };
        assert_eq!(out["action"], action);
        match out.get("output") {
            Some(body) => Ok(body.clone()),
            None => Err((
                out["error"]["__type"].as_str().unwrap_or("").into(),
                out["error"]["message"].as_str().unwrap_or("").into(),
            )),
        }
    }

    /// Ends the input: open subscriptions run to their end.
    pub fn finish(&mut self) {
        let lines = self.replay.finish();
        assert!(self.file(lines).is_none(), "finish answers only subscriptions");
    }

    /// Keeps finished event streams; returns the line answering the current request, if any.
    fn file(&mut self, lines: Vec<String>) -> Option<Value> {
        let mut own = None;
        for line in lines {
            let out: Value = serde_json::from_str(&line).expect("every output line is JSON");
            if out["output"].get("EventStream").is_some() {
                self.event_streams.push(out);
            } else {
                assert!(own.replace(out).is_none(), "one answer per request");
            }
        }
        own
    }

    /// Sends a request that must succeed.
    pub fn ok(&mut self, at_ms: u64, action: &str, input: Value) -> Value {
        self.call(at_ms, action, input.clone()).unwrap_or_else(|e| panic!("{action} {input} failed: {e:?}"))
    }

    /// Sends a request that must fail; returns (`__type`, message).
    pub fn err(&mut self, at_ms: u64, action: &str, input: Value) -> (String, String) {
        match self.call(at_ms, action, input.clone()) {
            Ok(body) => panic!("{action} {input} should have failed but returned {body}"),
            Err(e) => e,
        }
    }

    /// Creates a provisioned stream at `at_ms` and returns when it is ACTIVE (10 s later, the default).
    pub fn active_stream(&mut self, at_ms: u64, name: &str, shards: u64) -> u64 {
        self.ok(at_ms, "CreateStream", json!({"StreamName": name, "ShardCount": shards}));
        at_ms + 10_000
    }

    /// The records of a shard from TRIM_HORIZON (one GetRecords call).
    pub fn read_all(&mut self, at_ms: u64, stream: &str, shard: &str) -> Vec<Value> {
        let it = self.ok(
            at_ms,
            "GetShardIterator",
            json!({"StreamName": stream, "ShardId": shard, "ShardIteratorType": "TRIM_HORIZON"}),
        );
        let out = self.ok(at_ms, "GetRecords", json!({"ShardIterator": it["ShardIterator"]}));
        out["Records"].as_array().cloned().unwrap_or_default()
    }
}

/// Base64 of a UTF-8 text, for Data.
pub fn b64(text: &str) -> String {
    use base64::Engine as _;
    base64::engine::general_purpose::STANDARD.encode(text)
}

/// Property-test settings: a fixed RNG seed (from `KLAB_SEED`, so a CI failure replays exactly) and
/// `cases` cases unless `PROPTEST_CASES` asks for more or fewer.
pub fn proptest_config(cases: u32) -> proptest::test_runner::Config {
    let cases = std::env::var("PROPTEST_CASES").ok().and_then(|c| c.parse().ok()).unwrap_or(cases);
    proptest::test_runner::Config {
        cases,
        rng_seed: proptest::test_runner::RngSeed::Fixed(seed(0x5eed).0),
        ..proptest::test_runner::Config::default()
    }
}
