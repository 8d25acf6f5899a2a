//! The OpenSearch domain a Firehose stream indexes into: its indices with their document counts, the newest
//! documents of the one picked (id, version, source), and the domain's drills (429s, unreachable,
//! read-only), all through the lab's `opensearch` service.

use crate::engine::firehose::view::OpenSearchView;
use crate::ui::EngineHandle;
use crate::view_model::destinations::{hits, indices};
use leptos::prelude::*;
use serde_json::{json, Value};

/// The drills: (label, mode).
const DRILLS: [(&str, &str); 3] =
    [("429 rejections", "Rejecting"), ("Unreachable", "Unreachable"), ("Read-only (disk full)", "ReadOnly")];

/// The domain of `opensearch`; lists again whenever `version` changes (a bulk request ended).
#[component]
pub fn OpenSearchPanel(opensearch: Signal<Option<OpenSearchView>>, version: Signal<u64>) -> impl IntoView {
    let engine = expect_context::<EngineHandle>();
    let listed = RwSignal::new(Vec::<(String, String)>::new());
    let picked = RwSignal::new(None::<String>);
    let docs = RwSignal::new((0u64, Vec::<(String, u64, String)>::new()));
    let waiting = StoredValue::new((0u64, 0u64));
    let domain = move || opensearch.with_untracked(|o| o.as_ref().map(|o| o.domain.clone()));
    let search = move |index: String| {
        let Some(domain) = domain() else { return };
        let id = engine.call("opensearch", "Search", json!({"Domain": domain, "Index": index, "Size": 20}).to_string());
        waiting.update_value(|w| w.1 = id);
    };
    Effect::new(move |_| {
        version.track();
        let Some(domain) = untrack(domain) else { return };
        let id = engine.call("opensearch", "CatIndices", json!({"Domain": domain}).to_string());
        waiting.update_value(|w| w.0 = id);
        if let Some(index) = picked.get_untracked() {
            search(index);
        }
    });
    Effect::new(move |_| {
        let Some(answer) = engine.answer().get() else { return };
        let (cat, found) = waiting.get_value();
        let body: Value = serde_json::from_str(&answer.body).unwrap_or(Value::Null);
        if answer.id == cat && !answer.error {
            let list = indices(&body);
            if picked.get_untracked().is_none() {
                if let Some((first, _)) = list.last() {
                    picked.set(Some(first.clone()));
                    search(first.clone());
                }
            }
            listed.set(list);
        } else if answer.id == found && !answer.error {
            docs.set(hits(&body));
        }
    });
    let drill = move |mode: &str| {
        if let Some(domain) = domain() {
            engine.call(
                "opensearch",
                "ConfigureDomain",
                json!({"Domain": domain, "Mode": mode, "DurationSeconds": 600}).to_string(),
            );
        }
    };
    let note = move || {
        opensearch.with(|o| {
            o.as_ref().map(|o| format!(
                "Index {} rotates by arrival time (now {}). A refused request or document is retried every 5 minutes for {} s; then the documents go to the bucket below.",
                o.index, o.index_now, o.retry_s
            ))
        })
    };
    view! {
        <div class="opensearch-panel" data-testid="fh-opensearch">
            <p class="panel-note">{note}</p>
            <div class="drill-row">
                {DRILLS.iter().map(|(label, mode)| view! {
                    <button class="btn small" data-testid=format!("drill-domain-{}", mode.to_lowercase()) on:click=move |_| drill(mode)>{format!("{label}: 10 min")}</button>
                }).collect_view()}
            </div>
            <div class="drill-row" data-testid="fh-indices">
                {move || listed.get().into_iter().map(|(index, count)| {
                    let name = index.clone();
                    view! { <button class="btn small link" on:click=move |_| { picked.set(Some(name.clone())); search(name.clone()) }>{format!("{index} ({count} docs)")}</button> }
                }).collect_view()}
                {move || listed.with(Vec::is_empty).then(|| view! { <span class="panel-note">"No index yet: Firehose creates it with the first bulk request."</span> })}
            </div>
            <div class="parquet-scroll" data-testid="fh-documents">
                {move || picked.get().map(|index| view! {
                    <p class="panel-note">{format!("{index}: {} documents; the first 20 below", docs.get().0)}</p>
                })}
                <table class="parquet-rows">
                    <thead><tr><th>"_id"</th><th>"_version"</th><th>"_source"</th></tr></thead>
                    <tbody>{move || docs.get().1.into_iter().map(|(id, v, source)| view! { <tr><td>{id}</td><td>{v}</td><td>{source}</td></tr> }).collect_view()}</tbody>
                </table>
            </div>
        </div>
    }
}
