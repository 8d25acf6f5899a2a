//! The worker's health, and a restart when it is broken.

use crate::ui::EngineHandle;
use crate::view_model::status::Tone;
use leptos::prelude::*;

/// A status pill; a restart button appears when the worker crashed or stopped answering.
#[component]
pub fn WorkerStatusPill() -> impl IntoView {
    let engine = expect_context::<EngineHandle>();
    let status = engine.status();
    let class = move || {
        let tone = match status.with(|s| s.tone()) {
            Tone::Pending => "pending",
            Tone::Good => "good",
            Tone::Bad => "bad",
        };
        format!("pill {tone}")
    };
    view! {
        <div class="worker-status">
            <span id="worker-status" class=class role="status">{move || status.with(|s| s.label())}</span>
            <Show when=move || status.with(|s| s.can_restart())>
                <button id="restart" class="btn danger" on:click=move |_| engine.restart()>"Restart worker"</button>
            </Show>
        </div>
    }
}
