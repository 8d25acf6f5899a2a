//! The engine panel's rows: labelled values derived from the latest snapshot.

use super::format::count;
use crate::protocol::HostSnapshot;

/// One labelled value.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Row {
    /// What the value is.
    pub label: &'static str,
    /// The value as shown.
    pub value: String,
}

/// The rows for a snapshot; none before the first snapshot arrives (the panel says it is waiting).
pub fn engine_rows(snapshot: Option<&HostSnapshot>) -> Vec<Row> {
    let Some(s) = snapshot else {
        return Vec::new();
    };
    let e = &s.engine;
    let playback = match (s.playing, s.behind) {
        (false, _) => format!("paused at {}", s.speed),
        (true, false) => format!("playing at {}", s.speed),
        (true, true) => format!("playing at {} (engine falling behind)", s.speed),
    };
    vec![
        Row { label: "Simulated time", value: e.now.to_string() },
        Row { label: "Events processed", value: count(e.events_processed) },
        Row { label: "Timers pending", value: count(e.timers_pending) },
        Row { label: "Next event at", value: e.next_event_at.map_or_else(|| "none pending".into(), |t| t.to_string()) },
        Row { label: "Playback", value: playback },
        Row { label: "Seed", value: e.seed.to_string() },
    ]
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::rng::Seed;
    use crate::engine::snapshot::Snapshot;
    use crate::engine::time::SimTime;
    use crate::protocol::Speed;

    fn snapshot(playing: bool, behind: bool) -> HostSnapshot {
        HostSnapshot {
            engine: Snapshot {
                now: SimTime::from_millis(61_500),
                seed: Seed(42),
                events_processed: 12_345,
                timers_pending: 1,
                next_event_at: Some(SimTime::from_secs(62)),
                streams: Vec::new(),
                consumers: Vec::new(),
                producers: Vec::new(),
                firehose: Vec::new(),
                analytics: Vec::new(),
            },
            playing,
            speed: Speed::MAX,
            behind,
            samples: Vec::new(),
            log: Vec::new(),
            streams: Vec::new(),
            live: Default::default(),
            cloudwatch: None,
            page: None,
            plan_check: None,
            answer: None,
            fast_forward: None,
            parquet: None,
            analytics_module: None,
        }
    }

    #[test]
    fn no_snapshot_no_numbers() {
        assert!(engine_rows(None).is_empty());
    }

    #[test]
    fn rows_show_the_snapshot() {
        let rows = engine_rows(Some(&snapshot(true, false)));
        let values: Vec<_> = rows.iter().map(|r| r.value.as_str()).collect();
        assert_eq!(values, ["01:01.500", "12,345", "1", "01:02.000", "playing at ×1000", "42"]);
    }

    #[test]
    fn playback_says_when_the_engine_is_behind_or_paused() {
        assert_eq!(engine_rows(Some(&snapshot(true, true)))[4].value, "playing at ×1000 (engine falling behind)");
        assert_eq!(engine_rows(Some(&snapshot(false, true)))[4].value, "paused at ×1000");
    }
}
