//! The open lab's page.

use super::firehose_lab::FirehoseLab;
use super::lazy_lab::{LazyLab, LazyLabLoader};
use super::scenarios_page::ScenariosPage;
use super::streams_lab::StreamsLab;
use crate::view_model::labs::Lab;
use leptos::prelude::*;

/// The lab's title and its page; a lab not built yet says so in one plain sentence.
#[component]
pub fn LabPage(lab: ReadSignal<Lab>) -> impl IntoView {
    view! {
        <main class="lab-page" id="lab-page">
            <h1>{move || lab.get().title()}</h1>
            {move || match lab.get() {
                Lab::Streams => view! { <StreamsLab /> }.into_any(),
                Lab::Firehose => view! { <FirehoseLab /> }.into_any(),
                Lab::Video => view! { <LazyLabLoader lab=LazyLab::Video /> }.into_any(),
                Lab::Analytics => view! { <LazyLabLoader lab=LazyLab::Analytics /> }.into_any(),
                Lab::Scenarios => view! { <p class="lab-status">{Lab::Scenarios.status_sentence()}</p> <ScenariosPage /> }.into_any(),
            }}
        </main>
    }
}
