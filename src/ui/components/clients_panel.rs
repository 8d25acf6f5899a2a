//! The scenario's clients while the run plays: producers (stop and start them) and consumers (how far
//! behind each is, what it has read; add or remove a KCL application's workers).

use crate::engine::scenario::format::Action;
use crate::ui::EngineHandle;
use leptos::prelude::*;

/// The producers table.
#[component]
pub fn ProducersTable() -> impl IntoView {
    let engine = expect_context::<EngineHandle>();
    let rows = move || engine.snapshot().with(|s| s.as_ref().map(|s| s.engine.producers.clone()).unwrap_or_default());
    view! {
        <table class="clients">
            <thead>
                <tr>
                    <th scope="col">"producer"</th>
                    <th scope="col">"stream"</th>
                    <th scope="col">"records stored"</th>
                    <th scope="col">"attempts throttled"</th>
                    <th scope="col">"sending"</th>
                </tr>
            </thead>
            <tbody>
                {move || {
                    rows()
                        .into_iter()
                        .map(|p| {
                            let name = p.name.clone();
                            let toggle = move |_| {
                                let producer = name.clone();
                                engine.act(if p.running { Action::StopProducer { producer } } else { Action::StartProducer { producer } })
                            };
                            view! {
                                <tr>
                                    <td>{p.name.clone()}</td>
                                    <td>{p.stream.clone()}</td>
                                    <td class="num">{p.stored}</td>
                                    <td class="num">{p.throttled}</td>
                                    <td>
                                        <button class="btn small" data-testid=format!("toggle-producer-{}", p.name) on:click=toggle>
                                            {if p.running { "Stop" } else { "Start" }}
                                        </button>
                                    </td>
                                </tr>
                            }
                        })
                        .collect_view()
                }}
            </tbody>
        </table>
    }
}

/// The consumers table.
#[component]
pub fn ConsumersTable() -> impl IntoView {
    let engine = expect_context::<EngineHandle>();
    let rows = move || engine.snapshot().with(|s| s.as_ref().map(|s| s.engine.consumers.clone()).unwrap_or_default());
    view! {
        <table class="clients">
            <thead>
                <tr>
                    <th scope="col">"consumer"</th>
                    <th scope="col">"kind"</th>
                    <th scope="col">"stream"</th>
                    <th scope="col">"behind (ms)"</th>
                    <th scope="col">"records read"</th>
                    <th scope="col">"reads throttled"</th>
                    <th scope="col">"workers"</th>
                </tr>
            </thead>
            <tbody>
                {move || {
                    rows()
                        .into_iter()
                        .map(|c| {
                            let workers = c.workers.map(|n| {
                                let (add, remove) = (c.name.clone(), c.name.clone());
                                view! {
                                    <span class="workers">
                                        <span class="num">{n}</span>
                                        <button class="btn small" aria-label=format!("add a worker to {}", c.name) on:click=move |_| engine.act(Action::AddWorker { consumer: add.clone() })>"+"</button>
                                        <button class="btn small" aria-label=format!("stop a worker of {}", c.name) disabled=n == 0 on:click=move |_| engine.act(Action::StopWorker { consumer: remove.clone(), worker: None })>"−"</button>
                                    </span>
                                }
                            });
                            view! {
                                <tr>
                                    <td>{c.name.clone()}</td>
                                    <td>{c.kind.clone()}</td>
                                    <td>{c.stream.clone()}</td>
                                    <td class="num" data-testid=format!("iterator-age-{}", c.name)>{c.behind_ms}</td>
                                    <td class="num">{c.records}</td>
                                    <td class="num">{c.read_throttled}</td>
                                    <td>{workers}</td>
                                </tr>
                            }
                        })
                        .collect_view()
                }}
            </tbody>
        </table>
    }
}
