//! The shard map: the hash-key space 0 … 2^128 − 1 as a bar, each open shard drawn to scale.
//!
//! Pure layout from the engine's [`StreamView`]; the UI only draws the bars. Rates are the engine's
//! counts for the last complete simulated second, so they are exact whatever the frame rate.

use crate::engine::kds::types::{StreamMode, StreamStatus};
use crate::engine::snapshot::{ShardView, StreamView};

/// One shard's place on the bar.
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
    /// Records and bytes stored in the last second.
    pub records_per_s: f64,
    pub bytes_per_s: f64,
    /// The larger of records/s ÷ 1,000 and bytes/s ÷ 1 MiB: 1 is the shard's write limit.
    pub utilisation: f64,
    /// Writes were refused in the last second.
    pub throttling: bool,
}

/// One stream's shard bars.
#[derive(Clone, Debug, PartialEq)]
pub struct StreamBars {
    pub stream: String,
    pub status: StreamStatus,
    pub mode: StreamMode,
    /// The open shards, left to right, with their rates.
    pub bars: Vec<ShardBar>,
    /// Closed shards still within retention (readable, taking no writes), to scale.
    pub closed: Vec<ShardBar>,
}

impl StreamBars {
    /// True when the bars of `new` differ from those of `old`: the map changes only with the streams'
    /// status, mode, shards and last complete second, not with the running totals every frame brings.
    pub fn differ(old: &[StreamView], new: &[StreamView]) -> bool {
        let key = |s: &StreamView| (s.name.clone(), s.status, s.mode, s.shards.len());
        old.len() != new.len()
            || old.iter().zip(new).any(|(a, b)| {
                key(a) != key(b)
                    || a.shards
                        .iter()
                        .zip(&b.shards)
                        .any(|(x, y)| x.id != y.id || x.open != y.open || x.last_second != y.last_second)
            })
    }

    /// Every stream's bars.
    pub fn all(streams: &[StreamView]) -> Vec<StreamBars> {
        streams
            .iter()
            .map(|s| StreamBars {
                stream: s.name.clone(),
                status: s.status,
                mode: s.mode,
                bars: bars(s),
                closed: closed_bars(s),
            })
            .collect()
    }
}

/// Slices narrower than this share of the bar (a few pixels) carry no rates in their tooltip.
const RATES_WIDTH_MIN: f64 = 0.002;
/// Slices narrower than this share of the bar carry no label (it would not fit).
const LABEL_WIDTH_MIN: f64 = 0.04;

/// 2^64 as f64: the bar works on the keys' top 64 bits, which is exact enough for pixels.
const TOP64: f64 = 18_446_744_073_709_551_616.0;

/// The open shards of `stream`, left to right, with their rates over the last second.
pub fn bars(stream: &StreamView) -> Vec<ShardBar> {
    let mut open: Vec<&ShardView> = stream.shards.iter().filter(|s| s.open).collect();
    open.sort_by_key(|s| s.start_top64);
    open.iter()
        .map(|s| {
            let l = s.last_second;
            let (records_per_s, bytes_per_s) = (l.records_in as f64, l.bytes_in as f64);
            let utilisation = (records_per_s / 1_000.0).max(bytes_per_s / 1_048_576.0);
            let mut bar = place(s, title(s));
            // A slice too narrow to point at shows no rates: they would change every second for nothing.
            if bar.width >= RATES_WIDTH_MIN {
                bar.title.push_str(&rates(&l));
            }
            ShardBar { records_per_s, bytes_per_s, utilisation, throttling: l.write_throttled > 0, ..bar }
        })
        .collect()
}

/// The open shard under the most pressure: the most writes refused in the last second, then the highest
/// write utilisation; for picking one slice among hundreds.
pub fn busiest(bars: &StreamBars) -> Option<&ShardBar> {
    bars.bars.iter().max_by(|a, b| {
        let refused = |b: &ShardBar| b.throttling;
        refused(a).cmp(&refused(b)).then(a.utilisation.total_cmp(&b.utilisation)).then_with(|| b.id.cmp(&a.id))
    })
}

/// The shard of `stream` that `typed` names (`7`, `shardId-7`, `shardId-000000000007`), open or closed.
pub fn find_shard(stream: &StreamView, typed: &str) -> Result<String, String> {
    let id = crate::engine::kds::ids::ShardId::resolve(typed.trim())
        .ok_or_else(|| {
            format!("'{}' is not a shard id: type its number (7) or its id (shardId-000000000007).", typed.trim())
        })?
        .to_string();
    if stream.shards.iter().any(|s| s.id == id) {
        Ok(id)
    } else {
        Err(format!("{} has no {id} (it may have left retention).", stream.name))
    }
}

