//! The run's event log: what the scenario's director and clients did and met, newest first, with a
//! filter by kind (actions, throttling, KCL leases, Lambda failures).

use crate::engine::clients::LogKind;
use crate::ui::EngineHandle;
use crate::view_model::event_log::{newest, refused};
use leptos::prelude::*;

/// Lines shown at once.
const SHOWN: usize = 200;

/// The newest lines of the engine's log.
#[component]
pub fn EventLog() -> impl IntoView {
    let engine = expect_context::<EngineHandle>();
    let kind = RwSignal::new(None::<LogKind>);
    let choose = move |ev| {
        kind.set(match event_target_value(&ev).as_str() {
            "action" => Some(LogKind::Action),
            "throttling" => Some(LogKind::Throttling),
            "leases" => Some(LogKind::Leases),
            "lambda" => Some(LogKind::Lambda),
            _ => None,
        })
    };
    view! {
        <label class="field inline">
            <span class="field-label">"show"</span>
            <select data-testid="log-kind" on:change=choose>
                <option value="all">"everything"</option>
                <option value="action">"actions and errors"</option>
                <option value="throttling">"throttling, retries, drops (per second)"</option>
                <option value="leases">"KCL lease moves (per second)"</option>
                <option value="lambda">"Lambda failures (per second)"</option>
            </select>
        </label>
        <ol class="event-log" data-testid="event-log">
            {move || {
                engine.log().with(|log| {
                    newest(log, kind.get(), SHOWN)
                        .into_iter()
                        .map(|l| {
                            view! {
                                <li class:refused=refused(l)>
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
