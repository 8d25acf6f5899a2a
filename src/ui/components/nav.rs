//! The lab navigation bar.

use crate::view_model::labs::Lab;
use leptos::prelude::*;

/// Links to every lab; the open one is marked.
#[component]
pub fn Nav(lab: ReadSignal<Lab>) -> impl IntoView {
    view! {
        <nav class="nav" aria-label="Labs">
            {Lab::ALL
                .into_iter()
                .map(|each| {
                    let open = move || lab.get() == each;
                    view! {
                        <a
                            href=format!("#{}", each.slug())
                            id=format!("nav-{}", each.slug())
                            class="nav-link"
                            class:active=open
                            aria-current=move || open().then_some("page")
                        >
                            {each.title()}
                        </a>
                    }
                })
                .collect_view()}
        </nav>
    }
}
