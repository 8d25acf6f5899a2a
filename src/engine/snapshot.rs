//! The serde view of the engine that crosses to the UI: plain data, no behaviour.

use super::rng::Seed;
use super::time::SimTime;
use serde::{Deserialize, Serialize};

/// What the engine looks like at one instant.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Snapshot {
    /// The simulated time the engine has reached.
    pub now: SimTime,
    /// The seed the run replays from.
    pub seed: Seed,
    /// Events processed since the run began (timers fired, commands handled).
    pub events_processed: u64,
    /// Timers scheduled and not yet fired.
    pub timers_pending: u64,
    /// When the next event is due, if any.
    pub next_event_at: Option<SimTime>,
}
