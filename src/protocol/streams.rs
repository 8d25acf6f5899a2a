//! Streams on the wire: a shard's place in the key space and its lineage change only when shards come
//! and go, but its counts change every second. A reply carries each stream's layout (ids, decimal hash
//! ranges, parents: about 300 bytes a shard) only when its set of shards changed since the last reply,
//! and the counts as bare arrays otherwise, so a 1,000-shard stream costs about 90 KB a frame instead
//! of 500 KB. The UI keeps the last layout and joins the two back into [`StreamView`]s.

use crate::engine::kds::ids::ShardId;
use crate::engine::kds::tally::ShardTally;
use crate::engine::kds::types::{StreamMode, StreamStatus};
use crate::engine::snapshot::{ShardView, StreamView};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// A stream as a reply carries it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct StreamWire {
    pub name: String,
    pub status: StreamStatus,
    pub mode: StreamMode,
    pub retention_hours: u32,
    /// Every shard's layout, in the order of `shards`; None when unchanged since the previous reply.
    pub layout: Option<Vec<ShardLayout>>,
    pub shards: Vec<ShardLive>,
}

/// What stays the same for a shard's whole life, as a bare array: the shard's index, its first and last
/// hash key in decimal, and its parents' indexes (ids and the keys' top bits are rebuilt from these).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ShardLayout(pub u32, pub String, pub String, pub Option<u32>, pub Option<u32>);

/// A layout as the UI keeps it: expanded once, when it arrives.
#[derive(Clone, Debug, PartialEq, Eq)]
struct ShardStatic {
    id: String,
    starting_hash_key: String,
    ending_hash_key: String,
    start_top64: u64,
    end_top64: u64,
    parent: Option<String>,
    adjacent_parent: Option<String>,
}

impl ShardStatic {
    fn of(ShardLayout(index, start, end, parent, adjacent): ShardLayout) -> Result<Self, String> {
        let top64 = |key: &str| -> Result<u64, String> {
            let k: u128 = key.parse().map_err(|_| format!("'{key}' is not a hash key"))?;
            Ok((k >> 64) as u64)
        };
        let id = |i: u32| ShardId(i).to_string();
        Ok(ShardStatic {
            id: id(index),
            start_top64: top64(&start)?,
            end_top64: top64(&end)?,
            starting_hash_key: start,
            ending_hash_key: end,
            parent: parent.map(id),
            adjacent_parent: adjacent.map(id),
        })
    }
}

/// What changes: open or closed, running totals and the last second's counts (as [`ShardTally::to_array`]).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ShardLive(pub bool, pub [u64; 7], pub [u64; 7]);

/// The worker's record of the shard ids whose layout it last sent, per stream.
#[derive(Clone, Debug, Default)]
pub struct LayoutsSent(BTreeMap<String, Vec<String>>);

/// The UI's copy of each stream's newest layout.
#[derive(Clone, Debug, Default)]
pub struct Layouts(BTreeMap<String, Vec<ShardStatic>>);

/// Splits `streams` for the wire, with a layout only where the shards changed since `sent` last saw them.
pub fn split(streams: Vec<StreamView>, sent: &mut LayoutsSent) -> Vec<StreamWire> {
    sent.0.retain(|name, _| streams.iter().any(|s| &s.name == name));
    streams
        .into_iter()
        .map(|s| {
            let ids: Vec<String> = s.shards.iter().map(|sh| sh.id.clone()).collect();
            let changed = sent.0.get(&s.name) != Some(&ids);
            if changed {
                sent.0.insert(s.name.clone(), ids);
            }
            let (layout, shards): (Vec<ShardLayout>, Vec<ShardLive>) = s
                .shards
                .into_iter()
                .map(|sh| {
                    let live = ShardLive(sh.open, sh.tally.to_array(), sh.last_second.to_array());
                    let index = |id: &str| ShardId::resolve(id).map(|i| i.0);
                    let layout = ShardLayout(
                        index(&sh.id).expect("the engine names shards shardId-<index>"),
                        sh.starting_hash_key,
                        sh.ending_hash_key,
                        sh.parent.as_deref().and_then(index),
                        sh.adjacent_parent.as_deref().and_then(index),
                    );
                    (layout, live)
                })
                .unzip();
            StreamWire {
                name: s.name,
                status: s.status,
                mode: s.mode,
                retention_hours: s.retention_hours,
                layout: changed.then_some(layout),
                shards,
            }
        })
        .collect()
}

