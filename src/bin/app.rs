//! The browser app (wasm32): mounts the leptos UI. Natively there is nothing to run.

fn main() {
    #[cfg(all(target_arch = "wasm32", target_os = "unknown"))]
    kinesis_lab::ui::mount();
}
