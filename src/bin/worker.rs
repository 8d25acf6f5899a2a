//! The engine host (wasm32, Web Worker): answers the UI's messages. Natively there is nothing to run.

fn main() {
    #[cfg(target_arch = "wasm32")]
    kinesis_lab::worker::start();
}
