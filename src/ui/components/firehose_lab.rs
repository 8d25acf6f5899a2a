//! The Firehose lab: load a Firehose scenario, play it, and watch its records move through the stages,
//! its buffer fill toward the size and interval hints, its deliveries and failures, and the objects it
//! writes — which open in the viewer and download as real files.

use super::analytics_apps::AnalyticsApps;
use super::bucket_browser::BucketBrowser;
use super::chart_canvas::ChartCanvas;
use super::endpoint_receiver::ReceiverPanel;
use super::event_log::EventLog;
use super::firehose_pipeline::{BufferGauges, Pipeline};
use super::opensearch_panel::OpenSearchPanel;
use super::redshift_panel::RedshiftPanel;
use super::retry_timeline::RetryTimeline;
use crate::engine::firehose::view::DeliveryStreamView;
use crate::engine::scenario::presets;
use crate::protocol::ParquetLoad;
use crate::ui::EngineHandle;
use crate::view_model::firehose::bytes;
use crate::view_model::firehose_charts::{bytes_chart, records_chart};
use crate::view_model::format::count;
use crate::view_model::labs::Lab;
use leptos::prelude::*;
use serde_json::json;

/// The lab page for Amazon Data Firehose.
#[component]
pub fn FirehoseLab() -> impl IntoView {
    let engine = expect_context::<EngineHandle>();
    let all: Vec<_> = presets::all().into_iter().filter(|p| p.firehose).collect();
    let chosen = RwSignal::new(all.first().map_or("", |p| p.name));
    // A preset opened elsewhere (the Scenarios page) is the one the picker and its explanation show.
    let opened: Vec<(&'static str, &'static str)> = all.iter().map(|p| (p.name, p.json)).collect();
    Effect::new(move |_| {
        if let Some(name) =
            engine.scenario().with(|s| opened.iter().find(|(_, j)| Some(*j) == s.as_deref()).map(|(n, _)| *n))
        {
            chosen.set(name);
        }
    });
    let find = {
        let all = all.clone();
        move |name: &str| all.iter().find(|p| p.name == name).cloned()
    };
    let explanation = {
        let find = find.clone();
        move || find(chosen.get()).map(|p| p.explanation).unwrap_or_default()
    };
    let load = move |_| {
        if let Some(p) = find(chosen.get_untracked()) {
            engine.load_scenario(p.json.to_string(), None);
        }
    };
    let options = all
        .iter()
        .map(|p| {
            let name = p.name;
            view! { <option value=name selected=move || chosen.get() == name>{p.title.clone()}</option> }
        })
        .collect_view();
    let picked = RwSignal::new(0usize);
    let streams = move || engine.snapshot().with(|s| s.as_ref().map(|s| s.engine.firehose.clone()).unwrap_or_default());
    let stream: Signal<Option<DeliveryStreamView>> = Signal::derive(move || {
        let all = streams();
        let i = picked.get().min(all.len().saturating_sub(1));
        all.into_iter().nth(i)
    });
    let names = move || streams().into_iter().map(|s| s.name).collect::<Vec<_>>();
    // Memos: the snapshot changes every frame, the bucket and its object count seldom.
    let bucket = Memo::new(move |_| stream.with(|s| s.as_ref().map(|s| s.bucket.clone()).unwrap_or_default()));
    let version =
        Memo::new(move |_| stream.with(|s| s.as_ref().map_or(0, |s| s.totals.objects + s.totals.error_objects)));
    let endpoint = Memo::new(move |_| stream.with(|s| s.as_ref().and_then(|s| s.endpoint.clone())));
    let attempts = Memo::new(move |_| {
        stream.with(|s| s.as_ref().map_or(0, |s| s.totals.failed_attempts + s.totals.delivered_records))
    });
    let redshift = Memo::new(move |_| stream.with(|s| s.as_ref().and_then(|s| s.redshift.clone())));
    let opensearch = Memo::new(move |_| stream.with(|s| s.as_ref().and_then(|s| s.opensearch.clone())));
    // The S3 outage drill fits where S3 is on the data's way: S3 itself and Redshift's staging bucket.
    let to_s3 = move || endpoint.with(Option::is_none) && opensearch.with(Option::is_none);
    let interval = Memo::new(move |_| stream.with(|s| s.as_ref().map_or(60, |s| s.interval_s)));
    let bytes_chart = Memo::new(move |_| stream.with(|s| s.as_ref().map(bytes_chart)));
    let records_chart = Memo::new(move |_| stream.with(|s| s.as_ref().map(records_chart)));
    let outage = move |secs: u64| {
        let input = json!({"Bucket": bucket.get_untracked(), "DurationSeconds": secs}).to_string();
        engine.call("s3", "InjectOutage", input);
    };
    view! {
        <section class="firehose-lab">
            <p class="lab-status">{Lab::Firehose.status_sentence()}</p>
            <div class="preset-row">
                <label for="fh-preset">"Scenario"</label>
                <select id="fh-preset" data-testid="fh-preset" on:change=move |ev| {
                    let value = event_target_value(&ev);
                    if let Some(p) = presets::all().into_iter().find(|p| p.name == value) {
                        chosen.set(p.name);
                    }
                }>
                    {options}
                </select>
                <button data-testid="fh-load" on:click=load>"Load"</button>
            </div>
            <p class="preset-explanation">{explanation}</p>
            {move || engine.snapshot().with(|s| s.as_ref().and_then(|s| s.parquet.clone())).map(|p| {
                let text = match p {
                    ParquetLoad::Loading => "Loading the Parquet writer, a module of its own that the lab fetches only when a stream converts to Parquet; simulated time waits for it.".to_string(),
                    ParquetLoad::Failed { message } => format!("The Parquet writer could not be loaded ({message}); simulated time stays where it is. Reload the page to try again."),
                };
                view! { <p class="save-message" role="status" data-testid="fh-parquet-load">{text}</p> }
            })}
            <Show when=move || { names().len() > 1 }>
                <div class="preset-row">
                    <label for="fh-stream">"Firehose stream"</label>
                    <select id="fh-stream" on:change=move |ev| picked.set(event_target_value(&ev).parse().unwrap_or(0))>
                        {move || names().into_iter().enumerate().map(|(i, n)| view! { <option value=i.to_string()>{n}</option> }).collect_view()}
                    </select>
                </div>
            </Show>
            <h2 class="lab-subhead">
                {move || stream.with(|s| s.as_ref().map_or("No Firehose stream yet: load a scenario and press play.".to_string(), |s| format!("{} — {}", s.name, s.status)))}
            </h2>
            <Pipeline stream=stream />
            <h2 class="lab-subhead">"Buffer"</h2>
            <BufferGauges stream=stream />
            <h2 class="lab-subhead">"Deliveries"</h2>
            <Deliveries stream=stream />
            <AnalyticsApps />
            <h2 class="lab-subhead">"Retries"</h2>
            <RetryTimeline stream=stream now=Signal::derive(move || engine.snapshot().with(|s| s.as_ref().map(|s| s.engine.now).unwrap_or_default())) />
            <h2 class="lab-subhead">"Metrics"</h2>
            <div class="chart-grid">
                <ChartCanvas chart=bytes_chart testid="fh-chart-bytes".into() note="Per second over the last 2 minutes. Above the red rule the size hint fills before the interval ends." />
                <ChartCanvas chart=records_chart testid="fh-chart-records".into() note="Records in per second, and records delivered in the second each delivery succeeded." />
            </div>
            <h2 class="lab-subhead">"Cost meter"</h2>
            <p class="panel-note" data-testid="fh-billing">
                {move || stream.with(|s| s.as_ref().and_then(|s| crate::view_model::firehose::billing(&s.totals)))}
            </p>
            <h2 class="lab-subhead">"Failure drills"</h2>
            <Show when=to_s3>
                <p class="panel-note">"S3 refuses every write to the bucket for a while. Firehose retries every 5 s, later batches wait behind the failing one and are merged, DataFreshness climbs, and records older than 24 hours are lost."</p>
                <div class="drill-row">
                    <button class="btn small" data-testid="drill-outage-10m" on:click=move |_| outage(600)>"S3 outage: 10 min"</button>
                    <button class="btn small" on:click=move |_| outage(25 * 3_600)>"S3 outage: 25 h"</button>
                </div>
            </Show>
            <Show when=move || endpoint.with(Option::is_some)>
                <ReceiverPanel endpoint=endpoint.into() version=attempts.into() interval_s=interval.into() />
            </Show>
            <Show when=move || redshift.with(Option::is_some)>
                <h2 class="lab-subhead">"Redshift"</h2>
                <RedshiftPanel redshift=redshift.into() version=attempts.into() />
            </Show>
            <Show when=move || opensearch.with(Option::is_some)>
                <h2 class="lab-subhead">"OpenSearch"</h2>
                <OpenSearchPanel opensearch=opensearch.into() version=attempts.into() />
            </Show>
            <p class="fh-freshness" data-testid="fh-freshness">
                {move || stream.with(|s| s.as_ref().map(|s| match s.freshness_s {
                    Some(f) => format!("DataFreshness now: {f} s (the oldest record not yet delivered)."),
                    None => "DataFreshness now: nothing waiting.".to_string(),
                }))}
            </p>
            <h2 class="lab-subhead">{move || {
                if redshift.with(Option::is_some) {
                    "Bucket (intermediate objects and COPY manifests)"
                } else if opensearch.with(Option::is_some) {
                    "Bucket (documents that could not be indexed, and all of them with AllDocuments)"
                } else if endpoint.with(Option::is_some) {
                    "Bucket (failed data, and all data with AllData backup)"
                } else {
                    "Bucket"
                }
            }}</h2>
            <BucketBrowser bucket=bucket.into() version=version.into() />
            <h2 class="lab-subhead">"Log"</h2>
            <EventLog />
        </section>
    }
}

