//! What the Firehose lab shows of a delivery stream: the buffer's two gauges with the trigger that will
//! fire first, the pipeline's stages with their counts, and the bucket browser's rows and object text.

use crate::engine::firehose::stream::Totals;
use crate::engine::firehose::view::DeliveryStreamView;
use crate::view_model::format::count;
use serde_json::Value;

/// Seconds of history the current rate is measured over.
const RATE_WINDOW_S: usize = 10;

/// `1536` → `1.5 KiB`; bytes below 1 KiB as they are.
pub fn bytes(n: u64) -> String {
    let n = n as f64;
    match n {
        n if n >= 1_048_576.0 => format!("{:.1} MiB", n / 1_048_576.0),
        n if n >= 1_024.0 => format!("{:.1} KiB", n / 1_024.0),
        n => format!("{n:.0} B"),
    }
}

/// `1 object`, `3 objects`.
pub fn plural(n: u64, noun: &str) -> String {
    if n == 1 {
        format!("1 {noun}")
    } else {
        format!("{} {noun}s", count(n))
    }
}

/// The buffer against its size and interval hints.
#[derive(Clone, Debug, PartialEq)]
pub struct Gauges {
    /// Filled share of the size hint and of the interval, 0–1.
    pub size_fill: f64,
    pub age_fill: f64,
    /// `1.2 MiB of 5.0 MiB`, `42 s of 300 s`.
    pub size_label: String,
    pub age_label: String,
    /// The incoming rate over the last seconds and the break-even rate (size ÷ interval).
    pub rate_label: String,
    /// Which trigger fires first at the current rate, and when.
    pub verdict: String,
}

/// The cost meter (spec §4 item 6): what ingestion bills with every record rounded up to 5 KB, against the
/// bytes sent, and what the same bytes would bill packed into 5 KB records (lines joined with `\n`, as the
/// Kinesis Agent does). `None` before the first record.
pub fn billing(t: &Totals) -> Option<String> {
    use crate::engine::firehose::ingest::BILLING_INCREMENT_BYTES as UNIT;
    if t.incoming_records == 0 {
        return None;
    }
    let packed = t.incoming_bytes.div_ceil(UNIT).max(1) * UNIT;
    let ratio = t.billed_bytes as f64 / t.incoming_bytes.max(1) as f64;
    let advice = if t.billed_bytes <= packed + packed / 20 {
        "the records already fill their 5 KB increments".to_string()
    } else {
        format!("packed into 5 KB records (lines joined with \\n) the same data would bill about {}", bytes(packed))
    };
    Some(format!(
        "Ingestion bills {} for {} of {}: each record rounds up to a 5 KB increment, {ratio:.1}× what was sent; {advice}.",
        bytes(t.billed_bytes),
        plural(t.incoming_records, "record"),
        bytes(t.incoming_bytes),
    ))
}

/// The gauges of `v`'s destination buffer.
pub fn gauges(v: &DeliveryStreamView) -> Gauges {
    let size = v.size_hint_bytes.max(1);
    let interval_ms = v.interval_s.max(1) * 1_000;
    let age_ms = v.buffer_age_ms.unwrap_or(0);
    let window: Vec<_> = v.history.iter().rev().take(RATE_WINDOW_S).collect();
    let rate = if window.is_empty() {
        0.0
    } else {
        window.iter().map(|(_, bytes, _, _)| *bytes as f64).sum::<f64>() / window.len() as f64
    };
    let break_even = v.size_hint_bytes as f64 / v.interval_s.max(1) as f64;
    let rate_label = format!(
        "incoming {}/s over the last {} s; break-even {}/s (size ÷ interval)",
        bytes(rate as u64),
        window.len(),
        bytes(break_even as u64)
    );
    let verdict = if v.buffer_age_ms.is_none() {
        "The buffer is empty: it opens with the next record, and the interval counts from then.".to_string()
    } else {
        let interval_in = (interval_ms.saturating_sub(age_ms)) as f64 / 1_000.0;
        let missing = v.size_hint_bytes.saturating_sub(v.buffered_bytes) as f64;
        let size_in = if rate > 0.0 { missing / rate } else { f64::INFINITY };
        if size_in < interval_in {
            format!(
                "SIZE fires first, in about {size_in:.0} s at this rate (the interval has {interval_in:.0} s left)."
            )
        } else {
            format!(
                "INTERVAL fires first, in {interval_in:.0} s: below {}/s the size hint is not reached.",
                bytes(break_even as u64)
            )
        }
    };
    Gauges {
        size_fill: (v.buffered_bytes as f64 / size as f64).min(1.0),
        age_fill: (age_ms as f64 / interval_ms as f64).min(1.0),
        size_label: format!("{} of {}", bytes(v.buffered_bytes), bytes(v.size_hint_bytes)),
        age_label: format!("{} s of {} s", age_ms / 1_000, v.interval_s),
        rate_label,
        verdict,
    }
}

