//! The guided lesson: the six steps of a WebRTC session (spec video.md §2, Fig 7.2: STUN, TURN allocation,
//! signaling, offer/answer, connectivity checks, TURN fallback), each ticked from what the live session
//! really did, and the failure drills with what each teaches (§6.5).

use crate::engine::video::frame::MessageType;
use crate::engine::video::log::{LogEntry, Outcome, Peer};
use crate::engine::video::nat::{CandidateType, Verdict};

/// What the session has shown so far.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Facts {
    /// The NAT model's verdict for the current settings.
    pub verdict: Option<Verdict>,
    /// Sides that called GetIceServerConfig ("MASTER", "VIEWER").
    pub ice_config: Vec<String>,
    pub master_connected: bool,
    pub viewer_connected: bool,
    pub offer_delivered: bool,
    pub answer_delivered: bool,
    pub candidates_delivered: usize,
    /// The viewer's RTCPeerConnection.connectionState.
    pub connection: String,
    /// The selected pair's (local, remote) candidate types.
    pub pair: Option<(String, String)>,
    /// Time to first frame, ms.
    pub first_frame_ms: Option<f64>,
}

impl Facts {
    /// Reads the signaling facts from the channel's log (the rest come from the peers).
    pub fn read_log(&mut self, entries: &[LogEntry]) {
        let delivered = |kind: MessageType| {
            entries.iter().filter(|e| e.message_type == Some(kind) && e.outcome == Outcome::Delivered).count()
        };
        let connected = |master: bool| {
            entries
                .iter()
                .any(|e| e.outcome == Outcome::Connected && matches!(e.from.as_ref(), Some(Peer::Master)) == master)
        };
        self.master_connected = connected(true);
        self.viewer_connected = connected(false);
        self.offer_delivered = delivered(MessageType::SdpOffer) > 0;
        self.answer_delivered = delivered(MessageType::SdpAnswer) > 0;
        self.candidates_delivered = delivered(MessageType::IceCandidate);
    }
}

/// One step of the walk.
#[derive(Clone, Debug, PartialEq)]
pub struct Step {
    pub title: &'static str,
    /// What happens in a real session.
    pub what: &'static str,
    /// What this session shows for it, or what to do to see it.
    pub evidence: String,
    pub done: bool,
}

