//! Kinesis Lab: a faithful simulation of the Amazon Kinesis family, for learning and design what-ifs.
//!
//! ```text
//!  main thread (leptos, web-sys)            Web Worker (wasm)              pure Rust, native + wasm
//!  ┌────────────────────────┐ ToWorker(JSON) ┌──────────────────┐  calls  ┌────────────────────────┐
//!  │ ui/ components, charts │ ─────────────► │ worker/ host     │ ──────► │ engine/ (sans-IO)      │
//!  │ ui/bridge use_engine() │ ◄───────────── │ wall → SimTime   │ ◄────── │ Runner + Engine        │
//!  └────────────────────────┘ FromWorker     │ one reply/message│ outputs │ time, rng, timers      │
//!                             (Ready first)  └──────────────────┘         └────────────────────────┘
//!        view_model/ (Snapshot → rows, series, labels) and charts/ (plotters) are pure and tested natively
//! ```
//!
//! The engine never reads a clock or OS randomness (clippy's `disallowed-methods` enforces it); the
//! worker maps wall time to simulated time; the UI only renders snapshots and sends messages. The
//! same engine runs natively for tests and for the `kinesis-lab` command line.

#![forbid(unsafe_code)]

pub mod api;
pub mod bench;
pub mod charts;
pub mod columnar;
pub mod engine;
pub mod planner;
pub mod protocol;
pub mod view_model;
pub mod worker;

#[cfg(all(target_arch = "wasm32", target_os = "unknown"))]
pub mod ui;
