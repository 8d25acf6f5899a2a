//! The Video lab module (wasm32), loaded lazily: the page imports it only when the learner opens the
//! Video lab, so the app does not carry the WebRTC peers and the page-hosted signaling service until then.
//! Natively there is nothing to run.

#[cfg(all(target_arch = "wasm32", target_os = "unknown"))]
mod exports {
    use wasm_bindgen::prelude::*;

    /// Mounts the Video lab's page inside `parent` (the lab itself outlives a visit to another lab).
    #[wasm_bindgen]
    pub fn mount_video_lab(parent: web_sys::HtmlElement) {
        kinesis_lab::ui::mount_video_lab(parent);
    }
}

fn main() {}
