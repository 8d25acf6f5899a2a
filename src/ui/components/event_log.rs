//! The run's event log: what the scenario's director and clients did and met, newest first.

use crate::ui::EngineHandle;
use leptos::prelude::*;

/// The newest lines of the engine's log.
#[component]
pub fn EventLog() -> impl IntoView {
    let engine = expect_context::<EngineHandle>();
    view! {
        <ol class="event-log" data-testid="event-log" aria-live="polite">
            {move || {
                engine.log().with(|log| {
                    log.iter()
                        .rev()
                        .take(200)
                        .map(|l| {
                            let refused = l.text.contains("Exception");
                            view! {
                                <li class:refused=refused>
                                    <time>{l.at.to_string()}</time>
                                    <span class="who">{l.who.clone()}</span>
                                    <span>{l.text.clone()}</span>
                                </li>
                            }
                        })
                        .collect_view()
                })
            }}
        </ol>
    }
}
