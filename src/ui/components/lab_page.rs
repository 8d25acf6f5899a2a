//! The open lab's page.

use super::streams_lab::StreamsLab;
use crate::view_model::labs::Lab;
use leptos::prelude::*;

/// The lab's title and its page; a lab not built yet says so in one plain sentence.
#[component]
pub fn LabPage(lab: ReadSignal<Lab>) -> impl IntoView {
    view! {
        <main class="lab-page" id="lab-page">
            <h1>{move || lab.get().title()}</h1>
            <Show
                when=move || lab.get() == Lab::Streams
                fallback=move || view! { <p class="lab-status">{move || lab.get().status_sentence()}</p> }
            >
                <StreamsLab />
            </Show>
        </main>
    }
}
