//! Resharding while the run plays: a stream's status, UpdateShardCount and capacity mode, and for the
//! selected shard its details, SplitShard (at the midpoint or a chosen key) and MergeShards with a
//! neighbour. Every request goes to the engine, which answers as Kinesis would; a refusal shows here.

use super::shard_map::Selection;
use crate::engine::kds::types::{StreamMode, StreamStatus};
use crate::engine::scenario::format::{Action, ModeSpec};
use crate::engine::snapshot::StreamView;
use crate::ui::EngineHandle;
use crate::view_model::shard_map::{detail, short_id, ShardDetail};
use leptos::prelude::*;

/// The stream `name` as the latest snapshot has it.
fn stream_view(engine: EngineHandle, name: &str) -> Option<StreamView> {
    engine.snapshot().with(|s| s.as_ref().and_then(|s| s.engine.streams.iter().find(|v| v.name == name).cloned()))
}

/// A stream's status line and its stream-wide actions.
#[component]
pub fn StreamControls(stream: String) -> impl IntoView {
    let engine = expect_context::<EngineHandle>();
    let name = stream.clone();
    let summary = Memo::new(move |_| {
        engine.snapshot().with(|s| {
            s.as_ref()
                .and_then(|s| s.engine.streams.iter().find(|v| v.name == name))
                .map(|v| (v.status, v.mode, v.shards.iter().filter(|s| s.open).count(), v.retention_hours))
        })
    });
    let target = RwSignal::new(String::new());
    let input_id = format!("target-{stream}");
    let resize = {
        let stream = stream.clone();
        move |_| match target.get_untracked().trim().parse::<u32>() {
            Ok(target) => engine.act(Action::UpdateShardCount { stream: stream.clone(), target }),
            Err(_) => engine.report("UpdateShardCount needs a whole number of shards, such as 8."),
        }
    };
    let switch_mode = {
        let stream = stream.clone();
        move |_| {
            let mode = match summary.get_untracked().map(|s| s.1) {
                Some(StreamMode::OnDemand) => ModeSpec::Provisioned,
                _ => ModeSpec::OnDemand,
            };
            engine.act(Action::SetMode { stream: stream.clone(), mode })
        }
    };
    let status = move || summary.get().map_or("—", |s| s.0.as_str());
    let mode = move || match summary.get().map(|s| s.1) {
        Some(StreamMode::OnDemand) => "on-demand",
        _ => "provisioned",
    };
    let other_mode = move || match summary.get().map(|s| s.1) {
        Some(StreamMode::OnDemand) => "Switch to provisioned",
        _ => "Switch to on-demand",
    };
    view! {
        <div class="stream-controls">
            <span class="status-badge" class:updating=move || summary.get().is_some_and(|s| s.0 == StreamStatus::Updating)>
                {status}
            </span>
            <span class="stream-facts">
                {move || summary.get().map(|s| format!("{} open shards · {} · {} h retention", s.2, mode(), s.3))}
            </span>
            <span class="stream-actions">
                <label for=input_id.clone()>"UpdateShardCount to"</label>
                <input
                    id=input_id
                    type="number"
                    min="1"
                    inputmode="numeric"
                    data-testid="target-shard-count"
                    class="count-input"
                    prop:value=move || target.get()
                    on:input=move |ev| target.set(event_target_value(&ev))
                />
                <button class="btn small" on:click=resize>"Apply"</button>
                <button class="btn small" on:click=switch_mode>{other_mode}</button>
            </span>
        </div>
    }
}

