//! The open lab's page.

use crate::view_model::labs::Lab;
use leptos::prelude::*;

/// The lab's title and, while it is not built, one plain sentence saying so.
#[component]
pub fn LabPage(lab: ReadSignal<Lab>) -> impl IntoView {
    view! {
        <main class="lab-page" id="lab-page">
            <h1>{move || lab.get().title()}</h1>
            <p class="lab-status">{move || lab.get().status_sentence()}</p>
        </main>
    }
}
