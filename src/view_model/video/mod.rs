//! The Video lab's pure parts, natively tested: the KVS-style signaling client, the sequence diagram
//! built from the service's log, the candidate table, the stats charts and the two-tab relay's messages.

pub mod candidates;
pub mod client;
pub mod relay;
pub mod sequence;
pub mod stats;
