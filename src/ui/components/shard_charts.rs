//! The selected shard, second by second: its writes and reads against the shard limits, with the write
//! bucket's tokens. Selecting a shard asks the worker for its history; the charts fill from there.

use super::chart_canvas::ChartCanvas;
use super::shard_map::Selection;
use crate::engine::live::ShardRef;
use crate::ui::EngineHandle;
use crate::view_model::charts::{shard_charts, Chart};
use leptos::prelude::*;

const NOTES: [&str; 4] = [
    "Records stored each second (blue) against the shard's 1,000 records/s (red rule). The green area is the record bucket: tokens left at the emptiest moment of the second. When it hits zero, further writes that second are refused (red line).",
    "Bytes stored each second against 1 MiB/s. Large records empty the byte bucket before the record bucket.",
    "Successful GetRecords calls each second against 5 per second, shared by every polling reader of the shard; calls over it are refused (red).",
    "Bytes returned by GetRecords each second against 2 MiB/s shared by all polling readers (enhanced fan-out readers each get their own 2 MiB/s and are not counted here).",
];

/// The selected shard's four charts.
#[component]
pub fn ShardCharts(selected: Selection) -> impl IntoView {
    let engine = expect_context::<EngineHandle>();
    Effect::new(move |_| {
        let shard = selected.get().map(|(stream, shard)| ShardRef { stream, shard });
        engine.watch(shard);
    });
    let charts: Memo<Option<Vec<Chart>>> = Memo::new(move |_| {
        let (stream, shard) = selected.get()?;
        engine.history().with(|h| {
            let (at, track) = h.shard.as_ref()?;
            (at.stream == stream && at.shard == shard).then(|| shard_charts(track))
        })
    });
    let nth = move |i: usize| Memo::new(move |_| charts.with(|c| c.as_ref().and_then(|c| c.get(i).cloned())));
    let heading = move || selected.get().map(|(stream, shard)| format!("{shard} of {stream}, second by second"));
    view! {
        <section class="shard-charts" aria-label="selected shard charts">
            <Show
                when=move || selected.with(Option::is_some)
                fallback=|| view! { <p class="panel-note">"Select a shard on the map to chart its writes and reads, second by second, against its limits."</p> }
            >
                <h3>{heading}</h3>
                <div class="chart-grid">
                    {(0..4).map(|i| view! { <ChartCanvas chart=nth(i) testid=format!("shard-chart-{i}") note=NOTES[i] /> }).collect_view()}
                </div>
            </Show>
        </section>
    }
}
