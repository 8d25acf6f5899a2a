//! Kinesis Data Streams: streams, shards, records, iterators, capacity and resharding, as AWS runs them.

pub mod actions;
pub mod bucket;
pub mod datetime;
pub mod error;
pub mod hashing;
pub mod ids;
pub mod limits;
pub mod record;
pub mod sequence;
pub mod settings;
pub mod shard;
pub mod types;
