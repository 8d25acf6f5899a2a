//! The UI's copy of the live history: what each reply's [`LiveUpdate`] adds, kept for an hour of
//! simulated time, and the CloudWatch minutes. Charts are drawn from here.
//!
//! Points arrive as bins (one second each, or several when a reply had to cover a long stretch such as a
//! fast-forward); a [`Track`] keeps them with their start and width, so a chart places each where it
//! belongs.

use crate::engine::live::cloudwatch::StreamMinutes;
use crate::engine::live::ring::Points;
use crate::engine::live::seconds::{ConsumerSecond, Fold, ShardSecond, StreamSecond};
use crate::engine::live::{LiveUpdate, ShardRef, HISTORY_SECONDS};

/// Simulated seconds a track keeps.
pub const TRACK_SECONDS: u64 = HISTORY_SECONDS as u64;

/// One series' bins: (first second, seconds covered, the bin), oldest first, within the last hour.
#[derive(Clone, Debug, PartialEq, Default)]
pub struct Track<T> {
    bins: Vec<(u64, u64, T)>,
}

impl<T: Fold> Track<T> {
    /// Appends the bins of `points`, then forgets bins older than an hour before the newest. A bin that
    /// starts inside the newest kept one cuts it short there (a reply's last bin may cover fewer seconds
    /// than its width); one that starts at or before the newest kept one's start is old and ignored.
    pub fn extend(&mut self, points: &Points<T>) {
        for (i, bin) in points.bins.iter().enumerate() {
            let start = points.from_s + i as u64 * points.span_s;
            match self.bins.last_mut() {
                Some(last) if start <= last.0 => continue,
                Some(last) if start < last.0 + last.1 => last.1 = start - last.0,
                _ => {}
            }
            self.bins.push((start, points.span_s, *bin));
        }
        let horizon = self.end().saturating_sub(TRACK_SECONDS);
        let old = self.bins.partition_point(|(start, span, _)| start + span <= horizon);
        self.bins.drain(..old);
    }

    /// The second after the newest bin.
    pub fn end(&self) -> u64 {
        self.bins.last().map_or(0, |(start, span, _)| start + span)
    }

    /// The bins, oldest first.
    pub fn bins(&self) -> &[(u64, u64, T)] {
        &self.bins
    }

    /// At most `max_points` points (x: the bin's start in seconds, the bin): neighbours merge, keeping
    /// their busiest second, when there are more.
    pub fn points(&self, max_points: usize) -> Vec<(f64, T)> {
        let per = self.bins.len().div_ceil(max_points.max(1)).max(1);
        self.bins
            .chunks(per)
            .map(|chunk| {
                let mut merged = chunk[0].2;
                chunk[1..].iter().for_each(|(_, _, b)| merged.fold(b));
                (chunk[0].0 as f64, merged)
            })
            .collect()
    }
}

/// Everything the charts draw.
#[derive(Clone, Debug, PartialEq, Default)]
pub struct ChartHistory {
    /// Per stream, by name, in name order.
    pub streams: Vec<(String, Track<StreamSecond>)>,
    /// Per consumer, in the scenario's order.
    pub consumers: Vec<(String, Track<ConsumerSecond>)>,
    /// The watched shard.
    pub shard: Option<(ShardRef, Track<ShardSecond>)>,
    /// The newest CloudWatch minutes of every stream.
    pub minutes: Vec<StreamMinutes>,
}

impl ChartHistory {
    /// Takes in one reply's update and CloudWatch view; true if anything changed.
    pub fn apply(&mut self, update: &LiveUpdate, minutes: Option<&Vec<StreamMinutes>>) -> bool {
        let mut changed = false;
        if update.fresh {
            *self =
                ChartHistory { shard: self.shard.take().map(|(at, _)| (at, Track::default())), ..Default::default() };
            changed = true;
        }
        changed |= extend_all(&mut self.streams, &update.streams);
        changed |= extend_all(&mut self.consumers, &update.consumers);
        if let Some((at, points)) = &update.shard {
            let keep = !update.shard_fresh && self.shard.as_ref().is_some_and(|(kept, _)| kept == at);
            if !keep {
                self.shard = Some((at.clone(), Track::default()));
            }
            if let Some((_, track)) = self.shard.as_mut() {
                track.extend(points);
            }
            changed |= !points.bins.is_empty() || !keep;
        } else if self.shard.take().is_some() {
            changed = true;
        }
        if let Some(minutes) = minutes {
            self.minutes = minutes.clone();
            changed = true;
        }
        changed
    }