/// A tooltip's rates: the last second's writes and reads.
fn rates(l: &crate::engine::kds::tally::ShardTally) -> String {
    format!(
        "\nlast second: {} records in ({:.1} KiB), {} writes throttled\n{} GetRecords ({:.1} KiB out), {} reads throttled",
        l.records_in,
        l.bytes_in as f64 / 1_024.0,
        l.write_throttled,
        l.read_calls,
        l.bytes_out as f64 / 1_024.0,
        l.read_throttled
    )
}

/// The closed shards of `stream` still within retention, left to right, without rates.
pub fn closed_bars(stream: &StreamView) -> Vec<ShardBar> {
    let mut closed: Vec<ShardBar> = stream.shards.iter().filter(|s| !s.open).map(|s| place(s, title(s))).collect();
    closed.sort_by(|a, b| a.x.total_cmp(&b.x).then_with(|| a.id.cmp(&b.id)));
    closed
}

/// A shard placed on the bar, with no rates yet.
fn place(s: &ShardView, title: String) -> ShardBar {
    let x = s.start_top64 as f64 / TOP64;
    let end = (s.end_top64 as f64 + 1.0) / TOP64;
    ShardBar {
        id: s.id.clone(),
        x,
        width: end - x,
        title,
        records_per_s: 0.0,
        bytes_per_s: 0.0,
        utilisation: 0.0,
        throttling: false,
    }
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

    /// The label inside the bar: the id's number and the record rate (nothing when it would not fit).
    pub fn label(&self) -> String {
        if self.width < LABEL_WIDTH_MIN {
            return String::new();
        }
        format!("{} · {:.0}/s", self.short_id(), self.records_per_s)
    }

    /// The id's number: `#0`, `#12`.
    pub fn short_id(&self) -> String {
        short_id(&self.id)
    }
}

/// One shard as the shard panel shows it.
#[derive(Clone, Debug, PartialEq)]
pub struct ShardDetail {
    pub shard: ShardView,
    /// Where it came from and what it became: `an original shard`, `from A + B; parent of C, D`.
    pub lineage: String,
    /// The open shards it can merge with, left and right in key order.
    pub left: Option<String>,
    pub right: Option<String>,
}

/// Shard `id` of `stream` with its lineage and merge partners; `None` when it is not there (expired).
pub fn detail(stream: &StreamView, id: &str) -> Option<ShardDetail> {
    let shard = stream.shards.iter().find(|s| s.id == id)?.clone();
    let (left, right) = neighbours(stream, id);
    let is_parent = |s: &&ShardView| s.parent.as_deref() == Some(id) || s.adjacent_parent.as_deref() == Some(id);
    let children: Vec<&str> = stream.shards.iter().filter(is_parent).map(|s| s.id.as_str()).collect();
    let parents: Vec<&str> = shard.parent.iter().chain(shard.adjacent_parent.iter()).map(String::as_str).collect();
    let lineage = match (parents.is_empty(), children.is_empty()) {
        (true, true) => "an original shard".to_string(),
        (false, true) => format!("from {}", parents.join(" + ")),
        (true, false) => format!("parent of {}", children.join(", ")),
        (false, false) => format!("from {}; parent of {}", parents.join(" + "), children.join(", ")),
    };
    Some(ShardDetail { shard, lineage, left, right })
}

/// The open shards adjacent to open shard `id` in key order, left and right: the shards it can merge with.
pub fn neighbours(stream: &StreamView, id: &str) -> (Option<String>, Option<String>) {
    let mut open: Vec<&ShardView> = stream.shards.iter().filter(|s| s.open).collect();
    open.sort_by_key(|s| s.start_top64);
    let Some(i) = open.iter().position(|s| s.id == id) else { return (None, None) };
    let at = |j: Option<usize>| j.and_then(|j| open.get(j)).map(|s| s.id.clone());
    (at(i.checked_sub(1)), at(Some(i + 1)))
}

/// Write attempts and read calls refused by throttling, over every shard of every stream so far.
pub fn throttled_totals(streams: &[StreamView]) -> (u64, u64) {
    let shards = || streams.iter().flat_map(|s| &s.shards);
    (shards().map(|s| s.tally.write_throttled).sum(), shards().map(|s| s.tally.read_throttled).sum())
}

