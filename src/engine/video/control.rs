//! The control plane (spec video.md §3.1): CreateSignalingChannel, DescribeSignalingChannel,
//! ListSignalingChannels, UpdateSignalingChannel, DeleteSignalingChannel, GetSignalingChannelEndpoint,
//! GetIceServerConfig. Requests use AWS's member names; responses are AWS's JSON bodies.

use super::channel::{self, Channel, ChannelStatus, Tag, TTL_DEFAULT_SECS, TTL_MAX_SECS, TTL_MIN_SECS};
use super::error::{VideoError, VideoResult};
use super::listing;
use super::log::{Outcome, Peer};
use super::SignalingService;
use crate::engine::time::{SimDuration, SimTime};
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};

/// `{"MessageTtlSeconds": 5..120}`.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct SingleMasterConfiguration {
    /// How long undelivered messages wait.
    pub message_ttl_seconds: Option<u64>,
}

/// CreateSignalingChannel's body.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct CreateSignalingChannelInput {
    pub channel_name: String,
    pub channel_type: Option<String>,
    pub single_master_configuration: Option<SingleMasterConfiguration>,
    pub tags: Option<Vec<Tag>>,
}

/// A channel by name or ARN (DescribeSignalingChannel).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct ChannelRef {
    pub channel_name: Option<String>,
    #[serde(rename = "ChannelARN")]
    pub channel_arn: Option<String>,
}

/// `{"ComparisonOperator": "BEGINS_WITH", "ComparisonValue"}`.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct ChannelNameCondition {
    pub comparison_operator: Option<String>,
    pub comparison_value: Option<String>,
}

/// ListSignalingChannels' body.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct ListSignalingChannelsInput {
    pub max_results: Option<u64>,
    pub next_token: Option<String>,
    pub channel_name_condition: Option<ChannelNameCondition>,
}

/// UpdateSignalingChannel's body.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct UpdateSignalingChannelInput {
    #[serde(rename = "ChannelARN")]
    pub channel_arn: String,
    pub current_version: String,
    pub single_master_configuration: Option<SingleMasterConfiguration>,
}

/// DeleteSignalingChannel's body.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct DeleteSignalingChannelInput {
    #[serde(rename = "ChannelARN")]
    pub channel_arn: String,
    pub current_version: Option<String>,
}

/// `{"Protocols": [...], "Role": "MASTER"|"VIEWER"}`.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct EndpointConfiguration {
    pub protocols: Option<Vec<String>>,
    pub role: Option<String>,
}

/// GetSignalingChannelEndpoint's body.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct GetSignalingChannelEndpointInput {
    #[serde(rename = "ChannelARN")]
    pub channel_arn: String,
    pub single_master_channel_endpoint_configuration: Option<EndpointConfiguration>,
}

/// GetIceServerConfig's body.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct GetIceServerConfigInput {
    #[serde(rename = "ChannelARN")]
    pub channel_arn: String,
    pub client_id: Option<String>,
    pub service: Option<String>,
    pub username: Option<String>,
}

/// A control-plane request.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum VideoRequest {
    CreateSignalingChannel(CreateSignalingChannelInput),
    DescribeSignalingChannel(ChannelRef),
    ListSignalingChannels(ListSignalingChannelsInput),
    UpdateSignalingChannel(UpdateSignalingChannelInput),
    DeleteSignalingChannel(DeleteSignalingChannelInput),
    GetSignalingChannelEndpoint(GetSignalingChannelEndpointInput),
    GetIceServerConfig(GetIceServerConfigInput),
}

