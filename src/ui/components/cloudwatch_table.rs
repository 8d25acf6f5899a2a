//! CloudWatch's view of a stream: its AWS/Kinesis metrics in 1-minute periods, for a chosen statistic.

use crate::ui::EngineHandle;
use crate::view_model::cloudwatch::{minute_table, MinuteTable, Statistic};
use leptos::prelude::*;

/// Minutes listed.
const MINUTES: usize = 6;

/// The table of `stream`'s newest minutes.
#[component]
pub fn CloudWatchTable(stream: Memo<Option<String>>) -> impl IntoView {
    let engine = expect_context::<EngineHandle>();
    let statistic = RwSignal::new(Statistic::Sum);
    let table: Memo<Option<MinuteTable>> = Memo::new(move |_| {
        let name = stream.get()?;
        engine.history().with(|h| h.minutes_of(&name).map(|m| minute_table(m, statistic.get(), MINUTES)))
    });
    let empty = move || table.with(|t| t.as_ref().is_none_or(|t| t.minutes.is_empty()));
    view! {
        <figure class="cloudwatch" data-testid="cloudwatch">
            <figcaption>
                <strong>"CloudWatch, 1-minute periods"</strong>
                <span class="chart-note">
                    "The stream-level AWS/Kinesis metrics as GetMetricStatistics returns them, newest minute first. Sum adds every datapoint; Average, Maximum and Minimum describe single API calls, SampleCount counts them. A dash: no datapoints that minute."
                </span>
            </figcaption>
            <label class="field inline">
                <span class="field-label">"statistic"</span>
                <select
                    data-testid="cloudwatch-statistic"
                    on:change=move |ev| {
                        if let Some(s) = Statistic::from_name(&event_target_value(&ev)) {
                            statistic.set(s);
                        }
                    }
                >
                    {Statistic::ALL.map(|s| view! { <option value=s.name() selected=move || statistic.get() == s>{s.name()}</option> }).collect_view()}
                </select>
            </label>
            <Show when=move || !empty() fallback=|| view! { <p class="panel-note">"No complete minute yet: CloudWatch lists a period once it has ended."</p> }>
                <div class="table-scroll">
                    <table class="minutes">
                        <thead>
                            <tr>
                                <th scope="col">"metric (unit), minute starting"</th>
                                {move || table.with(|t| t.as_ref().map(|t| t.minutes.iter().map(|m| view! { <th scope="col">{m.clone()}</th> }).collect_view()))}
                            </tr>
                        </thead>
                        <tbody>
                            {move || {
                                table.with(|t| {
                                    t.as_ref().map(|t| {
                                        t.rows
                                            .iter()
                                            .map(|(metric, values)| {
                                                view! {
                                                    <tr>
                                                        <th scope="row">{metric.clone()}</th>
                                                        {values.iter().map(|v| view! { <td>{v.clone()}</td> }).collect_view()}
                                                    </tr>
                                                }
                                            })
                                            .collect_view()
                                    })
                                })
                            }}
                        </tbody>
                    </table>
                </div>
            </Show>
        </figure>
    }
}
