//! Routing client frames (spec video.md §3.3): viewer → master, master → a named viewer, never viewer →
//! viewer; the message-path knobs on the way (§6.3); TTL queues for recipients that are not connected,
//! where a newer undelivered offer from the same sender replaces the older one; STATUS_RESPONSE only for
//! failures of frames that carried a correlationId.

use super::error::VideoError;
use super::frame::{self, FrameRejection, MessageType, ServiceFrame};
use super::log::{LogEntry, Outcome, Peer};
use super::settings::PathKnobs;
use super::{ConnId, SignalingService, SocketOutput};
use crate::engine::rng::Ratio;
use crate::engine::time::{SimDuration, SimTime};

/// A message between the service and its recipient.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct InFlight {
    pub(super) channel: String,
    pub(super) from: Peer,
    pub(super) to: Peer,
    pub(super) message_type: MessageType,
    /// The service frame the recipient will read.
    pub(super) text: String,
    pub(super) sent_at: SimTime,
}

/// A message held for a recipient that is not connected.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Pending {
    pub(super) from: Peer,
    pub(super) message_type: MessageType,
    pub(super) text: String,
    pub(super) expires_at: SimTime,
}

impl SignalingService {
    /// A text frame from a client's socket. Whatever it holds, the service answers as AWS does: routing
    /// it, or refusing it (a STATUS_RESPONSE only when it carried a readable correlationId); every
    /// decision is logged. Frames on a closed socket are ignored.
    pub fn handle_frame(&mut self, now: SimTime, conn: ConnId, text: &str) {
        self.handle_timeout(now);
        let Some(c) = self.connections.get_mut(&conn) else { return };
        c.last_activity = now;
        let (channel, sender) = (c.channel.clone(), c.peer.clone());
        let frame = match frame::parse_client_frame(text, self.settings.payload_max_chars) {
            Ok(frame) => frame,
            Err(rejection) => {
                let message_type = serde_json::from_str::<serde_json::Value>(text)
                    .ok()
                    .and_then(|v| v.get("action").and_then(|a| a.as_str()).and_then(MessageType::action));
                return self.refuse(now, conn, &channel, sender, message_type, text, rejection);
            }
        };
        let refusal = |error: VideoError| FrameRejection { correlation_id: frame.correlation_id.clone(), error };
        let to = match (&sender, &frame.recipient_client_id) {
            (Peer::Master, None) => {
                let error = VideoError::invalid_argument("recipientClientId is required on messages from the master");
                return self.refuse(now, conn, &channel, sender, Some(frame.action), text, refusal(error));
            }
            (Peer::Master, Some(viewer)) => Peer::Viewer(viewer.clone()),
            (Peer::Viewer(_), _) => Peer::Master,
        };
        let (limit, what) = match frame.action {
            MessageType::SdpOffer => (self.settings.sdp_offers_per_sec, "SendSdpOffer per connection"),
            MessageType::SdpAnswer => (self.settings.sdp_answers_per_sec, "SendSdpAnswer per connection"),
            _ => (self.settings.ice_candidates_per_sec, "SendIceCandidate per connection"),
        };
        let c = self.connections.get_mut(&conn).expect("the connection was found above");
        let bucket = match frame.action {
            MessageType::SdpOffer => &mut c.offers,
            MessageType::SdpAnswer => &mut c.answers,
            _ => &mut c.candidates,
        };
        if !bucket.try_take(1, now) {
            let error = VideoError::throttled(what, limit);
            return self.refuse(now, conn, &channel, sender, Some(frame.action), text, refusal(error));
        }
        self.record(LogEntry {
            seq: 0,
            at: now,
            channel: channel.clone(),
            from: Some(sender.clone()),
            to: Some(to.clone()),
            message_type: Some(frame.action),
            outcome: Outcome::Accepted,
            frame: Some(text.to_string()),
        });
        if let (Peer::Viewer(me), Some(named)) = (&sender, &frame.recipient_client_id) {
            let text = if named != me
                && self.connections.values().any(|c| c.channel == channel && c.peer == Peer::Viewer(named.clone()))
            {
                format!("recipientClientId '{named}' ignored: viewer → viewer is not allowed; viewers always send to the master")
            } else {
                format!("recipientClientId '{named}' ignored: viewers always send to the master")
            };
            self.note(
                now,
                &channel,
                Some(sender.clone()),
                Some(Peer::Master),
                Some(frame.action),
                Outcome::Note { text },
            );
        }
        let sender_id = match &sender {
            Peer::Viewer(id) => Some(id.as_str()),
            Peer::Master => None,
        };
        let out = ServiceFrame::relayed(frame.action, sender_id, &frame.message_payload).to_text();
        self.dispatch(now, InFlight { channel, from: sender, to, message_type: frame.action, text: out, sent_at: now });
    }

