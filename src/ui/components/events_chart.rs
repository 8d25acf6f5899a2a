//! The live chart of events processed against simulated time.

use crate::ui::{canvas, EngineHandle};
use leptos::html::Canvas;
use leptos::prelude::*;

/// A canvas redrawn on the next animation frame after the series changes (never per message).
#[component]
pub fn EventsChart() -> impl IntoView {
    let engine = expect_context::<EngineHandle>();
    let canvas_ref = NodeRef::<Canvas>::new();
    let scheduled = StoredValue::new(false);
    Effect::new(move |_| {
        engine.series().track();
        if scheduled.get_value() {
            return;
        }
        scheduled.set_value(true);
        request_animation_frame(move || {
            if scheduled.try_set_value(false).is_some() {
                return; // unmounted meanwhile
            }
            if let Some(el) = canvas_ref.get_untracked() {
                engine.series().with_untracked(|series| canvas::draw_events(el, series));
            }
        });
    });
    view! {
        <canvas
            id="events-chart"
            class="chart"
            width="640"
            height="300"
            node_ref=canvas_ref
            aria-label="Chart of events processed against simulated time"
        ></canvas>
    }
}
