//! Window assignment (spec firehose-analytics.md §3.4 for the Flink-style pipelines, §2.5 for KDA SQL):
//! which windows a timestamp belongs to, and how session windows merge. Times are milliseconds since the
//! epoch; every window is half-open, [start, end).

use serde::{Deserialize, Serialize};

/// A time window [start, end) in milliseconds.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct TimeWindow {
    pub start: i64,
    pub end: i64,
}

impl TimeWindow {
    pub fn new(start: i64, end: i64) -> TimeWindow {
        TimeWindow { start, end }
    }

    /// The last instant inside the window (Flink's `maxTimestamp`, the results' timestamp).
    pub fn max_timestamp(&self) -> i64 {
        self.end - 1
    }

    /// Whether `ts` falls inside.
    pub fn contains(&self, ts: i64) -> bool {
        self.start <= ts && ts < self.end
    }

    fn intersects(&self, other: &TimeWindow) -> bool {
        self.start <= other.end && other.start <= self.end
    }

    fn cover(&self, other: &TimeWindow) -> TimeWindow {
        TimeWindow::new(self.start.min(other.start), self.end.max(other.end))
    }
}

/// Flink's `TimeWindow.getWindowStartWithOffset`: the start of the `size` window holding `ts`, with windows
/// aligned to the epoch shifted by `offset` (so one-hour windows start on clock hours).
pub fn window_start(ts: i64, offset: i64, size: i64) -> i64 {
    ts - (ts - offset).rem_euclid(size)
}

/// How a pipeline's window cuts the stream.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Assigner {
    /// One window per `size`, aligned to the epoch plus `offset`.
    Tumbling { size_ms: i64, offset_ms: i64 },
    /// Windows of `size` starting every `slide`: each element belongs to size / slide of them.
    Sliding { size_ms: i64, slide_ms: i64, offset_ms: i64 },
    /// A window per burst of activity: each element opens [ts, ts + gap) and overlapping ones merge.
    Session { gap_ms: i64 },
    /// One window per key for all time, fired every `count` elements (`countWindow(n)`).
    Global { count: u64 },
}

/// The global window (`Assigner::Global`): all of time.
pub const GLOBAL: TimeWindow = TimeWindow { start: i64::MIN, end: i64::MAX };

impl Assigner {
    /// The windows `ts` belongs to, earliest first.
    pub fn assign(&self, ts: i64) -> Vec<TimeWindow> {
        match *self {
            Assigner::Tumbling { size_ms, offset_ms } => {
                let start = window_start(ts, offset_ms, size_ms);
                vec![TimeWindow::new(start, start + size_ms)]
            }
            Assigner::Sliding { size_ms, slide_ms, offset_ms } => {
                // Starts are multiples of the slide (plus offset) in (ts - size, ts].
                let last = window_start(ts, offset_ms, slide_ms);
                let mut windows: Vec<TimeWindow> = std::iter::successors(Some(last), |s| Some(s - slide_ms))
                    .take_while(|s| *s > ts - size_ms)
                    .map(|s| TimeWindow::new(s, s + size_ms))
                    .collect();
                windows.reverse();
                windows
            }
            Assigner::Session { gap_ms } => vec![TimeWindow::new(ts, ts + gap_ms)],
            Assigner::Global { .. } => vec![GLOBAL],
        }
    }

    /// Whether windows merge (session windows).
    pub fn merges(&self) -> bool {
        matches!(self, Assigner::Session { .. })
    }

    /// A problem with the sizes, in words, or `None`.
    pub fn check(&self) -> Option<String> {
        match *self {
            Assigner::Tumbling { size_ms, offset_ms } if size_ms <= 0 || offset_ms.abs() >= size_ms => {
                Some(format!("a tumbling window needs size_ms > 0 and |offset_ms| < size_ms (got {size_ms}, {offset_ms})"))
            }
            Assigner::Sliding { size_ms, slide_ms, offset_ms }
                if size_ms <= 0 || slide_ms <= 0 || offset_ms.abs() >= slide_ms =>
            {
                Some(format!(
                    "a sliding window needs size_ms > 0, slide_ms > 0 and |offset_ms| < slide_ms (got {size_ms}, {slide_ms}, {offset_ms})"
                ))
            }
            Assigner::Session { gap_ms } if gap_ms <= 0 => Some(format!("a session window needs gap_ms > 0 (got {gap_ms})")),
            Assigner::Global { count: 0 } => Some("a count window needs count > 0".to_string()),
            _ => None,
        }
    }
}

