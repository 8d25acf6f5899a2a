//! The worker's way to the Analytics module (`src/bin/analytics.rs`): loaded when a run creates an
//! application, then called synchronously. Each application's runtime lives in the module under a handle
//! and is stepped through JSON, so the worker's own bundle carries no SQL parser or window engine.

use crate::columnar::lazy::message;
use crate::engine::analytics::runtime::{Declared, Runtime, RuntimeSpec, Step, Stepped};
use wasm_bindgen::prelude::*;

#[wasm_bindgen(module = "/src/lazy/modules.js")]
extern "C" {
    #[wasm_bindgen(catch, js_name = loadAnalyticsRuntime)]
    async fn load_analytics_runtime() -> Result<JsValue, JsValue>;
    #[wasm_bindgen(catch, js_name = analyticsCreate)]
    fn analytics_create(spec: &str) -> Result<String, JsValue>;
    #[wasm_bindgen(catch, js_name = analyticsStep)]
    fn analytics_step(handle: u32, step: &str) -> Result<String, JsValue>;
    #[wasm_bindgen(catch, js_name = analyticsDrop)]
    fn analytics_drop(handle: u32) -> Result<(), JsValue>;
}

/// Loads the module (once).
pub async fn load() -> Result<(), String> {
    load_analytics_runtime().await.map(|_| ()).map_err(|e| format!("the Analytics module did not load: {}", message(e)))
}

/// A runtime in the module.
#[derive(Debug)]
struct Remote {
    handle: u32,
}

impl Runtime for Remote {
    fn step(&mut self, step: Step) -> Stepped {
        let text = serde_json::to_string(&step).expect("steps serialise");
        let reply = analytics_step(self.handle, &text).map_err(message);
        // The module answers every step it was given; a failure here is a broken module, not bad input.
        let reply = reply.expect("the Analytics module steps its runtimes");
        serde_json::from_str(&reply).expect("the Analytics module answers with a Stepped")
    }
}

impl Drop for Remote {
    fn drop(&mut self) {
        let _ = analytics_drop(self.handle);
    }
}

/// A [`crate::engine::analytics::runtime::RuntimeFactory`] through the loaded module.
pub fn create(spec: &RuntimeSpec) -> Result<(Box<dyn Runtime>, Declared), (String, String)> {
    let text = serde_json::to_string(spec).expect("specs serialise");
    let reply = analytics_create(&text).map_err(|e| ("ServiceUnavailableException".to_string(), message(e)))?;
    let reply: serde_json::Value = serde_json::from_str(&reply)
        .map_err(|e| ("ServiceUnavailableException".to_string(), format!("the Analytics module answered: {e}")))?;
    if let Some(error) = reply.get("error") {
        let part = |i: usize| error[i].as_str().unwrap_or_default().to_string();
        return Err((part(0), part(1)));
    }
    let handle = reply["handle"].as_u64().unwrap_or_default() as u32;
    let declared = serde_json::from_value(reply["declared"].clone()).unwrap_or_default();
    Ok((Box::new(Remote { handle }), declared))
}
