//! Notices under the header: what was ignored in the address, and what the worker refused.

use crate::ui::EngineHandle;
use leptos::prelude::*;

/// The notice list; each says what happened and that nothing changed because of it.
#[component]
pub fn Notices(initial: Vec<String>) -> impl IntoView {
    let engine = expect_context::<EngineHandle>();
    let (address, set_address) = signal(initial);
    view! {
        <div class="notices" id="notices">
            {move || {
                address
                    .get()
                    .into_iter()
                    .map(|text| view! { <p class="notice">{text}</p> })
                    .collect_view()
            }}
            <Show when=move || address.with(|a| !a.is_empty())>
                <button class="btn small" on:click=move |_| set_address.set(Vec::new())>"Dismiss"</button>
            </Show>
            {move || {
                engine
                    .refused()
                    .get()
                    .map(|text| {
                        view! {
                            <p class="notice">
                                {text} " "
                                <button class="btn small" on:click=move |_| engine.dismiss_refusal()>"Dismiss"</button>
                            </p>
                        }
                    })
            }}
        </div>
    }
}
