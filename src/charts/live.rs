//! The Streams lab's live charts: one draw function for every [`Chart`] the view model builds (a shard's
//! writes and reads, a stream against its capacity, the consumers' iterator age and throughput).
//!
//! Limits are red dashed rules; tokens left in the write bucket are a shaded area under the traffic;
//! guides (capacity, CloudWatch's minute average) are dashed. Legends are drawn by the page in HTML with
//! [`css`] swatches, so they stay readable and selectable.

use super::INK;
use crate::view_model::charts::{Chart, Ink, Unit};
use crate::view_model::format::{axis_count, axis_mib, axis_millis, axis_secs};
use plotters::coord::Shift;
use plotters::prelude::*;

/// Refusals and limits.
pub const BAD: RGBColor = RGBColor(0xb4, 0x23, 0x18);
const TOKENS: RGBColor = RGBColor(0x1b, 0x7f, 0x4b);
const GUIDE: RGBColor = RGBColor(0x6b, 0x74, 0x85);
/// Colours for several like series, chosen to stay apart for common colour-vision deficiencies.
const PALETTE: [RGBColor; 6] = [
    RGBColor(0x1f, 0x6f, 0xd1),
    RGBColor(0xe0, 0x7b, 0x00),
    RGBColor(0x7b, 0x3f, 0xb5),
    RGBColor(0x00, 0x8c, 0x8c),
    RGBColor(0xc2, 0x18, 0x5b),
    RGBColor(0x55, 0x6b, 0x2f),
];

/// The colour of a line's role.
pub fn colour(ink: Ink) -> RGBColor {
    match ink {
        Ink::Main => super::ACCENT,
        Ink::Throttle => BAD,
        Ink::Tokens => TOKENS,
        Ink::Guide => GUIDE,
        Ink::Palette(i) => PALETTE[i % PALETTE.len()],
    }
}

/// The same colour as CSS, for the legend's swatches.
pub fn css(ink: Ink) -> String {
    let RGBColor(r, g, b) = colour(ink);
    format!("#{r:02x}{g:02x}{b:02x}")
}

/// Draws `chart` onto `area`.
pub fn draw<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    chart: &Chart,
) -> Result<(), DrawingAreaErrorKind<DB::ErrorType>> {
    area.fill(&WHITE)?;
    let (x0, x1) = chart.x;
    // Bytes are drawn in MiB, so the axis ticks fall on round MiB fractions rather than on 488.3 KiB.
    let scale = if chart.unit == Unit::Bytes { 1.0 / 1_048_576.0 } else { 1.0 };
    let y_max = chart.y_max() * scale;
    let mut c = ChartBuilder::on(area)
        .margin(8)
        .x_label_area_size(24)
        .y_label_area_size(58)
        .build_cartesian_2d(x0..x1, 0.0..y_max)?;
    let label_style = ("sans-serif", 12).into_font().color(&INK);
    let unit = chart.unit;
    c.configure_mesh()
        .light_line_style(RGBColor(0xee, 0xf0, 0xf3))
        .axis_style(INK)
        .label_style(label_style)
        .x_label_formatter(&|x| axis_secs(*x))
        .y_label_formatter(&|y| match unit {
            Unit::Count => axis_count(*y),
            Unit::Bytes => axis_mib(*y),
            Unit::Millis => axis_millis(*y),
        })
        .x_labels(5)
        .y_labels(5)
        .draw()?;
    for line in &chart.lines {
        let colour = colour(line.ink);
        let points = line.points.iter().map(|&(x, y)| (x, y * scale));
        match line.ink {
            Ink::Tokens => {
                c.draw_series(AreaSeries::new(points, 0.0, colour.mix(0.18)).border_style(colour.mix(0.6)))?;
            }
            Ink::Guide => {
                c.draw_series(DashedLineSeries::new(points, 6, 4, colour.stroke_width(2)))?;
            }
            _ => {
                c.draw_series(LineSeries::new(points, colour.stroke_width(2)))?;
            }
        }
    }
    if let Some((limit, _)) = &chart.limit {
        let limit = limit * scale;
        c.draw_series(DashedLineSeries::new([(x0, limit), (x1, limit)], 8, 5, BAD.stroke_width(2)))?;
    }
    area.present()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::live::ring::Points;
    use crate::engine::live::seconds::ShardSecond;
    use crate::view_model::charts::shard_charts;
    use crate::view_model::history::Track;

    fn render(chart: &Chart) -> String {
        let mut svg = String::new();
        {
            let area = SVGBackend::with_string(&mut svg, (480, 220)).into_drawing_area();
            draw(&area, chart).expect("drawing to a string cannot fail");
        }
        svg
    }

    #[test]
    fn a_throttled_shard_draws_traffic_refusals_tokens_and_the_limit() {
        let s = ShardSecond { records_in: 1_000, write_throttled: 150, tokens_records: 20, ..Default::default() };
        let mut t = Track::default();
        t.extend(&Points { from_s: 0, span_s: 1, bins: vec![s; 120] });
        let svg = render(&shard_charts(&t)[0]);
        assert!(svg.contains(&format!("stroke=\"{}\"", css(Ink::Main).to_uppercase())), "the traffic line");
        assert!(svg.contains("#B42318"), "the red limit rule and throttle line");
        let labels: Vec<&str> = svg.split("</text>").filter_map(|t| t.rsplit('>').next().map(str::trim)).collect();
        assert!(labels.contains(&"1k") && labels.contains(&"1:40"), "axes read in records and minutes: {labels:?}");
    }

    #[test]
    fn an_empty_chart_draws_only_axes_and_the_limit() {
        let svg = render(&shard_charts(&Track::default())[2]);
        assert!(!svg.contains(&format!("stroke=\"{}\"", css(Ink::Main).to_uppercase())), "no invented traffic");
        assert!(svg.contains("5"), "the limit of 5 calls/s is on the axis");
    }
}
