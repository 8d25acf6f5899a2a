//! The live chart of events processed against simulated time.

use crate::ui::{canvas, EngineHandle};
use leptos::html::Canvas;
use leptos::prelude::*;

/// A canvas redrawn on the next animation frame after the series changes (never per message).
#[component]
pub fn EventsChart() -> impl IntoView {
    let engine = expect_context::<EngineHandle>();
    let canvas_ref = NodeRef::<Canvas>::new();
    canvas::redraw_on_frame(
        canvas_ref,
        move || engine.series().track(),
        move |el| engine.series().with_untracked(|series| canvas::draw_events(el, series)),
    );
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
