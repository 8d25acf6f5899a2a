//! The Flink-style engine (spec firehose-analytics.md §3): a pipeline written as JSON ([`pipeline`]) runs
//! as a job ([`job`]) with event-time or processing-time windows, watermarks, allowed lateness, a late
//! side output, incremental aggregates or process-window functions, and checkpoints it restores from.

pub mod job;
pub mod pipeline;
