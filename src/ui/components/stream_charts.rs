//! Each stream against its capacity, second by second, with CloudWatch's 1-minute view beside it.

use super::chart_canvas::ChartCanvas;
use super::cloudwatch_table::CloudWatchTable;
use crate::ui::EngineHandle;
use crate::view_model::charts::{stream_chart, Chart};
use leptos::prelude::*;

const NOTE: &str = "Records stored per second by the whole stream (blue) against its capacity, open shards × 1,000 (dashed grey), and the records refused (red). The orange steps are what CloudWatch shows: IncomingRecords Sum over each minute ÷ 60. A minute can average under capacity while single seconds were throttled.";

/// The chart and CloudWatch table of one stream (picked when there are several).
#[component]
pub fn StreamCharts(streams: Memo<Vec<String>>) -> impl IntoView {
    let engine = expect_context::<EngineHandle>();
    let picked = RwSignal::new(None::<String>);
    let stream = Memo::new(move |_| {
        let names = streams.get();
        picked.get().filter(|p| names.contains(p)).or_else(|| names.first().cloned())
    });
    let chart: Memo<Option<Chart>> = Memo::new(move |_| {
        let name = stream.get()?;
        engine.history().with(|h| h.stream(&name).map(|t| stream_chart(t, h.minutes_of(&name))))
    });
    view! {
        <section class="stream-charts" aria-label="stream charts">
            <Show when=move || streams.with(|s| s.len() > 1)>
                <label class="field inline">
                    <span class="field-label">"stream"</span>
                    <select
                        data-testid="chart-stream"
                        on:change=move |ev| picked.set(Some(event_target_value(&ev)))
                    >
                        {move || {
                            streams
                                .get()
                                .into_iter()
                                .map(|n| {
                                    let selected = stream.get().as_deref() == Some(n.as_str());
                                    view! { <option value=n.clone() selected=selected>{n.clone()}</option> }
                                })
                                .collect_view()
                        }}
                    </select>
                </label>
            </Show>
            <div class="chart-pair">
                <ChartCanvas chart=chart testid="stream-chart".to_string() note=NOTE />
                <CloudWatchTable stream=stream />
            </div>
        </section>
    }
}