/// Merges `added` into the session windows `windows` (disjoint, sorted): every window overlapping it
/// (or touching it: Flink merges [0, 10) and [10, 20)) becomes one. Returns the merged window and the
/// windows it swallowed.
pub fn merge_session(windows: &mut Vec<TimeWindow>, added: TimeWindow) -> (TimeWindow, Vec<TimeWindow>) {
    let (swallowed, kept): (Vec<TimeWindow>, Vec<TimeWindow>) = windows.iter().partition(|w| w.intersects(&added));
    let merged = swallowed.iter().fold(added, |acc, w| acc.cover(w));
    *windows = kept;
    let at = windows.partition_point(|w| w.start < merged.start);
    windows.insert(at, merged);
    (merged, swallowed)
}

#[cfg(test)]
mod tests {
    use super::*;

    const MIN: i64 = 60_000;

    #[test]
    fn tumbling_windows_align_to_the_epoch_plus_offset() {
        // (ts, size, offset) → start, table-driven from Flink's TimeWindowTest.
        let cases = [
            (0, 7, 0, 0),
            (6, 7, 0, 0),
            (7, 7, 0, 7),
            (13, 7, 5, 12),
            (4, 7, 5, -2),
            (-1, 7, 0, -7),
            (90 * MIN + 5, 60 * MIN, 0, 60 * MIN),
            (90 * MIN + 5, 60 * MIN, 15 * MIN, 75 * MIN),
        ];
        for (ts, size, offset, start) in cases {
            assert_eq!(window_start(ts, offset, size), start, "ts {ts} size {size} offset {offset}");
            let w = Assigner::Tumbling { size_ms: size, offset_ms: offset }.assign(ts);
            assert_eq!(w, [TimeWindow::new(start, start + size)]);
            assert!(w[0].contains(ts));
        }
    }

    #[test]
    fn sliding_windows_hold_each_element_size_over_slide_times() {
        let a = Assigner::Sliding { size_ms: 10 * MIN, slide_ms: 5 * MIN, offset_ms: 0 };
        assert_eq!(
            a.assign(7 * MIN),
            [TimeWindow::new(0, 10 * MIN), TimeWindow::new(5 * MIN, 15 * MIN)],
            "starts are multiples of the slide in (ts - size, ts]"
        );
        // On a boundary: the window ending there does not hold it.
        assert_eq!(a.assign(10 * MIN), [TimeWindow::new(5 * MIN, 15 * MIN), TimeWindow::new(10 * MIN, 20 * MIN)]);
        let thirds = Assigner::Sliding { size_ms: 3_000, slide_ms: 1_000, offset_ms: 0 };
        assert_eq!(thirds.assign(2_500).len(), 3);
        // A slide longer than the size leaves gaps: some elements belong to no window.
        let gappy = Assigner::Sliding { size_ms: 1_000, slide_ms: 5_000, offset_ms: 0 };
        assert_eq!(gappy.assign(500), [TimeWindow::new(0, 1_000)]);
        assert!(gappy.assign(2_000).is_empty());
    }

    #[test]
    fn session_windows_merge_when_they_touch_or_overlap() {
        let mut windows = Vec::new();
        let gap = Assigner::Session { gap_ms: 10 };
        for ts in [0, 5, 30] {
            merge_session(&mut windows, gap.assign(ts)[0]);
        }
        assert_eq!(windows, [TimeWindow::new(0, 15), TimeWindow::new(30, 40)]);
        // [20, 30) touches [30, 40) but not [0, 15).
        let (merged, swallowed) = merge_session(&mut windows, gap.assign(20)[0]);
        assert_eq!(merged, TimeWindow::new(20, 40));
        assert_eq!(swallowed, [TimeWindow::new(30, 40)]);
        let (merged, swallowed) = merge_session(&mut windows, gap.assign(12)[0]);
        assert_eq!(merged, TimeWindow::new(0, 40), "a bridging element joins both sessions");
        assert_eq!(swallowed.len(), 2);
        assert_eq!(windows, [TimeWindow::new(0, 40)]);
    }

    #[test]
    fn bad_sizes_are_explained() {
        assert!(Assigner::Tumbling { size_ms: 0, offset_ms: 0 }.check().is_some());
        assert!(Assigner::Tumbling { size_ms: 10, offset_ms: 10 }.check().is_some());
        assert!(Assigner::Sliding { size_ms: 10, slide_ms: 0, offset_ms: 0 }.check().is_some());
        assert!(Assigner::Session { gap_ms: -1 }.check().is_some());
        assert!(Assigner::Global { count: 0 }.check().is_some());
        assert_eq!(Assigner::Tumbling { size_ms: 10, offset_ms: -5 }.check(), None);
    }
}
