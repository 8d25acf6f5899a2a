//! Engine-level metric samples, emitted as `Output::Metrics` at a fixed simulated interval.
//!
//! Service metrics (CloudWatch's `AWS/Kinesis` names, 1-minute periods) join this module as the
//! services land; the engine sample below is what the shell's live chart plots.

use super::time::{SimDuration, SimTime};
use serde::{Deserialize, Serialize};

/// How often the engine samples its counters unless configured otherwise.
pub const SAMPLE_INTERVAL_DEFAULT: SimDuration = SimDuration::from_secs(1);

/// The engine's counters at one instant.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Sample {
    /// When the sample was taken.
    pub at: SimTime,
    /// Events the engine had processed by then (timers fired, commands handled).
    pub events_processed: u64,
}
