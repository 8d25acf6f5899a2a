//! The browser app (wasm32): mounts the leptos UI. Natively there is nothing to run.

fn main() {
    #[cfg(target_arch = "wasm32")]
    kinesis_lab::ui::mount();
}
