//! The shard map: the hash-key space 0 … 2^128 − 1 as a bar, each open shard drawn to scale.
//!
//! Pure layout from the engine's [`StreamView`]; the UI only draws the bars. Rates come from two
//! snapshots' running totals, so they are exact averages over the time between them.

use crate::engine::snapshot::{ShardView, StreamView};

/// One open shard's place on the bar.
#[derive(Clone, Debug, PartialEq)]
pub struct ShardBar {
    /// `shardId-000000000000` (also the `data-testid` suffix).
    pub id: String,
    /// Left edge, as a fraction of the key space (0 … 1).
    pub x: f64,
    /// Width, as a fraction of the key space.
    pub width: f64,
    /// What hovering shows: id, exact range, parents, rates.
    pub title: String,
    /// Records and bytes stored per second since the previous snapshot.
    pub records_per_s: f64,
    pub bytes_per_s: f64,
    /// The larger of records/s ÷ 1,000 and bytes/s ÷ 1 MiB: 1 is the shard's write limit.
    pub utilisation: f64,
    /// Writes were refused since the previous snapshot.
    pub throttling: bool,
}

/// 2^64 as f64: the bar works on the keys' top 64 bits, which is exact enough for pixels.
const TOP64: f64 = 18_446_744_073_709_551_616.0;

/// The open shards of `stream`, left to right, with their rates since `before` (the same stream
/// `seconds` earlier; no rates without it).
pub fn bars(stream: &StreamView, before: Option<&StreamView>, seconds: f64) -> Vec<ShardBar> {
    let mut open: Vec<&ShardView> = stream.shards.iter().filter(|s| s.open).collect();
    open.sort_by_key(|s| s.start_top64);
    open.iter()
        .map(|s| {
            let x = s.start_top64 as f64 / TOP64;
            let end = (s.end_top64 as f64 + 1.0) / TOP64;
            let earlier = before.and_then(|b| b.shards.iter().find(|p| p.id == s.id)).map(|p| p.tally);
            let (records_per_s, bytes_per_s, throttling) = match earlier.filter(|_| seconds > 0.0) {
                Some(p) => (
                    s.tally.records_in.saturating_sub(p.records_in) as f64 / seconds,
                    s.tally.bytes_in.saturating_sub(p.bytes_in) as f64 / seconds,
                    s.tally.write_throttled > p.write_throttled,
                ),
                None => (0.0, 0.0, false),
            };
            let utilisation = (records_per_s / 1_000.0).max(bytes_per_s / 1_048_576.0);
            let mut title = title(s);
            if earlier.is_some() {
                title.push_str(&format!("\n{records_per_s:.0} records/s, {:.1} KiB/s", bytes_per_s / 1_024.0));
            }
            ShardBar { id: s.id.clone(), x, width: end - x, title, records_per_s, bytes_per_s, utilisation, throttling }
        })
        .collect()
}

impl ShardBar {
    /// The CSS class of its colour: by write utilisation, and `throttling` when writes were refused.
    pub fn class(&self) -> &'static str {
        match (self.throttling, self.utilisation) {
            (true, _) => "shard throttling",
            (false, u) if u >= 0.8 => "shard hot",
            (false, u) if u >= 0.5 => "shard warm",
            (false, u) if u > 0.0 => "shard busy",
            _ => "shard idle",
        }
    }

    /// The label inside the bar: the id's number and the record rate.
    pub fn label(&self) -> String {
        let number = self.id.trim_start_matches("shardId-").trim_start_matches('0');
        format!("#{} · {:.0}/s", if number.is_empty() { "0" } else { number }, self.records_per_s)
    }
}

/// Write attempts and read calls refused by throttling, over every shard of every stream so far.
pub fn throttled_totals(streams: &[StreamView]) -> (u64, u64) {
    let shards = || streams.iter().flat_map(|s| &s.shards);
    (shards().map(|s| s.tally.write_throttled).sum(), shards().map(|s| s.tally.read_throttled).sum())
}

