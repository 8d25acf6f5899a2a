//! A lab page that lives in a module of its own (the Video lab's WebRTC peers and page-hosted signaling
//! service): loaded the first time the learner opens it, then mounted into this page's container.

use leptos::prelude::*;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;

#[wasm_bindgen(module = "/src/lazy/modules.js")]
extern "C" {
    #[wasm_bindgen(catch, js_name = mountVideoLab)]
    async fn mount_video_lab(element: web_sys::HtmlElement) -> Result<JsValue, JsValue>;
}

/// The Video lab: a container the Video module mounts its page into, with a line while it loads.
#[component]
pub fn VideoLabLoader() -> impl IntoView {
    let root = NodeRef::<leptos::html::Div>::new();
    let state = RwSignal::new(Some("Loading the Video lab…".to_string()));
    Effect::new(move |_| {
        let Some(div) = root.get() else { return };
        let element: web_sys::HtmlElement = div.unchecked_into();
        wasm_bindgen_futures::spawn_local(async move {
            let outcome = match mount_video_lab(element).await {
                Ok(_) => None,
                Err(e) => Some(format!(
                    "The Video lab could not be loaded ({}); reload the page to try again.",
                    e.as_string().unwrap_or_else(|| format!("{e:?}"))
                )),
            };
            state.try_set(outcome);
        });
    });
    view! {
        {move || state.get().map(|text| view! { <p class="panel-note" data-testid="video-loading">{text}</p> })}
        <div class="video-lab-root" node_ref=root></div>
    }
}
