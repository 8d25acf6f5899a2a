//! Per-second rates for the live view: each snapshot's shard totals against those of about one simulated
//! second earlier, so the rates are steady whatever the frame rate and speed.

use super::shard_map::{bars, ShardBar};
use crate::engine::snapshot::StreamView;
use crate::engine::time::{SimDuration, SimTime};
use std::collections::VecDeque;

/// Rates cover at least this much simulated time once the run has it.
const SPAN: SimDuration = SimDuration::from_secs(1);
/// Views closer together than this are not kept (bounds memory at slow speeds).
const SPACING: SimDuration = SimDuration::from_millis(100);

/// Recent stream views, oldest first.
#[derive(Clone, Debug, Default)]
pub struct RateWindow {
    views: VecDeque<(SimTime, Vec<StreamView>)>,
}

/// One stream's shard bars.
#[derive(Clone, Debug, PartialEq)]
pub struct StreamBars {
    pub stream: String,
    pub bars: Vec<ShardBar>,
}

impl RateWindow {
    /// Notes the views at `now` and returns every stream's bars with rates over the last second or so.
    /// Time going backwards means a new run: the history is dropped.
    pub fn observe(&mut self, now: SimTime, streams: &[StreamView]) -> Vec<StreamBars> {
        if self.views.back().is_some_and(|(t, _)| *t > now) {
            self.views.clear();
        }
        // The base: the newest view at least SPAN old, else the oldest one before now.
        let base = self
            .views
            .iter()
            .rev()
            .find(|(t, _)| *t + SPAN <= now)
            .or_else(|| self.views.front().filter(|(t, _)| *t < now));
        let result = streams
            .iter()
            .map(|s| {
                let before = base.and_then(|(_, views)| views.iter().find(|v| v.name == s.name));
                let seconds = base.map_or(0.0, |(t, _)| now.saturating_since(*t).as_secs_f64());
                StreamBars { stream: s.name.clone(), bars: bars(s, before, seconds) }
            })
            .collect();
        if self.views.back().is_none_or(|(t, _)| *t + SPACING <= now) {
            self.views.push_back((now, streams.to_vec()));
        }
        // Keep one view older than SPAN as the base; drop the rest of the past.
        while self.views.len() > 1 && self.views[1].0 + SPAN <= now {
            self.views.pop_front();
        }
        result
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::kds::types::{StreamMode, StreamStatus};
    use crate::engine::snapshot::ShardView;

    fn view(records_in: u64) -> Vec<StreamView> {
        vec![StreamView {
            name: "s".into(),
            status: StreamStatus::Active,
            mode: StreamMode::Provisioned,
            retention_hours: 24,
            shards: vec![ShardView {
                id: "shardId-000000000000".into(),
                starting_hash_key: "0".into(),
                ending_hash_key: u128::MAX.to_string(),
                start_top64: 0,
                end_top64: u64::MAX,
                parent: None,
                adjacent_parent: None,
                open: true,
                tally: crate::engine::kds::tally::ShardTally { records_in, ..Default::default() },
            }],
        }]
    }

    #[test]
    fn rates_span_about_a_second_at_any_frame_rate() {
        let mut w = RateWindow::default();
        // 500 records/s, observed every 16 ms of simulated time for three seconds.
        let mut last = Vec::new();
        for frame in 0..=187u64 {
            let t = SimTime::from_millis(frame * 16);
            last = w.observe(t, &view(frame * 8));
        }
        assert!((last[0].bars[0].records_per_s - 500.0).abs() < 1e-6, "{:?}", last[0].bars[0]);
        assert!(w.views.len() <= 12, "views are thinned and trimmed: {}", w.views.len());
    }

    #[test]
    fn the_first_view_has_no_rates_and_a_new_run_starts_over() {
        let mut w = RateWindow::default();
        assert_eq!(w.observe(SimTime::from_secs(5), &view(5_000))[0].bars[0].records_per_s, 0.0);
        assert_eq!(w.observe(SimTime::from_secs(6), &view(6_000))[0].bars[0].records_per_s, 1_000.0);
        let fresh = w.observe(SimTime::from_millis(500), &view(10));
        assert_eq!(fresh[0].bars[0].records_per_s, 0.0, "after a reset the old totals are not a base");
    }
}
