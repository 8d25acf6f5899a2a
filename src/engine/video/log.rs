//! The signaling log: every frame in and out and every decision the service took, append-only (spec §6.2).
//!
//! The message inspector, the sequence diagram and the protocol tests all read this one record.

use super::frame::MessageType;
use super::Role;
use crate::engine::time::SimTime;
use serde::{Deserialize, Serialize};

/// Who is at either end of a message inside one channel.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub enum Peer {
    /// The channel's master (it has no client id on the wire).
    Master,
    /// A viewer, by client id.
    Viewer(String),
}

impl Peer {
    /// "MASTER" or the viewer's id, as the diagram labels lanes.
    pub fn label(&self) -> &str {
        match self {
            Peer::Master => "MASTER",
            Peer::Viewer(id) => id,
        }
    }

    /// The role behind this end.
    pub fn role(&self) -> Role {
        match self {
            Peer::Master => Role::Master,
            Peer::Viewer(_) => Role::Viewer,
        }
    }
}

/// What happened.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Outcome {
    /// A WebSocket connected.
    Connected,
    /// A connect was refused.
    ConnectRefused { error_type: String, message: String },
    /// A connection closed (by the client, or the service: why).
    Closed { reason: String },
    /// The service took a client's frame.
    Accepted,
    /// Something the service ignored or adjusted in an accepted frame.
    Note { text: String },
    /// The service refused a frame; `answered` when a STATUS_RESPONSE went back.
    Rejected { error_type: String, reason: String, answered: bool },
    /// The message was lost on the way (a knob).
    Lost { reason: String },
    /// Delivered to the recipient's socket.
    Delivered,
    /// Held for a recipient that is not connected, until `expires_at`.
    Queued { expires_at: SimTime },
    /// A newer offer from the same sender replaced this undelivered one.
    Overwritten,
    /// Its TTL ran out undelivered.
    Expired,
}

/// One line of the log.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct LogEntry {
    /// Position in the log, from 0.
    pub seq: u64,
    /// When (simulated).
    pub at: SimTime,
    /// The channel's name.
    pub channel: String,
    /// Who sent it (`None`: the service itself).
    pub from: Option<Peer>,
    /// Who it is for (`None`: the service itself).
    pub to: Option<Peer>,
    /// The message type, for message lines.
    pub message_type: Option<MessageType>,
    /// What happened.
    pub outcome: Outcome,
    /// The frame's exact text, when there is one.
    pub frame: Option<String>,
}

/// The log and its next sequence number.
#[derive(Clone, Debug, Default)]
pub struct SignalLog {
    entries: Vec<LogEntry>,
}

impl SignalLog {
    /// Appends a line.
    pub fn push(&mut self, mut entry: LogEntry) {
        entry.seq = self.entries.len() as u64;
        self.entries.push(entry);
    }

    /// Every line so far.
    pub fn entries(&self) -> &[LogEntry] {
        &self.entries
    }

    /// The lines from `seq` on.
    pub fn since(&self, seq: u64) -> &[LogEntry] {
        let from = usize::try_from(seq).unwrap_or(usize::MAX).min(self.entries.len());
        &self.entries[from..]
    }
}
