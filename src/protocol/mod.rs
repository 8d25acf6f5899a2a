//! The messages between the UI (main thread) and the engine host (Web Worker): the only types that
//! cross that boundary.
//!
//! The handshake: the worker posts [`FromWorker::Ready`] with its [`PROTOCOL_VERSION`] before anything
//! else; the UI queues its messages until then and refuses a worker of another version (a stale cached
//! bundle). Every message the UI sends is answered by exactly one [`FromWorker::Snapshot`] or
//! [`FromWorker::Error`]. While playing, the UI sends [`ToWorker::Tick`] once per animation frame and
//! only when the previous answer has arrived, so the worker sends at most one snapshot per frame and a
//! slow worker is never flooded.
//!
//! Messages travel as plain JS objects (serde-wasm-bindgen), readable in the browser's devtools.
//! Bump `PROTOCOL_VERSION` whenever a type here changes shape.

pub mod streams;

use crate::engine::clients::LogLine;
use crate::engine::live::cloudwatch::StreamMinutes;
use crate::engine::live::inspect::{PageFrom, RecordPage};
use crate::engine::live::{LiveUpdate, ShardRef};
use crate::engine::metrics::Sample;
use crate::engine::rng::Seed;
use crate::engine::scenario::format::Action;
use crate::engine::snapshot::Snapshot;
use crate::engine::time::SimTime;
use serde::{Deserialize, Serialize};
use std::fmt;

/// The version both sides must agree on.
pub const PROTOCOL_VERSION: u32 = 6;

/// UI → worker.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type")]
pub enum ToWorker {
    /// Start a new run from time zero with this seed (paused, speed kept).
    Reset { seed: Seed },
    /// Let simulated time follow the wall clock at the current speed.
    Play,
    /// Stop simulated time.
    Pause,
    /// Change how many simulated seconds pass per wall second.
    SetSpeed { speed: Speed },
    /// While paused: jump to the next event and process it.
    Step,
    /// While playing: advance to where the wall clock says simulated time should be, and report.
    Tick,
    /// Replace the run with this scenario (JSON, as `kinesis-lab run` takes), paused at time zero with the
    /// scenario's seed; Reset then restarts it. A scenario that does not load changes nothing.
    LoadScenario { scenario: String },
    /// Apply a scenario action now (split, merge, UpdateShardCount, mode, workers, producers); a refusal
    /// (AWS's error) comes back as an Error and changes nothing.
    Act { action: Action },
    /// Send this shard's per-second history (all of it now, then each new second), or no shard's.
    Watch { shard: Option<ShardRef> },
    /// Send a page of this shard's stored records.
    Inspect { shard: ShardRef, from: PageFrom },
    /// Run this many simulated seconds as fast as the engine goes (not following the wall clock), over
    /// as many ticks as it takes; Pause stops it, Play stops it and plays on.
    FastForward { secs: u64 },
    /// An AWS request now, as `kinesis-lab api` takes one (`input` is the JSON body): the Firehose page
    /// browses buckets and reads objects this way. The answer comes in the reply's `answer`, an AWS
    /// error included; a request that does not parse is answered the same way and changes nothing.
    Call { id: u64, service: String, action: String, input: String },
    /// Size this design and check the answer by simulation (the answer's shards and one fewer); the
    /// check arrives in the reply's `plan_check`, a design the planner refuses as an Error.
    CheckPlan { design: crate::planner::sizing::Design },
}

/// Worker → UI.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type")]
pub enum FromWorker {
    /// The worker is up and speaks this protocol version; always its first message.
    Ready { version: u32 },
    /// The state after handling one message.
    Snapshot(Box<HostSnapshot>),
    /// A message could not be handled; nothing changed.
    Error { message: String },
    /// The worker panicked; it is unusable and must be restarted.
    Panicked { message: String },
}