    #[allow(clippy::too_many_arguments)]
    fn refuse(
        &mut self,
        now: SimTime,
        conn: ConnId,
        channel: &str,
        sender: Peer,
        message_type: Option<MessageType>,
        text: &str,
        rejection: FrameRejection,
    ) {
        let FrameRejection { correlation_id, error } = rejection;
        self.record(LogEntry {
            seq: 0,
            at: now,
            channel: channel.to_string(),
            from: Some(sender.clone()),
            to: None,
            message_type,
            outcome: Outcome::Rejected {
                error_type: error.kind.aws_code().into(),
                reason: error.message.clone(),
                answered: correlation_id.is_some(),
            },
            frame: Some(text.to_string()),
        });
        if let Some(id) = correlation_id {
            let status = ServiceFrame::status(&id, &error).to_text();
            self.outputs.push_back(SocketOutput::Frame { conn, text: status.clone() });
            self.record(LogEntry {
                seq: 0,
                at: now,
                channel: channel.to_string(),
                from: None,
                to: Some(sender),
                message_type: Some(MessageType::StatusResponse),
                outcome: Outcome::Delivered,
                frame: Some(status),
            });
        }
    }

    /// Puts an accepted message on the wire, through the knobs.
    fn dispatch(&mut self, now: SimTime, message: InFlight) {
        let knobs = self.knobs;
        let path: PathKnobs = if message.to == Peer::Master { knobs.to_master } else { knobs.to_viewer };
        let dropped = match message.message_type {
            MessageType::SdpOffer => knobs.drop.sdp_offer,
            MessageType::SdpAnswer => knobs.drop.sdp_answer,
            _ if message.to == Peer::Master => knobs.drop.ice_to_master,
            _ => knobs.drop.ice_to_viewer,
        };
        let lost = if knobs.partition {
            Some("signaling partition: the channel is unreachable, so the message never arrives".to_string())
        } else if dropped {
            Some(format!("dropped by the {} drill", message.message_type.as_str()))
        } else if path.loss_percent > 0 && self.rng.chance(percent(path.loss_percent)) {
            Some(format!("lost in transit ({} % loss)", path.loss_percent))
        } else {
            None
        };
        if let Some(reason) = lost {
            let (channel, from, to, t) =
                (message.channel.clone(), message.from.clone(), message.to.clone(), message.message_type);
            return self.note(now, &channel, Some(from), Some(to), Some(t), Outcome::Lost { reason });
        }
        let duplicated = path.duplicate_percent > 0 && self.rng.chance(percent(path.duplicate_percent));
        let copies = if duplicated { 2 } else { 1 };
        for _ in 0..copies {
            let jitter = if path.jitter_ms > 0 { self.rng.range_inclusive(0, u64::from(path.jitter_ms)) } else { 0 };
            let mut arrive_at = now + SimDuration::from_millis(u64::from(path.latency_ms) + jitter);
            let key = (message.channel.clone(), message.from.clone(), message.to.clone());
            if !knobs.reorder {
                if let Some(last) = self.last_arrival.get(&key) {
                    arrive_at = arrive_at.max(*last);
                }
            }
            self.last_arrival.insert(key, arrive_at);
            if arrive_at <= now {
                // No delay: nothing earlier is still on the wire (handle_frame caught up first), so order holds.
                self.arrive(now, message.clone());
            } else {
                self.in_flight.insert((arrive_at, self.next_message), message.clone());
                self.next_message += 1;
            }
        }
    }

