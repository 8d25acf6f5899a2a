//! The signaling client the lab's peers use, mirroring the KVS WebRTC JS SDK's `SignalingClient`
//! (spec video.md §3.7) where it is right and saying so where it is not.
//!
//! - Outgoing: the SDK's checks (a viewer may not name a recipient; a correlationId must match
//!   `[a-zA-Z0-9_.-]{1,256}`), then the frame with keys in the SDK's order.
//! - Incoming: each frame becomes one event. An ICE candidate from a sender whose SDP has not arrived yet is
//!   held and released right after that SDP (early-candidate buffering); the "naive" mode turns this off
//!   to show why it exists. Frames the SDK drops silently (unparseable, GO_AWAY, RECONNECT_ICE_SERVER) are
//!   events here, with a reason.

use crate::engine::video::channel::is_name;
use crate::engine::video::frame::{decode_payload, encode_payload, ClientFrame, MessageType};
use crate::engine::video::Role;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use std::collections::{BTreeMap, BTreeSet};

/// An SDP as `RTCSessionDescription.toJSON()` writes it (Chromium's key order: type, sdp).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Description {
    #[serde(rename = "type")]
    pub kind: String,
    pub sdp: String,
}

/// A candidate as `RTCIceCandidate.toJSON()` writes it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Candidate {
    pub candidate: String,
    #[serde(default)]
    pub sdp_mid: Option<String>,
    #[serde(default, rename = "sdpMLineIndex")]
    pub sdp_m_line_index: Option<u16>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub username_fragment: Option<String>,
}

/// What a received frame means to the peer.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ClientEvent {
    /// An offer (from a viewer to the master: `sender` is its id).
    Offer { sender: Option<String>, description: Description },
    /// An answer.
    Answer { sender: Option<String>, description: Description },
    /// A candidate, released in order after its sender's SDP.
    Candidate { sender: Option<String>, candidate: Candidate },
    /// A failure report for a frame that carried a correlationId.
    Status { correlation_id: String, error_type: String, status_code: String, description: String },
    /// The service will close the socket: reconnect.
    GoAway,
    /// The TURN relay is going away: fetch new ICE servers.
    ReconnectIceServer,
    /// A frame the client could not use, and why (the SDK drops these silently).
    Ignored { reason: String },
}

/// One side's client state.
#[derive(Clone, Debug)]
pub struct SignalingClient {
    role: Role,
    /// Buffer candidates that arrive before their sender's SDP (the SDK's behaviour).
    buffering: bool,
    sdp_seen: BTreeSet<String>,
    held: BTreeMap<String, Vec<Candidate>>,
}

impl SignalingClient {
    /// A client for `role`; `buffering` off is the naive client of drill F8.
    pub fn new(role: Role, buffering: bool) -> SignalingClient {
        SignalingClient { role, buffering, sdp_seen: BTreeSet::new(), held: BTreeMap::new() }
    }

    /// The frame for an SDP or candidate message, or the SDK's local error.
    pub fn frame(
        &self,
        action: MessageType,
        payload_json: &str,
        recipient: Option<&str>,
        correlation_id: Option<&str>,
    ) -> Result<String, String> {
        if self.role == Role::Viewer && recipient.is_some() {
            return Err(
                "Unexpected recipient client id. As the VIEWER, messages must not be sent with a recipient client id."
                    .into(),
            );
        }
        if let Some(id) = correlation_id {
            if id.len() > 256 || !is_name(id) {
                return Err(format!("Correlation id '{id}' does not fit the constraint [a-zA-Z0-9_.-]{{1,256}}"));
            }
        }
        let frame = ClientFrame {
            action,
            message_payload: encode_payload(payload_json),
            recipient_client_id: recipient.map(str::to_string),
            correlation_id: correlation_id.map(str::to_string),
        };
        Ok(frame.to_text())
    }

    /// The events one received frame gives, in the order the peer should handle them.
    pub fn receive(&mut self, text: &str) -> Vec<ClientEvent> {
        let ignored = |reason: String| vec![ClientEvent::Ignored { reason }];
        let Ok(Value::Object(map)) = serde_json::from_str::<Value>(text) else {
            return ignored("not a JSON object".into());
        };
        let Some(kind) = map.get("messageType").and_then(Value::as_str).and_then(MessageType::parse) else {
            return ignored(format!("no known messageType (a foreign frame: {})", short(text)));
        };
        let sender = map.get("senderClientId").and_then(Value::as_str).map(str::to_string);
        let key = sender.clone().unwrap_or_else(|| "MASTER".into());
        let payload = || -> Result<Value, String> {
            let raw = map.get("messagePayload").and_then(Value::as_str).ok_or("no messagePayload")?;
            decode_payload(raw)
        };
        match kind {
            MessageType::SdpOffer | MessageType::SdpAnswer => {
                let description =
                    match payload().and_then(|v| serde_json::from_value::<Description>(v).map_err(|e| e.to_string())) {
                        Ok(d) => d,
                        Err(e) => return ignored(format!("{} payload undecodable: {e}", kind.as_str())),
                    };
                self.sdp_seen.insert(key.clone());
                let first = if kind == MessageType::SdpOffer {
                    ClientEvent::Offer { sender: sender.clone(), description }
                } else {
                    ClientEvent::Answer { sender: sender.clone(), description }
                };
                let mut events = vec![first];
                for candidate in self.held.remove(&key).unwrap_or_default() {
                    events.push(ClientEvent::Candidate { sender: sender.clone(), candidate });
                }
                events
            }
            MessageType::IceCandidate => {
                let candidate =
                    match payload().and_then(|v| serde_json::from_value::<Candidate>(v).map_err(|e| e.to_string())) {
                        Ok(c) => c,
                        Err(e) => return ignored(format!("ICE_CANDIDATE payload undecodable: {e}")),
                    };
                if self.buffering && !self.sdp_seen.contains(&key) {
                    self.held.entry(key).or_default().push(candidate);
                    return Vec::new();
                }
                vec![ClientEvent::Candidate { sender, candidate }]
            }
            MessageType::StatusResponse => {
                let status = map.get("statusResponse").cloned().unwrap_or(Value::Null);
                let field = |k: &str| {
                    status.get(k).map(|v| v.as_str().map_or_else(|| v.to_string(), str::to_string)).unwrap_or_default()
                };
                vec![ClientEvent::Status {
                    correlation_id: field("correlationId"),
                    error_type: field("errorType"),
                    status_code: field("statusCode"),
                    description: field("description"),
                }]
            }
            MessageType::GoAway => vec![ClientEvent::GoAway],
            MessageType::ReconnectIceServer => vec![ClientEvent::ReconnectIceServer],
        }
    }

