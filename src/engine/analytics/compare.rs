//! The window comparison (issue 8 §3): one generated stream of station events, out of order by a knob,
//! cut four ways side by side — Flink-style event-time tumbling, sliding and session windows with a
//! bounded-out-of-orderness watermark and allowed lateness, and KDA SQL stagger windows on ROWTIME
//! (arrival) partitioned by event minute and station. Each lane lists its panes with their counts and
//! when they fired, and which events came too late. The page draws the lanes; the numbers come from the
//! same engines `kinesis-lab analytics` runs.

use super::flink::job::{Job, Trace};
use super::flink::pipeline::Pipeline;
use super::sql::app::App;
use super::sql::schema::InputSchema;
use super::value::{format_timestamp, parse_timestamp};
use crate::engine::rng::{Seed, SimRng};
use serde_json::json;

/// The knobs.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Knobs {
    pub seed: u64,
    /// Simulated length of the stream.
    pub duration_ms: i64,
    /// Events per minute, over all stations.
    pub events_per_minute: u32,
    /// How far behind its event time an event may arrive (ordinary lag, uniform).
    pub out_of_orderness_ms: i64,
    /// Percent of events that arrive much later (2 to 4 times the window).
    pub late_percent: u32,
    /// The watermark's bound (usually the out-of-orderness).
    pub bound_ms: i64,
    pub allowed_lateness_ms: i64,
    /// A window's size (tumbling, sliding, stagger range) and the session gap.
    pub window_ms: i64,
    pub gap_ms: i64,
    /// When station 120's sensor goes quiet (its events stop), 0 for never. Station 120 is the only
    /// station on the second shard, so a quiet shard holds the event-time lanes' watermark back.
    pub quiet_from_ms: i64,
    /// `withIdleness`: a shard quiet this long stops holding the watermark; 0 for off.
    pub idleness_ms: i64,
}

impl Default for Knobs {
    fn default() -> Knobs {
        Knobs {
            seed: 1,
            duration_ms: 5 * 60_000,
            events_per_minute: 20,
            out_of_orderness_ms: 5_000,
            late_percent: 5,
            bound_ms: 5_000,
            allowed_lateness_ms: 0,
            window_ms: 60_000,
            gap_ms: 20_000,
            quiet_from_ms: 0,
            idleness_ms: 0,
        }
    }
}

/// One generated event.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Event {
    pub station: String,
    /// Event time and arrival, in ms from the stream's start.
    pub ts: i64,
    pub arrival: i64,
}

/// One pane of one lane.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Pane {
    pub station: String,
    pub start: i64,
    pub end: i64,
    pub count: i64,
    /// When it fired (processing time), and whether it fired again for a late event (a stagger window:
    /// whether it opened only after its event minute had ended, a result for late rows).
    pub fired_at: i64,
    pub late_firing: bool,
    /// The events it counted, by index into the stream (as many as `count`): which had arrived when.
    pub members: Vec<usize>,
}

/// One window kind over the stream.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Lane {
    pub title: String,
    pub panes: Vec<Pane>,
    /// Indices of the events the lane dropped as late.
    pub late: Vec<usize>,
    /// The watermark over processing time (the event-time lanes).
    pub watermark: Vec<(i64, i64)>,
    /// The gap of a session lane: its open sessions are as long as their events say so far.
    pub session_gap_ms: Option<i64>,
}

/// Where the stream starts on the clock: windows align to the epoch, so the start is a whole hour.
const START: &str = "2024-03-15 10:00:00";
const STATIONS: [&str; 3] = ["100", "110", "120"];
/// The station whose events come through the second shard.
pub const QUIET_STATION: &str = "120";

/// The shard an event arrives through.
fn shard_of(station: &str) -> &'static str {
    if station == QUIET_STATION {
        "shardId-000000000001"
    } else {
        "shardId-000000000000"
    }
}

/// The events of `k`, in arrival order.
pub fn generate(k: &Knobs) -> Vec<Event> {
    let mut rng = SimRng::new(Seed(k.seed)).fork("analytics-compare");
    let n = (k.duration_ms / 60_000).max(1) * i64::from(k.events_per_minute.max(1));
    let mut events: Vec<Event> = (0..n)
        .map(|i| {
            let ts = i * k.duration_ms / n + rng.below(1_000) as i64;
            let late = rng.below(100) < u64::from(k.late_percent);
            let lag = if late {
                k.window_ms * 2 + rng.below((k.window_ms * 2).max(1) as u64) as i64
            } else {
                rng.below(k.out_of_orderness_ms.max(0) as u64 + 1) as i64
            };
            Event { station: STATIONS[rng.below(3) as usize].to_string(), ts, arrival: ts + lag }
        })
        .filter(|e| k.quiet_from_ms <= 0 || e.station != QUIET_STATION || e.ts < k.quiet_from_ms)
        .collect();
    events.sort_by_key(|e| (e.arrival, e.ts));
    events
}

