//! A lab page that lives in a module of its own (the Video lab's WebRTC peers and page-hosted signaling
//! service; the Analytics lab's SQL and pipeline engines): loaded the first time the learner opens it, then mounted into this page's container.

use leptos::prelude::*;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;

#[wasm_bindgen(module = "/src/lazy/modules.js")]
extern "C" {
    #[wasm_bindgen(catch, js_name = mountVideoLab)]
    async fn mount_video_lab(element: web_sys::HtmlElement) -> Result<JsValue, JsValue>;
    #[wasm_bindgen(catch, js_name = mountAnalyticsLab)]
    async fn mount_analytics_lab(element: web_sys::HtmlElement) -> Result<JsValue, JsValue>;
}

/// The labs that live in a module of their own.
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum LazyLab {
    Video,
    Analytics,
}

/// A container the lab's module mounts its page into, with a line while it loads.
#[component]
pub fn LazyLabLoader(lab: LazyLab) -> impl IntoView {
    let (title, slug) = match lab {
        LazyLab::Video => ("Video", "video"),
        LazyLab::Analytics => ("Analytics", "analytics"),
    };
    let root = NodeRef::<leptos::html::Div>::new();
    let state = RwSignal::new(Some(format!("Loading the {title} lab…")));
    Effect::new(move |_| {
        let Some(div) = root.get() else { return };
        let element: web_sys::HtmlElement = div.unchecked_into();
        wasm_bindgen_futures::spawn_local(async move {
            let mounted = match lab {
                LazyLab::Video => mount_video_lab(element).await,
                LazyLab::Analytics => mount_analytics_lab(element).await,
            };
            let outcome = mounted.err().map(|e| {
                format!(
                    "The {title} lab could not be loaded ({}); reload the page to try again.",
                    e.as_string().unwrap_or_else(|| format!("{e:?}"))
                )
            });
            state.try_set(outcome);
        });
    });
    view! {
        {move || state.get().map(|text| view! { <p class="panel-note" data-testid=format!("{slug}-loading")>{text}</p> })}
        <div class=format!("{slug}-lab-root") node_ref=root></div>
    }
}
