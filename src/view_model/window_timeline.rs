//! The window timeline of the Analytics lab's comparison, at a processing time the learner plays or drags:
//! each lane's events at their event time once they have arrived, its window panes as boxes that fill
//! while open and close when they fire (a result appears, flashing), the watermark and "now" as lines on
//! the event-time axis; and the event-time/arrival scatter with the watermark climbing below the events.

use crate::engine::analytics::compare::{Event, Lane, Pane};
use crate::engine::analytics::value::format_timestamp;

/// Rows per lane: one per station, this tall.
pub const ROW_PX: f64 = 22.0;
const STATIONS: [&str; 3] = ["100", "110", "120"];
/// How long (processing time) a result flashes after it fired.
pub const FLASH_MS: i64 = 4_000;

fn row_of(station: &str) -> f64 {
    STATIONS.iter().position(|s| *s == station).unwrap_or(0) as f64 * ROW_PX
}

/// hh:mm:ss of `ms` after the comparison's start (10:00:00); before it too (a sliding window from 09:59:30).
pub fn clock(ms: i64) -> String {
    format_timestamp(ms + ORIGIN_MS)[11..19].to_string()
}

/// A window pane on show.
#[derive(Clone, Debug, PartialEq)]
pub struct PaneBox {
    pub x: f64,
    /// Top and height within the station's row: overlapping (sliding) windows share it in tiers.
    pub y: f64,
    pub width: f64,
    pub height: f64,
    /// The count it fired with, or has so far; `+n` for late events waiting for a later firing.
    pub label: String,
    /// `open` (still collecting), `fired`, `late` (fired again, or a stagger result for late rows), with
    /// ` firing` for a result that has just appeared.
    pub class: String,
}

/// A lane at one processing time.
#[derive(Clone, Debug, PartialEq)]
pub struct LaneGeometry {
    pub panes: Vec<PaneBox>,
    /// (x, y, late) per event that has arrived, at its event time in its station's row.
    pub events: Vec<(f64, f64, bool)>,
    /// The watermark's x (event-time lanes, once one was emitted).
    pub watermark_x: Option<f64>,
    /// The processing time's x: no event time can be later.
    pub now_x: f64,
    /// Results fired so far, and what the last one said.
    pub fired: usize,
    pub latest: Option<String>,
}

/// The watermark of `lane` at processing time `until`, in ms from the start.
pub fn watermark_at(lane: &Lane, until: i64) -> Option<i64> {
    lane.watermark.iter().take_while(|(at, _)| *at <= until).filter(|(_, w)| *w >= 0).map(|(_, w)| *w).last()
}

fn arrived(p: &Pane, events: &[Event], until: i64) -> usize {
    p.members.iter().filter(|i| events[**i].arrival <= until).count()
}

/// The sessions `p`'s events that have arrived by `until` make so far: (start, end, count), each event
/// opening [ts, ts + gap) and overlapping ones merged, as Flink's merging assigner does.
fn sessions(p: &Pane, events: &[Event], until: i64, gap: i64) -> Vec<(i64, i64, usize)> {
    let mut times: Vec<i64> =
        p.members.iter().map(|i| &events[*i]).filter(|e| e.arrival <= until).map(|e| e.ts).collect();
    times.sort_unstable();
    let mut out: Vec<(i64, i64, usize)> = Vec::new();
    for ts in times {
        match out.last_mut() {
            Some((_, end, count)) if ts < *end => {
                *end = (*end).max(ts + gap);
                *count += 1;
            }
            _ => out.push((ts, ts + gap, 1)),
        }
    }
    out
}

