//! The Firehose stream's stages left to right with their live counts, and its destination buffer as
//! two gauges filling toward the size and interval hints.

use crate::engine::firehose::view::DeliveryStreamView;
use crate::view_model::firehose::{gauges, stages};
use leptos::prelude::*;

/// Source → transform → partition → convert → compress → S3, each with its counts.
#[component]
pub fn Pipeline(stream: Signal<Option<DeliveryStreamView>>) -> impl IntoView {
    let stages = move || stream.with(|s| s.as_ref().map(stages).unwrap_or_default());
    view! {
        <ol class="fh-pipeline" data-testid="fh-pipeline">
            <For
                each=stages
                key=|s| (s.name, s.setting.clone(), s.counts.clone())
                children=|s| {
                    let class = if s.on { "fh-stage on" } else { "fh-stage off" };
                    view! {
                        <li class=class data-testid=format!("fh-stage-{}", s.name.to_lowercase())>
                            <span class="fh-stage-name">{s.name}</span>
                            <span class="fh-stage-setting">{s.setting.clone()}</span>
                            {s.counts.iter().map(|c| view! { <span class="fh-stage-count">{c.clone()}</span> }).collect_view()}
                        </li>
                    }
                }
            />
        </ol>
    }
}

/// The destination buffer against its hints, and which trigger fires first.
#[component]
pub fn BufferGauges(stream: Signal<Option<DeliveryStreamView>>) -> impl IntoView {
    let g = move || stream.with(|s| s.as_ref().filter(|s| s.partitions.is_none()).map(gauges));
    let partitioned = move || stream.with(|s| s.as_ref().and_then(|s| s.partitions));
    let width = |fill: f64| format!("width: {:.1}%", fill * 100.0);
    view! {
        <div class="fh-gauges" data-testid="fh-gauges">
            {move || match (g(), partitioned()) {
                (Some(g), _) => view! {
                    <div class="fh-gauge">
                        <span class="fh-gauge-name">"Size"</span>
                        <span class="fh-bar"><span class="fh-fill size" style=width(g.size_fill)></span></span>
                        <span class="fh-gauge-label" data-testid="fh-size">{g.size_label}</span>
                    </div>
                    <div class="fh-gauge">
                        <span class="fh-gauge-name">"Interval"</span>
                        <span class="fh-bar"><span class="fh-fill age" style=width(g.age_fill)></span></span>
                        <span class="fh-gauge-label" data-testid="fh-age">{g.age_label}</span>
                    </div>
                    <p class="fh-rate">{g.rate_label}</p>
                    <p class="fh-verdict" data-testid="fh-verdict">{g.verdict}</p>
                }
                .into_any(),
                (None, Some((active, limit))) => view! {
                    <p class="fh-verdict" data-testid="fh-verdict">
                        {format!("Dynamic partitioning: each of the {active} active partitions (limit {limit}) fills its own buffer toward the same size and interval hints; records of partitions beyond the limit go to the error prefix.")}
                    </p>
                }
                .into_any(),
                (None, None) => view! { <p class="panel-note">"Load a Firehose scenario to see its buffer."</p> }.into_any(),
            }}
        </div>
    }
}
