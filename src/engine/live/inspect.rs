//! The record inspector: a page of one shard's stored records, as GetRecords would return them, for a
//! person paging through a shard (sequence number, partition key, arrival, data).
//!
//! A record-detail shard shows each record. A run-detail shard (fast-forward) stores runs of equal
//! records without bodies, so each row is a run: its sequence-number range, arrival and size, and no key
//! or data. Data is cut to [`DATA_PREVIEW_BYTES`] so a page of 1 MiB records stays small.

use super::ShardRef;
use crate::engine::kds::ids::ShardId;
use crate::engine::kds::shard::{Detail, Shard};
use crate::engine::kds::KdsService;
use base64::Engine as _;
use serde::{Deserialize, Serialize};

/// Rows per page.
pub const PAGE_ROWS: usize = 20;
/// Bytes of each record's data a page carries.
pub const DATA_PREVIEW_BYTES: usize = 512;

/// Where a page starts.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "at", content = "counter")]
pub enum PageFrom {
    /// The oldest stored record (TRIM_HORIZON).
    Oldest,
    /// Just after this record counter (the next page).
    After(u64),
    /// The page that ends just before this record counter (the previous page).
    Before(u64),
    /// The newest records (the page that ends at LATEST).
    Newest,
}

/// One page of a shard.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct RecordPage {
    pub at: ShardRef,
    /// `records`, or `runs` (no keys or data).
    pub detail: Detail,
    /// The oldest and newest stored record counters (none when the shard holds nothing).
    pub stored: Option<(u64, u64)>,
    /// The rows, oldest first.
    pub rows: Vec<RecordRow>,
}

/// A record, or a run of equal records.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct RecordRow {
    /// The record's per-shard counter (a run's first).
    pub counter: u64,
    /// 1, or the run's length.
    pub count: u64,
    /// The SequenceNumber as GetRecords returns it (a run's first).
    pub sequence_number: String,
    /// When it arrived: simulated ms since the run began, and ApproximateArrivalTimestamp (epoch seconds).
    pub arrival_ms: u64,
    pub approximate_arrival_timestamp: f64,
    /// Data + partition key bytes (each, for a run).
    pub bytes: u64,
    pub partition_key: Option<String>,
    /// The data's first bytes, base64; `data_len` is its whole length.
    pub data_preview: Option<String>,
    pub data_len: u64,
    /// Ground truth the wire never shows: a retry's second copy, a record the consumer will reject.
    pub duplicate: bool,
    pub poison: bool,
}

/// The page of `at` from `from`, or why there is none.
pub fn page(kds: &KdsService, at: &ShardRef, from: PageFrom) -> Result<RecordPage, String> {
    let stream = kds.streams().get(&at.stream).ok_or_else(|| format!("There is no stream named {}.", at.stream))?;
    let shard = ShardId::resolve(&at.shard)
        .and_then(|id| stream.live_shard(id))
        .ok_or_else(|| format!("{} has no shard {} (it may have left retention).", at.stream, at.shard))?;
    let oldest = shard.spans_after(0).next().map(|s| s.first);
    let stored = oldest.map(|o| (o, shard.last_counter()));
    let (after, before) = match from {
        PageFrom::Oldest => (0, u64::MAX),
        PageFrom::After(c) => (c, u64::MAX),
        PageFrom::Before(c) => (shard.start_of_entries_before(c, PAGE_ROWS), c),
        PageFrom::Newest => (shard.start_of_entries_before(u64::MAX, PAGE_ROWS), u64::MAX),
    };
    let epoch_ms = kds.settings().epoch_ms;
    Ok(RecordPage { at: at.clone(), detail: shard.detail(), stored, rows: rows(shard, after, before, epoch_ms) })
}

fn rows(shard: &Shard, after: u64, before: u64, epoch_ms: u64) -> Vec<RecordRow> {
    let mut bodies = shard.records_after(after);
    let b64 = base64::engine::general_purpose::STANDARD;
    shard
        .spans_after(after)
        .take_while(|span| span.first < before)
        .take(PAGE_ROWS)
        .map(|span| {
            let count = span.count.min(before - span.first);
            let arrival_ms = span.arrival.as_millis();
            let wall_ms = epoch_ms + arrival_ms;
            let body = bodies.next().filter(|r| r.counter() == span.first);
            RecordRow {
                counter: span.first,
                count,
                sequence_number: shard.sequence_number(span.first, wall_ms / 1_000).to_string(),
                arrival_ms,
                approximate_arrival_timestamp: wall_ms as f64 / 1_000.0,
                bytes: span.bytes_each,
                partition_key: body.map(|r| r.partition_key().to_string()),
                data_preview: body.map(|r| b64.encode(&r.data()[..r.data().len().min(DATA_PREVIEW_BYTES)])),
                data_len: body.map_or(0, |r| r.data().len() as u64),
                duplicate: span.labels.duplicate,
                poison: span.labels.poison,
            }
        })
        .collect()
}
