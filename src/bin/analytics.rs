//! The Analytics lab module (wasm32), loaded lazily: the page imports it only when the learner opens the
//! Analytics lab, so the app does not carry the SQL and pipeline engines until then. The editor's runs and
//! the window comparison compute in the page, over sample and generated streams; applications reading the
//! simulated account's streams belong to the engine in the worker. Natively there is nothing to run.

#[cfg(all(target_arch = "wasm32", target_os = "unknown"))]
mod exports {
    use wasm_bindgen::prelude::*;

    /// Mounts the Analytics lab's page inside `parent`.
    #[wasm_bindgen]
    pub fn mount_analytics_lab(parent: web_sys::HtmlElement) {
        kinesis_lab::ui::mount_analytics_lab(parent);
    }
}

fn main() {}
