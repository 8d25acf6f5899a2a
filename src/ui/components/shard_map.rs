//! One stream's shard map: the key space as a bar with each open shard to scale, and below it the closed
//! shards still within retention. Each shard is a keyed element with its own signal, so a frame updates
//! only the attributes that changed, and a shard that appears (a split's child) or closes animates once.

use crate::engine::kds::types::StreamStatus;
use crate::ui::EngineHandle;
use crate::view_model::shard_map::{ShardBar, StreamBars};
use leptos::prelude::*;
use std::collections::HashMap;

/// The shard the user picked: (stream, shard id).
pub type Selection = RwSignal<Option<(String, String)>>;

/// Every shard's latest bar, by id. Reference-counted signals: ones created while the effect runs must
/// outlive that run.
type Cells = StoredValue<HashMap<String, ArcRwSignal<ShardBar>>, LocalStorage>;

/// The shard map of `stream`; clicking a shard (or Enter on it) selects it.
#[component]
pub fn ShardMap(stream: String, selected: Selection) -> impl IntoView {
    let engine = expect_context::<EngineHandle>();
    let name = stream.clone();
    let current: Memo<Option<StreamBars>> =
        Memo::new(move |_| engine.stream_bars().with(|all| all.iter().find(|b| b.stream == name).cloned()));
    let cells: Cells = StoredValue::new_local(HashMap::new());
    Effect::new(move |_| {
        current.with(|c| {
            let Some(c) = c else { return };
            cells.update_value(|map| {
                map.retain(|id, _| c.bars.iter().chain(&c.closed).any(|b| &b.id == id));
                for bar in c.bars.iter().chain(&c.closed) {
                    match map.get(&bar.id) {
                        Some(cell) if cell.with_untracked(|old| old != bar) => cell.set(bar.clone()),
                        Some(_) => {}
                        None => {
                            map.insert(bar.id.clone(), ArcRwSignal::new(bar.clone()));
                        }
                    }
                }
            });
        })
    });
    let open = Memo::new(move |_| current.with(|c| c.as_ref().map(|c| c.bars.clone()).unwrap_or_default()));
    let closed = Memo::new(move |_| current.with(|c| c.as_ref().map(|c| c.closed.clone()).unwrap_or_default()));
    let updating = move || current.with(|c| c.as_ref().is_some_and(|c| c.status == StreamStatus::Updating));
    let has_closed = move || closed.with(|c| !c.is_empty());
    let stream_for_open = stream.clone();
    let stream_for_closed = stream.clone();
    view! {
        <div class="shard-map" class:updating=updating data-testid="shard-map" role="list" aria-label=format!("open shards of {stream}")>
            <For
                each=move || open.get()
                key=|b| b.id.clone()
                children=move |b| shard_cell(cells, b, stream_for_open.clone(), selected, "open")
            />
        </div>
        <Show when=has_closed>
            <div class="closed-map" role="list" aria-label="closed shards, readable until retention ends">
                <For
                    each=move || closed.get()
                    key=|b| b.id.clone()
                    children={
                        let stream = stream_for_closed.clone();
                        move |b| shard_cell(cells, b, stream.clone(), selected, "closed")
                    }
                />
            </div>
        </Show>
    }
}

/// One shard's element, reading its own cell.
fn shard_cell(
    cells: Cells,
    first: ShardBar,
    stream: String,
    selected: Selection,
    state: &'static str,
) -> impl IntoView {
    let id = first.id.clone();
    let cell = cells.with_value(|m| m.get(&id).cloned()).unwrap_or_else(|| {
        let cell = ArcRwSignal::new(first.clone());
        cells.update_value(|m| {
            m.insert(id.clone(), cell.clone());
        });
        cell
    });
    let cell = RwSignal::from(cell);
    let pick = {
        let (stream, id) = (stream.clone(), id.clone());
        move || selected.set(Some((stream.clone(), id.clone())))
    };
    let is_selected = {
        let (stream, id) = (stream, id.clone());
        Memo::new(move |_| selected.with(|s| s.as_ref().is_some_and(|(st, sh)| *st == stream && *sh == id)))
    };
    let on_key = {
        let pick = pick.clone();
        move |ev: web_sys::KeyboardEvent| {
            if ev.key() == "Enter" || ev.key() == " " {
                ev.prevent_default();
                pick();
            }
        }
    };
    // Memos, so a second that changes a shard's rates rewrites only what changed in the DOM: with 1,000
    // slices, rewriting every style and label each second costs whole frames.
    let class = Memo::new(move |_| {
        let base = if state == "open" { cell.with(|b| b.class()) } else { "shard closed" };
        format!("{base} {state}-anim")
    });
    let style = Memo::new(move |_| cell.with(|b| format!("left:{:.4}%;width:{:.4}%", b.x * 100.0, b.width * 100.0)));
    let label =
        Memo::new(move |_| if state == "open" { cell.with(|b| b.label()) } else { cell.with(|b| b.short_id()) });
    let title = Memo::new(move |_| cell.with(|b| b.title.clone()));
    view! {
        <div
            class=class
            class:selected=is_selected
            role="listitem"
            tabindex="0"
            data-testid=format!("shard-{id}")
            title=title
            aria-label=title
            aria-current=move || is_selected.get().then_some("true")
            style=style
            on:click=move |_| pick()
            on:keydown=on_key
        >
            <span>{label}</span>
        </div>
    }
}
