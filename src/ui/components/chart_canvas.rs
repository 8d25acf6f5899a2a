//! One live chart: its title, a short note on what it shows, the plotters canvas and an HTML legend.
//! The canvas is redrawn on the next animation frame after the chart changes, never per message.

use crate::charts::live::css;
use crate::ui::canvas;
use crate::view_model::charts::Chart;
use leptos::html::Canvas;
use leptos::prelude::*;

/// A chart, drawn when `chart` changes; nothing is drawn (and the note says why) while it is `None`.
#[component]
pub fn ChartCanvas(
    chart: Memo<Option<Chart>>,
    /// Stable hook for tests: `data-testid` of the figure.
    testid: String,
    /// What the chart shows and how to read it.
    note: &'static str,
) -> impl IntoView {
    let canvas_ref = NodeRef::<Canvas>::new();
    canvas::redraw_on_frame(
        canvas_ref,
        move || chart.track(),
        move |el| chart.with_untracked(|c| c.iter().for_each(|c| canvas::draw_chart(el.clone(), c))),
    );
    let title = move || chart.with(|c| c.as_ref().map(|c| c.title.clone()).unwrap_or_default());
    let legend = move || {
        chart.with(|c| {
            let Some(c) = c else { return Vec::new() };
            let mut items: Vec<(String, String)> = c.lines.iter().map(|l| (css(l.ink), l.label.clone())).collect();
            if let Some((_, label)) = &c.limit {
                items.push((css(crate::view_model::charts::Ink::Throttle), format!("limit: {label}")));
            }
            items
        })
    };
    let latest = move || {
        chart.with(|c| {
            c.as_ref().and_then(Chart::latest).map(|(at, values)| format!("second {at}: {}", values.join(" · ")))
        })
    };
    view! {
        <figure class="live-chart" data-testid=testid>
            <figcaption>
                <strong>{title}</strong>
                <span class="chart-note">{note}</span>
            </figcaption>
            <canvas class="chart" width="520" height="210" node_ref=canvas_ref aria-label=title></canvas>
            <ul class="legend">
                {move || {
                    legend()
                        .into_iter()
                        .map(|(colour, label)| {
                            view! {
                                <li>
                                    <span class="swatch" style=format!("background:{colour}")></span>
                                    {label}
                                </li>
                            }
                        })
                        .collect_view()
                }}
            </ul>
            <p class="chart-latest" aria-live="off">{latest}</p>
        </figure>
    }
}
