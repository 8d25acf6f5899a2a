//! Amazon Kinesis Data Analytics, simulated (spec firehose-analytics.md §2 and §3): the KDA SQL subset
//! ([`sql`]) and the Flink-style pipelines, on one model of windows ([`window`]) and event-time
//! watermarks ([`watermark`]) over rows of [`value::Value`]s.
//!
//! Built so far: window assignment and session merging, watermark generation with idleness, values with
//! their SQL types, and SQL applications ([`sql::app`]: pumps, tumbling, sliding and stagger windows,
//! reference joins, TOP_K_ITEMS_TUMBLING, an approximate RANDOM_CUT_FOREST, `error_stream`) run by
//! `kinesis-lab analytics --sql` ([`batch`]). Not built yet: the Flink-style pipelines and their
//! checkpoints, stream-to-stream joins, sources and sinks in the simulated account, and the page.

pub mod aggregate;
pub mod batch;
pub mod compare;
pub mod examples;
pub mod expr;
pub mod flink;
pub mod sql;
pub mod value;
pub mod watermark;
pub mod window;
