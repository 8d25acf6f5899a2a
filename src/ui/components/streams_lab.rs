//! The Streams lab: load a preset, play it, and watch each shard's share of the key space, its write
//! rate and its throttling, straight from the engine's snapshots; reshard, stop producers and change
//! KCL workers while it runs, and read what happened in the event log.

use super::analytics_apps::AnalyticsApps;
use super::clients_panel::{ConsumersTable, ProducersTable};
use super::consumer_charts::ConsumerCharts;
use super::design_panel::DesignPanel;
use super::event_log::EventLog;
use super::planner_panel::PlannerPanel;
use super::record_inspector::RecordInspector;
use super::reshard_panel::{ShardPanel, StreamControls};
use super::shard_charts::ShardCharts;
use super::shard_map::ShardMap;
use super::shard_picker::ShardPicker;
use super::stream_charts::StreamCharts;
use crate::engine::scenario::presets;
use crate::ui::EngineHandle;
use crate::view_model::labs::Lab;
use crate::view_model::shard_map::throttled_totals;
use leptos::prelude::*;

/// The lab page for Kinesis Data Streams.
#[component]
pub fn StreamsLab() -> impl IntoView {
    let engine = expect_context::<EngineHandle>();
    let all: Vec<_> = presets::all().into_iter().filter(|p| !p.firehose).collect();
    let chosen = RwSignal::new(all.iter().position(|p| p.name == "p04-hot-key").unwrap_or(0));
    // A preset opened elsewhere (the Scenarios page) is the one the picker and its explanation show.
    let json_of: Vec<&'static str> = all.iter().map(|p| p.json).collect();
    Effect::new(move |_| {
        if let Some(i) = engine.scenario().with(|s| s.as_deref().and_then(|s| json_of.iter().position(|j| *j == s))) {
            chosen.set(i);
        }
    });
    let selected = RwSignal::new(None);
    let explanation = {
        let all = all.clone();
        move || all[chosen.get()].explanation.clone()
    };
    let load = {
        let all = all.clone();
        move |_| {
            selected.set(None);
            engine.load_scenario(all[chosen.get_untracked()].json.to_string(), None)
        }
    };
    let totals = move || engine.snapshot().with(|s| s.as_ref().map_or((0, 0), |s| throttled_totals(&s.engine.streams)));
    let stream_names =
        Memo::new(move |_| engine.stream_bars().with(|all| all.iter().map(|s| s.stream.clone()).collect::<Vec<_>>()));
    let options = all
        .iter()
        .enumerate()
        .map(|(i, p)| view! { <option value=i.to_string() selected=move || chosen.get() == i>{p.title.clone()}</option> })
        .collect_view();
    view! {
        <section class="streams-lab">
            <p class="lab-status">{Lab::Streams.status_sentence()}</p>
            <div class="preset-row">
                <label for="preset">"Scenario"</label>
                <select
                    id="preset"
                    data-testid="preset"
                    on:change=move |ev| {
                        if let Ok(i) = event_target_value(&ev).parse::<usize>() {
                            chosen.set(i);
                        }
                    }
                >
                    {options}
                </select>
                <button data-testid="load-preset" on:click=load>"Load"</button>
            </div>
            <p class="preset-explanation">{explanation}</p>
            <details class="design-details">
                <summary data-testid="open-design">"Or design your own stream"</summary>
                <DesignPanel />
            </details>
            <details class="design-details">
                <summary data-testid="open-planner">"Capacity planner: how many shards?"</summary>
                <p class="panel-note">"The complete estimator: the largest of write bytes ÷ 1 MiB/s, Kinesis records ÷ 1,000/s, shared read bytes ÷ 2 MiB/s and shared read calls ÷ 5/s per shard, divided by the share of capacity you plan for. Enhanced fan-out readers have their own pipes and add only cost. The check runs the design in the engine at the answer and at one shard fewer."</p>
                <PlannerPanel />
            </details>
            <dl class="throttle-totals">
                <dt>"Write attempts throttled"</dt>
                <dd data-testid="write-throttled-total">{move || totals().0}</dd>
                <dt>"GetRecords calls throttled"</dt>
                <dd data-testid="read-throttled-total">{move || totals().1}</dd>
            </dl>
            <AnalyticsApps />
            <h2 class="lab-subhead">"Shards"</h2>
            <p class="panel-note">
                "Each bar is the hash-key space 0 … 2¹²⁸ − 1; each open shard owns a slice, drawn to scale. Colour is write utilisation over the last simulated second (records/s against 1,000, bytes/s against 1 MiB); red means writes were refused. The thin row under a bar holds closed shards, readable until retention ends. Hover a shard for its id, exact range, parents and rates; select one to split or merge it."
            </p>
            <div class="live-grid">
                <div class="stream-maps">
                    <For
                        each=move || stream_names.get()
                        key=|name| name.clone()
                        children=move |name| {
                            view! {
                                <div class="stream-block">
                                    <h3>{name.clone()}</h3>
                                    <StreamControls stream=name.clone() />
                                    <ShardPicker stream=name.clone() selected=selected />
                                    <ShardMap stream=name selected=selected />
                                </div>
                            }
                        }
                    />
                </div>
                <div class="side-panel">
                    <ShardPanel selected=selected />
                    <Show when=move || engine.refused().with(Option::is_some)>
                        <p class="inline-error" role="alert">{move || engine.refused().get().unwrap_or_default()}</p>
                    </Show>
                </div>
            </div>
            <h2 class="lab-subhead">"Selected shard"</h2>
            <ShardCharts selected=selected />
            <h3 class="lab-minor">"Records in the shard"</h3>
            <p class="panel-note">"Page through what the shard stores, as GetRecords returns it: sequence numbers increase within a shard, records of one partition key stay in order, and retention trims the oldest."</p>
            <RecordInspector selected=selected />
            <h2 class="lab-subhead">"Streams"</h2>
            <StreamCharts streams=stream_names />
            <h2 class="lab-subhead">"Producers"</h2>
            <ProducersTable />
            <h2 class="lab-subhead">"Consumers"</h2>
            <p class="panel-note">
                "Behind is each consumer's MillisBehindLatest: how far its position trails the newest record, largest over its shards. It climbs when reads are throttled or processing is slow."
            </p>
            <ConsumersTable />
            <ConsumerCharts />
            <h2 class="lab-subhead">"Event log"</h2>
            <p class="panel-note">"What the scenario's director and clients did and what Kinesis answered, newest first: stream creation, reshards and their errors, producers stopped and started, KCL workers joining and leaving; and, once a second, each client's throttled records and reads, retries and drops, KCL lease moves and failed Lambda invocations."</p>
            <EventLog />
        </section>
    }
}