impl VideoRequest {
    /// The action's name.
    pub fn action(&self) -> &'static str {
        match self {
            VideoRequest::CreateSignalingChannel(_) => "CreateSignalingChannel",
            VideoRequest::DescribeSignalingChannel(_) => "DescribeSignalingChannel",
            VideoRequest::ListSignalingChannels(_) => "ListSignalingChannels",
            VideoRequest::UpdateSignalingChannel(_) => "UpdateSignalingChannel",
            VideoRequest::DeleteSignalingChannel(_) => "DeleteSignalingChannel",
            VideoRequest::GetSignalingChannelEndpoint(_) => "GetSignalingChannelEndpoint",
            VideoRequest::GetIceServerConfig(_) => "GetIceServerConfig",
        }
    }

    /// (per-account TPS, per-channel TPS) of row 52; `None` where the quotas page names no limit.
    fn rate_limits(&self) -> (Option<u64>, Option<u64>) {
        match self {
            VideoRequest::CreateSignalingChannel(_) => (Some(50), None),
            VideoRequest::DescribeSignalingChannel(_) => (Some(300), Some(5)),
            VideoRequest::GetSignalingChannelEndpoint(_) => (Some(300), None),
            VideoRequest::UpdateSignalingChannel(_) | VideoRequest::DeleteSignalingChannel(_) => (Some(50), Some(5)),
            VideoRequest::ListSignalingChannels(_) | VideoRequest::GetIceServerConfig(_) => (None, None),
        }
    }

    fn channel_key(&self) -> Option<String> {
        match self {
            VideoRequest::DescribeSignalingChannel(r) => r.channel_arn.clone().or_else(|| r.channel_name.clone()),
            VideoRequest::UpdateSignalingChannel(r) => Some(r.channel_arn.clone()),
            VideoRequest::DeleteSignalingChannel(r) => Some(r.channel_arn.clone()),
            _ => None,
        }
    }
}

impl SignalingService {
    /// Answers a control-plane request. A refused request changes nothing.
    pub fn handle_request(&mut self, now: SimTime, request: VideoRequest) -> VideoResult<Value> {
        self.handle_timeout(now);
        self.take_control_rate(now, &request)?;
        match request {
            VideoRequest::CreateSignalingChannel(input) => self.create_channel(now, input),
            VideoRequest::DescribeSignalingChannel(input) => {
                let channel = match (&input.channel_arn, &input.channel_name) {
                    (Some(arn), _) => self.channel_by_arn(arn)?,
                    (None, Some(name)) => self.channels.get(name).ok_or_else(|| VideoError::channel_not_found(name))?,
                    (None, None) => {
                        return Err(VideoError::invalid_argument("Either ChannelName or ChannelARN must be specified"))
                    }
                };
                Ok(json!({"ChannelInfo": channel.info(&self.settings)}))
            }
            VideoRequest::ListSignalingChannels(input) => self.list_channels(input),
            VideoRequest::UpdateSignalingChannel(input) => {
                let ttl = ttl_of(input.single_master_configuration.as_ref())?;
                let version = super::version::new_version(&mut self.rng);
                let channel = self.channel_for_change(&input.channel_arn, Some(&input.current_version))?;
                channel.message_ttl_secs = ttl;
                channel.version = version;
                Ok(json!({}))
            }
            VideoRequest::DeleteSignalingChannel(input) => {
                let name = self.channel_for_change(&input.channel_arn, input.current_version.as_deref())?.name.clone();
                self.delete_channel(now, &name);
                Ok(json!({}))
            }
            VideoRequest::GetSignalingChannelEndpoint(input) => self.endpoints(input),
            VideoRequest::GetIceServerConfig(input) => self.ice_server_config(now, input),
        }
    }

    fn take_control_rate(&mut self, now: SimTime, request: &VideoRequest) -> VideoResult<()> {
        if !self.settings.control_plane_rate_limits {
            return Ok(());
        }
        let (account, channel) = request.rate_limits();
        let per_channel = channel.zip(request.channel_key()).map(|(rate, key)| (rate, "per channel", key));
        self.control_rates.take(now, request.action(), account, per_channel)
    }

