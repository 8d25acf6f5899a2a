//! The shell's live chart: events the engine has processed against simulated time.

use super::{ACCENT, INK};
use crate::view_model::format::{axis_secs, count};
use crate::view_model::series::Series;
use plotters::coord::Shift;
use plotters::prelude::*;

/// The smallest axis spans, so a fresh run is drawn on a sensible frame rather than a dot.
const X_SPAN_MIN_SECS: f64 = 10.0;
const Y_SPAN_MIN: f64 = 10.0;

/// Draws `series` (x: simulated seconds, y: events processed) onto `area`.
pub fn draw<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    series: &Series,
) -> Result<(), DrawingAreaErrorKind<DB::ErrorType>> {
    area.fill(&WHITE)?;
    let x_max = series.newest().map_or(0.0, |(x, _)| x).max(X_SPAN_MIN_SECS);
    let y_max = (series.y_max().unwrap_or(0.0) * 1.1).max(Y_SPAN_MIN);
    let mut chart = ChartBuilder::on(area)
        .margin(12)
        .x_label_area_size(34)
        .y_label_area_size(64)
        .build_cartesian_2d(0.0..x_max, 0.0..y_max)?;
    let label_style = ("sans-serif", 13).into_font().color(&INK);
    chart
        .configure_mesh()
        .light_line_style(RGBColor(0xee, 0xf0, 0xf3))
        .axis_style(INK)
        .label_style(label_style.clone())
        .axis_desc_style(label_style)
        .x_desc("simulated time")
        .y_desc("events processed")
        .x_label_formatter(&|x| axis_secs(*x))
        .y_label_formatter(&|y| count(y.max(0.0).round() as u64))
        .x_labels(6)
        .y_labels(5)
        .draw()?;
    chart.draw_series(LineSeries::new(series.points(), ACCENT.stroke_width(2)))?;
    area.present()
}

#[cfg(test)]
mod tests {
    use super::*;

    const LINE: &str = "stroke=\"#1F6FD1\" stroke-width=\"2\"";

    fn render(series: &Series) -> String {
        let mut svg = String::new();
        {
            let area = SVGBackend::with_string(&mut svg, (600, 300)).into_drawing_area();
            draw(&area, series).expect("drawing to a string cannot fail");
        }
        svg
    }

    #[test]
    fn draws_the_line_and_labelled_axes() {
        let mut series = Series::default();
        for i in 0..=120 {
            series.observe(f64::from(i), f64::from(i));
        }
        let svg = render(&series);
        assert!(svg.contains(LINE), "the series is drawn in the accent colour");
        assert!(svg.contains("simulated time") && svg.contains("events processed"));
        assert!(svg.contains("1:40"), "time labels use minutes:seconds");
    }

    #[test]
    fn an_empty_series_draws_axes_without_a_line() {
        let svg = render(&Series::default());
        assert!(svg.contains("simulated time"));
        assert!(!svg.contains(LINE), "no invented points");
    }
}
