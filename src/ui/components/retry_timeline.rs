//! The retry timeline: one lane per delivery that met trouble in the last 15 minutes, its attempts as
//! dots coloured by outcome, its span from the first attempt to the last (or to now while it is retried).

use crate::engine::firehose::view::DeliveryStreamView;
use crate::view_model::retries::lanes;
use leptos::prelude::*;

/// The window the timeline covers, in seconds.
const WINDOW_S: u64 = 900;

/// The lanes of `stream`'s troubled deliveries at simulated time `now_ms`.
#[component]
pub fn RetryTimeline(
    stream: Signal<Option<DeliveryStreamView>>,
    now: Signal<crate::engine::time::SimTime>,
) -> impl IntoView {
    let rows =
        move || stream.with(|s| s.as_ref().map(|s| lanes(&s.deliveries, now.get(), WINDOW_S)).unwrap_or_default());
    let pct = |f: f64| format!("{:.2}%", f * 100.0);
    view! {
        <div class="retry-timeline" data-testid="fh-retries">
            <div class="retry-axis"><span>"−15 min"</span><span>"now"</span></div>
            {move || {
                let lanes = rows();
                if lanes.is_empty() {
                    return view! { <p class="panel-note">"No delivery failed in the last 15 minutes."</p> }.into_any();
                }
                lanes.into_iter().map(|lane| {
                    let span = format!("left: {}; width: {}", pct(lane.from), pct((lane.to - lane.from).max(0.003)));
                    view! {
                        <div class="retry-lane">
                            <span class="retry-label">{lane.label}</span>
                            <span class="retry-track">
                                <span class=if lane.open { "retry-span open" } else { "retry-span" } style=span></span>
                                {lane.marks.into_iter().map(|m| view! {
                                    <span class=format!("retry-mark outcome-{}", m.outcome) style=format!("left: {}", pct(m.at)) title=m.title></span>
                                }).collect_view()}
                            </span>
                        </div>
                    }
                }).collect_view().into_any()
            }}
        </div>
    }
}
