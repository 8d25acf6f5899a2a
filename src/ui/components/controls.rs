//! Play / pause, single-step and speed.

use crate::protocol::Speed;
use crate::ui::EngineHandle;
use leptos::prelude::*;

/// The playback controls; they act only once the worker is ready.
#[component]
pub fn Controls() -> impl IntoView {
    let engine = expect_context::<EngineHandle>();
    let ready = move || engine.status().with(|s| s.is_ready());
    let playing = move || engine.snapshot().with(|s| s.as_ref().is_some_and(|s| s.playing));
    let toggle = move |_| if playing() { engine.pause() } else { engine.play() };
    let choose_speed = move |ev| {
        let chosen = event_target_value(&ev).parse().ok().and_then(|tenths| Speed::from_tenths(tenths).ok());
        if let Some(speed) = chosen {
            engine.set_speed(speed);
        }
    };
    view! {
        <div class="controls">
            <button id="play" data-testid="play" class="btn primary" disabled=move || !ready() on:click=toggle>
                {move || if playing() { "Pause" } else { "Play" }}
            </button>
            <button id="step" class="btn" title="Process the next event (while paused)" disabled=move || !ready() || playing() on:click=move |_| engine.step()>
                "Step"
            </button>
            <label class="field">
                <span class="field-label">"speed"</span>
                <select id="speed" data-testid="speed" on:change=choose_speed>
                    {Speed::PRESETS
                        .into_iter()
                        .map(|speed| {
                            view! {
                                <option value=speed.tenths().to_string() selected=move || engine.speed().get() == speed>
                                    {speed.to_string()}
                                </option>
                            }
                        })
                        .collect_view()}
                </select>
            </label>
        </div>
    }
}