/// `lane` at processing time `until`, on an event-time axis of `duration_ms` over `width` pixels.
pub fn lane_geometry(lane: &Lane, events: &[Event], duration_ms: i64, width: f64, until: i64) -> LaneGeometry {
    let span = (duration_ms.max(1)) as f64;
    let x = |ms: i64| (ms as f64 / span * width).clamp(-10.0, width + 10.0);
    // The panes of one window (key, start, end) in firing order: a first firing, then late ones.
    let mut windows: Vec<Vec<&Pane>> = Vec::new();
    for p in &lane.panes {
        match windows.iter_mut().find(|w| w[0].station == p.station && w[0].start == p.start && w[0].end == p.end) {
            Some(w) => w.push(p),
            None => windows.push(vec![p]),
        }
    }
    // Overlapping windows of a key (sliding ones) go in tiers: each the lowest tier free of an earlier
    // window it overlaps.
    let mut tiers: Vec<usize> = Vec::with_capacity(windows.len());
    for (i, w) in windows.iter().enumerate() {
        let taken: Vec<usize> = (0..i)
            .filter(|j| {
                let o = windows[*j][0];
                o.station == w[0].station && o.start < w[0].end && w[0].start < o.end
            })
            .map(|j| tiers[j])
            .collect();
        tiers.push((0..).find(|t| !taken.contains(t)).expect("a free tier"));
    }
    let count = tiers.iter().max().map_or(1, |t| t + 1) as f64;
    let tier_px = (ROW_PX - 4.0) / count;
    let mut panes = Vec::new();
    for (w, tier) in windows.iter().zip(&tiers) {
        let top = *tier as f64 * tier_px + 2.0;
        let shown = w.iter().rev().find(|p| p.fired_at <= until);
        let next = w.iter().find(|p| p.fired_at > until);
        let (label, class) = match shown {
            Some(p) => {
                // Members of the next firing not in this one: late events (or late rows) waiting.
                let waiting = next.map_or(0, |n| {
                    n.members.iter().filter(|i| events[**i].arrival <= until && !p.members.contains(i)).count()
                });
                let label = if waiting > 0 { format!("{}+{waiting}", p.count) } else { p.count.to_string() };
                let class = if p.late_firing { "late" } else { "fired" };
                let flash = if until - p.fired_at < FLASH_MS { " firing" } else { "" };
                (label, format!("{class}{flash}"))
            }
            None => {
                let Some(n) = next else { continue };
                if let Some(gap) = lane.session_gap_ms {
                    // An open session is only as long as its events so far: separate sessions until an
                    // event bridges them.
                    for (start, end, count) in sessions(n, events, until, gap) {
                        panes.push(PaneBox {
                            x: x(start),
                            y: row_of(&n.station) + top,
                            width: (x(end) - x(start)).max(2.0),
                            height: tier_px,
                            label: count.to_string(),
                            class: "open".into(),
                        });
                    }
                    continue;
                }
                match arrived(n, events, until) {
                    0 => continue,
                    count => (count.to_string(), "open".to_string()),
                }
            }
        };
        let p = w[0];
        panes.push(PaneBox {
            x: x(p.start),
            y: row_of(&p.station) + top,
            width: (x(p.end) - x(p.start)).max(2.0),
            height: tier_px,
            label,
            class,
        });
    }
    let events_now = events
        .iter()
        .enumerate()
        .filter(|(_, e)| e.arrival <= until)
        .map(|(i, e)| (x(e.ts), row_of(&e.station) + ROW_PX / 2.0, lane.late.contains(&i)))
        .collect();
    let fired: Vec<&Pane> = lane.panes.iter().filter(|p| p.fired_at <= until).collect();
    let latest = fired.iter().max_by_key(|p| p.fired_at).map(|p| {
        format!(
            "at {}: station {} · {}–{} · {}{}",
            clock(p.fired_at),
            p.station,
            clock(p.start),
            clock(p.end),
            p.count,
            if p.late_firing { " (late)" } else { "" }
        )
    });
    LaneGeometry {
        panes,
        events: events_now,
        watermark_x: watermark_at(lane, until).map(|w| x(w.min(duration_ms + 1_000_000))),
        now_x: x(until),
        fired: fired.len(),
        latest,
    }
}