/// The selected shard: what it is, and how to split or merge it.
#[component]
pub fn ShardPanel(selected: Selection) -> impl IntoView {
    let engine = expect_context::<EngineHandle>();
    let key = RwSignal::new(String::new());
    let live = Memo::new(move |_| {
        let (stream, id) = selected.get()?;
        let view = stream_view(engine, &stream)?;
        Some((stream, detail(&view, &id)?))
    });
    // The panel is rebuilt only when the shard itself changes (selected, closed, neighbours), not with
    // every second's counts: a button rebuilt under the pointer would lose its click.
    let shard = Memo::new(move |_| {
        live.get().map(|(stream, mut d)| {
            d.shard.tally = Default::default();
            d.shard.last_second = Default::default();
            (stream, d)
        })
    });
    let totals = move || {
        live.with(|l| {
            l.as_ref().map(|(_, d)| {
                let t = d.shard.tally;
                format!(
                    "{} records in, {} writes throttled, {} GetRecords, {} reads throttled",
                    t.records_in, t.write_throttled, t.read_calls, t.read_throttled
                )
            })
        })
    };
    let split_mid = move |_| {
        if let Some((stream, d)) = shard.get_untracked() {
            engine.act(Action::SplitShard { stream, shard: d.shard.id, at_key: None });
        }
    };
    let split_at = move |_| {
        if let Some((stream, d)) = shard.get_untracked() {
            let at = key.get_untracked().trim().to_string();
            if at.is_empty() {
                return engine.report("Type the new starting hash key (a decimal number inside the shard's range).");
            }
            engine.act(Action::SplitShard { stream, shard: d.shard.id, at_key: Some(at) });
        }
    };
    let merge = move |with_left: bool| {
        if let Some((stream, d)) = shard.get_untracked() {
            let other = if with_left { d.left } else { d.right };
            if let Some(other) = other {
                let (shard, adjacent) = if with_left { (other, d.shard.id) } else { (d.shard.id, other) };
                engine.act(Action::MergeShards { stream, shard, adjacent });
            }
        }
    };
    view! {
        <section class="shard-panel" aria-label="selected shard">
            {move || match shard.get() {
                None => view! { <p class="panel-note">"Select a shard on a map (click it, or Tab to it and press Enter) to see its range and split or merge it."</p> }.into_any(),
                Some((stream, ShardDetail { shard: s, lineage, left, right })) => {
                    let open = s.open;
                    view! {
                        <h3>{format!("{} of {stream}", s.id)}</h3>
                        <dl class="shard-facts">
                            <dt>"state"</dt>
                            <dd>{if open { "open: takes writes" } else { "closed: readable until retention ends, takes no writes" }}</dd>
                            <dt>"StartingHashKey"</dt>
                            <dd class="key">{s.starting_hash_key.clone()}</dd>
                            <dt>"EndingHashKey"</dt>
                            <dd class="key">{s.ending_hash_key.clone()}</dd>
                            <dt>"lineage"</dt>
                            <dd>{lineage}</dd>
                            <dt>"totals"</dt>
                            <dd>{totals}</dd>
                        </dl>
                        <Show when=move || open fallback=|| view! { <p class="panel-note">"A closed shard cannot be split or merged."</p> }>
                            <div class="reshard-actions">
                                <button class="btn small" data-testid="split-midpoint" on:click=split_mid>"Split at midpoint"</button>
                                <label for="split-key">"or at key"</label>
                                <input
                                    id="split-key"
                                    class="key-input"
                                    inputmode="numeric"
                                    placeholder="NewStartingHashKey"
                                    prop:value=move || key.get()
                                    on:input=move |ev| key.set(event_target_value(&ev))
                                />
                                <button class="btn small" on:click=split_at>"Split at key"</button>
                            </div>
                            <div class="reshard-actions">
                                {left.clone().map(|l| view! { <button class="btn small" on:click=move |_| merge(true)>{format!("Merge with {} (left)", short_id(&l))}</button> })}
                                {right.clone().map(|r| view! { <button class="btn small" data-testid="merge-right" on:click=move |_| merge(false)>{format!("Merge with {} (right)", short_id(&r))}</button> })}
                            </div>
                        </Show>
                    }
                    .into_any()
                }
            }}
        </section>
    }
}
