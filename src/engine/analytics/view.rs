//! An application as the UI and a run's summary show it: its status, what it read, emitted and
//! delivered, its KPUs and checkpoints, and its last result rows (golden in the summary, live in the
//! snapshot).

use super::application::Application;
use super::sql::app::output_line;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// How many of an application's last result rows the view shows.
pub const ROWS_SHOWN: usize = 12;

/// An application so far.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ApplicationView {
    pub name: String,
    pub runtime: String,
    /// ApplicationStatus at the end.
    pub status: String,
    /// KPUs billed (Flink: with the orchestration KPU).
    pub kpus: u32,
    pub records_in: u64,
    pub bytes_in: u64,
    /// Rows emitted per in-application stream, sink or side output.
    pub rows_out: BTreeMap<String, u64>,
    /// Rows emitted again after a restore (Flink).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub replayed: Option<u64>,
    /// Records each destination accepted.
    pub delivered: BTreeMap<String, u64>,
    /// Deliveries refused and retried.
    pub refused: u64,
    pub throttled_reads: u64,
    pub millis_behind_latest: u64,
    /// Flink: checkpoints completed, restarts, late records dropped.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub checkpoints: Option<u64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub full_restarts: Option<u64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub late_records_dropped: Option<u64>,
    /// Why the last start failed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub start_failure: Option<String>,
    /// The last result rows, as `kinesis-lab analytics` prints them.
    pub last_rows: Vec<String>,
}

impl ApplicationView {
    pub fn of(a: &Application) -> ApplicationView {
        let flink = !a.spec.sql;
        let last = a.run.as_ref().map(|r| &r.last);
        let skip = a.results.len().saturating_sub(ROWS_SHOWN);
        ApplicationView {
            name: a.name.clone(),
            runtime: a.runtime.clone(),
            status: a.status.as_str().to_string(),
            kpus: a.kpus(),
            records_in: a.stats.records_in,
            bytes_in: a.stats.bytes_in,
            rows_out: a.stats.rows_out.clone(),
            replayed: flink.then_some(a.stats.replayed),
            delivered: a.stats.delivered.clone(),
            refused: a.stats.refused,
            throttled_reads: a.stats.throttled_reads,
            millis_behind_latest: a.stats.millis_behind_latest,
            checkpoints: flink.then(|| last.map_or(0, |l| l.checkpoints)),
            full_restarts: flink.then_some(a.stats.full_restarts),
            late_records_dropped: flink.then(|| last.map_or(0, |l| l.late_records_dropped)),
            start_failure: a.stats.start_failure.clone(),
            last_rows: a
                .results
                .iter()
                .skip(skip)
                .map(|r| {
                    let flags: &[&str] = if r.replayed { &["replayed"] } else { &[] };
                    output_line(&r.stream, r.rowtime_ms, &r.row, flags)
                })
                .collect(),
        }
    }
}
