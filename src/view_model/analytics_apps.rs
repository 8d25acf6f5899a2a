//! The account's Kinesis Data Analytics applications as the Streams and Firehose labs list them: one
//! line of facts per application and its last result rows.

use super::analytics::ResultRow;
use crate::engine::analytics::view::ApplicationView;
use serde::de::{Deserialize, Deserializer, MapAccess, Visitor};
use serde_json::Value as Json;

/// An output line as `output_line` writes it.
#[derive(serde::Deserialize)]
struct Line {
    stream: String,
    rowtime_ms: i64,
    row: Ordered,
    #[serde(default)]
    replayed: bool,
}

/// A row object with its columns in the order written (serde_json's maps sort them).
struct Ordered(Vec<(String, Json)>);

impl<'de> Deserialize<'de> for Ordered {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Ordered, D::Error> {
        struct Columns;
        impl<'de> Visitor<'de> for Columns {
            type Value = Ordered;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("a row object")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut m: A) -> Result<Ordered, A::Error> {
                let mut columns = Vec::new();
                while let Some(column) = m.next_entry()? {
                    columns.push(column);
                }
                Ok(Ordered(columns))
            }
        }
        d.deserialize_map(Columns)
    }
}

/// `name value` facts, comma-free, for one application.
pub fn facts(a: &ApplicationView) -> Vec<(&'static str, String)> {
    let joined = |m: &std::collections::BTreeMap<String, u64>| {
        if m.is_empty() {
            "none".to_string()
        } else {
            m.iter().map(|(k, v)| format!("{k} {v}")).collect::<Vec<_>>().join(" · ")
        }
    };
    let mut out = vec![
        ("KPUs", a.kpus.to_string()),
        ("records in", a.records_in.to_string()),
        ("rows out", joined(&a.rows_out)),
        ("delivered", joined(&a.delivered)),
        ("deliveries refused", a.refused.to_string()),
        ("MillisBehindLatest", a.millis_behind_latest.to_string()),
        ("reads throttled", a.throttled_reads.to_string()),
    ];
    if let Some(c) = a.checkpoints {
        out.push(("checkpoints", c.to_string()));
    }
    if let Some(r) = a.full_restarts {
        out.push(("fullRestarts", r.to_string()));
    }
    if let Some(r) = a.replayed {
        out.push(("rows replayed", r.to_string()));
    }
    if let Some(l) = a.late_records_dropped {
        out.push(("numLateRecordsDropped", l.to_string()));
    }
    out
}

/// The last result rows, newest last, from the output lines the view keeps.
pub fn last_rows(a: &ApplicationView) -> Vec<ResultRow> {
    a.last_rows
        .iter()
        .filter_map(|line| serde_json::from_str::<Line>(line).ok())
        .map(|l| ResultRow {
            stream: l.stream,
            at: crate::engine::analytics::value::format_timestamp(l.rowtime_ms)[11..].to_string(),
            cells: super::analytics::cells(&l.row.0),
            late_firing: false,
            replayed: l.replayed,
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::scenario::{presets, run::run, Scenario};

    #[test]
    fn a_running_sql_application_lists_its_facts_and_rows() {
        let plan = Scenario::load(presets::find("analytics-p11-anomaly-top-k").unwrap().json).unwrap();
        let summary = run(plan, &mut |_| {});
        let top = summary.analytics.iter().find(|a| a.name == "TopTickers").unwrap();
        let facts = facts(top);
        assert!(facts.contains(&("KPUs", "1".to_string())), "{facts:?}");
        assert!(facts.iter().any(|(k, v)| *k == "delivered" && v.starts_with("kinesis:top-tickers-stream ")));
        assert!(!facts.iter().any(|(k, _)| *k == "checkpoints"), "SQL applications have no checkpoints");
        let rows = last_rows(top);
        assert_eq!(rows.len(), top.last_rows.len());
        assert_eq!(rows[0].stream, "DESTINATION_SQL_STREAM");
        assert!(rows[0].at.ends_with(":00.000"), "a 60 s tumbling window closes on the minute: {}", rows[0].at);
        assert_eq!(rows[0].cells[0].0, "TICKER");
    }
}
