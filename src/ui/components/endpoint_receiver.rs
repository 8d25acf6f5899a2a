//! The receiver an HTTP endpoint or Splunk destination delivers to: its drills (500s, too slow, a wrong
//! requestId, 413, an error rate with a latency) and the requests it got, newest first, each retry chain in one colour. Both go through
//! the worker as calls to the lab's `endpoint` service, exactly as `kinesis-lab api` takes them.

use crate::engine::firehose::view::EndpointView;
use crate::ui::EngineHandle;
use crate::view_model::endpoint::{request_rows, totals_line, RequestRow};
use leptos::prelude::*;
use serde_json::{json, Value};

/// The drills: (what the receiver does, mode, seconds; `None`: long enough for the next flush to meet it).
const DRILLS: [(&str, &str, Option<u64>); 4] = [
    ("500", "ServerError", Some(120)),
    ("Slower than the timeout", "Slow", Some(600)),
    ("Wrong requestId", "WrongRequestId", None),
    ("413", "PayloadTooLarge", None),
];

/// The receiver at `endpoint`; lists again whenever `version` changes (a delivery attempt ended).
/// `interval_s` is the buffer's interval: a drill meant for one batch lasts until the next flush has met it.
#[component]
pub fn ReceiverPanel(
    endpoint: Signal<Option<EndpointView>>,
    version: Signal<u64>,
    interval_s: Signal<u64>,
) -> impl IntoView {
    let engine = expect_context::<EngineHandle>();
    let rows = RwSignal::new(Vec::<RequestRow>::new());
    let totals = RwSignal::new(String::new());
    let waiting = StoredValue::new(0u64);
    // Bumped by a drill, so the totals line shows it at once (the worker answers calls in order).
    let drilled = RwSignal::new(0u32);
    let url = move || endpoint.with_untracked(|e| e.as_ref().map(|e| e.url.clone()));
    Effect::new(move |_| {
        version.track();
        endpoint.track();
        drilled.track();
        let Some(url) = untrack(url) else { return };
        let id = engine.call("endpoint", "ListRequests", json!({"Url": url, "MaxItems": 30}).to_string());
        waiting.set_value(id);
    });
    Effect::new(move |_| {
        let Some(answer) = engine.answer().get() else { return };
        if answer.id != waiting.get_value() {
            return;
        }
        let body: Value = serde_json::from_str(&answer.body).unwrap_or(Value::Null);
        if answer.error {
            // Nothing sent or configured there yet.
            rows.set(Vec::new());
            totals.set(body["message"].as_str().unwrap_or_default().to_string());
            return;
        }
        let timeout = endpoint.with_untracked(|e| e.as_ref().map_or(180, |e| e.timeout_s));
        rows.set(request_rows(&body, timeout));
        totals.set(totals_line(&body));
    });
    let drill = move |mode: &str, secs: u64| {
        if let Some(url) = url() {
            let input = json!({"Url": url, "Mode": mode, "DurationSeconds": secs}).to_string();
            engine.call("endpoint", "ConfigureEndpoint", input);
            drilled.update(|n| *n += 1);
        }
    };
    // An error rate and a latency for a while: each request fails with a 500 at that chance.
    let error_percent = RwSignal::new(20u64);
    let latency_ms = RwSignal::new(50u64);
    let minutes = RwSignal::new(10u64);
    let problem = RwSignal::new(None::<String>);
    let inject = move |_| {
        if let Some(url) = url() {
            let input = json!({"Url": url, "Mode": "Ok", "ErrorPercent": error_percent.get_untracked(),
                "LatencyMs": latency_ms.get_untracked(), "DurationSeconds": minutes.get_untracked() * 60});
            engine.call("endpoint", "ConfigureEndpoint", input.to_string());
            drilled.update(|n| *n += 1);
        }
    };
    let number = move |label: &'static str, testid: &'static str, min: u64, max: u64, value: RwSignal<u64>| {
        view! {
            <label>
                {label}
                <input type="number" min=min.to_string() max=max.to_string() data-testid=testid prop:value=move || value.get().to_string()
                    on:change=move |ev| {
                        match event_target_value(&ev).trim().parse::<u64>() {
                            Ok(v) if (min..=max).contains(&v) => { value.set(v); problem.set(None) }
                            _ => problem.set(Some(format!("{}: a whole number from {min} to {max}", label.trim()))),
                        }
                    } />
            </label>
        }
    };
    let rule = move || {
        endpoint.with(|e| {
            e.as_ref().map(|e| {
                format!(
                    "Firehose waits {} s for {}; after a failure it sends the same request again (same requestId) \
                     every 10 s until {} s have passed since the first failure, then writes the records to the \
                     bucket as errors. An HTTP 413 is never retried and never backed up.",
                    e.timeout_s,
                    if e.kind == "Splunk" { "the indexer acknowledgement" } else { "the response" },
                    e.retry_s
                )
            })
        })
    };
    view! {
        <p class="panel-note">{rule}</p>
        <div class="drill-row">
            {DRILLS.map(|(what, mode, secs)| {
                let secs = move || secs.unwrap_or(interval_s.get() + 60);
                let label = move || format!("{what} for {}", if secs() % 60 == 0 { format!("{} min", secs() / 60) } else { format!("{} s", secs()) });
                view! {
                    <button class="btn small" data-testid=format!("drill-{}", mode.to_lowercase()) on:click=move |_| drill(mode, secs())>{label}</button>
                }
            }).collect_view()}
        </div>
        <div class="drill-row">
            {number("error rate % ", "drill-error-percent", 0, 100, error_percent)}
            {number("latency ms ", "drill-latency-ms", 0, 170_000, latency_ms)}
            {number("for min ", "drill-minutes", 1, 1440, minutes)}
            <button class="btn small" data-testid="drill-error-rate" disabled=move || problem.with(Option::is_some) on:click=inject>"Inject"</button>
        </div>
        {move || problem.get().map(|p| view! { <p class="inline-error" role="alert">{p}</p> })}
        <p class="fh-receiver-totals" data-testid="fh-receiver-totals">{move || totals.get()}</p>
        <div class="table-scroll">
        <table class="deliveries receiver" data-testid="fh-receiver">
            <thead><tr><th>"Received"</th><th>"Request"</th><th>"Attempt"</th><th>"Records"</th><th>"Status"</th><th>"Answered after"</th><th>"At the receiver"</th></tr></thead>
            <tbody>
                {move || rows.get().into_iter().map(|r| {
                    let fate = if r.fate.contains("duplicate") { "duplicate" } else { r.fate.as_str() };
                    let class = format!("chain-{} fate-{fate}", r.chain % 6);
                    view! {
                    <tr class=class>
                        <td>{r.at}</td>
                        <td class="mono">{r.request}</td>
                        <td>{r.attempt}</td>
                        <td>{r.records}</td>
                        <td>{r.status}</td>
                        <td>{r.answered}</td>
                        <td>{r.fate}</td>
                    </tr>
                }}).collect_view()}
            </tbody>
        </table>
        </div>
    }
}
