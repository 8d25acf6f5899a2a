//! The Video lab's pure parts, natively tested: the KVS-style signaling client, the channel card, the sequence diagram
//! built from the service's log, the candidate table, the stats charts and the two-tab relay's messages.

pub mod candidates;
pub mod card;
pub mod client;
pub mod codec;
pub mod fragments;
pub mod lesson;
pub mod relay;
pub mod sequence;
pub mod stats;
