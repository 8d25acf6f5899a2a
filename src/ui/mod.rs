//! The browser UI (wasm32 only): a leptos app that renders worker snapshots and sends commands.
//!
//! Components are small and read through the [`EngineHandle`] context; every number they show comes
//! from a worker snapshot via `view_model`, and every change they make goes through the handle.

mod bridge;
pub mod canvas;
mod components;
pub mod download;
mod url;
pub mod webrtc;

pub use bridge::{use_engine, EngineHandle, UseEngineOptions, REPLY_TIMEOUT_MS};

use components::{engine_panel::EnginePanel, header::Header, lab_page::LabPage, nav::Nav};
use leptos::prelude::*;

/// Mounts the app on the page's `<body>` (the `app` binary's entry point).
pub fn mount() {
    console_error_panic_hook::set_once();
    leptos::mount::mount_to_body(App);
}

/// Mounts the app inside `parent` for as long as the page lives (for browser tests).
pub fn mount_to(parent: web_sys::HtmlElement) {
    leptos::mount::mount_to(parent, App).forget();
}

thread_local! {
    /// The Video lab page mounted by the Video module, unmounted when the page mounts it again.
    static VIDEO_PAGE: std::cell::RefCell<Option<Box<dyn std::any::Any>>> = Default::default();
    /// The same for the Analytics lab.
    static ANALYTICS_PAGE: std::cell::RefCell<Option<Box<dyn std::any::Any>>> = Default::default();
}

/// Mounts the Analytics lab's page inside `parent` (the `analytics` module's entry point).
pub fn mount_analytics_lab(parent: web_sys::HtmlElement) {
    console_error_panic_hook::set_once();
    let handle = leptos::mount::mount_to(parent, components::analytics_lab::AnalyticsLab);
    ANALYTICS_PAGE.with(|page| *page.borrow_mut() = Some(Box::new(handle)));
}

/// Mounts the Video lab's page inside `parent` (the `video` module's entry point; the app never links it).
pub fn mount_video_lab(parent: web_sys::HtmlElement) {
    console_error_panic_hook::set_once();
    let handle = leptos::mount::mount_to(parent, components::video_lab::VideoLabPage);
    // The previous visit's view left the page with its container; dropping its handle releases it.
    VIDEO_PAGE.with(|page| *page.borrow_mut() = Some(Box::new(handle)));
}

/// The whole app: header, lab navigation, the open lab and the engine panel.
#[component]
pub fn App() -> impl IntoView {
    let start = url::read_state();
    let engine = use_engine(UseEngineOptions { seed: start.seed, speed: start.speed });
    provide_context(engine);
    if let Some(shared) = start.scenario.clone() {
        // The address's seed wins over the file's, so the link replays exactly the run it was made from.
        engine.load_scenario(shared, Some(start.seed));
    }
    url::sync_run_to_address(engine);
    let lab = url::use_lab();
    view! {
        <div class="shell">
            <Header notices=start.errors />
            <Nav lab=lab />
            <div class="workspace" class:single=move || matches!(lab.get(), crate::view_model::labs::Lab::Streams | crate::view_model::labs::Lab::Video | crate::view_model::labs::Lab::Analytics)>
                <LabPage lab=lab />
                <EnginePanel />
            </div>
        </div>
    }
}
