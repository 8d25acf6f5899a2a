//! Pure derivations from snapshots to what the UI shows: chart series, labels, rows, URL state.
//!
//! Everything here is plain Rust with native tests; UI components only read these results.

pub mod analytics;
pub mod analytics_apps;
pub mod charts;
pub mod cloudwatch;
pub mod design;
pub mod destinations;
pub mod endpoint;
pub mod engine_rows;
pub mod event_log;
pub mod firehose;
pub mod firehose_charts;
pub mod format;
pub mod history;
pub mod inspector;
pub mod labs;
pub mod pipeline_form;
pub mod planner_form;
pub mod retries;
pub mod saves;
pub mod series;
pub mod shard_map;
pub mod status;
pub mod url;
pub mod video;
pub mod window_timeline;
