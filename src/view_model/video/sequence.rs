//! The message sequence diagram: one row per line of the signaling log, between lanes (each viewer,
//! the signaling channel, the master), with the frame's decoded payload for the inspector.

use crate::engine::video::frame::decode_payload;
use crate::engine::video::log::{LogEntry, Outcome, Peer};

/// A column of the diagram.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Lane {
    /// A viewer, by client id.
    Viewer(String),
    /// The simulated signaling channel.
    Channel,
    /// The master.
    Master,
}

impl Lane {
    fn of(peer: &Peer) -> Lane {
        match peer {
            Peer::Master => Lane::Master,
            Peer::Viewer(id) => Lane::Viewer(id.clone()),
        }
    }

    /// The lane's heading.
    pub fn title(&self) -> String {
        match self {
            Lane::Viewer(id) => format!("viewer {id}"),
            Lane::Channel => "signaling channel (simulated)".into(),
            Lane::Master => "master".into(),
        }
    }
}

/// How a row reads, which sets its colour.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Tone {
    /// Sent or delivered.
    Ok,
    /// Waiting in the channel.
    Waiting,
    /// Refused, lost, expired or overwritten.
    Failed,
    /// Connections opening and closing, notes.
    Info,
}

impl Tone {
    /// The CSS class.
    pub fn class(self) -> &'static str {
        match self {
            Tone::Ok => "ok",
            Tone::Waiting => "waiting",
            Tone::Failed => "failed",
            Tone::Info => "info",
        }
    }
}

/// One arrow (or a note on one lane when `from == to`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Row {
    pub seq: u64,
    /// Seconds since the channel's clock started, `12.345 s`.
    pub at: String,
    pub from: Lane,
    pub to: Lane,
    /// The message type or event.
    pub label: String,
    /// What happened to it.
    pub outcome: String,
    pub tone: Tone,
    /// The exact frame text, if any.
    pub frame: Option<String>,
}

/// The rows of `entries`.
pub fn rows(entries: &[LogEntry]) -> Vec<Row> {
    entries.iter().map(row).collect()
}

fn row(e: &LogEntry) -> Row {
    let kind = e.message_type.map(|t| t.as_str().to_string());
    let from_peer = e.from.as_ref().map(Lane::of);
    let to_peer = e.to.as_ref().map(Lane::of);
    let (from, to, label, outcome, tone) = match &e.outcome {
        Outcome::Connected => {
            let lane = from_peer.clone().unwrap_or(Lane::Channel);
            let action = if lane == Lane::Master { "ConnectAsMaster" } else { "ConnectAsViewer" };
            (lane, Lane::Channel, action.to_string(), "connected".to_string(), Tone::Info)
        }
        Outcome::ConnectRefused { error_type, message } => {
            let lane = from_peer.clone().unwrap_or(Lane::Channel);
            (lane, Lane::Channel, "Connect".into(), format!("refused: {error_type}: {message}"), Tone::Failed)
        }
        Outcome::Closed { reason } => {
            let lane = from_peer.clone().unwrap_or(Lane::Channel);
            (Lane::Channel, lane, "socket closed".into(), reason.clone(), Tone::Info)
        }
        Outcome::Accepted => (
            from_peer.clone().unwrap_or(Lane::Channel),
            Lane::Channel,
            kind.clone().unwrap_or_default(),
            format!("accepted, for {}", e.to.as_ref().map_or("?", Peer::label)),
            Tone::Ok,
        ),
        Outcome::Note { text } => {
            (Lane::Channel, Lane::Channel, kind.clone().unwrap_or_default(), text.clone(), Tone::Info)
        }
        Outcome::Rejected { error_type, reason, answered } => (
            from_peer.clone().unwrap_or(Lane::Channel),
            Lane::Channel,
            kind.clone().unwrap_or_else(|| "frame".into()),
            format!(
                "refused: {error_type}: {reason}{}",
                if *answered { " (STATUS_RESPONSE sent)" } else { " (no correlationId: nothing sent back)" }
            ),
            Tone::Failed,
        ),
        Outcome::Lost { reason } => (
            Lane::Channel,
            to_peer.clone().unwrap_or(Lane::Channel),
            kind.clone().unwrap_or_default(),
            reason.clone(),
            Tone::Failed,
        ),
        Outcome::Delivered => (
            Lane::Channel,
            to_peer.clone().unwrap_or(Lane::Channel),
            kind.clone().unwrap_or_default(),
            "delivered".into(),
            Tone::Ok,
        ),
        Outcome::Queued { expires_at } => (
            Lane::Channel,
            Lane::Channel,
            kind.clone().unwrap_or_default(),
            format!(
                "queued for {} (not connected) until {}",
                e.to.as_ref().map_or("?", Peer::label),
                seconds(expires_at.as_micros())
            ),
            Tone::Waiting,
        ),
        Outcome::Overwritten => (
            Lane::Channel,
            Lane::Channel,
            kind.clone().unwrap_or_default(),
            "overwritten by a newer offer from the same viewer".into(),
            Tone::Failed,
        ),
        Outcome::Expired => (
            Lane::Channel,
            Lane::Channel,
            kind.clone().unwrap_or_default(),
            format!("expired undelivered (message TTL) for {}", e.to.as_ref().map_or("?", Peer::label)),
            Tone::Failed,
        ),
    };
    Row { seq: e.seq, at: seconds(e.at.as_micros()), from, to, label, outcome, tone, frame: e.frame.clone() }
}

