//! The Video lab's pure parts, natively tested: the KVS-style signaling client, the sequence diagram
//! built from the service's log, the candidate table and the stats charts.

pub mod candidates;
pub mod client;
pub mod sequence;
pub mod stats;
