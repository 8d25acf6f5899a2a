//! The record inspector's rows: a page of records as people read them, data as text or hex.

use super::format::count;
use crate::engine::kds::datetime::iso8601_millis;
use crate::engine::live::inspect::{RecordPage, RecordRow};
use base64::Engine as _;

/// How record data is shown.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DataView {
    /// UTF-8, with anything unprintable escaped.
    Text,
    /// Bytes in hex, grouped by four.
    Hex,
}

/// One row as shown.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RowView {
    /// `#1,234`, or `#1,234 … #1,733 (500 records)` for a run.
    pub records: String,
    pub sequence_number: String,
    /// The partition key, or a dash for a run.
    pub partition_key: String,
    /// `0:42.250 (2024-01-01T00:00:42.250Z)`.
    pub arrival: String,
    /// `212 B` (each, for a run).
    pub size: String,
    /// The data, or why it is not shown.
    pub data: String,
    /// Ground truth shown as a tag: `duplicate`, `poison`.
    pub tags: Vec<&'static str>,
}

/// The rows of `page`, data shown as `view`.
pub fn rows(page: &RecordPage, view: DataView) -> Vec<RowView> {
    page.rows.iter().map(|r| row(r, view)).collect()
}

fn row(r: &RecordRow, view: DataView) -> RowView {
    let records = match r.count {
        1 => format!("#{}", count(r.counter)),
        n => format!("#{} … #{} ({} records)", count(r.counter), count(r.counter + n - 1), count(n)),
    };
    let ms = r.arrival_ms;
    let arrival = format!(
        "{}:{:02}.{:03} ({})",
        ms / 60_000,
        ms / 1_000 % 60,
        ms % 1_000,
        iso8601_millis((r.approximate_arrival_timestamp * 1_000.0).round() as u64)
    );
    let data = match &r.data_preview {
        None => "–".to_string(),
        Some(b64) => {
            let bytes = base64::engine::general_purpose::STANDARD.decode(b64).unwrap_or_default();
            let shown = match view {
                DataView::Text => text(&bytes),
                DataView::Hex => hex(&bytes),
            };
            let cut = r.data_len > bytes.len() as u64;
            if cut {
                format!("{shown} … ({} bytes in all)", count(r.data_len))
            } else {
                shown
            }
        }
    };
    let mut tags = Vec::new();
    if r.duplicate {
        tags.push("duplicate");
    }
    if r.poison {
        tags.push("poison");
    }
    RowView {
        records,
        sequence_number: r.sequence_number.clone(),
        partition_key: r.partition_key.clone().unwrap_or_else(|| "–".into()),
        arrival,
        size: format!("{} B", count(r.bytes)),
        data,
        tags,
    }
}

/// UTF-8 text with control characters and invalid bytes escaped.
fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes)
        .chars()
        .map(|c| if c.is_control() && c != ' ' { c.escape_default().to_string() } else { c.to_string() })
        .collect()
}

/// Hex, four bytes to a group.
fn hex(bytes: &[u8]) -> String {
    bytes.chunks(4).map(|g| g.iter().map(|b| format!("{b:02x}")).collect::<String>()).collect::<Vec<_>>().join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::kds::shard::Detail;
    use crate::engine::live::ShardRef;

    fn page(preview: Option<&[u8]>, data_len: u64, count: u64) -> RecordPage {
        RecordPage {
            at: ShardRef { stream: "s".into(), shard: "shardId-000000000000".into() },
            detail: Detail::Records,
            stored: Some((1, 10)),
            rows: vec![RecordRow {
                counter: 1_234,
                count,
                sequence_number: "4961".into(),
                arrival_ms: 42_250,
                approximate_arrival_timestamp: 1_704_067_242.25,
                bytes: 212,
                partition_key: preview.map(|_| "station-8".into()),
                data_preview: preview.map(|p| base64::engine::general_purpose::STANDARD.encode(p)),
                data_len,
                duplicate: true,
                poison: false,
            }],
        }
    }

    #[test]
    fn a_record_reads_as_text_or_hex() {
        let p = page(Some(b"{\"bike\":7}\n"), 11, 1);
        let text = &rows(&p, DataView::Text)[0];
        assert_eq!(text.records, "#1,234");
        assert_eq!(text.data, "{\"bike\":7}\\n");
        assert_eq!(text.arrival, "0:42.250 (2024-01-01T00:00:42.250Z)");
        assert_eq!(text.tags, ["duplicate"]);
        assert_eq!(rows(&p, DataView::Hex)[0].data, "7b226269 6b65223a 377d0a");
    }

    #[test]
    fn a_long_record_says_it_is_cut_and_a_run_says_why_it_has_no_data() {
        assert!(rows(&page(Some(b"abc"), 4_000, 1), DataView::Text)[0].data.ends_with("(4,000 bytes in all)"));
        let run = &rows(&page(None, 0, 500), DataView::Text)[0];
        assert_eq!(run.records, "#1,234 … #1,733 (500 records)");
        assert_eq!(run.partition_key, "–");
        assert_eq!(run.data, "–");
    }
}
