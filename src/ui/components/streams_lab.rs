//! The Streams lab: load a preset, play it, and watch each shard's share of the key space, its write
//! rate and its throttling, straight from the engine's snapshots.

use crate::engine::scenario::presets;
use crate::ui::EngineHandle;
use crate::view_model::labs::Lab;
use crate::view_model::shard_map::throttled_totals;
use leptos::prelude::*;

/// The lab page for Kinesis Data Streams.
#[component]
pub fn StreamsLab() -> impl IntoView {
    let engine = expect_context::<EngineHandle>();
    let all = presets::all();
    let chosen = RwSignal::new(all.iter().position(|p| p.name == "p04-hot-key").unwrap_or(0));
    let explanation = {
        let all = all.clone();
        move || all[chosen.get()].explanation.clone()
    };
    let load = {
        let all = all.clone();
        move |_| engine.load_scenario(all[chosen.get_untracked()].json.to_string())
    };
    let totals = move || engine.snapshot().with(|s| s.as_ref().map_or((0, 0), |s| throttled_totals(&s.engine.streams)));
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
            <dl class="throttle-totals">
                <dt>"Write attempts throttled"</dt>
                <dd data-testid="write-throttled-total">{move || totals().0}</dd>
                <dt>"GetRecords calls throttled"</dt>
                <dd data-testid="read-throttled-total">{move || totals().1}</dd>
            </dl>
            <h2 class="lab-subhead">"Consumers"</h2>
            <p class="panel-note">
                "Behind is each consumer's MillisBehindLatest: how far its position trails the newest record, largest over its shards. It climbs when reads are throttled or processing is slow."
            </p>
            <table class="consumers">
                <thead>
                    <tr>
                        <th scope="col">"consumer"</th>
                        <th scope="col">"kind"</th>
                        <th scope="col">"stream"</th>
                        <th scope="col">"behind (ms)"</th>
                        <th scope="col">"records read"</th>
                        <th scope="col">"reads throttled"</th>
                    </tr>
                </thead>
                <tbody>
                    {move || {
                        engine
                            .snapshot()
                            .with(|s| s.as_ref().map(|s| s.engine.consumers.clone()).unwrap_or_default())
                            .into_iter()
                            .map(|c| {
                                view! {
                                    <tr>
                                        <td>{c.name.clone()}</td>
                                        <td>{c.kind.clone()}</td>
                                        <td>{c.stream.clone()}</td>
                                        <td class="num" data-testid=format!("iterator-age-{}", c.name)>{c.behind_ms}</td>
                                        <td class="num">{c.records}</td>
                                        <td class="num">{c.read_throttled}</td>
                                    </tr>
                                }
                            })
                            .collect_view()
                    }}
                </tbody>
            </table>
            <h2 class="lab-subhead">"Shards"</h2>
            <p class="panel-note">
                "Each bar is the hash-key space 0 … 2¹²⁸ − 1; each shard owns a slice, drawn to scale. Colour is write utilisation over the last simulated second (records/s against 1,000, bytes/s against 1 MiB); red means writes were refused. Hover a shard for its id, exact range, parents and rates."
            </p>
            <For
                each=move || engine.stream_bars().get()
                key=|s| s.stream.clone()
                children=move |s| {
                    let name = s.stream.clone();
                    let bars = move || {
                        engine.stream_bars().with(|all| all.iter().find(|b| b.stream == name).map(|b| b.bars.clone()).unwrap_or_default())
                    };
                    view! {
                        <div class="stream-block">
                            <h3>{s.stream.clone()}</h3>
                            <div class="shard-map" data-testid="shard-map" role="list" aria-label=format!("shards of {}", s.stream)>
                                {move || {
                                    bars()
                                        .into_iter()
                                        .map(|b| {
                                            let style = format!("left:{:.4}%;width:{:.4}%", b.x * 100.0, b.width * 100.0);
                                            view! {
                                                <div
                                                    class=b.class()
                                                    role="listitem"
                                                    tabindex="0"
                                                    data-testid=format!("shard-{}", b.id)
                                                    title=b.title.clone()
                                                    aria-label=b.title.clone()
                                                    style=style
                                                >
                                                    <span>{b.label()}</span>
                                                </div>
                                            }
                                        })
                                        .collect_view()
                                }}
                            </div>
                        </div>
                    }
                }
            />
        </section>
    }
}
