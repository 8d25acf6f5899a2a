//! The Scenarios page: the built-in presets with their explanations, designs saved in this browser
//! (localStorage), export and import of scenario files, and the share link of the loaded design.

use crate::engine::scenario::presets;
use crate::ui::EngineHandle;
use crate::view_model::saves::{export, Saves, STORAGE_KEY};
use leptos::prelude::*;
use wasm_bindgen::JsCast;

fn storage() -> Option<web_sys::Storage> {
    window().local_storage().ok().flatten()
}

/// The saves in this browser; an error when storage is missing or unreadable (nothing is overwritten then).
fn load_saves() -> Result<Saves, String> {
    let store = storage().ok_or("This browser does not allow saving (no localStorage).")?;
    Saves::from_storage(store.get_item(STORAGE_KEY).ok().flatten().as_deref())
}

fn store_saves(saves: &Saves) -> Result<(), String> {
    let store = storage().ok_or("This browser does not allow saving (no localStorage).")?;
    store
        .set_item(STORAGE_KEY, &saves.to_storage())
        .map_err(|_| "The browser refused to store the design (storage full?).".into())
}

/// Opens a scenario in its lab (Firehose or Streams), with `seed` instead of the file's when given.
fn open(engine: EngineHandle, json: String, seed: Option<u64>) {
    let firehose = crate::engine::scenario::Scenario::from_json(&json).is_ok_and(|s| s.uses_firehose());
    engine.load_scenario(json, seed.map(crate::engine::rng::Seed));
    let _ = window().location().set_hash(if firehose { "firehose" } else { "streams" });
}

/// The Scenarios page.
#[component]
pub fn ScenariosPage() -> impl IntoView {
    let engine = expect_context::<EngineHandle>();
    let (initial, problem) = match load_saves() {
        Ok(saves) => (saves, None),
        Err(e) => (Saves::default(), Some(e)),
    };
    // While storage is unreadable nothing is written, so an unreadable save is never overwritten.
    let writable = problem.is_none();
    let saves = RwSignal::new(initial);
    let message = RwSignal::new(problem);
    let name = RwSignal::new(String::new());
    let commit = move |next: Saves, done: String| {
        if !writable {
            return message
                .set(Some("Saving is off: the saved designs could not be read, and are left as they are.".into()));
        }
        match store_saves(&next) {
            Ok(()) => {
                saves.set(next);
                message.set(Some(done));
            }
            Err(e) => message.set(Some(e)),
        }
    };
    let save = move |_| {
        let Some(scenario) = engine.scenario().get_untracked() else {
            return message
                .set(Some("Nothing to save yet: load a preset or apply a design in the Streams lab first.".into()));
        };
        let mut next = saves.get_untracked();
        let label = name.get_untracked();
        match next.save(&label, &scenario, engine.seed().get_untracked().0) {
            Ok(()) => commit(next, format!("Saved \u{201c}{}\u{201d} in this browser.", label.trim())),
            Err(e) => message.set(Some(e)),
        }
    };
    let import = move |ev: leptos::ev::Event| {
        let Some(input) = ev.target().and_then(|t| t.dyn_into::<web_sys::HtmlInputElement>().ok()) else { return };
        let Some(file) = input.files().and_then(|f| f.get(0)) else { return };
        input.set_value("");
        leptos::task::spawn_local(async move {
            let text = wasm_bindgen_futures::JsFuture::from(file.text()).await.ok().and_then(|t| t.as_string());
            let Some(text) = text else {
                return message.set(Some(format!("{} could not be read as text.", file.name())));
            };
            let mut next = saves.get_untracked();
            match next.import(&text) {
                Ok(saved) => commit(next, format!("Imported {} as \u{201c}{saved}\u{201d}.", file.name())),
                Err(e) => message
                    .set(Some(format!("{} was not imported: {e} Your saved designs are unchanged.", file.name()))),
            }
        });
    };
    let share = move || engine.scenario().with(|s| s.is_some().then(|| window().location().href().unwrap_or_default()));
    let preset_list = presets::all()
        .into_iter()
        .map(|p| {
            let json = presets::find(p.name).map(|f| f.json.to_string()).unwrap_or_default();
            let label = if p.firehose { "Open in the Firehose lab" } else { "Open in the Streams lab" };
            view! {
                <li class="preset-card">
                    <h3>{p.title.clone()}</h3>
                    <p>{p.explanation.clone()}</p>
                    <button class="btn small" on:click=move |_| open(engine, json.clone(), None)>{label}</button>
                </li>
            }
        })
        .collect_view();
    view! {
        <section class="scenarios-page">
            <h2 class="lab-subhead">"Saved in this browser"</h2>
            <div class="save-row">
                <label for="save-name">"Save the loaded design as"</label>
                <input id="save-name" data-testid="save-name" prop:value=move || name.get() on:input=move |ev| name.set(event_target_value(&ev)) />
                <button class="btn small" data-testid="save-design" on:click=save>"Save"</button>
                <label class="btn small file-button" for="import-file">"Import a file…"</label>
                <input id="import-file" data-testid="import-file" type="file" accept=".json,application/json" class="visually-hidden" on:change=import />
            </div>
            <Show when=move || message.with(Option::is_some)>
                <p class="save-message" role="status" data-testid="save-message">{move || message.get().unwrap_or_default()}</p>
            </Show>
            <ul class="saved-list" data-testid="saved-list">
                <For
                    each=move || saves.get().0
                    key=|s| (s.name.clone(), s.seed, s.scenario.len())
                    children=move |s| {
                        let (json, seed, name) = (s.scenario.clone(), s.seed, s.name.clone());
                        let file = format!("{}.json", s.name.replace(|c: char| !c.is_ascii_alphanumeric() && c != '-', "-"));
                        let for_export = s.scenario.clone();
                        let remove = s.name.clone();
                        view! {
                            <li data-testid=format!("saved-{name}")>
                                <span class="saved-name">{s.name.clone()}</span>
                                <span class="saved-seed">{format!("seed {}", s.seed)}</span>
                                <button class="btn small" on:click=move |_| open(engine, json.clone(), Some(seed))>"Open"</button>
                                <button class="btn small" on:click=move |_| if let Ok(text) = export(&for_export, seed) { crate::ui::download::download(&file, text.as_bytes(), "application/json") }>"Export"</button>
                                <button class="btn small" on:click=move |_| { let mut next = saves.get_untracked(); next.remove(&remove); commit(next, format!("Deleted \u{201c}{remove}\u{201d}.")) }>"Delete"</button>
                            </li>
                        }
                    }
                />
            </ul>
            <Show when=move || saves.with(|s| s.0.is_empty())>
                <p class="panel-note">"No saved designs yet."</p>
            </Show>
            <h2 class="lab-subhead">"Share"</h2>
            <p class="panel-note">"This address reproduces the loaded design and its seed in any browser (the design travels in the address, deflated)."</p>
            {move || match share() {
                Some(link) => view! { <input class="share-link" data-testid="share-link" readonly aria-label="share link" prop:value=link /> }.into_any(),
                None => view! { <p class="panel-note">"Load a preset or apply a design first."</p> }.into_any(),
            }}
            <h2 class="lab-subhead">"Built-in scenarios"</h2>
            <ul class="preset-list">{preset_list}</ul>
        </section>
    }
}