    /// A message reaches the service's side of its recipient: delivered if connected, else queued.
    pub(super) fn arrive(&mut self, at: SimTime, message: InFlight) {
        let Some(ttl) = self.channels.get(&message.channel).map(|c| SimDuration::from_secs(c.message_ttl_secs)) else {
            return; // the channel was deleted meanwhile; its log says so
        };
        let target =
            self.connections.values().find(|c| c.channel == message.channel && c.peer == message.to).map(|c| c.id);
        if let Some(conn) = target {
            return self.deliver(
                at,
                conn,
                &message.channel,
                message.from,
                message.to,
                message.message_type,
                message.text,
            );
        }
        let expires_at = message.sent_at + ttl;
        let entry = |outcome, frame| LogEntry {
            seq: 0,
            at,
            channel: message.channel.clone(),
            from: Some(message.from.clone()),
            to: Some(message.to.clone()),
            message_type: Some(message.message_type),
            outcome,
            frame,
        };
        if expires_at <= at {
            return self.record(entry(Outcome::Expired, Some(message.text.clone())));
        }
        let key = (message.channel.clone(), message.to.clone());
        let queue = self.pending.entry(key).or_default();
        let mut overwritten = Vec::new();
        if message.message_type == MessageType::SdpOffer {
            queue.retain(|p| {
                let older = p.message_type == MessageType::SdpOffer && p.from == message.from;
                if older {
                    overwritten.push(p.text.clone());
                }
                !older
            });
        }
        queue.push_back(Pending {
            from: message.from.clone(),
            message_type: message.message_type,
            text: message.text.clone(),
            expires_at,
        });
        for text in overwritten {
            self.record(entry(Outcome::Overwritten, Some(text)));
        }
        self.record(entry(Outcome::Queued { expires_at }, Some(message.text.clone())));
    }

    #[allow(clippy::too_many_arguments)]
    fn deliver(
        &mut self,
        at: SimTime,
        conn: ConnId,
        channel: &str,
        from: Peer,
        to: Peer,
        message_type: MessageType,
        text: String,
    ) {
        if let Some(c) = self.connections.get_mut(&conn) {
            c.last_activity = at;
        }
        self.outputs.push_back(SocketOutput::Frame { conn, text: text.clone() });
        self.record(LogEntry {
            seq: 0,
            at,
            channel: channel.to_string(),
            from: Some(from),
            to: Some(to),
            message_type: Some(message_type),
            outcome: Outcome::Delivered,
            frame: Some(text),
        });
    }

    /// A recipient connected: everything waiting for it and not expired is delivered, oldest first (F1).
    pub(super) fn flush_pending(&mut self, now: SimTime, channel: &str, peer: &Peer, conn: ConnId) {
        let Some(queue) = self.pending.remove(&(channel.to_string(), peer.clone())) else { return };
        for p in queue {
            if p.expires_at > now {
                self.deliver(now, conn, channel, p.from, peer.clone(), p.message_type, p.text);
            } else {
                self.note(now, channel, Some(p.from), Some(peer.clone()), Some(p.message_type), Outcome::Expired);
            }
        }
    }

    /// Drops what has waited past its TTL (F2).
    pub(super) fn expire(&mut self, at: SimTime) {
        let mut expired = Vec::new();
        for ((channel, to), queue) in self.pending.iter_mut() {
            queue.retain(|p| {
                let gone = p.expires_at <= at;
                if gone {
                    expired.push(LogEntry {
                        seq: 0,
                        at: p.expires_at,
                        channel: channel.clone(),
                        from: Some(p.from.clone()),
                        to: Some(to.clone()),
                        message_type: Some(p.message_type),
                        outcome: Outcome::Expired,
                        frame: Some(p.text.clone()),
                    });
                }
                !gone
            });
        }
        self.pending.retain(|_, q| !q.is_empty());
        expired.into_iter().for_each(|e| self.record(e));
    }
}

fn percent(p: u8) -> Ratio {
    Ratio::new(u64::from(p), 100).expect("set_knobs keeps percentages within 0–100")
}