/// The six steps, ticked from `facts`.
pub fn steps(f: &Facts) -> Vec<Step> {
    let path = match &f.verdict {
        Some(Verdict::Connects { path, .. }) => Some(*path),
        _ => None,
    };
    let verdict_line = match &f.verdict {
        None => "Start the viewer: the NAT model then judges the two networks.".to_string(),
        Some(Verdict::Connects { path, why, .. }) => format!("NAT model: connects via {} — {why}.", path.as_str()),
        Some(Verdict::Fails { why }) => format!("NAT model: no path — {why}."),
    };
    vec![
        Step {
            title: "1. Ask a STUN server for your public address",
            what: "Each peer sends a STUN binding request through its NAT; the reply carries the address and port \
                   the NAT mapped it to, which becomes a server-reflexive (srflx) candidate.",
            evidence: format!(
                "{verdict_line} This machine has no real STUN server, so the model decides whether srflx \
                 candidates would work, and the real host candidates stand in for them."
            ),
            done: f.verdict.is_some(),
        },
        Step {
            title: "2. Allocate a relay on a TURN server",
            what: "GetIceServerConfig returns TURN URIs with a username and password that last 300 s; a peer \
                   allocates a relay address there as its last-resort (relay) candidate.",
            evidence: if f.ice_config.is_empty() {
                "Not yet: each peer calls GetIceServerConfig when it starts.".into()
            } else {
                format!("GetIceServerConfig called by {}.", f.ice_config.join(" and "))
            },
            done: f.ice_config.len() >= 2,
        },
        Step {
            title: "3. Connect to the signaling channel",
            what: "The master keeps a WebSocket open to the channel (ConnectAsMaster); each viewer opens its own \
                   (ConnectAsViewer with a client id). Media never passes through the channel.",
            evidence: format!(
                "Master socket: {}; viewer socket: {}.",
                if f.master_connected { "connected" } else { "not yet" },
                if f.viewer_connected { "connected" } else { "not yet" }
            ),
            done: f.master_connected && f.viewer_connected,
        },
        Step {
            title: "4. Exchange the offer and the answer",
            what: "The viewer sends an SDP offer (codecs, encryption fingerprint, and its candidates unless it \
                   trickles them); the master replies with an SDP answer. The channel holds an offer for a master \
                   that is not there yet, until the message TTL.",
            evidence: format!(
                "SDP_OFFER {}; SDP_ANSWER {}. Click them in the sequence diagram to read the SDP.",
                if f.offer_delivered { "delivered" } else { "not delivered yet" },
                if f.answer_delivered { "delivered" } else { "not delivered yet" }
            ),
            done: f.offer_delivered && f.answer_delivered,
        },
        Step {
            title: "5. Check connectivity and pick a pair",
            what: "Both sides pair their candidates with the other's and send STUN checks on each pair; the \
                   first pair that works carries DTLS, then the media and the data channel.",
            evidence: match &f.pair {
                Some((local, remote)) if f.connection == "connected" => format!(
                    "{} ICE_CANDIDATE messages delivered; the viewer is connected on a {local} ↔ {remote} pair{}.",
                    f.candidates_delivered,
                    f.first_frame_ms
                        .map(|ms| format!("; first frame {ms:.0} ms after Start viewer"))
                        .unwrap_or_default()
                ),
                _ => format!(
                    "{} ICE_CANDIDATE messages delivered; the viewer's connection is {}.",
                    f.candidates_delivered,
                    if f.connection.is_empty() { "not started" } else { &f.connection }
                ),
            },
            done: f.connection == "connected" && f.pair.is_some(),
        },
        Step {
            title: "6. Fall back to the TURN relay",
            what: "When no direct pair works — symmetric NATs on both sides, or UDP blocked — the relay \
                   candidates carry the media through the TURN server, at the cost of a longer round trip.",
            evidence: match path {
                Some(CandidateType::Relay) => format!("{verdict_line} This is the fallback."),
                _ => format!(
                    "{verdict_line} To see the fallback, set both NATs to Symmetric with STUN/TURN; then remove \
                     TURN to see the session fail."
                ),
            },
            done: path == Some(CandidateType::Relay),
        },
    ]
}

/// A failure drill of the lesson.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Drill {
    /// The page's hook for its set-up button.
    pub id: &'static str,
    pub name: &'static str,
    /// What the set-up button changes, and what to do next.
    pub how: &'static str,
    pub teaches: &'static str,
}

