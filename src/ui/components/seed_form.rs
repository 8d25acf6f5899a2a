//! The run's seed: shown, and editable to start a new run.

use crate::ui::EngineHandle;
use crate::view_model::url::parse_seed;
use leptos::prelude::*;

/// Shows the seed; submitting a new one resets the run. A bad seed is explained and changes nothing.
#[component]
pub fn SeedForm() -> impl IntoView {
    let engine = expect_context::<EngineHandle>();
    let (text, set_text) = signal(engine.seed().get_untracked().to_string());
    let (problem, set_problem) = signal(None::<String>);
    // A loaded scenario brings its own seed: the field follows the run's seed whenever it changes.
    Effect::new(move |_| set_text.set(engine.seed().get().to_string()));
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        match parse_seed(&text.get_untracked()) {
            Ok(seed) => {
                set_problem.set(None);
                engine.reset(seed);
            }
            Err(e) => set_problem.set(Some(format!("Not reset: {e}."))),
        }
    };
    view! {
        <form class="seed-form" on:submit=submit>
            <label class="field">
                <span class="field-label">"seed"</span>
                <input
                    id="seed"
                    inputmode="numeric"
                    autocomplete="off"
                    spellcheck="false"
                    prop:value=text
                    aria-invalid=move || problem.with(Option::is_some).to_string()
                    on:input=move |ev| set_text.set(event_target_value(&ev))
                />
            </label>
            <button id="reset" class="btn" type="submit" title="Start a new run from time zero with this seed">
                "Reset run"
            </button>
            <span id="seed-error" class="field-error" role="alert">{move || problem.get()}</span>
        </form>
    }
}
