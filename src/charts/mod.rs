//! One plotters draw function per chart, generic over the backend: the browser draws on a canvas,
//! native tests draw to SVG text and inspect it.

pub mod events;
pub mod live;

use plotters::style::RGBColor;

/// The line colour of a chart's main series (matches `--accent` in style/main.css).
pub const ACCENT: RGBColor = RGBColor(0x1f, 0x6f, 0xd1);
/// Axis and label colour (matches `--ink-2`).
pub const INK: RGBColor = RGBColor(0x44, 0x4c, 0x5a);
