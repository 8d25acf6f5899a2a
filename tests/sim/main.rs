//! The single integration-test binary: one behaviour per module (one link on a 2-core CI).
#![cfg(not(target_arch = "wasm32"))]

mod harness;
mod model_timers;
mod runner_day;
