//! The Analytics lab module (wasm32), loaded lazily: the page imports it only when the learner opens the
//! Analytics lab, so the app does not carry the SQL and pipeline engines until then; the editor's runs and
//! the window comparison compute in the page. The worker imports it too, when a run creates a Kinesis Data
//! Analytics application: the applications' code runs here, stepped through JSON
//! ([`kinesis_lab::engine::analytics::runtime::hosted`]). Natively there is nothing to run.

#[cfg(all(target_arch = "wasm32", target_os = "unknown"))]
mod exports {
    use kinesis_lab::engine::analytics::runtime::hosted;
    use wasm_bindgen::prelude::*;

    /// Mounts the Analytics lab's page inside `parent`.
    #[wasm_bindgen]
    pub fn mount_analytics_lab(parent: web_sys::HtmlElement) {
        kinesis_lab::ui::mount_analytics_lab(parent);
    }

    /// Starts an application's runtime from its spec (JSON).
    #[wasm_bindgen]
    pub fn runtime_create(spec: &str) -> String {
        hosted::create(spec)
    }

    /// Steps runtime `handle` (JSON in, JSON out).
    #[wasm_bindgen]
    pub fn runtime_step(handle: u32, step: &str) -> Result<String, String> {
        hosted::step(handle, step)
    }

    /// Forgets runtime `handle`.
    #[wasm_bindgen]
    pub fn runtime_drop(handle: u32) {
        hosted::drop(handle);
    }
}

fn main() {}