/// The drills, in the lesson's order (spec §6.5 F2, F15, F24, F7, F26, F30).
pub const DRILLS: [Drill; 6] = [
    Drill {
        id: "ttl",
        name: "Message TTL expiry (F2)",
        how: "Stops the session, speeds the service clock up and starts only the viewer; watch its offer wait in \
              the channel card, then expire. Starting the master afterwards connects nothing.",
        teaches: "The channel queues messages for a master that is not connected, but only for the channel's \
                  message TTL (5–120 s). A viewer whose offer expired waits forever: the SDK has no timeout.",
    },
    Drill {
        id: "eleventh",
        name: "The 11th viewer (F15)",
        how: "Connects socket-only viewers one by one, under the 3 connects per second limit, until the service \
              refuses one.",
        teaches: "A channel takes one master and 10 viewers; the 11th is refused at connect time with \
                  ClientLimitExceededException. Many viewers need a media server or several channels.",
    },
    Drill {
        id: "turn-only",
        name: "TURN only without TURN (F24)",
        how: "Sets the viewer to TURN only and makes TURN unreachable; press Stop, then Start master and Start \
              viewer.",
        teaches: "With relay as the only allowed type and no TURN, a peer gathers zero candidates: the \
                  connection stays “new”, with no error. Silence is how ICE fails.",
    },
    Drill {
        id: "lost-candidates",
        name: "Lost candidates (F7)",
        how: "Drops every ICE_CANDIDATE in the channel, both ways; press Stop, then start both peers.",
        teaches: "With trickle ICE the SDPs carry no candidates, so when the channel loses them no pair can be \
                  checked and ICE stays “new”. Drop one direction only and it still connects: the other side \
                  learns a peer-reflexive (prflx) candidate from the incoming checks.",
    },
    Drill {
        id: "codec",
        name: "Codec mismatch (F26)",
        how: "Sets the master to H.264 only and the viewer to VP8 only; press Stop, then start both peers.",
        teaches: "The answer rejects the video section (port 0) when no codec is common: ICE, DTLS and the data \
                  channel still connect, but no video flows. Read the codec line above the notices.",
    },
    Drill {
        id: "partition",
        name: "Signaling cut after connecting (F30)",
        how: "Cuts the signaling channel while the session runs: every new message is lost.",
        teaches: "Once ICE has connected, media and the data channel flow peer to peer, so they keep working \
                  with signaling down. Only a new negotiation (a new viewer, an ICE restart) needs the channel.",
    },
];

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::time::SimTime;

    fn entry(from: Option<Peer>, message_type: Option<MessageType>, outcome: Outcome) -> LogEntry {
        LogEntry { seq: 0, at: SimTime::ZERO, channel: "c".into(), from, to: None, message_type, outcome, frame: None }
    }

    #[test]
    fn nothing_is_ticked_before_the_session_starts() {
        assert!(steps(&Facts::default()).iter().all(|s| !s.done));
        assert_eq!(steps(&Facts::default()).len(), 6);
    }

    #[test]
    fn steps_tick_from_the_log_and_the_peers() {
        let viewer = Some(Peer::Viewer("v1".into()));
        let log = [
            entry(Some(Peer::Master), None, Outcome::Connected),
            entry(viewer.clone(), None, Outcome::Connected),
            entry(viewer.clone(), Some(MessageType::SdpOffer), Outcome::Delivered),
            entry(Some(Peer::Master), Some(MessageType::SdpAnswer), Outcome::Lost { reason: "drop".into() }),
            entry(viewer.clone(), Some(MessageType::IceCandidate), Outcome::Delivered),
            entry(viewer, Some(MessageType::IceCandidate), Outcome::Delivered),
        ];
        let mut f = Facts { ice_config: vec!["MASTER".into(), "VIEWER".into()], ..Facts::default() };
        f.read_log(&log);
        assert!(f.master_connected && f.viewer_connected && f.offer_delivered && !f.answer_delivered);
        assert_eq!(f.candidates_delivered, 2);
        let done: Vec<bool> = steps(&f).iter().map(|s| s.done).collect();
        assert_eq!(done, [false, true, true, false, false, false]);
        assert!(steps(&f)[3].evidence.contains("SDP_ANSWER not delivered yet"));

        f.connection = "connected".into();
        f.pair = Some(("host".into(), "prflx".into()));
        f.verdict = Some(Verdict::Connects {
            path: CandidateType::Relay,
            why: "symmetric both sides".into(),
            relay_extra_rtt_ms: 40,
        });
        let s = steps(&f);
        assert!(s[4].done && s[4].evidence.contains("host ↔ prflx"), "{}", s[4].evidence);
        assert!(s[5].done && s[0].done);
    }

    #[test]
    fn every_drill_has_a_distinct_hook() {
        let mut ids: Vec<&str> = DRILLS.iter().map(|d| d.id).collect();
        ids.sort_unstable();
        ids.dedup();
        assert_eq!(ids.len(), DRILLS.len());
    }
}
