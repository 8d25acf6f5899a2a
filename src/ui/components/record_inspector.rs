//! The record inspector: page through the selected shard's stored records, data as text or hex.

use super::shard_map::Selection;
use crate::engine::kds::shard::Detail;
use crate::engine::live::inspect::PageFrom;
use crate::engine::live::ShardRef;
use crate::ui::EngineHandle;
use crate::view_model::format::count;
use crate::view_model::inspector::{rows, DataView};
use leptos::prelude::*;

/// The inspector of the selected shard; it asks for a page when a button is pressed, not every frame.
#[component]
pub fn RecordInspector(selected: Selection) -> impl IntoView {
    let engine = expect_context::<EngineHandle>();
    let data_view = RwSignal::new(DataView::Text);
    let shard = move || selected.get().map(|(stream, shard)| ShardRef { stream, shard });
    // The page on show belongs to the selected shard (an old page of another shard is not shown).
    let page = Memo::new(move |_| engine.page().get().filter(|p| Some(&p.at) == shard().as_ref()));
    let ask = move |from: PageFrom| {
        if let Some(at) = shard() {
            engine.inspect(at, from);
        }
    };
    let first = move || page.with(|p| p.as_ref().and_then(|p| p.rows.first().map(|r| r.counter)));
    let last = move || page.with(|p| p.as_ref().and_then(|p| p.rows.last().map(|r| r.counter + r.count - 1)));
    let shown = move || page.with(|p| p.as_ref().map(|p| rows(p, data_view.get())).unwrap_or_default());
    let summary = move || {
        page.with(|p| match p {
            None => "Press Oldest or Newest to read this shard's records.".to_string(),
            Some(p) => match p.stored {
                None => "The shard holds no records (none written yet, or all past retention).".to_string(),
                Some((oldest, newest)) => {
                    let runs = if p.detail == Detail::Runs {
                        " This scenario runs in fast-forward detail: each row is a run of equal records that arrived together, stored without partition keys or data. A stream you design keeps every record."
                    } else {
                        ""
                    };
                    let (oldest, newest, rows) = (count(oldest), count(newest), p.rows.len());
                    format!("Records #{oldest} … #{newest} are stored; this page shows {rows} rows.{runs}")
                }
            },
        })
    };
    view! {
        <section class="inspector" aria-label="record inspector" data-testid="record-inspector">
            <Show when=move || selected.with(Option::is_some) fallback=|| view! { <p class="panel-note">"Select a shard to page through its records."</p> }>
                <div class="inspector-bar">
                    <button class="btn small" data-testid="inspect-oldest" on:click=move |_| ask(PageFrom::Oldest)>"Oldest"</button>
                    <button class="btn small" disabled=move || first().is_none() on:click=move |_| { if let Some(c) = first() { ask(PageFrom::Before(c)) } }>"← Older"</button>
                    <button class="btn small" disabled=move || last().is_none() on:click=move |_| { if let Some(c) = last() { ask(PageFrom::After(c)) } }>"Newer →"</button>
                    <button class="btn small" data-testid="inspect-newest" on:click=move |_| ask(PageFrom::Newest)>"Newest"</button>
                    <label class="field inline">
                        <span class="field-label">"data as"</span>
                        <select on:change=move |ev| data_view.set(if event_target_value(&ev) == "hex" { DataView::Hex } else { DataView::Text })>
                            <option value="text">"text"</option>
                            <option value="hex">"hex"</option>
                        </select>
                    </label>
                </div>
                <p class="panel-note">{summary}</p>
                <div class="table-scroll">
                    <table class="records" data-testid="record-rows">
                        <thead>
                            <tr>
                                <th scope="col">"record"</th>
                                <th scope="col">"SequenceNumber"</th>
                                <th scope="col">"PartitionKey"</th>
                                <th scope="col">"arrival (simulated, ApproximateArrivalTimestamp)"</th>
                                <th scope="col">"size"</th>
                                <th scope="col">"Data"</th>
                            </tr>
                        </thead>
                        <tbody>
                            {move || {
                                shown()
                                    .into_iter()
                                    .map(|r| {
                                        view! {
                                            <tr>
                                                <td>{r.records}{r.tags.iter().map(|t| view! { <span class="tag">{*t}</span> }).collect_view()}</td>
                                                <td class="key">{r.sequence_number}</td>
                                                <td>{r.partition_key}</td>
                                                <td>{r.arrival}</td>
                                                <td>{r.size}</td>
                                                <td class="data">{r.data}</td>
                                            </tr>
                                        }
                                    })
                                    .collect_view()
                            }}
                        </tbody>
                    </table>
                </div>
            </Show>
        </section>
    }
}