fn origin() -> i64 {
    parse_timestamp(START).expect("a valid start")
}

/// The four lanes over `events`.
pub fn lanes(k: &Knobs, events: &[Event]) -> Vec<Lane> {
    let size = k.window_ms.max(1);
    vec![
        flink_lane(k, events, "Tumbling (event time)", json!({"tumbling": {"size_ms": size}})),
        flink_lane(
            k,
            events,
            "Sliding (event time, slide = size / 2)",
            json!({"sliding": {"size_ms": size, "slide_ms": (size / 2).max(1)}}),
        ),
        flink_lane(k, events, "Session (event time)", json!({"session": {"gap_ms": k.gap_ms.max(1)}})),
        stagger_lane(k, events),
    ]
}

fn flink_lane(k: &Knobs, events: &[Event], title: &str, window: serde_json::Value) -> Lane {
    let p = Pipeline::from_json(&json!({
        "key_by": "station", "time": "event", "timestamp": "ts",
        "watermarks": {"out_of_orderness_ms": k.bound_ms.max(0), "idleness_ms": (k.idleness_ms > 0).then_some(k.idleness_ms)},
        "window": window, "allowed_lateness_ms": k.allowed_lateness_ms.max(0), "late_output": "late",
        "aggregate": [{"count": "*", "as": "n"}], "sink": {"table": "out"}, "checkpoints": false
    }))
    .expect("the comparison's pipelines are valid");
    let mut job = Job::new(p);
    let o = origin();
    let mut lane = Lane {
        title: title.to_string(),
        panes: Vec::new(),
        late: Vec::new(),
        watermark: Vec::new(),
        session_gap_ms: window["session"]["gap_ms"].as_i64(),
    };
    let mut outputs = Vec::new();
    for (i, e) in events.iter().enumerate() {
        let out = job.push(o + e.arrival, shard_of(&e.station), &json!({"station": e.station, "ts": o + e.ts}));
        if out.iter().any(|x| x.stream == "late") {
            lane.late.push(i);
        }
        outputs.extend(out.into_iter().filter(|x| x.stream != "late"));
    }
    outputs.extend(job.finish());
    for t in job.take_trace() {
        if let Trace::Watermark { at, watermark } = t {
            lane.watermark.push((at - o, watermark.saturating_sub(o)));
        }
    }
    for x in outputs {
        let get = |name: &str| x.row.iter().find(|(n, _)| n == name).map(|(_, v)| v.clone()).unwrap_or_default();
        let time = |name: &str| get(name).as_str().and_then(parse_timestamp).map_or(0, |t| t - o);
        lane.panes.push(Pane {
            station: get("station").as_str().unwrap_or_default().to_string(),
            start: time("window_start"),
            end: time("window_end"),
            count: get("n").as_i64().unwrap_or(0),
            fired_at: x.at - o,
            late_firing: x.late_firing,
            members: Vec::new(),
        });
    }
    // A pane counts the on-time events of its key and window that had arrived when it fired.
    for p in &mut lane.panes {
        p.members = (0..events.len())
            .filter(|i| {
                let e = &events[*i];
                e.station == p.station
                    && (p.start..p.end).contains(&e.ts)
                    && e.arrival <= p.fired_at
                    && !lane.late.contains(i)
            })
            .collect();
    }
    lane
}

