//! Play / pause, single-step, speed and fast-forward.

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
    let span = RwSignal::new("10".to_string());
    let unit = RwSignal::new(60u64);
    let forwarding =
        move || engine.snapshot().with(|s| s.as_ref().and_then(|s| s.fast_forward.map(|ff| (ff, s.engine.now))));
    let fast_forward = move |_| match crate::view_model::format::span_secs(&span.get_untracked(), unit.get_untracked())
    {
        Ok(secs) => engine.fast_forward(secs),
        Err(message) => engine.report(&message),
    };
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
            <span class="field fast-forward">
                <label class="field-label" for="ff-span">"fast-forward"</label>
                <input
                    id="ff-span"
                    data-testid="ff-span"
                    inputmode="decimal"
                    prop:value=move || span.get()
                    on:input=move |ev| span.set(event_target_value(&ev))
                />
                <select aria-label="fast-forward unit" data-testid="ff-unit" on:change=move |ev| unit.set(event_target_value(&ev).parse().unwrap_or(60))>
                    <option value="1">"seconds"</option>
                    <option value="60" selected>"minutes"</option>
                    <option value="3600">"hours"</option>
                </select>
                <button class="btn" data-testid="fast-forward" disabled=move || !ready() || forwarding().is_some() on:click=fast_forward>"Go"</button>
                {move || forwarding().map(|((from, to), now)| {
                    let done = (now - from).as_micros() as f64 / (to - from).as_micros().max(1) as f64;
                    view! { <span class="ff-progress" role="status">{format!("fast-forwarding: {:.0}%", done * 100.0)}</span> }
                })}
            </span>
        </div>
    }
}