/// Delivery lines the table shows (the retry timeline uses all the view carries).
const TABLE_ROWS: usize = 12;

/// The newest deliveries: when, what, why it flushed, and what became of it.
#[component]
fn Deliveries(stream: Signal<Option<DeliveryStreamView>>) -> impl IntoView {
    let rows = move || stream.with(|s| s.as_ref().map(|s| s.deliveries.clone()).unwrap_or_default());
    view! {
        <table class="deliveries" data-testid="fh-deliveries">
            <thead><tr><th>"At"</th><th>"Records"</th><th>"Bytes"</th><th>"Flushed by"</th><th>"Attempt"</th><th>"Outcome"</th></tr></thead>
            <tbody>
                {move || rows().into_iter().take(TABLE_ROWS).map(|d| {
                    let flushed = crate::view_model::firehose::flushed_by(&d);
                    view! {
                        <tr class=format!("outcome-{}", d.outcome)>
                            <td>{d.at.to_string()}</td>
                            <td>{count(d.records)}</td>
                            <td>{bytes(d.bytes)}</td>
                            <td>{flushed}</td>
                            <td>{d.attempt}</td>
                            <td title=d.detail.clone()>{format!("{}: {}", d.outcome, d.detail)}</td>
                        </tr>
                    }
                }).collect_view()}
            </tbody>
        </table>
        {move || rows().is_empty().then(|| view! { <p class="panel-note">"No delivery yet: the first comes when the size or the interval hint is reached."</p> })}
    }
}
