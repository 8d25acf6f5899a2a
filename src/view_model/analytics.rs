//! What the Analytics lab shows: the SQL editor's highlighting with the error's token underlined, the
//! result table from an application's output lines, and the comparison lanes' geometry.

use crate::engine::analytics::compare::{Event, Lane};
use crate::engine::analytics::flink::job::Output;
use crate::engine::analytics::sql::app::Emitted;

/// A piece of highlighted code and its class (`kw`, `str`, `qid`, `num`, `comment`, or empty).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Piece {
    pub text: String,
    pub class: &'static str,
    /// The token a parse or validation error points at.
    pub error: bool,
}

const KEYWORDS: [&str; 52] = [
    "SELECT",
    "STREAM",
    "FROM",
    "WHERE",
    "GROUP",
    "BY",
    "HAVING",
    "WINDOW",
    "WINDOWED",
    "STAGGER",
    "PARTITION",
    "RANGE",
    "ROWS",
    "PRECEDING",
    "INTERVAL",
    "SECOND",
    "MINUTE",
    "HOUR",
    "DAY",
    "OVER",
    "AS",
    "AND",
    "OR",
    "NOT",
    "CREATE",
    "REPLACE",
    "PUMP",
    "INSERT",
    "INTO",
    "JOIN",
    "LEFT",
    "ON",
    "ORDER",
    "UNION",
    "ALL",
    "CASE",
    "WHEN",
    "THEN",
    "ELSE",
    "END",
    "CAST",
    "LIKE",
    "IS",
    "NULL",
    "IN",
    "BETWEEN",
    "STEP",
    "FLOOR",
    "TO",
    "TABLE",
    "CURSOR",
    "ROWTIME",
];

/// The pieces of `code`; the token starting at `error` (line, column, from 1) is flagged.
pub fn highlight(code: &str, error: Option<(u32, u32)>) -> Vec<Piece> {
    let chars: Vec<char> = code.chars().collect();
    let mut pieces = Vec::new();
    let (mut i, mut line, mut col) = (0usize, 1u32, 1u32);
    while i < chars.len() {
        let start = (line, col);
        let c = chars[i];
        let rest = &chars[i..];
        let len = if c == '-' && rest.get(1) == Some(&'-') {
            rest.iter().take_while(|c| **c != '\n').count()
        } else if c == '\'' || c == '"' {
            1 + rest[1..].iter().position(|x| *x == c).map_or(rest.len() - 1, |p| p + 1)
        } else if c.is_ascii_alphanumeric() || c == '_' || c == '.' && rest.get(1).is_some_and(char::is_ascii_digit) {
            rest.iter().take_while(|c| c.is_ascii_alphanumeric() || **c == '_' || **c == '.').count()
        } else {
            1
        };
        let text: String = rest[..len].iter().collect();
        let class = if text.starts_with("--") {
            "comment"
        } else if c == '\'' {
            "str"
        } else if c == '"' {
            "qid"
        } else if c.is_ascii_digit() {
            "num"
        } else if KEYWORDS.contains(&text.to_uppercase().as_str()) {
            "kw"
        } else {
            ""
        };
        for ch in &rest[..len] {
            if *ch == '\n' {
                line += 1;
                col = 1;
            } else {
                col += 1;
            }
        }
        let at_error =
            error == Some(start) || error.is_some_and(|e| e == (line, col) && i + len == chars.len() && start.0 == e.0);
        match pieces.last_mut() {
            Some(Piece { text: t, class: k, error: false }) if *k == class && !at_error && class.is_empty() => {
                t.push_str(&text)
            }
            _ => pieces.push(Piece { text, class, error: at_error }),
        }
        i += len;
    }
    if let Some((l, c)) = error {
        // An error at the end of the text points past the last token: mark a space there.
        if (l, c) == (line, col) && !pieces.iter().any(|p| p.error) {
            pieces.push(Piece { text: " ".into(), class: "", error: true });
        }
    }
    pieces
}

/// A row of the result table.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ResultRow {
    pub stream: String,
    /// ROWTIME (or the emission time), as hh:mm:ss.mmm.
    pub at: String,
    /// `column = value` pairs.
    pub cells: Vec<(String, String)>,
    pub late_firing: bool,
    pub replayed: bool,
}

fn cells(row: &[(String, serde_json::Value)]) -> Vec<(String, String)> {
    row.iter().map(|(k, x)| (k.clone(), x.as_str().map_or_else(|| x.to_string(), str::to_string))).collect()
}