/// One stage of the pipeline drawn left to right.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Stage {
    pub name: &'static str,
    /// What it is configured as (`Direct PUT`, `off`, `GZIP`, …).
    pub setting: String,
    /// Its live counts, one per line.
    pub counts: Vec<String>,
    /// Whether the stage is in use.
    pub on: bool,
}

/// The stages: source → transform → partition → convert → compress → destination.
pub fn stages(v: &DeliveryStreamView) -> Vec<Stage> {
    let t = &v.totals;
    let mut source =
        vec![format!("{} records in", count(t.incoming_records)), format!("{} in", bytes(t.incoming_bytes))];
    if t.throttled_records > 0 {
        source.push(format!("{} throttled", count(t.throttled_records)));
    }
    let transform = match &v.transform {
        Some(name) => Stage {
            name: "Transform",
            setting: name.clone(),
            counts: vec![
                format!(
                    "{} Ok · {} Dropped · {} failed",
                    count(t.processed_ok),
                    count(t.dropped),
                    count(t.processing_failed)
                ),
                format!("{} waiting · {} invocations", count(v.processing_records), v.invocations),
            ],
            on: true,
        },
        None => Stage { name: "Transform", setting: "off".into(), counts: Vec::new(), on: false },
    };
    let partition = match v.partitions {
        Some((active, limit)) => Stage {
            name: "Partition",
            setting: "jq keys".into(),
            counts: vec![
                format!("{active} of {limit} partitions active"),
                format!("{} to the error prefix", count(t.partitioning_failed)),
            ],
            on: true,
        },
        None => Stage { name: "Partition", setting: "off".into(), counts: Vec::new(), on: false },
    };
    let convert = match &v.conversion {
        Some(c) => Stage {
            name: "Convert",
            setting: format!("{} → Parquet, {}", c.deserializer, c.table),
            counts: vec![
                format!("{} converted · {} failed", count(t.converted_records), count(t.conversion_failed)),
                format!("ParquetSerDe {}", c.compression),
            ],
            on: true,
        },
        None => Stage { name: "Convert", setting: "off".into(), counts: Vec::new(), on: false },
    };
    let mut destination = vec![
        format!("{} · {} records", plural(t.objects, "object"), count(t.delivered_records)),
        format!("{} in flight · {} batches waiting", v.in_flight, v.waiting_batches),
    ];
    if t.failed_attempts > 0 || t.lost_records > 0 {
        destination.push(format!(
            "{} failed attempts · {} records lost",
            count(t.failed_attempts),
            count(t.lost_records)
        ));
    }
    if t.error_objects > 0 {
        destination.push(plural(t.error_objects, "error object"));
    }
    vec![
        Stage { name: "Source", setting: v.source.clone(), counts: source, on: true },
        transform,
        partition,
        convert,
        match &v.conversion {
            // With conversion the destination codec is UNCOMPRESSED: the serializer compresses the pages.
            Some(c) => Stage {
                name: "Compress",
                setting: format!("in the Parquet pages: {}", c.compression),
                counts: Vec::new(),
                on: c.compression != "UNCOMPRESSED",
            },
            None => Stage {
                name: "Compress",
                setting: v.compression.clone(),
                counts: Vec::new(),
                on: v.compression != "UNCOMPRESSED",
            },
        },
        destination_stage(v, destination),
    ]
}

/// The last stage: S3 with its objects, an endpoint with what it took and where failures went, Redshift
/// with its COPY queue, or OpenSearch with what it indexed.
fn destination_stage(v: &DeliveryStreamView, mut counts: Vec<String>) -> Stage {
    if let Some(r) = &v.redshift {
        return super::destinations::redshift_stage(v, r);
    }
    if let Some(o) = &v.opensearch {
        return super::destinations::opensearch_stage(v, o);
    }
    let Some(e) = &v.endpoint else {
        return Stage { name: "S3", setting: v.bucket.clone(), counts, on: true };
    };
    let t = &v.totals;
    counts[0] = format!("{} records taken", count(t.delivered_records));
    if t.endpoint_failed_records > 0 {
        counts.push(format!("{} records to {} after the retry duration", count(t.endpoint_failed_records), v.bucket));
    }
    let host = e.url.trim_start_matches("https://").split('/').next().unwrap_or(&e.url);
    Stage { name: "Endpoint", setting: format!("{}: {host}", e.kind), counts, on: true }
}

