//! Amazon Kinesis Data Analytics, simulated (spec firehose-analytics.md §2 and §3): the KDA SQL subset
//! ([`sql`]) and the Flink-style pipelines, on one model of windows ([`window`]) and event-time
//! watermarks ([`watermark`]) over rows of [`value::Value`]s.
//!
//! Built so far: window assignment and session merging, watermark generation with idleness, values with
//! their SQL types, and the SQL lexer and parser. Not built yet: running applications (pumps, windows,
//! joins, table functions), pipelines, checkpoints, the `kinesis-lab analytics` command and the page.

pub mod aggregate;
pub mod expr;
pub mod sql;
pub mod value;
pub mod watermark;
pub mod window;