fn seconds(micros: u64) -> String {
    format!("{}.{:03} s", micros / 1_000_000, micros / 1_000 % 1_000)
}

/// The lanes of a diagram: viewers in order of appearance, the channel, the master.
pub fn lanes(rows: &[Row]) -> Vec<Lane> {
    let mut viewers: Vec<Lane> = Vec::new();
    for lane in rows.iter().flat_map(|r| [&r.from, &r.to]) {
        if matches!(lane, Lane::Viewer(_)) && !viewers.contains(lane) {
            viewers.push(lane.clone());
        }
    }
    viewers.push(Lane::Channel);
    viewers.push(Lane::Master);
    viewers
}

/// The frame as a reader wants it: the JSON frame, then its payload decoded (an SDP's lines, a
/// candidate's line), or why the payload cannot be read.
pub fn decoded(frame: &str) -> String {
    let Ok(value) = serde_json::from_str::<serde_json::Value>(frame) else {
        return format!("frame (not JSON):\n{frame}");
    };
    let mut out = serde_json::to_string_pretty(&value).unwrap_or_else(|_| frame.to_string());
    if let Some(payload) = value.get("messagePayload").and_then(|p| p.as_str()) {
        out.push_str("\n\nmessagePayload, decoded:\n");
        match decode_payload(payload) {
            Ok(json) => {
                if let Some(sdp) = json.get("sdp").and_then(|s| s.as_str()) {
                    out.push_str(&format!(
                        "type: {}\n{}",
                        json.get("type").and_then(|t| t.as_str()).unwrap_or("?"),
                        sdp.replace("\r\n", "\n")
                    ));
                } else {
                    out.push_str(&serde_json::to_string_pretty(&json).unwrap_or_default());
                }
            }
            Err(why) => out.push_str(&format!("payload undecodable: {why}")),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::rng::Seed;
    use crate::engine::time::SimTime;
    use crate::engine::video::control::CreateSignalingChannelInput;
    use crate::engine::video::frame::encode_payload;
    use crate::engine::video::settings::VideoSettings;
    use crate::engine::video::{ConnectRequest, Role, SignalingService, VideoRequest};

    #[test]
    fn a_session_reads_as_arrows_between_lanes() {
        let mut s =
            SignalingService::new(VideoSettings { channel_activation_ms: 0, ..VideoSettings::default() }, Seed(1));
        let create = CreateSignalingChannelInput { channel_name: "c".into(), ..Default::default() };
        let arn = s.handle_request(SimTime::ZERO, VideoRequest::CreateSignalingChannel(create)).unwrap()["ChannelARN"]
            .as_str()
            .unwrap()
            .to_string();
        let connect = |role, id: Option<&str>| ConnectRequest {
            role,
            channel_arn: arn.clone(),
            client_id: id.map(str::to_string),
            signed_at: None,
        };
        let viewer = s.connect(SimTime::ZERO, connect(Role::Viewer, Some("v1"))).unwrap();
        let offer = format!(
            r#"{{"action":"SDP_OFFER","messagePayload":"{}"}}"#,
            encode_payload(r#"{"type":"offer","sdp":"v=0\r\no=- 1 2 IN IP4 127.0.0.1\r\n"}"#)
        );
        s.handle_frame(SimTime::from_millis(5), viewer, &offer);
        s.connect(SimTime::from_millis(9), connect(Role::Master, None)).unwrap();
        let rows = rows(s.log().entries());
        let labels: Vec<(&str, &str)> = rows.iter().map(|r| (r.label.as_str(), r.outcome.as_str())).collect();
        assert_eq!(labels[0], ("ConnectAsViewer", "connected"));
        assert_eq!(rows[1].from, Lane::Viewer("v1".into()));
        assert_eq!(rows[1].to, Lane::Channel);
        assert_eq!(rows[2].tone, Tone::Waiting, "queued: the master is not there");
        assert_eq!(rows.last().unwrap().to, Lane::Master);
        assert_eq!(rows.last().unwrap().outcome, "delivered");
        assert_eq!(lanes(&rows), vec![Lane::Viewer("v1".into()), Lane::Channel, Lane::Master]);
        let text = decoded(rows.last().unwrap().frame.as_ref().unwrap());
        assert!(text.contains("type: offer\nv=0\no=- 1 2 IN IP4 127.0.0.1"), "{text}");
        assert!(decoded(r#"{"messagePayload":"%%"}"#).contains("payload undecodable"));
    }
}