/// A shard id's number: `shardId-000000000012` → `#12`.
pub fn short_id(id: &str) -> String {
    let number = id.trim_start_matches("shardId-").trim_start_matches('0');
    format!("#{}", if number.is_empty() { "0" } else { number })
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
            last_second: Default::default(),
        }
    }

    #[test]
    fn rates_are_the_last_seconds_counts_and_flag_throttling() {
        let half = u128::MAX / 2;
        let mut s = stream(vec![shard(0, 0, half, None, true), shard(1, half + 1, u128::MAX, None, true)]);
        s.shards[0].last_second.records_in = 1_000;
        s.shards[0].last_second.bytes_in = 1_048_576;
        s.shards[0].last_second.write_throttled = 7;
        s.shards[0].tally.write_throttled = 70;
        s.shards[1].last_second.records_in = 250;
        s.shards[1].tally.read_throttled = 3;
        let b = bars(&s);
        assert_eq!((b[0].records_per_s, b[0].bytes_per_s, b[0].throttling), (1_000.0, 1_048_576.0, true));
        assert_eq!(b[0].utilisation, 1.0);
        assert_eq!((b[1].records_per_s, b[1].utilisation, b[1].throttling), (250.0, 0.25, false));
        assert!(b[1].title.contains("last second: 250 records in"), "{}", b[1].title);
        assert_eq!((b[0].class(), b[1].class()), ("shard throttling", "shard busy"));
        assert_eq!((b[0].label().as_str(), b[1].label().as_str()), ("#0 · 1000/s", "#1 · 250/s"));
        assert_eq!(throttled_totals(&[s.clone()]), (70, 3), "the totals are the running ones");
        let mut later = s.clone();
        later.shards[0].tally.records_in += 5;
        assert!(
            !StreamBars::differ(std::slice::from_ref(&s), std::slice::from_ref(&later)),
            "totals alone keep the map"
        );
        later.shards[1].last_second.records_in = 251;
        assert!(StreamBars::differ(std::slice::from_ref(&s), std::slice::from_ref(&later)), "a new second redraws it");
        let all = StreamBars::all(&[s]);
        assert_eq!((all[0].bars.len(), all[0].closed.len(), all[0].status), (2, 0, StreamStatus::Active));
    }

    #[test]
    fn slices_too_narrow_to_point_at_carry_no_rates_or_label() {
        let step = u128::MAX / 1_000;
        let shards = (0..1_000u128)
            .map(|i| shard(i as u32, i * step, if i == 999 { u128::MAX } else { (i + 1) * step - 1 }, None, true))
            .collect();
        let mut s = stream(shards);
        s.shards[7].last_second.records_in = 900;
        let b = bars(&s);
        assert_eq!(b[7].records_per_s, 900.0, "the colour still follows the rate");
        assert_eq!(b[7].label(), "");
        assert!(!b[7].title.contains("last second"), "{}", b[7].title);
    }

    #[test]
    fn the_busiest_shard_is_the_throttled_one_and_a_typed_id_is_found() {
        let third = u128::MAX / 3;
        let mut s = stream(vec![
            shard(0, 0, third, None, true),
            shard(1, third + 1, 2 * third, None, true),
            shard(2, 2 * third + 1, u128::MAX, None, true),
        ]);
        s.shards[0].last_second.records_in = 900;
        s.shards[2].last_second.records_in = 400;
        s.shards[2].last_second.write_throttled = 5;
        let all = StreamBars::all(std::slice::from_ref(&s));
        assert_eq!(busiest(&all[0]).map(|b| b.id.as_str()), Some("shardId-000000000002"), "refusals first");
        s.shards[2].last_second.write_throttled = 0;
        let all = StreamBars::all(std::slice::from_ref(&s));
        assert_eq!(busiest(&all[0]).map(|b| b.id.as_str()), Some("shardId-000000000000"), "then utilisation");
        assert_eq!(find_shard(&s, " 1 "), Ok("shardId-000000000001".into()));
        assert_eq!(find_shard(&s, "shardId-000000000002"), Ok("shardId-000000000002".into()));
        assert!(find_shard(&s, "9").expect_err("no shard 9").contains("has no shardId-000000000009"));
        assert!(find_shard(&s, "hot").expect_err("not an id").contains("not a shard id"));
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
        let closed = closed_bars(&s);
        assert_eq!(closed.len(), 1);
        assert_eq!((closed[0].id.as_str(), closed[0].x, closed[0].width), ("shardId-000000000000", 0.0, 1.0));
    }

    #[test]
    fn neighbours_are_the_open_shards_just_left_and_right_in_key_order() {
        let q = u128::MAX / 4;
        let s = stream(vec![
            shard(0, 0, q, None, true),
            shard(1, q + 1, 2 * q + 1, None, false),
            shard(2, 2 * q + 2, u128::MAX, None, true),
            shard(3, q + 1, 2 * q + 1, Some("shardId-000000000001"), true),
        ]);
        let id = |i: u32| format!("shardId-{i:012}");
        assert_eq!(neighbours(&s, &id(3)), (Some(id(0)), Some(id(2))));
        assert_eq!(neighbours(&s, &id(0)), (None, Some(id(3))));
        assert_eq!(neighbours(&s, &id(1)), (None, None), "a closed shard merges with nothing");
        assert_eq!(neighbours(&s, "shardId-000000000009"), (None, None));
        assert_eq!(detail(&s, &id(1)).expect("kept").lineage, "parent of shardId-000000000003");
        let child = detail(&s, &id(3)).expect("kept");
        assert_eq!(
            (child.lineage.as_str(), child.left, child.right),
            ("from shardId-000000000001", Some(id(0)), Some(id(2)))
        );
        assert_eq!(detail(&s, &id(0)).expect("kept").lineage, "an original shard");
        assert!(detail(&s, "shardId-000000000009").is_none());
    }
}
