//! What the Firehose lab shows of the Redshift and OpenSearch destinations: their pipeline stage, and the
//! answers of the lab's services (Data API result sets, OpenSearch hits and indices) as tables.

use super::firehose::{plural, Stage};
use super::format::count;
use crate::engine::firehose::view::{DeliveryStreamView, OpenSearchView, RedshiftView};
use serde_json::Value;

/// Redshift: the table, the COPY under way and what the COPYs did.
pub fn redshift_stage(v: &DeliveryStreamView, r: &RedshiftView) -> Stage {
    let t = &v.totals;
    let mut counts = vec![
        format!("{} · {} rows loaded", plural(r.loads, "COPY"), count(t.delivered_records)),
        match r.copying {
            Some((objects, records, attempt)) => {
                format!("COPY of {} ({} records), attempt {attempt}", plural(objects, "object"), count(records))
            }
            None => "no COPY under way".into(),
        },
        format!(
            "{} staged ({} records) · {} in S3",
            plural(r.staged_objects, "object"),
            count(r.staged_records),
            plural(t.objects, "object")
        ),
    ];
    if r.failed_copies > 0 {
        let batches =
            if r.skipped_batches == 1 { "1 batch".to_string() } else { format!("{} batches", r.skipped_batches) };
        counts.push(format!(
            "{} failed · {batches} skipped ({} records)",
            plural(r.failed_copies, "COPY"),
            count(r.skipped_records)
        ));
    }
    Stage { name: "Redshift", setting: format!("{}/{}.{}", r.cluster, r.database, r.table), counts, on: true }
}

/// OpenSearch: the domain and index, and what was indexed or given up.
pub fn opensearch_stage(v: &DeliveryStreamView, o: &OpenSearchView) -> Stage {
    let t = &v.totals;
    let mut counts = vec![
        format!("{} documents indexed", count(t.delivered_records)),
        format!("{} in flight · {} batches waiting", v.in_flight, v.waiting_batches),
    ];
    if t.failed_attempts > 0 || t.endpoint_failed_records > 0 {
        counts.push(format!(
            "{} failed attempts · {} documents to {}",
            count(t.failed_attempts),
            count(t.endpoint_failed_records),
            v.bucket
        ));
    }
    Stage { name: "OpenSearch", setting: format!("{}: {}", o.domain, o.index_now), counts, on: true }
}

/// A Data API `GetStatementResult` as column names and rows of text.
pub fn statement_table(result: &Value) -> (Vec<String>, Vec<Vec<String>>) {
    let columns = result["ColumnMetadata"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|c| c["name"].as_str().unwrap_or("?").to_string())
        .collect();
    let rows = result["Records"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|row| row.as_array().into_iter().flatten().map(field_text).collect())
        .collect();
    (columns, rows)
}

fn field_text(f: &Value) -> String {
    if f["isNull"] == Value::Bool(true) {
        return "NULL".into();
    }
    ["stringValue", "longValue", "doubleValue", "booleanValue"].iter().find_map(|k| f.get(*k)).map_or_else(
        String::new,
        |v| match v {
            Value::String(s) => s.trim_end().to_string(),
            other => other.to_string(),
        },
    )
}

/// An OpenSearch `Search` answer as (id, version, source) rows, with the total.
pub fn hits(search: &Value) -> (u64, Vec<(String, u64, String)>) {
    let total = search["hits"]["total"]["value"].as_u64().unwrap_or(0);
    let rows = search["hits"]["hits"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|h| {
            (h["_id"].as_str().unwrap_or("").to_string(), h["_version"].as_u64().unwrap_or(1), h["_source"].to_string())
        })
        .collect();
    (total, rows)
}

/// A `CatIndices` answer as (index, documents).
pub fn indices(cat: &Value) -> Vec<(String, String)> {
    cat.as_array()
        .into_iter()
        .flatten()
        .map(|i| (i["index"].as_str().unwrap_or("").to_string(), i["docs.count"].as_str().unwrap_or("0").to_string()))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn result_sets_hits_and_indices_read_as_text() {
        let result = json!({"ColumnMetadata": [{"name": "stationid"}, {"name": "price"}, {"name": "action"}],
            "Records": [[{"longValue": 100}, {"doubleValue": 4.5}, {"stringValue": "RENTED  "}], [{"isNull": true}, {"isNull": true}, {"stringValue": "x"}]]});
        let (columns, rows) = statement_table(&result);
        assert_eq!(columns, ["stationid", "price", "action"]);
        assert_eq!(rows, [vec!["100", "4.5", "RENTED"], vec!["NULL", "NULL", "x"]]);
        let (total, h) = hits(
            &json!({"hits": {"total": {"value": 7}, "hits": [{"_id": "a-0", "_version": 2, "_source": {"a": 1}}]}}),
        );
        assert_eq!((total, h), (7, vec![("a-0".to_string(), 2, "{\"a\":1}".to_string())]));
        assert_eq!(
            indices(&json!([{"index": "rides-2024-01-01", "docs.count": "3"}])),
            [("rides-2024-01-01".to_string(), "3".to_string())]
        );
    }

    #[test]
    fn the_stages_say_what_each_destination_did() {
        let mut v = DeliveryStreamView { bucket: "failed".into(), ..Default::default() };
        v.totals.delivered_records = 1_500;
        let r = RedshiftView {
            cluster: "rides".into(),
            database: "dev".into(),
            table: "trips".into(),
            copying: Some((2, 300, 3)),
            loads: 4,
            failed_copies: 2,
            ..Default::default()
        };
        let s = redshift_stage(&v, &r);
        assert_eq!((s.name, s.setting.as_str()), ("Redshift", "rides/dev.trips"));
        assert_eq!(s.counts[0], "4 COPYs · 1,500 rows loaded");
        assert_eq!(s.counts[1], "COPY of 2 objects (300 records), attempt 3");
        assert_eq!(s.counts[3], "2 COPYs failed · 0 batches skipped (0 records)");
        let o = OpenSearchView { domain: "bikes".into(), index_now: "rides-2024-01-01".into(), ..Default::default() };
        v.totals.endpoint_failed_records = 3;
        v.totals.failed_attempts = 2;
        let s = opensearch_stage(&v, &o);
        assert_eq!(s.setting, "bikes: rides-2024-01-01");
        assert_eq!(s.counts[2], "2 failed attempts · 3 documents to failed");
    }
}
