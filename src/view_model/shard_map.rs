//! The shard map: the hash-key space 0 … 2^128 − 1 as a bar, each open shard drawn to scale.
//!
//! Pure layout from the engine's [`StreamView`]; the UI only draws the bars. Per-shard rates and
//! throttling colours join these bars once the engine reports them per shard.

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
    /// What hovering shows: id, exact range, parents.
    pub title: String,
}

/// 2^64 as f64: the bar works on the keys' top 64 bits, which is exact enough for pixels.
const TOP64: f64 = 18_446_744_073_709_551_616.0;

/// The open shards of `stream`, left to right.
pub fn bars(stream: &StreamView) -> Vec<ShardBar> {
    let mut open: Vec<&ShardView> = stream.shards.iter().filter(|s| s.open).collect();
    open.sort_by_key(|s| s.start_top64);
    open.iter()
        .map(|s| {
            let x = s.start_top64 as f64 / TOP64;
            let end = (s.end_top64 as f64 + 1.0) / TOP64;
            ShardBar { id: s.id.clone(), x, width: end - x, title: title(s) }
        })
        .collect()
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
        }
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
        let b = bars(&s);
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
        let b = bars(&s);
        let ids: Vec<&str> = b.iter().map(|b| b.id.as_str()).collect();
        assert_eq!(ids, ["shardId-000000000001", "shardId-000000000002"], "left to right by key");
        assert!(b[0].title.contains("split from shardId-000000000000"), "{}", b[0].title);
        assert!(b[1].title.contains(&u128::MAX.to_string()));
    }
}
