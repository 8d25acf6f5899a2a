//! The channel card: the signaling channel's state as the service holds it now — its sockets with their
//! idle and lifetime clocks, and every message waiting for a peer with the TTL it has left (spec §3.6, §6.2).

use crate::engine::time::SimTime;
use crate::engine::video::SignalingService;

/// One open socket.
#[derive(Clone, Debug, PartialEq)]
pub struct SocketRow {
    /// "MASTER" or the viewer's id.
    pub peer: String,
    /// Seconds open.
    pub open_secs: f64,
    /// Share of the idle timeout used, 0–1.
    pub idle_used: f64,
    /// Seconds until the forced close after a GO_AWAY.
    pub go_away_in_secs: Option<f64>,
}

/// One message held for a peer that is not connected.
#[derive(Clone, Debug, PartialEq)]
pub struct PendingRow {
    pub to: String,
    pub message_type: &'static str,
    pub from: String,
    /// Seconds of TTL left.
    pub left_secs: f64,
    /// Share of the TTL left, 0–1 (the bar's length).
    pub left: f64,
}

/// The card.
#[derive(Clone, Debug, PartialEq)]
pub struct ChannelCard {
    pub name: String,
    pub arn: String,
    pub status: &'static str,
    pub ttl_secs: u64,
    pub viewers: usize,
    pub viewers_max: usize,
    pub sockets: Vec<SocketRow>,
    pub pending: Vec<PendingRow>,
}

/// The card of channel `name` at `now`, if it exists.
pub fn card(service: &SignalingService, name: &str, now: SimTime) -> Option<ChannelCard> {
    let channel = service.channels().find(|c| c.name == name)?;
    let idle = service.settings().idle_timeout().as_secs_f64();
    let sockets: Vec<SocketRow> = service
        .connections()
        .filter(|c| c.channel == name)
        .map(|c| SocketRow {
            peer: c.peer.label().to_string(),
            open_secs: now.saturating_since(c.connected_at).as_secs_f64(),
            idle_used: (now.saturating_since(c.last_activity).as_secs_f64() / idle).min(1.0),
            go_away_in_secs: c.go_away_deadline.map(|d| d.saturating_since(now).as_secs_f64()),
        })
        .collect();
    let ttl = channel.message_ttl_secs as f64;
    let pending = service
        .pending_in(name)
        .into_iter()
        .map(|(to, message_type, from, expires_at)| {
            let left_secs = expires_at.saturating_since(now).as_secs_f64();
            PendingRow {
                to: to.label().to_string(),
                message_type: message_type.as_str(),
                from: from.label().to_string(),
                left_secs,
                left: (left_secs / ttl).clamp(0.0, 1.0),
            }
        })
        .collect();
    Some(ChannelCard {
        name: channel.name.clone(),
        arn: channel.arn.clone(),
        status: channel.status.as_str(),
        ttl_secs: channel.message_ttl_secs,
        viewers: sockets.iter().filter(|s| s.peer != "MASTER").count(),
        viewers_max: service.settings().viewers_max,
        sockets,
        pending,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::rng::Seed;
    use crate::engine::time::SimDuration;
    use crate::engine::video::control::{ChannelRef, CreateSignalingChannelInput};
    use crate::engine::video::settings::VideoSettings;
    use crate::engine::video::{ConnectRequest, Role, VideoRequest};

    #[test]
    fn a_queued_offer_shows_its_ttl_draining_then_leaves_the_card() {
        let mut service = SignalingService::new(VideoSettings::default(), Seed(1));
        let t0 = SimTime::ZERO;
        let create = CreateSignalingChannelInput { channel_name: "demo".into(), ..Default::default() };
        service.handle_request(t0, VideoRequest::CreateSignalingChannel(create)).unwrap();
        let t1 = t0 + SimDuration::from_secs(2);
        let describe = ChannelRef { channel_name: Some("demo".into()), channel_arn: None };
        let info = service.handle_request(t1, VideoRequest::DescribeSignalingChannel(describe)).unwrap();
        let arn = info["ChannelInfo"]["ChannelARN"].as_str().unwrap().to_string();
        let request =
            ConnectRequest { role: Role::Viewer, channel_arn: arn, client_id: Some("v1".into()), signed_at: None };
        let conn = service.connect(t1, request).unwrap();
        let offer = r#"{"action":"SDP_OFFER","messagePayload":"e30="}"#;
        service.handle_frame(t1, conn, offer);

        let at = |secs| t1 + SimDuration::from_secs(secs);
        let c = card(&service, "demo", at(15)).unwrap();
        assert_eq!((c.status, c.ttl_secs, c.viewers, c.viewers_max), ("ACTIVE", 60, 1, 10));
        assert_eq!(c.sockets.len(), 1);
        assert_eq!(c.sockets[0].peer, "v1");
        assert_eq!(c.pending.len(), 1);
        let p = &c.pending[0];
        assert_eq!((p.to.as_str(), p.message_type, p.from.as_str()), ("MASTER", "SDP_OFFER", "v1"));
        assert!((p.left_secs - 45.0).abs() < 1e-9 && (p.left - 0.75).abs() < 1e-9, "{p:?}");

        service.handle_timeout(at(61));
        assert!(card(&service, "demo", at(61)).unwrap().pending.is_empty());
        assert!(card(&service, "other", at(61)).is_none());
    }
}
