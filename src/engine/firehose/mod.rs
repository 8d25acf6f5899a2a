//! Amazon Data Firehose (the book's Kinesis Data Firehose), simulated (spec firehose-analytics.md §1).
//!
//! Built so far: the fidelity profiles with each destination's buffering-hint ranges ([`profile`]) and the
//! buffering rule itself ([`buffer`]). Firehose streams, ingestion, transforms, partitioning, conversion,
//! destinations, metrics and the API are not built yet.

pub mod buffer;
pub mod profile;
