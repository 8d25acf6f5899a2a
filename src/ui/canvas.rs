//! Drawing a plotters chart on a `<canvas>`.

use crate::charts::{events, live};
use crate::view_model::charts::Chart;
use crate::view_model::series::Series;
use leptos::html::Canvas;
use leptos::prelude::*;
use plotters::prelude::IntoDrawingArea;
use plotters_canvas::CanvasBackend;
use web_sys::HtmlCanvasElement;

/// Draws the events chart on `canvas`; a canvas without a 2D context is left as it is.
pub fn draw_events(canvas: HtmlCanvasElement, series: &Series) {
    let Some(backend) = CanvasBackend::with_canvas_object(canvas) else { return };
    if let Err(err) = events::draw(&backend.into_drawing_area(), series) {
        leptos::logging::warn!("the events chart could not be drawn: {err}");
    }
}

/// Draws a live chart on `canvas`; a canvas without a 2D context is left as it is.
pub fn draw_chart(canvas: HtmlCanvasElement, chart: &Chart) {
    let Some(backend) = CanvasBackend::with_canvas_object(canvas) else { return };
    if let Err(err) = live::draw(&backend.into_drawing_area(), chart) {
        leptos::logging::warn!("the chart {} could not be drawn: {err}", chart.title);
    }
}

/// Redraws the canvas of `canvas_ref` with `draw` on the next animation frame after `track` reports a
/// change (several changes in one frame draw once; never per message).
pub fn redraw_on_frame(
    canvas_ref: NodeRef<Canvas>,
    track: impl Fn() + 'static,
    draw: impl Fn(HtmlCanvasElement) + Clone + 'static,
) {
    let scheduled = StoredValue::new(false);
    Effect::new(move |_| {
        track();
        if scheduled.get_value() {
            return;
        }
        scheduled.set_value(true);
        let draw = draw.clone();
        request_animation_frame(move || {
            if scheduled.try_set_value(false).is_some() {
                return; // unmounted meanwhile
            }
            if let Some(el) = canvas_ref.get_untracked() {
                draw(el);
            }
        });
    });
}
