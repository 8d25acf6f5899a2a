//! Event-time watermarks (spec firehose-analytics.md §3.3): each source channel (a shard's subtask) runs
//! Flink's bounded-out-of-orderness generator — `W = maxTimestamp − bound − 1 ms`, emitted every
//! `autoWatermarkInterval` of processing time — and may be marked idle after a quiet spell; the operator
//! downstream takes the minimum over the channels that are not idle, and never goes back.

use serde::{Deserialize, Serialize};

/// Flink's `autoWatermarkInterval` default.
pub const INTERVAL_MS_DEFAULT: i64 = 200;

/// The watermark before any element: nothing is known yet.
pub const NONE: i64 = i64::MIN;
/// The watermark a bounded source sends at the end of its input: every window may fire.
pub const END: i64 = i64::MAX;

/// How watermarks are generated.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct WatermarkStrategy {
    /// `forBoundedOutOfOrderness(bound)`; 0 is `forMonotonousTimestamps()`.
    pub out_of_orderness_ms: i64,
    /// `withIdleness(d)`: a channel with no element for d of processing time stops holding the watermark.
    pub idleness_ms: Option<i64>,
    /// How often the generator emits (`autoWatermarkInterval`).
    pub interval_ms: i64,
}

impl Default for WatermarkStrategy {
    fn default() -> WatermarkStrategy {
        WatermarkStrategy { out_of_orderness_ms: 0, idleness_ms: None, interval_ms: INTERVAL_MS_DEFAULT }
    }
}

/// One source channel's generator.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Channel {
    /// The largest event timestamp seen (`None` before the first).
    max_timestamp: Option<i64>,
    /// The last watermark emitted.
    pub emitted: i64,
    /// Processing time of the last element.
    last_element_at: Option<i64>,
    pub idle: bool,
}

impl Default for Channel {
    fn default() -> Channel {
        Channel { max_timestamp: None, emitted: NONE, last_element_at: None, idle: false }
    }
}

impl Channel {
    /// An element with event time `ts` arrives at processing time `now`.
    pub fn on_element(&mut self, ts: i64, now: i64) {
        self.max_timestamp = Some(self.max_timestamp.map_or(ts, |m| m.max(ts)));
        self.last_element_at = Some(now);
        self.idle = false;
    }

    /// The periodic emission at processing time `now`: the new watermark, and whether the channel is idle.
    pub fn on_periodic_emit(&mut self, s: &WatermarkStrategy, now: i64) {
        if let Some(max) = self.max_timestamp {
            self.emitted = self.emitted.max(max.saturating_sub(s.out_of_orderness_ms).saturating_sub(1));
        }
        if let Some(idleness) = s.idleness_ms {
            // A channel that never had an element is idle once the idleness has passed since the start.
            let quiet_since = self.last_element_at.unwrap_or(0);
            self.idle = now - quiet_since >= idleness;
        }
    }

    /// Processing time of the channel's last element.
    pub fn last_element_at(&self) -> Option<i64> {
        self.last_element_at
    }

    /// The end of a bounded input.
    pub fn on_end(&mut self) {
        self.emitted = END;
        self.idle = false;
    }
}

/// The combined watermark of an operator fed by `channels`: the minimum over those not idle, never lower
/// than `current`. With every channel idle it stays where it is.
pub fn combine(channels: &[Channel], current: i64) -> i64 {
    channels.iter().filter(|c| !c.idle).map(|c| c.emitted).min().map_or(current, |m| m.max(current))
}

/// The periodic emission instants in (after, until]: multiples of the interval.
pub fn ticks(s: &WatermarkStrategy, after: i64, until: i64) -> impl Iterator<Item = i64> {
    let interval = s.interval_ms.max(1);
    let first = (after.div_euclid(interval) + 1) * interval;
    std::iter::successors(Some(first), move |t| Some(t + interval)).take_while(move |t| *t <= until)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn bounded(bound: i64) -> WatermarkStrategy {
        WatermarkStrategy { out_of_orderness_ms: bound, ..WatermarkStrategy::default() }
    }

    #[test]
    fn the_watermark_trails_the_largest_timestamp_by_the_bound_plus_one() {
        let s = bounded(5_000);
        let mut c = Channel::default();
        c.on_periodic_emit(&s, 200);
        assert_eq!(c.emitted, NONE, "nothing seen, nothing asserted");
        c.on_element(60_000, 250);
        c.on_element(58_000, 300); // out of order: the maximum stays
        c.on_periodic_emit(&s, 400);
        assert_eq!(c.emitted, 54_999);
        c.on_element(70_000, 500);
        assert_eq!(c.emitted, 54_999, "only the periodic emission moves it");
        c.on_periodic_emit(&s, 600);
        assert_eq!(c.emitted, 64_999);
        let mut monotonous = Channel::default();
        monotonous.on_element(1_000, 0);
        monotonous.on_periodic_emit(&bounded(0), 200);
        assert_eq!(monotonous.emitted, 999);
    }

    #[test]
    fn the_slowest_busy_channel_holds_the_watermark_until_idleness_releases_it() {
        let s = WatermarkStrategy { idleness_ms: Some(10_000), ..bounded(0) };
        let mut channels = vec![Channel::default(), Channel::default()];
        channels[0].on_element(5_000, 1_000);
        channels[1].on_element(2_000, 1_000);
        for c in channels.iter_mut() {
            c.on_periodic_emit(&s, 1_200);
        }
        assert_eq!(combine(&channels, NONE), 1_999, "the minimum of the two");
        // Channel 1 falls quiet; channel 0 keeps going.
        channels[0].on_element(20_000, 8_000);
        for c in channels.iter_mut() {
            c.on_periodic_emit(&s, 8_200);
        }
        assert_eq!(combine(&channels, 1_999), 1_999, "still held back by the quiet channel");
        for c in channels.iter_mut() {
            c.on_periodic_emit(&s, 11_000);
        }
        assert!(channels[1].idle);
        assert_eq!(combine(&channels, 1_999), 19_999, "idle channels are left out");
        // It wakes with an old timestamp: the combined watermark never goes back.
        channels[1].on_element(3_000, 11_100);
        channels[1].on_periodic_emit(&s, 11_200);
        assert_eq!(combine(&channels, 19_999), 19_999);
        let all_idle = vec![Channel { idle: true, ..Channel::default() }];
        assert_eq!(combine(&all_idle, 42), 42);
    }

    #[test]
    fn the_end_of_input_fires_everything() {
        let mut c = Channel::default();
        c.on_end();
        assert_eq!(combine(&[c], 7), END);
    }

    #[test]
    fn ticks_are_multiples_of_the_interval() {
        let s = WatermarkStrategy::default();
        assert_eq!(ticks(&s, 0, 650).collect::<Vec<_>>(), [200, 400, 600]);
        assert_eq!(ticks(&s, 200, 400).collect::<Vec<_>>(), [400]);
        assert_eq!(ticks(&s, 399, 399).count(), 0);
    }
}
