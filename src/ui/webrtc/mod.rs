//! The Video lab's real WebRTC side (main thread, web-sys): the page-hosted signaling service
//! ([`host`]), and the master and viewer peers with their camera, RTCPeerConnection and data channel
//! ([`peers`]), talking to each other only through the simulated channel's frames, in one tab or two
//! ([`relay`], [`signaling`]).

pub mod codecs;
pub mod drills;
pub mod host;
pub mod media;
pub mod peers;
pub mod recorder;
pub mod relay;
pub mod signaling;

/// Runs `make` under a root reactive owner of its own that is never disposed: the lab's signals outlive
/// the page component that first asked for the lab (its timers may still write them after the learner
/// goes to another lab).
pub fn detached<T>(make: impl FnOnce() -> T) -> T {
    use leptos::prelude::Owner;
    let current = Owner::current();
    if let Some(owner) = current.clone() {
        owner.unset();
    }
    let root = Owner::new();
    let value = root.with(make);
    if let Some(owner) = current {
        owner.set();
    }
    // The page keeps its labs for its whole life, so their owner lives as long.
    std::mem::forget(root);
    value
}
