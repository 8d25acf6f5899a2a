//! The Video lab's real WebRTC side (main thread, web-sys): the page-hosted signaling service
//! ([`host`]), and the master and viewer peers with their camera, RTCPeerConnection and data channel
//! ([`peers`]), talking to each other only through the simulated channel's frames, in one tab or two
//! ([`relay`], [`signaling`]).

pub mod codecs;
pub mod drills;
pub mod host;
pub mod media;
pub mod peers;
pub mod relay;
pub mod signaling;
