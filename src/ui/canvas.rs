//! Drawing a plotters chart on a `<canvas>`.

use crate::charts::{events, live};
use crate::view_model::charts::Chart;
use crate::view_model::series::Series;
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