/// Joins `wire` with the layouts kept (updating them), or says what is missing.
pub fn join(wire: Vec<StreamWire>, kept: &mut Layouts) -> Result<Vec<StreamView>, String> {
    kept.0.retain(|name, _| wire.iter().any(|s| &s.name == name));
    wire.into_iter()
        .map(|s| {
            if let Some(layout) = s.layout {
                let expanded = layout.into_iter().map(ShardStatic::of).collect::<Result<Vec<_>, _>>()?;
                kept.0.insert(s.name.clone(), expanded);
            }
            let layout = kept.0.get(&s.name).filter(|l| l.len() == s.shards.len()).ok_or_else(|| {
                format!("the worker sent {} shards of {} without their layout", s.shards.len(), s.name)
            })?;
            let shards = layout
                .iter()
                .zip(s.shards)
                .map(|(l, ShardLive(open, tally, last))| ShardView {
                    id: l.id.clone(),
                    starting_hash_key: l.starting_hash_key.clone(),
                    ending_hash_key: l.ending_hash_key.clone(),
                    start_top64: l.start_top64,
                    end_top64: l.end_top64,
                    parent: l.parent.clone(),
                    adjacent_parent: l.adjacent_parent.clone(),
                    open,
                    tally: ShardTally::from_array(tally),
                    last_second: ShardTally::from_array(last),
                })
                .collect();
            Ok(StreamView { name: s.name, status: s.status, mode: s.mode, retention_hours: s.retention_hours, shards })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::runner::Runner;
    use crate::engine::scenario::format::Action;
    use crate::engine::scenario::{presets, Scenario};
    use crate::engine::time::SimTime;
    use crate::engine::Engine;

    #[test]
    fn split_then_join_gives_back_every_stream_and_sends_layouts_only_on_change() {
        let plan = Scenario::load(presets::find("p13-hot-shard").expect("preset").json).expect("valid");
        let mut runner = Runner::new(Engine::from_plan(plan));
        let (mut sent, mut kept) = (LayoutsSent::default(), Layouts::default());
        let mut round = |runner: &mut Runner, until: u64| {
            runner.run_until(SimTime::from_secs(until), u64::MAX, &mut |_| {});
            let streams = runner.engine().snapshot().streams;
            let wire = split(streams.clone(), &mut sent);
            let with_layout = wire.iter().filter(|s| s.layout.is_some()).count();
            assert_eq!(join(wire, &mut kept).expect("joins"), streams, "at {until} s");
            with_layout
        };
        assert_eq!(round(&mut runner, 30), 1, "the first reply has the layout");
        assert_eq!(round(&mut runner, 31), 0, "an unchanged stream sends counts only");
        let split_action = Action::SplitShard {
            stream: "swipebike-telemetry".into(),
            shard: "shardId-000000000000".into(),
            at_key: None,
        };
        runner.engine_mut().act(SimTime::from_secs(31), split_action).expect("splits");
        assert_eq!(round(&mut runner, 90), 1, "new shards bring a new layout");
        assert_eq!(round(&mut runner, 91), 0);
    }

    #[test]
    fn counts_without_a_layout_are_refused() {
        let wire = StreamWire {
            name: "s".into(),
            status: StreamStatus::Active,
            mode: StreamMode::Provisioned,
            retention_hours: 24,
            layout: None,
            shards: vec![ShardLive(true, [0; 7], [0; 7])],
        };
        let err = join(vec![wire], &mut Layouts::default()).expect_err("no layout kept");
        assert!(err.contains("without their layout"), "{err}");
    }
}
