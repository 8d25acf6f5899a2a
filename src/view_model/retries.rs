//! The Firehose lab's retry timeline (spec §4 item 4): one lane per delivery that met trouble in the last
//! minutes — its attempts as marks coloured by outcome on a time axis, the span from its first attempt to
//! its last (to now, while it is still being retried), and what finally became of it.

use crate::engine::firehose::view::DeliveryView;
use crate::engine::time::SimTime;

/// One delivery's lane.
#[derive(Clone, Debug, PartialEq)]
pub struct Lane {
    pub label: String,
    /// Where its span starts and ends, as fractions of the window.
    pub from: f64,
    pub to: f64,
    /// Still being retried (the span reaches now).
    pub open: bool,
    pub marks: Vec<Mark>,
}

/// One attempt (or final fate) on a lane.
#[derive(Clone, Debug, PartialEq)]
pub struct Mark {
    pub at: f64,
    /// `delivered`, `failed`, `copied`, `skipped`, `lost` or `discarded`: the CSS class.
    pub outcome: String,
    /// What happened, for the tooltip.
    pub title: String,
}

/// The lanes of the deliveries in `lines` (newest first) that had a failure, skip, loss or discard,
/// within the `window_s` seconds before `now`, oldest lane first.
pub fn lanes(lines: &[DeliveryView], now: SimTime, window_s: u64) -> Vec<Lane> {
    let end = now.as_millis() as f64 / 1_000.0;
    let start = end - window_s as f64;
    let pos = |t: SimTime| ((t.as_millis() as f64 / 1_000.0 - start) / window_s as f64).clamp(0.0, 1.0);
    let mut ids: Vec<u64> = lines.iter().map(|l| l.id).collect();
    ids.sort_unstable();
    ids.dedup();
    ids.into_iter()
        .filter_map(|id| {
            // Oldest first; lines of the same instant keep the order they were logged in.
            let mut own: Vec<&DeliveryView> = lines.iter().rev().filter(|l| l.id == id).collect();
            own.sort_by_key(|l| l.at);
            let troubled = own.iter().any(|l| l.outcome != "delivered" && l.outcome != "copied");
            let (first, last) = (own.first()?, own.last()?);
            if !troubled || last.at.as_millis() as f64 / 1_000.0 < start {
                return None;
            }
            let open = last.outcome == "failed";
            let marks = own
                .iter()
                .map(|l| Mark {
                    at: pos(l.at),
                    outcome: l.outcome.clone(),
                    title: format!("{} attempt {}: {}: {}", l.at, l.attempt, l.outcome, l.detail),
                })
                .collect();
            let what = if last.trigger == "COPY" { "COPY" } else { "delivery" };
            let fate = if open { "still retrying".to_string() } else { last.outcome.clone() };
            Some(Lane {
                label: format!(
                    "{what} #{id} · {} records · {} · {fate}",
                    super::format::count(last.records),
                    super::firehose::plural(u64::from(last.attempt), "attempt")
                ),
                from: pos(first.at),
                to: if open { 1.0 } else { pos(last.at) },
                open,
                marks,
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn line(id: u64, at_s: u64, attempt: u32, outcome: &str) -> DeliveryView {
        DeliveryView {
            id,
            at: SimTime::from_secs(at_s),
            records: 100,
            attempt,
            outcome: outcome.into(),
            trigger: "INTERVAL".into(),
            ..Default::default()
        }
    }

    #[test]
    fn only_troubled_deliveries_get_a_lane_with_their_attempts() {
        let lines = vec![
            line(3, 590, 1, "delivered"),
            line(2, 580, 3, "failed"),
            line(2, 570, 2, "failed"),
            line(2, 560, 1, "failed"),
            line(1, 500, 2, "delivered"),
            line(1, 450, 1, "failed"),
        ];
        let l = lanes(&lines, SimTime::from_secs(600), 200);
        let mut given_up = lines.clone();
        given_up.insert(0, line(2, 580, 3, "backed-up"));
        let closed = lanes(&given_up, SimTime::from_secs(600), 200);
        assert!(
            !closed[1].open && closed[1].label.ends_with("backed-up"),
            "logged after the last failure, at the same instant"
        );
        assert_eq!(l.len(), 2, "delivery 3 went through at once");
        assert_eq!(l[0].label, "delivery #1 · 100 records · 2 attempts · delivered");
        assert_eq!((l[0].from, l[0].to, l[0].open), (0.25, 0.5, false));
        assert_eq!(l[1].label, "delivery #2 · 100 records · 3 attempts · still retrying");
        assert_eq!((l[1].to, l[1].marks.len()), (1.0, 3));
        assert_eq!(l[1].marks[0].outcome, "failed");
        assert!(lanes(&lines, SimTime::from_secs(5_000), 200).is_empty(), "out of the window");
    }
}