/// The engine's snapshot plus the host's playback state.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct HostSnapshot {
    /// The engine's own view. On the wire its `streams` are empty and travel compactly in `streams`;
    /// the UI joins them back ([`streams::join`]).
    pub engine: Snapshot,
    /// The streams, with each layout only when it changed.
    #[serde(default)]
    pub streams: Vec<streams::StreamWire>,
    /// Whether simulated time is following the wall clock.
    pub playing: bool,
    /// The playback speed.
    pub speed: Speed,
    /// True when the last tick hit its step budget: the engine is running slower than the speed asks.
    pub behind: bool,
    /// The metric samples the engine took since the previous reply, oldest first: charts plot these
    /// exact measurements, not values caught at whatever instant a frame happened to land.
    pub samples: Vec<Sample>,
    /// The clients' log lines written since the previous reply, oldest first.
    #[serde(default)]
    pub log: Vec<LogLine>,
    /// The seconds completed since the previous reply (every stream and consumer, and the watched shard).
    #[serde(default)]
    pub live: LiveUpdate,
    /// Every stream's CloudWatch minutes, sent when a minute completes (None: unchanged).
    #[serde(default)]
    pub cloudwatch: Option<Vec<StreamMinutes>>,
    /// The page an Inspect asked for.
    #[serde(default)]
    pub page: Option<RecordPage>,
    /// The check a CheckPlan asked for.
    #[serde(default)]
    pub plan_check: Option<crate::planner::check::Check>,
    /// The answer to a Call.
    #[serde(default)]
    pub answer: Option<CallAnswer>,
    /// A fast-forward under way: from when, to when.
    #[serde(default)]
    pub fast_forward: Option<(SimTime, SimTime)>,
    /// The Parquet writer a converting stream needs, while it is not there: time waits for it.
    #[serde(default)]
    pub parquet: Option<ParquetLoad>,
    /// The Analytics module an application needs, while it is not there: time waits for it.
    #[serde(default)]
    pub analytics_module: Option<ParquetLoad>,
}

/// Where the worker's Parquet writer is, when a run needs it and does not have it yet.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum ParquetLoad {
    /// The module is being fetched; simulated time waits.
    Loading,
    /// It could not be loaded; time stays where it is.
    Failed { message: String },
}

/// The answer to [`ToWorker::Call`]: AWS's JSON body, or its `{"__type", "message"}` error.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CallAnswer {
    /// The call's id.
    pub id: u64,
    /// The body, as JSON text.
    pub body: String,
    /// True when the body is an error.
    pub error: bool,
}

/// Playback speed: simulated seconds per wall second, in tenths (×0.1 = 1, ×1000 = 10,000).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "u32", into = "u32")]
pub struct Speed(u32);

impl Speed {
    /// ×0.1, the slowest speed.
    pub const MIN: Speed = Speed(1);
    /// ×1, real time.
    pub const REAL_TIME: Speed = Speed(10);
    /// ×1000, the fastest speed.
    pub const MAX: Speed = Speed(10_000);
    /// The speeds the UI offers.
    pub const PRESETS: [Speed; 10] = [
        Speed(1),
        Speed(5),
        Speed(10),
        Speed(20),
        Speed(50),
        Speed(100),
        Speed(300),
        Speed(1_000),
        Speed(3_000),
        Speed(10_000),
    ];

    /// The speed in tenths, or an error outside ×0.1 … ×1000.
    pub fn from_tenths(tenths: u32) -> Result<Speed, SpeedError> {
        if (Self::MIN.0..=Self::MAX.0).contains(&tenths) {
            Ok(Speed(tenths))
        } else {
            Err(SpeedError(tenths))
        }
    }

    /// The speed in tenths.
    pub fn tenths(self) -> u32 {
        self.0
    }

    /// The multiplier as a plain decimal, as written in a URL: `0.1`, `2.5`, `1000`.
    pub fn decimal(self) -> String {
        match self.0 % 10 {
            0 => format!("{}", self.0 / 10),
            tenth => format!("{}.{tenth}", self.0 / 10),
        }
    }
}

impl Default for Speed {
    fn default() -> Self {
        Speed::REAL_TIME
    }
}

/// `×0.1`, `×1`, `×2.5`, `×1000`.
impl fmt::Display for Speed {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "×{}", self.decimal())
    }
}