    fn create_channel(&mut self, now: SimTime, input: CreateSignalingChannelInput) -> VideoResult<Value> {
        let name = input.channel_name;
        if name.is_empty() || name.len() > 256 || !channel::is_name(&name) {
            return Err(VideoError::invalid_argument(format!(
                "ChannelName '{name}' must be 1–256 characters of letters, digits, '_', '.' and '-'"
            )));
        }
        match input.channel_type.as_deref() {
            None | Some("SINGLE_MASTER") => {}
            Some("FULL_MESH") => {
                return Err(VideoError::invalid_argument("ChannelType FULL_MESH is not supported; use SINGLE_MASTER"))
            }
            Some(other) => {
                return Err(VideoError::invalid_argument(format!("ChannelType '{other}' is not SINGLE_MASTER")))
            }
        }
        let ttl = ttl_of(input.single_master_configuration.as_ref())?;
        let tags = input.tags.unwrap_or_default();
        if tags.len() > self.settings.tags_max {
            return Err(VideoError::too_many_tags(self.settings.tags_max));
        }
        if let Some(tag) =
            tags.iter().find(|t| t.key.is_empty() || t.key.chars().count() > 128 || t.value.chars().count() > 256)
        {
            return Err(VideoError::invalid_argument(format!(
                "Tag '{}' must have a key of 1–128 characters and a value of at most 256",
                tag.key
            )));
        }
        if self.channels.contains_key(&name) {
            return Err(VideoError::channel_exists(&name));
        }
        if self.channels.len() >= self.settings.channel_quota() {
            return Err(VideoError::channel_quota(self.settings.channel_quota()));
        }
        let arn = Channel::arn_for(&self.settings, &name, now);
        let version = super::version::new_version(&mut self.rng);
        let active_at = now + SimDuration::from_millis(self.settings.channel_activation_ms);
        let status = if active_at <= now { ChannelStatus::Active } else { ChannelStatus::Creating };
        let channel = Channel {
            name: name.clone(),
            arn: arn.clone(),
            status,
            message_ttl_secs: ttl,
            version,
            tags,
            created_at: now,
            active_at,
        };
        self.channels.insert(name, channel);
        Ok(json!({"ChannelARN": arn}))
    }

    fn list_channels(&self, input: ListSignalingChannelsInput) -> VideoResult<Value> {
        listing::list_body(
            self.channels.values(),
            |c: &Channel| c.name.as_str(),
            |c| c.info(&self.settings),
            "ChannelInfoList",
            (input.channel_name_condition.as_ref(), input.next_token.as_deref(), input.max_results),
        )
    }

    fn channel_for_change(&mut self, arn: &str, version: Option<&str>) -> VideoResult<&mut Channel> {
        let name = self.channel_by_arn(arn)?.name.clone();
        let channel = self.channels.get_mut(&name).expect("found by ARN above");
        if !channel.is_active() {
            return Err(VideoError::channel_busy(&channel.name, channel.status.as_str()));
        }
        if let Some(v) = version {
            if v != channel.version {
                return Err(VideoError::version_mismatch(v));
            }
        }
        Ok(channel)
    }

    /// Deleting closes every socket and drops every message of the channel (F28).
    fn delete_channel(&mut self, now: SimTime, name: &str) {
        let sockets: Vec<_> = self.connections.values().filter(|c| c.channel == name).map(|c| c.id).collect();
        for conn in sockets {
            self.close(now, conn, "the signaling channel was deleted".into());
        }
        self.pending.retain(|(channel, _), _| channel != name);
        self.in_flight.retain(|_, m| m.channel != name);
        self.credentials.retain(|c| c.channel != name);
        self.channels.remove(name);
        self.connect_buckets.remove(name);
        self.note(
            now,
            name,
            None,
            None,
            None,
            Outcome::Closed { reason: "DeleteSignalingChannel: the channel is gone".into() },
        );
    }

    /// The ARN of a channel by name, when it exists.
    pub fn channel_arn(&self, name: &str) -> Option<&str> {
        self.channels.get(name).map(|c| c.arn.as_str())
    }

    /// The open connection of `peer` in the channel `name`.
    pub fn connection_of(&self, name: &str, peer: &Peer) -> Option<super::ConnId> {
        self.connections.values().find(|c| c.channel == name && &c.peer == peer).map(|c| c.id)
    }
}

fn ttl_of(config: Option<&SingleMasterConfiguration>) -> VideoResult<u64> {
    let ttl = config.and_then(|c| c.message_ttl_seconds).unwrap_or(TTL_DEFAULT_SECS);
    if !(TTL_MIN_SECS..=TTL_MAX_SECS).contains(&ttl) {
        return Err(VideoError::invalid_argument(format!(
            "MessageTtlSeconds {ttl} must be between {TTL_MIN_SECS} and {TTL_MAX_SECS}"
        )));
    }
    Ok(ttl)
}