    /// Candidates held for senders whose SDP has not come (what the inspector shows as "buffered").
    pub fn held(&self) -> usize {
        self.held.values().map(Vec::len).sum()
    }

    /// Forgets a sender (its peer connection was replaced): its next candidates wait for its next SDP.
    pub fn forget(&mut self, sender: &str) {
        self.sdp_seen.remove(sender);
        self.held.remove(sender);
    }
}

fn short(text: &str) -> String {
    let cut: String = text.chars().take(80).collect();
    if cut.len() < text.len() {
        format!("{cut}…")
    } else {
        cut
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::video::frame::ServiceFrame;

    fn relayed(kind: MessageType, sender: Option<&str>, json: &str) -> String {
        ServiceFrame::relayed(kind, sender, &encode_payload(json)).to_text()
    }

    const CANDIDATE: &str =
        r#"{"candidate":"candidate:1 1 udp 2122260223 192.168.1.10 50000 typ host","sdpMid":"0","sdpMLineIndex":0}"#;

    #[test]
    fn candidates_before_their_offer_are_held_and_released_after_it() {
        let mut master = SignalingClient::new(Role::Master, true);
        assert!(master.receive(&relayed(MessageType::IceCandidate, Some("v1"), CANDIDATE)).is_empty());
        assert_eq!(master.held(), 1);
        let events = master.receive(&relayed(MessageType::SdpOffer, Some("v1"), r#"{"type":"offer","sdp":"v=0"}"#));
        assert!(matches!(&events[0], ClientEvent::Offer { sender: Some(s), .. } if s == "v1"));
        assert!(matches!(&events[1], ClientEvent::Candidate { .. }));
        assert_eq!(master.held(), 0);
        let naive = SignalingClient::new(Role::Master, false).receive(&relayed(
            MessageType::IceCandidate,
            Some("v1"),
            CANDIDATE,
        ));
        assert!(matches!(&naive[0], ClientEvent::Candidate { .. }), "the naive client passes it on at once");
    }

    #[test]
    fn outgoing_frames_follow_the_sdk_rules() {
        let viewer = SignalingClient::new(Role::Viewer, true);
        assert!(viewer.frame(MessageType::SdpOffer, "{}", Some("MASTER"), None).is_err());
        assert!(viewer.frame(MessageType::SdpOffer, "{}", None, Some("bad id")).is_err());
        let text = viewer.frame(MessageType::SdpOffer, r#"{"type":"offer","sdp":"x"}"#, None, Some("17")).unwrap();
        assert_eq!(
            text,
            format!(
                r#"{{"action":"SDP_OFFER","messagePayload":"{}","correlationId":"17"}}"#,
                encode_payload(r#"{"type":"offer","sdp":"x"}"#)
            )
        );
        let master = SignalingClient::new(Role::Master, true);
        assert!(master
            .frame(MessageType::SdpAnswer, "{}", Some("v1"), None)
            .unwrap()
            .contains(r#""recipientClientId":"v1""#));
    }

    #[test]
    fn frames_the_sdk_drops_are_reported() {
        let mut client = SignalingClient::new(Role::Viewer, true);
        assert!(matches!(&client.receive("nope")[0], ClientEvent::Ignored { .. }));
        let foreign = r#"{"message":"Endpoint request timed out","connectionId":"x","requestId":"y"}"#;
        assert!(matches!(&client.receive(foreign)[0], ClientEvent::Ignored { reason } if reason.contains("foreign")));
        assert_eq!(client.receive(r#"{"messageType":"GO_AWAY"}"#), vec![ClientEvent::GoAway]);
        let bad = r#"{"messageType":"SDP_ANSWER","messagePayload":"%%%"}"#;
        assert!(matches!(&client.receive(bad)[0], ClientEvent::Ignored { reason } if reason.contains("undecodable")));
        let status = r#"{"messageType":"STATUS_RESPONSE","statusResponse":{"correlationId":"1","errorType":"InvalidArgumentException","statusCode":"400","success":false}}"#;
        assert!(
            matches!(&client.receive(status)[0], ClientEvent::Status { error_type, .. } if error_type == "InvalidArgumentException")
        );
    }
}