    /// A stream's track.
    pub fn stream(&self, name: &str) -> Option<&Track<StreamSecond>> {
        self.streams.iter().find(|(n, _)| n == name).map(|(_, t)| t)
    }

    /// A stream's CloudWatch minutes.
    pub fn minutes_of(&self, name: &str) -> Option<&StreamMinutes> {
        self.minutes.iter().find(|m| m.stream == name)
    }
}

fn extend_all<T: Fold>(kept: &mut Vec<(String, Track<T>)>, new: &[(String, Points<T>)]) -> bool {
    let mut changed = false;
    for (name, points) in new {
        if points.bins.is_empty() {
            continue;
        }
        changed = true;
        match kept.iter_mut().find(|(n, _)| n == name) {
            Some((_, track)) => track.extend(points),
            None => {
                let mut track = Track::default();
                track.extend(points);
                kept.push((name.clone(), track));
            }
        }
    }
    changed
}

#[cfg(test)]
mod tests {
    use super::*;

    fn points(from_s: u64, span_s: u64, records: &[u32]) -> Points<ShardSecond> {
        let bins = records.iter().map(|&r| ShardSecond { records_in: r, ..Default::default() }).collect();
        Points { from_s, span_s, bins }
    }

    fn hot() -> ShardRef {
        ShardRef { stream: "s".into(), shard: "shardId-000000000000".into() }
    }

    #[test]
    fn tracks_append_bins_of_any_width_and_keep_an_hour() {
        let mut t = Track::default();
        t.extend(&points(0, 10, &[1, 2, 3]));
        t.extend(&points(20, 1, &[9]));
        assert_eq!(t.bins().len(), 3, "a bin starting where the newest kept one starts is old");
        t.extend(&points(25, 1, &[9, 4]));
        let spans: Vec<(u64, u64)> = t.bins().iter().map(|(s, w, _)| (*s, *w)).collect();
        assert_eq!(spans, [(0, 10), (10, 10), (20, 5), (25, 1), (26, 1)], "a partial last bin is cut short");
        t.extend(&points(27, 1, &[5]));
        t.extend(&points(5_000, 1, &[7]));
        assert_eq!(t.bins().len(), 1, "bins more than an hour old are forgotten");
        assert_eq!(t.end(), 5_001);
    }

    #[test]
    fn drawing_merges_neighbours_by_their_busiest_second() {
        let mut t = Track::default();
        t.extend(&points(0, 1, &(0..4_000).map(|i| if i == 1_001 { 999 } else { 1 }).collect::<Vec<_>>()));
        let drawn = t.points(2_000);
        assert!(drawn.len() <= 2_000, "{}", drawn.len());
        assert!(drawn.iter().any(|(_, b)| b.records_in == 999), "a one-second spike survives downsampling");
        assert_eq!(drawn[0].0, 400.0, "the track holds the last hour: seconds 400 … 3,999");
    }

    #[test]
    fn a_fresh_update_starts_over_and_a_new_watch_replaces_the_shard() {
        let mut h = ChartHistory::default();
        let shard = |fresh, p| LiveUpdate { shard: Some((hot(), p)), shard_fresh: fresh, ..Default::default() };
        assert!(h.apply(&shard(true, points(0, 1, &[1, 2])), None));
        assert!(h.apply(&shard(false, points(2, 1, &[3])), None));
        assert_eq!(h.shard.as_ref().map(|(_, t)| t.bins().len()), Some(3));
        assert!(!h.apply(&shard(false, points(3, 1, &[])), None), "nothing new, nothing to redraw");
        assert!(h.apply(&shard(true, points(0, 5, &[8])), None));
        assert_eq!(h.shard.as_ref().map(|(_, t)| t.bins().len()), Some(1));
        let stream = Points { from_s: 0, span_s: 1, bins: vec![StreamSecond::default(); 3] };
        h.apply(
            &LiveUpdate {
                streams: vec![("s".into(), stream)],
                shard: Some((hot(), points(1, 1, &[]))),
                ..Default::default()
            },
            None,
        );
        assert_eq!(h.stream("s").map(|t| t.end()), Some(3));
        assert!(h.apply(&LiveUpdate { fresh: true, ..Default::default() }, None));
        assert!(h.streams.is_empty() && h.shard.is_none(), "a new run forgets the old one's seconds");
    }
}
