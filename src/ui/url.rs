//! The page address: the lab in the hash (`#video`), the run's seed and speed and the loaded design in
//! the query (`?seed=42&speed=100&scenario=…`), parsed and printed by `view_model::url`.

use super::EngineHandle;
use crate::view_model::labs::Lab;
use crate::view_model::url::{parse_query, to_query, UrlState};
use leptos::ev;
use leptos::prelude::*;
use wasm_bindgen::JsValue;

/// The seed and speed the address asks for, with a sentence for each bad value.
pub fn read_state() -> UrlState {
    parse_query(&window().location().search().unwrap_or_default())
}

/// Keeps the query in step with the run's seed and speed, so the address always replays this run.
pub fn sync_run_to_address(engine: EngineHandle) {
    Effect::new(move |_| {
        let query = engine.scenario().with(|s| to_query(engine.seed().get(), engine.speed().get(), s.as_deref()));
        let hash = window().location().hash().unwrap_or_default();
        if let Ok(history) = window().history() {
            let _ = history.replace_state_with_url(&JsValue::NULL, "", Some(&format!("{query}{hash}")));
        }
    });
}

/// The open lab, following the address's hash.
pub fn use_lab() -> ReadSignal<Lab> {
    let hash = || window().location().hash().unwrap_or_default();
    let (lab, set_lab) = signal(Lab::from_hash(&hash()));
    let listener = window_event_listener(ev::hashchange, move |_| set_lab.set(Lab::from_hash(&hash())));
    on_cleanup(move || listener.remove());
    lab
}
