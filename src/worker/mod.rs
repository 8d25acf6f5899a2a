//! The engine host that runs in the Web Worker: a thin, versioned pipe between the UI and the engine.
//!
//! [`clock`] maps wall time to simulated time and [`session`] turns each message into one reply;
//! both are plain Rust and tested natively. `host` (wasm32 only) is the JS glue: it posts
//! `Ready{version}` first, then answers every message. Messages are JSON text: the same codec the
//! native tests check, lossless for 64- and 128-bit numbers (seeds, sequence numbers), and readable
//! in devtools. We use a hand-written adapter on web-sys rather than gloo-worker so that the
//! handshake, the version check and crash detection (the Worker's `error` event) are ours to see.

pub mod clock;
pub mod session;

#[cfg(all(target_arch = "wasm32", target_os = "unknown"))]
mod analytics;
#[cfg(all(target_arch = "wasm32", target_os = "unknown"))]
mod host;

#[cfg(all(target_arch = "wasm32", target_os = "unknown"))]
pub use host::start;
