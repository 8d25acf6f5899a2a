//! The account's Kinesis Data Analytics applications in the Streams and Firehose labs: each one's status,
//! KPUs, what it read, emitted and delivered, its checkpoints and restarts, and its last result rows, live
//! from the engine's snapshots. Nothing shows until a scenario creates an application.

use crate::ui::EngineHandle;
use crate::view_model::analytics_apps::{facts, last_rows};
use leptos::prelude::*;

/// The panel.
#[component]
pub fn AnalyticsApps() -> impl IntoView {
    let engine = expect_context::<EngineHandle>();
    let apps = Memo::new(move |_| {
        engine.snapshot().with(|s| s.as_ref().map(|s| s.engine.analytics.clone()).unwrap_or_default())
    });
    view! {
        <Show when=move || apps.with(|a| !a.is_empty())>
            <h2 class="lab-subhead">"Kinesis Data Analytics applications"</h2>
            <p class="panel-note">"Each application reads its input stream once a second as one standard consumer and sends its output rows to its destinations, retrying refused ones. STARTING and STOPPING take 30 simulated seconds [SIM]; a Flink application checkpoints its state and, after a failure, restarts from the last checkpoint and replays what came after it."</p>
            <div class="analytics-apps" data-testid="analytics-apps">
                {move || apps.get().into_iter().map(|a| {
                    let updating = a.status != "RUNNING" && a.status != "READY";
                    let rows = last_rows(&a);
                    view! {
                        <div class="app-card" data-testid=format!("app-{}", a.name)>
                            <div class="app-title">
                                <strong>{a.name.clone()}</strong>" · "{a.runtime.clone()}" "
                                <span class="status-badge" class:updating=updating data-testid="app-status">{a.status.clone()}</span>
                            </div>
                            {a.start_failure.clone().map(|f| view! { <p class="inline-error">{f}</p> })}
                            <div class="app-facts">
                                {facts(&a).into_iter().map(|(k, v)| view! { <span class="fact"><span class="fact-name">{k}</span>" "<span class="mono">{v}</span></span> }).collect_view()}
                            </div>
                            {if rows.is_empty() {
                                view! { <p class="panel-note">"No result rows yet."</p> }.into_any()
                            } else {
                                view! {
                                    <div class="table-scroll">
                                        <table class="deliveries results">
                                            <thead><tr><th>"Stream"</th><th>"ROWTIME"</th><th>"Row"</th></tr></thead>
                                            <tbody>
                                                {rows.into_iter().map(|r| {
                                                    let cells = r.cells.iter().map(|(k, v)| format!("{k}={v}")).collect::<Vec<_>>().join("  ");
                                                    let class = if r.replayed { "late-firing" } else { "" };
                                                    view! { <tr class=class><td>{r.stream}</td><td class="mono">{r.at}</td><td class="mono">{cells}</td></tr> }
                                                }).collect_view()}
                                            </tbody>
                                        </table>
                                    </div>
                                }.into_any()
                            }}
                        </div>
                    }
                }).collect_view()}
            </div>
        </Show>
    }
}
