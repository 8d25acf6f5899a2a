//! What simulated producers send: record templates (Kinesis Data Generator syntax), rate profiles,
//! partition-key strategies and record-size distributions (spec kds.md §4.2, §4.7, §6).
//!
//! Everything here is a pure description plus the draws it makes from a [`SimRng`](super::rng::SimRng);
//! the producers that act on it live in `clients`.

pub mod faker;
pub mod keys;
pub mod moment;
pub mod rate;
pub mod size;
pub mod template;
pub mod words;