/// 10:00:00 on the day of the comparison's clock: only its time of day is shown.
const ORIGIN_MS: i64 = 10 * 3_600_000;

/// The event-time/arrival picture (spec §4 item 10): each event a dot at (arrival, event time), the
/// watermark a step line below them, up to processing time `until`.
#[derive(Clone, Debug, PartialEq)]
pub struct Scatter {
    /// (x, y, late) of each event that has arrived by `until`.
    pub dots: Vec<(f64, f64, bool)>,
    /// SVG path of the watermark so far.
    pub watermark: String,
    /// The watermark at `until`, in ms from the start (`None` before the first emission).
    pub watermark_now: Option<i64>,
    /// Events arrived, and windows fired, by `until`.
    pub arrived: usize,
    pub fired: usize,
}

/// `lane`'s events and watermark on a `width` × `height` plot of `span_ms` on both axes, up to `until`.
pub fn scatter(lane: &Lane, events: &[Event], span_ms: i64, width: f64, height: f64, until: i64) -> Scatter {
    let span = span_ms.max(1) as f64;
    let x = |ms: i64| (ms as f64 / span * width).clamp(0.0, width);
    let y = |ms: i64| (height - ms as f64 / span * height).clamp(0.0, height);
    let dots: Vec<(f64, f64, bool)> = events
        .iter()
        .enumerate()
        .filter(|(_, e)| e.arrival <= until)
        .map(|(i, e)| (x(e.arrival), y(e.ts), lane.late.contains(&i)))
        .collect();
    let steps: Vec<&(i64, i64)> = lane.watermark.iter().filter(|(at, w)| *at <= until && *w >= 0).collect();
    let mut path = String::new();
    for (i, (at, w)) in steps.iter().enumerate() {
        // A step: along at the old height to the emission, then up to the new watermark.
        if i == 0 {
            path += &format!("M{:.1} {:.1}", x(*at), y(*w));
        } else {
            path += &format!(" H{:.1} V{:.1}", x(*at), y(*w));
        }
    }
    if let Some((_, w)) = steps.last() {
        path += &format!(" H{:.1} V{:.1}", x(until), y(*w));
    }
    Scatter {
        arrived: dots.len(),
        dots,
        watermark: path,
        watermark_now: steps.last().map(|(_, w)| *w),
        fired: lane.panes.iter().filter(|p| p.fired_at <= until).count(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::analytics::compare::{generate, lanes, Knobs};

    #[test]
    fn the_scatter_shows_what_has_happened_by_the_slider_and_the_watermark_trails_the_events() {
        let k = Knobs::default();
        let events = generate(&k);
        let lane = &lanes(&k, &events)[0];
        let half = scatter(lane, &events, k.duration_ms + 60_000, 600.0, 300.0, k.duration_ms / 2);
        let all = scatter(lane, &events, k.duration_ms + 60_000, 600.0, 300.0, i64::MAX / 4);
        assert!(half.arrived < all.arrived && all.arrived == events.len());
        assert!(half.fired < all.fired);
        let w = half.watermark_now.unwrap();
        // Station 120 has a shard of its own: the watermark is the smaller of the two shards'.
        let newest = |on_120: bool| {
            let seen = events.iter().filter(|e| e.arrival <= k.duration_ms / 2 && (e.station == "120") == on_120);
            seen.map(|e| e.ts).max().unwrap()
        };
        let newest = newest(true).min(newest(false));
        assert!(
            w < newest && w >= newest - k.bound_ms - 1 - 200,
            "W = min over shards of max event time − bound − 1 at the last emission: {w} vs {newest}"
        );
        assert!(half.watermark.starts_with('M'));
    }

    #[test]
    fn panes_fill_while_open_and_show_their_count_once_fired() {
        let k = Knobs::default();
        let events = generate(&k);
        let lane = &lanes(&k, &events)[0];
        let at = |t: i64| lane_geometry(lane, &events, k.duration_ms, 600.0, t);
        let start = at(0);
        assert!(start.panes.is_empty() && start.events.is_empty() && start.fired == 0 && start.latest.is_none());
        // 10:01:30: the first minute's windows have fired, the second's are open and filling.
        let mid = at(90_000);
        assert!(mid.panes.iter().any(|p| p.class == "open") && mid.panes.iter().any(|p| p.class.starts_with("fired")));
        assert!(mid.watermark_x.unwrap() < mid.now_x, "the watermark trails the processing time");
        let first = lane.panes.iter().min_by_key(|p| p.fired_at).unwrap();
        let just = at(first.fired_at);
        assert!(just.panes.iter().any(|p| p.class == "fired firing" && p.label == first.count.to_string()));
        assert!(just.latest.unwrap().starts_with(&format!("at {}: station ", clock(first.fired_at))));
        assert!(!at(first.fired_at + FLASH_MS).panes.iter().any(|p| p.class.contains("firing") && p.x == 0.0));
        let end = at(i64::MAX / 4);
        assert_eq!(end.fired, lane.panes.len());
        assert!(end.panes.iter().all(|p| p.class.starts_with("fired") || p.class.starts_with("late")));
        assert_eq!(end.events.len(), events.len());
    }

    #[test]
    fn sliding_windows_share_their_row_in_two_tiers_and_tumbling_ones_fill_it() {
        let k = Knobs::default();
        let events = generate(&k);
        let all = lanes(&k, &events);
        let at_end = |lane| lane_geometry(lane, &events, k.duration_ms, 600.0, i64::MAX / 4);
        let tumbling = at_end(&all[0]);
        assert!(tumbling.panes.iter().all(|p| p.height == ROW_PX - 4.0));
        let sliding = at_end(&all[1]);
        let half = (ROW_PX - 4.0) / 2.0;
        assert!(sliding.panes.iter().all(|p| p.height == half));
        // In one station's row, windows that overlap are never in the same tier.
        let row: Vec<&PaneBox> = sliding.panes.iter().filter(|p| p.y < ROW_PX).collect();
        for a in &row {
            for b in &row {
                let overlap = a.x < b.x + b.width - 1e-9 && b.x < a.x + a.width - 1e-9;
                assert!(std::ptr::eq(*a, *b) || !overlap || a.y != b.y, "{a:?} {b:?}");
            }
        }
    }

    #[test]
    fn an_open_session_is_as_long_as_its_events_so_far() {
        let k = Knobs::default();
        let events = generate(&k);
        let lane = &lanes(&k, &events)[2];
        let gap = lane.session_gap_ms.expect("a session lane");
        let long = lane.panes.iter().max_by_key(|p| p.end - p.start).unwrap();
        let first = long.members.iter().map(|i| events[*i].arrival).min().unwrap();
        let g = lane_geometry(lane, &events, k.duration_ms, 600.0, first);
        let scale = 600.0 / k.duration_ms as f64;
        let row = super::row_of(&long.station);
        let open = g.panes.iter().filter(|p| p.class == "open" && p.y >= row && p.y < row + ROW_PX).collect::<Vec<_>>();
        assert!(open.iter().any(|p| (p.width - gap as f64 * scale).abs() < 1e-6 && p.label == "1"), "{open:?}");
        assert!(open.iter().all(|p| p.width < (long.end - long.start) as f64 * scale));
    }

    #[test]
    fn late_rows_waiting_for_a_stagger_result_of_their_own_show_as_plus_n() {
        let k = Knobs { late_percent: 20, ..Knobs::default() };
        let events = generate(&k);
        let lane = &lanes(&k, &events)[3];
        let refire = lane.panes.iter().find(|p| p.late_firing).expect("a late firing");
        let g = lane_geometry(lane, &events, k.duration_ms, 600.0, refire.fired_at - 1);
        assert!(g.panes.iter().any(|p| p.label.contains('+')), "{:?}", g.panes);
    }
}
