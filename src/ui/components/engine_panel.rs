//! The engine panel: the live chart and the engine's counters.

use super::events_chart::EventsChart;
use crate::ui::EngineHandle;
use crate::view_model::engine_rows::engine_rows;
use leptos::prelude::*;

/// What the engine in the worker is doing, live.
#[component]
pub fn EnginePanel() -> impl IntoView {
    let engine = expect_context::<EngineHandle>();
    let rows = move || engine.snapshot().with(|s| engine_rows(s.as_ref()));
    // After a crash the numbers are the dead worker's last report, not a live run.
    let stale = move || engine.status().with(|s| s.can_restart());
    view! {
        <aside class="engine-panel" aria-label="Engine">
            <h2>"Engine"</h2>
            <p class="panel-note">
                "Live from the simulation engine in the Web Worker. It simulates Kinesis Data Streams, Firehose and the S3 it delivers to; until a scenario is loaded in the Streams or Firehose lab, its only events are its own once-a-second metric samples. The chart counts every event it processes."
            </p>
            <EventsChart />
            <Show
                when=move || engine.snapshot().with(Option::is_some)
                fallback=|| view! { <p class="waiting">"Waiting for the first snapshot from the worker…"</p> }
            >
                <Show when=stale>
                    <p class="stale-note">"The worker has stopped: these are the last numbers it reported."</p>
                </Show>
                <dl class="engine-rows" id="engine-rows" class:stale=stale>
                    {move || {
                        rows()
                            .into_iter()
                            .map(|row| view! { <dt>{row.label}</dt> <dd>{row.value}</dd> })
                            .collect_view()
                    }}
                </dl>
            </Show>
        </aside>
    }
}
