//! Capacity planning for Kinesis Data Streams: the shard-sizing formula and the cost model (spec kds.md
//! §5.2, §5.6), with a check of the formula's answer by simulation.

pub mod check;
pub mod cost;
pub mod report;
pub mod sizing;