/// Parses the speed as written in a URL: `0.1`, `1`, `2.5`, `1000` (an optional leading `x` or `×`).
impl std::str::FromStr for Speed {
    type Err = String;
    fn from_str(text: &str) -> Result<Speed, String> {
        let bad = || format!("speed '{text}' is not a number from 0.1 to 1000 with at most one decimal");
        let digits = text.trim().trim_start_matches(['x', '×']);
        let (whole, tenth) = digits.split_once('.').unwrap_or((digits, "0"));
        let all_digits = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
        if !all_digits(whole) || !all_digits(tenth) || tenth.len() != 1 || whole.len() > 5 {
            return Err(bad());
        }
        let tenths = whole.parse::<u32>().map_err(|_| bad())? * 10 + tenth.parse::<u32>().map_err(|_| bad())?;
        Speed::from_tenths(tenths).map_err(|_| bad())
    }
}

impl TryFrom<u32> for Speed {
    type Error = SpeedError;
    fn try_from(tenths: u32) -> Result<Speed, SpeedError> {
        Speed::from_tenths(tenths)
    }
}

impl From<Speed> for u32 {
    fn from(speed: Speed) -> u32 {
        speed.0
    }
}

/// A speed outside ×0.1 … ×1000.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct SpeedError(u32);

impl fmt::Display for SpeedError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "speed {} tenths is outside ×0.1 … ×1000 (1 … 10000 tenths)", self.0)
    }
}

impl std::error::Error for SpeedError {}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn speeds_are_bounded() {
        assert!(Speed::from_tenths(0).is_err());
        assert!(Speed::from_tenths(10_001).is_err());
        assert_eq!(Speed::from_tenths(1), Ok(Speed::MIN));
        assert!(Speed::PRESETS.windows(2).all(|w| w[0] < w[1]));
        assert_eq!((Speed::PRESETS[0], Speed::PRESETS[9]), (Speed::MIN, Speed::MAX));
    }

    #[test]
    fn speeds_print_and_parse() {
        let printed: Vec<String> =
            [Speed::MIN, Speed(25), Speed::REAL_TIME, Speed::MAX].iter().map(|s| s.to_string()).collect();
        assert_eq!(printed, ["×0.1", "×2.5", "×1", "×1000"]);
        assert_eq!("0.1".parse(), Ok(Speed::MIN));
        assert_eq!("x1000".parse(), Ok(Speed::MAX));
        assert_eq!("2.5".parse(), Ok(Speed(25)));
        for bad in ["", "0", "1001", "fast", "1.25", "-1", ".5", "1e3", "99999999999"] {
            assert!(bad.parse::<Speed>().is_err(), "{bad} should not parse");
        }
    }

    #[test]
    fn messages_have_a_stable_wire_shape() {
        let msg = ToWorker::SetSpeed { speed: Speed::MAX };
        assert_eq!(serde_json::to_value(&msg).expect("serialises"), json!({"type": "SetSpeed", "speed": 10000}));
        let back: ToWorker = serde_json::from_value(json!({"type": "Reset", "seed": 7})).expect("valid message");
        assert_eq!(back, ToWorker::Reset { seed: Seed(7) });
        let ready = serde_json::to_value(FromWorker::Ready { version: PROTOCOL_VERSION }).expect("serialises");
        assert_eq!(ready, json!({"type": "Ready", "version": PROTOCOL_VERSION}));
    }

    #[test]
    fn a_scenario_travels_as_its_json_text() {
        let msg = ToWorker::LoadScenario { scenario: "{}".into() };
        assert_eq!(serde_json::to_value(&msg).expect("serialises"), json!({"type": "LoadScenario", "scenario": "{}"}));
    }

    #[test]
    fn out_of_range_speeds_are_rejected_on_the_wire() {
        let err = serde_json::from_value::<ToWorker>(json!({"type": "SetSpeed", "speed": 0})).expect_err("speed 0");
        assert!(err.to_string().contains("outside"), "{err}");
        assert!(serde_json::from_value::<ToWorker>(json!({"type": "Warp"})).is_err());
    }
}
