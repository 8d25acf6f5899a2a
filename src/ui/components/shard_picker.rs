//! Picking one shard among hundreds, where a slice of the map is under a pixel wide: by its id or number,
//! or the busiest one.

use super::shard_map::Selection;
use crate::ui::EngineHandle;
use crate::view_model::shard_map::{busiest, find_shard};
use leptos::prelude::*;

/// The picker of `stream`'s shards.
#[component]
pub fn ShardPicker(stream: String, selected: Selection) -> impl IntoView {
    let engine = expect_context::<EngineHandle>();
    let typed = RwSignal::new(String::new());
    let input_id = format!("pick-{stream}");
    let (by_id, by_load) = (stream.clone(), stream.clone());
    let pick = move || {
        let found = engine.snapshot().with_untracked(|s| {
            let view = s.as_ref()?.engine.streams.iter().find(|v| v.name == by_id)?.clone();
            Some(find_shard(&view, &typed.get_untracked()))
        });
        match found {
            Some(Ok(id)) => selected.set(Some((by_id.clone(), id))),
            Some(Err(message)) => engine.report(&message),
            None => engine.report("The stream has no shards yet."),
        }
    };
    let pick_on_enter = {
        let pick = pick.clone();
        move |ev: leptos::ev::KeyboardEvent| {
            if ev.key() == "Enter" {
                pick()
            }
        }
    };
    let pick_busiest = move |_| {
        let id = engine
            .stream_bars()
            .with_untracked(|all| all.iter().find(|b| b.stream == by_load).and_then(busiest).map(|b| b.id.clone()));
        if let Some(id) = id {
            selected.set(Some((by_load.clone(), id)));
        }
    };
    view! {
        <div class="shard-picker">
            <label for=input_id.clone()>"Select shard"</label>
            <input
                id=input_id
                class="count-input"
                placeholder="7 or shardId-…"
                data-testid=format!("pick-shard-{stream}")
                prop:value=move || typed.get()
                on:input=move |ev| typed.set(event_target_value(&ev))
                on:keydown=pick_on_enter
            />
            <button class="btn small" on:click=move |_| pick()>"Select"</button>
            <button class="btn small" data-testid=format!("pick-busiest-{stream}") on:click=pick_busiest>"Busiest shard"</button>
        </div>
    }
}
