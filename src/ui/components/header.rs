//! The header: name, simulated time, playback controls, seed, worker status, and notices.

use super::{controls::Controls, notices::Notices, seed_form::SeedForm, worker_status::WorkerStatusPill};
use crate::ui::EngineHandle;
use leptos::prelude::*;

/// The page header; `notices` are problems found before the run started (a bad address).
#[component]
pub fn Header(notices: Vec<String>) -> impl IntoView {
    let engine = expect_context::<EngineHandle>();
    // Before the first snapshot there is no time to show, and none is invented.
    let sim_time = move || {
        engine.snapshot().with(|s| s.as_ref().map_or_else(|| "--:--.---".to_string(), |s| s.engine.now.to_string()))
    };
    view! {
        <header class="header">
            <div class="brand">
                <img class="brand-mark" src="favicon.svg" alt="" width="28" height="28" />
                <span class="brand-name">"Kinesis Lab"</span>
            </div>
            <div class="clock" title="simulated time">
                <span class="clock-label">"simulated time"</span>
                <span id="sim-time" class="clock-value">{sim_time}</span>
            </div>
            <Controls />
            <SeedForm />
            <WorkerStatusPill />
        </header>
        <Notices initial=notices />
    }
}
