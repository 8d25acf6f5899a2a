//! Every consumer's iterator age and throughput, second by second.

use super::chart_canvas::ChartCanvas;
use crate::ui::EngineHandle;
use crate::view_model::charts::{consumer_age_chart, consumer_throughput_chart, Chart};
use leptos::prelude::*;

const AGE_NOTE: &str = "MillisBehindLatest at the end of each second, one line per consumer (the largest over its shards; CloudWatch's GetRecords.IteratorAgeMilliseconds tracks the same). Flat near zero: keeping up. Climbing: reads are throttled or processing is slower than writes.";
const THROUGHPUT_NOTE: &str = "Records each consumer received per second. Polling readers of a shard share its 2 MiB/s and 5 calls/s; enhanced fan-out readers get 2 MiB/s each.";

/// The two consumer charts (nothing when the scenario has no consumers).
#[component]
pub fn ConsumerCharts() -> impl IntoView {
    let engine = expect_context::<EngineHandle>();
    let any = move || engine.history().with(|h| !h.consumers.is_empty());
    let age: Memo<Option<Chart>> = Memo::new(move |_| engine.history().with(|h| any().then(|| consumer_age_chart(h))));
    let throughput: Memo<Option<Chart>> =
        Memo::new(move |_| engine.history().with(|h| any().then(|| consumer_throughput_chart(h))));
    view! {
        <Show when=any fallback=|| view! { <p class="panel-note">"No consumer has read yet."</p> }>
            <div class="chart-grid">
                <ChartCanvas chart=age testid="consumer-age-chart".to_string() note=AGE_NOTE />
                <ChartCanvas chart=throughput testid="consumer-throughput-chart".to_string() note=THROUGHPUT_NOTE />
            </div>
        </Show>
    }
}