fn title(s: &ShardView) -> String {
    let parents: Vec<&str> = s.parent.iter().chain(s.adjacent_parent.iter()).map(String::as_str).collect();
    let lineage = match parents.as_slice() {
        [] => String::new(),
        [one] => format!("\nsplit from {one}"),
        [a, b] => format!("\nmerged from {a} and {b}"),
        _ => unreachable!("a shard has at most two parents"),
    };
    format!("{}\nhash keys {} … {}{lineage}", s.id, s.starting_hash_key, s.ending_hash_key)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::kds::types::{StreamMode, StreamStatus};

    fn shard(i: u32, start: u128, end: u128, parent: Option<&str>, open: bool) -> ShardView {
        ShardView {
            id: format!("shardId-{i:012}"),
            starting_hash_key: start.to_string(),
            ending_hash_key: end.to_string(),
            start_top64: (start >> 64) as u64,
            end_top64: (end >> 64) as u64,
            parent: parent.map(str::to_string),
            adjacent_parent: None,
            open,
            tally: Default::default(),
        }
    }

    #[test]
    fn rates_come_from_two_snapshots_and_flag_throttling() {
        let half = u128::MAX / 2;
        let mut before = stream(vec![shard(0, 0, half, None, true), shard(1, half + 1, u128::MAX, None, true)]);
        before.shards[0].tally.records_in = 1_000;
        let mut after = before.clone();
        after.shards[0].tally.records_in = 3_000;
        after.shards[0].tally.bytes_in = 2_097_152;
        after.shards[0].tally.write_throttled = 7;
        after.shards[1].tally.records_in = 500;
        let b = bars(&after, Some(&before), 2.0);
        assert_eq!((b[0].records_per_s, b[0].bytes_per_s, b[0].throttling), (1_000.0, 1_048_576.0, true));
        assert_eq!(b[0].utilisation, 1.0);
        assert_eq!((b[1].records_per_s, b[1].utilisation, b[1].throttling), (250.0, 0.25, false));
        assert!(b[1].title.contains("250 records/s"), "{}", b[1].title);
        assert_eq!((b[0].class(), b[1].class()), ("shard throttling", "shard busy"));
        assert_eq!((b[0].label().as_str(), b[1].label().as_str()), ("#0 · 1000/s", "#1 · 250/s"));
        assert_eq!(throttled_totals(&[after.clone()]), (7, 0));
        let first = bars(&after, None, 0.0);
        assert_eq!((first[0].records_per_s, first[0].throttling), (0.0, false), "no rates without a previous view");
    }

    fn stream(shards: Vec<ShardView>) -> StreamView {
        StreamView {
            name: "s".into(),
            status: StreamStatus::Active,
            mode: StreamMode::Provisioned,
            retention_hours: 24,
            shards,
        }
    }

    #[test]
    fn open_shards_tile_the_bar_to_scale() {
        let q = u128::MAX / 4;
        let s = stream(vec![
            shard(0, 0, q, None, true),
            shard(1, q + 1, 2 * q + 1, None, true),
            shard(2, 2 * q + 2, u128::MAX, None, true),
        ]);
        let b = bars(&s, None, 0.0);
        assert_eq!(b.len(), 3);
        assert!((b[0].width - 0.25).abs() < 1e-9 && (b[2].width - 0.5).abs() < 1e-9, "{b:?}");
        for pair in b.windows(2) {
            assert!((pair[0].x + pair[0].width - pair[1].x).abs() < 1e-12, "no gap or overlap: {b:?}");
        }
        assert!((b[2].x + b[2].width - 1.0).abs() < 1e-12);
    }

    #[test]
    fn a_split_shows_the_children_in_place_of_the_closed_parent() {
        let half = u128::MAX / 2;
        let s = stream(vec![
            shard(0, 0, u128::MAX, None, false),
            shard(2, half + 1, u128::MAX, Some("shardId-000000000000"), true),
            shard(1, 0, half, Some("shardId-000000000000"), true),
        ]);
        let b = bars(&s, None, 0.0);
        let ids: Vec<&str> = b.iter().map(|b| b.id.as_str()).collect();
        assert_eq!(ids, ["shardId-000000000001", "shardId-000000000002"], "left to right by key");
        assert!(b[0].title.contains("split from shardId-000000000000"), "{}", b[0].title);
        assert!(b[1].title.contains(&u128::MAX.to_string()));
    }
}
