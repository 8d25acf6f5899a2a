//! Endpoints and TURN: GetSignalingChannelEndpoint and GetIceServerConfig (spec video.md §3.1, rows 53–54).
//!
//! The endpoints and TURN servers are simulated: hosts start with `sim-` / `t-sim`, and nothing
//! connects to them. What is real is their shape, the credential lifetime (Ttl 300 s) and RECONNECT_ICE_SERVER
//! revoking them, which the NAT model reads ([`SignalingService::turn_credentials_valid`]).

use super::control::{GetIceServerConfigInput, GetSignalingChannelEndpointInput};
use super::error::{VideoError, VideoResult};
use super::SignalingService;
use crate::engine::time::{SimDuration, SimTime};
use base64::engine::general_purpose::STANDARD;
use base64::Engine as _;
use md5::{Digest, Md5};
use serde_json::{json, Value};

/// TURN credentials the service handed out.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct IssuedCredentials {
    pub(super) channel: String,
    pub(super) username: String,
    pub(super) expires_at: SimTime,
    pub(super) revoked: bool,
}

/// The KVS STUN server of a region (row 54).
pub fn stun_url(region: &str) -> String {
    format!("stun:stun.kinesisvideo.{region}.amazonaws.com:443")
}

impl SignalingService {
    fn endpoint_host(&self) -> String {
        let digest = Md5::digest(format!("{}/{}", self.settings.account_id, self.settings.region).as_bytes());
        let hex: String = digest.iter().take(4).map(|b| format!("{b:02x}")).collect();
        format!("sim-{hex}.kinesisvideo.{}.amazonaws.com", self.settings.region)
    }

    pub(super) fn endpoints(&self, input: GetSignalingChannelEndpointInput) -> VideoResult<Value> {
        let channel = self.channel_by_arn(&input.channel_arn)?;
        if !channel.is_active() {
            return Err(VideoError::channel_not_active(&channel.arn, channel.status.as_str()));
        }
        let config = input.single_master_channel_endpoint_configuration.unwrap_or_default();
        match config.role.as_deref() {
            None | Some("MASTER") | Some("VIEWER") => {}
            Some(other) => return Err(VideoError::invalid_argument(format!("Role '{other}' is not MASTER or VIEWER"))),
        }
        let protocols = config.protocols.unwrap_or_else(|| vec!["WSS".into(), "HTTPS".into()]);
        if protocols.is_empty() || protocols.len() > 5 {
            return Err(VideoError::invalid_argument("Protocols must list 1 to 5 of WSS, HTTPS, WEBRTC"));
        }
        let host = self.endpoint_host();
        let mut list = Vec::new();
        for protocol in &protocols {
            let endpoint = match protocol.as_str() {
                "WSS" => format!("wss://{host}"),
                "HTTPS" => format!("https://{host}"),
                "WEBRTC" => {
                    return Err(VideoError::invalid_argument(
                        "The WEBRTC protocol is only for channels configured for media ingestion (this channel is not)",
                    ))
                }
                other => {
                    return Err(VideoError::invalid_argument(format!("Protocol '{other}' is not WSS, HTTPS or WEBRTC")))
                }
            };
            if !list.iter().any(|e: &Value| e["Protocol"] == json!(protocol)) {
                list.push(json!({"Protocol": protocol, "ResourceEndpoint": endpoint}));
            }
        }
        Ok(json!({"ResourceEndpointList": list}))
    }

    pub(super) fn ice_server_config(&mut self, now: SimTime, input: GetIceServerConfigInput) -> VideoResult<Value> {
        let channel = self.channel_by_arn(&input.channel_arn)?;
        if !channel.is_active() {
            return Err(VideoError::channel_not_active(&channel.arn, channel.status.as_str()));
        }
        let (name, arn) = (channel.name.clone(), channel.arn.clone());
        if let Some(service) = input.service.as_deref().filter(|s| *s != "TURN") {
            return Err(VideoError::invalid_argument(format!("Service '{service}' is not TURN")));
        }
        if let Some(id) = &input.client_id {
            super::connection::check_client_id(id)?;
        }
        let ttl = self.settings.turn_credential_ttl_secs;
        let expires_at = now + SimDuration::from_secs(ttl);
        let expiry_epoch = (self.settings.epoch_ms + expires_at.as_millis()) / 1_000;
        let mut servers = Vec::new();
        for _ in 0..2 {
            let ip = format!("18-{}-{}-{}", 200 + self.rng.below(50), self.rng.below(256), self.rng.below(256));
            let host = format!(
                "{ip}.t-sim{:04x}.kinesisvideo.{}.amazonaws.com:443",
                self.rng.below(0x1_0000),
                self.settings.region
            );
            let username = format!("{expiry_epoch}:{}", STANDARD.encode(format!("v1:{arn}")));
            let password_bytes: Vec<u8> = (0..24).map(|_| self.rng.below(256) as u8).collect();
            self.credentials.push(IssuedCredentials {
                channel: name.clone(),
                username: username.clone(),
                expires_at,
                revoked: false,
            });
            servers.push(json!({
                "Uris": [
                    format!("turn:{host}?transport=udp"),
                    format!("turns:{host}?transport=udp"),
                    format!("turns:{host}?transport=tcp"),
                ],
                "Username": username,
                "Password": STANDARD.encode(password_bytes),
                "Ttl": ttl,
            }));
        }
        Ok(json!({"IceServerList": servers}))
    }

    /// True while TURN credentials with this username are neither expired nor revoked by RECONNECT_ICE_SERVER.
    pub fn turn_credentials_valid(&self, now: SimTime, username: &str) -> bool {
        self.credentials.iter().any(|c| c.username == username && !c.revoked && now < c.expires_at)
    }
}
