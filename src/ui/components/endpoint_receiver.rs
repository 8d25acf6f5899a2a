//! The receiver an HTTP endpoint or Splunk destination delivers to: its drills (500s, too slow, a wrong
//! requestId, 413) and the requests it got, newest first, each retry chain in one colour. Both go through
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
    let url = move || endpoint.with_untracked(|e| e.as_ref().map(|e| e.url.clone()));
    Effect::new(move |_| {
        version.track();
        endpoint.track();
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
