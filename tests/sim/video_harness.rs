//! Helpers for the signaling tests: a service on a virtual clock, a channel, sockets and their inboxes.

use kinesis_lab::engine::rng::Seed;
use kinesis_lab::engine::time::SimTime;
use kinesis_lab::engine::video::control::{CreateSignalingChannelInput, SingleMasterConfiguration};
use kinesis_lab::engine::video::frame::encode_payload;
use kinesis_lab::engine::video::settings::VideoSettings;
use kinesis_lab::engine::video::{ConnId, ConnectRequest, Role, SignalingService, SocketOutput, VideoRequest};
use serde_json::Value;
use std::collections::BTreeMap;

/// A service, one channel and what each socket received.
pub struct Lab {
    pub service: SignalingService,
    pub arn: String,
    pub now: SimTime,
    pub inbox: BTreeMap<ConnId, Vec<Value>>,
    pub closed: BTreeMap<ConnId, String>,
}

impl Lab {
    /// A channel "demo" with the given TTL, ACTIVE (time advanced past activation).
    pub fn new(ttl: u64) -> Lab {
        Lab::with_settings(ttl, VideoSettings::default())
    }

    pub fn with_settings(ttl: u64, settings: VideoSettings) -> Lab {
        let mut service = SignalingService::new(settings, Seed(7));
        let created = service
            .handle_request(
                SimTime::ZERO,
                VideoRequest::CreateSignalingChannel(CreateSignalingChannelInput {
                    channel_name: "demo".into(),
                    single_master_configuration: Some(SingleMasterConfiguration { message_ttl_seconds: Some(ttl) }),
                    ..Default::default()
                }),
            )
            .expect("the channel is created");
        let arn = created["ChannelARN"].as_str().expect("an ARN").to_string();
        let mut lab = Lab { service, arn, now: SimTime::ZERO, inbox: BTreeMap::new(), closed: BTreeMap::new() };
        lab.advance_to(SimTime::from_secs(2));
        lab
    }

    /// Runs the service to `t`, collecting socket outputs.
    pub fn advance_to(&mut self, t: SimTime) {
        self.now = t;
        self.service.handle_timeout(t);
        self.drain();
    }

    pub fn advance_ms(&mut self, ms: u64) {
        self.advance_to(SimTime::from_micros(self.now.as_micros() + ms * 1_000));
    }

    pub fn drain(&mut self) {
        while let Some(output) = self.service.poll_output() {
            match output {
                SocketOutput::Frame { conn, text } => {
                    let value = serde_json::from_str(&text).expect("the service writes JSON");
                    self.inbox.entry(conn).or_default().push(value);
                }
                SocketOutput::Closed { conn, reason } => {
                    self.closed.insert(conn, reason);
                }
            }
        }
    }

    pub fn connect(&mut self, role: Role, client_id: Option<&str>) -> Result<ConnId, String> {
        let request = ConnectRequest {
            role,
            channel_arn: self.arn.clone(),
            client_id: client_id.map(str::to_string),
            signed_at: None,
        };
        let result = self.service.connect(self.now, request).map_err(|e| e.kind.aws_code().to_string());
        self.drain();
        result
    }

    pub fn master(&mut self) -> ConnId {
        self.connect(Role::Master, None).expect("the master connects")
    }

    pub fn viewer(&mut self, id: &str) -> ConnId {
        self.connect(Role::Viewer, Some(id)).expect("the viewer connects")
    }

    pub fn send(&mut self, conn: ConnId, text: &str) {
        self.service.handle_frame(self.now, conn, text);
        self.drain();
    }

    /// What `conn` received so far, and forgets it.
    pub fn take(&mut self, conn: ConnId) -> Vec<Value> {
        self.inbox.remove(&conn).unwrap_or_default()
    }
}

/// A client frame: `action`, a payload JSON text, optional recipient and correlationId.
pub fn frame(action: &str, payload_json: &str, recipient: Option<&str>, correlation: Option<&str>) -> String {
    let mut value = serde_json::json!({"action": action, "messagePayload": encode_payload(payload_json)});
    if let Some(r) = recipient {
        value["recipientClientId"] = r.into();
    }
    if let Some(c) = correlation {
        value["correlationId"] = c.into();
    }
    value.to_string()
}

pub const OFFER: &str = r#"{"type":"offer","sdp":"v=0\r\n"}"#;
pub const ANSWER: &str = r#"{"type":"answer","sdp":"v=0\r\n"}"#;
pub const CANDIDATE: &str =
    r#"{"candidate":"candidate:1 1 udp 2122260223 192.168.1.10 50000 typ host","sdpMid":"0","sdpMLineIndex":0}"#;