/// A delivery's "flushed by" cell: the trigger, with the batches merged into it, or a COPY's objects.
pub fn flushed_by(d: &crate::engine::firehose::view::DeliveryView) -> String {
    match (d.trigger.as_str(), d.coalesced) {
        ("COPY", n) => format!("COPY of {}", plural(n, "object")),
        (trigger, n) if n > 1 => format!("{trigger} (+{} merged)", n - 1),
        (trigger, _) => trigger.to_string(),
    }
}

/// A row of the bucket browser: a folder (common prefix) or an object.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Entry {
    Folder(String),
    Object { key: String, size: u64, last_modified: String },
}

/// The rows of a ListObjectsV2 answer (with Delimiter `/`): folders first, then objects.
pub fn entries(listing: &Value) -> Vec<Entry> {
    let folders = listing["CommonPrefixes"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|p| p["Prefix"].as_str().map(|p| Entry::Folder(p.to_string())));
    let objects = listing["Contents"].as_array().into_iter().flatten().filter_map(|o| {
        Some(Entry::Object {
            key: o["Key"].as_str()?.to_string(),
            size: o["Size"].as_u64()?,
            last_modified: o["LastModified"].as_str().unwrap_or_default().to_string(),
        })
    });
    folders.chain(objects).collect()
}

/// The folders above `prefix` for breadcrumbs: `a/b/` → [("", "bucket"), ("a/", "a"), ("a/b/", "b")].
pub fn breadcrumbs(bucket: &str, prefix: &str) -> Vec<(String, String)> {
    let mut out = vec![(String::new(), bucket.to_string())];
    let mut at = 0;
    for part in prefix.split_inclusive('/') {
        at += part.len();
        out.push((prefix[..at].to_string(), part.trim_end_matches('/').to_string()));
    }
    out
}

/// Bytes as text when they are UTF-8 (the first `limit` characters), else None.
pub fn as_text(body: &[u8], limit: usize) -> Option<String> {
    let text = std::str::from_utf8(body).ok()?;
    Some(text.chars().take(limit).collect())
}