fn clock(ms: i64) -> String {
    crate::engine::analytics::value::format_timestamp(ms)[11..].to_string()
}

impl ResultRow {
    /// A row a SQL application emitted.
    pub fn from_emitted(e: &Emitted) -> ResultRow {
        ResultRow {
            stream: e.stream.clone(),
            at: clock(e.rowtime),
            cells: cells(&e.row),
            late_firing: false,
            replayed: false,
        }
    }

    /// A pipeline's output.
    pub fn from_output(o: &Output) -> ResultRow {
        ResultRow {
            stream: o.stream.clone(),
            at: clock(o.at),
            cells: cells(&o.row),
            late_firing: o.late_firing,
            replayed: o.replayed,
        }
    }
}

/// Pixel geometry of a comparison lane: `width` pixels for `duration_ms` of event time.
#[derive(Clone, Debug, PartialEq)]
pub struct LaneGeometry {
    /// (x, y, width, label, class) per pane: `fired`, `late` (fired again or a late stagger result).
    pub panes: Vec<(f64, f64, f64, String, &'static str)>,
    /// (x, y, late) per event, at its event time in its station's row.
    pub events: Vec<(f64, f64, bool)>,
}

/// Rows per lane: one per station, this tall.
pub const ROW_PX: f64 = 22.0;
const STATIONS: [&str; 3] = ["100", "110", "120"];

fn row_of(station: &str) -> f64 {
    STATIONS.iter().position(|s| *s == station).unwrap_or(0) as f64 * ROW_PX
}

/// Where `lane`'s panes and `events` go, on an axis of `duration_ms` over `width` pixels.
pub fn lane_geometry(lane: &Lane, events: &[Event], duration_ms: i64, width: f64) -> LaneGeometry {
    let span = (duration_ms.max(1)) as f64;
    let x = |ms: i64| (ms as f64 / span * width).clamp(-10.0, width + 10.0);
    let panes = lane
        .panes
        .iter()
        .map(|p| {
            let class = if p.late_firing { "late" } else { "fired" };
            (x(p.start), row_of(&p.station), (x(p.end) - x(p.start)).max(2.0), p.count.to_string(), class)
        })
        .collect();
    let events = events
        .iter()
        .enumerate()
        .map(|(i, e)| (x(e.ts), row_of(&e.station) + ROW_PX / 2.0, lane.late.contains(&i)))
        .collect();
    LaneGeometry { panes, events }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keywords_strings_and_quoted_names_are_classed_and_the_error_token_flagged() {
        let p = highlight("SELECT STREAM \"stationId\", 'x'\nFROM s WHERE", Some((2, 8)));
        let classes: Vec<(&str, &str, bool)> = p.iter().map(|p| (p.text.as_str(), p.class, p.error)).collect();
        assert!(classes.contains(&("SELECT", "kw", false)));
        assert!(classes.contains(&("\"stationId\"", "qid", false)));
        assert!(classes.contains(&("'x'", "str", false)));
        assert!(classes.contains(&("WHERE", "kw", true)), "{classes:?}");
        assert_eq!(
            p.iter().map(|p| p.text.as_str()).collect::<String>(),
            "SELECT STREAM \"stationId\", 'x'\nFROM s WHERE"
        );
        let end = highlight("SELECT", Some((1, 7)));
        assert!(end.last().unwrap().error, "an error at the end marks the place after the text");
    }

    #[test]
    fn emitted_rows_keep_their_column_order() {
        let e = Emitted {
            stream: "S".into(),
            rowtime: 61_000,
            row: vec![("B".into(), serde_json::json!(1)), ("A".into(), serde_json::json!("x"))],
        };
        let r = ResultRow::from_emitted(&e);
        assert_eq!(r.at, "00:01:01.000");
        assert_eq!(r.cells, [("B".to_string(), "1".to_string()), ("A".to_string(), "x".to_string())]);
    }
}

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
mod scatter_tests {
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
        let newest = events.iter().filter(|e| e.arrival <= k.duration_ms / 2).map(|e| e.ts).max().unwrap();
        assert!(
            w < newest && w >= newest - k.bound_ms - 1 - 200,
            "W = max event time − bound − 1 at the last emission: {w} vs {newest}"
        );
        assert!(half.watermark.starts_with('M'));
    }
}
