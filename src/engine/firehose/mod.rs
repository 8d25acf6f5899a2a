//! Amazon Data Firehose (the book's Kinesis Data Firehose), simulated (spec firehose-analytics.md §1).
//!
//! Built so far, natively tested: the fidelity profiles with each destination's buffering-hint ranges
//! ([`profile`]), the buffering rule itself ([`buffer`]), Direct PUT admission with its size limits and
//! throughput quota ([`ingest`]) and the errors ([`error`]). Firehose streams, the KDS source, transforms,
//! partitioning, conversion, destinations, metrics and the API are not built yet.

pub mod buffer;
pub mod error;
pub mod ingest;
pub mod profile;