/// A hex dump: offset, 16 bytes in hex, and their printable ASCII; at most `limit` bytes.
pub fn hex_dump(body: &[u8], limit: usize) -> String {
    body[..body.len().min(limit)]
        .chunks(16)
        .enumerate()
        .map(|(row, chunk)| {
            let hex: Vec<String> = chunk.iter().map(|b| format!("{b:02x}")).collect();
            let ascii: String =
                chunk.iter().map(|&b| if (0x20..0x7f).contains(&b) { b as char } else { '.' }).collect();
            format!("{:08x}  {:<47}  {ascii}", row * 16, hex.join(" "))
        })
        .collect::<Vec<_>>()
        .join("\n")
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn view(buffered: u64, age_ms: Option<u64>, bytes_per_s: u64) -> DeliveryStreamView {
        DeliveryStreamView {
            size_hint_bytes: 5 * 1_048_576,
            interval_s: 300,
            buffered_bytes: buffered,
            buffer_age_ms: age_ms,
            history: (0..20).map(|s| (s, bytes_per_s, 1, 0)).collect(),
            source: "Direct PUT".into(),
            compression: "GZIP".into(),
            bucket: "lake".into(),
            ..Default::default()
        }
    }

    #[test]
    fn the_cost_meter_shows_the_5_kb_round_up_and_what_packing_would_save() {
        assert_eq!(billing(&Totals::default()), None);
        // 1,000 records of 120 B: each bills 5 KB.
        let small =
            Totals { incoming_records: 1_000, incoming_bytes: 120_000, billed_bytes: 5_120_000, ..Default::default() };
        assert_eq!(
            billing(&small).unwrap(),
            "Ingestion bills 4.9 MiB for 1,000 records of 117.2 KiB: each record rounds up to a 5 KB increment, \
             42.7× what was sent; packed into 5 KB records (lines joined with \\n) the same data would bill about 120.0 KiB."
        );
        let full = Totals { incoming_records: 10, incoming_bytes: 51_000, billed_bytes: 51_200, ..Default::default() };
        assert!(billing(&full)
            .unwrap()
            .ends_with("1.0× what was sent; the records already fill their 5 KB increments."));
    }

    #[test]
    fn below_break_even_the_interval_fires_first() {
        // 5 MiB / 300 s = 17.1 KiB/s; 10 KiB/s stays below it.
        let g = gauges(&view(600 * 1_024, Some(60_000), 10 * 1_024));
        assert!(g.verdict.starts_with("INTERVAL fires first, in 240 s"), "{}", g.verdict);
        assert!(g.rate_label.contains("break-even 17.1 KiB/s"), "{}", g.rate_label);
        assert_eq!((g.age_fill, g.age_label.as_str()), (0.2, "60 s of 300 s"));
    }

    #[test]
    fn above_break_even_the_size_fires_first() {
        // 4 MiB buffered, 1 MiB missing at 100 KiB/s: about 10 s, well before the interval.
        let g = gauges(&view(4 * 1_048_576, Some(40_000), 100 * 1_024));
        assert!(g.verdict.starts_with("SIZE fires first, in about 10 s"), "{}", g.verdict);
        assert_eq!(g.size_label, "4.0 MiB of 5.0 MiB");
        assert!((g.size_fill - 0.8).abs() < 1e-9);
    }

    #[test]
    fn an_empty_buffer_says_when_the_interval_starts() {
        assert!(gauges(&view(0, None, 0)).verdict.starts_with("The buffer is empty"));
    }

    #[test]
    fn the_pipeline_has_six_stages_in_order_with_their_settings() {
        let s = stages(&view(0, None, 0));
        let names: Vec<_> = s.iter().map(|s| (s.name, s.on)).collect();
        assert_eq!(
            names,
            [
                ("Source", true),
                ("Transform", false),
                ("Partition", false),
                ("Convert", false),
                ("Compress", true),
                ("S3", true)
            ]
        );
        assert_eq!(s[5].setting, "lake");
    }

    #[test]
    fn a_converting_stream_shows_its_serde_table_and_counts() {
        let mut v = view(0, None, 0);
        v.compression = "UNCOMPRESSED".into();
        v.conversion = Some(crate::engine::firehose::view::ConversionView {
            deserializer: "Hive JSON SerDe".into(),
            table: "smartcitybikes.bikestationsdata (LATEST)".into(),
            compression: "SNAPPY".into(),
        });
        v.totals.converted_records = 3_659;
        v.totals.conversion_failed = 3_659;
        let s = stages(&v);
        assert_eq!(s[3].setting, "Hive JSON SerDe → Parquet, smartcitybikes.bikestationsdata (LATEST)");
        assert_eq!(s[3].counts[0], "3,659 converted · 3,659 failed");
        assert_eq!((s[4].setting.as_str(), s[4].on), ("in the Parquet pages: SNAPPY", true));
    }

    #[test]
    fn listings_become_folders_then_objects() {
        let listing = json!({"CommonPrefixes": [{"Prefix": "rawdata/"}],
            "Contents": [{"Key": "a.csv", "Size": 12, "LastModified": "2024-03-15T10:00:00.000Z"}]});
        assert_eq!(
            entries(&listing),
            [
                Entry::Folder("rawdata/".into()),
                Entry::Object { key: "a.csv".into(), size: 12, last_modified: "2024-03-15T10:00:00.000Z".into() }
            ]
        );
        assert_eq!(
            breadcrumbs("lake", "rawdata/rides/"),
            [
                ("".into(), "lake".into()),
                ("rawdata/".into(), "rawdata".into()),
                ("rawdata/rides/".into(), "rides".into())
            ]
        );
    }

    #[test]
    fn deliveries_say_what_flushed_them() {
        use crate::engine::firehose::view::DeliveryView;
        let d = |trigger: &str, coalesced| DeliveryView { trigger: trigger.into(), coalesced, ..Default::default() };
        assert_eq!(flushed_by(&d("INTERVAL", 0)), "INTERVAL");
        assert_eq!(flushed_by(&d("SIZE", 4)), "SIZE (+3 merged)");
        assert_eq!(flushed_by(&d("COPY", 15)), "COPY of 15 objects");
    }

    #[test]
    fn bodies_show_as_text_or_hex() {
        assert_eq!(as_text(b"{\"a\":1}\n", 100).as_deref(), Some("{\"a\":1}\n"));
        assert_eq!(as_text(&[0x1f, 0x8b, 0xff], 100), None);
        assert_eq!(hex_dump(b"AB\x00", 100), format!("00000000  {:<47}  AB.", "41 42 00"));
        assert_eq!(bytes(17_476), "17.1 KiB");
    }
}
