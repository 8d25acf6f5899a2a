//! The engine host (wasm32, Web Worker): answers the UI's messages. Natively there is nothing to run.

fn main() {
    #[cfg(all(target_arch = "wasm32", target_os = "unknown"))]
    kinesis_lab::worker::start();
}
