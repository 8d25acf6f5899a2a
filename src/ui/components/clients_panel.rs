//! The scenario's clients while the run plays: producers (stop and start them) and consumers (how far
//! behind each is, what it has read; add or remove a KCL application's workers).
//!
//! Rows are keyed by name and only their cells follow the snapshots: a row rebuilt every frame would
//! swap its buttons out from under the pointer and lose clicks.

use crate::engine::scenario::format::Action;
use crate::engine::snapshot::{ConsumerView, ProducerView, Snapshot};
use crate::ui::EngineHandle;
use leptos::prelude::*;

/// A kind of client in the snapshot: its list, and each one's name.
trait Client: Clone + PartialEq + Send + Sync + 'static {
    fn list(s: &Snapshot) -> &[Self];
    fn name(&self) -> &str;
}

impl Client for ProducerView {
    fn list(s: &Snapshot) -> &[Self] {
        &s.producers
    }
    fn name(&self) -> &str {
        &self.name
    }
}

impl Client for ConsumerView {
    fn list(s: &Snapshot) -> &[Self] {
        &s.consumers
    }
    fn name(&self) -> &str {
        &self.name
    }
}

/// The names of the clients of kind `T`, the rows' keys.
fn names<T: Client>(engine: EngineHandle) -> Memo<Vec<String>> {
    Memo::new(move |_| {
        engine.snapshot().with(|s| {
            s.as_ref().map(|s| T::list(&s.engine).iter().map(|c| c.name().to_string()).collect()).unwrap_or_default()
        })
    })
}

/// The client of kind `T` named `name`, as the newest snapshot has it.
fn client<T: Client>(engine: EngineHandle, name: String) -> Memo<Option<T>> {
    Memo::new(move |_| {
        engine
            .snapshot()
            .with(|s| s.as_ref().and_then(|s| T::list(&s.engine).iter().find(|c| c.name() == name).cloned()))
    })
}

/// The producers table.
#[component]
pub fn ProducersTable() -> impl IntoView {
    let engine = expect_context::<EngineHandle>();
    let names = names::<ProducerView>(engine);
    let row = move |name: String| {
        let p = client::<ProducerView>(engine, name.clone());
        let field = move |f: fn(&ProducerView) -> String| move || p.with(|p| p.as_ref().map(f).unwrap_or_default());
        let running = move || p.with(|p| p.as_ref().is_some_and(|p| p.running));
        let toggle = move |_| {
            if let Some(p) = p.get_untracked() {
                let producer = p.name;
                engine.act(if p.running {
                    Action::StopProducer { producer }
                } else {
                    Action::StartProducer { producer }
                })
            }
        };
        view! {
            <tr>
                <td>{name.clone()}</td>
                <td>{field(|p| p.stream.clone())}</td>
                <td class="num">{field(|p| p.stored.to_string())}</td>
                <td class="num">{field(|p| p.throttled.to_string())}</td>
                <td>
                    <button class="btn small" data-testid=format!("toggle-producer-{name}") on:click=toggle>
                        {move || if running() { "Stop" } else { "Start" }}
                    </button>
                </td>
            </tr>
        }
    };
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
                <For each=move || names.get() key=|n| n.clone() children=row />
            </tbody>
        </table>
    }
}

/// The consumers table.
#[component]
pub fn ConsumersTable() -> impl IntoView {
    let engine = expect_context::<EngineHandle>();
    let names = names::<ConsumerView>(engine);
    let row = move |name: String| {
        let c = client::<ConsumerView>(engine, name.clone());
        let field = move |f: fn(&ConsumerView) -> String| move || c.with(|c| c.as_ref().map(f).unwrap_or_default());
        let workers = Memo::new(move |_| c.with(|c| c.as_ref().and_then(|c| c.workers)));
        let (add, remove) = (name.clone(), name.clone());
        view! {
            <tr>
                <td>{name.clone()}</td>
                <td>{field(|c| c.kind.clone())}</td>
                <td>{field(|c| c.stream.clone())}</td>
                <td class="num" data-testid=format!("iterator-age-{name}")>{field(|c| c.behind_ms.to_string())}</td>
                <td class="num">{field(|c| c.records.to_string())}</td>
                <td class="num">{field(|c| c.read_throttled.to_string())}</td>
                <td>
                    <Show when=move || workers.get().is_some()>
                        <span class="workers">
                            <span class="num">{move || workers.get().unwrap_or(0)}</span>
                            <button class="btn small" aria-label=format!("add a worker to {name}") on:click={
                                let add = add.clone();
                                move |_| engine.act(Action::AddWorker { consumer: add.clone() })
                            }>"+"</button>
                            <button class="btn small" aria-label=format!("stop a worker of {name}") disabled=move || workers.get() == Some(0) on:click={
                                let remove = remove.clone();
                                move |_| engine.act(Action::StopWorker { consumer: remove.clone(), worker: None })
                            }>"−"</button>
                        </span>
                    </Show>
                </td>
            </tr>
        }
    };
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
                <For each=move || names.get() key=|n| n.clone() children=row />
            </tbody>
        </table>
    }
}