fn stagger_lane(k: &Knobs, events: &[Event]) -> Lane {
    let schema = InputSchema::from_json(&json!({"RecordColumns": [
        {"Name": "station", "SqlType": "VARCHAR(8)"}, {"Name": "eventTime", "SqlType": "TIMESTAMP"},
    ]}))
    .expect("the comparison's schema is valid");
    let minutes = (k.window_ms / 60_000).max(1);
    let code = format!(
        "SELECT STREAM \"station\", FLOOR(\"eventTime\" TO MINUTE) AS EVENT_MINUTE, COUNT(*) AS N FROM SOURCE_SQL_STREAM_001 \
         WINDOWED BY STAGGER (PARTITION BY FLOOR(\"eventTime\" TO MINUTE), \"station\" RANGE INTERVAL '{minutes}' MINUTE)"
    );
    let mut app = App::new(&code, schema, None).expect("the comparison's stagger query is valid");
    let o = origin();
    let mut emitted = Vec::new();
    for e in events {
        let record = json!({"station": e.station, "eventTime": format_timestamp(o + e.ts)});
        emitted.extend(app.push(o + e.arrival, record.to_string().as_bytes()));
    }
    emitted.extend(app.finish());
    let range = minutes * 60_000;
    let panes = emitted
        .iter()
        .filter(|x| x.stream != super::sql::app::ERROR_STREAM)
        .map(|x| {
            let minute = x.get("EVENT_MINUTE").as_str().and_then(parse_timestamp).map_or(0, |t| t - o);
            let close = x.rowtime - o;
            // A stagger window opens at its key's first row and closes RANGE later; drawn on the event
            // minute it collects, with its close as the firing, flagged when it opened after that minute.
            Pane {
                station: x.get("station").as_str().unwrap_or_default().to_string(),
                start: minute,
                end: minute + 60_000,
                count: x.get("N").as_i64().unwrap_or(0),
                fired_at: close,
                late_firing: close - range > minute + 60_000,
                // The rows of its event minute and station that arrived while it was open.
                members: (0..events.len())
                    .filter(|i| {
                        let e = &events[*i];
                        e.station == x.get("station").as_str().unwrap_or_default()
                            && (minute..minute + 60_000).contains(&e.ts)
                            && (close - range..close).contains(&e.arrival)
                    })
                    .collect(),
            }
        })
        .collect();
    Lane {
        title: format!("Stagger (ROWTIME, {minutes} min per event minute and station)"),
        panes,
        late: Vec::new(),
        watermark: Vec::new(),
        session_gap_ms: None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_same_seed_gives_the_same_stream_and_every_event_is_counted_or_late() {
        let k = Knobs::default();
        let events = generate(&k);
        assert_eq!(events, generate(&k));
        assert_eq!(events.len(), 100);
        assert!(events.windows(2).all(|w| w[0].arrival <= w[1].arrival), "arrival order");
        let lanes = lanes(&k, &events);
        assert_eq!(lanes.len(), 4);
        let tumbling = &lanes[0];
        let counted: i64 = tumbling.panes.iter().filter(|p| !p.late_firing).map(|p| p.count).sum();
        assert_eq!(counted + tumbling.late.len() as i64, events.len() as i64, "each event once: in a pane or late");
        assert!(!tumbling.late.is_empty(), "5 % arrive two windows late");
        // Sliding windows of size 2 × slide hold each on-time event twice.
        let sliding: i64 = lanes[1].panes.iter().map(|p| p.count).sum();
        assert!(sliding > counted, "{sliding} vs {counted}");
        // Stagger windows drop nothing: a late event opens a window of its own.
        let stagger: i64 = lanes[3].panes.iter().map(|p| p.count).sum();
        assert_eq!(stagger, events.len() as i64);
        assert!(tumbling.watermark.windows(2).all(|w| w[0].1 < w[1].1), "the watermark only rises");
    }

    #[test]
    fn each_pane_names_the_events_it_counted() {
        for k in [
            Knobs::default(),
            Knobs { late_percent: 20, allowed_lateness_ms: 240_000, seed: 7, ..Knobs::default() },
            Knobs {
                window_ms: 120_000,
                gap_ms: 5_000,
                out_of_orderness_ms: 30_000,
                bound_ms: 30_000,
                ..Knobs::default()
            },
        ] {
            let events = generate(&k);
            for lane in lanes(&k, &events) {
                for p in &lane.panes {
                    assert_eq!(p.members.len() as i64, p.count, "{} {p:?}", lane.title);
                    assert!(p.members.iter().all(|i| events[*i].arrival <= p.fired_at), "arrived before it fired");
                }
            }
        }
    }

    #[test]
    fn a_quiet_shard_holds_the_watermark_until_idleness_releases_it() {
        let quiet = Knobs { quiet_from_ms: 120_000, ..Knobs::default() };
        let events = generate(&quiet);
        assert!(events.iter().all(|e| e.station != QUIET_STATION || e.ts < 120_000));
        let fired_by = |k: &Knobs, t: i64| lanes(k, &events)[0].panes.iter().filter(|p| p.fired_at <= t).count();
        let idle = Knobs { idleness_ms: 30_000, ..quiet };
        // Without idleness no window past minute 2 can fire before the input ends.
        let held =
            lanes(&quiet, &events)[0].watermark.iter().filter(|(at, _)| *at < quiet.duration_ms).map(|(_, w)| *w).max();
        assert!(held.is_some_and(|w| w < 120_000), "{held:?}");
        assert!(fired_by(&idle, quiet.duration_ms) > fired_by(&quiet, quiet.duration_ms));
        // A faster watermark makes more events late: each is still counted once or dropped once.
        for k in [&quiet, &idle] {
            let lane = &lanes(k, &events)[0];
            let counted: i64 = lane.panes.iter().map(|p| p.count).sum();
            assert_eq!(counted + lane.late.len() as i64, events.len() as i64);
        }
    }

    #[test]
    fn lateness_turns_drops_into_late_firings() {
        let strict = Knobs { late_percent: 20, ..Knobs::default() };
        let lenient = Knobs { allowed_lateness_ms: 240_000, ..strict };
        let events = generate(&strict);
        let (a, b) = (&lanes(&strict, &events)[0], &lanes(&lenient, &events)[0]);
        assert!(b.late.len() < a.late.len());
        assert!(b.panes.iter().any(|p| p.late_firing));
    }
}
